//! Ticket attachments: one row per stored file. The bytes live on disk
//! under a generated `storage_key`; the row keeps the safe display name,
//! the visibility ('public' or 'internal') and the checksum. Who may read a
//! row is decided by the use case (ticket scope, sharing choices); these
//! queries always take the ticket id so that an attachment is never found
//! through another ticket.

use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: String,
    pub ticket_id: String,
    pub message_id: Option<String>,
    /// `public` or `internal`.
    pub visibility: String,
    pub file_name: String,
    /// As declared by the sender; never used to serve the file.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Relative path under the attachments folder (`ab/ab12…`).
    pub storage_key: String,
    pub uploaded_by: Option<String>,
    pub uploaded_by_name: String,
    pub created_at: String,
}

const COLS: &str = "SELECT id, ticket_id, message_id, visibility, file_name, content_type, \
    size_bytes, sha256, storage_key, uploaded_by, uploaded_by_name, created_at FROM attachments";

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: Id,
    pub ticket_id: Id,
    pub message_id: Option<Id>,
    pub internal: bool,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: Option<Id>,
    pub uploaded_by_name: String,
}

pub async fn insert_attachment(c: &mut Conn, a: &NewAttachment, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO attachments (id, ticket_id, message_id, visibility, file_name, content_type, \
         size_bytes, sha256, storage_key, uploaded_by, uploaded_by_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(a.id.to_string())
    .bind(a.ticket_id.to_string())
    .bind(a.message_id.map(|m| m.to_string()))
    .bind(if a.internal { "internal" } else { "public" }.to_string())
    .bind(a.file_name.clone())
    .bind(a.content_type.clone())
    .bind(a.size_bytes)
    .bind(a.sha256.clone())
    .bind(a.storage_key.clone())
    .bind(a.uploaded_by.map(|u| u.to_string()))
    .bind(a.uploaded_by_name.clone())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// The attachments of a ticket, oldest first; `public_only` leaves out the
/// agents' internal ones.
pub async fn list_attachments(
    c: &mut Conn,
    ticket: Id,
    public_only: bool,
) -> Result<Vec<AttachmentRow>> {
    let sql = if public_only {
        format!("{COLS} WHERE ticket_id = $1 AND visibility = 'public' ORDER BY created_at, id")
    } else {
        format!("{COLS} WHERE ticket_id = $1 ORDER BY created_at, id")
    };
    sqlx::query_as(&sql)
        .bind(ticket.to_string())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// One attachment of one ticket, or NotFound (also when it belongs to
/// another ticket).
pub async fn get_attachment(c: &mut Conn, ticket: Id, id: Id) -> Result<AttachmentRow> {
    sqlx::query_as(&format!("{COLS} WHERE ticket_id = $1 AND id = $2"))
        .bind(ticket.to_string())
        .bind(id.to_string())
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}
