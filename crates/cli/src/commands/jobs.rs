//! `relais jobs`: the jobs that wait for a person (failed: attempts used up
//! or unreadable — unknown kind, unknown mail template, bad id) and the
//! pending ones, with their reasons; `--retry <id>` puts one back in the
//! queue once its cause is fixed. First come the backlog of each queue
//! and kind (with the age of the oldest job) and each node's position in
//! the search change log.

use crate::config::Config;
use relais_store::jobs::{self, JobListRow, JobState};

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Put this job back in the queue, due now, with its attempts reset.
    #[arg(long, value_name = "ID")]
    pub retry: Option<String>,
    /// How many jobs of each list to show.
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
}

fn print_list(title: &str, rows: &[JobListRow]) {
    println!("{title} ({}) :", rows.len());
    for j in rows {
        println!(
            "  {}  {}  tentatives {}/{}  créée {}  prévue {}",
            j.id, j.kind, j.attempts, j.max_attempts, j.created_at, j.run_at
        );
        if let Some(e) = &j.last_error {
            println!("      raison : {e}");
        }
    }
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let app = super::open(&cfg).await?;
    if let Some(id) = args.retry {
        let mut tx = app.db.begin().await?;
        let ok = jobs::retry(&mut tx, &id, &app.now_ts()).await?;
        tx.commit().await?;
        if !ok {
            anyhow::bail!("aucune tâche non terminée avec l'identifiant {id}");
        }
        println!("Tâche {id} remise dans la file.");
        return Ok(());
    }
    let mut c = app.db.read().await?;
    let now = app.now_ts();
    let backlog = jobs::backlog(&mut c, &now).await?;
    println!("Files d'attente (file, type : en attente, dues, en échec, plus ancienne) :");
    if backlog.is_empty() {
        println!("  aucune tâche");
    }
    for q in &backlog {
        let age = q
            .oldest
            .as_deref()
            .and_then(relais_store::parse_ts)
            .map(|t| format!("{} s", (chrono::Utc::now() - t).num_seconds().max(0)))
            .unwrap_or_else(|| "-".into());
        println!(
            "  {:<10} {:<22} {:>8} {:>8} {:>6}  {}",
            q.queue, q.kind, q.pending, q.due, q.failed, age
        );
    }
    let nodes = relais_store::search_log::nodes(&mut c).await?;
    println!(
        "Index de recherche des nœuds (nœud, séquence appliquée, changements à appliquer, vu le) :"
    );
    for n in &nodes {
        let waiting = relais_store::search_log::waiting(&mut c, n.applied_seq).await?;
        println!(
            "  {}  {:>10}  {:>8}  {}",
            n.node_id, n.applied_seq, waiting, n.seen_at
        );
    }
    let failed = jobs::list(&mut c, JobState::Failed, args.limit).await?;
    let pending = jobs::list(&mut c, JobState::Pending, args.limit).await?;
    print_list("Tâches en échec", &failed);
    print_list("Tâches en attente", &pending);
    Ok(())
}
