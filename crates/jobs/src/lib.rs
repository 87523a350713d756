//! The job runner over the durable `jobs` table (the transactional outbox).
//! Use cases enqueue jobs inside their business transaction; the runner
//! claims due jobs one at a time, runs the handler registered for the kind,
//! and completes the job or schedules a retry with exponential backoff.
//! Tests call [`Runner::tick`] instead of sleeping.
//!
//! Jobs are typed: a [`Job`] is a serde payload with its kind, queued with
//! [`enqueue`] and handled with [`Runner::handle`]. A job the runner cannot
//! read — a kind the application does not know (see [`Runner::knowing`]), a
//! payload that does not deserialize (an unknown mail template, a bad id) —
//! fails at once with its reason in `last_error` ([`Permanent`]): no retry
//! loop, no silent completion, and the other jobs go on.

use relais_domain::Clock;
use relais_store::{ts, Conn, Db};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A typed job: its kind (the `jobs.kind` column) and its payload.
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    const KIND: &'static str;
    /// With a key, a second job with the same key is a no-op until the
    /// first is done.
    fn dedup_key(&self) -> Option<String> {
        None
    }
}

/// Queues a typed job in the caller's (business) transaction.
pub async fn enqueue<J: Job>(
    c: &mut Conn,
    job: &J,
    run_at: &str,
    now: &str,
) -> relais_store::Result<()> {
    let payload = serde_json::to_value(job)
        .map_err(|e| relais_store::StoreError::Other(sqlx::Error::Encode(Box::new(e))))?;
    relais_store::jobs::enqueue(
        c,
        J::KIND,
        &payload,
        run_at,
        job.dedup_key().as_deref(),
        now,
    )
    .await
}

/// A failure that retrying cannot cure: the job is marked failed at once
/// with this reason. Handlers return it (inside `anyhow::Error`) for data
/// they cannot use; any other error is retried with backoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permanent(pub String);

impl std::fmt::Display for Permanent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Permanent {}

pub type HandlerFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
pub type Handler = Arc<dyn Fn(serde_json::Value) -> HandlerFuture + Send + Sync>;

/// Runs jobs. Handlers must be idempotent: a job whose runner died after the
/// work but before completion is run again when its lock expires.
#[derive(Clone)]
pub struct Runner {
    db: Db,
    clock: Arc<dyn Clock>,
    handlers: HashMap<String, Handler>,
    /// Every kind the application defines, handled here or not. A job of
    /// another kind is failed at once; a known kind without a handler here
    /// waits for a process that has one (mail without SMTP settings).
    known: Vec<String>,
    lock_seconds: i64,
}

impl Runner {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Runner {
        Runner {
            db,
            clock,
            handlers: HashMap::new(),
            known: Vec::new(),
            lock_seconds: 300,
        }
    }

    /// Declares the kinds the application knows (with or without a
    /// handler in this runner); jobs of any other kind are then claimed and
    /// failed with "type de tâche inconnu". Without it, the runner only
    /// claims the kinds it handles.
    pub fn knowing(mut self, kinds: &[&str]) -> Runner {
        self.known = kinds.iter().map(|k| k.to_string()).collect();
        self.known.sort();
        self
    }

    /// Registers a typed handler: the payload is read as `J`; a payload that
    /// does not read fails the job at once with the reason.
    pub fn handle<J, F, Fut>(&mut self, f: F)
    where
        J: Job,
        F: Fn(J) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let f = Arc::new(f);
        self.register(J::KIND, move |v| {
            let f = f.clone();
            async move {
                let job: J = serde_json::from_value(v).map_err(|e| {
                    anyhow::Error::new(Permanent(format!(
                        "contenu illisible pour {} : {e}",
                        J::KIND
                    )))
                })?;
                f(job).await
            }
        });
    }

    pub fn register<F, Fut>(&mut self, kind: &str, f: F)
    where
        F: Fn(serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.handlers
            .insert(kind.to_string(), Arc::new(move |v| Box::pin(f(v))));
    }

    /// Runs every job due now; returns how many ran (successfully or not).
    pub async fn tick(&self) -> anyhow::Result<usize> {
        let mut ran = 0;
        let mut kinds: Vec<String> = self.handlers.keys().cloned().collect();
        kinds.sort();
        loop {
            let now = self.clock.now();
            let lock = now + chrono::Duration::seconds(self.lock_seconds);
            let job = {
                let mut tx = self.db.begin().await?;
                let j =
                    relais_store::jobs::claim(&mut tx, &ts(now), &ts(lock), &kinds, &self.known)
                        .await?;
                tx.commit().await?;
                j
            };
            let Some(job) = job else { return Ok(ran) };
            ran += 1;
            let result = match (
                self.handlers.get(&job.kind),
                serde_json::from_str::<serde_json::Value>(&job.payload),
            ) {
                (None, _) => Err(anyhow::Error::new(Permanent(format!(
                    "type de tâche inconnu : {}",
                    job.kind
                )))),
                (Some(_), Err(e)) => Err(anyhow::Error::new(Permanent(format!(
                    "contenu illisible (JSON) : {e}"
                )))),
                (Some(h), Ok(payload)) => h(payload).await,
            };
            let mut tx = self.db.begin().await?;
            match result {
                Ok(()) => {
                    relais_store::jobs::complete(&mut tx, &job.id, &ts(self.clock.now())).await?
                }
                Err(e) if e.downcast_ref::<Permanent>().is_some() => {
                    tracing::error!(job = %job.id, kind = %job.kind, error = %e, "job failed for good");
                    relais_store::jobs::fail_permanently(&mut tx, &job.id, &e.to_string()).await?;
                }
                Err(e) => {
                    tracing::warn!(kind = %job.kind, attempts = job.attempts, error = %e, "job failed");
                    let backoff = retry_delay(job.attempts);
                    relais_store::jobs::fail(
                        &mut tx,
                        &job.id,
                        &e.to_string(),
                        &ts(self.clock.now() + backoff),
                    )
                    .await?;
                }
            }
            tx.commit().await?;
        }
    }

    /// Runs `tick` forever at `every` intervals (the server's background loop).
    pub async fn run_forever(self, every: std::time::Duration) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::error!(error = %e, "job runner tick failed");
            }
            tokio::time::sleep(every).await;
        }
    }
}

/// 30 s, 1 min, 2 min… capped at 6 hours.
pub fn retry_delay(attempts: i64) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 20).saturating_sub(1).min(20));
    chrono::Duration::seconds(secs.min(6 * 3600))
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::retry_delay(1).num_seconds(), 30);
        assert_eq!(super::retry_delay(2).num_seconds(), 60);
        assert_eq!(super::retry_delay(3).num_seconds(), 120);
        assert_eq!(super::retry_delay(30).num_seconds(), 6 * 3600);
    }
}
