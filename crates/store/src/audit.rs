//! The change history: who changed which record, when, and the values before
//! and after, written in the same transaction as the change.

use crate::sql::Sql;
use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: String,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    /// JSON object `{field: [before, after]}`.
    pub changes: String,
}

pub async fn record(
    c: &mut Conn,
    actor: Option<Id>,
    entity: &str,
    entity_id: Id,
    action: &str,
    changes: &serde_json::Value,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO audit_events (id, at, actor_id, entity, entity_id, action, changes) VALUES (",
    );
    q.bind_text(Id::new().to_string()).push(", ");
    q.bind_text(now).push(", ");
    match actor {
        Some(a) => q.bind_text(a.to_string()),
        None => q.bind(crate::sql::Arg::NullText),
    };
    q.push(", ").bind_text(entity).push(", ");
    q.bind_text(entity_id.to_string()).push(", ");
    q.bind_text(action).push(", ");
    q.bind_text(changes.to_string()).push(")");
    sqlx::query_with(&q.sql, q.arguments())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn history(c: &mut Conn, entity: &str, entity_id: Id) -> Result<Vec<AuditRow>> {
    let mut q = Sql::new(
        "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.entity, a.entity_id, \
         a.action, a.changes FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id \
         WHERE a.entity = ",
    );
    q.bind_text(entity).push(" AND a.entity_id = ");
    q.bind_text(entity_id.to_string());
    q.push(" ORDER BY a.at DESC, a.id DESC");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}
