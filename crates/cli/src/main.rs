//! The `relais` command line: one subcommand per file under `commands/`.

mod commands;
mod config;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "relais",
    version,
    about = "Relais : relation adhérents et support coopératif"
)]
struct Cli {
    /// Configuration file (default: ./relais.toml when present).
    #[arg(long, global = true)]
    config: Option<std::path::PathBuf>,
    /// Data folder holding the SQLite database (default: ./data).
    #[arg(long, global = true)]
    data_dir: Option<std::path::PathBuf>,
    /// Database URL: sqlite://… (default) or postgres://…
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web pages and the API.
    Serve(commands::serve::Args),
    /// Create the database, load the demo data and serve.
    Demo(commands::demo::Args),
    /// Apply the database migrations.
    Migrate,
    /// Import institutions or contacts from a CSV file.
    Import(commands::import::Args),
    /// Export institutions or contacts as CSV.
    Export(commands::export::Args),
    /// Read one mail on standard input (MTA pipe) into the support desk.
    MailIngest,
    /// Read the IMAP mailboxes of the configuration (`[[imap]]`) into the
    /// support desk, for ever or once (`--once`).
    MailPoll(commands::mail_poll::Args),
    /// Deliver a folder of .eml messages into a throw-away database and
    /// print what became of them (tickets, replies, ignored, quarantined).
    MailCorpus(commands::mail_corpus::Args),
    /// Replay quarantined mail after its cause was fixed.
    MailReplay(commands::mail_replay::Args),
    /// Generate a large support history and print server-time figures.
    Bench(commands::bench::Args),
    /// Rebuild the search index from the database (handed to the running
    /// server when there is one).
    Reindex,
    /// Measure the assistant (hit@1, hit@3, MRR, nDCG@10 on the labelled
    /// set) and triage (held-out accuracy) on a fresh demo.
    Eval(commands::eval::Args),
    /// List failed and pending background jobs with their reasons, or put
    /// one back in the queue (`--retry <id>`).
    Jobs(commands::jobs::Args),
    /// Make a consistent copy of the database, files and secrets into a new
    /// folder while the server runs (`--verify` checks an existing copy).
    Backup(commands::backup::Args),
    /// Bring a backup back into an empty data folder / database; the search
    /// index is rebuilt at the next start.
    Restore(commands::backup::RestoreArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let cfg = config::load(cli.config.as_deref(), cli.data_dir, cli.database_url)?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cfg.log)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve(a) => commands::serve::run(cfg, a).await,
        Command::Demo(a) => commands::demo::run(cfg, a).await,
        Command::Migrate => commands::migrate::run(cfg).await,
        Command::Import(a) => commands::import::run(cfg, a).await,
        Command::Export(a) => commands::export::run(cfg, a).await,
        Command::MailIngest => commands::mail_ingest::run(cfg).await,
        Command::MailPoll(a) => commands::mail_poll::run(cfg, a).await,
        Command::MailCorpus(a) => commands::mail_corpus::run(cfg, a).await,
        Command::MailReplay(a) => commands::mail_replay::run(cfg, a).await,
        Command::Bench(a) => commands::bench::run(cfg, a).await,
        Command::Reindex => commands::reindex::run(cfg).await,
        Command::Eval(a) => commands::eval::run(cfg, a).await,
        Command::Jobs(a) => commands::jobs::run(cfg, a).await,
        Command::Backup(a) => commands::backup::run(cfg, a).await,
        Command::Restore(a) => commands::backup::restore(cfg, a).await,
    }
}
