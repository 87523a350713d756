//! Ticket attachments on both engines: size limits, generated storage
//! names under the attachments folder, harmless display names, internal
//! files for agents only, what another institution sees depending on the
//! sharing choices, and attachments kept from inbound mail.

use relais_app::attachments as uc;
use relais_app::mail_io::{self, IngestOutcome, MailSettings};
use relais_app::support;
use relais_app::{App, AppError};
use relais_domain::accounts::{Actor, Role};
use relais_domain::{DomainError, Id};
use relais_store::Db;
use relais_testkit::{builders, db_test};
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct World {
    app: App,
    dir: PathBuf,
    agent: Actor,
    /// Members of A (the ticket's institution), B (same product), C (another
    /// product).
    a: Actor,
    b: Actor,
    c: Actor,
    relation: Actor,
    ticket: Id,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A production deployment, support covered.
async fn deploy(db: &Db, inst: Id, product: Id) {
    relais_testkit::builders::deploy(db, inst, product).await;
}

async fn world(db: &Db) -> World {
    let dir = relais_testkit::fresh_attachments_dir();
    let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    app.settings.attachments_dir = dir.clone();
    support::ensure_defaults(&app).await.expect("defaults");
    let product = builders::product(db, "sifac", "Sifac").await;
    let other = builders::product(db, "geslab", "Geslab").await;
    let inst_a = builders::institution(db, "Université A", "UA").await;
    let inst_b = builders::institution(db, "Université B", "UB").await;
    let inst_c = builders::institution(db, "Université C", "UC").await;
    deploy(db, inst_a, product).await;
    deploy(db, inst_b, product).await;
    deploy(db, inst_c, other).await;
    let (_, agent) = builders::user(db, "agent@amue.test", Role::Support, None).await;
    let (_, relation) = builders::user(db, "drem@amue.test", Role::Relation, None).await;
    let (_, a) = builders::user(
        db,
        "hugo.lambert@univ-exemple.fr",
        Role::Member,
        Some(inst_a),
    )
    .await;
    let (_, b) = builders::user(db, "bruno@ub.fr", Role::Member, Some(inst_b)).await;
    let (_, c) = builders::user(db, "chloe@uc.fr", Role::Member, Some(inst_c)).await;
    let ticket = support::create_ticket(
        &app,
        &a,
        None,
        relais_domain::support::TicketInput {
            product_id: product.to_string(),
            category: "anomalie".into(),
            severity: "majeur".into(),
            subject: "Plantage à l'export".into(),
            body: "Journal joint.".into(),
            ..Default::default()
        },
        "web",
    )
    .await
    .expect("ticket");
    World {
        app,
        dir,
        agent,
        a,
        b,
        c,
        relation,
        ticket,
    }
}

fn code_of(e: &AppError) -> Option<&'static str> {
    match e {
        AppError::Domain(DomainError::Invalid(errs)) => errs.first().map(|f| f.code),
        _ => None,
    }
}

fn is_not_found(e: &AppError) -> bool {
    matches!(e, AppError::Domain(DomainError::NotFound))
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// What is stored, as (the path its key names under the folder, bytes):
/// on SQLite the folder's files; on PostgreSQL the database's parts, every
/// node reading them (and the folder must stay empty).
async fn stored(app: &App, dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    if !relais_app::files::in_database(app) {
        return files_under(dir)
            .into_iter()
            .map(|p| {
                let b = std::fs::read(&p).expect("file");
                (p, b)
            })
            .collect();
    }
    assert!(
        files_under(dir).is_empty(),
        "nothing in the folder on PostgreSQL"
    );
    let mut c = app.db.read().await.expect("conn");
    let keys: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT storage_key FROM file_blobs ORDER BY storage_key")
            .fetch_all(&mut *c)
            .await
            .expect("keys");
    let mut out = Vec::new();
    for (k,) in keys {
        let b = relais_store::file_blobs::get(&mut c, &k)
            .await
            .expect("bytes");
        out.push((dir.join(k), b));
    }
    out
}

async fn events(app: &App, actor: &Actor, ticket: Id) -> Vec<(String, Option<String>)> {
    support::ticket_view(app, actor, ticket)
        .await
        .expect("view")
        .events
        .into_iter()
        .map(|e| (e.field, e.after_value))
        .collect()
}

db_test!(
    async fn sizes_are_checked_and_files_stored_under_generated_names(db: Db) {
        let mut w = world(&db).await;
        assert_eq!(
            App::new(db.clone(), Arc::new(relais_domain::SystemClock))
                .settings
                .max_attachment_bytes,
            10 * 1024 * 1024,
            "default limit"
        );
        w.app.settings.max_attachment_bytes = 1000;
        let e = uc::add_attachment(&w.app, &w.a, w.ticket, "vide.txt", "text/plain", b"", false)
            .await
            .expect_err("empty");
        assert_eq!(code_of(&e), Some("attachment_empty"));
        let e = uc::add_attachment(
            &w.app,
            &w.a,
            w.ticket,
            "gros.bin",
            "application/octet-stream",
            &[7u8; 1001],
            false,
        )
        .await
        .expect_err("too large");
        assert_eq!(code_of(&e), Some("attachment_too_large"));
        assert!(
            e.to_string().contains("taille maximale")
                || format!("{e:?}").contains("taille maximale")
        );
        assert!(
            stored(&w.app, &w.dir).await.is_empty(),
            "nothing written on refusal"
        );

        let content = vec![42u8; 1000];
        let id = uc::add_attachment(
            &w.app,
            &w.a,
            w.ticket,
            "journal.log",
            "text/plain; charset=utf-8",
            &content,
            false,
        )
        .await
        .expect("exactly at the limit");
        let list = uc::list_attachments(&w.app, &w.a, w.ticket)
            .await
            .expect("list");
        assert_eq!(list.len(), 1);
        let row = &list[0];
        assert_eq!(row.id, id.to_string());
        assert_eq!(row.file_name, "journal.log");
        assert_eq!(row.content_type, "text/plain");
        assert_eq!(row.size_bytes, 1000);
        assert_eq!(row.visibility, "public");
        assert_eq!(row.sha256, hex_sha(&content));
        assert_eq!(
            row.uploaded_by.as_deref(),
            Some(w.a.user_id.to_string().as_str())
        );
        // The stored name is generated: `<2 hex>/<32 hex>`, nothing of the
        // person's name, and it is the only file in the folder (no
        // temporary file left behind).
        assert!(!row.storage_key.contains("journal"));
        let (head, tail) = row.storage_key.split_once('/').expect("two levels");
        assert_eq!(head.len(), 2);
        assert_eq!(tail.len(), 32);
        assert!(tail.starts_with(head));
        assert!(tail.chars().all(|c| c.is_ascii_hexdigit()));
        let files = stored(&w.app, &w.dir).await;
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, w.dir.join(&row.storage_key));
        assert_eq!(files[0].1, content);
        let (opened, bytes) = uc::open_attachment(&w.app, &w.agent, w.ticket, id)
            .await
            .expect("open");
        assert_eq!(opened.id, row.id);
        assert_eq!(bytes, content);
        // The history says a file was added, with its display name.
        assert!(events(&w.app, &w.a, w.ticket)
            .await
            .contains(&("attachment".into(), Some("journal.log".into()))));
        // Another storage key for the same content: never derived from
        // the name or the bytes.
        let id2 = uc::add_attachment(
            &w.app,
            &w.a,
            w.ticket,
            "journal.log",
            "text/plain",
            &content,
            false,
        )
        .await
        .expect("again");
        let again = uc::open_attachment(&w.app, &w.a, w.ticket, id2)
            .await
            .expect("open")
            .0;
        assert_ne!(again.storage_key, row.storage_key);
    }
);

fn hex_sha(b: &[u8]) -> String {
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

db_test!(
    async fn path_like_and_script_names_are_harmless(db: Db) {
        let w = world(&db).await;
        let mut names = Vec::new();
        for (name, ctype) in [
            ("../../etc/passwd", "application/octet-stream"),
            ("<script>alert(1)</script>.html", "text/html"),
            ("..\\..\\Windows\\win.ini", "text/plain"),
            ("/", "text/plain"),
        ] {
            let id = uc::add_attachment(&w.app, &w.a, w.ticket, name, ctype, b"contenu", false)
                .await
                .expect(name);
            let (row, bytes) = uc::open_attachment(&w.app, &w.a, w.ticket, id)
                .await
                .expect("open");
            assert_eq!(bytes, b"contenu");
            for bad in ['/', '\\', '<', '>', '"'] {
                assert!(!row.file_name.contains(bad), "{bad} in {}", row.file_name);
            }
            assert!(!row.file_name.starts_with('.'), "{}", row.file_name);
            assert!(!row.storage_key.contains(".."));
            names.push(row.file_name);
        }
        assert_eq!(names[0], "passwd");
        assert_eq!(names[2], "win.ini");
        assert_eq!(names[3], "piece-jointe-1");
        // Every file is inside the folder, two levels down, and none is
        // named after what the person sent.
        let root = w.dir.canonicalize().expect("dir");
        let files: Vec<PathBuf> = stored(&w.app, &w.dir)
            .await
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(files.len(), 4);
        if relais_app::files::in_database(&w.app) {
            // Keys, not paths, on PostgreSQL: two levels, generated.
            for f in &files {
                let rel = f.strip_prefix(&w.dir).expect("inside");
                assert_eq!(rel.components().count(), 2);
            }
            return;
        }
        for f in &files {
            let f = f.canonicalize().expect("file");
            assert!(f.starts_with(&root), "{}", f.display());
            assert_eq!(
                f.strip_prefix(&root).expect("inside").components().count(),
                2
            );
            let n = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
            assert!(
                !["passwd", "win.ini"].contains(&n) && !n.contains("script"),
                "{n}"
            );
        }
    }
);

db_test!(
    async fn internal_files_are_for_agents_only(db: Db) {
        let w = world(&db).await;
        let e = uc::add_attachment(&w.app, &w.a, w.ticket, "x.txt", "text/plain", b"x", true)
            .await
            .expect_err("member internal");
        assert!(
            matches!(e, AppError::Domain(DomainError::Forbidden)),
            "{e:?}"
        );
        let e = uc::add_attachment(
            &w.app,
            &w.relation,
            w.ticket,
            "x.txt",
            "text/plain",
            b"x",
            false,
        )
        .await
        .expect_err("relation manager does not write on tickets");
        assert!(
            matches!(e, AppError::Domain(DomainError::Forbidden)),
            "{e:?}"
        );
        let public = uc::add_attachment(
            &w.app,
            &w.agent,
            w.ticket,
            "reponse.pdf",
            "application/pdf",
            b"%PDF",
            false,
        )
        .await
        .expect("agent public");
        let internal = uc::add_attachment(
            &w.app,
            &w.agent,
            w.ticket,
            "trace-editeur-SECRET.txt",
            "text/plain",
            b"trace interne",
            true,
        )
        .await
        .expect("agent internal");
        let agent_list = uc::list_attachments(&w.app, &w.agent, w.ticket)
            .await
            .expect("agent");
        assert_eq!(agent_list.len(), 2);
        assert_eq!(agent_list[1].visibility, "internal");
        let relation_list = uc::list_attachments(&w.app, &w.relation, w.ticket)
            .await
            .expect("relation");
        assert_eq!(relation_list.len(), 2, "agency staff read everything");
        let member = uc::list_attachments(&w.app, &w.a, w.ticket)
            .await
            .expect("member");
        assert_eq!(
            member.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
            vec![public.to_string()]
        );
        let e = uc::open_attachment(&w.app, &w.a, w.ticket, internal)
            .await
            .expect_err("hidden");
        assert!(is_not_found(&e), "{e:?}");
        uc::open_attachment(&w.app, &w.agent, w.ticket, internal)
            .await
            .expect("agent opens");
        // The member's history does not name the internal file; the
        // agent's does.
        let mine = events(&w.app, &w.a, w.ticket).await;
        assert!(
            mine.iter()
                .all(|(_, v)| v.as_deref() != Some("trace-editeur-SECRET.txt")),
            "{mine:?}"
        );
        assert!(mine.contains(&("attachment".into(), Some("reponse.pdf".into()))));
        let theirs = events(&w.app, &w.agent, w.ticket).await;
        assert!(theirs.contains(&(
            "attachment_internal".into(),
            Some("trace-editeur-SECRET.txt".into())
        )));
        // An attachment is only found through its own ticket.
        let other = support::create_ticket(
            &w.app,
            &w.a,
            None,
            relais_domain::support::TicketInput {
                product_id: support::get_ticket(&w.app, &w.a, w.ticket)
                    .await
                    .expect("t")
                    .product_id,
                category: "question".into(),
                severity: "mineur".into(),
                subject: "Autre".into(),
                body: "Autre".into(),
                ..Default::default()
            },
            "web",
        )
        .await
        .expect("other ticket");
        let e = uc::open_attachment(&w.app, &w.agent, other, public)
            .await
            .expect_err("wrong ticket");
        assert!(is_not_found(&e));
    }
);

db_test!(
    async fn other_institutions_see_files_only_when_shared_with_them(db: Db) {
        let w = world(&db).await;
        let public = uc::add_attachment(
            &w.app,
            &w.a,
            w.ticket,
            "capture.png",
            "image/png",
            b"\x89PNG",
            false,
        )
        .await
        .expect("public");
        let internal = uc::add_attachment(
            &w.app,
            &w.agent,
            w.ticket,
            "note.txt",
            "text/plain",
            b"interne",
            true,
        )
        .await
        .expect("internal");
        let hidden = |e: AppError| assert!(is_not_found(&e), "{e:?}");
        // Private ticket: B and C get NotFound for the list and the files.
        for x in [&w.b, &w.c] {
            hidden(
                uc::list_attachments(&w.app, x, w.ticket)
                    .await
                    .expect_err("private"),
            );
            hidden(
                uc::open_attachment(&w.app, x, w.ticket, public)
                    .await
                    .expect_err("private"),
            );
            hidden(
                uc::add_attachment(&w.app, x, w.ticket, "x.txt", "text/plain", b"x", false)
                    .await
                    .expect_err("private"),
            );
        }
        // Shared without its attachments: B reads the ticket, not its files.
        support::share(&w.app, &w.a, w.ticket, true, false, false)
            .await
            .expect("share");
        assert!(uc::list_attachments(&w.app, &w.b, w.ticket)
            .await
            .expect("list")
            .is_empty());
        hidden(
            uc::open_attachment(&w.app, &w.b, w.ticket, public)
                .await
                .expect_err("not shared"),
        );
        // Shared with its attachments: B gets the public file, never the
        // internal one, and not who sent it (the requester is not shared).
        support::share(&w.app, &w.a, w.ticket, true, false, true)
            .await
            .expect("share");
        let list = uc::list_attachments(&w.app, &w.b, w.ticket)
            .await
            .expect("list");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].id, public.to_string());
        assert_eq!(list[0].uploaded_by_name, uc::MASKED_UPLOADER);
        assert_eq!(list[0].uploaded_by, None);
        let (row, bytes) = uc::open_attachment(&w.app, &w.b, w.ticket, public)
            .await
            .expect("shared");
        assert_eq!(bytes, b"\x89PNG");
        assert_eq!(row.uploaded_by_name, uc::MASKED_UPLOADER);
        hidden(
            uc::open_attachment(&w.app, &w.b, w.ticket, internal)
                .await
                .expect_err("internal"),
        );
        // Reading is not writing: B may not add files to A's ticket.
        let e = uc::add_attachment(&w.app, &w.b, w.ticket, "x.txt", "text/plain", b"x", false)
            .await
            .expect_err("write");
        assert!(
            matches!(e, AppError::Domain(DomainError::Forbidden)),
            "{e:?}"
        );
        // With the requester shared too, the uploader is named.
        support::share(&w.app, &w.a, w.ticket, true, true, true)
            .await
            .expect("share");
        let list = uc::list_attachments(&w.app, &w.b, w.ticket)
            .await
            .expect("list");
        assert_eq!(list[0].uploaded_by_name, w.a.display_name);
        // C does not use the product: the ticket stays out of reach.
        hidden(
            uc::list_attachments(&w.app, &w.c, w.ticket)
                .await
                .expect_err("other product"),
        );
        hidden(
            uc::open_attachment(&w.app, &w.c, w.ticket, public)
                .await
                .expect_err("other product"),
        );
        // Unsharing hides the files again.
        support::share(&w.app, &w.a, w.ticket, false, false, false)
            .await
            .expect("unshare");
        hidden(
            uc::open_attachment(&w.app, &w.b, w.ticket, public)
                .await
                .expect_err("unshared"),
        );
    }
);

db_test!(
    async fn a_write_failure_leaves_no_row_and_postgres_keeps_files_in_the_database(db: Db) {
        let mut w = world(&db).await;
        // The folder is a plain file: nothing can be written under it.
        let blocker = w.dir.join("bloque");
        std::fs::write(&blocker, b"x").expect("file");
        w.app.settings.attachments_dir = blocker;
        if relais_app::files::in_database(&w.app) {
            // PostgreSQL keeps the bytes in the database, in the row's
            // transaction, so every node reads them: the folder is not used.
            let id = uc::add_attachment(&w.app, &w.a, w.ticket, "a.txt", "text/plain", b"a", false)
                .await
                .expect("stored in the database");
            let (_, bytes) = uc::open_attachment(&w.app, &w.a, w.ticket, id)
                .await
                .expect("read back");
            assert_eq!(bytes, b"a");
            return;
        }
        let e = uc::add_attachment(&w.app, &w.a, w.ticket, "a.txt", "text/plain", b"a", false)
            .await
            .expect_err("cannot write");
        assert!(matches!(e, AppError::Internal(_)), "{e:?}");
        assert!(uc::list_attachments(&w.app, &w.agent, w.ticket)
            .await
            .expect("list")
            .is_empty());
        assert!(!events(&w.app, &w.agent, w.ticket)
            .await
            .iter()
            .any(|(f, _)| f == "attachment"));
    }
);

fn mail_settings() -> MailSettings {
    MailSettings {
        smtp: relais_mail::SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: false,
            username: None,
            password: None,
            from: "Relais <support@relais.test>".into(),
        },
        reply: relais_mail::ReplyAddress::new(
            b"test secret of the reply addresses",
            "support@relais.test",
        ),
        base_url: "http://127.0.0.1:8080".into(),
        auth: relais_app::mail_gate::MailAuth {
            trusted_authserv_id: Some("mx.relais.test".into()),
            ..Default::default()
        },
    }
}

/// A corpus message as our MTA hands it over, with its verdict on top.
fn corpus(name: &str) -> Vec<u8> {
    let mut raw =
        b"Authentication-Results: mx.relais.test; dkim=pass header.d=univ-exemple.fr\r\n".to_vec();
    raw.extend(
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../mail/tests/corpus")
                .join(name),
        )
        .expect("corpus file"),
    );
    raw
}

db_test!(
    async fn inbound_mail_keeps_its_attachments(db: Db) {
        let mut w = world(&db).await;
        let s = mail_settings();
        // Hugo's mail with six files, some with dangerous names; the limit
        // is set so that three of them are over it.
        w.app.settings.max_attachment_bytes = 20;
        let IngestOutcome::NewTicket(t) =
            mail_io::ingest(&w.app, &s, &corpus("14-dangerous-filenames.eml"))
                .await
                .expect("ingest")
        else {
            panic!("expected a new ticket")
        };
        let list = uc::list_attachments(&w.app, &w.a, t).await.expect("list");
        let names: Vec<_> = list.iter().map(|a| a.file_name.as_str()).collect();
        assert_eq!(list.len(), 3, "{names:?}");
        assert!(names.iter().any(|n| n.ends_with(".exe")), "{names:?}");
        assert!(names.iter().any(|n| n.ends_with(".docx")), "{names:?}");
        for a in &list {
            assert_eq!(a.visibility, "public");
            assert!(
                a.uploaded_by_name.contains("hugo.lambert@univ-exemple.fr"),
                "{}",
                a.uploaded_by_name
            );
            assert!(a.message_id.is_some(), "linked to the first message");
            assert!(!a.file_name.contains('/') && !a.file_name.contains('\u{202E}'));
        }
        let (row, bytes) =
            uc::open_attachment(&w.app, &w.agent, t, Id::parse(&list[0].id).expect("id"))
                .await
                .expect("open");
        assert_eq!(bytes.len() as i64, row.size_bytes);
        // The oversized parts are named in the history, not kept.
        let skipped: Vec<_> = events(&w.app, &w.a, t)
            .await
            .into_iter()
            .filter(|(f, _)| f == "attachment_skipped")
            .filter_map(|(_, v)| v)
            .collect();
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(
            skipped.iter().any(|v| v.starts_with("passwd (")),
            "{skipped:?}"
        );
        assert!(
            skipped.iter().all(|v| v.contains("non conservée")),
            "{skipped:?}"
        );
        assert_eq!(stored(&w.app, &w.dir).await.len(), 3);

        // A reply by mail keeps its file on the same ticket, linked to the
        // reply's message.
        w.app.settings.max_attachment_bytes = 10 * 1024 * 1024;
        let reference = support::get_ticket(&w.app, &w.agent, t)
            .await
            .expect("t")
            .reference;
        let reply = format!(
            "Authentication-Results: mx.relais.test; dmarc=pass header.from=univ-exemple.fr\r\n\
             From: Hugo Lambert <hugo.lambert@univ-exemple.fr>\r\nTo: support@relais.test\r\n\
             Subject: Re: [Relais {reference}] Fichiers\r\nMessage-ID: <{}@univ-exemple.fr>\r\n\
             Date: Fri, 26 Mar 2021 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nLe journal complet.\r\n--b1\r\n\
             Content-Type: text/plain; name=\"journal-complet.log\"\r\n\
             Content-Disposition: attachment; filename=\"journal-complet.log\"\r\n\r\n\
             ligne 1\r\nligne 2\r\n--b1--\r\n",
            Id::new()
        );
        let IngestOutcome::Reply { ticket, message } =
            mail_io::ingest(&w.app, &s, reply.as_bytes())
                .await
                .expect("reply")
        else {
            panic!("expected a reply")
        };
        assert_eq!(ticket, t);
        let list = uc::list_attachments(&w.app, &w.a, t).await.expect("list");
        let kept = list
            .iter()
            .find(|a| a.file_name == "journal-complet.log")
            .expect("reply attachment kept");
        assert_eq!(
            kept.message_id.as_deref(),
            Some(message.to_string().as_str())
        );
        let (_, bytes) = uc::open_attachment(&w.app, &w.a, t, Id::parse(&kept.id).expect("id"))
            .await
            .expect("open");
        assert!(String::from_utf8_lossy(&bytes).contains("ligne 2"));
    }
);
