//! Security properties of the web layer, on both engines: tenant isolation
//! through pages and API, CSRF, headers, throttling, API tokens.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_store::Db;
use relais_testkit::db_test;
use serde_json::json;

db_test!(
    async fn member_never_sees_another_institution(db: Db) {
        let w = world(&db).await;
        let mut c = Client::new(db.clone());
        let r = c.login("membre.a@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // Pages: another institution's records answer 404 and leak nothing.
        for path in [
            format!("/etablissements/{}", w.b),
            format!("/contacts/{}", w.contact_b),
            format!("/conventions/{}", w.convention_b),
            format!("/interactions/{}", w.interaction_b),
            format!("/interactions/{}", w.interaction_a),
            format!("/contacts/{}/modifier", w.contact_b),
        ] {
            let r = c.get(&path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(
                !r.body.contains("Bruno")
                    && !r.body.contains("Bêta")
                    && !r.body.contains("Secrète"),
                "{path} leaked"
            );
        }
        // Own institution is visible, with its contact, without agency notes.
        let r = c.get(&format!("/etablissements/{}", w.a)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Anne Martin"));
        assert!(
            !r.body.contains("Appel confidentiel"),
            "interactions are agency notes"
        );
        // Lists only show the own institution.
        let r = c.get("/etablissements").await;
        assert!(r.body.contains("Université Alpha") && !r.body.contains("Université Bêta"));
        let r = c.get("/contacts").await;
        assert!(r.body.contains("Anne") && !r.body.contains("Bruno"));

        // API: same answers.
        for path in [
            format!("/api/v1/institutions/{}", w.b),
            format!("/api/v1/institutions/{}/components", w.b),
            format!("/api/v1/contacts/{}", w.contact_b),
        ] {
            let r = c.api_get(&path, None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(r.json()["errors"][0]["code"], "not_found");
        }
        let r = c.api_get("/api/v1/contacts", None).await;
        assert_eq!(r.json()["total"], 1);
        assert_eq!(r.json()["items"][0]["first_name"], "Anne");
        let r = c
            .api_get(&format!("/api/v1/contacts?institution_id={}", w.b), None)
            .await;
        assert_eq!(r.json()["total"], 0);
        let r = c.api_get("/api/v1/institutions?q=beta", None).await;
        assert_eq!(r.json()["total"], 0);
        let _ = w.component_b;
    }
);

db_test!(
    async fn member_cannot_change_data_or_rights(db: Db) {
        let w = world(&db).await;
        let mut c = Client::new(db.clone());
        c.login("membre.a@t.test", PASSWORD).await;
        c.get("/").await;
        // A plain member may not edit contacts, even their institution's.
        let r = c
            .post_form(
                &format!("/contacts/{}", w.contact_a),
                &[("first_name", "Pirate"), ("last_name", "X")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .json(
                "PUT",
                &format!("/api/v1/contacts/{}", w.contact_b),
                json!({"first_name": "Pirate", "last_name": "X"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // A referent edits their own institution's contact; an institution
        // field in the body is ignored.
        let mut r2 = Client::new(db.clone());
        r2.login("referent.a@t.test", PASSWORD).await;
        r2.get("/").await;
        let r = r2.json("PUT", &format!("/api/v1/contacts/{}", w.contact_a), json!({"first_name": "Anne", "last_name": "Martin-Durand", "institution_id": w.b.to_string()}), None, true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["institution_id"], w.a.to_string());
        assert_eq!(r.json()["last_name"], "Martin-Durand");
        // …but not another institution's.
        let r = r2
            .json(
                "PUT",
                &format!("/api/v1/contacts/{}", w.contact_b),
                json!({"first_name": "X", "last_name": "Y"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // A referent's contact created "for" institution B lands nowhere.
        let r = r2.json("POST", "/api/v1/contacts", json!({"institution_id": w.b.to_string(), "first_name": "Intrus", "last_name": "X"}), None, true).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Nobody raises their own role.
        let app = relais_app::App::new(db.clone(), std::sync::Arc::new(relais_domain::SystemClock));
        let mut conn = db.read().await.expect("conn");
        let me = relais_store::accounts::find_user_by_email(&mut conn, "referent.a@t.test")
            .await
            .expect("me");
        drop(conn);
        let actor = relais_app::accounts::actor_of(&me).expect("actor");
        let err = relais_app::accounts::create_user(
            &app,
            &actor,
            relais_app::accounts::UserInput {
                email: "boss@t.test".into(),
                display_name: "Boss".into(),
                role: "admin".into(),
                active: true,
                ..Default::default()
            },
        )
        .await
        .expect_err("referent cannot create an admin");
        assert!(matches!(
            err,
            relais_app::AppError::Domain(relais_domain::DomainError::Forbidden)
        ));
        let err = relais_app::accounts::update_user(
            &app,
            &actor,
            actor.user_id,
            relais_app::accounts::UserInput {
                email: me.email.clone(),
                display_name: "R".into(),
                role: "admin".into(),
                active: true,
                ..Default::default()
            },
        )
        .await
        .expect_err("no self-promotion");
        assert!(matches!(
            err,
            relais_app::AppError::Domain(relais_domain::DomainError::Forbidden)
        ));
        // A referent's new account always belongs to the referent's institution.
        let id = relais_app::accounts::create_user(
            &app,
            &actor,
            relais_app::accounts::UserInput {
                email: "new@t.test".into(),
                display_name: "New".into(),
                role: "member".into(),
                institution_id: Some(w.b.to_string()),
                active: true,
                ..Default::default()
            },
        )
        .await
        .expect("member account");
        let mut conn = db.read().await.expect("conn");
        let u =
            relais_store::accounts::get_user(&mut conn, relais_domain::accounts::Scope::All, id)
                .await
                .expect("u");
        assert_eq!(u.institution_id, Some(w.a.to_string()));
    }
);

db_test!(
    async fn state_changes_need_a_valid_csrf_token(db: Db) {
        let w = world(&db).await;
        let mut c = Client::new(db.clone());
        // Login itself is protected (double-submit cookie).
        let r = c
            .post_form(
                "/connexion",
                &[
                    ("email", "relation@t.test"),
                    ("password", PASSWORD),
                    ("_csrf", "forged"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c.login("relation@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        c.get("/").await;
        let good = c.csrf.clone();
        assert!(!good.is_empty());
        let path = format!("/contacts/{}", w.contact_a);
        let form = [
            ("first_name", "Changé"),
            ("last_name", "Martin"),
            ("_csrf", ""),
        ];
        let r = c.post_form(&path, &form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "missing token");
        let form = [
            ("first_name", "Changé"),
            ("last_name", "Martin"),
            ("_csrf", "AAAA"),
        ];
        let r = c.post_form(&path, &form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "wrong token");
        // Cross-origin request with the right token is refused too.
        let req = axum::http::Request::post(&path)
            .header(
                "cookie",
                c.cookies
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
            .header("host", "localhost")
            .header("origin", "https://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(format!(
                "first_name=X&last_name=Y&_csrf={good}"
            )))
            .expect("req");
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "other origin");
        // Cookie-authenticated JSON needs the header.
        let r = c
            .json(
                "PUT",
                &format!("/api/v1/contacts/{}", w.contact_a),
                json!({"first_name": "Changé", "last_name": "Martin"}),
                None,
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["errors"][0]["code"], "csrf");
        // Nothing changed.
        let r = c.get(&path).await;
        assert!(r.body.contains("Anne Martin"));
        // The right token works.
        c.csrf = good;
        let r = c
            .post_form(&path, &[("first_name", "Annie"), ("last_name", "Martin")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = c.get(&format!("{path}?ok=contact")).await;
        assert!(r.body.contains("Annie Martin") && r.body.contains("Contact enregistré"));
    }
);

db_test!(
    async fn api_tokens_work_and_can_be_revoked(db: Db) {
        let w = world(&db).await;
        let mut c = Client::new(db.clone());
        c.login("relation@t.test", PASSWORD).await;
        c.get("/compte").await;
        let r = c.post_form("/compte/jetons", &[("name", "script")]).await;
        assert_eq!(r.status, StatusCode::OK);
        let start = r.body.find("rls_").expect("token shown once");
        let token: String = r.body[start..]
            .chars()
            .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_' || *ch == '-')
            .collect();
        let mut api = Client::new(db.clone());
        let r = api.api_get("/api/v1/me", Some(&token)).await;
        assert_eq!(r.json()["email"], "relation@t.test");
        // Bearer calls need no CSRF token (browsers never attach them).
        let r = api
            .json(
                "POST",
                "/api/v1/institutions",
                json!({"name": "École Gamma", "kind": "ecole", "uai": "0751717K"}),
                Some(&token),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "invalid_uai");
        assert_eq!(r.json()["errors"][0]["field"], "uai");
        let r = api
            .json(
                "POST",
                "/api/v1/institutions",
                json!({"name": "École Gamma", "kind": "ecole", "uai": "0673021V"}),
                Some(&token),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Revoke from the account page, then the token is refused.
        let page = c.get("/compte").await;
        let i = page.body.find("/compte/jetons/").expect("revoke form");
        let id: String = page.body[i + "/compte/jetons/".len()..]
            .chars()
            .take_while(|ch| *ch != '/')
            .collect();
        let r = c
            .post_form(&format!("/compte/jetons/{id}/revoquer"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = api.api_get("/api/v1/me", Some(&token)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["errors"][0]["code"], "invalid_token");
        let _ = w;
    }
);

db_test!(
    async fn logins_are_throttled(db: Db) {
        world(&db).await;
        // A clock that does not move: the delay cannot pass while the test runs.
        let clock = relais_testkit::FakeClock::at(chrono::Utc::now());
        let mut c = client_for(&relais_testkit::app(db.clone(), clock));
        for _ in 0..5 {
            let r = c.login("relation@t.test", "wrong password").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("Adresse ou mot de passe incorrect"));
        }
        let r = c.login("relation@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        // Another account is not affected.
        let r = c.login("membre.a@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
);

db_test!(
    async fn logout_ends_the_session(db: Db) {
        world(&db).await;
        let mut c = Client::new(db.clone());
        c.login("relation@t.test", PASSWORD).await;
        let r = c.get("/").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Tableau de bord"));
        let stolen = c.cookies.clone();
        let r = c.post_form("/deconnexion", &[]).await;
        assert_eq!(r.location(), "/connexion?ok=logout");
        // Even a copy of the old cookie is dead.
        c.cookies = stolen;
        let r = c.get("/").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/connexion"));
    }
);

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let t = relais_testkit::TestDb::sqlite().await;
    let mut c = Client::new(t.db.clone());
    for path in ["/connexion", "/nope", "/api/v1/me", "/static/relais.css"] {
        let r = c.get(path).await;
        let h = &r.headers;
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
                && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{path}"
        );
        assert!(h.get("strict-transport-security").is_some(), "{path}");
        assert!(h.get("referrer-policy").is_some(), "{path}");
    }
    // The login page sets the pre-session CSRF cookie HttpOnly and SameSite.
    let r = c.get("/connexion").await;
    let sc = r
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        sc.contains("HttpOnly") && sc.contains("SameSite=Lax"),
        "{sc}"
    );
    // Unauthenticated API calls get the JSON envelope.
    let r = c.api_get("/api/v1/institutions", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["errors"][0]["code"], "unauthenticated");
}

#[tokio::test]
async fn secure_mode_uses_host_prefixed_cookies() {
    let t = relais_testkit::TestDb::sqlite().await;
    let app = relais_app::App::new(
        t.db.clone(),
        std::sync::Arc::new(relais_domain::SystemClock),
    );
    let mut c = Client::new(t.db.clone());
    c.router = relais_web::router(relais_web::AppState {
        app,
        web: relais_web::WebConfig {
            secure_cookies: true,
        },
    });
    let r = c.get("/connexion").await;
    let sc = r
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        sc.starts_with("__Host-relais_csrf=") && sc.contains("Secure") && sc.contains("Path=/"),
        "{sc}"
    );
}

#[test]
fn openapi_document_lists_the_routes() {
    let doc = serde_json::to_value(relais_web::api::openapi()).expect("json");
    for p in [
        "/api/v1/institutions",
        "/api/v1/institutions/{id}",
        "/api/v1/contacts",
        "/api/v1/me",
    ] {
        assert!(doc["paths"].get(p).is_some(), "missing {p}");
    }
    assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
}
