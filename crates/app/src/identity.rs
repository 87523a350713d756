//! Identity, second step: the security log of each account, the sessions a
//! person sees and ends.

use crate::{App, Result};
use relais_domain::accounts::{Actor, Role, Scope};
use relais_domain::{DomainError, Id};
use relais_store::accounts::UserRow;
use relais_store::identity as store;
pub use relais_store::identity::EventRow;
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

// ---------------------------------------------------------------- sessions

/// One live session of the person, as the sessions page shows it.
#[derive(Debug, Clone)]
pub struct SessionView {
    /// Handle of the session in forms (the SHA-256 of its secret, never the
    /// secret itself).
    pub key: String,
    pub current: bool,
    pub created_at: String,
    pub last_seen_at: Option<String>,
    pub client_addr: String,
    pub user_agent: String,
    pub method: String,
}

/// The person's own live sessions; `current_token` is this browser's.
pub async fn my_sessions(
    app: &App,
    actor: &Actor,
    current_token: &str,
) -> Result<Vec<SessionView>> {
    let mut c = app.db.read().await?;
    let current = crate::accounts::hash_token(current_token);
    Ok(store::list_sessions(&mut c, actor.user_id, &app.now_ts())
        .await?
        .into_iter()
        .map(|s| SessionView {
            current: s.token_hash == current,
            key: s.token_hash,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            client_addr: s.client_addr,
            user_agent: s.user_agent,
            method: s.sso_provider.unwrap_or_else(|| "password".into()),
        })
        .collect())
}

/// Ends one of one's own sessions (another person's key is "not found").
pub async fn end_session(app: &App, actor: &Actor, key: &str, client: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    store::delete_session_of(&mut tx, actor.user_id, key).await?;
    let u = relais_store::accounts::get_user(&mut tx, Scope::All, actor.user_id).await?;
    log_event(
        &mut tx,
        app,
        Some(&u),
        Some(actor.user_id),
        "session_ended",
        "",
        client,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the person but this one; returns how many.
pub async fn end_other_sessions(
    app: &App,
    actor: &Actor,
    current_token: &str,
    client: &str,
) -> Result<u64> {
    let mut tx = app.db.begin().await?;
    let n = relais_store::accounts::delete_other_sessions(
        &mut tx,
        actor.user_id,
        &crate::accounts::hash_token(current_token),
    )
    .await?;
    let u = relais_store::accounts::get_user(&mut tx, Scope::All, actor.user_id).await?;
    log_event(
        &mut tx,
        app,
        Some(&u),
        Some(actor.user_id),
        "sessions_ended",
        "",
        client,
        &n.to_string(),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Marks a session as used now (at most once a minute).
pub async fn touch(app: &App, token: &str) -> Result<()> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    store::touch_session(
        &mut tx,
        &crate::accounts::hash_token(token),
        &relais_store::ts(now),
        &relais_store::ts(now - chrono::Duration::minutes(1)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- mailed links

/// A reset link lives 30 minutes, an invitation 7 days.
pub const RESET_MINUTES: i64 = 30;
pub const INVITATION_DAYS: i64 = 7;
/// Reset mails per account per hour, and reset requests per client
/// address per hour; past them the request is silently dropped (the answer
/// is the same).
const RESETS_PER_ACCOUNT_HOUR: i64 = 3;
const RESETS_PER_ADDRESS_HOUR: i64 = 20;

/// Asks for a password reset mail. The answer is the same whether the
/// address has an account or not, and whether the request was throttled:
/// nothing can be learnt from it.
pub async fn request_password_reset(app: &App, email: &str, client: &str) -> Result<()> {
    let key = email.trim().to_lowercase();
    let now = app.clock.now();
    let since = relais_store::ts(now - chrono::Duration::hours(1));
    let mut tx = app.db.begin().await?;
    let from_addr =
        store::count_events_from(&mut tx, "password_reset_requested", client, &since).await?;
    let user = match relais_store::accounts::find_user_by_email(&mut tx, &key).await {
        Ok(u) if u.active == 1 => Some(u),
        Ok(_) | Err(relais_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    log_event(
        &mut tx,
        app,
        user.as_ref(),
        None,
        "password_reset_requested",
        "mail",
        client,
        if user.is_some() { "" } else { &key },
    )
    .await?;
    if let Some(u) = user.filter(|_| from_addr < RESETS_PER_ADDRESS_HOUR) {
        let uid = Id::parse_stored(&u.id)?;
        if store::count_links_since(&mut tx, uid, "reset", &since).await? < RESETS_PER_ACCOUNT_HOUR
        {
            let link = Id::new();
            store::insert_link(
                &mut tx,
                link,
                "reset",
                uid,
                None,
                &relais_store::ts(now),
                &relais_store::ts(now + chrono::Duration::minutes(RESET_MINUTES)),
            )
            .await?;
            crate::jobs::enqueue(
                &mut tx,
                &crate::jobs::MailJob::AccountLink {
                    link_id: link.to_string(),
                },
                &relais_store::ts(now),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Input of an invitation.
#[derive(Debug, Clone, Default)]
pub struct Invitation {
    pub email: String,
    pub display_name: String,
    /// For an admin: the institution; a referent always invites into theirs.
    pub institution_id: Option<String>,
}

/// A referent (or an admin) invites a colleague: a member account without
/// password is created and a one-use link, valid 7 days, is mailed; the
/// link sets the password.
pub async fn invite(app: &App, actor: &Actor, i: Invitation, client: &str) -> Result<Id> {
    if !matches!(actor.role, Role::Admin | Role::MemberAdmin) {
        return Err(DomainError::Forbidden.into());
    }
    let (values, _) = crate::accounts::validate_user(
        actor,
        &crate::accounts::UserInput {
            email: i.email,
            display_name: i.display_name,
            role: Role::Member.code().into(),
            institution_id: i.institution_id,
            password: None,
            active: true,
        },
    )?;
    let now = app.clock.now();
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    relais_store::accounts::insert_user(&mut tx, id, &values, None, &relais_store::ts(now))
        .await
        .map_err(|e| match e {
            relais_store::StoreError::Conflict(_) => crate::AppError::Domain(DomainError::invalid(
                "email_taken",
                "email",
                "Un compte utilise déjà cette adresse.",
            )),
            e => e.into(),
        })?;
    let link = Id::new();
    store::insert_link(
        &mut tx,
        link,
        "invitation",
        id,
        Some(actor.user_id),
        &relais_store::ts(now),
        &relais_store::ts(now + chrono::Duration::days(INVITATION_DAYS)),
    )
    .await?;
    crate::jobs::enqueue(
        &mut tx,
        &crate::jobs::MailJob::AccountLink {
            link_id: link.to_string(),
        },
        &relais_store::ts(now),
    )
    .await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "user",
        id,
        "invite",
        &serde_json::json!({ "email": values.email }),
        &relais_store::ts(now),
    )
    .await?;
    let u = relais_store::accounts::get_user(&mut tx, Scope::All, id).await?;
    log_event(
        &mut tx,
        app,
        Some(&u),
        Some(actor.user_id),
        "invitation",
        "mail",
        client,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The mail of a one-use link (job `account_link`): draws the secret now,
/// stores its hash, and writes the mail; nothing when the link was used or
/// expired meanwhile.
pub async fn account_link_mail(
    app: &App,
    link_id: &str,
    base_url: &str,
) -> Result<Option<(String, String, String)>> {
    let id = Id::parse_stored(link_id)?;
    let token = crate::accounts::random_token();
    let mut tx = app.db.begin().await?;
    let Some(link) = store::arm_link(
        &mut tx,
        id,
        &crate::accounts::hash_token(&token),
        &app.now_ts(),
    )
    .await?
    else {
        return Ok(None);
    };
    let u = relais_store::accounts::get_user(&mut tx, Scope::All, Id::parse_stored(&link.user_id)?)
        .await?;
    tx.commit().await?;
    let url = format!("{}/compte/lien/{token}", base_url.trim_end_matches('/'));
    let (subject, text) = if link.purpose == "invitation" {
        (
            "Relais : votre invitation".to_string(),
            format!(
                "Bonjour {},\n\nVous êtes invité·e à rejoindre Relais{}.\n\
                 Choisissez votre mot de passe en suivant ce lien (valable {INVITATION_DAYS} jours, \
                 une seule fois) :\n\n{url}\n\nSi vous n'attendiez pas cette invitation, ignorez ce message.\n",
                u.display_name,
                u.institution_name
                    .as_deref()
                    .map(|n| format!(" pour {n}"))
                    .unwrap_or_default()
            ),
        )
    } else {
        (
            "Relais : réinitialisation de votre mot de passe".to_string(),
            format!(
                "Bonjour {},\n\nUne réinitialisation du mot de passe de votre compte Relais a été demandée.\n\
                 Choisissez un nouveau mot de passe en suivant ce lien (valable {RESET_MINUTES} minutes, \
                 une seule fois) :\n\n{url}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce \
                 message : votre mot de passe actuel reste valable.\n",
                u.display_name
            ),
        )
    };
    Ok(Some((u.email, subject, text)))
}

/// Where a link stands, for its page (read only: a GET changes nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Valid { purpose: String, email: String },
    Used,
    Expired,
    Unknown,
}

pub async fn link_state(app: &App, token: &str) -> Result<LinkState> {
    let mut c = app.db.read().await?;
    let Some(l) = store::find_link(&mut c, &crate::accounts::hash_token(token)).await? else {
        return Ok(LinkState::Unknown);
    };
    if l.used_at.is_some() {
        return Ok(LinkState::Used);
    }
    if l.expires_at <= app.now_ts() {
        return Ok(LinkState::Expired);
    }
    let u =
        relais_store::accounts::get_user(&mut c, Scope::All, Id::parse_stored(&l.user_id)?).await?;
    Ok(LinkState::Valid {
        purpose: l.purpose,
        email: u.email,
    })
}

/// Sets the password through a link: once, before it expires, following
/// the password rules; every session of the person ends.
pub async fn use_link(
    app: &App,
    token: &str,
    password: &str,
    confirm: &str,
    client: &str,
) -> Result<()> {
    let hash = crate::accounts::hash_token(token);
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let refuse = |code, detail: &str| -> crate::AppError {
        DomainError::invalid(code, "link", detail.to_string()).into()
    };
    let Some(l) = store::find_link(&mut tx, &hash).await? else {
        return Err(refuse("link_unknown", "Ce lien est inconnu."));
    };
    if l.used_at.is_some() {
        return Err(refuse("link_used", "Ce lien a déjà servi."));
    }
    if l.expires_at <= now {
        return Err(refuse(
            "link_expired",
            "Ce lien a expiré : demandez-en un nouveau.",
        ));
    }
    let uid = Id::parse_stored(&l.user_id)?;
    let u = relais_store::accounts::get_user(&mut tx, Scope::All, uid).await?;
    let mut v = crate::accounts::password_violations(password, &u.email);
    if password != confirm {
        v.push(
            "confirm_mismatch",
            "confirm",
            "La confirmation ne reprend pas le nouveau mot de passe.",
        );
    }
    v.into_result()?;
    if !store::use_link(&mut tx, &hash, &l.purpose, &now).await? {
        return Err(refuse("link_used", "Ce lien a déjà servi."));
    }
    relais_store::accounts::set_password(&mut tx, uid, &crate::accounts::hash_password(password)?)
        .await?;
    relais_store::accounts::delete_user_sessions(&mut tx, uid).await?;
    let kind = if l.purpose == "invitation" {
        "invitation_accepted"
    } else {
        "password_reset"
    };
    log_event(&mut tx, app, Some(&u), None, kind, "mail", client, "").await?;
    relais_store::audit::record(
        &mut tx,
        None,
        "user",
        uid,
        kind,
        &serde_json::json!({}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
