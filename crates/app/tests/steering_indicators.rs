//! The indicator refresh job on both engines: constructed tickets and
//! complaints on one day give the daily aggregates computed by hand, per
//! institution; a rerun replaces the day (never counts twice); the job
//! runs through the application's runner; on the demo every input's query
//! runs.

use relais_app::jobs::{self, RefreshIndicators};
use relais_app::App;
use relais_domain::steering::{compute, indicator};
use relais_domain::Id;
use relais_store::steering as store;
use relais_store::{Db, Scope};
use relais_testkit::db_test;

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("t")
        .with_timezone(&chrono::Utc)
}

async fn exec(db: &Db, sql: &str, binds: &[&str]) {
    let mut c = db.begin().await.expect("tx");
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.execute(&mut *c).await.expect(sql);
    c.commit().await.expect("commit");
}

async fn institution(db: &Db, name: &str) -> String {
    let id = Id::new().to_string();
    exec(
        db,
        "INSERT INTO institutions (id, name, kind, membership, search_text, created_at, updated_at) \
         VALUES ($1, $2, 'universite', 'adherent', $2, '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z')",
        &[&id, name],
    )
    .await;
    id
}

#[allow(clippy::too_many_arguments)]
async fn ticket(
    db: &Db,
    inst: &str,
    product: &str,
    created: &str,
    first_response: Option<&str>,
    due: &str,
    resolved: Option<&str>,
) {
    let id = Id::new().to_string();
    exec(
        db,
        "INSERT INTO tickets (id, reference, institution_id, requester_name, product_id, category, severity, \
         status, subject, created_at, updated_at, last_status_at, first_response_at, resolution_due_at, resolved_at) \
         VALUES ($1, $1, $2, 'Demandeur', $3, 'question', 'normale', 'ouvert', 'Sujet', $4, $4, $4, \
         CASE WHEN $5 = '' THEN NULL ELSE $5 END, $6, CASE WHEN $7 = '' THEN NULL ELSE $7 END)",
        &[
            &id,
            inst,
            product,
            created,
            first_response.unwrap_or(""),
            due,
            resolved.unwrap_or(""),
        ],
    )
    .await;
}

async fn sum(db: &Db, scope: Scope, input: &str) -> (i64, i64) {
    let mut c = db.read().await.expect("read");
    store::sum_input(&mut c, scope, input, "2030-03-10", "2030-03-10", None, None)
        .await
        .expect("sum")
}

db_test!(
    async fn the_refresh_job_fills_the_day_with_hand_computed_figures(db: Db) {
        exec(
            &db,
            "INSERT INTO domains (code, name, position) VALUES ('scol', 'Scolarité', 1)",
            &[],
        )
        .await;
        let product = Id::new().to_string();
        exec(
            &db,
            "INSERT INTO products (id, code, name, domain_code, stage, created_at, updated_at) \
             VALUES ($1, 'APO', 'Apogée', 'scol', 'production', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z')",
            &[&product],
        )
        .await;
        let a = institution(&db, "Université A").await;
        let b = institution(&db, "Université B").await;
        // A: answered after 30 min, resolved in time.
        ticket(
            &db,
            &a,
            &product,
            "2030-03-10T08:00:00.000Z",
            Some("2030-03-10T08:30:00.000Z"),
            "2030-03-10T12:00:00.000Z",
            Some("2030-03-10T11:00:00.000Z"),
        )
        .await;
        // A: answered after 90 min, still open past its deadline.
        ticket(
            &db,
            &a,
            &product,
            "2030-03-10T09:00:00.000Z",
            Some("2030-03-10T10:30:00.000Z"),
            "2030-03-10T15:00:00.000Z",
            None,
        )
        .await;
        // B: answered two days before, resolved an hour late.
        ticket(
            &db,
            &b,
            &product,
            "2030-03-08T10:00:00.000Z",
            Some("2030-03-08T11:00:00.000Z"),
            "2030-03-10T16:00:00.000Z",
            Some("2030-03-10T17:00:00.000Z"),
        )
        .await;
        // B: filed the next day: counts nowhere on the 10th.
        ticket(
            &db,
            &b,
            &product,
            "2030-03-11T09:00:00.000Z",
            None,
            "2030-03-12T09:00:00.000Z",
            None,
        )
        .await;
        // Complaints: A's still open, B's closed on the 5th.
        for (inst, closed) in [(&a, ""), (&b, "2030-03-05T10:00:00.000Z")] {
            let id = Id::new().to_string();
            exec(
                &db,
                "INSERT INTO complaints (id, institution_id, channel, touchpoint, severity, title, description, status, \
                 closed_at, created_at, updated_at) VALUES ($1, $2, 'mail', 'support', 'moyenne', 'R', 'D', 'ouverte', \
                 CASE WHEN $3 = '' THEN NULL ELSE $3 END, '2030-03-01T10:00:00.000Z', '2030-03-01T10:00:00.000Z')",
                &[&id, inst, closed],
            )
            .await;
        }

        let app = App::new(
            db.clone(),
            relais_testkit::FakeClock::at(at("2030-03-11T06:00:00Z")),
        );
        let mut c = db.begin().await.expect("tx");
        jobs::enqueue(
            &mut c,
            &RefreshIndicators {
                from: "2030-03-10".into(),
                to: "2030-03-10".into(),
            },
            &app.now_ts(),
        )
        .await
        .expect("enqueue");
        c.commit().await.expect("commit");
        let mut runner = jobs::runner(&app);
        jobs::handle_indicators(&mut runner, &app);
        assert_eq!(runner.tick().await.expect("tick"), 1);

        let ia = Scope::Institution(Id::parse(&a).expect("id"));
        let ib = Scope::Institution(Id::parse(&b).expect("id"));
        // SLA: A 1 missed of 2 due, B 1 of 1 → agency 2 of 3.
        assert_eq!(sum(&db, ia, "sla_due").await, (1, 2));
        assert_eq!(sum(&db, ib, "sla_due").await, (1, 1));
        assert_eq!(sum(&db, Scope::All, "sla_due").await, (2, 3));
        let pct = compute(
            indicator("sla_missed").expect("i").formula,
            &[("2030-03-10".into(), 2, 3)],
        )
        .expect("v");
        assert!((pct - 66.666).abs() < 0.01, "{pct}");
        // Backlog at the end of the 10th: A's open ticket only.
        assert_eq!(sum(&db, Scope::All, "backlog").await.0, 1);
        assert_eq!(sum(&db, ib, "backlog").await.0, 0);
        // First responses on the 10th: (30 + 90) / 2 = 60 minutes, all A's.
        assert_eq!(sum(&db, ia, "first_response").await, (120, 2));
        assert_eq!(sum(&db, ib, "first_response").await, (0, 0));
        // Open complaints: A's only.
        assert_eq!(sum(&db, Scope::All, "complaints_open").await.0, 1);
        assert_eq!(sum(&db, ia, "complaints_open").await.0, 1);
        // No deliverable in this database: a zero, agency-wide.
        assert_eq!(sum(&db, Scope::All, "deliverables_late").await.0, 0);
        assert_eq!(sum(&db, ia, "deliverables_late").await.0, 0);

        // A rerun replaces the day: the figures do not double.
        let day = chrono::NaiveDate::from_ymd_opt(2030, 3, 10).expect("d");
        relais_app::steering::refresh_indicators(&app, day, day)
            .await
            .expect("rerun");
        assert_eq!(sum(&db, Scope::All, "sla_due").await, (2, 3));
        assert_eq!(sum(&db, ia, "first_response").await, (120, 2));
    }
);

db_test!(
    async fn every_input_query_runs_on_the_demo(db: Db) {
        let now = at("2021-11-15T09:00:00Z");
        relais_testkit::demo::load(&db, 2021, now)
            .await
            .expect("demo");
        let app = App::new(db.clone(), relais_testkit::FakeClock::at(now));
        let to = relais_app::steering::today(&app);
        let n = relais_app::steering::refresh_indicators(&app, to - chrono::Days::new(60), to)
            .await
            .expect("refresh");
        assert!(n > 0);
        let mut c = db.read().await.expect("read");
        let (late, _) = store::sum_input(
            &mut c,
            Scope::All,
            "deliverables_late",
            "2021-11-15",
            "2021-11-15",
            None,
            None,
        )
        .await
        .expect("late");
        assert!(late > 0, "the 2021 plan has late deliverables in November");
        let (_, due) = store::sum_input(
            &mut c,
            Scope::All,
            "sla_due",
            "2021-09-16",
            "2021-11-15",
            None,
            None,
        )
        .await
        .expect("sla");
        assert!(due > 0, "demo tickets fall due in the period");
    }
);
