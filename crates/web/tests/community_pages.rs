//! Community pages and API through the router, on both engines: a chargée
//! de domaine creates an event with the form (CSRF), a member registers
//! and a full event answers with the French `event_full` message; a member
//! of one institution never reads another's list subscribers (page and
//! API), a referent cannot unsubscribe another institution's contact
//! (404); the Sympa export is exact text for the agency and refused to
//! members; publication Markdown loses scripts, handlers and javascript:
//! links.

mod common;

use axum::http::StatusCode;
use common::*;
use relais_domain::accounts::Role;
use relais_domain::Id;
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
    async fn events_are_created_joined_and_refused_when_full(db: Db) {
        let w = world(&db).await;
        user(&db, "domaine@t.test", Role::Domain, None).await;
        user(&db, "membre.b@t.test", Role::Member, Some(w.b)).await;
        let mut lead = login(&db, "domaine@t.test").await;
        lead.get("/communautes/nouveau").await;
        let r = lead
            .post_form(
                "/communautes",
                &[
                    ("title", "Lab'U achat"),
                    ("kind", "labu"),
                    ("starts_at", "2099-03-15T09:30"),
                    ("ends_at", "2099-03-15T16:30"),
                    ("format", "presentiel"),
                    ("place", "Amue, Paris"),
                    ("capacity", "1"),
                    ("description", "Un **atelier**."),
                    ("resources", "Padlet | https://padlet.com/amue/labu-achat"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = id_from(&r.location(), "/communautes/");
        let page = lead.get(&format!("/communautes/{id}")).await;
        assert!(page.body.contains("https://padlet.com/amue/labu-achat"));
        assert!(page.body.contains("15/03/2099 09:30"), "Paris time shown");
        assert!(page.body.contains("<strong>atelier</strong>"));
        // A bad link is refused with a French field error, nothing created.
        lead.get("/communautes/nouveau").await;
        let r = lead
            .post_form(
                "/communautes",
                &[
                    ("title", "x"),
                    ("kind", "cafe"),
                    ("starts_at", "2099-03-15T09:30"),
                    ("ends_at", "2099-03-15T10:30"),
                    ("format", "visio"),
                    ("visio_url", "javascript:alert(1)"),
                    ("capacity", "10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("adresse web"));
        // Members cannot open the form.
        let mut member = login(&db, "membre.a@t.test").await;
        assert_eq!(
            member.get("/communautes/nouveau").await.status,
            StatusCode::FORBIDDEN
        );
        // The member registers (CSRF token from the page).
        let list = member.get("/communautes").await;
        assert!(list.body.contains("Lab&#39;U achat") || list.body.contains("Lab'U achat"));
        member.get(&format!("/communautes/{id}")).await;
        let r = member
            .post_form(&format!("/communautes/{id}/inscription"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Without the token: refused.
        let mut other = login(&db, "membre.b@t.test").await;
        let r = other
            .post_form(
                &format!("/communautes/{id}/inscription"),
                &[("_csrf", "faux")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The last seat is gone: French message, 422.
        other.get(&format!("/communautes/{id}")).await;
        let r = other
            .post_form(&format!("/communautes/{id}/inscription"), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("complet"), "{}", r.body);
        let r = other
            .json(
                "POST",
                &format!("/api/v1/events/{id}/registration"),
                json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "event_full");
        // The agency sees the registrant and marks attendance.
        let page = lead.get(&format!("/communautes/{id}")).await;
        assert!(page.body.contains("membre.a"));
        let reg = page
            .body
            .split("name=\"registration\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("registration id")
            .to_string();
        let r = lead
            .post_form(
                &format!("/communautes/{id}/presences"),
                &[("registration", &reg), ("attendance", "present")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let ev = lead
            .api_get(&format!("/api/v1/events/{id}"), None)
            .await
            .json();
        assert_eq!(ev["registrants"][0]["attendance"], "present");
        // Members get no registrant list from the API.
        let ev = other
            .api_get(&format!("/api/v1/events/{id}"), None)
            .await
            .json();
        assert!(ev.get("registrants").is_none());
        assert_eq!(ev["seats_taken"], 1);
    }
);

async fn list_with_both(db: &Db, w: &World) -> String {
    user(db, "domaine@t.test", Role::Domain, None).await;
    let mut lead = login(db, "domaine@t.test").await;
    // The session's CSRF token comes with the first page after login.
    lead.get("/communautes/listes").await;
    let r = lead
        .json(
            "POST",
            "/api/v1/mailing-lists",
            json!({"address": "finances@listes.amue.fr", "name": "Finances"}),
            None,
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_string();
    for c in [w.contact_a, w.contact_b] {
        let r = lead
            .json(
                "POST",
                &format!("/api/v1/mailing-lists/{id}/subscribers"),
                json!({"contact_id": c.to_string()}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    id
}

db_test!(
    async fn members_never_read_nor_change_another_institutions_subscribers(db: Db) {
        let w = world(&db).await;
        let id = list_with_both(&db, &w).await;
        // Member of A: page and API show anne@x.fr, never bruno@x.fr.
        let mut member = login(&db, "membre.a@t.test").await;
        let page = member.get(&format!("/communautes/listes/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("anne@x.fr"));
        assert!(!page.body.contains("bruno@x.fr"));
        assert!(!page.body.contains("export-sympa"));
        let api = member
            .api_get(&format!("/api/v1/mailing-lists/{id}"), None)
            .await;
        assert!(api.body.contains("anne@x.fr"));
        assert!(!api.body.contains("bruno@x.fr"));
        assert!(!api.body.contains(&w.contact_b.to_string()));
        assert_eq!(api.json()["subscribers"].as_array().map(Vec::len), Some(1));
        let lists = member.api_get("/api/v1/mailing-lists", None).await.json();
        assert_eq!(lists[0]["subscribers"], 1);
        // A plain member changes nothing (403); the referent of A cannot
        // unsubscribe B's contact (404, as if it did not exist), by page or API.
        member.get(&format!("/communautes/listes/{id}")).await;
        let r = member
            .post_form(
                &format!("/communautes/listes/{id}/abonnes/{}/retirer", w.contact_a),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut referent = login(&db, "referent.a@t.test").await;
        referent.get(&format!("/communautes/listes/{id}")).await;
        let r = referent
            .post_form(
                &format!("/communautes/listes/{id}/abonnes/{}/retirer", w.contact_b),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = referent
            .json(
                "DELETE",
                &format!("/api/v1/mailing-lists/{id}/subscribers/{}", w.contact_b),
                json!({}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = referent
            .json(
                "POST",
                &format!("/api/v1/mailing-lists/{id}/subscribers"),
                json!({"contact_id": w.contact_b.to_string()}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The referent's own contact: allowed, through the page.
        referent.get(&format!("/communautes/listes/{id}")).await;
        let r = referent
            .post_form(
                &format!("/communautes/listes/{id}/abonnes/{}/retirer", w.contact_a),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // B's contact is still subscribed.
        let mut rel = login(&db, "relation@t.test").await;
        let all = rel
            .api_get(&format!("/api/v1/mailing-lists/{id}"), None)
            .await
            .json();
        assert_eq!(all["subscribers"].as_array().map(Vec::len), Some(1));
        assert_eq!(all["subscribers"][0]["email"], "bruno@x.fr");
    }
);

db_test!(
    async fn the_sympa_export_is_plain_text_for_the_agency_only(db: Db) {
        let w = world(&db).await;
        let id = list_with_both(&db, &w).await;
        let mut rel = login(&db, "relation@t.test").await;
        let r = rel
            .get(&format!("/communautes/listes/{id}/export-sympa"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/plain"));
        assert!(r.headers["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("attachment"));
        assert_eq!(r.body, "anne@x.fr Anne Martin\nbruno@x.fr Bruno Martin\n");
        let api = rel
            .api_get(&format!("/api/v1/mailing-lists/{id}/export-sympa"), None)
            .await;
        assert_eq!(api.body, r.body);
        for who in ["membre.a@t.test", "referent.a@t.test"] {
            let mut m = login(&db, who).await;
            let r = m
                .get(&format!("/communautes/listes/{id}/export-sympa"))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
            assert!(!r.body.contains("bruno@x.fr"));
            let r = m
                .api_get(&format!("/api/v1/mailing-lists/{id}/export-sympa"), None)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        }
        let missing = Id::new();
        let r = rel
            .get(&format!("/communautes/listes/{missing}/export-sympa"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

db_test!(
    async fn publications_render_markdown_without_scripts(db: Db) {
        let _w = world(&db).await;
        user(&db, "domaine@t.test", Role::Domain, None).await;
        let mut lead = login(&db, "domaine@t.test").await;
        lead.get("/publications/nouvelle").await;
        let body = "## Fiche\n\n<script>alert('x')</script>\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n\n[cliquez](javascript:alert(2)) et [Amue](https://www.amue.fr)\n\n<a href=\"javascript:alert(3)\" onclick=\"alert(4)\">lien</a><style>body{display:none}</style>";
        let r = lead
            .post_form(
                "/publications",
                &[
                    ("title", "Fiche Zoom : test"),
                    ("kind", "fiche_zoom"),
                    ("published_on", "2021-01-10"),
                    ("body", body),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = id_from(&r.location(), "/publications/");
        let mut member = login(&db, "membre.a@t.test").await;
        let page = member.get(&format!("/publications/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let article = page
            .body
            .split("class=\"article-body\"")
            .nth(1)
            .expect("body");
        assert!(article.contains("<h2>Fiche</h2>"));
        assert!(article.contains("href=\"https://www.amue.fr\""));
        for bad in [
            "<script",
            "alert('x')",
            "onerror",
            "onclick",
            "javascript:",
            "<style",
            "display:none",
        ] {
            assert!(!article.contains(bad), "{bad} survived");
        }
        let api = member
            .api_get(&format!("/api/v1/publications/{id}"), None)
            .await
            .json();
        let html = api["body_html"].as_str().expect("html");
        for bad in ["<script", "onerror", "onclick", "javascript:", "<style"] {
            assert!(!html.contains(bad), "{bad} survived in the API");
        }
        let list = member.get("/publications").await;
        assert!(list.body.contains("Fiche Zoom : test"));
        assert_eq!(
            member.get("/publications/nouvelle").await.status,
            StatusCode::FORBIDDEN
        );
        let r = member
            .json(
                "POST",
                "/api/v1/publications",
                json!({"kind": "guide", "title": "x", "body": "y"}),
                None,
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

#[test]
fn openapi_lists_the_community_routes() {
    let doc = serde_json::to_value(relais_web::api::openapi()).expect("json");
    for p in [
        "/api/v1/events",
        "/api/v1/events/{id}/registration",
        "/api/v1/events/{id}/attendance",
        "/api/v1/mailing-lists/{id}/subscribers/{contact_id}",
        "/api/v1/mailing-lists/{id}/export-sympa",
        "/api/v1/publications/{id}",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing");
    }
}

const FILE_BOUNDARY: &str = "----relais-publication-boundary-42";

async fn upload_file(c: &mut Client, path: &str, name: &str, content: &[u8]) -> Resp {
    use axum::body::Body;
    use axum::http::{header, Request};
    let mut body = format!(
        "--{FILE_BOUNDARY}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{FILE_BOUNDARY}--\r\n").as_bytes());
    let cookie = c
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let req = Request::post(format!("{path}?_csrf={}", urlencoding::encode(&c.csrf)))
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={FILE_BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .expect("request");
    c.send(req).await
}

db_test!(
    async fn publications_carry_files_for_their_readers_only(db: Db) {
        let _w = world(&db).await;
        user(&db, "domaine@t.test", Role::Domain, None).await;
        let mut lead = login(&db, "domaine@t.test").await;
        lead.get("/publications/nouvelle").await;
        let mut ids = vec![];
        for (title, date) in [
            ("Guide Siham", "2021-01-10"),
            ("Guide à venir", "2099-01-10"),
        ] {
            let r = lead
                .post_form(
                    "/publications",
                    &[
                        ("title", title),
                        ("kind", "guide"),
                        ("published_on", date),
                        ("body", "Texte."),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            ids.push(id_from(&r.location(), "/publications/"));
        }
        let page = lead.get(&format!("/publications/{}", ids[0])).await;
        assert!(page.body.contains("Joindre un fichier"));
        let r = upload_file(
            &mut lead,
            &format!("/publications/{}/fichiers", ids[0]),
            "../../guide <siham>.pdf",
            b"%PDF-1.4 guide",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        lead.get(&format!("/publications/{}", ids[1])).await;
        let r = upload_file(
            &mut lead,
            &format!("/publications/{}/fichiers", ids[1]),
            "futur.pdf",
            b"%PDF-1.4 futur",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let file_of = |db: Db, p: String| async move {
            let mut c = db.read().await.expect("c");
            let (id,): (String,) =
                sqlx::query_as("SELECT id FROM publication_files WHERE publication_id = $1")
                    .bind(p)
                    .fetch_one(&mut *c)
                    .await
                    .expect("file");
            id
        };
        let f0 = file_of(db.clone(), ids[0].clone()).await;
        let f1 = file_of(db.clone(), ids[1].clone()).await;

        let mut member = login(&db, "membre.a@t.test").await;
        let page = member.get(&format!("/publications/{}", ids[0])).await;
        assert!(
            !page.body.contains("Joindre un fichier"),
            "members do not upload"
        );
        assert!(page
            .body
            .contains(&format!("/publications/{}/fichiers/{f0}", ids[0])));
        let r = member
            .get(&format!("/publications/{}/fichiers/{f0}", ids[0]))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, "%PDF-1.4 guide");
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/octet-stream")
        );
        let cd = r
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(cd.starts_with("attachment") && !cd.contains(".."), "{cd}");
        // A publication dated in the future is not there yet, nor its file.
        assert_eq!(
            member
                .get(&format!("/publications/{}/fichiers/{f1}", ids[1]))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // A file of another publication is not found through this one.
        assert_eq!(
            member
                .get(&format!("/publications/{}/fichiers/{f1}", ids[0]))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = upload_file(
            &mut member,
            &format!("/publications/{}/fichiers", ids[0]),
            "x.pdf",
            b"x",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);
