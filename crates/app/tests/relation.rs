//! Member relations on both engines, with a fake clock: surveys after a
//! closed ticket and an attended training, personal links that work once
//! and refuse altered, expired, reused or other people's tokens (recording
//! nothing), recalls after a dissatisfied answer with the admins'
//! threshold, the health indicator's snapshots and flags, the weekly
//! digest, campaigns to a segment, and data protection (export, erasure,
//! retention, reads log).

use chrono::{Duration, TimeZone, Utc};
use relais_app::relation as uc;
use relais_app::{App, AppError};
use relais_domain::accounts::{Actor, Role};
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};
use std::sync::Arc;

struct W {
    db: Db,
    app: App,
    clock: Arc<FakeClock>,
    inst_a: Id,
    inst_b: Id,
    product: Id,
    admin: Actor,
    manager: Actor,
    a: Actor,
    a2: Actor,
    b: Actor,
}

async fn world(db: Db) -> W {
    // A Monday, 10:00 in Paris.
    let clock = FakeClock::at(
        Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let app = App::new(db.clone(), clock.clone());
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
    let inst_a = builders::institution(&db, "Université Alpha", "UA").await;
    let inst_b = builders::institution(&db, "Université Bêta", "UB").await;
    let product = builders::product(&db, "sifac", "Sifac").await;
    builders::deploy(&db, inst_a, product).await;
    builders::deploy(&db, inst_b, product).await;
    let (_, admin) = builders::user(&db, "admin@t.test", Role::Admin, None).await;
    let (manager_id, manager) = builders::user(&db, "relation@t.test", Role::Relation, None).await;
    let (_, a) = builders::user(&db, "alice.martin@test.fr", Role::Member, Some(inst_a)).await;
    let (_, a2) = builders::user(&db, "a2@t.test", Role::Member, Some(inst_a)).await;
    let (_, b) = builders::user(&db, "b@t.test", Role::Member, Some(inst_b)).await;
    exec(
        &db,
        &format!(
            "UPDATE institutions SET manager_id = '{manager_id}' WHERE id IN ('{inst_a}', '{inst_b}')"
        ),
    )
    .await;
    W {
        db,
        app,
        clock,
        inst_a,
        inst_b,
        product,
        admin,
        manager,
        a,
        a2,
        b,
    }
}

async fn exec(db: &Db, sql: &str) {
    let mut tx = db.begin().await.expect("tx");
    sqlx::query(sql).execute(&mut *tx).await.expect("exec");
    tx.commit().await.expect("commit");
}

async fn count(db: &Db, sql: &str) -> i64 {
    let mut c = db.read().await.expect("conn");
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *c).await.expect("count");
    n
}

async fn strings(db: &Db, sql: &str) -> Vec<String> {
    let mut c = db.read().await.expect("conn");
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *c).await.expect("rows");
    rows.into_iter().map(|r| r.0).collect()
}

fn code_of<T: std::fmt::Debug>(r: &Result<T, AppError>) -> &'static str {
    match r {
        Err(AppError::Domain(DomainError::Invalid(e))) => e[0].code,
        Err(AppError::Domain(d)) => d.code(),
        Err(_) => "internal",
        Ok(_) => "ok",
    }
}

/// A ticket filed by `who` then closed by them.
async fn closed_ticket(w: &W, who: &Actor, subject: &str) -> Id {
    let id = open_ticket(w, who, subject).await;
    relais_app::support::change_status(&w.app, &w.admin, id, "resolu")
        .await
        .expect("resolve");
    relais_app::support::change_status(&w.app, who, id, "clos")
        .await
        .expect("close");
    id
}

async fn open_ticket(w: &W, who: &Actor, subject: &str) -> Id {
    relais_app::support::create_ticket(
        &w.app,
        who,
        None,
        TicketInput {
            product_id: w.product.to_string(),
            category: "question".into(),
            severity: "mineur".into(),
            subject: subject.into(),
            body: format!("{subject} : le détail de la demande."),
            ..Default::default()
        },
        "web",
    )
    .await
    .expect("ticket")
}

/// The token of the link in the mail of an invitation, as sent.
async fn mailed_token(w: &W, invitation: &str) -> String {
    let (_, _, text) = uc::survey_mail(
        &w.app,
        Id::parse(invitation).expect("id"),
        "invitation",
        "https://relais.test",
    )
    .await
    .expect("mail")
    .expect("a mail");
    let start = text.find("/enquete/").expect("link") + "/enquete/".len();
    text[start..]
        .split(|c: char| c == '?' || c.is_whitespace())
        .next()
        .expect("token")
        .to_string()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn answers(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM survey_answers").await
}

db_test!(
    async fn a_closed_ticket_brings_one_survey_whose_link_works_once(db: Db) {
        let w = world(db).await;
        // A withdrawn new ticket asks nothing.
        let withdrawn = open_ticket(&w, &w.a, "Finalement rien").await;
        relais_app::support::change_status(&w.app, &w.a, withdrawn, "clos")
            .await
            .expect("withdraw");
        closed_ticket(&w, &w.a, "Export des mandats").await;
        // The closing itself invited the requester; the sweep finds nothing more.
        assert_eq!(
            count(
                &w.db,
                "SELECT COUNT(*) FROM survey_invitations WHERE kind = 'ticket'"
            )
            .await,
            1
        );
        assert_eq!(uc::sweep(&w.app).await.expect("again").ticket_surveys, 0);
        let pending = uc::pending_for(&w.app, &w.a).await.expect("pending");
        assert_eq!(pending.len(), 1);
        assert!(uc::pending_for(&w.app, &w.a2).await.expect("a2").is_empty());
        let inv = &pending[0];
        assert_eq!(inv.kind, "ticket");
        // The mail carries one-click links for each score, and its own token.
        let (to, subject, text) = uc::survey_mail(
            &w.app,
            Id::parse(&inv.id).expect("id"),
            "invitation",
            "https://relais.test",
        )
        .await
        .expect("mail")
        .expect("some");
        assert_eq!(to, "alice.martin@test.fr");
        assert!(subject.contains("Votre avis sur le ticket"), "{subject}");
        assert!(
            text.contains("?note=1") && text.contains("?note=5"),
            "{text}"
        );
        let token = mailed_token(&w, &inv.id).await;
        // Only hashes are stored.
        assert_eq!(
            count(
                &w.db,
                &format!("SELECT COUNT(*) FROM survey_tokens WHERE token_hash = '{token}'")
            )
            .await,
            0
        );
        let open = uc::open_link(&w.app, &token, None).await.expect("open");
        let s = open.expect("usable");
        assert_eq!(s.questions.len(), 1);
        // A score out of the scale is refused and records nothing.
        let bad = uc::answer(&w.app, &token, None, &pairs(&[("satisfaction", "9")])).await;
        assert_eq!(code_of(&bad), "invalid_score");
        assert_eq!(answers(&w.db).await, 0);
        let ok = uc::answer(
            &w.app,
            &token,
            None,
            &pairs(&[("satisfaction", "5"), ("commentaire", "Rapide, merci")]),
        )
        .await
        .expect("answer")
        .expect("accepted");
        assert!(ok.recall_id.is_none(), "5/5 calls for no recall");
        assert_eq!(answers(&w.db).await, 1);
        // The same link a second time: refused, nothing more.
        let again = uc::answer(&w.app, &token, None, &pairs(&[("satisfaction", "1")]))
            .await
            .expect("answer");
        assert_eq!(again.expect_err("refused"), uc::Refusal::Used);
        assert_eq!(answers(&w.db).await, 1);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM recalls").await, 0);
        // Answered: no longer pending, and no further mail is built.
        assert!(uc::pending_for(&w.app, &w.a).await.expect("p").is_empty());
        assert!(uc::survey_mail(
            &w.app,
            Id::parse(&inv.id).expect("id"),
            "rappel",
            "https://relais.test"
        )
        .await
        .expect("m")
        .is_none());
        let stored = strings(&w.db, "SELECT comment FROM survey_answers").await;
        assert_eq!(stored, vec!["Rapide, merci".to_string()]);
    }
);

db_test!(
    async fn altered_expired_reused_or_other_peoples_links_are_refused_and_record_nothing(db: Db) {
        let w = world(db).await;
        closed_ticket(&w, &w.a, "Question sur les bons de commande").await;
        uc::sweep(&w.app).await.expect("sweep");
        let inv = uc::pending_for(&w.app, &w.a).await.expect("p")[0]
            .id
            .clone();
        let token = mailed_token(&w, &inv).await;
        let five = pairs(&[("satisfaction", "2")]);
        // Altered: one character changed, or cut short.
        let mut altered = token.clone().into_bytes();
        altered[5] = if altered[5] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).expect("utf8");
        for t in [altered.as_str(), &token[..token.len() - 1], "x", ""] {
            assert_eq!(
                uc::open_link(&w.app, t, None)
                    .await
                    .expect("o")
                    .expect_err("refused"),
                uc::Refusal::Unknown
            );
            assert_eq!(
                uc::answer(&w.app, t, None, &five)
                    .await
                    .expect("a")
                    .expect_err("refused"),
                uc::Refusal::Unknown
            );
        }
        // Another person signed in (same institution or not): refused.
        for other in [&w.a2, &w.b, &w.manager] {
            assert_eq!(
                uc::answer(&w.app, &token, Some(other), &five)
                    .await
                    .expect("a")
                    .expect_err("refused"),
                uc::Refusal::OtherPerson
            );
        }
        assert_eq!(answers(&w.db).await, 0);
        // The invitee signed in may answer through their link; a second
        // link of the same invitation (a reminder) is then refused too.
        let reminder = mailed_token(&w, &inv).await;
        uc::answer(&w.app, &token, Some(&w.a), &five)
            .await
            .expect("a")
            .expect("accepted");
        assert_eq!(answers(&w.db).await, 1);
        assert_eq!(
            uc::open_link(&w.app, &reminder, None)
                .await
                .expect("o")
                .expect_err("refused"),
            uc::Refusal::Used
        );
        assert_eq!(
            uc::answer(&w.app, &reminder, None, &five)
                .await
                .expect("a")
                .expect_err("refused"),
            uc::Refusal::Used
        );
        assert_eq!(answers(&w.db).await, 1);
        assert_eq!(
            count(&w.db, "SELECT COUNT(*) FROM recalls").await,
            1,
            "only the accepted 2/5"
        );
        // Expired: another survey, answered after 31 days.
        closed_ticket(&w, &w.a, "Deuxième question").await;
        uc::sweep(&w.app).await.expect("sweep");
        let inv2 = uc::pending_for(&w.app, &w.a).await.expect("p")[0]
            .id
            .clone();
        let token2 = mailed_token(&w, &inv2).await;
        w.clock.advance(Duration::days(31));
        assert_eq!(
            uc::open_link(&w.app, &token2, None)
                .await
                .expect("o")
                .expect_err("refused"),
            uc::Refusal::Expired
        );
        assert_eq!(
            uc::answer(&w.app, &token2, None, &five)
                .await
                .expect("a")
                .expect_err("refused"),
            uc::Refusal::Expired
        );
        assert_eq!(answers(&w.db).await, 1);
        assert_eq!(
            count(&w.db, &format!("SELECT COUNT(*) FROM survey_invitations WHERE id = '{inv2}' AND answered_at IS NULL")).await,
            1
        );
    }
);

db_test!(
    async fn a_low_score_creates_a_recall_flags_the_health_drop_and_is_handled(db: Db) {
        let w = world(db).await;
        // Yesterday's snapshot: no answer yet.
        uc::sweep(&w.app).await.expect("sweep");
        let before = uc::health_view(&w.app, &w.manager, w.inst_a)
            .await
            .expect("h")
            .health
            .score;
        closed_ticket(&w, &w.a, "Lenteur de l'export").await;
        uc::sweep(&w.app).await.expect("sweep");
        let inv = uc::pending_for(&w.app, &w.a).await.expect("p")[0]
            .id
            .clone();
        let token = mailed_token(&w, &inv).await;
        let done = uc::answer(
            &w.app,
            &token,
            None,
            &pairs(&[
                ("satisfaction", "1"),
                ("commentaire", "Trois semaines sans réponse"),
            ]),
        )
        .await
        .expect("a")
        .expect("ok");
        let recall = done.recall_id.expect("1/5 calls for a recall");
        let v = uc::recall(&w.app, &w.manager, recall)
            .await
            .expect("recall");
        assert_eq!(
            v.recall.manager_id.as_deref(),
            Some(w.manager.user_id.to_string().as_str())
        );
        assert_eq!(v.recall.due_on, "2021-03-06");
        assert_eq!(v.answer.score, Some(1));
        assert_eq!(
            v.answer.ticket_ref.as_deref().map(|r| r.starts_with('R')),
            Some(true)
        );
        assert_eq!(
            v.answer.comment.as_deref(),
            Some("Trois semaines sans réponse")
        );
        // The manager is told by mail.
        assert_eq!(
            count(
                &w.db,
                "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%\"template\":\"recall\"%'"
            )
            .await,
            1
        );
        // Health: the satisfaction factor took 20 points (1/5 is 2 under 3).
        let h = uc::health_view(&w.app, &w.manager, w.inst_a)
            .await
            .expect("h");
        assert_eq!(h.health.score, before - 20);
        let sat = h
            .health
            .factors
            .iter()
            .find(|f| f.code == "satisfaction")
            .expect("f");
        assert_eq!(sat.points, -20.0);
        // Flagged to the manager, with the reason.
        let flags = uc::flags(&w.app, &w.manager, true, 7).await.expect("flags");
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].institution_id, w.inst_a.to_string());
        assert_eq!(flags[0].previous, Some(before));
        assert!(
            flags[0].reasons.contains("Satisfaction"),
            "{}",
            flags[0].reasons
        );
        // Members never reach recalls.
        assert_eq!(
            code_of(&uc::recall(&w.app, &w.a, recall).await),
            "not_found"
        );
        assert_eq!(
            code_of(&uc::recalls(&w.app, &w.a, false, None).await),
            "forbidden"
        );
        // The call, then the closing with its outcome.
        assert_eq!(
            code_of(&uc::record_call(&w.app, &w.manager, recall, "  ").await),
            "required"
        );
        uc::record_call(
            &w.app,
            &w.manager,
            recall,
            "Appel à la DSI : relance de l'éditeur promise.",
        )
        .await
        .expect("call");
        assert_eq!(
            count(&w.db, &format!("SELECT COUNT(*) FROM interactions WHERE institution_id = '{}' AND kind = 'appel'", w.inst_a)).await,
            1
        );
        assert_eq!(
            code_of(&uc::close_recall(&w.app, &w.manager, recall, "").await),
            "required"
        );
        w.clock.advance(Duration::days(2));
        uc::close_recall(
            &w.app,
            &w.manager,
            recall,
            "Correctif livré, établissement rassuré.",
        )
        .await
        .expect("close");
        assert_eq!(
            code_of(&uc::close_recall(&w.app, &w.manager, recall, "x").await),
            "conflict"
        );
        let (open, stats) = uc::recalls(&w.app, &w.manager, false, Some("ouvert"))
            .await
            .expect("l");
        assert!(open.is_empty());
        assert_eq!(stats.closed_12m, 1);
        assert_eq!(stats.median_days, Some(2));
        assert_eq!(stats.on_time_share, Some(100));
    }
);

db_test!(
    async fn the_recall_threshold_is_the_admins_and_is_applied(db: Db) {
        let w = world(db).await;
        let s = uc::RelationSettings {
            recall_threshold: 3,
            nps_threshold: 4,
            health_threshold: 50,
        };
        assert_eq!(
            code_of(&uc::set_settings(&w.app, &w.manager, &s).await),
            "forbidden"
        );
        let bad = uc::RelationSettings {
            recall_threshold: 9,
            ..s.clone()
        };
        assert_eq!(
            code_of(&uc::set_settings(&w.app, &w.admin, &bad).await),
            "invalid_threshold"
        );
        // 3/5 calls for no recall by default…
        closed_ticket(&w, &w.a, "Première").await;
        uc::sweep(&w.app).await.expect("sweep");
        let inv = uc::pending_for(&w.app, &w.a).await.expect("p")[0]
            .id
            .clone();
        let t = mailed_token(&w, &inv).await;
        let r = uc::answer(&w.app, &t, None, &pairs(&[("satisfaction", "3")]))
            .await
            .expect("a")
            .expect("ok");
        assert!(r.recall_id.is_none());
        // …but does once the admin sets the threshold at 3.
        uc::set_settings(&w.app, &w.admin, &s).await.expect("set");
        assert_eq!(uc::settings(&w.app).await.expect("s"), s);
        closed_ticket(&w, &w.a, "Seconde").await;
        uc::sweep(&w.app).await.expect("sweep");
        let inv = uc::pending_for(&w.app, &w.a).await.expect("p")[0]
            .id
            .clone();
        let t = mailed_token(&w, &inv).await;
        let r = uc::answer(&w.app, &t, None, &pairs(&[("satisfaction", "3")]))
            .await
            .expect("a")
            .expect("ok");
        assert!(r.recall_id.is_some());
    }
);

db_test!(
    async fn an_attended_training_brings_a_survey_and_one_reminder(db: Db) {
        let w = world(db).await;
        let (_, session) = builders::training_session(
            &w.app,
            &w.admin,
            "SIF-01",
            "continue",
            "2021-03-02\n2021-03-03",
            20,
            &[],
            None,
        )
        .await;
        for (user, attended) in [(&w.a, 1), (&w.a2, 0)] {
            exec(
                &w.db,
                &format!(
                    "INSERT INTO registrations (id, session_id, user_id, institution_id, status, requested_at, attended) \
                     VALUES ('{}', '{session}', '{}', '{}', 'confirmee', '2021-02-01T00:00:00.000Z', {attended})",
                    Id::new(),
                    user.user_id,
                    w.inst_a
                ),
            )
            .await;
        }
        // Not before the session has ended.
        assert_eq!(uc::sweep(&w.app).await.expect("s").training_surveys, 0);
        w.clock.advance(Duration::days(3));
        let r = uc::sweep(&w.app).await.expect("s");
        assert_eq!(r.training_surveys, 1, "only the person present");
        let p = uc::pending_for(&w.app, &w.a).await.expect("p");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].kind, "formation");
        assert_eq!(p[0].training_title.as_deref(), Some("Formation SIF-01"));
        assert!(uc::pending_for(&w.app, &w.a2).await.expect("p").is_empty());
        // One reminder a week later, once.
        w.clock.advance(Duration::days(6));
        assert_eq!(uc::sweep(&w.app).await.expect("s").reminders, 0);
        w.clock.advance(Duration::days(1));
        assert_eq!(uc::sweep(&w.app).await.expect("s").reminders, 1);
        assert_eq!(uc::sweep(&w.app).await.expect("s").reminders, 0);
        let t = mailed_token(&w, &p[0].id).await;
        let r = uc::answer(&w.app, &t, None, &pairs(&[("satisfaction", "4")]))
            .await
            .expect("a")
            .expect("ok");
        assert!(r.recall_id.is_none());
        let a = uc::institution_answers(&w.app, &w.a, w.inst_a)
            .await
            .expect("answers");
        assert_eq!(a[0].training_title.as_deref(), Some("Formation SIF-01"));
        assert_eq!(
            code_of(&uc::institution_answers(&w.app, &w.b, w.inst_a).await),
            "not_found"
        );
    }
);

db_test!(
    async fn a_campaign_reaches_the_segments_contacts_and_a_detractor_is_recalled(db: Db) {
        let w = world(db).await;
        let dgs_a = builders::contact(&w.db, w.inst_a, "Denise", "Garnier").await;
        let _other_a = builders::contact(&w.db, w.inst_a, "Paul", "Autre").await;
        let dgs_b = builders::contact(&w.db, w.inst_b, "Bruno", "Dupuis").await;
        exec(
            &w.db,
            &format!("UPDATE contacts SET function = 'dgs' WHERE id IN ('{dgs_a}', '{dgs_b}')"),
        )
        .await;
        let seg = relais_store::relation::Segment {
            functions: vec!["dgs".into()],
            ..Default::default()
        };
        assert_eq!(
            code_of(&uc::create_campaign(&w.app, &w.a, "Enquête 2021", "annuelle", &seg, 30).await),
            "forbidden"
        );
        assert_eq!(
            code_of(&uc::create_campaign(&w.app, &w.manager, " ", "annuelle", &seg, 30).await),
            "required"
        );
        let (_, n) = uc::create_campaign(
            &w.app,
            &w.manager,
            "Enquête annuelle 2021",
            "annuelle",
            &seg,
            30,
        )
        .await
        .expect("campaign");
        assert_eq!(n, 2);
        let invs = strings(
            &w.db,
            &format!("SELECT id FROM survey_invitations WHERE contact_id = '{dgs_a}'"),
        )
        .await;
        assert_eq!(invs.len(), 1);
        let t = mailed_token(&w, &invs[0]).await;
        let s = uc::open_link(&w.app, &t, None)
            .await
            .expect("o")
            .expect("open");
        assert_eq!(s.questions.len(), 5);
        // Leaving everything empty is refused.
        assert_eq!(
            code_of(&uc::answer(&w.app, &t, None, &[]).await),
            "invalid_score"
        );
        let r = uc::answer(
            &w.app,
            &t,
            None,
            &pairs(&[
                ("support", "4"),
                ("formation", "4"),
                ("produits", "3"),
                ("recommandation", "3"),
            ]),
        )
        .await
        .expect("a")
        .expect("ok");
        assert!(
            r.recall_id.is_some(),
            "a recommendation of 3/10 is a detractor"
        );
        let a = uc::institution_answers(&w.app, &w.manager, w.inst_a)
            .await
            .expect("a");
        assert_eq!(a[0].score, Some(4), "rounded mean of 4, 4, 3");
        assert_eq!(a[0].nps, Some(3));
        let k = uc::campaigns(&w.app, &w.manager).await.expect("k");
        assert_eq!((k[0].invited, k[0].answered), (2, 1));
    }
);

db_test!(
    async fn the_weekly_digest_goes_once_a_week_to_managers_with_something_to_do(db: Db) {
        let w = world(db).await;
        assert_eq!(
            uc::send_digests(&w.app).await.expect("d"),
            0,
            "nothing to report"
        );
        closed_ticket(&w, &w.a, "Lent").await;
        uc::sweep(&w.app).await.expect("sweep");
        let inv = uc::pending_for(&w.app, &w.a).await.expect("p")[0]
            .id
            .clone();
        let t = mailed_token(&w, &inv).await;
        uc::answer(&w.app, &t, None, &pairs(&[("satisfaction", "1")]))
            .await
            .expect("a")
            .expect("ok");
        assert_eq!(uc::send_digests(&w.app).await.expect("d"), 1);
        assert_eq!(uc::send_digests(&w.app).await.expect("d"), 0);
        let (to, subject, text) = uc::digest_mail(&w.app, w.manager.user_id, "https://relais.test")
            .await
            .expect("m")
            .expect("some");
        assert_eq!(to, "relation@t.test");
        assert!(subject.contains("1 rappel(s)"), "{subject}");
        assert!(text.contains("Université Alpha"), "{text}");
        assert!(!text.contains("Université Bêta"), "{text}");
        w.clock.advance(Duration::days(7));
        assert_eq!(uc::send_digests(&w.app).await.expect("d"), 1);
    }
);

// ---------------------------------------------------------------- data protection

fn flat(d: &relais_app::privacy::PersonData) -> String {
    serde_json::to_string(d).expect("json")
}

db_test!(
    async fn a_persons_export_holds_their_data_and_nobody_elses(db: Db) {
        let w = world(db).await;
        let contact = builders::contact(&w.db, w.inst_a, "Alice", "Martin").await;
        let _bob = builders::contact(&w.db, w.inst_a, "Bob", "Voisin").await;
        let mine = open_ticket(&w, &w.a, "Mon ticket à moi").await;
        closed_ticket(&w, &w.a2, "Le ticket de ma collègue").await;
        closed_ticket(&w, &w.b, "Le ticket de Bêta").await;
        relais_app::support::reply(
            &w.app,
            &w.a2,
            mine,
            "Réponse de la collègue dans mon ticket",
            false,
            "web",
            None,
        )
        .await
        .expect("a colleague's reply");
        let d = relais_app::privacy::contact_data(&w.app, &w.manager, contact)
            .await
            .expect("export");
        let s = flat(&d);
        assert!(s.contains("Mon ticket à moi"), "{s}");
        assert!(s.contains("alice.martin@test.fr"));
        for other in [
            "Le ticket de ma collègue",
            "Le ticket de Bêta",
            "bob.voisin@test.fr",
            "a2@t.test",
            "b@t.test",
            "Réponse de la collègue",
        ] {
            assert!(!s.contains(other), "{other} in {s}");
        }
        // The member's own export is the same person's data.
        let mine_d = relais_app::privacy::my_data(&w.app, &w.a)
            .await
            .expect("mine");
        let m = flat(&mine_d);
        assert!(m.contains("Mon ticket à moi") && m.contains("alice.martin@test.fr"));
        assert!(!m.contains("Le ticket de ma collègue") && !m.contains("b@t.test"));
        // Only key-account managers and admins export a contact.
        assert_eq!(
            code_of(&relais_app::privacy::contact_data(&w.app, &w.a2, contact).await),
            "not_found"
        );
        assert_eq!(
            code_of(&relais_app::privacy::contact_data(&w.app, &w.b, contact).await),
            "not_found"
        );
    }
);

db_test!(
    async fn erasing_a_contact_pseudonymises_them_and_keeps_counts_and_amounts(db: Db) {
        let w = world(db).await;
        let contact = builders::contact(&w.db, w.inst_a, "Alice", "Martin").await;
        exec(
            &w.db,
            &format!("UPDATE contacts SET phone = '01 23 45 67 89' WHERE id = '{contact}'"),
        )
        .await;
        exec(
            &w.db,
            &format!(
                "UPDATE users SET display_name = 'Alice Martin' WHERE id = '{}'",
                w.a.user_id
            ),
        )
        .await;
        let t = closed_ticket(&w, &w.a, "Signé Alice Martin, joignable au 01 23 45 67 89").await;
        // A knowledge article drafted from her ticket quotes her.
        exec(&w.db, &format!(
            "INSERT INTO articles (id, product_id, title, body, status, source_ticket_id, created_at, updated_at) \
             VALUES ('{}', '{}', 'Export bloqué', 'Signalé par Alice Martin (alice.martin@test.fr).', 'brouillon', '{t}', \
             '2021-03-01T00:00:00.000Z', '2021-03-01T00:00:00.000Z')",
            Id::new(), w.product
        )).await;
        // A training seat billed to the institution.
        let (_, session) = builders::training_session(
            &w.app,
            &w.admin,
            "SIF-02",
            "continue",
            "2021-03-10",
            20,
            &[],
            None,
        )
        .await;
        let reg = relais_app::training::request_seat(&w.app, &w.a, session)
            .await
            .expect("seat");
        relais_app::training::approve(&w.app, &w.admin, reg)
            .await
            .expect("approve");
        let statement = |app: App, admin: Actor, inst: Id| async move {
            relais_app::training::statement(&app, &admin, inst, "2021-01-01", "2021-12-31")
                .await
                .expect("statement")
                .total_cents
        };
        let amount_before = statement(w.app.clone(), w.admin.clone(), w.inst_a).await;
        assert!(amount_before > 0);
        let tickets_before = count(&w.db, "SELECT COUNT(*) FROM tickets").await;
        assert_eq!(
            code_of(&relais_app::privacy::erase_contact(&w.app, &w.a2, contact).await),
            "forbidden"
        );
        let e = relais_app::privacy::erase_contact(&w.app, &w.manager, contact)
            .await
            .expect("erase");
        assert!(e.account_closed);
        assert!(e.tickets_reindexed >= 1);
        assert_eq!(
            code_of(&relais_app::privacy::erase_contact(&w.app, &w.manager, contact).await),
            "conflict"
        );
        // Nowhere in the free-text columns, the contact or the account.
        for (table, col) in relais_store::privacy::FREE_TEXT.iter().chain(&[
            ("contacts", "first_name"),
            ("contacts", "last_name"),
            ("contacts", "email"),
            ("contacts", "phone"),
            ("users", "display_name"),
            ("users", "email"),
            ("tickets", "requester_email"),
        ]) {
            for needle in ["Alice Martin", "alice.martin@test.fr", "01 23 45 67 89"] {
                let n = count(
                    &w.db,
                    &format!("SELECT COUNT(*) FROM {table} WHERE {col} LIKE '%{needle}%'"),
                )
                .await;
                assert_eq!(n, 0, "{needle} still in {table}.{col}");
            }
        }
        let subject = strings(
            &w.db,
            &format!("SELECT subject FROM tickets WHERE id = '{t}'"),
        )
        .await;
        assert!(subject[0].contains(&e.pseudonym), "{subject:?}");
        // The account is closed; counts and amounts are unchanged.
        assert_eq!(
            count(
                &w.db,
                &format!(
                    "SELECT COUNT(*) FROM users WHERE id = '{}' AND active = 0",
                    w.a.user_id
                )
            )
            .await,
            1
        );
        assert_eq!(
            count(&w.db, "SELECT COUNT(*) FROM tickets").await,
            tickets_before
        );
        assert_eq!(
            statement(w.app.clone(), w.admin.clone(), w.inst_a).await,
            amount_before
        );
        // The erasure is in the history, without the person's data.
        let audit = strings(&w.db, &format!("SELECT changes FROM audit_events WHERE entity = 'contact' AND entity_id = '{contact}' AND action = 'erase'")).await;
        assert_eq!(audit.len(), 1);
        assert!(!audit[0].contains("Alice"));
    }
);

db_test!(
    async fn retention_rules_list_what_would_go_and_apply_only_when_asked(db: Db) {
        let w = world(db).await;
        exec(&w.db, "INSERT INTO login_failures (id, login_key, failed_at) VALUES ('old', 'x@t.test', '2020-01-01T00:00:00.000Z'), ('new', 'y@t.test', '2021-02-28T00:00:00.000Z')").await;
        assert_eq!(
            code_of(&relais_app::privacy::retention(&w.app, &w.manager).await),
            "forbidden"
        );
        let rules = relais_app::privacy::retention(&w.app, &w.admin)
            .await
            .expect("dry run");
        let lf = rules
            .iter()
            .find(|r| r.kind == "login_failures")
            .expect("rule");
        assert_eq!((lf.months, lf.count), (3, 1));
        assert_eq!(lf.sample[0].0, "old");
        // The dry run deleted nothing.
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM login_failures").await, 2);
        assert_eq!(
            code_of(
                &relais_app::privacy::set_retention(&w.app, &w.admin, "login_failures", 0).await
            ),
            "invalid_months"
        );
        assert_eq!(
            code_of(&relais_app::privacy::set_retention(&w.app, &w.admin, "inconnu", 3).await),
            "not_found"
        );
        relais_app::privacy::set_retention(&w.app, &w.admin, "login_failures", 24)
            .await
            .expect("set");
        let rules = relais_app::privacy::retention(&w.app, &w.admin)
            .await
            .expect("dry run");
        assert_eq!(
            rules
                .iter()
                .find(|r| r.kind == "login_failures")
                .expect("r")
                .count,
            0
        );
        relais_app::privacy::set_retention(&w.app, &w.admin, "login_failures", 1)
            .await
            .expect("set");
        let done = relais_app::privacy::apply_retention(&w.app, &w.admin)
            .await
            .expect("apply");
        assert_eq!(
            done.iter()
                .find(|(k, _)| *k == "login_failures")
                .expect("k")
                .1,
            1
        );
        assert_eq!(
            strings(&w.db, "SELECT id FROM login_failures").await,
            vec!["new".to_string()]
        );
    }
);

db_test!(
    async fn reads_of_a_contacts_page_by_agency_staff_are_logged(db: Db) {
        let w = world(db).await;
        let contact = builders::contact(&w.db, w.inst_a, "Alice", "Martin").await;
        relais_app::privacy::log_contact_read(&w.app, &w.manager, contact)
            .await
            .expect("log");
        relais_app::privacy::log_contact_read(&w.app, &w.a2, contact)
            .await
            .expect("member: not logged");
        let reads = relais_app::privacy::contact_reads(&w.app, &w.admin, contact)
            .await
            .expect("reads");
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].user_name.as_deref(), Some("relation@t.test"));
        let _ = w.inst_b;
    }
);

db_test!(
    async fn each_factor_read_from_the_database_moves_health_by_its_weight(db: Db) {
        let w = world(db).await;
        let score = |w: &W| {
            let app = w.app.clone();
            let m = w.manager.clone();
            let inst = w.inst_a;
            async move {
                uc::health_view(&app, &m, inst)
                    .await
                    .expect("h")
                    .health
                    .score
            }
        };
        // Nothing known: the base, minus the cap for never meeting the governance.
        let base = score(&w).await;
        assert_eq!(base, 70 - 12);
        // A meeting today: the governance factor is back to 0.
        exec(&w.db, &format!(
            "INSERT INTO interactions (id, institution_id, kind, occurred_on, subject, created_at) \
             VALUES ('{}', '{}', 'reunion', '2021-03-01', 'Comité de pilotage', '2021-03-01T09:00:00.000Z')",
            Id::new(), w.inst_a
        )).await;
        assert_eq!(score(&w).await, base + 12);
        // 7 months later, it costs 2 points per full month beyond six.
        w.clock.advance(Duration::days(210));
        assert_eq!(score(&w).await, base + 12 - 2);
        w.clock.set(
            Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
                .single()
                .expect("t"),
        );
        // A ticket whose resolution deadline passed: −3.
        let t = open_ticket(&w, &w.a, "En retard").await;
        exec(&w.db, &format!("UPDATE tickets SET resolution_due_at = '2021-02-28T00:00:00.000Z' WHERE id = '{t}'")).await;
        assert_eq!(score(&w).await, base + 12 - 3);
        // An open incident on a product it runs: −4; on another product: nothing.
        let other = builders::product(&w.db, "geslab", "Geslab").await;
        for p in [w.product, other] {
            exec(&w.db, &format!(
                "INSERT INTO incidents (id, product_id, title, status, created_at) VALUES ('{}', '{p}', 'Panne', 'ouvert', '2021-02-27T00:00:00.000Z')",
                Id::new()
            )).await;
        }
        assert_eq!(score(&w).await, base + 12 - 3 - 4);
        // A training attended this year: +2.
        let (_, session) = builders::training_session(
            &w.app,
            &w.admin,
            "SIF-03",
            "continue",
            "2021-02-10",
            20,
            &[],
            None,
        )
        .await;
        exec(&w.db, &format!(
            "INSERT INTO registrations (id, session_id, user_id, institution_id, status, requested_at, attended) \
             VALUES ('{}', '{session}', '{}', '{}', 'confirmee', '2021-02-01T00:00:00.000Z', 1)",
            Id::new(), w.a.user_id, w.inst_a
        )).await;
        assert_eq!(score(&w).await, base + 12 - 3 - 4 + 2);
        // An open complaint: −8; once closed, nothing.
        let complaint = Id::new();
        exec(&w.db, &format!(
            "INSERT INTO complaints (id, institution_id, channel, touchpoint, severity, title, description, status, created_at, updated_at) \
             VALUES ('{complaint}', '{}', 'agent', 'support', 'majeure', 'Délais', 'Trop long', 'nouvelle', '2021-03-01T00:00:00.000Z', '2021-03-01T00:00:00.000Z')",
            w.inst_a
        )).await;
        assert_eq!(score(&w).await, base + 12 - 3 - 4 + 2 - 8);
        exec(
            &w.db,
            &format!("UPDATE complaints SET status = 'close' WHERE id = '{complaint}'"),
        )
        .await;
        assert_eq!(score(&w).await, base + 12 - 3 - 4 + 2);
        // A 5/5 answer: +20 (two points above 3).
        closed_ticket(&w, &w.a2, "Merci").await;
        let inv = uc::pending_for(&w.app, &w.a2).await.expect("p")[0]
            .id
            .clone();
        let t = mailed_token(&w, &inv).await;
        uc::answer(&w.app, &t, None, &pairs(&[("satisfaction", "5")]))
            .await
            .expect("a")
            .expect("ok");
        assert_eq!(score(&w).await, base + 12 - 3 - 4 + 2 + 20);
        // Nothing of this touched the other institution.
        let b = uc::health_view(&w.app, &w.manager, w.inst_b)
            .await
            .expect("b")
            .health
            .score;
        assert_eq!(b, 70 - 12 - 4, "only the shared product's incident");
    }
);

db_test!(
    async fn an_institution_already_under_the_threshold_is_in_the_at_risk_list(db: Db) {
        // INSEP's case (issue 17): 47 at the last snapshot, 49 today under a
        // threshold of 50 — no crossing, yet it is at risk and must be listed.
        let w = world(db).await;
        exec(
            &w.db,
            &format!(
                "INSERT INTO health_snapshots (institution_id, computed_on, score, factors) \
             VALUES ('{}', '2021-02-28', 47, '[]')",
                w.inst_a
            ),
        )
        .await;
        // Three tickets past their resolution deadline: 58 − 9 = 49.
        for n in 0..3 {
            let t = open_ticket(&w, &w.a, &format!("En retard {n}")).await;
            exec(
                &w.db,
                &format!(
                "UPDATE tickets SET resolution_due_at = '2021-02-28T00:00:00.000Z' WHERE id = '{t}'"
            ),
            )
            .await;
        }
        assert_eq!(
            uc::health_view(&w.app, &w.manager, w.inst_a)
                .await
                .expect("h")
                .health
                .score,
            49
        );
        uc::sweep(&w.app).await.expect("sweep");
        let flags = uc::flags(&w.app, &w.manager, true, 30)
            .await
            .expect("flags");
        assert_eq!(
            flags
                .iter()
                .filter(|f| f.institution_id == w.inst_a.to_string())
                .count(),
            1,
            "{flags:?}"
        );
        assert!(flags
            .iter()
            .all(|f| f.institution_id != w.inst_b.to_string()));
        // The next days, it stays listed without a new flag each day.
        w.clock.advance(Duration::days(1));
        uc::sweep(&w.app).await.expect("sweep");
        let flags = uc::flags(&w.app, &w.manager, true, 30)
            .await
            .expect("flags");
        assert_eq!(
            flags
                .iter()
                .filter(|f| f.institution_id == w.inst_a.to_string())
                .count(),
            1
        );
    }
);
