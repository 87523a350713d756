//! Communities on both engines: 30 people registering at once for the last
//! 2 seats get exactly 2; members never see another institution's list
//! subscribers and a referent cannot touch another institution's contacts;
//! the Sympa export is exact and for the agency only; publications follow
//! a member's domains of interest; every change leaves an audit row.

use chrono::{Duration, TimeZone, Utc};
use relais_app::community as uc;
use relais_app::community::{EventInput, ListInput, PublicationInput, When};
use relais_app::{App, AppError};
use relais_domain::accounts::{Actor, Role};
use relais_domain::{DomainError, Id};
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};
use std::sync::Arc;

fn clock() -> Arc<FakeClock> {
    FakeClock::at(
        Utc.with_ymd_and_hms(2021, 3, 1, 8, 0, 0)
            .single()
            .expect("t"),
    )
}

fn code_of(r: &Result<impl std::fmt::Debug, AppError>) -> &'static str {
    match r {
        Err(AppError::Domain(DomainError::Invalid(e))) => e[0].code,
        Err(AppError::Domain(d)) => d.code(),
        Err(_) => "internal",
        Ok(_) => "ok",
    }
}

fn cafe(capacity: i64) -> EventInput {
    EventInput {
        kind: "cafe".into(),
        title: "Café des acheteurs".into(),
        starts_at: "2021-03-15T13:30".into(),
        ends_at: "2021-03-15T14:30".into(),
        format: "visio".into(),
        visio_url: Some("https://webconf.amue.fr/cafe-achats".into()),
        capacity: capacity.to_string(),
        resource_lines: Some("Padlet | https://padlet.com/amue/cafe-achats".into()),
        ..Default::default()
    }
}

async fn audit_count(db: &Db, entity: &str, id: Id) -> usize {
    let mut c = db.read().await.expect("conn");
    relais_store::audit::history(&mut c, entity, id)
        .await
        .expect("history")
        .len()
}

db_test!(
    async fn thirty_registrations_for_the_last_two_seats_take_exactly_two(db: Db) {
        let clock = clock();
        let app = App::new(db.clone(), clock.clone());
        let inst = builders::institution(&db, "Université A", "UA").await;
        let (_, lead) = builders::user(&db, "lead@t.test", Role::Domain, None).await;
        let event = uc::create_event(&app, &lead, cafe(5)).await.expect("event");
        // Paris time is stored as UTC: 13:30 in March is 12:30Z.
        let v = uc::get_event(&app, &lead, event).await.expect("get");
        assert_eq!(v.event.starts_at, "2021-03-15T12:30:00.000Z");
        assert_eq!(v.resources.len(), 1);
        let mut early = vec![];
        for i in 0..3 {
            let (_, m) =
                builders::user(&db, &format!("e{i}@t.test"), Role::Member, Some(inst)).await;
            uc::register(&app, &m, event).await.expect("early");
            early.push(m);
        }
        // Twice is refused.
        assert_eq!(
            code_of(&uc::register(&app, &early[0], event).await),
            "already_registered"
        );

        let mut people = vec![];
        for i in 0..30 {
            let (_, m) =
                builders::user(&db, &format!("m{i}@t.test"), Role::Member, Some(inst)).await;
            people.push(m);
        }
        let handles: Vec<_> = people
            .into_iter()
            .map(|m| {
                let app = app.clone();
                tokio::spawn(async move { uc::register(&app, &m, event).await })
            })
            .collect();
        let (mut ok, mut full) = (0, 0);
        for h in handles {
            let r = h.await.expect("join");
            match code_of(&r) {
                "ok" => ok += 1,
                "event_full" => full += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!((ok, full), (2, 28));
        let v = uc::get_event(&app, &lead, event).await.expect("get");
        assert_eq!((v.event.seats_taken, v.event.capacity), (5, 5));
        assert_eq!(v.counts.0, 5, "no registration row without its seat");
        assert_eq!(v.registrants.len(), 5);

        // The French message of a full event.
        let (_, late) = builders::user(&db, "late@t.test", Role::Member, Some(inst)).await;
        match uc::register(&app, &late, event).await {
            Err(AppError::Domain(DomainError::Invalid(e))) => {
                assert_eq!(e[0].code, "event_full");
                assert!(e[0].detail.contains("complet"));
            }
            other => panic!("{other:?}"),
        }
        // Withdrawing frees the seat for someone else.
        uc::unregister(&app, &early[0], event)
            .await
            .expect("withdraw");
        uc::register(&app, &late, event)
            .await
            .expect("now there is a seat");
        // The capacity cannot fall below the registrations.
        assert_eq!(
            code_of(&uc::update_event(&app, &lead, event, cafe(4)).await),
            "capacity_below_registrations"
        );
        // Members do not write events nor mark attendance.
        assert!(matches!(
            uc::create_event(&app, &late, cafe(5)).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        // Once started: closed; attendance by the agency.
        clock.set(
            Utc.with_ymd_and_hms(2021, 3, 15, 13, 0, 0)
                .single()
                .expect("t"),
        );
        assert_eq!(
            code_of(&uc::unregister(&app, &late, event).await),
            "event_started"
        );
        let v = uc::get_event(&app, &lead, event).await.expect("get");
        let marks: Vec<(Id, String)> = v
            .registrants
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    Id::parse(&r.id).expect("id"),
                    if i == 0 { "absent" } else { "present" }.to_string(),
                )
            })
            .collect();
        assert!(matches!(
            uc::mark_attendance(&app, &late, event, &marks).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        uc::mark_attendance(&app, &lead, event, &marks)
            .await
            .expect("marks");
        let v = uc::get_event(&app, &lead, event).await.expect("get");
        assert_eq!(v.counts, (5, 4, 1));
        assert_eq!(
            code_of(
                &uc::mark_attendance(&app, &lead, event, &[(marks[0].0, "peut-être".into())]).await
            ),
            "invalid_attendance"
        );
        // create, 3 + 2 + 1 registrations, 1 withdrawal, attendance.
        assert_eq!(
            audit_count(&db, "community_event", event).await,
            1 + 6 + 1 + 1
        );

        // Feeds for the calendar.
        let mut c = db.read().await.expect("conn");
        let between = relais_store::community::events_between(
            &mut c,
            "2021-03-15T00:00:00.000Z",
            "2021-03-16T00:00:00.000Z",
        )
        .await
        .expect("between");
        assert_eq!(between.len(), 1);
        let mine = relais_store::community::user_event_registrations(&mut c, late.user_id)
            .await
            .expect("mine");
        assert_eq!(mine[0].title, "Café des acheteurs");
        let upcoming = uc::list_events(&app, &late, None, None, When::Upcoming, 50, 0)
            .await
            .expect("list");
        assert_eq!(upcoming.1, 1, "not ended yet");
        clock.advance(Duration::hours(3));
        let past = uc::list_events(&app, &late, None, None, When::Past, 50, 0)
            .await
            .expect("list");
        assert_eq!(past.1, 1);
    }
);

db_test!(
    async fn events_refuse_script_links_and_missing_channels(db: Db) {
        let app = App::new(db.clone(), clock());
        let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
        let mut bad = cafe(10);
        bad.resource_lines = Some("Piège | javascript:alert(1)".into());
        assert_eq!(
            code_of(&uc::create_event(&app, &admin, bad).await),
            "invalid_url"
        );
        let mut bad = cafe(10);
        bad.visio_url = Some("javascript:alert(1)".into());
        assert_eq!(
            code_of(&uc::create_event(&app, &admin, bad).await),
            "invalid_url"
        );
        let mut bad = cafe(10);
        bad.format = "presentiel".into();
        assert_eq!(
            code_of(&uc::create_event(&app, &admin, bad).await),
            "place_required"
        );
        let mut bad = cafe(10);
        bad.ends_at = "2021-03-15T12:00".into();
        assert_eq!(
            code_of(&uc::create_event(&app, &admin, bad).await),
            "ends_before_start"
        );
        // Support agents are agency staff but do not run communities.
        let (_, agent) = builders::user(&db, "agent@t.test", Role::Support, None).await;
        assert!(matches!(
            uc::create_event(&app, &agent, cafe(10)).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
    }
);

struct Lists {
    list: Id,
    anne: Id,
    bruno: Id,
    member_a: Actor,
    referent_a: Actor,
    referent_b: Actor,
    lead: Actor,
    relation: Actor,
}

async fn lists(db: &Db, app: &App) -> Lists {
    let a = builders::institution(db, "Université A", "UA").await;
    let b = builders::institution(db, "Université B", "UB").await;
    let anne = builders::contact(db, a, "Anne", "Martin").await;
    let bruno = builders::contact(db, b, "Bruno", "Durand").await;
    let (_, member_a) = builders::user(db, "m.a@t.test", Role::Member, Some(a)).await;
    let (_, referent_a) = builders::user(db, "r.a@t.test", Role::MemberAdmin, Some(a)).await;
    let (_, referent_b) = builders::user(db, "r.b@t.test", Role::MemberAdmin, Some(b)).await;
    let (_, lead) = builders::user(db, "lead@t.test", Role::Domain, None).await;
    let (_, relation) = builders::user(db, "rel@t.test", Role::Relation, None).await;
    let list = uc::create_list(
        app,
        &lead,
        ListInput {
            address: "finances@listes.amue.fr".into(),
            name: "Finances".into(),
            ..Default::default()
        },
    )
    .await
    .expect("list");
    Lists {
        list,
        anne,
        bruno,
        member_a,
        referent_a,
        referent_b,
        lead,
        relation,
    }
}

db_test!(
    async fn members_never_see_nor_touch_another_institutions_subscribers(db: Db) {
        let app = App::new(db.clone(), clock());
        let w = lists(&db, &app).await;
        uc::subscribe(&app, &w.lead, w.list, w.bruno)
            .await
            .expect("agency subscribes B");
        // A referent subscribes their own contact, never another's.
        uc::subscribe(&app, &w.referent_a, w.list, w.anne)
            .await
            .expect("own contact");
        assert!(matches!(
            uc::subscribe(&app, &w.referent_a, w.list, w.bruno).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        assert!(matches!(
            uc::unsubscribe(&app, &w.referent_a, w.list, w.bruno).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        // A plain member changes nothing.
        assert!(matches!(
            uc::unsubscribe(&app, &w.member_a, w.list, w.anne).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        // Reads: a member of A sees A's subscriber only, counts included.
        let v = uc::get_list(&app, &w.member_a, w.list).await.expect("view");
        let emails: Vec<_> = v
            .subscribers
            .iter()
            .filter_map(|s| s.email.clone())
            .collect();
        assert_eq!(emails, vec!["anne.martin@test.fr".to_string()]);
        assert_eq!(v.list.subscribers, 1);
        let all = uc::list_lists(&app, &w.member_a, None)
            .await
            .expect("lists");
        assert_eq!(all[0].subscribers, 1);
        let v = uc::get_list(&app, &w.referent_b, w.list)
            .await
            .expect("view b");
        assert_eq!(v.subscribers.len(), 1);
        assert_eq!(
            v.subscribers[0].email.as_deref(),
            Some("bruno.durand@test.fr")
        );
        let v = uc::get_list(&app, &w.relation, w.list)
            .await
            .expect("agency");
        assert_eq!(v.subscribers.len(), 2);
        // B's referent unsubscribes B's contact; twice is "not found".
        uc::unsubscribe(&app, &w.referent_b, w.list, w.bruno)
            .await
            .expect("own");
        assert!(matches!(
            uc::unsubscribe(&app, &w.referent_b, w.list, w.bruno).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        // create + 2 subscriptions + 1 unsubscription.
        assert_eq!(audit_count(&db, "mailing_list", w.list).await, 4);
    }
);

db_test!(
    async fn the_sympa_export_is_exact_and_for_the_agency_only(db: Db) {
        let app = App::new(db.clone(), clock());
        let w = lists(&db, &app).await;
        // A name typed with a line break must not add a subscription line.
        let mut tx = db.begin().await.expect("tx");
        sqlx::query("UPDATE contacts SET first_name = $1 WHERE id = $2")
            .bind("Bruno\nintrus@evil.fr Pirate")
            .bind(w.bruno.to_string())
            .execute(&mut *tx)
            .await
            .expect("rename");
        tx.commit().await.expect("commit");
        uc::subscribe(&app, &w.lead, w.list, w.anne)
            .await
            .expect("a");
        uc::subscribe(&app, &w.lead, w.list, w.bruno)
            .await
            .expect("b");
        let (address, text) = uc::sympa_export(&app, &w.relation, w.list)
            .await
            .expect("export");
        assert_eq!(address, "finances@listes.amue.fr");
        assert_eq!(
            text,
            "anne.martin@test.fr Anne Martin\nbruno.durand@test.fr Bruno intrus@evil.fr Pirate Durand\n"
        );
        for who in [&w.member_a, &w.referent_a] {
            assert!(matches!(
                uc::sympa_export(&app, who, w.list).await,
                Err(AppError::Domain(DomainError::Forbidden))
            ));
        }
        // The same address twice is refused with a field error.
        let dup = uc::create_list(
            &app,
            &w.lead,
            ListInput {
                address: "FINANCES@listes.amue.fr".into(),
                name: "Doublon".into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(code_of(&dup), "duplicate_address");
    }
);

db_test!(
    async fn publications_follow_a_members_domains_of_interest(db: Db) {
        let clock = clock();
        let app = App::new(db.clone(), clock.clone());
        let mut tx = db.begin().await.expect("tx");
        for (i, (code, name)) in [("rh", "Ressources humaines"), ("finances", "Finances")]
            .iter()
            .enumerate()
        {
            relais_store::crm::insert_domain(&mut tx, code, name, i as i64)
                .await
                .expect("domain");
        }
        tx.commit().await.expect("commit");
        let inst = builders::institution(&db, "Université A", "UA").await;
        let (_, lead) = builders::user(&db, "lead@t.test", Role::Domain, None).await;
        // The member's contact record (same e-mail) is interested in RH.
        let (_, member) =
            builders::user(&db, "anne.martin@test.fr", Role::Member, Some(inst)).await;
        let contact = builders::contact(&db, inst, "Anne", "Martin").await;
        let mut tx = db.begin().await.expect("tx");
        sqlx::query("UPDATE contacts SET domains = $1 WHERE id = $2")
            .bind("[\"rh\"]")
            .bind(contact.to_string())
            .execute(&mut *tx)
            .await
            .expect("domains");
        tx.commit().await.expect("commit");
        let (_, other) = builders::user(&db, "other@t.test", Role::Member, Some(inst)).await;
        let publish = |kind: &str, title: &str, domain: &str, on: &str| PublicationInput {
            kind: kind.into(),
            title: title.into(),
            domain_code: Some(domain.into()),
            published_on: Some(on.into()),
            body: "## Texte\n\nContenu.".into(),
            ..Default::default()
        };
        uc::create_publication(
            &app,
            &lead,
            publish("tour_du_web", "Tour du web RH", "rh", "2021-02-01"),
        )
        .await
        .expect("p1");
        uc::create_publication(
            &app,
            &lead,
            publish(
                "fiche_zoom",
                "Fiche Zoom finances",
                "finances",
                "2021-02-10",
            ),
        )
        .await
        .expect("p2");
        let future = uc::create_publication(
            &app,
            &lead,
            publish("guide", "Guide à paraître", "rh", "2021-06-01"),
        )
        .await
        .expect("p3");
        assert_eq!(
            uc::interests(&app, &member).await.expect("i"),
            vec!["rh".to_string()]
        );
        assert!(
            uc::interests(&app, &other).await.expect("i").is_empty(),
            "no contact: no preference"
        );
        let f = relais_store::community::PublicationFilter {
            domains: vec!["rh".into()],
            limit: 50,
            ..Default::default()
        };
        let (rows, _) = uc::list_publications(&app, &member, &f)
            .await
            .expect("list");
        let titles: Vec<_> = rows.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            vec!["Tour du web RH"],
            "future ones hidden from members"
        );
        let (rows, _) = uc::list_publications(&app, &lead, &f)
            .await
            .expect("agency");
        assert_eq!(rows.len(), 2, "the agency sees scheduled ones");
        assert!(matches!(
            uc::get_publication(&app, &member, future).await,
            Err(AppError::Domain(DomainError::NotFound))
        ));
        assert!(matches!(
            uc::create_publication(&app, &member, publish("guide", "x", "rh", "2021-01-01")).await,
            Err(AppError::Domain(DomainError::Forbidden))
        ));
        assert_eq!(
            code_of(
                &uc::create_publication(&app, &lead, publish("blog", "x", "nope", "2021-01-01"))
                    .await
            ),
            "invalid_kind"
        );
        assert_eq!(audit_count(&db, "publication", future).await, 1);
    }
);
