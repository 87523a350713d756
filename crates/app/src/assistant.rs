//! The assistant that answers before a ticket is filed: while a member
//! writes, it proposes the published articles and resolved tickets (their
//! institution's, or shared on their products) that most likely answer,
//! with the passage that matches. "Cela répond à ma question" records a
//! deflection (no ticket filed) with what helped; a ticket filed within a
//! week of a deflection counts as a reopening. Everything is counted for
//! the agents' page.

use crate::{App, AppError, Result};
use chrono::Duration;
use relais_domain::accounts::Actor;
use relais_domain::{DomainError, Id};
use relais_search::SearchQuery;
use relais_store::assistant::{self as store, NewEvent};
use relais_store::Conn;
use serde::Serialize;

/// Shorter descriptions do not say enough to search on.
pub const MIN_CHARS: usize = 12;
/// A ticket filed this long after a deflection is a reopening.
pub const REOPEN_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub kind: String,
    pub id: String,
    pub title: String,
    /// Escaped passage with the matching words in `<b>`.
    pub snippet_html: String,
    pub href: String,
}

pub fn href_of(kind: &str, id: &str) -> String {
    match kind {
        "article" => format!("/connaissances/{id}"),
        _ => format!("/support/{id}"),
    }
}

/// Up to `limit` likely answers to what the member is writing. Records
/// that they were shown.
pub async fn suggest(
    app: &App,
    actor: &Actor,
    product: Option<Id>,
    text: &str,
    limit: usize,
) -> Result<Vec<Suggestion>> {
    let text = text.trim();
    if text.chars().count() < MIN_CHARS {
        return Ok(vec![]);
    }
    let q = SearchQuery {
        text: text.chars().take(2000).collect(),
        kinds: vec!["article".into(), "ticket".into()],
        statuses: vec!["publie".into(), "resolu".into(), "clos".into()],
        product_id: product.map(|p| p.to_string()),
        limit: limit.clamp(1, 10),
        ..Default::default()
    };
    let r = crate::search::suggest(app, actor, &q).await?;
    let out: Vec<Suggestion> = r
        .hits
        .into_iter()
        .map(|h| Suggestion {
            href: href_of(&h.kind, &h.id),
            kind: h.kind,
            id: h.id,
            title: h.title,
            snippet_html: h.snippet_html,
        })
        .collect();
    if !out.is_empty() {
        let now = app.now_ts();
        let events: Vec<NewEvent> = out
            .iter()
            .map(|s| NewEvent {
                kind: "shown",
                user_id: Some(actor.user_id),
                institution_id: actor.institution_id,
                product_id: product.map(|p| p.to_string()),
                query: Some(q.text.chars().take(300).collect()),
                doc_kind: Some(s.kind.clone()),
                doc_id: Some(s.id.clone()),
                doc_title: Some(s.title.clone()),
                ticket_id: None,
            })
            .collect();
        let mut tx = app.db.begin().await?;
        store::insert_events(&mut tx, &events, &now).await?;
        tx.commit().await?;
    }
    Ok(out)
}

/// The title of a suggested document, if the actor may read it.
async fn title_of(app: &App, actor: &Actor, kind: &str, id: Id) -> Result<String> {
    match kind {
        "article" => Ok(crate::knowledge::get_article(app, actor, id)
            .await?
            .article
            .title),
        "ticket" => {
            let t = crate::support::get_ticket(app, actor, id).await?;
            Ok(format!("{} {}", t.reference, t.subject))
        }
        _ => Err(DomainError::NotFound.into()),
    }
}

async fn record(
    app: &App,
    actor: &Actor,
    kind: &'static str,
    doc_kind: &str,
    doc: Id,
    query: &str,
    product: Option<Id>,
) -> Result<String> {
    let title = title_of(app, actor, doc_kind, doc).await?;
    let mut tx = app.db.begin().await?;
    store::insert_event(
        &mut tx,
        &NewEvent {
            kind,
            user_id: Some(actor.user_id),
            institution_id: actor.institution_id,
            product_id: product.map(|p| p.to_string()),
            query: Some(query.chars().take(300).collect()),
            doc_kind: Some(doc_kind.to_string()),
            doc_id: Some(doc.to_string()),
            doc_title: Some(title.clone()),
            ticket_id: None,
        },
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(title)
}

/// A suggestion was opened; returns where it lives.
pub async fn opened(
    app: &App,
    actor: &Actor,
    doc_kind: &str,
    doc: Id,
    query: &str,
) -> Result<String> {
    record(app, actor, "opened", doc_kind, doc, query, None).await?;
    Ok(href_of(doc_kind, &doc.to_string()))
}

/// "Cela répond à ma question": no ticket is filed; what helped is kept.
/// Returns the title of the document.
pub async fn deflect(
    app: &App,
    actor: &Actor,
    doc_kind: &str,
    doc: Id,
    query: &str,
    product: Option<Id>,
) -> Result<String> {
    if actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    record(app, actor, "deflected", doc_kind, doc, query, product).await
}

/// Called in the transaction that files a ticket: a member who had a
/// deflection in the last week files anyway — the answer did not hold.
pub async fn note_filed(tx: &mut Conn, app: &App, actor: &Actor, ticket: Id) -> Result<()> {
    if actor.role.is_agency() {
        return Ok(());
    }
    let since = relais_store::ts(app.clock.now() - Duration::days(REOPEN_DAYS));
    if let Some(d) = store::last_deflection(tx, actor.user_id, &since).await? {
        store::insert_event(
            tx,
            &NewEvent {
                kind: "reopened",
                user_id: Some(actor.user_id),
                institution_id: actor.institution_id,
                product_id: d.product_id,
                query: d.query,
                doc_kind: d.doc_kind,
                doc_id: d.doc_id,
                doc_title: d.doc_title,
                ticket_id: Some(ticket.to_string()),
            },
            &app.now_ts(),
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub days: i64,
    pub shown: i64,
    pub opened: i64,
    pub deflected: i64,
    pub reopened: i64,
    /// Deflections that held (not followed by a ticket within a week).
    pub held: i64,
    pub top: Vec<(String, String, String, i64)>,
    pub recent: Vec<store::EventRow>,
}

/// The agents' figures over the last `days` days.
pub async fn stats(app: &App, actor: &Actor, days: i64) -> Result<Stats> {
    if !actor.role.is_agency() {
        return Err(AppError::Domain(DomainError::Forbidden));
    }
    let since = relais_store::ts(app.clock.now() - Duration::days(days.clamp(1, 3650)));
    let mut c = app.db.read().await?;
    let counts = store::counts_since(&mut c, &since).await?;
    let n = |k: &str| {
        counts
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let (shown, opened, deflected, reopened) =
        (n("shown"), n("opened"), n("deflected"), n("reopened"));
    Ok(Stats {
        days,
        shown,
        opened,
        deflected,
        reopened,
        held: (deflected - reopened).max(0),
        top: store::top_helpful(&mut c, &since, 10).await?,
        recent: store::recent(&mut c, None, "deflected", &since, 20).await?,
    })
}
