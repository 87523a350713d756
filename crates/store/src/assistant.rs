//! The assistant's event log and its counts.

use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub kind: &'static str,
    pub user_id: Option<Id>,
    pub institution_id: Option<Id>,
    pub product_id: Option<String>,
    pub query: Option<String>,
    pub doc_kind: Option<String>,
    pub doc_id: Option<String>,
    pub doc_title: Option<String>,
    pub ticket_id: Option<String>,
}

pub async fn insert_event(c: &mut Conn, e: &NewEvent, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO assistant_events (id, kind, user_id, institution_id, product_id, query, doc_kind, doc_id, doc_title, ticket_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(Id::new().to_string())
    .bind(e.kind.to_string())
    .bind(e.user_id.map(|i| i.to_string()))
    .bind(e.institution_id.map(|i| i.to_string()))
    .bind(e.product_id.clone())
    .bind(e.query.clone())
    .bind(e.doc_kind.clone())
    .bind(e.doc_id.clone())
    .bind(e.doc_title.clone())
    .bind(e.ticket_id.clone())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Several events in one statement (the suggestions shown at once).
pub async fn insert_events(c: &mut Conn, events: &[NewEvent], now: &str) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut q = crate::sql::Sql::new(
        "INSERT INTO assistant_events (id, kind, user_id, institution_id, product_id, query, doc_kind, doc_id, doc_title, ticket_id, created_at) VALUES ",
    );
    let opt = |v: &Option<String>| {
        v.clone()
            .map(crate::sql::Arg::Text)
            .unwrap_or(crate::sql::Arg::NullText)
    };
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push("(");
        q.bind_text(Id::new().to_string()).push(", ");
        q.bind_text(e.kind).push(", ");
        q.bind(opt(&e.user_id.map(|x| x.to_string()))).push(", ");
        q.bind(opt(&e.institution_id.map(|x| x.to_string())))
            .push(", ");
        q.bind(opt(&e.product_id)).push(", ");
        q.bind(opt(&e.query)).push(", ");
        q.bind(opt(&e.doc_kind)).push(", ");
        q.bind(opt(&e.doc_id)).push(", ");
        q.bind(opt(&e.doc_title)).push(", ");
        q.bind(opt(&e.ticket_id)).push(", ");
        q.bind_text(now).push(")");
    }
    sqlx::query_with(&q.sql, q.arguments())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Events of each kind since a time.
pub async fn counts_since(c: &mut Conn, since: &str) -> Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT kind, COUNT(*) FROM assistant_events WHERE created_at >= $1 GROUP BY kind ORDER BY kind",
    )
    .bind(since.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// The user's latest deflection since a time, if any.
pub async fn last_deflection(c: &mut Conn, user: Id, since: &str) -> Result<Option<EventRow>> {
    let mut rows = recent(c, Some(user), "deflected", since, 1).await?;
    Ok(rows.pop())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct EventRow {
    pub id: String,
    pub kind: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub product_id: Option<String>,
    pub query: Option<String>,
    pub doc_kind: Option<String>,
    pub doc_id: Option<String>,
    pub doc_title: Option<String>,
    pub ticket_id: Option<String>,
    pub created_at: String,
}

pub async fn recent(
    c: &mut Conn,
    user: Option<Id>,
    kind: &str,
    since: &str,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let mut q = crate::sql::Sql::new(
        "SELECT e.id, e.kind, e.institution_id, i.name AS institution_name, e.product_id, e.query, e.doc_kind, \
         e.doc_id, e.doc_title, e.ticket_id, e.created_at FROM assistant_events e \
         LEFT JOIN institutions i ON i.id = e.institution_id WHERE e.kind = ",
    );
    q.bind_text(kind);
    q.push(" AND e.created_at >= ").bind_text(since);
    if let Some(u) = user {
        q.push(" AND e.user_id = ").bind_text(u.to_string());
    }
    q.push(" ORDER BY e.created_at DESC LIMIT ").bind_int(limit);
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// The documents that helped most (deflections per document).
pub async fn top_helpful(
    c: &mut Conn,
    since: &str,
    limit: i64,
) -> Result<Vec<(String, String, String, i64)>> {
    sqlx::query_as(
        "SELECT doc_kind, doc_id, MAX(doc_title), COUNT(*) AS n FROM assistant_events \
         WHERE kind = 'deflected' AND created_at >= $1 AND doc_id IS NOT NULL \
         GROUP BY doc_kind, doc_id ORDER BY n DESC, MAX(doc_title) LIMIT $2",
    )
    .bind(since.to_string())
    .bind(limit)
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}
