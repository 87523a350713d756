//! `relais import`: CSV import of institutions or contacts.

use crate::config::Config;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What the file holds: `etablissements` or `contacts`.
    pub kind: String,
    /// The CSV file (UTF-8, `;` or `,` separated).
    pub file: std::path::PathBuf,
}

pub async fn run(_cfg: Config, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("import : pas encore disponible")
}
