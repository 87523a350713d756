//! The SLA watchdog, a digital agent: a sweep (run every minute by the
//! server) looks at open tickets whose deadline is near, computes each
//! clock in business time, and
//! - warns the assignee and the team when less than the admins' share of a
//!   target is left (default a quarter),
//! - escalates to the team lead when a target is missed,
//!
//! recording every warning and breach once (per ticket, target and
//! deadline) and sending the mails as outbox jobs in the same transaction.
//! The at-risk list shows what is near or late now, with the reason.

use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use relais_domain::accounts::{Actor, Role};
use relais_domain::sla::{self, SlaState};
use relais_domain::support::{Severity, TicketStatus};
use relais_domain::{DomainError, Id};
use relais_store::support::{self as sstore, TicketRow, TicketScope};
use relais_store::watchdog as store;
use relais_store::Conn;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

pub const WARN_SHARE_KEY: &str = "sla_warn_share";
pub const DEFAULT_WARN_SHARE: f64 = 0.25;
/// Deadlines further than this are not looked at by a sweep.
const HORIZON_DAYS: i64 = 21;

pub async fn warn_share(c: &mut Conn) -> Result<f64> {
    Ok(store::get_setting(c, WARN_SHARE_KEY)
        .await?
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| (0.0..=1.0).contains(v))
        .unwrap_or(DEFAULT_WARN_SHARE))
}

/// Admins set the share of a target left that triggers a warning, in
/// percent (1 to 90).
pub async fn set_warn_share(app: &App, actor: &Actor, percent: &str) -> Result<()> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let p: f64 = percent.trim().replace(',', ".").parse().map_err(|_| {
        AppError::Domain(DomainError::invalid(
            "invalid_share",
            "share",
            "Indiquez un pourcentage entre 1 et 90.",
        ))
    })?;
    if !(1.0..=90.0).contains(&p) {
        return Err(DomainError::invalid(
            "invalid_share",
            "share",
            "Indiquez un pourcentage entre 1 et 90.",
        )
        .into());
    }
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let before = warn_share(&mut tx).await?;
    store::set_setting(&mut tx, WARN_SHARE_KEY, &(p / 100.0).to_string(), &now).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "setting",
        Id::default(),
        "update",
        &json!({WARN_SHARE_KEY: [before, p / 100.0]}),
        &now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One clock of one ticket, now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Clock {
    /// `first_response` or `resolution`.
    pub target: String,
    pub due_at: String,
    /// `ok`, `at_risk`, `breached`, `paused`, `met`.
    pub state: String,
    pub label: String,
    pub remaining_minutes: Option<i64>,
    pub late_minutes: Option<i64>,
    /// Why: the target, the share that warns, what is left.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AtRisk {
    pub ticket: TicketRow,
    pub clocks: Vec<Clock>,
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    relais_store::parse_ts(s)
}

/// The clocks of a ticket that are at risk or late now.
async fn clocks(
    c: &mut Conn,
    t: &TicketRow,
    now: DateTime<Utc>,
    share: f64,
    cache: &mut HashMap<(String, String), TermsOf>,
) -> Result<Vec<Clock>> {
    let created = parse(&t.created_at).ok_or_else(|| AppError::Internal("bad ts".into()))?;
    let key = (
        t.institution_id.clone(),
        created.format("%Y-%m-%d").to_string(),
    );
    if !cache.contains_key(&key) {
        let inst = Id::parse(&t.institution_id).ok_or_else(|| AppError::Internal("id".into()))?;
        let terms = crate::support::terms(c, inst, created).await?;
        cache.insert(key.clone(), terms);
    }
    let (cal, level) = &cache[&key];
    let Some(target) = level
        .as_ref()
        .and_then(|(_, tg)| Severity::from_code(&t.severity).and_then(|s| sla::target_for(tg, s)))
    else {
        return Ok(vec![]);
    };
    let status = TicketStatus::from_code(&t.status).unwrap_or(TicketStatus::Nouveau);
    let mut out = vec![];
    let specs = [
        (
            "first_response",
            &t.first_response_due_at,
            target.first_response,
            t.first_response_at.is_none(),
            false,
        ),
        (
            "resolution",
            &t.resolution_due_at,
            target.resolution,
            status.is_open(),
            status == TicketStatus::AttenteEtablissement,
        ),
    ];
    for (name, due, minutes, running, paused) in specs {
        let Some(due_s) = due else { continue };
        let Some(due) = parse(due_s) else { continue };
        if !running {
            continue;
        }
        let st = sla::state(cal, due, minutes, None, paused, now, share);
        let (remaining, late) = match st {
            SlaState::AtRisk { remaining_minutes } => (Some(remaining_minutes), None),
            SlaState::Breached { late_minutes } => (None, Some(late_minutes)),
            _ => continue,
        };
        let what = if name == "first_response" {
            "première réponse"
        } else {
            "résolution"
        };
        let reason = match st {
            SlaState::AtRisk { remaining_minutes } => format!(
                "Objectif de {what} : {} h ouvrées ; il reste {} min ouvrées, moins de {:.0} % du délai.",
                minutes / 60,
                remaining_minutes,
                share * 100.0
            ),
            _ => format!(
                "Objectif de {what} ({} h ouvrées) dépassé de {} min ouvrées.",
                minutes / 60,
                late.unwrap_or_default()
            ),
        };
        out.push(Clock {
            target: name.into(),
            due_at: due_s.clone(),
            state: st.code().into(),
            label: st.label_fr().into(),
            remaining_minutes: remaining,
            late_minutes: late,
            reason,
        });
    }
    Ok(out)
}

type TermsOf = (
    relais_domain::calendar::BusinessCalendar,
    Option<(String, sla::Targets)>,
);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub looked_at: usize,
    pub warnings: usize,
    pub breaches: usize,
}

async fn user_email(c: &mut Conn, id: &str) -> Result<Option<String>> {
    let Some(uid) = Id::parse(id) else {
        return Ok(None);
    };
    Ok(
        relais_store::accounts::get_user(c, relais_domain::accounts::Scope::All, uid)
            .await
            .ok()
            .map(|u| u.email),
    )
}

/// One pass of the watchdog. Idempotent: an alert already raised for the
/// same ticket, target, kind and deadline is not raised again.
pub async fn sweep(app: &App) -> Result<SweepReport> {
    let now = app.clock.now();
    let now_s = relais_store::ts(now);
    let horizon = relais_store::ts(now + Duration::days(HORIZON_DAYS));
    let mut tx = app.db.begin().await?;
    let share = warn_share(&mut tx).await?;
    let ids = store::candidates(&mut tx, &horizon).await?;
    let teams = sstore::list_teams(&mut tx).await?;
    let mut cache = HashMap::new();
    let mut report = SweepReport {
        looked_at: ids.len(),
        ..Default::default()
    };
    for id in ids {
        let Some(tid) = Id::parse(&id) else { continue };
        let t = sstore::get_ticket(&mut tx, TicketScope::All, tid).await?;
        for clock in clocks(&mut tx, &t, now, share, &mut cache).await? {
            let team = t
                .team_id
                .as_ref()
                .and_then(|x| teams.iter().find(|tm| &tm.id == x));
            let mut to: Vec<String> = vec![];
            let kind = if clock.state == "breached" {
                // Escalation: the team lead, and the team.
                if let Some(lead) = team.and_then(|tm| tm.lead_id.clone()) {
                    to.extend(user_email(&mut tx, &lead).await?);
                }
                to.extend(team.and_then(|tm| tm.email.clone()));
                "breach"
            } else {
                if let Some(a) = &t.assignee_id {
                    to.extend(user_email(&mut tx, a).await?);
                }
                to.extend(team.and_then(|tm| tm.email.clone()));
                "warning"
            };
            to.sort();
            to.dedup();
            if store::insert_alert(
                &mut tx,
                &t.id,
                &clock.target,
                kind,
                &clock.due_at,
                &to,
                &now_s,
            )
            .await?
            {
                if kind == "breach" {
                    report.breaches += 1;
                } else {
                    report.warnings += 1;
                }
                if !to.is_empty() {
                    let mail = crate::jobs::MailJob::SlaAlert {
                        ticket_id: tid,
                        to: to.clone(),
                        kind: kind.into(),
                        reason: clock.reason.clone(),
                    };
                    crate::jobs::enqueue(&mut tx, &mail, &now_s).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// What is at risk or late now, nearest deadline first (agency only).
pub async fn at_risk(app: &App, actor: &Actor) -> Result<Vec<AtRisk>> {
    if !actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    let now = app.clock.now();
    let horizon = relais_store::ts(now + Duration::days(HORIZON_DAYS));
    let mut c = app.db.read().await?;
    let share = warn_share(&mut c).await?;
    let ids = store::candidates(&mut c, &horizon).await?;
    let mut cache = HashMap::new();
    let mut out = vec![];
    for id in ids {
        let Some(tid) = Id::parse(&id) else { continue };
        let t = sstore::get_ticket(&mut c, TicketScope::All, tid).await?;
        let cl = clocks(&mut c, &t, now, share, &mut cache).await?;
        if !cl.is_empty() {
            out.push(AtRisk {
                ticket: t,
                clocks: cl,
            });
        }
    }
    Ok(out)
}

/// The alerts raised in the last `days` days (agency only).
pub async fn recent_alerts(app: &App, actor: &Actor, days: i64) -> Result<Vec<store::AlertRow>> {
    if !actor.role.is_agency() {
        return Err(DomainError::Forbidden.into());
    }
    let since = relais_store::ts(app.clock.now() - Duration::days(days.clamp(1, 365)));
    let mut c = app.db.read().await?;
    Ok(store::recent_alerts(&mut c, &since, 200).await?)
}

pub async fn current_share(app: &App) -> Result<f64> {
    let mut c = app.db.read().await?;
    warn_share(&mut c).await
}
