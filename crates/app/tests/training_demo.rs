//! The demo's training data, on both engines: the plan's catalogue, a year
//! of sessions under the sanitary protocol, the demo member's certificate,
//! waiting-list place and pending request, a statement for INSA Lyon at
//! 260 € per day and trainee, and the seven executive cycles.

// Amounts read as euros_cents (260_00 is 260,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use relais_app::training as t;
use relais_app::App;
use relais_store::Db;
use relais_testkit::{db_test, FakeClock};

db_test!(
    async fn the_plans_training_offer_is_in_the_demo(db: Db) {
        let now = chrono::DateTime::parse_from_rfc3339("2021-11-15T09:00:00Z")
            .expect("t")
            .with_timezone(&chrono::Utc);
        let s = relais_testkit::demo::load(&db, 2021, now)
            .await
            .expect("demo");
        assert_eq!(s.training.trainings, 16);
        assert!(s.training.sessions >= 36, "{:?}", s.training);
        assert_eq!(s.training.cycles, 7);
        let app = App::new(db.clone(), FakeClock::at(now));
        let member = relais_testkit::demo_actor(&db, "membre@relais.test").await;
        let referent = relais_testkit::demo_actor(&db, "referent@relais.test").await;
        let admin = relais_testkit::demo_actor(&db, "admin@relais.test").await;

        let cat = t::catalogue(&app, None, Default::default())
            .await
            .expect("catalogue");
        for code in [
            "SIFAC-EL-PRISE",
            "SIHAM-EL-PRISE",
            "EVRP-EL",
            "APOGEE-SISE",
            "BO-APOGEE",
            "SIFAC-RECOUV",
        ] {
            assert!(
                cat.iter().any(|x| x.code == code),
                "{code} is in the catalogue"
            );
        }
        // Rooms are halved.
        let (percent, _) = t::settings(&app).await.expect("settings");
        assert_eq!(percent, 50);

        let mine = t::my_registrations(&app, &member).await.expect("mine");
        assert!(
            mine.iter().any(|(r, _)| r.attended == Some(1)),
            "a certificate to download"
        );
        assert!(
            mine.iter()
                .any(|(r, p)| r.status == "attente" && *p == Some(2)),
            "second on a waiting list: {:?}",
            mine.iter()
                .map(|(r, p)| (&r.training_title, &r.status, p))
                .collect::<Vec<_>>()
        );
        assert!(
            mine.iter().any(|(r, _)| r.status == "demande"),
            "a request awaiting the referent"
        );
        let pending = t::pending_requests(&app, &referent).await.expect("pending");
        assert!(pending.len() >= 2);
        assert!(pending
            .iter()
            .all(|r| Some(r.institution_id.clone())
                == referent.institution_id.map(|i| i.to_string())));

        let insa = referent.institution_id.expect("INSA");
        let st = t::statement(&app, &referent, insa, "2021-01-01", "2021-12-31")
            .await
            .expect("statement");
        let held = st
            .lines
            .iter()
            .find(|l| l.kind == "continue")
            .expect("a continuing line");
        assert_eq!(held.amount_cents, 260_00 * held.half_days / 2);
        assert_eq!(
            st.total_cents,
            st.lines.iter().map(|l| l.amount_cents).sum::<i64>()
        );

        let cycles = t::cycles(&app, &admin).await.expect("cycles");
        let dgs = cycles
            .iter()
            .find(|c| c.function_code == "DGS")
            .expect("DGS");
        let (_, modules, people) =
            t::cycle(&app, &admin, relais_domain::Id::parse(&dgs.id).expect("id"))
                .await
                .expect("cycle");
        assert_eq!(modules.len(), 4);
        assert!(modules
            .iter()
            .any(|m| m.title == "Se nourrir des partenariats"));
        assert!(!people.is_empty());
        // A member counts only their institution's participants.
        let theirs = t::cycles(&app, &member).await.expect("member cycles");
        assert!(
            theirs.iter().map(|c| c.participants).sum::<i64>()
                < cycles.iter().map(|c| c.participants).sum::<i64>()
        );
    }
);
