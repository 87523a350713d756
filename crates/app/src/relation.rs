//! Member relations: satisfaction surveys (after a closed ticket, after an
//! attended training, yearly campaigns to a segment), their personal
//! one-click links, recall tasks after a dissatisfied answer, and the
//! relation agent (health indicator, flags, weekly digest).
//!
//! A survey link carries a random token made when the mail is built (the
//! job, not the business transaction), so no usable token is ever stored:
//! only its SHA-256. Answering is one transaction whose conditional update
//! on the invitation makes a link work once; a refused link records
//! nothing.

use crate::accounts::hash_token;
use crate::jobs::MailJob;
use crate::training::today;
use crate::{App, AppError, Result};
use chrono::Duration;
use relais_domain::accounts::{Actor, Role};
use relais_domain::relation::{self as rel, Scale};
use relais_domain::{DomainError, Id};
use relais_store::relation as store;
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::relation::{FlagRow, QuestionRow, Segment};
use relais_store::Conn;
use serde::Serialize;
use serde_json::json;

/// Admin settings of the relation agent.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RelationSettings {
    /// A 1–5 score at or below this calls for a recall.
    pub recall_threshold: i64,
    /// A 0–10 recommendation at or below this calls for a recall.
    pub nps_threshold: i64,
    /// Health under this flags the institution.
    pub health_threshold: i64,
}

async fn setting_i64(c: &mut Conn, key: &str, default: i64) -> Result<i64> {
    Ok(relais_store::watchdog::get_setting(c, key)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(default))
}

pub async fn settings_in(c: &mut Conn) -> Result<RelationSettings> {
    Ok(RelationSettings {
        recall_threshold: setting_i64(
            c,
            "relation.recall_threshold",
            rel::DEFAULT_RECALL_THRESHOLD,
        )
        .await?,
        nps_threshold: setting_i64(c, "relation.nps_threshold", rel::DEFAULT_NPS_THRESHOLD).await?,
        health_threshold: setting_i64(
            c,
            "relation.health_threshold",
            rel::DEFAULT_HEALTH_THRESHOLD,
        )
        .await?,
    })
}

pub async fn settings(app: &App) -> Result<RelationSettings> {
    let mut c = app.db.read().await?;
    settings_in(&mut c).await
}

fn may_steer(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Relation)
}

pub async fn set_settings(app: &App, actor: &Actor, s: &RelationSettings) -> Result<()> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let mut errs = Vec::new();
    if !(1..=5).contains(&s.recall_threshold) {
        errs.push(relais_domain::shared::FieldError {
            code: "invalid_threshold",
            field: "recall_threshold",
            detail: "Le seuil de rappel doit être une note de 1 à 5.".into(),
        });
    }
    if !(0..=10).contains(&s.nps_threshold) {
        errs.push(relais_domain::shared::FieldError {
            code: "invalid_threshold",
            field: "nps_threshold",
            detail: "Le seuil de recommandation doit être une note de 0 à 10.".into(),
        });
    }
    if !(1..=100).contains(&s.health_threshold) {
        errs.push(relais_domain::shared::FieldError {
            code: "invalid_threshold",
            field: "health_threshold",
            detail: "Le seuil de santé doit être compris entre 1 et 100.".into(),
        });
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs).into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let before = settings_in(&mut tx).await?;
    for (k, v) in [
        ("relation.recall_threshold", s.recall_threshold),
        ("relation.nps_threshold", s.nps_threshold),
        ("relation.health_threshold", s.health_threshold),
    ] {
        relais_store::watchdog::set_setting(&mut tx, k, &v.to_string(), &now).await?;
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "relation_settings",
        Id::default(),
        "update",
        &json!({"before": before, "after": s}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- invitations

async fn enqueue_mail(tx: &mut Conn, mail: MailJob, now: &str) -> Result<()> {
    crate::jobs::enqueue(tx, &mail, now).await
}

/// Creates an invitation (once per context) and queues its mail.
async fn invite(tx: &mut Conn, n: &store::NewInvitation<'_>, now: &str) -> Result<Option<Id>> {
    let id = Id::new();
    if !store::insert_invitation(tx, id, n, now).await? {
        return Ok(None);
    }
    enqueue_mail(
        tx,
        MailJob::Survey {
            invitation_id: id,
            event: "invitation".into(),
        },
        now,
    )
    .await?;
    Ok(Some(id))
}

fn expiry(app: &App) -> String {
    relais_store::ts(app.clock.now() + Duration::days(rel::SURVEY_DAYS))
}

/// The survey of a ticket just closed (called in the closing transaction).
pub async fn invite_after_ticket(
    tx: &mut Conn,
    app: &App,
    ticket: &str,
    institution: &str,
    requester: Option<&str>,
) -> Result<()> {
    let Some(user) = requester else {
        return Ok(());
    };
    let n = store::NewInvitation {
        kind: "ticket",
        context_key: format!("ticket:{ticket}"),
        institution_id: institution,
        user_id: Some(user),
        ticket_id: Some(ticket),
        expires_at: expiry(app),
        ..Default::default()
    };
    invite(tx, &n, &app.now_ts()).await?;
    Ok(())
}

/// What a sweep did.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct SweepReport {
    pub ticket_surveys: usize,
    pub training_surveys: usize,
    pub reminders: usize,
    pub health_computed: usize,
    pub flags: usize,
    pub digests: usize,
}

/// The relation agent's sweep (every minute in `serve`): surveys after
/// tickets closed in the last week and trainings ended in the last week,
/// one reminder a week after an unanswered invitation, the day's health
/// snapshots (once a day) and the weekly digests.
pub async fn sweep(app: &App) -> Result<SweepReport> {
    let mut r = SweepReport::default();
    let now = app.now_ts();
    let t = app.clock.now();
    let mut tx = app.db.begin().await?;
    let since = relais_store::ts(t - Duration::days(7));
    let exp = expiry(app);
    for (ticket, inst, user) in store::closed_tickets_to_survey(&mut tx, &since).await? {
        let n = store::NewInvitation {
            kind: "ticket",
            context_key: format!("ticket:{ticket}"),
            institution_id: &inst,
            user_id: Some(&user),
            ticket_id: Some(&ticket),
            expires_at: exp.clone(),
            ..Default::default()
        };
        if invite(&mut tx, &n, &now).await?.is_some() {
            r.ticket_surveys += 1;
        }
    }
    let day = today(app);
    let from = relais_store::date(day - Duration::days(7));
    let to = relais_store::date(day);
    for (session, inst, user) in store::attendances_to_survey(&mut tx, &from, &to).await? {
        let n = store::NewInvitation {
            kind: "formation",
            context_key: format!("session:{session}:{user}"),
            institution_id: &inst,
            user_id: Some(&user),
            session_id: Some(&session),
            expires_at: exp.clone(),
            ..Default::default()
        };
        if invite(&mut tx, &n, &now).await?.is_some() {
            r.training_surveys += 1;
        }
    }
    let before = relais_store::ts(t - Duration::days(rel::REMINDER_AFTER_DAYS));
    for id in store::due_reminders(&mut tx, &before, &now).await? {
        if store::mark_reminded(&mut tx, &id, &now).await? {
            enqueue_mail(
                &mut tx,
                MailJob::Survey {
                    invitation_id: Id::parse_stored(&id)?,
                    event: "rappel".into(),
                },
                &now,
            )
            .await?;
            r.reminders += 1;
        }
    }
    tx.commit().await?;
    let today_s = relais_store::date(day);
    let mut c = app.db.read().await?;
    let done = relais_store::watchdog::get_setting(&mut c, "relation.health_day").await?;
    drop(c);
    if done.as_deref() != Some(today_s.as_str()) {
        let mut tx = app.db.begin().await?;
        for (inst, manager) in store::institutions_with_managers(&mut tx).await? {
            if refresh_health(&mut tx, app, &inst, manager.as_deref()).await? {
                r.flags += 1;
            }
            r.health_computed += 1;
        }
        relais_store::watchdog::set_setting(&mut tx, "relation.health_day", &today_s, &now).await?;
        tx.commit().await?;
    }
    r.digests = send_digests(app).await?;
    Ok(r)
}

/// Sends the surveys of a campaign to a segment's contacts.
pub async fn create_campaign(
    app: &App,
    actor: &Actor,
    title: &str,
    kind: &str,
    segment: &store::Segment,
    days: i64,
) -> Result<(Id, usize)> {
    if !may_steer(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let title = title.trim();
    let mut errs = Vec::new();
    if title.is_empty() {
        errs.push(relais_domain::shared::FieldError {
            code: "required",
            field: "title",
            detail: "Donnez un titre à la campagne.".into(),
        });
    }
    if rel::SurveyKind::from_code(kind).is_none() {
        errs.push(relais_domain::shared::FieldError {
            code: "invalid_kind",
            field: "kind",
            detail: "Choisissez un type d'enquête.".into(),
        });
    }
    if !(1..=180).contains(&days) {
        errs.push(relais_domain::shared::FieldError {
            code: "invalid_days",
            field: "days",
            detail: "La durée de validité va de 1 à 180 jours.".into(),
        });
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs).into());
    }
    let now = app.now_ts();
    let id = Id::new();
    let expires = relais_store::ts(app.clock.now() + Duration::days(days));
    let mut tx = app.db.begin().await?;
    let seg = serde_json::to_string(segment).unwrap_or_else(|_| "{}".into());
    store::insert_campaign(
        &mut tx,
        id,
        kind,
        title,
        &seg,
        &expires,
        actor.user_id,
        &now,
    )
    .await?;
    let targets = store::segment_contacts(&mut tx, segment).await?;
    let campaign = id.to_string();
    let mut n = 0;
    for (inst, contact) in &targets {
        let inv = store::NewInvitation {
            kind,
            context_key: format!("campagne:{campaign}:{contact}"),
            institution_id: inst,
            contact_id: Some(contact),
            campaign_id: Some(&campaign),
            expires_at: expires.clone(),
            ..Default::default()
        };
        if invite(&mut tx, &inv, &now).await?.is_some() {
            n += 1;
        }
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "survey_campaign",
        id,
        "create",
        &json!({"title": title, "kind": kind, "segment": segment, "invited": n}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, n))
}

pub async fn campaigns(app: &App, actor: &Actor) -> Result<Vec<store::CampaignRow>> {
    if !actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    Ok(store::campaigns(&mut c).await?)
}

// ---------------------------------------------------------------- questions

pub async fn questions(app: &App, actor: &Actor) -> Result<Vec<store::QuestionRow>> {
    if !actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    Ok(store::questions(&mut c, None, false).await?)
}

pub async fn add_question(
    app: &App,
    actor: &Actor,
    kind: &str,
    label: &str,
    scale: &str,
) -> Result<Id> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let label = label.trim();
    let mut errs = Vec::new();
    if rel::SurveyKind::from_code(kind).is_none() {
        errs.push(relais_domain::shared::FieldError {
            code: "invalid_kind",
            field: "kind",
            detail: "Choisissez un type d'enquête.".into(),
        });
    }
    if Scale::from_code(scale).is_none() {
        errs.push(relais_domain::shared::FieldError {
            code: "invalid_scale",
            field: "scale",
            detail: "Choisissez une échelle.".into(),
        });
    }
    if label.len() < 5 {
        errs.push(relais_domain::shared::FieldError {
            code: "required",
            field: "label",
            detail: "Rédigez la question (5 caractères au moins).".into(),
        });
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs).into());
    }
    let now = app.now_ts();
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    let existing = store::questions(&mut tx, Some(kind), false).await?;
    let code = format!("q{}", existing.len() + 1);
    let position = existing.iter().map(|q| q.position).max().unwrap_or(0) + 1;
    store::insert_question(&mut tx, id, kind, &code, label, scale, position, &now).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "survey_question",
        id,
        "create",
        &json!({"kind": kind, "label": label, "scale": scale}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_question_active(app: &App, actor: &Actor, id: Id, active: bool) -> Result<()> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    if !store::set_question_active(&mut tx, id, active).await? {
        return Err(DomainError::NotFound.into());
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "survey_question",
        id,
        if active { "activate" } else { "deactivate" },
        &json!({}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- the link

/// Why a survey link is refused. Each has its own page text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Refusal {
    /// Unknown or altered token.
    Unknown,
    /// Already answered.
    Used,
    Expired,
    /// Opened in the session of someone other than the invitee.
    OtherPerson,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Unknown => "survey_link_unknown",
            Refusal::Used => "survey_link_used",
            Refusal::Expired => "survey_link_expired",
            Refusal::OtherPerson => "survey_link_other_person",
        }
    }
    pub fn message_fr(self) -> &'static str {
        match self {
            Refusal::Unknown => "Ce lien d'enquête n'est pas valide : il a peut-être été mal copié. Utilisez le lien complet reçu par courriel.",
            Refusal::Used => "Vous avez déjà répondu à cette enquête : ce lien ne fonctionne qu'une fois. Merci pour votre réponse.",
            Refusal::Expired => "Ce lien d'enquête a expiré : le délai de réponse est dépassé.",
            Refusal::OtherPerson => "Ce lien d'enquête est personnel et destiné à une autre personne que celle connectée. Déconnectez-vous ou utilisez votre propre lien.",
        }
    }
    pub fn message_en(self) -> &'static str {
        match self {
            Refusal::Unknown => "This survey link is not valid: it may have been copied wrongly. Use the full link from the e-mail.",
            Refusal::Used => "You have already answered this survey: the link works only once. Thank you.",
            Refusal::Expired => "This survey link has expired.",
            Refusal::OtherPerson => "This survey link is personal and meant for someone other than the signed-in person.",
        }
    }
}

/// An open survey, as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OpenSurvey {
    pub invitation: store::InvitationRow,
    pub questions: Vec<store::QuestionRow>,
}

async fn resolve(
    c: &mut Conn,
    token: &str,
    viewer: Option<&Actor>,
    now: &str,
) -> Result<std::result::Result<store::InvitationRow, Refusal>> {
    if token.len() < 20 || token.len() > 100 {
        return Ok(Err(Refusal::Unknown));
    }
    let Some(id) = store::invitation_of_token(c, &hash_token(token)).await? else {
        return Ok(Err(Refusal::Unknown));
    };
    let inv = store::get_invitation(c, &id).await?;
    if inv.answered_at.is_some() {
        return Ok(Err(Refusal::Used));
    }
    if inv.expires_at.as_str() <= now {
        return Ok(Err(Refusal::Expired));
    }
    if let Some(v) = viewer {
        if !is_invitee(c, &inv, v).await? {
            return Ok(Err(Refusal::OtherPerson));
        }
    }
    Ok(Ok(inv))
}

/// Whether a signed-in person is the invitation's: the same user, or the
/// contact with their address in their institution.
async fn is_invitee(c: &mut Conn, inv: &store::InvitationRow, v: &Actor) -> Result<bool> {
    if inv.user_id.as_deref() == Some(v.user_id.to_string().as_str()) {
        return Ok(true);
    }
    let Some(contact) = inv.contact_id.as_deref() else {
        return Ok(false);
    };
    Ok(store::contact_is_user(c, contact, &v.user_id.to_string()).await?)
}

/// Opens a survey link: the survey to answer, or why it is refused.
pub async fn open_link(
    app: &App,
    token: &str,
    viewer: Option<&Actor>,
) -> Result<std::result::Result<OpenSurvey, Refusal>> {
    let now = app.now_ts();
    let mut c = app.db.read().await?;
    Ok(match resolve(&mut c, token, viewer, &now).await? {
        Ok(invitation) => {
            let questions = store::questions(&mut c, Some(&invitation.kind), true).await?;
            Ok(OpenSurvey {
                invitation,
                questions,
            })
        }
        Err(r) => Err(r),
    })
}

/// What answering did.
#[derive(Debug, Clone, Serialize)]
pub struct Answered {
    pub answer_id: Id,
    pub recall_id: Option<Id>,
}

/// Records the answers given through a link (`code → value`, plus
/// `commentaire`). Validation errors are `Invalid`; a refused link records
/// nothing.
pub async fn answer(
    app: &App,
    token: &str,
    viewer: Option<&Actor>,
    values: &[(String, String)],
) -> Result<std::result::Result<Answered, Refusal>> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let inv = match resolve(&mut tx, token, viewer, &now).await? {
        Ok(i) => i,
        Err(r) => return Ok(Err(r)),
    };
    let qs = store::questions(&mut tx, Some(&inv.kind), true).await?;
    let get = |k: &str| {
        values
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut scores = Vec::new();
    let mut nps = None;
    let mut texts = Vec::new();
    let mut answers = serde_json::Map::new();
    let mut errs = Vec::new();
    for q in &qs {
        let scale = Scale::from_code(&q.scale).unwrap_or(Scale::Text);
        let raw = get(&q.code);
        if scale == Scale::Text {
            let t = raw.trim();
            if !t.is_empty() {
                texts.push(t.chars().take(4000).collect::<String>());
                answers.insert(q.code.clone(), json!(t));
            }
            continue;
        }
        match rel::parse_answer(scale, raw) {
            Ok(Some(n)) => {
                answers.insert(q.code.clone(), json!(n));
                if scale == Scale::ZeroToTen {
                    nps = Some(n);
                } else {
                    scores.push(n);
                }
            }
            // The one question of a ticket or training survey is required;
            // in the yearly survey each may be left out, not all.
            Ok(None) if qs.len() > 1 => {}
            _ => {
                errs.push(match rel::score_error("", scale) {
                    DomainError::Invalid(mut v) => {
                        let mut f = v.remove(0);
                        f.field = field_name(&q.code);
                        f
                    }
                    _ => unreachable!(),
                });
            }
        }
    }
    if errs.is_empty() && scores.is_empty() && nps.is_none() {
        errs.push(relais_domain::shared::FieldError {
            code: "invalid_score",
            field: "satisfaction",
            detail: "Donnez au moins une note.".into(),
        });
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs).into());
    }
    let comment = get("commentaire").trim();
    if !comment.is_empty() {
        texts.push(comment.chars().take(4000).collect());
    }
    if !store::mark_answered(&mut tx, &inv.id, &now).await? {
        return Ok(Err(Refusal::Used));
    }
    let answer_id = Id::new();
    store::insert_answer(
        &mut tx,
        answer_id,
        &store::NewAnswer {
            invitation: &inv,
            score: rel::satisfaction_of(&scores),
            nps,
            comment: (!texts.is_empty()).then(|| texts.join("\n\n")),
            answers: serde_json::Value::Object(answers).to_string(),
        },
        &now,
    )
    .await?;
    let s = settings_in(&mut tx).await?;
    let mut recall_id = None;
    let manager = store::institution_manager(&mut tx, &inv.institution_id).await?;
    if rel::needs_recall(
        scores.iter().copied().min(),
        nps,
        s.recall_threshold,
        s.nps_threshold,
    ) {
        let id = Id::new();
        let due = relais_store::date(today(app) + Duration::days(rel::RECALL_DAYS));
        store::insert_recall(
            &mut tx,
            id,
            &inv.institution_id,
            answer_id,
            manager.as_deref(),
            &due,
            &now,
        )
        .await?;
        relais_store::audit::record(
            &mut tx,
            None,
            "recall",
            id,
            "create",
            &json!({"answer_id": answer_id.to_string(), "due_on": due}),
            &now,
        )
        .await?;
        if manager.is_some() {
            enqueue_mail(&mut tx, MailJob::Recall { recall_id: id }, &now).await?;
        }
        recall_id = Some(id);
    }
    refresh_health(&mut tx, app, &inv.institution_id, manager.as_deref()).await?;
    tx.commit().await?;
    Ok(Ok(Answered {
        answer_id,
        recall_id,
    }))
}

/// The form field of a question code (stable for the page and the errors).
pub fn field_name(code: &str) -> &'static str {
    // FieldError wants a static name: the known codes map to themselves,
    // admin-added questions (`q7`…) to a generic one.
    match code {
        "satisfaction" => "satisfaction",
        "support" => "support",
        "formation" => "formation",
        "produits" => "produits",
        "communication" => "communication",
        "recommandation" => "recommandation",
        _ => "question",
    }
}

/// The mail of an invitation (`event`: `invitation` or `rappel`): a fresh
/// token is made and its hash stored here, when the mail is built.
pub async fn survey_mail(
    app: &App,
    invitation: Id,
    event: &str,
    base_url: &str,
) -> Result<Option<(String, String, String)>> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let inv = match store::get_invitation(&mut tx, &invitation.to_string()).await {
        Ok(i) => i,
        Err(relais_store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if inv.answered_at.is_some() || inv.expires_at <= now {
        return Ok(None);
    }
    let to = match (&inv.user_id, &inv.contact_id) {
        (Some(u), _) => store::user_email(&mut tx, u, true).await?,
        (None, Some(ct)) => store::contact_email(&mut tx, ct).await?,
        _ => None,
    };
    let Some(to) = to.filter(|e| e.contains('@')) else {
        return Ok(None);
    };
    let token = crate::accounts::random_token();
    store::insert_token(&mut tx, &hash_token(&token), &inv.id, &now).await?;
    tx.commit().await?;
    let link = format!("{}/enquete/{token}", base_url.trim_end_matches('/'));
    let context = match inv.kind.as_str() {
        "ticket" => format!(
            "Votre ticket {} « {} » a été clos.",
            inv.ticket_ref.clone().unwrap_or_default(),
            inv.ticket_subject.clone().unwrap_or_default()
        ),
        "formation" => format!(
            "Vous avez suivi la formation « {} ».",
            inv.training_title.clone().unwrap_or_default()
        ),
        _ => format!(
            "L'agence interroge chaque année ses adhérents ({}) : {}.",
            inv.institution_name,
            inv.campaign_title.clone().unwrap_or_default()
        ),
    };
    let mut text = format!("Bonjour,\n\n{context}\n\n");
    if inv.kind == "annuelle" {
        text.push_str(&format!(
            "Donnez-nous votre avis en quelques minutes :\n{link}\n"
        ));
    } else {
        text.push_str("Êtes-vous satisfait·e ? Un clic suffit pour choisir votre note :\n");
        for (n, label) in [
            (5, "très satisfait·e"),
            (4, "satisfait·e"),
            (3, "moyennement"),
            (2, "peu satisfait·e"),
            (1, "pas du tout satisfait·e"),
        ] {
            text.push_str(&format!("  {n} — {label} : {link}?note={n}\n"));
        }
    }
    text.push_str(&format!(
        "\nCe lien est personnel, ne fonctionne qu'une fois et expire le {}.\n",
        crate::training::fr_date(&inv.expires_at[..10])
    ));
    let subject = match (event, inv.kind.as_str()) {
        ("rappel", _) => "Rappel : votre avis nous intéresse".to_string(),
        (_, "ticket") => format!(
            "Votre avis sur le ticket {}",
            inv.ticket_ref.clone().unwrap_or_default()
        ),
        (_, "formation") => "Votre avis sur la formation suivie".to_string(),
        _ => inv
            .campaign_title
            .clone()
            .unwrap_or_else(|| "Enquête de satisfaction".into()),
    };
    Ok(Some((to, format!("[Relais] {subject}"), text)))
}

/// Pending surveys of a signed-in person (member space).
pub async fn pending_for(app: &App, actor: &Actor) -> Result<Vec<store::InvitationRow>> {
    let Some(inst) = actor.institution_id else {
        return Ok(vec![]);
    };
    let mut c = app.db.read().await?;
    let email = store::user_email(&mut c, &actor.user_id.to_string(), false)
        .await?
        .unwrap_or_default();
    Ok(store::pending_for(
        &mut c,
        &actor.user_id.to_string(),
        &inst.to_string(),
        &email,
        &app.now_ts(),
    )
    .await?)
}

/// Answers of an institution, for whoever may read it.
pub async fn institution_answers(
    app: &App,
    actor: &Actor,
    institution: Id,
) -> Result<Vec<store::AnswerRow>> {
    let mut c = app.db.read().await?;
    relais_store::crm::get_institution(&mut c, actor.scope(), institution).await?;
    Ok(store::institution_answers(&mut c, &institution.to_string(), 200).await?)
}

// ---------------------------------------------------------------- recalls

fn may_recall(actor: &Actor) -> bool {
    actor.role.is_agency()
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct RecallStats {
    pub open: usize,
    pub overdue: usize,
    pub closed_12m: usize,
    /// Median days from creation to closing, over the last 12 months.
    pub median_days: Option<i64>,
    /// Share closed by their due date, in percent.
    pub on_time_share: Option<i64>,
}

pub async fn recalls(
    app: &App,
    actor: &Actor,
    mine: bool,
    status: Option<&str>,
) -> Result<(Vec<store::RecallRow>, RecallStats)> {
    if !may_recall(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    let me = actor.user_id.to_string();
    let rows = store::recalls(&mut c, status, mine.then_some(me.as_str()), None, 500).await?;
    let open = store::recalls(&mut c, Some("ouvert"), None, None, 100_000).await?;
    let today_s = relais_store::date(today(app));
    let spans = store::closed_recall_spans(
        &mut c,
        &relais_store::ts(app.clock.now() - Duration::days(365)),
    )
    .await?;
    let mut days: Vec<i64> = spans
        .iter()
        .filter_map(|(a, _, b)| {
            let a = relais_store::parse_ts(a)?;
            let b = relais_store::parse_ts(b)?;
            Some((b - a).num_days())
        })
        .collect();
    days.sort();
    let on_time = spans
        .iter()
        .filter(|(_, due, b)| b[..10] <= due[..])
        .count();
    let stats = RecallStats {
        open: open.len(),
        overdue: open.iter().filter(|r| r.due_on < today_s).count(),
        closed_12m: spans.len(),
        median_days: (!days.is_empty()).then(|| days[days.len() / 2]),
        on_time_share: crate::sla_admin::share(on_time as i64, spans.len() as i64),
    };
    Ok((rows, stats))
}

/// A recall with its answer and the answer's context.
#[derive(Debug, Clone, Serialize)]
pub struct RecallView {
    pub recall: store::RecallRow,
    pub answer: store::AnswerRow,
}

pub async fn recall(app: &App, actor: &Actor, id: Id) -> Result<RecallView> {
    if !may_recall(actor) {
        return Err(DomainError::NotFound.into());
    }
    let mut c = app.db.read().await?;
    let recall = store::get_recall(&mut c, &id.to_string()).await?;
    let answer = store::get_answer(&mut c, &recall.answer_id).await?;
    Ok(RecallView { recall, answer })
}

/// Records a call made for a recall: an interaction on the institution's
/// timeline, counted on the recall (which stays open).
pub async fn record_call(app: &App, actor: &Actor, id: Id, note: &str) -> Result<()> {
    if !may_recall(actor) {
        return Err(DomainError::NotFound.into());
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(DomainError::invalid("required", "note", "Décrivez l'appel.").into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let r = store::get_recall(&mut tx, &id.to_string()).await?;
    if !store::count_call(&mut tx, &r.id).await? {
        return Err(DomainError::Conflict("Ce rappel est déjà clos.".into()).into());
    }
    let inst = Id::parse_stored(&r.institution_id)?;
    relais_store::crm::insert_interaction(
        &mut tx,
        Id::new(),
        &relais_store::crm::InteractionValues {
            institution_id: inst,
            kind: "appel".into(),
            occurred_on: relais_store::date(today(app)),
            subject: "Rappel après une enquête de satisfaction".into(),
            summary: Some(note.chars().take(4000).collect()),
            contact_id: None,
            author_id: Some(actor.user_id.to_string()),
        },
        &now,
    )
    .await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "recall",
        id,
        "call",
        &json!({"note": note}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn close_recall(app: &App, actor: &Actor, id: Id, outcome: &str) -> Result<()> {
    if !may_recall(actor) {
        return Err(DomainError::NotFound.into());
    }
    let outcome = outcome.trim();
    if outcome.is_empty() {
        return Err(
            DomainError::invalid("required", "outcome", "Indiquez le résultat du rappel.").into(),
        );
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let r = store::get_recall(&mut tx, &id.to_string()).await?;
    if !store::close_recall(&mut tx, &r.id, outcome, &actor.user_id.to_string(), &now).await? {
        return Err(DomainError::Conflict("Ce rappel est déjà clos.".into()).into());
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "recall",
        id,
        "close",
        &json!({"outcome": outcome}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The mail to the key-account manager about a new recall.
pub async fn recall_mail(
    app: &App,
    id: Id,
    base_url: &str,
) -> Result<Option<(String, String, String)>> {
    let mut c = app.db.read().await?;
    let r = match store::get_recall(&mut c, &id.to_string()).await {
        Ok(r) => r,
        Err(relais_store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(m) = r.manager_id.clone() else {
        return Ok(None);
    };
    let Some(to) = store::user_email(&mut c, &m, true).await? else {
        return Ok(None);
    };
    let score = match (r.score, r.nps) {
        (Some(s), _) => format!("{s}/5"),
        (None, Some(n)) => format!("{n}/10"),
        _ => "—".into(),
    };
    Ok(Some((
        to,
        format!("[Relais] Rappel à faire : {} ({score})", r.institution_name),
        format!(
            "Une réponse d'enquête de {} appelle un rappel (note {score}), à faire avant le {}.\n\n{}\n\n{}/relation/rappels/{}",
            r.institution_name,
            crate::training::fr_date(&r.due_on),
            r.comment.clone().unwrap_or_default(),
            base_url.trim_end_matches('/'),
            r.id
        ),
    )))
}

// ---------------------------------------------------------------- health

/// Computes an institution's health now.
pub async fn compute_health(c: &mut Conn, app: &App, institution: &str) -> Result<rel::Health> {
    let t = app.clock.now();
    let inputs = store::health_inputs(
        c,
        institution,
        &relais_store::ts(t),
        &relais_store::ts(t - Duration::days(365)),
        &relais_store::ts(t - Duration::days(90)),
    )
    .await?;
    Ok(rel::health(&inputs))
}

/// Computes and stores today's snapshot; flags the institution to its
/// manager when it crosses the threshold or drops. True when flagged.
pub async fn refresh_health(
    tx: &mut Conn,
    app: &App,
    institution: &str,
    manager: Option<&str>,
) -> Result<bool> {
    let now = app.now_ts();
    let day = relais_store::date(today(app));
    let h = compute_health(tx, app, institution).await?;
    let previous = match store::snapshot_on(tx, institution, &day).await? {
        Some(s) => Some(s),
        None => store::snapshot_before(tx, institution, &day).await?,
    };
    let prev_health: Option<rel::Health> = previous.as_ref().and_then(|p| {
        serde_json::from_str::<Vec<rel::Factor>>(&p.factors)
            .ok()
            .map(|factors| rel::Health {
                score: p.score,
                factors,
            })
    });
    store::upsert_snapshot(
        tx,
        institution,
        &day,
        h.score,
        &serde_json::to_string(&h.factors).unwrap_or_else(|_| "[]".into()),
    )
    .await?;
    let threshold = settings_in(tx).await?.health_threshold;
    let prev_score = previous.as_ref().map(|p| p.score);
    let since = relais_store::date(today(app) - Duration::days(rel::HEALTH_REFLAG_DAYS));
    let flagged_recently = !store::flags(tx, &since, None, Some(institution))
        .await?
        .is_empty();
    if rel::flags(prev_score, h.score, threshold)
        || rel::still_at_risk(h.score, threshold, flagged_recently)
    {
        let reasons = rel::reasons(prev_health.as_ref(), &h);
        return Ok(store::insert_flag(
            tx,
            Id::new(),
            institution,
            manager,
            &day,
            h.score,
            prev_score,
            &serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into()),
            &now,
        )
        .await?);
    }
    Ok(false)
}

/// The health page: now, its factors, the last snapshot before today,
/// the history and the flags.
#[derive(Debug, Clone, Serialize)]
pub struct HealthView {
    pub health: rel::Health,
    pub previous: Option<(String, i64)>,
    pub history: Vec<(String, i64)>,
    pub flags: Vec<store::FlagRow>,
    pub threshold: i64,
}

pub async fn health_view(app: &App, actor: &Actor, institution: Id) -> Result<HealthView> {
    let mut c = app.db.read().await?;
    relais_store::crm::get_institution(&mut c, actor.scope(), institution).await?;
    let inst = institution.to_string();
    let health = compute_health(&mut c, app, &inst).await?;
    let day = relais_store::date(today(app));
    let history = store::health_history(
        &mut c,
        &inst,
        &relais_store::date(today(app) - Duration::days(730)),
    )
    .await?;
    // "Previous": the newest snapshot with another score, or else the
    // last one before today, so a drop stays visible the day it happened.
    let previous = history
        .iter()
        .rev()
        .find(|(d, s)| *s != health.score || *d < day)
        .cloned();
    let flags = store::flags(
        &mut c,
        &relais_store::date(today(app) - Duration::days(365)),
        None,
        Some(&inst),
    )
    .await?;
    let threshold = settings_in(&mut c).await?.health_threshold;
    Ok(HealthView {
        health,
        previous,
        history,
        flags,
        threshold,
    })
}

/// Flags of the last `days` days (a manager's, or all for admins).
pub async fn flags(app: &App, actor: &Actor, mine: bool, days: i64) -> Result<Vec<store::FlagRow>> {
    if !actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    let me = actor.user_id.to_string();
    Ok(store::flags(
        &mut c,
        &relais_store::date(today(app) - Duration::days(days)),
        mine.then_some(me.as_str()),
        None,
    )
    .await?)
}

/// Weekly digests: one mail per manager with something to report, at
/// most every seven days.
pub async fn send_digests(app: &App) -> Result<usize> {
    let now = app.now_ts();
    let day = today(app);
    let mut tx = app.db.begin().await?;
    let mut n = 0;
    for (manager, _, _) in store::managers(&mut tx).await? {
        let key = format!("relation.digest.{manager}");
        let last = relais_store::watchdog::get_setting(&mut tx, &key).await?;
        let due = match last
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        {
            Some(d) => day - d >= Duration::days(7),
            None => true,
        };
        if !due {
            continue;
        }
        let open = store::recalls(&mut tx, Some("ouvert"), Some(&manager), None, 1).await?;
        let flags = store::flags(
            &mut tx,
            &relais_store::date(day - Duration::days(7)),
            Some(&manager),
            None,
        )
        .await?;
        if open.is_empty() && flags.is_empty() {
            continue;
        }
        relais_store::watchdog::set_setting(&mut tx, &key, &relais_store::date(day), &now).await?;
        enqueue_mail(
            &mut tx,
            MailJob::RelationDigest {
                manager_id: Id::parse_stored(&manager)?,
            },
            &now,
        )
        .await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

/// The weekly digest of one manager.
pub async fn digest_mail(
    app: &App,
    manager: Id,
    base_url: &str,
) -> Result<Option<(String, String, String)>> {
    let mut c = app.db.read().await?;
    let Some(to) = store::user_email(&mut c, &manager.to_string(), true).await? else {
        return Ok(None);
    };
    let m = manager.to_string();
    let base = base_url.trim_end_matches('/');
    let open = store::recalls(&mut c, Some("ouvert"), Some(&m), None, 200).await?;
    let flags = store::flags(
        &mut c,
        &relais_store::date(today(app) - Duration::days(7)),
        Some(&m),
        None,
    )
    .await?;
    let mut text = String::from("Bonjour,\n\nVoici la semaine de vos établissements.\n\n");
    text.push_str(&format!("Rappels à faire : {}\n", open.len()));
    for r in &open {
        text.push_str(&format!(
            "  - {} — avant le {} — {base}/relation/rappels/{}\n",
            r.institution_name,
            crate::training::fr_date(&r.due_on),
            r.id
        ));
    }
    text.push_str(&format!("\nÉtablissements signalés : {}\n", flags.len()));
    for f in &flags {
        let reasons: Vec<String> = serde_json::from_str(&f.reasons).unwrap_or_default();
        text.push_str(&format!(
            "  - {} : santé {}{} — {}\n    {base}/etablissements/{}/sante\n",
            f.institution_name,
            f.score,
            f.previous
                .map(|p| format!(" (avant {p})"))
                .unwrap_or_default(),
            reasons.join(" ; "),
            f.institution_id
        ));
    }
    Ok(Some((
        to,
        format!(
            "[Relais] Votre semaine : {} rappel(s), {} signalement(s)",
            open.len(),
            flags.len()
        ),
        text,
    )))
}

/// Internal helper for tests and the demo: the raw token of a fresh link
/// for an invitation (as the mail would carry).
pub async fn issue_link_token(app: &App, invitation: Id) -> Result<String> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    store::get_invitation(&mut tx, &invitation.to_string()).await?;
    let token = crate::accounts::random_token();
    store::insert_token(&mut tx, &hash_token(&token), &invitation.to_string(), &now).await?;
    tx.commit().await?;
    Ok(token)
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Domain(DomainError::Conflict(r.message_fr().into()))
    }
}

// ---------------------------------------------------------------- 360° and member space

/// Monthly figures of an institution over the last `months` months:
/// satisfaction `(month, sum, count)` and tickets `(month, filed,
/// measured, met)`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Monthly {
    pub satisfaction: Vec<(String, i64, i64)>,
    pub tickets: Vec<(String, i64, i64, i64)>,
}

pub async fn monthly(app: &App, actor: &Actor, institution: Id, months: i64) -> Result<Monthly> {
    let mut c = app.db.read().await?;
    relais_store::crm::get_institution(&mut c, actor.scope(), institution).await?;
    let since = relais_store::ts(app.clock.now() - Duration::days(31 * months));
    let inst = institution.to_string();
    Ok(Monthly {
        satisfaction: store::monthly_satisfaction(&mut c, &inst, &since).await?,
        tickets: store::monthly_tickets(&mut c, &inst, &since, &app.now_ts()).await?,
    })
}

/// Incidents touching an institution's products (open or last 90 days).
pub async fn institution_incidents(
    app: &App,
    actor: &Actor,
    institution: Id,
) -> Result<Vec<store::IncidentLine>> {
    let mut c = app.db.read().await?;
    relais_store::crm::get_institution(&mut c, actor.scope(), institution).await?;
    Ok(store::institution_incidents(
        &mut c,
        &institution.to_string(),
        &relais_store::ts(app.clock.now() - Duration::days(90)),
    )
    .await?)
}

/// Recalls of one institution (agency only).
pub async fn institution_recalls(
    app: &App,
    actor: &Actor,
    institution: Id,
) -> Result<Vec<store::RecallRow>> {
    if !may_recall(actor) {
        return Ok(vec![]);
    }
    let mut c = app.db.read().await?;
    Ok(store::recalls(&mut c, None, None, Some(&institution.to_string()), 50).await?)
}

/// A member opens one of their pending surveys from their space: a fresh
/// link is made for them (only theirs, only while open).
pub async fn link_for_me(app: &App, actor: &Actor, invitation: Id) -> Result<String> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let inv = store::get_invitation(&mut tx, &invitation.to_string()).await?;
    if !is_invitee(&mut tx, &inv, actor).await? {
        return Err(DomainError::NotFound.into());
    }
    if inv.answered_at.is_some() || inv.expires_at <= now {
        return Err(DomainError::Conflict("Cette enquête n'attend plus de réponse.".into()).into());
    }
    let token = crate::accounts::random_token();
    store::insert_token(&mut tx, &hash_token(&token), &inv.id, &now).await?;
    tx.commit().await?;
    Ok(token)
}

/// A member sets their own domains of interest (on their contact record).
pub async fn set_my_interests(app: &App, actor: &Actor, domains: &[String]) -> Result<()> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let Some(contact) =
        relais_store::privacy::contact_of_user(&mut tx, &actor.user_id.to_string()).await?
    else {
        return Err(DomainError::Conflict(
            "Aucune fiche contact ne porte votre adresse : demandez à votre référent·e de la créer."
                .into(),
        )
        .into());
    };
    let known: Vec<String> = relais_store::crm::list_domains(&mut tx)
        .await?
        .into_iter()
        .map(|d| d.code)
        .collect();
    let mut keep: Vec<String> = domains
        .iter()
        .filter(|d| known.contains(d))
        .cloned()
        .collect();
    keep.sort();
    keep.dedup();
    let json = serde_json::to_string(&keep).unwrap_or_else(|_| "[]".into());
    store::set_contact_domains(&mut tx, &contact, &json, &now).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "contact",
        Id::parse_stored(&contact)?,
        "interests",
        &json!({"domains": keep}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
