//! `relais demo`: create the database, load the demo data (deterministic
//! from a seed) and serve, printing the URL and one login per role.

use crate::config::Config;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on.
    #[arg(long)]
    pub bind: Option<String>,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 2021)]
    pub seed: u64,
    /// Erase the demo database first.
    #[arg(long)]
    pub reset: bool,
    /// Load the data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let url = cfg.database_url();
    if args.reset {
        if let Some(path) = url.strip_prefix("sqlite://") {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
        let _ = std::fs::remove_dir_all(cfg.data_dir.join("index"));
    }
    let app = super::open(&cfg).await?;
    let mut c = app.db.read().await?;
    let existing = relais_store::crm::counts(&mut c, relais_domain::accounts::Scope::All).await?;
    drop(c);
    let loaded = existing.iter().any(|(k, n)| *k == "institutions" && *n > 0);
    if loaded {
        println!("Données de démonstration déjà présentes (relancez avec --reset pour repartir de zéro).");
    } else {
        let started = std::time::Instant::now();
        let s = relais_testkit::demo::load(&app.db, args.seed, app.clock.now()).await?;
        println!(
            "Démo chargée en {:.1} s : {} établissements, {} contacts, {} déploiements, {} conventions, {} interactions, {} tickets, {} incidents.",
            started.elapsed().as_secs_f64(),
            s.institutions,
            s.contacts,
            s.deployments,
            s.conventions,
            s.interactions,
            s.tickets,
            s.incidents
        );
    }
    // The steering indicators of the last 90 days, computed once here (the
    // server then refreshes yesterday and today every day).
    let today = relais_app::steering::today(&app);
    let n = relais_app::steering::refresh_indicators(&app, today - chrono::Days::new(90), today)
        .await?;
    println!("Indicateurs de pilotage calculés : {n} agrégats journaliers sur 90 jours.");
    println!(
        "Comptes de démonstration (mot de passe : {}) :",
        relais_testkit::demo::DEMO_PASSWORD
    );
    for (role, email) in relais_testkit::demo::LOGINS {
        println!("  {role:<36} {email}");
    }
    if args.no_serve {
        return Ok(());
    }
    let mut app = app;
    super::open_index(&cfg, &mut app)?;
    super::serve::serve(cfg, app, args.bind).await
}
