//! Training use cases (issue 5): the catalogue and its sessions, seat
//! requests approved by the registrant's institution referent, the waiting
//! list promoted when a seat frees, cancellation rules, attendance and
//! certificates, the board's dated tariffs and the statements built on
//! them (per institution, per trainer), reminders, calendar feeds and the
//! executive cycles.
//!
//! Who may do what:
//! - the catalogue and open sessions are public; a tailored (spécifique)
//!   session is seen only by its institution and the agency;
//! - a member requests a seat for themselves; the referent (member_admin)
//!   of the same institution, or an agency training manager (admin, domain
//!   lead), approves, refuses or cancels; anyone else's request looks like
//!   no request at all (404);
//! - a trainer takes the attendance of the sessions they run;
//! - statements and certificates are their institution's: another
//!   institution's answer 404.

use crate::{App, AppError, Result};
use chrono::NaiveDate;
use relais_domain::accounts::{Actor, Role};
use relais_domain::ical::{self, IcalEvent};
use relais_domain::training::{
    self as rules, Cents, DayPart, SessionStatus, Tariff, TariffTable, TrainingKind,
};
use relais_domain::{DomainError, Id};
use relais_store::training as store;
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::training::TrainingFilter;
use relais_store::training::{RegistrationRow, SessionRow, TariffRow, TrainingRow};
use relais_store::Conn;
use serde_json::json;

pub use store::{CycleRow, ModuleRow, ParticipantRow};

/// What became of an approved request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Confirmed,
    WaitingList,
}

const SANITARY_KEY: &str = "training.sanitary_percent";
const DEADLINE_KEY: &str = "training.cancel_deadline_days";
/// Reminders go this many days before the first day.
pub const REMINDER_DAYS: i64 = 3;

/// Today in Paris: sessions run by calendar day.
pub fn today(app: &App) -> NaiveDate {
    app.clock
        .now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

/// Agency staff who run the training offer.
pub fn can_manage(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Domain)
}

fn filter_for(app: &App, actor: Option<&Actor>) -> TrainingFilter {
    TrainingFilter {
        today: today(app).to_string(),
        institution: actor.and_then(|a| a.institution_id).map(|i| i.to_string()),
        agency: actor.is_some_and(|a| a.role.is_agency()),
        ..Default::default()
    }
}

fn visible(s: &SessionRow, actor: Option<&Actor>) -> bool {
    if actor.is_some_and(|a| a.role.is_agency()) {
        return true;
    }
    if s.status == "prevue" {
        return false;
    }
    match &s.institution_id {
        None => true,
        Some(i) => actor.and_then(|a| a.institution_id).map(|x| x.to_string()) == Some(i.clone()),
    }
}

/// The catalogue as `actor` (or an anonymous visitor) sees it.
pub async fn catalogue(
    app: &App,
    actor: Option<&Actor>,
    mut f: TrainingFilter,
) -> Result<Vec<TrainingRow>> {
    let base = filter_for(app, actor);
    f.today = base.today;
    f.institution = base.institution;
    f.agency = base.agency;
    let mut c = app.db.read().await?;
    Ok(store::list_trainings(&mut c, &f).await?)
}

/// A session with what its pages need.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub row: SessionRow,
    pub days: Vec<(NaiveDate, DayPart)>,
    pub trainers: Vec<(String, String)>,
    pub shown: SessionStatus,
    pub seats_left: i64,
    pub waiting: i64,
}

impl SessionView {
    pub fn half_days(&self) -> i64 {
        match self.row.half_days {
            Some(h) if h > 0 => h,
            _ if !self.days.is_empty() => rules::half_days_of(&self.days),
            _ => 0,
        }
    }
}

async fn session_view(c: &mut Conn, row: SessionRow) -> Result<SessionView> {
    let id = Id::parse(&row.id).ok_or(DomainError::NotFound)?;
    let days = store::session_days(c, id)
        .await?
        .into_iter()
        .filter_map(|(d, p)| {
            Some((
                NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?,
                DayPart::from_code(&p)?,
            ))
        })
        .collect();
    let trainers = store::session_trainers(c, id).await?;
    let (_, waiting, _, _) = store::session_counts(c, id).await?;
    Ok(SessionView {
        shown: SessionStatus::shown(&row.status, row.seats_taken, row.capacity),
        seats_left: (row.capacity - row.seats_taken).max(0),
        row,
        days,
        trainers,
        waiting,
    })
}

/// A training and the sessions the reader may see.
pub async fn training(
    app: &App,
    actor: Option<&Actor>,
    id: Id,
) -> Result<(TrainingRow, Vec<SessionView>)> {
    let f = filter_for(app, actor);
    let mut c = app.db.read().await?;
    let t = store::get_training(&mut c, id).await?;
    let mut sessions = vec![];
    for s in store::sessions_of_training(&mut c, id, &f).await? {
        sessions.push(session_view(&mut c, s).await?);
    }
    Ok((t, sessions))
}

/// One session, if the reader may see it.
pub async fn session(app: &App, actor: Option<&Actor>, id: Id) -> Result<SessionView> {
    let mut c = app.db.read().await?;
    let row = store::get_session(&mut c, id).await?;
    if !visible(&row, actor) {
        return Err(DomainError::NotFound.into());
    }
    session_view(&mut c, row).await
}

/// Whether `actor` runs this session as one of its trainers.
pub async fn is_trainer_of(app: &App, actor: &Actor, session: Id) -> Result<bool> {
    let mut c = app.db.read().await?;
    Ok(store::session_trainers(&mut c, session)
        .await?
        .iter()
        .any(|(u, _)| *u == actor.user_id.to_string()))
}

/// The registrations of a session `actor` may see: all for the agency and
/// the session's trainers, their institution's for a referent, their own
/// for a member.
pub async fn session_registrations(
    app: &App,
    actor: &Actor,
    session: Id,
) -> Result<Vec<(RegistrationRow, Option<i64>)>> {
    let trainer = is_trainer_of(app, actor, session).await?;
    let mut c = app.db.read().await?;
    let all = if actor.role.is_agency() || trainer {
        store::registrations_of_session(&mut c, session, None).await?
    } else if let Some(i) = actor.institution_id {
        let rows = store::registrations_of_session(&mut c, session, Some(i)).await?;
        if actor.role == Role::MemberAdmin {
            rows
        } else {
            rows.into_iter()
                .filter(|r| r.user_id == actor.user_id.to_string())
                .collect()
        }
    } else {
        vec![]
    };
    let mut out = vec![];
    for r in all {
        let pos = if r.status == "attente" {
            store::waiting_position(&mut c, Id::parse_stored(&r.id)?).await?
        } else {
            None
        };
        out.push((r, pos));
    }
    Ok(out)
}

/// A catalogue entry as typed in the form.
#[derive(Debug, Clone, Default)]
pub struct TrainingInput {
    pub code: String,
    pub title: String,
    pub kind: String,
    pub modality: String,
    pub half_days: String,
    pub domain: Option<String>,
    pub product: Option<String>,
    pub objectives: Option<String>,
    pub audience: Option<String>,
    pub prerequisites: Option<String>,
    pub moodle_url: Option<String>,
}

fn validate_training(i: &TrainingInput) -> Result<i64> {
    let mut v = relais_domain::shared::Violations::default();
    if i.code.trim().is_empty() {
        v.push("required", "code", "Le code est obligatoire.");
    }
    if i.title.trim().is_empty() {
        v.push("required", "title", "L'intitulé est obligatoire.");
    }
    if TrainingKind::from_code(&i.kind).is_none() {
        v.push("invalid_kind", "kind", "Type de formation inconnu.");
    }
    if rules::Modality::from_code(&i.modality).is_none() {
        v.push("invalid_modality", "modality", "Modalité inconnue.");
    }
    let half_days = match i.half_days.trim().replace(',', ".").parse::<f64>() {
        // Typed in days ("1,5"); stored in half days, exactly.
        Ok(d) if d > 0.0 && (d * 2.0).fract() == 0.0 && d <= 60.0 => (d * 2.0) as i64,
        _ => {
            v.push(
                "invalid_duration",
                "half_days",
                "La durée s'exprime en jours ou demi-journées (1, 1,5, 2…).",
            );
            0
        }
    };
    if let Some(u) = i.moodle_url.as_deref().filter(|u| !u.is_empty()) {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            v.push(
                "invalid_url",
                "moodle_url",
                "L'adresse de l'espace Moodle doit commencer par https://.",
            );
        }
    }
    v.into_result()?;
    Ok(half_days)
}

fn new_training<'a>(i: &'a TrainingInput, half_days: i64) -> store::NewTraining<'a> {
    let o = |s: &'a Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty());
    store::NewTraining {
        code: i.code.trim(),
        title: i.title.trim(),
        kind: &i.kind,
        modality: &i.modality,
        half_days,
        domain_code: o(&i.domain),
        product_id: o(&i.product),
        objectives: o(&i.objectives),
        audience: o(&i.audience),
        prerequisites: o(&i.prerequisites),
        moodle_url: o(&i.moodle_url),
    }
}

pub async fn create_training(app: &App, actor: &Actor, i: &TrainingInput) -> Result<Id> {
    if !can_manage(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let hd = validate_training(i)?;
    let id = Id::new();
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    store::insert_training(&mut tx, id, &new_training(i, hd), &now)
        .await
        .map_err(|e| conflict_code(e, "code", "Ce code de formation existe déjà."))?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "training",
        id,
        "create",
        &json!({"title": [null, i.title]}),
        &now,
    )
    .await?;
    crate::search::enqueue(&mut tx, "training", &id.to_string(), &now).await?;
    tx.commit().await?;
    Ok(id)
}

fn conflict_code(e: relais_store::StoreError, field: &'static str, msg: &str) -> AppError {
    match e {
        relais_store::StoreError::Conflict(_) => {
            DomainError::invalid("duplicate", field, msg.to_string()).into()
        }
        e => e.into(),
    }
}

pub async fn update_training(app: &App, actor: &Actor, id: Id, i: &TrainingInput) -> Result<()> {
    if !can_manage(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let hd = validate_training(i)?;
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let before = store::get_training(&mut tx, id).await?;
    store::update_training(&mut tx, id, &new_training(i, hd))
        .await
        .map_err(|e| conflict_code(e, "code", "Ce code de formation existe déjà."))?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "training",
        id,
        "update",
        &json!({"title": [before.title, i.title], "half_days": [before.half_days, hd]}),
        &now,
    )
    .await?;
    crate::search::enqueue(&mut tx, "training", &id.to_string(), &now).await?;
    tx.commit().await?;
    Ok(())
}

/// A session as typed in the form.
#[derive(Debug, Clone, Default)]
pub struct SessionInput {
    /// One day per line: `AAAA-MM-JJ [journee|matin|apres-midi]`.
    pub days: String,
    pub place: Option<String>,
    pub visio_url: Option<String>,
    pub room_capacity: String,
    pub status: String,
    pub trainers: Vec<Id>,
    /// For a tailored session: the institution that asked for it.
    pub institution: Option<Id>,
}

struct CheckedSession {
    days: Vec<(NaiveDate, DayPart)>,
    room: i64,
}

fn validate_session(i: &SessionInput, kind: TrainingKind) -> Result<CheckedSession> {
    let mut v = relais_domain::shared::Violations::default();
    let days = match rules::parse_day_lines(&i.days) {
        Ok(d) => d,
        Err(msg) => {
            v.push("invalid_days", "days", msg);
            vec![]
        }
    };
    let room = match i.room_capacity.trim().parse::<i64>() {
        Ok(n) if (1..=500).contains(&n) => n,
        _ => {
            v.push(
                "invalid_capacity",
                "room_capacity",
                "La capacité de la salle est un nombre de places entre 1 et 500.",
            );
            0
        }
    };
    if !matches!(
        i.status.as_str(),
        "prevue" | "ouverte" | "confirmee" | "annulee" | "realisee"
    ) {
        v.push("invalid_status", "status", "Statut de session inconnu.");
    }
    if i.trainers.len() > 2 {
        v.push(
            "too_many_trainers",
            "trainers",
            "Une session a un formateur ou un binôme, pas plus.",
        );
    }
    if kind == TrainingKind::Specifique && i.institution.is_none() {
        v.push(
            "institution_required",
            "institution",
            "Une formation spécifique est demandée par un établissement : choisissez-le.",
        );
    }
    if let Some(u) = i.visio_url.as_deref().filter(|u| !u.is_empty()) {
        if !u.starts_with("https://") {
            v.push(
                "invalid_url",
                "visio_url",
                "Le lien de visio doit commencer par https://.",
            );
        }
    }
    v.into_result()?;
    Ok(CheckedSession { days, room })
}

async fn sanitary_percent_in(c: &mut Conn) -> Result<i64> {
    Ok(relais_store::watchdog::get_setting(c, SANITARY_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(100))
}

async fn deadline_days_in(c: &mut Conn) -> Result<i64> {
    Ok(relais_store::watchdog::get_setting(c, DEADLINE_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(7))
}

/// `(sanitary percent, cancellation deadline in days)`.
pub async fn settings(app: &App) -> Result<(i64, i64)> {
    let mut c = app.db.read().await?;
    Ok((
        sanitary_percent_in(&mut c).await?,
        deadline_days_in(&mut c).await?,
    ))
}

/// The admin sets the sanitary factor (percent of a room's seats offered)
/// and the cancellation deadline. Sessions to come take the new factor at
/// once — never below the seats already confirmed — and a room that grows
/// promotes its waiting list.
pub async fn save_settings(app: &App, actor: &Actor, percent: &str, deadline: &str) -> Result<()> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let mut v = relais_domain::shared::Violations::default();
    let p = percent
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=100).contains(p));
    if p.is_none() {
        v.push(
            "invalid_percent",
            "sanitary_percent",
            "Le facteur sanitaire est un pourcentage entre 1 et 100 (50 : jauge divisée par deux).",
        );
    }
    let d = deadline
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (0..=90).contains(d));
    if d.is_none() {
        v.push(
            "invalid_deadline",
            "cancel_deadline_days",
            "Le délai d'annulation est un nombre de jours entre 0 et 90.",
        );
    }
    v.into_result()?;
    let (p, d) = (p.unwrap_or(100), d.unwrap_or(7));
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let before = (
        sanitary_percent_in(&mut tx).await?,
        deadline_days_in(&mut tx).await?,
    );
    relais_store::watchdog::set_setting(&mut tx, SANITARY_KEY, &p.to_string(), &now).await?;
    relais_store::watchdog::set_setting(&mut tx, DEADLINE_KEY, &d.to_string(), &now).await?;
    let touched = store::apply_sanitary_percent(&mut tx, p, &today(app).to_string()).await?;
    for s in touched {
        if let Some(id) = Id::parse(&s) {
            promote_waiting(&mut tx, id, &now).await?;
        }
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "training_settings",
        Id::default(),
        "update",
        &json!({"sanitary_percent": [before.0, p], "cancel_deadline_days": [before.1, d]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn session_fields<'a>(
    c: &mut Conn,
    training: &TrainingRow,
    i: &'a SessionInput,
    checked: &CheckedSession,
    starts: &'a str,
    ends: &'a str,
) -> Result<store::NewSession<'a>> {
    let percent = sanitary_percent_in(c).await?;
    let o = |s: &'a Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty());
    Ok(store::NewSession {
        training: Id::parse_stored(&training.id)?,
        starts_on: starts,
        ends_on: ends,
        place: o(&i.place),
        visio_url: o(&i.visio_url),
        room_capacity: checked.room,
        capacity: rules::effective_capacity(checked.room, percent),
        status: &i.status,
        institution: if training.kind == "specifique" {
            i.institution
        } else {
            None
        },
        half_days: rules::half_days_of(&checked.days),
    })
}

fn day_strings(days: &[(NaiveDate, DayPart)]) -> Vec<(String, String)> {
    days.iter()
        .map(|(d, p)| (d.to_string(), p.code().to_string()))
        .collect()
}

pub async fn create_session(
    app: &App,
    actor: &Actor,
    training: Id,
    i: &SessionInput,
) -> Result<Id> {
    if !can_manage(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let t = store::get_training(&mut tx, training).await?;
    let kind = TrainingKind::from_code(&t.kind).unwrap_or(TrainingKind::Continue);
    let checked = validate_session(i, kind)?;
    let starts = checked
        .days
        .first()
        .map(|d| d.0.to_string())
        .unwrap_or_default();
    let ends = checked
        .days
        .last()
        .map(|d| d.0.to_string())
        .unwrap_or_default();
    let fields = session_fields(&mut tx, &t, i, &checked, &starts, &ends).await?;
    let id = Id::new();
    store::insert_session_full(&mut tx, id, &fields, &now).await?;
    store::replace_session_days(&mut tx, id, &day_strings(&checked.days)).await?;
    store::set_session_trainers(&mut tx, id, &i.trainers).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "training_session",
        id,
        "create",
        &json!({"training": [null, t.title], "starts_on": [null, starts], "capacity": [null, fields.capacity]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Edits a session. Cancelling it tells every registrant; a larger room
/// promotes the waiting list.
pub async fn update_session(app: &App, actor: &Actor, id: Id, i: &SessionInput) -> Result<()> {
    if !can_manage(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let before = store::get_session(&mut tx, id).await?;
    let t = store::get_training(&mut tx, Id::parse_stored(&before.training_id)?).await?;
    let kind = TrainingKind::from_code(&t.kind).unwrap_or(TrainingKind::Continue);
    let checked = validate_session(i, kind)?;
    let starts = checked
        .days
        .first()
        .map(|d| d.0.to_string())
        .unwrap_or_default();
    let ends = checked
        .days
        .last()
        .map(|d| d.0.to_string())
        .unwrap_or_default();
    let fields = session_fields(&mut tx, &t, i, &checked, &starts, &ends).await?;
    store::update_session(&mut tx, id, &fields).await?;
    store::replace_session_days(&mut tx, id, &day_strings(&checked.days)).await?;
    store::set_session_trainers(&mut tx, id, &i.trainers).await?;
    if i.status == "annulee" && before.status != "annulee" {
        for r in store::registrations_of_session(&mut tx, id, None).await? {
            if matches!(r.status.as_str(), "confirmee" | "attente" | "demande") {
                notify(&mut tx, &r.id, "session_annulee", &now).await?;
            }
        }
    } else {
        promote_waiting(&mut tx, id, &now).await?;
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "training_session",
        id,
        "update",
        &json!({"status": [before.status, i.status], "starts_on": [before.starts_on, starts],
                "capacity": [before.capacity, fields.capacity]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn notify(tx: &mut Conn, registration: &str, event: &str, now: &str) -> Result<()> {
    let mail = crate::jobs::MailJob::Registration {
        registration_id: Id::parse_stored(registration)?,
        event: event.into(),
    };
    crate::jobs::enqueue(tx, &mail, now).await?;
    Ok(())
}

/// A member asks for a seat on a session for themselves. On a session
/// still open (full or not) the request waits for their referent.
pub async fn request_seat(app: &App, actor: &Actor, session: Id) -> Result<Id> {
    let inst = actor.institution_id.ok_or(DomainError::Forbidden)?;
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let s = store::get_session(&mut tx, session).await?;
    if !visible(&s, Some(actor)) {
        return Err(DomainError::NotFound.into());
    }
    if !SessionStatus::takes_registrations(&s.status) {
        return Err(DomainError::invalid(
            "session_closed",
            "session",
            "Cette session n'est pas ouverte aux inscriptions.",
        )
        .into());
    }
    let id = Id::new();
    let id =
        if store::insert_registration(&mut tx, id, session, actor.user_id, inst, "demande", &now)
            .await?
        {
            id
        } else if let Some(again) =
            store::renew_registration(&mut tx, session, actor.user_id, &now).await?
        {
            Id::parse_stored(&again)?
        } else {
            return Err(DomainError::invalid(
                "already_registered",
                "session",
                "Vous avez déjà demandé une place sur cette session.",
            )
            .into());
        };
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "registration",
        id,
        "request",
        &json!({"status": [null, "demande"], "session": [null, session.to_string()]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// May `actor` decide on a registration of `institution`? Referents of
/// that institution and the agency's training managers.
fn may_decide(actor: &Actor, institution: &str) -> bool {
    can_manage(actor)
        || (actor.role == Role::MemberAdmin
            && actor.institution_id.map(|i| i.to_string()).as_deref() == Some(institution))
}

/// The referent of the registrant's institution (or an agency admin)
/// approves: a seat if one is left, else the waiting list.
pub async fn approve(app: &App, actor: &Actor, registration: Id) -> Result<Decision> {
    let mut tx = app.db.begin().await?;
    let (session, institution, status) = store::registration(&mut tx, registration)
        .await?
        .ok_or(DomainError::NotFound)?;
    if !may_decide(actor, &institution) {
        // Another institution's request looks like no request at all.
        return Err(DomainError::NotFound.into());
    }
    if status != "demande" {
        return Err(DomainError::invalid(
            "already_decided",
            "registration",
            "Cette demande a déjà été traitée.",
        )
        .into());
    }
    let session = Id::parse(&session).ok_or(DomainError::NotFound)?;
    let now = app.now_ts();
    let decision = if store::take_seat(&mut tx, session).await? {
        store::decide(&mut tx, registration, "confirmee", actor.user_id, &now).await?;
        Decision::Confirmed
    } else {
        store::decide(&mut tx, registration, "attente", actor.user_id, &now).await?;
        Decision::WaitingList
    };
    let after = match decision {
        Decision::Confirmed => "confirmee",
        Decision::WaitingList => "attente",
    };
    notify(&mut tx, &registration.to_string(), after, &now).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "registration",
        registration,
        "approve",
        &json!({"status": ["demande", after]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(decision)
}

/// The referent refuses a request.
pub async fn refuse(app: &App, actor: &Actor, registration: Id) -> Result<()> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let (_, institution, status) = store::registration(&mut tx, registration)
        .await?
        .ok_or(DomainError::NotFound)?;
    if !may_decide(actor, &institution) {
        return Err(DomainError::NotFound.into());
    }
    if status != "demande" {
        return Err(DomainError::invalid(
            "already_decided",
            "registration",
            "Cette demande a déjà été traitée.",
        )
        .into());
    }
    store::decide(&mut tx, registration, "refusee", actor.user_id, &now).await?;
    notify(&mut tx, &registration.to_string(), "refusee", &now).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "registration",
        registration,
        "refuse",
        &json!({"status": ["demande", "refusee"]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Promotes the waiting list while seats are free, in order; each person
/// promoted gets the confirmation mail. Runs inside the caller's
/// transaction, so the freed seat and the promotion commit together.
async fn promote_waiting(tx: &mut Conn, session: Id, now: &str) -> Result<Vec<Id>> {
    let mut promoted = vec![];
    while let Some(next) = store::first_waiting(tx, session).await? {
        if !store::take_seat(tx, session).await? {
            break;
        }
        store::promote(tx, next, now).await?;
        notify(tx, &next.to_string(), "promue", now).await?;
        relais_store::audit::record(
            tx,
            None,
            "registration",
            next,
            "promote",
            &json!({"status": ["attente", "confirmee"]}),
            now,
        )
        .await?;
        promoted.push(next);
    }
    Ok(promoted)
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled {
    /// Within the deadline: the seat is still billed.
    pub late: bool,
    /// Who took the freed seat from the waiting list.
    pub promoted: Vec<Id>,
}

/// The registrant, their referent or the agency cancels. A confirmed seat
/// goes to the first on the waiting list; a cancellation fewer than the
/// deadline's days before the first day is late and stays billed.
pub async fn cancel(app: &App, actor: &Actor, registration: Id) -> Result<Cancelled> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let r = store::get_registration(&mut tx, registration, None).await?;
    let own = r.user_id == actor.user_id.to_string();
    if !own && !may_decide(actor, &r.institution_id) {
        return Err(DomainError::NotFound.into());
    }
    if !matches!(r.status.as_str(), "demande" | "attente" | "confirmee") {
        return Err(DomainError::invalid(
            "not_cancellable",
            "registration",
            "Cette inscription est déjà annulée ou refusée.",
        )
        .into());
    }
    let first = NaiveDate::parse_from_str(&r.starts_on, "%Y-%m-%d").unwrap_or_else(|_| today(app));
    if first < today(app) {
        return Err(DomainError::invalid(
            "session_started",
            "registration",
            "La session a commencé : l'inscription ne peut plus être annulée.",
        )
        .into());
    }
    let deadline = deadline_days_in(&mut tx).await?;
    let late = r.status == "confirmee" && rules::cancellation_is_late(today(app), first, deadline);
    store::cancel_registration(&mut tx, registration, late, &now).await?;
    let session = Id::parse_stored(&r.session_id)?;
    let mut promoted = vec![];
    if r.status == "confirmee" {
        store::release_seat(&mut tx, session).await?;
        promoted = promote_waiting(&mut tx, session, &now).await?;
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "registration",
        registration,
        "cancel",
        &json!({"status": [r.status, "annulee"], "late": [null, late]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(Cancelled { late, promoted })
}

/// The session's trainer (or the agency) records who was there. Only from
/// the first day, only for confirmed registrations; the session is then
/// held.
pub async fn take_attendance(
    app: &App,
    actor: &Actor,
    session: Id,
    marks: &[(Id, Option<bool>)],
) -> Result<()> {
    let trainer = is_trainer_of(app, actor, session).await?;
    if !(trainer || can_manage(actor)) {
        return Err(DomainError::NotFound.into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let s = store::get_session(&mut tx, session).await?;
    if s.starts_on.as_str() > today(app).to_string().as_str() {
        return Err(DomainError::invalid(
            "too_early",
            "attendance",
            "La présence se relève à partir du premier jour de la session.",
        )
        .into());
    }
    let regs = store::registrations_of_session(&mut tx, session, None).await?;
    for (id, present) in marks {
        let Some(r) = regs.iter().find(|r| r.id == id.to_string()) else {
            return Err(DomainError::NotFound.into());
        };
        if r.status != "confirmee" {
            continue;
        }
        store::set_attendance(&mut tx, *id, *present).await?;
        relais_store::audit::record(
            &mut tx,
            Some(actor.user_id),
            "registration",
            *id,
            "attendance",
            &json!({"attended": [r.attended, present]}),
            &now,
        )
        .await?;
    }
    if matches!(s.status.as_str(), "ouverte" | "confirmee") {
        store::set_session_status(&mut tx, session, "realisee").await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A person's own registrations with their place on a waiting list.
pub async fn my_registrations(
    app: &App,
    actor: &Actor,
) -> Result<Vec<(RegistrationRow, Option<i64>)>> {
    let mut c = app.db.read().await?;
    let rows = store::registrations_of_user(&mut c, actor.user_id).await?;
    let mut out = vec![];
    for r in rows {
        let pos = if r.status == "attente" {
            store::waiting_position(&mut c, Id::parse_stored(&r.id)?).await?
        } else {
            None
        };
        out.push((r, pos));
    }
    Ok(out)
}

/// Requests awaiting `actor`'s decision: their institution's for a
/// referent, all for the agency's training managers.
pub async fn pending_requests(app: &App, actor: &Actor) -> Result<Vec<RegistrationRow>> {
    let scope = if can_manage(actor) {
        None
    } else if actor.role == Role::MemberAdmin {
        actor.institution_id
    } else {
        return Err(DomainError::Forbidden.into());
    };
    let mut c = app.db.read().await?;
    Ok(store::pending_requests(&mut c, scope).await?)
}

/// The registration behind an attendance certificate: only for someone
/// present, and only to them, their institution or the agency.
pub async fn certificate(
    app: &App,
    actor: &Actor,
    registration: Id,
) -> Result<(RegistrationRow, Vec<(NaiveDate, DayPart)>)> {
    let scope = if actor.role.is_agency() {
        None
    } else {
        Some(actor.institution_id.ok_or(DomainError::NotFound)?)
    };
    let mut c = app.db.read().await?;
    let r = store::get_registration(&mut c, registration, scope).await?;
    let mine = r.user_id == actor.user_id.to_string();
    if !(mine || actor.role.is_agency() || actor.role == Role::MemberAdmin) {
        return Err(DomainError::NotFound.into());
    }
    if r.attended != Some(1) {
        return Err(DomainError::NotFound.into());
    }
    let days = store::session_days(&mut c, Id::parse_stored(&r.session_id)?)
        .await?
        .into_iter()
        .filter_map(|(d, p)| {
            Some((
                NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?,
                DayPart::from_code(&p)?,
            ))
        })
        .collect();
    Ok((r, days))
}

async fn tariff_table(c: &mut Conn) -> Result<TariffTable> {
    Ok(TariffTable::new(
        store::tariffs(c)
            .await?
            .into_iter()
            .filter_map(|t| {
                Some(Tariff {
                    effective_from: NaiveDate::parse_from_str(&t.effective_from, "%Y-%m-%d")
                        .ok()?,
                    continue_per_trainee_day: t.continue_cents,
                    specific_per_group_day: t.specific_cents,
                    trainer_day: t.trainer_cents,
                })
            })
            .collect(),
    ))
}

/// One line of an institution's statement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatementLine {
    pub registration_id: Option<String>,
    pub session_id: String,
    pub trainee: String,
    pub training: String,
    pub kind: String,
    pub starts_on: String,
    pub ends_on: String,
    pub half_days: i64,
    /// Tariff in force on the first day, in cents (per trainee and day, or
    /// per group and day).
    pub unit_cents: Cents,
    pub amount_cents: Cents,
    pub note: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Statement {
    pub institution_id: String,
    pub institution_name: String,
    pub from: String,
    pub to: String,
    pub lines: Vec<StatementLine>,
    pub total_cents: Cents,
}

fn check_period(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate)> {
    let f = NaiveDate::parse_from_str(from, "%Y-%m-%d");
    let t = NaiveDate::parse_from_str(to, "%Y-%m-%d");
    match (f, t) {
        (Ok(f), Ok(t)) if f <= t => Ok((f, t)),
        _ => Err(DomainError::invalid(
            "invalid_period",
            "du",
            "La période va d'une date AAAA-MM-JJ à une date postérieure.",
        )
        .into()),
    }
}

/// What an institution owes for trainings whose first day falls in the
/// period: per trainee for continuing training (confirmed seats, and late
/// cancellations, at the tariff in force on the first day), per group for
/// its tailored sessions, nothing for deployment training. Another
/// institution's statement is not found.
pub async fn statement(
    app: &App,
    actor: &Actor,
    institution: Id,
    from: &str,
    to: &str,
) -> Result<Statement> {
    let referent = actor.role == Role::MemberAdmin && actor.institution_id == Some(institution);
    if !(actor.role.is_agency() || referent) {
        return Err(DomainError::NotFound.into());
    }
    check_period(from, to)?;
    let mut c = app.db.read().await?;
    let inst = relais_store::crm::get_institution(
        &mut c,
        relais_domain::accounts::Scope::All,
        institution,
    )
    .await?;
    let table = tariff_table(&mut c).await?;
    let mut lines = vec![];
    for r in store::registrations_of_institution(&mut c, institution, from, to).await? {
        let billed =
            (r.status == "confirmee" || r.late_cancel == 1) && r.session_status != "annulee";
        if !billed || r.kind == "specifique" {
            continue;
        }
        let kind = TrainingKind::from_code(&r.kind).unwrap_or(TrainingKind::Continue);
        let day = NaiveDate::parse_from_str(&r.starts_on, "%Y-%m-%d").unwrap_or_default();
        let Some(t) = table.on(day) else { continue };
        let hd = r.half_days.unwrap_or(0);
        let unit = match kind {
            TrainingKind::Continue => t.continue_per_trainee_day,
            _ => 0,
        };
        lines.push(StatementLine {
            registration_id: Some(r.id.clone()),
            session_id: r.session_id.clone(),
            trainee: r.user_name.clone(),
            training: r.training_title.clone(),
            kind: r.kind.clone(),
            starts_on: r.starts_on.clone(),
            ends_on: r.ends_on.clone(),
            half_days: hd,
            unit_cents: unit,
            amount_cents: rules::amount_owed(kind, hd, 1, t),
            note: if r.late_cancel == 1 {
                "Annulation tardive".into()
            } else if kind == TrainingKind::Deploiement {
                "Compris dans la redevance de déploiement".into()
            } else if r.attended == Some(0) {
                "Absent·e".into()
            } else {
                String::new()
            },
        });
    }
    for s in store::specific_sessions_of(&mut c, institution, from, to).await? {
        let day = NaiveDate::parse_from_str(&s.starts_on, "%Y-%m-%d").unwrap_or_default();
        let Some(t) = table.on(day) else { continue };
        let hd = s.half_days.unwrap_or(0);
        let n =
            store::registrations_of_session(&mut c, Id::parse_stored(&s.id)?, Some(institution))
                .await?
                .iter()
                .filter(|r| r.status == "confirmee")
                .count();
        lines.push(StatementLine {
            registration_id: None,
            session_id: s.id.clone(),
            trainee: format!("Groupe ({n} stagiaires)"),
            training: s.training_title.clone(),
            kind: s.kind.clone(),
            starts_on: s.starts_on.clone(),
            ends_on: s.ends_on.clone(),
            half_days: hd,
            unit_cents: t.specific_per_group_day,
            amount_cents: rules::amount_owed(TrainingKind::Specifique, hd, n as i64, t),
            note: "Tarif par groupe".into(),
        });
    }
    lines.sort_by(|a, b| {
        (&a.starts_on, &a.training, &a.trainee).cmp(&(&b.starts_on, &b.training, &b.trainee))
    });
    let total_cents = lines.iter().map(|l| l.amount_cents).sum();
    Ok(Statement {
        institution_id: institution.to_string(),
        institution_name: inst.name,
        from: from.into(),
        to: to.into(),
        lines,
        total_cents,
    })
}

/// One line of a trainer's statement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainerLine {
    pub session_id: String,
    pub training: String,
    pub starts_on: String,
    pub ends_on: String,
    pub half_days: i64,
    pub trainers: i64,
    pub amount_cents: Cents,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainerStatement {
    pub trainer_id: String,
    pub trainer_name: String,
    pub from: String,
    pub to: String,
    pub lines: Vec<TrainerLine>,
    pub total_cents: Cents,
}

/// What a trainer is paid for sessions in the period: the day rate in
/// force on the first day, halved for a pair. The trainer sees their own;
/// the agency sees everyone's.
pub async fn trainer_statement(
    app: &App,
    actor: &Actor,
    trainer: Id,
    from: &str,
    to: &str,
) -> Result<TrainerStatement> {
    if !(actor.role.is_agency() || actor.user_id == trainer) {
        return Err(DomainError::NotFound.into());
    }
    check_period(from, to)?;
    let mut c = app.db.read().await?;
    let user =
        relais_store::accounts::get_user(&mut c, relais_domain::accounts::Scope::All, trainer)
            .await?;
    let table = tariff_table(&mut c).await?;
    let mut lines = vec![];
    for (s, n) in store::trainer_sessions(&mut c, trainer, from, to).await? {
        let day = NaiveDate::parse_from_str(&s.starts_on, "%Y-%m-%d").unwrap_or_default();
        let Some(t) = table.on(day) else { continue };
        let hd = s.half_days.unwrap_or(0);
        lines.push(TrainerLine {
            session_id: s.id.clone(),
            training: s.training_title.clone(),
            starts_on: s.starts_on.clone(),
            ends_on: s.ends_on.clone(),
            half_days: hd,
            trainers: n,
            amount_cents: rules::trainer_pay(hd, n, t),
        });
    }
    let total_cents = lines.iter().map(|l| l.amount_cents).sum();
    Ok(TrainerStatement {
        trainer_id: trainer.to_string(),
        trainer_name: user.display_name,
        from: from.into(),
        to: to.into(),
        lines,
        total_cents,
    })
}

pub async fn tariffs(app: &App) -> Result<Vec<TariffRow>> {
    let mut c = app.db.read().await?;
    Ok(store::tariffs(&mut c).await?)
}

/// Parses "260", "260,00" or "1 500,50" euros into cents, exactly.
pub fn parse_euros(s: &str) -> Option<Cents> {
    let s: String = s
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect();
    let s = s.replace(',', ".");
    let (e, c) = match s.split_once('.') {
        Some((e, c)) if !c.is_empty() && c.len() <= 2 && c.chars().all(|x| x.is_ascii_digit()) => {
            (e.to_string(), format!("{c:0<2}"))
        }
        None => (s.clone(), "00".into()),
        _ => return None,
    };
    if e.is_empty() || !e.chars().all(|x| x.is_ascii_digit()) || e.len() > 9 {
        return None;
    }
    Some(e.parse::<i64>().ok()? * 100 + c.parse::<i64>().ok()?)
}

/// The admin records the board's tariffs from a date (a new year, or a
/// correction of a row). Statements of sessions before that date keep
/// the tariff they were under.
pub async fn save_tariff(
    app: &App,
    actor: &Actor,
    effective_from: &str,
    continue_eur: &str,
    specific_eur: &str,
    trainer_eur: &str,
    note: Option<&str>,
) -> Result<()> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let mut v = relais_domain::shared::Violations::default();
    if NaiveDate::parse_from_str(effective_from.trim(), "%Y-%m-%d").is_err() {
        v.push(
            "invalid_date",
            "effective_from",
            "La date d'effet s'écrit AAAA-MM-JJ.",
        );
    }
    let mut money = |s: &str, field: &'static str| -> Cents {
        parse_euros(s).unwrap_or_else(|| {
            v.push(
                "invalid_amount",
                field,
                "Montant en euros attendu, par exemple 260 ou 202,50.",
            );
            0
        })
    };
    let (c1, c2, c3) = (
        money(continue_eur, "continue"),
        money(specific_eur, "specific"),
        money(trainer_eur, "trainer"),
    );
    v.into_result()?;
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let row = TariffRow {
        effective_from: effective_from.trim().into(),
        continue_cents: c1,
        specific_cents: c2,
        trainer_cents: c3,
        note: note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        updated_at: now.clone(),
    };
    store::upsert_tariff(&mut tx, &row).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "tariff",
        Id::default(),
        "upsert",
        &json!({"effective_from": [null, row.effective_from], "continue_cents": [null, c1],
                "specific_cents": [null, c2], "trainer_cents": [null, c3]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends the reminders due: confirmed registrants of sessions starting in
/// the next days, once each (the mark and the mail commit together).
pub async fn send_reminders(app: &App) -> Result<usize> {
    let from = today(app);
    let to = from + chrono::Duration::days(REMINDER_DAYS);
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let due = store::due_reminders(&mut tx, &from.to_string(), &to.to_string()).await?;
    let mut n = 0;
    for id in due {
        if store::mark_reminded(&mut tx, &id, &now).await? {
            notify(&mut tx, &id, "rappel", &now).await?;
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// The mail about a registration: `(to, subject, text)`, read from the
/// data as it is when the job runs.
pub async fn registration_mail(
    app: &App,
    registration: Id,
    event: &str,
    base_url: &str,
) -> Result<Option<(String, String, String)>> {
    let mut c = app.db.read().await?;
    let r = match store::get_registration(&mut c, registration, None).await {
        Ok(r) => r,
        Err(relais_store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let session = Id::parse_stored(&r.session_id)?;
    let days = store::session_days(&mut c, session).await?;
    let when = days
        .iter()
        .map(|(d, p)| {
            let label = DayPart::from_code(p).map(|x| x.label_fr()).unwrap_or("");
            format!("  - {} ({label})", fr_date(d))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let place = r.place.clone().unwrap_or_else(|| "à préciser".into());
    let link = format!(
        "{}/formations/sessions/{}",
        base_url.trim_end_matches('/'),
        r.session_id
    );
    let (subject, lead) = match event {
        "confirmee" => ("Inscription confirmée", "Votre inscription est confirmée.".to_string()),
        "promue" => (
            "Une place s'est libérée : inscription confirmée",
            "Une place s'est libérée : vous passez de la liste d'attente à une inscription confirmée.".to_string(),
        ),
        "attente" => {
            let pos = store::waiting_position(&mut c, registration).await?.unwrap_or(0);
            (
                "Inscription en liste d'attente",
                format!("La session est complète : vous êtes en position {pos} sur la liste d'attente. Vous serez prévenu·e si une place se libère."),
            )
        }
        "refusee" => ("Demande d'inscription refusée", "Votre établissement n'a pas validé votre demande d'inscription.".to_string()),
        "rappel" => ("Rappel : votre formation approche", "Votre formation commence bientôt.".to_string()),
        "session_annulee" => ("Session annulée", "La session à laquelle vous étiez inscrit·e est annulée.".to_string()),
        _ => return Ok(None),
    };
    let text = format!(
        "Bonjour {},\n\n{lead}\n\nFormation : {}\nDates :\n{when}\nLieu : {place}\n\n{link}\n",
        r.user_name, r.training_title
    );
    Ok(Some((
        r.user_email,
        format!("[Relais] {subject} — {}", r.training_title),
        text,
    )))
}

pub(crate) fn fr_date(d: &str) -> String {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(|x| x.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| d.to_string())
}

/// Makes (or remakes) the person's secret calendar token; the old one stops
/// working at once. Returned once: only its hash is kept.
pub async fn renew_calendar_token(app: &App, actor: &Actor) -> Result<String> {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    store::set_calendar_token(
        &mut tx,
        actor.user_id,
        &crate::accounts::hash_token(&token),
        &now,
    )
    .await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "calendar_token",
        actor.user_id,
        "renew",
        &json!({}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn revoke_calendar_token(app: &App, actor: &Actor) -> Result<()> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    store::delete_calendar_token(&mut tx, actor.user_id).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "calendar_token",
        actor.user_id,
        "revoke",
        &json!({}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// When the person's calendar token was made, if one is active.
pub async fn calendar_token_since(app: &App, actor: &Actor) -> Result<Option<String>> {
    let mut c = app.db.read().await?;
    Ok(store::calendar_token_created(&mut c, actor.user_id).await?)
}

fn events_of(s: &SessionView, base_url: &str, uid_suffix: &str) -> Vec<IcalEvent> {
    let r = &s.row;
    let location = match (&r.place, &r.visio_url) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(v)) => Some(format!("Visio : {v}")),
        _ => None,
    };
    let days: Vec<(NaiveDate, DayPart)> = if s.days.is_empty() {
        NaiveDate::parse_from_str(&r.starts_on, "%Y-%m-%d")
            .map(|d| vec![(d, DayPart::Journee)])
            .unwrap_or_default()
    } else {
        s.days.clone()
    };
    days.iter()
        .filter_map(|(d, p)| {
            let ((h1, m1), (h2, m2)) = p.hours();
            Some(IcalEvent {
                uid: format!("{}-{}-{}{uid_suffix}@relais", r.id, d, p.code()),
                start: d.and_hms_opt(h1, m1, 0)?,
                end: d.and_hms_opt(h2, m2, 0)?,
                summary: format!("Formation : {}", r.training_title),
                location: location.clone(),
                description: Some(format!(
                    "{} — {}",
                    TrainingKind::from_code(&r.kind)
                        .map(|k| k.label_fr())
                        .unwrap_or(""),
                    rules::Modality::from_code(&r.modality)
                        .map(|k| k.label_fr())
                        .unwrap_or("")
                )),
                url: Some(format!(
                    "{}/formations/sessions/{}",
                    base_url.trim_end_matches('/'),
                    r.id
                )),
                cancelled: r.status == "annulee",
            })
        })
        .collect()
}

fn paris(ts: &str) -> Option<chrono::NaiveDateTime> {
    relais_store::parse_ts(ts).map(|t| t.with_timezone(&chrono_tz::Europe::Paris).naive_local())
}

/// A community event as a calendar entry; its visio link only in the feed
/// of someone registered (as on its page).
fn event_entry(
    e: &relais_store::community::EventRow,
    base_url: &str,
    registered: bool,
) -> Option<IcalEvent> {
    let kind = relais_domain::community::EventKind::from_code(&e.kind)
        .map(|k| k.label_fr())
        .unwrap_or("Événement");
    let location = match (&e.place, &e.visio_url, registered) {
        (Some(p), _, _) => Some(p.clone()),
        (None, Some(v), true) => Some(format!("Visio : {v}")),
        (None, Some(_), false) => Some("Visio".into()),
        _ => None,
    };
    Some(IcalEvent {
        uid: format!(
            "{}{}@relais",
            e.id,
            if registered { "-inscription" } else { "" }
        ),
        start: paris(&e.starts_at)?,
        end: paris(&e.ends_at)?,
        summary: format!("{kind} : {}", e.title),
        location,
        description: e.description.clone(),
        url: Some(format!(
            "{}/communautes/{}",
            base_url.trim_end_matches('/'),
            e.id
        )),
        cancelled: false,
    })
}

/// The public feed: sessions of the catalogue open to every member, from
/// three months back to a year ahead.
pub async fn public_feed(app: &App, base_url: &str) -> Result<String> {
    let t = today(app);
    let f = filter_for(app, None);
    let mut c = app.db.read().await?;
    let rows = store::sessions_between(
        &mut c,
        &(t - chrono::Duration::days(90)).to_string(),
        &(t + chrono::Duration::days(366)).to_string(),
        &f,
    )
    .await?;
    let mut events = vec![];
    for r in rows {
        events.extend(events_of(&session_view(&mut c, r).await?, base_url, ""));
    }
    let now = app.clock.now();
    for e in relais_store::community::events_between(
        &mut c,
        &relais_store::ts(now - chrono::Duration::days(90)),
        &relais_store::ts(now + chrono::Duration::days(366)),
    )
    .await?
    {
        events.extend(event_entry(&e, base_url, false));
    }
    Ok(ical::render(
        "Relais — formations et communautés",
        &events,
        app.clock.now(),
    ))
}

/// The user a personal calendar token opens, if it is valid.
pub async fn user_of_token(app: &App, token: &str) -> Result<Option<Id>> {
    if token.len() != 48 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let mut c = app.db.read().await?;
    Ok(
        store::user_of_calendar_token(&mut c, &crate::accounts::hash_token(token))
            .await?
            .and_then(|(id, _)| Id::parse(&id)),
    )
}

/// A person's own feed: their confirmed and waiting registrations and the
/// sessions they train — nobody else's.
pub async fn personal_feed(app: &App, user: Id, base_url: &str) -> Result<String> {
    let mut c = app.db.read().await?;
    let mut events = vec![];
    for r in store::registrations_of_user(&mut c, user).await? {
        if !matches!(r.status.as_str(), "confirmee" | "attente") {
            continue;
        }
        let s = store::get_session(&mut c, Id::parse_stored(&r.session_id)?).await?;
        let mut evs = events_of(&session_view(&mut c, s).await?, base_url, "-inscription");
        if r.status == "attente" {
            for e in &mut evs {
                e.summary = format!("{} (liste d'attente)", e.summary);
            }
        }
        events.extend(evs);
    }
    for s in store::sessions_of_trainer(&mut c, user).await? {
        let mut evs = events_of(&session_view(&mut c, s).await?, base_url, "-formateur");
        for e in &mut evs {
            e.summary = format!("{} (vous animez)", e.summary);
        }
        events.extend(evs);
    }
    for e in relais_store::community::user_event_registrations(&mut c, user).await? {
        events.extend(event_entry(&e, base_url, true));
    }
    Ok(ical::render(
        "Relais — mon agenda",
        &events,
        app.clock.now(),
    ))
}

/// Executive cycles with their participant counts (a member counts only
/// their institution's participants).
pub async fn cycles(app: &App, actor: &Actor) -> Result<Vec<CycleRow>> {
    let scope = if actor.role.is_agency() {
        None
    } else {
        Some(actor.institution_id.ok_or(DomainError::NotFound)?)
    };
    let mut c = app.db.read().await?;
    Ok(store::list_cycles(&mut c, scope).await?)
}

/// A cycle, its modules, and the participants the reader may see.
pub async fn cycle(
    app: &App,
    actor: &Actor,
    id: Id,
) -> Result<(CycleRow, Vec<ModuleRow>, Vec<ParticipantRow>)> {
    let scope = if actor.role.is_agency() {
        None
    } else {
        Some(actor.institution_id.ok_or(DomainError::NotFound)?)
    };
    let mut c = app.db.read().await?;
    let cycle = store::list_cycles(&mut c, scope)
        .await?
        .into_iter()
        .find(|x| x.id == id.to_string())
        .ok_or(DomainError::NotFound)?;
    let modules = store::cycle_modules(&mut c, id).await?;
    let people = store::cycle_participants(&mut c, id, scope).await?;
    Ok((cycle, modules, people))
}

/// An institution's training record for its 360° page: registrations of
/// the last twelve months and the year's amount.
#[derive(Debug, Clone, Default)]
pub struct InstitutionTraining {
    pub registrations: Vec<RegistrationRow>,
    pub confirmed: i64,
    pub waiting: i64,
    pub attended: i64,
    pub absent: i64,
    pub owed_cents: Cents,
    /// Whether the reader may see the amount (agency and referents).
    pub shows_money: bool,
    pub from: String,
    pub to: String,
    /// Community events its staff registered for: `(id, title, kind,
    /// starts_at, registered, present)`.
    pub events: Vec<(String, String, String, String, i64, i64)>,
}

pub async fn institution_record(
    app: &App,
    actor: &Actor,
    institution: Id,
) -> Result<InstitutionTraining> {
    if !actor.can_read_institution(institution) {
        return Err(DomainError::NotFound.into());
    }
    let t = today(app);
    let from = (t - chrono::Duration::days(365)).to_string();
    let to = (t + chrono::Duration::days(365)).to_string();
    let (regs, events) = {
        let mut c = app.db.read().await?;
        (
            store::registrations_of_institution(&mut c, institution, &from, &to).await?,
            relais_store::community::institution_events(&mut c, institution, 20).await?,
        )
    };
    let mut rec = InstitutionTraining {
        confirmed: regs.iter().filter(|r| r.status == "confirmee").count() as i64,
        waiting: regs.iter().filter(|r| r.status == "attente").count() as i64,
        attended: regs.iter().filter(|r| r.attended == Some(1)).count() as i64,
        absent: regs.iter().filter(|r| r.attended == Some(0)).count() as i64,
        registrations: regs,
        events,
        from: format!("{}-01-01", chrono::Datelike::year(&t)),
        to: format!("{}-12-31", chrono::Datelike::year(&t)),
        ..Default::default()
    };
    // The amount is the statement's, so both always agree; a member who
    // is not referent sees counts but not money.
    if actor.role.is_agency() || actor.role == Role::MemberAdmin {
        rec.shows_money = true;
        rec.owed_cents = statement(app, actor, institution, &rec.from, &rec.to)
            .await?
            .total_cents;
    }
    Ok(rec)
}

/// The session a registration belongs to, for the page to return to after
/// acting on it: the agency's and the registration's institution's, `None`
/// for anyone else or an unknown registration.
pub async fn registration_session(app: &App, actor: &Actor, reg: Id) -> Result<Option<Id>> {
    let mut c = app.db.read().await?;
    let Some((session, institution, _)) = store::registration(&mut c, reg).await? else {
        return Ok(None);
    };
    let mine = actor.role.is_agency()
        || actor
            .institution_id
            .is_some_and(|i| i.to_string() == institution);
    Ok(mine.then(|| Id::parse(&session)).flatten())
}

/// The sessions the actor runs as a trainer, by first day.
pub async fn sessions_i_run(app: &App, actor: &Actor) -> Result<Vec<SessionRow>> {
    let mut c = app.db.read().await?;
    Ok(store::sessions_of_trainer(&mut c, actor.user_id).await?)
}

/// The active trainers as `(id, name)` choices, for agency staff (session
/// forms, the trainer statement's filter); anyone else is refused.
pub async fn trainer_options(app: &App, actor: &Actor) -> Result<Vec<(String, String)>> {
    if !actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    let mut c = app.db.read().await?;
    Ok(store::trainers(&mut c).await?)
}
