//! Accounts without a provider, end to end through a real SMTP server
//! (aiosmtpd on loopback) on both engines: password reset by mail (same
//! answer for unknown addresses, one use, 30 minutes), invitations by a
//! referent, the sessions page and the security log — and a person of one
//! institution never reads another's.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_app::mail_io::MailSettings;
use relais_store::Db;
use relais_testkit::smtp::SmtpSink as Sink;
use relais_testkit::{db_test, FakeClock};

/// What the test server received, read the way this test needs it.
trait Received {
    fn received(&self) -> Vec<(Vec<String>, String, String)>;
}

impl Received for Sink {
    /// Parsed messages received so far: (recipients, subject, text).
    fn received(&self) -> Vec<(Vec<String>, String, String)> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let raw = std::fs::read(p).expect("eml");
                let m = relais_mail::parse(&raw, "other@x.test").expect("parse");
                (m.to, m.subject, m.text)
            })
            .collect()
    }
}

fn settings(port: u16) -> MailSettings {
    MailSettings {
        smtp: relais_mail::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: false,
            username: None,
            password: None,
            from: "Relais <support@relais.test>".into(),
        },
        reply: relais_mail::ReplyAddress::new(b"test secret", "support@relais.test"),
        base_url: "http://localhost".into(),
        auth: Default::default(),
    }
}

/// Runs the queued jobs (mail among them), as `relais serve` does.
async fn send_mail(app: &relais_app::App, s: &MailSettings) {
    let mut r = relais_app::jobs::runner(app);
    relais_app::jobs::handle_mail(&mut r, app, s);
    r.tick().await.expect("tick");
}

/// The one-use link of the last mail to `to`.
fn link_in(sink: &Sink, to: &str) -> String {
    let (_, _, text) = sink
        .received()
        .into_iter()
        .rev()
        .find(|(rcpt, _, _)| rcpt.iter().any(|r| r == to))
        .unwrap_or_else(|| panic!("no mail to {to}"));
    let i = text.find("http://localhost/compte/lien/").expect("link");
    text[i + "http://localhost".len()..]
        .split_whitespace()
        .next()
        .expect("path")
        .to_string()
}

db_test!(
    async fn a_forgotten_password_is_reset_once_by_mail(db: Db) {
        world(&db).await;
        let sink = Sink::start();
        let s = settings(sink.port);
        let clock = FakeClock::at(chrono::Utc::now());
        let app = relais_testkit::app(db.clone(), clock.clone());
        // An old session of the person, which the reset must end.
        let mut old = client_for(&app);
        assert_eq!(
            old.login("membre.a@t.test", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        let mut c = client_for(&app);
        let page = c.get("/connexion").await;
        assert!(page.body.contains("href=\"/mot-de-passe-oublie\""));
        c.get("/mot-de-passe-oublie").await;
        let known = c
            .post_form("/mot-de-passe-oublie", &[("email", "membre.a@t.test")])
            .await;
        let unknown = c
            .post_form("/mot-de-passe-oublie", &[("email", "personne@t.test")])
            .await;
        assert_eq!(known.status, StatusCode::OK);
        // Nothing tells whether the address has an account.
        assert_eq!(known.body, unknown.body);
        assert!(known.body.contains("Si un compte actif"));
        send_mail(&app, &s).await;
        let mails = sink.received();
        assert_eq!(mails.len(), 1, "one mail, to the known address only");
        assert!(mails[0].1.contains("réinitialisation"));
        let link = link_in(&sink, "membre.a@t.test");
        // The secret is not stored: only its hash.
        let token = link.rsplit('/').next().expect("token");
        {
            let mut conn = db.read().await.expect("conn");
            assert!(relais_store::identity::find_link(&mut conn, token)
                .await
                .expect("q")
                .is_none());
        }
        // The link's page changes nothing (a GET), then sets the password.
        let r = c.get(&link).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("membre.a@t.test"));
        assert_eq!(
            r.headers["referrer-policy"].to_str().expect("h"),
            "no-referrer"
        );
        // Known-breached passwords and mismatches are refused.
        let r = c
            .post_form(
                &link,
                &[("password", "qwerty123456"), ("confirm", "qwerty123456")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("divulgués ou courants"), "{}", r.body);
        let new = "une toute nouvelle phrase";
        let r = c
            .post_form(&link, &[("password", new), ("confirm", new)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/connexion?ok=password_set");
        // Used: the link serves once.
        let r = c.get(&link).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert!(r.body.contains("déjà servi"));
        let r = c
            .post_form(&link, &[("password", new), ("confirm", new)])
            .await;
        assert_eq!(r.status, StatusCode::GONE);
        // The old session is over; the new password works, the old one not.
        assert_eq!(old.get("/compte").await.status, StatusCode::SEE_OTHER);
        let mut n = client_for(&app);
        assert_eq!(
            n.login("membre.a@t.test", PASSWORD).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            n.login("membre.a@t.test", new).await.status,
            StatusCode::SEE_OTHER
        );

        // A second link, left 31 minutes: expired.
        c.get("/mot-de-passe-oublie").await;
        c.post_form("/mot-de-passe-oublie", &[("email", "membre.a@t.test")])
            .await;
        send_mail(&app, &s).await;
        let link2 = link_in(&sink, "membre.a@t.test");
        assert_ne!(link, link2);
        clock.advance(chrono::Duration::minutes(31));
        let r = c.get(&link2).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert!(r.body.contains("expiré"));
        let r = c
            .post_form(&link2, &[("password", new), ("confirm", new)])
            .await;
        assert_eq!(r.status, StatusCode::GONE);

        // Throttled: 3 links an hour per account (two were made within the
        // hour), then no more mail, and still the same answer.
        let before = sink.received().len();
        for _ in 0..5 {
            let r = c
                .post_form("/mot-de-passe-oublie", &[("email", "membre.a@t.test")])
                .await;
            assert_eq!(r.body, unknown.body);
        }
        send_mail(&app, &s).await;
        assert_eq!(sink.received().len(), before + 1);

        // The security log of the person holds the requests and the reset.
        let actor = actor_of(&db, "membre.a@t.test").await;
        let log = relais_app::identity::security_log(&app, &actor, None, None)
            .await
            .expect("log");
        let kinds: Vec<&str> = log.iter().map(|e| e.kind.as_str()).collect();
        assert!(kinds.contains(&"password_reset"), "{kinds:?}");
        assert!(kinds.contains(&"password_reset_requested"), "{kinds:?}");
        assert!(kinds.contains(&"login_failed"), "{kinds:?}");
        assert!(kinds.contains(&"login"), "{kinds:?}");
    }
);

db_test!(
    async fn a_referent_invites_a_colleague_who_sets_a_password(db: Db) {
        let w = world(&db).await;
        let sink = Sink::start();
        let s = settings(sink.port);
        let clock = FakeClock::at(chrono::Utc::now());
        let app = relais_testkit::app(db.clone(), clock.clone());
        // A member cannot invite.
        let mut m = client_for(&app);
        m.login("membre.a@t.test", PASSWORD).await;
        assert_eq!(
            m.get("/comptes/inviter").await.status,
            StatusCode::FORBIDDEN
        );
        let mut r = client_for(&app);
        r.login("referent.a@t.test", PASSWORD).await;
        assert_eq!(r.get("/comptes/inviter").await.status, StatusCode::OK);
        let res = r
            .post_form(
                "/comptes/inviter",
                &[
                    ("email", "nouvelle@alpha.test"),
                    ("display_name", "Nouvelle Collègue"),
                    // Ignored for a referent: always their institution.
                    ("institution_id", &w.b.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(res.body.contains("Invitation envoyée"));
        let invited = actor_of(&db, "nouvelle@alpha.test").await;
        assert_eq!(invited.institution_id, Some(w.a));
        assert_eq!(invited.role, relais_domain::accounts::Role::Member);
        // The same address again is refused in French.
        let again = r
            .post_form(
                "/comptes/inviter",
                &[("email", "nouvelle@alpha.test"), ("display_name", "X")],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        send_mail(&app, &s).await;
        let (_, subject, text) = sink.received().pop().expect("mail");
        assert!(subject.contains("invitation"));
        assert!(text.contains("Université Alpha"), "{text}");
        let link = link_in(&sink, "nouvelle@alpha.test");
        let mut n = client_for(&app);
        let page = n.get(&link).await;
        assert!(page.body.contains("Bienvenue"));
        let pw = "ma phrase de passe à moi";
        let set = n
            .post_form(&link, &[("password", pw), ("confirm", pw)])
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
        assert_eq!(
            n.login("nouvelle@alpha.test", pw).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(n.get(&link).await.status, StatusCode::GONE);

        // An invitation left 8 days has expired.
        r.get("/comptes/inviter").await;
        r.post_form(
            "/comptes/inviter",
            &[("email", "tardive@alpha.test"), ("display_name", "Tardive")],
        )
        .await;
        send_mail(&app, &s).await;
        let late = link_in(&sink, "tardive@alpha.test");
        clock.advance(chrono::Duration::days(8));
        assert_eq!(n.get(&late).await.status, StatusCode::GONE);
        // The invitation is in the referent's security log view, never in
        // another institution's.
        let referent = actor_of(&db, "referent.a@t.test").await;
        let log = relais_app::identity::security_log(&app, &referent, None, None)
            .await
            .expect("log");
        assert!(log
            .iter()
            .any(|e| e.kind == "invitation"
                && e.user_email.as_deref() == Some("nouvelle@alpha.test")));
    }
);

db_test!(
    async fn sessions_and_security_log_are_ones_own(db: Db) {
        let w = world(&db).await;
        user(
            &db,
            "referent.b@t.test",
            relais_domain::accounts::Role::MemberAdmin,
            Some(w.b),
        )
        .await;
        let app = relais_testkit::app(db.clone(), std::sync::Arc::new(relais_domain::SystemClock));
        let mut one = client_for(&app);
        one.peer = Some("198.51.100.7:5000".parse().expect("addr"));
        one.login("membre.a@t.test", PASSWORD).await;
        let mut two = client_for(&app);
        two.peer = Some("203.0.113.9:5000".parse().expect("addr"));
        two.login("membre.a@t.test", PASSWORD).await;
        let mut three = client_for(&app);
        three.login("membre.a@t.test", PASSWORD).await;
        let page = one.get("/compte/sessions").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("198.51.100.7"));
        assert!(page.body.contains("203.0.113.9"));
        assert!(page.body.contains("cette session"));
        // End the second browser's session from the first.
        let key_two = {
            let actor = actor_of(&db, "membre.a@t.test").await;
            let token = two
                .cookies
                .get("relais_session")
                .expect("cookie")
                .to_string();
            relais_app::identity::my_sessions(&app, &actor, &token)
                .await
                .expect("list")
                .into_iter()
                .find(|s| s.current)
                .expect("two's session")
                .key
        };
        let r = one
            .post_form(&format!("/compte/sessions/{key_two}/terminer"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(two.get("/compte").await.status, StatusCode::SEE_OTHER);
        assert_eq!(three.get("/compte").await.status, StatusCode::OK);
        // Another person cannot end it: not found.
        let mut other = client_for(&app);
        other.login("referent.b@t.test", PASSWORD).await;
        other.get("/compte").await;
        let tok3 = three.cookies.get("relais_session").expect("c").to_string();
        let key3 = relais_app::accounts::hash_token(&tok3);
        let r = other
            .post_form(&format!("/compte/sessions/{key3}/terminer"), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(three.get("/compte").await.status, StatusCode::OK);
        // End all the others.
        one.get("/compte/sessions").await;
        one.post_form("/compte/sessions/autres/terminer", &[]).await;
        assert_eq!(three.get("/compte").await.status, StatusCode::SEE_OTHER);
        assert_eq!(one.get("/compte").await.status, StatusCode::OK);
        // Sessions ending needs a POST: a GET does nothing.
        assert_eq!(
            one.get("/compte/sessions/autres/terminer").await.status,
            StatusCode::METHOD_NOT_ALLOWED
        );

        // The security log: one's own page; referent B's view of the log
        // never shows A's accounts; a member has no admin view.
        let mine = one.get("/compte/securite").await;
        assert_eq!(mine.status, StatusCode::OK);
        assert!(mine.body.contains("198.51.100.7"));
        assert!(mine.body.contains("Session fermée"));
        let b_view = other.get("/admin/securite").await;
        assert_eq!(b_view.status, StatusCode::OK);
        assert!(b_view.body.contains("referent.b@t.test"));
        assert!(!b_view.body.contains("membre.a@t.test"));
        assert!(!b_view.body.contains("198.51.100.7"));
        let asked = other
            .get(&format!(
                "/admin/securite?compte={}",
                actor_of(&db, "membre.a@t.test").await.user_id
            ))
            .await;
        assert!(!asked.body.contains("198.51.100.7"));
        assert_eq!(
            one.get("/admin/securite").await.status,
            StatusCode::FORBIDDEN
        );
        let mut admin = client_for(&app);
        admin.login("admin@t.test", PASSWORD).await;
        let all = admin.get("/admin/securite?type=session_ended").await;
        assert!(all.body.contains("membre.a@t.test"));
        assert!(!all.body.contains(">login<"));
    }
);
