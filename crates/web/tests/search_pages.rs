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
        // A whole sentence sharing a few words with A's private ticket:
        // neither the share-of-words query nor the relaxed fallback shows
        // it to B, in the page or the API, nor counts it.
        let sentence =
            "Pourquoi+la+preliquidaton+de+paie+des+contractuels+est+elle+rejetee+chez+nous";
        let r = cb.get(&format!("/recherche?q={sentence}")).await;
        assert!(!r.body.contains(&format!("/support/{t}")));
        assert!(r.body.contains("0 résultat"));
        assert!(
            r.body.contains("Déposer une demande au support"),
            "no dead end: filing a request is offered"
        );
        let api = cb
            .api_get(&format!("/api/v1/search?q={sentence}"), None)
            .await;
        assert_eq!(api.json()["total"], 0);
        let r = ca.get(&format!("/recherche?q={sentence}")).await;
        assert!(
            r.body.contains(&format!("/support/{t}")),
            "A finds it with a sentence and a typo"
        );
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
        // B's question that found nothing is on the knowledge managers'
        // page, anonymised (no account, no institution); members may not
        // read the page.
        let r = agent.get("/connaissances/manques").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("pourquoi la preliquidaton de paie"),
            "{}",
            r.body
        );
        assert!(r.body.contains("/connaissances/nouveau?titre="));
        assert!(!r.body.contains("membre.b"));
        assert_eq!(
            cb.get("/connaissances/manques").await.status,
            StatusCode::FORBIDDEN
        );
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

db_test!(
    async fn admins_keep_the_vocabulary_and_it_finds_both_ways(db: Db) {
        let w = world(&db).await;
        let _ = &w;
        let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        app.search = Some(SearchHandle(Arc::new(
            relais_search::SearchIndex::in_memory().expect("index"),
        )));
        relais_app::vocabulary::load_into_index(&app)
            .await
            .expect("vocabulary");
        user(&db, "admin.voc@t.test", Role::Admin, None).await;
        let mut admin = client_for(&app);
        admin.login("admin.voc@t.test", PASSWORD).await;
        let r = admin.get("/admin/vocabulaire").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("ordre de mission"),
            "seeded by the migration"
        );
        let r = admin
            .post_form(
                "/admin/vocabulaire/import",
                &[(
                    "csv",
                    "terme;equivalent;type\nGFC;gestion financière et comptable;abreviation\nXX\n",
                )],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "all or nothing");
        assert!(r.body.contains("ligne 3"), "{}", r.body);
        let r = admin
            .post_form(
                "/admin/vocabulaire/import",
                &[("csv", "GFC;gestion financière et comptable;abreviation")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let ix = app.search.as_ref().expect("index").0.clone();
        ix.apply(
            &[relais_search::IndexDoc {
                kind: "article".into(),
                id: "a1".into(),
                title: "Clôture".into(),
                body: "La gestion financière et comptable de fin d'exercice.".into(),
                grants: vec!["everyone".into()],
                ..Default::default()
            }],
            &[],
        )
        .expect("apply");
        let q = relais_search::SearchQuery {
            text: "GFC".into(),
            limit: 5,
            ..Default::default()
        };
        let r = ix.search(&q, &["everyone".to_string()]).expect("search");
        assert_eq!(r.hits.first().map(|h| h.id.as_str()), Some("a1"));
        user(&db, "m.voc@t.test", Role::Member, Some(w.a)).await;
        let mut m = client_for(&app);
        m.login("m.voc@t.test", PASSWORD).await;
        assert_eq!(
            m.get("/admin/vocabulaire").await.status,
            StatusCode::FORBIDDEN
        );
        let r = m
            .post_form(
                "/admin/vocabulaire",
                &[("term", "A"), ("equivalent", "b c")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);
