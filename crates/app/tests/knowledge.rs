//! Knowledge base use cases on both engines, with a fake clock: drafting
//! from a resolved ticket (public messages only, anonymised), the review
//! and publication workflow, sharing between institutions, staleness.

use chrono::{Duration, TimeZone, Utc};
use relais_app::knowledge::{self as kb, ArticleInput};
use relais_app::support as sup;
use relais_app::{App, AppError};
use relais_domain::accounts::{Actor, Role};
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use relais_store::knowledge::ArticleFilter;
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};
use std::sync::Arc;

struct World {
    app: App,
    clock: Arc<FakeClock>,
    product: Id,
    agent: Actor,
    /// Anne Martin, of Université Alpha, who files the ticket.
    anne: Actor,
    /// A member of another institution using the same product.
    b: Actor,
    /// A member of an institution that does not use the product.
    c: Actor,
    relation: Actor,
}

/// A production deployment, support covered.
async fn deploy(db: &Db, inst: Id, product: Id) {
    relais_testkit::builders::deploy(db, inst, product).await;
}

/// A member with a real name (the builders name people after their e-mail).
async fn named_member(db: &Db, email: &str, name: &str, inst: Id) -> Actor {
    let id = Id::new();
    let mut tx = db.begin().await.expect("tx");
    relais_store::accounts::insert_user(
        &mut tx,
        id,
        &relais_store::accounts::UserValues {
            email: email.into(),
            display_name: name.into(),
            role: Role::Member.code().into(),
            institution_id: Some(inst.to_string()),
            locale: "fr".into(),
            active: true,
        },
        None,
        "2021-01-01T00:00:00.000Z",
    )
    .await
    .expect("user");
    tx.commit().await.expect("commit");
    Actor {
        user_id: id,
        role: Role::Member,
        institution_id: Some(inst),
        display_name: name.into(),
    }
}

async fn world(db: Db) -> World {
    let clock = FakeClock::at(
        Utc.with_ymd_and_hms(2021, 3, 1, 8, 0, 0)
            .single()
            .expect("t"),
    );
    let app = App::new(db.clone(), clock.clone());
    sup::ensure_defaults(&app).await.expect("defaults");
    let product = builders::product(&db, "sinaps", "Sinaps").await;
    let other = builders::product(&db, "geslab", "Geslab").await;
    let mut tx = db.begin().await.expect("tx");
    for (v, d) in [
        ("1.3.01", Some("2020-11-02")),
        ("1.3.02", Some("2021-02-15")),
        ("1.2.09", Some("2020-06-01")),
    ] {
        relais_store::crm::insert_release(
            &mut tx,
            Id::new(),
            product,
            v,
            d.map(str::to_string),
            None,
        )
        .await
        .expect("release");
    }
    tx.commit().await.expect("commit");
    let inst_a = builders::institution(&db, "Université Alpha", "UALP").await;
    let inst_b = builders::institution(&db, "Université Bêta", "UB").await;
    let inst_c = builders::institution(&db, "Université Gamma", "UG").await;
    deploy(&db, inst_a, product).await;
    deploy(&db, inst_b, product).await;
    deploy(&db, inst_c, other).await;
    let (_, agent) = builders::user(&db, "agent@amue.test", Role::Support, None).await;
    let (_, relation) = builders::user(&db, "relation@amue.test", Role::Relation, None).await;
    let anne = named_member(&db, "anne.martin@univ-alpha.fr", "Anne Martin", inst_a).await;
    let (_, b) = builders::user(&db, "b@t.test", Role::Member, Some(inst_b)).await;
    let (_, c) = builders::user(&db, "c@t.test", Role::Member, Some(inst_c)).await;
    World {
        app,
        clock,
        product,
        agent,
        anne,
        b,
        c,
        relation,
    }
}

const SYMPTOM: &str =
    "Bonjour, je suis Anne Martin, de l'Université Alpha (UALP). Le rapprochement des \
    conventions échoue avec l'erreur SIN-217 depuis la montée de version. Merci de me répondre à \
    anne.martin@univ-alpha.fr ou au 04 72 43 83 83. Anne";
const INTERNAL: &str = "Note interne : régression connue chez l'éditeur, ticket JIRA SECRET-42.";
const SOLUTION: &str =
    "Appliquez le correctif SIN-217-b puis relancez le rapprochement depuis le menu Conventions.";

async fn resolved_ticket(w: &World) -> Id {
    let id = sup::create_ticket(
        &w.app,
        &w.anne,
        None,
        TicketInput {
            product_id: w.product.to_string(),
            category: "anomalie".into(),
            severity: "majeur".into(),
            subject: "Rapprochement des conventions en erreur SIN-217".into(),
            body: SYMPTOM.into(),
            ..Default::default()
        },
        "web",
    )
    .await
    .expect("ticket");
    w.clock.advance(Duration::minutes(10));
    sup::reply(&w.app, &w.agent, id, INTERNAL, true, "web", None)
        .await
        .expect("note");
    w.clock.advance(Duration::minutes(10));
    sup::reply(
        &w.app,
        &w.agent,
        id,
        "Pouvez-vous nous envoyer le journal ?",
        false,
        "web",
        None,
    )
    .await
    .expect("question");
    w.clock.advance(Duration::minutes(10));
    sup::reply(
        &w.app,
        &w.anne,
        id,
        "Voici le journal. Anne Martin",
        false,
        "web",
        None,
    )
    .await
    .expect("member");
    w.clock.advance(Duration::minutes(10));
    sup::reply(&w.app, &w.agent, id, SOLUTION, false, "web", None)
        .await
        .expect("solution");
    w.clock.advance(Duration::minutes(10));
    sup::reply(
        &w.app,
        &w.anne,
        id,
        "Merci, c'est réglé ! Anne",
        false,
        "web",
        None,
    )
    .await
    .expect("thanks");
    sup::change_status(&w.app, &w.agent, id, "resolu")
        .await
        .expect("resolved");
    id
}

fn code_of(e: AppError) -> String {
    match e {
        AppError::Domain(DomainError::Invalid(v)) => v[0].code.to_string(),
        other => format!("{other:?}"),
    }
}

fn input(product: Id, title: &str, body: &str) -> ArticleInput {
    ArticleInput {
        product_id: product.to_string(),
        version: Some("1.3.02".into()),
        title: title.into(),
        body: body.into(),
        review_on: None,
    }
}

db_test!(
    async fn drafting_from_a_resolved_ticket_keeps_public_messages_and_masks_people(db: Db) {
        let w = world(db.clone()).await;
        let ticket = resolved_ticket(&w).await;
        let id = kb::draft_from_ticket(&w.app, &w.agent, ticket)
            .await
            .expect("draft");
        let v = kb::get_article(&w.app, &w.agent, id)
            .await
            .expect("article");
        let a = &v.article;
        assert_eq!(a.status, "brouillon");
        assert_eq!(a.product_id, w.product.to_string());
        assert_eq!(
            a.version.as_deref(),
            Some("1.3.02"),
            "the product's latest release"
        );
        assert_eq!(a.title, "Rapprochement des conventions en erreur SIN-217");
        assert_eq!(
            a.source_ticket_id.as_deref(),
            Some(ticket.to_string().as_str())
        );
        assert!(v.source_reference.is_some());
        let body = &a.body;
        assert!(
            body.contains("## Symptôme") && body.contains("## Solution"),
            "{body}"
        );
        assert!(
            body.contains("l'erreur SIN-217 depuis la montée de version"),
            "{body}"
        );
        let solution = body.split("## Solution").nth(1).expect("solution part");
        assert!(
            solution.contains(SOLUTION),
            "the last public agent reply is the solution: {body}"
        );
        assert!(
            !solution.contains("journal"),
            "not an earlier reply: {body}"
        );
        assert!(
            !body.contains("SECRET-42") && !body.contains("Note interne"),
            "internal notes never: {body}"
        );
        assert!(
            !body.contains("réglé"),
            "the member's thanks are no solution: {body}"
        );
        for leak in [
            "Anne",
            "Martin",
            "anne.martin",
            "univ-alpha",
            "Alpha",
            "UALP",
            "83 83",
        ] {
            assert!(!body.contains(leak), "{leak} leaked: {body}");
        }
        assert!(
            body.contains("[établissement]") && body.contains("[adresse masquée]"),
            "{body}"
        );
        // Drafting twice gives the same draft.
        assert_eq!(
            kb::draft_from_ticket(&w.app, &w.agent, ticket)
                .await
                .expect("again"),
            id
        );
        // The change history records it.
        let h = kb::history(&w.app, &w.agent, id).await.expect("history");
        assert_eq!(h[0].action, "draft_from_ticket");
    }
);

db_test!(
    async fn drafting_is_refused_on_an_open_ticket_and_to_members(db: Db) {
        let w = world(db.clone()).await;
        let open = sup::create_ticket(
            &w.app,
            &w.anne,
            None,
            TicketInput {
                product_id: w.product.to_string(),
                category: "question".into(),
                severity: "mineur".into(),
                subject: "Question".into(),
                body: "Comment exporter ?".into(),
                ..Default::default()
            },
            "web",
        )
        .await
        .expect("ticket");
        let err = kb::draft_from_ticket(&w.app, &w.agent, open)
            .await
            .expect_err("open");
        assert_eq!(code_of(err), "ticket_not_resolved");
        let resolved = resolved_ticket(&w).await;
        for who in [&w.anne, &w.b, &w.relation] {
            assert!(matches!(
                kb::draft_from_ticket(&w.app, who, resolved).await,
                Err(AppError::Domain(DomainError::Forbidden))
            ));
        }
        // Closed works as well as resolved.
        sup::change_status(&w.app, &w.agent, resolved, "clos")
            .await
            .expect("closed");
        kb::draft_from_ticket(&w.app, &w.agent, resolved)
            .await
            .expect("draft from closed");
        let (_, n) = kb::list_articles(
            &w.app,
            &w.agent,
            &ArticleFilter {
                limit: 10,
                ..Default::default()
            },
            false,
        )
        .await
        .expect("list");
        assert_eq!(n, 1);
    }
);

db_test!(
    async fn members_read_published_articles_of_any_institution_never_drafts(db: Db) {
        let w = world(db.clone()).await;
        let ticket = resolved_ticket(&w).await;
        let id = kb::draft_from_ticket(&w.app, &w.agent, ticket)
            .await
            .expect("draft");
        let all = ArticleFilter {
            limit: 50,
            ..Default::default()
        };
        for m in [&w.anne, &w.b, &w.c] {
            assert!(matches!(
                kb::get_article(&w.app, m, id).await,
                Err(AppError::Domain(DomainError::NotFound))
            ));
            assert_eq!(
                kb::list_articles(&w.app, m, &all, false)
                    .await
                    .expect("list")
                    .1,
                0,
                "no drafts in lists"
            );
            // Even asking for drafts by status gives nothing.
            let drafts = ArticleFilter {
                status: Some("brouillon".into()),
                limit: 50,
                ..Default::default()
            };
            assert_eq!(
                kb::list_articles(&w.app, m, &drafts, false)
                    .await
                    .expect("list")
                    .1,
                0
            );
        }
        // Agency staff other than agents read drafts, but do not write.
        kb::get_article(&w.app, &w.relation, id)
            .await
            .expect("relation reads");
        assert!(matches!(
            kb::publish(&w.app, &w.relation, id).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        // Members cannot write at all.
        assert!(matches!(
            kb::create_article(&w.app, &w.b, input(w.product, "x", "y")).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        assert!(matches!(
            kb::publish(&w.app, &w.anne, id).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        assert!(matches!(
            kb::update_article(&w.app, &w.anne, id, input(w.product, "x", "y")).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));

        kb::submit_for_review(&w.app, &w.agent, id)
            .await
            .expect("review");
        assert!(
            matches!(
                kb::get_article(&w.app, &w.b, id).await,
                Err(AppError::Domain(DomainError::NotFound))
            ),
            "in review: still hidden"
        );
        kb::publish(&w.app, &w.agent, id).await.expect("publish");
        // Knowledge is shared: B (same product) and C (another product) read it.
        for m in [&w.b, &w.c] {
            let v = kb::get_article(&w.app, m, id)
                .await
                .expect("published is visible");
            assert_eq!(v.article.status, "publie");
            assert!(
                v.article.source_ticket_id.is_none(),
                "members do not learn the source ticket"
            );
            assert!(v.source_reference.is_none());
            assert_eq!(
                kb::list_articles(&w.app, m, &all, false)
                    .await
                    .expect("list")
                    .1,
                1
            );
        }
        let v = kb::get_article(&w.app, &w.agent, id).await.expect("a");
        assert_eq!(
            v.article.published_at.as_deref(),
            Some("2021-03-01T08:50:00.000Z")
        );
        assert_eq!(
            v.article.review_on.as_deref(),
            Some("2022-03-01"),
            "twelve months by default"
        );
        assert!(!v.stale);
        // Archived: gone for members again; it cannot be republished without going back to draft.
        kb::archive(&w.app, &w.agent, id).await.expect("archive");
        assert!(matches!(
            kb::get_article(&w.app, &w.b, id).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        assert_eq!(
            code_of(
                kb::publish(&w.app, &w.agent, id)
                    .await
                    .expect_err("archived")
            ),
            "transition_refused"
        );
        let actions: Vec<String> = kb::history(&w.app, &w.agent, id)
            .await
            .expect("h")
            .into_iter()
            .map(|h| h.action)
            .collect();
        assert_eq!(actions, ["status", "status", "status", "draft_from_ticket"]);
        assert!(
            kb::history(&w.app, &w.b, id).await.is_err(),
            "history is an agency view"
        );
    }
);

db_test!(
    async fn an_article_is_stale_after_its_review_date(db: Db) {
        let w = world(db.clone()).await;
        let id = kb::create_article(
            &w.app,
            &w.agent,
            input(w.product, "Paramétrer les conventions", "Texte."),
        )
        .await
        .expect("create");
        let explicit = kb::create_article(
            &w.app,
            &w.agent,
            ArticleInput {
                review_on: Some("2021-06-30".into()),
                ..input(w.product, "Clôture annuelle", "Texte.")
            },
        )
        .await
        .expect("create");
        kb::publish(&w.app, &w.agent, id).await.expect("publish");
        kb::publish(&w.app, &w.agent, explicit)
            .await
            .expect("publish");
        assert_eq!(
            kb::get_article(&w.app, &w.agent, explicit)
                .await
                .expect("a")
                .article
                .review_on
                .as_deref(),
            Some("2021-06-30"),
            "a review date ahead is kept"
        );
        let f = ArticleFilter {
            limit: 50,
            ..Default::default()
        };
        assert_eq!(
            kb::list_articles(&w.app, &w.agent, &f, true)
                .await
                .expect("stale")
                .1,
            0
        );

        w.clock.advance(Duration::days(125)); // 2021-07-04
        assert!(
            kb::get_article(&w.app, &w.b, explicit)
                .await
                .expect("a")
                .stale,
            "past its own date"
        );
        assert!(!kb::get_article(&w.app, &w.b, id).await.expect("a").stale);
        let (rows, n) = kb::list_articles(&w.app, &w.agent, &f, true)
            .await
            .expect("stale");
        assert_eq!(n, 1);
        assert_eq!(rows[0].0.id, explicit.to_string());
        assert!(rows[0].1);
        // Still readable by members, flagged.
        let (rows, _) = kb::list_articles(&w.app, &w.b, &f, false)
            .await
            .expect("list");
        assert!(rows
            .iter()
            .any(|(a, stale)| a.id == explicit.to_string() && *stale));

        w.clock.advance(Duration::days(365)); // 2022-07-04: the default year is over too
        assert!(kb::get_article(&w.app, &w.b, id).await.expect("a").stale);
        assert_eq!(
            kb::list_articles(&w.app, &w.agent, &f, true)
                .await
                .expect("stale")
                .1,
            2
        );
        // An agent rereads it: twelve more months.
        kb::mark_reviewed(&w.app, &w.agent, id)
            .await
            .expect("reviewed");
        let v = kb::get_article(&w.app, &w.b, id).await.expect("a");
        assert!(!v.stale);
        assert_eq!(v.article.review_on.as_deref(), Some("2023-07-04"));
        assert_eq!(
            kb::list_articles(&w.app, &w.agent, &f, true)
                .await
                .expect("stale")
                .1,
            1
        );
        assert!(kb::mark_reviewed(&w.app, &w.b, explicit).await.is_err());
    }
);

db_test!(
    async fn create_update_validate_and_filter(db: Db) {
        let w = world(db.clone()).await;
        let err = kb::create_article(
            &w.app,
            &w.agent,
            ArticleInput {
                product_id: String::new(),
                title: " ".into(),
                body: String::new(),
                review_on: Some("31/02/2021".into()),
                version: None,
            },
        )
        .await
        .expect_err("invalid");
        match err {
            AppError::Domain(DomainError::Invalid(v)) => {
                let mut fields: Vec<_> = v.iter().map(|e| e.field).collect();
                fields.sort();
                assert_eq!(fields, ["body", "product_id", "review_on", "title"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            code_of(
                kb::create_article(&w.app, &w.agent, input(Id::new(), "t", "b"))
                    .await
                    .expect_err("unknown product")
            ),
            "unknown_product"
        );
        let id = kb::create_article(
            &w.app,
            &w.agent,
            input(
                w.product,
                "Écritures rejetées à la clôture",
                "Le **mandat** est rejeté.",
            ),
        )
        .await
        .expect("create");
        kb::update_article(
            &w.app,
            &w.agent,
            id,
            ArticleInput {
                version: Some("1.3.01".into()),
                ..input(
                    w.product,
                    "Écritures rejetées à la clôture annuelle",
                    "Le **mandat** est rejeté.",
                )
            },
        )
        .await
        .expect("update");
        let h = kb::history(&w.app, &w.agent, id).await.expect("h");
        assert_eq!(h[0].action, "update");
        let changes: serde_json::Value = serde_json::from_str(&h[0].changes).expect("json");
        assert_eq!(changes["version"], serde_json::json!(["1.3.02", "1.3.01"]));
        assert!(
            changes.get("body").is_none(),
            "unchanged fields are not listed"
        );
        let q = |text: &str| ArticleFilter {
            q: Some(text.into()),
            limit: 10,
            ..Default::default()
        };
        for text in ["ecritures cloture", "REJETE", "mandat"] {
            assert_eq!(
                kb::list_articles(&w.app, &w.agent, &q(text), false)
                    .await
                    .expect("q")
                    .1,
                1,
                "{text}"
            );
        }
        assert_eq!(
            kb::list_articles(&w.app, &w.agent, &q("paie"), false)
                .await
                .expect("q")
                .1,
            0
        );
        assert_eq!(
            kb::list_articles(&w.app, &w.agent, &q("100%"), false)
                .await
                .expect("q")
                .1,
            0,
            "wildcards are literal"
        );
        let by_version = ArticleFilter {
            version: Some("1.3.01".into()),
            product_id: Some(w.product.to_string()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            kb::list_articles(&w.app, &w.agent, &by_version, false)
                .await
                .expect("v")
                .1,
            1
        );
        assert_eq!(
            kb::versions(&w.app, &w.agent).await.expect("versions"),
            ["1.3.01"]
        );
        assert!(
            kb::versions(&w.app, &w.b)
                .await
                .expect("versions")
                .is_empty(),
            "drafts' versions are not shown to members"
        );
    }
);
