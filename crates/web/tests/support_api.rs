//! The support desk JSON API through the router, on both engines: filing
//! and entitlement, internal notes never reaching members, isolation
//! between institutions on every route (404 like a missing row), sharing
//! with a masked requester and "nous aussi", the workflow, incidents and
//! their notifications, CSRF on cookie calls, the OpenAPI document.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::db_test;
use serde_json::{json, Value};
use std::sync::Arc;

const NOTE: &str = "Note interne : contournement éditeur EDI-SECRET-42, ne pas diffuser.";
const REPLY: &str = "Bonjour, nous reproduisons le rejet et revenons vers vous.";

struct Desk {
    w: World,
    product: Id,
    /// Deployed nowhere: nobody is entitled to it.
    other_product: Id,
    agent: String,
    member_a: String,
    member_b: String,
    /// A member of an institution that uses none of the products.
    member_c: String,
}

async fn actor(db: &Db, email: &str) -> Actor {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    relais_app::accounts::actor_of(&u).expect("actor")
}

async fn token(app: &App, db: &Db, email: &str) -> String {
    let a = actor(db, email).await;
    relais_app::accounts::create_api_token(app, &a, "tests")
        .await
        .expect("token")
}

async fn desk(db: &Db) -> Desk {
    let w = world(db).await;
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
    let product = relais_testkit::builders::product(db, "sifac", "Sifac").await;
    let other_product = relais_testkit::builders::product(db, "geslab", "Geslab").await;
    let c = relais_testkit::builders::institution(db, "Université Gamma", "UG").await;
    let mut tx = db.begin().await.expect("tx");
    for inst in [w.a, w.b] {
        relais_store::crm::insert_deployment(
            &mut tx,
            Id::new(),
            &relais_store::crm::DeploymentValues {
                institution_id: inst,
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
    }
    tx.commit().await.expect("commit");
    user(db, "agent@t.test", Role::Support, None).await;
    user(db, "membre.b@t.test", Role::Member, Some(w.b)).await;
    user(db, "membre.c@t.test", Role::Member, Some(c)).await;
    Desk {
        agent: token(&app, db, "agent@t.test").await,
        member_a: token(&app, db, "membre.a@t.test").await,
        member_b: token(&app, db, "membre.b@t.test").await,
        member_c: token(&app, db, "membre.c@t.test").await,
        w,
        product,
        other_product,
    }
}

fn ticket_body(product: Id, subject: &str) -> Value {
    json!({
        "product_id": product.to_string(),
        "category": "anomalie",
        "severity": "majeur",
        "subject": subject,
        "body": "Le mandat de paie de mars est rejeté avec l'erreur FI-402.",
    })
}

async fn file(c: &mut Client, tok: &str, product: Id, subject: &str) -> String {
    let r = c
        .json(
            "POST",
            "/api/v1/tickets",
            ticket_body(product, subject),
            Some(tok),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["ticket"]["id"].as_str().expect("id").to_string()
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["id"].as_str().unwrap_or("").to_string())
        .collect()
}

db_test!(
    async fn filing_entitlement_and_internal_notes(db: Db) {
        let d = desk(&db).await;
        let mut c = Client::new(db.clone());
        let r = c
            .json(
                "POST",
                "/api/v1/tickets",
                ticket_body(d.product, "Rejet du mandat de paie"),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let t = r.json();
        let id = t["ticket"]["id"].as_str().expect("id").to_string();
        assert_eq!(r.location(), format!("/api/v1/tickets/{id}"));
        assert_eq!(t["ticket"]["institution_id"], d.w.a.to_string());
        assert_eq!(t["ticket"]["status"], "nouveau");
        assert!(t["ticket"]["first_response_due_at"].is_string());
        assert_eq!(t["first_response"]["code"], "ok");
        assert!(t["first_response"]["label"].is_string());

        // A product the institution does not use.
        let r = c
            .json(
                "POST",
                "/api/v1/tickets",
                ticket_body(d.other_product, "Geslab"),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "not_entitled");
        assert_eq!(r.json()["errors"][0]["field"], "product_id");

        // An agent files for an institution, and must say which.
        let r = c
            .json(
                "POST",
                "/api/v1/tickets",
                ticket_body(d.product, "Par téléphone"),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "institution_id");
        let mut b = ticket_body(d.product, "Par téléphone");
        b["institution_id"] = json!(d.w.b.to_string());
        let r = c
            .json("POST", "/api/v1/tickets", b, Some(&d.agent), false)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["ticket"]["institution_id"], d.w.b.to_string());

        // Public reply and internal note by the agent.
        let msgs = format!("/api/v1/tickets/{id}/messages");
        let r = c
            .json(
                "POST",
                &msgs,
                json!({"body": REPLY, "internal": false}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = c
            .json(
                "POST",
                &msgs,
                json!({"body": NOTE, "internal": true}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let path = format!("/api/v1/tickets/{id}");
        let agent_view = c.api_get(&path, Some(&d.agent)).await;
        assert!(agent_view.body.contains("EDI-SECRET-42"));
        assert_eq!(agent_view.json()["ticket"]["status"], "en_cours");
        let member_view = c.api_get(&path, Some(&d.member_a)).await;
        assert_eq!(member_view.status, StatusCode::OK);
        assert!(member_view.body.contains("nous reproduisons le rejet"));
        assert!(!member_view.body.contains("EDI-SECRET-42"));
        assert!(!member_view.body.contains("internal\""));
        assert_eq!(
            member_view.json()["messages"].as_array().map(Vec::len),
            Some(2)
        );
        assert!(!member_view.json()["events"]
            .as_array()
            .expect("events")
            .is_empty());

        // Members write public replies only.
        let r = c
            .json(
                "POST",
                &msgs,
                json!({"body": "Note à moi-même", "internal": true}),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .json(
                "POST",
                &msgs,
                json!({"body": "Merci, nous attendons.", "internal": false}),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let r = c
            .json(
                "POST",
                &msgs,
                json!({"body": "  "}),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The agent's queue: SLA fields, filters, paging.
        let r = c
            .api_get(
                &format!(
                    "/api/v1/tickets?product={}&open=true&sort=due&assignee=",
                    d.product
                ),
                Some(&d.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["total"], 2);
        assert!(r.json()["items"][0]["resolution_due_at"].is_string());
        assert!(r.json()["items"][0]["paused_minutes"].is_i64());
        let r = c
            .api_get("/api/v1/tickets?per_page=1&page=2", Some(&d.agent))
            .await;
        assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(r.json()["page"], 2);
        assert_eq!(r.json()["total"], 2);
        let r = c
            .api_get("/api/v1/tickets?per_page=5000", Some(&d.agent))
            .await;
        assert_eq!(r.json()["per_page"], 200);
        let r = c
            .api_get("/api/v1/tickets?assignee=me", Some(&d.agent))
            .await;
        assert_eq!(r.json()["total"], 0);
        let r = c.api_get("/api/v1/tickets?sort=n", Some(&d.agent)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "invalid_sort");
        // Members: `me` and the institution filter are refused.
        let r = c
            .api_get("/api/v1/tickets?assignee=me", Some(&d.member_a))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c
            .api_get(
                &format!("/api/v1/tickets?institution={}", d.w.b),
                Some(&d.member_a),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .api_get(
                &format!("/api/v1/tickets?institution={}", d.w.b),
                Some(&d.agent),
            )
            .await;
        assert_eq!(r.json()["total"], 1);
    }
);

db_test!(
    async fn other_institutions_see_nothing_until_shared(db: Db) {
        let d = desk(&db).await;
        let mut c = Client::new(db.clone());
        let id = file(&mut c, &d.member_a, d.product, "Rejet confidentiel").await;
        let own_b = file(&mut c, &d.member_b, d.product, "Ticket de Bêta").await;
        let path = format!("/api/v1/tickets/{id}");

        let r = c.api_get(&path, Some(&d.member_b)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["errors"][0]["code"], "not_found");
        let missing = c
            .api_get(&format!("/api/v1/tickets/{}", Id::new()), Some(&d.member_b))
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, missing.body, "forbidden and missing look alike");
        let posts = [
            ("messages", json!({"body": "Intrus", "internal": false})),
            ("status", json!({"status": "clos"})),
            ("assign", json!({"team_id": null, "assignee_id": null})),
            ("estimate", json!({"at": "2026-03-01T14:00:00+01:00"})),
            (
                "share",
                json!({"shared": true, "share_requester": true, "share_attachments": true}),
            ),
            ("follow", json!({"affected": true})),
            ("workarounds", json!({"body": "Intrus"})),
        ];
        for (route, body) in &posts {
            let r = c
                .json(
                    "POST",
                    &format!("{path}/{route}"),
                    body.clone(),
                    Some(&d.member_b),
                    false,
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "POST {route}: {}", r.body);
        }
        // Nothing moved.
        let r = c.api_get(&path, Some(&d.agent)).await;
        let t = r.json();
        assert_eq!(t["ticket"]["status"], "nouveau");
        assert_eq!(t["ticket"]["shared"], 0);
        assert!(!r.body.contains("Intrus"));
        assert_eq!(t["followers_count"], 0);

        // B's list: only its own ticket, and the total agrees.
        let r = c.api_get("/api/v1/tickets", Some(&d.member_b)).await;
        assert_eq!(ids(&r.json()), vec![own_b.clone()]);
        assert_eq!(r.json()["total"], 1);
        let r = c
            .api_get("/api/v1/tickets?shared=true", Some(&d.member_b))
            .await;
        assert_eq!(r.json()["total"], 0);

        // A shares it, without the requester.
        let r = c
            .json(
                "POST",
                &format!("{path}/share"),
                json!({"shared": true, "share_requester": false, "share_attachments": false}),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["ticket"]["shared"], 1);
        assert_eq!(r.json()["ticket"]["requester_name"], "membre.a");

        let r = c.api_get(&path, Some(&d.member_b)).await;
        assert_eq!(r.status, StatusCode::OK);
        let t = r.json();
        assert_eq!(t["ticket"]["requester_name"], "Établissement adhérent");
        assert!(t["ticket"]["requester_email"].is_null());
        assert!(t["ticket"]["requester_id"].is_null());
        assert!(!r.body.contains("membre.a"));
        assert_eq!(t["events"].as_array().map(Vec::len), Some(0));
        assert_eq!(t["affected_by_me"], false);
        assert_eq!(t["ticket"]["affected_count"], 0);

        let r = c
            .api_get("/api/v1/tickets?shared=true", Some(&d.member_b))
            .await;
        assert_eq!(ids(&r.json()), vec![id.clone()]);
        assert_eq!(r.json()["total"], 1);
        assert_eq!(
            r.json()["items"][0]["requester_name"],
            "Établissement adhérent"
        );
        assert!(!r.body.contains("membre.a"));
        let r = c.api_get("/api/v1/tickets", Some(&d.member_b)).await;
        assert_eq!(r.json()["total"], 2);
        // The requester still sees their own name.
        let r = c.api_get("/api/v1/tickets", Some(&d.member_a)).await;
        assert!(r.body.contains("membre.a"));

        // "Nous aussi".
        let r = c
            .json(
                "POST",
                &format!("{path}/follow"),
                json!({"affected": true}),
                Some(&d.member_b),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["affected_by_me"], true);
        assert_eq!(r.json()["ticket"]["affected_count"], 1);
        assert_eq!(r.json()["followers_count"], 1);
        // B may add a workaround, but neither change the status nor share.
        let r = c
            .json(
                "POST",
                &format!("{path}/workarounds"),
                json!({"body": "Relancer le calcul la nuit."}),
                Some(&d.member_b),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        for (route, body) in [
            ("status", json!({"status": "clos"})),
            ("share", json!({"shared": false})),
            ("messages", json!({"body": "Réponse de B"})),
            ("assign", json!({})),
        ] {
            let r = c
                .json(
                    "POST",
                    &format!("{path}/{route}"),
                    body,
                    Some(&d.member_b),
                    false,
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {route}: {}", r.body);
        }
        let r = c.api_get(&path, Some(&d.member_a)).await;
        assert_eq!(r.json()["ticket"]["shared"], 1);
        assert_eq!(
            r.json()["workarounds"][0]["body"],
            "Relancer le calcul la nuit."
        );
        // A member of an institution without the product sees nothing.
        let r = c.api_get(&path, Some(&d.member_c)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = c.api_get("/api/v1/tickets", Some(&d.member_c)).await;
        assert_eq!(r.json()["total"], 0);
    }
);

db_test!(
    async fn workflow_and_agent_only_actions(db: Db) {
        let d = desk(&db).await;
        let mut c = Client::new(db.clone());
        let id = file(&mut c, &d.member_a, d.product, "Workflow").await;
        let path = format!("/api/v1/tickets/{id}");
        let post = |route: &str| format!("{path}/{route}");
        // Members cannot take it in hand.
        let r = c
            .json(
                "POST",
                &post("status"),
                json!({"status": "en_cours"}),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "transition_refused");
        let r = c
            .json(
                "POST",
                &post("status"),
                json!({"status": "inconnu"}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.json()["errors"][0]["code"], "invalid_status");
        for (route, body) in [
            ("assign", json!({"team_id": null, "assignee_id": null})),
            ("estimate", json!({"at": null})),
        ] {
            let r = c
                .json("POST", &post(route), body, Some(&d.member_a), false)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{route}");
        }
        let agent = actor(&db, "agent@t.test").await;
        let r = c
            .json(
                "POST",
                &post("assign"),
                json!({"assignee_id": agent.user_id.to_string()}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["ticket"]["assignee_id"], agent.user_id.to_string());
        let r = c
            .api_get("/api/v1/tickets?assignee=me", Some(&d.agent))
            .await;
        assert_eq!(ids(&r.json()), vec![id.clone()]);
        let r = c
            .json(
                "POST",
                &post("assign"),
                json!({"team_id": "pas-un-id"}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        let r = c
            .json(
                "POST",
                &post("estimate"),
                json!({"at": "demain"}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.json()["errors"][0]["code"], "invalid_datetime");
        let r = c
            .json(
                "POST",
                &post("estimate"),
                json!({"at": "2031-03-01T14:00:00+01:00"}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.json()["ticket"]["agent_estimate_at"],
            "2031-03-01T13:00:00.000Z"
        );

        // nouveau → en_cours → resolu, then resolu → attente_editeur refused.
        for s in ["en_cours", "resolu"] {
            let r = c
                .json(
                    "POST",
                    &post("status"),
                    json!({"status": s}),
                    Some(&d.agent),
                    false,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.body);
            assert_eq!(r.json()["ticket"]["status"], s);
        }
        let r = c
            .json(
                "POST",
                &post("status"),
                json!({"status": "attente_editeur"}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "transition_refused");
        // The institution closes it.
        let r = c
            .json(
                "POST",
                &post("status"),
                json!({"status": "clos"}),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["ticket"]["status"], "clos");
        assert!(r.json()["ticket"]["closed_at"].is_string());
        // Following one's own ticket makes no sense.
        let r = c
            .json(
                "POST",
                &post("follow"),
                json!({"affected": true}),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.json()["errors"][0]["code"], "own_ticket");
    }
);

async fn notify_jobs(db: &Db) -> Vec<Value> {
    let mut c = db.read().await.expect("conn");
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT payload FROM jobs WHERE kind = 'mail.notify' ORDER BY id")
            .fetch_all(&mut *c)
            .await
            .expect("jobs");
    rows.into_iter()
        .map(|r| serde_json::from_str(&r.0).expect("json"))
        .filter(|v: &Value| v["template"] == "incident_resolved")
        .collect()
}

db_test!(
    async fn incidents_known_issues_and_notifications(db: Db) {
        let d = desk(&db).await;
        let mut c = Client::new(db.clone());
        let ta = file(&mut c, &d.member_a, d.product, "Paie rejetée A").await;
        let tb = file(&mut c, &d.member_b, d.product, "Paie rejetée B").await;
        let body = json!({
            "product_id": d.product.to_string(),
            "title": "Rejet des mandats de paie",
            "description": "Depuis la mise à jour V1R15.",
            "ticket_ids": [ta.clone()],
        });
        let r = c
            .json(
                "POST",
                "/api/v1/incidents",
                body.clone(),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .json("POST", "/api/v1/incidents", body, Some(&d.agent), false)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let inc = r.json()["incident"]["id"].as_str().expect("id").to_string();
        assert_eq!(r.location(), format!("/api/v1/incidents/{inc}"));
        assert_eq!(r.json()["tickets"].as_array().map(Vec::len), Some(1));
        let path = format!("/api/v1/incidents/{inc}");

        let add = json!({"ticket_id": tb.clone()});
        let r = c
            .json(
                "POST",
                &format!("{path}/tickets"),
                add.clone(),
                Some(&d.member_b),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .json(
                "POST",
                &format!("{path}/tickets"),
                add,
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["incident"]["ticket_count"], 2);
        assert_eq!(r.json()["tickets"].as_array().map(Vec::len), Some(2));

        // Members see the incident, with only the tickets they may read.
        let r = c.api_get(&path, Some(&d.member_a)).await;
        assert_eq!(r.status, StatusCode::OK);
        let seen: Vec<String> = r.json()["tickets"]
            .as_array()
            .expect("tickets")
            .iter()
            .map(|t| t["id"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(seen, vec![ta.clone()]);
        assert!(!r.body.contains("Paie rejetée B"));
        let r = c.api_get(&path, Some(&d.member_c)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = c.api_get("/api/v1/incidents", Some(&d.member_c)).await;
        assert_eq!(r.json().as_array().map(Vec::len), Some(0));
        let r = c
            .api_get(
                &format!("/api/v1/incidents?product={}&open=true", d.product),
                Some(&d.member_b),
            )
            .await;
        assert_eq!(r.json()[0]["id"], inc);
        let known = format!("/api/v1/products/{}/known-issues", d.product);
        let r = c.api_get(&known, Some(&d.member_a)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()[0]["title"], "Rejet des mandats de paie");
        let r = c.api_get(&known, Some(&d.member_c)).await;
        assert_eq!(r.json().as_array().map(Vec::len), Some(0));

        // Members cannot resolve; the agent's resolution notifies each of
        // the two reporting institutions once.
        let resolve = json!({"resolution": "Correctif éditeur V1R15.1 installé."});
        let r = c
            .json(
                "POST",
                &format!("{path}/resolve"),
                resolve.clone(),
                Some(&d.member_a),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(notify_jobs(&db).await.is_empty());
        let r = c
            .json(
                "POST",
                &format!("{path}/resolve"),
                resolve.clone(),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["incident"]["status"], "resolu");
        let jobs = notify_jobs(&db).await;
        let mut insts: Vec<String> = jobs
            .iter()
            .map(|j| j["institution_id"].as_str().unwrap_or("").to_string())
            .collect();
        insts.sort();
        let mut expected = vec![d.w.a.to_string(), d.w.b.to_string()];
        expected.sort();
        assert_eq!(insts, expected);
        for t in [&ta, &tb] {
            let r = c
                .api_get(&format!("/api/v1/tickets/{t}"), Some(&d.agent))
                .await;
            assert_eq!(r.json()["ticket"]["status"], "resolu");
        }
        // Resolving twice is refused; the known issues list is empty now.
        let r = c
            .json(
                "POST",
                &format!("{path}/resolve"),
                resolve,
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(notify_jobs(&db).await.len(), 2);
        let r = c.api_get(&known, Some(&d.member_a)).await;
        assert_eq!(r.json().as_array().map(Vec::len), Some(0));
    }
);

db_test!(
    async fn cookie_calls_need_csrf_and_openapi_lists_the_routes(db: Db) {
        let d = desk(&db).await;
        let mut c = Client::new(db.clone());
        let id = file(&mut c, &d.member_a, d.product, "CSRF").await;
        let r = c.login("agent@t.test", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        c.get("/").await;
        assert!(!c.csrf.is_empty());
        let msgs = format!("/api/v1/tickets/{id}/messages");
        let r = c
            .json(
                "POST",
                &msgs,
                json!({"body": "Sans jeton CSRF"}),
                None,
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["errors"][0]["code"], "csrf");
        let r = c
            .json(
                "POST",
                &msgs,
                json!({"body": "Avec jeton CSRF"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = c
            .json(
                "POST",
                &msgs,
                json!({"body": "Par jeton d'API"}),
                Some(&d.agent),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = c.api_get(&format!("/api/v1/tickets/{id}"), None).await;
        assert!(!r.body.contains("Sans jeton CSRF"));
        assert!(r.body.contains("Avec jeton CSRF") && r.body.contains("Par jeton d'API"));

        let r = c.get("/api/openapi.json").await;
        assert_eq!(r.status, StatusCode::OK);
        let doc = r.json();
        for p in [
            "/api/v1/tickets",
            "/api/v1/tickets/{id}",
            "/api/v1/tickets/{id}/messages",
            "/api/v1/tickets/{id}/status",
            "/api/v1/tickets/{id}/assign",
            "/api/v1/tickets/{id}/estimate",
            "/api/v1/tickets/{id}/share",
            "/api/v1/tickets/{id}/follow",
            "/api/v1/tickets/{id}/workarounds",
            "/api/v1/incidents",
            "/api/v1/incidents/{id}",
            "/api/v1/incidents/{id}/tickets",
            "/api/v1/incidents/{id}/resolve",
            "/api/v1/products/{id}/known-issues",
        ] {
            assert!(doc["paths"][p].is_object(), "missing {p}");
        }
        assert!(doc["paths"]["/api/v1/tickets"]["post"].is_object());
        assert!(doc["components"]["schemas"]["TicketDetail"].is_object());
        assert!(doc["info"]["description"]
            .as_str()
            .unwrap_or("")
            .contains("support"));
    }
);
