//! `relais mail-poll [--once]`: reads the IMAP mailboxes of the
//! configuration (`[[imap]]`) into the support desk, as `serve` does in the
//! background. `--once`: one pass over each mailbox, its counts printed;
//! exit 75 (EX_TEMPFAIL) when a mailbox could not be read or a message not
//! stored (it stays on the server for the next pass).

use crate::config::Config;
use relais_app::mail_poll::Poller;

const EX_TEMPFAIL: i32 = 75;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One pass over each mailbox, then exit.
    #[arg(long)]
    once: bool,
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let mailboxes = cfg.imap()?;
    if mailboxes.is_empty() {
        anyhow::bail!("aucune boîte IMAP configurée ([[imap]] dans relais.toml)");
    }
    let app = super::open(&cfg).await?;
    let settings = cfg.mail()?;
    if !args.once {
        relais_app::mail_poll::spawn_all(&app, &settings, &mailboxes);
        tokio::signal::ctrl_c().await?;
        return Ok(());
    }
    let mut failed = false;
    for mb in mailboxes {
        let label = mb.label();
        match Poller::new(mb).poll_once(&app, &settings).await {
            Ok(r) => {
                println!(
                    "{label} : {} lus, {} tickets, {} réponses, {} ignorés, {} déjà traités, {} en quarantaine, {} laissés sur le serveur",
                    r.fetched, r.tickets, r.replies, r.ignored, r.duplicates, r.quarantined, r.failed
                );
                failed |= r.failed > 0;
            }
            Err(e) => {
                eprintln!("{label} : {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(EX_TEMPFAIL);
    }
    Ok(())
}
