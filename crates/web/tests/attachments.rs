//! Ticket attachments through the router, on both engines: upload by the
//! page route with the CSRF token in the query (and refused without it),
//! downloads with headers that never let a file render in our origin, the
//! size limit answered with the French page or the JSON envelope, 404 for
//! members of another institution (private ticket, internal file) by page
//! and API, and the API's list and upload.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::support::TicketInput;
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::Arc;

const BOUNDARY: &str = "----relais-test-boundary-7MA4YWxkTrZu0gW";

struct Desk {
    app: App,
    ticket: Id,
}

async fn actor(db: &Db, email: &str) -> Actor {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    relais_app::accounts::actor_of(&u).expect("actor")
}

/// Sifac deployed at Alpha and Bêta; a ticket of Alpha's member; an agent
/// and a member of Bêta.
async fn desk(db: &Db, w: &World) -> Desk {
    let app = relais_testkit::app(db.clone(), Arc::new(relais_domain::SystemClock));
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
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
    user(db, "agent@t.test", Role::Support, None).await;
    user(db, "membre.b@t.test", Role::Member, Some(w.b)).await;
    let member = actor(db, "membre.a@t.test").await;
    let ticket = relais_app::support::create_ticket(
        &app,
        &member,
        None,
        TicketInput {
            product_id: product.to_string(),
            category: "anomalie".into(),
            severity: "majeur".into(),
            subject: "Export en erreur".into(),
            body: "Voir la pièce jointe.".into(),
            ..Default::default()
        },
        "web",
    )
    .await
    .expect("ticket");
    Desk { app, ticket }
}

async fn logged_in(db: &Db, email: &str) -> Client {
    let mut c = Client::new(db.clone());
    let r = c.login(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {email}: {}", r.body);
    c.get("/").await;
    assert!(!c.csrf.is_empty(), "csrf token scraped");
    c
}

fn multipart(file_name: &str, content: &[u8], internal: bool) -> Vec<u8> {
    let mut b = Vec::new();
    if internal {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"interne\"\r\n\r\n1\r\n"
            )
            .as_bytes(),
        );
    }
    b.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{file_name}\"\r\n\
             Content-Type: text/html\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn cookies(c: &Client) -> String {
    c.cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Posts a multipart upload with the session cookie; `csrf_query` puts
/// the token in the query string (pages), `csrf_header` in `X-CSRF-Token`
/// (API).
async fn upload(
    c: &mut Client,
    path: &str,
    body: Vec<u8>,
    csrf_query: bool,
    csrf_header: bool,
) -> Resp {
    let uri = if csrf_query {
        format!("{path}?_csrf={}", urlencoding::encode(&c.csrf))
    } else {
        path.to_string()
    };
    let mut b = Request::post(uri)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookies(c))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, body.len());
    if csrf_header {
        b = b.header("x-csrf-token", c.csrf.clone());
    }
    c.send(b.body(Body::from(body)).expect("request")).await
}

fn h(r: &Resp, name: header::HeaderName) -> String {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn assert_download_headers(r: &Resp, disposition: &str) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(h(r, header::CONTENT_TYPE), "application/octet-stream");
    assert_eq!(h(r, header::CONTENT_DISPOSITION), disposition);
    assert_eq!(h(r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(
        h(r, header::CONTENT_SECURITY_POLICY),
        "sandbox; default-src 'none'"
    );
    assert_eq!(h(r, header::CACHE_CONTROL), "private, no-store");
}

async fn list(c: &mut Client, ticket: Id) -> Vec<serde_json::Value> {
    let r = c
        .api_get(&format!("/api/v1/tickets/{ticket}/attachments"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().cloned().expect("array")
}

db_test!(
    async fn page_upload_with_csrf_then_a_download_that_never_renders(db: Db) {
        let w = world(&db).await;
        let d = desk(&db, &w).await;
        let mut a = logged_in(&db, "membre.a@t.test").await;
        let path = format!("/support/{}/pieces", d.ticket);
        // The helper the ticket page uses builds the same action.
        assert_eq!(
            relais_web::kit::files::upload_form_action(&d.ticket.to_string(), &a.csrf),
            format!("{path}?_csrf={}", urlencoding::encode(&a.csrf))
        );
        let html = b"<html><body><script>alert(document.cookie)</script></body></html>";
        let r = upload(
            &mut a,
            &path,
            multipart("<script>alert(1)</script>.html", html, false),
            true,
            false,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), format!("/support/{}?ok=piece", d.ticket));

        let items = list(&mut a, d.ticket).await;
        assert_eq!(items.len(), 1, "{items:?}");
        let name = items[0]["file_name"].as_str().expect("name").to_string();
        assert!(!name.contains('<') && !name.contains('/'), "{name}");
        assert_eq!(items[0]["visibility"], "public");
        assert_eq!(items[0]["size_bytes"], html.len());
        assert!(items[0].get("storage_key").is_none(), "never exposed");
        let att = items[0]["id"].as_str().expect("id").to_string();
        assert_eq!(
            items[0]["download_url"],
            format!("/support/{}/pieces/{att}", d.ticket)
        );

        let expected = format!("attachment; filename=\"{name}\"; filename*=UTF-8''{name}");
        let r = a.get(&format!("{path}/{att}")).await;
        assert_download_headers(&r, &expected);
        assert_eq!(r.body.as_bytes(), html);
        // The API serves the same bytes with the same headers.
        let r = a
            .api_get(
                &format!("/api/v1/tickets/{}/attachments/{att}", d.ticket),
                None,
            )
            .await;
        assert_download_headers(&r, &expected);
        assert_eq!(r.body.as_bytes(), html);

        // A name outside ASCII: an ASCII fallback and the exact UTF-8 name.
        let r = upload(
            &mut a,
            &path,
            multipart("relevé d'été.pdf", b"%PDF-1.4", false),
            true,
            false,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let items = list(&mut a, d.ticket).await;
        let pdf = items
            .iter()
            .find(|i| i["file_name"] == "relevé d'été.pdf")
            .expect("pdf");
        let r = a.get(pdf["download_url"].as_str().expect("url")).await;
        assert_download_headers(
            &r,
            "attachment; filename=\"relev_ d'_t_.pdf\"; filename*=UTF-8''relev%C3%A9%20d%27%C3%A9t%C3%A9.pdf",
        );

        // Anonymous: sent to the login page, nothing served.
        let mut anon = Client::new(db.clone());
        let r = anon.get(&format!("{path}/{att}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location().starts_with("/connexion"));
    }
);

db_test!(
    async fn uploads_without_the_csrf_token_are_refused(db: Db) {
        let w = world(&db).await;
        let d = desk(&db, &w).await;
        let mut a = logged_in(&db, "membre.a@t.test").await;
        let path = format!("/support/{}/pieces", d.ticket);
        let r = upload(&mut a, &path, multipart("a.txt", b"a", false), false, false).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let wrong = format!("{path}?_csrf=not-the-token");
        let r = upload(
            &mut a,
            &wrong,
            multipart("a.txt", b"a", false),
            false,
            false,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let api = format!("/api/v1/tickets/{}/attachments", d.ticket);
        let r = upload(&mut a, &api, multipart("a.txt", b"a", false), false, false).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(list(&mut a, d.ticket).await.is_empty(), "nothing stored");
        assert!(relais_app::attachments::list_attachments(
            &d.app,
            &actor(&db, "agent@t.test").await,
            d.ticket
        )
        .await
        .expect("list")
        .is_empty());
    }
);

db_test!(
    async fn oversized_and_empty_files_are_refused_in_french(db: Db) {
        let w = world(&db).await;
        let d = desk(&db, &w).await;
        let mut a = logged_in(&db, "membre.a@t.test").await;
        let path = format!("/support/{}/pieces", d.ticket);
        let max = d.app.settings.max_attachment_bytes as usize;
        let big = vec![b'x'; max + 1];
        let r = upload(
            &mut a,
            &path,
            multipart("gros.bin", &big, false),
            true,
            false,
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.body.contains("attachment_too_large"), "{}", r.body);
        assert!(
            r.body.contains("taille maximale autorisée (10 Mo)"),
            "{}",
            r.body
        );
        assert!(r.body.contains("<html lang=\"fr\""), "French page");
        // Exactly at the limit is accepted.
        let at_limit = vec![b'x'; max];
        let r = upload(
            &mut a,
            &path,
            multipart("limite.bin", &at_limit, false),
            true,
            false,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}",
            &r.body[..r.body.len().min(500)]
        );
        // The API answers with the JSON envelope.
        let api = format!("/api/v1/tickets/{}/attachments", d.ticket);
        let r = upload(
            &mut a,
            &api,
            multipart("gros.bin", &big, false),
            false,
            true,
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.json()["errors"][0]["code"], "attachment_too_large");
        assert_eq!(r.json()["errors"][0]["field"], "fichier");
        let r = upload(&mut a, &api, multipart("vide.txt", b"", false), false, true).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["code"], "attachment_empty");
        let r = upload(
            &mut a,
            &path,
            multipart("vide.txt", b"", false),
            true,
            false,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Le fichier est vide"), "{}", r.body);
        assert_eq!(list(&mut a, d.ticket).await.len(), 1);
    }
);

db_test!(
    async fn other_institutions_and_internal_files_answer_404(db: Db) {
        let w = world(&db).await;
        let d = desk(&db, &w).await;
        let mut a = logged_in(&db, "membre.a@t.test").await;
        let mut agent = logged_in(&db, "agent@t.test").await;
        let mut b = logged_in(&db, "membre.b@t.test").await;
        let page = format!("/support/{}/pieces", d.ticket);
        let api = format!("/api/v1/tickets/{}/attachments", d.ticket);
        let r = upload(
            &mut a,
            &page,
            multipart("public.txt", b"public", false),
            true,
            false,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // A member cannot make a file internal.
        let r = upload(&mut a, &page, multipart("x.txt", b"x", true), true, false).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = upload(
            &mut agent,
            &page,
            multipart("interne.txt", b"SECRET", true),
            true,
            false,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let all = list(&mut agent, d.ticket).await;
        assert_eq!(all.len(), 2);
        let id_of = |n: &str| {
            all.iter()
                .find(|i| i["file_name"] == n)
                .and_then(|i| i["id"].as_str())
                .expect(n)
                .to_string()
        };
        let (public, internal) = (id_of("public.txt"), id_of("interne.txt"));
        assert_eq!(
            all.iter()
                .find(|i| i["file_name"] == "interne.txt")
                .expect("i")["visibility"],
            "internal"
        );

        // Bêta, private ticket: 404 by page and API, list included.
        for att in [&public, &internal] {
            let r = b.get(&format!("{page}/{att}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            assert!(!r.body.contains("public") && !r.body.contains("SECRET"));
            let r = b.api_get(&format!("{api}/{att}"), None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            assert_eq!(r.json()["errors"][0]["code"], "not_found");
        }
        let r = b.api_get(&api, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = upload(&mut b, &page, multipart("b.txt", b"b", false), true, false).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        // The internal file is 404 for the ticket's own member too.
        let r = a.get(&format!("{page}/{internal}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = a.api_get(&format!("{api}/{internal}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(list(&mut a, d.ticket).await.len(), 1);
        // A made-up id and an id that is not one: the same 404.
        let r = a.get(&format!("{page}/{}", Id::new())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = a.get(&format!("{page}/..%2F..%2Fetc%2Fpasswd")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Shared with its attachments: Bêta gets the public file, still
        // never the internal one.
        let me = actor(&db, "membre.a@t.test").await;
        relais_app::support::share(&d.app, &me, d.ticket, true, false, true)
            .await
            .expect("share");
        let r = b.get(&format!("{page}/{public}")).await;
        assert_download_headers(
            &r,
            "attachment; filename=\"public.txt\"; filename*=UTF-8''public.txt",
        );
        assert_eq!(r.body, "public");
        let items = list(&mut b, d.ticket).await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["uploaded_by_name"], "Auteur non communiqué");
        let r = b.get(&format!("{page}/{internal}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = b.api_get(&format!("{api}/{internal}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Reading a shared ticket does not let Bêta add files to it.
        let r = upload(&mut b, &page, multipart("b.txt", b"b", false), true, false).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
);

db_test!(
    async fn api_lists_and_uploads(db: Db) {
        let w = world(&db).await;
        let d = desk(&db, &w).await;
        let mut agent = logged_in(&db, "agent@t.test").await;
        let mut a = logged_in(&db, "membre.a@t.test").await;
        let api = format!("/api/v1/tickets/{}/attachments", d.ticket);
        assert!(list(&mut agent, d.ticket).await.is_empty());
        let r = upload(
            &mut agent,
            &api,
            multipart("trace.log", b"trace", true),
            false,
            true,
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let internal = r.json()["id"].as_str().expect("id").to_string();
        let r = upload(
            &mut a,
            &api,
            multipart("capture.txt", b"capture", false),
            false,
            true,
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let public = r.json()["id"].as_str().expect("id").to_string();
        let items = list(&mut agent, d.ticket).await;
        assert_eq!(
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap_or(""))
                .collect::<Vec<_>>(),
            vec![internal.as_str(), public.as_str()]
        );
        assert_eq!(items[0]["visibility"], "internal");
        assert_eq!(items[1]["uploaded_by_name"], "membre.a");
        assert_eq!(items[1]["content_type"], "text/html");
        assert_eq!(items[1]["size_bytes"], 7);
        let sha: String = <sha2::Sha256 as sha2::Digest>::digest(b"capture")
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect();
        assert_eq!(items[1]["sha256"], sha);
        let mine = list(&mut a, d.ticket).await;
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["id"], public.as_str());
        let r = a
            .api_get(
                &format!("/api/v1/tickets/{}/attachments/{public}", d.ticket),
                None,
            )
            .await;
        assert_eq!(r.body, "capture");
        // Bad ids: 404, like everything out of reach.
        let r = a
            .api_get("/api/v1/tickets/pas-un-id/attachments", None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The routes are in the OpenAPI document.
        let doc = serde_json::to_value(relais_web::api::openapi()).expect("json");
        let paths = &doc["paths"];
        assert!(paths["/api/v1/tickets/{id}/attachments"]["get"].is_object());
        assert!(
            paths["/api/v1/tickets/{id}/attachments"]["post"]["requestBody"]["content"]
                ["multipart/form-data"]
                .is_object()
        );
        assert!(paths["/api/v1/tickets/{id}/attachments/{att}"]["get"].is_object());
    }
);
