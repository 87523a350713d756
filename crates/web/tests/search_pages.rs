//! The search page through the router, on both engines: a member finds
//! their own ticket with a query typed without accents, never another
//! institution's private ticket (not even in the count), finds it once
//! shared; agents get facets; snippets are escaped with only the matches
//! marked.

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

db_test!(
    async fn members_find_only_what_they_may_read(db: Db) {
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
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        let a = actor_of(&db, "membre.a@t.test").await;
        let t = relais_app::support::create_ticket(
            &app,
            &a,
            None,
            TicketInput {
                product_id: siham.to_string(),
                category: "anomalie".into(),
                severity: "majeur".into(),
                subject: "Préliquidation rejetée <script>x</script>".into(),
                body: "La préliquidation de la paie des contractuels est rejetée.".into(),
                ..Default::default()
            },
            "web",
        )
        .await
        .expect("ticket");
        run_index_jobs(&app).await;

        let mut ca = client_for(&app);
        ca.login("membre.a@t.test", PASSWORD).await;
        let r = ca.get("/recherche?q=preliquidation+contractuel").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains(&format!("/support/{t}")),
            "own ticket found without accents"
        );
        assert!(r.body.contains("1 résultat"));
        assert!(
            r.body.contains("<b>contractuels</b>"),
            "matches highlighted"
        );
        assert!(!r.body.contains("<script>x</script>"), "titles are escaped");
        assert!(
            !r.body.contains("class=\"facets\""),
            "members get no facets"
        );

        let mut cb = client_for(&app);
        cb.login("membre.b@t.test", PASSWORD).await;
        let r = cb.get("/recherche?q=preliquidation").await;
        assert!(!r.body.contains(&format!("/support/{t}")));
        assert!(r.body.contains("0 résultat"), "not even counted");
        let api = cb.api_get("/api/v1/search?q=preliquidation", None).await;
        assert_eq!(api.status, StatusCode::OK);
        assert_eq!(api.json()["total"], 0, "the API does not count it either");
        let api = ca.api_get("/api/v1/search?q=preliquidation", None).await;
        assert_eq!(api.json()["total"], 1);
        assert_eq!(api.json()["items"][0]["id"], t.to_string());
        assert_eq!(
            cb.api_get("/api/v1/sla/at-risk", None).await.status,
            StatusCode::FORBIDDEN
        );

        relais_app::support::share(&app, &a, t, true, false, false)
            .await
            .expect("share");
        run_index_jobs(&app).await;
        let r = cb.get("/recherche?q=preliquidation").await;
        assert!(
            r.body.contains(&format!("/support/{t}")),
            "shared on a product B uses"
        );

        let mut agent = client_for(&app);
        agent.login("agent@t.test", PASSWORD).await;
        let r = agent.get("/recherche?q=preliquidation").await;
        assert!(r.body.contains("class=\"facets\""));
        assert!(r.body.contains("Siham"), "product facet named");
        assert!(
            r.body.contains("Université Alpha"),
            "institution facet named"
        );
        let r = agent.get("/recherche?q=preliquidation&type=article").await;
        assert!(r.body.contains("0 résultat"), "type facet filters");
        let page = agent.get(&format!("/support/{t}")).await;
        assert!(
            page.body.contains("Tri suggéré"),
            "agents see the triage suggestion"
        );
        assert!(page.body.contains("Pourquoi"));
        let mine = ca.get(&format!("/support/{t}")).await;
        assert!(!mine.body.contains("Tri suggéré"), "members do not");
    }
);
