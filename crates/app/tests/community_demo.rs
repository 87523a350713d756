//! The community demo on both engines: the plan's Lab'U, Cafés, webinar
//! week and trainers' forum, its eleven mailing lists with subscribers
//! (a member sees their own institution's only), publications, and the
//! demo member's domains of interest.

use relais_app::community as uc;
use relais_app::community::When;
use relais_app::App;
use relais_domain::accounts::Scope;
use relais_store::Db;
use relais_testkit::db_test;

db_test!(
    async fn the_plans_communities_are_in_the_demo(db: Db) {
        let now = chrono::DateTime::parse_from_rfc3339("2021-11-15T09:00:00Z")
            .expect("t")
            .with_timezone(&chrono::Utc);
        let s = relais_testkit::demo::load(&db, 2021, now)
            .await
            .expect("demo");
        assert_eq!(s.community.lists, 11);
        assert_eq!(s.community.publications, 14);
        assert_eq!(s.community.events, 23 + 8);
        assert!(
            s.community.subscriptions > 500,
            "{}",
            s.community.subscriptions
        );
        let app = App::new(db.clone(), relais_testkit::FakeClock::at(now));
        let member = {
            let mut c = db.read().await.expect("conn");
            let u = relais_store::accounts::find_user_by_email(&mut c, "membre@relais.test")
                .await
                .expect("user");
            relais_app::accounts::actor_of(&u).expect("actor")
        };
        let (events, total) = uc::list_events(&app, &member, None, None, When::All, 100, 0)
            .await
            .expect("events");
        assert_eq!(total, 31);
        for title in [
            "Lab'U Paye (coordonnateurs de paye)",
            "Café des intendants de données",
            "6e Forum des formateurs",
        ] {
            assert!(events.iter().any(|e| e.title == title), "{title}");
        }
        assert_eq!(events.iter().filter(|e| e.kind == "webinaire").count(), 9);
        let (_, upcoming) = uc::list_events(&app, &member, None, None, When::Upcoming, 100, 0)
            .await
            .expect("up");
        let (_, past) = uc::list_events(&app, &member, None, None, When::Past, 100, 0)
            .await
            .expect("past");
        assert!(upcoming > 0 && past > 0 && upcoming + past == 31);
        for e in &events {
            assert!(e.seats_taken <= e.capacity);
        }
        let lists = uc::list_lists(&app, &member, None).await.expect("lists");
        assert!(lists
            .iter()
            .any(|l| l.address == "grh.enseignants@listes.amue.fr"));
        let insa = member.institution_id.expect("insa").to_string();
        for l in &lists {
            let v = uc::get_list(&app, &member, relais_domain::Id::parse(&l.id).expect("id"))
                .await
                .expect("list");
            assert!(v.subscribers.iter().all(|s| s.institution_id == insa));
            assert_eq!(v.moderators.len(), 1);
        }
        let mut c = db.read().await.expect("conn");
        let all = relais_store::community::list_lists(&mut c, Scope::All, None)
            .await
            .expect("all");
        assert!(
            all.iter().map(|l| l.subscribers).sum::<i64>()
                > lists.iter().map(|l| l.subscribers).sum::<i64>()
        );
        let mut interests = uc::interests(&app, &member).await.expect("interests");
        interests.sort();
        assert_eq!(interests, vec!["finances".to_string(), "rh".to_string()]);
    }
);
