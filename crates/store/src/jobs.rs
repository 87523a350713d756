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
    enqueue_in(c, DEFAULT_QUEUE, kind, payload, run_at, dedup_key, now).await
}

/// The queue of jobs whose kind belongs to no other queue.
pub const DEFAULT_QUEUE: &str = "default";

/// Enqueues a job in a queue (see [`claim_in`]).
pub async fn enqueue_in(
    c: &mut Conn,
    queue: &str,
    kind: &str,
    payload: &serde_json::Value,
    run_at: &str,
    dedup_key: Option<&str>,
    now: &str,
) -> Result<()> {
    let r = sqlx::query(
        "INSERT INTO jobs (id, queue, kind, payload, run_at, dedup_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(Id::new().to_string())
    .bind(queue.to_string())
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

/// Claims the next due job of `queue` among `kinds` (and, with a non-empty
/// `known`, of a kind the application does not know), or `None`. The
/// query walks the `(queue, run_at)` index of pending jobs, so picking
/// stays fast whatever waits in the other queues (185 000 mails waiting for
/// an SMTP relay do not slow the search queue down). The lease
/// (`lock_until`) is short: the runner extends it while the job runs
/// ([`extend`]), so a job held by a crashed node is free again in seconds.
pub async fn claim_in(
    c: &mut Conn,
    queue: &str,
    now: &str,
    lock_until: &str,
    kinds: &[String],
    known: &[String],
) -> Result<Option<JobRow>> {
    claim_where(c, Some(queue), now, lock_until, kinds, known).await
}

/// Extends the lease of a running job (the runner's heartbeat); false when
/// the job is done or gone.
pub async fn extend(c: &mut Conn, id: &str, lock_until: &str) -> Result<bool> {
    let n = sqlx::query("UPDATE jobs SET locked_until = $1 WHERE id = $2 AND done_at IS NULL")
        .bind(lock_until.to_string())
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected();
    Ok(n == 1)
}

/// Pending work of one queue and kind, as the jobs page and `relais jobs`
/// show it.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct BacklogRow {
    pub queue: String,
    pub kind: String,
    /// Not done and still to be tried.
    pub pending: i64,
    /// Of which due now.
    pub due: i64,
    /// Attempts used up, waiting for a person.
    pub failed: i64,
    /// The oldest creation time of a job still to be tried.
    pub oldest: Option<String>,
}

/// The backlog per queue and kind (jobs not done).
pub async fn backlog(c: &mut Conn, now: &str) -> Result<Vec<BacklogRow>> {
    sqlx::query_as(
        "SELECT queue, kind, \
         COUNT(CASE WHEN attempts < max_attempts THEN 1 END) AS pending, \
         COUNT(CASE WHEN attempts < max_attempts AND run_at <= $1 THEN 1 END) AS due, \
         COUNT(CASE WHEN attempts >= max_attempts THEN 1 END) AS failed, \
         MIN(CASE WHEN attempts < max_attempts THEN created_at END) AS oldest \
         FROM jobs WHERE done_at IS NULL GROUP BY queue, kind ORDER BY queue, kind",
    )
    .bind(now.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Claims the next due job of one of `kinds`, or `None`. The lock expires
/// so that a crashed runner's job is retried. A runner only claims the
/// kinds it can handle, so jobs wait for the process that can run them.
///
/// With a non-empty `known` list, a job whose kind is in none of the
/// application's known kinds is claimed too, so that the runner can mark it
/// failed with its reason instead of leaving it pending forever.
pub async fn claim(
    c: &mut Conn,
    now: &str,
    lock_until: &str,
    kinds: &[String],
    known: &[String],
) -> Result<Option<JobRow>> {
    claim_where(c, None, now, lock_until, kinds, known).await
}

async fn claim_where(
    c: &mut Conn,
    queue: Option<&str>,
    now: &str,
    lock_until: &str,
    kinds: &[String],
    known: &[String],
) -> Result<Option<JobRow>> {
    if kinds.is_empty() && known.is_empty() {
        return Ok(None);
    }
    for _ in 0..5 {
        let mut q = crate::sql::Sql::new(
            "SELECT id, kind, payload, attempts, max_attempts FROM jobs WHERE ",
        );
        if let Some(queue) = queue {
            q.push("queue = ");
            q.bind_text(queue);
            q.push(" AND ");
        }
        q.push("done_at IS NULL AND run_at <= ");
        q.bind_text(now);
        q.push(" AND attempts < max_attempts AND (locked_until IS NULL OR locked_until < ");
        q.bind_text(now);
        q.push(") AND (");
        if kinds.is_empty() {
            q.push("1 = 0");
        } else {
            q.push("kind IN (");
            for (i, k) in kinds.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind_text(k.clone());
            }
            q.push(")");
        }
        if !known.is_empty() {
            q.push(" OR kind NOT IN (");
            for (i, k) in known.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind_text(k.clone());
            }
            q.push(")");
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

/// Marks a job failed for good: an unknown kind, a payload that does not
/// read, an unknown template. Retrying would give the same answer, so the
/// attempts are used up at once; the reason stays in `last_error` for the
/// jobs page and `relais jobs`. The dedup key is released so that the same
/// work can be queued again once the cause is fixed.
pub async fn fail_permanently(c: &mut Conn, id: &str, error: &str) -> Result<()> {
    sqlx::query(
        "UPDATE jobs SET last_error = $1, attempts = max_attempts, locked_until = NULL, \
         dedup_key = NULL WHERE id = $2",
    )
    .bind(error.chars().take(2000).collect::<String>())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Which jobs a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Attempts used up (or failed for good): waits for a person.
    Failed,
    /// Not done and still to be tried.
    Pending,
}

/// One job as the jobs page and `relais jobs` show it.
#[derive(Debug, Clone, FromRow)]
pub struct JobListRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub run_at: String,
    pub created_at: String,
}

impl JobListRow {
    pub fn failed(&self) -> bool {
        self.attempts >= self.max_attempts
    }
}

/// Jobs not done, failed ones or pending ones, oldest first.
pub async fn list(c: &mut Conn, state: JobState, limit: i64) -> Result<Vec<JobListRow>> {
    let cond = match state {
        JobState::Failed => "attempts >= max_attempts",
        JobState::Pending => "attempts < max_attempts",
    };
    let sql = format!(
        "SELECT id, kind, payload, attempts, max_attempts, last_error, run_at, created_at \
         FROM jobs WHERE done_at IS NULL AND {cond} ORDER BY created_at, id LIMIT $1"
    );
    sqlx::query_as(&sql)
        .bind(limit)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Puts a job that is not done back in the queue, due now, with its
/// attempts reset (the last error stays until the next run). Returns false
/// when there is no such job or it is done.
pub async fn retry(c: &mut Conn, id: &str, now: &str) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE jobs SET attempts = 0, run_at = $1, locked_until = NULL \
         WHERE id = $2 AND done_at IS NULL",
    )
    .bind(now.to_string())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?
    .rows_affected();
    Ok(n == 1)
}
