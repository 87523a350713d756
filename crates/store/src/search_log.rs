//! The search change log: one row per change of a searchable document,
//! written in the transaction of the change, read by every node from the
//! last sequence its own index applied. Nodes report their progress in
//! `search_nodes`, so the log is only truncated below what the slowest
//! live node still needs (or past a retention window).

use crate::{Conn, Result, StoreError};
use sqlx::FromRow;

/// The kind of a change that asks every node to rebuild its index.
pub const REBUILD: &str = "*";

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub kind: String,
    pub doc_id: String,
    pub created_at: String,
}

/// Appends a change in the caller's transaction.
pub async fn append(c: &mut Conn, kind: &str, doc_id: &str, now: &str) -> Result<()> {
    sqlx::query("INSERT INTO search_changes (kind, doc_id, created_at) VALUES ($1, $2, $3)")
        .bind(kind.to_string())
        .bind(doc_id.to_string())
        .bind(now.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Up to `limit` changes after `after`, in sequence order.
pub async fn after(c: &mut Conn, after: i64, limit: i64) -> Result<Vec<Change>> {
    sqlx::query_as(
        "SELECT seq, kind, doc_id, created_at FROM search_changes WHERE seq > $1 \
         ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// The highest sequence written (0 when the log is empty and never was
/// truncated).
pub async fn max_seq(c: &mut Conn) -> Result<i64> {
    let (m,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM search_changes")
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(m.unwrap_or(0).max(truncated_through(c).await?))
}

/// The highest sequence removed by truncation.
pub async fn truncated_through(c: &mut Conn) -> Result<i64> {
    let r: Option<(i64,)> =
        sqlx::query_as("SELECT truncated_through FROM search_log_state WHERE id = 1")
            .fetch_optional(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    Ok(r.map(|r| r.0).unwrap_or(0))
}

/// Records a node's progress (and that it is alive).
pub async fn report(
    c: &mut Conn,
    node: &str,
    applied: i64,
    documents: i64,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO search_nodes (node_id, applied_seq, documents, seen_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (node_id) DO UPDATE SET applied_seq = excluded.applied_seq, \
         documents = excluded.documents, seen_at = excluded.seen_at",
    )
    .bind(node.to_string())
    .bind(applied)
    .bind(documents)
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct NodeRow {
    pub node_id: String,
    pub applied_seq: i64,
    pub documents: i64,
    pub seen_at: String,
}

/// Every node that reported, most recently seen first.
pub async fn nodes(c: &mut Conn) -> Result<Vec<NodeRow>> {
    sqlx::query_as(
        "SELECT node_id, applied_seq, documents, seen_at FROM search_nodes \
         ORDER BY seen_at DESC, node_id",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Truncates the log: removes what every node seen since `alive_since`
/// has applied, and anything written before `keep_since` whatever the
/// nodes (a node that far behind rebuilds). Nodes not seen since
/// `alive_since` are forgotten. Returns the new truncation point.
pub async fn truncate(c: &mut Conn, alive_since: &str, keep_since: &str) -> Result<i64> {
    sqlx::query("DELETE FROM search_nodes WHERE seen_at < $1")
        .bind(alive_since.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    let (slowest,): (Option<i64>,) = sqlx::query_as("SELECT MIN(applied_seq) FROM search_nodes")
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    // Everything written before the retention window may go too.
    let (old,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(seq) FROM search_changes WHERE created_at < $1")
            .bind(keep_since.to_string())
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    let through = slowest.unwrap_or(0).max(old.unwrap_or(0));
    let current = truncated_through(c).await?;
    if through <= current {
        return Ok(current);
    }
    sqlx::query("DELETE FROM search_changes WHERE seq <= $1")
        .bind(through)
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    sqlx::query("UPDATE search_log_state SET truncated_through = $1 WHERE id = 1")
        .bind(through)
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(through)
}

/// Changes waiting in the log (what a node at `applied` still has to do).
pub async fn waiting(c: &mut Conn, applied: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM search_changes WHERE seq > $1")
        .bind(applied)
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(n)
}
