//! Start-up that says why, at once: a refused database, a damaged SQLite
//! file, a port in use and a read-only data folder each give a French
//! message naming the address or path, and a non-zero exit within seconds.

mod support;

use std::process::Output;
use std::time::{Duration, Instant};
use support::*;

fn run_quick(cmd: &mut std::process::Command) -> (Output, Duration) {
    let t = Instant::now();
    let out = cmd.output().expect("run");
    (out, t.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn a_refused_database_is_named_at_once() {
    let tmp = tempfile::tempdir().expect("dir");
    let (out, took) = run_quick(
        relais(tmp.path())
            .args([
                "--database-url",
                "postgres://relais:secret@127.0.0.1:1/relais",
            ])
            .arg("migrate"),
    );
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("127.0.0.1:1/relais") && e.contains("injoignable"),
        "{e}"
    );
    assert!(!e.contains("secret"), "the password is never printed: {e}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_damaged_database_file_is_named() {
    let tmp = tempfile::tempdir().expect("dir");
    let file = tmp.path().join("relais.db");
    std::fs::write(&file, vec![0x42u8; 8192]).expect("garbage");
    let (out, took) = run_quick(relais(tmp.path()).arg("migrate"));
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains(&file.display().to_string()) && e.contains("endommagé"),
        "{e}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");

    // A real database whose schema page is damaged.
    let tmp = tempfile::tempdir().expect("dir");
    let st = relais(tmp.path()).arg("migrate").status().expect("migrate");
    assert!(st.success());
    let file = tmp.path().join("relais.db");
    let _ = std::fs::remove_file(tmp.path().join("relais.db-wal"));
    let _ = std::fs::remove_file(tmp.path().join("relais.db-shm"));
    let mut bytes = std::fs::read(&file).expect("read");
    for b in bytes.iter_mut().take(4096).skip(100) {
        *b = 0xff;
    }
    std::fs::write(&file, bytes).expect("damage");
    let (out, _) = run_quick(relais(tmp.path()).arg("migrate"));
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains(&file.display().to_string()), "{e}");
}

#[test]
fn a_port_in_use_is_named() {
    let tmp = tempfile::tempdir().expect("dir");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = busy.local_addr().expect("addr").to_string();
    let (out, took) = run_quick(relais(tmp.path()).args(["serve", "--bind", &addr]));
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains(&addr) && e.contains("déjà utilisée"), "{e}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_read_only_data_folder_is_named() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path().join("donnees");
    std::fs::create_dir_all(&dir).expect("dir");
    // root ignores permissions: a read-only mount then; others: chmod.
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
        .arg(&dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !mounted {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    }
    let (out, took) = run_quick(relais(&dir).arg("migrate"));
    if mounted {
        let _ = std::process::Command::new("umount").arg(&dir).status();
    }
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains(&dir.display().to_string()) && e.contains("écriture"),
        "{e}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}
