//! IMAP polling against a real Dovecot (issue 20, item 4), on both
//! engines. Each test starts its own `dovecot -F` with a throw-away
//! configuration (plaintext login on loopback, a passwd-file user, maildir
//! in a temp folder) on a free port, APPENDs messages, and runs the poller:
//! tickets made and mail moved; quarantined mail kept in its own folder; a
//! message delivered again, or left behind by a connection cut between the
//! commit and the move, handled once; a rebuilt folder (new UIDVALIDITY)
//! de-duplicated; IDLE wakes the running poller.
//!
//! `scripts/test.sh` installs Dovecot (`dovecot-imapd`) when it is missing.

use relais_app::mail_io::MailSettings;
use relais_app::mail_poll::{self, ImapMailbox, ImapTls, OnDone, Poller};
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::{builders, db_test};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const MX: &str = "Authentication-Results: mx.relais.test; dkim=pass header.d=ua.fr\r\n";
const MX_STRANGER: &str =
    "Authentication-Results: mx.relais.test; dkim=pass header.d=ailleurs.fr\r\n";

/// A Dovecot of our own; stopped (by its pid) and removed on drop.
struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
    /// Implicit TLS, when started with [`Dovecot::start_tls`].
    tls_port: u16,
    child: Child,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM to the master we started: it stops its own children.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// A test authority and a certificate it signs for localhost / 127.0.0.1
/// (rustls refuses a self-signed authority used as the server's own).
fn make_certificates(root: &std::path::Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(root)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Relais test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "key.pem",
        "-out",
        "req.pem",
    ]);
    std::fs::write(
        root.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "req.pem",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "cert.pem",
    ]);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port()
}

fn id_of(args: &[&str]) -> String {
    let out = Command::new("id").args(args).output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Dovecot {
    fn start() -> Dovecot {
        Dovecot::launch(false)
    }

    /// With a certificate of a test authority (`ca.pem` in its folder):
    /// STARTTLS on `port`, implicit TLS on `tls_port`.
    fn start_tls() -> Dovecot {
        Dovecot::launch(true)
    }

    fn ca_file(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }

    fn launch(tls: bool) -> Dovecot {
        let bin = ["/usr/sbin/dovecot", "/usr/bin/dovecot"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("dovecot is not installed: apt-get install -y dovecot-imapd (scripts/test.sh does it)");
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().to_path_buf();
        let run = root.join("run");
        let mail = root.join("mail");
        std::fs::create_dir_all(&run).expect("run");
        std::fs::create_dir_all(&mail).expect("mail");
        // Dovecot refuses to run its login processes as root and to give
        // mail to uid 0: as root, the mail belongs to its own `dovecot`
        // user; otherwise everything runs as the current user.
        let root_user = id_of(&["-u"]) == "0";
        let (uid, gid, internal, group, login) = if root_user {
            (
                id_of(&["-u", "dovecot"]),
                id_of(&["-g", "dovecot"]),
                "dovecot".to_string(),
                "dovecot".to_string(),
                "dovenull".to_string(),
            )
        } else {
            let me = id_of(&["-un"]);
            (
                id_of(&["-u"]),
                id_of(&["-g"]),
                me.clone(),
                id_of(&["-gn"]),
                me,
            )
        };
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        if root_user {
            let ok = Command::new("chown")
                .arg(format!("{uid}:{gid}"))
                .arg(&mail)
                .status()
                .expect("chown");
            assert!(ok.success());
        }
        std::fs::write(
            root.join("passwd"),
            format!(
                "relais:{{PLAIN}}secret:{uid}:{gid}::{}\n",
                mail.join("relais").display()
            ),
        )
        .expect("passwd");
        let port = free_port();
        let tls_port = if tls { free_port() } else { 0 };
        let ssl = if tls {
            make_certificates(&root);
            format!(
                "ssl = yes\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem\n",
                root = root.display()
            )
        } else {
            "ssl = no\n".to_string()
        };
        let conf = format!(
            r#"base_dir = {run}
state_dir = {run}
protocols = imap
listen = 127.0.0.1
{ssl}disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
"#,
            run = run.display(),
            root = root.display(),
        );
        let conf_path = root.join("dovecot.conf");
        std::fs::write(&conf_path, conf).expect("conf");
        let child = Command::new(bin)
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dovecot starts");
        let d = Dovecot {
            dir,
            port,
            tls_port,
            child,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return d;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(d.dir.path().join("dovecot.log")).unwrap_or_default();
        panic!("dovecot did not listen on {port}: {log}");
    }

    fn mailbox(&self) -> ImapMailbox {
        ImapMailbox {
            name: "test".into(),
            host: "127.0.0.1".into(),
            port: self.port,
            tls: ImapTls::None,
            user: "relais".into(),
            password: "secret".into(),
            poll_secs: 1,
            ..Default::default()
        }
    }
}

/// Client side of the test: APPEND, count, folders.
async fn append(mb: &ImapMailbox, folder: &str, raw: &[u8]) {
    let mut s = mail_poll::connect(mb).await.expect("login");
    s.append(folder, None, None, raw).await.expect("append");
    s.logout().await.expect("logout");
}

async fn count(mb: &ImapMailbox, folder: &str) -> u32 {
    let mut s = mail_poll::connect(mb).await.expect("login");
    let n = s.examine(folder).await.map(|m| m.exists).unwrap_or(0);
    s.logout().await.expect("logout");
    n
}

fn settings() -> MailSettings {
    MailSettings {
        smtp: relais_mail::SmtpConfig {
            host: String::new(),
            port: 25,
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

struct World {
    app: App,
    product: Id,
    inst: Id,
    admin: Actor,
}

async fn world(db: &Db) -> World {
    let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    app.settings.attachments_dir = relais_testkit::fresh_attachments_dir();
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
    let product = builders::product(db, "sifac", "Sifac").await;
    let inst = builders::institution(db, "Université A", "UA").await;
    builders::deploy(db, inst, product).await;
    builders::user(db, "anne@ua.fr", Role::Member, Some(inst)).await;
    let (_, admin) = builders::user(db, "admin@amue.test", Role::Admin, None).await;
    World {
        app,
        product,
        inst,
        admin,
    }
}

fn mail(top: &str, from: &str, subject: &str, mid: Option<&str>) -> Vec<u8> {
    let mid = mid
        .map(|m| format!("Message-ID: <{m}>\r\n"))
        .unwrap_or_default();
    format!(
        "{top}From: {from}\r\nTo: support@relais.test\r\nSubject: {subject}\r\n{mid}Date: Mon, 1 Mar 2021 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLe mandat est rejeté par Sifac.\r\n"
    )
    .into_bytes()
}

async fn ticket_count(db: &Db) -> i64 {
    let mut c = db.read().await.expect("c");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut *c)
        .await
        .expect("count");
    n
}

async fn held_count(db: &Db) -> i64 {
    let mut c = db.read().await.expect("c");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM mail_quarantine")
        .fetch_one(&mut *c)
        .await
        .expect("count");
    n
}

db_test!(
    async fn polled_mail_becomes_tickets_and_leaves_the_folder_once(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let dv = Dovecot::start();
        let mb = ImapMailbox {
            route: "aide@relais.test".into(),
            ..dv.mailbox()
        };
        // The polled mailbox's rule lets authenticated strangers in as a
        // triage ticket, although their To: names another address.
        relais_app::mail_gate::set_route(
            &w.app,
            &w.admin,
            relais_app::mail_gate::RouteInput {
                mailbox: "aide@relais.test".into(),
                unknown_sender: "ticket".into(),
                institution_id: Some(w.inst.to_string()),
                product_id: Some(w.product.to_string()),
            },
        )
        .await
        .expect("route");

        append(
            &mb,
            "INBOX",
            &mail(MX, "anne@ua.fr", "Erreur Sifac", Some("a1@ua.fr")),
        )
        .await;
        append(
            &mb,
            "INBOX",
            &mail(
                MX_STRANGER,
                "paul@ailleurs.fr",
                "Question",
                Some("p1@ailleurs.fr"),
            ),
        )
        .await;
        // Malformed: no sender at all.
        append(
            &mb,
            "INBOX",
            b"Subject: sans expediteur\r\nMessage-ID: <m1@x>\r\n\r\ncorps\r\n",
        )
        .await;
        // An out-of-office.
        append(
            &mb,
            "INBOX",
            &mail(
                &format!("{MX}Auto-Submitted: auto-replied\r\n"),
                "anne@ua.fr",
                "Absence",
                Some("auto1@ua.fr"),
            ),
        )
        .await;
        assert_eq!(count(&mb, "INBOX").await, 4);

        let mut p = Poller::new(mb.clone());
        let r = p.poll_once(&w.app, &s).await.expect("pass");
        assert_eq!(
            (
                r.fetched,
                r.tickets,
                r.quarantined,
                r.ignored,
                r.duplicates,
                r.failed
            ),
            (4, 2, 1, 1, 0, 0),
            "{r:?}"
        );
        assert_eq!(ticket_count(&db).await, 2);
        assert_eq!(held_count(&db).await, 1);
        // Handled mail moved out; the held one kept in its own folder.
        assert_eq!(count(&mb, "INBOX").await, 0);
        assert_eq!(count(&mb, "Relais-traites").await, 3);
        assert_eq!(count(&mb, "Relais-quarantaine").await, 1);
        // The stranger's ticket is on the triage institution of the rule.
        let (inst,): (String,) =
            sqlx::query_as("SELECT institution_id FROM tickets WHERE requester_email = $1")
                .bind("paul@ailleurs.fr")
                .fetch_one(&mut *db.read().await.expect("c"))
                .await
                .expect("triage ticket");
        assert_eq!(inst, w.inst.to_string());

        // The same message delivered again: one ticket, moved all the same.
        append(
            &mb,
            "INBOX",
            &mail(MX, "anne@ua.fr", "Erreur Sifac", Some("a1@ua.fr")),
        )
        .await;
        let r = p.poll_once(&w.app, &s).await.expect("pass");
        assert_eq!((r.fetched, r.duplicates, r.tickets), (1, 1, 0), "{r:?}");
        assert_eq!(ticket_count(&db).await, 2);
        assert_eq!(count(&mb, "INBOX").await, 0);

        // Nothing new: a pass reads nothing.
        let r = p.poll_once(&w.app, &s).await.expect("pass");
        assert_eq!(r.fetched, 0);
    }
);

/// A proxy between the poller and Dovecot that cuts both ways as soon as
/// the client sends a command containing `cut_on` (the move after the
/// commit): the crash window of the issue.
async fn cutting_proxy(upstream: u16, cut_on: &'static [u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = l.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((client, _)) = l.accept().await {
            let server = tokio::net::TcpStream::connect(("127.0.0.1", upstream))
                .await
                .expect("upstream");
            let (mut cr, mut cw) = client.into_split();
            let (mut sr, mut sw) = server.into_split();
            let down = tokio::spawn(async move {
                let _ = tokio::io::copy(&mut sr, &mut cw).await;
            });
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match cr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if buf[..n].windows(cut_on.len()).any(|w| w == cut_on) {
                        break; // cut: the command never reaches the server
                    }
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                down.abort();
            });
        }
    });
    port
}

db_test!(
    async fn a_connection_cut_after_the_commit_loses_and_duplicates_nothing(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let dv = Dovecot::start();
        let direct = dv.mailbox();
        // Without a Message-ID: the ledger keys it by its bytes.
        append(
            &direct,
            "INBOX",
            &mail(MX, "anne@ua.fr", "Sans identifiant", None),
        )
        .await;
        append(
            &direct,
            "INBOX",
            &mail(MX, "anne@ua.fr", "Second", Some("c2@ua.fr")),
        )
        .await;

        // Through the proxy the connection dies at the first MOVE: the
        // first message is committed, not moved.
        let cut = ImapMailbox {
            port: cutting_proxy(dv.port, b"UID MOVE").await,
            ..direct.clone()
        };
        let err = Poller::new(cut).poll_once(&w.app, &s).await;
        assert!(err.is_err(), "the pass must fail: {err:?}");
        assert_eq!(ticket_count(&db).await, 1);
        assert_eq!(count(&direct, "INBOX").await, 2);

        // The connection is back: the committed one is recognised and
        // moved, the other becomes a ticket; nothing is made twice.
        let r = Poller::new(direct.clone())
            .poll_once(&w.app, &s)
            .await
            .expect("pass");
        assert_eq!((r.fetched, r.duplicates, r.tickets), (2, 1, 1), "{r:?}");
        assert_eq!(ticket_count(&db).await, 2);
        assert_eq!(count(&direct, "INBOX").await, 0);
        assert_eq!(count(&direct, "Relais-traites").await, 2);
    }
);

db_test!(
    async fn a_rebuilt_folder_with_a_new_uidvalidity_is_read_again_without_duplicates(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let dv = Dovecot::start();
        let mb = ImapMailbox {
            folder: "Support".into(),
            on_done: OnDone::Flag,
            held_folder: String::new(),
            ..dv.mailbox()
        };
        {
            let mut c = mail_poll::connect(&mb).await.expect("login");
            c.create("Support").await.expect("create");
            c.logout().await.expect("logout");
        }
        let first = mail(MX, "anne@ua.fr", "Avant", Some("u1@ua.fr"));
        append(&mb, "Support", &first).await;
        let mut p = Poller::new(mb.clone());
        let r1 = p.poll_once(&w.app, &s).await.expect("pass");
        assert_eq!((r1.fetched, r1.tickets), (1, 1), "{r1:?}");
        // Flag mode: the message stays, marked, and is not read again.
        assert_eq!(count(&mb, "Support").await, 1);
        let again = p.poll_once(&w.app, &s).await.expect("pass");
        assert_eq!(again.fetched, 0, "{again:?}");

        // The folder is rebuilt (restored from a backup): new UIDVALIDITY,
        // the old message without its mark, plus a new one.
        {
            let mut c = mail_poll::connect(&mb).await.expect("login");
            c.delete("Support").await.expect("delete");
            c.create("Support").await.expect("create");
            c.logout().await.expect("logout");
        }
        append(&mb, "Support", &first).await;
        append(
            &mb,
            "Support",
            &mail(MX, "anne@ua.fr", "Après", Some("u2@ua.fr")),
        )
        .await;
        let r2 = p.poll_once(&w.app, &s).await.expect("pass");
        assert_ne!(r1.uid_validity, r2.uid_validity);
        assert_eq!((r2.fetched, r2.duplicates, r2.tickets), (2, 1, 1), "{r2:?}");
        assert_eq!(ticket_count(&db).await, 2);
        let r3 = p.poll_once(&w.app, &s).await.expect("pass");
        assert_eq!(r3.fetched, 0, "{r3:?}");
    }
);

db_test!(
    async fn the_running_poller_wakes_on_idle(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let dv = Dovecot::start();
        // A pause far longer than the test: only IDLE can wake it.
        let mb = ImapMailbox {
            poll_secs: 600,
            ..dv.mailbox()
        };
        let task = tokio::spawn(Poller::new(mb.clone()).run(w.app.clone(), s.clone()));
        // Let it make its first (empty) pass and enter IDLE.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        append(
            &mb,
            "INBOX",
            &mail(MX, "anne@ua.fr", "Réveil", Some("i1@ua.fr")),
        )
        .await;
        let mut made = false;
        for _ in 0..100 {
            if ticket_count(&db).await == 1 {
                made = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        task.abort();
        assert!(made, "IDLE did not wake the poller");
        for _ in 0..50 {
            if count(&mb, "INBOX").await == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(count(&mb, "INBOX").await, 0);
    }
);

/// Makes the database refuse every new Message-ID (the ledger's insert):
/// Relais cannot store anything, as when the database is unreachable.
async fn refuse_ledger(db: &Db, on: bool) {
    let mut c = db.read().await.expect("c");
    let stmts: &[&str] = match (db.engine(), on) {
        (relais_store::Engine::Sqlite, true) => &["CREATE TRIGGER refuse_ledger BEFORE INSERT ON mail_ledger BEGIN SELECT RAISE(ABORT, 'base indisponible'); END"],
        (relais_store::Engine::Sqlite, false) => &["DROP TRIGGER refuse_ledger"],
        (relais_store::Engine::Postgres, true) => &[
            "CREATE FUNCTION refuse_ledger() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'base indisponible'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_ledger BEFORE INSERT ON mail_ledger FOR EACH ROW EXECUTE FUNCTION refuse_ledger()",
        ],
        (relais_store::Engine::Postgres, false) => &["DROP TRIGGER refuse_ledger ON mail_ledger"],
    };
    for s in stmts {
        sqlx::query(s).execute(&mut *c).await.expect("trigger");
    }
}

db_test!(
    async fn a_message_relais_cannot_store_stays_on_the_server_until_it_can(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let dv = Dovecot::start();
        let mb = dv.mailbox();
        append(
            &mb,
            "INBOX",
            &mail(MX, "anne@ua.fr", "Pendant la panne", Some("f1@ua.fr")),
        )
        .await;
        refuse_ledger(&db, true).await;
        let mut p = Poller::new(mb.clone());
        for _ in 0..3 {
            let r = p.poll_once(&w.app, &s).await.expect("pass");
            assert_eq!((r.fetched, r.failed, r.tickets), (1, 1, 0), "{r:?}");
            // Untouched: still there, not moved, not flagged, not held.
            assert_eq!(count(&mb, "INBOX").await, 1);
            assert_eq!(count(&mb, "Relais-traites").await, 0);
        }
        assert_eq!(ticket_count(&db).await, 0);
        assert_eq!(held_count(&db).await, 0);
        // The database is back: handled once, then moved.
        refuse_ledger(&db, false).await;
        let r = p.poll_once(&w.app, &s).await.expect("pass");
        assert_eq!((r.fetched, r.failed, r.tickets), (1, 0, 1), "{r:?}");
        assert_eq!(ticket_count(&db).await, 1);
        assert_eq!(count(&mb, "INBOX").await, 0);
    }
);

db_test!(
    async fn tls_and_starttls_mailboxes_are_read_and_a_wrong_authority_refused(db: Db) {
        let w = world(&db).await;
        let s = settings();
        let dv = Dovecot::start_tls();
        let tls = ImapMailbox {
            host: "localhost".into(),
            port: dv.tls_port,
            tls: ImapTls::Tls,
            ca_file: dv.ca_file(),
            ..dv.mailbox()
        };
        let starttls = ImapMailbox {
            port: dv.port,
            tls: ImapTls::Starttls,
            ..tls.clone()
        };
        append(
            &tls,
            "INBOX",
            &mail(MX, "anne@ua.fr", "Par TLS", Some("t1@ua.fr")),
        )
        .await;
        let r = Poller::new(tls.clone())
            .poll_once(&w.app, &s)
            .await
            .expect("TLS pass");
        assert_eq!((r.fetched, r.tickets), (1, 1), "{r:?}");
        append(
            &starttls,
            "INBOX",
            &mail(MX, "anne@ua.fr", "Par STARTTLS", Some("t2@ua.fr")),
        )
        .await;
        let r = Poller::new(starttls)
            .poll_once(&w.app, &s)
            .await
            .expect("STARTTLS pass");
        assert_eq!((r.fetched, r.tickets), (1, 1), "{r:?}");
        assert_eq!(ticket_count(&db).await, 2);
        // Without the test authority the certificate is not trusted.
        let untrusted = ImapMailbox {
            ca_file: String::new(),
            ..tls
        };
        let err = Poller::new(untrusted).poll_once(&w.app, &s).await;
        assert!(
            err.as_ref().is_err_and(|e| e.to_string().contains("TLS")),
            "{err:?}"
        );
    }
);
