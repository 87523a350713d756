//! Single sign-on against a real OpenID Connect provider: the certified
//! `oidc-provider` package (e2e/oidc/provider.mjs) run by node, on both
//! engines. The browser's part at the provider is driven over HTTP (its
//! `login_hint` signs the account in); Relais's router runs in process and
//! talks to the provider over the network like in production.

mod common;

use axum::http::StatusCode;
use common::*;
use openidconnect::reqwest;
use relais_app::sso::{ProviderConfig, Sso};
use relais_store::Db;
use relais_testkit::db_test;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, BufReader};

const BASE: &str = "http://localhost";
const SIRET_ALPHA: &str = "19751717700017";

/// The provider process; killed when dropped.
struct Idp {
    issuer: String,
    _child: tokio::process::Child,
}

async fn start_idp() -> Idp {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../e2e/oidc/provider.mjs");
    let redirects = ["proconnect", "signe", "exige"]
        .map(|p| format!("{BASE}/connexion/oidc/{p}/retour"))
        .join(",");
    let mut child = tokio::process::Command::new(std::env::var("NODE").unwrap_or("node".into()))
        .arg(script)
        .args(["--port", "0", "--redirect-uri", &redirects])
        .args(["--post-logout-uri", &format!("{BASE}/connexion?ok=logout")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("node e2e/oidc/provider.mjs (npm ci in e2e/ first)");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let issuer = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("read") {
            if let Some(i) = line.split("OIDC prêt : ").nth(1) {
                return i.trim().to_string();
            }
        }
        panic!("the provider stopped before it was ready");
    })
    .await
    .expect("provider ready within 60 s");
    // Keep reading what it prints: a full pipe would block the provider.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Idp {
        issuer,
        _child: child,
    }
}

fn provider(id: &str, issuer: &str, client_id: &str) -> ProviderConfig {
    ProviderConfig {
        id: id.into(),
        display_name: format!("Fournisseur {id}"),
        issuer: issuer.into(),
        client_id: client_id.into(),
        client_secret: "secret-de-test-relais".into(),
        scopes: [
            "openid",
            "email",
            "given_name",
            "usual_name",
            "siret",
            "uid",
        ]
        .map(String::from)
        .to_vec(),
        acr_values: vec![],
        trust_email: false,
    }
}

async fn setup(db: &Db, idp: &Idp) -> (relais_app::App, World) {
    let w = world(db).await;
    let mut tx = db.begin().await.expect("tx");
    relais_store::sso::add_identifier(&mut tx, w.a, "siret", SIRET_ALPHA, "2026-01-01")
        .await
        .expect("siret");
    relais_store::sso::set_sso_pending(&mut tx, w.a, false)
        .await
        .expect("pending");
    // Bêta is known by its mail domain; its new accounts wait for the referent.
    relais_store::sso::add_identifier(&mut tx, w.b, "mail_domain", "beta.example", "2026-01-01")
        .await
        .expect("domain");
    tx.commit().await.expect("commit");
    let mut app = relais_testkit::app(db.clone(), Arc::new(relais_domain::SystemClock));
    let mut exige = provider("exige", &idp.issuer, "relais");
    exige.acr_values = vec!["eidas3".into()];
    app.settings.sso = Sso::new(
        vec![
            provider("proconnect", &idp.issuer, "relais"),
            provider("signe", &idp.issuer, "relais-signe"),
            exige,
            // Announced as another issuer than the one the document names.
            provider(
                "faux",
                &idp.issuer.replace("127.0.0.1", "localhost"),
                "relais",
            ),
        ],
        BASE,
    );
    (app, w)
}

/// Starts a sign-in at Relais, lets the provider sign `login` in, and
/// returns the callback address (path and query) the browser is sent to.
async fn through_provider(c: &mut Client, provider_id: &str, login: &str) -> String {
    c.get("/connexion").await;
    let r = c
        .post_form(
            &format!("/connexion/oidc/{provider_id}"),
            &[("indice", login), ("suite", "/contacts")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut url = r.location();
    let http = reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let mut jar: HashMap<String, String> = HashMap::new();
    for hop in 0..10 {
        let cookie = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let res = http
            .get(&url)
            .header("cookie", cookie)
            .send()
            .await
            .expect("provider answers");
        for v in res.headers().get_all("set-cookie") {
            let pair = v.to_str().unwrap_or("").split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                jar.insert(k.to_string(), v.to_string());
            }
        }
        let status = res.status();
        let next = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let Some(next) = next else {
            panic!(
                "hop {hop}: {status} without redirect: {}",
                res.text().await.unwrap_or_default()
            );
        };
        let next = reqwest::Url::parse(&url)
            .expect("url")
            .join(&next)
            .expect("join")
            .to_string();
        if let Some(rest) = next.strip_prefix(BASE) {
            return rest.to_string();
        }
        url = next;
    }
    panic!("the provider never sent the browser back to Relais");
}

async fn user_count(db: &Db) -> usize {
    let mut c = db.read().await.expect("conn");
    relais_store::accounts::list_users(&mut c, relais_domain::accounts::Scope::All, None)
        .await
        .expect("users")
        .len()
}

async fn find_user(db: &Db, email: &str) -> Option<relais_store::accounts::UserRow> {
    let mut c = db.read().await.expect("conn");
    relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .ok()
}

db_test!(
    async fn a_member_signs_in_through_the_provider_and_out_at_both_ends(db: Db) {
        let idp = start_idp().await;
        let (app, w) = setup(&db, &idp).await;
        let mut c = client_for(&app);
        // The sign-in page offers one button per provider, and the pages
        // allow forms to be redirected to the provider.
        let page = c.get("/connexion").await;
        assert!(page.body.contains("action=\"/connexion/oidc/proconnect\""));
        assert!(page.body.contains("Se connecter avec Fournisseur signe"));
        let csp = page.headers["content-security-policy"]
            .to_str()
            .expect("csp");
        assert!(
            csp.contains(&format!("form-action 'self' {}", idp.issuer)),
            "{csp}"
        );

        let before = user_count(&db).await;
        let back = through_provider(&mut c, "proconnect", "agent.alpha").await;
        assert!(
            back.starts_with("/connexion/oidc/proconnect/retour?"),
            "{back}"
        );
        let r = c.get(&back).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/contacts");
        // A member account of Alpha, found by its SIRET, named from the claims.
        assert_eq!(user_count(&db).await, before + 1);
        let u = find_user(&db, "agent@alpha.example")
            .await
            .expect("created");
        assert_eq!(u.role, "member");
        assert_eq!(u.institution_id, Some(w.a.to_string()));
        assert_eq!(u.display_name, "Alice Agent");
        assert_eq!(u.active, 1);
        assert!(u.password_hash.is_none());
        let home = c.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("Alice Agent"));

        // The same callback again: the flow served once.
        let again = c.get(&back).await;
        assert_eq!(again.status, StatusCode::FORBIDDEN);
        assert!(again.body.contains("déjà servi"), "{}", again.body);

        // Signing out ends the session here and goes on to the provider's
        // end-session endpoint with the ID token as hint.
        c.get("/compte").await;
        let out = c.post_form("/deconnexion", &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        let loc = out.location();
        assert!(
            loc.starts_with(&format!("{}/session/end?", idp.issuer)),
            "{loc}"
        );
        assert!(loc.contains("id_token_hint="), "{loc}");
        assert!(loc.contains("post_logout_redirect_uri="), "{loc}");
        let gone = c.get("/").await;
        assert_eq!(gone.status, StatusCode::SEE_OTHER);
        assert!(gone.location().starts_with("/connexion"));

        // A second sign-in finds the account by the provider's subject;
        // the security log holds the link and both sign-ins.
        let back = through_provider(&mut c, "proconnect", "agent.alpha").await;
        assert_eq!(c.get(&back).await.status, StatusCode::SEE_OTHER);
        assert_eq!(user_count(&db).await, before + 1);
        let actor = relais_app::accounts::actor_of(&u).expect("actor");
        let log = relais_app::identity::security_log(&app, &actor, None, None)
            .await
            .expect("log");
        let kinds: Vec<(&str, &str)> = log
            .iter()
            .map(|e| (e.kind.as_str(), e.method.as_str()))
            .collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == ("login", "proconnect"))
                .count(),
            2,
            "{kinds:?}"
        );
        assert!(kinds.contains(&("sso_linked", "proconnect")), "{kinds:?}");
    }
);

db_test!(
    async fn signed_userinfo_is_read_and_an_existing_account_is_linked(db: Db) {
        let idp = start_idp().await;
        let (app, _w) = setup(&db, &idp).await;
        // An account made by an admin beforehand, with the same address.
        user(
            &db,
            "marie@beta.example",
            relais_domain::accounts::Role::Member,
            None,
        )
        .await;
        let before = user_count(&db).await;
        let mut c = client_for(&app);
        let back = through_provider(&mut c, "signe", "agent.domaine").await;
        let r = c.get(&back).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(user_count(&db).await, before, "linked, not created");
        let mut conn = db.read().await.expect("conn");
        let linked = relais_store::sso::user_of_identity(&mut conn, "signe", "agent.domaine")
            .await
            .expect("query");
        assert!(linked.is_some());
    }
);

db_test!(
    async fn a_new_person_of_a_pending_institution_waits_for_the_referent(db: Db) {
        let idp = start_idp().await;
        let (app, w) = setup(&db, &idp).await;
        let mut c = client_for(&app);
        let back = through_provider(&mut c, "proconnect", "agent.domaine").await;
        let r = c.get(&back).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("pas encore activé"), "{}", r.body);
        let u = find_user(&db, "marie@beta.example").await.expect("kept");
        assert_eq!(u.active, 0);
        assert_eq!(u.institution_id, Some(w.b.to_string()));
        assert!(!c.cookies.contains_key("relais_session"));
    }
);

db_test!(
    async fn an_unknown_organisation_gets_a_clear_page_and_no_account(db: Db) {
        let idp = start_idp().await;
        let (app, _w) = setup(&db, &idp).await;
        let before = user_count(&db).await;
        let mut c = client_for(&app);
        let back = through_provider(&mut c, "proconnect", "agent.ailleurs").await;
        let r = c.get(&back).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Connexion refusée"));
        assert!(r.body.contains("pas adhérente ou n"), "{}", r.body);
        assert_eq!(user_count(&db).await, before);
        assert!(find_user(&db, "quelquun@ailleurs.example").await.is_none());
        assert!(!c.cookies.contains_key("relais_session"));
    }
);

db_test!(
    async fn tokens_failing_a_check_are_refused_and_create_nothing(db: Db) {
        let idp = start_idp().await;
        let (app, _w) = setup(&db, &idp).await;
        let before = user_count(&db).await;
        for login in ["bad-nonce", "bad-aud", "bad-iss", "expired", "unknown-key"] {
            let mut c = client_for(&app);
            let back = through_provider(&mut c, "proconnect", login).await;
            let r = c.get(&back).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{login}");
            assert!(
                r.body.contains("contrôles de sécurité"),
                "{login}: {}",
                r.body
            );
            assert!(!c.cookies.contains_key("relais_session"), "{login}");
        }
        assert_eq!(user_count(&db).await, before);
        assert!(find_user(&db, "agent@alpha.example").await.is_none());
        // A required authentication level the provider does not give.
        let mut c = client_for(&app);
        let back = through_provider(&mut c, "exige", "agent.alpha").await;
        let r = c.get(&back).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            r.body.contains("authentification fourni ne suffit"),
            "{}",
            r.body
        );
        assert_eq!(user_count(&db).await, before);
    }
);

db_test!(
    async fn state_is_single_use_and_bound_to_the_browser(db: Db) {
        let idp = start_idp().await;
        let (app, _w) = setup(&db, &idp).await;
        let before = user_count(&db).await;
        // A callback opened in another browser (a forged link) is refused,
        // and burns the flow.
        let mut c = client_for(&app);
        let back = through_provider(&mut c, "proconnect", "agent.alpha").await;
        let mut other = client_for(&app);
        let r = other.get(&back).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("déjà servi"));
        let r = c.get(&back).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // An invented state.
        let r = c
            .get("/connexion/oidc/proconnect/retour?code=abc&state=invente")
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(user_count(&db).await, before);
        // Starting a flow is a POST with the CSRF token, never a GET.
        let r = c.get("/connexion/oidc/proconnect").await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        // A provider whose document names another issuer is refused.
        c.get("/connexion").await;
        let r = c.post_form("/connexion/oidc/faux", &[]).await;
        assert_eq!(r.status, StatusCode::BAD_GATEWAY);
        assert!(r.body.contains("injoignable ou mal configuré"));
        // An unknown provider is a 404.
        let r = c.post_form("/connexion/oidc/inconnu", &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);
