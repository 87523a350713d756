//! The steering indicators API on both engines: a member reads their own
//! institution's figures only (never the sum with another's, never the
//! agency's internal plan), the agency reads every institution's, a bad
//! period is a 422 in the error envelope.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_store::steering::DailyRow;
use relais_store::Db;
use relais_testkit::db_test;

db_test!(
    async fn a_member_reads_only_their_institutions_figures(db: Db) {
        let w = world(&db).await;
        let today = chrono::Utc::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        let row = |input: &str, inst: String, n: i64, d: i64| DailyRow {
            day: today.clone(),
            input: input.into(),
            institution_id: inst,
            product_id: String::new(),
            numerator: n,
            denominator: d,
        };
        let mut tx = db.begin().await.expect("tx");
        relais_store::steering::replace_day(
            &mut tx,
            &today,
            "backlog",
            &[
                row("backlog", w.a.to_string(), 3, 0),
                row("backlog", w.b.to_string(), 5, 0),
            ],
        )
        .await
        .expect("backlog");
        relais_store::steering::replace_day(
            &mut tx,
            &today,
            "sla_due",
            &[
                row("sla_due", w.a.to_string(), 1, 4),
                row("sla_due", w.b.to_string(), 3, 4),
            ],
        )
        .await
        .expect("sla");
        relais_store::steering::replace_day(
            &mut tx,
            &today,
            "deliverables_late",
            &[row("deliverables_late", String::new(), 7, 0)],
        )
        .await
        .expect("late");
        tx.commit().await.expect("commit");

        let mut admin = Client::new(db.clone());
        admin.login("admin@t.test", PASSWORD).await;
        let r = admin.api_get("/api/v1/indicators/backlog", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["value"], 8.0);
        let r = admin.api_get("/api/v1/indicators/sla_missed", None).await;
        assert_eq!(r.json()["value"], 50.0, "4 missed of 8 due");
        assert_eq!(r.json()["days"].as_array().expect("days").len(), 1);
        let all = admin.api_get("/api/v1/indicators", None).await.json();
        let late = all
            .as_array()
            .expect("list")
            .iter()
            .find(|i| i["code"] == "deliverables_late")
            .expect("late");
        assert_eq!(late["value"], 7.0);

        let mut member = Client::new(db.clone());
        member.login("membre.a@t.test", PASSWORD).await;
        let r = member.api_get("/api/v1/indicators/backlog", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["value"], 3.0, "A's backlog only");
        let r = member.api_get("/api/v1/indicators/sla_missed", None).await;
        assert_eq!(r.json()["value"], 25.0, "A's 1 missed of 4");
        assert_eq!(r.json()["numerator"], 1);
        let list = member.api_get("/api/v1/indicators", None).await.json();
        let codes: Vec<&str> = list
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|i| i["code"].as_str())
            .collect();
        assert!(codes.contains(&"backlog"));
        assert!(!codes.contains(&"deliverables_late"), "{codes:?}");
        let r = member
            .api_get("/api/v1/indicators/deliverables_late", None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // A member of B reads B's figures.
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let mut mb = Client::new(db.clone());
        mb.login("membre.b@t.test", PASSWORD).await;
        assert_eq!(
            mb.api_get("/api/v1/indicators/backlog", None).await.json()["value"],
            5.0
        );

        // Errors in the envelope.
        let r = admin
            .api_get("/api/v1/indicators/backlog?du=31/02/2021", None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "date_invalide");
        let r = admin.api_get("/api/v1/indicators/nope", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.json()["errors"].is_array());
    }
);
