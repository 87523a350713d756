//! The monthly steering report on both engines, sent through a real SMTP
//! server (aiosmtpd on loopback): queued once per month (a second call, as
//! after a restart, queues nothing), mailed to the active administrators
//! only, with the plan's late deliverables, the month's changes and the
//! month's indicator figures computed from the daily aggregates.

use base64::Engine;
use relais_app::mail_io::MailSettings;
use relais_app::steering as uc;
use relais_domain::accounts::Role;
use relais_domain::Id;
use relais_store::steering::{self as st, DailyRow, DeliverableValues};
use relais_store::Db;
use relais_testkit::smtp::SmtpSink as Sink;
use relais_testkit::{builders, db_test, FakeClock};

/// What the test server received, read the way this test needs it.
trait Received {
    fn received(&self) -> Vec<(serde_json::Value, String)>;
}

impl Received for Sink {
    /// (envelope JSON, decoded text body) of every message received.
    fn received(&self) -> Vec<(serde_json::Value, String)> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let raw = std::fs::read_to_string(&p).expect("eml");
                let env: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(p.with_extension("json")).expect("json"),
                )
                .expect("envelope");
                (env, decode_body(&raw))
            })
            .collect()
    }
}

/// The text of a single-part message, undoing base64 or quoted-printable.
fn decode_body(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .expect("base64");
        String::from_utf8(bytes).expect("utf-8")
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let soft = body.replace("=\n", "");
        let mut out = Vec::new();
        let b = soft.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                if let Ok(x) = u8::from_str_radix(&soft[i + 1..i + 3], 16) {
                    out.push(x);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8(out).expect("utf-8")
    } else {
        body.to_string()
    }
}

fn settings(port: u16) -> MailSettings {
    MailSettings {
        smtp: relais_mail::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: false,
            username: None,
            password: None,
            from: "Relais <pilotage@relais.test>".into(),
        },
        reply: relais_mail::ReplyAddress::new(b"test secret", "support@relais.test"),
        base_url: "http://relais.test".into(),
        auth: Default::default(),
    }
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("t")
        .with_timezone(&chrono::Utc)
}

db_test!(
    async fn the_monthly_report_reaches_management_once_with_the_months_figures(db: Db) {
        let clock = FakeClock::at(at("2021-06-15T09:00:00Z"));
        let app = relais_testkit::app(db.clone(), clock.clone());
        let (_, director) = builders::user(&db, "direction@t.test", Role::Admin, None).await;
        builders::user(&db, "support@t.test", Role::Support, None).await;
        let inst = builders::institution(&db, "Université A", "UA").await;
        builders::user(&db, "membre@t.test", Role::Member, Some(inst)).await;

        // A plan: one late deliverable, one postponed in June.
        let now = "2021-01-04T08:00:00.000Z";
        let mut tx = db.begin().await.expect("tx");
        let (plan, unit, obj) = (Id::new(), Id::new(), Id::new());
        st::insert_plan(&mut tx, plan, 2021, "Plan 2021", now)
            .await
            .expect("plan");
        st::insert_unit(&mut tx, unit, plan, "DCSI", "DSI", "departement", None, 1)
            .await
            .expect("unit");
        st::insert_objective(&mut tx, obj, unit, "Sécuriser", 1)
            .await
            .expect("obj");
        let v = |r: &str, t: &str, due: &str| DeliverableValues {
            objective_id: obj,
            reference: r.into(),
            title: t.into(),
            owner_id: None,
            product_id: None,
            starts_on: None,
            due_on: due.into(),
            status: "en_cours".into(),
            progress: 30,
            weight: 1,
            delivered_on: None,
        };
        let (late, moved) = (Id::new(), Id::new());
        st::insert_deliverable(&mut tx, late, &v("2021-DCSI-01", "PSSI", "2021-05-31"), now)
            .await
            .expect("late");
        st::insert_deliverable(&mut tx, moved, &v("2021-DCSI-02", "PCA", "2021-12-31"), now)
            .await
            .expect("moved");
        // June's backlog: 6 then 4 open tickets (a stock: the last day, 4);
        // 1 missed of 4 due (25 %).
        for (day, n) in [("2021-06-29", 6), ("2021-06-30", 4)] {
            let rows = [DailyRow {
                day: day.into(),
                input: "backlog".into(),
                institution_id: inst.to_string(),
                product_id: String::new(),
                numerator: n,
                denominator: 0,
            }];
            st::replace_day(&mut tx, day, "backlog", &rows)
                .await
                .expect("backlog");
        }
        let rows = [DailyRow {
            day: "2021-06-10".into(),
            input: "sla_due".into(),
            institution_id: inst.to_string(),
            product_id: String::new(),
            numerator: 1,
            denominator: 4,
        }];
        st::replace_day(&mut tx, "2021-06-10", "sla_due", &rows)
            .await
            .expect("sla");
        tx.commit().await.expect("commit");
        uc::change_status(&app, &director, moved, "reporte", None, "Budget décalé")
            .await
            .expect("postpone");

        // On 1 July the June report is queued, once.
        clock.set(at("2021-07-01T05:00:00Z"));
        assert!(uc::queue_monthly_report(&app).await.expect("queue"));
        assert!(!uc::queue_monthly_report(&app).await.expect("again"));

        let sink = Sink::start();
        let mut runner = relais_app::jobs::runner(&app);
        relais_app::jobs::handle_mail(&mut runner, &app, &settings(sink.port));
        assert_eq!(runner.tick().await.expect("tick"), 1);
        let got = sink.received();
        assert_eq!(got.len(), 1, "one report");
        let (env, text) = &got[0];
        assert_eq!(env["rcpt_tos"], serde_json::json!(["direction@t.test"]));
        assert!(
            text.contains("Rapport mensuel de pilotage — 2021-06"),
            "{text}"
        );
        assert!(text.contains("Livrables : 2 ; en retard : 1"), "{text}");
        assert!(
            text.contains("2021-DCSI-01 — PSSI (échéance 2021-05-31"),
            "{text}"
        );
        assert!(text.contains("CHANGEMENTS DU MOIS (1)"), "{text}");
        assert!(text.contains("2021-DCSI-02 — PCA : status"), "{text}");
        assert!(text.contains("Budget décalé"), "{text}");
        assert!(text.contains("Tickets en attente : 4\n"), "{text}");
        assert!(text.contains("Niveaux de service manqués : 25 %"), "{text}");
        assert!(text.contains("http://relais.test/pilotage"), "{text}");

        // Next month, the July report is queued again.
        clock.set(at("2021-08-01T05:00:00Z"));
        assert!(uc::queue_monthly_report(&app).await.expect("august"));
    }
);

#[test]
fn the_previous_month_of_a_day() {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("d");
    assert_eq!(
        uc::previous_month(d("2021-03-01")),
        ("2021-02".to_string(), d("2021-02-01"), d("2021-02-28"))
    );
    assert_eq!(
        uc::previous_month(d("2024-01-31")),
        ("2023-12".to_string(), d("2023-12-01"), d("2023-12-31"))
    );
}
