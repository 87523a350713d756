pub mod bench;
pub mod demo;
pub mod export;
pub mod import;
pub mod mail_ingest;
pub mod migrate;
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
    // Attachments beside the database, outside anything served as static
    // files; the folders are created on the first upload.
    app.settings.attachments_dir = cfg.data_dir.join("attachments");
    Ok(app)
}
