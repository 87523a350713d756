//! The routing rules page through the router, on both engines: an admin
//! lists, adds (with French errors on a bad form) and deletes rules; other
//! roles get 403 on every route, reading or writing; a post without the
//! CSRF token is refused.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::db_test;

async fn team(db: &Db, code: &str, name: &str) -> Id {
    let mut tx = db.begin().await.expect("tx");
    let t = Id::new();
    relais_store::support::insert_team(
        &mut tx,
        t,
        code,
        name,
        None,
        None,
        "2021-01-01T00:00:00.000Z",
    )
    .await
    .expect("team");
    tx.commit().await.expect("commit");
    t
}

async fn rules(db: &Db) -> Vec<relais_store::triage::RoutingRuleRow> {
    let mut c = db.read().await.expect("read");
    relais_store::triage::list_rules(&mut c)
        .await
        .expect("rules")
}

db_test!(
    async fn admins_manage_rules_and_nobody_else(db: Db) {
        let w = world(&db).await;
        let rh = team(&db, "rh", "Pôle Ressources humaines").await;
        let mut admin = Client::new(db.clone());
        admin.login("admin@t.test", PASSWORD).await;

        let r = admin.get("/admin/routage").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("<th scope=\"col\">Mot-clé</th>"),
            "{}",
            r.body
        );
        let r = admin.get("/admin/routage/nouvelle").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Pôle Ressources humaines"));
        assert!(r.body.contains("<label for=\"keyword\">"));

        // A rule without a condition: the form again, with the French error.
        let r = admin
            .post_form("/admin/routage", &[("team_id", &rh.to_string())])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .body
            .contains("au moins un produit, un mot-clé ou un établissement"));
        assert!(rules(&db).await.is_empty());

        // Without the CSRF token: refused, nothing written.
        let r = admin
            .post_form(
                "/admin/routage",
                &[
                    ("_csrf", "faux"),
                    ("keyword", "DSN"),
                    ("team_id", &rh.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(rules(&db).await.is_empty());

        let r = admin
            .post_form(
                "/admin/routage",
                &[
                    ("keyword", "DSN"),
                    ("institution_id", &w.a.to_string()),
                    ("team_id", &rh.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let saved = rules(&db).await;
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].keyword.as_deref(), Some("DSN"));
        assert_eq!(saved[0].institution_id, Some(w.a.to_string()));
        let rule = saved[0].id.clone();
        let r = admin.get("/admin/routage").await;
        assert!(r.body.contains("DSN") && r.body.contains("Université Alpha"));
        assert!(r.body.contains(&format!("/admin/routage/{rule}/supprimer")));

        // Every other role: 403 on each route, and nothing changes.
        for email in ["membre.a@t.test", "referent.a@t.test", "agent@t.test"] {
            if email == "agent@t.test" {
                user(&db, email, Role::Support, None).await;
            }
            let mut c = Client::new(db.clone());
            c.login(email, PASSWORD).await;
            for path in [
                "/admin/routage".to_string(),
                "/admin/routage/nouvelle".to_string(),
                format!("/admin/routage/{rule}/supprimer"),
            ] {
                let r = c.get(&path).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{email} GET {path}");
            }
            c.get("/").await;
            let r = c
                .post_form(
                    "/admin/routage",
                    &[("keyword", "paie"), ("team_id", &rh.to_string())],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{email} create");
            let r = c
                .post_form(&format!("/admin/routage/{rule}/supprimer"), &[])
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{email} delete");
        }
        assert_eq!(rules(&db).await.len(), 1);

        // The admin deletes it through the confirmation page.
        let r = admin.get(&format!("/admin/routage/{rule}/supprimer")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("mot-clé « DSN »"), "{}", r.body);
        let r = admin
            .post_form(&format!("/admin/routage/{rule}/supprimer"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(rules(&db).await.is_empty());
        let r = admin
            .post_form(&format!("/admin/routage/{rule}/supprimer"), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "already gone");
    }
);
