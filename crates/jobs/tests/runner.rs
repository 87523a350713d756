//! The runner on both engines with a fake clock: success, retry with
//! backoff after a failure, no handler.

use relais_domain::Clock;
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

#[derive(serde::Serialize, serde::Deserialize)]
struct Ping {
    n: i64,
}

impl relais_jobs::Job for Ping {
    const KIND: &'static str = "test.ping";
}

async fn job_row(db: &Db, id: &str) -> (i64, i64, Option<String>, Option<String>) {
    let mut c = db.read().await.expect("conn");
    sqlx::query_as("SELECT attempts, max_attempts, last_error, done_at FROM jobs WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&mut *c)
        .await
        .expect("job row")
}

db_test!(
    async fn an_unknown_kind_or_unreadable_payload_fails_at_once_and_the_queue_goes_on(db: Db) {
        let start = chrono::DateTime::parse_from_rfc3339("2021-06-01T10:00:00Z")
            .expect("t")
            .with_timezone(&chrono::Utc);
        let clock = FakeClock::at(start);
        let seen = Arc::new(AtomicUsize::new(0));
        let mut runner = relais_jobs::Runner::new(db.clone(), clock.clone())
            .knowing(&["test.ping", "mail.elsewhere"]);
        let s = seen.clone();
        runner.handle(move |p: Ping| {
            let s = s.clone();
            async move {
                s.fetch_add(p.n as usize, Ordering::SeqCst);
                Ok(())
            }
        });
        let now = relais_store::ts(start);
        let later = relais_store::ts(start + chrono::Duration::seconds(1));
        let mut tx = db.begin().await.expect("tx");
        // Written straight into the table, as an older or newer version of
        // Relais could have left them.
        for (id, kind, payload, at) in [
            (
                "00000000-0000-7000-8000-000000000001",
                "mystery.kind",
                "{}",
                &now,
            ),
            (
                "00000000-0000-7000-8000-000000000002",
                "test.ping",
                "{\"n\": \"x\"}",
                &now,
            ),
            (
                "00000000-0000-7000-8000-000000000003",
                "test.ping",
                "not json",
                &now,
            ),
            (
                "00000000-0000-7000-8000-000000000004",
                "mail.elsewhere",
                "{}",
                &now,
            ),
        ] {
            sqlx::query(
                "INSERT INTO jobs (id, kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(kind)
            .bind(payload)
            .bind(at.to_string())
            .bind(now.clone())
            .execute(&mut *tx)
            .await
            .expect("insert");
        }
        // A normal job queued after them.
        relais_jobs::enqueue(&mut tx, &Ping { n: 5 }, &later, &later)
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");
        clock.advance(chrono::Duration::seconds(2));

        assert_eq!(
            runner.tick().await.expect("tick"),
            4,
            "three bad jobs and the good one"
        );
        assert_eq!(seen.load(Ordering::SeqCst), 5, "the job after them ran");

        let (attempts, max, err, done) = job_row(&db, "00000000-0000-7000-8000-000000000001").await;
        assert_eq!(attempts, max, "failed for good, no retry loop");
        assert_eq!(done, None, "not silently completed");
        assert_eq!(err.as_deref(), Some("type de tâche inconnu : mystery.kind"));
        let (attempts, max, err, done) = job_row(&db, "00000000-0000-7000-8000-000000000002").await;
        assert_eq!((attempts, done), (max, None));
        let err = err.expect("reason");
        assert!(err.starts_with("contenu illisible pour test.ping"), "{err}");
        let (attempts, max, err, _) = job_row(&db, "00000000-0000-7000-8000-000000000003").await;
        assert_eq!(attempts, max);
        assert!(err.expect("reason").contains("JSON"));
        // A known kind this runner does not handle waits for its process.
        let (attempts, _, err, done) = job_row(&db, "00000000-0000-7000-8000-000000000004").await;
        assert_eq!((attempts, err, done), (0, None, None));

        clock.advance(chrono::Duration::hours(7));
        assert_eq!(
            runner.tick().await.expect("tick"),
            0,
            "failed jobs are not retried"
        );
        let mut c = db.read().await.expect("conn");
        let failed = relais_store::jobs::list(&mut c, relais_store::jobs::JobState::Failed, 50)
            .await
            .expect("list");
        assert_eq!(failed.len(), 3);
        let pending = relais_store::jobs::list(&mut c, relais_store::jobs::JobState::Pending, 50)
            .await
            .expect("list");
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].kind, "mail.elsewhere");
        drop(c);

        // Put back in the queue by hand, it fails again the same way.
        let mut tx = db.begin().await.expect("tx");
        assert!(relais_store::jobs::retry(
            &mut tx,
            "00000000-0000-7000-8000-000000000001",
            &relais_store::ts(clock.now())
        )
        .await
        .expect("retry"));
        tx.commit().await.expect("commit");
        assert_eq!(runner.tick().await.expect("tick"), 1);
        let (attempts, max, _, _) = job_row(&db, "00000000-0000-7000-8000-000000000001").await;
        assert_eq!(attempts, max);
    }
);
