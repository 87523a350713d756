//! The runner on both engines with a fake clock: success, retry with
//! backoff after a failure, no handler.

use relais_store::Db;
use relais_testkit::{db_test, FakeClock};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

db_test!(
    async fn runs_due_jobs_and_retries_failures_later(db: Db) {
        let start = chrono::DateTime::parse_from_rfc3339("2021-06-01T10:00:00Z")
            .expect("t")
            .with_timezone(&chrono::Utc);
        let clock = FakeClock::at(start);
        let calls = Arc::new(AtomicUsize::new(0));
        let mut runner = relais_jobs::Runner::new(db.clone(), clock.clone());
        let c = calls.clone();
        runner.register("flaky", move |_payload| {
            let c = c.clone();
            async move {
                // Fails the first time, succeeds the second.
                if c.fetch_add(1, Ordering::SeqCst) == 0 {
                    anyhow::bail!("temporary failure")
                }
                Ok(())
            }
        });
        let mut tx = db.begin().await.expect("tx");
        let now = relais_store::ts(start);
        relais_store::jobs::enqueue(&mut tx, "flaky", &serde_json::json!({}), &now, None, &now)
            .await
            .expect("enqueue");
        let later = relais_store::ts(start + chrono::Duration::hours(1));
        relais_store::jobs::enqueue(&mut tx, "flaky", &serde_json::json!({}), &later, None, &now)
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");

        assert_eq!(
            runner.tick().await.expect("tick"),
            1,
            "only the due job runs"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            runner.tick().await.expect("tick"),
            0,
            "the failed job waits for its backoff"
        );
        clock.advance(chrono::Duration::seconds(31));
        assert_eq!(runner.tick().await.expect("tick"), 1, "retried after 30 s");
        clock.advance(chrono::Duration::hours(1));
        assert_eq!(runner.tick().await.expect("tick"), 1, "the scheduled job");
        let mut c = db.read().await.expect("conn");
        assert_eq!(
            relais_store::jobs::pending_count(&mut c).await.expect("n"),
            0
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
);
