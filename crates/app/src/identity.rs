//! Identity, second step: the security log of each account, the sessions a
//! person sees and ends.

use crate::{App, Result};
use relais_domain::accounts::{Actor, Role, Scope};
use relais_domain::{DomainError, Id};
use relais_store::accounts::UserRow;
use relais_store::identity as store;
use relais_store::Conn;

/// Writes one line of the security log, inside the caller's transaction.
/// `user` is the account concerned (none for a failed sign-in with an
/// unknown address, whose typed address goes to `detail`).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn log_event(
    tx: &mut Conn,
    app: &App,
    user: Option<&UserRow>,
    actor: Option<Id>,
    kind: &str,
    method: &str,
    client: &str,
    detail: &str,
) -> Result<()> {
    store::record_event(
        tx,
        &store::NewEvent {
            user_id: user.and_then(|u| Id::parse(&u.id)),
            institution_id: user.and_then(|u| u.institution_id.clone()),
            actor_id: actor,
            kind,
            method,
            client_addr: client,
            detail,
        },
        &app.now_ts(),
    )
    .await?;
    Ok(())
}

/// The security log: one's own lines, or — for an admin — everyone's, for a
/// referent their institution's accounts. Members see only their own.
pub async fn security_log(
    app: &App,
    actor: &Actor,
    user: Option<Id>,
    kind: Option<String>,
) -> Result<Vec<store::EventRow>> {
    let (scope, user) = match actor.role {
        Role::Admin => (Scope::All, user),
        Role::MemberAdmin => (actor.scope(), user),
        _ => {
            if user.is_some_and(|u| u != actor.user_id) {
                return Err(DomainError::Forbidden.into());
            }
            (Scope::All, Some(actor.user_id))
        }
    };
    let mut c = app.db.read().await?;
    Ok(store::list_events(
        &mut c,
        scope,
        &store::EventFilter {
            user_id: user,
            kind,
            limit: 500,
        },
    )
    .await?)
}
