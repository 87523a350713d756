//! The durable job table (transactional outbox). Jobs are inserted in the
//! business transaction; a runner claims one with a conditional update, which
//! works the same on both engines without `SKIP LOCKED`.

use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Enqueues a job; with a dedup key, a second job with the same key is a
/// no-op until the first is done. `ON CONFLICT DO NOTHING` rather than
/// catching the error: on PostgreSQL a failed statement aborts the whole
/// business transaction the job is part of.
pub async fn enqueue(
    c: &mut Conn,
    kind: &str,
    payload: &serde_json::Value,
    run_at: &str,
    dedup_key: Option<&str>,
    now: &str,
) -> Result<()> {
    let r = sqlx::query(
        "INSERT INTO jobs (id, kind, payload, run_at, dedup_key, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT DO NOTHING",
    )
    .bind(Id::new().to_string())
    .bind(kind.to_string())
    .bind(payload.to_string())
    .bind(run_at.to_string())
    .bind(dedup_key.map(str::to_string))
    .bind(now.to_string())
    .execute(&mut *c)
    .await;
    r.map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Claims the next due job of one of `kinds`, or `None`. The lock expires
/// so that a crashed runner's job is retried. A runner only claims the
/// kinds it can handle, so jobs wait for the process that can run them.
pub async fn claim(
    c: &mut Conn,
    now: &str,
    lock_until: &str,
    kinds: &[String],
) -> Result<Option<JobRow>> {
    if kinds.is_empty() {
        return Ok(None);
    }
    for _ in 0..5 {
        let mut q = crate::sql::Sql::new(
            "SELECT id, kind, payload, attempts, max_attempts FROM jobs \
             WHERE done_at IS NULL AND run_at <= ",
        );
        q.bind_text(now);
        q.push(" AND attempts < max_attempts AND (locked_until IS NULL OR locked_until < ");
        q.bind_text(now);
        q.push(") AND kind IN (");
        for (i, k) in kinds.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_text(k.clone());
        }
        q.push(") ORDER BY run_at LIMIT 1");
        let cand: Option<JobRow> = sqlx::query_as_with(&q.sql, q.arguments())
            .fetch_optional(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
        let Some(job) = cand else { return Ok(None) };
        let n = sqlx::query(
            "UPDATE jobs SET locked_until = $1, attempts = attempts + 1 WHERE id = $2 \
             AND done_at IS NULL AND (locked_until IS NULL OR locked_until < $3)",
        )
        .bind(lock_until.to_string())
        .bind(job.id.clone())
        .bind(now.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected();
        if n == 1 {
            return Ok(Some(JobRow {
                attempts: job.attempts + 1,
                ..job
            }));
        }
    }
    Ok(None)
}

pub async fn complete(c: &mut Conn, id: &str, now: &str) -> Result<()> {
    // The dedup key is released so that the same work can be enqueued again.
    sqlx::query(
        "UPDATE jobs SET done_at = $1, locked_until = NULL, dedup_key = NULL WHERE id = $2",
    )
    .bind(now.to_string())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn fail(c: &mut Conn, id: &str, error: &str, retry_at: &str) -> Result<()> {
    sqlx::query("UPDATE jobs SET last_error = $1, run_at = $2, locked_until = NULL WHERE id = $3")
        .bind(error.chars().take(2000).collect::<String>())
        .bind(retry_at.to_string())
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn pending_count(c: &mut Conn) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL")
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(n)
}
