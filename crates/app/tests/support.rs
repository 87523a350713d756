//! Support desk use cases on both engines, with a fake clock.

use chrono::{DateTime, Duration, TimeZone, Utc};
use relais_app::support as uc;
use relais_app::{App, AppError};
use relais_domain::accounts::{Actor, Role};
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};
use std::sync::Arc;

fn paris(s: &str) -> DateTime<Utc> {
    chrono_tz::Europe::Paris
        .from_local_datetime(
            &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("d"),
        )
        .earliest()
        .expect("l")
        .with_timezone(&Utc)
}

struct World {
    app: App,
    clock: Arc<FakeClock>,
    product: Id,
    other_product: Id,
    agent: Actor,
    a: Actor,
    b: Actor,
    c: Actor,
    inst_a: Id,
    inst_b: Id,
}

/// A production deployment, support covered.
async fn deploy(db: &Db, inst: Id, product: Id) {
    relais_testkit::builders::deploy(db, inst, product).await;
}

async fn world(db: Db) -> World {
    let clock = FakeClock::at(paris("2021-03-01 09:00")); // a Monday
    let app = App::new(db.clone(), clock.clone());
    uc::ensure_defaults(&app).await.expect("defaults");
    let product = builders::product(&db, "sifac", "Sifac").await;
    let other_product = builders::product(&db, "geslab", "Geslab").await;
    let inst_a = builders::institution(&db, "Université A", "UA").await;
    let inst_b = builders::institution(&db, "Université B", "UB").await;
    let inst_c = builders::institution(&db, "Université C", "UC").await;
    deploy(&db, inst_a, product).await;
    deploy(&db, inst_b, product).await;
    deploy(&db, inst_c, other_product).await;
    let (agent_id, agent) = builders::user(&db, "agent@t.test", Role::Support, None).await;
    let mut tx = db.begin().await.expect("tx");
    let team = Id::new();
    relais_store::support::insert_team(
        &mut tx,
        team,
        "fin",
        "Équipe Finances",
        Some(agent_id),
        Some("finances@amue.test"),
        "2021-01-01T00:00:00.000Z",
    )
    .await
    .expect("team");
    relais_store::support::add_team_member(&mut tx, team, agent_id)
        .await
        .expect("member");
    relais_store::support::set_product_team(&mut tx, product, team)
        .await
        .expect("route");
    tx.commit().await.expect("commit");
    let (_, a) = builders::user(&db, "a@t.test", Role::Member, Some(inst_a)).await;
    let (_, b) = builders::user(&db, "b@t.test", Role::Member, Some(inst_b)).await;
    let (_, c) = builders::user(&db, "c@t.test", Role::Member, Some(inst_c)).await;
    World {
        app,
        clock,
        product,
        other_product,
        agent,
        a,
        b,
        c,
        inst_a,
        inst_b,
    }
}

fn input(product: Id, severity: &str) -> TicketInput {
    TicketInput {
        product_id: product.to_string(),
        category: "anomalie".into(),
        severity: severity.into(),
        subject: "Rejet du mandat de paie".into(),
        body: "Le mandat de paie de mars est rejeté par Sifac avec l'erreur FI-402.".into(),
        ..Default::default()
    }
}

/// Pending mail notifications (the outbox), oldest first.
async fn jobs(db: &Db) -> Vec<serde_json::Value> {
    let mut c = db.read().await.expect("conn");
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT payload FROM jobs WHERE done_at IS NULL AND kind = 'mail.notify' ORDER BY created_at, id")
            .fetch_all(&mut *c)
            .await
            .expect("jobs");
    rows.into_iter()
        .map(|r| serde_json::from_str(&r.0).expect("json"))
        .collect()
}

db_test!(
    async fn filing_routes_computes_deadlines_and_checks_entitlement(db: Db) {
        let w = world(db.clone()).await;
        let id = uc::create_ticket(&w.app, &w.a, None, input(w.product, "bloquant"), "web")
            .await
            .expect("ticket");
        let t = uc::get_ticket(&w.app, &w.a, id).await.expect("get");
        assert_eq!(t.reference, "R2021-000001");
        assert_eq!(t.status, "nouveau");
        assert_eq!(t.level_code.as_deref(), Some("socle"));
        // Socle, bloquant: 4 h to answer, 2 business days to resolve.
        assert_eq!(
            relais_store::parse_ts(t.first_response_due_at.as_deref().expect("due")),
            Some(paris("2021-03-01 14:00"))
        );
        // 2 × 7 h 30 from Monday 9:00 ends with Tuesday's last working minute.
        assert_eq!(
            relais_store::parse_ts(t.resolution_due_at.as_deref().expect("due")),
            Some(paris("2021-03-02 17:30"))
        );
        assert!(t.team_id.is_some());
        assert_eq!(jobs(&db).await[0]["template"], "ticket_new_team");
        let second = uc::create_ticket(&w.app, &w.a, None, input(w.product, "mineur"), "web")
            .await
            .expect("ticket");
        assert_eq!(
            uc::get_ticket(&w.app, &w.a, second)
                .await
                .expect("t")
                .reference,
            "R2021-000002"
        );
        // Not deployed here: refused, with a French message and a stable code.
        let err = uc::create_ticket(&w.app, &w.a, None, input(w.other_product, "mineur"), "web")
            .await
            .expect_err("not entitled");
        match err {
            AppError::Domain(DomainError::Invalid(v)) => assert_eq!(v[0].code, "not_entitled"),
            other => panic!("{other:?}"),
        }
        // A personalised contract changes the deadlines of new tickets.
        let mut conn = db.read().await.expect("c");
        let admin_row = relais_store::accounts::find_user_by_email(&mut conn, "agent@t.test")
            .await
            .expect("u");
        drop(conn);
        let admin = Actor {
            role: Role::Admin,
            ..relais_app::accounts::actor_of(&admin_row).expect("a")
        };
        uc::assign_contract(
            &w.app,
            &admin,
            w.inst_a,
            "premium",
            "alsace_moselle",
            "2021-01-01",
        )
        .await
        .expect("contract");
        let p = uc::create_ticket(&w.app, &w.a, None, input(w.product, "bloquant"), "web")
            .await
            .expect("ticket");
        let t = uc::get_ticket(&w.app, &w.a, p).await.expect("t");
        assert_eq!(t.level_code.as_deref(), Some("premium"));
        assert_eq!(
            relais_store::parse_ts(t.first_response_due_at.as_deref().expect("due")),
            Some(paris("2021-03-01 10:00"))
        );
    }
);

db_test!(
    async fn internal_notes_never_reach_the_institution(db: Db) {
        let w = world(db.clone()).await;
        let id = uc::create_ticket(&w.app, &w.a, None, input(w.product, "majeur"), "web")
            .await
            .expect("ticket");
        let before = jobs(&db).await.len();
        uc::reply(
            &w.app,
            &w.agent,
            id,
            "Note interne : voir le correctif SAP 3141.",
            true,
            "web",
            None,
        )
        .await
        .expect("note");
        assert_eq!(
            jobs(&db).await.len(),
            before,
            "an internal note notifies nobody"
        );
        w.clock.advance(Duration::minutes(30));
        uc::reply(
            &w.app,
            &w.agent,
            id,
            "Bonjour, pouvez-vous nous transmettre le journal ?",
            false,
            "web",
            None,
        )
        .await
        .expect("reply");
        let j = jobs(&db).await;
        assert_eq!(j.last().expect("job")["template"], "ticket_reply");
        // The typed job names the ticket; the requester's address is read
        // when the mail is sent (tests/mail.rs delivers it over SMTP).
        assert_eq!(j.last().expect("job")["ticket_id"], id.to_string());
        let view = uc::ticket_view(&w.app, &w.a, id).await.expect("view");
        assert_eq!(view.messages.len(), 2, "the request and the public reply");
        assert!(view
            .messages
            .iter()
            .all(|m| m.visibility == "public" && !m.body.contains("SAP 3141")));
        assert_eq!(
            view.ticket.status, "en_cours",
            "the first answer starts the work"
        );
        assert!(view.ticket.first_response_at.is_some());
        assert_eq!(view.first_response.map(|s| s.code()), Some("met"));
        let agent_view = uc::ticket_view(&w.app, &w.agent, id).await.expect("view");
        assert_eq!(agent_view.messages.len(), 3);
        // A member cannot write internal notes, nor move the workflow.
        assert!(matches!(
            uc::reply(&w.app, &w.a, id, "x", true, "web", None).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        assert!(uc::change_status(&w.app, &w.a, id, "resolu").await.is_err());
    }
);

db_test!(
    async fn sharing_nous_aussi_and_isolation(db: Db) {
        let w = world(db.clone()).await;
        let id = uc::create_ticket(&w.app, &w.a, None, input(w.product, "majeur"), "web")
            .await
            .expect("ticket");
        // Private: B and C see nothing, not even in lists.
        assert!(matches!(
            uc::get_ticket(&w.app, &w.b, id).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        let f = relais_store::support::TicketFilter {
            limit: 50,
            ..Default::default()
        };
        assert_eq!(uc::list_tickets(&w.app, &w.b, &f).await.expect("list").1, 0);
        assert!(matches!(
            uc::share(&w.app, &w.b, id, true, true, true).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        uc::share(&w.app, &w.a, id, true, false, false)
            .await
            .expect("share");
        // B uses the product: sees it, without the requester's identity.
        let v = uc::ticket_view(&w.app, &w.b, id)
            .await
            .expect("b sees the shared ticket");
        assert_eq!(v.ticket.requester_name, "Établissement adhérent");
        assert!(v.ticket.requester_email.is_none());
        assert!(v.events.is_empty(), "history stays with the owner");
        // C does not use the product: still nothing.
        assert!(matches!(
            uc::get_ticket(&w.app, &w.c, id).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        let shared = relais_store::support::TicketFilter {
            shared_only: true,
            limit: 50,
            ..Default::default()
        };
        assert_eq!(
            uc::list_tickets(&w.app, &w.b, &shared)
                .await
                .expect("list")
                .1,
            1
        );
        assert_eq!(
            uc::list_tickets(&w.app, &w.c, &shared)
                .await
                .expect("list")
                .1,
            0
        );
        // B says "nous aussi" and adds a workaround, but cannot reply or change it.
        uc::follow(&w.app, &w.b, id, true)
            .await
            .expect("nous aussi");
        uc::follow(&w.app, &w.b, id, false)
            .await
            .expect("follow again keeps affected");
        let t = uc::get_ticket(&w.app, &w.agent, id).await.expect("t");
        assert_eq!(t.affected_count, 1);
        uc::add_workaround(
            &w.app,
            &w.b,
            id,
            "Relancer le mandat après purge du cache FI.",
        )
        .await
        .expect("workaround");
        assert!(matches!(
            uc::reply(&w.app, &w.b, id, "moi aussi", false, "web", None).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        assert!(matches!(
            uc::change_status(&w.app, &w.b, id, "clos").await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        let v = uc::ticket_view(&w.app, &w.a, id).await.expect("view");
        assert_eq!(v.workarounds.len(), 1);
        assert!(matches!(
            uc::follow(&w.app, &w.a, id, true).await,
            Err(AppError::Domain(DomainError::Invalid(_)))
        ));
        let _ = w.inst_b;
    }
);

db_test!(
    async fn waiting_on_the_institution_pauses_the_clock(db: Db) {
        let w = world(db.clone()).await;
        let id = uc::create_ticket(&w.app, &w.a, None, input(w.product, "bloquant"), "web")
            .await
            .expect("ticket");
        let due0 = uc::get_ticket(&w.app, &w.agent, id)
            .await
            .expect("t")
            .resolution_due_at
            .expect("due");
        w.clock.advance(Duration::hours(1));
        uc::change_status(&w.app, &w.agent, id, "attente_etablissement")
            .await
            .expect("wait");
        let v = uc::ticket_view(&w.app, &w.a, id).await.expect("view");
        assert_eq!(v.resolution.map(|s| s.code()), Some("paused"));
        w.clock.advance(Duration::hours(2)); // 10:00 → 12:00
        uc::reply(
            &w.app,
            &w.a,
            id,
            "Voici le journal demandé.",
            false,
            "web",
            None,
        )
        .await
        .expect("reply");
        let t = uc::get_ticket(&w.app, &w.agent, id).await.expect("t");
        assert_eq!(
            t.status, "en_cours",
            "the institution's answer restarts the clock"
        );
        assert_eq!(t.paused_minutes, 120);
        let due1 = t.resolution_due_at.expect("due");
        assert_eq!(
            relais_store::parse_ts(&due1),
            Some(paris("2021-03-03 11:00")),
            "pushed by the two paused hours"
        );
        assert!(due1 > due0);
        w.clock.advance(Duration::minutes(30));
        uc::change_status(&w.app, &w.agent, id, "attente_editeur")
            .await
            .expect("editor");
        w.clock.advance(Duration::hours(2)); // 12:30 → 14:30, lunch included
        uc::change_status(&w.app, &w.agent, id, "resolu")
            .await
            .expect("resolved");
        let t = uc::get_ticket(&w.app, &w.agent, id).await.expect("t");
        assert_eq!(
            t.editor_minutes, 60,
            "12:30–14:30 waiting on the editor, lunch excluded"
        );
        assert_eq!(t.paused_minutes, 120, "editor time is not a pause");
        let v = uc::ticket_view(&w.app, &w.a, id).await.expect("view");
        assert_eq!(v.resolution.map(|s| s.code()), Some("met"));
        // The member reopens; the history records every step.
        uc::change_status(&w.app, &w.a, id, "en_cours")
            .await
            .expect("reopen");
        let v = uc::ticket_view(&w.app, &w.agent, id).await.expect("view");
        let statuses: Vec<_> = v
            .events
            .iter()
            .filter(|e| e.field == "status")
            .filter_map(|e| e.after_value.clone())
            .collect();
        assert_eq!(
            statuses,
            [
                "nouveau",
                "attente_etablissement",
                "en_cours",
                "attente_editeur",
                "resolu",
                "en_cours"
            ]
        );
        assert!(v.ticket.resolved_at.is_none());
    }
);

db_test!(
    async fn resolving_an_incident_notifies_every_affected_institution(db: Db) {
        let w = world(db.clone()).await;
        let ta = uc::create_ticket(&w.app, &w.a, None, input(w.product, "majeur"), "web")
            .await
            .expect("a");
        let tb = uc::create_ticket(&w.app, &w.b, None, input(w.product, "majeur"), "web")
            .await
            .expect("b");
        let other = uc::create_ticket(&w.app, &w.c, None, input(w.other_product, "majeur"), "web")
            .await
            .expect("c");
        assert!(
            uc::create_incident(&w.app, &w.a, w.product, "x", None, &[ta])
                .await
                .is_err(),
            "members cannot"
        );
        assert!(
            uc::create_incident(
                &w.app,
                &w.agent,
                w.product,
                "Rejet des mandats",
                None,
                &[ta, other]
            )
            .await
            .is_err(),
            "other product refused"
        );
        let inc = uc::create_incident(
            &w.app,
            &w.agent,
            w.product,
            "Rejet des mandats de paie",
            Some("FI-402"),
            &[ta, tb],
        )
        .await
        .expect("incident");
        let open = uc::list_incidents(&w.app, &w.b, None, true)
            .await
            .expect("list");
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].ticket_count, 2);
        assert!(
            uc::list_incidents(&w.app, &w.c, None, true)
                .await
                .expect("list")
                .is_empty(),
            "C does not use the product"
        );
        let n = uc::resolve_incident(&w.app, &w.agent, inc, "Correctif FI-402 livré en V1R15.")
            .await
            .expect("resolve");
        assert_eq!(n, 2);
        for (t, who) in [(ta, &w.a), (tb, &w.b)] {
            let v = uc::ticket_view(&w.app, who, t).await.expect("view");
            assert_eq!(v.ticket.status, "resolu");
            assert!(v.messages.iter().any(|m| m.body.contains("V1R15")));
        }
        let notes: Vec<_> = jobs(&db)
            .await
            .into_iter()
            .filter(|j| j["template"] == "incident_resolved")
            .collect();
        let mut insts: Vec<_> = notes
            .iter()
            .map(|j| j["institution_id"].as_str().expect("s").to_string())
            .collect();
        insts.sort();
        let mut expected = vec![w.inst_a.to_string(), w.inst_b.to_string()];
        expected.sort();
        assert_eq!(insts, expected);
        assert!(
            uc::resolve_incident(&w.app, &w.agent, inc, "encore")
                .await
                .is_err(),
            "resolved once"
        );
    }
);

db_test!(
    async fn members_never_get_another_requester_through_lists_or_messages(db: Db) {
        let w = world(db.clone()).await;
        let id = uc::create_ticket(&w.app, &w.a, None, input(w.product, "majeur"), "web")
            .await
            .expect("ticket");
        uc::reply(&w.app, &w.agent, id, "Nous regardons.", false, "web", None)
            .await
            .expect("reply");
        uc::share(&w.app, &w.a, id, true, false, false)
            .await
            .expect("share");
        let f = relais_store::support::TicketFilter {
            limit: 50,
            ..Default::default()
        };
        let (rows, _) = uc::list_tickets(&w.app, &w.b, &f).await.expect("list");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].requester_name, "Établissement adhérent");
        assert!(rows[0].requester_email.is_none() && rows[0].requester_id.is_none());
        // The owner and the agency keep the name.
        for who in [&w.a, &w.agent] {
            let (rows, _) = uc::list_tickets(&w.app, who, &f).await.expect("list");
            assert_eq!(rows[0].requester_name, w.a.display_name);
            assert!(rows[0].requester_email.is_some());
        }
        // The first message is the requester's: masked for B, the agent's
        // reply keeps its author.
        let v = uc::ticket_view(&w.app, &w.b, id).await.expect("view");
        assert_eq!(v.messages[0].author_name, "Établissement adhérent");
        assert!(v.messages[0].author_id.is_none());
        assert_eq!(v.messages[1].author_name, w.agent.display_name);
        // Shared with the requester: B sees the name everywhere.
        uc::share(&w.app, &w.a, id, true, true, false)
            .await
            .expect("share requester");
        let (rows, _) = uc::list_tickets(&w.app, &w.b, &f).await.expect("list");
        assert_eq!(rows[0].requester_name, w.a.display_name);
        assert!(rows[0].requester_email.is_none());
        let v = uc::ticket_view(&w.app, &w.b, id).await.expect("view");
        assert_eq!(v.messages[0].author_name, w.a.display_name);
    }
);

db_test!(
    async fn an_incident_is_read_within_the_reader_scope(db: Db) {
        let w = world(db.clone()).await;
        let ta = uc::create_ticket(&w.app, &w.a, None, input(w.product, "majeur"), "web")
            .await
            .expect("a");
        let tb = uc::create_ticket(&w.app, &w.b, None, input(w.product, "majeur"), "web")
            .await
            .expect("b");
        let inc = uc::create_incident(&w.app, &w.agent, w.product, "Paie", None, &[ta, tb])
            .await
            .expect("incident");
        let (i, tickets) = uc::get_incident(&w.app, &w.agent, inc)
            .await
            .expect("agent");
        assert_eq!(i.ticket_count, 2);
        assert_eq!(tickets.len(), 2);
        let (_, tickets) = uc::get_incident(&w.app, &w.a, inc).await.expect("a");
        assert_eq!(
            tickets.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
            vec![ta.to_string()]
        );
        // C uses none of the incident's products: 404 like a missing one.
        assert!(matches!(
            uc::get_incident(&w.app, &w.c, inc).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        assert!(matches!(
            uc::get_incident(&w.app, &w.a, Id::new()).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        // Once B shares its ticket, A sees it in the incident, masked.
        uc::share(&w.app, &w.b, tb, true, false, false)
            .await
            .expect("share");
        let (_, tickets) = uc::get_incident(&w.app, &w.a, inc).await.expect("a");
        assert_eq!(tickets.len(), 2);
        let theirs = tickets
            .iter()
            .find(|t| t.id == tb.to_string())
            .expect("shared");
        assert_eq!(theirs.requester_name, "Établissement adhérent");
    }
);
