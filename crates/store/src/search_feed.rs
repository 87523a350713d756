//! What the search index is built from: batches of tickets with their
//! public text (messages and workarounds; internal notes are never read
//! here), articles and incidents, in id order so a rebuild streams through
//! any number of rows with bounded memory.

use crate::{Conn, Result, StoreError};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct TicketFeedRow {
    pub id: String,
    pub reference: String,
    pub institution_id: String,
    pub product_id: String,
    pub team_id: Option<String>,
    pub status: String,
    pub subject: String,
    pub shared: i64,
    pub created_at: String,
}

const TICKET_FEED: &str = "SELECT id, reference, institution_id, product_id, team_id, status, subject, shared, created_at FROM tickets";

/// Up to `limit` tickets with an id greater than `after` (all when `None`).
pub async fn tickets_after(
    c: &mut Conn,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<TicketFeedRow>> {
    let q = format!("{TICKET_FEED} WHERE id > $1 ORDER BY id LIMIT $2");
    sqlx::query_as(&q)
        .bind(after.unwrap_or("").to_string())
        .bind(limit)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// The tickets among `ids` (any order; missing ones are left out).
pub async fn tickets_in(c: &mut Conn, ids: &[String]) -> Result<Vec<TicketFeedRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::sql::Sql::new(&format!("{TICKET_FEED} WHERE id IN ("));
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind_text(id.clone());
    }
    q.push(")");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Public text of the tickets among `ids`, as `(ticket_id, text)`:
/// messages in order, then workarounds.
pub async fn public_text_in(c: &mut Conn, ids: &[String]) -> Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (table, extra) in [
        ("ticket_messages", " AND visibility = 'public'"),
        ("workarounds", ""),
    ] {
        let mut q = crate::sql::Sql::new(&format!(
            "SELECT ticket_id, body FROM {table} WHERE ticket_id IN ("
        ));
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_text(id.clone());
        }
        q.push(&format!("){extra} ORDER BY ticket_id, created_at"));
        let rows: Vec<(String, String)> = sqlx::query_as_with(&q.sql, q.arguments())
            .fetch_all(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn ticket(c: &mut Conn, id: &str) -> Result<Option<TicketFeedRow>> {
    let q = format!("{TICKET_FEED} WHERE id = $1");
    sqlx::query_as(&q)
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Public text of tickets whose id lies in `[first, last]`: their public
/// messages then workarounds, as `(ticket_id, text)` in ticket order.
pub async fn public_text_between(
    c: &mut Conn,
    first: &str,
    last: &str,
) -> Result<Vec<(String, String)>> {
    let mut rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT ticket_id, body FROM ticket_messages WHERE ticket_id >= $1 AND ticket_id <= $2 \
         AND visibility = 'public' ORDER BY ticket_id, created_at",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    let w: Vec<(String, String)> = sqlx::query_as(
        "SELECT ticket_id, body FROM workarounds WHERE ticket_id >= $1 AND ticket_id <= $2 ORDER BY ticket_id, created_at",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    rows.extend(w);
    Ok(rows)
}

#[derive(Debug, Clone, FromRow)]
pub struct ArticleFeedRow {
    pub id: String,
    pub product_id: String,
    pub version: Option<String>,
    pub title: String,
    pub body: String,
    pub status: String,
    pub created_at: String,
}

const ARTICLE_FEED: &str =
    "SELECT id, product_id, version, title, body, status, created_at FROM articles";

pub async fn articles(c: &mut Conn) -> Result<Vec<ArticleFeedRow>> {
    sqlx::query_as(&format!("{ARTICLE_FEED} ORDER BY id"))
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

pub async fn article(c: &mut Conn, id: &str) -> Result<Option<ArticleFeedRow>> {
    sqlx::query_as(&format!("{ARTICLE_FEED} WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

#[derive(Debug, Clone, FromRow)]
pub struct IncidentFeedRow {
    pub id: String,
    pub product_id: String,
    pub title: String,
    pub description: Option<String>,
    pub resolution: Option<String>,
    pub status: String,
    pub created_at: String,
}

const INCIDENT_FEED: &str =
    "SELECT id, product_id, title, description, resolution, status, created_at FROM incidents";

pub async fn incidents(c: &mut Conn) -> Result<Vec<IncidentFeedRow>> {
    sqlx::query_as(&format!("{INCIDENT_FEED} ORDER BY id"))
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

pub async fn incident(c: &mut Conn, id: &str) -> Result<Option<IncidentFeedRow>> {
    sqlx::query_as(&format!("{INCIDENT_FEED} WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Products in use at an institution (deployed, not withdrawn): the shared
/// tickets and incidents its members may read.
pub async fn products_in_use(c: &mut Conn, institution: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT product_id FROM deployments WHERE institution_id = $1 AND status <> 'retire'",
    )
    .bind(institution.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
