//! File bytes kept in the database (PostgreSQL, so that every node reads
//! what another wrote): one row per part of at most [`PART_BYTES`], written
//! in the transaction of the row that points at them, so a committed row
//! never points at missing bytes and a rolled-back one leaves none behind.

use crate::{Conn, Result, StoreError};

/// The size of one stored part.
pub const PART_BYTES: usize = 1024 * 1024;

/// Stores `bytes` under `key` in the caller's transaction.
pub async fn put(c: &mut Conn, key: &str, bytes: &[u8]) -> Result<()> {
    for (i, part) in bytes.chunks(PART_BYTES).enumerate() {
        sqlx::query("INSERT INTO file_blobs (storage_key, part, data) VALUES ($1, $2, $3)")
            .bind(key.to_string())
            .bind(i as i32)
            .bind(part.to_vec())
            .execute(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    }
    Ok(())
}

/// The bytes stored under `key`, or NotFound.
pub async fn get(c: &mut Conn, key: &str) -> Result<Vec<u8>> {
    let parts: Vec<(Vec<u8>,)> =
        sqlx::query_as("SELECT data FROM file_blobs WHERE storage_key = $1 ORDER BY part")
            .bind(key.to_string())
            .fetch_all(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    if parts.is_empty() {
        return Err(StoreError::NotFound);
    }
    Ok(parts.into_iter().flat_map(|p| p.0).collect())
}

/// Removes the bytes stored under `key`.
pub async fn delete(c: &mut Conn, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM file_blobs WHERE storage_key = $1")
        .bind(key.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// A secret every node shares: the stored one, or `candidate` stored now
/// when there is none yet (the first node to ask wins; the others read it).
pub async fn shared_secret(c: &mut Conn, name: &str, candidate: &str, now: &str) -> Result<String> {
    sqlx::query(
        "INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name.to_string())
    .bind(candidate.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    let (v,): (String,) = sqlx::query_as("SELECT value FROM app_secrets WHERE name = $1")
        .bind(name.to_string())
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(v)
}
