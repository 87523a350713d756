//! Data protection: a person's data (JSON and page), erasure by
//! pseudonymisation, retention rules with a dry run, and the log of reads
//! of a contact's page by agency staff.
//!
//! Erasure keeps every row (tickets, statements, history, counts and
//! amounts stay as they were) and replaces the person's identifiers (full
//! name both ways, e-mail, phone) wherever free text may carry them — the
//! columns listed in `relais_store::privacy::FREE_TEXT` — then rewrites the
//! search index entries of the tickets concerned.

use crate::{App, Result};
use chrono::{Duration, Months};
use relais_domain::accounts::{Actor, Role};
use relais_domain::{DomainError, Id};
use relais_store::privacy as store;
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub rows: Vec<Value>,
}

/// Everything Relais holds about one person.
#[derive(Debug, Clone, Serialize)]
pub struct PersonData {
    pub generated_at: String,
    pub user_id: Option<String>,
    pub contact_id: Option<String>,
    pub sections: Vec<Section>,
}

fn may_handle_contacts(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Relation)
}

async fn collect(app: &App, user: Option<String>, contact: Option<String>) -> Result<PersonData> {
    let mut c = app.db.read().await?;
    let sections = store::person_data(&mut c, user.as_deref(), contact.as_deref())
        .await?
        .into_iter()
        .map(|(key, title, rows)| Section { key, title, rows })
        .collect();
    Ok(PersonData {
        generated_at: app.now_ts(),
        user_id: user,
        contact_id: contact,
        sections,
    })
}

/// A contact's data, for the agency's key-account managers and admins.
pub async fn contact_data(app: &App, actor: &Actor, contact: Id) -> Result<PersonData> {
    if !may_handle_contacts(actor) {
        return Err(DomainError::NotFound.into());
    }
    let mut c = app.db.read().await?;
    relais_store::crm::get_contact(&mut c, actor.scope(), contact).await?;
    let user = store::user_of_contact(&mut c, &contact.to_string())
        .await?
        .map(|u| u.0);
    drop(c);
    let data = collect(app, user, Some(contact.to_string())).await?;
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "contact",
        contact,
        "export",
        &json!({}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(data)
}

/// The signed-in person's own data (member space).
pub async fn my_data(app: &App, actor: &Actor) -> Result<PersonData> {
    let mut c = app.db.read().await?;
    let contact = store::contact_of_user(&mut c, &actor.user_id.to_string()).await?;
    drop(c);
    collect(app, Some(actor.user_id.to_string()), contact).await
}

/// What an erasure changed.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Erasure {
    pub pseudonym: String,
    pub rows_rewritten: u64,
    pub tickets_reindexed: usize,
    pub account_closed: bool,
}

/// Erases a contact on request: pseudonymised everywhere, rows kept.
pub async fn erase_contact(app: &App, actor: &Actor, contact: Id) -> Result<Erasure> {
    if !may_handle_contacts(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let ct = relais_store::crm::get_contact(&mut tx, actor.scope(), contact).await?;
    if ct.erased_at.is_some() {
        return Err(DomainError::Conflict("Ce contact est déjà effacé.".into()).into());
    }
    let short = &contact.to_string()[..8];
    let first = "Contact".to_string();
    let last = format!("effacé {short}");
    let pseudonym = format!("{first} {last}");
    let user = store::user_of_contact(&mut tx, &contact.to_string()).await?;
    // Everything that names the person, longest first so a full name is
    // replaced before its parts.
    let mut needles: Vec<String> = vec![
        format!("{} {}", ct.first_name, ct.last_name),
        format!("{} {}", ct.last_name, ct.first_name),
    ];
    needles.extend(ct.email.clone());
    if let Some(e) = &ct.email {
        needles.push(e.to_lowercase());
    }
    needles.extend(ct.phone.clone().filter(|p| p.len() >= 6));
    if let Some((_, name, email)) = &user {
        needles.push(name.clone());
        needles.push(email.clone());
        needles.push(email.to_lowercase());
    }
    needles.retain(|n| n.trim().len() >= 3);
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    needles.dedup();
    let mut tickets = store::tickets_of(
        &mut tx,
        user.as_ref().map(|u| u.0.as_str()),
        Some(&contact.to_string()),
    )
    .await?;
    let mut articles = Vec::new();
    for n in &needles {
        tickets.extend(store::tickets_mentioning(&mut tx, n).await?);
        articles.extend(store::articles_mentioning(&mut tx, n).await?);
    }
    articles.sort();
    articles.dedup();
    tickets.sort();
    tickets.dedup();
    let mut rewritten = 0;
    for email in ct.email.iter().chain(user.as_ref().map(|u| &u.2)) {
        store::clear_requester_email(&mut tx, email).await?;
        rewritten += store::delete_quarantine_from(&mut tx, email).await?;
    }
    for n in &needles {
        let replacement = if n.contains('@') {
            format!("efface-{short}@invalid")
        } else if n.chars().filter(|c| c.is_ascii_digit()).count() >= 6 && !n.contains(' ') {
            "—".to_string()
        } else {
            pseudonym.clone()
        };
        rewritten += store::scrub(&mut tx, n, &replacement).await?;
    }
    store::erase_contact_row(&mut tx, &contact.to_string(), &first, &last, &now).await?;
    if let Some((uid, _, _)) = &user {
        store::erase_user_row(&mut tx, uid, &pseudonym, &now).await?;
    }
    for t in &tickets {
        crate::search::enqueue(&mut tx, "ticket", t, &now).await?;
    }
    for a in &articles {
        crate::search::enqueue(&mut tx, "article", a, &now).await?;
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "contact",
        contact,
        "erase",
        &json!({"pseudonym": pseudonym, "account_closed": user.is_some()}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(Erasure {
        pseudonym,
        rows_rewritten: rewritten,
        tickets_reindexed: tickets.len(),
        account_closed: user.is_some(),
    })
}

/// Logs a read of a contact's page by agency staff.
pub async fn log_contact_read(app: &App, actor: &Actor, contact: Id) -> Result<()> {
    if !actor.role.is_agency() {
        return Ok(());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    relais_store::relation::log_contact_read(
        &mut tx,
        &contact.to_string(),
        &actor.user_id.to_string(),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn contact_reads(
    app: &App,
    actor: &Actor,
    contact: Id,
) -> Result<Vec<relais_store::relation::ReadRow>> {
    if !may_handle_contacts(actor) {
        return Err(DomainError::NotFound.into());
    }
    let mut c = app.db.read().await?;
    Ok(relais_store::relation::contact_reads(&mut c, &contact.to_string(), 200).await?)
}

// ---------------------------------------------------------------- retention

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub kind: &'static str,
    pub label: &'static str,
    pub months: i64,
    pub cutoff: String,
    pub count: i64,
    pub sample: Vec<(String, String, String)>,
}

async fn months_of(c: &mut relais_store::Conn, r: &store::Rule) -> Result<i64> {
    Ok(
        relais_store::watchdog::get_setting(c, &format!("retention.{}", r.kind))
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(r.default_months),
    )
}

fn cutoff(app: &App, months: i64) -> String {
    let now = app.clock.now();
    relais_store::ts(
        now.checked_sub_months(Months::new(months.clamp(0, 1200) as u32))
            .unwrap_or(now - Duration::days(30 * months)),
    )
}

/// The dry run: for each rule, what would go now.
pub async fn retention(app: &App, actor: &Actor) -> Result<Vec<RuleView>> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    let mut out = Vec::new();
    for r in store::RULES {
        let months = months_of(&mut c, r).await?;
        let cut = cutoff(app, months);
        let (count, sample) = store::candidates(&mut c, r, &cut, 10).await?;
        out.push(RuleView {
            kind: r.kind,
            label: r.label,
            months,
            cutoff: cut,
            count,
            sample,
        });
    }
    Ok(out)
}

pub async fn set_retention(app: &App, actor: &Actor, kind: &str, months: i64) -> Result<()> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    if !store::RULES.iter().any(|r| r.kind == kind) {
        return Err(DomainError::NotFound.into());
    }
    if !(1..=1200).contains(&months) {
        return Err(DomainError::invalid(
            "invalid_months",
            "months",
            "La durée de conservation va de 1 à 1200 mois.",
        )
        .into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    relais_store::watchdog::set_setting(
        &mut tx,
        &format!("retention.{kind}"),
        &months.to_string(),
        &now,
    )
    .await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "retention",
        Id::default(),
        "update",
        &json!({"kind": kind, "months": months}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Applies every rule; returns `(kind, rows deleted)`.
pub async fn apply_retention(app: &App, actor: &Actor) -> Result<Vec<(&'static str, u64)>> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let mut out = Vec::new();
    for r in store::RULES {
        let months = months_of(&mut tx, r).await?;
        let n = store::apply(&mut tx, r, &cutoff(app, months)).await?;
        out.push((r.kind, n));
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "retention",
        Id::default(),
        "apply",
        &json!(out
            .iter()
            .map(|(k, n)| json!({"kind": k, "deleted": n}))
            .collect::<Vec<_>>()),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
