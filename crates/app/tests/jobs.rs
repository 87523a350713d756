//! The application's runner on both engines: a job of a kind the
//! application does not know, a mail of an unknown template and a mail
//! whose id does not read are failed at once with a readable reason (no
//! retry loop, no silent completion), and a normal job queued after them
//! is done.

use relais_app::jobs::{self, MailJob};
use relais_app::mail_io::MailSettings;
use relais_app::App;
use relais_domain::Id;
use relais_store::jobs::JobState;
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::Arc;

fn settings() -> MailSettings {
    MailSettings {
        smtp: relais_mail::SmtpConfig {
            // Nothing is sent in this test: no mail has a recipient.
            host: "127.0.0.1".into(),
            port: 9,
            tls: false,
            username: None,
            password: None,
            from: "Relais <support@relais.test>".into(),
        },
        reply: relais_mail::ReplyAddress::new(b"jobs test secret", "support@relais.test"),
        base_url: "http://127.0.0.1:8080".into(),
        auth: Default::default(),
    }
}

async fn insert_raw(db: &Db, id: &str, kind: &str, payload: &str, now: &str) {
    let mut tx = db.begin().await.expect("tx");
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id.to_string())
    .bind(kind.to_string())
    .bind(payload.to_string())
    .bind(now.to_string())
    .execute(&mut *tx)
    .await
    .expect("insert");
    tx.commit().await.expect("commit");
}

db_test!(
    async fn unknown_kinds_templates_and_ids_fail_visibly_and_the_rest_runs(db: Db) {
        let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        let now = app.now_ts();
        let unknown_kind = Id::new().to_string();
        let unknown_template = Id::new().to_string();
        let bad_id = Id::new().to_string();
        insert_raw(&db, &unknown_kind, "report.weekly", "{}", &now).await;
        insert_raw(
            &db,
            &unknown_template,
            "mail.notify",
            r#"{"template": "fax_blast"}"#,
            &now,
        )
        .await;
        insert_raw(
            &db,
            &bad_id,
            "mail.notify",
            r#"{"template": "recall", "recall_id": "pas-un-id"}"#,
            &now,
        )
        .await;
        // A normal mail queued after them: a digest for a manager who has
        // no account any more is done without sending anything.
        let mut tx = db.begin().await.expect("tx");
        jobs::enqueue(
            &mut tx,
            &MailJob::RelationDigest {
                manager_id: Id::new(),
            },
            &now,
        )
        .await
        .expect("enqueue");
        tx.commit().await.expect("commit");

        let mut runner = jobs::runner(&app);
        jobs::handle_mail(&mut runner, &app, &settings());
        assert_eq!(runner.tick().await.expect("tick"), 4);
        assert_eq!(runner.tick().await.expect("tick"), 0, "nothing is retried");

        let mut c = db.read().await.expect("conn");
        let failed = relais_store::jobs::list(&mut c, JobState::Failed, 50)
            .await
            .expect("list");
        let reason = |id: &str| {
            failed
                .iter()
                .find(|j| j.id == id)
                .and_then(|j| j.last_error.clone())
                .unwrap_or_else(|| panic!("job {id} is not failed: {failed:?}"))
        };
        assert_eq!(
            reason(&unknown_kind),
            "type de tâche inconnu : report.weekly"
        );
        let r = reason(&unknown_template);
        assert!(r.contains("mail.notify") && r.contains("fax_blast"), "{r}");
        let r = reason(&bad_id);
        assert!(r.contains("pas-un-id"), "{r}");
        assert_eq!(failed.len(), 3);
        assert!(
            relais_store::jobs::list(&mut c, JobState::Pending, 50)
                .await
                .expect("list")
                .is_empty(),
            "the digest job is done"
        );
        assert_eq!(
            relais_store::jobs::pending_count(&mut c).await.expect("n"),
            3
        );
    }
);

#[test]
fn mail_payloads_keep_their_stored_shape() {
    // Jobs queued before the payloads were typed still read.
    let old = serde_json::json!({
        "template": "ticket_status",
        "ticket_id": "0190f5a4-8c4e-7000-8000-000000000001",
        "to": "someone@example.org",
        "status": "resolu"
    });
    let job: MailJob = serde_json::from_value(old).expect("reads");
    assert_eq!(job.template(), "ticket_status");
    let back = serde_json::to_value(&job).expect("json");
    assert_eq!(back["template"], "ticket_status");
    let rebuild: jobs::RebuildIndex =
        serde_json::from_value(serde_json::json!({"rebuild": true})).expect("reads");
    assert!(rebuild.rebuild);
}
