//! The ticket page shows what a mail said beyond its text: the quoted
//! history and the sanitised HTML folded in `<details>`, and, for agents
//! only, the notifications that bounced. Another institution sees none of it.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_store::Db;
use relais_testkit::{builders, db_test};
use std::sync::Arc;

db_test!(
    async fn the_ticket_page_folds_quoted_mail_and_shows_bounces_to_agents(db: Db) {
        let w = world(&db).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let product = builders::product(&db, "sifac", "Sifac").await;
        builders::deploy(&db, w.a, product).await;
        let mut app = relais_app::App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        app.settings.attachments_dir = relais_testkit::fresh_attachments_dir();
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
                b"a secret for the web test of mail reading",
                "support@relais.test",
            ),
            base_url: "http://localhost".into(),
            auth: Default::default(),
        };
        app.settings.mail = Some(settings.clone());
        relais_app::support::ensure_defaults(&app)
            .await
            .expect("defaults");
        let raw = "From: membre.a@t.test\r\nTo: support@relais.test\r\nSubject: Mandat rejeté\r\nMessage-ID: <w1@alpha.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nToujours bloquée.\r\n\r\nLe 1 mars 2021 à 10:00, Paul <paul@alpha.fr> a écrit :\r\n> Historique confidentiel du mandat.\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Toujours <b>bloquée</b>.<img src=x onerror=alert(1)></p>\r\n--b--\r\n";
        let relais_app::mail_io::IngestOutcome::NewTicket(t) =
            relais_app::mail_io::ingest(&app, &settings, raw.as_bytes())
                .await
                .expect("ingest")
        else {
            panic!("a ticket")
        };
        let mut tx = db.begin().await.expect("tx");
        relais_store::mail_read::insert_sent(
            &mut tx,
            "n9@relais.test",
            Some(t),
            "ticket_reply",
            "membre.a@t.test",
            "2021-03-01T09:00:00.000Z",
        )
        .await
        .expect("sent");
        tx.commit().await.expect("commit");
        let dsn = "From: MAILER-DAEMON@mx.alpha.fr\r\nTo: support@relais.test\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"d\"\r\n\r\n--d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.alpha.fr\r\n\r\nFinal-Recipient: rfc822; membre.a@t.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--d\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <n9@relais.test>\r\n\r\n--d--\r\n";
        relais_app::mail_io::ingest(&app, &settings, dsn.as_bytes())
            .await
            .expect("bounce");
        // A bounce for a CRM contact's address, about no ticket.
        let dsn_contact = dsn
            .replace("membre.a@t.test", "anne@x.fr")
            .replace("Status: 5.1.1", "Status: 5.2.2")
            .replace(
                "Message-ID: <n9@relais.test>",
                "Message-ID: <inconnu@relais.test>",
            );
        relais_app::mail_io::ingest(&app, &settings, dsn_contact.as_bytes())
            .await
            .expect("bounce");
        let router = relais_web::router(relais_web::AppState {
            app,
            web: relais_web::WebConfig {
                secure_cookies: false,
            },
        });
        let page = format!("/support/{t}");

        let mut agent = Client::new(db.clone());
        agent.router = router.clone();
        agent.login("agent@t.test", PASSWORD).await;
        let r = agent.get(&page).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Toujours bloquée."));
        assert!(r.body.contains("<details class=\"message-quoted\">"));
        assert!(r.body.contains("Historique confidentiel du mandat."));
        assert!(r.body.contains("<details class=\"message-html\">"));
        assert!(r.body.contains("<b>bloquée</b>"));
        assert!(!r.body.contains("onerror"), "sanitised HTML only");
        assert!(r.body.contains("Courriel non distribué"));
        assert!(r.body.contains("5.1.1"));

        // The contact's page shows the bounce of their address.
        let contact_page = format!("/contacts/{}", w.contact_a);
        let r = agent.get(&contact_page).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Courriel non distribué") && r.body.contains("5.2.2"));

        let mut member = Client::new(db.clone());
        member.router = router.clone();
        member.login("membre.a@t.test", PASSWORD).await;
        let r = member.get(&page).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Historique confidentiel du mandat."));
        assert!(!r.body.contains("Courriel non distribué"), "agents only");
        let r = member.get(&contact_page).await;
        assert!(!r.body.contains("Courriel non distribué"), "agents only");

        let mut other = Client::new(db.clone());
        other.router = router;
        other.login("membre.b@t.test", PASSWORD).await;
        let r = other.get(&page).await;
        assert!(!r.body.contains("Historique confidentiel du mandat."));
        assert!(!r.body.contains("Courriel non distribué"));
    }
);
