//! Knowledge base pages and API through the router, on both engines: an
//! agent drafts from a resolved ticket in one action, members never see a
//! draft (list, page, API), publishing shares the article with every
//! institution, members cannot write, Markdown is rendered safely, and a
//! published article past its review date is flagged.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::support::TicketInput;
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::db_test;
use serde_json::json;
use std::sync::Arc;

struct Kb {
    product: Id,
    resolved: Id,
    open: Id,
}

const SOLUTION: &str =
    "Videz le cache des workflows puis relancez la validation du bon de commande.";
const NOTE: &str = "Note interne : bogue connu de l'éditeur, référence EDI-SECRET-99.";

async fn actor(db: &Db, email: &str) -> Actor {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    relais_app::accounts::actor_of(&u).expect("actor")
}

async fn kb(db: &Db, w: &World) -> Kb {
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
    let product = relais_testkit::builders::product(db, "sifac", "Sifac").await;
    let mut tx = db.begin().await.expect("tx");
    relais_store::crm::insert_release(
        &mut tx,
        Id::new(),
        product,
        "V1R15",
        Some("2021-02-01".into()),
        None,
    )
    .await
    .expect("release");
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
    let agent = actor(db, "agent@t.test").await;
    let member = actor(db, "membre.a@t.test").await;
    let ticket = |subject: &str, body: &str| TicketInput {
        product_id: product.to_string(),
        category: "anomalie".into(),
        severity: "majeur".into(),
        subject: subject.into(),
        body: body.into(),
        ..Default::default()
    };
    let resolved = relais_app::support::create_ticket(
        &app,
        &member,
        None,
        ticket(
            "Bon de commande bloqué en validation",
            "Bonjour, ici membre.a de l'Université Alpha (membre.a@t.test) : le bon de commande reste bloqué en validation.",
        ),
        "web",
    )
    .await
    .expect("ticket");
    relais_app::support::reply(&app, &agent, resolved, NOTE, true, "web", None)
        .await
        .expect("note");
    relais_app::support::reply(&app, &agent, resolved, SOLUTION, false, "web", None)
        .await
        .expect("reply");
    relais_app::support::change_status(&app, &agent, resolved, "resolu")
        .await
        .expect("resolved");
    let open = relais_app::support::create_ticket(
        &app,
        &member,
        None,
        ticket("Question ouverte", "Toujours en cours."),
        "web",
    )
    .await
    .expect("open");
    Kb {
        product,
        resolved,
        open,
    }
}

async fn logged_in(db: &Db, email: &str) -> Client {
    let mut c = Client::new(db.clone());
    let r = c.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {email}: {}", r.body);
    c.get("/").await;
    c
}

fn textarea(html: &str) -> String {
    let start = html.find("<textarea").expect("textarea");
    let rest = &html[start..];
    let open_end = rest.find('>').expect(">") + 1;
    let end = rest.find("</textarea>").expect("</textarea>");
    rest[open_end..end].to_string()
}

fn article_id(location: &str) -> Id {
    let rest = location
        .strip_prefix("/connaissances/")
        .unwrap_or_else(|| panic!("{location}"));
    Id::parse(rest.split(['/', '?']).next().unwrap_or(""))
        .unwrap_or_else(|| panic!("no id in {location}"))
}

db_test!(
    async fn drafted_from_a_ticket_hidden_until_published_then_shared(db: Db) {
        let w = world(&db).await;
        let k = kb(&db, &w).await;
        let mut agent = logged_in(&db, "agent@t.test").await;
        assert!(
            agent
                .get("/")
                .await
                .body
                .contains("href=\"/connaissances\""),
            "nav entry"
        );

        // Refused on an open ticket.
        let r = agent
            .post_form(&format!("/support/{}/article", k.open), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("résolu ou clos"), "{}", r.body);

        // One action on the resolved ticket: the draft's edit form.
        let r = agent
            .post_form(&format!("/support/{}/article", k.resolved), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().ends_with("/modifier"), "{}", r.location());
        let id = article_id(&r.location());
        let form = agent.get(&r.location()).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("Bon de commande bloqué en validation"),
            "title from the subject"
        );
        assert!(form.body.contains("V1R15"), "latest release as version");
        let body = textarea(&form.body);
        assert!(
            body.contains("Symptôme") && body.contains("reste bloqué en validation"),
            "{body}"
        );
        assert!(body.contains("Videz le cache des workflows"), "{body}");
        for leak in [
            "EDI-SECRET-99",
            "Note interne",
            "membre.a",
            "Alpha",
            "t.test",
        ] {
            assert!(!body.contains(leak), "{leak} in {body}");
        }

        // Members of any institution: no draft anywhere.
        let mut member_a = logged_in(&db, "membre.a@t.test").await;
        let mut member_b = logged_in(&db, "membre.b@t.test").await;
        for m in [&mut member_a, &mut member_b] {
            let r = m.get(&format!("/connaissances/{id}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            assert!(!r.body.contains("Videz le cache"));
            let r = m.get("/connaissances?status=brouillon").await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(!r.body.contains("Bon de commande"), "no draft in the list");
            let r = m.api_get(&format!("/api/v1/articles/{id}"), None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            assert_eq!(r.json()["errors"][0]["code"], "not_found");
            let r = m.api_get("/api/v1/articles?status=brouillon", None).await;
            assert_eq!(r.json()["total"], 0, "{}", r.body);
            assert_eq!(
                m.get(&format!("/connaissances/{id}/modifier")).await.status,
                StatusCode::NOT_FOUND
            );
        }

        // Members cannot write: 403, by page and by API.
        assert_eq!(
            member_a.get("/connaissances/nouveau").await.status,
            StatusCode::FORBIDDEN
        );
        let r = member_a
            .post_form(&format!("/connaissances/{id}/publier"), &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = member_a
            .json(
                "POST",
                "/api/v1/articles",
                json!({"product_id": k.product.to_string(), "title": "x", "body": "y"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = member_a
            .json(
                "POST",
                &format!("/api/v1/articles/{id}/publish"),
                json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = member_a
            .json(
                "POST",
                &format!("/api/v1/tickets/{}/article", k.resolved),
                json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // The agent sends it to review and publishes it with the page buttons.
        let page = agent.get(&format!("/connaissances/{id}")).await;
        assert!(page
            .body
            .contains(&format!("action=\"/connaissances/{id}/relecture\"")));
        assert!(page.body.contains("Rédigé à partir du ticket"));
        let r = agent
            .post_form(&format!("/connaissances/{id}/relecture"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            member_b.get(&format!("/connaissances/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "in review: hidden"
        );
        let r = agent
            .post_form(&format!("/connaissances/{id}/publier"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = agent.get(&r.location()).await;
        assert!(page.body.contains("Article publié"), "notice");
        assert!(page.body.contains("Historique des modifications"));

        // Published: a member of ANOTHER institution reads it.
        let r = member_b.get(&format!("/connaissances/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Videz le cache des workflows"));
        assert!(
            !r.body.contains("Rédigé à partir du ticket") && !r.body.contains("Historique"),
            "agency details stay hidden"
        );
        assert!(
            !r.body.contains("/publier"),
            "no workflow buttons for members"
        );
        assert!(member_b
            .get("/connaissances?q=bon+commande")
            .await
            .body
            .contains("Bon de commande bloqué"));
        let r = member_b
            .api_get(&format!("/api/v1/articles/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["status"], "publie");
        assert_eq!(r.json()["source_ticket_id"], serde_json::Value::Null);
        assert_eq!(r.json()["version"], "V1R15");
        let r = member_b
            .api_get(&format!("/api/v1/articles?product_id={}", k.product), None)
            .await;
        assert_eq!(r.json()["total"], 1);
        // And the API door drafts too (the same draft, a double click makes one).
        let r = agent
            .json(
                "POST",
                &format!("/api/v1/tickets/{}/article", k.resolved),
                json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = agent
            .json(
                "POST",
                &format!("/api/v1/tickets/{}/article", k.open),
                json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "ticket_not_resolved");
    }
);

db_test!(
    async fn markdown_is_rendered_without_scripts_and_stale_articles_are_flagged(db: Db) {
        let w = world(&db).await;
        let k = kb(&db, &w).await;
        let mut agent = logged_in(&db, "agent@t.test").await;
        let body = "# Procédure\n\nLe **mandat** est rejeté.\n\n<script>alert('xss')</script>\n\n\
                    [cliquez ici](javascript:alert(1)) et <a href=\"javascript:alert(2)\">là</a>\n\n\
                    <img src=x onerror=\"alert(3)\">\n\n[Documentation](https://www.amue.fr/sifac)";
        let r = agent
            .json(
                "POST",
                "/api/v1/articles",
                json!({"product_id": k.product.to_string(), "version": "V1R15", "title": "Mandats rejetés", "body": body}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().expect("id").to_string();
        let r = agent
            .json(
                "POST",
                &format!("/api/v1/articles/{id}/publish"),
                json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "publie");
        assert!(r.json()["review_on"].as_str().is_some());

        let mut member = logged_in(&db, "membre.b@t.test").await;
        let page = member.get(&format!("/connaissances/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let start = page
            .body
            .find("<div class=\"article-body\">")
            .expect("article body");
        let end = page.body[start..].find("</article>").expect("end") + start;
        let html = &page.body[start..end];
        assert!(html.contains("<strong>mandat</strong>"), "{html}");
        assert!(
            html.contains("<h2>Procédure</h2>"),
            "a # title under the page's h1: {html}"
        );
        assert!(
            html.contains("href=\"https://www.amue.fr/sifac\""),
            "{html}"
        );
        for bad in ["<script", "alert(", "javascript:", "onerror"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(!page.body.contains("alert("), "nowhere in the page");
        let api = member
            .api_get(&format!("/api/v1/articles/{id}"), None)
            .await;
        let rendered = api.json()["body_html"].as_str().expect("html").to_string();
        assert!(
            !rendered.contains("<script") && !rendered.contains("javascript:"),
            "{rendered}"
        );

        // Not stale yet.
        assert!(!page.body.contains("À revoir"));
        let r = agent.get("/connaissances?a_revoir=1").await;
        assert!(!r.body.contains("Mandats rejetés"));
        // The agent sets a review date already past (the edit form keeps it published).
        let form = agent.get(&format!("/connaissances/{id}/modifier")).await;
        assert_eq!(form.status, StatusCode::OK);
        let r = agent
            .post_form(
                &format!("/connaissances/{id}"),
                &[
                    ("title", "Mandats rejetés"),
                    ("product_id", &k.product.to_string()),
                    ("version", "V1R15"),
                    ("review_on", "2020-01-31"),
                    ("body", body),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = member.get(&format!("/connaissances/{id}")).await;
        assert!(
            page.body.contains("À revoir") && page.body.contains("31/01/2020"),
            "stale flag on the page"
        );
        assert!(
            member
                .get("/connaissances")
                .await
                .body
                .contains("Mandats rejetés (À revoir)"),
            "and in lists"
        );
        let r = agent.get("/connaissances?a_revoir=1").await;
        assert!(r.body.contains("Articles à revoir") && r.body.contains("Mandats rejetés"));
        assert_eq!(
            agent
                .api_get("/api/v1/articles?a_revoir=true", None)
                .await
                .json()["items"][0]["stale"],
            true
        );
        // Marked as reviewed: off the list.
        agent.get(&format!("/connaissances/{id}")).await;
        let r = agent
            .post_form(&format!("/connaissances/{id}/relu"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!agent
            .get("/connaissances?a_revoir=1")
            .await
            .body
            .contains("Mandats rejetés"));

        // A new article by the page form; errors come back on the form.
        agent.get("/connaissances/nouveau").await;
        let r = agent
            .post_form(
                "/connaissances",
                &[("title", ""), ("product_id", ""), ("body", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("error-summary"));
        let r = agent
            .post_form(
                "/connaissances",
                &[
                    ("title", "Clôture"),
                    ("product_id", &k.product.to_string()),
                    ("body", "Texte."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().contains("?ok=article"));
        // The OpenAPI document lists the routes.
        let doc = agent.api_get("/api/openapi.json", None).await.json();
        for p in [
            "/api/v1/articles",
            "/api/v1/articles/{id}",
            "/api/v1/articles/{id}/publish",
            "/api/v1/tickets/{id}/article",
        ] {
            assert!(doc["paths"].get(p).is_some(), "{p}");
        }
    }
);
