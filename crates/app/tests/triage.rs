//! Triage on both engines: routing rules apply first and in order; the
//! suggestion votes over similar past tickets, says which it leaned on and
//! how sure it is, keeps a product chosen by the person, ignores tickets
//! created after the cut of a held-out evaluation, and never leans on a
//! ticket the reader may not read; only admins edit rules, and each edit is
//! audited. Plus the checks of the assistant's evaluation set.

use relais_app::search::{self, SearchHandle};
use relais_app::triage::{self, RuleInput, Source, TriageRequest};
use relais_app::{App, AppError};
use relais_domain::accounts::{Actor, Role};
use relais_domain::{DomainError, Id};
use relais_search::SearchIndex;
use relais_store::support::NewTicket;
use relais_store::Db;
use relais_testkit::{builders, db_test};
use std::sync::Arc;

struct World {
    app: App,
    admin: Actor,
    siham: Id,
    sifac: Id,
    rh: Id,
    fin: Id,
    inst_a: Id,
    inst_b: Id,
    member_a: Actor,
}

async fn team(db: &Db, code: &str) -> Id {
    let mut tx = db.begin().await.expect("tx");
    let t = Id::new();
    relais_store::support::insert_team(
        &mut tx,
        t,
        code,
        code,
        None,
        None,
        "2021-01-01T00:00:00.000Z",
    )
    .await
    .expect("team");
    tx.commit().await.expect("commit");
    t
}

#[allow(clippy::too_many_arguments)]
async fn ticket(
    db: &Db,
    n: i64,
    inst: Id,
    product: Id,
    team: Id,
    subject: &str,
    severity: &str,
    created: &str,
) -> Id {
    let id = Id::new();
    let mut tx = db.begin().await.expect("tx");
    relais_store::support::insert_ticket(
        &mut tx,
        &NewTicket {
            id,
            reference: format!("R2021-{n:06}"),
            institution_id: inst,
            requester_id: None,
            requester_contact_id: None,
            requester_name: "Correspondant".into(),
            requester_email: None,
            product_id: product,
            module: None,
            category: "anomalie".into(),
            severity: severity.into(),
            subject: subject.into(),
            team_id: Some(team.to_string()),
            shared: false,
            level_code: None,
            channel: "web".into(),
            first_response_due_at: None,
            resolution_due_at: None,
        },
        created,
    )
    .await
    .expect("ticket");
    tx.commit().await.expect("commit");
    id
}

async fn world(db: Db) -> World {
    let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    app.search = Some(SearchHandle(Arc::new(
        SearchIndex::in_memory().expect("index"),
    )));
    let siham = builders::product(&db, "siham", "Siham").await;
    let sifac = builders::product(&db, "sifac", "Sifac").await;
    let inst_a = builders::institution(&db, "Université A", "UA").await;
    let inst_b = builders::institution(&db, "Université B", "UB").await;
    let rh = team(&db, "rh").await;
    let fin = team(&db, "fin").await;
    let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
    let (_, member_a) = builders::user(&db, "a@t.test", Role::Member, Some(inst_a)).await;
    World {
        app,
        admin,
        siham,
        sifac,
        rh,
        fin,
        inst_a,
        inst_b,
        member_a,
    }
}

async fn reindex(app: &App) {
    search::rebuild(app, &|_| {}).await.expect("rebuild");
}

fn rule(
    position: &str,
    product: Option<Id>,
    keyword: &str,
    inst: Option<Id>,
    team: Id,
) -> RuleInput {
    RuleInput {
        position: position.into(),
        product_id: product.map(|p| p.to_string()).unwrap_or_default(),
        keyword: keyword.into(),
        institution_id: inst.map(|p| p.to_string()).unwrap_or_default(),
        team_id: team.to_string(),
    }
}

fn request(text: &str) -> TriageRequest {
    TriageRequest {
        text: text.into(),
        ..Default::default()
    }
}

db_test!(
    async fn a_keyword_rule_beats_the_history(db: Db) {
        let w = world(db.clone()).await;
        // The history routes DSN questions filed on Sifac to finance.
        for n in 1..=4 {
            ticket(
                &db,
                n,
                w.inst_a,
                w.sifac,
                w.fin,
                "DSN bloquée au dépôt, export comptable",
                "majeur",
                "2021-03-01T09:00:00.000Z",
            )
            .await;
        }
        reindex(&w.app).await;
        let text = "Notre DSN est bloquée au dépôt";
        let s = triage::suggest_triage_with(&w.app, &w.admin, &request(text))
            .await
            .expect("suggest");
        assert_eq!(
            s.team.value,
            Some(w.fin.to_string()),
            "history says finance"
        );
        assert_eq!(s.team.source, Source::History);
        assert!(s.rule_id.is_none());

        let rule_id = triage::create_rule(&w.app, &w.admin, rule("", None, "dsn", None, w.rh))
            .await
            .expect("rule");
        let s = triage::suggest_triage_with(&w.app, &w.admin, &request(text))
            .await
            .expect("suggest");
        assert_eq!(s.team.value, Some(w.rh.to_string()), "the rule wins");
        assert_eq!(s.team.source, Source::Rule);
        assert_eq!(s.team.confidence, 1.0);
        assert_eq!(s.rule_id, Some(rule_id.to_string()));
        assert!(s.team.reason.contains("« dsn »"), "{}", s.team.reason);
        // The other fields still come from the history.
        assert_eq!(s.product.value, Some(w.sifac.to_string()));
        assert_eq!(s.product.source, Source::History);
        // A word that merely contains the keyword does not match.
        let s = triage::suggest_triage_with(&w.app, &w.admin, &request("export DSNX comptable"))
            .await
            .expect("suggest");
        assert_eq!(s.team.source, Source::History);

        // Filing applies the rules before the product's team.
        let mut tx = db.begin().await.expect("tx");
        relais_store::support::set_product_team(&mut tx, w.sifac, w.fin)
            .await
            .expect("product team");
        relais_store::crm::insert_deployment(
            &mut tx,
            Id::new(),
            &relais_store::crm::DeploymentValues {
                institution_id: w.inst_a,
                product_id: w.sifac,
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
        tx.commit().await.expect("commit");
        let filed = |subject: &str| relais_domain::support::TicketInput {
            product_id: w.sifac.to_string(),
            category: "anomalie".into(),
            severity: "majeur".into(),
            subject: subject.into(),
            body: "Bonjour, merci de votre aide.".into(),
            ..Default::default()
        };
        let by_rule = relais_app::support::create_ticket(
            &w.app,
            &w.member_a,
            None,
            filed("Notre DSN est refusée"),
            "web",
        )
        .await
        .expect("ticket");
        let t = relais_app::support::get_ticket(&w.app, &w.admin, by_rule)
            .await
            .expect("get");
        assert_eq!(
            t.team_id,
            Some(w.rh.to_string()),
            "the keyword rule routes to RH"
        );
        let by_product = relais_app::support::create_ticket(
            &w.app,
            &w.member_a,
            None,
            filed("Bon de commande bloqué"),
            "web",
        )
        .await
        .expect("ticket");
        let t = relais_app::support::get_ticket(&w.app, &w.admin, by_product)
            .await
            .expect("get");
        assert_eq!(
            t.team_id,
            Some(w.fin.to_string()),
            "no rule: the product's team"
        );
    }
);

db_test!(
    async fn product_and_institution_rules_apply_by_position(db: Db) {
        let w = world(db.clone()).await;
        let by_product =
            triage::create_rule(&w.app, &w.admin, rule("20", Some(w.siham), "", None, w.rh))
                .await
                .expect("product rule");
        let by_inst = triage::create_rule(
            &w.app,
            &w.admin,
            rule("10", None, "", Some(w.inst_a), w.fin),
        )
        .await
        .expect("institution rule");
        let rules = triage::list_rules(&w.app, &w.admin).await.expect("list");
        assert_eq!(
            rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            vec![by_inst.to_string(), by_product.to_string()],
            "listed in the order they are tried"
        );
        let route = |inst: Id, product: Id| {
            let app = w.app.clone();
            async move {
                triage::route(&app, Some(inst), Some(product), "texte")
                    .await
                    .expect("route")
                    .map(|(team, r)| (team, r.id))
            }
        };
        assert_eq!(
            route(w.inst_a, w.siham).await,
            Some((w.fin, by_inst.to_string())),
            "position 10 before 20"
        );
        assert_eq!(
            route(w.inst_b, w.siham).await,
            Some((w.rh, by_product.to_string()))
        );
        assert_eq!(
            route(w.inst_a, w.sifac).await,
            Some((w.fin, by_inst.to_string()))
        );
        assert_eq!(route(w.inst_b, w.sifac).await, None);
        // A rule added without a position goes last.
        let last = triage::create_rule(&w.app, &w.admin, rule("", Some(w.sifac), "", None, w.rh))
            .await
            .expect("last rule");
        let rules = triage::list_rules(&w.app, &w.admin).await.expect("list");
        assert_eq!(rules.last().map(|r| r.id.clone()), Some(last.to_string()));
        assert!(rules.last().map(|r| r.position).unwrap_or_default() > 20);
        // Deleting the institution rule lets the product rule through.
        triage::delete_rule(&w.app, &w.admin, by_inst)
            .await
            .expect("delete");
        assert_eq!(
            route(w.inst_a, w.siham).await,
            Some((w.rh, by_product.to_string()))
        );
        // Both writes are in the audit trail.
        let mut c = db.read().await.expect("read");
        let h = relais_store::audit::history(&mut c, "routing_rule", by_inst)
            .await
            .expect("history");
        let actions: Vec<&str> = h.iter().map(|a| a.action.as_str()).collect();
        assert!(
            actions.contains(&"create") && actions.contains(&"delete"),
            "{actions:?}"
        );
    }
);

db_test!(
    async fn a_suggestion_shows_its_neighbours_and_confidence(db: Db) {
        let w = world(db.clone()).await;
        let p1 = ticket(
            &db,
            1,
            w.inst_a,
            w.siham,
            w.rh,
            "Préliquidation de paie rejetée",
            "bloquant",
            "2021-02-01T09:00:00.000Z",
        )
        .await;
        let p2 = ticket(
            &db,
            2,
            w.inst_a,
            w.siham,
            w.rh,
            "Rejet de la préliquidation de paie",
            "bloquant",
            "2021-02-02T09:00:00.000Z",
        )
        .await;
        let p3 = ticket(
            &db,
            3,
            w.inst_a,
            w.siham,
            w.rh,
            "Préliquidation rejetée",
            "mineur",
            "2021-02-03T09:00:00.000Z",
        )
        .await;
        let other = ticket(
            &db,
            4,
            w.inst_a,
            w.sifac,
            w.fin,
            "Édition des bons de commande",
            "mineur",
            "2021-02-04T09:00:00.000Z",
        )
        .await;
        // Filed after the cut of a held-out evaluation.
        let late = ticket(
            &db,
            5,
            w.inst_a,
            w.siham,
            w.rh,
            "Préliquidation de paie rejetée encore",
            "majeur",
            "2021-06-01T09:00:00.000Z",
        )
        .await;
        // Another institution's private ticket: never leaned on for a member.
        let private_b = ticket(
            &db,
            6,
            w.inst_b,
            w.siham,
            w.rh,
            "Préliquidation de paie rejetée chez B",
            "majeur",
            "2021-02-05T09:00:00.000Z",
        )
        .await;
        reindex(&w.app).await;

        let s = triage::suggest_triage_with(
            &w.app,
            &w.admin,
            &request("la préliquidation de paie est rejetée"),
        )
        .await
        .expect("suggest");
        let ids: Vec<String> = s.similar.iter().map(|t| t.id.clone()).collect();
        for t in [p1, p2, p3, late, private_b] {
            assert!(ids.contains(&t.to_string()), "{t} among the neighbours");
        }
        assert!(
            !ids.contains(&other.to_string()),
            "an unrelated ticket does not vote"
        );
        assert!(
            s.similar.windows(2).all(|p| p[0].score >= p[1].score),
            "best neighbours first"
        );
        assert!(s.similar.iter().any(|t| t.reference == "R2021-000001"));
        assert_eq!(s.product.value, Some(w.siham.to_string()));
        assert_eq!(s.product.confidence, 1.0, "every neighbour is on Siham");
        assert_eq!(s.team.value, Some(w.rh.to_string()));
        assert!(
            s.severity.confidence > 0.0 && s.severity.confidence < 1.0,
            "split vote: {}",
            s.severity.confidence
        );
        assert_eq!(s.category.value.as_deref(), Some("anomalie"));
        assert_eq!(s.module.value, None, "no neighbour has a module");
        assert_eq!(s.module.confidence, 0.0);

        // Held out: only tickets created before the cut count.
        let cut = relais_store::parse_ts("2021-03-01T00:00:00.000Z")
            .expect("ts")
            .timestamp();
        let s = triage::suggest_triage_with(
            &w.app,
            &w.admin,
            &TriageRequest {
                created_before: Some(cut),
                ..request("la préliquidation de paie est rejetée")
            },
        )
        .await
        .expect("suggest");
        assert!(!s.similar.iter().any(|t| t.id == late.to_string()));
        assert!(s.similar.iter().any(|t| t.id == p1.to_string()));

        // A product chosen by the person is kept and narrows the neighbours.
        let s = triage::suggest_triage(
            &w.app,
            &w.admin,
            "préliquidation bons de commande",
            Some(w.sifac),
        )
        .await
        .expect("suggest");
        assert_eq!(s.product.value, Some(w.sifac.to_string()));
        assert_eq!(s.product.source, Source::Human);
        assert_eq!(
            s.similar.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
            vec![other.to_string()]
        );

        // A member leans only on what they may read.
        let s = triage::suggest_triage(
            &w.app,
            &w.member_a,
            "la préliquidation de paie est rejetée",
            None,
        )
        .await
        .expect("member suggest");
        assert!(!s.similar.is_empty());
        assert!(
            !s.similar.iter().any(|t| t.id == private_b.to_string()),
            "another institution's private ticket never shows"
        );

        let e = triage::suggest_triage(&w.app, &w.admin, "   ", None).await;
        assert!(matches!(e, Err(AppError::Domain(DomainError::Invalid(_)))));
    }
);

db_test!(
    async fn only_admins_edit_rules(db: Db) {
        let w = world(db.clone()).await;
        let id = triage::create_rule(&w.app, &w.admin, rule("", Some(w.siham), "", None, w.rh))
            .await
            .expect("rule");
        let (_, support) = builders::user(&db, "s@t.test", Role::Support, None).await;
        let (_, relation) = builders::user(&db, "r@t.test", Role::Relation, None).await;
        let (_, referent) =
            builders::user(&db, "ref@t.test", Role::MemberAdmin, Some(w.inst_a)).await;
        for who in [&support, &relation, &referent, &w.member_a] {
            let forbidden =
                |r: Result<_, AppError>| matches!(r, Err(AppError::Domain(DomainError::Forbidden)));
            assert!(forbidden(
                triage::create_rule(&w.app, who, rule("", Some(w.sifac), "", None, w.fin))
                    .await
                    .map(|_| ())
            ));
            assert!(forbidden(triage::delete_rule(&w.app, who, id).await));
            assert!(forbidden(triage::list_rules(&w.app, who).await.map(|_| ())));
        }
        assert_eq!(
            triage::list_rules(&w.app, &w.admin)
                .await
                .expect("list")
                .len(),
            1
        );
        // Validation: a rule needs a condition and a team.
        let e = triage::create_rule(&w.app, &w.admin, rule("", None, "", None, w.rh)).await;
        match e {
            Err(AppError::Domain(DomainError::Invalid(v))) => {
                assert_eq!(v[0].code, "rule_without_condition")
            }
            other => panic!("{other:?}"),
        }
        let mut no_team = rule("", Some(w.siham), "", None, w.rh);
        no_team.team_id.clear();
        let e = triage::create_rule(&w.app, &w.admin, no_team).await;
        assert!(
            matches!(e, Err(AppError::Domain(DomainError::Invalid(v))) if v[0].code == "team_required")
        );
        let e = triage::create_rule(
            &w.app,
            &w.admin,
            rule("", Some(w.siham), "", None, Id::new()),
        )
        .await;
        assert!(
            matches!(e, Err(AppError::Domain(DomainError::Invalid(v))) if v[0].code == "unknown_reference")
        );
        let e = triage::delete_rule(&w.app, &w.admin, Id::new()).await;
        assert!(matches!(e, Err(AppError::Domain(DomainError::NotFound))));
    }
);

#[test]
fn the_assistant_evaluation_set_is_sound() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../eval/assistant.tsv");
    let src = std::fs::read_to_string(path).expect("eval/assistant.tsv");
    let set = relais_app::eval::parse_set(&src).expect("parses");
    assert!(set.len() >= 150, "{} queries", set.len());
    let products: std::collections::HashSet<&str> =
        set.iter().map(|q| q.product.as_str()).collect();
    assert!(products.len() >= 8, "{} products", products.len());
    let problems = relais_testkit::demo::support::PROBLEMS;
    for q in &set {
        for label in &q.expected {
            let p = problems.iter().find(|p| p.1 == label);
            let Some(p) = p else {
                panic!("line {}: no demo article titled « {label} »", q.line)
            };
            assert_eq!(
                p.0, q.product,
                "line {}: « {label} » is a {} article",
                q.line, p.0
            );
        }
        // Queries are the members' words, not the article titles.
        assert!(
            !q.expected.iter().any(|t| t.eq_ignore_ascii_case(&q.text)),
            "line {} copies a title",
            q.line
        );
    }
    let texts: std::collections::HashSet<String> =
        set.iter().map(|q| q.text.to_lowercase()).collect();
    assert_eq!(texts.len(), set.len(), "no duplicate query");
    assert_eq!(
        relais_app::eval::ASSISTANT_SET,
        src,
        "the set built into relais eval is the file"
    );
}
