//! The gate in front of inbound mail (issue 20): who really sent a message
//! (trusted `Authentication-Results`, else DKIM checked here), whether the
//! same message was already handled (ledger of Message-IDs), what bytes a
//! database will never take (NUL), and where a message goes when it cannot
//! act (quarantine, with a readable reason and the authentication verdict).
//!
//! `mail_io::ingest` calls these hooks; the rules live here.

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine as _;
use relais_domain::accounts::Actor;
use relais_domain::Id;
use relais_mail::{AuthVerdict, DkimSigning, DkimVerifier, ParsedMail};
use relais_store::mail_gate as gstore;

use crate::mail_io::{IngestOutcome, MailSettings};
use crate::{App, Result};

/// Sender authentication and signing settings.
#[derive(Clone, Debug, Default)]
pub struct MailAuth {
    /// The `authserv-id` of our receiving MTA: its topmost
    /// `Authentication-Results` fields are believed. `None`: DKIM is checked
    /// here instead.
    pub trusted_authserv_id: Option<String>,
    /// DKIM checks (and its DNS cache, which tests fill).
    pub dkim: Arc<DkimVerifier>,
    /// Signs outgoing notifications when a key is configured.
    pub signing: Option<Arc<DkimSigning>>,
}

/// How long a delivery may hold a Message-ID before another delivery of the
/// same message takes over (the first one crashed).
const CLAIM_STALE_SECS: i64 = 600;

/// The bytes a database may refuse, removed: NUL (PostgreSQL text never
/// holds one). Nothing else is touched.
pub fn clean_raw(raw: &[u8]) -> Cow<'_, [u8]> {
    if raw.contains(&0) {
        Cow::Owned(raw.iter().copied().filter(|b| *b != 0).collect())
    } else {
        Cow::Borrowed(raw)
    }
}

/// Removes NUL characters from a decoded text.
pub fn clean_text(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "")
    } else {
        s.to_string()
    }
}

/// The authentication verdict for a message from `from`.
pub async fn authenticate(settings: &MailSettings, raw: &[u8], from: &str) -> AuthVerdict {
    if let Some(id) = settings.auth.trusted_authserv_id.as_deref() {
        if let Some(v) = relais_mail::trusted_results(raw, id, from) {
            return v;
        }
    }
    settings.auth.dkim.verify(raw, from).await
}

/// Whether an address belongs to the agency: the desk's own domain.
/// (Agent accounts are recognised by their role once resolved.)
pub fn is_agency_address(settings: &MailSettings, address: &str) -> bool {
    let d = relais_mail::domain_of(address);
    !d.is_empty() && d == settings.reply.domain().to_ascii_lowercase()
}

/// What the ledger says about a message about to be handled.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// This delivery handles it.
    Fresh,
    /// Already handled: what it led to.
    Done(String),
    /// Another delivery of the same message is in progress.
    Busy,
}

/// The ledger's label of a quarantined message: with a digest of its
/// bytes, so that only the very same message counts as a duplicate (a
/// forged copy held in quarantine never blocks the genuine message).
fn held_label(raw: &[u8]) -> String {
    use sha2::Digest as _;
    format!(
        "quarantaine:{}",
        hex::encode(&sha2::Sha256::digest(raw)[..12])
    )
}

/// Claims a Message-ID for this delivery of `raw` (see [`Claim`]).
pub async fn claim(app: &App, message_id: &str, raw: &[u8]) -> Result<Claim> {
    let now = app.clock.now();
    let now_s = relais_store::ts(now);
    let mut tx = app.db.begin().await?;
    if gstore::claim_message_id(&mut tx, message_id, "en_cours", None, &now_s).await? {
        tx.commit().await?;
        return Ok(Claim::Fresh);
    }
    let entry = gstore::ledger_entry(&mut tx, message_id).await?;
    let out = match entry {
        Some((outcome, _)) if outcome == "en_cours" => {
            let stale = gstore::claimed_at(&mut tx, message_id)
                .await?
                .and_then(|t| relais_store::parse_ts(&t))
                .is_none_or(|t| (now - t).num_seconds() > CLAIM_STALE_SECS);
            if stale {
                gstore::retake_claim(&mut tx, message_id, &now_s).await?;
                Claim::Fresh
            } else {
                Claim::Busy
            }
        }
        Some((outcome, _)) if outcome.starts_with("quarantaine") && outcome != held_label(raw) => {
            gstore::retake_claim(&mut tx, message_id, &now_s).await?;
            Claim::Fresh
        }
        Some((outcome, _)) => Claim::Done(outcome),
        // Released between the two statements: try once more later.
        None => Claim::Busy,
    };
    tx.commit().await?;
    Ok(out)
}

/// Records what a claimed message led to.
pub async fn settle(
    app: &App,
    message_id: &str,
    raw: &[u8],
    outcome: &IngestOutcome,
) -> Result<()> {
    let (label, ticket) = match outcome {
        IngestOutcome::NewTicket(t) => ("ticket".to_string(), Some(*t)),
        IngestOutcome::Reply { ticket, .. } => ("reponse".to_string(), Some(*ticket)),
        IngestOutcome::Ignored(_) => ("ignore".to_string(), None),
        IngestOutcome::Quarantined { .. } => (held_label(raw), None),
    };
    let mut tx = app.db.begin().await?;
    gstore::settle_message_id(&mut tx, message_id, &label, ticket).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a claim back after a failure, so that the MTA's retry handles the
/// message (best effort: a stale claim is taken over anyway).
pub async fn unclaim(app: &App, message_id: &str) {
    let res = async {
        let mut tx = app.db.begin().await?;
        gstore::drop_claim(&mut tx, message_id).await?;
        tx.commit().await?;
        Ok::<_, crate::AppError>(())
    }
    .await;
    if let Err(e) = res {
        tracing::warn!(error = %e, "mail ledger claim not released");
    }
}

/// Forgets a quarantined Message-ID before a replay.
pub async fn forget_quarantined(app: &App, message_id: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    gstore::release_message_id(&mut tx, message_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Holds a message in quarantine with its reason and, when known, the
/// authentication verdict.
pub async fn hold(
    app: &App,
    raw: &[u8],
    reason: &str,
    mail: Option<&ParsedMail>,
    verdict: Option<&AuthVerdict>,
) -> Result<IngestOutcome> {
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    relais_store::support::insert_quarantine(
        &mut tx,
        id,
        &app.now_ts(),
        &clean_text(reason),
        mail.and_then(|m| m.from_address.as_deref().map(clean_text)),
        mail.map(|m| clean_text(&m.subject)),
        &base64::engine::general_purpose::STANDARD.encode(raw),
    )
    .await?;
    if let Some(v) = verdict {
        gstore::set_auth_verdict(&mut tx, id, &clean_text(&v.detail)).await?;
    }
    tx.commit().await?;
    tracing::info!(reason, "mail quarantined");
    Ok(IngestOutcome::Quarantined {
        id,
        reason: reason.into(),
    })
}

/// Whether `actor` may act through this message. Agents: only through the
/// signed reply address of the ticket, and only when authenticated. Anyone
/// else: when authenticated. `Err(reason)` says why not, in French.
pub fn may_act(
    actor: &Actor,
    verdict: &AuthVerdict,
    signed_reference: bool,
) -> std::result::Result<(), String> {
    if crate::support::is_agent(actor) || actor.role.is_agency() {
        if !verdict.authenticated {
            return Err(format!(
                "adresse de l'agence non authentifiée (usurpation possible) : {}",
                verdict.detail
            ));
        }
        if !signed_reference {
            return Err(
                "un agent ne répond par courriel qu'à l'adresse de réponse signée du ticket".into(),
            );
        }
        return Ok(());
    }
    if !verdict.authenticated {
        return Err(format!("expéditeur non authentifié : {}", verdict.detail));
    }
    Ok(())
}

/// A reply by mail to a closed ticket. It is never « données invalides »:
/// a member's reply opens a new ticket on the same product that names the
/// closed one. (The reopening rule, within a delay set by an admin, plugs
/// in here.)
pub async fn reply_to_closed_ticket(
    app: &App,
    raw: &[u8],
    actor: &Actor,
    closed: &relais_store::support::TicketRow,
    mail: &ParsedMail,
    body: &str,
) -> Result<IngestOutcome> {
    if actor.role.is_agency() {
        return hold(
            app,
            raw,
            &format!(
                "réponse d'un agent au ticket clos {} : à rattacher ou à rouvrir depuis le ticket",
                closed.reference
            ),
            Some(mail),
            None,
        )
        .await;
    }
    let input = relais_domain::support::TicketInput {
        product_id: closed.product_id.clone(),
        category: "question".into(),
        severity: "mineur".into(),
        subject: if mail.subject.trim().is_empty() {
            format!("Suite du ticket {}", closed.reference)
        } else {
            clean_text(&mail.subject).chars().take(200).collect()
        },
        body: format!(
            "(Réponse par courriel au ticket clos {}.)\n\n{body}",
            closed.reference
        ),
        ..Default::default()
    };
    match crate::support::create_ticket(app, actor, None, input, "mail").await {
        Ok(id) => Ok(IngestOutcome::NewTicket(id)),
        Err(crate::AppError::Domain(e)) => {
            hold(
                app,
                raw,
                &format!(
                    "réponse au ticket clos {} : nouvelle demande refusée ({e})",
                    closed.reference
                ),
                Some(mail),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// A sender who has no account: a contact of the CRM, or someone unknown
/// whom the mailbox's rule lets in. `None`: the caller holds the message
/// as « expéditeur inconnu ».
///
/// Only an authenticated sender gets this far: an address anyone can type
/// opens nothing. A contact gets a ticket on their institution, with the
/// contact as requester (no account is created: the ticket records the
/// contact's name and address). A stranger follows the rule of the mailbox
/// the message was fetched from or delivered to (else the `*` rule, else
/// quarantine): a
/// ticket for triage on the institution the admin named.
pub async fn unknown_sender(
    app: &App,
    _settings: &MailSettings,
    raw: &[u8],
    mail: &ParsedMail,
    verdict: &AuthVerdict,
    mailbox: Option<&str>,
) -> Result<Option<IngestOutcome>> {
    let Some(from) = mail.from_address.as_deref() else {
        return Ok(None);
    };
    if !verdict.authenticated {
        return hold(
            app,
            raw,
            &format!("expéditeur inconnu, non authentifié : {}", verdict.detail),
            Some(mail),
            Some(verdict),
        )
        .await
        .map(Some);
    }
    let (contacts, route) = {
        let mut c = app.db.read().await?;
        (
            gstore::contacts_by_email(&mut c, from).await?,
            // The polled mailbox's rule first, then those of the To:.
            gstore::route_for(
                &mut c,
                &mailbox
                    .map(str::to_string)
                    .into_iter()
                    .chain(mail.to.iter().cloned())
                    .collect::<Vec<_>>(),
            )
            .await?,
        )
    };
    let mut institutions: Vec<&str> = contacts.iter().map(|k| k.institution_id.as_str()).collect();
    institutions.sort_unstable();
    institutions.dedup();
    if institutions.len() > 1 {
        return hold(
            app,
            raw,
            "contact de plusieurs établissements : à rattacher à la main",
            Some(mail),
            Some(verdict),
        )
        .await
        .map(Some);
    }
    let body = if mail.text.trim().is_empty() {
        "(message vide)".to_string()
    } else {
        mail.text.clone()
    };
    if body.chars().count() > crate::mail_read::MESSAGE_CHARS {
        return hold(
            app,
            raw,
            "message trop long d'un expéditeur sans compte",
            Some(mail),
            Some(verdict),
        )
        .await
        .map(Some);
    }
    let subject: String = if mail.subject.trim().is_empty() {
        "(sans objet)".into()
    } else {
        mail.subject.chars().take(200).collect()
    };
    let name_of = |fallback: &str| {
        mail.from_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| fallback.to_string())
    };
    let (institution, product, requester) = if let Some(k) = contacts.first() {
        let institution = Id::parse_stored(&k.institution_id)?;
        let Some(product) = crate::mail_io::guess_product(app, institution, mail).await? else {
            return hold(
                app,
                raw,
                "contact sans compte : produit non identifié",
                Some(mail),
                Some(verdict),
            )
            .await
            .map(Some);
        };
        let full = format!("{} {}", k.first_name, k.last_name);
        let requester = crate::support::Requester {
            user_id: None,
            contact_id: Some(Id::parse_stored(&k.id)?),
            name: name_of(full.trim()),
            email: Some(from.to_string()),
            check_entitlement: true,
        };
        (institution, product, requester)
    } else {
        let Some(route) = route.filter(|r| r.unknown_sender == "ticket") else {
            return Ok(None);
        };
        let Some(institution) = route.institution_id.as_deref().and_then(Id::parse) else {
            return Ok(None);
        };
        let product = match route.product_id.as_deref().and_then(Id::parse) {
            Some(p) => p,
            None => match crate::mail_io::guess_product(app, institution, mail).await? {
                Some(p) => p,
                None => {
                    return hold(
                        app,
                        raw,
                        "expéditeur inconnu : la règle de la boîte ne nomme pas de produit",
                        Some(mail),
                        Some(verdict),
                    )
                    .await
                    .map(Some)
                }
            },
        };
        let requester = crate::support::Requester {
            user_id: None,
            contact_id: None,
            name: name_of(from),
            email: Some(from.to_string()),
            check_entitlement: false,
        };
        (institution, product, requester)
    };
    let input = relais_domain::support::TicketInput {
        product_id: product.to_string(),
        category: "question".into(),
        severity: "mineur".into(),
        subject,
        body,
        ..Default::default()
    };
    match crate::support::create_ticket_for(app, institution, &requester, input, "mail").await {
        Ok(id) => {
            if let Some(mid) = &mail.message_id {
                let mut tx = app.db.begin().await?;
                relais_store::support::set_mail_message_id(&mut tx, id, &clean_text(mid)).await?;
                tx.commit().await?;
            }
            // The files come with the request, as for an account: same
            // checks and limits, uploaded by nobody, named after the sender.
            let by = crate::attachments::Uploader {
                user_id: None,
                name: &requester.name,
            };
            crate::mail_io::keep_attachments_by(app, by, id, None, mail).await;
            crate::mail_read::keep_parts(app, id, None, mail).await;
            Ok(Some(IngestOutcome::NewTicket(id)))
        }
        Err(crate::AppError::Domain(e)) => hold(
            app,
            raw,
            &format!("demande d'un expéditeur sans compte refusée : {e}"),
            Some(mail),
            Some(verdict),
        )
        .await
        .map(Some),
        Err(e) => Err(e),
    }
}

/// The rule of a mailbox for senders who are neither an account nor a
/// contact, as an admin enters it.
#[derive(Debug, Clone, Default)]
pub struct RouteInput {
    /// A bare address the desk receives mail at, or `*` for any.
    pub mailbox: String,
    /// `quarantaine` or `ticket`.
    pub unknown_sender: String,
    /// The triage institution (required for `ticket`).
    pub institution_id: Option<String>,
    /// The product of triage tickets; none: guessed from the message among
    /// the institution's deployments.
    pub product_id: Option<String>,
}

fn require_admin(actor: &Actor) -> Result<()> {
    if actor.role == relais_domain::accounts::Role::Admin {
        Ok(())
    } else {
        Err(relais_domain::DomainError::Forbidden.into())
    }
}

/// The mailbox rules, for admins.
pub async fn list_routes(app: &App, actor: &Actor) -> Result<Vec<gstore::MailRoute>> {
    require_admin(actor)?;
    let mut c = app.db.read().await?;
    Ok(gstore::list_routes(&mut c).await?)
}

/// Sets a mailbox's rule (admins; audited).
pub async fn set_route(app: &App, actor: &Actor, input: RouteInput) -> Result<()> {
    use relais_domain::DomainError;
    require_admin(actor)?;
    let mailbox = input.mailbox.trim().to_lowercase();
    if mailbox != "*" && (!mailbox.contains('@') || mailbox.contains(char::is_whitespace)) {
        return Err(DomainError::invalid(
            "invalid_mailbox",
            "mailbox",
            "Indiquez une adresse de la boîte (support@…) ou * pour toutes.",
        )
        .into());
    }
    let rule = input.unknown_sender.trim();
    if rule != "quarantaine" && rule != "ticket" {
        return Err(DomainError::invalid(
            "invalid_rule",
            "unknown_sender",
            "Choisissez « quarantaine » ou « ticket ».",
        )
        .into());
    }
    let pick = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Id::parse(s).ok_or(()))
            .transpose()
    };
    let institution = pick(&input.institution_id).map_err(|_| {
        DomainError::invalid("invalid_id", "institution_id", "Établissement inconnu.")
    })?;
    let product = pick(&input.product_id)
        .map_err(|_| DomainError::invalid("invalid_id", "product_id", "Produit inconnu."))?;
    if rule == "ticket" && institution.is_none() {
        return Err(DomainError::invalid(
            "required",
            "institution_id",
            "Choisissez l'établissement de tri qui recevra ces tickets.",
        )
        .into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    if let Some(i) = institution {
        match relais_store::crm::get_institution(&mut tx, relais_domain::accounts::Scope::All, i)
            .await
        {
            Ok(_) => {}
            Err(relais_store::StoreError::NotFound) => {
                return Err(DomainError::invalid(
                    "not_found",
                    "institution_id",
                    "Établissement inconnu.",
                )
                .into())
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(p) = product {
        match relais_store::crm::get_product(&mut tx, p).await {
            Ok(_) => {}
            Err(relais_store::StoreError::NotFound) => {
                return Err(
                    DomainError::invalid("not_found", "product_id", "Produit inconnu.").into(),
                )
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Quarantine needs no institution: none is kept, so a later switch
    // back to `ticket` asks for it again.
    let (institution, product) = if rule == "ticket" {
        (institution, product)
    } else {
        (None, None)
    };
    let route = gstore::MailRoute {
        mailbox: mailbox.clone(),
        unknown_sender: rule.to_string(),
        institution_id: institution.map(|i| i.to_string()),
        product_id: product.map(|p| p.to_string()),
    };
    gstore::upsert_route(&mut tx, &route, &now).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "mail_route",
        Id::new(),
        "enregistre",
        &serde_json::json!({
            "mailbox": route.mailbox,
            "unknown_sender": route.unknown_sender,
            "institution_id": route.institution_id,
            "product_id": route.product_id,
        }),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a mailbox's rule (admins; audited). `NotFound` when it had none.
pub async fn delete_route(app: &App, actor: &Actor, mailbox: &str) -> Result<()> {
    require_admin(actor)?;
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    if !gstore::delete_route(&mut tx, mailbox.trim()).await? {
        return Err(relais_domain::DomainError::NotFound.into());
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "mail_route",
        Id::new(),
        "supprime",
        &serde_json::json!({ "mailbox": mailbox.trim().to_lowercase() }),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
