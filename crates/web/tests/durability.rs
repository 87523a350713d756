//! Idempotent API writes on both engines: a retry carrying the same
//! `Idempotency-Key` and body gets the first answer and creates nothing;
//! the same key with another body is refused with a stable code; keys are
//! per caller; a malformed key is refused.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use relais_app::App;
use relais_domain::accounts::Role;
use relais_store::Db;
use relais_testkit::db_test;
use serde_json::json;
use std::sync::Arc;

async fn token(db: &Db, email: &str, role: Role) -> String {
    user(db, email, role, None).await;
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    let a = relais_app::accounts::actor_of(&u).expect("actor");
    relais_app::accounts::create_api_token(&app, &a, "tests")
        .await
        .expect("token")
}

async fn post(c: &mut Client, tok: &str, key: Option<&str>, body: serde_json::Value) -> Resp {
    let mut b = Request::post("/api/v1/institutions")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {tok}"));
    if let Some(k) = key {
        b = b.header("Idempotency-Key", k);
    }
    c.send(b.body(Body::from(body.to_string())).expect("request"))
        .await
}

async fn count_named(db: &Db, name: &str) -> i64 {
    let mut c = db.read().await.expect("conn");
    sqlx::query_scalar("SELECT count(*) FROM institutions WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *c)
        .await
        .expect("count")
}

db_test!(
    async fn a_retry_with_the_same_key_creates_nothing(db: Db) {
        let admin = token(&db, "admin@t.test", Role::Admin).await;
        let other = token(&db, "admin2@t.test", Role::Admin).await;
        let mut c = Client::new(db.clone());
        let body = json!({"name": "Université Idempotente", "kind": "universite"});

        let first = post(&mut c, &admin, Some("cle-0001"), body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert!(first.headers.get("idempotent-replayed").is_none());
        let again = post(&mut c, &admin, Some("cle-0001"), body.clone()).await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
        assert_eq!(again.body, first.body, "the first answer, replayed");
        assert_eq!(again.headers["idempotent-replayed"], "true");
        assert_eq!(
            again.headers.get(header::CONTENT_TYPE),
            first.headers.get(header::CONTENT_TYPE)
        );
        assert_eq!(count_named(&db, "Université Idempotente").await, 1);

        // The same key with another body: refused, nothing created.
        let changed = json!({"name": "Université Autre", "kind": "universite"});
        let r = post(&mut c, &admin, Some("cle-0001"), changed.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["code"], "cle_idempotence_reutilisee");
        assert_eq!(count_named(&db, "Université Autre").await, 0);

        // Keys belong to their caller: another caller's same key is new.
        let r = post(&mut c, &other, Some("cle-0001"), body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(r.headers.get("idempotent-replayed").is_none());
        assert_eq!(count_named(&db, "Université Idempotente").await, 2);

        // Without a key, every call creates (no change for clients).
        let r = post(&mut c, &admin, None, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(count_named(&db, "Université Idempotente").await, 3);

        // A refused input is kept too: its retry gives the same refusal.
        let bad = json!({"kind": "universite"});
        let r1 = post(&mut c, &admin, Some("cle-0002"), bad.clone()).await;
        assert_eq!(r1.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r2 = post(&mut c, &admin, Some("cle-0002"), bad).await;
        assert_eq!((r2.status, r2.body), (r1.status, r1.body));

        // A malformed key.
        let r = post(&mut c, &admin, Some("cle avec espaces"), body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["code"], "cle_idempotence_invalide");
    }
);

/// A write refused because the disk is full: the JSON envelope with its
/// code and `Retry-After` on the API, a French page with `Retry-After` for
/// people.
#[test]
fn a_full_disk_is_a_503_with_retry_after_both_ways() {
    use axum::response::IntoResponse;
    let err = || relais_app::AppError::Unavailable {
        outage: relais_store::db::Outage::StorageFull,
        detail: "database or disk is full".into(),
    };
    let res = relais_web::error::ApiError(err()).into_response();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()[header::RETRY_AFTER], "30");
    let res =
        relais_web::error::PageError::new(err(), relais_web::i18n::Tr(relais_web::i18n::Lang::Fr))
            .into_response();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()[header::RETRY_AFTER], "30");
    let body = futures_body(res);
    assert!(body.contains("stockage est plein"), "{body}");
    assert!(body.contains("stockage_plein"), "{body}");
}

fn futures_body(res: axum::response::Response) -> String {
    use http_body_util::BodyExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("rt");
    let bytes = rt
        .block_on(res.into_body().collect())
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).to_string()
}
