//! The member-relations demo on both engines: two years of answers with a
//! few dissatisfied institutions, recalls (handled and open), the yearly
//! survey in progress, today's real health for every institution with a
//! history, and INSA Lyon ready for the demo journey (two recent 4/5, so a
//! 1/5 from membre@relais.test drops its health by 10 and flags it).

use relais_app::relation as uc;
use relais_app::App;
use relais_store::Db;
use relais_testkit::db_test;

db_test!(
    async fn the_relation_demo_tells_a_story(db: Db) {
        let now = chrono::DateTime::parse_from_rfc3339("2021-11-15T09:00:00Z")
            .expect("t")
            .with_timezone(&chrono::Utc);
        let s = relais_testkit::demo::load(&db, 2021, now)
            .await
            .expect("demo");
        let r = &s.relation;
        assert!(r.answers > 300, "{r:?}");
        assert!(r.recalls_open > 0 && r.recalls_closed > 0, "{r:?}");
        assert_eq!(r.dissatisfied.len(), 6);
        assert!(r.snapshots >= 180 * 25, "{r:?}");
        let app = App::new(db.clone(), relais_testkit::FakeClock::at(now));
        let actor = |email: &'static str| {
            let db = db.clone();
            async move { relais_testkit::demo_actor(&db, email).await }
        };
        let manager = actor("relation@relais.test").await;
        let member = actor("membre@relais.test").await;
        let (open, stats) = uc::recalls(&app, &manager, false, Some("ouvert"))
            .await
            .expect("recalls");
        assert_eq!(open.len(), r.recalls_open);
        assert!(stats.median_days.is_some());
        // The dissatisfied institutions sit lower than the others.
        let mut c = db.read().await.expect("conn");
        let scores: Vec<(String, i64)> = sqlx::query_as(
            "SELECT i.acronym, h.score FROM health_snapshots h JOIN institutions i ON i.id = h.institution_id \
             WHERE h.computed_on = '2021-11-15'",
        )
        .fetch_all(&mut *c)
        .await
        .expect("scores");
        drop(c);
        assert_eq!(scores.len(), 180);
        let mean = |bad: bool| {
            let v: Vec<i64> = scores
                .iter()
                .filter(|(a, _)| r.dissatisfied.contains(a) == bad)
                .map(|x| x.1)
                .collect();
            v.iter().sum::<i64>() as f64 / v.len() as f64
        };
        assert!(
            mean(true) + 10.0 < mean(false),
            "{} vs {}",
            mean(true),
            mean(false)
        );
        // The campaign in progress.
        let k = uc::campaigns(&app, &manager).await.expect("campaigns");
        assert_eq!(k.len(), 2);
        assert!(k[0].answered < k[0].invited);
        // INSA Lyon: satisfaction from exactly two recent answers at 4/5.
        let insa = member.institution_id.expect("insa");
        let h = uc::health_view(&app, &member, insa).await.expect("health");
        let sat = h
            .health
            .factors
            .iter()
            .find(|f| f.code == "satisfaction")
            .expect("f");
        assert_eq!(sat.points, 10.0, "{sat:?}");
        assert!(h.history.len() >= 25);
    }
);
