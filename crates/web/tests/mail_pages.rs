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
            .take_while(|c| *c != '/')
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
