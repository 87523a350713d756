//! Knowledge base use cases: articles per product and version, drafted from
//! a resolved ticket in one action (anonymised, public messages only),
//! reviewed and published by agents, read by every member institution
//! (knowledge is shared), and flagged "à revoir" once their review date has
//! passed. Every change is written to the audit table in its transaction.

use crate::{App, AppError, Result};
use chrono::{Months, NaiveDate};
use relais_domain::accounts::{Actor, Role};
use relais_domain::shared::{optional_text, parse_date, required_text, Violations};
use relais_domain::{DomainError, Id};
use relais_store::knowledge as store;
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::knowledge::{ArticleFilter, ArticleRow};
use relais_store::knowledge::{ArticleScope, ArticleValues};
use relais_store::Conn;
use serde_json::json;

relais_domain::code_enum!(ArticleStatus {
    Brouillon => ("brouillon", "Brouillon", "Draft"),
    Relecture => ("relecture", "En relecture", "In review"),
    Publie => ("publie", "Publié", "Published"),
    Archive => ("archive", "Archivé", "Archived"),
});

impl ArticleStatus {
    /// The workflow: a draft goes to review (or straight to publication
    /// when the team has no second reader), review sends it back or
    /// publishes it; anything may be archived, and an archived article
    /// comes back as a draft.
    pub fn may_move(self, to: ArticleStatus) -> bool {
        use ArticleStatus::*;
        matches!(
            (self, to),
            (Brouillon, Relecture)
                | (Brouillon, Publie)
                | (Relecture, Brouillon)
                | (Relecture, Publie)
                | (Brouillon, Archive)
                | (Relecture, Archive)
                | (Publie, Archive)
                | (Archive, Brouillon)
        )
    }
}

/// How long a published article stays trusted before someone rereads it.
pub const REVIEW_MONTHS: u32 = 12;

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 100_000;

fn require(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

/// Only support agents and administrators write knowledge.
pub fn may_write(a: &Actor) -> bool {
    matches!(a.role, Role::Admin | Role::Support)
}

/// Agency staff read every status; everyone else reads published articles
/// of any product, whatever their institution.
pub fn article_scope(a: &Actor) -> ArticleScope {
    if a.role.is_agency() {
        ArticleScope::All
    } else {
        ArticleScope::Published
    }
}

fn today(app: &App) -> NaiveDate {
    app.clock.now().date_naive()
}

/// A published article whose review date is past is "à revoir".
pub fn is_stale(a: &ArticleRow, today: NaiveDate) -> bool {
    a.status == ArticleStatus::Publie.code()
        && a.review_on
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|d| d < today)
}

/// Members do not learn which ticket (of another institution, possibly)
/// an article came from.
fn redact(actor: &Actor, mut a: ArticleRow) -> ArticleRow {
    if !actor.role.is_agency() {
        a.source_ticket_id = None;
    }
    a
}

/// What a form or the API sends.
#[derive(Debug, Clone, Default)]
pub struct ArticleInput {
    pub product_id: String,
    pub version: Option<String>,
    pub title: String,
    pub body: String,
    /// `AAAA-MM-JJ` or `JJ/MM/AAAA`.
    pub review_on: Option<String>,
}

async fn validate(c: &mut Conn, i: &ArticleInput) -> Result<ArticleValues> {
    let mut v = Violations::default();
    let title = required_text(&mut v, "title", &i.title, TITLE_MAX);
    let body = required_text(&mut v, "body", &i.body, BODY_MAX);
    let version = optional_text(&mut v, "version", i.version.as_deref(), 40);
    let review_on = parse_date(&mut v, "review_on", i.review_on.as_deref());
    let product = Id::parse(i.product_id.trim());
    if product.is_none() {
        v.push("required", "product_id", "Choisissez le produit.");
    }
    v.into_result()?;
    let product_id = product.ok_or(AppError::Domain(DomainError::NotFound))?;
    match relais_store::crm::get_product(c, product_id).await {
        Ok(_) => {}
        Err(relais_store::StoreError::NotFound) => {
            return Err(
                DomainError::invalid("unknown_product", "product_id", "Produit inconnu.").into(),
            )
        }
        Err(e) => return Err(e.into()),
    }
    Ok(ArticleValues {
        product_id,
        version,
        title: title.unwrap_or_default(),
        body: body.unwrap_or_default(),
        review_on: review_on.map(relais_store::date),
    })
}

async fn audit(
    tx: &mut Conn,
    app: &App,
    actor: &Actor,
    id: Id,
    action: &str,
    changes: serde_json::Value,
) -> Result<()> {
    relais_store::audit::record(
        tx,
        Some(actor.user_id),
        "article",
        id,
        action,
        &changes,
        &app.now_ts(),
    )
    .await?;
    Ok(())
}

/// An article as a reader sees it.
#[derive(Debug, Clone)]
pub struct ArticleView {
    pub article: ArticleRow,
    pub status: ArticleStatus,
    /// Published and past its review date.
    pub stale: bool,
    /// The source ticket's reference, for agency staff only.
    pub source_reference: Option<String>,
}

/// One article, or NotFound when the reader may not see it (a member asking
/// for a draft learns nothing, not even that it exists).
pub async fn get_article(app: &App, actor: &Actor, id: Id) -> Result<ArticleView> {
    let mut c = app.db.read().await?;
    let a = store::get_article(&mut c, article_scope(actor), id).await?;
    let source_reference = match (&a.source_ticket_id, actor.role.is_agency()) {
        (Some(t), true) => match Id::parse(t) {
            Some(tid) => relais_store::support::get_ticket(
                &mut c,
                relais_store::support::TicketScope::All,
                tid,
            )
            .await
            .ok()
            .map(|t| t.reference),
            None => None,
        },
        _ => None,
    };
    drop(c);
    let stale = is_stale(&a, today(app));
    let status = ArticleStatus::from_code(&a.status).unwrap_or(ArticleStatus::Brouillon);
    Ok(ArticleView {
        article: redact(actor, a),
        status,
        stale,
        source_reference,
    })
}

/// Articles a reader may see. `stale_only` gives the "à revoir" list.
pub async fn list_articles(
    app: &App,
    actor: &Actor,
    f: &ArticleFilter,
    stale_only: bool,
) -> Result<(Vec<(ArticleRow, bool)>, i64)> {
    let day = today(app);
    let mut f = f.clone();
    if stale_only {
        f.stale_before = Some(relais_store::date(day));
    }
    let mut c = app.db.read().await?;
    let (rows, total) = store::list_articles(&mut c, article_scope(actor), &f).await?;
    Ok((
        rows.into_iter()
            .map(|a| {
                let s = is_stale(&a, day);
                (redact(actor, a), s)
            })
            .collect(),
        total,
    ))
}

/// Versions used by the articles a reader may see (list filter).
pub async fn versions(app: &App, actor: &Actor) -> Result<Vec<String>> {
    let mut c = app.db.read().await?;
    Ok(store::article_versions(&mut c, article_scope(actor)).await?)
}

/// Writes a new draft (agents).
pub async fn create_article(app: &App, actor: &Actor, input: ArticleInput) -> Result<Id> {
    require(may_write(actor))?;
    let mut tx = app.db.begin().await?;
    let v = validate(&mut tx, &input).await?;
    let id = Id::new();
    store::insert_article(&mut tx, id, &v, None, Some(actor.user_id), &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        id,
        "create",
        json!({"title": v.title, "product_id": v.product_id.to_string(), "version": v.version}),
    )
    .await?;
    crate::search::enqueue(&mut tx, "article", &id.to_string(), &app.now_ts()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces the editable fields (agents). A published article stays
/// published: correcting a typo does not take it away from members.
pub async fn update_article(app: &App, actor: &Actor, id: Id, input: ArticleInput) -> Result<()> {
    require(may_write(actor))?;
    let mut tx = app.db.begin().await?;
    let before = store::get_article(&mut tx, ArticleScope::All, id).await?;
    let v = validate(&mut tx, &input).await?;
    store::update_article(&mut tx, id, &v, &app.now_ts()).await?;
    let mut changes = serde_json::Map::new();
    for (k, a, b) in [
        ("title", json!(before.title), json!(v.title)),
        (
            "product_id",
            json!(before.product_id),
            json!(v.product_id.to_string()),
        ),
        ("version", json!(before.version), json!(v.version)),
        ("review_on", json!(before.review_on), json!(v.review_on)),
    ] {
        if a != b {
            changes.insert(k.to_string(), json!([a, b]));
        }
    }
    // The body can be long: the history says it changed, not how.
    if before.body != v.body {
        changes.insert("body".into(), json!(["…", "…"]));
    }
    audit(
        &mut tx,
        app,
        actor,
        id,
        "update",
        serde_json::Value::Object(changes),
    )
    .await?;
    crate::search::enqueue(&mut tx, "article", &id.to_string(), &app.now_ts()).await?;
    tx.commit().await?;
    Ok(())
}

async fn move_to(app: &App, actor: &Actor, id: Id, to: ArticleStatus) -> Result<()> {
    require(may_write(actor))?;
    let mut tx = app.db.begin().await?;
    let a = store::get_article(&mut tx, ArticleScope::All, id).await?;
    let from = ArticleStatus::from_code(&a.status).unwrap_or(ArticleStatus::Brouillon);
    if !from.may_move(to) {
        return Err(DomainError::invalid(
            "transition_refused",
            "status",
            format!(
                "Passage de « {} » à « {} » impossible.",
                from.label_fr(),
                to.label_fr()
            ),
        )
        .into());
    }
    let now = app.now_ts();
    let mut changes = json!({"status": [from.code(), to.code()]});
    if to == ArticleStatus::Publie {
        let day = today(app);
        // An explicit review date still ahead is kept; otherwise (none, or
        // one already past) the article is trusted for twelve months.
        let keep = a
            .review_on
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .filter(|d| *d > day);
        let review = keep.unwrap_or_else(|| plus_review_period(day));
        let review_s = relais_store::date(review);
        store::set_status(&mut tx, id, to.code(), Some(&now), Some(&review_s), &now).await?;
        changes["review_on"] = json!([a.review_on, review_s]);
    } else {
        store::set_status(&mut tx, id, to.code(), None, None, &now).await?;
    }
    audit(&mut tx, app, actor, id, "status", changes).await?;
    crate::search::enqueue(&mut tx, "article", &id.to_string(), &app.now_ts()).await?;
    tx.commit().await?;
    Ok(())
}

fn plus_review_period(day: NaiveDate) -> NaiveDate {
    day.checked_add_months(Months::new(REVIEW_MONTHS))
        .unwrap_or(day)
}

/// Sends a draft to review.
pub async fn submit_for_review(app: &App, actor: &Actor, id: Id) -> Result<()> {
    move_to(app, actor, id, ArticleStatus::Relecture).await
}

/// Sends an article in review back to its author as a draft, or reopens an
/// archived one.
pub async fn back_to_draft(app: &App, actor: &Actor, id: Id) -> Result<()> {
    move_to(app, actor, id, ArticleStatus::Brouillon).await
}

/// Publishes: members of every institution read it from now on.
/// `published_at` is set, and the review date defaults to twelve months on.
pub async fn publish(app: &App, actor: &Actor, id: Id) -> Result<()> {
    move_to(app, actor, id, ArticleStatus::Publie).await
}

pub async fn archive(app: &App, actor: &Actor, id: Id) -> Result<()> {
    move_to(app, actor, id, ArticleStatus::Archive).await
}

/// An agent reread a published article and vouches for it another twelve
/// months: it leaves the "à revoir" list.
pub async fn mark_reviewed(app: &App, actor: &Actor, id: Id) -> Result<()> {
    require(may_write(actor))?;
    let mut tx = app.db.begin().await?;
    let a = store::get_article(&mut tx, ArticleScope::All, id).await?;
    if a.status != ArticleStatus::Publie.code() {
        return Err(DomainError::invalid(
            "not_published",
            "status",
            "Seul un article publié se relit pour prolonger sa validité.",
        )
        .into());
    }
    let review_s = relais_store::date(plus_review_period(today(app)));
    let now = app.now_ts();
    store::set_status(&mut tx, id, &a.status, None, Some(&review_s), &now).await?;
    audit(
        &mut tx,
        app,
        actor,
        id,
        "reviewed",
        json!({"review_on": [a.review_on, review_s]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The change history of an article (agency staff).
pub async fn history(
    app: &App,
    actor: &Actor,
    id: Id,
) -> Result<Vec<relais_store::audit::AuditRow>> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(relais_store::audit::history(&mut c, "article", id).await?)
}

// ---------------------------------------------------------------- drafting from a ticket

/// Drafts an article from a resolved or closed ticket in one action: the
/// ticket's product, the product's latest release as version, the subject
/// as title, the first public message as "Symptôme" and the last public
/// reply of the agency as "Solution". Internal notes never enter it, and
/// the requester's name and e-mail and the institution's name are masked:
/// the article will be read by every institution. Drafting twice from the
/// same ticket returns the draft already written (a double click makes one
/// article).
pub async fn draft_from_ticket(app: &App, actor: &Actor, ticket: Id) -> Result<Id> {
    require(may_write(actor))?;
    let mut tx = app.db.begin().await?;
    let t =
        relais_store::support::get_ticket(&mut tx, relais_store::support::TicketScope::All, ticket)
            .await?;
    if !matches!(t.status.as_str(), "resolu" | "clos") {
        return Err(DomainError::invalid(
            "ticket_not_resolved",
            "ticket",
            "Un article se rédige à partir d'un ticket résolu ou clos.",
        )
        .into());
    }
    let (existing, _) = store::list_articles(
        &mut tx,
        ArticleScope::All,
        &ArticleFilter {
            source_ticket_id: Some(t.id.clone()),
            limit: 10,
            ..Default::default()
        },
    )
    .await?;
    if let Some(a) = existing
        .iter()
        .find(|a| a.status != ArticleStatus::Archive.code())
    {
        let id = Id::parse(&a.id).ok_or_else(|| AppError::Internal("bad article id".into()))?;
        tx.commit().await?;
        return Ok(id);
    }
    let product =
        Id::parse(&t.product_id).ok_or_else(|| AppError::Internal("bad product id".into()))?;
    let version = latest_release(&mut tx, product).await?;
    let messages = store::public_messages(&mut tx, ticket).await?;
    let institution = Id::parse(&t.institution_id)
        .ok_or_else(|| AppError::Internal("bad institution id".into()))?;
    let inst = relais_store::crm::get_institution(
        &mut tx,
        relais_domain::accounts::Scope::All,
        institution,
    )
    .await?;
    let mut masks = Masks::default();
    masks.institution(&inst.name);
    if let Some(a) = &inst.acronym {
        masks.institution(a);
    }
    masks.person(&t.requester_name);
    if let Some(e) = &t.requester_email {
        masks.email(e);
    }
    for (name, email) in store::member_authors(&mut tx, ticket).await? {
        masks.person(&name);
        if let Some(e) = email {
            masks.email(&e);
        }
    }
    let symptom = messages.first().map(|m| m.body.clone()).unwrap_or_default();
    let solution = messages
        .iter()
        .skip(1)
        .rev()
        .find(|m| {
            m.author_role
                .as_deref()
                .and_then(Role::from_code)
                .is_some_and(|r| r.is_agency())
        })
        .map(|m| m.body.clone());
    let body = assemble_body(
        &masks.apply(&symptom),
        solution.map(|s| masks.apply(&s)).as_deref(),
    );
    let mut title = masks.apply(&t.subject);
    if title.chars().count() > TITLE_MAX {
        title = title.chars().take(TITLE_MAX).collect();
    }
    let values = ArticleValues {
        product_id: product,
        version,
        title,
        body,
        review_on: None,
    };
    let id = Id::new();
    let now = app.now_ts();
    store::insert_article(
        &mut tx,
        id,
        &values,
        Some(ticket),
        Some(actor.user_id),
        &now,
    )
    .await?;
    audit(
        &mut tx,
        app,
        actor,
        id,
        "draft_from_ticket",
        json!({"source_ticket": t.reference, "product_id": t.product_id, "version": values.version}),
    )
    .await?;
    crate::search::enqueue(&mut tx, "article", &id.to_string(), &app.now_ts()).await?;
    tx.commit().await?;
    Ok(id)
}

/// The product's latest release: the most recent release date, releases
/// without a date after dated ones, ties broken by the version number read
/// as numbers ("1.3.10" after "1.3.9").
async fn latest_release(c: &mut Conn, product: Id) -> Result<Option<String>> {
    let releases = relais_store::crm::list_releases(c, product).await?;
    Ok(releases
        .into_iter()
        .max_by(|a, b| {
            a.released_on
                .is_some()
                .cmp(&b.released_on.is_some())
                .then_with(|| a.released_on.cmp(&b.released_on))
                .then_with(|| version_key(&a.version).cmp(&version_key(&b.version)))
        })
        .map(|r| r.version))
}

fn version_key(v: &str) -> Vec<(u64, String)> {
    v.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
            (digits.parse().unwrap_or(0), p[digits.len()..].to_string())
        })
        .collect()
}

fn assemble_body(symptom: &str, solution: Option<&str>) -> String {
    let solution = solution
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("_À compléter : la réponse publique de l'agence qui a résolu le ticket._");
    format!(
        "## Symptôme\n\n{}\n\n## Solution\n\n{}\n",
        symptom.trim(),
        solution
    )
}

/// What to mask in a draft. Matching ignores case and accents and respects
/// word boundaries, so "universite alpha" is masked in "Université Alpha"
/// but "UA" is not masked inside "QUAI".
#[derive(Debug, Default)]
struct Masks {
    /// (needle, replacement), longest first when applied.
    needles: Vec<(String, &'static str)>,
}

const MASK_PERSON: &str = "[nom masqué]";
const MASK_INSTITUTION: &str = "[établissement]";
const MASK_EMAIL: &str = "[adresse masquée]";
const MASK_PHONE: &str = "[téléphone masqué]";

impl Masks {
    fn add(&mut self, s: &str, repl: &'static str) {
        let s = s.trim();
        if s.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
            self.needles.push((s.to_string(), repl));
        }
    }
    fn institution(&mut self, name: &str) {
        self.add(name, MASK_INSTITUTION);
    }
    fn email(&mut self, e: &str) {
        self.add(e, MASK_EMAIL);
    }
    /// A person: the full name, and each part of three letters or more (a
    /// signature often has the first name alone).
    fn person(&mut self, name: &str) {
        if name.contains('@') {
            self.email(name);
            if let Some((local, _)) = name.split_once('@') {
                for part in local.split(['.', '-', '_']) {
                    if part.chars().count() >= 3 {
                        self.add(part, MASK_PERSON);
                    }
                }
            }
            return;
        }
        self.add(name, MASK_PERSON);
        for part in name.split_whitespace() {
            if part.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
                self.add(part, MASK_PERSON);
            }
        }
    }

    fn apply(&self, text: &str) -> String {
        // Any e-mail address and phone number first, whoever it belongs to.
        let mut out = mask_phones(&mask_emails(text));
        let mut needles = self.needles.clone();
        needles.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
        for (n, r) in &needles {
            out = mask_word(&out, n, r);
        }
        out
    }
}

/// The folded characters of `s`, each with the byte range of the original
/// character it comes from.
fn folded(s: &str) -> (Vec<char>, Vec<(usize, usize)>) {
    let mut chars = Vec::with_capacity(s.len());
    let mut spans = Vec::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for (i, c) in s.char_indices() {
        for f in relais_domain::fold(c.encode_utf8(&mut buf)).chars() {
            chars.push(f);
            spans.push((i, i + c.len_utf8()));
        }
    }
    (chars, spans)
}

/// Replaces every whole-word occurrence of `needle` in `text`, ignoring
/// case and accents.
fn mask_word(text: &str, needle: &str, repl: &str) -> String {
    let (hay, spans) = folded(text);
    let (pin, _) = folded(needle);
    if pin.is_empty() || pin.len() > hay.len() {
        return text.to_string();
    }
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut copied = 0usize;
    let mut i = 0usize;
    while i + pin.len() <= hay.len() {
        if hay[i..i + pin.len()] == pin[..]
            && !(i > 0 && word(hay.get(i - 1)) && word(pin.first()))
            && !(word(hay.get(i + pin.len())) && word(pin.last()))
        {
            let start = spans[i].0;
            let end = spans[i + pin.len() - 1].1;
            if start >= copied {
                out.push_str(&text[copied..start]);
                out.push_str(repl);
                copied = end;
            }
            i += pin.len();
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn mask_emails(text: &str) -> String {
    let local = |c: char| c.is_alphanumeric() || "._%+-'".contains(c);
    let domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0usize;
    for (at, _) in text.match_indices('@') {
        if at < copied {
            continue;
        }
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| local(*c))
            .last()
            .map(|(i, _)| i)
            .unwrap_or(at);
        let rest = &text[at + 1..];
        let len = rest
            .char_indices()
            .take_while(|(_, c)| domain(*c))
            .last()
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let dom = rest[..len].trim_end_matches(['.', '-']);
        if start < at && start >= copied && dom.contains('.') {
            out.push_str(&text[copied..start]);
            out.push_str(MASK_EMAIL);
            copied = at + 1 + dom.len();
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// French phone numbers: ten digits from a leading 0, or +33 and nine
/// digits, with spaces, dots or dashes between groups.
fn mask_phones(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric());
        if boundary && (b[i] == b'0' || b[i] == b'+') {
            let mut j = i;
            let mut digits = 0;
            let mut end = i;
            while j < b.len()
                && (b[j].is_ascii_digit()
                    || matches!(b[j], b' ' | b'.' | b'-')
                    || (j == i && b[j] == b'+'))
            {
                if b[j].is_ascii_digit() {
                    digits += 1;
                    end = j + 1;
                }
                if digits >= 11 {
                    break;
                }
                j += 1;
            }
            let s = &text[i..end];
            let ok = (s.starts_with('0') && digits == 10) || (s.starts_with("+33") && digits == 11);
            let after_ok = end >= b.len() || !b[end].is_ascii_alphanumeric();
            if ok && after_ok {
                out.push_str(&text[copied..i]);
                out.push_str(MASK_PHONE);
                copied = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_names_institutions_emails_and_phones() {
        let mut m = Masks::default();
        m.institution("Université Alpha");
        m.institution("UA");
        m.person("Anne Martin");
        let s = m.apply(
            "Bonjour, ici anne MARTIN de l'universite alpha (UA), anne.martin@univ-alpha.fr, \
             tél. 04 72 43 83 83 ou +33 4 72 43 83 83. Le QUAI de Sifac 1.3.01 rejette FI-402.\nAnne",
        );
        assert!(!s.to_lowercase().contains("anne"), "{s}");
        assert!(!s.to_lowercase().contains("martin"), "{s}");
        assert!(!s.to_lowercase().contains("alpha"), "{s}");
        assert!(!s.contains("(UA)"), "{s}");
        assert!(!s.contains("83 83"), "{s}");
        assert!(s.contains("QUAI de Sifac 1.3.01 rejette FI-402"), "{s}");
        assert!(s.contains(MASK_EMAIL) && s.contains(MASK_PHONE) && s.contains(MASK_INSTITUTION));
    }

    #[test]
    fn latest_version_compares_numbers() {
        assert!(version_key("1.3.10") > version_key("1.3.9"));
        assert!(version_key("v1.3.02") > version_key("v1.3.01"));
    }

    #[test]
    fn workflow() {
        use ArticleStatus::*;
        assert!(Brouillon.may_move(Relecture));
        assert!(Relecture.may_move(Publie));
        assert!(!Publie.may_move(Brouillon));
        assert!(!Archive.may_move(Publie));
    }
}
