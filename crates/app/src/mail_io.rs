//! Mail in and out of the support desk. Inbound: a raw message becomes a new
//! ticket, a reply in its thread, an ignored automatic message, or a
//! quarantined one that an agent can replay. Outbound: the `mail.notify`
//! jobs written by the support use cases become SMTP messages.

use crate::jobs::MailJob;
use crate::support::{is_agent, ticket_scope};
use crate::{App, AppError, Result};
use base64::Engine as _;
use relais_domain::accounts::{Actor, Scope};
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use relais_mail::{ParsedMail, RefSource, ReplyAddress, SmtpConfig};
use relais_store::support as sstore;

/// Mail settings from the configuration.
#[derive(Clone, Debug)]
pub struct MailSettings {
    pub smtp: SmtpConfig,
    pub reply: ReplyAddress,
    /// Public URL of Relais, for links in notifications.
    pub base_url: String,
    /// Sender authentication of inbound mail, DKIM signing of outbound.
    pub auth: crate::mail_gate::MailAuth,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IngestOutcome {
    NewTicket(Id),
    Reply {
        ticket: Id,
        message: Id,
    },
    /// Automatic mail (auto-reply, bulk, bounce, our own notification): not
    /// turned into a ticket.
    Ignored(String),
    /// Kept for an agent to review and replay.
    Quarantined {
        id: Id,
        reason: String,
    },
}

async fn quarantine(
    app: &App,
    raw: &[u8],
    reason: &str,
    mail: Option<&ParsedMail>,
) -> Result<IngestOutcome> {
    crate::mail_gate::hold(app, raw, reason, mail, None).await
}

/// The account behind a sender address, if it is an active member account.
async fn sender_actor(app: &App, address: &str) -> Result<Option<Actor>> {
    let mut c = app.db.read().await?;
    match relais_store::accounts::find_user_by_email(&mut c, address).await {
        Ok(u) if u.active == 1 => Ok(crate::accounts::actor_of(&u)),
        Ok(_) | Err(relais_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Which product a new mail is about: a product named in the subject or
/// body among those the institution is entitled to, or its only one.
pub(crate) async fn guess_product(
    app: &App,
    institution: Id,
    mail: &ParsedMail,
) -> Result<Option<Id>> {
    let mut c = app.db.read().await?;
    let (deps, _) = relais_store::crm::list_deployments(
        &mut c,
        Scope::Institution(institution),
        &relais_store::crm::DeploymentFilter {
            limit: 200,
            ..Default::default()
        },
    )
    .await?;
    let usable: Vec<_> = deps
        .into_iter()
        .filter(|d| d.status != "retire" && d.status != "candidat")
        .collect();
    let hay = relais_domain::fold(&format!("{} {}", mail.subject, mail.text));
    let named: Vec<_> = usable
        .iter()
        .filter(|d| {
            hay.split(|c: char| !c.is_alphanumeric())
                .any(|w| w == relais_domain::fold(&d.product_name))
        })
        .collect();
    let pick = match (named.len(), usable.len()) {
        (1, _) => Some(&named[0].product_id),
        (0, 1) => Some(&usable[0].product_id),
        _ => None,
    };
    Ok(pick.and_then(|p| Id::parse(p)))
}

/// Keeps a mail's attachments on its ticket. The ticket or reply is
/// already committed: failing here would make the MTA deliver the message
/// again and open a second ticket, so a storage failure is logged and the
/// message still counts as handled (oversized parts are noted in the
/// ticket's history by `keep_mail_attachments` itself).
async fn keep_attachments(
    app: &App,
    actor: &Actor,
    ticket: Id,
    message: Option<Id>,
    mail: &ParsedMail,
) {
    keep_attachments_by(
        app,
        crate::attachments::Uploader::of(actor),
        ticket,
        message,
        mail,
    )
    .await
}

/// [`keep_attachments`] for a sender with or without an account (a CRM
/// contact writing by mail): same checks and limits.
pub(crate) async fn keep_attachments_by(
    app: &App,
    by: crate::attachments::Uploader<'_>,
    ticket: Id,
    message: Option<Id>,
    mail: &ParsedMail,
) {
    let sender = match (&mail.from_name, &mail.from_address) {
        (Some(n), Some(a)) if !n.trim().is_empty() => format!("{} <{a}>", n.trim()),
        (_, Some(a)) => a.clone(),
        _ => by.name.to_string(),
    };
    if let Err(e) = crate::attachments::keep_mail_attachments(
        app,
        by,
        ticket,
        message,
        &sender,
        &mail.attachments,
    )
    .await
    {
        tracing::error!(error = %e, ticket = %ticket, "mail attachments not kept");
    }
}

/// Where a message came from, for what the message itself does not say.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// The address of the mailbox it was fetched from (IMAP): its rule for
    /// unknown senders applies before those of the To: addresses.
    pub mailbox: Option<String>,
    /// The ledger key of a message without a Message-ID (IMAP: a digest of
    /// its bytes), so that fetching it again after a crash handles it once.
    pub fallback_id: Option<String>,
}

/// Handles one raw inbound message (the MTA pipe, IMAP, or a replay).
///
/// `Err` only when nothing could be stored, not even in quarantine (the
/// database is unreachable): the MTA should retry. Every other problem
/// quarantines the message at once with a readable reason.
pub async fn ingest(app: &App, settings: &MailSettings, raw: &[u8]) -> Result<IngestOutcome> {
    ingest_delivered(app, settings, raw, &Delivery::default()).await
}

/// [`ingest`] with what the delivery knows (the IMAP poller).
pub async fn ingest_delivered(
    app: &App,
    settings: &MailSettings,
    raw: &[u8],
    delivery: &Delivery,
) -> Result<IngestOutcome> {
    use crate::mail_gate::{self, Claim};
    let raw = mail_gate::clean_raw(raw);
    let raw: &[u8] = &raw;
    let own = settings.reply.base();
    let mail = match relais_mail::parse(raw, &own) {
        Ok(m) => m,
        Err(e) => return quarantine(app, raw, &format!("illisible : {e}"), None).await,
    };
    if let Some(kind) = mail.auto {
        let k = kind.code();
        if kind == relais_mail::AutoKind::Bounce {
            crate::mail_read::record_bounce(app, &mail).await?;
        }
        tracing::info!(kind = k, "automatic mail ignored");
        return Ok(IngestOutcome::Ignored(k.into()));
    }
    let Some(from) = mail.from_address.clone() else {
        return quarantine(app, raw, "expéditeur absent", Some(&mail)).await;
    };
    // The same message delivered twice is handled once.
    let mid = mail
        .message_id
        .as_deref()
        .map(mail_gate::clean_text)
        .filter(|m| !m.trim().is_empty())
        .or_else(|| delivery.fallback_id.clone());
    if let Some(m) = &mid {
        match mail_gate::claim(app, m, raw).await? {
            Claim::Fresh => {}
            Claim::Done(outcome) => {
                tracing::info!(outcome, "message already handled");
                return Ok(IngestOutcome::Ignored("duplicate".into()));
            }
            Claim::Busy => {
                return Err(AppError::Internal(
                    "le même message est en cours de traitement par une autre livraison".into(),
                ))
            }
        }
    }
    let outcome = match handle(app, settings, raw, &mail, &from, delivery).await {
        Ok(o) => Ok(o),
        // Not stored for a reason a retry will not change (the database
        // answered): held at once. If even that fails, the MTA retries.
        Err(e) => {
            tracing::warn!(error = %e, "mail not stored, quarantining");
            mail_gate::hold(
                app,
                raw,
                &format!("enregistrement impossible : {e}"),
                Some(&mail),
                None,
            )
            .await
        }
    };
    if let Some(m) = &mid {
        match &outcome {
            Ok(o) => {
                if let Err(e) = mail_gate::settle(app, m, raw, o).await {
                    tracing::warn!(error = %e, "mail ledger not updated");
                }
            }
            Err(_) => mail_gate::unclaim(app, m).await,
        }
    }
    outcome
}

async fn handle(
    app: &App,
    settings: &MailSettings,
    raw: &[u8],
    mail: &ParsedMail,
    from: &str,
    delivery: &Delivery,
) -> Result<IngestOutcome> {
    use crate::mail_gate;
    let mail = &{
        let mut m = mail.clone();
        m.subject = mail_gate::clean_text(&m.subject);
        m.text = mail_gate::clean_text(&m.text);
        m.from_name = m.from_name.as_deref().map(mail_gate::clean_text);
        m
    };
    let verdict = mail_gate::authenticate(settings, raw, from).await;
    let verdict = &verdict;
    let hold = |reason: String| async move {
        mail_gate::hold(app, raw, &reason, Some(mail), Some(verdict)).await
    };
    let Some(actor) = sender_actor(app, from).await? else {
        if mail_gate::is_agency_address(settings, from) && !verdict.authenticated {
            return hold(format!(
                "adresse de l'agence non authentifiée (usurpation possible) : {}",
                verdict.detail
            ))
            .await;
        }
        if let Some(o) = mail_gate::unknown_sender(
            app,
            settings,
            raw,
            mail,
            verdict,
            delivery.mailbox.as_deref(),
        )
        .await?
        {
            return Ok(o);
        }
        return hold("expéditeur inconnu".into()).await;
    };
    let body = if mail.text.trim().is_empty() {
        "(message vide)".to_string()
    } else {
        mail.text.clone()
    };
    // Long bodies: whole up to the configured limit (continued in the
    // following messages), held and refused above it.
    let chars = body.chars().count();
    if chars > app.settings.mail_max_body_chars {
        let out = quarantine(app, raw, "message trop long", Some(mail)).await?;
        crate::mail_read::refuse_too_long(app, from, &mail.subject, chars).await;
        return Ok(out);
    }
    let mut pieces = crate::mail_read::split_body(&body, crate::mail_read::MESSAGE_CHARS);
    let body = pieces.remove(0);
    // A reply: find its ticket, and only append when the sender may write
    // on it (own institution, or an agent). A forged reference to another
    // institution's ticket is quarantined, never appended.
    let found_ref = relais_mail::find_ticket_ref(mail, &settings.reply);
    let signed = matches!(found_ref, Some(RefSource::SignedAddress(_)));
    if let Err(reason) = mail_gate::may_act(&actor, verdict, signed) {
        return hold(reason).await;
    }
    let ticket = match found_ref {
        Some(RefSource::SignedAddress(r)) | Some(RefSource::Subject(r)) => {
            let mut c = app.db.read().await?;
            match sstore::find_ticket_by_reference(&mut c, &r).await {
                Ok(t) => Some(t),
                Err(relais_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        }
        _ => {
            let mut found = None;
            let mut c = app.db.read().await?;
            for mid in relais_mail::candidate_message_ids(mail, &settings.reply) {
                if let Some(tid) = sstore::ticket_of_mail_message(&mut c, &mid).await? {
                    found = Some(
                        sstore::get_ticket(
                            &mut c,
                            sstore::TicketScope::All,
                            Id::parse_stored(&tid)?,
                        )
                        .await?,
                    );
                    break;
                }
            }
            found
        }
    };
    if let Some(t) = ticket {
        let id = Id::parse(&t.id).ok_or_else(|| AppError::Internal("id".into()))?;
        let allowed = is_agent(&actor)
            || actor.institution_id.map(|i| i.to_string()) == Some(t.institution_id.clone());
        if !allowed {
            return quarantine(
                app,
                raw,
                "référence d'un ticket d'un autre établissement",
                Some(mail),
            )
            .await;
        }
        if t.status == "clos" && actor.role.is_agency() {
            // An agent's mail never reopens a closed ticket by itself.
            return mail_gate::reply_to_closed_ticket(app, raw, &actor, &t, mail, &body).await;
        }
        if let crate::mail_read::ClosedTicket::NewTicket(new) =
            crate::mail_read::closed_ticket(app, &actor, &t, mail, &body).await?
        {
            crate::mail_read::append_continuations(app, &actor, new, &pieces).await;
            keep_attachments(app, &actor, new, None, mail).await;
            crate::mail_read::keep_parts(app, new, None, mail).await;
            return Ok(IngestOutcome::NewTicket(new));
        }
        return match crate::support::reply(
            app,
            &actor,
            id,
            &body,
            false,
            "mail",
            mail.message_id.as_deref(),
        )
        .await
        {
            Ok(message) => {
                crate::mail_read::append_continuations(app, &actor, id, &pieces).await;
                keep_attachments(app, &actor, id, Some(message), mail).await;
                crate::mail_read::keep_parts(app, id, Some(message), mail).await;
                Ok(IngestOutcome::Reply {
                    ticket: id,
                    message,
                })
            }
            Err(AppError::Domain(e)) => {
                quarantine(app, raw, &format!("réponse refusée : {e}"), Some(mail)).await
            }
            Err(e) => Err(e),
        };
    }
    // A new request from a member.
    let Some(institution) = actor.institution_id else {
        return quarantine(
            app,
            raw,
            "nouvelle demande d'un compte sans établissement",
            Some(mail),
        )
        .await;
    };
    let Some(product) = guess_product(app, institution, mail).await? else {
        return quarantine(app, raw, "produit non identifié", Some(mail)).await;
    };
    let input = TicketInput {
        product_id: product.to_string(),
        category: "question".into(),
        severity: "mineur".into(),
        subject: if mail.subject.trim().is_empty() {
            "(sans objet)".into()
        } else {
            mail.subject.chars().take(200).collect()
        },
        body,
        ..Default::default()
    };
    match crate::support::create_ticket(app, &actor, None, input, "mail").await {
        Ok(id) => {
            if let Some(mid) = &mail.message_id {
                // Later replies quoting the original message id find the ticket.
                let mut tx = app.db.begin().await?;
                sstore::set_mail_message_id(&mut tx, id, mid).await?;
                tx.commit().await?;
            }
            crate::mail_read::append_continuations(app, &actor, id, &pieces).await;
            keep_attachments(app, &actor, id, None, mail).await;
            crate::mail_read::keep_parts(app, id, None, mail).await;
            Ok(IngestOutcome::NewTicket(id))
        }
        Err(AppError::Domain(e)) => {
            quarantine(app, raw, &format!("demande refusée : {e}"), Some(mail)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn list_quarantine(app: &App, actor: &Actor) -> Result<Vec<sstore::QuarantineRow>> {
    if !is_agent(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    Ok(sstore::list_quarantine(&mut c).await?)
}

/// Replays a quarantined message (after an agent fixed its cause, e.g.
/// created the sender's account). The entry is marked handled when the
/// replay no longer quarantines it.
pub async fn replay(
    app: &App,
    settings: &MailSettings,
    actor: &Actor,
    id: Id,
) -> Result<IngestOutcome> {
    if !is_agent(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let raw = {
        let mut c = app.db.read().await?;
        sstore::quarantined_raw(&mut c, id).await?
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // The ledger holds this message as quarantined: let it through again.
    let cleaned = crate::mail_gate::clean_raw(&bytes);
    if let Some(mid) = relais_mail::parse(&cleaned, &settings.reply.base())
        .ok()
        .and_then(|m| m.message_id)
    {
        crate::mail_gate::forget_quarantined(app, &crate::mail_gate::clean_text(&mid)).await?;
    }
    let outcome = ingest(app, settings, &bytes).await?;
    let mut tx = app.db.begin().await?;
    let status = match &outcome {
        IngestOutcome::Quarantined { id: newer, .. } => {
            // The replay made a fresh entry; keep one entry per message.
            sstore::delete_quarantine(&mut tx, *newer).await?;
            "en_attente"
        }
        _ => "rejoue",
    };
    sstore::mark_quarantine(&mut tx, id, status, actor.user_id, &app.now_ts()).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The `mail.notify` job handler: builds the message for its template and
/// sends it. Recipients are resolved here, from the data as it is now, and
/// are always people of the ticket's own institution or the agency team.
/// A ticket, incident or complaint that is gone is a `NotFound` error (the
/// job fails with that reason); a mail with nobody to send to is done.
pub async fn send_notification(app: &App, settings: &MailSettings, job: &MailJob) -> Result<()> {
    let mut c = app.db.read().await?;
    let ticket = match job {
        MailJob::TicketNewTeam { ticket_id, .. }
        | MailJob::TicketReply { ticket_id, .. }
        | MailJob::TicketStatus { ticket_id }
        | MailJob::TicketMemberReply { ticket_id }
        | MailJob::SlaAlert { ticket_id, .. } => {
            Some(sstore::get_ticket(&mut c, sstore::TicketScope::All, *ticket_id).await?)
        }
        _ => None,
    };
    let link = |t: &sstore::TicketRow| {
        format!(
            "{}/support/{}",
            settings.base_url.trim_end_matches('/'),
            t.id
        )
    };
    let mut to: Vec<String> = Vec::new();
    // Mails built by their own context: (recipient, subject, text) or
    // nobody to write to.
    let built = |b: Option<(String, String, String)>, to: &mut Vec<String>| {
        b.map(|(email, subject, text)| {
            to.push(email);
            (subject, text, None)
        })
    };
    let (subject, text, reply_to) = match (job, &ticket) {
        (MailJob::TicketNewTeam { to: team, .. }, Some(t)) => {
            to.extend(team.clone());
            (
                format!("[Relais {}] Nouveau ticket : {}", t.reference, t.subject),
                format!(
                    "{} ({}) a ouvert le ticket {} sur {}.\n\n{}",
                    t.requester_name,
                    t.institution_name,
                    t.reference,
                    t.product_name,
                    link(t)
                ),
                None,
            )
        }
        (MailJob::TicketReply { message_id, .. }, Some(t)) => {
            to.extend(t.requester_email.clone());
            let body = match message_id {
                Some(mid) => {
                    let msgs =
                        sstore::list_messages(&mut c, Id::parse_stored(&t.id)?, true).await?;
                    let mid = mid.to_string();
                    // Only a public message is ever mailed to the institution.
                    msgs.into_iter()
                        .find(|m| m.id == mid)
                        .map(|m| m.body)
                        .unwrap_or_default()
                }
                None => String::new(),
            };
            (
                format!("[Relais {}] Réponse à votre ticket : {}", t.reference, t.subject),
                format!("{body}\n\n— Répondez à ce message pour compléter le ticket, ou consultez-le : {}", link(t)),
                Some(settings.reply.for_ticket(&t.reference)),
            )
        }
        (MailJob::TicketStatus { .. }, Some(t)) => {
            to.extend(t.requester_email.clone());
            let label = relais_domain::support::TicketStatus::from_code(&t.status)
                .map(|s| s.label_fr())
                .unwrap_or("");
            (
                format!("[Relais {}] {} : {}", t.reference, label, t.subject),
                format!(
                    "Le ticket {} est maintenant « {label} ».\n\n{}",
                    t.reference,
                    link(t)
                ),
                Some(settings.reply.for_ticket(&t.reference)),
            )
        }
        (
            MailJob::IncidentResolved {
                incident_id,
                institution_id,
            },
            _,
        ) => {
            let i = sstore::get_incident(&mut c, *incident_id).await?;
            to.extend(sstore::incident_recipients(&mut c, *incident_id, institution_id).await?);
            (
                format!("[Relais] Incident résolu : {}", i.title),
                format!(
                    "L'incident « {} » sur {} est résolu.\n\n{}",
                    i.title,
                    i.product_name,
                    i.resolution.unwrap_or_default()
                ),
                None,
            )
        }
        (
            MailJob::SlaAlert {
                to: list,
                kind,
                reason,
                ..
            },
            Some(t),
        ) => {
            to.extend(list.iter().cloned());
            let breach = kind == "breach";
            (
                format!(
                    "[Relais {}] {} : {}",
                    t.reference,
                    if breach {
                        "Engagement de service dépassé"
                    } else {
                        "Échéance proche"
                    },
                    t.subject
                ),
                format!(
                    "{reason}\n\nTicket {} ({}, {}).\n\n{}",
                    t.reference,
                    t.institution_name,
                    t.product_name,
                    link(t)
                ),
                None,
            )
        }
        (MailJob::TicketMemberReply { .. }, Some(t)) => {
            if let Some(team) = t.team_id.as_deref() {
                let team = Id::parse_stored(team)?;
                let teams = sstore::list_teams(&mut c).await?;
                to.extend(
                    teams
                        .into_iter()
                        .find(|x| x.id == team.to_string())
                        .and_then(|x| x.email),
                );
            }
            (
                format!(
                    "[Relais {}] Réponse de l'établissement : {}",
                    t.reference, t.subject
                ),
                link(t),
                None,
            )
        }
        (
            MailJob::MailRefused {
                to: who,
                subject,
                chars,
                limit,
            },
            _,
        ) => {
            to.push(who.clone());
            let (subject, text) = crate::mail_read::refusal_mail(subject, *chars, *limit);
            (subject, text, None)
        }
        (
            MailJob::TicketNewTeam { .. }
            | MailJob::TicketReply { .. }
            | MailJob::TicketStatus { .. }
            | MailJob::TicketMemberReply { .. }
            | MailJob::SlaAlert { .. },
            None,
        ) => return Err(relais_domain::DomainError::NotFound.into()),
        (
            MailJob::Registration {
                registration_id,
                event,
            },
            _,
        ) => {
            drop(c);
            let b = crate::training::registration_mail(
                app,
                *registration_id,
                event,
                &settings.base_url,
            )
            .await?;
            c = app.db.read().await?;
            match built(b, &mut to) {
                Some(m) => m,
                None => return Ok(()),
            }
        }
        (MailJob::Survey { .. } | MailJob::Recall { .. } | MailJob::RelationDigest { .. }, _) => {
            drop(c);
            let b = match job {
                MailJob::Survey {
                    invitation_id,
                    event,
                } => {
                    crate::relation::survey_mail(app, *invitation_id, event, &settings.base_url)
                        .await?
                }
                MailJob::Recall { recall_id } => {
                    crate::relation::recall_mail(app, *recall_id, &settings.base_url).await?
                }
                MailJob::RelationDigest { manager_id } => {
                    crate::relation::digest_mail(app, *manager_id, &settings.base_url).await?
                }
                _ => None,
            };
            c = app.db.read().await?;
            match built(b, &mut to) {
                Some(m) => m,
                None => return Ok(()),
            }
        }
        (MailJob::SteeringReport { month }, _) => {
            drop(c);
            let b = crate::steering::monthly_report_mail(app, month, &settings.base_url).await?;
            c = app.db.read().await?;
            match b {
                Some((who, subject, text)) => {
                    to.extend(who);
                    (subject, text, None)
                }
                None => return Ok(()),
            }
        }
        (MailJob::AccountLink { link_id }, _) => {
            drop(c);
            let b = crate::identity::account_link_mail(app, link_id, &settings.base_url).await?;
            c = app.db.read().await?;
            match built(b, &mut to) {
                Some(m) => m,
                None => return Ok(()),
            }
        }
        (MailJob::ComplaintNew { complaint_id } | MailJob::ComplaintClosed { complaint_id }, _) => {
            drop(c);
            let b = crate::engagement::complaint_mail(
                app,
                *complaint_id,
                job.template(),
                &settings.base_url,
            )
            .await?;
            c = app.db.read().await?;
            match built(b, &mut to) {
                Some(m) => m,
                None => return Ok(()),
            }
        }
    };
    drop(c);
    to.sort();
    to.dedup();
    if to.is_empty() {
        return Ok(());
    }
    let msg = relais_mail::Outgoing {
        to,
        subject,
        text,
        html: None,
        reply_to,
        message_id: relais_mail::make_message_id(settings.reply.domain()),
        in_reply_to: None,
        references: vec![],
    };
    relais_mail::send_signed(&settings.smtp, &msg, settings.auth.signing.as_deref())
        .await
        .map_err(|e| AppError::Internal(format!("smtp: {e}")))?;
    // Sent: a failure to record it must not send it again.
    let ticket_id = ticket.as_ref().and_then(|t| Id::parse(&t.id));
    if let Err(e) =
        crate::mail_read::record_sent(app, &msg.message_id, ticket_id, job.template(), &msg.to)
            .await
    {
        tracing::error!(error = %e, "sent notification not recorded");
    }
    Ok(())
}

/// Tickets scope of an actor, re-exported for the web layer's mail pages.
pub fn scope_of(a: &Actor) -> sstore::TicketScope {
    ticket_scope(a)
}
