//! `relais backup DEST`, `relais backup --verify DEST`, `relais restore SRC`.
//!
//! A backup is a folder: the database (`relais.db`, a `VACUUM INTO` copy
//! of SQLite taken while the server runs; or `relais.pgdump`, `pg_dump`'s
//! custom format, one snapshot), then the attachment files (copied after
//! the database, so every row of the copy finds its file: files are
//! written and synced before their row commits and never changed), the
//! reply-address secret, `backup.json` (engine, date, version) and
//! `MANIFEST.sha256` (a checksum per file) that `--verify` checks. The
//! search index is never copied: it is rebuilt from the database after a
//! restore.

use crate::config::Config;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Backup folder (created; must be empty).
    pub dest: PathBuf,
    /// Check an existing backup against its manifest instead of making one.
    #[arg(long)]
    pub verify: bool,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// Backup folder made by `relais backup`.
    pub src: PathBuf,
}

const MANIFEST: &str = "MANIFEST.sha256";
const META: &str = "backup.json";
const SQLITE_FILE: &str = "relais.db";
const PG_FILE: &str = "relais.pgdump";
const SECRET: &str = "reply-secret";
const FILES: &str = "attachments";

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    if args.verify {
        let n = verify(&args.dest)?;
        println!(
            "Sauvegarde {} vérifiée : {n} fichiers intacts.",
            args.dest.display()
        );
        return Ok(());
    }
    let dest = &args.dest;
    if dest.exists()
        && std::fs::read_dir(dest)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        anyhow::bail!(
            "le dossier de sauvegarde {} existe et n'est pas vide : choisissez un nouveau dossier",
            dest.display()
        );
    }
    std::fs::create_dir_all(dest)
        .map_err(|e| anyhow::anyhow!("dossier de sauvegarde {} : {e}", dest.display()))?;
    let url = cfg.database_url();
    let db = super::connect_checked(&cfg, &url).await?;
    let engine = db.engine();
    match engine {
        relais_store::Engine::Sqlite => {
            db.vacuum_into(&dest.join(SQLITE_FILE))
                .await
                .map_err(|e| anyhow::anyhow!("copie de la base SQLite impossible : {e}"))?;
        }
        relais_store::Engine::Postgres => {
            let out = tokio::process::Command::new(pg_tool("pg_dump"))
                .arg("--format=custom")
                .arg("--no-owner")
                .arg("--file")
                .arg(dest.join(PG_FILE))
                .arg("--dbname")
                .arg(&url)
                .output()
                .await
                .map_err(|e| anyhow::anyhow!("pg_dump introuvable ou non exécutable : {e}"))?;
            if !out.status.success() {
                anyhow::bail!(
                    "pg_dump a échoué : {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
    }
    db.close().await;
    // Files after the database: every row of the copy has its file.
    let files_src = cfg.data_dir.join(FILES);
    let copied = if files_src.is_dir() {
        copy_tree(&files_src, &dest.join(FILES))?
    } else {
        0
    };
    let secret = cfg.data_dir.join(SECRET);
    if secret.is_file() {
        std::fs::copy(&secret, dest.join(SECRET))?;
        restrict(&dest.join(SECRET))?;
    }
    let meta = serde_json::json!({
        "engine": match engine { relais_store::Engine::Sqlite => "sqlite", relais_store::Engine::Postgres => "postgres" },
        "created_at": chrono::Utc::now().to_rfc3339(),
        "relais_version": env!("CARGO_PKG_VERSION"),
    });
    std::fs::write(dest.join(META), serde_json::to_vec_pretty(&meta)?)?;
    let n = write_manifest(dest)?;
    sync_dir(dest);
    println!(
        "Sauvegarde faite dans {} : base, {copied} fichiers joints, {n} fichiers au manifeste.",
        dest.display()
    );
    Ok(())
}

pub async fn restore(cfg: Config, args: RestoreArgs) -> anyhow::Result<()> {
    let src = &args.src;
    verify(src)?;
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(src.join(META))?)?;
    let engine = meta["engine"].as_str().unwrap_or("");
    let url = cfg.database_url();
    let target_sqlite = url.starts_with("sqlite:");
    match (engine, target_sqlite) {
        ("sqlite", true) | ("postgres", false) => {}
        _ => anyhow::bail!(
            "cette sauvegarde vient de {engine} ; la base configurée ({}) est d'un autre moteur",
            super::redacted_place(&url, &cfg)
        ),
    }
    super::check_data_dir(&cfg)?;
    let files_dest = cfg.data_dir.join(FILES);
    if files_dest.exists() && std::fs::read_dir(&files_dest)?.next().is_some() {
        anyhow::bail!(
            "le dossier {} n'est pas vide : la restauration se fait dans un dossier de données vide",
            files_dest.display()
        );
    }
    if target_sqlite {
        let file = cfg.data_dir.join(SQLITE_FILE);
        let db_file = PathBuf::from(super::redacted_place(&url, &cfg));
        let file = if db_file.as_os_str().is_empty() {
            file
        } else {
            db_file
        };
        if file.exists() {
            anyhow::bail!(
                "la base {} existe déjà : la restauration se fait dans un dossier de données vide",
                file.display()
            );
        }
        let tmp = file.with_extension("db.restauration");
        std::fs::copy(src.join(SQLITE_FILE), &tmp)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &file)?;
    } else {
        let db = super::connect_checked(&cfg, &url).await?;
        let used = db.has_tables().await?;
        db.close().await;
        if used {
            anyhow::bail!(
                "la base {} contient déjà des tables : la restauration se fait dans une base vide",
                super::redacted_place(&url, &cfg)
            );
        }
        let out = tokio::process::Command::new(pg_tool("pg_restore"))
            .arg("--no-owner")
            .arg("--exit-on-error")
            .arg("--dbname")
            .arg(&url)
            .arg(src.join(PG_FILE))
            .output()
            .await
            .map_err(|e| anyhow::anyhow!("pg_restore introuvable ou non exécutable : {e}"))?;
        if !out.status.success() {
            anyhow::bail!(
                "pg_restore a échoué : {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    let copied = if src.join(FILES).is_dir() {
        copy_tree(&src.join(FILES), &files_dest)?
    } else {
        0
    };
    if src.join(SECRET).is_file() && cfg.reply_secret.is_empty() {
        std::fs::copy(src.join(SECRET), cfg.data_dir.join(SECRET))?;
        restrict(&cfg.data_dir.join(SECRET))?;
    }
    // The index is never restored: the server rebuilds it from the
    // database when it finds none.
    let index = cfg.data_dir.join("index");
    if index.exists() {
        std::fs::remove_dir_all(&index)?;
    }
    // The restored database is opened once (migrations of a newer
    // version apply now, and a bad copy is said here).
    let db = super::connect_checked(&cfg, &url).await?;
    db.migrate().await?;
    db.close().await;
    println!(
        "Restauration faite depuis {} : base et {copied} fichiers joints ; l'index de recherche sera reconstruit au démarrage.",
        src.display()
    );
    Ok(())
}

/// The PostgreSQL client tool on PATH, else the newest installed one.
fn pg_tool(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    if on_path {
        return PathBuf::from(name);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn restrict(p: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn sync_dir(p: &Path) {
    if let Ok(f) = std::fs::File::open(p) {
        let _ = f.sync_all();
    }
}

/// Copies a folder tree (files synced); temporary files of interrupted
/// writes are left out. Returns the number of files.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(to)?;
    let mut n = 0;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if name.to_string_lossy().starts_with(".tmp-") {
            continue;
        }
        let ty = e.file_type()?;
        if ty.is_dir() {
            n += copy_tree(&e.path(), &to.join(&name))?;
        } else if ty.is_file() {
            std::fs::copy(e.path(), to.join(&name))?;
            std::fs::File::open(to.join(&name))?.sync_all()?;
            n += 1;
        }
    }
    sync_dir(to);
    Ok(n)
}

fn files_of(root: &Path, dir: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            files_of(root, &e.path(), out)?;
        } else {
            let rel = e
                .path()
                .strip_prefix(root)?
                .to_string_lossy()
                .replace('\\', "/");
            if rel != MANIFEST {
                out.push(rel);
            }
        }
    }
    Ok(())
}

fn sha256_of(p: &Path) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

fn write_manifest(dest: &Path) -> anyhow::Result<usize> {
    let mut files = Vec::new();
    files_of(dest, dest, &mut files)?;
    files.sort();
    let mut text = String::new();
    for f in &files {
        text.push_str(&format!("{}  {f}\n", sha256_of(&dest.join(f))?));
    }
    std::fs::write(dest.join(MANIFEST), text)?;
    std::fs::File::open(dest.join(MANIFEST))?.sync_all()?;
    Ok(files.len())
}

/// Checks every file against the manifest (changed, missing or added
/// files fail) and, for SQLite, the copied database's structure.
pub fn verify(dir: &Path) -> anyhow::Result<usize> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).map_err(|e| {
        anyhow::anyhow!(
            "{} n'est pas une sauvegarde Relais (manifeste illisible : {e})",
            dir.display()
        )
    })?;
    let mut listed = Vec::new();
    let mut bad = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Some((sum, name)) = line.split_once("  ") else {
            anyhow::bail!("manifeste de {} illisible : « {line} »", dir.display());
        };
        listed.push(name.to_string());
        match sha256_of(&dir.join(name)) {
            Ok(s) if s == sum => {}
            Ok(_) => bad.push(format!("{name} (modifié)")),
            Err(_) => bad.push(format!("{name} (absent)")),
        }
    }
    let mut present = Vec::new();
    files_of(dir, dir, &mut present)?;
    for p in present {
        if !listed.contains(&p) {
            bad.push(format!("{p} (ajouté)"));
        }
    }
    if !bad.is_empty() {
        anyhow::bail!(
            "sauvegarde {} endommagée : {}",
            dir.display(),
            bad.join(", ")
        );
    }
    Ok(listed.len())
}
