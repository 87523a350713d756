//! The job runner over the durable `jobs` table (the transactional outbox).
//! Use cases enqueue jobs inside their business transaction; the runner
//! claims due jobs one at a time, runs the handler registered for the kind,
//! and completes the job or schedules a retry with exponential backoff.
//! Tests call [`Runner::tick`] instead of sleeping.

use relais_domain::Clock;
use relais_store::{ts, Db};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type HandlerFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
pub type Handler = Arc<dyn Fn(serde_json::Value) -> HandlerFuture + Send + Sync>;

/// Runs jobs. Handlers must be idempotent: a job whose runner died after the
/// work but before completion is run again when its lock expires.
#[derive(Clone)]
pub struct Runner {
    db: Db,
    clock: Arc<dyn Clock>,
    handlers: HashMap<String, Handler>,
    lock_seconds: i64,
}

impl Runner {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Runner {
        Runner {
            db,
            clock,
            handlers: HashMap::new(),
            lock_seconds: 300,
        }
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
                let j = relais_store::jobs::claim(&mut tx, &ts(now), &ts(lock), &kinds).await?;
                tx.commit().await?;
                j
            };
            let Some(job) = job else { return Ok(ran) };
            ran += 1;
            let payload: serde_json::Value =
                serde_json::from_str(&job.payload).unwrap_or(serde_json::Value::Null);
            let result = match self.handlers.get(&job.kind) {
                Some(h) => h(payload).await,
                None => Err(anyhow::anyhow!("no handler for job kind {}", job.kind)),
            };
            let mut tx = self.db.begin().await?;
            match result {
                Ok(()) => {
                    relais_store::jobs::complete(&mut tx, &job.id, &ts(self.clock.now())).await?
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
