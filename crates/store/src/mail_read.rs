//! What mail adds to the desk beyond a message's text: the quoted history
//! and sanitised HTML of messages that came by mail, the notifications sent
//! (by Message-ID), and the bounces reported for an address.

use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct MessagePartsRow {
    pub message_id: String,
    pub quoted: Option<String>,
    pub html: Option<String>,
}

pub async fn insert_message_parts(
    c: &mut Conn,
    message: Id,
    ticket: Id,
    quoted: Option<&str>,
    html: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_message_parts (message_id, ticket_id, quoted, html) VALUES ($1, $2, $3, $4)",
    )
    .bind(message.to_string())
    .bind(ticket.to_string())
    .bind(quoted.map(str::to_string))
    .bind(html.map(str::to_string))
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn list_message_parts(c: &mut Conn, ticket: Id) -> Result<Vec<MessagePartsRow>> {
    sqlx::query_as(
        "SELECT message_id, quoted, html FROM mail_message_parts WHERE ticket_id = $1 ORDER BY message_id",
    )
    .bind(ticket.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

pub async fn insert_sent(
    c: &mut Conn,
    message_id: &str,
    ticket: Option<Id>,
    template: &str,
    recipients: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_sent (message_id, ticket_id, template, recipients, sent_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(message_id.to_string())
    .bind(ticket.map(|t| t.to_string()))
    .bind(template.to_string())
    .bind(recipients.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// The ticket and template of a sent notification, by its bare Message-ID.
pub async fn find_sent(c: &mut Conn, message_id: &str) -> Result<Option<(Option<String>, String)>> {
    sqlx::query_as("SELECT ticket_id, template FROM mail_sent WHERE message_id = $1")
        .bind(message_id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct BounceRow {
    pub id: String,
    pub received_at: String,
    pub address: String,
    pub action: String,
    pub status: Option<String>,
    pub diagnostic: Option<String>,
    pub original_message_id: Option<String>,
    pub template: Option<String>,
    pub ticket_id: Option<String>,
}

pub struct NewBounce<'a> {
    pub address: &'a str,
    pub action: &'a str,
    pub status: Option<&'a str>,
    pub diagnostic: Option<&'a str>,
    pub original_message_id: Option<&'a str>,
    pub template: Option<&'a str>,
    pub ticket: Option<Id>,
}

pub async fn insert_bounce(c: &mut Conn, id: Id, b: &NewBounce<'_>, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_bounces (id, received_at, address, action, status, diagnostic, original_message_id, template, ticket_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(now.to_string())
    .bind(b.address.to_lowercase())
    .bind(b.action.to_string())
    .bind(b.status.map(str::to_string))
    .bind(b.diagnostic.map(str::to_string))
    .bind(b.original_message_id.map(str::to_string))
    .bind(b.template.map(str::to_string))
    .bind(b.ticket.map(|t| t.to_string()))
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

const BOUNCE_COLS: &str = "SELECT id, received_at, address, action, status, diagnostic, original_message_id, template, ticket_id FROM mail_bounces";

pub async fn bounces_of_ticket(c: &mut Conn, ticket: Id) -> Result<Vec<BounceRow>> {
    sqlx::query_as(&format!(
        "{BOUNCE_COLS} WHERE ticket_id = $1 ORDER BY received_at, id"
    ))
    .bind(ticket.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

pub async fn bounces_of_address(c: &mut Conn, address: &str) -> Result<Vec<BounceRow>> {
    sqlx::query_as(&format!(
        "{BOUNCE_COLS} WHERE address = $1 ORDER BY received_at DESC, id LIMIT 50"
    ))
    .bind(address.trim().to_lowercase())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}
