//! `relais import`: CSV import of institutions or contacts, or CSV/XLSX
//! import of the action plan's deliverables (`livrables`), acting as a
//! named account (`--as`) or the first administrator. All or nothing: every
//! bad line is printed with its number and the command exits with status 1
//! having changed nothing.

use crate::config::Config;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use relais_app::csv_io;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What the file holds: `etablissements`, `contacts` or `livrables`.
    pub kind: String,
    /// The CSV file (UTF-8, `;` or `,` separated), or for `livrables` an
    /// XLSX workbook (its first sheet).
    pub file: std::path::PathBuf,
    /// Act as this account (e-mail); default: the first administrator.
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_user: Option<String>,
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Institutions,
    Contacts,
    /// The action plan's deliverables (CSV or XLSX).
    Deliverables,
}

impl Kind {
    pub fn parse(raw: &str) -> anyhow::Result<Kind> {
        match relais_domain::fold(raw.trim()).as_str() {
            "etablissements" | "etablissement" => Ok(Kind::Institutions),
            "contacts" | "contact" => Ok(Kind::Contacts),
            "livrables" | "livrable" => Ok(Kind::Deliverables),
            _ => anyhow::bail!(
                "type de fichier inconnu : « {raw} » (attendu : etablissements, contacts ou livrables)"
            ),
        }
    }
}

/// The account a command acts as: the one named, or the first administrator
/// (the earliest created active one), so its changes have an author.
pub async fn actor(
    app: &relais_app::App,
    email: Option<&str>,
) -> anyhow::Result<relais_domain::accounts::Actor> {
    let mut c = app.db.read().await?;
    let user = match email {
        Some(e) => relais_store::accounts::find_user_by_email(&mut c, e.trim())
            .await
            .map_err(|_| anyhow::anyhow!("aucun compte n'a l'adresse {e}"))?,
        None => {
            let mut admins = relais_store::accounts::list_users(
                &mut c,
                relais_domain::accounts::Scope::All,
                Some("admin"),
            )
            .await?;
            admins.retain(|u| u.active != 0);
            admins.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            admins.into_iter().next().ok_or_else(|| {
                anyhow::anyhow!(
                    "aucun compte administrateur actif : créez-en un, ou indiquez un compte avec --as EMAIL"
                )
            })?
        }
    };
    if user.active == 0 {
        anyhow::bail!("le compte {} est désactivé", user.email);
    }
    relais_app::accounts::actor_of(&user)
        .with_context(|| format!("compte {} illisible", user.email))
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let kind = Kind::parse(&args.kind)?;
    let data =
        std::fs::read(&args.file).with_context(|| format!("lecture de {}", args.file.display()))?;
    let app = super::open(&cfg).await?;
    let actor = actor(&app, args.as_user.as_deref()).await?;

    // Drawn on stderr, and only when it is a terminal: stdout keeps the
    // summary alone, for scripts.
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {percent:>3} %")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("Import");
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let report = match kind {
        Kind::Institutions => csv_io::import_institutions(&app, &actor, &data, &progress).await,
        Kind::Contacts => csv_io::import_contacts(&app, &actor, &data, &progress).await,
        Kind::Deliverables => relais_app::steering::import(&app, &actor, &data).await,
    };
    bar.finish_and_clear();
    let report = report.map_err(|e| anyhow::anyhow!(describe(&e)))?;
    if report.is_ok() {
        println!("{}", report.summary_fr());
        app.db.close().await;
        return Ok(());
    }
    for e in &report.errors {
        eprintln!("{e}");
    }
    eprintln!("{}", report.summary_fr());
    app.db.close().await;
    std::process::exit(1);
}

/// A use-case error in French, for the terminal.
fn describe(e: &relais_app::AppError) -> String {
    use relais_domain::DomainError;
    match e {
        relais_app::AppError::Domain(DomainError::Forbidden) => {
            "ce compte ne peut pas importer : il faut un rôle administrateur ou chargé·e de relation (livrables : administrateur ou chargé·e de domaine)"
                .into()
        }
        relais_app::AppError::Domain(DomainError::Invalid(errs)) => errs
            .iter()
            .map(|f| f.detail.clone())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}
