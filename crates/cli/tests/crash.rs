//! The index survives a crash, with real processes: a server is killed
//! (SIGKILL) while it holds the index; a ticket is then written by another
//! process (the MTA pipe) with its index job but no index update; when the
//! server restarts, the pending job brings the index back in line with the
//! database — no `reindex`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_relais");

fn relais(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data-dir")
        .arg(dir)
        .env("RELAIS_LOG", "warn")
        .env("RELAIS_SECURE_COOKIES", "false")
        .env("RELAIS_MAIL_TRUSTED_AUTHSERV_ID", "mx.relais.test");
    c
}

/// Starts `relais serve` and waits for its URL.
fn serve(dir: &Path) -> Child {
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
            Some(Ok(l)) if l.contains("http://127.0.0.1:") => break,
            Some(_) => {}
            None => panic!("the server stopped before serving"),
        }
    }
    child
}

/// (documents, whether `key` is indexed), read without taking the lock.
fn peek(dir: &Path, key: &str) -> (u64, bool) {
    relais_search::SearchIndex::peek(&dir.join("index"), key).unwrap_or((0, false))
}

#[test]
fn a_killed_server_catches_up_with_writes_at_restart() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    let st = relais(dir)
        .args(["demo", "--no-serve"])
        .stdout(Stdio::null())
        .status()
        .expect("demo");
    assert!(st.success());

    // A first server builds the index, then dies without a word.
    let mut server = serve(dir);
    let until = Instant::now() + Duration::from_secs(120);
    while peek(dir, "none").0 == 0 {
        assert!(Instant::now() < until, "the server never built its index");
        std::thread::sleep(Duration::from_millis(300));
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("wait");

    // A mail arrives meanwhile: the ticket and its index job are committed,
    // the index is not touched.
    let mut ingest = relais(dir)
        .arg("mail-ingest")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("ingest");
    ingest
        .stdin
        .take()
        .expect("stdin")
        .write_all(
            b"Authentication-Results: mx.relais.test; dkim=pass header.d=relais.test\r\n\
              From: Membre INSA <membre@relais.test>\r\nTo: support@relais.test\r\n\
              Subject: Siham : bulletins introuvables\r\nMessage-ID: <crash-1@insa.test>\r\n\
              Content-Type: text/plain; charset=utf-8\r\n\r\n\
              Bonjour, les bulletins zorglubiens de novembre sont introuvables.\r\n",
        )
        .expect("write");
    let out = ingest.wait_with_output().expect("ingest output");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let id = text
        .trim()
        .strip_prefix("ticket créé : ")
        .unwrap_or_else(|| panic!("unexpected: {text}"))
        .to_string();
    let key = format!("ticket:{id}");
    let (docs, found) = peek(dir, &key);
    assert!(docs > 1000, "the demo is indexed: {docs}");
    assert!(!found, "the ticket is not in the index yet");

    // Restart: the pending job runs; no reindex.
    let mut server = serve(dir);
    let until = Instant::now() + Duration::from_secs(60);
    let mut caught_up = false;
    while Instant::now() < until {
        std::thread::sleep(Duration::from_millis(300));
        if peek(dir, &key).1 {
            caught_up = true;
            break;
        }
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("wait");
    assert!(caught_up, "the restarted server indexed the pending ticket");
}
