pub mod bench;
pub mod demo;
pub mod eval;
pub mod export;
pub mod import;
pub mod jobs;
pub mod mail_corpus;
pub mod mail_ingest;
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
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir)?;
    }
    let db = relais_store::Db::connect(&url).await?;
    db.migrate().await?;
    let mut app = App::new(db, Arc::new(relais_domain::SystemClock));
    app.settings.mail = Some(cfg.mail_with_secret(&shared_reply_secret(cfg, &db_of(&app)).await?)?);
    app.settings.mail_reopen_days = cfg.mail_reopen_days.max(0);
    app.settings.mail_max_body_chars = cfg.mail_max_body_chars.max(1);
    app.settings.trusted_proxies = cfg.trusted_proxies()?;
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
