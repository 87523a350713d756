//! Service-level administration on both engines, with a fake clock: levels
//! and calendars validated with stable codes (line numbers for closures),
//! admin-only writes with an audit row, a saved closure moving the
//! deadlines of new tickets (and only of new ones), contract replacement,
//! and the institution support record counting only that institution.

use chrono::{DateTime, Duration, TimeZone, Utc};
use relais_app::sla_admin as uc;
use relais_app::sla_admin::{CalendarInput, ContractInput, LevelInput};
use relais_app::{App, AppError};
use relais_domain::accounts::{Actor, Role};
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use relais_store::sla_admin::LevelFilter;
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};
use std::collections::BTreeMap;
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
    admin: Actor,
    agent: Actor,
    member_a: Actor,
    member_b: Actor,
    inst_a: Id,
    inst_b: Id,
    product: Id,
}

async fn world(db: Db) -> World {
    let clock = FakeClock::at(paris("2021-03-01 09:00")); // a Monday
    let app = App::new(db.clone(), clock.clone());
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
    let product = builders::product(&db, "sifac", "Sifac").await;
    let inst_a = builders::institution(&db, "Université A", "UA").await;
    let inst_b = builders::institution(&db, "Université B", "UB").await;
    let mut tx = db.begin().await.expect("tx");
    for inst in [inst_a, inst_b] {
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
    let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
    let (_, agent) = builders::user(&db, "agent@t.test", Role::Support, None).await;
    let (_, member_a) = builders::user(&db, "a@t.test", Role::Member, Some(inst_a)).await;
    let (_, member_b) = builders::user(&db, "b@t.test", Role::MemberAdmin, Some(inst_b)).await;
    World {
        app,
        clock,
        admin,
        agent,
        member_a,
        member_b,
        inst_a,
        inst_b,
        product,
    }
}

fn codes(e: AppError) -> Vec<(&'static str, &'static str, String)> {
    match e {
        AppError::Domain(DomainError::Invalid(v)) => {
            v.into_iter().map(|x| (x.code, x.field, x.detail)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn level(name: &str, h: [&str; 6]) -> LevelInput {
    let keys = [
        "bloquant_first_response",
        "bloquant_resolution",
        "majeur_first_response",
        "majeur_resolution",
        "mineur_first_response",
        "mineur_resolution",
    ];
    LevelInput {
        code: "premium".into(),
        name: name.into(),
        hours: keys
            .iter()
            .zip(h)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn standard_hours() -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for names in uc::HOUR_FIELDS.iter().take(5) {
        for (n, v) in names.iter().zip(["09:00", "12:30", "13:30", "17:30"]) {
            m.insert(n.to_string(), v.to_string());
        }
    }
    m
}

fn forbidden(r: Result<impl std::fmt::Debug, AppError>) {
    match r {
        Err(AppError::Domain(DomainError::Forbidden)) => {}
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

db_test!(
    async fn levels_are_validated_admin_only_and_audited(db: Db) {
        let w = world(db.clone()).await;
        uc::save_level(
            &w.app,
            &w.admin,
            level("Premium+", ["0,5", "6", "2", "15", "7.5", "37,5"]),
            false,
        )
        .await
        .expect("saved");
        let l = uc::get_level(&w.app, &w.agent, "premium")
            .await
            .expect("read");
        assert_eq!(l.name, "Premium+");
        assert_eq!(l.targets["bloquant"].first_response, 30);
        assert_eq!(l.targets["mineur"].resolution, 2250);
        // Audited with the values before and after.
        let mut c = db.read().await.expect("c");
        let h =
            relais_store::audit::history(&mut c, "service_level", Id::parse(&l.id).expect("id"))
                .await
                .expect("history");
        drop(c);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].action, "update");
        let changes: serde_json::Value = serde_json::from_str(&h[0].changes).expect("json");
        assert_eq!(changes["name"], serde_json::json!(["Premium", "Premium+"]));
        assert_eq!(changes["targets"][0]["bloquant"]["first_response"], 60);
        assert_eq!(changes["targets"][1]["bloquant"]["first_response"], 30);

        // Negative, resolution before first response, unreadable: one error
        // per field, with stable codes.
        let err = uc::save_level(
            &w.app,
            &w.admin,
            level("Premium", ["-1", "6", "8", "4", "deux", "10"]),
            false,
        )
        .await
        .expect_err("invalid");
        let got = codes(err);
        assert!(got.contains(&(
            "invalid_target",
            "bloquant_first_response",
            "Les objectifs « Bloquant » doivent être des durées positives.".into()
        )));
        assert!(got
            .iter()
            .any(|e| e.0 == "response_after_resolution" && e.1 == "majeur_resolution"));
        assert!(got
            .iter()
            .any(|e| e.0 == "invalid_number" && e.1 == "mineur_first_response"));
        assert_eq!(got.len(), 3, "{got:?}");
        // Nothing changed.
        let l = uc::get_level(&w.app, &w.admin, "premium")
            .await
            .expect("read");
        assert_eq!(l.targets["bloquant"].first_response, 30);

        // A new level needs a free code.
        let mut dup = level("Autre", ["1", "2", "1", "2", "1", "2"]);
        dup.code = "socle".into();
        let got = codes(
            uc::save_level(&w.app, &w.admin, dup, true)
                .await
                .expect_err("taken"),
        );
        assert_eq!(got[0].0, "code_taken");

        // Agency staff read; only admins write; members do neither.
        forbidden(
            uc::save_level(
                &w.app,
                &w.agent,
                level("Pirate", ["1", "2", "1", "2", "1", "2"]),
                false,
            )
            .await,
        );
        forbidden(uc::list_levels(&w.app, &w.member_a).await);
        forbidden(uc::get_level(&w.app, &w.member_b, "premium").await);
        forbidden(uc::list_contracts(&w.app, &w.member_a, &LevelFilter::Any).await);
        assert_eq!(
            uc::list_levels(&w.app, &w.agent)
                .await
                .expect("agent")
                .len(),
            3
        );
    }
);

db_test!(
    async fn calendars_refuse_bad_hours_and_closure_lines_with_line_numbers(db: Db) {
        let w = world(db.clone()).await;
        let cals = uc::list_calendars(&w.app, &w.admin).await.expect("list");
        let metro = cals.iter().find(|c| c.code == "metropole").expect("metro");
        let id = Id::parse(&metro.id).expect("id");
        let mut hours = standard_hours();
        hours.insert("mon_close1".into(), "08:00".into()); // before 09:00
        hours.insert("tue_open2".into(), "12:00".into()); // overlaps the morning
        hours.insert("wed_open1".into(), "9h75".into());
        let input = CalendarInput {
            name: "Métropole".into(),
            kind: "metropole".into(),
            hours,
            closures: "2021-12-24;2021-12-31;Fin d'année\n2021-12-30;2022-01-03;Chevauche\n\n2021-08-20;2021-08-02;Été\n2021-02-30;2021-03-01;Date fausse"
                .into(),
            ..Default::default()
        };
        let got = codes(
            uc::save_calendar(&w.app, &w.admin, Some(id), input)
                .await
                .expect_err("invalid"),
        );
        let find = |code: &str| {
            got.iter()
                .filter(|e| e.0 == code)
                .map(|e| (e.1, e.2.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(find("invalid_hours")[0].0, "mon_close1");
        assert_eq!(find("overlapping_hours")[0].0, "tue_open2");
        assert_eq!(find("invalid_time")[0].0, "wed_open1");
        let overlap = &find("overlapping_closure")[0].1;
        assert!(
            overlap.starts_with("Ligne 2 ") && overlap.contains("ligne 1"),
            "{overlap}"
        );
        assert!(find("invalid_closure")[0].1.starts_with("Ligne 4 "));
        assert!(find("invalid_closure_line")[0].1.starts_with("Ligne 5 "));
        // No working time at all is refused by the domain.
        let got = codes(
            uc::save_calendar(
                &w.app,
                &w.admin,
                Some(id),
                CalendarInput {
                    name: "Vide".into(),
                    kind: "metropole".into(),
                    ..Default::default()
                },
            )
            .await
            .expect_err("empty"),
        );
        assert_eq!(got[0].0, "no_working_time");
        // Unknown kind and time zone.
        let got = codes(
            uc::save_calendar(
                &w.app,
                &w.admin,
                Some(id),
                CalendarInput {
                    name: "X".into(),
                    kind: "outre_mer:atlantide".into(),
                    timezone: "Europe/Atlantis".into(),
                    hours: standard_hours(),
                    ..Default::default()
                },
            )
            .await
            .expect_err("kind"),
        );
        let c: Vec<_> = got.iter().map(|e| e.0).collect();
        assert_eq!(c, ["invalid_kind", "invalid_timezone"]);
        // An overseas territory's holidays and zone.
        let new_id = uc::save_calendar(
            &w.app,
            &w.admin,
            None,
            CalendarInput {
                code: "reunion".into(),
                name: "La Réunion".into(),
                kind: "outre_mer:reunion".into(),
                hours: standard_hours(),
                ..Default::default()
            },
        )
        .await
        .expect("created");
        let r = uc::get_calendar(&w.app, &w.agent, new_id)
            .await
            .expect("get");
        assert_eq!(r.calendar.tz.name(), "Indian/Reunion");
        assert!(uc::holidays(&r.calendar, 2021)
            .iter()
            .any(|(d, n)| d.to_string() == "2021-12-20" && *n == "Abolition de l'esclavage"));
        // Members and agents cannot write.
        forbidden(uc::save_calendar(&w.app, &w.agent, Some(id), CalendarInput::default()).await);
        forbidden(uc::get_calendar(&w.app, &w.member_a, id).await);
    }
);

fn ticket(product: Id, subject: &str) -> TicketInput {
    TicketInput {
        product_id: product.to_string(),
        category: "anomalie".into(),
        severity: "bloquant".into(),
        subject: subject.into(),
        body: "Le mandat de paie est rejeté avec l'erreur FI-402.".into(),
        ..Default::default()
    }
}

db_test!(
    async fn a_closure_moves_new_deadlines_only_and_is_audited(db: Db) {
        let w = world(db.clone()).await;
        let before = relais_app::support::create_ticket(
            &w.app,
            &w.member_a,
            None,
            ticket(w.product, "Avant la fermeture"),
            "web",
        )
        .await
        .expect("ticket");
        let cals = uc::list_calendars(&w.app, &w.admin).await.expect("list");
        let metro = cals.iter().find(|c| c.code == "metropole").expect("metro");
        let id = Id::parse(&metro.id).expect("id");
        uc::save_calendar(
            &w.app,
            &w.admin,
            Some(id),
            CalendarInput {
                name: "Métropole".into(),
                kind: "metropole".into(),
                hours: standard_hours(),
                closures: "2021-03-01;2021-03-05;Semaine de fermeture".into(),
                ..Default::default()
            },
        )
        .await
        .expect("saved");
        let saved = uc::get_calendar(&w.app, &w.admin, id).await.expect("get");
        assert_eq!(saved.closures[0].label, "Semaine de fermeture");
        assert_eq!(
            saved.closure_text(),
            "2021-03-01;2021-03-05;Semaine de fermeture"
        );
        let mut c = db.read().await.expect("c");
        let h = relais_store::audit::history(&mut c, "business_calendar", id)
            .await
            .expect("history");
        drop(c);
        assert_eq!(h.len(), 1);
        assert!(h[0].changes.contains("Semaine de fermeture"));
        uc::save_contract(
            &w.app,
            &w.admin,
            ContractInput {
                institution_id: w.inst_a.to_string(),
                level: "socle".into(),
                calendar: "metropole".into(),
                starts_on: "2021-01-01".into(),
                ends_on: String::new(),
            },
        )
        .await
        .expect("contract");
        let after = relais_app::support::create_ticket(
            &w.app,
            &w.member_a,
            None,
            ticket(w.product, "Pendant la fermeture"),
            "web",
        )
        .await
        .expect("ticket");
        let due = |id: Id| {
            let app = w.app.clone();
            let actor = w.member_a.clone();
            async move {
                let t = relais_app::support::get_ticket(&app, &actor, id)
                    .await
                    .expect("t");
                relais_store::parse_ts(t.first_response_due_at.as_deref().expect("due"))
            }
        };
        // Socle, bloquant: 4 business hours. Filed before: Monday 14:00, kept.
        assert_eq!(due(before).await, Some(paris("2021-03-01 14:00")));
        // Filed during the closure week: the clock starts the next Monday.
        assert_eq!(due(after).await, Some(paris("2021-03-08 14:00")));
    }
);

db_test!(
    async fn contracts_replace_each_other_and_are_audited(db: Db) {
        let w = world(db.clone()).await;
        let assign = |level: &str, cal: &str, start: &str| ContractInput {
            institution_id: w.inst_a.to_string(),
            level: level.into(),
            calendar: cal.into(),
            starts_on: start.into(),
            ends_on: String::new(),
        };
        uc::save_contract(&w.app, &w.admin, assign("socle", "metropole", "2020-01-01"))
            .await
            .expect("first");
        let second = uc::save_contract(
            &w.app,
            &w.admin,
            assign("premium", "alsace_moselle", "2021-02-01"),
        )
        .await
        .expect("second");
        let lines = uc::list_contracts(&w.app, &w.agent, &LevelFilter::Any)
            .await
            .expect("list");
        let a = lines
            .iter()
            .find(|l| l.institution_id == w.inst_a.to_string())
            .expect("a");
        assert_eq!(a.level_code.as_deref(), Some("premium"));
        assert_eq!(a.calendar_name.as_deref(), Some("Alsace-Moselle"));
        let b = lines
            .iter()
            .find(|l| l.institution_id == w.inst_b.to_string())
            .expect("b");
        assert!(b.contract_id.is_none());
        let mut c = db.read().await.expect("c");
        let all = relais_store::support::contracts_of(&mut c, w.inst_a)
            .await
            .expect("contracts");
        let h = relais_store::audit::history(&mut c, "service_contract", second)
            .await
            .expect("history");
        drop(c);
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].ends_on.as_deref(), Some("2021-01-31"), "cut short");
        assert!(h[0].changes.contains("ended_early"));
        // Filter by level, and the institutions without a contract.
        let premium = uc::list_contracts(&w.app, &w.admin, &LevelFilter::Code("premium".into()))
            .await
            .expect("premium");
        assert_eq!(premium.len(), 1);
        let none = uc::list_contracts(&w.app, &w.admin, &LevelFilter::None)
            .await
            .expect("none");
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].institution_id, w.inst_b.to_string());
        // Bad input: French messages and codes; only admins.
        let got = codes(
            uc::save_contract(
                &w.app,
                &w.admin,
                ContractInput {
                    institution_id: w.inst_a.to_string(),
                    level: "diamant".into(),
                    calendar: "metropole".into(),
                    starts_on: "2021-05-01".into(),
                    ends_on: "2021-04-01".into(),
                },
            )
            .await
            .expect_err("invalid"),
        );
        assert_eq!(got[0].0, "invalid_period");
        forbidden(
            uc::save_contract(&w.app, &w.agent, assign("socle", "metropole", "2021-01-01")).await,
        );
    }
);

db_test!(
    async fn support_record_counts_only_its_institution(db: Db) {
        let w = world(db.clone()).await;
        let mk = |actor: Actor, subject: &'static str| {
            let app = w.app.clone();
            let product = w.product;
            async move {
                relais_app::support::create_ticket(
                    &app,
                    &actor,
                    None,
                    ticket(product, subject),
                    "web",
                )
                .await
                .expect("ticket")
            }
        };
        let a1 = mk(w.member_a.clone(), "A répondu à temps").await;
        let a2 = mk(w.member_a.clone(), "A en retard").await;
        let _a3 = mk(w.member_a.clone(), "A ouvert").await;
        let b1 = mk(w.member_b.clone(), "B secret").await;
        // a1 answered within 4 h and resolved the same day; a2 answered late;
        // b1 answered in time (must not count for A).
        let mut tx = db.begin().await.expect("tx");
        for (id, answered, resolved, status, editor) in [
            (
                a1,
                "2021-03-01T09:30:00.000Z",
                Some("2021-03-01T14:00:00.000Z"),
                "resolu",
                90i64,
            ),
            (a2, "2021-03-03T09:30:00.000Z", None, "en_cours", 0),
            (
                b1,
                "2021-03-01T08:30:00.000Z",
                Some("2021-03-01T09:00:00.000Z"),
                "resolu",
                600,
            ),
        ] {
            sqlx::query(
                "UPDATE tickets SET first_response_at = $1, resolved_at = $2, status = $3, \
                 editor_minutes = $4 WHERE id = $5",
            )
            .bind(answered)
            .bind(resolved)
            .bind(status)
            .bind(editor)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .expect("update");
        }
        tx.commit().await.expect("commit");
        w.clock.advance(Duration::days(7));
        let r = uc::institution_support_record(&w.app, &w.member_a, w.inst_a)
            .await
            .expect("record");
        assert_eq!(r.totals.tickets, 3);
        // a1 and a2 answered, a3 past due unanswered: 1 of 3 in time.
        assert_eq!(r.totals.first_response_measured, 3);
        assert_eq!(r.totals.first_response_met, 1);
        assert_eq!(r.first_response_share(), Some(33));
        assert_eq!(r.totals.resolution_met, 1);
        assert_eq!(r.totals.editor_minutes, 90);
        // Filed Monday 09:00 Paris (08:00 UTC), resolved 15:00 Paris: 5 h of
        // business time minus the lunch hour.
        assert_eq!(r.median_resolution_minutes, Some(300));
        assert_eq!(r.open.len(), 2);
        assert!(r.open.iter().all(|t| t.subject.starts_with('A')));
        assert!(r.timeline().iter().any(|e| e.title.contains("résolu")));
        assert!(!r.timeline().iter().any(|e| e.title.contains("B secret")));
        // Another institution's member: not found, like a missing row.
        match uc::institution_support_record(&w.app, &w.member_b, w.inst_a).await {
            Err(AppError::Domain(DomainError::NotFound)) => {}
            other => panic!("expected NotFound, got {other:?}"),
        }
        let rb = uc::institution_support_record(&w.app, &w.agent, w.inst_b)
            .await
            .expect("b");
        assert_eq!(rb.totals.tickets, 1);
        assert_eq!(rb.totals.editor_minutes, 600);
    }
);
