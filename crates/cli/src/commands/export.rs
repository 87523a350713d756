//! `relais export`: CSV export of institutions or contacts.

use crate::config::Config;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// `etablissements` or `contacts`.
    pub kind: String,
    /// Output file (standard output when absent).
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

pub async fn run(_cfg: Config, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("export : pas encore disponible")
}
