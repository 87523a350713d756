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
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir)?;
    }
    let db = relais_store::Db::connect(&url).await?;
    db.migrate().await?;
    let mut app = App::new(db, Arc::new(relais_domain::SystemClock));
    app.settings.mail = Some(cfg.mail()?);
    app.settings.mail_reopen_days = cfg.mail_reopen_days.max(0);
    app.settings.mail_max_body_chars = cfg.mail_max_body_chars.max(1);
    app.settings.trusted_proxies = cfg.trusted_proxies()?;
    app.settings.sso = relais_app::sso::Sso::new(cfg.oidc.clone(), &cfg.base_url);
    // Attachments beside the database, outside anything served as static
    // files; the folders are created on the first upload.
    app.settings.attachments_dir = cfg.data_dir.join("attachments");
    Ok(app)
}

/// Opens the search index of the data folder for a serving process. Only
/// one process holds it; others enqueue index jobs that the server runs.
pub fn open_index(cfg: &Config, app: &mut App) -> anyhow::Result<()> {
    let dir = cfg.data_dir.join("index");
    let ix = relais_search::SearchIndex::open(&dir).map_err(|e| {
        anyhow::anyhow!(
            "index de recherche {} inaccessible ({e}) : un autre processus Relais l'utilise-t-il ?",
            dir.display()
        )
    })?;
    app.search = Some(relais_app::search::SearchHandle(Arc::new(ix)));
    Ok(())
}
