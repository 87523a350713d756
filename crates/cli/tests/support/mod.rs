//! Helpers of the process tests: start `relais`, speak plain HTTP/1.1,
//! make an API token in the database.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_relais");

pub fn relais(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data-dir")
        .arg(dir)
        .env("RELAIS_LOG", "warn")
        .env("RELAIS_SECURE_COOKIES", "false")
        .env("RELAIS_MAIL_TRUSTED_AUTHSERV_ID", "mx.relais.test");
    c
}

/// Starts `relais serve` (extra args before `serve`) and returns it with
/// its address.
pub fn serve(dir: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = relais(dir)
        .args(extra)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains("http://127.0.0.1:") => {
                let addr = l[l.find("http://").expect("url") + 7..].trim().to_string();
                // Keep reading stdout so the child never blocks on it.
                std::thread::spawn(move || for _ in lines {});
                return (child, addr);
            }
            Some(_) => {}
            None => panic!("the server stopped before serving"),
        }
    }
}

pub fn sigterm(child: &Child) {
    let st = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(st.success());
}

/// One answer: status (0 when nothing came back), headers, body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
    /// Bytes received in all (0: the connection was closed before any).
    pub received: usize,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A request on a fresh connection (`Connection: close`). Err: could not
/// connect at all.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<Answer> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        ));
    } else {
        req.push_str("\r\n");
    }
    let _ = s.write_all(req.as_bytes());
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok(Answer {
        status,
        head: head.to_string(),
        body: dechunk(head, body),
        received: raw.len(),
    })
}

fn dechunk(head: &str, body: &str) -> String {
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_string();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

/// An admin account and its API token, written straight into the database.
pub async fn admin_token(url: &str) -> String {
    let db = relais_store::Db::connect(url).await.expect("db");
    db.migrate().await.expect("migrate");
    let email = format!("admin-{}@relais.test", relais_domain::Id::new());
    let (_, actor) =
        relais_testkit::builders::user(&db, &email, relais_domain::accounts::Role::Admin, None)
            .await;
    let app = relais_app::App::new(db.clone(), std::sync::Arc::new(relais_domain::SystemClock));
    let t = relais_app::accounts::create_api_token(&app, &actor, "tests")
        .await
        .expect("token");
    db.close().await;
    t
}

pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("relais.db").display())
}

/// The institution ids present in the database.
pub async fn institution_ids(url: &str) -> std::collections::HashSet<String> {
    let db = relais_store::Db::connect(url).await.expect("db");
    let mut c = db.read().await.expect("conn");
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM institutions")
        .fetch_all(&mut *c)
        .await
        .expect("ids");
    drop(c);
    db.close().await;
    ids.into_iter().collect()
}

pub fn institution_body(name: &str) -> String {
    serde_json::json!({"name": name, "kind": "universite"}).to_string()
}
