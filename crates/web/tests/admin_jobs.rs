//! The jobs page `/admin/taches`: an administrator sees a job of an unknown
//! kind failed with its reason (after the runner met it) and a pending job,
//! and can put the failed one back in the queue; members and agents get a
//! refusal and learn nothing of the queue.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::Arc;

db_test!(
    async fn admins_see_failed_jobs_with_their_reasons_and_members_do_not(db: Db) {
        world(&db).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        let app = relais_app::App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        let unknown = Id::new().to_string();
        let now = app.now_ts();
        let mut tx = db.begin().await.expect("tx");
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(unknown.clone())
        .bind("export.nocturne")
        .bind("{}")
        .bind(now.clone())
        .execute(&mut *tx)
        .await
        .expect("insert");
        // A mail that waits: this process has no SMTP handler.
        relais_app::jobs::enqueue(
            &mut tx,
            &relais_app::jobs::MailJob::ComplaintNew {
                complaint_id: Id::new(),
            },
            &now,
        )
        .await
        .expect("enqueue");
        tx.commit().await.expect("commit");
        let runner = relais_app::jobs::runner(&app);
        assert_eq!(
            runner.tick().await.expect("tick"),
            1,
            "only the unknown kind"
        );

        let mut admin = Client::new(db.clone());
        admin.login("admin@t.test", PASSWORD).await;
        let r = admin.get("/admin/taches").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Tâches en échec (1)"), "{}", r.body);
        assert!(r.body.contains("export.nocturne"), "{}", r.body);
        assert!(
            r.body.contains("type de tâche inconnu : export.nocturne"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Tâches en attente (1)"), "{}", r.body);
        assert!(r.body.contains("mail.notify"), "{}", r.body);

        for email in ["membre.a@t.test", "referent.a@t.test", "agent@t.test"] {
            let mut c = Client::new(db.clone());
            c.login(email, PASSWORD).await;
            let r = c.get("/admin/taches").await;
            assert!(
                r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
                "{email}: {}",
                r.status
            );
            assert!(!r.body.contains("export.nocturne"), "{email}");
            let csrf = c.csrf.clone();
            let r = c
                .post_form(
                    &format!("/admin/taches/{unknown}/relancer"),
                    &[("_csrf", csrf.as_str())],
                )
                .await;
            assert!(
                r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
                "{email} retry: {}",
                r.status
            );
        }

        let csrf = admin.csrf.clone();
        let r = admin
            .post_form(
                &format!("/admin/taches/{unknown}/relancer"),
                &[("_csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = admin.get("/admin/taches").await;
        assert!(r.body.contains("Tâches en échec (0)"), "{}", r.body);
        assert!(r.body.contains("Tâches en attente (2)"), "{}", r.body);
    }
);
