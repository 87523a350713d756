//! Member relations (issue 6): complaints (réclamations), campaigns of
//! qualified contacts, the Comité de la relation établissements.
//!
//! Who may do what:
//! - a member or referent files a complaint for their own institution (page
//!   or API; the institution sent is ignored) and reads only their own
//!   institution's complaints: the description, the qualification, the
//!   corrective actions' titles and statuses, and the answer once closed;
//!   never the internal notes, never an action's details or owner; another
//!   institution's complaint is "not found";
//! - agency staff ([`may_treat_complaints`]) register complaints for any
//!   institution, qualify them, write internal notes and corrective
//!   actions, close them with an answer; the irritants' analysis is theirs;
//! - campaigns and the comité are agency-only: every agency role reads,
//!   administrators and key-account managers ([`may_manage_engagement`])
//!   write; members get "forbidden".
//!
//! Every change writes an audit row in its transaction.

use crate::{App, Result};
use chrono::{DateTime, Duration, Utc};
use relais_domain::accounts::{Actor, Scope};
use relais_domain::engagement::{
    may_manage_engagement, may_treat_complaints, median, ActionStatus, ComiteRole,
    ComplaintChannel, ComplaintSeverity, ComplaintStatus, ContactOutcome, Touchpoint,
};
use relais_domain::shared::{optional_text, parse_date, required_text, Violations};
use relais_domain::{DomainError, Id};
use relais_store::engagement as store;
use relais_store::engagement::{
    ActionValues, CampaignValues, ComiteMemberRow, ComplaintRow, ComplaintValues,
    ContactCampaignRow, ContactRecordRow, ContactRecordValues, CorrectiveActionRow, MeetingValues,
    NoteRow, Qualification, RefTable, TargetRow,
};
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::engagement::{ComplaintFilter, MeetingRow, TargetFilter};
use relais_store::{Conn, StoreError};
use serde_json::json;

const TITLE_MAX: usize = 200;
const TEXT_MAX: usize = 20_000;

fn require(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

async fn audit(
    tx: &mut Conn,
    app: &App,
    actor: &Actor,
    entity: &str,
    id: Id,
    action: &str,
    changes: serde_json::Value,
) -> Result<()> {
    relais_store::audit::record(
        tx,
        Some(actor.user_id),
        entity,
        id,
        action,
        &changes,
        &app.now_ts(),
    )
    .await?;
    Ok(())
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn date_of(v: &mut Violations, field: &'static str, raw: &Option<String>) -> Option<String> {
    parse_date(v, field, raw.as_deref()).map(relais_store::date)
}

/// A code of a closed list, or a French error on the field.
fn code<E: Copy>(
    v: &mut Violations,
    field: &'static str,
    raw: &str,
    parse: fn(&str) -> Option<E>,
    code: fn(E) -> &'static str,
    msg: &str,
) -> String {
    match parse(raw.trim()) {
        Some(e) => code(e).to_string(),
        None => {
            v.push("invalid_choice", field, msg);
            String::new()
        }
    }
}

/// An id that must name a row: checked by `exists` (an unknown one is a
/// field error, not a 404: it came from a form).
async fn known(
    c: &mut Conn,
    v: &mut Violations,
    field: &'static str,
    raw: &Option<String>,
    table: RefTable,
    msg: &str,
) -> Result<Option<String>> {
    let Some(raw) = blank(raw) else {
        return Ok(None);
    };
    let ok = match Id::parse(&raw) {
        Some(id) => store::exists(c, table, id).await?,
        None => false,
    };
    if ok {
        Ok(Some(raw))
    } else {
        v.push("unknown_reference", field, msg);
        Ok(None)
    }
}

/// An agency account (owner, manager).
async fn agency_user(
    c: &mut Conn,
    v: &mut Violations,
    field: &'static str,
    raw: &Option<String>,
) -> Result<Option<String>> {
    let Some(raw) = blank(raw) else {
        return Ok(None);
    };
    let ok = store::agency_user_options(c)
        .await?
        .iter()
        .any(|(id, _)| *id == raw);
    if ok {
        Ok(Some(raw))
    } else {
        v.push("unknown_user", field, "Choisissez une personne de l'Amue.");
        Ok(None)
    }
}

// ---------------------------------------------------------------- complaints

/// What a form or the API sends to file a complaint.
#[derive(Debug, Clone, Default)]
pub struct ComplaintInput {
    /// The institution (agency staff); a member's own is always used.
    pub institution_id: Option<String>,
    /// The member contact concerned (agency staff; optional).
    pub contact_id: Option<String>,
    pub touchpoint: String,
    pub severity: String,
    pub title: String,
    pub description: String,
    pub product_id: Option<String>,
    /// How it reached the agency (agency staff): `agent`, `mail`,
    /// `telephone`. Members file through `page` or `api`.
    pub channel: Option<String>,
    /// Agency staff: the ticket (perhaps opened by an inbound mail) this
    /// complaint comes from; its institution is the complaint's.
    pub ticket_id: Option<String>,
}

/// Files a complaint. A member files for their own institution only; the
/// agency for any. Returns the new complaint's id.
pub async fn file_complaint(
    app: &App,
    actor: &Actor,
    input: ComplaintInput,
    door: ComplaintChannel,
) -> Result<Id> {
    let agency = actor.role.is_agency();
    if agency {
        require(may_treat_complaints(actor))?;
    }
    let mut tx = app.db.begin().await?;
    let mut v = Violations::default();
    // A ticket converted into a complaint gives its institution.
    let mut ticket_id = None;
    let mut ticket_institution = None;
    if agency {
        if let Some(raw) = blank(&input.ticket_id) {
            let found = match Id::parse(&raw) {
                Some(t) => match relais_store::support::get_ticket(
                    &mut tx,
                    relais_store::support::TicketScope::All,
                    t,
                )
                .await
                {
                    Ok(t) => Some(t),
                    Err(StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                },
                None => None,
            };
            match found {
                Some(t) => {
                    ticket_id = Some(t.id);
                    ticket_institution = Some(t.institution_id);
                }
                None => v.push("unknown_ticket", "ticket_id", "Ticket inconnu."),
            }
        }
    }
    let institution_input = match (&ticket_institution, blank(&input.institution_id)) {
        (Some(t), None) => Some(t.clone()),
        _ => input.institution_id.clone(),
    };
    let institution = if agency {
        let i = known(
            &mut tx,
            &mut v,
            "institution_id",
            &institution_input,
            RefTable::Institutions,
            "Choisissez l'établissement concerné.",
        )
        .await?;
        if let (Some(i), Some(t)) = (&i, &ticket_institution) {
            if i != t {
                v.push(
                    "ticket_institution",
                    "institution_id",
                    "Le ticket d'origine appartient à un autre établissement.",
                );
            }
        }
        if i.is_none() && blank(&institution_input).is_none() {
            v.push(
                "required",
                "institution_id",
                "Choisissez l'établissement concerné.",
            );
        }
        i
    } else {
        match actor.scope() {
            Scope::Institution(i) => Some(i.to_string()),
            _ => return Err(DomainError::Forbidden.into()),
        }
    };
    let title = required_text(&mut v, "title", &input.title, TITLE_MAX);
    let description = required_text(&mut v, "description", &input.description, TEXT_MAX);
    let touchpoint = code(
        &mut v,
        "touchpoint",
        &input.touchpoint,
        Touchpoint::from_code,
        Touchpoint::code,
        "Choisissez l'étape du parcours concernée.",
    );
    let severity = code(
        &mut v,
        "severity",
        &input.severity,
        ComplaintSeverity::from_code,
        ComplaintSeverity::code,
        "Choisissez la gravité.",
    );
    let product_id = known(
        &mut tx,
        &mut v,
        "product_id",
        &input.product_id,
        RefTable::Products,
        "Produit inconnu.",
    )
    .await?;
    let mut contact_id = None;
    if agency {
        if let (Some(ct), Some(inst)) = (blank(&input.contact_id), institution.as_ref()) {
            if store::contact_in(&mut tx, &ct, inst).await? {
                contact_id = Some(ct);
            } else {
                v.push(
                    "unknown_contact",
                    "contact_id",
                    "Ce contact n'appartient pas à l'établissement choisi.",
                );
            }
        }
    }
    let channel = if agency {
        match blank(&input.channel)
            .as_deref()
            .map(ComplaintChannel::from_code)
        {
            None => ComplaintChannel::Agent,
            Some(Some(c)) => c,
            Some(None) => {
                v.push("invalid_choice", "channel", "Canal inconnu.");
                ComplaintChannel::Agent
            }
        }
    } else {
        door
    };
    v.into_result()?;
    let values = ComplaintValues {
        institution_id: institution.unwrap_or_default(),
        contact_id,
        filed_by: Some(actor.user_id.to_string()),
        channel: channel.code().into(),
        touchpoint,
        severity,
        title: title.unwrap_or_default(),
        description: description.unwrap_or_default(),
        product_id,
        ticket_id,
        team_id: None,
        owner_id: None,
        due_on: None,
        status: ComplaintStatus::Nouvelle.code().into(),
    };
    let id = Id::new();
    store::insert_complaint(&mut tx, id, &values, &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "complaint",
        id,
        "create",
        json!({"title": [null, values.title], "touchpoint": [null, values.touchpoint],
               "severity": [null, values.severity], "channel": [null, values.channel],
               "institution_id": [null, values.institution_id], "ticket_id": [null, values.ticket_id]}),
    )
    .await?;
    // A member's complaint is announced to their key-account manager.
    if !agency {
        let now = app.now_ts();
        crate::jobs::enqueue(
            &mut tx,
            &crate::jobs::MailJob::ComplaintNew { complaint_id: id },
            &now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn list_complaints(
    app: &App,
    actor: &Actor,
    f: &ComplaintFilter,
) -> Result<(Vec<ComplaintRow>, i64)> {
    let mut c = app.db.read().await?;
    Ok(store::list_complaints(&mut c, actor.scope(), f).await?)
}

/// A complaint as one reader may see it.
#[derive(Debug, Clone)]
pub struct ComplaintView {
    pub complaint: ComplaintRow,
    /// Internal notes: agency staff only (empty for members).
    pub notes: Vec<NoteRow>,
    /// Corrective actions; for members without details nor owner.
    pub actions: Vec<CorrectiveActionRow>,
    /// The reader is agency staff (internal parts included).
    pub internal: bool,
}

pub async fn get_complaint(app: &App, actor: &Actor, id: Id) -> Result<ComplaintView> {
    let mut c = app.db.read().await?;
    let complaint = store::get_complaint(&mut c, actor.scope(), id).await?;
    let internal = actor.role.is_agency();
    let notes = if internal {
        store::notes(&mut c, id).await?
    } else {
        vec![]
    };
    let mut actions = store::actions(&mut c, id).await?;
    if !internal {
        for a in &mut actions {
            a.details = None;
            a.owner_id = None;
            a.owner_name = None;
        }
    }
    Ok(ComplaintView {
        complaint,
        notes,
        actions,
        internal,
    })
}

/// What an agent sets when qualifying a complaint.
#[derive(Debug, Clone, Default)]
pub struct QualificationInput {
    pub touchpoint: String,
    pub severity: String,
    pub product_id: Option<String>,
    pub team_id: Option<String>,
    pub owner_id: Option<String>,
    pub due_on: Option<String>,
    /// `nouvelle` or `en_cours` (closing needs an answer: [`close`]).
    pub status: String,
}

pub async fn qualify(app: &App, actor: &Actor, id: Id, i: QualificationInput) -> Result<()> {
    require(may_treat_complaints(actor))?;
    let mut tx = app.db.begin().await?;
    let before = store::get_complaint(&mut tx, Scope::All, id).await?;
    let mut v = Violations::default();
    let touchpoint = code(
        &mut v,
        "touchpoint",
        &i.touchpoint,
        Touchpoint::from_code,
        Touchpoint::code,
        "Choisissez l'étape du parcours concernée.",
    );
    let severity = code(
        &mut v,
        "severity",
        &i.severity,
        ComplaintSeverity::from_code,
        ComplaintSeverity::code,
        "Choisissez la gravité.",
    );
    let status = match ComplaintStatus::from_code(i.status.trim()) {
        Some(ComplaintStatus::Close) => {
            v.push(
                "answer_required",
                "status",
                "Une réclamation se clôt avec une réponse : utilisez le formulaire de clôture.",
            );
            String::new()
        }
        Some(s) if before.status == "close" && s != ComplaintStatus::Close => {
            // Qualifying a closed complaint keeps it closed.
            let _ = s;
            before.status.clone()
        }
        Some(s) => s.code().to_string(),
        None => {
            v.push("invalid_choice", "status", "Statut inconnu.");
            String::new()
        }
    };
    let product_id = known(
        &mut tx,
        &mut v,
        "product_id",
        &i.product_id,
        RefTable::Products,
        "Produit inconnu.",
    )
    .await?;
    let team_id = known(
        &mut tx,
        &mut v,
        "team_id",
        &i.team_id,
        RefTable::Teams,
        "Pôle inconnu.",
    )
    .await?;
    let owner_id = agency_user(&mut tx, &mut v, "owner_id", &i.owner_id).await?;
    let due_on = date_of(&mut v, "due_on", &i.due_on);
    v.into_result()?;
    let q = Qualification {
        touchpoint,
        severity,
        product_id,
        team_id,
        owner_id,
        due_on,
        status,
    };
    store::qualify(&mut tx, id, &q, &app.now_ts()).await?;
    let mut changes = serde_json::Map::new();
    let pairs: [(&str, Option<String>, Option<String>); 7] = [
        (
            "touchpoint",
            Some(before.touchpoint),
            Some(q.touchpoint.clone()),
        ),
        ("severity", Some(before.severity), Some(q.severity.clone())),
        ("product_id", before.product_id, q.product_id.clone()),
        ("team_id", before.team_id, q.team_id.clone()),
        ("owner_id", before.owner_id, q.owner_id.clone()),
        ("due_on", before.due_on, q.due_on.clone()),
        ("status", Some(before.status), Some(q.status.clone())),
    ];
    for (k, a, b) in pairs {
        if a != b {
            changes.insert(k.into(), json!([a, b]));
        }
    }
    audit(
        &mut tx,
        app,
        actor,
        "complaint",
        id,
        "qualify",
        changes.into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_note(app: &App, actor: &Actor, id: Id, body: &str) -> Result<Id> {
    require(may_treat_complaints(actor))?;
    let mut v = Violations::default();
    let body = required_text(&mut v, "body", body, TEXT_MAX);
    v.into_result()?;
    let mut tx = app.db.begin().await?;
    store::get_complaint(&mut tx, Scope::All, id).await?;
    let note = Id::new();
    store::insert_note(
        &mut tx,
        note,
        id,
        Some(actor.user_id),
        body.as_deref().unwrap_or(""),
        &app.now_ts(),
    )
    .await?;
    audit(
        &mut tx,
        app,
        actor,
        "complaint",
        id,
        "internal_note",
        json!({"note_id": [null, note.to_string()]}),
    )
    .await?;
    tx.commit().await?;
    Ok(note)
}

/// What a form or the API sends for a corrective action.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub title: String,
    pub details: Option<String>,
    pub owner_id: Option<String>,
    pub due_on: Option<String>,
}

pub async fn add_action(app: &App, actor: &Actor, id: Id, i: ActionInput) -> Result<Id> {
    require(may_treat_complaints(actor))?;
    let mut tx = app.db.begin().await?;
    let complaint = store::get_complaint(&mut tx, Scope::All, id).await?;
    let mut v = Violations::default();
    let title = required_text(&mut v, "action_title", &i.title, TITLE_MAX);
    let details = optional_text(&mut v, "details", i.details.as_deref(), TEXT_MAX);
    let owner_id = agency_user(&mut tx, &mut v, "action_owner_id", &i.owner_id).await?;
    let due_on = date_of(&mut v, "action_due_on", &i.due_on);
    v.into_result()?;
    let values = ActionValues {
        title: title.unwrap_or_default(),
        details,
        owner_id,
        due_on,
        status: ActionStatus::AFaire.code().into(),
    };
    let action = Id::new();
    let now = app.now_ts();
    store::insert_action(&mut tx, action, id, &values, &now).await?;
    // A new complaint under treatment is no longer "new".
    if complaint.status == ComplaintStatus::Nouvelle.code() {
        store::start_treatment(&mut tx, id, &now).await?;
    }
    audit(
        &mut tx,
        app,
        actor,
        "complaint",
        id,
        "corrective_action",
        json!({"action_id": [null, action.to_string()], "title": [null, values.title]}),
    )
    .await?;
    tx.commit().await?;
    Ok(action)
}

pub async fn set_action_status(
    app: &App,
    actor: &Actor,
    id: Id,
    action: Id,
    status: &str,
) -> Result<()> {
    require(may_treat_complaints(actor))?;
    let Some(s) = ActionStatus::from_code(status.trim()) else {
        return Err(DomainError::invalid("invalid_choice", "status", "Statut inconnu.").into());
    };
    let mut tx = app.db.begin().await?;
    store::get_complaint(&mut tx, Scope::All, id).await?;
    let done_on =
        (s == ActionStatus::Faite).then(|| relais_store::date(app.clock.now().date_naive()));
    if !store::set_action_status(&mut tx, id, action, s.code(), done_on, &app.now_ts()).await? {
        return Err(DomainError::NotFound.into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "corrective_action",
        action,
        "status",
        json!({"status": [null, s.code()]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a complaint with the answer the member reads.
pub async fn close(app: &App, actor: &Actor, id: Id, answer: &str) -> Result<()> {
    require(may_treat_complaints(actor))?;
    let mut v = Violations::default();
    let answer = required_text(&mut v, "answer", answer, TEXT_MAX);
    v.into_result()?;
    let answer = answer.unwrap_or_default();
    let mut tx = app.db.begin().await?;
    store::get_complaint(&mut tx, Scope::All, id).await?;
    if !store::close_complaint(&mut tx, id, &answer, &app.now_ts()).await? {
        return Err(DomainError::invalid(
            "already_closed",
            "answer",
            "Cette réclamation est déjà close.",
        )
        .into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "complaint",
        id,
        "close",
        json!({"status": [null, "close"], "answer": [null, answer]}),
    )
    .await?;
    // The member is told by mail (the `mail.notify` job resolves the
    // address when it runs).
    let now = app.now_ts();
    crate::jobs::enqueue(
        &mut tx,
        &crate::jobs::MailJob::ComplaintClosed { complaint_id: id },
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn reopen(app: &App, actor: &Actor, id: Id) -> Result<()> {
    require(may_treat_complaints(actor))?;
    let mut tx = app.db.begin().await?;
    store::get_complaint(&mut tx, Scope::All, id).await?;
    if !store::reopen_complaint(&mut tx, id, &app.now_ts()).await? {
        return Err(DomainError::invalid(
            "not_closed",
            "status",
            "Cette réclamation n'est pas close.",
        )
        .into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "complaint",
        id,
        "reopen",
        json!({"status": ["close", "en_cours"]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The change history of a complaint (agency staff).
pub async fn history(
    app: &App,
    actor: &Actor,
    entity: &str,
    id: Id,
) -> Result<Vec<relais_store::audit::AuditRow>> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(relais_store::audit::history(&mut c, entity, id).await?)
}

/// One line of the irritants' analysis.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct IrritantStat {
    /// The touchpoint code, the department's or the product's name.
    pub key: String,
    /// Complaints filed in the whole period.
    pub count: i64,
    /// Filed in the last 6 months.
    pub recent: i64,
    /// Filed in the 6 months before.
    pub previous: i64,
    /// Not closed yet.
    pub open: i64,
    /// Median days from filing to closing, of the closed ones.
    pub median_days_to_close: Option<f64>,
}

/// The irritants ranked by count (then by recent count), per touchpoint,
/// per department and per product, over the last `months` months.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Analysis {
    pub months: i64,
    pub since: String,
    pub total: i64,
    pub by_touchpoint: Vec<IrritantStat>,
    pub by_department: Vec<IrritantStat>,
    pub by_product: Vec<IrritantStat>,
}

fn rank(
    rows: &[store::AnalysisRow],
    key: impl Fn(&store::AnalysisRow) -> Option<String>,
    now: DateTime<Utc>,
) -> Vec<IrritantStat> {
    use std::collections::BTreeMap;
    let six = relais_store::ts(now - Duration::days(182));
    let twelve = relais_store::ts(now - Duration::days(365));
    let mut groups: BTreeMap<String, (i64, i64, i64, i64, Vec<i64>)> = BTreeMap::new();
    for r in rows {
        let Some(k) = key(r) else { continue };
        let g = groups.entry(k).or_default();
        g.0 += 1;
        if r.created_at >= six {
            g.1 += 1;
        } else if r.created_at >= twelve {
            g.2 += 1;
        }
        match r.closed_at.as_deref().and_then(relais_store::parse_ts) {
            Some(closed) => {
                if let Some(filed) = relais_store::parse_ts(&r.created_at) {
                    g.4.push((closed - filed).num_days().max(0));
                }
            }
            None => g.3 += 1,
        }
    }
    let mut out: Vec<IrritantStat> = groups
        .into_iter()
        .map(
            |(key, (count, recent, previous, open, days))| IrritantStat {
                key,
                count,
                recent,
                previous,
                open,
                median_days_to_close: median(days),
            },
        )
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.recent.cmp(&a.recent))
            .then(a.key.cmp(&b.key))
    });
    out
}

pub async fn analysis(app: &App, actor: &Actor, months: i64) -> Result<Analysis> {
    require(actor.role.is_agency())?;
    let months = months.clamp(1, 120);
    let now = app.clock.now();
    let since = relais_store::ts(now - Duration::days(months * 365 / 12));
    let mut c = app.db.read().await?;
    let rows = store::analysis_rows(&mut c, &since).await?;
    Ok(Analysis {
        months,
        since,
        total: rows.len() as i64,
        by_touchpoint: rank(&rows, |r| Some(r.touchpoint.clone()), now),
        by_department: rank(&rows, |r| r.team_name.clone(), now),
        by_product: rank(&rows, |r| r.product_name.clone(), now),
    })
}

/// The complaints part of an institution's 360° page: open count and the
/// last few (within the reader's scope).
pub async fn institution_complaints(
    app: &App,
    actor: &Actor,
    institution: Id,
) -> Result<(i64, Vec<ComplaintRow>)> {
    if !actor.can_read_institution(institution) {
        return Err(DomainError::NotFound.into());
    }
    let mut c = app.db.read().await?;
    let scope = actor.scope();
    let open = store::list_complaints(
        &mut c,
        scope,
        &ComplaintFilter {
            institution_id: Some(institution.to_string()),
            open_only: true,
            limit: 1,
            ..Default::default()
        },
    )
    .await?
    .1;
    let (last, _) = store::list_complaints(
        &mut c,
        scope,
        &ComplaintFilter {
            institution_id: Some(institution.to_string()),
            limit: 5,
            ..Default::default()
        },
    )
    .await?;
    Ok((open, last))
}

// ---------------------------------------------------------------- campaigns

#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub title: String,
    pub description: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// Creates a campaign whose targets are every member institution, each
/// assigned to its key-account manager.
pub async fn create_campaign(app: &App, actor: &Actor, i: CampaignInput) -> Result<Id> {
    require(may_manage_engagement(actor))?;
    let mut v = Violations::default();
    let title = required_text(&mut v, "title", &i.title, TITLE_MAX);
    let description = optional_text(&mut v, "description", i.description.as_deref(), TEXT_MAX);
    let starts_on = date_of(&mut v, "starts_on", &i.starts_on);
    if starts_on.is_none() && blank(&i.starts_on).is_none() {
        v.push("required", "starts_on", "Ce champ est obligatoire.");
    }
    let ends_on = date_of(&mut v, "ends_on", &i.ends_on);
    if let (Some(s), Some(e)) = (&starts_on, &ends_on) {
        if e < s {
            v.push(
                "ends_before_start",
                "ends_on",
                "La fin doit suivre le début.",
            );
        }
    }
    v.into_result()?;
    let values = CampaignValues {
        title: title.unwrap_or_default(),
        description,
        starts_on: starts_on.unwrap_or_default(),
        ends_on,
    };
    let mut tx = app.db.begin().await?;
    let id = Id::new();
    let now = app.now_ts();
    store::insert_campaign(&mut tx, id, &values, Some(actor.user_id), &now).await?;
    let targets = store::member_institutions(&mut tx).await?;
    for (inst, manager) in &targets {
        store::insert_target(&mut tx, Id::new(), id, inst, manager.clone(), &now).await?;
    }
    audit(
        &mut tx,
        app,
        actor,
        "campaign",
        id,
        "create",
        json!({"title": [null, values.title], "targets": [null, targets.len()]}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn list_campaigns(app: &App, actor: &Actor) -> Result<Vec<ContactCampaignRow>> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(store::list_campaigns(&mut c).await?)
}

pub async fn get_campaign(
    app: &App,
    actor: &Actor,
    id: Id,
    f: &TargetFilter,
) -> Result<(ContactCampaignRow, Vec<TargetRow>)> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    let campaign = store::get_campaign(&mut c, id).await?;
    let targets = store::targets(&mut c, id, f).await?;
    Ok((campaign, targets))
}

/// One institution of a campaign with its contacts log and the contacts
/// of the institution (for the form).
#[derive(Debug, Clone)]
pub struct TargetView {
    pub campaign: ContactCampaignRow,
    pub target: TargetRow,
    pub records: Vec<ContactRecordRow>,
    pub contacts: Vec<(String, String)>,
}

pub async fn get_target(app: &App, actor: &Actor, campaign: Id, target: Id) -> Result<TargetView> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    let campaign_row = store::get_campaign(&mut c, campaign).await?;
    let target_row = store::get_target(&mut c, campaign, target).await?;
    let records = store::contact_records(&mut c, target).await?;
    let contacts = store::contact_options(&mut c, &target_row.institution_id).await?;
    Ok(TargetView {
        campaign: campaign_row,
        target: target_row,
        records,
        contacts,
    })
}

/// Assigns an institution of a campaign to a manager (or to nobody).
pub async fn assign_target(
    app: &App,
    actor: &Actor,
    campaign: Id,
    target: Id,
    manager: Option<String>,
) -> Result<()> {
    require(may_manage_engagement(actor))?;
    let mut tx = app.db.begin().await?;
    let before = store::get_target(&mut tx, campaign, target).await?;
    let mut v = Violations::default();
    let manager = agency_user(&mut tx, &mut v, "manager_id", &manager).await?;
    v.into_result()?;
    store::set_target_manager(&mut tx, target, manager.clone(), &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "campaign_target",
        target,
        "assign",
        json!({"manager_id": [before.manager_id, manager]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct ContactRecordInput {
    pub contacted_on: Option<String>,
    pub contact_id: Option<String>,
    pub outcome: String,
    pub corrections: Option<String>,
    pub notes: Option<String>,
}

/// Records a contact made with an institution of a campaign; the
/// institution's status follows the outcome.
pub async fn record_contact(
    app: &App,
    actor: &Actor,
    campaign: Id,
    target: Id,
    i: ContactRecordInput,
) -> Result<Id> {
    require(may_manage_engagement(actor))?;
    let mut tx = app.db.begin().await?;
    let t = store::get_target(&mut tx, campaign, target).await?;
    let mut v = Violations::default();
    let contacted_on = match blank(&i.contacted_on) {
        Some(_) => date_of(&mut v, "contacted_on", &i.contacted_on),
        None => Some(relais_store::date(app.clock.now().date_naive())),
    };
    let outcome = ContactOutcome::from_code(i.outcome.trim());
    if outcome.is_none() {
        v.push(
            "invalid_choice",
            "outcome",
            "Choisissez le résultat de l'échange.",
        );
    }
    let mut contact_id = None;
    if let Some(ct) = blank(&i.contact_id) {
        if store::contact_in(&mut tx, &ct, &t.institution_id).await? {
            contact_id = Some(ct);
        } else {
            v.push(
                "unknown_contact",
                "contact_id",
                "Ce contact n'appartient pas à l'établissement.",
            );
        }
    }
    let corrections = optional_text(&mut v, "corrections", i.corrections.as_deref(), TEXT_MAX);
    let notes = optional_text(&mut v, "notes", i.notes.as_deref(), TEXT_MAX);
    if outcome == Some(ContactOutcome::Corrige) && corrections.is_none() {
        v.push(
            "corrections_required",
            "corrections",
            "Indiquez les données corrigées.",
        );
    }
    v.into_result()?;
    let outcome = outcome.unwrap_or(ContactOutcome::Joint);
    let values = ContactRecordValues {
        contacted_on: contacted_on.unwrap_or_default(),
        contact_id,
        outcome: outcome.code().into(),
        corrections,
        notes,
    };
    let id = Id::new();
    let now = app.now_ts();
    store::insert_contact_record(&mut tx, id, target, &values, Some(actor.user_id), &now).await?;
    let status = outcome.target_status().code();
    store::set_target_status(&mut tx, target, status, &now).await?;
    audit(
        &mut tx,
        app,
        actor,
        "campaign_target",
        target,
        "contact",
        json!({"status": [t.status, status], "outcome": [null, values.outcome],
               "corrections": [null, values.corrections]}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------- comité

pub async fn comite_members(app: &App, actor: &Actor) -> Result<Vec<ComiteMemberRow>> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(store::comite_members(&mut c).await?)
}

#[derive(Debug, Clone, Default)]
pub struct ComiteMemberInput {
    /// A contact of a member institution…
    pub contact_id: Option<String>,
    /// …or an agency account (exactly one of the two).
    pub user_id: Option<String>,
    pub role: String,
    pub since_on: Option<String>,
}

pub async fn add_comite_member(app: &App, actor: &Actor, i: ComiteMemberInput) -> Result<Id> {
    require(may_manage_engagement(actor))?;
    let mut tx = app.db.begin().await?;
    let mut v = Violations::default();
    let contact = known(
        &mut tx,
        &mut v,
        "contact_id",
        &i.contact_id,
        RefTable::Contacts,
        "Contact inconnu.",
    )
    .await?;
    let user = agency_user(&mut tx, &mut v, "user_id", &i.user_id).await?;
    if blank(&i.contact_id).is_some() == blank(&i.user_id).is_some() {
        v.push(
            "one_person",
            "contact_id",
            "Choisissez soit un contact d'établissement, soit une personne de l'Amue.",
        );
    }
    let role = code(
        &mut v,
        "role",
        &i.role,
        ComiteRole::from_code,
        ComiteRole::code,
        "Choisissez le rôle au comité.",
    );
    let since = match blank(&i.since_on) {
        Some(_) => date_of(&mut v, "since_on", &i.since_on),
        None => Some(relais_store::date(app.clock.now().date_naive())),
    };
    v.into_result()?;
    let id = Id::new();
    store::insert_comite_member(
        &mut tx,
        id,
        contact.clone(),
        user.clone(),
        &role,
        &since.unwrap_or_default(),
        &app.now_ts(),
    )
    .await?;
    audit(
        &mut tx,
        app,
        actor,
        "comite_member",
        id,
        "create",
        json!({"contact_id": [null, contact], "user_id": [null, user], "role": [null, role]}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_comite_member(app: &App, actor: &Actor, id: Id) -> Result<()> {
    require(may_manage_engagement(actor))?;
    let mut tx = app.db.begin().await?;
    if !store::delete_comite_member(&mut tx, id).await? {
        return Err(DomainError::NotFound.into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "comite_member",
        id,
        "delete",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_meetings(app: &App, actor: &Actor) -> Result<Vec<MeetingRow>> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(store::list_meetings(&mut c).await?)
}

pub async fn get_meeting(app: &App, actor: &Actor, id: Id) -> Result<MeetingRow> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(store::get_meeting(&mut c, id).await?)
}

#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub held_on: Option<String>,
    pub title: String,
    pub place: Option<String>,
    /// Markdown.
    pub agenda: String,
    /// Markdown.
    pub minutes: Option<String>,
}

fn validate_meeting(i: &MeetingInput) -> Result<MeetingValues> {
    let mut v = Violations::default();
    let held_on = date_of(&mut v, "held_on", &i.held_on);
    if held_on.is_none() && blank(&i.held_on).is_none() {
        v.push("required", "held_on", "Ce champ est obligatoire.");
    }
    let title = required_text(&mut v, "title", &i.title, TITLE_MAX);
    let place = optional_text(&mut v, "place", i.place.as_deref(), 300);
    let agenda = required_text(&mut v, "agenda", &i.agenda, TEXT_MAX);
    let minutes = optional_text(&mut v, "minutes", i.minutes.as_deref(), 100_000);
    v.into_result()?;
    Ok(MeetingValues {
        held_on: held_on.unwrap_or_default(),
        title: title.unwrap_or_default(),
        place,
        agenda: agenda.unwrap_or_default(),
        minutes,
    })
}

pub async fn create_meeting(app: &App, actor: &Actor, i: MeetingInput) -> Result<Id> {
    require(may_manage_engagement(actor))?;
    let values = validate_meeting(&i)?;
    let mut tx = app.db.begin().await?;
    let id = Id::new();
    store::insert_meeting(&mut tx, id, &values, &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "comite_meeting",
        id,
        "create",
        json!({"title": [null, values.title], "held_on": [null, values.held_on]}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_meeting(app: &App, actor: &Actor, id: Id, i: MeetingInput) -> Result<()> {
    require(may_manage_engagement(actor))?;
    let values = validate_meeting(&i)?;
    let mut tx = app.db.begin().await?;
    let before = store::get_meeting(&mut tx, id).await?;
    store::update_meeting(&mut tx, id, &values, &app.now_ts()).await?;
    let mut changes = serde_json::Map::new();
    let pairs: [(&str, Option<String>, Option<String>); 5] = [
        (
            "held_on",
            Some(before.held_on),
            Some(values.held_on.clone()),
        ),
        ("title", Some(before.title), Some(values.title.clone())),
        ("place", before.place, values.place.clone()),
        ("agenda", Some(before.agenda), Some(values.agenda.clone())),
        ("minutes", before.minutes, values.minutes.clone()),
    ];
    for (k, a, b) in pairs {
        if a != b {
            changes.insert(k.into(), json!([a, b]));
        }
    }
    audit(
        &mut tx,
        app,
        actor,
        "comite_meeting",
        id,
        "update",
        changes.into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- pickers

/// Choices for the forms: institutions, agency accounts, teams, products.
#[derive(Debug, Clone)]
pub struct Pickers {
    pub institutions: Vec<(String, String)>,
    pub agents: Vec<(String, String)>,
    pub teams: Vec<(String, String)>,
    pub products: Vec<(String, String)>,
}

pub async fn pickers(app: &App, actor: &Actor) -> Result<Pickers> {
    let mut c = app.db.read().await?;
    let products = relais_store::crm::list_products(&mut c, None)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    if !actor.role.is_agency() {
        return Ok(Pickers {
            institutions: vec![],
            agents: vec![],
            teams: vec![],
            products,
        });
    }
    Ok(Pickers {
        institutions: store::institution_options(&mut c).await?,
        agents: store::agency_user_options(&mut c).await?,
        teams: relais_store::support::list_teams(&mut c)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect(),
        products,
    })
}

/// Contacts of one institution (agency forms), `(id, label)`.
pub async fn contacts_of(
    app: &App,
    actor: &Actor,
    institution: &str,
) -> Result<Vec<(String, String)>> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(store::contact_options(&mut c, institution).await?)
}

/// Every contact, `(id, "name — institution")` (the comité picker).
pub async fn all_contacts(app: &App, actor: &Actor) -> Result<Vec<(String, String)>> {
    require(may_manage_engagement(actor))?;
    let mut c = app.db.read().await?;
    Ok(store::all_contact_options(&mut c).await?)
}

/// The mail of a complaint's `template`: `complaint_closed` tells the
/// member the answer; `complaint_new` tells the key-account manager a
/// member filed one. `(to, subject, text)`, or `None` when there is nobody
/// to write to (or nothing to announce any more).
pub async fn complaint_mail(
    app: &App,
    id: Id,
    template: &str,
    base_url: &str,
) -> Result<Option<(String, String, String)>> {
    let mut c = app.db.read().await?;
    let k = match store::get_complaint(&mut c, Scope::All, id).await {
        Ok(k) => k,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if template == "complaint_new" {
        let Some(to) = store::complaint_manager_email(&mut c, id).await? else {
            return Ok(None);
        };
        let link = format!("{}/reclamations/{}", base_url.trim_end_matches('/'), k.id);
        let touchpoint = Touchpoint::from_code(&k.touchpoint)
            .map(|t| t.label_fr())
            .unwrap_or("");
        return Ok(Some((
            to,
            format!("[Relais] Nouvelle réclamation : {}", k.title),
            format!(
                "{} a déposé une réclamation ({touchpoint}) : « {} ».\n\n{}",
                k.institution_name, k.title, link
            ),
        )));
    }
    // Reopened before the job ran: nothing to announce.
    if k.status != ComplaintStatus::Close.code() {
        return Ok(None);
    }
    let Some(to) = store::complaint_recipient(&mut c, id).await? else {
        return Ok(None);
    };
    let link = format!("{}/reclamations/{}", base_url.trim_end_matches('/'), k.id);
    Ok(Some((
        to,
        format!("[Relais] Réponse à votre réclamation : {}", k.title),
        format!(
            "Votre réclamation « {} » est close. La réponse de l'Amue :\n\n{}\n\n{}",
            k.title,
            k.answer.unwrap_or_default(),
            link
        ),
    )))
}

/// A ticket an agent converts into a complaint (to prefill the form).
pub async fn ticket_for_complaint(
    app: &App,
    actor: &Actor,
    ticket: Id,
) -> Result<relais_store::support::TicketRow> {
    require(may_treat_complaints(actor))?;
    let mut c = app.db.read().await?;
    Ok(
        relais_store::support::get_ticket(&mut c, relais_store::support::TicketScope::All, ticket)
            .await?,
    )
}
