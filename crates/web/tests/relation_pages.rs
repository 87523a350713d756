//! Member-relations pages and API through the router, on both engines: the
//! survey link page (no login; one answer; altered, reused, expired and
//! other people's links refused with a clear page), the recall handled by
//! the key-account manager, isolation of health, answers, recalls, data
//! pages and the member space, and erasure: after it the person's name,
//! e-mail and phone appear in no page, API answer, search result or
//! export, while the ticket count is unchanged.

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::*;
use relais_app::search::SearchHandle;
use relais_app::App;
use relais_domain::accounts::Role;
use relais_domain::support::TicketInput;
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::{db_test, FakeClock};
use std::sync::Arc;

struct Setup {
    app: App,
    clock: Arc<FakeClock>,
    w: World,
    ticket: Id,
    invitation: String,
}

async fn exec(db: &Db, sql: &str) {
    let mut tx = db.begin().await.expect("tx");
    sqlx::query(sql).execute(&mut *tx).await.expect("exec");
    tx.commit().await.expect("commit");
}

/// Two institutions; Anne Martin (contact of A, and the account
/// anne@x.fr) files a ticket that is resolved and closed: she is invited.
async fn setup(db: &Db) -> Setup {
    let w = world(db).await;
    let clock = FakeClock::at(chrono::Utc::now());
    let mut app = App::new(db.clone(), clock.clone());
    app.search = Some(SearchHandle(Arc::new(
        relais_search::SearchIndex::in_memory().expect("index"),
    )));
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
    let sifac = relais_testkit::builders::product(db, "sifac", "Sifac").await;
    for inst in [w.a, w.b] {
        relais_testkit::builders::deploy(db, inst, sifac).await;
    }
    user(db, "anne@x.fr", Role::Member, Some(w.a)).await;
    user(db, "membre.b@t.test", Role::Member, Some(w.b)).await;
    exec(
        db,
        "UPDATE users SET display_name = 'Anne Martin' WHERE email = 'anne@x.fr'",
    )
    .await;
    exec(
        db,
        &format!(
            "UPDATE contacts SET phone = '04 72 43 83 83' WHERE id = '{}'",
            w.contact_a
        ),
    )
    .await;
    let relation = actor_of(db, "relation@t.test").await;
    exec(
        db,
        &format!(
            "UPDATE institutions SET manager_id = '{}'",
            relation.user_id
        ),
    )
    .await;
    let anne = actor_of(db, "anne@x.fr").await;
    let admin = actor_of(db, "admin@t.test").await;
    let ticket = relais_app::support::create_ticket(
        &app,
        &anne,
        None,
        TicketInput {
            product_id: sifac.to_string(),
            category: "anomalie".into(),
            severity: "majeur".into(),
            subject: "Export des mandats bloqué".into(),
            body: "Bonjour, l'export des mandats est bloqué. Anne Martin, 04 72 43 83 83.".into(),
            ..Default::default()
        },
        "web",
    )
    .await
    .expect("ticket");
    relais_app::support::change_status(&app, &admin, ticket, "resolu")
        .await
        .expect("resolve");
    relais_app::support::change_status(&app, &anne, ticket, "clos")
        .await
        .expect("close");
    run_index_jobs(&app).await;
    let pending = relais_app::relation::pending_for(&app, &anne)
        .await
        .expect("pending");
    assert_eq!(pending.len(), 1);
    Setup {
        invitation: pending[0].id.clone(),
        app,
        clock,
        w,
        ticket,
    }
}

async fn token(s: &Setup) -> String {
    relais_app::relation::issue_link_token(&s.app, Id::parse(&s.invitation).expect("id"))
        .await
        .expect("token")
}

async fn answers(db: &Db) -> i64 {
    let mut c = db.read().await.expect("conn");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM survey_answers")
        .fetch_one(&mut *c)
        .await
        .expect("n");
    n
}

db_test!(
    async fn the_survey_page_takes_one_answer_and_refuses_bad_links_clearly(db: Db) {
        let s = setup(&db).await;
        let t = token(&s).await;
        let mut anon = client_for(&s.app);
        // The one-click link preselects the score and records nothing.
        let r = anon.get(&format!("/enquete/{t}?note=2")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Export des mandats bloqué"));
        assert!(
            r.body
                .contains("id=\"satisfaction-2\" name=\"satisfaction\" value=\"2\" checked"),
            "{}",
            r.body
        );
        assert_eq!(
            r.headers
                .get("referrer-policy")
                .map(|v| v.to_str().unwrap_or("")),
            Some("same-origin")
        );
        assert_eq!(answers(&db).await, 0);
        // Altered: a clear French page, 404.
        let mut bad = t.clone();
        bad.replace_range(0..1, if t.starts_with('A') { "B" } else { "A" });
        let r = anon.get(&format!("/enquete/{bad}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(
            r.body.contains("lien d&#39;enquête n&#39;est pas valide")
                || r.body.contains("lien d'enquête n'est pas valide"),
            "{}",
            r.body
        );
        // No CSRF token: refused.
        let r = anon
            .post_form(
                &format!("/enquete/{t}"),
                &[("_csrf", "faux"), ("satisfaction", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A score out of its scale: 422 with the French message.
        anon.get(&format!("/enquete/{t}")).await;
        let r = anon
            .post_form(&format!("/enquete/{t}"), &[("satisfaction", "7")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Choisissez une note de 1 à 5"),
            "{}",
            r.body
        );
        // Someone else signed in: refused, nothing recorded.
        let mut other = client_for(&s.app);
        other.login("membre.a@t.test", PASSWORD).await;
        let r = other.get(&format!("/enquete/{t}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("personnel"), "{}", r.body);
        assert_eq!(answers(&db).await, 0);
        // The answer, then the same link again.
        let r = anon
            .post_form(
                &format!("/enquete/{t}"),
                &[
                    ("satisfaction", "1"),
                    ("commentaire", "Bloqués trois semaines"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Merci"));
        assert!(r.body.contains("va vous rappeler"));
        let r = anon
            .post_form(&format!("/enquete/{t}"), &[("satisfaction", "5")])
            .await;
        assert_eq!(r.status, StatusCode::GONE);
        assert!(r.body.contains("déjà répondu"), "{}", r.body);
        let r = anon.get(&format!("/enquete/{t}")).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert_eq!(answers(&db).await, 1);
        // An expired link of another survey.
        // (The same invitation, reopened, 40 days later.)
        s.clock.advance(Duration::days(40));
        let mut c = db.read().await.expect("c");
        let (sample,): (String,) = sqlx::query_as("SELECT id FROM survey_invitations LIMIT 1")
            .fetch_one(&mut *c)
            .await
            .expect("inv");
        drop(c);
        exec(
            &db,
            &format!("UPDATE survey_invitations SET answered_at = NULL WHERE id = '{sample}'"),
        )
        .await;
        let r = anon.get(&format!("/enquete/{t}")).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert!(r.body.contains("expiré"), "{}", r.body);
    }
);

db_test!(
    async fn the_manager_handles_the_recall_and_sees_the_health_drop(db: Db) {
        let s = setup(&db).await;
        let t = token(&s).await;
        let mut anon = client_for(&s.app);
        anon.get(&format!("/enquete/{t}")).await;
        anon.post_form(&format!("/enquete/{t}"), &[("satisfaction", "1")])
            .await;
        let mut m = client_for(&s.app);
        m.login("relation@t.test", PASSWORD).await;
        let hub = m.get("/relation").await;
        assert_eq!(hub.status, StatusCode::OK);
        assert!(hub.body.contains("Université Alpha"));
        let id = hub
            .body
            .split("/relation/rappels/")
            .nth(1)
            .and_then(|x| x.split('"').next())
            .expect("recall link")
            .to_string();
        let page = m.get(&format!("/relation/rappels/{id}")).await;
        assert!(page.body.contains("1/5"));
        assert!(
            page.body.contains("Export des mandats bloqué") || page.body.contains("Ticket R"),
            "{}",
            page.body
        );
        let r = m
            .post_form(
                &format!("/relation/rappels/{id}/clore"),
                &[("outcome", " ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Indiquez le résultat du rappel"));
        let r = m
            .post_form(
                &format!("/relation/rappels/{id}/appel"),
                &[("note", "Appel à Anne : relance éditeur.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = m
            .post_form(
                &format!("/relation/rappels/{id}/clore"),
                &[("outcome", "Correctif livré.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = m.get(&format!("/relation/rappels/{id}")).await;
        assert!(page.body.contains("Correctif livré."));
        assert!(!page.body.contains("/clore\""), "no more closing form");
        // Health page: the formula, each factor and the history chart.
        let h = m.get(&format!("/etablissements/{}/sante", s.w.a)).await;
        assert_eq!(h.status, StatusCode::OK);
        assert!(h.body.contains("Formule"));
        assert!(h.body.contains("Satisfaction des 12 derniers mois"));
        assert!(h.body.contains("1/5 sur 1 réponse(s)"), "{}", h.body);
        assert!(h.body.contains("<svg"));
        // The 360° page has the relation section, charts with their tables.
        let p = m.get(&format!("/etablissements/{}", s.w.a)).await;
        assert!(p.body.contains("Relation et satisfaction"));
        assert!(p.body.contains("Satisfaction moyenne par mois"));
        assert!(p.body.contains("Tickets déposés par mois"));
        assert!(p.body.matches("<svg").count() >= 3);
        let brief = m.get(&format!("/etablissements/{}/fiche", s.w.a)).await;
        assert_eq!(brief.status, StatusCode::OK);
        assert!(brief.body.contains("Fiche de synthèse"));
        // API: the recall list and health.
        let r = m.api_get("/api/v1/recalls?status=clos", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json().as_array().map(|a| a.len()), Some(1));
        let r = m
            .api_get(&format!("/api/v1/institutions/{}/health", s.w.a), None)
            .await;
        assert_eq!(
            r.json()["health"]["factors"].as_array().map(|a| a.len()),
            Some(6)
        );
    }
);

db_test!(
    async fn members_see_only_their_institutions_relation_data(db: Db) {
        let s = setup(&db).await;
        let mut a = client_for(&s.app);
        a.login("anne@x.fr", PASSWORD).await;
        let mut b = client_for(&s.app);
        b.login("membre.b@t.test", PASSWORD).await;
        // Own health and answers: yes; the other institution's: 404.
        assert_eq!(
            a.get(&format!("/etablissements/{}/sante", s.w.a))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            b.get(&format!("/etablissements/{}/sante", s.w.a))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        for path in [
            format!("/api/v1/institutions/{}/health", s.w.a),
            format!("/api/v1/institutions/{}/survey-answers", s.w.a),
        ] {
            assert_eq!(
                b.api_get(&path, None).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
            assert_eq!(
                a.api_get(&path, None).await.status,
                StatusCode::OK,
                "{path}"
            );
        }
        // Recalls, campaigns, contacts' data, briefing, retention: agency only.
        for path in [
            "/relation",
            "/relation/rappels",
            "/relation/enquetes",
            "/admin/conservation",
        ] {
            assert_eq!(a.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        for path in [
            format!("/contacts/{}/donnees", s.w.contact_a),
            format!("/contacts/{}/donnees.json", s.w.contact_a),
            format!("/etablissements/{}/fiche", s.w.a),
        ] {
            assert_eq!(a.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(
            a.api_get("/api/v1/recalls", None).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            a.api_get(&format!("/api/v1/contacts/{}/data", s.w.contact_a), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // The member space: Anne's pending survey, not for her colleague.
        let space = a.get("/espace").await;
        assert_eq!(space.status, StatusCode::OK);
        assert!(space
            .body
            .contains(&format!("/espace/enquetes/{}", s.invitation)));
        assert!(space.body.contains("Sifac"));
        let mut colleague = client_for(&s.app);
        colleague.login("membre.a@t.test", PASSWORD).await;
        let space = colleague.get("/espace").await;
        assert!(!space.body.contains(&s.invitation));
        let r = colleague
            .post_form(&format!("/espace/enquetes/{}", s.invitation), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // From her space, Anne gets a fresh link of her own.
        a.get("/espace").await;
        let r = a
            .post_form(&format!("/espace/enquetes/{}", s.invitation), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/enquete/"));
        assert_eq!(a.get(&r.location()).await.status, StatusCode::OK);
        // Her data: hers, nobody else's.
        let r = a.get("/espace/donnees.json").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers.get("content-disposition").is_some());
        assert!(r.body.contains("anne@x.fr") && r.body.contains("Export des mandats bloqué"));
        for other in [
            "membre.a@t.test",
            "membre.b@t.test",
            "bruno@x.fr",
            "admin@t.test",
        ] {
            assert!(!r.body.contains(other), "{other}");
        }
        let page = a.get("/espace/donnees").await;
        assert!(page.body.contains("Tickets déposés"));
        let r = b.api_get("/api/v1/me/data", None).await;
        assert!(!r.body.contains("anne@x.fr"));
        // The 360° page of a member has no recalls.
        let p = a.get(&format!("/etablissements/{}", s.w.a)).await;
        assert!(p.body.contains("Relation et satisfaction"));
        assert!(!p.body.contains("/relation/rappels/"));
    }
);

db_test!(
    async fn an_erased_contact_appears_nowhere_and_counts_are_kept(db: Db) {
        let s = setup(&db).await;
        let mut m = client_for(&s.app);
        m.login("relation@t.test", PASSWORD).await;
        let mut agent = client_for(&s.app);
        agent.login("admin@t.test", PASSWORD).await;
        let needles = ["Anne Martin", "anne@x.fr", "04 72 43 83 83"];
        let tickets_before = agent.api_get("/api/v1/tickets", None).await.json()["total"].clone();
        // Before: the contact page is read (and logged), the data page lists it.
        assert!(m
            .get(&format!("/contacts/{}", s.w.contact_a))
            .await
            .body
            .contains("anne@x.fr"));
        let data = m.get(&format!("/contacts/{}/donnees", s.w.contact_a)).await;
        assert!(data.body.contains("Qui a consulté cette fiche"));
        assert!(data.body.contains("relation"), "the read is logged");
        let found = agent.get("/recherche?q=Martin").await;
        assert!(
            found.body.contains(&format!("/support/{}", s.ticket)),
            "{}",
            found.body
        );
        // Without confirming: refused.
        let r = m
            .post_form(&format!("/contacts/{}/effacer", s.w.contact_a), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = m
            .post_form(
                &format!("/contacts/{}/effacer", s.w.contact_a),
                &[("confirm", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        run_index_jobs(&s.app).await;
        for path in [
            format!("/contacts/{}", s.w.contact_a),
            format!("/contacts/{}/donnees", s.w.contact_a),
            format!("/contacts/{}/donnees.json", s.w.contact_a),
            "/contacts".to_string(),
            format!("/etablissements/{}", s.w.a),
            format!("/support/{}", s.ticket),
            "/support".to_string(),
            "/recherche?q=Martin".to_string(),
            "/recherche?q=anne".to_string(),
            "/export/contacts.csv".to_string(),
            format!("/api/v1/tickets/{}", s.ticket),
            "/api/v1/tickets".to_string(),
            format!("/api/v1/contacts/{}", s.w.contact_a),
            "/api/v1/contacts".to_string(),
            "/api/v1/search?q=Martin".to_string(),
        ] {
            let r = m.get(&path).await;
            let r2 = agent.get(&path).await;
            for body in [&r.body, &r2.body] {
                for n in needles {
                    assert!(!body.contains(n), "{n} still in {path}");
                }
            }
        }
        assert!(!agent
            .get("/recherche?q=Martin")
            .await
            .body
            .contains(&format!("/support/{}", s.ticket)));
        assert!(m
            .get(&format!("/contacts/{}", s.w.contact_a))
            .await
            .body
            .contains("Contact effacé"));
        assert_eq!(
            agent.api_get("/api/v1/tickets", None).await.json()["total"],
            tickets_before
        );
        // The account is closed: no more login.
        let mut anne = client_for(&s.app);
        assert_ne!(
            anne.login("anne@x.fr", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        // A second erasure is refused (API, stable code).
        let r = m
            .json(
                "POST",
                &format!("/api/v1/contacts/{}/erase", s.w.contact_a),
                serde_json::json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // Members may not erase anyone.
        let mut member = client_for(&s.app);
        member.login("membre.a@t.test", PASSWORD).await;
        let r = member
            .json(
                "POST",
                &format!("/api/v1/contacts/{}/erase", s.w.contact_b),
                serde_json::json!({}),
                None,
                true,
            )
            .await;
        assert!(
            r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
            "{}",
            r.status
        );
    }
);

db_test!(
    async fn surveys_admin_thresholds_and_campaigns(db: Db) {
        let s = setup(&db).await;
        let mut m = client_for(&s.app);
        m.login("relation@t.test", PASSWORD).await;
        let page = m.get("/relation/enquetes").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Recommanderiez-vous"));
        let r = m
            .post_form(
                "/relation/enquetes/seuils",
                &[
                    ("recall_threshold", "3"),
                    ("nps_threshold", "4"),
                    ("health_threshold", "50"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut admin = client_for(&s.app);
        admin.login("admin@t.test", PASSWORD).await;
        admin.get("/relation/enquetes").await;
        let r = admin
            .post_form(
                "/relation/enquetes/seuils",
                &[
                    ("recall_threshold", "8"),
                    ("nps_threshold", "4"),
                    ("health_threshold", "50"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .body
            .contains("Le seuil de rappel doit être une note de 1 à 5"));
        let r = admin
            .post_form(
                "/relation/enquetes/seuils",
                &[
                    ("recall_threshold", "3"),
                    ("nps_threshold", "4"),
                    ("health_threshold", "50"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = admin
            .post_form(
                "/relation/enquetes/questions",
                &[
                    ("kind", "annuelle"),
                    ("label", "Satisfaction : facturation"),
                    ("scale", "1-5"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // A campaign to the segment (every contact): one invitation each.
        m.get("/relation/enquetes").await;
        let r = m
            .post_form(
                "/relation/enquetes/campagnes",
                &[
                    ("title", "Enquête annuelle"),
                    ("kind", "annuelle"),
                    ("days", "30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = m.get("/relation/enquetes").await;
        assert!(page.body.contains("Enquête annuelle"));
        let r = m
            .post_form(
                "/relation/enquetes/campagnes",
                &[("title", ""), ("kind", "annuelle"), ("days", "30")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Donnez un titre"));
        // Retention: the dry run for admins.
        let r = admin.get("/admin/conservation").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Simulation"));
        let _ = s.ticket;
    }
);
