//! The SLA watchdog's data: open tickets whose deadline comes within a
//! horizon, the alerts raised (at most one per ticket, target, kind and
//! deadline), and key/value settings.

use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

/// Open tickets with a first-response or resolution deadline before
/// `horizon` (first response only while unanswered).
pub async fn candidates(c: &mut Conn, horizon: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM tickets WHERE status IN ('nouveau', 'en_cours', 'attente_etablissement', 'attente_editeur') \
         AND ((first_response_at IS NULL AND first_response_due_at IS NOT NULL AND first_response_due_at <= $1) \
         OR (resolution_due_at IS NOT NULL AND resolution_due_at <= $1)) ORDER BY resolution_due_at",
    )
    .bind(horizon.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Records an alert; `false` when the same alert was already raised.
pub async fn insert_alert(
    c: &mut Conn,
    ticket: &str,
    target: &str,
    kind: &str,
    due_at: &str,
    recipients: &[String],
    now: &str,
) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO sla_alerts (id, ticket_id, target, kind, due_at, recipients, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(Id::new().to_string())
    .bind(ticket.to_string())
    .bind(target.to_string())
    .bind(kind.to_string())
    .bind(due_at.to_string())
    .bind(serde_json::to_string(recipients).unwrap_or_else(|_| "[]".into()))
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?
    .rows_affected();
    Ok(n == 1)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AlertRow {
    pub id: String,
    pub ticket_id: String,
    pub reference: String,
    pub subject: String,
    pub institution_name: String,
    pub target: String,
    pub kind: String,
    pub due_at: String,
    pub recipients: String,
    pub created_at: String,
}

pub async fn recent_alerts(c: &mut Conn, since: &str, limit: i64) -> Result<Vec<AlertRow>> {
    sqlx::query_as(
        "SELECT a.id, a.ticket_id, t.reference, t.subject, i.name AS institution_name, a.target, a.kind, a.due_at, \
         a.recipients, a.created_at FROM sla_alerts a JOIN tickets t ON t.id = a.ticket_id \
         JOIN institutions i ON i.id = t.institution_id WHERE a.created_at >= $1 \
         ORDER BY a.created_at DESC LIMIT $2",
    )
    .bind(since.to_string())
    .bind(limit)
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

pub async fn alerts_of(c: &mut Conn, ticket: &str) -> Result<Vec<(String, String, String)>> {
    sqlx::query_as(
        "SELECT target, kind, created_at FROM sla_alerts WHERE ticket_id = $1 ORDER BY created_at",
    )
    .bind(ticket.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

pub async fn get_setting(c: &mut Conn, key: &str) -> Result<Option<String>> {
    let r: Option<(String,)> = sqlx::query_as("SELECT value FROM app_settings WHERE key = $1")
        .bind(key.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(r.map(|x| x.0))
}

pub async fn set_setting(c: &mut Conn, key: &str, value: &str, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO app_settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key.to_string())
    .bind(value.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}
