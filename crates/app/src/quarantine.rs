//! The mail quarantine for agents (issue 20, item 7): read a held message
//! (sanitised), attach it to a ticket or an institution, release it as a
//! new ticket, or discard it. Agents only; every action is in the audit log
//! (entity `mail_quarantine`). Replaying stays in `mail_io::replay`.

use base64::Engine as _;
use relais_domain::accounts::Actor;
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use relais_store::mail_gate as gstore;
use serde_json::json;

use crate::mail_gate::clean_text;
use crate::support::is_agent;
use crate::{App, AppError, Result};

/// One held message as an agent reads it.
#[derive(Debug, Clone)]
pub struct HeldView {
    pub row: gstore::HeldMail,
    /// Readable text (the quoted history after it).
    pub text: String,
    /// Sanitised HTML body (ammonia), when the message has one.
    pub html: Option<String>,
    pub from_name: Option<String>,
    pub to: Vec<String>,
    pub attachments: Vec<String>,
}

fn require_agent(actor: &Actor) -> Result<()> {
    if is_agent(actor) {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

fn raw_of(row: &gstore::HeldMail) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(&row.raw)
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn not_waiting() -> AppError {
    DomainError::invalid(
        "not_waiting",
        "id",
        "Ce message n'est plus en attente : un autre agent l'a déjà traité.",
    )
    .into()
}

/// Reads one held message.
pub async fn read(app: &App, actor: &Actor, id: Id) -> Result<HeldView> {
    require_agent(actor)?;
    let row = {
        let mut c = app.db.read().await?;
        gstore::get_held(&mut c, id).await?
    };
    let raw = raw_of(&row)?;
    let raw = crate::mail_gate::clean_raw(&raw);
    Ok(match relais_mail::parse(&raw, "") {
        Ok(m) => HeldView {
            text: match &m.quoted {
                Some(q) => format!("{}\n\n{q}", m.text),
                None => m.text.clone(),
            },
            html: m.html_sanitized.clone(),
            from_name: m.from_name.clone(),
            to: m.to.clone(),
            attachments: m
                .attachments
                .iter()
                .map(|a| {
                    format!(
                        "{} ({}, {} octets)",
                        a.filename,
                        a.content_type,
                        a.data.len()
                    )
                })
                .collect(),
            row,
        },
        Err(_) => HeldView {
            // Unreadable as mail: its bytes as text, escaped by the template.
            text: String::from_utf8_lossy(&raw).chars().take(20_000).collect(),
            html: None,
            from_name: None,
            to: vec![],
            attachments: vec![],
            row,
        },
    })
}

async fn settle(
    app: &App,
    actor: &Actor,
    id: Id,
    status: &str,
    ticket: Option<Id>,
    changes: serde_json::Value,
) -> Result<()> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    if !gstore::settle_held(&mut tx, id, status, ticket, actor.user_id, &now).await? {
        return Err(not_waiting());
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "mail_quarantine",
        id,
        status,
        &changes,
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The message as a note on the ticket: an internal note of the agent, so
/// nothing unverified is mailed to the institution.
pub async fn attach_to_ticket(app: &App, actor: &Actor, id: Id, reference: &str) -> Result<Id> {
    require_agent(actor)?;
    let held = read(app, actor, id).await?;
    if held.row.status != "en_attente" {
        return Err(not_waiting());
    }
    let ticket = {
        let mut c = app.db.read().await?;
        match relais_store::support::find_ticket_by_reference(&mut c, reference.trim()).await {
            Ok(t) => t,
            Err(relais_store::StoreError::NotFound) => {
                return Err(DomainError::invalid(
                    "unknown_ticket",
                    "reference",
                    "Aucun ticket ne porte cette référence.",
                )
                .into())
            }
            Err(e) => return Err(e.into()),
        }
    };
    let tid = Id::parse(&ticket.id).ok_or_else(|| AppError::Internal("id".into()))?;
    let body = clean_text(&format!(
        "Courriel rattaché depuis la quarantaine (de {}, objet « {} », motif : {}).\n\n{}",
        held.row
            .from_address
            .as_deref()
            .unwrap_or("expéditeur inconnu"),
        held.row.subject.as_deref().unwrap_or(""),
        held.row.reason,
        held.text
    ));
    // The note and the entry's new status commit together: a failure
    // leaves the message waiting, never noted twice.
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    if !gstore::settle_held(&mut tx, id, "rattache", Some(tid), actor.user_id, &now).await? {
        return Err(not_waiting());
    }
    crate::support::reply_in(&mut tx, app, actor, tid, &body, true, "mail", None).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "mail_quarantine",
        id,
        "rattache",
        &json!({"ticket": [null, ticket.reference]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(tid)
}

/// The message as an e-mail interaction in the institution's CRM journal.
pub async fn attach_to_institution(
    app: &App,
    actor: &Actor,
    id: Id,
    institution: Id,
) -> Result<Id> {
    require_agent(actor)?;
    let held = read(app, actor, id).await?;
    if held.row.status != "en_attente" {
        return Err(not_waiting());
    }
    let subject: String = clean_text(held.row.subject.as_deref().unwrap_or("(sans objet)"))
        .chars()
        .take(200)
        .collect();
    let interaction = crate::crm::create_interaction(
        app,
        actor,
        crate::crm::InteractionInput {
            institution_id: institution.to_string(),
            kind: "courriel".into(),
            occurred_on: held.row.received_at.chars().take(10).collect(),
            subject: if subject.trim().is_empty() {
                "(sans objet)".into()
            } else {
                subject
            },
            summary: Some(
                clean_text(&format!(
                    "De {} :\n\n{}",
                    held.row
                        .from_address
                        .as_deref()
                        .unwrap_or("expéditeur inconnu"),
                    held.text
                ))
                .chars()
                .take(8000)
                .collect(),
            ),
            contact_id: None,
            follow_up: None,
            follow_up_due: None,
        },
    )
    .await?;
    settle(
        app,
        actor,
        id,
        "rattache",
        None,
        json!({"institution": [null, institution.to_string()], "interaction": [null, interaction.to_string()]}),
    )
    .await?;
    Ok(interaction)
}

/// A new ticket from the message, filed by the agent for an institution
/// and a product it is entitled to.
pub async fn release_as_ticket(
    app: &App,
    actor: &Actor,
    id: Id,
    institution: Id,
    product: Id,
) -> Result<Id> {
    require_agent(actor)?;
    let held = read(app, actor, id).await?;
    if held.row.status != "en_attente" {
        return Err(not_waiting());
    }
    let subject: String = clean_text(held.row.subject.as_deref().unwrap_or(""))
        .chars()
        .take(200)
        .collect();
    let body = clean_text(&format!(
        "Courriel de {} libéré de la quarantaine.\n\n{}",
        held.row
            .from_address
            .as_deref()
            .unwrap_or("expéditeur inconnu"),
        if held.text.trim().is_empty() {
            "(message vide)"
        } else {
            held.text.as_str()
        }
    ));
    let ticket = crate::support::create_ticket(
        app,
        actor,
        Some(institution),
        TicketInput {
            product_id: product.to_string(),
            category: "question".into(),
            severity: "mineur".into(),
            subject: if subject.trim().is_empty() {
                "(sans objet)".into()
            } else {
                subject
            },
            body,
            ..Default::default()
        },
        "mail",
    )
    .await?;
    settle(
        app,
        actor,
        id,
        "libere",
        Some(ticket),
        json!({"ticket": [null, ticket.to_string()]}),
    )
    .await?;
    Ok(ticket)
}

/// Discards the message (kept in the audit log, no longer waiting).
pub async fn discard(app: &App, actor: &Actor, id: Id) -> Result<()> {
    require_agent(actor)?;
    settle(app, actor, id, "ecarte", None, json!({})).await
}

/// `(id, name)` of the institutions and of the products, for the forms.
pub async fn pickers(
    app: &App,
    actor: &Actor,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>)> {
    require_agent(actor)?;
    let mut c = app.db.read().await?;
    let institutions = relais_store::engagement::institution_options(&mut c).await?;
    let products = relais_store::crm::list_products(&mut c, None)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok((institutions, products))
}
