//! Never acknowledge what is not stored, with real processes:
//! - SIGTERM under write load: every request the server took is answered
//!   (2xx, committed), the process exits 0;
//! - a full disk (a small tmpfs holding the SQLite data folder): writes get
//!   503 `stockage_plein` with `Retry-After`, reads go on, writes work again
//!   once space returns, and every 2xx is a row after a restart;
//! - PostgreSQL stopped (a throw-away cluster of this test): 503
//!   `base_indisponible` with `Retry-After`, writes work again after it is
//!   back, every 2xx committed;
//! - backup during writes, restore into another folder: every write
//!   acknowledged before the backup is there with its file; `--verify`
//!   fails on a flipped byte.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

fn migrate(dir: &Path, extra: &[&str]) {
    let st = relais(dir)
        .args(extra)
        .arg("migrate")
        .status()
        .expect("migrate");
    assert!(st.success());
}

fn created_id(a: &Answer) -> Option<String> {
    let v = a.json();
    v["id"]
        .as_str()
        .or_else(|| v["institution"]["id"].as_str())
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_under_load_fails_no_request_and_exits_zero() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path().to_path_buf();
    migrate(&dir, &[]);
    let token = admin_token(&sqlite_url(&dir)).await;
    let (mut server, addr) = serve(&dir, &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut workers = Vec::new();
    for w in 0..6 {
        let (addr, token, stop, acked, failures) = (
            addr.clone(),
            token.clone(),
            stop.clone(),
            acked.clone(),
            failures.clone(),
        );
        workers.push(std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let body = institution_body(&format!("Charge {w}-{i}"));
                let (m, p, b) = if i % 2 == 0 {
                    ("POST", "/api/v1/institutions", Some(body.as_str()))
                } else {
                    ("GET", "/api/v1/institutions?limit=50", None)
                };
                match http(&addr, m, p, Some(&token), b) {
                    // Refused connection: the server no longer accepts.
                    Err(_) => break,
                    // Closed before a byte: never taken (still in the
                    // listen queue when the listener closed).
                    Ok(a) if a.received == 0 => break,
                    Ok(a) if (200..300).contains(&a.status) => {
                        if m == "POST" {
                            acked.lock().unwrap().push(created_id(&a).expect("id"));
                        }
                    }
                    Ok(a) => failures
                        .lock()
                        .unwrap()
                        .push(format!("{m} {p}: {} {}", a.status, a.body)),
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_secs(2));
    let before = acked.lock().unwrap().len();
    sigterm(&server);
    let t = Instant::now();
    let status = loop {
        if let Some(s) = server.try_wait().expect("wait") {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("worker");
    }
    assert_eq!(status.code(), Some(0), "exit code after SIGTERM");
    let failures = failures.lock().unwrap().clone();
    assert!(failures.is_empty(), "failed in flight: {failures:?}");
    let acked = acked.lock().unwrap().clone();
    assert!(
        before > 5 && acked.len() >= before,
        "load ran: {}",
        acked.len()
    );
    let stored = institution_ids(&sqlite_url(&dir)).await;
    let missing: Vec<_> = acked.iter().filter(|i| !stored.contains(*i)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not stored: {missing:?}"
    );
}

/// Writes `n` institutions; returns (acknowledged ids, other answers).
fn write_burst(addr: &str, token: &str, n: usize, tag: &str) -> (Vec<String>, Vec<Answer>) {
    let mut ok = Vec::new();
    let mut other = Vec::new();
    for i in 0..n {
        let body = institution_body(&format!("{tag} {i} {}", "x".repeat(150)));
        let a = http(
            addr,
            "POST",
            "/api/v1/institutions",
            Some(token),
            Some(&body),
        )
        .expect("connect");
        if (200..300).contains(&a.status) {
            ok.push(created_id(&a).expect("id"));
        } else {
            other.push(a);
        }
    }
    (ok, other)
}

fn assert_outage(a: &Answer, code: &str) {
    assert_eq!(a.status, 503, "{} {}", a.status, a.body);
    assert_eq!(a.json()["errors"][0]["code"], code, "{}", a.body);
    let retry: u64 = a
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_gives_503_and_nothing_false() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path().join("mnt");
    std::fs::create_dir_all(&dir).expect("dir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=20m", "tmpfs"])
        .arg(&dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !mounted {
        eprintln!("SKIPPED: mounting a tmpfs is refused here (needs root)");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
    let _guard = Unmount(dir.clone());
    migrate(&dir, &[]);
    let url = sqlite_url(&dir);
    let token = admin_token(&url).await;
    let (mut server, addr) = serve(&dir, &[]);
    let (mut acked, other) = write_burst(&addr, &token, 20, "Avant");
    assert!(other.is_empty(), "{other:?}");

    // Fill the disk.
    let filler = dir.join("remplissage");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).expect("filler");
        let chunk = vec![7u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let small = vec![7u8; 512];
        while f.write_all(&small).is_ok() {}
        let _ = f.sync_all();
    }
    let mut refusals = Vec::new();
    for _ in 0..40 {
        let (ok, other) = write_burst(&addr, &token, 50, "Plein");
        acked.extend(ok);
        refusals.extend(other);
        if refusals.len() >= 5 {
            break;
        }
    }
    assert!(!refusals.is_empty(), "the full disk never refused a write");
    for a in &refusals {
        assert_outage(a, "stockage_plein");
    }
    // Reads go on.
    let r = http(
        &addr,
        "GET",
        "/api/v1/institutions?limit=5",
        Some(&token),
        None,
    )
    .expect("get");
    assert_eq!(r.status, 200, "{}", r.body);

    // Space returns: writes work again at once.
    std::fs::remove_file(&filler).expect("free");
    let (ok, other) = write_burst(&addr, &token, 10, "Après");
    assert!(
        other.is_empty(),
        "after space returned: {:?}",
        other.first()
    );
    assert_eq!(ok.len(), 10);
    acked.extend(ok);

    sigterm(&server);
    assert!(server.wait().expect("wait").success());
    let stored = institution_ids(&url).await;
    let missing: Vec<_> = acked.iter().filter(|i| !stored.contains(*i)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged but not stored: {missing:?}",
        missing.len()
    );
    // And after a restart, the server takes writes.
    let (mut server, addr) = serve(&dir, &[]);
    let (ok, other) = write_burst(&addr, &token, 3, "Redémarré");
    assert!(other.is_empty() && ok.len() == 3);
    sigterm(&server);
    assert!(server.wait().expect("wait").success());
}

/// A throw-away PostgreSQL cluster on its own port, owned by `postgres`.
struct Cluster {
    dir: std::path::PathBuf,
    port: u16,
    bin: std::path::PathBuf,
}

impl Cluster {
    fn as_postgres(&self, tool: &str, args: &[&str]) -> bool {
        let mut line = vec![self.bin.join(tool).display().to_string()];
        line.extend(args.iter().map(|a| a.to_string()));
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .args(&line)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
    fn start(&self) -> bool {
        let log = self.dir.join("log").display().to_string();
        let data = self.dir.join("data").display().to_string();
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        self.as_postgres(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &opts, "-w", "start"],
        )
    }
    fn stop(&self) -> bool {
        let data = self.dir.join("data").display().to_string();
        self.as_postgres("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"])
    }
    fn new() -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .find(|p| p.join("initdb").is_file())?;
        let dir = std::env::temp_dir().join(format!("relais-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .status()
            .ok()?;
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
            l.local_addr().ok()?.port()
        };
        let c = Cluster { dir, port, bin };
        let data = c.dir.join("data").display().to_string();
        if !c.as_postgres("initdb", &["-D", &data, "-A", "trust", "-U", "postgres"]) {
            return None;
        }
        c.start().then_some(c)
    }
    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_stopped_gives_503_then_writes_resume() {
    let Some(pg) = Cluster::new() else {
        eprintln!("SKIPPED: no throw-away PostgreSQL cluster could be started");
        return;
    };
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    let url = pg.url();
    let db_args = ["--database-url", url.as_str()];
    migrate(dir, &db_args);
    let token = admin_token(&url).await;
    let (mut server, addr) = serve(dir, &db_args);
    let (mut acked, other) = write_burst(&addr, &token, 10, "Avant");
    assert!(other.is_empty(), "{other:?}");

    assert!(pg.stop(), "pg_ctl stop");
    let (ok, refusals) = write_burst(&addr, &token, 5, "Arrêté");
    assert!(ok.is_empty(), "a write acknowledged with the database down");
    for a in &refusals {
        assert_outage(a, "base_indisponible");
    }

    assert!(pg.start(), "pg_ctl start");
    let t = Instant::now();
    let mut resumed = false;
    while t.elapsed() < Duration::from_secs(20) {
        let (ok, _) = write_burst(&addr, &token, 1, "Reprise");
        if !ok.is_empty() {
            acked.extend(ok);
            resumed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(resumed, "writes did not resume after PostgreSQL came back");
    let (ok, other) = write_burst(&addr, &token, 5, "Après");
    assert!(other.is_empty(), "{:?}", other.first());
    acked.extend(ok);
    sigterm(&server);
    assert!(server.wait().expect("wait").success());
    let stored = institution_ids(&url).await;
    let missing: Vec<_> = acked.iter().filter(|i| !stored.contains(*i)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not stored: {missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_during_writes_restores_every_acknowledged_write() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path().join("source");
    migrate(&dir, &[]);
    let url = sqlite_url(&dir);
    let token = admin_token(&url).await;
    let (mut server, addr) = serve(&dir, &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::<(Instant, String)>::new()));
    let writer = {
        let (addr, token, stop, acked) = (addr.clone(), token.clone(), stop.clone(), acked.clone());
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let (ok, other) = write_burst(&addr, &token, 1, &format!("Sauvegarde {i}"));
                assert!(other.is_empty(), "{:?}", other.first());
                acked.lock().unwrap().push((Instant::now(), ok[0].clone()));
            }
        })
    };
    // Files written like attachments (a ticket's file under its key) are
    // copied; a file of the folder is checked byte for byte.
    let files = dir.join("attachments").join("ab");
    std::fs::create_dir_all(&files).expect("files");
    let key_file = files.join(format!("ab{}", "0".repeat(30)));
    std::fs::write(&key_file, b"contenu de la piece jointe").expect("file");
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    let dest = tmp.path().join("copie");
    let out = relais(&dir)
        .arg("backup")
        .arg(&dest)
        .output()
        .expect("backup");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer");
    sigterm(&server);
    assert!(server.wait().expect("wait").success());
    assert!(!dest.join("index").exists(), "the index is never copied");

    let st = relais(&dir)
        .args(["backup", "--verify"])
        .arg(&dest)
        .status()
        .expect("verify");
    assert!(st.success());

    let target = tmp.path().join("restauree");
    let out = relais(&target)
        .arg("restore")
        .arg(&dest)
        .output()
        .expect("restore");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored = institution_ids(&sqlite_url(&target)).await;
    let before: Vec<String> = acked
        .lock()
        .unwrap()
        .iter()
        .filter(|(t, _)| *t < started)
        .map(|(_, id)| id.clone())
        .collect();
    assert!(
        before.len() > 5,
        "writes before the backup: {}",
        before.len()
    );
    let missing: Vec<_> = before.iter().filter(|i| !stored.contains(*i)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, not restored: {missing:?}"
    );
    let restored_file = target
        .join("attachments")
        .join("ab")
        .join(key_file.file_name().expect("name"));
    assert_eq!(
        std::fs::read(restored_file).expect("restored file"),
        b"contenu de la piece jointe"
    );
    assert!(target.join("reply-secret").exists() == dir.join("reply-secret").exists());

    // Restoring over a database is refused.
    let out = relais(&target)
        .arg("restore")
        .arg(&dest)
        .output()
        .expect("restore");
    assert!(!out.status.success());

    // A flipped byte in the copy: --verify fails and names the file.
    let db = dest.join("relais.db");
    let mut bytes = std::fs::read(&db).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&db, bytes).expect("write");
    let out = relais(&dir)
        .args(["backup", "--verify"])
        .arg(&dest)
        .output()
        .expect("verify");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("relais.db"));
}
