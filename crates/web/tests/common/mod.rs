//! An in-process HTTP client for the router: keeps cookies like a browser,
//! scrapes the CSRF token from pages, and sends forms or JSON.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use relais_app::App;
use relais_domain::accounts::Role;
use relais_domain::Id;
use relais_store::Db;
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

pub struct Client {
    pub router: axum::Router,
    pub cookies: HashMap<String, String>,
    pub csrf: String,
    /// The socket address requests come from (as `serve` records it).
    pub peer: Option<std::net::SocketAddr>,
}

pub fn router(db: Db) -> axum::Router {
    let app = relais_testkit::app(db, Arc::new(relais_domain::SystemClock));
    relais_web::router(relais_web::AppState {
        app,
        web: relais_web::WebConfig {
            secure_cookies: false,
        },
    })
}

pub fn scrape_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[i + "name=\"_csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

impl Client {
    pub fn new(db: Db) -> Client {
        Client {
            router: router(db),
            cookies: HashMap::new(),
            csrf: String::new(),
            peer: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        if let Some(p) = self.peer {
            req.extensions_mut().insert(axum::extract::ConnectInfo(p));
        }
        let res = self.router.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap_or("");
            let pair = s.split(';').next().unwrap_or("");
            if let Some((k, val)) = pair.split_once('=') {
                if val.is_empty() || s.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), val.to_string());
                }
            }
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body = String::from_utf8_lossy(&bytes).to_string();
        if let Some(t) = scrape_csrf(&body) {
            self.csrf = t;
        }
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::HOST, "localhost")
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    /// Posts a form; `_csrf` is added from the last page unless present.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !pairs.iter().any(|(k, _)| k == "_csrf") {
            pairs.push(("_csrf".into(), self.csrf.clone()));
        }
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", urlencoding::encode(k), urlencoding::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub async fn json(
        &mut self,
        method: &str,
        path: &str,
        body: serde_json::Value,
        bearer: Option<&str>,
        csrf: bool,
    ) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/json");
        match bearer {
            Some(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
            None => b = b.header(header::COOKIE, self.cookie_header()),
        }
        if csrf {
            b = b.header("x-csrf-token", self.csrf.clone());
        }
        self.send(b.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    pub async fn api_get(&mut self, path: &str, bearer: Option<&str>) -> Resp {
        let mut b = Request::get(path).header(header::HOST, "localhost");
        match bearer {
            Some(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
            None => b = b.header(header::COOKIE, self.cookie_header()),
        }
        self.send(b.body(Body::empty()).expect("request")).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Resp {
        self.get("/connexion").await;
        self.post_form("/connexion", &[("email", email), ("password", password)])
            .await
    }
}

/// Two institutions with a contact each, and accounts of every role.
pub struct World {
    pub a: Id,
    pub b: Id,
    pub contact_a: Id,
    pub contact_b: Id,
    pub component_b: Id,
    pub convention_b: Id,
    pub interaction_a: Id,
    pub interaction_b: Id,
}

pub async fn user(db: &Db, email: &str, role: Role, inst: Option<Id>) -> Id {
    let id = Id::new();
    let mut tx = db.begin().await.expect("tx");
    relais_store::accounts::insert_user(
        &mut tx,
        id,
        &relais_store::accounts::UserValues {
            email: email.into(),
            display_name: email.split('@').next().unwrap_or("x").into(),
            role: role.code().into(),
            institution_id: inst.map(|i| i.to_string()),
            locale: "fr".into(),
            active: true,
        },
        Some(relais_app::accounts::hash_password(PASSWORD).expect("hash")),
        "2026-01-01T00:00:00.000Z",
    )
    .await
    .expect("user");
    tx.commit().await.expect("commit");
    id
}

pub async fn world(db: &Db) -> World {
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    let admin_id = user(db, "admin@t.test", Role::Admin, None).await;
    let admin = relais_domain::accounts::Actor {
        user_id: admin_id,
        role: Role::Admin,
        institution_id: None,
        display_name: "admin".into(),
    };
    let inst = |name: &str, uai: &str| relais_domain::crm::InstitutionInput {
        name: name.into(),
        kind: "universite".into(),
        uai: Some(uai.into()),
        ..Default::default()
    };
    use relais_app::crm as uc;
    let a = uc::create_institution(&app, &admin, inst("Université Alpha", "0751717J"), None)
        .await
        .expect("a");
    let b = uc::create_institution(&app, &admin, inst("Université Bêta", "0690192J"), None)
        .await
        .expect("b");
    let contact = |f: &str| relais_domain::crm::ContactInput {
        first_name: f.into(),
        last_name: "Martin".into(),
        email: Some(format!("{}@x.fr", f.to_lowercase())),
        ..Default::default()
    };
    let contact_a = uc::create_contact(&app, &admin, a, contact("Anne"))
        .await
        .expect("ca");
    let contact_b = uc::create_contact(&app, &admin, b, contact("Bruno"))
        .await
        .expect("cb");
    let component_b = uc::create_component(
        &app,
        &admin,
        b,
        uc::ComponentInput {
            kind: "ufr".into(),
            name: "UFR Secrète".into(),
            ..Default::default()
        },
    )
    .await
    .expect("comp");
    let convention_b = uc::create_convention(
        &app,
        &admin,
        uc::ConventionInput {
            institution_id: b.to_string(),
            kind: "deploiement".into(),
            title: "Convention Bêta".into(),
            ..Default::default()
        },
    )
    .await
    .expect("conv");
    let interaction = |i: Id| uc::InteractionInput {
        institution_id: i.to_string(),
        kind: "appel".into(),
        occurred_on: "2021-03-01".into(),
        subject: "Appel confidentiel".into(),
        ..Default::default()
    };
    let interaction_a = uc::create_interaction(&app, &admin, interaction(a))
        .await
        .expect("ia");
    let interaction_b = uc::create_interaction(&app, &admin, interaction(b))
        .await
        .expect("ib");
    user(db, "membre.a@t.test", Role::Member, Some(a)).await;
    user(db, "referent.a@t.test", Role::MemberAdmin, Some(a)).await;
    user(db, "relation@t.test", Role::Relation, None).await;
    World {
        a,
        b,
        contact_a,
        contact_b,
        component_b,
        convention_b,
        interaction_a,
        interaction_b,
    }
}

/// A client for a router over a given `App` (e.g. one with a search index).
pub fn client_for(app: &App) -> Client {
    Client {
        router: relais_web::router(relais_web::AppState {
            app: app.clone(),
            web: relais_web::WebConfig {
                secure_cookies: false,
            },
        }),
        cookies: HashMap::new(),
        csrf: String::new(),
        peer: None,
    }
}

/// The actor of a user, by e-mail.
pub async fn actor_of(db: &Db, email: &str) -> relais_domain::accounts::Actor {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    relais_app::accounts::actor_of(&u).expect("actor")
}

/// Applies the search change log, as every server's index loop does.
pub async fn run_index_jobs(app: &App) {
    relais_app::search::catch_up(app)
        .await
        .expect("index catch-up");
}
