//! The mail quarantine page: agents review and replay, members never see it.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::Arc;

db_test!(
    async fn agents_replay_quarantined_mail_and_members_never_see_it(db: Db) {
        let w = world(&db).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        let mut app = relais_app::App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        let settings = relais_app::mail_io::MailSettings {
            smtp: relais_mail::SmtpConfig {
                host: String::new(),
                port: 25,
                tls: false,
                username: None,
                password: None,
                from: "Relais <support@relais.test>".into(),
            },
            reply: relais_mail::ReplyAddress::new(
                b"a secret for the web test of replay",
                "support@relais.test",
            ),
            base_url: "http://localhost".into(),
            auth: Default::default(),
        };
        app.settings.mail = Some(settings.clone());
        relais_app::support::ensure_defaults(&app)
            .await
            .expect("defaults");
        let raw = b"From: nouveau@alpha.fr\r\nTo: support@relais.test\r\nSubject: Confidentiel Alpha\r\nMessage-ID: <q1@alpha.fr>\r\n\r\nBonjour.\r\n";
        let out = relais_app::mail_io::ingest(&app, &settings, raw)
            .await
            .expect("ingest");
        assert!(matches!(
            out,
            relais_app::mail_io::IngestOutcome::Quarantined { .. }
        ));
        let router = relais_web::router(relais_web::AppState {
            app,
            web: relais_web::WebConfig {
                secure_cookies: false,
            },
        });

        let mut member = Client::new(db.clone());
        member.router = router.clone();
        member.login("membre.a@t.test", PASSWORD).await;
        let r = member.get("/support/quarantaine").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(!r.body.contains("Confidentiel Alpha"));

        let mut agent = Client::new(db.clone());
        agent.router = router;
        agent.login("agent@t.test", PASSWORD).await;
        let r = agent.get("/support/quarantaine").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Confidentiel Alpha") && r.body.contains("expéditeur inconnu"));
        let i = r.body.find("/support/quarantaine/").expect("replay form");
        let id: String = r.body[i + "/support/quarantaine/".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        // Still unknown: stays in quarantine, one entry.
        let r = agent
            .post_form(&format!("/support/quarantaine/{id}/rejouer"), &[])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Toujours en quarantaine"));
        assert_eq!(
            r.body.matches("Confidentiel Alpha").count(),
            2,
            "one row (subject in the cell and the button label)"
        );
        let _ = w;
    }
);

db_test!(
    async fn agents_read_release_and_discard_held_mail_and_members_never_see_it(db: Db) {
        let w = world(&db).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        let app = relais_app::App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        relais_app::support::ensure_defaults(&app)
            .await
            .expect("defaults");
        let product = relais_testkit::builders::product(&db, "paie", "Paie").await;
        let mut tx = db.begin().await.expect("tx");
        relais_store::crm::insert_deployment(
            &mut tx,
            relais_domain::Id::new(),
            &relais_store::crm::DeploymentValues {
                institution_id: w.a,
                product_id: product,
                status: "production".into(),
                wave: None,
                hosting: "sur_site".into(),
                version: None,
                starts_on: None,
                ends_on: None,
                notes: None,
            },
            "2020-01-01T00:00:00.000Z",
        )
        .await
        .expect("deployment");
        tx.commit().await.expect("commit");
        let settings = relais_app::mail_io::MailSettings {
            smtp: relais_mail::SmtpConfig {
                host: String::new(),
                port: 25,
                tls: false,
                username: None,
                password: None,
                from: "Relais <support@relais.test>".into(),
            },
            reply: relais_mail::ReplyAddress::new(
                b"a secret for the web test",
                "support@relais.test",
            ),
            base_url: "http://localhost".into(),
            auth: Default::default(),
        };
        let raw = b"From: inconnu@alpha.fr\r\nTo: support@relais.test\r\nSubject: Paie Alpha bloquee\r\nMessage-ID: <q2@alpha.fr>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour <script>alert(1)</script><a href=\"https://alpha.fr/doc\">la doc</a></p>\r\n";
        let relais_app::mail_io::IngestOutcome::Quarantined { id, .. } =
            relais_app::mail_io::ingest(&app, &settings, raw)
                .await
                .expect("ingest")
        else {
            panic!("held")
        };
        let discard_raw = b"From: spam@zzz.test\r\nTo: support@relais.test\r\nSubject: Offre\r\nMessage-ID: <q3@zzz.test>\r\n\r\nAchetez.\r\n";
        let relais_app::mail_io::IngestOutcome::Quarantined { id: spam, .. } =
            relais_app::mail_io::ingest(&app, &settings, discard_raw)
                .await
                .expect("ingest")
        else {
            panic!("held")
        };
        let router = relais_web::router(relais_web::AppState {
            app,
            web: relais_web::WebConfig {
                secure_cookies: false,
            },
        });
        let mut member = Client::new(db.clone());
        member.router = router.clone();
        member.login("membre.a@t.test", PASSWORD).await;
        let r = member.get(&format!("/support/quarantaine/{id}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(!r.body.contains("Paie Alpha"));
        let r = member
            .post_form(&format!("/support/quarantaine/{id}/ecarter"), &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut agent = Client::new(db.clone());
        agent.router = router;
        agent.login("agent@t.test", PASSWORD).await;
        let r = agent.get(&format!("/support/quarantaine/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Paie Alpha bloquee") && r.body.contains("expéditeur inconnu"));
        assert!(r.body.contains("https://alpha.fr/doc"), "links kept");
        assert!(!r.body.contains("<script>alert"), "sanitised");
        assert!(r.body.contains("signature DKIM"), "the verdict is shown");

        // Release without choosing: refused, still waiting.
        let r = agent
            .post_form(&format!("/support/quarantaine/{id}/liberer"), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let inst = w.a.to_string();
        let product = product.to_string();
        let r = agent
            .post_form(
                &format!("/support/quarantaine/{id}/liberer"),
                &[("institution_id", &inst), ("product_id", &product)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Released once only.
        let r = agent
            .post_form(
                &format!("/support/quarantaine/{id}/liberer"),
                &[("institution_id", &inst), ("product_id", &product)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = agent
            .post_form(&format!("/support/quarantaine/{spam}/ecarter"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = agent.get("/support/quarantaine").await;
        assert!(r.body.contains("Libéré en ticket") && r.body.contains("Écarté"));
        // Both actions are in the audit log.
        let mut c = db.read().await.expect("c");
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE entity = 'mail_quarantine'")
                .fetch_one(&mut *c)
                .await
                .expect("audit");
        assert_eq!(n, 2);
    }
);

db_test!(
    async fn admins_set_the_rule_for_unknown_senders_and_no_one_else_does(db: Db) {
        let w = world(&db).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        let router = relais_web::router(relais_web::AppState {
            app: relais_app::App::new(db.clone(), Arc::new(relais_domain::SystemClock)),
            web: relais_web::WebConfig {
                secure_cookies: false,
            },
        });
        for (email, status) in [
            ("membre.a@t.test", StatusCode::FORBIDDEN),
            ("agent@t.test", StatusCode::FORBIDDEN),
        ] {
            let mut c = Client::new(db.clone());
            c.router = router.clone();
            c.login(email, PASSWORD).await;
            assert_eq!(c.get("/admin/courriel").await.status, status, "{email}");
            c.get("/").await;
            let r = c
                .post_form(
                    "/admin/courriel",
                    &[("mailbox", "*"), ("unknown_sender", "quarantaine")],
                )
                .await;
            assert_eq!(r.status, status, "{email}");
        }
        let mut admin = Client::new(db.clone());
        admin.router = router;
        admin.login("admin@t.test", PASSWORD).await;
        let r = admin.get("/admin/courriel").await;
        assert_eq!(r.status, StatusCode::OK);
        // A ticket rule without its triage institution is refused (422).
        let r = admin
            .post_form(
                "/admin/courriel",
                &[("mailbox", "*"), ("unknown_sender", "ticket")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("établissement de tri"), "{}", r.body);
        let a = w.a.to_string();
        let r = admin
            .post_form(
                "/admin/courriel",
                &[
                    ("mailbox", "Contact@Relais.test"),
                    ("unknown_sender", "ticket"),
                    ("institution_id", a.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = admin.get("/admin/courriel").await;
        assert!(
            r.body.contains("contact@relais.test") && r.body.contains("Université Alpha"),
            "{}",
            r.body
        );
        let r = admin
            .post_form(
                "/admin/courriel/supprimer",
                &[("mailbox", "contact@relais.test")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = admin.get("/admin/courriel").await;
        assert!(!r.body.contains("contact@relais.test"));
    }
);
