//! The assistant through the router, on both engines: a member describing
//! a known problem without accents and with a typo is offered the right
//! article (never another institution's private ticket); "cela répond à ma
//! question" files no ticket and is counted; a ticket filed anyway within a
//! week counts as a reopening; the figures page is for the agency only.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_app::search::SearchHandle;
use relais_app::App;
use relais_domain::accounts::Role;
use relais_domain::support::TicketInput;
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::Arc;

async fn ticket_count(db: &Db) -> i64 {
    let mut c = db.read().await.expect("conn");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut *c)
        .await
        .expect("count");
    n
}

db_test!(
    async fn a_member_is_answered_before_filing(db: Db) {
        let w = world(&db).await;
        let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        app.search = Some(SearchHandle(Arc::new(
            relais_search::SearchIndex::in_memory().expect("index"),
        )));
        relais_app::support::ensure_defaults(&app)
            .await
            .expect("defaults");
        let siham = relais_testkit::builders::product(&db, "siham", "Siham").await;
        for inst in [w.a, w.b] {
            relais_testkit::builders::deploy(&db, inst, siham).await;
        }
        user(&db, "agent@t.test", Role::Support, None).await;
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let agent = actor_of(&db, "agent@t.test").await;
        let article = relais_app::knowledge::create_article(
            &app,
            &agent,
            relais_app::knowledge::ArticleInput {
                product_id: siham.to_string(),
                version: None,
                title: "Rejet de la préliquidation de paie".into(),
                body: "## Symptôme\n\nLa préliquidation est rejetée avec l'erreur PAI-201 pour les contractuels.\n\n## Solution\n\nAjoutez la rubrique indemnitaire.".into(),
                review_on: None,
            },
        )
        .await
        .expect("article");
        relais_app::knowledge::submit_for_review(&app, &agent, article)
            .await
            .expect("review");
        relais_app::knowledge::publish(&app, &agent, article)
            .await
            .expect("publish");
        // A's private resolved ticket on the same problem: never offered to B.
        let a = actor_of(&db, "membre.a@t.test").await;
        let private = relais_app::support::create_ticket(
            &app,
            &a,
            None,
            TicketInput {
                product_id: siham.to_string(),
                category: "anomalie".into(),
                severity: "majeur".into(),
                subject: "Préliquidation rejetée chez Alpha".into(),
                body: "Erreur PAI-201 sur la préliquidation des contractuels.".into(),
                ..Default::default()
            },
            "web",
        )
        .await
        .expect("ticket");
        relais_app::support::change_status(&app, &agent, private, "resolu")
            .await
            .expect("resolve");
        run_index_jobs(&app).await;
        let before = ticket_count(&db).await;

        let mut b = client_for(&app);
        b.login("membre.b@t.test", PASSWORD).await;
        let form = b.get("/support/nouveau").await;
        assert!(
            form.body.contains("hx-post=\"/assistant/suggestions\""),
            "the assistant listens to the form"
        );
        let r = b
            .post_form(
                "/assistant/suggestions",
                &[
                    ("product_id", ""),
                    ("subject", "prelquidation rejetee"),
                    ("body", "erreur PAI-201 pour nos contractuels"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Rejet de la préliquidation de paie"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Cela répond à ma question"));
        assert!(
            !r.body.contains(&private.to_string()),
            "another institution's private ticket is never suggested"
        );
        assert!(!r.body.contains("<html"), "a fragment, not a page");

        // Without JavaScript the same answers come with the page; nothing is filed.
        let r = b
            .post_form(
                "/support",
                &[
                    ("product_id", &siham.to_string()),
                    ("category", "anomalie"),
                    ("severity", "majeur"),
                    ("subject", "prelquidation rejetee"),
                    ("body", "erreur PAI-201"),
                    ("action", "suggerer"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Rejet de la préliquidation de paie"));
        assert_eq!(ticket_count(&db).await, before);

        let open = b
            .get(&format!(
                "/assistant/ouvrir?type=article&id={article}&q=prelquidation"
            ))
            .await;
        assert_eq!(open.status, StatusCode::SEE_OTHER);
        assert_eq!(open.location(), format!("/connaissances/{article}"));
        let forbidden = b
            .get(&format!("/assistant/ouvrir?type=ticket&id={private}&q=x"))
            .await;
        assert_eq!(
            forbidden.status,
            StatusCode::NOT_FOUND,
            "no record through a document one may not read"
        );

        b.get("/support/nouveau").await;
        let r = b
            .post_form(
                "/assistant/resolu",
                &[
                    ("type", "article"),
                    ("id", &article.to_string()),
                    ("q", "prelquidation rejetee"),
                    ("product_id", &siham.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Aucun ticket n"));
        assert_eq!(
            ticket_count(&db).await,
            before,
            "a deflection files no ticket"
        );
        let r = b
            .post_form(
                "/assistant/resolu",
                &[("type", "ticket"), ("id", &private.to_string()), ("q", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let mut ag = client_for(&app);
        ag.login("agent@t.test", PASSWORD).await;
        let stats = ag.get("/assistant").await;
        assert_eq!(stats.status, StatusCode::OK);
        let text = stats.body.replace("&#39;", "'");
        assert!(
            text.contains("Problèmes résolus sans ticket</dt><dd>1</dd>"),
            "{}",
            text
        );
        assert!(text.contains("Suggestions ouvertes</dt><dd>1 ("));
        assert!(
            text.contains("Rejet de la préliquidation de paie"),
            "what helped is listed"
        );
        assert!(text.contains("Université Bêta"));
        assert_eq!(
            b.get("/assistant").await.status,
            StatusCode::FORBIDDEN,
            "members do not see the figures"
        );

        // B files anyway: the deflection did not hold.
        b.get("/support/nouveau").await;
        let r = b
            .post_form(
                "/support",
                &[
                    ("product_id", &siham.to_string()),
                    ("category", "anomalie"),
                    ("severity", "majeur"),
                    ("subject", "Toujours rejetée"),
                    ("body", "La rubrique est ajoutée mais le rejet continue."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let stats = ag.get("/assistant").await;
        assert!(
            stats
                .body
                .contains("Ticket ouvert malgré tout dans la semaine</dt><dd>1 (100 %)"),
            "{}",
            stats.body
        );
    }
);
