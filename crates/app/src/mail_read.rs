//! Real-world mail through the real ingest: the corpus run behind
//! `relais mail-corpus` and the corpus test. Every message of a folder is
//! delivered as the MTA would deliver it, with its sender made a member of a
//! corpus institution first (so that a message a person wrote can become a
//! ticket), and the outcome is checked against what the message says: a
//! ticket or reply carries the sender, subject and body that the parser read,
//! a quarantined message has a reason, an ignored one is automatic mail.

use crate::mail_io::{self, IngestOutcome, MailSettings};
use crate::{App, AppError, Result};
use relais_domain::Id;
use relais_store::support as sstore;
use std::collections::BTreeMap;

/// The institution and product the corpus senders write for.
#[derive(Debug, Clone, Copy)]
pub struct CorpusWorld {
    pub institution: Id,
    pub product: Id,
}

/// One message of the run.
#[derive(Debug, Clone)]
pub struct CorpusLine {
    pub file: String,
    /// `ticket`, `reply`, `ignored:<kind>` or `quarantined:<reason>`.
    pub outcome: String,
    /// What does not match the message, if anything.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CorpusReport {
    pub lines: Vec<CorpusLine>,
}

impl CorpusReport {
    pub fn tickets(&self) -> usize {
        self.count(|o| o == "ticket")
    }
    pub fn replies(&self) -> usize {
        self.count(|o| o == "reply")
    }
    pub fn ignored(&self) -> usize {
        self.count(|o| o.starts_with("ignored:"))
    }
    pub fn quarantined(&self) -> usize {
        self.count(|o| o.starts_with("quarantined:"))
    }
    pub fn problems(&self) -> Vec<&CorpusLine> {
        self.lines.iter().filter(|l| l.problem.is_some()).collect()
    }
    fn count(&self, f: impl Fn(&str) -> bool) -> usize {
        self.lines.iter().filter(|l| f(&l.outcome)).count()
    }
    /// Outcomes with their counts, sorted (ignored kinds and quarantine
    /// reasons each counted apart).
    pub fn by_outcome(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for l in &self.lines {
            *m.entry(l.outcome.clone()).or_insert(0) += 1;
        }
        m
    }
    /// The summary printed by `relais mail-corpus`.
    pub fn render(&self) -> String {
        let mut s = format!(
            "messages : {}\ntickets créés : {}\nréponses ajoutées : {}\nautomatiques ignorés : {}\nmis en quarantaine : {}\nécarts : {}\n\npar issue :\n",
            self.lines.len(),
            self.tickets(),
            self.replies(),
            self.ignored(),
            self.quarantined(),
            self.problems().len()
        );
        for (k, n) in self.by_outcome() {
            s.push_str(&format!("  {n:>4}  {k}\n"));
        }
        for l in self.problems() {
            s.push_str(&format!(
                "écart : {} ({}) : {}\n",
                l.file,
                l.outcome,
                l.problem.as_deref().unwrap_or("")
            ));
        }
        s
    }
}

/// Creates the corpus institution, with one product it is entitled to
/// (so that every new request lands on it).
pub async fn corpus_world(app: &App) -> Result<CorpusWorld> {
    use relais_store::crm::*;
    let now = app.now_ts();
    let institution = Id::new();
    let product = Id::new();
    let mut tx = app.db.begin().await?;
    insert_institution(
        &mut tx,
        institution,
        &InstitutionValues {
            name: "Établissement du corpus".into(),
            acronym: Some("CORPUS".into()),
            kind: "universite".into(),
            region: None,
            city: None,
            uai: None,
            students: None,
            staff: None,
            membership: "adherent".into(),
            member_since: None,
            calendar: "metropole".into(),
            manager_id: None,
            tags: "[]".into(),
        },
        &now,
    )
    .await?;
    if !list_domains(&mut tx)
        .await?
        .iter()
        .any(|d| d.code == "corpus")
    {
        insert_domain(&mut tx, "corpus", "Corpus", 99).await?;
    }
    insert_product(
        &mut tx,
        product,
        &ProductValues {
            code: format!("corpus-{}", &product.to_string()[..8]),
            name: "Corpus".into(),
            domain_code: "corpus".into(),
            stage: "production".into(),
            description: None,
        },
        &now,
    )
    .await?;
    insert_deployment(
        &mut tx,
        Id::new(),
        &DeploymentValues {
            institution_id: institution,
            product_id: product,
            status: "production".into(),
            wave: None,
            hosting: "sur_site".into(),
            version: None,
            starts_on: None,
            ends_on: None,
            notes: None,
        },
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(CorpusWorld {
        institution,
        product,
    })
}

/// Makes the sender a member of the corpus institution when no account has
/// that address yet.
async fn ensure_member(app: &App, world: CorpusWorld, address: &str, name: &str) -> Result<()> {
    {
        let mut c = app.db.read().await?;
        match relais_store::accounts::find_user_by_email(&mut c, address).await {
            Ok(_) => return Ok(()),
            Err(relais_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut tx = app.db.begin().await?;
    relais_store::accounts::insert_user(
        &mut tx,
        Id::new(),
        &relais_store::accounts::UserValues {
            email: address.into(),
            display_name: if name.trim().is_empty() {
                address.into()
            } else {
                name.chars().take(100).collect()
            },
            role: "member".into(),
            institution_id: Some(world.institution.to_string()),
            locale: "fr".into(),
            active: true,
        },
        None,
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The subject a ticket gets from a message's subject.
fn expected_subject(subject: &str) -> String {
    let s: String = subject.chars().take(200).collect();
    if s.trim().is_empty() {
        "(sans objet)".into()
    } else {
        s.trim().to_string()
    }
}

/// Delivers each message and checks its outcome against what it says.
pub async fn run_corpus(
    app: &App,
    settings: &MailSettings,
    world: CorpusWorld,
    messages: &[(String, Vec<u8>)],
) -> Result<CorpusReport> {
    let own = settings.reply.base();
    let mut report = CorpusReport::default();
    for (file, raw) in messages {
        let parsed = relais_mail::parse(raw, &own).ok();
        if let Some(m) = &parsed {
            if let (None, Some(from)) = (m.auto, &m.from_address) {
                ensure_member(app, world, from, m.from_name.as_deref().unwrap_or("")).await?;
            }
        }
        let outcome = mail_io::ingest(app, settings, raw).await?;
        let (label, problem) = match &outcome {
            IngestOutcome::NewTicket(id) => ("ticket".to_string(), {
                check_ticket(app, *id, parsed.as_ref()).await?
            }),
            IngestOutcome::Reply { ticket, message } => ("reply".to_string(), {
                check_reply(app, *ticket, *message, parsed.as_ref()).await?
            }),
            IngestOutcome::Ignored(kind) => (
                format!("ignored:{kind}"),
                match &parsed {
                    Some(m) if m.auto.is_some() => None,
                    _ => Some("ignoré sans être un message automatique".into()),
                },
            ),
            IngestOutcome::Quarantined { reason, .. } => (
                format!("quarantined:{reason}"),
                reason
                    .trim()
                    .is_empty()
                    .then(|| "quarantaine sans motif".to_string()),
            ),
        };
        report.lines.push(CorpusLine {
            file: file.clone(),
            outcome: label,
            problem,
        });
    }
    Ok(report)
}

fn body_of(m: &relais_mail::ParsedMail) -> String {
    if m.text.trim().is_empty() {
        "(message vide)".into()
    } else {
        m.text.trim().to_string()
    }
}

async fn check_ticket(
    app: &App,
    id: Id,
    parsed: Option<&relais_mail::ParsedMail>,
) -> Result<Option<String>> {
    let Some(m) = parsed else {
        return Ok(Some("ticket créé d'un message illisible".into()));
    };
    let mut c = app.db.read().await?;
    let t = sstore::get_ticket(&mut c, sstore::TicketScope::All, id).await?;
    let msgs = sstore::list_messages(&mut c, id, false).await?;
    let mut wrong = Vec::new();
    if t.requester_email.as_deref() != m.from_address.as_deref() {
        wrong.push(format!(
            "demandeur {:?} au lieu de {:?}",
            t.requester_email, m.from_address
        ));
    }
    if t.subject != expected_subject(&m.subject) {
        wrong.push(format!("objet {:?} au lieu de {:?}", t.subject, m.subject));
    }
    match msgs.first() {
        Some(first) if first.body.trim() == body_of(m) => {}
        Some(first) => wrong.push(format!(
            "texte différent ({} caractères au lieu de {})",
            first.body.chars().count(),
            body_of(m).chars().count()
        )),
        None => wrong.push("ticket sans message".into()),
    }
    Ok((!wrong.is_empty()).then(|| wrong.join(" ; ")))
}

async fn check_reply(
    app: &App,
    ticket: Id,
    message: Id,
    parsed: Option<&relais_mail::ParsedMail>,
) -> Result<Option<String>> {
    let Some(m) = parsed else {
        return Ok(Some("réponse tirée d'un message illisible".into()));
    };
    let mut c = app.db.read().await?;
    let msgs = sstore::list_messages(&mut c, ticket, false).await?;
    let Some(row) = msgs.iter().find(|r| r.id == message.to_string()) else {
        return Ok(Some("réponse introuvable".into()));
    };
    let mut wrong = Vec::new();
    if row.body.trim() != body_of(m) {
        wrong.push("texte différent".to_string());
    }
    let author = match row.author_id.as_deref().and_then(Id::parse) {
        Some(a) => Some(
            relais_store::accounts::get_user(&mut c, relais_domain::accounts::Scope::All, a)
                .await
                .map_err(AppError::from)?
                .email,
        ),
        None => None,
    };
    if author.as_deref() != m.from_address.as_deref() {
        wrong.push(format!("auteur {author:?} au lieu de {:?}", m.from_address));
    }
    Ok((!wrong.is_empty()).then(|| wrong.join(" ; ")))
}

/// The `.eml` (and `.txt`) files of a folder, sorted by name, with their
/// bytes.
pub fn read_corpus_dir(dir: &std::path::Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml" || x == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            std::fs::read(&p).map(|b| (name, b))
        })
        .collect()
}
