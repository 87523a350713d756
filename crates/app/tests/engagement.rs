//! Member relations on both engines: the irritants' analysis ranks by
//! count, measures the trend (last 6 months against the 6 before) and the
//! median time to close, per touchpoint, department and product; members
//! are confined to their institution's complaints and never receive the
//! internal notes or the actions' details; a campaign's progress follows
//! the contacts recorded; every change writes an audit row.

use chrono::{Duration, TimeZone, Utc};
use relais_app::engagement as uc;
use relais_app::engagement::{
    ActionInput, CampaignInput, ComiteMemberInput, ComplaintInput, ContactRecordInput,
    MeetingInput, QualificationInput,
};
use relais_app::{App, AppError};
use relais_domain::accounts::Role;
use relais_domain::engagement::ComplaintChannel;
use relais_domain::{DomainError, Id};
use relais_store::engagement::{ComplaintFilter, TargetFilter};
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};

fn code_of<T: std::fmt::Debug>(r: &Result<T, AppError>) -> &'static str {
    match r {
        Err(AppError::Domain(DomainError::Invalid(e))) => e[0].code,
        Err(AppError::Domain(d)) => d.code(),
        Err(_) => "internal",
        Ok(_) => "ok",
    }
}

fn complaint(touchpoint: &str, title: &str, product: Option<Id>) -> ComplaintInput {
    ComplaintInput {
        touchpoint: touchpoint.into(),
        severity: "majeure".into(),
        title: title.into(),
        description: "Description.".into(),
        product_id: product.map(|p| p.to_string()),
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
    async fn the_analysis_ranks_irritants_with_trend_and_time_to_close(db: Db) {
        let start = Utc
            .with_ymd_and_hms(2020, 1, 6, 9, 0, 0)
            .single()
            .expect("t");
        let clock = FakeClock::at(start);
        let app = App::new(db.clone(), clock.clone());
        let a = builders::institution(&db, "Université A", "UA").await;
        let sifac = builders::product(&db, "sifac", "Sifac").await;
        let (_, agent) = builders::user(&db, "rel@t.test", Role::Relation, None).await;
        let (_, member) = builders::user(&db, "m@t.test", Role::Member, Some(a)).await;
        // Billing: 3 complaints a year ago, closed after 4 days each.
        clock.set(start);
        for i in 0..3 {
            let id = uc::file_complaint(
                &app,
                &member,
                complaint("facturation", &format!("F{i}"), Some(sifac)),
                ComplaintChannel::Page,
            )
            .await
            .expect("file");
            clock.advance(Duration::days(4));
            uc::close(&app, &agent, id, "Réponse.")
                .await
                .expect("close");
            clock.set(start);
        }
        // Support: 2 recent complaints, still open.
        let now = start + Duration::days(400);
        clock.set(now - Duration::days(30));
        for i in 0..2 {
            uc::file_complaint(
                &app,
                &member,
                complaint("support", &format!("S{i}"), None),
                ComplaintChannel::Page,
            )
            .await
            .expect("file");
        }
        clock.set(now);
        let an = uc::analysis(&app, &agent, 24).await.expect("analysis");
        assert_eq!(an.total, 5);
        let first = &an.by_touchpoint[0];
        assert_eq!(
            (first.key.as_str(), first.count, first.open),
            ("facturation", 3, 0)
        );
        assert_eq!(first.median_days_to_close, Some(4.0));
        assert_eq!(
            (first.recent, first.previous),
            (0, 0),
            "filed 400 days ago: before both windows"
        );
        let second = &an.by_touchpoint[1];
        assert_eq!(
            (
                second.key.as_str(),
                second.count,
                second.recent,
                second.open
            ),
            ("support", 2, 2, 2)
        );
        assert_eq!(second.median_days_to_close, None);
        assert_eq!(an.by_product.len(), 1);
        assert_eq!(an.by_product[0].key, "Sifac");
        // Over 12 months only the recent ones count.
        let an = uc::analysis(&app, &agent, 12).await.expect("analysis");
        assert_eq!(an.total, 2);
        // Members may not read the analysis.
        assert_eq!(code_of(&uc::analysis(&app, &member, 12).await), "forbidden");
    }
);

db_test!(
    async fn members_are_confined_and_internal_parts_stay_internal(db: Db) {
        let clock = FakeClock::at(
            Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
                .single()
                .expect("t"),
        );
        let app = App::new(db.clone(), clock.clone());
        let a = builders::institution(&db, "Université A", "UA").await;
        let b = builders::institution(&db, "Université B", "UB").await;
        let cb = builders::contact(&db, b, "Bruno", "Martin").await;
        let (_, agent) = builders::user(&db, "rel@t.test", Role::Relation, None).await;
        let (_, ma) = builders::user(&db, "a@t.test", Role::Member, Some(a)).await;
        let (_, mb) = builders::user(&db, "b@t.test", Role::Member, Some(b)).await;
        // An agent must name the institution; a contact of another
        // institution is refused.
        let mut i = complaint("communication", "Lettre d'information illisible", None);
        assert_eq!(
            code_of(&uc::file_complaint(&app, &agent, i.clone(), ComplaintChannel::Page).await),
            "required"
        );
        i.institution_id = Some(a.to_string());
        i.contact_id = Some(cb.to_string());
        assert_eq!(
            code_of(&uc::file_complaint(&app, &agent, i.clone(), ComplaintChannel::Page).await),
            "unknown_contact"
        );
        let ca = builders::contact(&db, a, "Anne", "Durand").await;
        i.contact_id = Some(ca.to_string());
        i.channel = Some("telephone".into());
        let ka = uc::file_complaint(&app, &agent, i, ComplaintChannel::Page)
            .await
            .expect("file");
        let kb = uc::file_complaint(
            &app,
            &mb,
            complaint("support", "Ticket oublié", None),
            ComplaintChannel::Api,
        )
        .await
        .expect("file b");
        uc::add_note(&app, &agent, ka, "interne")
            .await
            .expect("note");
        let act = uc::add_action(
            &app,
            &agent,
            ka,
            ActionInput {
                title: "Refaire la maquette".into(),
                details: Some("secret".into()),
                owner_id: Some(agent.user_id.to_string()),
                due_on: Some("2021-04-01".into()),
            },
        )
        .await
        .expect("action");
        uc::set_action_status(&app, &agent, ka, act, "faite")
            .await
            .expect("done");
        // An action of this complaint only.
        assert_eq!(
            code_of(&uc::set_action_status(&app, &agent, kb, act, "faite").await),
            "not_found"
        );
        uc::qualify(
            &app,
            &agent,
            ka,
            QualificationInput {
                touchpoint: "communication".into(),
                severity: "mineure".into(),
                owner_id: Some(agent.user_id.to_string()),
                due_on: Some("15/04/2021".into()),
                status: "en_cours".into(),
                ..Default::default()
            },
        )
        .await
        .expect("qualify");
        // Owners are agency staff.
        let bad = uc::qualify(
            &app,
            &agent,
            ka,
            QualificationInput {
                touchpoint: "communication".into(),
                severity: "mineure".into(),
                owner_id: Some(ma.user_id.to_string()),
                status: "en_cours".into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(code_of(&bad), "unknown_user");

        let v = uc::get_complaint(&app, &ma, ka).await.expect("own");
        assert_eq!(v.complaint.due_on.as_deref(), Some("2021-04-15"));
        assert_eq!(v.complaint.channel, "telephone");
        assert!(v.notes.is_empty());
        assert_eq!(v.actions.len(), 1);
        assert_eq!(v.actions[0].status, "faite");
        assert_eq!(v.actions[0].done_on.as_deref(), Some("2021-03-01"));
        assert!(v.actions[0].details.is_none() && v.actions[0].owner_name.is_none());
        assert_eq!(
            code_of(&uc::get_complaint(&app, &ma, kb).await),
            "not_found"
        );
        assert_eq!(
            code_of(&uc::add_note(&app, &ma, ka, "x").await),
            "forbidden"
        );
        assert_eq!(code_of(&uc::close(&app, &ma, ka, "x").await), "forbidden");
        let (rows, total) = uc::list_complaints(
            &app,
            &ma,
            &ComplaintFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert_eq!((total, rows.len()), (1, 1));
        let (_, total) = uc::list_complaints(
            &app,
            &agent,
            &ComplaintFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert_eq!(total, 2);
        let (open, _) = uc::institution_complaints(&app, &ma, a)
            .await
            .expect("section");
        assert_eq!(open, 1);
        assert_eq!(
            code_of(&uc::institution_complaints(&app, &ma, b).await),
            "not_found"
        );
        // Close, refuse to close twice, reopen.
        uc::close(&app, &agent, ka, "Nouvelle maquette envoyée.")
            .await
            .expect("close");
        assert_eq!(
            code_of(&uc::close(&app, &agent, ka, "Encore").await),
            "already_closed"
        );
        // Closing queues one mail, resolved when sent: the contact
        // concerned here (an agent filed it), with the answer.
        let jobs: Vec<(String,)> = {
            let mut c = db.read().await.expect("conn");
            sqlx::query_as("SELECT payload FROM jobs WHERE kind = 'mail.notify'")
                .fetch_all(&mut *c)
                .await
                .expect("jobs")
        };
        // kb was filed by a member: its manager was told (B has none here:
        // nobody to write to); ka's closing is announced.
        assert_eq!(jobs.len(), 2);
        assert!(jobs
            .iter()
            .any(|j| j.0.contains("complaint_new") && j.0.contains(&kb.to_string())));
        assert!(jobs
            .iter()
            .any(|j| j.0.contains("complaint_closed") && j.0.contains(&ka.to_string())));
        assert_eq!(
            uc::complaint_mail(&app, kb, "complaint_new", "https://r.test")
                .await
                .expect("m"),
            None
        );
        {
            let mut tx = db.begin().await.expect("tx");
            sqlx::query("UPDATE institutions SET manager_id = $1 WHERE id = $2")
                .bind(agent.user_id.to_string())
                .bind(b.to_string())
                .execute(&mut *tx)
                .await
                .expect("manager");
            tx.commit().await.expect("commit");
        }
        let new_mail = uc::complaint_mail(&app, kb, "complaint_new", "https://r.test")
            .await
            .expect("m")
            .expect("the manager");
        assert_eq!(new_mail.0, "rel@t.test");
        assert!(new_mail.2.contains("Université B") && new_mail.2.contains("Support"));
        let kb_mail = uc::complaint_mail(&app, kb, "complaint_closed", "https://relais.test")
            .await
            .expect("mail");
        assert_eq!(kb_mail, None, "kb is open: nothing to announce");
        let mail = uc::complaint_mail(&app, ka, "complaint_closed", "https://relais.test/")
            .await
            .expect("mail")
            .expect("a recipient");
        assert!(
            mail.0.starts_with("anne"),
            "the contact concerned: {}",
            mail.0
        );
        assert!(mail.2.contains("Nouvelle maquette envoyée."));
        assert!(mail
            .2
            .contains(&format!("https://relais.test/reclamations/{ka}")));
        uc::reopen(&app, &agent, ka).await.expect("reopen");
        assert_eq!(
            uc::get_complaint(&app, &ma, ka)
                .await
                .expect("get")
                .complaint
                .status,
            "en_cours"
        );
        // create, note, action, qualify, close, reopen.
        assert_eq!(audit_count(&db, "complaint", ka).await, 6);
        assert_eq!(audit_count(&db, "corrective_action", act).await, 1);
    }
);

db_test!(
    async fn campaign_progress_follows_contacts_and_the_comite_is_agency_only(db: Db) {
        let clock = FakeClock::at(
            Utc.with_ymd_and_hms(2021, 2, 1, 9, 0, 0)
                .single()
                .expect("t"),
        );
        let app = App::new(db.clone(), clock.clone());
        let (_, rel) = builders::user(&db, "rel@t.test", Role::Relation, None).await;
        let (_, sup) = builders::user(&db, "sup@t.test", Role::Support, None).await;
        let mut insts = vec![];
        for i in 0..5 {
            insts.push(
                builders::institution(&db, &format!("Université {i}"), &format!("U{i}")).await,
            );
        }
        let c0 = builders::contact(&db, insts[0], "Anne", "Durand").await;
        let (_, member) = builders::user(&db, "m@t.test", Role::Member, Some(insts[0])).await;
        assert_eq!(
            code_of(
                &uc::create_campaign(
                    &app,
                    &sup,
                    CampaignInput {
                        title: "x".into(),
                        starts_on: Some("2021-02-01".into()),
                        ..Default::default()
                    }
                )
                .await
            ),
            "forbidden"
        );
        assert_eq!(
            code_of(
                &uc::create_campaign(
                    &app,
                    &rel,
                    CampaignInput {
                        title: "x".into(),
                        starts_on: Some("2021-02-01".into()),
                        ends_on: Some("2021-01-01".into()),
                        ..Default::default()
                    }
                )
                .await
            ),
            "ends_before_start"
        );
        let camp = uc::create_campaign(
            &app,
            &rel,
            CampaignInput {
                title: "Campagne de contacts qualifiés 2021".into(),
                starts_on: Some("2021-02-01".into()),
                ends_on: Some("2021-06-30".into()),
                ..Default::default()
            },
        )
        .await
        .expect("campaign");
        let (c, targets) = uc::get_campaign(&app, &sup, camp, &TargetFilter::default())
            .await
            .expect("get");
        assert_eq!((c.targets, c.done), (5, 0));
        let t0 = targets
            .iter()
            .find(|t| t.institution_id == insts[0].to_string())
            .expect("t0");
        let t0 = Id::parse(&t0.id).expect("id");
        let t1 = Id::parse(
            &targets
                .iter()
                .find(|t| t.institution_id == insts[1].to_string())
                .expect("t1")
                .id,
        )
        .expect("id");
        // "Call back" keeps it to contact; "unreachable" and a contact made count.
        uc::record_contact(
            &app,
            &rel,
            camp,
            t0,
            ContactRecordInput {
                outcome: "rappeler".into(),
                ..Default::default()
            },
        )
        .await
        .expect("rappeler");
        clock.advance(Duration::minutes(5));
        assert_eq!(
            uc::get_campaign(&app, &rel, camp, &TargetFilter::default())
                .await
                .expect("g")
                .0
                .done,
            0
        );
        uc::record_contact(
            &app,
            &rel,
            camp,
            t0,
            ContactRecordInput {
                outcome: "corrige".into(),
                contact_id: Some(c0.to_string()),
                corrections: Some("DAF remplacée".into()),
                ..Default::default()
            },
        )
        .await
        .expect("corrige");
        uc::record_contact(
            &app,
            &rel,
            camp,
            t1,
            ContactRecordInput {
                outcome: "injoignable".into(),
                ..Default::default()
            },
        )
        .await
        .expect("injoignable");
        let (c, _) = uc::get_campaign(&app, &rel, camp, &TargetFilter::default())
            .await
            .expect("g");
        assert_eq!((c.targets, c.done), (5, 2));
        assert_eq!(relais_domain::engagement::percent(c.done, c.targets), 40);
        let v = uc::get_target(&app, &rel, camp, t0).await.expect("target");
        assert_eq!(v.target.status, "contacte");
        assert_eq!(v.records.len(), 2);
        assert_eq!(v.records[0].contact_name.as_deref(), Some("Anne Durand"));
        assert_eq!(v.target.last_contact_on.as_deref(), Some("2021-02-01"));
        // A target of another campaign is not found.
        assert_eq!(
            code_of(&uc::get_target(&app, &rel, Id::new(), t0).await),
            "not_found"
        );
        assert_eq!(
            code_of(&uc::get_campaign(&app, &member, camp, &TargetFilter::default()).await),
            "forbidden"
        );
        assert_eq!(audit_count(&db, "campaign_target", t0).await, 2);

        // The comité.
        let m = uc::add_comite_member(
            &app,
            &rel,
            ComiteMemberInput {
                contact_id: Some(c0.to_string()),
                role: "president".into(),
                ..Default::default()
            },
        )
        .await
        .expect("member");
        uc::add_comite_member(
            &app,
            &rel,
            ComiteMemberInput {
                user_id: Some(rel.user_id.to_string()),
                role: "secretariat".into(),
                ..Default::default()
            },
        )
        .await
        .expect("staff");
        let members = uc::comite_members(&app, &sup).await.expect("members");
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].role, "president");
        assert_eq!(members[0].name.as_deref(), Some("Anne Durand"));
        assert_eq!(members[1].institution_name, None);
        let meeting = uc::create_meeting(
            &app,
            &rel,
            MeetingInput {
                held_on: Some("2021-03-18".into()),
                title: "Comité de mars".into(),
                agenda: "1. Campagne".into(),
                ..Default::default()
            },
        )
        .await
        .expect("meeting");
        uc::update_meeting(
            &app,
            &rel,
            meeting,
            MeetingInput {
                held_on: Some("2021-03-18".into()),
                title: "Comité de mars".into(),
                agenda: "1. Campagne".into(),
                minutes: Some("Validé.".into()),
                ..Default::default()
            },
        )
        .await
        .expect("update");
        assert_eq!(
            uc::get_meeting(&app, &sup, meeting)
                .await
                .expect("m")
                .minutes
                .as_deref(),
            Some("Validé.")
        );
        assert_eq!(
            code_of(&uc::list_meetings(&app, &member).await),
            "forbidden"
        );
        assert_eq!(
            code_of(&uc::comite_members(&app, &member).await),
            "forbidden"
        );
        assert_eq!(
            code_of(&uc::create_meeting(&app, &sup, MeetingInput::default()).await),
            "forbidden"
        );
        uc::remove_comite_member(&app, &rel, m)
            .await
            .expect("remove");
        assert_eq!(
            uc::comite_members(&app, &rel).await.expect("members").len(),
            1
        );
        assert_eq!(audit_count(&db, "comite_meeting", meeting).await, 2);
    }
);
