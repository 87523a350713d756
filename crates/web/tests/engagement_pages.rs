//! Member relations (issue 6) through the router, on both engines: a
//! member files a complaint for their own institution only (page and API),
//! reads its answer and its corrective actions' titles but never the
//! internal notes nor the actions' details, and gets 404 on another
//! institution's complaint by page and API; an agent sees every complaint,
//! treats and closes them. Campaigns and the comité are agency-only (403
//! for members); a campaign shows its progress after contacts are
//! recorded; the comité's minutes lose their scripts.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_store::Db;
use relais_testkit::db_test;
use serde_json::json;

async fn login(db: &Db, email: &str) -> Client {
    let mut c = Client::new(db.clone());
    let r = c.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {email}");
    c
}

fn id_from(location: &str, prefix: &str) -> String {
    location
        .trim_start_matches(prefix)
        .split(['?', '/'])
        .next()
        .unwrap_or("")
        .to_string()
}

db_test!(
    async fn members_see_only_their_own_complaints_and_never_the_internal_parts(db: Db) {
        let w = world(&db).await;
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        // A member of A files a complaint; the institution they send is
        // ignored: it is filed for A.
        let mut ma = login(&db, "membre.a@t.test").await;
        let r = ma.get("/reclamations/nouvelle").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("name=\"institution_id\""));
        let r = ma
            .post_form(
                "/reclamations",
                &[
                    ("institution_id", &w.b.to_string()),
                    ("title", "Facture RAM incompréhensible"),
                    ("touchpoint", "facturation"),
                    ("severity", "majeure"),
                    (
                        "description",
                        "La facture 2021 ne détaille pas les produits.",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let ka = id_from(&r.location(), "/reclamations/");
        // A missing touchpoint is refused with a French field error.
        ma.get("/reclamations/nouvelle").await;
        let r = ma
            .post_form(
                "/reclamations",
                &[
                    ("title", "x"),
                    ("severity", "mineure"),
                    ("description", "y"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Choisissez l&#39;étape du parcours"),
            "{}",
            r.body
        );

        // An agent registers one for B, treats A's, and closes it.
        let mut agent = login(&db, "relation@t.test").await;
        agent.get("/reclamations/nouvelle").await;
        let r = agent
            .post_form(
                "/reclamations",
                &[
                    ("institution_id", &w.b.to_string()),
                    ("contact_id", &w.contact_b.to_string()),
                    ("channel", "telephone"),
                    ("title", "Session de formation annulée sans préavis"),
                    ("touchpoint", "formation"),
                    ("severity", "mineure"),
                    ("description", "Annulée la veille."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let kb = id_from(&r.location(), "/reclamations/");
        agent.get(&format!("/reclamations/{ka}")).await;
        let r = agent
            .post_form(
                &format!("/reclamations/{ka}/notes"),
                &[("body", "NOTE-SECRETE : client agacé")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = agent
            .post_form(
                &format!("/reclamations/{ka}/actions"),
                &[
                    ("action_title", "Détailler la facture par produit"),
                    ("details", "DETAIL-INTERNE : voir avec l'agence comptable"),
                    ("action_due_on", "2099-01-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = agent.get(&format!("/reclamations/{ka}")).await;
        // The action's button moves it on: to do → in progress.
        let marker = format!("/reclamations/{ka}/actions/");
        let at = page.body.find(&marker).expect("action button");
        let action_url: String = page.body[at..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>()
            .replace("&amp;", "&");
        assert!(action_url.ends_with("?statut=en_cours"), "{action_url}");
        let r = agent.post_form(&action_url, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = agent.get(&format!("/reclamations/{ka}")).await;
        assert!(page.body.contains("Marquer faite"));
        assert!(page.body.contains("NOTE-SECRETE"));
        assert!(page.body.contains("DETAIL-INTERNE"));
        assert!(
            page.body.contains("En cours de traitement"),
            "an action starts the treatment"
        );
        // Closing needs an answer.
        agent.get(&format!("/reclamations/{ka}/cloturer")).await;
        let r = agent
            .post_form(&format!("/reclamations/{ka}/cloturer"), &[("answer", "  ")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = agent
            .post_form(
                &format!("/reclamations/{ka}/cloturer"),
                &[("answer", "La facture détaillera désormais chaque produit.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Owned by the agent once qualified.
        let me = actor_of(&db, "relation@t.test").await;
        agent.get(&format!("/reclamations/{kb}/qualifier")).await;
        let r = agent
            .post_form(
                &format!("/reclamations/{kb}/qualifier"),
                &[
                    ("touchpoint", "formation"),
                    ("severity", "majeure"),
                    ("owner_id", &me.user_id.to_string()),
                    ("due_on", "2099-02-01"),
                    ("status", "en_cours"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mine = agent.get("/reclamations?responsable=moi").await;
        assert!(mine.body.contains("Session de formation annulée"));
        assert!(!mine.body.contains("Facture RAM"));
        // The agent sees both institutions' complaints.
        let list = agent.get("/reclamations").await;
        assert!(list.body.contains("Facture RAM"));
        assert!(list.body.contains("Session de formation annulée"));
        let api = agent.api_get("/api/v1/complaints", None).await;
        assert_eq!(api.json()["total"], 2);
        let one = agent
            .api_get(&format!("/api/v1/complaints/{ka}"), None)
            .await;
        assert_eq!(
            one.json()["internal_notes"].as_array().map(|a| a.len()),
            Some(1)
        );

        // The member of A: own complaint with the answer and the action's
        // title, never the note nor the details; B's is not found.
        let list = ma.get("/reclamations").await;
        assert!(list.body.contains("Facture RAM"));
        assert!(!list.body.contains("Session de formation annulée"));
        let page = ma.get(&format!("/reclamations/{ka}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page
            .body
            .contains("La facture détaillera désormais chaque produit."));
        assert!(page.body.contains("Détailler la facture par produit"));
        assert!(page.body.contains("Université Alpha"));
        assert!(!page.body.contains("NOTE-SECRETE"));
        assert!(!page.body.contains("DETAIL-INTERNE"));
        assert!(!page.body.contains("Notes internes"));
        assert_eq!(
            ma.get(&format!("/reclamations/{kb}")).await.status,
            StatusCode::NOT_FOUND
        );
        let api = ma.api_get("/api/v1/complaints", None).await;
        assert_eq!(api.status, StatusCode::OK);
        assert_eq!(api.json()["total"], 1);
        assert!(!api.body.contains("Session de formation"));
        let api = ma
            .api_get(&format!("/api/v1/complaints?institution_id={}", w.b), None)
            .await;
        assert_eq!(
            api.json()["total"],
            0,
            "a member never lists another institution's"
        );
        let one = ma.api_get(&format!("/api/v1/complaints/{ka}"), None).await;
        assert_eq!(one.status, StatusCode::OK);
        assert!(!one.body.contains("NOTE-SECRETE"));
        assert!(!one.body.contains("DETAIL-INTERNE"));
        assert!(!one.body.contains("internal_notes"));
        assert!(one.body.contains("Détailler la facture par produit"));
        let other = ma.api_get(&format!("/api/v1/complaints/{kb}"), None).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert_eq!(other.json()["errors"][0]["code"], "not_found");
        // Members cannot treat complaints nor see the agency's pages.
        let r = ma
            .post_form(&format!("/reclamations/{ka}/notes"), &[("body", "x")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            ma.get(&format!("/reclamations/{ka}/qualifier"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            ma.get("/reclamations/analyse").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(ma.get("/campagnes").await.status, StatusCode::FORBIDDEN);
        assert_eq!(ma.get("/comite").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            ma.api_get("/api/v1/campaigns", None).await.status,
            StatusCode::FORBIDDEN
        );
        // The institution page of A shows its complaints section.
        let inst = ma.get(&format!("/etablissements/{}", w.a)).await;
        assert!(inst.body.contains("Réclamations ouvertes"));
        assert!(inst.body.contains("Facture RAM"));
        assert!(!inst.body.contains("Session de formation annulée"));
        // The member of B sees B's, not A's.
        let mut mb = login(&db, "membre.b@t.test").await;
        assert_eq!(
            mb.get(&format!("/reclamations/{ka}")).await.status,
            StatusCode::NOT_FOUND
        );
        let page = mb.get(&format!("/reclamations/{kb}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("Facture RAM"));
    }
);

db_test!(
    async fn complaints_are_filed_by_api_for_the_callers_institution(db: Db) {
        let w = world(&db).await;
        let mut ma = login(&db, "membre.a@t.test").await;
        ma.get("/reclamations").await;
        let r = ma
            .json(
                "POST",
                "/api/v1/complaints",
                json!({"institution_id": w.b.to_string(), "touchpoint": "support",
                       "severity": "critique", "title": "Tickets sans réponse",
                       "description": "Trois tickets bloquants sans réponse depuis une semaine."}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap_or("").to_string();
        let one = ma.api_get(&format!("/api/v1/complaints/{id}"), None).await;
        assert_eq!(one.json()["institution_id"], w.a.to_string());
        assert_eq!(one.json()["channel"], "api");
        let r = ma
            .json(
                "POST",
                "/api/v1/complaints",
                json!({"touchpoint": "nimporte", "severity": "critique", "title": "", "description": "x"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let codes: Vec<String> = r.json()["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["code"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert!(codes.contains(&"invalid_choice".to_string()), "{codes:?}");
        assert!(codes.contains(&"required".to_string()), "{codes:?}");
        // Closing through the API is for the agency.
        let r = ma
            .json(
                "POST",
                &format!("/api/v1/complaints/{id}/close"),
                json!({"answer": "x"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut agent = login(&db, "admin@t.test").await;
        agent.get("/reclamations").await;
        let r = agent
            .json(
                "POST",
                &format!("/api/v1/complaints/{id}/close"),
                json!({"answer": "Traité."}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "close");
        let r = agent
            .json(
                "POST",
                &format!("/api/v1/complaints/{id}/close"),
                json!({"answer": "Encore."}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "already_closed");
        let a = agent.api_get("/api/v1/complaints/analysis", None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.json()["by_touchpoint"][0]["key"], "support");
        let page = agent.get("/reclamations/analyse").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Irritants par étape du parcours"));
    }
);

db_test!(
    async fn campaigns_record_contacts_and_the_comite_keeps_safe_minutes(db: Db) {
        let w = world(&db).await;
        let mut rel = login(&db, "relation@t.test").await;
        rel.get("/campagnes/nouvelle").await;
        let r = rel
            .post_form(
                "/campagnes",
                &[
                    ("title", "Campagne de contacts qualifiés 2021"),
                    ("starts_on", "2021-02-01"),
                    ("ends_on", "2021-06-30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let cid = id_from(&r.location(), "/campagnes/");
        let page = rel.get(&format!("/campagnes/{cid}")).await;
        assert!(
            page.body.contains("0 établissements traités sur 2 (0 %)"),
            "{}",
            page.body
        );
        let api = rel.api_get(&format!("/api/v1/campaigns/{cid}"), None).await;
        let targets = api.json()["institutions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(targets.len(), 2);
        let ta = targets
            .iter()
            .find(|t| t["institution_id"] == w.a.to_string())
            .and_then(|t| t["id"].as_str())
            .unwrap_or("")
            .to_string();
        let tpage = rel.get(&format!("/campagnes/{cid}/cibles/{ta}")).await;
        assert_eq!(tpage.status, StatusCode::OK);
        assert!(
            tpage.body.contains("Anne Martin"),
            "the institution's contacts are offered"
        );
        // "Data corrected" needs the corrections.
        let r = rel
            .post_form(
                &format!("/campagnes/{cid}/cibles/{ta}/contacts"),
                &[
                    ("outcome", "corrige"),
                    ("contact_id", &w.contact_a.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Indiquez les données corrigées."));
        // A contact of another institution is refused.
        let r = rel
            .post_form(
                &format!("/campagnes/{cid}/cibles/{ta}/contacts"),
                &[
                    ("outcome", "joint"),
                    ("contact_id", &w.contact_b.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = rel
            .post_form(
                &format!("/campagnes/{cid}/cibles/{ta}/contacts"),
                &[
                    ("outcome", "corrige"),
                    ("contacted_on", "2021-03-02"),
                    ("contact_id", &w.contact_a.to_string()),
                    ("corrections", "Nouveau DSI depuis janvier."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let tpage = rel.get(&format!("/campagnes/{cid}/cibles/{ta}")).await;
        assert!(tpage.body.contains("Nouveau DSI depuis janvier."));
        assert!(tpage.body.contains("02/03/2021"));
        let page = rel.get(&format!("/campagnes/{cid}")).await;
        assert!(page.body.contains("1 établissements traités sur 2 (50 %)"));
        let list = rel.get("/campagnes").await;
        assert!(list.body.contains("1 / 2 (50 %)"));
        // Reassigning to a member account is refused.
        let member = actor_of(&db, "membre.a@t.test").await;
        let r = rel
            .post_form(
                &format!("/campagnes/{cid}/cibles/{ta}/affectation"),
                &[("manager_id", &member.user_id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let me = actor_of(&db, "relation@t.test").await;
        let r = rel
            .post_form(
                &format!("/campagnes/{cid}/cibles/{ta}/affectation"),
                &[("manager_id", &me.user_id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mine = rel.get(&format!("/campagnes/{cid}?responsable=moi")).await;
        assert!(mine.body.contains("Université Alpha"));
        assert!(!mine.body.contains("Université Bêta"));

        // The comité: a contact member, a meeting whose minutes are sanitised.
        rel.get("/comite").await;
        let r = rel
            .post_form(
                "/comite/membres",
                &[
                    ("contact_id", &w.contact_a.to_string()),
                    ("role", "president"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = rel
            .post_form(
                "/comite/membres",
                &[
                    ("contact_id", &w.contact_a.to_string()),
                    ("user_id", &me.user_id.to_string()),
                    ("role", "membre"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "one person at a time"
        );
        rel.get("/comite/reunions/nouvelle").await;
        let r = rel
            .post_form(
                "/comite/reunions",
                &[
                    ("held_on", "2021-03-18"),
                    ("title", "Comité de mars 2021"),
                    ("agenda", "1. Bilan de la campagne\n2. Irritants"),
                    (
                        "minutes",
                        "Le comité **valide** le plan.<script>alert(1)</script>",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mid = id_from(&r.location(), "/comite/reunions/");
        let page = rel.get(&format!("/comite/reunions/{mid}")).await;
        assert!(page.body.contains("<strong>valide</strong>"));
        assert!(!page.body.contains("<script>alert(1)"));
        assert!(page.body.contains("Ordre du jour"));
        let comite = rel.get("/comite").await;
        assert!(comite.body.contains("Anne Martin"));
        assert!(comite.body.contains("Président·e"));
        assert!(comite.body.contains("Comité de mars 2021"));
        // Members: agency-only.
        let mut ma = login(&db, "membre.a@t.test").await;
        assert_eq!(
            ma.get(&format!("/comite/reunions/{mid}")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            ma.get(&format!("/campagnes/{cid}")).await.status,
            StatusCode::FORBIDDEN
        );
        // A support agent reads but does not write.
        user(&db, "support@t.test", Role::Support, None).await;
        let mut sup = login(&db, "support@t.test").await;
        assert_eq!(sup.get("/comite").await.status, StatusCode::OK);
        assert_eq!(
            sup.get("/campagnes/nouvelle").await.status,
            StatusCode::FORBIDDEN
        );
    }
);

db_test!(
    async fn an_agent_converts_a_ticket_into_a_complaint(db: Db) {
        let w = world(&db).await;
        let app = relais_app::App::new(db.clone(), std::sync::Arc::new(relais_domain::SystemClock));
        relais_app::support::ensure_defaults(&app)
            .await
            .expect("defaults");
        let product = relais_testkit::builders::product(&db, "sifac", "Sifac").await;
        relais_testkit::builders::deploy(&db, w.a, product).await;
        user(&db, "agent@t.test", Role::Support, None).await;
        let member = actor_of(&db, "membre.a@t.test").await;
        let ticket = relais_app::support::create_ticket(
            &app,
            &member,
            None,
            relais_domain::support::TicketInput {
                product_id: product.to_string(),
                category: "question".into(),
                severity: "mineur".into(),
                subject: "Quatrième relance sans réponse".into(),
                body: "Nous sommes excédés.".into(),
                ..Default::default()
            },
            "mail",
        )
        .await
        .expect("ticket");
        let mut agent = login(&db, "agent@t.test").await;
        let page = agent.get(&format!("/support/{ticket}")).await;
        assert!(page
            .body
            .contains(&format!("/reclamations/nouvelle?ticket={ticket}")));
        let form = agent
            .get(&format!("/reclamations/nouvelle?ticket={ticket}"))
            .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("Quatrième relance sans réponse"));
        assert!(form
            .body
            .contains(&format!("name=\"ticket_id\" value=\"{ticket}\"")));
        // The ticket's institution wins over another one sent.
        let r = agent
            .post_form(
                "/reclamations",
                &[
                    ("ticket_id", &ticket.to_string()),
                    ("institution_id", &w.b.to_string()),
                    ("title", "Relances sans réponse"),
                    ("touchpoint", "support"),
                    ("severity", "majeure"),
                    ("channel", "mail"),
                    ("description", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("autre établissement"));
        let r = agent
            .post_form(
                "/reclamations",
                &[
                    ("ticket_id", &ticket.to_string()),
                    ("institution_id", &w.a.to_string()),
                    ("title", "Relances sans réponse"),
                    ("touchpoint", "support"),
                    ("severity", "majeure"),
                    ("channel", "mail"),
                    ("description", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = id_from(&r.location(), "/reclamations/");
        let page = agent.get(&format!("/reclamations/{id}")).await;
        assert!(page.body.contains(&format!("href=\"/support/{ticket}\"")));
        assert!(page.body.contains("Courriel"));
        // Members never convert tickets.
        let mut ma = login(&db, "membre.a@t.test").await;
        let r = ma
            .get(&format!("/reclamations/nouvelle?ticket={ticket}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

#[test]
fn openapi_documents_the_engagement_routes() {
    let doc = serde_json::to_value(relais_web::api::openapi()).expect("json");
    for p in [
        "/api/v1/complaints",
        "/api/v1/complaints/{id}",
        "/api/v1/complaints/{id}/notes",
        "/api/v1/complaints/{id}/actions",
        "/api/v1/complaints/{id}/close",
        "/api/v1/complaints/analysis",
        "/api/v1/campaigns",
        "/api/v1/campaigns/{id}",
    ] {
        assert!(doc["paths"].get(p).is_some(), "missing {p}");
    }
}
