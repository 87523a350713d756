//! Service-level administration pages and the Support section of the 360°
//! institution page, through the router on both engines: an admin edits a
//! level in its form, a support agent reads but cannot save, members are
//! refused on every /admin route, the holiday preview follows the calendar
//! kind, and an institution page shows its own tickets and record only.

mod common;

use axum::http::StatusCode;
use chrono::TimeZone;
use common::*;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::support::TicketInput;
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::{db_test, FakeClock};
use std::collections::HashMap;
use std::sync::Arc;

async fn actor(db: &Db, email: &str) -> Actor {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    relais_app::accounts::actor_of(&u).expect("actor")
}

/// A client whose server clock is 1 June 2026, so "this year and next"
/// are 2026 and 2027 whenever the test runs.
async fn client_at_2026(db: &Db, email: &str) -> Client {
    let clock = FakeClock::at(chrono::Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap());
    let app = App::new(db.clone(), clock);
    let mut c = Client {
        router: relais_web::router(relais_web::AppState {
            app,
            web: relais_web::WebConfig {
                secure_cookies: false,
            },
        }),
        cookies: HashMap::new(),
        csrf: String::new(),
        peer: None,
    };
    let r = c.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {email}");
    c
}

async fn logged_in(db: &Db, email: &str) -> Client {
    let mut c = Client::new(db.clone());
    let r = c.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {email}");
    c
}

async fn defaults(db: &Db) {
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
}

async fn calendar_id(db: &Db, code: &str) -> String {
    let mut c = db.read().await.expect("c");
    relais_store::support::list_calendars(&mut c)
        .await
        .expect("cals")
        .into_iter()
        .find(|k| k.code == code)
        .expect("calendar")
        .id
}

fn level_form(first_bloquant: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Premium".into()),
        ("bloquant_first_response", first_bloquant.into()),
        ("bloquant_resolution", "7,5".into()),
        ("majeur_first_response", "2".into()),
        ("majeur_resolution", "15".into()),
        ("mineur_first_response", "7,5".into()),
        ("mineur_resolution", "37,5".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

db_test!(
    async fn admin_edits_a_level_agent_reads_member_refused(db: Db) {
        let _w = world(&db).await;
        defaults(&db).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        let mut admin = logged_in(&db, "admin@t.test").await;
        let list = admin.get("/admin/niveaux").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Bloquant : première réponse"));
        assert!(list.body.contains("href=\"/admin/niveaux\""), "nav entry");
        assert!(list.body.contains("href=\"/admin/contrats\""), "nav entry");
        let form = admin.get("/admin/niveaux/premium").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("<legend>Sévérité Bloquant</legend>"));
        assert!(form.body.contains("for=\"bloquant_first_response\""));
        assert!(form
            .body
            .contains("gardent les échéances calculées à leur dépôt"));
        // Premium bloquant answers in 1 h by default; make it 45 minutes.
        let r = admin
            .post_form("/admin/niveaux/premium", &pairs(&level_form("0,75")))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = admin.get("/admin/niveaux").await;
        assert!(list.body.contains("45 min"), "new target shown");
        // An invalid target comes back on its field, in French.
        let r = admin
            .post_form("/admin/niveaux/premium", &pairs(&level_form("-2")))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"bloquant_first_response-error\""));
        assert!(r.body.contains("doivent être des durées positives"));
        let r = admin
            .post_form("/admin/niveaux/premium", &pairs(&level_form("9")))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"bloquant_resolution-error\""));

        // A support agent reads the pages, without a save button, and a
        // POST is refused.
        let mut agent = logged_in(&db, "agent@t.test").await;
        let form = agent.get("/admin/niveaux/premium").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(!form.body.contains("<button type=\"submit\">Enregistrer"));
        let r = agent
            .post_form("/admin/niveaux/premium", &pairs(&level_form("0,1")))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            !r.body.contains("Requête refusée"),
            "refused by the rule, not CSRF"
        );
        assert!(agent.get("/admin/niveaux").await.body.contains("45 min"));
        let cal = calendar_id(&db, "metropole").await;
        assert_eq!(
            agent.get(&format!("/admin/calendriers/{cal}")).await.status,
            StatusCode::OK
        );
        assert_eq!(
            agent.get("/admin/contrats/nouveau").await.status,
            StatusCode::FORBIDDEN
        );

        // Members (and referents) are refused on every /admin route.
        for email in ["membre.a@t.test", "referent.a@t.test"] {
            let mut m = logged_in(&db, email).await;
            let home = m.get("/").await;
            assert!(!home.body.contains("/admin/"), "no admin nav for {email}");
            for path in [
                "/admin/niveaux".to_string(),
                "/admin/niveaux/premium".into(),
                "/admin/niveaux/nouveau".into(),
                "/admin/calendriers".into(),
                format!("/admin/calendriers/{cal}"),
                "/admin/calendriers/nouveau".into(),
                "/admin/contrats".into(),
                "/admin/contrats/nouveau".into(),
            ] {
                assert_eq!(
                    m.get(&path).await.status,
                    StatusCode::FORBIDDEN,
                    "{email} GET {path}"
                );
            }
            m.get("/compte").await;
            for path in [
                "/admin/niveaux".to_string(),
                "/admin/niveaux/premium".into(),
                "/admin/calendriers".into(),
                format!("/admin/calendriers/{cal}"),
                "/admin/contrats".into(),
            ] {
                let r = m.post_form(&path, &pairs(&level_form("0,1"))).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{email} POST {path}");
                assert!(
                    !r.body.contains("Requête refusée"),
                    "refused by the rule, not CSRF"
                );
            }
        }
        // Nothing a refused POST sent was saved.
        assert!(admin.get("/admin/niveaux").await.body.contains("45 min"));
    }
);

db_test!(
    async fn holiday_preview_follows_the_calendar_kind(db: Db) {
        let _w = world(&db).await;
        defaults(&db).await;
        let mut admin = client_at_2026(&db, "admin@t.test").await;
        let metro = calendar_id(&db, "metropole").await;
        let alsace = calendar_id(&db, "alsace_moselle").await;
        let page = admin.get(&format!("/admin/calendriers/{metro}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Jours fériés 2026"));
        assert!(page.body.contains("Jours fériés 2027"));
        assert!(
            page.body
                .contains("<td>17/05/2027</td>\n    <td>Lundi de Pentecôte</td>")
                || page
                    .body
                    .contains("<td>17/05/2027</td><td>Lundi de Pentecôte</td>"),
            "Pentecost Monday 2027"
        );
        assert!(page.body.contains("Ascension"));
        assert!(!page.body.contains("Vendredi saint"));
        assert!(!page.body.contains("Saint-Étienne"));
        // Weekday rows carry the stored hours.
        assert!(page
            .body
            .contains("id=\"mon_open1\" name=\"mon_open1\" value=\"09:00\""));
        assert!(page
            .body
            .contains("id=\"sat_open1\" name=\"sat_open1\" value=\"\""));
        let page = admin.get(&format!("/admin/calendriers/{alsace}")).await;
        assert!(page.body.contains("26/03/2027"), "Good Friday 2027");
        assert!(page.body.contains("Vendredi saint"));
        assert!(page.body.contains("Saint-Étienne"));

        // Closure lines with mistakes come back with their line numbers.
        let mut form: Vec<(String, String)> = vec![
            ("name".into(), "Alsace-Moselle".into()),
            ("kind".into(), "alsace_moselle".into()),
            ("timezone".into(), "Europe/Paris".into()),
            (
                "closures".into(),
                "2026-12-24;2026-12-31;Fin d'année\n2026-13-01;2026-13-02;Faux\n2026-12-28;2027-01-02;Chevauche".into(),
            ),
        ];
        for names in relais_app::sla_admin::HOUR_FIELDS.iter().take(5) {
            for (n, v) in names.iter().zip(["09:00", "12:30", "13:30", "17:30"]) {
                form.push((n.to_string(), v.to_string()));
            }
        }
        let as_refs: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = admin
            .post_form(&format!("/admin/calendriers/{alsace}"), &as_refs)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Ligne 2 : date invalide"));
        assert!(r
            .body
            .contains("Ligne 3 : cette période chevauche celle de la ligne 1."));
        // Fixed, it saves and the closure is shown back in the textarea.
        let fixed: Vec<(&str, &str)> = as_refs
            .iter()
            .map(|(k, v)| {
                if *k == "closures" {
                    (*k, "2026-12-24;2026-12-31;Fin d'année")
                } else {
                    (*k, *v)
                }
            })
            .collect();
        let r = admin
            .post_form(&format!("/admin/calendriers/{alsace}"), &fixed)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = admin.get(&format!("/admin/calendriers/{alsace}")).await;
        assert!(
            page.body.contains("2026-12-24;2026-12-31;Fin d&#x27;année")
                || page.body.contains("2026-12-24;2026-12-31;Fin d&#39;année"),
            "closure kept"
        );
    }
);

async fn product_for(db: &Db, w: &World) -> Id {
    let product = relais_testkit::builders::product(db, "sifac", "Sifac").await;
    let mut tx = db.begin().await.expect("tx");
    for inst in [w.a, w.b] {
        relais_store::crm::insert_deployment(
            &mut tx,
            Id::new(),
            &relais_store::crm::DeploymentValues {
                institution_id: inst,
                product_id: product,
                status: "production".into(),
                wave: None,
                hosting: "sur_site".into(),
                version: None,
                starts_on: None,
                ends_on: None,
                notes: None,
            },
            "2020-01-01T00:00:00.000Z",
        )
        .await
        .expect("deployment");
    }
    tx.commit().await.expect("commit");
    product
}

db_test!(
    async fn institution_page_shows_its_own_tickets_and_record(db: Db) {
        let w = world(&db).await;
        defaults(&db).await;
        let product = product_for(&db, &w).await;
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        let file = |actor: Actor, subject: &'static str| {
            let app = app.clone();
            async move {
                relais_app::support::create_ticket(
                    &app,
                    &actor,
                    None,
                    TicketInput {
                        product_id: product.to_string(),
                        category: "anomalie".into(),
                        severity: "majeur".into(),
                        subject: subject.into(),
                        body: "Le service fait est refusé.".into(),
                        ..Default::default()
                    },
                    "web",
                )
                .await
                .expect("ticket")
            }
        };
        let ta = file(
            actor(&db, "membre.a@t.test").await,
            "Service fait refusé chez Alpha",
        )
        .await;
        let tb = file(
            actor(&db, "membre.b@t.test").await,
            "Confidentiel Bêta paie",
        )
        .await;
        let admin_actor = actor(&db, "admin@t.test").await;
        relais_app::sla_admin::save_contract(
            &app,
            &admin_actor,
            relais_app::sla_admin::ContractInput {
                institution_id: w.a.to_string(),
                level: "renforce".into(),
                calendar: "alsace_moselle".into(),
                starts_on: "2020-01-01".into(),
                ends_on: String::new(),
            },
        )
        .await
        .expect("contract");

        for email in ["admin@t.test", "membre.a@t.test"] {
            let mut c = logged_in(&db, email).await;
            let page = c.get(&format!("/etablissements/{}", w.a)).await;
            assert_eq!(page.status, StatusCode::OK, "{email}");
            assert!(page.body.contains("<h2 id=\"support\">Support</h2>"));
            assert!(
                page.body.contains(&format!("href=\"/support/{ta}\"")),
                "{email}"
            );
            assert!(page.body.contains("Service fait refusé chez Alpha"));
            assert!(page.body.contains("Renforcé — Alsace-Moselle"), "{email}");
            assert!(page
                .body
                .contains("Tickets sur les 12 derniers mois</dt><dd>1</dd>"));
            assert!(
                page.body
                    .contains("Premières réponses dans l&#x27;objectif")
                    || page.body.contains("Premières réponses dans l&#39;objectif")
            );
            assert!(page.body.contains(" déposé : "), "timeline entry");
            assert!(
                !page.body.contains("Confidentiel Bêta"),
                "{email} sees B's ticket"
            );
            assert!(!page.body.contains(&tb.to_string()));
        }
        // The agency sees B's own page with B's ticket only.
        let mut admin = logged_in(&db, "admin@t.test").await;
        let page_b = admin.get(&format!("/etablissements/{}", w.b)).await;
        assert!(page_b.body.contains("Confidentiel Bêta paie"));
        assert!(!page_b.body.contains("Service fait refusé chez Alpha"));
        assert!(page_b.body.contains("charte générique"));
        // A member of B opening A's page: 404, like a missing institution.
        let mut mb = logged_in(&db, "membre.b@t.test").await;
        let r = mb.get(&format!("/etablissements/{}", w.a)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(!r.body.contains("Service fait refusé"));
        // The contracts page lists A with its level, filtered by level.
        let page = admin.get("/admin/contrats?niveau=renforce").await;
        assert!(page.body.contains("Université Alpha"));
        assert!(!page.body.contains("Université Bêta"));
        let page = admin.get("/admin/contrats?niveau=aucun").await;
        assert!(page.body.contains("Université Bêta"));
        assert!(!page.body.contains("Université Alpha"));
    }
);

db_test!(
    async fn admin_assigns_a_contract_through_the_form(db: Db) {
        let w = world(&db).await;
        defaults(&db).await;
        let mut admin = logged_in(&db, "admin@t.test").await;
        let form = admin
            .get(&format!("/admin/contrats/nouveau?institution={}", w.b))
            .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form
            .body
            .contains(&format!("<option value=\"{}\" selected>", w.b)));
        let b = w.b.to_string();
        let r = admin
            .post_form(
                "/admin/contrats",
                &[
                    ("institution_id", b.as_str()),
                    ("level", "premium"),
                    ("calendar", "metropole"),
                    ("starts_on", "2021-01-01"),
                    ("ends_on", "2020-12-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("La fin du contrat précède son début."));
        let r = admin
            .post_form(
                "/admin/contrats",
                &[
                    ("institution_id", b.as_str()),
                    ("level", "premium"),
                    ("calendar", "metropole"),
                    ("starts_on", "2021-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = admin.get("/admin/contrats?niveau=premium").await;
        assert!(page.body.contains("Université Bêta"));
        assert!(page.body.contains("01/01/2021"));
        // A support agent may not assign.
        user(&db, "agent@t.test", Role::Support, None).await;
        let mut agent = logged_in(&db, "agent@t.test").await;
        agent.get("/admin/contrats").await;
        let r = agent
            .post_form(
                "/admin/contrats",
                &[
                    ("institution_id", b.as_str()),
                    ("level", "socle"),
                    ("calendar", "metropole"),
                    ("starts_on", "2021-06-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            !r.body.contains("Requête refusée"),
            "refused by the rule, not CSRF"
        );
    }
);
