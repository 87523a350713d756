pub mod backup;
pub mod bench;
pub mod demo;
pub mod eval;
pub mod export;
pub mod import;
pub mod jobs;
pub mod mail_corpus;
pub mod mail_ingest;
pub mod mail_poll;
pub mod mail_replay;
pub mod migrate;
pub mod reindex;
pub mod serve;

use crate::config::Config;
use relais_app::App;
use std::sync::Arc;

/// Opens the database (creating the data folder for SQLite) and migrates it.
pub async fn open(cfg: &Config) -> anyhow::Result<App> {
    let url = cfg.database_url();
    let db = connect_checked(cfg, &url).await?;
    db.migrate().await.map_err(|e| {
        anyhow::anyhow!(
            "migration de la base {} impossible : {e}",
            redacted_place(&url, cfg)
        )
    })?;
    let mut app = App::new(db, Arc::new(relais_domain::SystemClock));
    app.settings.mail = Some(cfg.mail_with_secret(&shared_reply_secret(cfg, &db_of(&app)).await?)?);
    app.settings.mail_reopen_days = cfg.mail_reopen_days.max(0);
    app.settings.mail_max_body_chars = cfg.mail_max_body_chars.max(1);
    app.settings.trusted_proxies = cfg.trusted_proxies()?;
    app.settings.sso = relais_app::sso::Sso::new(cfg.oidc.clone(), &cfg.base_url);
    // Attachments beside the database, outside anything served as static
    // files; the folders are created on the first upload.
    app.settings.attachments_dir = cfg.data_dir.join("attachments");
    Ok(app)
}

fn db_of(app: &App) -> relais_store::Db {
    app.db.clone()
}

/// The reply-address signing secret: the configured one; otherwise, on
/// PostgreSQL, the one every node shares in the database (seeded from this
/// node's `reply-secret` file when it has one, so addresses signed before
/// keep working); on SQLite (one node), the file of the data folder.
async fn shared_reply_secret(cfg: &Config, db: &relais_store::Db) -> anyhow::Result<String> {
    if !cfg.reply_secret.is_empty() || db.engine() != relais_store::Engine::Postgres {
        return Ok(String::new());
    }
    let local = std::fs::read_to_string(cfg.data_dir.join("reply-secret"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| s.len() >= 32)
        .unwrap_or_else(relais_app::accounts::random_token);
    let mut tx = db.begin().await?;
    let s = relais_store::file_blobs::shared_secret(
        &mut tx,
        "reply_secret",
        &local,
        &relais_store::ts(chrono::Utc::now()),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Opens this node's search index in the data folder for a serving
/// process (one process per folder holds it). An index that cannot be read
/// is moved aside and rebuilt from the database by the node's index loop.
pub fn open_index(cfg: &Config, app: &mut App) -> anyhow::Result<()> {
    let dir = cfg.data_dir.join("index");
    let (ix, replaced) = relais_search::SearchIndex::open_or_replace(&dir).map_err(|e| {
        anyhow::anyhow!(
            "index de recherche {} inaccessible ({e}) : un autre processus Relais l'utilise-t-il ?",
            dir.display()
        )
    })?;
    if replaced {
        tracing::warn!(
            index = %dir.display(),
            "search index unreadable: moved aside, rebuilt from the database"
        );
        eprintln!(
            "Index de recherche {} illisible : mis de côté ({}), reconstruit depuis la base.",
            dir.display(),
            dir.with_extension("damaged").display()
        );
    }
    app.search = Some(relais_app::search::SearchHandle(Arc::new(ix)));
    Ok(())
}

/// Where the database is, for messages: the SQLite file, or PostgreSQL's
/// `host:port/base` (never the password).
pub fn redacted_place(url: &str, cfg: &Config) -> String {
    if url.starts_with("sqlite:") {
        return sqlite_file(url, cfg).display().to_string();
    }
    let rest = url.split_once("://").map(|x| x.1).unwrap_or(url);
    let rest = rest.rsplit_once('@').map(|x| x.1).unwrap_or(rest);
    rest.split('?').next().unwrap_or(rest).to_string()
}

fn sqlite_file(url: &str, cfg: &Config) -> std::path::PathBuf {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or("");
    if path.is_empty() {
        cfg.data_dir.join("relais.db")
    } else {
        std::path::PathBuf::from(path)
    }
}

/// The data folder must exist and take writes (the SQLite file, the
/// attachments, the index): said at once, with its path.
pub fn check_data_dir(cfg: &Config) -> anyhow::Result<()> {
    let dir = &cfg.data_dir;
    std::fs::create_dir_all(dir).map_err(|e| {
        anyhow::anyhow!(
            "le dossier de données {} ne peut pas être créé : {e}",
            dir.display()
        )
    })?;
    let probe = dir.join(format!(".relais-ecriture-{}", std::process::id()));
    std::fs::write(&probe, b"ok")
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| {
            anyhow::anyhow!(
                "le dossier de données {} n'est pas accessible en écriture : {e}",
                dir.display()
            )
        })
}

/// Connects with a message that says why when it cannot: a refused or
/// unknown PostgreSQL server (at once, not after the pool's timeout), a
/// SQLite file that is not a database or is damaged, a read-only folder.
pub async fn connect_checked(cfg: &Config, url: &str) -> anyhow::Result<relais_store::Db> {
    let place = redacted_place(url, cfg);
    if url.starts_with("sqlite:") {
        check_data_dir(cfg)?;
        let file = sqlite_file(url, cfg);
        if let Ok(mut f) = std::fs::File::open(&file) {
            use std::io::Read;
            let mut head = [0u8; 16];
            let n = f.read(&mut head).unwrap_or(0);
            if n > 0 && (n < 16 || &head != b"SQLite format 3\0") {
                anyhow::bail!(
                    "le fichier {} n'est pas une base SQLite ou il est endommagé : \
                     restaurez une sauvegarde (relais restore) ou déplacez-le",
                    file.display()
                );
            }
        }
        let db = relais_store::Db::connect(url)
            .await
            .map_err(|e| anyhow::anyhow!("base SQLite {} inutilisable : {e}", file.display()))?;
        // A damaged page is found by reading the schema, not by opening.
        if let Err(e) = db.quick_check().await {
            anyhow::bail!(
                "la base SQLite {} est endommagée ({e}) : restaurez une sauvegarde (relais restore)",
                file.display()
            );
        }
        return Ok(db);
    }
    // One direct attempt first: the pool would retry for its whole timeout.
    match tokio::time::timeout(
        std::time::Duration::from_secs(10),
        relais_store::db::probe(url),
    )
    .await
    {
        Err(_) => anyhow::bail!("base de données {place} : pas de réponse en 10 s"),
        Ok(Err(e)) => anyhow::bail!("base de données {place} injoignable : {e}"),
        Ok(Ok(())) => {}
    }
    relais_store::Db::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("base de données {place} injoignable : {e}"))
}

/// The refusal of an address to listen on, named.
pub fn bind_error(addr: &str, e: &std::io::Error) -> anyhow::Error {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "l'adresse {addr} est déjà utilisée (un autre processus y écoute) : \
             arrêtez-le ou choisissez une autre adresse avec --bind"
        ),
        std::io::ErrorKind::PermissionDenied => {
            anyhow::anyhow!("écoute sur {addr} refusée (port réservé ?) : {e}")
        }
        _ => anyhow::anyhow!("impossible d'écouter sur {addr} : {e}"),
    }
}
