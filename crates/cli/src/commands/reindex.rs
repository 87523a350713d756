//! `relais reindex`: rebuilds the search index from the database. When a
//! server holds the index, the rebuild is asked through the change log, so
//! every node rebuilds its own (each keeps serving, readers see the old
//! index until the final commit); otherwise this process rebuilds this
//! folder's index and prints the time taken.

use crate::config::Config;
use std::time::Instant;

pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let mut app = super::open(&cfg).await?;
    if super::open_index(&cfg, &mut app).is_err() {
        relais_app::search::request_rebuild(&app)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("Le serveur en cours utilise l'index : la reconstruction lui est confiée (elle se fait sans interrompre le service).");
        return Ok(());
    }
    let started = Instant::now();
    let bar = indicatif::ProgressBar::new_spinner();
    let n = relais_app::search::rebuild(&app, &|n| bar.set_message(format!("{n} documents")))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    println!(
        "Index reconstruit : {n} documents en {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
