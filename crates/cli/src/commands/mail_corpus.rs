//! `relais mail-corpus <folder>`: delivers every `.eml` of a folder through
//! the real ingest into a fresh, throw-away SQLite database (never the
//! configured one), each sender made a member of a corpus institution, and
//! prints how many became tickets, replies, ignored automatic mail or
//! quarantined messages, with the reasons and any outcome that does not
//! match its message. The project's corpus is
//! `crates/mail/tests/corpus/real`.
//!
//! A corpus tool, not a way to deliver mail: to measure how messages are
//! read rather than whether their senders are authenticated, it stamps each
//! message with a trusted `Authentication-Results: corpus.relais.invalid;
//! dkim=pass header.d=<sender's domain>` and trusts only that authserv-id
//! (see `relais_app::mail_read::run_corpus`). Real delivery (`relais
//! ingest-mail`) never does this.

use crate::config::Config;
use relais_app::App;
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder of `.eml` messages.
    pub dir: std::path::PathBuf,
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let messages = relais_app::mail_read::read_corpus_dir(&args.dir)?;
    let tmp = std::env::temp_dir().join(format!("relais-mail-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let result = async {
        let url = format!("sqlite://{}", tmp.join("corpus.db").display());
        let db = relais_store::Db::connect(&url).await?;
        db.migrate().await?;
        let mut app = App::new(db, Arc::new(relais_domain::SystemClock));
        app.settings.attachments_dir = tmp.join("attachments");
        relais_app::support::ensure_defaults(&app).await?;
        let mut settings = cfg.mail_with_secret("mail-corpus")?;
        settings.smtp.host = String::new();
        let world = relais_app::mail_read::corpus_world(&app).await?;
        let report = relais_app::mail_read::run_corpus(&app, &settings, world, &messages).await?;
        print!("{}", report.render());
        anyhow::Ok(report.problems().is_empty())
    }
    .await;
    let _ = std::fs::remove_dir_all(&tmp);
    if !result? {
        std::process::exit(1);
    }
    Ok(())
}
