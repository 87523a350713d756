//! The training flow on both engines, with a fake clock: requests,
//! referent approval, the waiting list promoted on cancellation (with its
//! mail job), late cancellations still billed, attendance by the trainer,
//! certificates only for those present and only to their institution,
//! statements at the tariff of the session's date, trainers alone or in
//! pairs, reminders sent once, calendar tokens revoked.

// Amounts read as euros_cents (260_00 is 260,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::{TimeZone, Utc};
use relais_app::training::{self as t, Decision};
use relais_app::{App, AppError};
use relais_domain::accounts::Role;
use relais_domain::{DomainError, Id};
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};
use std::sync::Arc;

fn clock() -> Arc<FakeClock> {
    FakeClock::at(
        Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
            .single()
            .expect("t"),
    )
}

async fn jobs(db: &Db, event: &str) -> Vec<String> {
    let mut c = db.read().await.expect("c");
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT payload FROM jobs WHERE kind = 'mail.notify' ORDER BY created_at, id",
    )
    .fetch_all(&mut *c)
    .await
    .expect("jobs");
    rows.into_iter()
        .map(|r| r.0)
        .filter(|p| p.contains(&format!("\"event\":\"{event}\"")))
        .collect()
}

fn not_found<T: std::fmt::Debug>(r: Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::Domain(DomainError::NotFound)))
}

db_test!(
    async fn waiting_list_promotion_statement_and_certificate(db: Db) {
        let clock = clock();
        let app = App::new(db.clone(), clock.clone());
        let ua = builders::institution(&db, "Université A", "UA").await;
        let ub = builders::institution(&db, "Université B", "UB").await;
        let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
        let (_, ref_a) = builders::user(&db, "ref.a@t.test", Role::MemberAdmin, Some(ua)).await;
        let (_, ref_b) = builders::user(&db, "ref.b@t.test", Role::MemberAdmin, Some(ub)).await;
        let (trainer_id, trainer) =
            builders::user(&db, "trainer@t.test", Role::Trainer, Some(ub)).await;
        let (_, other_trainer) = builders::user(&db, "t2@t.test", Role::Trainer, Some(ub)).await;
        // The plan's protocol halves rooms: 4 seats in a room of 8.
        t::save_settings(&app, &admin, "50", "7")
            .await
            .expect("settings");
        let (_, session) = builders::training_session(
            &app,
            &admin,
            "SIHAM-GA",
            "continue",
            "2021-03-22\n2021-03-23",
            8,
            &[trainer_id],
            None,
        )
        .await;
        let s = t::session(&app, Some(&ref_a), session)
            .await
            .expect("session");
        assert_eq!(
            (s.row.capacity, s.row.room_capacity, s.half_days()),
            (4, Some(8), 4)
        );

        let mut confirmed = vec![];
        for i in 0..4 {
            let (_, m) = builders::user(&db, &format!("a{i}@t.test"), Role::Member, Some(ua)).await;
            let r = t::request_seat(&app, &m, session).await.expect("request");
            assert_eq!(
                t::approve(&app, &ref_a, r).await.expect("approve"),
                Decision::Confirmed
            );
            confirmed.push((m, r));
        }
        // Full: the next approved request waits, in order.
        let (_, late1) = builders::user(&db, "w1@t.test", Role::Member, Some(ua)).await;
        let (_, late2) = builders::user(&db, "w2@t.test", Role::Member, Some(ub)).await;
        let w1 = t::request_seat(&app, &late1, session).await.expect("w1");
        let w2 = t::request_seat(&app, &late2, session).await.expect("w2");
        assert!(
            not_found(t::approve(&app, &ref_b, w1).await),
            "B's referent never decides for A"
        );
        assert!(
            not_found(t::approve(&app, &ref_a, w2).await),
            "nor A's for B"
        );
        assert_eq!(
            t::approve(&app, &ref_a, w1).await.expect("w1"),
            Decision::WaitingList
        );
        clock.advance(chrono::Duration::minutes(1));
        assert_eq!(
            t::approve(&app, &ref_b, w2).await.expect("w2"),
            Decision::WaitingList
        );
        let mine = t::my_registrations(&app, &late2).await.expect("mine");
        assert_eq!(mine[0].1, Some(2), "second in line");
        assert_eq!(jobs(&db, "attente").await.len(), 2, "both told they wait");

        // Someone else cannot cancel a stranger's seat.
        assert!(not_found(t::cancel(&app, &late2, confirmed[0].1).await));
        // A confirmed registrant cancels in time: the first in line is promoted and mailed.
        let out = t::cancel(&app, &confirmed[0].0, confirmed[0].1)
            .await
            .expect("cancel");
        assert!(!out.late);
        assert_eq!(out.promoted, vec![w1]);
        let promo = jobs(&db, "promue").await;
        assert_eq!(promo.len(), 1);
        assert!(promo[0].contains(&w1.to_string()));
        assert_eq!(
            t::my_registrations(&app, &late2).await.expect("mine")[0].1,
            Some(1),
            "now first"
        );
        let (conf, wait, taken, cap) = {
            let mut c = db.read().await.expect("c");
            relais_store::training::session_counts(&mut c, session)
                .await
                .expect("counts")
        };
        assert_eq!((conf, wait, taken, cap), (4, 1, 4, 4));

        // Five days before: a late cancellation, still billed; B's member is promoted.
        clock.set(
            Utc.with_ymd_and_hms(2021, 3, 17, 9, 0, 0)
                .single()
                .expect("t"),
        );
        let out = t::cancel(&app, &ref_a, confirmed[1].1)
            .await
            .expect("late cancel");
        assert!(out.late);
        assert_eq!(out.promoted, vec![w2]);

        // Reminders: once per confirmed registrant, three days before.
        clock.set(
            Utc.with_ymd_and_hms(2021, 3, 19, 9, 0, 0)
                .single()
                .expect("t"),
        );
        assert_eq!(t::send_reminders(&app).await.expect("reminders"), 4);
        assert_eq!(
            t::send_reminders(&app).await.expect("again"),
            0,
            "never twice"
        );

        // Attendance: not before the first day, not by another trainer.
        let present = confirmed[2].1;
        let absent = confirmed[3].1;
        let marks = [(present, Some(true)), (absent, Some(false))];
        assert!(matches!(
            t::take_attendance(&app, &trainer, session, &marks).await,
            Err(AppError::Domain(DomainError::Invalid(_)))
        ));
        clock.set(
            Utc.with_ymd_and_hms(2021, 3, 23, 16, 0, 0)
                .single()
                .expect("t"),
        );
        assert!(not_found(
            t::take_attendance(&app, &other_trainer, session, &marks).await
        ));
        t::take_attendance(&app, &trainer, session, &marks)
            .await
            .expect("attendance");
        assert_eq!(
            t::session(&app, None, session).await.expect("s").row.status,
            "realisee"
        );

        // Certificates: the person present, their referent, the agency; not the absent, not B.
        let (reg, days) = t::certificate(&app, &confirmed[2].0, present)
            .await
            .expect("own");
        assert_eq!((reg.attended, days.len()), (Some(1), 2));
        t::certificate(&app, &ref_a, present)
            .await
            .expect("referent");
        t::certificate(&app, &admin, present).await.expect("agency");
        assert!(
            not_found(t::certificate(&app, &ref_b, present).await),
            "another institution"
        );
        assert!(
            not_found(t::certificate(&app, &confirmed[3].0, absent).await),
            "absent"
        );
        assert!(
            not_found(t::certificate(&app, &confirmed[3].0, present).await),
            "a colleague's"
        );

        // A's statement: two present/absent confirmed seats and the late
        // cancellation, 2 days × 260 € each; the first cancellation is free.
        let st = t::statement(&app, &ref_a, ua, "2021-01-01", "2021-12-31")
            .await
            .expect("statement");
        assert_eq!(st.lines.len(), 4, "{:?}", st.lines);
        assert!(st.lines.iter().all(|l| l.amount_cents == 520_00));
        assert_eq!(st.total_cents, 4 * 520_00);
        assert_eq!(
            st.lines
                .iter()
                .filter(|l| l.note == "Annulation tardive")
                .count(),
            1
        );
        assert!(not_found(
            t::statement(&app, &ref_b, ua, "2021-01-01", "2021-12-31").await
        ));
        let (_, member_a) = (0, &confirmed[2].0);
        assert!(
            not_found(t::statement(&app, member_a, ua, "2021-01-01", "2021-12-31").await),
            "referents only"
        );
        let stb = t::statement(&app, &ref_b, ub, "2021-01-01", "2021-12-31")
            .await
            .expect("B");
        assert_eq!(stb.total_cents, 520_00);

        // A tariff dated next year leaves this year's statement as it was.
        t::save_tariff(&app, &admin, "2022-01-01", "280", "1 600", "420", None)
            .await
            .expect("tariff");
        let again = t::statement(&app, &ref_a, ua, "2021-01-01", "2021-12-31")
            .await
            .expect("again");
        assert_eq!(again.total_cents, 4 * 520_00);
        // The trainer alone: 2 days × 405 €.
        let ts = t::trainer_statement(&app, &trainer, trainer_id, "2021-01-01", "2021-12-31")
            .await
            .expect("trainer");
        assert_eq!(ts.total_cents, 810_00);
        assert!(not_found(
            t::trainer_statement(&app, &other_trainer, trainer_id, "2021-01-01", "2021-12-31")
                .await
        ));
    }
);

db_test!(
    async fn pairs_specific_sessions_and_next_years_tariff(db: Db) {
        let clock = clock();
        let app = App::new(db.clone(), clock.clone());
        let ua = builders::institution(&db, "Université A", "UA").await;
        let ub = builders::institution(&db, "Université B", "UB").await;
        let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
        let (_, ref_a) = builders::user(&db, "ref.a@t.test", Role::MemberAdmin, Some(ua)).await;
        let (_, member_b) = builders::user(&db, "m.b@t.test", Role::Member, Some(ub)).await;
        let (t1, _) = builders::user(&db, "t1@t.test", Role::Trainer, Some(ub)).await;
        let (t2, _) = builders::user(&db, "t2@t.test", Role::Trainer, Some(ub)).await;
        t::save_tariff(&app, &admin, "2022-01-01", "280", "1 600", "420", None)
            .await
            .expect("tariff");
        // A tailored session for A, a day and a half, given by a pair, in 2022.
        let (_, spec) = builders::training_session(
            &app,
            &admin,
            "SIFAC-SPE",
            "specifique",
            "2022-02-07\n2022-02-08 matin",
            12,
            &[t1, t2],
            Some(ua),
        )
        .await;
        // B's staff never see it, nor ask for a seat on it.
        assert!(not_found(t::session(&app, Some(&member_b), spec).await));
        assert!(not_found(t::request_seat(&app, &member_b, spec).await));
        let st = t::statement(&app, &ref_a, ua, "2022-01-01", "2022-12-31")
            .await
            .expect("statement");
        assert_eq!(st.lines.len(), 1);
        assert_eq!(
            st.lines[0].amount_cents, 2_400_00,
            "1,5 day × 1 600 € per group, next year's tariff"
        );
        let pay = t::trainer_statement(&app, &admin, t1, "2022-01-01", "2022-12-31")
            .await
            .expect("pay");
        assert_eq!(pay.total_cents, 315_00, "1,5 day × 420 € / 2");
        // A deployment training costs nothing.
        let (_, dep) = builders::training_session(
            &app,
            &admin,
            "PEGASE-DEP",
            "deploiement",
            "2021-06-01",
            10,
            &[],
            None,
        )
        .await;
        let (_, m) = builders::user(&db, "m.a@t.test", Role::Member, Some(ua)).await;
        let r = t::request_seat(&app, &m, dep).await.expect("req");
        t::approve(&app, &ref_a, r).await.expect("ok");
        let st = t::statement(&app, &ref_a, ua, "2021-01-01", "2021-12-31")
            .await
            .expect("2021");
        assert_eq!((st.lines.len(), st.total_cents), (1, 0));
        // Amounts typed by the admin are exact.
        assert_eq!(t::parse_euros("1 500,50"), Some(1_500_50));
        assert_eq!(t::parse_euros("202,5"), Some(202_50));
        assert_eq!(t::parse_euros("12,345"), None);
        assert_eq!(t::parse_euros("-3"), None);
    }
);

db_test!(
    async fn calendar_tokens_open_only_their_owners_feed(db: Db) {
        let clock = clock();
        let app = App::new(db.clone(), clock.clone());
        let ua = builders::institution(&db, "Université A", "UA").await;
        let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
        let (_, ref_a) = builders::user(&db, "ref.a@t.test", Role::MemberAdmin, Some(ua)).await;
        let (_, anne) = builders::user(&db, "anne@t.test", Role::Member, Some(ua)).await;
        let (_, paul) = builders::user(&db, "paul@t.test", Role::Member, Some(ua)).await;
        let (_, s1) = builders::training_session(
            &app,
            &admin,
            "EVRP-1",
            "continue",
            "2021-04-12",
            10,
            &[],
            None,
        )
        .await;
        let (_, s2) = builders::training_session(
            &app,
            &admin,
            "SISE-1",
            "continue",
            "2021-04-19 matin",
            10,
            &[],
            None,
        )
        .await;
        let r = t::request_seat(&app, &anne, s1).await.expect("anne");
        t::approve(&app, &ref_a, r).await.expect("ok");
        let r = t::request_seat(&app, &paul, s2).await.expect("paul");
        t::approve(&app, &ref_a, r).await.expect("ok");
        let token = t::renew_calendar_token(&app, &anne).await.expect("token");
        let user = t::user_of_token(&app, &token)
            .await
            .expect("lookup")
            .expect("valid");
        assert_eq!(user, anne.user_id);
        let feed = t::personal_feed(&app, user, "https://relais.test")
            .await
            .expect("feed");
        assert!(feed.contains("Formation EVRP-1"), "{feed}");
        assert!(!feed.contains("SISE-1"), "never Paul's registration");
        // Renewing replaces the token; revoking closes the feed.
        let renewed = t::renew_calendar_token(&app, &anne).await.expect("renew");
        assert!(t::user_of_token(&app, &token).await.expect("old").is_none());
        t::revoke_calendar_token(&app, &anne).await.expect("revoke");
        assert!(t::user_of_token(&app, &renewed)
            .await
            .expect("revoked")
            .is_none());
        // The public feed has both open sessions.
        let public = t::public_feed(&app, "https://relais.test")
            .await
            .expect("public");
        assert!(public.contains("EVRP-1") && public.contains("SISE-1"));
        assert!(
            public.contains("DTSTART;TZID=Europe/Paris:20210419T090000"),
            "a morning"
        );
        let _ = Id::new();
    }
);
