//! The first answer to an API POST carrying an `Idempotency-Key`, per
//! caller (`principal`), so that a retry replays it.

use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdempotentAnswer {
    pub principal: String,
    pub idem_key: String,
    /// SHA-256 of the method, path and body of the first request.
    pub request_hash: String,
    pub status: i64,
    pub content_type: String,
    pub location: Option<String>,
    pub body: String,
    pub created_at: String,
}

pub async fn find(c: &mut Conn, principal: &str, key: &str) -> Result<Option<IdempotentAnswer>> {
    sqlx::query_as(
        "SELECT principal, idem_key, request_hash, status, content_type, location, body, created_at \
         FROM idempotency_keys WHERE principal = $1 AND idem_key = $2",
    )
    .bind(principal.to_string())
    .bind(key.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Keeps an answer; a key already kept (another node answered first) is
/// left as it is.
pub async fn insert(c: &mut Conn, a: &IdempotentAnswer) -> Result<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (principal, idem_key, request_hash, status, content_type, \
         location, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (principal, idem_key) DO NOTHING",
    )
    .bind(a.principal.clone())
    .bind(a.idem_key.clone())
    .bind(a.request_hash.clone())
    .bind(a.status)
    .bind(a.content_type.clone())
    .bind(a.location.clone())
    .bind(a.body.clone())
    .bind(a.created_at.clone())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Forgets the answers kept before `before`.
pub async fn purge_before(c: &mut Conn, before: &str) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before.to_string())
            .execute(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?
            .rows_affected(),
    )
}

/// Whether a stored file key is referenced by a ticket attachment or a
/// publication file (the orphan sweep keeps those).
pub async fn storage_key_used(c: &mut Conn, key: &str) -> Result<bool> {
    let n: Option<String> = sqlx::query_scalar(
        "SELECT storage_key FROM attachments WHERE storage_key = $1 \
         UNION ALL SELECT storage_key FROM publication_files WHERE storage_key = $1",
    )
    .bind(key.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(n.is_some())
}
