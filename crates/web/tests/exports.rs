//! CSV exports and the import page through the router, on both engines:
//! members find nothing there, agency staff download `text/csv`
//! attachments, key-account managers import with a line-by-line report.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use relais_domain::accounts::Role;
use relais_store::Db;
use relais_testkit::db_test;

db_test!(
    async fn members_find_no_export_nor_import(db: Db) {
        world(&db).await;
        for email in ["membre.a@t.test", "referent.a@t.test"] {
            let mut c = Client::new(db.clone());
            let r = c.login(email, PASSWORD).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            for path in [
                "/export/etablissements.csv",
                "/export/contacts.csv",
                "/import",
            ] {
                let r = c.get(path).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{email} {path}");
                assert!(
                    !r.body.contains("Bêta") && !r.body.contains("Bruno"),
                    "{path} leaked"
                );
            }
            c.get("/").await;
            let r = c
                .post_form(
                    "/import",
                    &[
                        ("type", "etablissements"),
                        ("csv", "nom;type\nPirate;autre\n"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{email} import");
        }
        // Anonymous visitors are sent to the login page.
        let r = Client::new(db.clone()).get("/export/contacts.csv").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/connexion"));
    }
);

db_test!(
    async fn agency_downloads_csv_attachments(db: Db) {
        world(&db).await;
        user(&db, "support@t.test", Role::Support, None).await;
        for email in ["relation@t.test", "support@t.test"] {
            let mut c = Client::new(db.clone());
            c.login(email, PASSWORD).await;
            for (path, name, header_line, expected) in [
                (
                    "/export/etablissements.csv",
                    "etablissements.csv",
                    "nom;sigle;type;uai;",
                    ["Université Alpha", "Université Bêta"],
                ),
                (
                    "/export/contacts.csv",
                    "contacts.csv",
                    "etablissement_uai;etablissement_sigle;etablissement;prenom;nom;",
                    ["Anne", "Bruno"],
                ),
            ] {
                let r = c.get(path).await;
                assert_eq!(r.status, StatusCode::OK, "{email} {path}");
                assert_eq!(r.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
                assert_eq!(
                    r.headers[header::CONTENT_DISPOSITION],
                    format!("attachment; filename=\"{name}\"").as_str()
                );
                assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
                assert!(
                    r.body.starts_with(&format!("\u{feff}{header_line}")),
                    "{}",
                    r.body
                );
                for e in expected {
                    assert!(r.body.contains(e), "{path}: {e} missing");
                }
            }
        }
    }
);

db_test!(
    async fn import_page_reports_bad_lines_then_imports(db: Db) {
        world(&db).await;
        // A support agent reads exports but does not import.
        user(&db, "support@t.test", Role::Support, None).await;
        let mut s = Client::new(db.clone());
        s.login("support@t.test", PASSWORD).await;
        assert_eq!(s.get("/import").await.status, StatusCode::FORBIDDEN);

        let mut c = Client::new(db.clone());
        c.login("relation@t.test", PASSWORD).await;
        let r = c.get("/import").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("<textarea id=\"csv\" name=\"csv\""),
            "{}",
            r.body
        );
        assert!(r.body.contains("nom ; sigle ; type ; uai"));

        let bad = "nom;type;uai\r\nNouvelle Université;universite;3310001C\r\nFausse;universite;0751717K\r\n<script>;chateau;\r\n";
        let r = c
            .post_form("/import", &[("type", "etablissements"), ("csv", bad)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("2 lignes refusées"), "{}", r.body);
        assert!(r.body.contains("<td>3</td><td>uai</td><td>La lettre de contrôle du code UAI ne correspond pas aux chiffres.</td>"), "{}", r.body);
        assert!(r.body.contains("<td>4</td><td>type</td>"), "{}", r.body);
        // The content comes back, escaped, to be corrected in place.
        let echo = r.body.split("<textarea").nth(1).unwrap_or("");
        assert!(
            echo.contains("script&#62;;chateau;") && !echo.contains("<script>"),
            "{echo}"
        );
        let r = c.get("/etablissements?q=nouvelle").await;
        assert!(
            !r.body.contains("Nouvelle Université"),
            "nothing was written"
        );

        c.get("/import").await;
        let good = "nom;type;uai\r\nNouvelle Université;universite;3310001C\r\nUniversité Alpha;universite;0751717J\r\n";
        let r = c
            .post_form("/import", &[("type", "etablissements"), ("csv", good)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body
                .contains("2 lignes importées : 1 créée, 0 mise à jour, 1 inchangée"),
            "{}",
            r.body
        );
        let r = c.get("/etablissements?q=nouvelle").await;
        assert!(r.body.contains("Nouvelle Université"));

        // A script sends the file itself as text/csv, with the CSRF header.
        let contacts = "\u{feff}etablissement_uai;prenom;nom;courriel\r\n3310001C;Nina;Nouvel;nina@nouvelle.fr\r\n";
        let cookies = c
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = Request::post("/import?type=contacts")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, cookies.clone())
            .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
            .header("x-csrf-token", c.csrf.clone())
            .body(Body::from(contacts))
            .expect("request");
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("1 ligne importée : 1 créée"), "{}", r.body);
        // …and without the token it is refused.
        let req = Request::post("/import?type=contacts")
            .header(header::HOST, "localhost")
            .header(header::COOKIE, cookies)
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(contacts))
            .expect("request");
        assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
    }
);
