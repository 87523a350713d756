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
    /// The queue the job waits in: runners pick queues in turn, so a
    /// backlog in one never delays another.
    fn queue(&self) -> &'static str {
        relais_store::jobs::DEFAULT_QUEUE
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
    relais_store::jobs::enqueue_in(
        c,
        job.queue(),
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
    /// Queues and the kinds that wait in each; empty: one queue for all.
    queues: Vec<(String, Vec<String>)>,
    lock_seconds: i64,
}

impl Runner {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Runner {
        Runner {
            db,
            clock,
            handlers: HashMap::new(),
            known: Vec::new(),
            queues: Vec::new(),
            lock_seconds: 30,
        }
    }

    /// Declares the queues and the kinds that wait in each (the default
    /// queue holds every other kind). [`Runner::tick`] then takes one job
    /// of each queue in turn, and [`Runner::run_forever`] runs each queue
    /// on its own, so a backlog of mails never delays an index rebuild.
    pub fn with_queues(mut self, queues: &[(&str, &[&str])]) -> Runner {
        self.queues = queues
            .iter()
            .map(|(q, kinds)| (q.to_string(), kinds.iter().map(|k| k.to_string()).collect()))
            .collect();
        self
    }

    /// The lease of a claimed job, extended by a heartbeat while it runs
    /// (30 s by default): a job held by a node that died is free again
    /// after that long.
    pub fn lease_seconds(mut self, secs: i64) -> Runner {
        self.lock_seconds = secs.max(3);
        self
    }

    /// The queues this runner polls, each with the handled kinds waiting
    /// there; the default queue comes last and takes every handled kind
    /// (and, with known kinds declared, the unknown ones to fail them).
    fn polled(&self) -> Vec<(Option<String>, Vec<String>)> {
        let mut handled: Vec<String> = self.handlers.keys().cloned().collect();
        handled.sort();
        if self.queues.is_empty() {
            return vec![(None, handled)];
        }
        let mut out: Vec<(Option<String>, Vec<String>)> = self
            .queues
            .iter()
            .filter(|(q, _)| q != relais_store::jobs::DEFAULT_QUEUE)
            .map(|(q, kinds)| {
                let k: Vec<String> = kinds
                    .iter()
                    .filter(|k| handled.contains(k))
                    .cloned()
                    .collect();
                (Some(q.clone()), k)
            })
            .filter(|(_, k)| !k.is_empty())
            .collect();
        out.push((Some(relais_store::jobs::DEFAULT_QUEUE.to_string()), handled));
        out
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

    /// Runs every job due now, one of each queue in turn; returns how
    /// many ran (successfully or not).
    pub async fn tick(&self) -> anyhow::Result<usize> {
        let polled = self.polled();
        let mut ran = 0;
        loop {
            let mut round = 0;
            for (queue, kinds) in &polled {
                if self.run_one(queue.as_deref(), kinds).await? {
                    round += 1;
                }
            }
            if round == 0 {
                return Ok(ran);
            }
            ran += round;
        }
    }

    /// Claims and runs one due job of `queue`; false when there is none.
    async fn run_one(&self, queue: Option<&str>, kinds: &[String]) -> anyhow::Result<bool> {
        let now = self.clock.now();
        let lock = now + chrono::Duration::seconds(self.lock_seconds);
        // Unknown kinds are only looked for in the default queue.
        let default = queue.is_none_or(|q| q == relais_store::jobs::DEFAULT_QUEUE);
        let known: &[String] = if default { &self.known } else { &[] };
        let job = {
            let mut tx = self.db.begin().await?;
            let j = match queue {
                Some(q) => {
                    relais_store::jobs::claim_in(&mut tx, q, &ts(now), &ts(lock), kinds, known)
                        .await?
                }
                None => {
                    relais_store::jobs::claim(&mut tx, &ts(now), &ts(lock), kinds, known).await?
                }
            };
            tx.commit().await?;
            j
        };
        let Some(job) = job else { return Ok(false) };
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
            (Some(h), Ok(payload)) => {
                // The heartbeat: the lease is extended while the handler
                // runs, so only a dead node's job expires.
                let beat = self.heartbeat(job.id.clone());
                let r = h(payload).await;
                beat.abort();
                r
            }
        };
        let mut tx = self.db.begin().await?;
        match result {
            Ok(()) => relais_store::jobs::complete(&mut tx, &job.id, &ts(self.clock.now())).await?,
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
        Ok(true)
    }

    fn heartbeat(&self, id: String) -> tokio::task::JoinHandle<()> {
        let (db, clock, secs) = (self.db.clone(), self.clock.clone(), self.lock_seconds);
        tokio::spawn(async move {
            let every = std::time::Duration::from_secs((secs / 3).max(1) as u64);
            loop {
                tokio::time::sleep(every).await;
                let until = ts(clock.now() + chrono::Duration::seconds(secs));
                let extended = async {
                    let mut tx = db.begin().await?;
                    let ok = relais_store::jobs::extend(&mut tx, &id, &until).await?;
                    tx.commit().await?;
                    Ok::<bool, anyhow::Error>(ok)
                }
                .await;
                match extended {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(job = %id, error = %e, "job heartbeat failed"),
                }
            }
        })
    }

    /// Runs each queue forever on its own task, polling at `every`
    /// intervals when it is empty (the server's background loops).
    pub async fn run_forever(self, every: std::time::Duration) {
        let (_keep, stop) = tokio::sync::watch::channel(false);
        self.run_until(every, stop).await
    }

    /// [`Self::run_forever`] that stops when `stop` turns true: each queue's
    /// task checks it between two jobs, so a running job finishes and no
    /// new one is claimed (graceful stop on SIGTERM).
    pub async fn run_until(
        self,
        every: std::time::Duration,
        stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut tasks = Vec::new();
        for (queue, kinds) in self.polled() {
            let me = self.clone();
            let mut stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    if *stop.borrow() {
                        break;
                    }
                    match me.run_one(queue.as_deref(), &kinds).await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(e) => {
                            tracing::error!(error = %e, queue = ?queue, "job runner failed")
                        }
                    }
                    tokio::select! {
                        _ = stop.changed() => {}
                        _ = tokio::time::sleep(every) => {}
                    }
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
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
