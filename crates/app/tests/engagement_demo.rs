//! The member-relations demo on both engines: two years of complaints
//! across the irritants with corrective actions, most closed with an
//! answer; the campaign of qualified contacts with every member, about
//! 40 % done; the comité with members and four meetings. The demo member
//! (INSA Lyon) sees only INSA Lyon's complaints, without internal notes.

use relais_app::engagement as uc;
use relais_app::App;
use relais_store::engagement::{ComplaintFilter, TargetFilter};
use relais_store::Db;
use relais_testkit::db_test;

db_test!(
    async fn the_engagement_demo_is_loaded(db: Db) {
        let now = chrono::DateTime::parse_from_rfc3339("2021-11-15T09:00:00Z")
            .expect("t")
            .with_timezone(&chrono::Utc);
        let s = relais_testkit::demo::load(&db, 2021, now)
            .await
            .expect("demo");
        let r = &s.engagement;
        assert_eq!(r.complaints, 70);
        assert!(r.corrective_actions > 50, "{}", r.corrective_actions);
        let done = r.campaign_done as f64 / r.campaign_targets as f64;
        assert!((0.25..0.55).contains(&done), "{done}");
        assert_eq!(r.comite_meetings, 4);
        assert_eq!(r.comite_members, 12);
        let app = App::new(db.clone(), relais_testkit::FakeClock::at(now));
        let admin = relais_testkit::demo_actor(&db, "admin@relais.test").await;
        let member = relais_testkit::demo_actor(&db, "membre@relais.test").await;
        let an = uc::analysis(&app, &admin, 24).await.expect("analysis");
        assert_eq!(an.total, 70);
        assert!(an.by_touchpoint.len() >= 5);
        assert!(an
            .by_touchpoint
            .iter()
            .any(|t| t.median_days_to_close.is_some()));
        assert!(an.by_department.len() >= 3);
        let all = ComplaintFilter {
            limit: 500,
            ..Default::default()
        };
        let (rows, total) = uc::list_complaints(&app, &member, &all)
            .await
            .expect("mine");
        assert!(total >= 2);
        let own = member.institution_id.expect("inst").to_string();
        assert!(rows.iter().all(|k| k.institution_id == own));
        assert!(rows
            .iter()
            .any(|k| k.status == "close" && k.answer.is_some()));
        assert!(rows.iter().any(|k| k.status != "close"));
        for k in &rows {
            let v = uc::get_complaint(&app, &member, relais_domain::Id::parse(&k.id).expect("id"))
                .await
                .expect("own");
            assert!(v.notes.is_empty());
            assert!(v.actions.iter().all(|a| a.details.is_none()));
        }
        let campaigns = uc::list_campaigns(&app, &admin).await.expect("campaigns");
        assert_eq!(campaigns.len(), 1);
        let (c, targets) = uc::get_campaign(
            &app,
            &admin,
            relais_domain::Id::parse(&campaigns[0].id).expect("id"),
            &TargetFilter::default(),
        )
        .await
        .expect("campaign");
        assert_eq!(c.targets as usize, targets.len());
        assert!(targets.iter().all(|t| t.manager_id.is_some()));
        let meetings = uc::list_meetings(&app, &admin).await.expect("meetings");
        assert_eq!(meetings.iter().filter(|m| m.minutes.is_some()).count(), 3);
    }
);
