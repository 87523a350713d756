//! Support desk use cases: filing a ticket (entitlement, routing, contractual
//! deadlines), replies and internal notes, status changes with the SLA
//! clock, assignment, sharing with other institutions, "nous aussi",
//! workarounds, incidents. Notifications are jobs written in the same
//! transaction (the outbox), so a crash never loses one.

use crate::jobs::MailJob;
use crate::{App, AppError, Result};
use chrono::{DateTime, Datelike, Utc};
use relais_domain::accounts::{Actor, Role};
use relais_domain::calendar::BusinessCalendar;
use relais_domain::crm::CalendarKind;
use relais_domain::shared::{required_text, Violations};
use relais_domain::sla::{self, Targets};
use relais_domain::support::*;
use relais_domain::{DomainError, Id};
use relais_store::support as store;
use relais_store::support::TicketScope;
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::support::{IncidentRow, TeamRow, TicketFilter, TicketRow};
use relais_store::{ts, Conn};

fn require(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

pub fn is_agent(a: &Actor) -> bool {
    matches!(a.role, Role::Admin | Role::Support)
}

/// The tickets an actor may read.
pub fn ticket_scope(a: &Actor) -> TicketScope {
    if a.role.is_agency() {
        TicketScope::All
    } else {
        match a.institution_id {
            Some(i) => TicketScope::Member(i),
            None => TicketScope::Nothing,
        }
    }
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    relais_store::parse_ts(s).ok_or_else(|| AppError::Internal(format!("bad timestamp {s}")))
}

fn tid(t: &TicketRow) -> Result<Id> {
    Id::parse(&t.id).ok_or_else(|| AppError::Internal("bad ticket id".into()))
}

/// Installs the default service levels and calendars when absent. Admins
/// then edit them as data.
pub async fn ensure_defaults(app: &App) -> Result<()> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let levels = store::list_levels(&mut tx).await?;
    for (code, name, targets) in sla::default_levels() {
        if !levels.iter().any(|l| l.code == code) {
            let json =
                serde_json::to_string(&targets).map_err(|e| AppError::Internal(e.to_string()))?;
            store::upsert_level(&mut tx, Id::new(), code, name, &json, &now).await?;
        }
    }
    let cals = store::list_calendars(&mut tx).await?;
    for (code, name, cal) in [
        (
            "metropole",
            "Métropole (Europe/Paris)",
            BusinessCalendar::standard(CalendarKind::Metropole),
        ),
        (
            "alsace_moselle",
            "Alsace-Moselle",
            BusinessCalendar::standard(CalendarKind::AlsaceMoselle),
        ),
        (
            "outre_mer",
            "Outre-mer (heure de Paris)",
            BusinessCalendar::standard(CalendarKind::OutreMer),
        ),
    ] {
        if !cals.iter().any(|c| c.code == code) {
            let json =
                serde_json::to_string(&cal).map_err(|e| AppError::Internal(e.to_string()))?;
            store::upsert_calendar(&mut tx, Id::new(), code, name, &json, &now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Gives an institution a service contract (admin).
pub async fn assign_contract(
    app: &App,
    actor: &Actor,
    institution: Id,
    level_code: &str,
    calendar_code: &str,
    starts_on: &str,
) -> Result<Id> {
    require(actor.role == Role::Admin)?;
    let mut tx = app.db.begin().await?;
    let level = store::list_levels(&mut tx)
        .await?
        .into_iter()
        .find(|l| l.code == level_code)
        .ok_or_else(|| {
            AppError::Domain(DomainError::invalid(
                "unknown_level",
                "level",
                "Niveau de service inconnu.",
            ))
        })?;
    let cal = store::list_calendars(&mut tx)
        .await?
        .into_iter()
        .find(|c| c.code == calendar_code)
        .ok_or_else(|| {
            AppError::Domain(DomainError::invalid(
                "unknown_calendar",
                "calendar",
                "Calendrier inconnu.",
            ))
        })?;
    relais_store::crm::get_institution(&mut tx, actor.scope(), institution).await?;
    let id = Id::new();
    store::insert_contract(
        &mut tx,
        id,
        institution,
        &level.id,
        &cal.id,
        starts_on,
        None,
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The calendar and targets that apply to a ticket of `institution` opened
/// at `at`. Without a contract, the generic charter: socle in Paris hours.
pub(crate) async fn terms(
    c: &mut Conn,
    institution: Id,
    at: DateTime<Utc>,
) -> Result<(BusinessCalendar, Option<(String, Targets)>)> {
    let date = at.format("%Y-%m-%d").to_string();
    match store::contract_on(c, institution, &date).await? {
        Some(k) => {
            let cal: BusinessCalendar = serde_json::from_str(&k.calendar).unwrap_or_default();
            let targets: Targets = serde_json::from_str(&k.targets).unwrap_or_default();
            Ok((cal, Some((k.level_code, targets))))
        }
        None => {
            let socle = sla::default_levels()
                .into_iter()
                .find(|l| l.0 == "socle")
                .map(|l| ("socle".to_string(), l.2));
            Ok((BusinessCalendar::default(), socle))
        }
    }
}

pub(crate) async fn event(
    tx: &mut Conn,
    ticket: Id,
    actor: &Actor,
    field: &str,
    before: Option<&str>,
    after: Option<&str>,
    now: &str,
) -> Result<()> {
    store::insert_event(
        tx,
        ticket,
        Some(actor.user_id),
        &actor.display_name,
        field,
        before,
        after,
        now,
    )
    .await?;
    Ok(())
}

async fn notify(tx: &mut Conn, app: &App, mail: MailJob) -> Result<()> {
    crate::jobs::enqueue(tx, &mail, &app.now_ts()).await
}

/// Files a ticket. A member files for their own institution and only on a
/// product it is entitled to; an agent may file on behalf of an institution.
pub async fn create_ticket(
    app: &App,
    actor: &Actor,
    on_behalf_of: Option<Id>,
    input: TicketInput,
    channel: &str,
) -> Result<Id> {
    let fields = TicketFields::try_from(input)?;
    let institution = if actor.role.is_agency() {
        require(is_agent(actor))?;
        on_behalf_of.ok_or_else(|| {
            AppError::Domain(DomainError::invalid(
                "required",
                "institution_id",
                "Choisissez l'établissement demandeur.",
            ))
        })?
    } else {
        actor
            .institution_id
            .ok_or(AppError::Domain(DomainError::Forbidden))?
    };
    let requester = {
        let mut c = app.db.read().await?;
        relais_store::accounts::get_user(&mut c, relais_domain::accounts::Scope::All, actor.user_id)
            .await?
    };
    let who = Requester {
        user_id: Some(actor.user_id),
        contact_id: None,
        name: actor.display_name.clone(),
        email: Some(requester.email.clone()),
        check_entitlement: true,
    };
    file_ticket(app, institution, &who, Some(actor), fields, channel).await
}

/// Who asks for a ticket filed without an account of theirs: a contact of
/// the CRM writing by mail, or an unknown sender let in by a mailbox's rule
/// (then on the triage institution the admin named, without the
/// entitlement check: the agents re-file it).
#[derive(Debug, Clone)]
pub struct Requester {
    pub user_id: Option<Id>,
    pub contact_id: Option<Id>,
    pub name: String,
    pub email: Option<String>,
    pub check_entitlement: bool,
}

/// Files a ticket by mail for someone who has no account (see
/// [`Requester`]). Only the mail gate calls this, after authenticating the
/// sender.
pub async fn create_ticket_for(
    app: &App,
    institution: Id,
    requester: &Requester,
    input: TicketInput,
    channel: &str,
) -> Result<Id> {
    let fields = TicketFields::try_from(input)?;
    file_ticket(app, institution, requester, None, fields, channel).await
}

async fn file_ticket(
    app: &App,
    institution: Id,
    who: &Requester,
    actor: Option<&Actor>,
    fields: TicketFields,
    channel: &str,
) -> Result<Id> {
    let ruled = crate::triage::route(
        app,
        Some(institution),
        Some(fields.product_id),
        &format!("{}\n{}", fields.subject, fields.body),
    )
    .await?;
    let now = app.clock.now();
    let now_s = ts(now);
    let mut tx = app.db.begin().await?;
    if who.check_entitlement && !store::is_entitled(&mut tx, institution, fields.product_id).await?
    {
        return Err(DomainError::invalid(
            "not_entitled",
            "product_id",
            "Votre établissement n'a pas de support ouvert sur ce produit (déploiement et redevance).",
        )
        .into());
    }
    let (cal, level) = terms(&mut tx, institution, now).await?;
    let (level_code, fr_due, res_due) = match &level {
        Some((code, targets)) => match sla::target_for(targets, fields.severity) {
            Some(t) => (
                Some(code.clone()),
                Some(ts(sla::due_at(&cal, now, t.first_response, 0))),
                Some(ts(sla::due_at(&cal, now, t.resolution, 0))),
            ),
            None => (Some(code.clone()), None, None),
        },
        None => (None, None, None),
    };
    let number = store::next_ticket_number(&mut tx, now.year() as i64).await?;
    let reference = ticket_ref(now.year(), number);
    // Routing rules first (admins edit them), then the product's team.
    let team = match &ruled {
        Some((team_id, _)) => store::list_teams(&mut tx)
            .await?
            .into_iter()
            .find(|t| t.id == team_id.to_string()),
        None => None,
    };
    let team = match team {
        Some(t) => Some(t),
        None => store::team_of_product(&mut tx, fields.product_id).await?,
    };
    let id = Id::new();
    store::insert_ticket(
        &mut tx,
        &store::NewTicket {
            id,
            reference: reference.clone(),
            institution_id: institution,
            requester_id: who.user_id,
            requester_contact_id: who.contact_id,
            requester_name: who.name.clone(),
            requester_email: who.email.clone(),
            product_id: fields.product_id,
            module: fields.module.clone(),
            category: fields.category.code().into(),
            severity: fields.severity.code().into(),
            subject: fields.subject.clone(),
            team_id: team.as_ref().map(|t| t.id.clone()),
            shared: fields.shared,
            level_code,
            channel: channel.into(),
            first_response_due_at: fr_due,
            resolution_due_at: res_due,
        },
        &now_s,
    )
    .await?;
    store::insert_message(
        &mut tx,
        Id::new(),
        id,
        who.user_id,
        &who.name,
        "public",
        &fields.body,
        channel,
        None,
        &now_s,
    )
    .await?;
    store::insert_event(
        &mut tx,
        id,
        who.user_id,
        &who.name,
        "status",
        None,
        Some("nouveau"),
        &now_s,
    )
    .await?;
    crate::search::enqueue(&mut tx, "ticket", &id.to_string(), &now_s).await?;
    if let Some(actor) = actor {
        crate::assistant::note_filed(&mut tx, app, actor, id).await?;
    }
    if let Some(t) = &team {
        notify(
            &mut tx,
            app,
            MailJob::TicketNewTeam {
                ticket_id: id,
                to: t.email.clone(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A ticket an actor may read, or NotFound.
pub async fn get_ticket(app: &App, actor: &Actor, id: Id) -> Result<TicketRow> {
    let mut c = app.db.read().await?;
    Ok(store::get_ticket(&mut c, ticket_scope(actor), id).await?)
}

fn own_ticket(actor: &Actor, t: &TicketRow) -> bool {
    actor.institution_id.map(|i| i.to_string()) == Some(t.institution_id.clone())
}

/// A member reading another institution's shared ticket never gets the
/// requester's e-mail, nor their name unless the ticket shares it.
pub fn mask_requester(actor: &Actor, t: &mut TicketRow) {
    if actor.role.is_agency() || own_ticket(actor, t) {
        return;
    }
    if t.share_requester == 0 {
        t.requester_name = "Établissement adhérent".into();
        t.requester_id = None;
    }
    t.requester_email = None;
}

/// What a person sees of a ticket: members never get internal notes, and a
/// shared ticket of another institution hides its requester unless shared.
#[derive(Debug, Clone)]
pub struct TicketView {
    pub ticket: TicketRow,
    pub messages: Vec<store::MessageRow>,
    pub events: Vec<store::EventRow>,
    pub followers: Vec<store::FollowerRow>,
    pub workarounds: Vec<store::WorkaroundRow>,
    pub first_response: Option<sla::SlaState>,
    pub resolution: Option<sla::SlaState>,
    /// The reader's institution said "nous aussi".
    pub affected_by_me: bool,
}

pub async fn ticket_view(app: &App, actor: &Actor, id: Id) -> Result<TicketView> {
    let mut c = app.db.read().await?;
    let mut t = store::get_ticket(&mut c, ticket_scope(actor), id).await?;
    let agency = actor.role.is_agency();
    let mine = own_ticket(actor, &t);
    let mut messages = store::list_messages(&mut c, id, !agency).await?;
    if !agency && !mine && t.share_requester == 0 {
        // The thread names nobody of the requesting institution either:
        // only the agency's people are named to other institutions.
        for m in messages.iter_mut().filter(|m| m.by_agency == 0) {
            m.author_name = "Établissement adhérent".into();
            m.author_id = None;
        }
    }
    let events = if agency {
        store::list_events(&mut c, id).await?
    } else if mine {
        // The name of an agents-only attachment stays with the agents.
        store::list_events(&mut c, id)
            .await?
            .into_iter()
            .filter(|e| e.field != "attachment_internal")
            .collect()
    } else {
        vec![]
    };
    mask_requester(actor, &mut t);
    let followers = store::list_followers(&mut c, id).await?;
    let affected_by_me = actor.institution_id.is_some_and(|i| {
        followers
            .iter()
            .any(|f| f.institution_id == i.to_string() && f.affected == 1)
    });
    let workarounds = store::list_workarounds(&mut c, id).await?;
    let institution =
        Id::parse(&t.institution_id).ok_or_else(|| AppError::Internal("id".into()))?;
    let created = parse_ts(&t.created_at)?;
    let (cal, level) = terms(&mut c, institution, created).await?;
    let now = app.clock.now();
    let status = TicketStatus::from_code(&t.status).unwrap_or(TicketStatus::Nouveau);
    let target = level
        .as_ref()
        .and_then(|(_, tg)| Severity::from_code(&t.severity).and_then(|s| sla::target_for(tg, s)));
    let opt_ts = |s: &Option<String>| s.as_deref().and_then(relais_store::parse_ts);
    let (first_response, resolution) = match target {
        Some(tg) => (
            opt_ts(&t.first_response_due_at).map(|due| {
                sla::state(
                    &cal,
                    due,
                    tg.first_response,
                    opt_ts(&t.first_response_at),
                    false,
                    now,
                    0.25,
                )
            }),
            opt_ts(&t.resolution_due_at).map(|due| {
                let done = opt_ts(&t.resolved_at).filter(|_| !status.is_open());
                sla::state(
                    &cal,
                    due,
                    tg.resolution,
                    done,
                    status == TicketStatus::AttenteEtablissement,
                    now,
                    0.25,
                )
            }),
        ),
        None => (None, None),
    };
    drop(c);
    Ok(TicketView {
        ticket: t,
        messages,
        events,
        followers,
        workarounds,
        first_response,
        resolution,
        affected_by_me,
    })
}

/// Recomputes the SLA clock after a status change: paused time pushes the
/// resolution deadline; editor time is kept apart.
async fn recompute_clock(tx: &mut Conn, t: &TicketRow, now: DateTime<Utc>) -> Result<()> {
    let id = tid(t)?;
    let institution =
        Id::parse(&t.institution_id).ok_or_else(|| AppError::Internal("id".into()))?;
    let created = parse_ts(&t.created_at)?;
    let (cal, level) = terms(tx, institution, created).await?;
    let mut history = vec![(created, TicketStatus::Nouveau)];
    for e in store::list_events(tx, id).await? {
        if e.field == "status" {
            if let (Some(at), Some(s)) = (
                relais_store::parse_ts(&e.at),
                e.after_value.as_deref().and_then(TicketStatus::from_code),
            ) {
                if at > created {
                    history.push((at, s));
                }
            }
        }
    }
    let totals = sla::totals(&cal, &history, now);
    store::set_clock_totals(tx, id, totals.paused / 60, totals.editor / 60).await?;
    let target = level
        .and_then(|(_, tg)| Severity::from_code(&t.severity).and_then(|s| sla::target_for(&tg, s)));
    if let Some(tg) = target {
        let due = ts(sla::due_at(&cal, created, tg.resolution, totals.paused));
        store::set_ticket_field(tx, id, "resolution_due_at", Some(due), &ts(now)).await?;
    }
    Ok(())
}

async fn move_status(
    tx: &mut Conn,
    app: &App,
    actor: &Actor,
    t: &TicketRow,
    to: TicketStatus,
) -> Result<()> {
    let id = tid(t)?;
    let now = app.clock.now();
    let now_s = ts(now);
    store::set_ticket_field(tx, id, "status", Some(to.code().into()), &now_s).await?;
    store::set_ticket_field(tx, id, "last_status_at", Some(now_s.clone()), &now_s).await?;
    match to {
        TicketStatus::Resolu => {
            store::set_ticket_field(tx, id, "resolved_at", Some(now_s.clone()), &now_s).await?
        }
        TicketStatus::Clos => {
            store::set_ticket_field(tx, id, "closed_at", Some(now_s.clone()), &now_s).await?
        }
        TicketStatus::EnCours if t.status == "resolu" => {
            store::set_ticket_field(tx, id, "resolved_at", None, &now_s).await?
        }
        _ => {}
    }
    event(
        tx,
        id,
        actor,
        "status",
        Some(&t.status),
        Some(to.code()),
        &now_s,
    )
    .await?;
    recompute_clock(tx, t, now).await?;
    crate::search::enqueue(tx, "ticket", &t.id, &now_s).await?;
    Ok(())
}

/// Changes the status, within what the actor may do.
pub async fn change_status(app: &App, actor: &Actor, id: Id, to: &str) -> Result<()> {
    let to = TicketStatus::from_code(to.trim()).ok_or_else(|| {
        AppError::Domain(DomainError::invalid(
            "invalid_status",
            "status",
            "Statut inconnu.",
        ))
    })?;
    let mut tx = app.db.begin().await?;
    let t = store::get_ticket(&mut tx, ticket_scope(actor), id).await?;
    // Members act only on their own institution's tickets.
    require(is_agent(actor) || own_ticket(actor, &t))?;
    let from = TicketStatus::from_code(&t.status).unwrap_or(TicketStatus::Nouveau);
    if !from.may_move(to, actor) {
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
    move_status(&mut tx, app, actor, &t, to).await?;
    // A ticket closed after being handled (not a withdrawn new one) asks
    // its requester for their satisfaction, in the same transaction.
    if to == TicketStatus::Clos && from != TicketStatus::Nouveau {
        crate::relation::invite_after_ticket(
            &mut tx,
            app,
            &t.id,
            &t.institution_id,
            t.requester_id.as_deref(),
        )
        .await?;
    }
    if is_agent(actor) {
        notify(
            &mut tx,
            app,
            MailJob::TicketStatus {
                ticket_id: Id::parse_stored(&t.id)?,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A public reply or an internal note. Members only write public replies on
/// their own institution's tickets; a reply while the ticket waits on the
/// institution restarts the clock.
pub async fn reply(
    app: &App,
    actor: &Actor,
    id: Id,
    body: &str,
    internal: bool,
    channel: &str,
    mail_message_id: Option<&str>,
) -> Result<Id> {
    let mut tx = app.db.begin().await?;
    let mid = reply_in(
        &mut tx,
        app,
        actor,
        id,
        body,
        internal,
        channel,
        mail_message_id,
    )
    .await?;
    tx.commit().await?;
    Ok(mid)
}

/// [`reply`] inside the caller's transaction (the quarantine attaches a
/// held message and settles it in one transaction).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn reply_in(
    tx: &mut Conn,
    app: &App,
    actor: &Actor,
    id: Id,
    body: &str,
    internal: bool,
    channel: &str,
    mail_message_id: Option<&str>,
) -> Result<Id> {
    let mut v = Violations::default();
    let body = required_text(&mut v, "body", body, 50_000);
    v.into_result()?;
    let body = body.unwrap_or_default();
    let body = body.as_str();
    let tx = &mut *tx;
    let t = store::get_ticket(&mut *tx, ticket_scope(actor), id).await?;
    let agent = is_agent(actor);
    require(agent || (own_ticket(actor, &t) && !internal))?;
    if t.status == "clos" {
        return Err(DomainError::invalid(
            "ticket_closed",
            "body",
            "Ce ticket est clos : ouvrez-en un nouveau.",
        )
        .into());
    }
    let now_s = app.now_ts();
    let mid = Id::new();
    let visibility = if internal { "internal" } else { "public" };
    store::insert_message(
        &mut *tx,
        mid,
        id,
        Some(actor.user_id),
        &actor.display_name,
        visibility,
        body,
        channel,
        mail_message_id,
        &now_s,
    )
    .await?;
    if !internal {
        crate::search::enqueue(&mut *tx, "ticket", &t.id, &now_s).await?;
    }
    if agent && !internal {
        if t.first_response_at.is_none() {
            store::set_ticket_field(
                &mut *tx,
                id,
                "first_response_at",
                Some(now_s.clone()),
                &now_s,
            )
            .await?;
        }
        if t.status == "nouveau" {
            move_status(&mut *tx, app, actor, &t, TicketStatus::EnCours).await?;
        }
        notify(
            &mut *tx,
            app,
            MailJob::TicketReply {
                ticket_id: Id::parse_stored(&t.id)?,
                message_id: Some(mid),
            },
        )
        .await?;
    } else if !agent && t.status == "attente_etablissement" {
        move_status(&mut *tx, app, actor, &t, TicketStatus::EnCours).await?;
    }
    if !agent {
        notify(
            &mut *tx,
            app,
            MailJob::TicketMemberReply {
                ticket_id: Id::parse_stored(&t.id)?,
            },
        )
        .await?;
    }
    Ok(mid)
}

/// Assigns a team and/or an agent (agents only).
pub async fn assign(
    app: &App,
    actor: &Actor,
    id: Id,
    team: Option<String>,
    assignee: Option<String>,
) -> Result<()> {
    require(is_agent(actor))?;
    let mut tx = app.db.begin().await?;
    let t = store::get_ticket(&mut tx, TicketScope::All, id).await?;
    let now_s = app.now_ts();
    if team != t.team_id {
        store::set_ticket_field(&mut tx, id, "team_id", team.clone(), &now_s).await?;
        event(
            &mut tx,
            id,
            actor,
            "team_id",
            t.team_id.as_deref(),
            team.as_deref(),
            &now_s,
        )
        .await?;
    }
    if assignee != t.assignee_id {
        store::set_ticket_field(&mut tx, id, "assignee_id", assignee.clone(), &now_s).await?;
        event(
            &mut tx,
            id,
            actor,
            "assignee_id",
            t.assignee_id.as_deref(),
            assignee.as_deref(),
            &now_s,
        )
        .await?;
    }
    crate::search::enqueue(&mut tx, "ticket", &id.to_string(), &now_s).await?;
    tx.commit().await?;
    Ok(())
}

/// The agent's own estimate: a separate field, never the contractual deadline.
pub async fn set_estimate(
    app: &App,
    actor: &Actor,
    id: Id,
    at: Option<DateTime<Utc>>,
) -> Result<()> {
    require(is_agent(actor))?;
    let mut tx = app.db.begin().await?;
    let t = store::get_ticket(&mut tx, TicketScope::All, id).await?;
    let now_s = app.now_ts();
    let v = at.map(ts);
    store::set_ticket_field(&mut tx, id, "agent_estimate_at", v.clone(), &now_s).await?;
    event(
        &mut tx,
        id,
        actor,
        "agent_estimate_at",
        t.agent_estimate_at.as_deref(),
        v.as_deref(),
        &now_s,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Shares a ticket with the institutions using the same product. The
/// requester's identity and the attachments stay private unless chosen.
pub async fn share(
    app: &App,
    actor: &Actor,
    id: Id,
    shared: bool,
    share_requester: bool,
    share_attachments: bool,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let t = store::get_ticket(&mut tx, ticket_scope(actor), id).await?;
    require(is_agent(actor) || own_ticket(actor, &t))?;
    let now_s = app.now_ts();
    let b = |x: bool| Some(if x { "1".to_string() } else { "0".to_string() });
    for (field, before, after) in [
        ("shared", t.shared == 1, shared),
        (
            "share_requester",
            t.share_requester == 1,
            share_requester && shared,
        ),
        (
            "share_attachments",
            t.share_attachments == 1,
            share_attachments && shared,
        ),
    ] {
        if before != after {
            store::set_ticket_field(&mut tx, id, field, b(after), &now_s).await?;
            event(
                &mut tx,
                id,
                actor,
                field,
                b(before).as_deref(),
                b(after).as_deref(),
                &now_s,
            )
            .await?;
        }
    }
    crate::search::enqueue(&mut tx, "ticket", &id.to_string(), &now_s).await?;
    tx.commit().await?;
    Ok(())
}

/// Another institution follows a shared ticket, or says it is affected too.
pub async fn follow(app: &App, actor: &Actor, id: Id, affected: bool) -> Result<()> {
    let inst = actor
        .institution_id
        .ok_or(AppError::Domain(DomainError::Forbidden))?;
    let mut tx = app.db.begin().await?;
    let t = store::get_ticket(&mut tx, ticket_scope(actor), id).await?;
    if own_ticket(actor, &t) {
        return Err(DomainError::invalid(
            "own_ticket",
            "ticket",
            "C'est un ticket de votre établissement.",
        )
        .into());
    }
    let now_s = app.now_ts();
    store::upsert_follower(&mut tx, id, inst, actor.user_id, affected, &now_s).await?;
    if affected {
        event(
            &mut tx,
            id,
            actor,
            "nous_aussi",
            None,
            Some(&inst.to_string()),
            &now_s,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A workaround, visible to every institution that sees the ticket.
pub async fn add_workaround(app: &App, actor: &Actor, id: Id, body: &str) -> Result<Id> {
    let mut v = Violations::default();
    let body = required_text(&mut v, "body", body, 20_000);
    v.into_result()?;
    let mut tx = app.db.begin().await?;
    let t = store::get_ticket(&mut tx, ticket_scope(actor), id).await?;
    require(is_agent(actor) || actor.institution_id.is_some())?;
    let _ = t;
    let wid = Id::new();
    store::insert_workaround(
        &mut tx,
        wid,
        id,
        actor.institution_id,
        actor.user_id,
        &actor.display_name,
        &body.unwrap_or_default(),
        &app.now_ts(),
    )
    .await?;
    crate::search::enqueue(&mut tx, "ticket", &id.to_string(), &app.now_ts()).await?;
    tx.commit().await?;
    Ok(wid)
}

/// Groups tickets of one problem into an incident (agents).
pub async fn create_incident(
    app: &App,
    actor: &Actor,
    product: Id,
    title: &str,
    description: Option<&str>,
    tickets: &[Id],
) -> Result<Id> {
    require(is_agent(actor))?;
    let mut v = Violations::default();
    let title = required_text(&mut v, "title", title, 200);
    v.into_result()?;
    let mut tx = app.db.begin().await?;
    relais_store::crm::get_product(&mut tx, product).await?;
    let id = Id::new();
    let now_s = app.now_ts();
    store::insert_incident(
        &mut tx,
        id,
        product,
        &title.unwrap_or_default(),
        description,
        actor.user_id,
        &now_s,
    )
    .await?;
    for t in tickets {
        link_ticket(&mut tx, actor, id, product, *t, &now_s).await?;
    }
    crate::search::enqueue(&mut tx, "incident", &id.to_string(), &now_s).await?;
    tx.commit().await?;
    Ok(id)
}

async fn link_ticket(
    tx: &mut Conn,
    actor: &Actor,
    incident: Id,
    product: Id,
    ticket: Id,
    now_s: &str,
) -> Result<()> {
    let t = store::get_ticket(tx, TicketScope::All, ticket).await?;
    if t.product_id != product.to_string() {
        return Err(DomainError::invalid(
            "other_product",
            "tickets",
            format!("Le ticket {} porte sur un autre produit.", t.reference),
        )
        .into());
    }
    store::set_ticket_field(tx, ticket, "incident_id", Some(incident.to_string()), now_s).await?;
    event(
        tx,
        ticket,
        actor,
        "incident_id",
        t.incident_id.as_deref(),
        Some(&incident.to_string()),
        now_s,
    )
    .await?;
    Ok(())
}

pub async fn add_to_incident(app: &App, actor: &Actor, incident: Id, ticket: Id) -> Result<()> {
    require(is_agent(actor))?;
    let mut tx = app.db.begin().await?;
    let i = store::get_incident(&mut tx, incident).await?;
    let product = Id::parse(&i.product_id).ok_or_else(|| AppError::Internal("id".into()))?;
    link_ticket(&mut tx, actor, incident, product, ticket, &app.now_ts()).await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves an incident: its open tickets are resolved and every affected
/// institution (reporters and "nous aussi") gets one notification job.
pub async fn resolve_incident(app: &App, actor: &Actor, id: Id, resolution: &str) -> Result<usize> {
    require(is_agent(actor))?;
    let mut v = Violations::default();
    let resolution = required_text(&mut v, "resolution", resolution, 20_000);
    v.into_result()?;
    let resolution = resolution.unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let now_s = app.now_ts();
    store::resolve_incident(&mut tx, id, &resolution, &now_s).await?;
    let (tickets, _) = store::list_tickets(
        &mut tx,
        TicketScope::All,
        &store::TicketFilter {
            incident_id: Some(id.to_string()),
            open_only: true,
            limit: 1000,
            ..Default::default()
        },
    )
    .await?;
    for t in &tickets {
        let tid = tid(t)?;
        store::insert_message(
            &mut tx,
            Id::new(),
            tid,
            Some(actor.user_id),
            &actor.display_name,
            "public",
            &resolution,
            "web",
            None,
            &now_s,
        )
        .await?;
        move_status(&mut tx, app, actor, t, TicketStatus::Resolu).await?;
    }
    let institutions = store::incident_institutions(&mut tx, id).await?;
    for inst in &institutions {
        let mail = MailJob::IncidentResolved {
            incident_id: id,
            institution_id: inst.to_string(),
        };
        crate::jobs::enqueue(&mut tx, &mail, &now_s).await?;
    }
    crate::search::enqueue(&mut tx, "incident", &id.to_string(), &now_s).await?;
    tx.commit().await?;
    Ok(institutions.len())
}

pub async fn list_tickets(
    app: &App,
    actor: &Actor,
    f: &store::TicketFilter,
) -> Result<(Vec<TicketRow>, i64)> {
    let mut c = app.db.read().await?;
    let (mut rows, total) = store::list_tickets(&mut c, ticket_scope(actor), f).await?;
    for t in &mut rows {
        mask_requester(actor, t);
    }
    Ok((rows, total))
}

/// An incident and the tickets it groups that the reader may see. A member
/// sees an incident only when one of its products is deployed in their
/// institution (otherwise 404, like a missing one).
pub async fn get_incident(
    app: &App,
    actor: &Actor,
    id: Id,
) -> Result<(store::IncidentRow, Vec<TicketRow>)> {
    let mut c = app.db.read().await?;
    let incident = store::get_incident(&mut c, id).await?;
    if !actor.role.is_agency() {
        let inst = actor
            .institution_id
            .ok_or(AppError::Domain(DomainError::NotFound))?;
        let product = Id::parse(&incident.product_id)
            .ok_or_else(|| AppError::Internal("bad product id".into()))?;
        let visible = store::list_incidents(&mut c, Some(inst), Some(product), false)
            .await?
            .iter()
            .any(|i| i.id == incident.id);
        if !visible {
            return Err(DomainError::NotFound.into());
        }
    }
    let (mut tickets, _) = store::list_tickets(
        &mut c,
        ticket_scope(actor),
        &store::TicketFilter {
            incident_id: Some(id.to_string()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await?;
    for t in &mut tickets {
        mask_requester(actor, t);
    }
    Ok((incident, tickets))
}

pub async fn list_incidents(
    app: &App,
    actor: &Actor,
    product: Option<Id>,
    open_only: bool,
) -> Result<Vec<store::IncidentRow>> {
    let member_of = if actor.role.is_agency() {
        None
    } else {
        Some(
            actor
                .institution_id
                .ok_or(AppError::Domain(DomainError::NotFound))?,
        )
    };
    let mut c = app.db.read().await?;
    Ok(store::list_incidents(&mut c, member_of, product, open_only).await?)
}
