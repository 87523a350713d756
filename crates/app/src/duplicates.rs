//! Likely duplicates and incident proposals, explained: for a ticket, the
//! recent tickets of the same product whose text is close (scored against
//! the ticket's own score, with the words they share), and, when at least
//! three institutions report the same thing within a week, an incident to
//! group them.

use crate::{App, Result};
use chrono::Duration;
use relais_domain::accounts::Actor;
use relais_domain::{DomainError, Id};
use relais_search::SearchQuery;
use serde::Serialize;
use std::collections::BTreeSet;

/// A hit counts as a likely duplicate above this share of the ticket's own
/// score (the best a text can do against itself).
pub const MIN_SHARE: f32 = 0.45;
/// Institutions reporting the same problem that make an incident likely.
pub const INCIDENT_INSTITUTIONS: usize = 3;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub institution_id: Option<String>,
    pub status: Option<String>,
    /// Similarity to the ticket, 0..1.
    pub similarity: f32,
    /// Significant words both texts share (analysed: folded, stemmed).
    pub shared_words: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub title: String,
    /// References of the tickets it would group (the ticket first).
    pub references: Vec<String>,
    pub institutions: usize,
    pub why: String,
}

fn strip_tags(s: &str) -> String {
    s.replace("<b>", "").replace("</b>", "")
}

/// The ticket and the text it is compared by (subject and first public
/// message).
async fn load(
    app: &App,
    actor: &Actor,
    ticket: Id,
) -> Result<(relais_store::support::TicketRow, String)> {
    if !crate::support::is_agent(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let v = crate::support::ticket_view(app, actor, ticket).await?;
    let first = v
        .messages
        .iter()
        .find(|m| m.visibility == "public")
        .map(|m| m.body.clone())
        .unwrap_or_default();
    Ok((v.ticket, first))
}

async fn candidates(
    app: &App,
    actor: &Actor,
    t: &relais_store::support::TicketRow,
    first_message: &str,
    days: i64,
    open_only: bool,
) -> Result<Vec<Candidate>> {
    if !crate::support::is_agent(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let text = format!("{}\n{}", t.subject, first_message);
    let created = relais_store::parse_ts(&t.created_at).unwrap_or_else(|| app.clock.now());
    let q = SearchQuery {
        text: text.clone(),
        kinds: vec!["ticket".into()],
        product_id: Some(t.product_id.clone()),
        statuses: if open_only {
            [
                "nouveau",
                "en_cours",
                "attente_etablissement",
                "attente_editeur",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        } else {
            vec![]
        },
        created_since: Some((created - Duration::days(days)).timestamp()),
        limit: 20,
        ..Default::default()
    };
    let r = crate::search::suggest(app, actor, &q).await?;
    let own = r
        .hits
        .iter()
        .find(|h| h.id == t.id)
        .map(|h| h.score)
        .or_else(|| r.hits.first().map(|h| h.score))
        .unwrap_or(1.0)
        .max(f32::EPSILON);
    let mine: BTreeSet<String> = relais_search::analyse(&text)
        .into_iter()
        .filter(|w| w.chars().count() >= 3)
        .collect();
    let out = r
        .hits
        .into_iter()
        .filter(|h| h.id != t.id)
        .filter(|h| h.score / own >= MIN_SHARE)
        .map(|h| {
            let theirs: BTreeSet<String> =
                relais_search::analyse(&format!("{} {}", h.title, strip_tags(&h.snippet_html)))
                    .into_iter()
                    .collect();
            Candidate {
                similarity: (h.score / own).min(1.0),
                shared_words: mine.intersection(&theirs).take(8).cloned().collect(),
                reference: h.reference.clone().unwrap_or_default(),
                id: h.id,
                title: h.title,
                institution_id: h.institution_id,
                status: h.status,
            }
        })
        .collect();
    Ok(out)
}

/// Recent tickets (30 days) of the same product that look like this one.
pub async fn likely_duplicates(app: &App, actor: &Actor, ticket: Id) -> Result<Vec<Candidate>> {
    let (t, first) = load(app, actor, ticket).await?;
    candidates(app, actor, &t, &first, 30, false).await
}

/// An incident to propose when open tickets of at least three institutions
/// on the same product, filed within a week, say the same thing.
pub async fn incident_proposal(app: &App, actor: &Actor, ticket: Id) -> Result<Option<Proposal>> {
    let (t, first) = load(app, actor, ticket).await?;
    proposal_for(app, actor, &t, &first).await
}

/// Both, for a ticket the caller already loaded (the agent's ticket page).
pub async fn review(
    app: &App,
    actor: &Actor,
    t: &relais_store::support::TicketRow,
    first_message: &str,
) -> Result<(Vec<Candidate>, Option<Proposal>)> {
    Ok((
        candidates(app, actor, t, first_message, 30, false).await?,
        proposal_for(app, actor, t, first_message).await?,
    ))
}

async fn proposal_for(
    app: &App,
    actor: &Actor,
    t: &relais_store::support::TicketRow,
    first_message: &str,
) -> Result<Option<Proposal>> {
    if t.incident_id.is_some() {
        return Ok(None);
    }
    let similar = candidates(app, actor, t, first_message, 7, true).await?;
    let mut institutions: BTreeSet<String> = BTreeSet::new();
    institutions.insert(t.institution_id.clone());
    let mut refs = vec![t.reference.clone()];
    let mut words: BTreeSet<String> = BTreeSet::new();
    for c in &similar {
        if let Some(i) = &c.institution_id {
            institutions.insert(i.clone());
        }
        refs.push(c.reference.clone());
        words.extend(c.shared_words.iter().cloned());
    }
    if institutions.len() < INCIDENT_INSTITUTIONS {
        return Ok(None);
    }
    Ok(Some(Proposal {
        title: t.subject.clone(),
        why: format!(
            "{} établissements signalent un problème proche sur {} en 7 jours (mots communs : {}).",
            institutions.len(),
            t.product_name,
            words.into_iter().take(8).collect::<Vec<_>>().join(", ")
        ),
        institutions: institutions.len(),
        references: refs,
    }))
}
