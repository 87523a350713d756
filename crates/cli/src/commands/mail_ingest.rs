//! `relais mail-ingest`: reads one RFC 5322 message on standard input, as an
//! MTA pipe delivers it (e.g. a Postfix alias `"|relais mail-ingest"`).
//! Exit 0 once the message is safely stored (ticket, reply, ignored or
//! quarantined), 75 (EX_TEMPFAIL) when the MTA should retry later.

use crate::config::Config;
use relais_app::mail_io::{self, IngestOutcome};
use std::io::Read;

pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let mut raw = Vec::new();
    std::io::stdin()
        .take(relais_mail::MAX_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut raw)?;
    let app = super::open(&cfg).await?;
    let settings = cfg.mail()?;
    match mail_io::ingest(&app, &settings, &raw).await {
        Ok(IngestOutcome::NewTicket(id)) => println!("ticket créé : {id}"),
        Ok(IngestOutcome::Reply { ticket, .. }) => println!("réponse ajoutée au ticket {ticket}"),
        Ok(IngestOutcome::Ignored(kind)) => println!("message automatique ignoré ({kind})"),
        Ok(IngestOutcome::Quarantined { id, reason }) => {
            println!("message mis en quarantaine ({reason}) : {id}")
        }
        Err(e) => {
            eprintln!("erreur temporaire : {e}");
            std::process::exit(75);
        }
    }
    Ok(())
}
