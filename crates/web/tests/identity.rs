//! Identity and access on both engines: return addresses that never leave
//! the site, and sign-in throttling that slows the client making the
//! failures without ever locking the account for its owner.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_store::Db;
use relais_testkit::{db_test, FakeClock};

const HOSTILE: &[&str] = &[
    "/%09/evil.example/",
    "//evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "https://evil.example",
    "https:%2F%2Fevil.example",
    "/%0D%0ALocation:%20https://evil.example",
    "/%00",
    "/%7F",
    "/%C2%85/evil.example",
];

db_test!(
    async fn return_addresses_never_leave_the_site(db: Db) {
        world(&db).await;
        let mut c = Client::new(db.clone());
        for bad in HOSTILE {
            let r = c.get(&format!("/langue/fr?retour={bad}")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{bad}");
            assert_eq!(r.location(), "/", "{bad}");
            let r = c.get(&format!("/connexion?suite={bad}")).await;
            assert_eq!(r.status, StatusCode::OK, "{bad}");
            assert!(r.body.contains("name=\"suite\" value=\"/\""), "{bad}");
        }
        // Invalid UTF-8 is not a 400 or a 500: replaced, it stays on site.
        let r = c.get("/langue/fr?retour=/%FF%FE").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/%EF%BF%BD%EF%BF%BD");
        let r = c.get("/langue/fr?retour=/%ZZ").await;
        assert_eq!(
            (r.status, r.location().as_str()),
            (StatusCode::SEE_OTHER, "/%ZZ")
        );
        // A path of the site is kept, and non-ASCII is re-encoded.
        let r = c.get("/langue/en?retour=/contacts%3Fq%3Dt%C3%A9").await;
        assert_eq!(r.location(), "/contacts?q=t%C3%A9");
        // After sign-in, a hostile `suite` sends the person home.
        c.get("/connexion").await;
        let r = c
            .post_form(
                "/connexion",
                &[
                    ("email", "relation@t.test"),
                    ("password", PASSWORD),
                    ("suite", "/\t/evil.example/"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/");
        let r = c.get("/langue/fr?retour=/%5Cevil.example").await;
        assert_eq!(r.location(), "/");
        let r = c.get("/langue/fr?retour=/etablissements").await;
        assert_eq!(r.location(), "/etablissements");
    }
);

/// A client of an app whose clock the test moves, from one address.
fn client_at(app: &relais_app::App, addr: &str) -> Client {
    let mut c = client_for(app);
    c.peer = Some(format!("{addr}:40000").parse().expect("addr"));
    c
}

async fn try_login(c: &mut Client, email: &str, password: &str) -> Resp {
    c.login(email, password).await
}

db_test!(
    async fn a_flood_from_one_address_never_locks_the_account(db: Db) {
        world(&db).await;
        let clock = FakeClock::at(chrono::Utc::now());
        let app = relais_testkit::app(db.clone(), clock.clone());
        let mut attacker = client_at(&app, "203.0.113.66");
        let (mut wrong, mut refused) = (0, 0);
        for _ in 0..50 {
            let r = try_login(&mut attacker, "admin@t.test", "wrong password").await;
            match r.status {
                StatusCode::UNPROCESSABLE_ENTITY => {
                    assert!(r.body.contains("Adresse ou mot de passe incorrect"));
                    wrong += 1
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    assert!(r.body.contains("réessayez dans"), "{}", r.body);
                    refused += 1
                }
                s => panic!("unexpected {s}"),
            }
        }
        // Five free attempts, then the flood is refused without a check.
        assert_eq!((wrong, refused), (5, 45));
        // Even the right password waits, from that address.
        let r = try_login(&mut attacker, "admin@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers["retry-after"], "1");
        // The owner, elsewhere, signs in at once.
        let mut owner = client_at(&app, "198.51.100.7");
        let r = try_login(&mut owner, "admin@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/");
        assert_eq!(owner.get("/").await.status, StatusCode::OK);
        // So does an IPv6 owner.
        let mut v6 = client_at(&app, "[2001:db8::1]");
        let r = try_login(&mut v6, "admin@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
);

db_test!(
    async fn the_delay_doubles_and_then_lets_the_right_password_in(db: Db) {
        world(&db).await;
        let clock = FakeClock::at(chrono::Utc::now());
        let app = relais_testkit::app(db.clone(), clock.clone());
        let mut c = client_at(&app, "192.0.2.10");
        for _ in 0..5 {
            let r = try_login(&mut c, "relation@t.test", "wrong password").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = try_login(&mut c, "relation@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("réessayez dans 1 s"), "{}", r.body);
        clock.advance(chrono::Duration::seconds(1));
        let r = try_login(&mut c, "relation@t.test", "wrong again").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = try_login(&mut c, "relation@t.test", PASSWORD).await;
        assert!(r.body.contains("réessayez dans 2 s"), "{}", r.body);
        clock.advance(chrono::Duration::seconds(1));
        let r = try_login(&mut c, "relation@t.test", PASSWORD).await;
        assert!(r.body.contains("réessayez dans 1 s"), "{}", r.body);
        clock.advance(chrono::Duration::seconds(1));
        let r = try_login(&mut c, "relation@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Success forgets this client's failures on the account.
        let mut again = client_at(&app, "192.0.2.10");
        for _ in 0..5 {
            let r = try_login(&mut again, "relation@t.test", "wrong password").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        // Failures older than the window no longer count.
        clock.advance(chrono::Duration::minutes(16));
        let r = try_login(&mut again, "relation@t.test", "wrong password").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = try_login(&mut again, "relation@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
);

db_test!(
    async fn one_address_guessing_many_accounts_slows_down(db: Db) {
        world(&db).await;
        let clock = FakeClock::at(chrono::Utc::now());
        let app: relais_app::App = relais_testkit::app(db.clone(), clock.clone());
        let mut c = client_at(&app, "203.0.113.9");
        for i in 0..20 {
            let r = try_login(&mut c, &format!("personne{i}@t.test"), "guess").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        // A 21st account from the same address waits, even with its password.
        let r = try_login(&mut c, "membre.a@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        // Its owner elsewhere does not.
        let mut owner = client_at(&app, "198.51.100.20");
        let r = try_login(&mut owner, "membre.a@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        clock.advance(chrono::Duration::seconds(1));
        let r = try_login(&mut c, "membre.a@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
);

db_test!(
    async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(db: Db) {
        world(&db).await;
        let mut here = Client::new(db.clone());
        let mut other = Client::new(db.clone());
        assert_eq!(
            here.login("relation@t.test", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            other.login("relation@t.test", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        let stolen = here.cookies.clone();
        let r = here.get("/compte").await;
        assert!(r.body.contains("Changer de mot de passe"));
        let new = "une phrase de passe assez longue";
        // Wrong current password: refused, nothing changes.
        let r = here
            .post_form(
                "/compte/mot-de-passe",
                &[
                    ("current", "pas le bon"),
                    ("password", new),
                    ("confirm", new),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Le mot de passe actuel est incorrect"));
        assert_eq!(other.get("/").await.status, StatusCode::OK);
        // Too short, or not confirmed: refused.
        let r = here
            .post_form(
                "/compte/mot-de-passe",
                &[
                    ("current", PASSWORD),
                    ("password", "court"),
                    ("confirm", "court"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("au moins 12 caractères"));
        let r = here
            .post_form(
                "/compte/mot-de-passe",
                &[
                    ("current", PASSWORD),
                    ("password", new),
                    ("confirm", "autre chose encore"),
                ],
            )
            .await;
        assert!(r.body.contains("La confirmation ne reprend pas"));
        assert_eq!(other.get("/").await.status, StatusCode::OK);
        // The right one: changed; this session stays, the other ends.
        let r = here
            .post_form(
                "/compte/mot-de-passe",
                &[("current", PASSWORD), ("password", new), ("confirm", new)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/compte?ok=password_changed");
        let r = here.get("/compte?ok=password_changed").await;
        assert!(r.body.contains("vos autres sessions sont fermées"));
        let r = other.get("/").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/connexion"));
        // The session that changed it is the same cookie as before and lives.
        assert_eq!(here.cookies, stolen);
        assert_eq!(here.get("/").await.status, StatusCode::OK);
        // Old password refused, new one accepted.
        let mut later = Client::new(db.clone());
        let r = later.login("relation@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = later.login("relation@t.test", new).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // The change is in the history.
        let mut c = db.read().await.expect("conn");
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = 'password_change'")
                .fetch_one(&mut *c)
                .await
                .expect("count");
        assert_eq!(n, 1);
    }
);
