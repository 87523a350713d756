//! The SLA watchdog on both engines, with a fake clock: a warning when
//! less than the admins' share of a target is left (to the agent and the
//! team), once; a breach escalated to the team lead; nothing while the
//! clock waits on the institution; the at-risk list gives the reason; only
//! admins set the share; members see nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use relais_app::support as uc;
use relais_app::watchdog;
use relais_app::{App, AppError};
use relais_domain::accounts::Role;
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};

fn paris(s: &str) -> DateTime<Utc> {
    chrono_tz::Europe::Paris
        .from_local_datetime(
            &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("d"),
        )
        .earliest()
        .expect("l")
        .with_timezone(&Utc)
}

async fn alert_jobs(db: &Db) -> Vec<serde_json::Value> {
    let mut c = db.read().await.expect("conn");
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT payload FROM jobs WHERE kind = 'mail.notify' ORDER BY created_at, id",
    )
    .fetch_all(&mut *c)
    .await
    .expect("jobs");
    rows.into_iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.0).expect("json"))
        .filter(|v| v["template"] == "sla_alert")
        .collect()
}

db_test!(
    async fn warns_once_escalates_breaches_and_respects_pauses(db: Db) {
        let clock = FakeClock::at(paris("2021-03-01 09:00")); // a Monday
        let app = App::new(db.clone(), clock.clone());
        uc::ensure_defaults(&app).await.expect("defaults");
        let product = builders::product(&db, "sifac", "Sifac").await;
        let inst = builders::institution(&db, "Université A", "UA").await;
        relais_testkit::builders::deploy(&db, inst, product).await;
        let (lead_id, lead) = builders::user(&db, "chef@t.test", Role::Support, None).await;
        let (agent_id, agent) = builders::user(&db, "agent@t.test", Role::Support, None).await;
        let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
        let (_, member) = builders::user(&db, "a@t.test", Role::Member, Some(inst)).await;
        let mut tx = db.begin().await.expect("tx");
        let team = Id::new();
        relais_store::support::insert_team(
            &mut tx,
            team,
            "fin",
            "Pôle Finances",
            Some(lead_id),
            Some("finances@amue.test"),
            "2021-01-01T00:00:00.000Z",
        )
        .await
        .expect("team");
        relais_store::support::set_product_team(&mut tx, product, team)
            .await
            .expect("route");
        tx.commit().await.expect("commit");
        let input = |severity: &str, subject: &str| TicketInput {
            product_id: product.to_string(),
            category: "anomalie".into(),
            severity: severity.into(),
            subject: subject.into(),
            body: "La paie est bloquée.".into(),
            ..Default::default()
        };
        // Socle, bloquant: first response within 4 business hours → 14:00.
        let t = uc::create_ticket(
            &app,
            &member,
            None,
            input("bloquant", "Paie bloquée"),
            "web",
        )
        .await
        .expect("ticket");
        uc::assign(
            &app,
            &lead,
            t,
            Some(team.to_string()),
            Some(agent_id.to_string()),
        )
        .await
        .expect("assign");

        clock.set(paris("2021-03-01 11:00"));
        let r = watchdog::sweep(&app).await.expect("sweep");
        assert_eq!((r.warnings, r.breaches), (0, 0), "plenty of time left");

        // 13:05: 55 business minutes left, less than a quarter of 240.
        clock.set(paris("2021-03-01 13:05"));
        let r = watchdog::sweep(&app).await.expect("sweep");
        assert_eq!((r.warnings, r.breaches), (1, 0));
        let jobs = alert_jobs(&db).await;
        assert_eq!(jobs.len(), 1);
        let to: Vec<&str> = jobs[0]["to"]
            .as_array()
            .expect("to")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(
            to,
            vec!["agent@t.test", "finances@amue.test"],
            "the assignee and the team"
        );
        assert_eq!(jobs[0]["kind"], "warning");
        let r = watchdog::sweep(&app).await.expect("sweep again");
        assert_eq!((r.warnings, r.breaches), (0, 0), "a warning is raised once");
        let risk = watchdog::at_risk(&app, &agent).await.expect("at risk");
        assert_eq!(risk.len(), 1);
        assert_eq!(risk[0].clocks[0].state, "at_risk");
        assert!(
            risk[0].clocks[0].reason.contains("moins de 25 %"),
            "{}",
            risk[0].clocks[0].reason
        );

        // 14:05: missed; the lead is told.
        clock.set(paris("2021-03-01 14:05"));
        let r = watchdog::sweep(&app).await.expect("sweep");
        assert_eq!(r.breaches, 1);
        let jobs = alert_jobs(&db).await;
        let breach = jobs
            .iter()
            .find(|j| j["kind"] == "breach")
            .expect("breach mail");
        let to: Vec<&str> = breach["to"]
            .as_array()
            .expect("to")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(
            to,
            vec!["chef@t.test", "finances@amue.test"],
            "escalated to the team lead"
        );
        assert!(
            watchdog::sweep(&app).await.expect("sweep").breaches == 0,
            "a breach is raised once"
        );
        let alerts = watchdog::recent_alerts(&app, &agent, 7)
            .await
            .expect("alerts");
        assert_eq!(alerts.len(), 2);

        // A ticket waiting on the institution: its resolution clock is paused.
        let t2 = uc::create_ticket(
            &app,
            &member,
            None,
            input("majeur", "Question sur les états"),
            "web",
        )
        .await
        .expect("t2");
        uc::reply(
            &app,
            &agent,
            t2,
            "Pouvez-vous préciser l'état ?",
            false,
            "web",
            None,
        )
        .await
        .expect("answer");
        uc::change_status(&app, &agent, t2, "attente_etablissement")
            .await
            .expect("wait");
        let due = relais_store::parse_ts(
            &uc::get_ticket(&app, &agent, t2)
                .await
                .expect("get")
                .resolution_due_at
                .expect("due"),
        )
        .expect("ts");
        clock.set(due - Duration::minutes(20));
        watchdog::sweep(&app).await.expect("sweep");
        let risk = watchdog::at_risk(&app, &agent).await.expect("at risk");
        assert!(
            !risk.iter().any(|r| r.ticket.id == t2.to_string()),
            "no warning while the clock waits on the institution"
        );

        // Settings and permissions.
        assert!(matches!(
            watchdog::set_warn_share(&app, &agent, "50").await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        assert!(matches!(
            watchdog::set_warn_share(&app, &admin, "150").await,
            Err(AppError::Domain(DomainError::Invalid(_)))
        ));
        watchdog::set_warn_share(&app, &admin, "50")
            .await
            .expect("share");
        assert!((watchdog::current_share(&app).await.expect("share") - 0.5).abs() < 1e-9);
        assert!(matches!(
            watchdog::at_risk(&app, &member).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
    }
);
