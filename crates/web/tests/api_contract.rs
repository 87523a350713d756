//! The API's contract: the OpenAPI document as a reviewed snapshot, schema
//! names unique and none named after a database row, parameters declared
//! where they are, API modules independent of each other, and every
//! refusal of a request's shape (bad id, bad JSON, missing field, wrong
//! type, wrong content type, unknown route, wrong method, bad query
//! parameter, oversized body) answered in the one JSON envelope with its
//! stable code, on both engines. A member reads nothing of another
//! institution through the API.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use relais_app::App;
use relais_store::Db;
use relais_testkit::db_test;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

fn doc() -> Value {
    serde_json::to_value(relais_web::api::openapi()).expect("openapi as JSON")
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `(method, path, operation)` of every operation of a document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((m.to_string(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn path_names(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

#[test]
fn openapi_document_matches_its_snapshot() {
    insta::assert_json_snapshot!("openapi", doc());
}

#[test]
fn schema_names_are_unique_and_none_is_a_database_row() {
    // Merging keeps one schema per name: compare the modules' own
    // documents, where two different schemas under one name would show.
    let mut seen: BTreeMap<String, (&str, Value)> = BTreeMap::new();
    let mut clashes = vec![];
    for (module, d) in relais_web::api::module_documents() {
        let d = serde_json::to_value(d).expect("json");
        let Some(schemas) = d["components"]["schemas"].as_object() else {
            continue;
        };
        for (name, schema) in schemas {
            match seen.get(name) {
                Some((other, s)) if s != schema => {
                    clashes.push(format!("{name}: {other} and {module}"));
                }
                Some(_) => {}
                None => {
                    seen.insert(name.clone(), (module, schema.clone()));
                }
            }
        }
    }
    assert!(clashes.is_empty(), "one name, two schemas: {clashes:?}");
    let d = doc();
    let names: Vec<&String> = d["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .collect();
    let rows: Vec<_> = names.iter().filter(|n| n.ends_with("Row")).collect();
    assert!(rows.is_empty(), "schemas named after rows: {rows:?}");
    // No schema is a primitive under a type's name (a Rust alias such as
    // `Cents = i64` once showed up as a schema named `i64`): every name is
    // a type of the API's own, starting with a capital letter.
    const PRIMITIVES: &[&str] = &[
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
        "f32", "f64", "bool", "char", "str", "String", "Value", "Object", "Vec", "Option",
    ];
    let primitive: Vec<_> = names
        .iter()
        .filter(|n| {
            PRIMITIVES.contains(&n.as_str()) || !n.starts_with(|c: char| c.is_ascii_uppercase())
        })
        .collect();
    assert!(
        primitive.is_empty(),
        "schemas named like primitives: {primitive:?}"
    );
    // No two schemas share a name, even spelled with other capitals, and
    // the merged document lost none of the modules' schemas.
    let mut lower: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for n in &names {
        lower.entry(n.to_lowercase()).or_default().push(n);
    }
    let shared: Vec<_> = lower.values().filter(|v| v.len() > 1).collect();
    assert!(shared.is_empty(), "schemas sharing a name: {shared:?}");
    let merged: BTreeSet<&str> = names.iter().map(|n| n.as_str()).collect();
    let lost: Vec<_> = seen
        .keys()
        .filter(|n| !merged.contains(n.as_str()))
        .collect();
    assert!(lost.is_empty(), "schemas lost in the merge: {lost:?}");
    // The two former pairs of homonyms are four distinct types now.
    for n in [
        "TicketEvent",
        "CommunityEventFields",
        "TrainingRegistration",
        "EventRegistration",
    ] {
        assert!(names.iter().any(|x| x.as_str() == n), "{n} missing");
    }
}

/// Every successful JSON answer is a named type of the API (or a list of
/// one), never an untyped object: `$ref`, or an array of `$ref`.
#[test]
fn successful_answers_are_named_types() {
    let d = doc();
    let mut untyped = vec![];
    for (m, path, op) in operations(&d) {
        let Some(responses) = op["responses"].as_object() else {
            continue;
        };
        for (status, r) in responses {
            if !status.starts_with('2') {
                continue;
            }
            let Some(schema) = r["content"]["application/json"].get("schema") else {
                continue;
            };
            let named = schema.get("$ref").is_some()
                || schema["items"].get("$ref").is_some()
                || schema.get("oneOf").is_some_and(|o| {
                    o.as_array().is_some_and(|a| {
                        a.iter()
                            .all(|x| x.get("$ref").is_some() || x["type"] == "null")
                    })
                });
            if !named {
                untyped.push(format!("{m} {path} {status}: {schema}"));
            }
        }
    }
    assert!(
        untyped.is_empty(),
        "answers without a named schema:\n{}",
        untyped.join("\n")
    );
}

#[test]
fn parameters_are_declared_where_they_are() {
    let d = doc();
    let mut wrong = vec![];
    for (m, path, op) in operations(&d) {
        let empty = vec![];
        let params = op["parameters"].as_array().unwrap_or(&empty);
        let in_path: BTreeSet<String> = params
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap_or("").to_string())
            .collect();
        if in_path != path_names(&path) {
            wrong.push(format!("{m} {path}: path parameters {in_path:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The list filters are query parameters.
    let list = &d["paths"]["/api/v1/tickets"]["get"]["parameters"];
    let status = list
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "status")
        .expect("status");
    assert_eq!(status["in"], "query");
}

#[test]
fn api_modules_do_not_import_each_other() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let features: Vec<&str> = relais_web::api::modules()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut found = vec![];
    for (name, _) in relais_web::api::modules() {
        let text = std::fs::read_to_string(dir.join(format!("{name}.rs"))).expect("module");
        for other in &features {
            if other == &name {
                continue;
            }
            for pat in [
                format!("super::{other}::"),
                format!("super::{other};"),
                format!("super::{{{other}"),
                format!("crate::api::{other}::"),
                format!("crate::api::{other};"),
                format!("api::{{{other}"),
            ] {
                if text.contains(&pat) {
                    found.push(format!("{name} → {other}"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "API modules importing each other: {found:?}"
    );
}

async fn token(db: &Db, email: &str) -> String {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    drop(c);
    let a = relais_app::accounts::actor_of(&u).expect("actor");
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    relais_app::accounts::create_api_token(&app, &a, "tests")
        .await
        .expect("token")
}

/// A raw request with a bearer token.
async fn raw(
    c: &mut Client,
    method: &str,
    path: &str,
    ct: Option<&str>,
    body: Vec<u8>,
    tok: &str,
) -> Resp {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::AUTHORIZATION, format!("Bearer {tok}"));
    if let Some(ct) = ct {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    c.send(b.body(Body::from(body)).expect("request")).await
}

/// The response is the envelope with one error of this code.
#[track_caller]
fn envelope(r: &Resp, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(
        r.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json")),
        "not JSON: {:?}",
        r.headers
    );
    let v = r.json();
    assert_eq!(v["errors"][0]["code"], code, "{}", r.body);
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{}",
        r.body
    );
    v["errors"][0].clone()
}

db_test!(
    async fn shape_refusals_answer_the_envelope(db: Db) {
        world(&db).await;
        let admin = token(&db, "admin@t.test").await;
        let mut c = Client::new(db.clone());

        // A malformed id: 404 like an id out of reach, with its own code.
        let r = c
            .api_get("/api/v1/institutions/pas-un-id", Some(&admin))
            .await;
        let e = envelope(&r, StatusCode::NOT_FOUND, "identifiant_invalide");
        assert_eq!(e["field"], "id");

        // A body that is not JSON, cut short, or followed by garbage.
        for body in [
            &b"{\"name\": "[..],
            b"pas du json",
            b"{\"name\": \"X\", \"kind\": \"universite\"} {}",
        ] {
            let r = raw(
                &mut c,
                "POST",
                "/api/v1/institutions",
                Some("application/json"),
                body.to_vec(),
                &admin,
            )
            .await;
            envelope(&r, StatusCode::BAD_REQUEST, "json_invalide");
        }
        // A missing field, a value of the wrong type: 422 with the field.
        let r = c
            .json(
                "POST",
                "/api/v1/institutions",
                json!({"kind": "universite"}),
                Some(&admin),
                false,
            )
            .await;
        let e = envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, "champ_manquant");
        assert_eq!(e["field"], "name");
        let r = c
            .json(
                "POST",
                "/api/v1/institutions",
                json!({"name": "X", "kind": "universite", "students": "beaucoup"}),
                Some(&admin),
                false,
            )
            .await;
        let e = envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, "valeur_invalide");
        assert_eq!(e["field"], "students");
        // Nothing was written by the refused calls.
        let r = c.api_get("/api/v1/institutions?q=X", Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("\"name\":\"X\""), "{}", r.body);

        // Not JSON at all, or no content type.
        let r = raw(
            &mut c,
            "POST",
            "/api/v1/institutions",
            Some("text/plain"),
            b"{}".to_vec(),
            &admin,
        )
        .await;
        envelope(
            &r,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "type_contenu_invalide",
        );
        let r = raw(
            &mut c,
            "POST",
            "/api/v1/institutions",
            None,
            b"{}".to_vec(),
            &admin,
        )
        .await;
        envelope(
            &r,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "type_contenu_invalide",
        );

        // A query parameter of the wrong type.
        let r = c
            .api_get("/api/v1/institutions?limit=dix", Some(&admin))
            .await;
        let e = envelope(&r, StatusCode::BAD_REQUEST, "parametre_invalide");
        assert_eq!(e["field"], "limit");
        let r = c
            .api_get("/api/v1/tickets?open=peut-etre", Some(&admin))
            .await;
        let e = envelope(&r, StatusCode::BAD_REQUEST, "parametre_invalide");
        assert_eq!(e["field"], "open");

        // Unknown routes, signed in or not, under /api and /api/v1.
        for path in [
            "/api/v1/nulle-part",
            "/api/v1/institutions/a/b/c",
            "/api",
            "/api/v2",
        ] {
            let r = c.api_get(path, Some(&admin)).await;
            envelope(&r, StatusCode::NOT_FOUND, "route_inconnue");
        }
        let r = c.api_get("/api/v1/nulle-part", None).await;
        envelope(&r, StatusCode::NOT_FOUND, "route_inconnue");
        // Outside /api, nothing changes: no envelope.
        let r = c.get("/nulle-part").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(!r.body.contains("route_inconnue"), "{}", r.body);

        // A known route with a method it does not have.
        let r = raw(
            &mut c,
            "DELETE",
            "/api/v1/institutions",
            None,
            vec![],
            &admin,
        )
        .await;
        envelope(&r, StatusCode::METHOD_NOT_ALLOWED, "methode_non_autorisee");
        let allow = r
            .headers
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
        let r = raw(
            &mut c,
            "PUT",
            "/api/v1/tickets",
            Some("application/json"),
            b"{}".to_vec(),
            &admin,
        )
        .await;
        envelope(&r, StatusCode::METHOD_NOT_ALLOWED, "methode_non_autorisee");

        // A body over the JSON limit (2 MiB).
        let big = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
        let r = raw(
            &mut c,
            "POST",
            "/api/v1/institutions",
            Some("application/json"),
            big.into_bytes(),
            &admin,
        )
        .await;
        envelope(&r, StatusCode::PAYLOAD_TOO_LARGE, "corps_trop_volumineux");

        // An id inside a body: 422 for its field.
        let r = c
            .json(
                "POST",
                "/api/v1/contacts",
                json!({"institution_id": "pas-un-id", "first_name": "A", "last_name": "B"}),
                Some(&admin),
                false,
            )
            .await;
        let e = envelope(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_id");
        assert_eq!(e["field"], "institution_id");
    }
);

db_test!(
    async fn every_api_module_refuses_a_malformed_id(db: Db) {
        world(&db).await;
        let admin = token(&db, "admin@t.test").await;
        let mut c = Client::new(db.clone());
        let mut tried: BTreeMap<&str, usize> = BTreeMap::new();
        for (module, d) in relais_web::api::module_documents() {
            let d = serde_json::to_value(d).expect("json");
            tried.insert(module, 0);
            for (m, path, op) in operations(&d) {
                // Paths keyed by an id (a stable code such as an
                // indicator's `{code}` is not an id and is not tried here).
                let ids = path_names(&path);
                if m != "get" || ids.is_empty() || ids.iter().any(|n| n == "code") {
                    continue;
                }
                let mut url = path.clone();
                for n in path_names(&path) {
                    url = url.replace(&format!("{{{n}}}"), "pas-un-id");
                }
                // Required query parameters get a plausible value, so that
                // the id is what is refused.
                let empty = vec![];
                let required: Vec<String> = op["parameters"]
                    .as_array()
                    .unwrap_or(&empty)
                    .iter()
                    .filter(|p| p["in"] == "query" && p["required"] == true)
                    .map(|p| format!("{}=2026-01-01", p["name"].as_str().unwrap_or("")))
                    .collect();
                if !required.is_empty() {
                    url = format!("{url}?{}", required.join("&"));
                }
                let r = c.api_get(&url, Some(&admin)).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{url}: {}", r.body);
                assert_eq!(
                    r.json()["errors"][0]["code"],
                    "identifiant_invalide",
                    "{url}: {}",
                    r.body
                );
                *tried.entry(module).or_default() += 1;
            }
        }
        // The catalogue has only writes with an id: a valid body, a bad id.
        let r = c
            .json(
                "POST",
                "/api/v1/products/pas-un-id/releases",
                json!({"version": "1.0"}),
                Some(&admin),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["code"], "identifiant_invalide");
        *tried.entry("catalogue").or_default() += 1;
        // Search and steering (indicators by code) have no route with an
        // id; every other module has one.
        let without: Vec<_> = tried
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(m, _)| *m)
            .collect();
        assert_eq!(without, vec!["search", "steering"], "{tried:?}");
    }
);

db_test!(
    async fn a_member_reads_nothing_of_another_institution_through_the_api(db: Db) {
        let w = world(&db).await;
        let member = token(&db, "membre.a@t.test").await;
        let mut c = Client::new(db.clone());
        let d = doc();
        let mut checked = 0;
        for (m, path, _) in operations(&d) {
            let id = if path.starts_with("/api/v1/institutions/{id}") {
                w.b
            } else if path.starts_with("/api/v1/contacts/{id}") {
                w.contact_b
            } else {
                continue;
            };
            if m != "get" {
                continue;
            }
            let url = path.replace("{id}", &id.to_string());
            let r = c.api_get(&url, Some(&member)).await;
            assert!(
                r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
                "{url}: {} {}",
                r.status,
                r.body
            );
            assert!(
                r.json()["errors"][0]["code"].is_string(),
                "{url}: {}",
                r.body
            );
            assert!(!r.body.contains("Bêta"), "{url}: {}", r.body);
            checked += 1;
        }
        assert!(checked >= 4, "{checked}");
        // Their own institution answers, and lists hold only their own.
        let r = c
            .api_get(&format!("/api/v1/institutions/{}", w.a), Some(&member))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["name"], "Université Alpha");
        for list in ["/api/v1/institutions", "/api/v1/contacts"] {
            let r = c.api_get(list, Some(&member)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(!r.body.contains("Bêta"), "{list}: {}", r.body);
            assert!(!r.body.contains(&w.contact_b.to_string()), "{list}");
        }
    }
);

db_test!(
    async fn every_operation_answers_its_errors_in_json(db: Db) {
        // Each operation, three wrong ways: no credentials, a malformed id
        // with a body that is not JSON, and a body of the wrong type. Every
        // error answer is the envelope; none is a 5xx.
        world(&db).await;
        let admin = token(&db, "admin@t.test").await;
        let mut c = Client::new(db.clone());
        let d = doc();
        let mut errors = 0;
        for (m, path, _) in operations(&d) {
            let mut url = path.clone();
            for n in path_names(&path) {
                url = url.replace(&format!("{{{n}}}"), "pas-un-id");
            }
            let method = m.to_uppercase();
            let anonymous = Request::builder()
                .method(method.as_str())
                .uri(&url)
                .header(header::HOST, "localhost")
                .body(Body::empty())
                .expect("request");
            let tries = [
                c.send(anonymous).await,
                raw(
                    &mut c,
                    &method,
                    &url,
                    Some("application/json"),
                    b"{oups".to_vec(),
                    &admin,
                )
                .await,
                raw(
                    &mut c,
                    &method,
                    &url,
                    Some("text/plain"),
                    b"oups".to_vec(),
                    &admin,
                )
                .await,
            ];
            for r in tries {
                assert!(
                    !r.status.is_server_error(),
                    "{method} {url}: {} {}",
                    r.status,
                    r.body
                );
                if r.status.is_client_error() {
                    let ct = r
                        .headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    assert!(
                        ct.starts_with("application/json"),
                        "{method} {url}: {ct} {}",
                        r.body
                    );
                    assert!(
                        r.json()["errors"][0]["code"].is_string(),
                        "{method} {url}: {}",
                        r.body
                    );
                    errors += 1;
                }
            }
        }
        eprintln!("{errors} error answers checked, all in the envelope");
        assert!(errors > 250, "{errors}");
    }
);
