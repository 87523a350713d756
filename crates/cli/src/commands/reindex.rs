//! `relais reindex`: rebuilds the search index from the database. When a
//! server holds the index, the rebuild is handed to it as a job (it keeps
//! serving, readers see the old index until the final commit); otherwise
//! this process rebuilds it and prints the time taken.

use crate::config::Config;
use relais_app::App;
use std::time::Instant;

pub async fn rebuild_logged(app: &App) -> anyhow::Result<()> {
    let started = Instant::now();
    let n = relais_app::search::rebuild(app, &|_| {})
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        documents = n,
        seconds = started.elapsed().as_secs_f64(),
        "search index rebuilt"
    );
    Ok(())
}

pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let mut app = super::open(&cfg).await?;
    if super::open_index(&cfg, &mut app).is_err() {
        let now = app.now_ts();
        let mut tx = app.db.begin().await?;
        relais_app::jobs::enqueue(&mut tx, &relais_app::jobs::RebuildIndex::default(), &now)
            .await?;
        tx.commit().await?;
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
