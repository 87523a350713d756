//! Two `relais serve` processes on one PostgreSQL database, each with its
//! own data folder (its own search index), both sending mail to one real
//! SMTP server (aiosmtpd): a ticket filed on A is found by B's search within
//! 5 seconds, its attachment downloads from B, a session opened on A works
//! on B, and every notification is sent once although both nodes run the
//! mail queue.

use relais_domain::accounts::Role;
use relais_domain::Id;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_relais");

struct Node {
    child: Child,
    addr: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, url: &str, smtp_port: u16) -> Node {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("RELAIS_LOG", "warn")
        .env("RELAIS_SECURE_COOKIES", "false")
        .env("RELAIS_DATABASE_URL", url)
        .env("RELAIS_SMTP_HOST", "127.0.0.1")
        .env("RELAIS_SMTP_PORT", smtp_port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains("http://127.0.0.1:") => {
                let addr = l.split("http://").nth(1).expect("url").trim().to_string();
                return Node { child, addr };
            }
            Some(_) => {}
            None => panic!("the server stopped before serving"),
        }
    }
}

/// aiosmtpd on loopback, writing each message it receives into a folder.
struct Sink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Sink {
    fn start() -> Sink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let dir =
            std::env::temp_dir().join(format!("relais-nodes-smtp-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mail/tests/smtp_sink.py");
        let mut child =
            Command::new(std::env::var("RELAIS_TEST_PYTHON").unwrap_or_else(|_| "python3".into()))
                .arg(script)
                .arg(port.to_string())
                .arg(&dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("python3 with aiosmtpd");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("ready");
        assert_eq!(line.trim(), "READY", "aiosmtpd did not start");
        Sink { child, port, dir }
    }

    fn received(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| std::fs::read_to_string(p).expect("eml"))
            .collect()
    }
}

/// A plain HTTP/1.0 exchange (no chunking, the server closes).
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn cookies(&self) -> HashMap<String, String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| {
                let first = v.split(';').next()?;
                let (n, val) = first.split_once('=')?;
                Some((n.trim().to_string(), val.trim().to_string()))
            })
            .collect()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("send");
    s.write_all(body).expect("body");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Resp {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("csrf field") + 20;
    html[at..].split('"').next().expect("value").to_string()
}

struct World {
    product: Id,
    member_email: String,
}

/// A product with a team that has an address (so each new ticket sends one
/// notification to the team), an institution using it, one member.
async fn world(db: &relais_store::Db) -> World {
    use relais_testkit::builders;
    let app = relais_app::App::new(db.clone(), std::sync::Arc::new(relais_domain::SystemClock));
    relais_app::support::ensure_defaults(&app)
        .await
        .expect("defaults");
    let product = builders::product(db, "sifac", "Sifac").await;
    let inst = builders::institution(db, "Université de Nulle-Part", "UNP").await;
    builders::deploy(db, inst, product).await;
    let (agent, _) = builders::user(db, "agent@relais.test", Role::Support, None).await;
    let member_email = "membre@unp.test".to_string();
    builders::user(db, &member_email, Role::Member, Some(inst)).await;
    let mut tx = db.begin().await.expect("tx");
    let team = Id::new();
    let now = relais_store::ts(chrono::Utc::now());
    relais_store::support::insert_team(
        &mut tx,
        team,
        "fin",
        "Finances",
        Some(agent),
        Some("equipe-fin@relais.test"),
        &now,
    )
    .await
    .expect("team");
    relais_store::support::add_team_member(&mut tx, team, agent)
        .await
        .expect("member");
    relais_store::support::set_product_team(&mut tx, product, team)
        .await
        .expect("route");
    tx.commit().await.expect("commit");
    World {
        product,
        member_email,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_on_one_database_share_search_files_sessions_and_send_each_mail_once() {
    let pg = relais_testkit::TestDb::postgres().await;
    let w = world(&pg.db).await;
    let sink = Sink::start();
    let dir_a = tempfile::tempdir().expect("dir");
    let dir_b = tempfile::tempdir().expect("dir");
    let a = serve(dir_a.path(), &pg.url, sink.port);
    let b = serve(dir_b.path(), &pg.url, sink.port);

    // Sign in on A.
    let login = http(&a.addr, "GET", "/connexion", &[], b"");
    assert_eq!(login.status, 200);
    let pre = login.cookies();
    let (csrf_name, csrf_cookie) = pre.iter().next().expect("login csrf cookie");
    let token = hidden_csrf(&login.text());
    let form = format!(
        "_csrf={token}&email={}&password={}",
        w.member_email.replace('@', "%40"),
        relais_testkit::builders::PASSWORD.replace(' ', "+")
    );
    let cookie = format!("{csrf_name}={csrf_cookie}");
    let signed = http(
        &a.addr,
        "POST",
        "/connexion",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
        ],
        form.as_bytes(),
    );
    assert_eq!(signed.status, 303, "{}", signed.text());
    let session = signed
        .cookies()
        .into_iter()
        .find(|(n, _)| n == "relais_session")
        .map(|(n, v)| format!("{n}={v}"))
        .expect("session cookie");

    // The session opened on A works on B: B's page knows the person.
    let home_b = http(&b.addr, "GET", "/support", &[("Cookie", &session)], b"");
    assert_eq!(home_b.status, 200, "the session from A is known to B");
    let csrf = hidden_csrf(&home_b.text());

    // File tickets on A (and a few on B), each notifying the team once.
    let mut tickets = Vec::new();
    let mut references = Vec::new();
    for i in 0..6 {
        let node = if i % 3 == 2 { &b } else { &a };
        let body = serde_json::json!({
            "product_id": w.product.to_string(),
            "category": "anomalie",
            "severity": "majeur",
            "subject": format!("Bordereau zibeline {i} introuvable"),
            "body": "Le bordereau de mandatement zibeline a disparu.",
        })
        .to_string();
        let r = http(
            &node.addr,
            "POST",
            "/api/v1/tickets",
            &[
                ("Content-Type", "application/json"),
                ("Cookie", &session),
                ("X-CSRF-Token", &csrf),
            ],
            body.as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        tickets.push(v["ticket"]["id"].as_str().expect("id").to_string());
        references.push(
            v["ticket"]["reference"]
                .as_str()
                .expect("reference")
                .to_string(),
        );
    }
    let first = tickets[0].clone();

    // B's own index finds the ticket filed on A within 5 seconds.
    let filed = Instant::now();
    let found = loop {
        let r = http(
            &b.addr,
            "GET",
            "/api/v1/search?q=zibeline&per_page=50",
            &[("Cookie", &session)],
            b"",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        if r.text().contains(&first) {
            break true;
        }
        if filed.elapsed() > Duration::from_secs(5) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(found, "B's search found A's ticket within 5 s");
    // Every ticket, filed on either node, reaches both indexes (each node
    // keeps its own) within 5 seconds.
    for node in [&a, &b] {
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            let r = http(
                &node.addr,
                "GET",
                "/api/v1/search?q=zibeline&per_page=50",
                &[("Cookie", &session)],
                b"",
            );
            if tickets.iter().all(|t| r.text().contains(t.as_str())) {
                break;
            }
            assert!(Instant::now() < until, "{}", r.text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    // An attachment uploaded on A downloads from B, byte for byte.
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let boundary = "relaisnodesboundary";
    let mut multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"releve.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    multipart.extend_from_slice(&bytes);
    multipart.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let up = http(
        &a.addr,
        "POST",
        &format!("/api/v1/tickets/{first}/attachments"),
        &[
            ("Content-Type", &ct),
            ("Cookie", &session),
            ("X-CSRF-Token", &csrf),
        ],
        &multipart,
    );
    assert_eq!(up.status, 201, "{}", up.text());
    let att: serde_json::Value = serde_json::from_slice(&up.body).expect("json");
    let att = att["id"].as_str().expect("id").to_string();
    let down = http(
        &b.addr,
        "GET",
        &format!("/api/v1/tickets/{first}/attachments/{att}"),
        &[("Cookie", &session)],
        b"",
    );
    assert_eq!(down.status, 200, "{}", down.text());
    assert_eq!(
        down.header("content-type"),
        Some("application/octet-stream")
    );
    assert!(
        down.body == bytes,
        "the same bytes on B ({} bytes)",
        down.body.len()
    );

    // Every notification once: one mail to the team per ticket, although
    // both nodes run the mail queue.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n = sink.received().len();
        if n >= tickets.len() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    // Give a duplicate the time to show up, were there one.
    std::thread::sleep(Duration::from_secs(3));
    let mails = sink.received();
    assert_eq!(
        mails.len(),
        tickets.len(),
        "one mail per ticket, each sent once"
    );
    for reference in &references {
        let about = mails
            .iter()
            .filter(|m| m.contains(reference.as_str()))
            .count();
        assert_eq!(about, 1, "the mail of {reference} sent once");
    }
    // Both nodes report their index position.
    let mut c = pg.db.read().await.expect("conn");
    let nodes = relais_store::search_log::nodes(&mut c)
        .await
        .expect("nodes");
    assert_eq!(nodes.len(), 2, "{nodes:?}");
    drop(c);
    drop(a);
    drop(b);
}
