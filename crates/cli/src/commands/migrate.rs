//! `relais migrate`: apply the embedded migrations of the configured engine.

use crate::config::Config;

pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let app = super::open(&cfg).await?;
    println!("Base de données à jour ({:?}).", app.db.engine());
    Ok(())
}
