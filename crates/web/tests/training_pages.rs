//! Training pages through the router, on both engines and a fake clock:
//! the public catalogue and its filters, a request approved by the
//! referent, the trainer's attendance sheet, the certificate (page and
//! PDF, read back by an independent PDF reader), the statement (page, CSV,
//! PDF) with 260 € per day, the iCalendar feeds parsed by Python's
//! `icalendar`, and isolation: another institution's referent gets 404 on
//! approvals, certificates and statements; a revoked feed token is 404.

// Amounts read as euros_cents (260_00 is 260,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use common::*;
use relais_domain::accounts::Role;
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::{builders, db_test, FakeClock};

/// Parses an iCalendar text with Python's `icalendar` (an independent
/// implementation) and returns `(event count, summaries, tzids)`.
fn parse_ics(body: &str) -> (usize, String) {
    let dir = tempfile::tempdir().expect("dir");
    let f = dir.path().join("feed.ics");
    std::fs::write(&f, body).expect("write");
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
events = [c for c in cal.walk('VEVENT')]
tz = [c for c in cal.walk('VTIMEZONE')]
assert tz and str(tz[0]['TZID']) == 'Europe/Paris', 'VTIMEZONE Europe/Paris'
for e in events:
    s = e.decoded('DTSTART')
    assert str(s.tzinfo) in ('Europe/Paris', 'CET', 'CEST') or 'Paris' in repr(s.tzinfo), repr(s.tzinfo)
    assert e.decoded('DTEND') > s
print(len(events))
for e in events:
    print(str(e['SUMMARY']) + ' @ ' + e.decoded('DTSTART').isoformat())
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&f)
        .output()
        .expect("python3 (scripts/test.sh installs icalendar)");
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}\n{body}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let n = text
        .lines()
        .next()
        .unwrap_or("0")
        .trim()
        .parse()
        .expect("count");
    (n, text)
}

fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF lopdf can read");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("text")
}

async fn get_bytes(c: &mut Client, path: &str) -> (StatusCode, Vec<u8>, String) {
    use axum::body::Body;
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let cookie = c
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("req");
    let res = c.router.clone().oneshot(req).await.expect("res");
    let status = res.status();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, body, ct)
}

db_test!(
    async fn a_seat_from_request_to_statement(db: Db) {
        let w = world(&db).await;
        let clock = FakeClock::at(
            Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
                .single()
                .expect("t"),
        );
        let app = relais_testkit::app(db.clone(), clock.clone());
        let admin = actor_of(&db, "admin@t.test").await;
        let trainer = user(&db, "formatrice@t.test", Role::Trainer, Some(w.b)).await;
        user(&db, "referent.b@t.test", Role::MemberAdmin, Some(w.b)).await;
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let (training, session) = builders::training_session(
            &app,
            &admin,
            "SIHAM-PAIE",
            "continue",
            "2021-03-22\n2021-03-23",
            12,
            &[trainer],
            None,
        )
        .await;

        // The catalogue is public and filters.
        let mut anon = client_for(&app);
        let r = anon.get("/formations").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Formation SIHAM-PAIE"));
        assert!(r.body.contains("22/03/2021"), "next session shown");
        let r = anon.get("/formations?modalite=elearning").await;
        assert!(!r.body.contains("SIHAM-PAIE"));
        let r = anon.get("/formations?du=2021-04-01&au=2021-06-30").await;
        assert!(!r.body.contains("SIHAM-PAIE"), "no session in that period");
        let r = anon
            .get("/formations?du=2021-03-01&au=2021-03-31&q=siham")
            .await;
        assert!(r.body.contains("SIHAM-PAIE"));
        let r = anon.get(&format!("/formations/{training}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = anon.get(&format!("/formations/sessions/{session}")).await;
        assert!(r.body.contains("Connectez-vous pour vous inscrire"));

        // A member requests; B's referent cannot approve; A's referent does.
        let mut member = client_for(&app);
        member.login("membre.a@t.test", PASSWORD).await;
        let r = member.get(&format!("/formations/sessions/{session}")).await;
        assert!(r.body.contains("Demander une place"), "{}", r.body);
        let r = member
            .post_form(&format!("/formations/sessions/{session}/demande"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let reg: String = {
            let mut c = db.read().await.expect("c");
            let (id,): (String,) = sqlx::query_as("SELECT id FROM registrations")
                .fetch_one(&mut *c)
                .await
                .expect("reg");
            id
        };
        let mut ref_b = client_for(&app);
        ref_b.login("referent.b@t.test", PASSWORD).await;
        ref_b.get("/formations").await;
        let r = ref_b
            .post_form(&format!("/formations/inscriptions/{reg}/valider"), &[])
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "another institution's request"
        );
        let r = ref_b.get("/formations/demandes").await;
        assert!(
            !r.body.contains("membre.a"),
            "B's list of requests never shows A's"
        );
        let mut ref_a = client_for(&app);
        ref_a.login("referent.a@t.test", PASSWORD).await;
        let r = ref_a.get("/formations/demandes").await;
        assert!(r.body.contains("membre.a"));
        let r = ref_a
            .post_form(&format!("/formations/inscriptions/{reg}/valider"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().contains("ok=validee"), "{}", r.location());
        let r = member.get("/formations/mes-inscriptions").await;
        assert!(r.body.contains("Confirmée"), "{}", r.body);

        // On the first day, the trainer takes attendance.
        clock.set(
            Utc.with_ymd_and_hms(2021, 3, 22, 10, 0, 0)
                .single()
                .expect("t"),
        );
        let mut tr = client_for(&app);
        tr.login("formatrice@t.test", PASSWORD).await;
        let r = tr.get(&format!("/formations/sessions/{session}")).await;
        assert!(r.body.contains("Feuille de présence"), "{}", r.body);
        let r = tr
            .post_form(
                &format!("/formations/sessions/{session}/presence"),
                &[(&format!("p_{reg}"), "present")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // Sessions last hours: three weeks later, everyone logs in again.
        member.login("membre.a@t.test", PASSWORD).await;
        ref_a.login("referent.a@t.test", PASSWORD).await;
        ref_b.login("referent.b@t.test", PASSWORD).await;
        // The certificate: the member's, as a page and a PDF; never B's referent's.
        let r = member
            .get(&format!("/formations/inscriptions/{reg}/attestation"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Attestation de présence") && r.body.contains("Formation SIHAM-PAIE")
        );
        let (st, pdf, ct) = get_bytes(
            &mut member,
            &format!("/formations/inscriptions/{reg}/attestation.pdf"),
        )
        .await;
        assert_eq!((st, ct.as_str()), (StatusCode::OK, "application/pdf"));
        let text = pdf_text(&pdf);
        assert!(
            text.contains("Attestation de pr") && text.contains("SIHAM-PAIE"),
            "{text}"
        );
        assert_eq!(
            ref_b
                .get(&format!("/formations/inscriptions/{reg}/attestation"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get_bytes(
                &mut ref_b,
                &format!("/formations/inscriptions/{reg}/attestation.pdf")
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );

        // The statement: 2 days × 260 € for that trainee, as page, CSV and PDF.
        let r = ref_a
            .get("/formations/releves?du=2021-01-01&au=2021-12-31")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("520,00"), "{}", r.body);
        assert!(r.body.contains("260,00"));
        let (st, csv, _) = get_bytes(
            &mut ref_a,
            "/formations/releves.csv?du=2021-01-01&au=2021-12-31",
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let csv = String::from_utf8(csv).expect("utf8");
        assert!(
            csv.contains(
                "membre.a;Formation SIHAM-PAIE;continue;2021-03-22;2021-03-23;4;260,00;520,00"
            ),
            "{csv}"
        );
        let (st, pdf, _) = get_bytes(
            &mut ref_a,
            "/formations/releves.pdf?du=2021-01-01&au=2021-12-31",
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert!(pdf_text(&pdf).contains("520,00"));
        // Another institution's statement, in every form, is not found.
        let a = w.a.to_string();
        for path in [
            format!("/formations/releves?etablissement={a}"),
            format!("/formations/releves.csv?etablissement={a}"),
            format!("/formations/releves.pdf?etablissement={a}"),
        ] {
            assert_eq!(
                get_bytes(&mut ref_b, &path).await.0,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        // A member who is not referent sees no money.
        assert_eq!(
            member.get("/formations/releves").await.status,
            StatusCode::NOT_FOUND
        );
        // The trainer's statement: 2 days × 405 €.
        let r = tr
            .get("/formations/formateurs?du=2021-01-01&au=2021-12-31")
            .await;
        assert!(r.body.contains("810,00"), "{}", r.body);

        // The institution's 360° page: registrations, attendance, the amount
        // for its referent; counts without money for a member; B sees nothing.
        let r = ref_a.get(&format!("/etablissements/{}", w.a)).await;
        assert!(
            r.body.contains("Formation et communautés") && r.body.contains("520,00"),
            "{}",
            r.body
        );
        let r = member.get(&format!("/etablissements/{}", w.a)).await;
        assert!(r.body.contains("Formation et communautés") && !r.body.contains("520,00"));
        assert_eq!(
            ref_b.get(&format!("/etablissements/{}", w.a)).await.status,
            StatusCode::NOT_FOUND
        );
        // The agency's statement of A agrees.
        let mut adm = client_for(&app);
        adm.login("admin@t.test", PASSWORD).await;
        let r = adm
            .get(&format!(
                "/formations/releves?etablissement={a}&du=2021-01-01&au=2021-12-31"
            ))
            .await;
        assert!(r.body.contains("520,00"));
        let _ = Id::new();
    }
);

db_test!(
    async fn calendar_feeds_parse_and_stay_personal(db: Db) {
        let w = world(&db).await;
        let clock = FakeClock::at(
            Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
                .single()
                .expect("t"),
        );
        let app = relais_testkit::app(db.clone(), clock.clone());
        let admin = actor_of(&db, "admin@t.test").await;
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let (_, s1) = builders::training_session(
            &app,
            &admin,
            "EVRP-DUER",
            "continue",
            "2021-03-29\n2021-03-30 matin",
            10,
            &[],
            None,
        )
        .await;
        let (_, s2) = builders::training_session(
            &app,
            &admin,
            "SISE-REM",
            "continue",
            "2021-04-06 apres-midi",
            10,
            &[],
            None,
        )
        .await;
        // A tailored session for B stays out of the public feed.
        let (_, _spec) = builders::training_session(
            &app,
            &admin,
            "SIFAC-B",
            "specifique",
            "2021-05-10",
            10,
            &[],
            Some(w.b),
        )
        .await;
        let a_member = actor_of(&db, "membre.a@t.test").await;
        let a_ref = actor_of(&db, "referent.a@t.test").await;
        let b_member = actor_of(&db, "membre.b@t.test").await;
        let r = relais_app::training::request_seat(&app, &a_member, s1)
            .await
            .expect("a");
        relais_app::training::approve(&app, &a_ref, r)
            .await
            .expect("ok");
        relais_app::training::request_seat(&app, &b_member, s2)
            .await
            .expect("b");

        // A webinar in visio: A's member registers, B's does not.
        let webinar = relais_app::community::create_event(
            &app,
            &admin,
            relais_app::community::EventInput {
                kind: "webinaire".into(),
                title: "Semaine du webinaire RH".into(),
                starts_at: "2021-04-13T14:00".into(),
                ends_at: "2021-04-13T15:30".into(),
                format: "visio".into(),
                visio_url: Some("https://visio.example.org/rh-secret".into()),
                capacity: "100".into(),
                ..Default::default()
            },
        )
        .await
        .expect("webinar");
        relais_app::community::register(&app, &a_member, webinar)
            .await
            .expect("register");
        let mut anon = client_for(&app);
        let r = anon.get("/formations/calendrier.ics").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("text/calendar"));
        let (n, text) = parse_ics(&r.body);
        assert_eq!(
            n, 4,
            "two days of EVRP-DUER, a half day of SISE-REM, the webinar: {text}"
        );
        assert!(
            text.contains("2021-04-13T14:00:00+02:00"),
            "the webinar at 14:00 Paris time: {text}"
        );
        assert!(
            !r.body.contains("rh-secret"),
            "the public feed never shows a visio link"
        );
        assert!(
            text.contains("2021-03-30T09:00:00+02:00"),
            "a morning in summer time: {text}"
        );
        assert!(text.contains("2021-03-29T09:30:00+02:00"), "{text}");
        assert!(!text.contains("SIFAC-B"));

        let mut member = client_for(&app);
        member.login("membre.a@t.test", PASSWORD).await;
        member.get("/formations/mes-inscriptions").await;
        let r = member.post_form("/formations/agenda/renouveler", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        let start = r.body.find("/calendrier/").expect("the address is shown");
        let rest = &r.body[start..];
        let path = &rest[..rest.find(".ics").expect("ics") + 4];
        let feed = anon.get(path).await;
        assert_eq!(feed.status, StatusCode::OK);
        let (n, text) = parse_ics(&feed.body);
        assert_eq!(n, 3, "{text}");
        assert!(
            text.contains("EVRP-DUER") && !text.contains("SISE-REM"),
            "never B's registration: {text}"
        );
        assert!(text.contains("Semaine du webinaire RH"), "{text}");
        assert!(
            feed.body.contains("rh-secret"),
            "the registrant's own feed has the link"
        );
        // Revoked: the address answers 404, as does a made-up one.
        member.post_form("/formations/agenda/revoquer", &[]).await;
        assert_eq!(anon.get(path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            anon.get(&format!("/calendrier/{}.ics", "0".repeat(48)))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

db_test!(
    async fn tariffs_and_protocol_are_the_admins(db: Db) {
        let _w = world(&db).await;
        let app = relais_testkit::app(
            db.clone(),
            FakeClock::at(
                Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
                    .single()
                    .expect("t"),
            ),
        );
        let mut member = client_for(&app);
        member.login("referent.a@t.test", PASSWORD).await;
        assert_eq!(
            member.get("/admin/formation").await.status,
            StatusCode::FORBIDDEN
        );
        member.get("/formations").await;
        let r = member
            .post_form(
                "/admin/formation/tarifs",
                &[
                    ("effective_from", "2022-01-01"),
                    ("continue", "1"),
                    ("specific", "1"),
                    ("trainer", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut adm = client_for(&app);
        adm.login("admin@t.test", PASSWORD).await;
        let r = adm.get("/admin/formation").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("260,00")
                && r.body.contains("1\u{202f}500,00")
                && r.body.contains("405,00"),
            "the plan's tariffs"
        );
        let r = adm
            .post_form(
                "/admin/formation/tarifs",
                &[
                    ("effective_from", "2022-01-01"),
                    ("continue", "deux cents"),
                    ("specific", "1500"),
                    ("trainer", "405"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Montant en euros attendu"), "{}", r.body);
        let r = adm
            .post_form(
                "/admin/formation/tarifs",
                &[
                    ("effective_from", "2022-01-01"),
                    ("continue", "280"),
                    ("specific", "1600"),
                    ("trainer", "420,50"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = adm.get("/admin/formation").await;
        assert!(r.body.contains("420,50") && r.body.contains("01/01/2022"));
        let r = adm
            .post_form(
                "/admin/formation/parametres",
                &[("sanitary_percent", "150"), ("cancel_deadline_days", "7")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("pourcentage entre 1 et 100"));
    }
);

db_test!(
    async fn the_api_follows_the_same_rules(db: Db) {
        let w = world(&db).await;
        let clock = FakeClock::at(
            Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
                .single()
                .expect("t"),
        );
        let app = relais_testkit::app(db.clone(), clock.clone());
        let admin = actor_of(&db, "admin@t.test").await;
        user(&db, "referent.b@t.test", Role::MemberAdmin, Some(w.b)).await;
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let (training, session) = builders::training_session(
            &app,
            &admin,
            "APOGEE-SISE",
            "continue",
            "2021-03-22",
            4,
            &[],
            None,
        )
        .await;
        let mut member = client_for(&app);
        member.login("membre.a@t.test", PASSWORD).await;
        member.get("/formations").await;
        let r = member.api_get("/api/v1/trainings?q=apogee", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json().as_array().map(|a| a.len()), Some(1));
        let r = member
            .api_get(&format!("/api/v1/trainings/{training}"), None)
            .await;
        assert_eq!(r.json()["sessions"][0]["capacity"], 4);
        let r = member
            .json(
                "POST",
                &format!("/api/v1/sessions/{session}/registrations"),
                serde_json::json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let reg = r.json()["id"].as_str().expect("id").to_string();
        let r = member
            .json(
                "POST",
                &format!("/api/v1/sessions/{session}/registrations"),
                serde_json::json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "already_registered");

        let mut ref_b = client_for(&app);
        ref_b.login("referent.b@t.test", PASSWORD).await;
        ref_b.get("/formations").await;
        let r = ref_b
            .json(
                "POST",
                &format!("/api/v1/registrations/{reg}/approve"),
                serde_json::json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = ref_b
            .api_get(&format!("/api/v1/sessions/{session}/registrations"), None)
            .await;
        assert_eq!(
            r.json().as_array().map(|a| a.len()),
            Some(0),
            "nothing of A's"
        );
        let r = ref_b
            .api_get(
                &format!(
                    "/api/v1/training-statements?institution_id={}&from=2021-01-01&to=2021-12-31",
                    w.a
                ),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let mut ref_a = client_for(&app);
        ref_a.login("referent.a@t.test", PASSWORD).await;
        ref_a.get("/formations").await;
        let r = ref_a
            .json(
                "POST",
                &format!("/api/v1/registrations/{reg}/approve"),
                serde_json::json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.json()["status"], "confirmee", "{}", r.body);
        let r = ref_a
            .api_get(
                "/api/v1/training-statements?from=2021-01-01&to=2021-12-31",
                None,
            )
            .await;
        assert_eq!(r.json()["total_cents"], 260_00, "{}", r.body);
        let r = member.api_get("/api/v1/me/registrations", None).await;
        assert_eq!(r.json()[0]["status"], "confirmee");
        let r = member
            .json(
                "POST",
                &format!("/api/v1/registrations/{reg}/cancel"),
                serde_json::json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.json()["late"], false, "{}", r.body);
        let doc = member.api_get("/api/openapi.json", None).await.json();
        for p in [
            "/api/v1/trainings",
            "/api/v1/sessions/{id}/registrations",
            "/api/v1/training-statements",
        ] {
            assert!(doc["paths"].get(p).is_some(), "{p} in the OpenAPI document");
        }
    }
);

db_test!(
    async fn trainings_are_found_by_search(db: Db) {
        let _w = world(&db).await;
        let mut app = relais_testkit::app(
            db.clone(),
            FakeClock::at(
                Utc.with_ymd_and_hms(2021, 3, 1, 9, 0, 0)
                    .single()
                    .expect("t"),
            ),
        );
        app.search = Some(relais_app::search::SearchHandle(std::sync::Arc::new(
            relais_search::SearchIndex::in_memory().expect("index"),
        )));
        let admin = actor_of(&db, "admin@t.test").await;
        let id = relais_app::training::create_training(
            &app,
            &admin,
            &relais_app::training::TrainingInput {
                code: "SIFAC-RECOUV".into(),
                title: "Sifac : le recouvrement".into(),
                kind: "continue".into(),
                modality: "presentiel".into(),
                half_days: "2".into(),
                objectives: Some("Conduire les relances et les admissions en non-valeur.".into()),
                ..Default::default()
            },
        )
        .await
        .expect("training");
        run_index_jobs(&app).await;
        let mut member = client_for(&app);
        member.login("membre.a@t.test", PASSWORD).await;
        // Accentless and stemmed: "relance" finds "relances".
        let r = member.get("/recherche?q=relance+recouvrement").await;
        assert!(r.body.contains(&format!("/formations/{id}")), "{}", r.body);
        assert!(r.body.contains("Formation continue"));
    }
);
