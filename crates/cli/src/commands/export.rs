//! `relais export`: CSV export of institutions, contacts or the action
//! plan's deliverables (`livrables`) (`;` separated, UTF-8 with a
//! byte-order mark for Excel, formulas neutralised), or XLSX for the
//! deliverables when the output file ends in `.xlsx`, acting as the first
//! administrator unless `--as` names another account.

use super::import::{actor, Kind};
use crate::config::Config;
use anyhow::Context;
use relais_app::csv_io;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// `etablissements`, `contacts` or `livrables`.
    pub kind: String,
    /// Output file (standard output when absent).
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
    /// Act as this account (e-mail), whose scope limits the export;
    /// default: the first administrator.
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_user: Option<String>,
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let kind = Kind::parse(&args.kind)?;
    let app = super::open(&cfg).await?;
    let actor = actor(&app, args.as_user.as_deref()).await?;
    let xlsx = args
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx && kind != Kind::Deliverables {
        anyhow::bail!("l'export XLSX n'existe que pour les livrables");
    }
    let mut buf = Vec::new();
    let n = match kind {
        Kind::Institutions => csv_io::export_institutions(&app, &actor, &mut buf).await,
        Kind::Contacts => csv_io::export_contacts(&app, &actor, &mut buf).await,
        Kind::Deliverables if xlsx => {
            let filter = relais_store::steering::DeliverableFilter::default();
            relais_app::steering::export_xlsx(&app, &actor, &filter)
                .await
                .map(|bytes| {
                    buf = bytes;
                    // The rows written: the same table the CSV would hold.
                    0
                })
        }
        Kind::Deliverables => {
            let filter = relais_store::steering::DeliverableFilter::default();
            relais_app::steering::export_csv(&app, &actor, &filter, &mut buf).await
        }
    }
    .map_err(|e| anyhow::anyhow!("export impossible : {e}"))?;
    app.db.close().await;
    match &args.output {
        Some(path) => {
            // Written beside the target then renamed, so an interrupted
            // export never leaves half a file under the expected name.
            let tmp = path.with_extension("part");
            std::fs::write(&tmp, &buf).with_context(|| format!("écriture de {}", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("écriture de {}", path.display()))?;
            if xlsx {
                eprintln!("classeur écrit dans {}", path.display());
                return Ok(());
            }
            eprintln!(
                "{n} ligne{} exportée{} dans {}",
                if n > 1 { "s" } else { "" },
                if n > 1 { "s" } else { "" },
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
    Ok(())
}
