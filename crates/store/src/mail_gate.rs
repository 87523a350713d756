//! The mail gateway's own tables: the ledger of handled Message-IDs, the
//! per-mailbox rule for unknown senders, known senders among the CRM's
//! contacts, and the quarantine entries an agent reviews.

use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

/// Claims a Message-ID for this delivery. `false` when it was already
/// claimed (the same message delivered twice): the caller stops there. Runs
/// in the transaction that stores the message, so a failed delivery leaves
/// no claim behind.
pub async fn claim_message_id(
    c: &mut Conn,
    message_id: &str,
    outcome: &str,
    ticket: Option<Id>,
    now: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO mail_ledger (message_id, received_at, outcome, ticket_id) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(message_id.to_string())
    .bind(now.to_string())
    .bind(outcome.to_string())
    .bind(ticket.map(|t| t.to_string()))
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(r.rows_affected() == 1)
}

/// What a Message-ID already led to, if it was handled.
pub async fn ledger_entry(
    c: &mut Conn,
    message_id: &str,
) -> Result<Option<(String, Option<String>)>> {
    sqlx::query_as("SELECT outcome, ticket_id FROM mail_ledger WHERE message_id = $1")
        .bind(message_id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Forgets a Message-ID, so that replaying its quarantined message can
/// store it after all.
pub async fn release_message_id(c: &mut Conn, message_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM mail_ledger WHERE message_id = $1 AND outcome LIKE 'quarantaine%'")
        .bind(message_id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct KnownContact {
    pub id: String,
    pub institution_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// Contacts of the CRM with this address (case-insensitive), oldest first.
pub async fn contacts_by_email(c: &mut Conn, address: &str) -> Result<Vec<KnownContact>> {
    sqlx::query_as(
        "SELECT id, institution_id, first_name, last_name, email FROM contacts \
         WHERE LOWER(email) = $1 ORDER BY created_at, id",
    )
    .bind(address.trim().to_lowercase())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct MailRoute {
    pub mailbox: String,
    pub unknown_sender: String,
    pub institution_id: Option<String>,
    pub product_id: Option<String>,
}

/// The rule for a mailbox, else the `*` rule, else none (quarantine).
pub async fn route_for(c: &mut Conn, mailboxes: &[String]) -> Result<Option<MailRoute>> {
    for m in mailboxes.iter().map(String::as_str).chain(["*"]) {
        let r: Option<MailRoute> = sqlx::query_as(
            "SELECT mailbox, unknown_sender, institution_id, product_id FROM mail_routes WHERE mailbox = $1",
        )
        .bind(m.to_lowercase())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
        if r.is_some() {
            return Ok(r);
        }
    }
    Ok(None)
}

pub async fn list_routes(c: &mut Conn) -> Result<Vec<MailRoute>> {
    sqlx::query_as(
        "SELECT mailbox, unknown_sender, institution_id, product_id FROM mail_routes ORDER BY mailbox",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

pub async fn upsert_route(c: &mut Conn, r: &MailRoute, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_routes (mailbox, unknown_sender, institution_id, product_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mailbox) DO UPDATE SET \
         unknown_sender = excluded.unknown_sender, institution_id = excluded.institution_id, \
         product_id = excluded.product_id, updated_at = excluded.updated_at",
    )
    .bind(r.mailbox.to_lowercase())
    .bind(r.unknown_sender.clone())
    .bind(r.institution_id.clone())
    .bind(r.product_id.clone())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// One quarantine entry, with its raw message (base64).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct HeldMail {
    pub id: String,
    pub received_at: String,
    pub reason: String,
    pub from_address: Option<String>,
    pub subject: Option<String>,
    pub status: String,
    pub auth_verdict: Option<String>,
    pub linked_ticket_id: Option<String>,
    pub raw: String,
}

pub async fn get_held(c: &mut Conn, id: Id) -> Result<HeldMail> {
    sqlx::query_as(
        "SELECT id, received_at, reason, from_address, subject, status, auth_verdict, linked_ticket_id, raw \
         FROM mail_quarantine WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?
    .ok_or(StoreError::NotFound)
}

pub async fn set_auth_verdict(c: &mut Conn, id: Id, verdict: &str) -> Result<()> {
    sqlx::query("UPDATE mail_quarantine SET auth_verdict = $1 WHERE id = $2")
        .bind(verdict.to_string())
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Closes a waiting entry (`status` among 'rattache', 'libere', 'ecarte',
/// 'rejoue'). `false` when it was no longer waiting (another agent acted
/// first).
pub async fn settle_held(
    c: &mut Conn,
    id: Id,
    status: &str,
    ticket: Option<Id>,
    by: Id,
    now: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE mail_quarantine SET status = $1, linked_ticket_id = $2, handled_by = $3, handled_at = $4 \
         WHERE id = $5 AND status = 'en_attente'",
    )
    .bind(status.to_string())
    .bind(ticket.map(|t| t.to_string()))
    .bind(by.to_string())
    .bind(now.to_string())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(r.rows_affected() == 1)
}

/// When the claim on a Message-ID was taken (or last taken over).
pub async fn claimed_at(c: &mut Conn, message_id: &str) -> Result<Option<String>> {
    let r: Option<(String,)> =
        sqlx::query_as("SELECT received_at FROM mail_ledger WHERE message_id = $1")
            .bind(message_id.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    Ok(r.map(|r| r.0))
}

/// Takes over a claim (its holder died, or it only held another message
/// with the same id in quarantine).
pub async fn retake_claim(c: &mut Conn, message_id: &str, now: &str) -> Result<()> {
    sqlx::query(
        "UPDATE mail_ledger SET received_at = $1, outcome = 'en_cours' WHERE message_id = $2",
    )
    .bind(now.to_string())
    .bind(message_id.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Records what a message led to.
pub async fn settle_message_id(
    c: &mut Conn,
    message_id: &str,
    outcome: &str,
    ticket: Option<Id>,
) -> Result<()> {
    sqlx::query("UPDATE mail_ledger SET outcome = $1, ticket_id = $2 WHERE message_id = $3")
        .bind(outcome.to_string())
        .bind(ticket.map(|t| t.to_string()))
        .bind(message_id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Drops a claim still in progress (its delivery failed; the retry claims
/// again).
pub async fn drop_claim(c: &mut Conn, message_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM mail_ledger WHERE message_id = $1 AND outcome = 'en_cours'")
        .bind(message_id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Removes a mailbox's rule (its messages then follow the `*` rule).
pub async fn delete_route(c: &mut Conn, mailbox: &str) -> Result<bool> {
    let r = sqlx::query("DELETE FROM mail_routes WHERE mailbox = $1")
        .bind(mailbox.to_lowercase())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(r.rows_affected() == 1)
}
