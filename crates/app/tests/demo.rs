//! The demo loads on both engines, matches the plan's figures, is
//! deterministic from its seed, and its logins work.

use relais_domain::accounts::Scope;
use relais_store::crm::*;
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::Arc;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2021-11-15T09:00:00Z")
        .expect("t")
        .with_timezone(&chrono::Utc)
}

db_test!(
    async fn demo_matches_the_plan_and_its_logins_work(db: Db) {
        let s = relais_testkit::demo::load(&db, 2021, now())
            .await
            .expect("demo");
        assert_eq!(s.institutions, 180);
        assert!(s.contacts >= 180 * 8);
        assert!(s.tickets >= 2500, "two years of tickets: {}", s.tickets);
        assert_eq!(s.incidents, 3);
        let mut c = db.read().await.expect("conn");
        let siham = find_product_by_code(&mut c, "siham").await.expect("siham");
        let (rows, n) = list_deployments(
            &mut c,
            Scope::All,
            &DeploymentFilter {
                product_id: Some(siham.id.clone()),
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert_eq!(n, 53, "Siham: 53 institutions by the end of 2021");
        assert_eq!(
            rows.iter().filter(|d| d.status == "vague").count(),
            14,
            "the last wave of 14"
        );
        let evrp = find_product_by_code(&mut c, "evrp").await.expect("evrp");
        let (rows, _) = list_deployments(
            &mut c,
            Scope::All,
            &DeploymentFilter {
                product_id: Some(evrp.id.clone()),
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert_eq!(rows.iter().filter(|d| d.status == "production").count(), 27);
        assert_eq!(rows.len(), 29);
        let insa = find_institution_by_acronym(&mut c, "INSA Lyon")
            .await
            .expect("INSA");
        assert_eq!(insa.uai.as_deref(), Some("0690192J"));
        assert_eq!(insa.manager_name.as_deref(), Some("Romain Relation"));
        let (deps, _) = list_deployments(
            &mut c,
            Scope::All,
            &DeploymentFilter {
                institution_id: Some(insa.id.clone()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert!(deps
            .iter()
            .any(|d| d.product_name == "Pégase" && d.status == "pilote_p1"));
        let (_, n) = list_contacts(
            &mut c,
            Scope::All,
            &ContactFilter {
                institution_id: Some(insa.id.clone()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert!(n >= 3);
        let (all, _) = list_institutions(
            &mut c,
            Scope::All,
            &InstitutionFilter {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert!(
            all.iter().all(|i| i.manager_id.is_some()),
            "every institution has a key-account manager"
        );
        assert!(all.iter().all(|i| i
            .uai
            .as_deref()
            .is_some_and(|u| relais_domain::crm::validate_uai(u).is_ok())));
        // Every member has a service contract; tickets carry their deadlines.
        for i in all.iter().take(20) {
            let id = relais_domain::Id::parse(&i.id).expect("id");
            assert!(relais_store::support::contract_on(&mut c, id, "2021-11-15")
                .await
                .expect("contract")
                .is_some());
        }
        let (tickets, n) = relais_store::support::list_tickets(
            &mut c,
            relais_store::support::TicketScope::All,
            &relais_store::support::TicketFilter {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .expect("tickets");
        assert_eq!(n as usize, s.tickets);
        assert!(tickets
            .iter()
            .all(|t| t.resolution_due_at.is_some() && t.reference.starts_with('R')));
        assert!(
            tickets.iter().any(|t| t.status == "clos")
                && tickets.iter().any(|t| t.status == "en_cours")
        );
        assert!(
            tickets.iter().any(|t| t.affected_count > 0),
            "some nous aussi"
        );
        // Knowledge articles: published ones members read, some to review.
        let (articles, n) = relais_store::knowledge::list_articles(
            &mut c,
            relais_store::knowledge::ArticleScope::Published,
            &relais_store::knowledge::ArticleFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("articles");
        assert!(n >= 20, "one article per known problem: {n}");
        let today = now().date_naive();
        let stale = articles
            .iter()
            .filter(|a| relais_app::knowledge::is_stale(a, today))
            .count();
        assert!(
            stale >= 1 && stale < articles.len(),
            "a few articles to review: {stale}"
        );
        drop(c);

        let app = relais_app::App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        for (_, email) in relais_testkit::demo::LOGINS {
            let s = relais_app::accounts::login(&app, email, relais_testkit::demo::DEMO_PASSWORD)
                .await
                .expect(email);
            assert_eq!(&s.user.email, email);
        }
        let s = relais_app::accounts::login(
            &app,
            "membre@relais.test",
            relais_testkit::demo::DEMO_PASSWORD,
        )
        .await
        .expect("login");
        assert_eq!(s.user.institution_id, Some(insa.id.clone()));
        // A member of the demo files a new ticket: numbering continues after
        // the generated history instead of colliding with it.
        let member = relais_app::accounts::actor_of(&s.user).expect("actor");
        let sifac = deps
            .iter()
            .find(|d| d.product_name == "Sifac")
            .expect("INSA Lyon uses Sifac");
        let app = relais_app::App::new(db.clone(), relais_testkit::FakeClock::at(now()));
        let id = relais_app::support::create_ticket(
            &app,
            &member,
            None,
            relais_domain::support::TicketInput {
                product_id: sifac.product_id.clone(),
                category: "question".into(),
                severity: "mineur".into(),
                subject: "Question".into(),
                body: "Une question.".into(),
                ..Default::default()
            },
            "web",
        )
        .await
        .expect("a new ticket in the demo");
        let t = relais_app::support::get_ticket(&app, &member, id)
            .await
            .expect("t");
        assert!(!tickets.iter().any(|x| x.reference == t.reference));
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_data() {
    async fn fingerprint(seed: u64) -> Vec<String> {
        let t = relais_testkit::TestDb::sqlite().await;
        relais_testkit::demo::load(&t.db, seed, now())
            .await
            .expect("demo");
        let mut c = t.db.read().await.expect("conn");
        let (rows, _) = list_contacts(
            &mut c,
            Scope::All,
            &ContactFilter {
                limit: 100_000,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        rows.into_iter()
            .map(|r| {
                format!(
                    "{} {} {:?} {:?} {}",
                    r.institution_name, r.last_name, r.email, r.phone, r.function
                )
            })
            .collect()
    }
    let a = fingerprint(7).await;
    assert_eq!(a, fingerprint(7).await);
    assert_ne!(a, fingerprint(8).await);
}
