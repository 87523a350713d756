//! Service levels and the SLA clock of a ticket. Targets are business
//! minutes per severity, edited by admins as data. The clock runs in the
//! institution's business calendar; it is stopped while the ticket waits on
//! the institution and while it is resolved or closed (a reopened ticket
//! does not inherit the resolved days); time waiting on the software editor
//! counts for the SLA and is also measured on its own.
//!
//! Two ways to get a deadline:
//! - [`due_at`]: opening + target + paused time so far, for callers that
//!   keep running totals (see [`totals`]);
//! - [`due_at_from_history`]: walks the status history, so a pause that
//!   starts after the deadline was already missed does not move it (the
//!   two agree whenever every pause ends before the deadline).

use crate::calendar::BusinessCalendar;
use crate::shared::{DomainError, Violations};
use crate::support::{Severity, TicketStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Targets of one severity, in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Business minutes to the first public answer.
    pub first_response: i64,
    /// Business minutes to resolution.
    pub resolution: i64,
}

/// The name the contracts use for a target.
pub type SlaTarget = Target;

/// Targets per severity code (`bloquant`, `majeur`, `mineur`).
pub type Targets = BTreeMap<String, Target>;

/// One business day: 7 h 30 (9:00–12:30, 13:30–17:30).
pub const BUSINESS_DAY: i64 = 450;
const DAY: i64 = BUSINESS_DAY;

/// The three levels the plan's move to personalised contracts suggests, in
/// business time (a "day" is 7 h 30, so "2 days" from Monday 9:00 ends on
/// Tuesday 17:30):
///
/// | level    | bloquant     | majeur          | mineur          |
/// |----------|--------------|-----------------|-----------------|
/// | socle    | 4 h / 2 d    | 1 d / 5 d       | 2 d / 15 d      |
/// | renforcé | 2 h / 1 d    | 3 h 45 / 2.5 d  | 1 d / 7.5 d     |
/// | premium  | 1 h / 1 d    | 2 h / 2 d       | 1 d / 5 d       |
///
/// Majeur answers in one business day rather than 8 h: 8 business hours
/// would end 30 minutes into the next day, a deadline nobody reads right.
/// Each level is at least as fast as the one above it, and within a level a
/// more severe ticket is never slower.
pub fn default_levels() -> Vec<(&'static str, &'static str, Targets)> {
    let t = |b: (i64, i64), ma: (i64, i64), mi: (i64, i64)| {
        let mut m = Targets::new();
        for (k, (f, r)) in [("bloquant", b), ("majeur", ma), ("mineur", mi)] {
            m.insert(
                k.to_string(),
                Target {
                    first_response: f,
                    resolution: r,
                },
            );
        }
        m
    };
    vec![
        (
            "socle",
            "Socle",
            t((240, 2 * DAY), (DAY, 5 * DAY), (2 * DAY, 15 * DAY)),
        ),
        (
            "renforce",
            "Renforcé",
            t((120, DAY), (DAY / 2, 5 * DAY / 2), (DAY, 15 * DAY / 2)),
        ),
        (
            "premium",
            "Premium",
            t((60, DAY), (120, 2 * DAY), (DAY, 5 * DAY)),
        ),
    ]
}

pub fn target_for(targets: &Targets, severity: Severity) -> Option<Target> {
    targets.get(severity.code()).copied()
}

/// The form field of one target: `bloquant_first_response`,
/// `majeur_resolution`… so errors land on the input that caused them.
pub fn target_field(severity: Severity, resolution: bool) -> &'static str {
    match (severity, resolution) {
        (Severity::Bloquant, false) => "bloquant_first_response",
        (Severity::Bloquant, true) => "bloquant_resolution",
        (Severity::Majeur, false) => "majeur_first_response",
        (Severity::Majeur, true) => "majeur_resolution",
        (Severity::Mineur, false) => "mineur_first_response",
        (Severity::Mineur, true) => "mineur_resolution",
    }
}

/// Checks targets typed by an admin: every severity present, positive
/// minutes, and a first answer no later than the resolution. Each error
/// names the field of its severity (see [`target_field`]).
pub fn validate_targets(targets: &Targets) -> Result<(), DomainError> {
    let mut v = Violations::default();
    for s in Severity::ALL {
        match targets.get(s.code()) {
            None => v.push(
                "missing_target",
                target_field(*s, false),
                format!(
                    "Il manque les objectifs de la sévérité « {} ».",
                    s.label_fr()
                ),
            ),
            Some(t) if t.first_response <= 0 || t.resolution <= 0 => v.push(
                "invalid_target",
                target_field(*s, t.first_response > 0),
                format!(
                    "Les objectifs « {} » doivent être des durées positives.",
                    s.label_fr()
                ),
            ),
            Some(t) if t.first_response > t.resolution => v.push(
                "response_after_resolution",
                target_field(*s, true),
                format!(
                    "Sévérité « {} » : la résolution ne peut être visée avant la première réponse.",
                    s.label_fr()
                ),
            ),
            Some(_) => {}
        }
    }
    if let Some(k) = targets.keys().find(|k| Severity::from_code(k).is_none()) {
        v.push(
            "unknown_severity",
            "targets",
            format!("Sévérité inconnue : « {k} »."),
        );
    }
    v.into_result()
}

/// A service level as admins store it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLevel {
    pub code: String,
    pub name: String,
    pub targets: Targets,
}

impl ServiceLevel {
    /// socle, renforcé and premium (see [`default_levels`]).
    pub fn defaults() -> Vec<ServiceLevel> {
        default_levels()
            .into_iter()
            .map(|(code, name, targets)| ServiceLevel {
                code: code.into(),
                name: name.into(),
                targets,
            })
            .collect()
    }

    pub fn target(&self, severity: Severity) -> Option<Target> {
        target_for(&self.targets, severity)
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = match validate_targets(&self.targets) {
            Ok(()) => vec![],
            Err(DomainError::Invalid(v)) => v,
            Err(other) => return Err(other),
        };
        let mut v = Violations::default();
        if self.code.is_empty()
            || !self
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            v.push(
                "invalid_code",
                "code",
                "Le code ne contient que des minuscules, chiffres et « _ ».",
            );
        }
        if self.name.trim().is_empty() {
            v.push("required", "name", "Ce champ est obligatoire.");
        }
        errors.extend(v.0);
        Violations(errors).into_result()
    }
}

/// Whether a status stops the SLA clock: waiting on the institution, or
/// done (resolved, closed) until reopened.
pub fn stops_clock(s: TicketStatus) -> bool {
    matches!(
        s,
        TicketStatus::AttenteEtablissement | TicketStatus::Resolu | TicketStatus::Clos
    )
}

/// Business time of a ticket from its status history, up to `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockTotals {
    /// Seconds the SLA clock was stopped (waiting on the institution,
    /// resolved or closed).
    pub paused: i64,
    /// Seconds spent waiting on the editor (counted in the SLA too).
    pub editor: i64,
    /// Seconds the SLA clock ran (editor time included).
    pub running: i64,
}

/// The history as status segments `[from, to)`, clipped to
/// `[opened_at, now]`. The history may come in any order; the time before
/// its first entry counts as `nouveau`.
fn segments(
    opened_at: DateTime<Utc>,
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, TicketStatus)> {
    let mut h = history.to_vec();
    h.sort_by_key(|e| e.0);
    let mut out = Vec::with_capacity(h.len() + 1);
    let mut push = |from: DateTime<Utc>, to: DateTime<Utc>, s| {
        let (from, to) = (from.max(opened_at), to.min(now));
        if to > from {
            out.push((from, to, s));
        }
    };
    match h.first() {
        Some((first, _)) => push(opened_at, *first, TicketStatus::Nouveau),
        None => push(opened_at, now, TicketStatus::Nouveau),
    }
    for (i, (from, status)) in h.iter().enumerate() {
        let to = h.get(i + 1).map(|e| e.0).unwrap_or(now);
        push(*from, to, *status);
    }
    out
}

/// Running, paused and editor business time from `opened_at` to `now`.
pub fn clock_totals(
    cal: &BusinessCalendar,
    opened_at: DateTime<Utc>,
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
) -> ClockTotals {
    let mut out = ClockTotals::default();
    for (from, to, status) in segments(opened_at, history, now) {
        let secs = cal.business_seconds_between(from, to);
        if stops_clock(status) {
            out.paused += secs;
        } else {
            out.running += secs;
        }
        if status == TicketStatus::AttenteEditeur {
            out.editor += secs;
        }
    }
    out
}

/// `history`: status changes in time order, the first being the opening.
pub fn totals(
    cal: &BusinessCalendar,
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
) -> ClockTotals {
    match history.iter().map(|h| h.0).min() {
        Some(opened) => clock_totals(cal, opened, history, now),
        None => ClockTotals::default(),
    }
}

/// Business minutes the SLA clock has run since the opening (pauses
/// excluded, editor time included).
pub fn elapsed_business_minutes(
    cal: &BusinessCalendar,
    opened_at: DateTime<Utc>,
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
) -> i64 {
    clock_totals(cal, opened_at, history, now).running / 60
}

/// Business minutes the clock was stopped (waiting on the institution,
/// resolved or closed).
pub fn paused_business_minutes(
    cal: &BusinessCalendar,
    opened_at: DateTime<Utc>,
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
) -> i64 {
    clock_totals(cal, opened_at, history, now).paused / 60
}

/// Business minutes spent waiting on the editor or integrator (the old
/// tool's "temps de traitement prestataire").
pub fn editor_minutes(
    cal: &BusinessCalendar,
    opened_at: DateTime<Utc>,
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
) -> i64 {
    clock_totals(cal, opened_at, history, now).editor / 60
}

/// The status in force at `at` (`nouveau` before the first change).
pub fn status_at(history: &[(DateTime<Utc>, TicketStatus)], at: DateTime<Utc>) -> TicketStatus {
    history
        .iter()
        .filter(|e| e.0 <= at)
        .max_by_key(|e| e.0)
        .map(|e| e.1)
        .unwrap_or(TicketStatus::Nouveau)
}

/// When the ticket was resolved, if it is resolved or closed at `now`: the
/// start of its current resolved-or-closed run (closing a resolved ticket
/// does not move the resolution).
pub fn resolved_at(
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut h: Vec<_> = history.iter().filter(|e| e.0 <= now).copied().collect();
    h.sort_by_key(|e| e.0);
    let mut done = None;
    for (at, s) in h {
        match s {
            TicketStatus::Resolu | TicketStatus::Clos => {
                done.get_or_insert(at);
            }
            _ => done = None,
        }
    }
    done
}

/// The deadline: the target in business time after the opening, pushed
/// later by every paused second.
pub fn due_at(
    cal: &BusinessCalendar,
    opened_at: DateTime<Utc>,
    target_minutes: i64,
    paused_seconds: i64,
) -> DateTime<Utc> {
    cal.add_business_seconds(
        opened_at,
        target_minutes
            .saturating_mul(60)
            .saturating_add(paused_seconds.max(0)),
    )
}

/// The deadline from the status history as known at `now`: the instant the
/// running clock reaches the target. If it has not yet, the remaining
/// target is counted from `now` (or from the opening if later), so a
/// ticket waiting on the institution sees its deadline move with time.
pub fn due_at_from_history(
    cal: &BusinessCalendar,
    opened_at: DateTime<Utc>,
    target_minutes: i64,
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let mut left = target_minutes.max(0).saturating_mul(60);
    for (from, to, status) in segments(opened_at, history, now) {
        if stops_clock(status) {
            continue;
        }
        let ran = cal.business_seconds_between(from, to);
        if ran >= left {
            return cal.add_business_seconds(from, left);
        }
        left -= ran;
    }
    cal.add_business_seconds(now.max(opened_at), left)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SlaState {
    /// Running, with business minutes left.
    Ok { remaining_minutes: i64 },
    /// Running, with less than the warning share of the target left.
    AtRisk { remaining_minutes: i64 },
    /// The deadline has passed.
    Breached { late_minutes: i64 },
    /// Met: done before the deadline.
    Met,
    /// Stopped while waiting on the institution.
    Paused { remaining_minutes: i64 },
}

impl crate::shared::CodeEnum for SlaState {
    const KIND: &'static str = "SlaState";
    fn code(self) -> &'static str {
        SlaState::code(&self)
    }
}

impl SlaState {
    pub fn code(&self) -> &'static str {
        match self {
            SlaState::Ok { .. } => "ok",
            SlaState::AtRisk { .. } => "at_risk",
            SlaState::Breached { .. } => "breached",
            SlaState::Met => "met",
            SlaState::Paused { .. } => "paused",
        }
    }

    pub fn label(&self, en: bool) -> &'static str {
        if !en {
            return self.label_fr();
        }
        match self {
            SlaState::Ok { .. } => "On time",
            SlaState::AtRisk { .. } => "Deadline close",
            SlaState::Breached { .. } => "Deadline missed",
            SlaState::Met => "Target met",
            SlaState::Paused { .. } => "Paused (waiting for the institution)",
        }
    }

    pub fn label_fr(&self) -> &'static str {
        match self {
            SlaState::Ok { .. } => "Dans les délais",
            SlaState::AtRisk { .. } => "Échéance proche",
            SlaState::Breached { .. } => "Délai dépassé",
            SlaState::Met => "Objectif tenu",
            SlaState::Paused { .. } => "En pause (attente de l'établissement)",
        }
    }
}

/// The state of one target from a stored deadline. `done_at` is when the
/// target was reached (first answer, resolution); `warn_share` e.g. 0.25
/// warns in the last quarter of the target.
pub fn state(
    cal: &BusinessCalendar,
    due: DateTime<Utc>,
    target_minutes: i64,
    done_at: Option<DateTime<Utc>>,
    paused_now: bool,
    now: DateTime<Utc>,
    warn_share: f64,
) -> SlaState {
    if let Some(done) = done_at {
        return if done <= due {
            SlaState::Met
        } else {
            SlaState::Breached {
                late_minutes: cal.business_minutes_between(due, done),
            }
        };
    }
    if now > due {
        return SlaState::Breached {
            late_minutes: cal.business_minutes_between(due, now),
        };
    }
    let remaining = cal.business_minutes_between(now, due);
    if paused_now {
        return SlaState::Paused {
            remaining_minutes: remaining,
        };
    }
    if (remaining as f64) < warn_share * target_minutes as f64 {
        SlaState::AtRisk {
            remaining_minutes: remaining,
        }
    } else {
        SlaState::Ok {
            remaining_minutes: remaining,
        }
    }
}

/// The state of one target from the status history: the running time
/// against the target, up to `done_at` (when the target was reached) or
/// `now`. Lateness counts running time only, so waiting on the institution
/// after a miss does not make it worse. `warn_share` e.g. 0.25 warns in the
/// last quarter of the target.
pub fn clock_state(
    cal: &BusinessCalendar,
    opened_at: DateTime<Utc>,
    target_minutes: i64,
    history: &[(DateTime<Utc>, TicketStatus)],
    done_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    warn_share: f64,
) -> SlaState {
    let until = done_at.map_or(now, |d| d.min(now));
    let ran = clock_totals(cal, opened_at, history, until).running;
    let target = target_minutes.max(0).saturating_mul(60);
    if ran > target {
        // Rounded up: a deadline missed by seconds is missed.
        let late = ran - target;
        return SlaState::Breached {
            late_minutes: (late + 59) / 60,
        };
    }
    if done_at.is_some_and(|d| d <= now) {
        return SlaState::Met;
    }
    let remaining = (target - ran) / 60;
    if stops_clock(status_at(history, now)) {
        SlaState::Paused {
            remaining_minutes: remaining,
        }
    } else if (remaining as f64) < warn_share * target_minutes as f64 {
        SlaState::AtRisk {
            remaining_minutes: remaining,
        }
    } else {
        SlaState::Ok {
            remaining_minutes: remaining,
        }
    }
}

/// The resolution target's state: done when the ticket is resolved or
/// closed at `now`, running again if it was reopened.
pub fn resolution_state(
    cal: &BusinessCalendar,
    opened_at: DateTime<Utc>,
    target_minutes: i64,
    history: &[(DateTime<Utc>, TicketStatus)],
    now: DateTime<Utc>,
    warn_share: f64,
) -> SlaState {
    let done = resolved_at(history, now);
    clock_state(
        cal,
        opened_at,
        target_minutes,
        history,
        done,
        now,
        warn_share,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::CalendarKind;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;
    use TicketStatus::*;

    fn t(s: &str) -> DateTime<Utc> {
        chrono_tz::Europe::Paris
            .from_local_datetime(
                &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("d"),
            )
            .earliest()
            .expect("l")
            .with_timezone(&Utc)
    }

    fn cal() -> BusinessCalendar {
        BusinessCalendar::standard(CalendarKind::Metropole)
    }

    #[test]
    fn waiting_on_the_institution_pushes_the_deadline_and_editor_time_is_measured() {
        let cal = cal();
        let opened = t("2021-03-01 09:00"); // Monday
        let history = [
            (opened, Nouveau),
            (t("2021-03-01 10:00"), AttenteEtablissement),
            (t("2021-03-01 11:00"), EnCours),
            (t("2021-03-01 14:00"), AttenteEditeur),
            (t("2021-03-02 10:00"), EnCours),
        ];
        let now = t("2021-03-02 12:00");
        let tot = totals(&cal, &history, now);
        assert_eq!(tot.paused, 3600, "one hour waiting on the institution");
        // Monday 14:00–17:30 (3 h 30) + Tuesday 9:00–10:00 (1 h).
        assert_eq!(tot.editor, 4 * 3600 + 1800);
        assert_eq!(editor_minutes(&cal, opened, &history, now), 270);
        // Running: 9–10 (60) + 11–12:30 (90) + 13:30–17:30 (240) + Tuesday
        // 9–12 (180) = 570; plus the paused hour, all of Monday and
        // Tuesday morning (450 + 180).
        assert_eq!(elapsed_business_minutes(&cal, opened, &history, now), 570);
        assert_eq!(paused_business_minutes(&cal, opened, &history, now), 60);
        assert_eq!(tot, clock_totals(&cal, opened, &history, now));
        // 4 h target + 1 h paused: 9:00–12:30 is 3 h 30, then 13:30 + 1 h 30 = 15:00.
        assert_eq!(due_at(&cal, opened, 240, tot.paused), t("2021-03-01 15:00"));
        assert_eq!(
            due_at_from_history(&cal, opened, 240, &history, now),
            t("2021-03-01 15:00")
        );
    }

    #[test]
    fn a_pause_pushes_the_deadline_while_it_lasts() {
        let cal = cal();
        let opened = t("2021-03-01 09:00");
        let history = [
            (opened, Nouveau),
            (t("2021-03-01 10:00"), AttenteEtablissement),
        ];
        // Target 4 h, 1 h ran before the pause: 3 h are left, counted from now.
        // At 11:00 the deadline is 11:00 + 3 h = 15:00 (lunch skipped).
        assert_eq!(
            due_at_from_history(&cal, opened, 240, &history, t("2021-03-01 11:00")),
            t("2021-03-01 15:00")
        );
        // Still waiting on Tuesday 9:00: Tuesday 12:00.
        assert_eq!(
            due_at_from_history(&cal, opened, 240, &history, t("2021-03-02 09:00")),
            t("2021-03-02 12:00")
        );
        assert_eq!(
            clock_state(
                &cal,
                opened,
                240,
                &history,
                None,
                t("2021-03-02 09:00"),
                0.25
            ),
            SlaState::Paused {
                remaining_minutes: 180
            }
        );
    }

    #[test]
    fn a_pause_after_the_deadline_does_not_move_it() {
        let cal = cal();
        let opened = t("2021-03-01 09:00");
        // Target 1 h: due 10:00. Waiting on the institution 11:00–14:00.
        let history = [
            (opened, Nouveau),
            (t("2021-03-01 11:00"), AttenteEtablissement),
            (t("2021-03-01 14:00"), EnCours),
        ];
        let now = t("2021-03-01 15:00");
        assert_eq!(
            due_at_from_history(&cal, opened, 60, &history, now),
            t("2021-03-01 10:00")
        );
        // Late by the running time past the target: 10–11 and 14–15.
        assert_eq!(
            clock_state(&cal, opened, 60, &history, None, now, 0.25),
            SlaState::Breached { late_minutes: 120 }
        );
        // The running-totals formula would have moved it to 12:00
        // (9:00 + 1 h + the 2 business hours paused).
        let paused = totals(&cal, &history, now).paused;
        assert_eq!(paused, 2 * 3600);
        assert_eq!(due_at(&cal, opened, 60, paused), t("2021-03-01 12:00"));
    }

    #[test]
    fn resolving_stops_the_clock_and_reopening_resumes_it() {
        let cal = cal();
        let opened = t("2021-03-01 09:00");
        let resolved = [
            (opened, Nouveau),
            (t("2021-03-01 10:00"), EnCours),
            (t("2021-03-01 11:00"), Resolu),
        ];
        // Target one business day (450). Resolved after 2 h: met, for good.
        assert_eq!(
            resolved_at(&resolved, t("2021-03-10 09:00")),
            Some(t("2021-03-01 11:00"))
        );
        assert_eq!(
            resolution_state(&cal, opened, 450, &resolved, t("2021-03-02 10:00"), 0.25),
            SlaState::Met
        );
        assert_eq!(
            resolution_state(&cal, opened, 450, &resolved, t("2021-03-30 10:00"), 0.25),
            SlaState::Met
        );
        // Closing a resolved ticket keeps the resolution time.
        let mut closed = resolved.to_vec();
        closed.push((t("2021-03-05 09:00"), Clos));
        assert_eq!(
            resolved_at(&closed, t("2021-03-10 09:00")),
            Some(t("2021-03-01 11:00"))
        );
        // Reopened on Wednesday 3 March 9:00: 120 ran, 330 left from 9:00:
        // 9:00–12:30 (210), then 13:30 + 120 = 15:30.
        let mut reopened = resolved.to_vec();
        reopened.push((t("2021-03-03 09:00"), EnCours));
        let now = t("2021-03-03 10:00");
        assert_eq!(resolved_at(&reopened, now), None);
        assert_eq!(
            due_at_from_history(&cal, opened, 450, &reopened, now),
            t("2021-03-03 15:30")
        );
        assert_eq!(elapsed_business_minutes(&cal, opened, &reopened, now), 180);
        assert_eq!(
            resolution_state(&cal, opened, 450, &reopened, now, 0.25),
            SlaState::Ok {
                remaining_minutes: 270
            }
        );
        // Resolved too late stays late, by the running time past the target:
        // target 2 h, resolved at 12:00 after 3 h.
        let late = [(opened, EnCours), (t("2021-03-01 12:00"), Resolu)];
        assert_eq!(
            resolution_state(&cal, opened, 120, &late, t("2021-03-09 09:00"), 0.25),
            SlaState::Breached { late_minutes: 60 }
        );
    }

    #[test]
    fn states() {
        let cal = cal();
        let due = t("2021-03-01 17:00");
        assert_eq!(
            state(&cal, due, 240, None, false, t("2021-03-01 14:00"), 0.25),
            SlaState::Ok {
                remaining_minutes: 180
            }
        );
        assert_eq!(
            state(&cal, due, 240, None, false, t("2021-03-01 16:30"), 0.25),
            SlaState::AtRisk {
                remaining_minutes: 30
            }
        );
        assert_eq!(
            state(&cal, due, 240, None, false, t("2021-03-02 09:30"), 0.25),
            SlaState::Breached { late_minutes: 60 }
        );
        assert_eq!(
            state(
                &cal,
                due,
                240,
                Some(t("2021-03-01 16:00")),
                false,
                t("2021-03-09 09:00"),
                0.25
            ),
            SlaState::Met
        );
        assert_eq!(
            state(&cal, due, 240, None, true, t("2021-03-01 14:00"), 0.25).code(),
            "paused"
        );
        // From the history: opened Monday 9:00, target 4 h, warn in the
        // last quarter (under 60 minutes left).
        let opened = t("2021-03-01 09:00");
        let h = [(opened, Nouveau)];
        let at = |s| clock_state(&cal, opened, 240, &h, None, t(s), 0.25);
        assert_eq!(
            at("2021-03-01 12:00"),
            SlaState::Ok {
                remaining_minutes: 60
            }
        );
        assert_eq!(
            at("2021-03-01 12:15"),
            SlaState::AtRisk {
                remaining_minutes: 45
            }
        );
        // Lunch does not count: 12:30 and 13:30 both leave 30 minutes.
        assert_eq!(
            at("2021-03-01 13:30"),
            SlaState::AtRisk {
                remaining_minutes: 30
            }
        );
        assert_eq!(
            at("2021-03-01 14:00"),
            SlaState::AtRisk {
                remaining_minutes: 0
            }
        );
        assert_eq!(
            at("2021-03-01 14:01"),
            SlaState::Breached { late_minutes: 1 }
        );
        // The first answer at 13:45 met the target.
        assert_eq!(
            clock_state(
                &cal,
                opened,
                240,
                &h,
                Some(t("2021-03-01 13:45")),
                t("2021-03-05 09:00"),
                0.25
            ),
            SlaState::Met
        );
        assert_eq!(SlaState::Met.label_fr(), "Objectif tenu");
    }

    #[test]
    fn opened_out_of_hours_and_across_daylight_saving() {
        let cal = cal();
        // Opened Saturday 27 March 2021 at 10:00: the clock starts on
        // Monday 29 at 9:00 CEST; 4 h later is 13:00 plus the lunch hour:
        // 14:00 CEST = 12:00 UTC.
        let opened = t("2021-03-27 10:00");
        let due = due_at_from_history(&cal, opened, 240, &[(opened, Nouveau)], opened);
        assert_eq!(due.to_rfc3339(), "2021-03-29T12:00:00+00:00");
        // Opened Friday 26 March 16:00 CET: 1 h 30 then Monday 9:00–11:30 CEST.
        let opened = t("2021-03-26 16:00");
        let due = due_at_from_history(&cal, opened, 240, &[(opened, Nouveau)], opened);
        assert_eq!(due.to_rfc3339(), "2021-03-29T09:30:00+00:00");
    }

    #[test]
    fn history_in_any_order_and_before_the_opening() {
        let cal = cal();
        let opened = t("2021-03-01 09:00");
        let ordered = [
            (t("2021-03-01 08:00"), AttenteEtablissement), // before the opening: ignored until 9:00
            (t("2021-03-01 10:00"), EnCours),
            (t("2021-03-01 11:00"), AttenteEditeur),
        ];
        let mut shuffled = ordered.to_vec();
        shuffled.reverse();
        let now = t("2021-03-01 12:00");
        assert_eq!(
            clock_totals(&cal, opened, &ordered, now),
            clock_totals(&cal, opened, &shuffled, now)
        );
        let tot = clock_totals(&cal, opened, &ordered, now);
        assert_eq!((tot.paused, tot.running, tot.editor), (3600, 7200, 3600));
        assert_eq!(status_at(&shuffled, now), AttenteEditeur);
        assert_eq!(status_at(&shuffled, t("2021-03-01 07:00")), Nouveau);
    }

    #[test]
    fn default_levels_are_ordered_and_valid() {
        let levels = ServiceLevel::defaults();
        assert_eq!(
            levels.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(),
            ["socle", "renforce", "premium"]
        );
        let socle = &levels[0];
        // Socle: bloquant 4 h / 2 days, majeur 1 day / 5 days, mineur 2 days / 15 days.
        assert_eq!(
            socle.target(Severity::Bloquant),
            Some(Target {
                first_response: 240,
                resolution: 900
            })
        );
        assert_eq!(
            socle.target(Severity::Majeur),
            Some(Target {
                first_response: 450,
                resolution: 2250
            })
        );
        assert_eq!(
            socle.target(Severity::Mineur),
            Some(Target {
                first_response: 900,
                resolution: 6750
            })
        );
        for l in &levels {
            l.validate().expect("valid");
            let ts: Vec<Target> = Severity::ALL.iter().filter_map(|s| l.target(*s)).collect();
            assert_eq!(ts.len(), 3);
            for w in ts.windows(2) {
                assert!(
                    w[0].first_response <= w[1].first_response
                        && w[0].resolution <= w[1].resolution,
                    "{}",
                    l.code
                );
            }
        }
        for w in levels.windows(2) {
            for s in Severity::ALL {
                let (slow, fast) = (w[0].target(*s).expect("t"), w[1].target(*s).expect("t"));
                assert!(
                    fast.first_response <= slow.first_response
                        && fast.resolution <= slow.resolution
                );
            }
        }
        // Stored as data, in the shape the store already keeps.
        let json = serde_json::to_string(&socle.targets).expect("json");
        assert!(
            json.contains(r#""bloquant":{"first_response":240,"resolution":900}"#),
            "{json}"
        );
        let back: ServiceLevel =
            serde_json::from_str(&serde_json::to_string(socle).expect("j")).expect("back");
        assert_eq!(&back, socle);
    }

    #[test]
    fn admins_are_told_what_is_wrong_with_targets() {
        let mut l = ServiceLevel::defaults().remove(0);
        l.targets.remove("mineur");
        l.targets.insert(
            "urgent".into(),
            Target {
                first_response: 10,
                resolution: 20,
            },
        );
        l.targets.insert(
            "majeur".into(),
            Target {
                first_response: 500,
                resolution: 100,
            },
        );
        l.code = "Socle !".into();
        let Err(DomainError::Invalid(v)) = l.validate() else {
            panic!("invalid")
        };
        let codes: Vec<_> = v.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "response_after_resolution",
                "missing_target",
                "unknown_severity",
                "invalid_code"
            ]
        );
        assert!(v[1].detail.contains("Mineur"), "{}", v[1].detail);
        assert_eq!(v[0].field, "majeur_resolution");
        assert_eq!(v[1].field, "mineur_first_response");
    }

    fn opened() -> DateTime<Utc> {
        t("2021-03-01 09:00")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn pausing_never_shortens_the_time_left(
            pause_start in 0i64..6000, pause_len in 0i64..6000, after in 0i64..6000, target in 1i64..5000,
        ) {
            let cal = cal();
            let opened = opened();
            let p0 = opened + Duration::minutes(pause_start);
            let p1 = p0 + Duration::minutes(pause_len);
            let now = p1 + Duration::minutes(after);
            let without = [(opened, EnCours)];
            let with = [(opened, EnCours), (p0, AttenteEtablissement), (p1, EnCours)];
            let d0 = due_at_from_history(&cal, opened, target, &without, now);
            let d1 = due_at_from_history(&cal, opened, target, &with, now);
            prop_assert!(d1 >= d0);
            prop_assert!(cal.business_minutes_between(now, d1) >= cal.business_minutes_between(now, d0));
            prop_assert!(elapsed_business_minutes(&cal, opened, &with, now) <= elapsed_business_minutes(&cal, opened, &without, now));
            // The totals formula agrees with the pause-aware one as long as
            // the pause ended before the deadline.
            let paused = clock_totals(&cal, opened, &with, now).paused;
            prop_assert!(due_at(&cal, opened, target, paused) >= d1);
            if p1 <= d1 {
                prop_assert_eq!(due_at(&cal, opened, target, paused), d1);
            }
            // Still paused at `now`: the deadline is still ahead or was missed before.
            let open_pause = [(opened, EnCours), (p0, AttenteEtablissement)];
            let d2 = due_at_from_history(&cal, opened, target, &open_pause, now);
            prop_assert!(d2 >= d0);
        }

        #[test]
        fn the_deadline_is_a_business_instant(
            steps in proptest::collection::vec((0i64..3000, 0usize..6), 0..6), target in 1i64..5000, after in 0i64..6000,
        ) {
            let cal = cal();
            let opened = opened();
            let mut at = opened;
            let mut history = vec![(opened, Nouveau)];
            for (gap, s) in steps {
                at += Duration::minutes(gap);
                history.push((at, TicketStatus::ALL[s]));
            }
            let now = at + Duration::minutes(after);
            let due = due_at_from_history(&cal, opened, target, &history, now);
            prop_assert!(cal.is_business_instant(due), "{due}");
            // Running, paused and the whole business time add up; editor
            // time is part of the running time.
            let tot = clock_totals(&cal, opened, &history, now);
            prop_assert_eq!(tot.running + tot.paused, cal.business_seconds_between(opened, now));
            prop_assert!(tot.editor <= tot.running);
            // A target is breached exactly when the clock ran past it.
            let st = clock_state(&cal, opened, target, &history, None, now, 0.25);
            prop_assert_eq!(st.code() == "breached", tot.running > target * 60);
            if tot.running <= target * 60 {
                prop_assert!(due >= now.min(due));
            }
        }

        #[test]
        fn more_target_never_ends_earlier(pause_start in 0i64..3000, pause_len in 0i64..3000, a in 0i64..5000, b in 0i64..5000) {
            let cal = cal();
            let opened = opened();
            let p0 = opened + Duration::minutes(pause_start);
            let history = [(opened, Nouveau), (p0, AttenteEtablissement), (p0 + Duration::minutes(pause_len), EnCours)];
            let now = p0 + Duration::minutes(pause_len + 10);
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(due_at_from_history(&cal, opened, lo, &history, now) <= due_at_from_history(&cal, opened, hi, &history, now));
        }
    }
}
