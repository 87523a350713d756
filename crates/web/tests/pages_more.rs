//! Catalogue, deployment, convention, interaction, task and account pages and
//! their API, through the router on both engines: tenant isolation (a member
//! finds nothing of another institution, and no agency notes at all), what a
//! referent may grant, the key-account manager's forms, and every page
//! rendering for the roles that may see it.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_app::crm as uc;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::db_test;
use serde_json::json;
use std::sync::Arc;

/// Catalogue and CRM records on top of [`World`].
struct Crm {
    /// Deployed in A and B.
    product: Id,
    /// In the catalogue, deployed nowhere yet.
    spare_product: Id,
    dep_a: Id,
    dep_b: Id,
    convention_a: Id,
    task_b: Id,
    member_a: Id,
    admin: Id,
}

async fn user_id(db: &Db, email: &str) -> Id {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    Id::parse(&u.id).expect("id")
}

async fn actor(db: &Db, email: &str) -> Actor {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    relais_app::accounts::actor_of(&u).expect("actor")
}

fn day(offset_days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(offset_days))
        .format("%Y-%m-%d")
        .to_string()
}

async fn crm(db: &Db, w: &World) -> Crm {
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    let admin = actor(db, "admin@t.test").await;
    let mut tx = db.begin().await.expect("tx");
    relais_store::crm::insert_domain(&mut tx, "finances", "Finances", 1)
        .await
        .expect("domain");
    relais_store::crm::insert_domain(&mut tx, "scolarite", "Scolarité", 2)
        .await
        .expect("domain");
    tx.commit().await.expect("commit");
    let product_input = |code: &str, name: &str| uc::ProductInput {
        code: code.into(),
        name: name.into(),
        domain_code: "finances".into(),
        stage: "production".into(),
        description: None,
    };
    let product = uc::create_product(&app, &admin, product_input("sifac", "SIFAC"))
        .await
        .expect("product");
    let spare_product = uc::create_product(&app, &admin, product_input("pegase", "PEGASE"))
        .await
        .expect("product");
    uc::add_release(&app, &admin, product, "2.1.0", Some("2024-05-01"), None)
        .await
        .expect("release");
    let dep =
        |inst: Id, status: &str, wave: Option<&str>, notes: Option<&str>| uc::DeploymentInput {
            institution_id: inst.to_string(),
            product_id: product.to_string(),
            status: status.into(),
            wave: wave.map(str::to_string),
            hosting: "sur_site".into(),
            version: Some("2.1.0".into()),
            notes: notes.map(str::to_string),
            ..Default::default()
        };
    let dep_a = uc::create_deployment(&app, &admin, dep(w.a, "production", None, None))
        .await
        .expect("dep a");
    let dep_b = uc::create_deployment(
        &app,
        &admin,
        dep(w.b, "vague", Some("3"), Some("Note secrète")),
    )
    .await
    .expect("dep b");
    let convention_a = uc::create_convention(
        &app,
        &admin,
        uc::ConventionInput {
            institution_id: w.a.to_string(),
            kind: "exploitation".into(),
            title: "Convention Alpha".into(),
            ends_on: Some(day(3 * 365)),
            ..Default::default()
        },
    )
    .await
    .expect("conv a");
    let task_b = uc::create_task(
        &app,
        &admin,
        uc::TaskInput {
            institution_id: w.b.to_string(),
            title: "Relancer la présidence".into(),
            ..Default::default()
        },
    )
    .await
    .expect("task b");
    Crm {
        product,
        spare_product,
        dep_a,
        dep_b,
        convention_a,
        task_b,
        member_a: user_id(db, "membre.a@t.test").await,
        admin: admin.user_id,
    }
}

async fn logged_in(db: &Db, email: &str) -> Client {
    let mut c = Client::new(db.clone());
    let r = c.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {email}: {}", r.body);
    // The session's CSRF token, from any page.
    c.get("/").await;
    c
}

/// The id at the end of a `/x/{id}?ok=…` redirect.
fn id_in(location: &str, prefix: &str) -> Id {
    let rest = location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"));
    Id::parse(rest.split('?').next().unwrap_or("")).unwrap_or_else(|| panic!("no id in {location}"))
}

db_test!(
    async fn member_never_sees_another_institution_nor_agency_notes(db: Db) {
        let w = world(&db).await;
        let k = crm(&db, &w).await;
        let mut c = logged_in(&db, "membre.a@t.test").await;

        // Another institution's records, and agency notes even about the
        // member's own institution, answer 404 and leak nothing.
        for path in [
            format!("/conventions/{}", w.convention_b),
            format!("/conventions/{}/modifier", w.convention_b),
            format!("/deploiements/{}", k.dep_b),
            format!("/deploiements/{}/modifier", k.dep_b),
            format!("/interactions/{}", w.interaction_b),
            format!("/interactions/{}", w.interaction_a),
            "/interactions".to_string(),
            format!("/interactions/nouveau?institution={}", w.a),
            "/taches".to_string(),
            format!("/taches/nouveau?institution={}", w.a),
        ] {
            let r = c.get(&path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(
                !r.body.contains("Bêta")
                    && !r.body.contains("secrète")
                    && !r.body.contains("confidentiel"),
                "{path} leaked"
            );
        }
        for path in [
            format!("/api/v1/conventions/{}", w.convention_b),
            format!("/api/v1/deployments/{}", k.dep_b),
            format!("/api/v1/interactions/{}", w.interaction_b),
            format!("/api/v1/interactions/{}", w.interaction_a),
            "/api/v1/interactions".to_string(),
            "/api/v1/tasks".to_string(),
        ] {
            let r = c.api_get(&path, None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(r.json()["errors"][0]["code"], "not_found", "{path}");
        }
        let r = c
            .json(
                "POST",
                &format!("/api/v1/tasks/{}/status", k.task_b),
                json!({"status": "faite"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = c
            .post_form(
                &format!("/taches/{}/statut", k.task_b),
                &[("status", "faite")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Writes are refused whatever the record.
        let r = c
            .json(
                "PUT",
                &format!("/api/v1/deployments/{}", k.dep_b),
                json!({"status": "retire", "hosting": "saas"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .post_form(
                &format!("/deploiements/{}", k.dep_b),
                &[("status", "retire"), ("hosting", "saas")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = c
            .post_form(
                "/conventions",
                &[
                    ("institution_id", &w.a.to_string()),
                    ("kind", "partenariat"),
                    ("title", "Pirate"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Own institution's records are readable, without the agency's history.
        let r = c.get(&format!("/conventions/{}", k.convention_a)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Convention Alpha") && !r.body.contains("Historique"));
        let r = c.get(&format!("/deploiements/{}", k.dep_a)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("SIFAC") && r.body.contains("Production"));
        // Lists and the product page only show the own institution.
        for path in [
            "/deploiements".to_string(),
            "/conventions".to_string(),
            format!("/produits/{}", k.product),
        ] {
            let r = c.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(
                !r.body.contains("Bêta") && !r.body.contains("Vague 3"),
                "{path} leaked"
            );
        }
        let r = c.get(&format!("/deploiements?institution={}", w.b)).await;
        assert!(!r.body.contains("Bêta"));
        let r = c.get(&format!("/produits/{}", k.product)).await;
        assert!(r.body.contains("Université Alpha"));
        let r = c.api_get("/api/v1/deployments", None).await;
        assert_eq!(r.json()["total"], 1);
        assert_eq!(r.json()["items"][0]["institution_id"], w.a.to_string());
        let r = c
            .api_get(&format!("/api/v1/deployments?institution_id={}", w.b), None)
            .await;
        assert_eq!(r.json()["total"], 0);
        let r = c
            .api_get(&format!("/api/v1/conventions?institution_id={}", w.b), None)
            .await;
        assert_eq!(r.json()["total"], 0);
        // Accounts are not a member's business.
        assert_eq!(c.get("/comptes").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            c.api_get("/api/v1/users", None).await.status,
            StatusCode::FORBIDDEN
        );
        let _ = (k.spare_product, k.member_a, k.admin);
    }
);

db_test!(
    async fn referent_grants_member_roles_in_own_institution_only(db: Db) {
        let w = world(&db).await;
        let k = crm(&db, &w).await;
        let mut c = logged_in(&db, "referent.a@t.test").await;

        let r = c.get("/comptes").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("membre.a@t.test"),
            "own institution's accounts"
        );
        assert!(
            !r.body.contains("relation@t.test") && !r.body.contains("admin@t.test"),
            "agency accounts hidden"
        );
        let r = c.get("/comptes/nouveau").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("value=\"member_admin\"") && r.body.contains("value=\"member\""));
        assert!(
            !r.body.contains("value=\"admin\"") && !r.body.contains("value=\"relation\""),
            "only grantable roles"
        );
        assert!(
            !r.body.contains("name=\"institution_id\""),
            "no institution choice for a referent"
        );

        // No admin account, whatever the form sends.
        let r = c
            .post_form(
                "/comptes",
                &[
                    ("email", "boss@t.test"),
                    ("display_name", "Boss"),
                    ("role", "admin"),
                    ("active", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .json(
                "POST",
                "/api/v1/users",
                json!({"email": "boss2@t.test", "display_name": "Boss", "role": "admin"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // An account "for" institution B lands in A.
        let r = c
            .post_form(
                "/comptes",
                &[
                    ("email", "Nouvelle@T.test"),
                    ("display_name", "Nouvelle Personne"),
                    ("role", "member"),
                    ("institution_id", &w.b.to_string()),
                    ("active", "1"),
                    ("password", "un mot de passe assez long"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = id_in(&r.location(), "/comptes/");
        assert!(r.location().ends_with("?ok=user"));
        let r = c.get(&r.location()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Compte enregistré")
                && r.body.contains("Université Alpha")
                && !r.body.contains("Bêta")
        );
        let mut conn = db.read().await.expect("conn");
        let u =
            relais_store::accounts::get_user(&mut conn, relais_domain::accounts::Scope::All, id)
                .await
                .expect("u");
        drop(conn);
        assert_eq!(u.institution_id, Some(w.a.to_string()));
        assert_eq!(u.email, "nouvelle@t.test");
        // …and can log in with the password set there.
        let mut n = Client::new(db.clone());
        assert_eq!(
            n.login("nouvelle@t.test", "un mot de passe assez long")
                .await
                .status,
            StatusCode::SEE_OTHER
        );

        // Short passwords are refused on the form, with the field marked.
        let r = c
            .post_form(
                "/comptes",
                &[
                    ("email", "court@t.test"),
                    ("display_name", "Court"),
                    ("role", "member"),
                    ("password", "court"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("doit compter au moins 12 caractères")
                && r.body.contains("aria-invalid")
        );
        // Editing an account of the institution works; agency accounts are out of reach.
        let r = c.get(&format!("/comptes/{}/modifier", k.member_a)).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = c
            .post_form(
                &format!("/comptes/{}", k.member_a),
                &[
                    ("email", "membre.a@t.test"),
                    ("display_name", "Membre Renommé"),
                    ("role", "member"),
                    ("active", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(c.get("/comptes").await.body.contains("Membre Renommé"));
        assert_eq!(
            c.get(&format!("/comptes/{}", k.admin)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            c.get(&format!("/comptes/{}/modifier", k.admin))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = c.api_get(&format!("/api/v1/users/{}", k.admin), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = c.api_get("/api/v1/users", None).await;
        assert_eq!(r.status, StatusCode::OK);
        let emails: Vec<String> = r
            .json()
            .as_array()
            .expect("array")
            .iter()
            .map(|u| u["email"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(
            emails.contains(&"membre.a@t.test".to_string())
                && !emails.contains(&"admin@t.test".to_string())
        );
        assert!(
            r.json()[0].get("password_hash").is_none(),
            "hashes never leave"
        );
    }
);

db_test!(
    async fn key_account_manager_records_deployments_and_conventions(db: Db) {
        let w = world(&db).await;
        let k = crm(&db, &w).await;
        let mut c = logged_in(&db, "relation@t.test").await;
        let a = w.a.to_string();
        let spare = k.spare_product.to_string();

        // Deployment form, preset on the institution.
        let r = c
            .get(&format!("/deploiements/nouveau?institution={a}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains(&format!("<option value=\"{a}\" selected>")),
            "institution preset"
        );
        assert!(r.body.contains("Pilote P1") && r.body.contains("PEGASE"));
        // A wave status needs its number.
        let r = c
            .post_form(
                "/deploiements",
                &[
                    ("institution_id", &a),
                    ("product_id", &spare),
                    ("status", "vague"),
                    ("hosting", "saas"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("numéro de vague"));
        let r = c
            .post_form(
                "/deploiements",
                &[
                    ("institution_id", &a),
                    ("product_id", &spare),
                    ("status", "pilote_p1"),
                    ("hosting", "saas"),
                    ("version", "1.0"),
                    ("starts_on", "2025-09-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().ends_with("?ok=deployment"));
        let dep = id_in(&r.location(), "/deploiements/");
        let r = c.get(&r.location()).await;
        assert!(r.body.contains("Déploiement enregistré") && r.body.contains("Pilote P1"));
        let r = c.get(&format!("/etablissements/{a}")).await;
        assert!(
            r.body.contains("PEGASE") && r.body.contains("Pilote P1"),
            "visible on the institution page"
        );
        // Only one deployment of a product per institution.
        let r = c
            .post_form(
                "/deploiements",
                &[
                    ("institution_id", &a),
                    ("product_id", &spare),
                    ("status", "candidat"),
                    ("hosting", "saas"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("déjà un déploiement"));
        // Edit: the wave comes with its number, and the history records it.
        assert_eq!(
            c.get(&format!("/deploiements/{dep}/modifier")).await.status,
            StatusCode::OK
        );
        let r = c
            .post_form(
                &format!("/deploiements/{dep}"),
                &[
                    ("status", "vague"),
                    ("wave", "2"),
                    ("hosting", "saas"),
                    ("version", "1.1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = c.get(&format!("/deploiements/{dep}")).await;
        assert!(r.body.contains("Vague 2") && r.body.contains("Historique des modifications"));
        let r = c
            .get(&format!("/deploiements?status=vague&product={spare}"))
            .await;
        assert!(
            r.body.contains(&format!("/etablissements/{a}\""))
                && !r.body.contains(&format!("/etablissements/{}\"", w.b))
        );

        // Convention form: renewal alert defaults to three months before the end.
        assert_eq!(
            c.get(&format!("/conventions/nouveau?institution={a}"))
                .await
                .status,
            StatusCode::OK
        );
        let end = day(40);
        let r = c
            .post_form(
                "/conventions",
                &[
                    ("institution_id", &a),
                    ("kind", "deploiement"),
                    ("title", "Convention de déploiement PEGASE"),
                    ("product_id", &spare),
                    ("starts_on", "2024-01-01"),
                    ("ends_on", &end),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().ends_with("?ok=convention"));
        let conv = id_in(&r.location(), "/conventions/");
        let r = c.get(&r.location()).await;
        assert!(
            r.body.contains("Convention enregistrée")
                && r.body.contains("PEGASE")
                && r.body.contains("Historique des modifications")
        );
        let r = c.get(&format!("/etablissements/{a}")).await;
        assert!(
            r.body.contains("Convention de déploiement PEGASE"),
            "visible on the institution page"
        );
        // "To renew" keeps the one ending soon, not the one ending in three years.
        let r = c.get("/conventions?renouveler=1").await;
        assert!(
            r.body.contains("Convention de déploiement PEGASE")
                && !r.body.contains("Convention Alpha")
        );
        let r = c.get("/conventions?kind=exploitation").await;
        assert!(r.body.contains("Convention Alpha") && !r.body.contains("PEGASE"));
        // Dates out of order are refused on the right field.
        let r = c
            .post_form(
                &format!("/conventions/{conv}"),
                &[
                    ("kind", "deploiement"),
                    ("title", "X"),
                    ("starts_on", "2024-01-01"),
                    ("ends_on", "2023-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("précède"));
        let r = c
            .post_form(
                &format!("/conventions/{conv}"),
                &[
                    ("kind", "deploiement"),
                    ("title", "Convention PEGASE renouvelée"),
                    ("ends_on", &day(3 * 365)),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(c
            .get(&format!("/conventions/{conv}"))
            .await
            .body
            .contains("Convention PEGASE renouvelée"));

        // The same through the API.
        let r = c.json("POST", "/api/v1/conventions", json!({"institution_id": w.b.to_string(), "kind": "partenariat", "title": "Partenariat Bêta", "ends_on": "2030-06-30"}), None, true).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let cid = r.json()["id"].as_str().unwrap_or("").to_string();
        let r = c.api_get(&format!("/api/v1/conventions/{cid}"), None).await;
        assert_eq!(r.json()["renewal_alert_on"], "2030-03-30");
        let r = c.json("PUT", &format!("/api/v1/conventions/{cid}"), json!({"institution_id": w.a.to_string(), "kind": "partenariat", "title": "Partenariat Bêta 2"}), None, true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["title"], "Partenariat Bêta 2");
        assert_eq!(
            r.json()["institution_id"],
            w.b.to_string(),
            "a convention never moves"
        );
        let r = c.json("POST", "/api/v1/deployments", json!({"institution_id": w.b.to_string(), "product_id": spare, "status": "candidat", "hosting": "sur_site"}), None, true).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let did = r.json()["id"].as_str().unwrap_or("").to_string();
        let r = c
            .json(
                "PUT",
                &format!("/api/v1/deployments/{did}"),
                json!({"status": "vague", "hosting": "sur_site"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "wave");
        let r = c
            .json(
                "PUT",
                &format!("/api/v1/deployments/{did}"),
                json!({"status": "vague", "wave": 4, "hosting": "sur_site"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["wave"], 4);
        let r = c
            .api_get(&format!("/api/v1/deployments?product_id={spare}"), None)
            .await;
        assert_eq!(r.json()["total"], 2);

        // A support agent reads all this but records none of it.
        let mut s = Client::new(db.clone());
        user(&db, "support@t.test", Role::Support, None).await;
        s.login("support@t.test", PASSWORD).await;
        s.get("/").await;
        assert_eq!(
            s.get(&format!("/deploiements/{dep}")).await.status,
            StatusCode::OK
        );
        assert_eq!(
            s.get("/deploiements/nouveau").await.status,
            StatusCode::FORBIDDEN
        );
        let r = s
            .post_form(
                "/deploiements",
                &[
                    ("institution_id", &w.b.to_string()),
                    ("product_id", &spare),
                    ("status", "candidat"),
                    ("hosting", "saas"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

db_test!(
    async fn agency_records_interactions_and_follows_tasks(db: Db) {
        let w = world(&db).await;
        let k = crm(&db, &w).await;
        let mut c = logged_in(&db, "relation@t.test").await;
        let a = w.a.to_string();

        let r = c
            .get(&format!("/interactions/nouveau?institution={a}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains(&format!(
                "<option value=\"{}\">Anne Martin</option>",
                w.contact_a
            )),
            "the institution's contacts"
        );
        assert!(
            !r.body.contains("Bruno"),
            "only that institution's contacts"
        );
        // A contact of another institution is refused.
        let r = c
            .post_form(
                "/interactions",
                &[
                    ("institution_id", &a),
                    ("kind", "appel"),
                    ("occurred_on", "2025-10-01"),
                    ("subject", "X"),
                    ("contact_id", &w.contact_b.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c
            .post_form(
                "/interactions",
                &[
                    ("institution_id", &a),
                    ("kind", "reunion"),
                    ("occurred_on", "2025-10-01"),
                    ("subject", "Comité de pilotage"),
                    ("summary", "Point d'étape sur SIFAC."),
                    ("contact_id", &w.contact_a.to_string()),
                    ("follow_up", "Envoyer le compte rendu"),
                    ("follow_up_due", "2025-10-15"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().ends_with("?ok=interaction"));
        let r = c.get(&r.location()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Interaction enregistrée")
                && r.body.contains("Anne Martin")
                && r.body.contains("Envoyer le compte rendu")
        );
        let r = c.get("/interactions").await;
        assert!(r.body.contains("Comité de pilotage") && r.body.contains("Appel confidentiel"));
        let r = c.get(&format!("/interactions?institution={a}")).await;
        assert!(r.body.contains("Comité de pilotage") && !r.body.contains("Université Bêta</a>"));

        // The follow-up task is mine; mark it done from the list.
        let r = c.get("/taches?mine=1").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Envoyer le compte rendu")
                && !r.body.contains("Relancer la présidence")
        );
        let i = r.body.find("action=\"/taches/").expect("a done button");
        let task: String = r.body[i + "action=\"/taches/".len()..]
            .chars()
            .take_while(|ch| *ch != '/')
            .collect();
        let r = c
            .post_form(
                &format!("/taches/{task}/statut"),
                &[("status", "faite"), ("retour", "/taches?mine=1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/taches?mine=1&ok=task");
        let r = c.get("/taches?mine=1&status=a_faire").await;
        assert!(!r.body.contains("Envoyer le compte rendu"));
        assert!(c
            .get("/taches?mine=1&ok=task")
            .await
            .body
            .contains("Tâche enregistrée"));
        // Another site cannot send us back elsewhere.
        let r = c
            .post_form(
                &format!("/taches/{}/statut", k.task_b),
                &[("status", "faite"), ("retour", "https://evil.example/")],
            )
            .await;
        assert_eq!(r.location(), "/?ok=task");

        // A task from the form lands on the institution page.
        let r = c.get(&format!("/taches/nouveau?institution={a}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = c
            .post_form(
                "/taches",
                &[
                    ("institution_id", &a),
                    ("title", "Préparer la visite"),
                    ("due_on", "2025-11-30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), format!("/etablissements/{a}?ok=task"));
        assert!(c
            .get(&r.location())
            .await
            .body
            .contains("Préparer la visite"));
        let r = c
            .post_form("/taches", &[("institution_id", &a), ("title", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // API.
        let r = c
            .api_get("/api/v1/tasks?mine=true&status=a_faire", None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let titles: Vec<String> = r
            .json()
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|t| t["title"].as_str().map(str::to_string))
            .collect();
        assert!(
            titles.iter().any(|t| t == "Préparer la visite"),
            "{titles:?}"
        );
        assert!(
            !titles.iter().any(|t| t == "Envoyer le compte rendu"),
            "{titles:?}"
        );
        let r = c
            .json(
                "POST",
                &format!("/api/v1/tasks/{task}/status"),
                json!({"status": "a_faire"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "a_faire");
        let r = c
            .json(
                "POST",
                &format!("/api/v1/tasks/{task}/status"),
                json!({"status": "peut-être"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c.json("POST", "/api/v1/interactions", json!({"institution_id": w.b.to_string(), "kind": "visite", "occurred_on": "2025-12-01", "subject": "Visite du campus", "follow_up": "Relire la convention"}), None, true).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let nid = r.json()["id"].as_str().unwrap_or("").to_string();
        let r = c
            .api_get(&format!("/api/v1/interactions/{nid}"), None)
            .await;
        assert_eq!(r.json()["subject"], "Visite du campus");
        let r = c
            .api_get(
                &format!("/api/v1/interactions?institution_id={}", w.b),
                None,
            )
            .await;
        assert_eq!(r.json().as_array().map(|v| v.len()), Some(2));
        let r = c
            .json(
                "POST",
                "/api/v1/tasks",
                json!({"institution_id": w.b.to_string(), "title": "Appeler le DGS"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
);

db_test!(
    async fn only_admins_maintain_the_catalogue(db: Db) {
        let w = world(&db).await;
        let k = crm(&db, &w).await;
        let p = k.product;

        let mut r = logged_in(&db, "relation@t.test").await;
        for path in [
            "/produits/nouveau".to_string(),
            format!("/produits/{p}/modifier"),
            format!("/produits/{p}/versions"),
        ] {
            assert_eq!(r.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let res = r
            .post_form(
                "/produits",
                &[
                    ("code", "x"),
                    ("name", "X"),
                    ("domain_code", "finances"),
                    ("stage", "pilote"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = r
            .json(
                "POST",
                "/api/v1/products",
                json!({"code": "x", "name": "X", "domain_code": "finances", "stage": "pilote"}),
                None,
                true,
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = r
            .json(
                "POST",
                &format!("/api/v1/products/{p}/releases"),
                json!({"version": "9"}),
                None,
                true,
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);

        let mut c = logged_in(&db, "admin@t.test").await;
        let res = c
            .post_form(
                "/produits",
                &[
                    ("code", "Mauvais code!"),
                    ("name", ""),
                    ("domain_code", "finances"),
                    ("stage", "pilote"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("lettres minuscules") && res.body.contains("href=\"#name\""));
        let res = c
            .post_form(
                "/produits",
                &[
                    ("code", "sifac"),
                    ("name", "Doublon"),
                    ("domain_code", "finances"),
                    ("stage", "pilote"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("existe déjà"));
        let res = c
            .post_form(
                "/produits",
                &[
                    ("code", "opale"),
                    ("name", "OPALE"),
                    ("domain_code", "scolarite"),
                    ("stage", "pilote"),
                    ("description", "Gestion des inscriptions."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert!(res.location().ends_with("?ok=product"));
        let id = id_in(&res.location(), "/produits/");
        let page = c.get(&res.location()).await;
        assert!(
            page.body.contains("Produit enregistré")
                && page.body.contains("Phase pilote")
                && page.body.contains("Scolarité")
        );
        assert_eq!(
            c.get(&format!("/produits/{id}/modifier")).await.status,
            StatusCode::OK
        );
        let res = c
            .post_form(
                &format!("/produits/{id}"),
                &[
                    ("code", "ignored"),
                    ("name", "OPALE"),
                    ("domain_code", "scolarite"),
                    ("stage", "deploiement"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = c.get(&format!("/produits/{id}")).await;
        assert!(
            page.body.contains("En déploiement") && page.body.contains("opale"),
            "code kept"
        );
        let res = c
            .post_form(
                &format!("/produits/{id}/versions"),
                &[
                    ("version", "1.0.0"),
                    ("released_on", "2025-09-01"),
                    ("notes", "Première version."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), format!("/produits/{id}?ok=release"));
        let res = c
            .post_form(&format!("/produits/{id}/versions"), &[("version", "1.0.0")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("existe déjà"));
        let page = c.get(&format!("/produits/{id}")).await;
        assert!(page.body.contains("1.0.0") && page.body.contains("Première version."));
        let page = c.get("/produits?domain=scolarite").await;
        assert!(page.body.contains("OPALE") && !page.body.contains("SIFAC"));
        let page = c.get("/domaines").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Scolarité") && page.body.contains("Finances"));

        let res = c.json("POST", "/api/v1/products", json!({"code": "cocktail", "name": "Cocktail", "domain_code": "finances", "stage": "fin_de_maintenance"}), None, true).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let pid = res.json()["id"].as_str().unwrap_or("").to_string();
        let res = c.json("PUT", &format!("/api/v1/products/{pid}"), json!({"name": "Cocktail GFC", "domain_code": "finances", "stage": "fin_de_maintenance"}), None, true).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(res.json()["name"], "Cocktail GFC");
        assert_eq!(res.json()["code"], "cocktail");
        let res = c
            .json(
                "POST",
                &format!("/api/v1/products/{pid}/releases"),
                json!({"version": "7.0", "released_on": "2020-01-01"}),
                None,
                true,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let res = c.api_get(&format!("/api/v1/products/{pid}"), None).await;
        assert_eq!(res.json()["releases"][0]["version"], "7.0");
    }
);

db_test!(
    async fn pages_render_for_every_role_that_may_see_them(db: Db) {
        let w = world(&db).await;
        let k = crm(&db, &w).await;
        user(&db, "support@t.test", Role::Support, None).await;
        user(&db, "domaine@t.test", Role::Domain, None).await;
        let (a, b, p) = (w.a, w.b, k.product);
        let everyone = vec![
            "/produits".to_string(),
            "/produits?domain=finances".to_string(),
            format!("/produits/{p}"),
            "/domaines".to_string(),
            "/deploiements".to_string(),
            "/deploiements?status=production&page=1".to_string(),
            format!("/deploiements/{}", k.dep_a),
            "/conventions".to_string(),
            "/conventions?renouveler=1&kind=exploitation".to_string(),
            format!("/conventions/{}", k.convention_a),
        ];
        let agency = vec![
            format!("/deploiements?institution={b}"),
            format!("/deploiements/{}", k.dep_b),
            format!("/conventions/{}", w.convention_b),
            "/interactions".to_string(),
            format!("/interactions?institution={a}"),
            format!("/interactions/{}", w.interaction_b),
            "/interactions/nouveau".to_string(),
            format!("/interactions/nouveau?institution={a}"),
            "/taches".to_string(),
            "/taches?mine=1&status=a_faire".to_string(),
            "/taches/nouveau".to_string(),
            format!("/taches/nouveau?institution={b}"),
        ];
        let crm_forms = vec![
            "/deploiements/nouveau".to_string(),
            format!("/deploiements/nouveau?institution={a}"),
            format!("/deploiements/{}/modifier", k.dep_b),
            "/conventions/nouveau".to_string(),
            format!("/conventions/nouveau?institution={b}"),
            format!("/conventions/{}/modifier", w.convention_b),
        ];
        let catalogue_forms = vec![
            "/produits/nouveau".to_string(),
            format!("/produits/{p}/modifier"),
            format!("/produits/{p}/versions"),
        ];
        let accounts = vec![
            "/comptes".to_string(),
            "/comptes?role=member&q=membre".to_string(),
            "/comptes/nouveau".to_string(),
            format!("/comptes/{}", k.member_a),
            format!("/comptes/{}/modifier", k.member_a),
        ];
        let cases: Vec<(&str, Vec<&Vec<String>>)> = vec![
            (
                "admin@t.test",
                vec![&everyone, &agency, &crm_forms, &catalogue_forms, &accounts],
            ),
            ("relation@t.test", vec![&everyone, &agency, &crm_forms]),
            ("support@t.test", vec![&everyone, &agency]),
            ("domaine@t.test", vec![&everyone, &agency]),
            ("membre.a@t.test", vec![&everyone]),
            ("referent.a@t.test", vec![&everyone, &accounts]),
        ];
        for (email, groups) in cases {
            let mut c = logged_in(&db, email).await;
            for path in groups.into_iter().flatten() {
                let r = c.get(path).await;
                assert_eq!(r.status, StatusCode::OK, "{email} {path}: {}", r.body);
                assert!(r.body.contains("<main id=\"contenu\""), "{email} {path}");
            }
        }
        // The same pages in English.
        let mut c = logged_in(&db, "admin@t.test").await;
        c.get("/langue/en").await;
        for (path, text) in [
            (
                "/deploiements".to_string(),
                "Products deployed in institutions",
            ),
            ("/conventions".to_string(), "Agreements with institutions"),
            ("/taches".to_string(), "Mark as done"),
            (format!("/produits/{p}"), "Lifecycle stage"),
            ("/comptes/nouveau".to_string(), "New account"),
        ] {
            let r = c.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.body.contains(text), "{path} in English");
        }
    }
);

#[test]
fn openapi_document_lists_the_new_routes() {
    let doc = serde_json::to_value(relais_web::api::openapi()).expect("json");
    for (path, methods) in [
        ("/api/v1/deployments", &["get", "post"][..]),
        ("/api/v1/deployments/{id}", &["get", "put"]),
        ("/api/v1/conventions", &["get", "post"]),
        ("/api/v1/conventions/{id}", &["get", "put"]),
        ("/api/v1/interactions", &["get", "post"]),
        ("/api/v1/interactions/{id}", &["get"]),
        ("/api/v1/tasks", &["get", "post"]),
        ("/api/v1/tasks/{id}/status", &["post"]),
        ("/api/v1/products", &["get", "post"]),
        ("/api/v1/products/{id}", &["get", "put"]),
        ("/api/v1/products/{id}/releases", &["post"]),
        ("/api/v1/users", &["get", "post"]),
        ("/api/v1/users/{id}", &["get", "put"]),
    ] {
        for m in methods {
            assert!(doc["paths"][path].get(*m).is_some(), "missing {m} {path}");
        }
    }
    for schema in [
        "DeploymentBody",
        "ConventionBody",
        "InteractionBody",
        "TaskBody",
        "ProductBody",
        "UserBody",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "missing schema {schema}"
        );
    }
}
