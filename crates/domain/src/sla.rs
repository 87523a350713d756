//! Service levels and the SLA clock of a ticket. Targets are business
//! minutes per severity, edited by admins as data. The clock runs in the
//! institution's business calendar, pauses while the ticket waits on the
//! institution (and while it is resolved, so a reopened ticket does not
//! inherit the resolved days), and measures the time spent waiting on the
//! software editor separately.

use crate::calendar::BusinessCalendar;
use crate::support::{Severity, TicketStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Business minutes to the first public answer.
    pub first_response: i64,
    /// Business minutes to resolution.
    pub resolution: i64,
}

/// Targets per severity code (`bloquant`, `majeur`, `mineur`).
pub type Targets = BTreeMap<String, Target>;

const DAY: i64 = 450; // 7 h 30 of business time

/// The three levels the plan's move to personalised contracts suggests.
/// socle: bloquant 4 h / 2 days, majeur 1 day / 5 days, mineur 2 days / 15 days;
/// renforcé halves socle; premium: bloquant 1 h / 1 day, majeur 2 h / 2 days,
/// mineur 1 day / 5 days.
pub fn default_levels() -> Vec<(&'static str, &'static str, Targets)> {
    let t = |b: (i64, i64), ma: (i64, i64), mi: (i64, i64)| {
        let mut m = Targets::new();
        for (k, (f, r)) in [("bloquant", b), ("majeur", ma), ("mineur", mi)] {
            m.insert(k.to_string(), Target { first_response: f, resolution: r });
        }
        m
    };
    vec![
        ("socle", "Socle", t((240, 2 * DAY), (DAY, 5 * DAY), (2 * DAY, 15 * DAY))),
        ("renforce", "Renforcé", t((120, DAY), (DAY / 2, 5 * DAY / 2), (DAY, 15 * DAY / 2))),
        ("premium", "Premium", t((60, DAY), (120, 2 * DAY), (DAY, 5 * DAY))),
    ]
}

pub fn target_for(targets: &Targets, severity: Severity) -> Option<Target> {
    targets.get(severity.code()).copied()
}

/// Business time of a ticket from its status history, up to `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockTotals {
    /// Seconds the SLA clock was stopped (waiting on the institution,
    /// resolved or closed).
    pub paused: i64,
    /// Seconds spent waiting on the editor (counted in the SLA too).
    pub editor: i64,
}

fn pauses_clock(s: TicketStatus) -> bool {
    matches!(
        s,
        TicketStatus::AttenteEtablissement | TicketStatus::Resolu | TicketStatus::Clos
    )
}

/// `history`: status changes in time order, the first being the opening.
pub fn totals(cal: &BusinessCalendar, history: &[(DateTime<Utc>, TicketStatus)], now: DateTime<Utc>) -> ClockTotals {
    let mut out = ClockTotals::default();
    for (i, (from, status)) in history.iter().enumerate() {
        let to = history.get(i + 1).map(|h| h.0).unwrap_or(now).min(now);
        let secs = cal.business_seconds_between(*from, to);
        if pauses_clock(*status) {
            out.paused += secs;
        }
        if *status == TicketStatus::AttenteEditeur {
            out.editor += secs;
        }
    }
    out
}

/// The deadline: the target in business time after the opening, pushed
/// later by every paused second.
pub fn due_at(cal: &BusinessCalendar, opened_at: DateTime<Utc>, target_minutes: i64, paused_seconds: i64) -> DateTime<Utc> {
    cal.add_business_seconds(opened_at, target_minutes.saturating_mul(60).saturating_add(paused_seconds.max(0)))
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
}

/// The state of one target. `done_at` is when the target was reached
/// (first answer, resolution); `warn_share` e.g. 0.25 warns in the last
/// quarter of the target.
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
            SlaState::Breached { late_minutes: cal.business_minutes_between(due, done) }
        };
    }
    if now > due {
        return SlaState::Breached { late_minutes: cal.business_minutes_between(due, now) };
    }
    let remaining = cal.business_minutes_between(now, due);
    if paused_now {
        return SlaState::Paused { remaining_minutes: remaining };
    }
    if (remaining as f64) < warn_share * target_minutes as f64 {
        SlaState::AtRisk { remaining_minutes: remaining }
    } else {
        SlaState::Ok { remaining_minutes: remaining }
    }
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
            .from_local_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("d"))
            .earliest()
            .expect("l")
            .with_timezone(&Utc)
    }

    #[test]
    fn waiting_on_the_institution_pushes_the_deadline_and_editor_time_is_measured() {
        let cal = BusinessCalendar::standard(CalendarKind::Metropole);
        let opened = t("2021-03-01 09:00"); // Monday
        let history = [
            (opened, Nouveau),
            (t("2021-03-01 10:00"), AttenteEtablissement),
            (t("2021-03-01 11:00"), EnCours),
            (t("2021-03-01 14:00"), AttenteEditeur),
            (t("2021-03-02 10:00"), EnCours),
        ];
        let tot = totals(&cal, &history, t("2021-03-02 12:00"));
        assert_eq!(tot.paused, 3600, "one hour waiting on the institution");
        // Monday 14:00–17:30 (3.5 h) + Tuesday 9:00–10:00 (1 h).
        assert_eq!(tot.editor, 4 * 3600 + 1800);
        // 4 h target + 1 h paused: 9:00–12:30 is 3.5 h, then 13:30 + 1.5 h = 15:00.
        assert_eq!(due_at(&cal, opened, 240, tot.paused), t("2021-03-01 15:00"));
    }

    #[test]
    fn states() {
        let cal = BusinessCalendar::standard(CalendarKind::Metropole);
        let due = t("2021-03-01 17:00");
        assert_eq!(state(&cal, due, 240, None, false, t("2021-03-01 14:00"), 0.25), SlaState::Ok { remaining_minutes: 180 });
        assert_eq!(state(&cal, due, 240, None, false, t("2021-03-01 16:30"), 0.25), SlaState::AtRisk { remaining_minutes: 30 });
        assert_eq!(state(&cal, due, 240, None, false, t("2021-03-02 09:30"), 0.25), SlaState::Breached { late_minutes: 60 });
        assert_eq!(state(&cal, due, 240, Some(t("2021-03-01 16:00")), false, t("2021-03-09 09:00"), 0.25), SlaState::Met);
        assert_eq!(state(&cal, due, 240, None, true, t("2021-03-01 14:00"), 0.25).code(), "paused");
        assert_eq!(default_levels().len(), 3);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn pausing_never_shortens_the_time_left(pause_start in 0i64..3000, pause_len in 0i64..3000, target in 60i64..5000) {
            let cal = BusinessCalendar::standard(CalendarKind::Metropole);
            let opened = t("2021-03-01 09:00");
            let p0 = opened + Duration::minutes(pause_start);
            let p1 = p0 + Duration::minutes(pause_len);
            let now = p1 + Duration::minutes(30);
            let without = totals(&cal, &[(opened, EnCours)], now);
            let with = totals(&cal, &[(opened, EnCours), (p0, AttenteEtablissement), (p1, EnCours)], now);
            let d0 = due_at(&cal, opened, target, without.paused);
            let d1 = due_at(&cal, opened, target, with.paused);
            prop_assert!(d1 >= d0);
            prop_assert!(cal.business_minutes_between(now, d1) >= cal.business_minutes_between(now, d0));
        }
    }
}
