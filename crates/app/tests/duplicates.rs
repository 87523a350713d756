//! Likely duplicates and incident proposals on both engines: three
//! institutions report the same Siham problem in different words within a
//! week; the agent sees the two others as duplicates with the words they
//! share and an incident proposal grouping the three; an unrelated Siham
//! ticket and a ticket of another product are not listed; once the
//! incident exists the proposal disappears; members get nothing.

use relais_app::search::SearchHandle;
use relais_app::support as uc;
use relais_app::{duplicates, App, AppError};
use relais_domain::accounts::Role;
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use relais_search::SearchIndex;
use relais_store::Db;
use relais_testkit::{builders, db_test};
use std::sync::Arc;

/// A production deployment, support covered.
async fn deploy(db: &Db, inst: Id, product: Id) {
    relais_testkit::builders::deploy(db, inst, product).await;
}

async fn index(app: &App) {
    relais_app::search::catch_up(app)
        .await
        .expect("index catch-up");
}

fn input(product: Id, subject: &str, body: &str) -> TicketInput {
    TicketInput {
        product_id: product.to_string(),
        category: "anomalie".into(),
        severity: "majeur".into(),
        subject: subject.into(),
        body: body.into(),
        ..Default::default()
    }
}

db_test!(
    async fn duplicates_and_incident_proposals_are_explained(db: Db) {
        let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        app.search = Some(SearchHandle(Arc::new(
            SearchIndex::in_memory().expect("index"),
        )));
        let siham = builders::product(&db, "siham", "Siham").await;
        let sifac = builders::product(&db, "sifac", "Sifac").await;
        let mut members = vec![];
        for (i, name) in ["Université A", "Université B", "Université C"]
            .iter()
            .enumerate()
        {
            let inst = builders::institution(&db, name, &format!("U{i}")).await;
            deploy(&db, inst, siham).await;
            deploy(&db, inst, sifac).await;
            let (_, m) =
                builders::user(&db, &format!("m{i}@t.test"), Role::Member, Some(inst)).await;
            members.push(m);
        }
        let (_, agent) = builders::user(&db, "agent@t.test", Role::Support, None).await;
        let a = uc::create_ticket(&app, &members[0], None, input(siham, "Préliquidation rejetée", "La préliquidation de paie est rejetée avec l'erreur PAI-201 pour les contractuels."), "web").await.expect("a");
        let b = uc::create_ticket(
            &app,
            &members[1],
            None,
            input(
                siham,
                "Rejet PAI-201",
                "Notre préliquidation des contractuels échoue : rejet PAI-201.",
            ),
            "web",
        )
        .await
        .expect("b");
        let c = uc::create_ticket(
            &app,
            &members[2],
            None,
            input(
                siham,
                "Paie : préliquidation en erreur",
                "Erreur PAI-201 à la préliquidation, paie des contractuels bloquée.",
            ),
            "web",
        )
        .await
        .expect("c");
        let unrelated = uc::create_ticket(
            &app,
            &members[1],
            None,
            input(
                siham,
                "Export du document unique vide",
                "Le fichier exporté ne contient aucune ligne.",
            ),
            "web",
        )
        .await
        .expect("u");
        let other_product = uc::create_ticket(
            &app,
            &members[2],
            None,
            input(
                sifac,
                "Préliquidation rejetée",
                "Rejet PAI-201 sur la préliquidation des contractuels.",
            ),
            "web",
        )
        .await
        .expect("o");
        index(&app).await;

        let d = duplicates::likely_duplicates(&app, &agent, a)
            .await
            .expect("dups");
        let ids: Vec<String> = d.iter().map(|c| c.id.clone()).collect();
        assert!(
            ids.contains(&b.to_string()) && ids.contains(&c.to_string()),
            "{d:?}"
        );
        assert!(
            !ids.contains(&unrelated.to_string()),
            "an unrelated ticket of the same product"
        );
        assert!(!ids.contains(&other_product.to_string()), "another product");
        assert!(
            d.iter()
                .all(|c| c.shared_words.iter().any(|w| w.starts_with("preliquid"))),
            "{d:?}"
        );
        assert!(d.iter().all(|c| c.similarity > 0.0 && c.similarity <= 1.0));

        let p = duplicates::incident_proposal(&app, &agent, a)
            .await
            .expect("proposal")
            .expect("some");
        assert_eq!(p.institutions, 3);
        assert!(p.references.len() >= 3);
        assert!(p.why.contains("3 établissements"), "{}", p.why);
        let ids = [a, b, c];
        uc::create_incident(&app, &agent, siham, "Rejets PAI-201", None, &ids)
            .await
            .expect("incident");
        assert!(
            duplicates::incident_proposal(&app, &agent, a)
                .await
                .expect("p")
                .is_none(),
            "already grouped"
        );

        assert!(matches!(
            duplicates::likely_duplicates(&app, &members[0], a).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
    }
);
