//! Training registrations (issue 5, first slice): a member asks for a
//! seat; their institution's referent (or the agency) approves; the
//! approval confirms the seat while one is left, else puts the request on
//! the waiting list. Seats are taken by a conditional update of the
//! session's counter, so simultaneous approvals never overbook.

use crate::{App, Result};
use relais_domain::accounts::{Actor, Role};
use relais_domain::{DomainError, Id};
use relais_store::training as store;

/// What became of an approved request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Confirmed,
    WaitingList,
}

/// A member asks for a seat on a session for themselves.
pub async fn request_seat(app: &App, actor: &Actor, session: Id) -> Result<Id> {
    let inst = actor.institution_id.ok_or(DomainError::Forbidden)?;
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    if !store::insert_registration(
        &mut tx,
        id,
        session,
        actor.user_id,
        inst,
        "demande",
        &app.now_ts(),
    )
    .await?
    {
        return Err(DomainError::invalid(
            "already_registered",
            "session",
            "Vous avez déjà demandé une place sur cette session.",
        )
        .into());
    }
    tx.commit().await?;
    Ok(id)
}

/// The referent of the registrant's institution (or an agency admin)
/// approves: a seat if one is left, else the waiting list.
pub async fn approve(app: &App, actor: &Actor, registration: Id) -> Result<Decision> {
    let mut tx = app.db.begin().await?;
    let (session, institution, status) = store::registration(&mut tx, registration)
        .await?
        .ok_or(DomainError::NotFound)?;
    let allowed = actor.role == Role::Admin
        || (actor.role == Role::MemberAdmin
            && actor.institution_id.map(|i| i.to_string()) == Some(institution));
    if !allowed {
        // Another institution's request looks like no request at all.
        return Err(DomainError::NotFound.into());
    }
    if status != "demande" {
        return Err(DomainError::invalid(
            "already_decided",
            "registration",
            "Cette demande a déjà été traitée.",
        )
        .into());
    }
    let session = Id::parse(&session).ok_or(DomainError::NotFound)?;
    let now = app.now_ts();
    let decision = if store::take_seat(&mut tx, session).await? {
        store::set_registration_status(&mut tx, registration, "confirmee", &now).await?;
        Decision::Confirmed
    } else {
        store::set_registration_status(&mut tx, registration, "attente", &now).await?;
        Decision::WaitingList
    };
    tx.commit().await?;
    Ok(decision)
}
