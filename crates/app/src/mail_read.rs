//! Real-world mail through the real ingest: the corpus run behind
//! `relais mail-corpus` and the corpus test. Every message of a folder is
//! delivered as the MTA would deliver it, with its sender made a member of a
//! corpus institution first (so that a message a person wrote can become a
//! ticket), and the outcome is checked against what the message says: a
//! ticket or reply carries the sender, subject and body that the parser read,
//! a quarantined message has a reason, an ignored one is automatic mail.
//!
//! This is a corpus tool, not a delivery path: the corpus measures how mail
//! is *read*, not whether its sender is authenticated (its messages come
//! from test suites and carry no verdict of ours, so the mail gate would
//! quarantine them all). Each message with a sender is therefore stamped
//! with a trusted `Authentication-Results: corpus.relais.invalid;
//! dkim=pass header.d=<sender's domain>` before the ingest, and the run
//! trusts that `authserv-id` only ([`CORPUS_AUTHSERV_ID`]).

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
    /// Automatic mail ignored (duplicates apart).
    pub fn ignored(&self) -> usize {
        self.count(|o| o.starts_with("ignored:") && o != "ignored:duplicate")
    }
    /// Messages reusing the Message-ID of one delivered before.
    pub fn duplicates(&self) -> usize {
        self.count(|o| o == "ignored:duplicate")
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
            "messages : {}\ntickets créés : {}\nréponses ajoutées : {}\nautomatiques ignorés : {}\ndoublons (Message-ID déjà reçu) : {}\nmis en quarantaine : {}\nécarts : {}\n\npar issue :\n",
            self.lines.len(),
            self.tickets(),
            self.replies(),
            self.ignored(),
            self.duplicates(),
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

/// The `authserv-id` the corpus run stamps on its messages and trusts
/// (a reserved `.invalid` name: no real MTA carries it).
pub const CORPUS_AUTHSERV_ID: &str = "corpus.relais.invalid";

/// The message with a trusted DKIM verdict for its sender's domain on top,
/// as our MTA would add it: corpus runs only (see the module comment).
pub fn with_corpus_verdict(raw: &[u8], from_address: &str) -> Vec<u8> {
    let domain = relais_mail::domain_of(from_address);
    let crlf = raw.windows(2).any(|w| w == b"\r\n");
    let mut out = format!(
        "Authentication-Results: {CORPUS_AUTHSERV_ID}; dkim=pass header.d={domain}{}",
        if crlf { "\r\n" } else { "\n" }
    )
    .into_bytes();
    out.extend_from_slice(raw);
    out
}

/// Delivers each message and checks its outcome against what it says.
/// Each message with a sender is stamped first with a trusted verdict for
/// its domain ([`with_corpus_verdict`]) and only [`CORPUS_AUTHSERV_ID`] is
/// trusted, so that the run measures the reading, not the authentication.
pub async fn run_corpus(
    app: &App,
    settings: &MailSettings,
    world: CorpusWorld,
    messages: &[(String, Vec<u8>)],
) -> Result<CorpusReport> {
    let mut settings = settings.clone();
    settings.auth.trusted_authserv_id = Some(CORPUS_AUTHSERV_ID.into());
    let settings = &settings;
    let own = settings.reply.base();
    let mut report = CorpusReport::default();
    let mut seen = std::collections::HashSet::new();
    for (file, raw) in messages {
        let parsed = relais_mail::parse(raw, &own).ok();
        if let Some(m) = &parsed {
            if let (None, Some(from)) = (m.auto, &m.from_address) {
                ensure_member(app, world, from, m.from_name.as_deref().unwrap_or("")).await?;
            }
        }
        let stamped = match parsed.as_ref().and_then(|m| m.from_address.as_deref()) {
            Some(from) => with_corpus_verdict(raw, from),
            None => raw.clone(),
        };
        let mid = parsed
            .as_ref()
            .and_then(|m| m.message_id.as_deref())
            .map(crate::mail_gate::clean_text)
            .filter(|m| !m.trim().is_empty());
        let outcome = mail_io::ingest(app, settings, &stamped).await?;
        let (label, problem) = match &outcome {
            IngestOutcome::NewTicket(id) => ("ticket".to_string(), {
                check_ticket(app, *id, parsed.as_ref()).await?
            }),
            IngestOutcome::Reply { ticket, message } => ("reply".to_string(), {
                check_reply(app, *ticket, *message, parsed.as_ref()).await?
            }),
            // A message reusing the Message-ID of one delivered earlier in
            // the run is handled once (the gate's dedup): right only when
            // that earlier message exists.
            IngestOutcome::Ignored(kind) if kind == "duplicate" => (
                format!("ignored:{kind}"),
                match &mid {
                    Some(m) if seen.contains(m) => None,
                    _ => Some("écarté comme doublon sans Message-ID déjà vu".into()),
                },
            ),
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
        if let Some(m) = mid {
            seen.insert(m);
        }
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

// ---------------------------------------------------------------------------
// Reading mail as people write it: quoted history and HTML kept, closed
// tickets reopened or followed up, bounces recorded.

/// Keeps the quoted history and the sanitised HTML of a message that came
/// by mail (its text is the message body). `message` is `None` for a new
/// ticket: its first message. The ticket is already committed, so a failure
/// here is logged, never turned into a redelivery.
pub(crate) async fn keep_parts(
    app: &App,
    ticket: Id,
    message: Option<Id>,
    mail: &relais_mail::ParsedMail,
) {
    if mail.quoted.is_none() && mail.html_sanitized.is_none() {
        return;
    }
    let result: Result<()> = async {
        let message = match message {
            Some(m) => m,
            None => {
                let mut c = app.db.read().await?;
                let first = sstore::list_messages(&mut c, ticket, false)
                    .await?
                    .into_iter()
                    .next()
                    .and_then(|m| Id::parse(&m.id));
                match first {
                    Some(m) => m,
                    None => return Ok(()),
                }
            }
        };
        let mut tx = app.db.begin().await?;
        relais_store::mail_read::insert_message_parts(
            &mut tx,
            message,
            ticket,
            mail.quoted.as_deref(),
            mail.html_sanitized.as_deref(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, ticket = %ticket, "quoted history and HTML of a mail not kept");
    }
}

/// What to do with a message for a ticket that may be closed.
pub(crate) enum ClosedTicket {
    /// The ticket is open (or was just reopened): append the reply.
    Continue,
    /// Closed for longer than `mail_reopen_days`: a new ticket was opened,
    /// linked to the closed one in both histories.
    NewTicket(Id),
}

/// A reply to a closed ticket reopens it when it was closed less than
/// `settings.mail_reopen_days` days ago; otherwise it opens a new ticket on
/// the same product, linked to the closed one (an event on each).
pub(crate) async fn closed_ticket(
    app: &App,
    actor: &relais_domain::accounts::Actor,
    t: &sstore::TicketRow,
    mail: &relais_mail::ParsedMail,
    body: &str,
) -> Result<ClosedTicket> {
    if t.status != "clos" {
        return Ok(ClosedTicket::Continue);
    }
    let id = Id::parse(&t.id).ok_or_else(|| AppError::Internal("id".into()))?;
    let now = app.clock.now();
    let now_s = app.now_ts();
    let closed_at = t
        .closed_at
        .as_deref()
        .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
        .map(|c| c.with_timezone(&chrono::Utc));
    let recent =
        closed_at.is_some_and(|c| now - c < chrono::Duration::days(app.settings.mail_reopen_days));
    if recent {
        let mut tx = app.db.begin().await?;
        for (field, value) in [
            ("status", Some("en_cours".to_string())),
            ("last_status_at", Some(now_s.clone())),
            ("closed_at", None),
            ("resolved_at", None),
        ] {
            sstore::set_ticket_field(&mut tx, id, field, value, &now_s).await?;
        }
        sstore::insert_event(
            &mut tx,
            id,
            Some(actor.user_id),
            &actor.display_name,
            "status",
            Some("clos"),
            Some("en_cours"),
            &now_s,
        )
        .await?;
        crate::search::enqueue(&mut tx, "ticket", &t.id, &now_s).await?;
        tx.commit().await?;
        tracing::info!(ticket = %id, "closed ticket reopened by mail");
        return Ok(ClosedTicket::Continue);
    }
    let input = relais_domain::support::TicketInput {
        product_id: t.product_id.clone(),
        category: t.category.clone(),
        severity: "mineur".into(),
        subject: if mail.subject.trim().is_empty() {
            format!("Suite du ticket {}", t.reference)
        } else {
            mail.subject.chars().take(200).collect()
        },
        body: body.to_string(),
        ..Default::default()
    };
    let on_behalf = Id::parse(&t.institution_id);
    let new_id = crate::support::create_ticket(
        app,
        actor,
        if actor.role.is_agency() {
            on_behalf
        } else {
            None
        },
        input,
        "mail",
    )
    .await?;
    let new_ref = {
        let mut c = app.db.read().await?;
        sstore::get_ticket(&mut c, sstore::TicketScope::All, new_id)
            .await?
            .reference
    };
    let mut tx = app.db.begin().await?;
    if let Some(mid) = &mail.message_id {
        sstore::set_mail_message_id(&mut tx, new_id, mid).await?;
    }
    sstore::insert_event(
        &mut tx,
        new_id,
        Some(actor.user_id),
        &actor.display_name,
        "suite_de",
        None,
        Some(&t.reference),
        &now_s,
    )
    .await?;
    sstore::insert_event(
        &mut tx,
        id,
        Some(actor.user_id),
        &actor.display_name,
        "suivi_par",
        None,
        Some(&new_ref),
        &now_s,
    )
    .await?;
    tx.commit().await?;
    Ok(ClosedTicket::NewTicket(new_id))
}

/// Records a notification sent, so that its bounce finds it.
pub(crate) async fn record_sent(
    app: &App,
    message_id: &str,
    ticket: Option<Id>,
    template: &str,
    to: &[String],
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    relais_store::mail_read::insert_sent(
        &mut tx,
        message_id,
        ticket,
        template,
        &to.join(", "),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records what a bounce reports: each failed recipient, on its address,
/// with the notification (and ticket) that bounced when we sent it. Returns
/// how many addresses were recorded.
pub(crate) async fn record_bounce(app: &App, mail: &relais_mail::ParsedMail) -> Result<usize> {
    let Some(report) = &mail.bounce else {
        return Ok(0);
    };
    let (ticket, template) = {
        let mut c = app.db.read().await?;
        let sent = match &report.original_message_id {
            Some(mid) => relais_store::mail_read::find_sent(&mut c, mid).await?,
            None => None,
        };
        match sent {
            Some((ticket, template)) => (ticket.as_deref().and_then(Id::parse), Some(template)),
            None => {
                // A bounce without the original Message-ID: the reference in
                // the returned subject, if any.
                let by_subject = match report
                    .original_subject
                    .as_deref()
                    .and_then(relais_mail::ticket_ref_in_subject)
                {
                    Some(r) => match sstore::find_ticket_by_reference(&mut c, &r).await {
                        Ok(t) => Id::parse(&t.id),
                        Err(relais_store::StoreError::NotFound) => None,
                        Err(e) => return Err(e.into()),
                    },
                    None => None,
                };
                (by_subject, None)
            }
        }
    };
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let mut n = 0;
    for r in report.recipients.iter().filter(|r| r.action != "delivered") {
        relais_store::mail_read::insert_bounce(
            &mut tx,
            Id::new(),
            &relais_store::mail_read::NewBounce {
                address: &r.address,
                action: &r.action,
                status: r.status.as_deref(),
                diagnostic: r.diagnostic.as_deref(),
                original_message_id: report.original_message_id.as_deref(),
                template: template.as_deref(),
                ticket,
            },
            &now,
        )
        .await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

/// What the ticket page shows of mail beyond the thread's text.
#[derive(Debug, Clone, Default)]
pub struct TicketMail {
    /// Quoted history and sanitised HTML, by message id, for the messages
    /// the actor may read.
    pub parts: Vec<relais_store::mail_read::MessagePartsRow>,
    /// Notifications of this ticket that bounced (agents only).
    pub bounces: Vec<relais_store::mail_read::BounceRow>,
}

pub async fn ticket_mail(
    app: &App,
    actor: &relais_domain::accounts::Actor,
    id: Id,
) -> Result<TicketMail> {
    let mut c = app.db.read().await?;
    let t = sstore::get_ticket(&mut c, crate::support::ticket_scope(actor), id).await?;
    let agency = actor.role.is_agency();
    let own = actor.institution_id.map(|i| i.to_string()) == Some(t.institution_id.clone());
    if !agency && !own {
        // Another institution sees a shared ticket's thread, never the
        // quoted mails of its requester.
        return Ok(TicketMail::default());
    }
    let visible: Vec<String> = sstore::list_messages(&mut c, id, !agency)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let parts = relais_store::mail_read::list_message_parts(&mut c, id)
        .await?
        .into_iter()
        .filter(|p| visible.contains(&p.message_id))
        .collect();
    let bounces = if agency {
        relais_store::mail_read::bounces_of_ticket(&mut c, id).await?
    } else {
        vec![]
    };
    Ok(TicketMail { parts, bounces })
}

/// Bounces recorded for an address (the contact page), agency staff only.
pub async fn bounces_of_address(
    app: &App,
    actor: &relais_domain::accounts::Actor,
    address: &str,
) -> Result<Vec<relais_store::mail_read::BounceRow>> {
    if !actor.role.is_agency() {
        return Ok(vec![]);
    }
    let mut c = app.db.read().await?;
    Ok(relais_store::mail_read::bounces_of_address(&mut c, address).await?)
}

// ---------------------------------------------------------------------------
// Long bodies: kept whole up to `mail_max_body_chars`, refused above.

/// The longest text one ticket message holds (the web form's limit); a
/// longer mail body continues in the messages that follow it.
pub(crate) const MESSAGE_CHARS: usize = 50_000;

/// Cuts a text into pieces of at most `max` characters, at a paragraph
/// break, else a line break, else a space, in the second half of each
/// piece when there is one; nothing is lost or added (joining the pieces
/// gives the text back).
pub fn split_body(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max {
        let end = rest
            .char_indices()
            .nth(max)
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let window = &rest[..end];
        let half = window
            .char_indices()
            .nth(max / 2)
            .map(|(i, _)| i)
            .unwrap_or(0);
        let cut = ["\n\n", "\n", " "]
            .iter()
            .find_map(|sep| {
                window
                    .rfind(sep)
                    .filter(|i| *i >= half)
                    .map(|i| i + sep.len())
            })
            .unwrap_or(end);
        out.push(rest[..cut].to_string());
        rest = &rest[cut..];
    }
    out.push(rest.to_string());
    out
}

/// The pieces of a long mail after the first, appended to its ticket right
/// after it, by the same author, in order.
pub(crate) async fn append_continuations(
    app: &App,
    actor: &relais_domain::accounts::Actor,
    ticket: Id,
    pieces: &[String],
) {
    if pieces.is_empty() {
        return;
    }
    let result: Result<()> = async {
        let mut tx = app.db.begin().await?;
        let base = app.clock.now();
        for (i, piece) in pieces.iter().enumerate() {
            // One millisecond apart, so that the thread keeps their order.
            let at = relais_store::ts(base + chrono::Duration::milliseconds(i as i64 + 1));
            sstore::insert_message(
                &mut tx,
                Id::new(),
                ticket,
                Some(actor.user_id),
                &actor.display_name,
                "public",
                piece,
                "mail",
                None,
                &at,
            )
            .await?;
        }
        crate::search::enqueue(&mut tx, "ticket", &ticket.to_string(), &app.now_ts()).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, ticket = %ticket, "continuation of a long mail not kept");
    }
}

/// Tells the sender that their message was not handled because it is over
/// the limit (a notification job, sent when SMTP is configured). The
/// message itself is already held in quarantine.
pub(crate) async fn refuse_too_long(app: &App, to: &str, subject: &str, chars: usize) {
    let job = crate::jobs::MailJob::MailRefused {
        to: to.to_string(),
        subject: subject.to_string(),
        chars,
        limit: app.settings.mail_max_body_chars,
    };
    let result: Result<()> = async {
        let now = app.now_ts();
        let mut tx = app.db.begin().await?;
        crate::jobs::enqueue(&mut tx, &job, &now).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "refusal mail not queued");
    }
}

/// The subject and text of the refusal mail.
pub(crate) fn refusal_mail(subject: &str, chars: usize, limit: usize) -> (String, String) {
    (
        format!("Message non traité : {subject}"),
        format!(
            "Bonjour,\n\nVotre message « {subject} » n'a pas été enregistré : son texte compte {} caractères, \
             au-delà de la limite de {} caractères du support. Il est conservé pour un agent, qui pourra le reprendre.\n\
             Raccourcissez-le, ou joignez le texte long en pièce jointe, puis renvoyez-le.\n\n\
             ---\n\nYour message \"{subject}\" was not recorded: its text is {} characters long, over the \
             support's limit of {} characters. Shorten it or attach the long text as a file, then send it again.",
            chars, limit, chars, limit
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::split_body;

    #[test]
    fn split_keeps_everything_in_order() {
        let para = "Ligne de journal répétée avec des accents é à ü.\n".repeat(40);
        let text = format!("{para}\n{para}\n{para}");
        for max in [1, 7, 100, 500, 5000] {
            let pieces = split_body(&text, max);
            assert_eq!(pieces.concat(), text, "max {max}");
            assert!(pieces.iter().all(|p| p.chars().count() <= max));
        }
        assert_eq!(split_body("court", 50_000), vec!["court".to_string()]);
        // Cut at a line break when there is one in the second half.
        let pieces = split_body(&text, 500);
        assert!(pieces[0].ends_with('\n'));
    }
}
