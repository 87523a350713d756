//! `relais mail-ingest`: reads one RFC 5322 message on standard input, as an
//! MTA pipe delivers it (e.g. a Postfix alias `"|relais mail-ingest"`).
//! Exit 0 once the message is safely stored (ticket, reply, ignored or
//! quarantined); 75 (EX_TEMPFAIL) only when nothing could be stored (the
//! database is unreachable), so that the MTA retries; 78 (EX_CONFIG, also
//! retried by Postfix) when the configuration is wrong. Any problem of the
//! message itself quarantines it: it is never retried for ever.

use crate::config::Config;
use relais_app::mail_io::{self, IngestOutcome};
use std::io::Read;

const EX_TEMPFAIL: i32 = 75;
const EX_CONFIG: i32 = 78;

pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin()
        .take(relais_mail::MAX_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut raw)
    {
        eprintln!("erreur temporaire : lecture du message : {e}");
        std::process::exit(EX_TEMPFAIL);
    }
    let settings = match cfg.mail() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("configuration du courriel invalide : {e}");
            std::process::exit(EX_CONFIG);
        }
    };
    let app = match super::open(&cfg).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("erreur temporaire : base de données inaccessible : {e}");
            std::process::exit(EX_TEMPFAIL);
        }
    };
    // The shared reply secret (PostgreSQL) when `open` resolved one.
    let settings = app.settings.mail.clone().unwrap_or(settings);
    match mail_io::ingest(&app, &settings, &raw).await {
        Ok(IngestOutcome::NewTicket(id)) => println!("ticket créé : {id}"),
        Ok(IngestOutcome::Reply { ticket, .. }) => println!("réponse ajoutée au ticket {ticket}"),
        Ok(IngestOutcome::Ignored(kind)) => println!("message ignoré ({kind})"),
        Ok(IngestOutcome::Quarantined { id, reason }) => {
            println!("message mis en quarantaine ({reason}) : {id}")
        }
        Err(e) => {
            eprintln!("erreur temporaire : {e}");
            std::process::exit(EX_TEMPFAIL);
        }
    }
    Ok(())
}
