//! The vocabulary of the field (lines an admin edits, read into the search
//! index) and the log of queries that found nothing or only approximate
//! answers (per normalised query, outcome and day; no personal data).

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize, PartialEq, Eq)]
pub struct VocabularyRow {
    pub id: String,
    pub term: String,
    pub equivalent: String,
    /// `abreviation`, `synonyme` or `produit`.
    pub kind: String,
    pub created_at: String,
}

pub async fn list_vocabulary(c: &mut Conn) -> Result<Vec<VocabularyRow>> {
    sqlx::query_as::<_, VocabularyRow>(
        "SELECT id, term, equivalent, kind, created_at FROM search_vocabulary ORDER BY term, equivalent",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Adds a line; `false` when the same line is already there.
pub async fn insert_vocabulary(
    c: &mut Conn,
    id: &str,
    term: &str,
    equivalent: &str,
    kind: &str,
    now: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO search_vocabulary (id, term, equivalent, kind, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (term, equivalent) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(term.to_string())
    .bind(equivalent.to_string())
    .bind(kind.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(r.rows_affected() > 0)
}

pub async fn delete_vocabulary(c: &mut Conn, id: &str) -> Result<()> {
    let r = sqlx::query("DELETE FROM search_vocabulary WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Counts one more miss of `query` with `outcome` on `day`.
pub async fn record_miss(c: &mut Conn, query: &str, outcome: &str, day: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO search_misses (query, outcome, day, times) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (query, outcome, day) DO UPDATE SET times = search_misses.times + 1",
    )
    .bind(query.to_string())
    .bind(outcome.to_string())
    .bind(day.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq, Eq)]
pub struct MissRow {
    pub query: String,
    pub outcome: String,
    pub times: i64,
    pub last_day: String,
}

/// The most frequent misses since `since_day` (`YYYY-MM-DD`), most
/// frequent first.
pub async fn top_misses(c: &mut Conn, since_day: &str, limit: i64) -> Result<Vec<MissRow>> {
    sqlx::query_as::<_, MissRow>(
        "SELECT query, outcome, CAST(SUM(times) AS BIGINT) AS times, MAX(day) AS last_day \
         FROM search_misses WHERE day >= $1 GROUP BY query, outcome \
         ORDER BY times DESC, query LIMIT $2",
    )
    .bind(since_day.to_string())
    .bind(limit)
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}
