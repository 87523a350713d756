//! `relais` with an unknown job kind in the queue, with real processes: the
//! job shows pending in `relais jobs`; a running server fails it with its
//! reason and goes on (the index job queued after it is done, the server
//! keeps serving); `relais jobs --retry` puts it back in the queue.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_relais");
const UNKNOWN: &str = "0190f5a4-8c4e-7000-8000-00000000000a";
const INDEX: &str = "0190f5a4-8c4e-7000-8000-00000000000b";

fn relais(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data-dir")
        .arg(dir)
        .env("RELAIS_LOG", "warn")
        .env("RELAIS_SECURE_COOKIES", "false");
    c
}

fn jobs(dir: &Path, extra: &[&str]) -> (bool, String) {
    let out = relais(dir)
        .arg("jobs")
        .args(extra)
        .output()
        .expect("relais jobs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn insert(dir: &Path) {
    let url = format!("sqlite://{}", dir.join("relais.db").display());
    let db = relais_store::Db::connect(&url).await.expect("db");
    let mut tx = db.begin().await.expect("tx");
    let now = relais_store::ts(chrono::Utc::now() - chrono::Duration::seconds(5));
    for (id, kind, payload) in [
        (UNKNOWN, "rapport.hebdo", "{}".to_string()),
        (
            INDEX,
            "search.index",
            // A document that does not exist: the index job just removes it.
            serde_json::json!({"kind": "ticket", "id": "0190f5a4-8c4e-7000-8000-0000000000ff"})
                .to_string(),
        ),
    ] {
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(id)
        .bind(kind)
        .bind(payload)
        .bind(now.clone())
        .execute(&mut *tx)
        .await
        .expect("insert");
    }
    tx.commit().await.expect("commit");
}

fn serve(dir: &Path) -> (Child, String) {
    let mut child = relais(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains("http://127.0.0.1:") => {
                let addr = l.split("http://").nth(1).expect("url").trim().to_string();
                return (child, addr);
            }
            Some(_) => {}
            None => panic!("the server stopped before serving"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_job_kind_fails_with_its_reason_and_nothing_else_stops() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    assert!(relais(dir)
        .arg("migrate")
        .status()
        .expect("migrate")
        .success());
    insert(dir).await;

    let (ok, out) = jobs(dir, &[]);
    assert!(ok, "{out}");
    assert!(out.contains("Tâches en échec (0)"), "{out}");
    assert!(out.contains("Tâches en attente (2)"), "{out}");
    assert!(out.contains("rapport.hebdo  tentatives 0/8"), "{out}");

    let (mut server, addr) = serve(dir);
    // The runner ticks every 2 s; wait for it to have seen both jobs (a
    // deadline for a hung runner, not a speed figure).
    let deadline = Instant::now() + Duration::from_secs(120);
    let out = loop {
        let (_, out) = jobs(dir, &[]);
        // `serve` may queue its own jobs meanwhile (the monthly steering
        // report waits for a mail relay): what matters is that the index
        // job ran and the unknown one failed.
        if (!out.contains(INDEX) && out.contains("Tâches en échec (1)"))
            || Instant::now() > deadline
        {
            break out;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(out.contains("Tâches en échec (1)"), "{out}");
    assert!(
        out.contains(&format!("{UNKNOWN}  rapport.hebdo  tentatives 8/8")),
        "{out}"
    );
    assert!(
        out.contains("raison : type de tâche inconnu : rapport.hebdo"),
        "{out}"
    );
    assert!(!out.contains(INDEX), "the index job ran: {out}");

    // The server still answers.
    assert!(server.try_wait().expect("wait").is_none(), "server alive");
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    s.write_all(b"GET /connexion HTTP/1.0\r\nHost: x\r\n\r\n")
        .expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    assert!(
        resp.starts_with("HTTP/1.0 200") || resp.starts_with("HTTP/1.1 200"),
        "{resp}"
    );
    let _ = server.kill();
    let _ = server.wait();

    let (ok, out) = jobs(dir, &["--retry", UNKNOWN]);
    assert!(ok, "{out}");
    assert!(out.contains("remise dans la file"), "{out}");
    let (_, out) = jobs(dir, &[]);
    assert!(out.contains("rapport.hebdo  tentatives 0/8"), "{out}");
    assert!(out.contains("Tâches en échec (0)"), "{out}");
    let (ok, _) = jobs(dir, &["--retry", INDEX]);
    assert!(!ok, "a done job is not retried");
}
