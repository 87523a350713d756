//! Service contracts as data: admins edit service levels (targets per
//! severity in business hours), business calendars (kind, weekly hours,
//! closure periods) and assign them to institutions; agency staff may read
//! them. Also the support record of the 360° institution page.
//!
//! Members are refused with 403 on the administration (levels and
//! calendars are not private to an institution, so there is nothing to
//! hide by answering 404; the same choice as the audit history).
//!
//! Saving a level or a calendar never touches tickets already filed: their
//! deadlines were computed and stored when they were filed.

use crate::crm::TimelineEntry;
use crate::{App, AppError, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use relais_domain::accounts::{Actor, Role};
use relais_domain::calendar::{
    closure_lines, named_holidays, parse_closure_lines, BusinessCalendar, Closure, Territory,
    Window,
};
use relais_domain::crm::CalendarKind;
use relais_domain::shared::{parse_date, required_text, Violations};
use relais_domain::sla::{target_field, ServiceLevel, Target, Targets};
use relais_domain::support::Severity;
use relais_domain::{DomainError, Id};
use relais_store::sla_admin as store;
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::sla_admin::LevelFilter;
use relais_store::sla_admin::{ContractLine, InstitutionTicket, SupportTotals};
use relais_store::support as support_store;
use relais_store::Conn;
use serde_json::json;
use std::collections::BTreeMap;

/// Agency roles read the contracts' data.
pub fn may_read(a: &Actor) -> bool {
    a.role.is_agency()
}

/// Only admins change it.
pub fn may_write(a: &Actor) -> bool {
    a.role == Role::Admin
}

fn require(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
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

fn row_id(s: &str) -> Result<Id> {
    Id::parse(s).ok_or_else(|| AppError::Internal(format!("bad id {s}")))
}

/// Today in Paris: contracts run by calendar day.
fn today(app: &App) -> NaiveDate {
    app.clock
        .now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

// ---------------------------------------------------------------- levels

#[derive(Debug, Clone)]
pub struct LevelView {
    pub id: String,
    pub code: String,
    pub name: String,
    pub targets: Targets,
}

fn level_view(r: relais_store::support::LevelRow) -> LevelView {
    LevelView {
        targets: serde_json::from_str(&r.targets).unwrap_or_default(),
        id: r.id,
        code: r.code,
        name: r.name,
    }
}

pub async fn list_levels(app: &App, actor: &Actor) -> Result<Vec<LevelView>> {
    require(may_read(actor))?;
    let mut c = app.db.read().await?;
    Ok(support_store::list_levels(&mut c)
        .await?
        .into_iter()
        .map(level_view)
        .collect())
}

pub async fn get_level(app: &App, actor: &Actor, code: &str) -> Result<LevelView> {
    require(may_read(actor))?;
    let mut c = app.db.read().await?;
    Ok(level_view(store::get_level(&mut c, code).await?))
}

/// A level as typed in the form: hours per target field (see
/// [`target_field`]), decimals with a comma or a dot.
#[derive(Debug, Clone, Default)]
pub struct LevelInput {
    pub code: String,
    pub name: String,
    pub hours: BTreeMap<String, String>,
}

/// Hours typed by a person, as minutes: `4`, `2,5`, `3.75`.
fn parse_hours(v: &mut Violations, field: &'static str, raw: &str) -> Option<i64> {
    let t = raw.trim().replace(',', ".");
    match t.parse::<f64>() {
        Ok(h) if h.is_finite() && h.abs() < 1.0e6 => Some((h * 60.0).round() as i64),
        _ => {
            v.push(
                "invalid_number",
                field,
                "Saisissez un nombre d'heures ouvrées (par exemple 4 ou 2,5).",
            );
            None
        }
    }
}

/// Creates (`create`) or updates a level; its targets are checked by the
/// domain. Tickets already filed keep their stored deadlines.
pub async fn save_level(app: &App, actor: &Actor, input: LevelInput, create: bool) -> Result<()> {
    require(may_write(actor))?;
    let mut v = Violations::default();
    let mut targets = Targets::new();
    for s in Severity::ALL {
        let mut get = |resolution: bool| {
            let f = target_field(*s, resolution);
            parse_hours(
                &mut v,
                f,
                input.hours.get(f).map(String::as_str).unwrap_or(""),
            )
        };
        if let (Some(first_response), Some(resolution)) = (get(false), get(true)) {
            targets.insert(
                s.code().to_string(),
                Target {
                    first_response,
                    resolution,
                },
            );
        }
    }
    let level = ServiceLevel {
        code: input.code.trim().to_string(),
        name: input.name.trim().to_string(),
        targets,
    };
    if let Err(DomainError::Invalid(errs)) = level.validate() {
        // Every field is in the form, so a missing target is one that did
        // not parse: it is already reported as unreadable.
        for e in errs {
            if e.code != "missing_target" && !v.0.iter().any(|x| x.field == e.field) {
                v.0.push(e);
            }
        }
    }
    v.into_result()?;
    let mut tx = app.db.begin().await?;
    let before = match store::get_level(&mut tx, &level.code).await {
        Ok(r) => Some(level_view(r)),
        Err(relais_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    if create && before.is_some() {
        return Err(DomainError::invalid(
            "code_taken",
            "code",
            "Un niveau de service porte déjà ce code.",
        )
        .into());
    }
    if !create && before.is_none() {
        return Err(DomainError::NotFound.into());
    }
    let id = match &before {
        Some(b) => row_id(&b.id)?,
        None => Id::new(),
    };
    let json = serde_json::to_string(&level.targets).map_err(internal)?;
    support_store::upsert_level(&mut tx, id, &level.code, &level.name, &json, &app.now_ts())
        .await?;
    let changes = match &before {
        Some(b) => json!({
            "name": [b.name, level.name],
            "targets": [b.targets, level.targets],
        }),
        None => {
            json!({"code": [null, level.code], "name": [null, level.name], "targets": [null, level.targets]})
        }
    };
    let action = if before.is_some() { "update" } else { "create" };
    audit(&mut tx, app, actor, "service_level", id, action, changes).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- calendars

#[derive(Debug, Clone)]
pub struct CalendarView {
    pub id: String,
    pub code: String,
    pub name: String,
    pub calendar: BusinessCalendar,
    pub closures: Vec<Closure>,
}

impl CalendarView {
    /// The kind select value: `metropole`, `alsace_moselle`, `outre_mer` or
    /// `outre_mer:<territory>`.
    pub fn kind_value(&self) -> String {
        match self.calendar.territory {
            Some(t) => format!("{}:{}", self.calendar.kind.code(), t.code()),
            None => self.calendar.kind.code().to_string(),
        }
    }
    pub fn closure_text(&self) -> String {
        closure_lines(&self.closures)
    }
}

/// Closure labels are kept beside the calendar in the stored JSON (the
/// arithmetic only needs the dates; `BusinessCalendar` ignores the key).
fn calendar_view(r: relais_store::support::CalendarRow) -> CalendarView {
    let calendar: BusinessCalendar = serde_json::from_str(&r.definition).unwrap_or_default();
    let labels: Vec<String> = serde_json::from_str::<serde_json::Value>(&r.definition)
        .ok()
        .and_then(|v| v.get("closure_labels").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let closures = calendar
        .closures
        .iter()
        .enumerate()
        .map(|(i, (start, end))| Closure {
            start: *start,
            end: *end,
            label: labels
                .get(i)
                .cloned()
                .unwrap_or_else(|| "Fermeture".to_string()),
        })
        .collect();
    CalendarView {
        id: r.id,
        code: r.code,
        name: r.name,
        calendar,
        closures,
    }
}

pub async fn list_calendars(app: &App, actor: &Actor) -> Result<Vec<CalendarView>> {
    require(may_read(actor))?;
    let mut c = app.db.read().await?;
    Ok(support_store::list_calendars(&mut c)
        .await?
        .into_iter()
        .map(calendar_view)
        .collect())
}

pub async fn get_calendar(app: &App, actor: &Actor, id: Id) -> Result<CalendarView> {
    require(may_read(actor))?;
    let mut c = app.db.read().await?;
    Ok(calendar_view(store::get_calendar(&mut c, id).await?))
}

/// Form field names of the weekly hours: per ISO weekday, opening and
/// closing of the morning and of the afternoon.
pub const HOUR_FIELDS: [[&str; 4]; 7] = [
    ["mon_open1", "mon_close1", "mon_open2", "mon_close2"],
    ["tue_open1", "tue_close1", "tue_open2", "tue_close2"],
    ["wed_open1", "wed_close1", "wed_open2", "wed_close2"],
    ["thu_open1", "thu_close1", "thu_open2", "thu_close2"],
    ["fri_open1", "fri_close1", "fri_open2", "fri_close2"],
    ["sat_open1", "sat_close1", "sat_open2", "sat_close2"],
    ["sun_open1", "sun_close1", "sun_open2", "sun_close2"],
];

pub const WEEKDAYS_FR: [&str; 7] = [
    "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche",
];

/// A calendar as typed in the form.
#[derive(Debug, Clone, Default)]
pub struct CalendarInput {
    /// Only read when creating.
    pub code: String,
    pub name: String,
    /// `metropole`, `alsace_moselle`, `outre_mer` or `outre_mer:<territory>`.
    pub kind: String,
    /// IANA zone; empty takes the territory's own, or Europe/Paris.
    pub timezone: String,
    /// Times `HH:MM` by [`HOUR_FIELDS`] name.
    pub hours: BTreeMap<String, String>,
    /// One closure per line: `AAAA-MM-JJ;AAAA-MM-JJ;libellé`.
    pub closures: String,
}

/// Choices of the kind select: `(value, label)`.
pub fn kind_options() -> Vec<(String, String)> {
    let mut out = vec![
        ("metropole".to_string(), "Métropole".to_string()),
        ("alsace_moselle".to_string(), "Alsace-Moselle".to_string()),
        (
            "outre_mer".to_string(),
            "Outre-mer (sans jours fériés locaux)".to_string(),
        ),
    ];
    for t in Territory::ALL {
        out.push((
            format!("outre_mer:{}", t.code()),
            format!("Outre-mer : {}", t.label_fr()),
        ));
    }
    out
}

fn parse_time(v: &mut Violations, field: &'static str, raw: &str) -> Option<NaiveTime> {
    let t = raw.trim();
    match NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
        .or_else(|_| NaiveTime::parse_from_str(t, "%Hh%M"))
    {
        Ok(x) => Some(x),
        Err(_) => {
            v.push(
                "invalid_time",
                field,
                "Heure invalide, attendu HH:MM (par exemple 09:00).",
            );
            None
        }
    }
}

/// The windows of one weekday row, each end checked.
fn day_windows(v: &mut Violations, day: usize, hours: &BTreeMap<String, String>) -> Vec<Window> {
    let f = HOUR_FIELDS[day];
    let get = |k: &str| {
        hours
            .get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut out: Vec<Window> = Vec::new();
    for (open_f, close_f) in [(f[0], f[1]), (f[2], f[3])] {
        let (open, close) = (get(open_f), get(close_f));
        match (open.is_empty(), close.is_empty()) {
            (true, true) => continue,
            (false, true) => {
                v.push(
                    "missing_time",
                    close_f,
                    format!("{} : indiquez l'heure de fermeture.", WEEKDAYS_FR[day]),
                );
                continue;
            }
            (true, false) => {
                v.push(
                    "missing_time",
                    open_f,
                    format!("{} : indiquez l'heure d'ouverture.", WEEKDAYS_FR[day]),
                );
                continue;
            }
            _ => {}
        }
        let (Some(a), Some(b)) = (parse_time(v, open_f, &open), parse_time(v, close_f, &close))
        else {
            continue;
        };
        if b <= a {
            v.push(
                "invalid_hours",
                close_f,
                format!(
                    "{} : la fermeture ({}) doit suivre l'ouverture ({}).",
                    WEEKDAYS_FR[day],
                    b.format("%H:%M"),
                    a.format("%H:%M")
                ),
            );
            continue;
        }
        if let Some(prev) = out.first() {
            if a < prev.1 && prev.0 < b {
                v.push(
                    "overlapping_hours",
                    open_f,
                    format!(
                        "{} : les deux plages horaires se chevauchent.",
                        WEEKDAYS_FR[day]
                    ),
                );
                continue;
            }
        }
        out.push((a, b));
    }
    out.sort();
    out
}

/// Builds the calendar from the form: the most common daily hours become
/// the standard `hours`, other days get their own entry.
fn calendar_of(
    input: &CalendarInput,
) -> std::result::Result<(BusinessCalendar, Vec<String>), DomainError> {
    let mut v = Violations::default();
    let (kind_code, territory_code) = match input.kind.split_once(':') {
        Some((k, t)) => (k, Some(t)),
        None => (input.kind.as_str(), None),
    };
    let kind = CalendarKind::from_code(kind_code.trim());
    let territory = territory_code.map(|t| Territory::from_code(t.trim()));
    if kind.is_none() || matches!(territory, Some(None)) {
        v.push("invalid_kind", "kind", "Choisissez un type de calendrier.");
    }
    let kind = kind.unwrap_or(CalendarKind::Metropole);
    let territory = territory.flatten();
    let tz: Tz = if input.timezone.trim().is_empty() {
        territory
            .map(|t| t.timezone())
            .unwrap_or(chrono_tz::Europe::Paris)
    } else {
        match input.timezone.trim().parse::<Tz>() {
            Ok(tz) => tz,
            Err(_) => {
                v.push(
                    "invalid_timezone",
                    "timezone",
                    "Fuseau horaire inconnu (par exemple Europe/Paris, America/Cayenne).",
                );
                chrono_tz::Europe::Paris
            }
        }
    };
    let days: Vec<Vec<Window>> = (0..7)
        .map(|d| day_windows(&mut v, d, &input.hours))
        .collect();
    let mut counts: Vec<(usize, &Vec<Window>)> = Vec::new();
    for d in days.iter().filter(|d| !d.is_empty()) {
        match counts.iter_mut().find(|(_, w)| *w == d) {
            Some(e) => e.0 += 1,
            None => counts.push((1, d)),
        }
    }
    let common: Vec<Window> = counts
        .iter()
        .max_by_key(|(n, _)| *n)
        .map(|(_, w)| (*w).clone())
        .unwrap_or_default();
    let mut weekdays = Vec::new();
    let mut by_day = BTreeMap::new();
    for (i, d) in days.iter().enumerate() {
        let iso = i as u32 + 1;
        if d.is_empty() {
            continue;
        }
        if *d == common {
            weekdays.push(iso);
        } else {
            by_day.insert(iso, d.clone());
        }
    }
    let (closures, labels) = match parse_closure_lines(&input.closures) {
        Ok(cs) => (
            cs.iter().map(|c| (c.start, c.end)).collect(),
            cs.into_iter().map(|c| c.label).collect(),
        ),
        Err(DomainError::Invalid(errs)) => {
            v.0.extend(errs);
            (vec![], vec![])
        }
        Err(e) => return Err(e),
    };
    let cal = BusinessCalendar {
        kind,
        territory,
        tz,
        weekdays,
        hours: common,
        hours_by_weekday: by_day,
        extra_holidays: vec![],
        closures,
    };
    // The rows above already explain bad hours; the domain adds the rest
    // (no working time at all, a territory on a mainland kind).
    if v.0.is_empty() {
        if let Err(DomainError::Invalid(errs)) = cal.validate() {
            v.0.extend(errs);
        }
    }
    v.into_result()?;
    Ok((cal, labels))
}

fn calendar_json(cal: &BusinessCalendar, labels: &[String]) -> Result<String> {
    let mut value = serde_json::to_value(cal).map_err(internal)?;
    if !labels.is_empty() {
        value["closure_labels"] = json!(labels);
    }
    serde_json::to_string(&value).map_err(internal)
}

/// Creates (`id` None) or updates a calendar. Tickets already filed keep
/// the deadlines computed with the calendar of the day they were filed.
pub async fn save_calendar(
    app: &App,
    actor: &Actor,
    id: Option<Id>,
    input: CalendarInput,
) -> Result<Id> {
    require(may_write(actor))?;
    let mut v = Violations::default();
    let name = required_text(&mut v, "name", &input.name, 200);
    let code = if id.is_none() {
        let c = input.code.trim().to_string();
        if c.is_empty()
            || !c
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            v.push(
                "invalid_code",
                "code",
                "Le code ne contient que des minuscules, chiffres et « _ ».",
            );
        }
        c
    } else {
        String::new()
    };
    let built = calendar_of(&input);
    if let Err(DomainError::Invalid(errs)) = &built {
        v.0.extend(errs.iter().cloned());
    }
    v.into_result()?;
    let (cal, labels) = built?;
    let name = name.unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let before = match id {
        Some(id) => Some(calendar_view(store::get_calendar(&mut tx, id).await?)),
        None => None,
    };
    let (id, code) = match &before {
        Some(b) => (row_id(&b.id)?, b.code.clone()),
        None => {
            if support_store::list_calendars(&mut tx)
                .await?
                .iter()
                .any(|c| c.code == code)
            {
                return Err(DomainError::invalid(
                    "code_taken",
                    "code",
                    "Un calendrier porte déjà ce code.",
                )
                .into());
            }
            (Id::new(), code)
        }
    };
    let definition = calendar_json(&cal, &labels)?;
    support_store::upsert_calendar(&mut tx, id, &code, &name, &definition, &app.now_ts()).await?;
    let after: serde_json::Value = serde_json::from_str(&definition).map_err(internal)?;
    let changes = match &before {
        Some(b) => {
            let old = calendar_json(
                &b.calendar,
                &b.closures
                    .iter()
                    .map(|c| c.label.clone())
                    .collect::<Vec<_>>(),
            )?;
            let old: serde_json::Value = serde_json::from_str(&old).map_err(internal)?;
            json!({"name": [b.name, name], "definition": [old, after]})
        }
        None => json!({"code": [null, code], "name": [null, name], "definition": [null, after]}),
    };
    let action = if before.is_some() { "update" } else { "create" };
    audit(
        &mut tx,
        app,
        actor,
        "business_calendar",
        id,
        action,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The public holidays of a year for a calendar, with their French names.
pub fn holidays(cal: &BusinessCalendar, year: i32) -> Vec<(NaiveDate, &'static str)> {
    named_holidays(year, cal.kind, cal.territory)
}

/// The current and next year of the preview, from the clock.
pub fn preview_years(app: &App) -> (i32, i32) {
    let y = today(app).year();
    (y, y + 1)
}

// ---------------------------------------------------------------- contracts

/// Institutions with their contract in force today.
pub async fn list_contracts(
    app: &App,
    actor: &Actor,
    level: &LevelFilter,
) -> Result<Vec<ContractLine>> {
    require(may_read(actor))?;
    let mut c = app.db.read().await?;
    Ok(store::list_contract_lines(&mut c, &relais_store::date(today(app)), level).await?)
}

/// A contract as typed in the form: codes of the level and the calendar.
#[derive(Debug, Clone, Default)]
pub struct ContractInput {
    pub institution_id: String,
    pub level: String,
    pub calendar: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// Assigns a contract. It replaces what was planned from its start on: a
/// contract still running ends the day before, later ones are removed, so
/// an institution never has two contracts in force. Tickets already filed
/// keep their deadlines.
pub async fn save_contract(app: &App, actor: &Actor, input: ContractInput) -> Result<Id> {
    require(may_write(actor))?;
    let mut v = Violations::default();
    let institution = Id::parse(input.institution_id.trim());
    if institution.is_none() {
        v.push("required", "institution_id", "Choisissez un établissement.");
    }
    if input.level.trim().is_empty() {
        v.push("required", "level", "Choisissez un niveau de service.");
    }
    if input.calendar.trim().is_empty() {
        v.push("required", "calendar", "Choisissez un calendrier.");
    }
    let starts = parse_date(&mut v, "starts_on", Some(&input.starts_on));
    if starts.is_none() && input.starts_on.trim().is_empty() {
        v.push("required", "starts_on", "Ce champ est obligatoire.");
    }
    let ends = parse_date(&mut v, "ends_on", Some(&input.ends_on));
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            v.push(
                "invalid_period",
                "ends_on",
                "La fin du contrat précède son début.",
            );
        }
    }
    v.into_result()?;
    let (Some(institution), Some(starts)) = (institution, starts) else {
        return Err(DomainError::NotFound.into());
    };
    let mut tx = app.db.begin().await?;
    let level = match store::get_level(&mut tx, input.level.trim()).await {
        Ok(l) => l,
        Err(relais_store::StoreError::NotFound) => {
            return Err(DomainError::invalid(
                "unknown_level",
                "level",
                "Niveau de service inconnu.",
            )
            .into())
        }
        Err(e) => return Err(e.into()),
    };
    let cal = support_store::list_calendars(&mut tx)
        .await?
        .into_iter()
        .find(|c| c.code == input.calendar.trim())
        .ok_or_else(|| {
            AppError::Domain(DomainError::invalid(
                "unknown_calendar",
                "calendar",
                "Calendrier inconnu.",
            ))
        })?;
    relais_store::crm::get_institution(&mut tx, actor.scope(), institution).await?;
    let start_s = relais_store::date(starts);
    let day_before = relais_store::date(starts - Duration::days(1));
    let (removed, cut) =
        store::close_contracts_from(&mut tx, institution, &start_s, &day_before).await?;
    let id = Id::new();
    let ends_s = ends.map(relais_store::date);
    support_store::insert_contract(
        &mut tx,
        id,
        institution,
        &level.id,
        &cal.id,
        &start_s,
        ends_s.as_deref(),
        &app.now_ts(),
    )
    .await?;
    audit(
        &mut tx,
        app,
        actor,
        "service_contract",
        id,
        "create",
        json!({
            "institution_id": [null, institution.to_string()],
            "level": [null, level.code],
            "calendar": [null, cal.code],
            "starts_on": [null, start_s],
            "ends_on": [null, ends_s],
            "replaced": removed,
            "ended_early": cut,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------- 360° record

/// The support section of an institution page.
#[derive(Debug, Clone)]
pub struct SupportRecord {
    /// Level name and calendar name of the contract in force, with dates.
    pub contract: Option<ContractLine>,
    /// Open tickets, newest first.
    pub open: Vec<InstitutionTicket>,
    /// Tickets filed in the last 12 months (also on the timeline).
    pub recent: Vec<InstitutionTicket>,
    pub totals: SupportTotals,
    /// Median business minutes from filing to resolution, pauses waiting
    /// on the institution excluded, over the last 12 months.
    pub median_resolution_minutes: Option<i64>,
}

/// Share in percent, when there is something to measure.
pub fn share(met: i64, measured: i64) -> Option<i64> {
    (measured > 0).then(|| ((met as f64) * 100.0 / (measured as f64)).round() as i64)
}

impl SupportRecord {
    pub fn first_response_share(&self) -> Option<i64> {
        share(
            self.totals.first_response_met,
            self.totals.first_response_measured,
        )
    }
    pub fn resolution_share(&self) -> Option<i64> {
        share(self.totals.resolution_met, self.totals.resolution_measured)
    }

    /// Ticket filed / resolved events for the institution timeline.
    pub fn timeline(&self) -> Vec<TimelineEntry> {
        let mut out = Vec::new();
        for t in &self.recent {
            out.push(TimelineEntry {
                date: t.created_at.chars().take(10).collect(),
                source: "ticket".into(),
                title: format!("{} déposé : {}", t.reference, t.subject),
                detail: Some(t.product_name.clone()),
                link: Some(format!("/support/{}", t.id)),
            });
            if let Some(r) = &t.resolved_at {
                out.push(TimelineEntry {
                    date: r.chars().take(10).collect(),
                    source: "ticket".into(),
                    title: format!("{} résolu : {}", t.reference, t.subject),
                    detail: Some(t.product_name.clone()),
                    link: Some(format!("/support/{}", t.id)),
                });
            }
        }
        out
    }
}

fn median(mut xs: Vec<i64>) -> Option<i64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2
    })
}

/// The support record of an institution over the last 12 months. Scoped
/// like the rest of the 360° page: a member asking for another
/// institution gets NotFound before any ticket is read, and every query
/// below is filtered on this one institution.
pub async fn institution_support_record(
    app: &App,
    actor: &Actor,
    institution: Id,
) -> Result<SupportRecord> {
    let mut c = app.db.read().await?;
    relais_store::crm::get_institution(&mut c, actor.scope(), institution).await?;
    let now = app.clock.now();
    let since = relais_store::ts(now - Duration::days(365));
    let today_s = relais_store::date(today(app));
    let contract = store::list_contract_lines(&mut c, &today_s, &LevelFilter::Any)
        .await?
        .into_iter()
        .find(|l| l.institution_id == institution.to_string())
        .filter(|l| l.contract_id.is_some());
    let tickets = store::institution_tickets(&mut c, institution, &since, 500).await?;
    let open = tickets
        .iter()
        .filter(|t| t.status != "resolu" && t.status != "clos")
        .cloned()
        .collect();
    let recent = tickets
        .into_iter()
        .filter(|t| t.created_at >= since)
        .collect();
    let totals = store::support_totals(&mut c, institution, &since, &relais_store::ts(now)).await?;
    let cal = match support_store::contract_on(&mut c, institution, &today_s).await? {
        Some(k) => serde_json::from_str(&k.calendar).unwrap_or_default(),
        None => BusinessCalendar::default(),
    };
    let spans = store::resolved_spans(&mut c, institution, &since).await?;
    let minutes: Vec<i64> = spans
        .iter()
        .filter_map(|(a, b, paused)| {
            let a: DateTime<Utc> = relais_store::parse_ts(a)?;
            let b: DateTime<Utc> = relais_store::parse_ts(b)?;
            Some((cal.business_minutes_between(a, b) - paused).max(0))
        })
        .collect();
    Ok(SupportRecord {
        contract,
        open,
        recent,
        totals,
        median_resolution_minutes: median(minutes),
    })
}

/// A stored timestamp as Paris wall-clock time, `17/05/2027 09:30`.
pub fn paris_time(ts: &str) -> String {
    relais_store::parse_ts(ts)
        .map(|t| {
            t.with_timezone(&chrono_tz::Europe::Paris)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| ts.to_string())
}

/// Minutes as French hours: `7 h 30`, `45 min`.
pub fn hours_label(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02}"),
    }
}

/// Minutes as the decimal hours the level form shows (`4`, `2,5`).
pub fn hours_value(minutes: i64) -> String {
    let h = minutes as f64 / 60.0;
    let s = format!("{:.2}", h);
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    s.replace('.', ",")
}
