//! `relais mail-replay --as agent@… [ID…]`: replays quarantined messages
//! (all those waiting when no id is given) after their cause was fixed,
//! e.g. the sender's account created or the MTA's verdicts configured. The
//! agent named is recorded as having handled each entry.

use crate::config::Config;
use relais_app::mail_io::{self, IngestOutcome};
use relais_domain::Id;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address of the agent account replaying (recorded in the history).
    #[arg(long = "as")]
    agent: String,
    /// Quarantine entries to replay; none: every entry still waiting.
    ids: Vec<String>,
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let app = super::open(&cfg).await?;
    let settings = match app.settings.mail.clone() {
        Some(s) => s,
        None => cfg.mail()?,
    };
    let actor = {
        let mut c = app.db.read().await?;
        let u = relais_store::accounts::find_user_by_email(&mut c, &args.agent)
            .await
            .map_err(|_| anyhow::anyhow!("aucun compte {}", args.agent))?;
        relais_app::accounts::actor_of(&u)
            .ok_or_else(|| anyhow::anyhow!("compte {} inutilisable", args.agent))?
    };
    let ids: Vec<Id> = if args.ids.is_empty() {
        mail_io::list_quarantine(&app, &actor)
            .await?
            .into_iter()
            .filter(|q| q.status == "en_attente")
            .filter_map(|q| Id::parse(&q.id))
            .collect()
    } else {
        args.ids
            .iter()
            .map(|s| Id::parse(s).ok_or_else(|| anyhow::anyhow!("identifiant invalide : {s}")))
            .collect::<anyhow::Result<_>>()?
    };
    let (mut done, mut held) = (0, 0);
    for id in ids {
        match mail_io::replay(&app, &settings, &actor, id).await? {
            IngestOutcome::Quarantined { reason, .. } => {
                held += 1;
                println!("{id} : toujours en quarantaine ({reason})");
            }
            IngestOutcome::NewTicket(t) => {
                done += 1;
                println!("{id} : ticket créé {t}");
            }
            IngestOutcome::Reply { ticket, .. } => {
                done += 1;
                println!("{id} : réponse ajoutée au ticket {ticket}");
            }
            IngestOutcome::Ignored(k) => {
                done += 1;
                println!("{id} : ignoré ({k})");
            }
        }
    }
    println!("{done} rejoué(s), {held} toujours en quarantaine");
    Ok(())
}
