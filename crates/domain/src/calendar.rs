//! Business calendars: working hours in an institution's time zone, French
//! public holidays computed for any year (fixed days and Easter-based ones),
//! the Alsace-Moselle and overseas variants, and closure periods. A
//! calendar is data (serde, JSON) that admins edit; the arithmetic is pure.
//!
//! Working hours are wall-clock times of the institution's zone, so a day
//! keeps its 9:00–17:30 on both sides of a daylight-saving change; the
//! arithmetic itself runs on UTC instants, so a duration is always real
//! elapsed time. A local time that does not exist (spring-forward gap) is
//! read as the first instant after the gap, so only the part of a working
//! window that really exists counts; a local time that happens twice
//! (autumn overlap) opens a window at its first occurrence and closes it at
//! its last, so the repeated hour counts once, as worked.

use crate::code_enum;
use crate::crm::CalendarKind;
use crate::shared::{DomainError, Violations};
use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm,
/// also known as Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // The formula only yields 22 March – 25 April; the fallback is for years
    // chrono cannot represent at all.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default()
}

code_enum!(
    /// Overseas territories whose local public holidays (abolition of
    /// slavery, local days) are added to the national ones.
    Territory {
    Guadeloupe => ("guadeloupe", "Guadeloupe", "Guadeloupe"),
    Martinique => ("martinique", "Martinique", "Martinique"),
    Guyane => ("guyane", "Guyane", "French Guiana"),
    Reunion => ("reunion", "La Réunion", "Réunion"),
    Mayotte => ("mayotte", "Mayotte", "Mayotte"),
    SaintMartin => ("saint_martin", "Saint-Martin", "Saint Martin"),
    SaintBarthelemy => ("saint_barthelemy", "Saint-Barthélemy", "Saint Barthélemy"),
    Polynesie => ("polynesie", "Polynésie française", "French Polynesia"),
    NouvelleCaledonie => ("nouvelle_caledonie", "Nouvelle-Calédonie", "New Caledonia"),
});

impl Territory {
    /// Local public holidays: (month, day, French name).
    pub fn local_days(self) -> &'static [(u32, u32, &'static str)] {
        const ABOLITION: &str = "Abolition de l'esclavage";
        match self {
            Territory::Guadeloupe => &[(5, 27, ABOLITION)],
            Territory::Martinique => &[(5, 22, ABOLITION)],
            Territory::Guyane => &[(6, 10, ABOLITION)],
            Territory::Reunion => &[(12, 20, ABOLITION)],
            Territory::Mayotte => &[(4, 27, ABOLITION)],
            // 28 May since 2018 (27 May before); older years are not needed.
            Territory::SaintMartin => &[(5, 28, ABOLITION)],
            Territory::SaintBarthelemy => &[(10, 9, ABOLITION)],
            Territory::Polynesie => &[
                (3, 5, "Arrivée de l'Évangile"),
                (6, 29, "Fête de l'autonomie"),
            ],
            Territory::NouvelleCaledonie => &[(9, 24, "Fête de la citoyenneté")],
        }
    }

    /// The territory's own time zone, a sensible default for its calendar.
    pub fn timezone(self) -> Tz {
        match self {
            Territory::Guadeloupe => chrono_tz::America::Guadeloupe,
            Territory::Martinique => chrono_tz::America::Martinique,
            Territory::Guyane => chrono_tz::America::Cayenne,
            Territory::Reunion => chrono_tz::Indian::Reunion,
            Territory::Mayotte => chrono_tz::Indian::Mayotte,
            Territory::SaintMartin => chrono_tz::America::Marigot,
            Territory::SaintBarthelemy => chrono_tz::America::St_Barthelemy,
            Territory::Polynesie => chrono_tz::Pacific::Tahiti,
            Territory::NouvelleCaledonie => chrono_tz::Pacific::Noumea,
        }
    }
}

/// The French name of the public holiday on `date`, if it is one for this
/// calendar kind. A territory only applies to the overseas kind. Computed
/// without allocation: it runs for every day a deadline walks through.
pub fn holiday_name(
    date: NaiveDate,
    kind: CalendarKind,
    territory: Option<Territory>,
) -> Option<&'static str> {
    let fixed = match (date.month(), date.day()) {
        (1, 1) => Some("Jour de l'an"),
        (5, 1) => Some("Fête du Travail"),
        (5, 8) => Some("Victoire 1945"),
        (7, 14) => Some("Fête nationale"),
        (8, 15) => Some("Assomption"),
        (11, 1) => Some("Toussaint"),
        (11, 11) => Some("Armistice 1918"),
        (12, 25) => Some("Noël"),
        (12, 26) if kind == CalendarKind::AlsaceMoselle => Some("Saint-Étienne"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    match (date - easter_sunday(date.year())).num_days() {
        1 => return Some("Lundi de Pâques"),
        39 => return Some("Ascension"),
        50 => return Some("Lundi de Pentecôte"),
        -2 if kind == CalendarKind::AlsaceMoselle => return Some("Vendredi saint"),
        _ => {}
    }
    match (kind, territory) {
        (CalendarKind::OutreMer, Some(t)) => t
            .local_days()
            .iter()
            .find(|(m, d, _)| *m == date.month() && *d == date.day())
            .map(|(_, _, name)| *name),
        _ => None,
    }
}

/// Public holidays of a year for a calendar kind, sorted, without duplicates
/// (Ascension sometimes falls on 1 or 8 May).
pub fn public_holidays(
    year: i32,
    kind: CalendarKind,
    territory: Option<Territory>,
) -> Vec<NaiveDate> {
    named_holidays(year, kind, territory)
        .into_iter()
        .map(|(d, _)| d)
        .collect()
}

/// Public holidays of a year with their French names, for display.
pub fn named_holidays(
    year: i32,
    kind: CalendarKind,
    territory: Option<Territory>,
) -> Vec<(NaiveDate, &'static str)> {
    let easter = easter_sunday(year);
    let mut dates: Vec<NaiveDate> = [
        (1, 1),
        (5, 1),
        (5, 8),
        (7, 14),
        (8, 15),
        (11, 1),
        (11, 11),
        (12, 25),
    ]
    .iter()
    .filter_map(|(m, d)| NaiveDate::from_ymd_opt(year, *m, *d))
    .collect();
    dates.extend([1, 39, 50].map(|n| easter + Duration::days(n)));
    match (kind, territory) {
        (CalendarKind::AlsaceMoselle, _) => {
            dates.push(easter - Duration::days(2));
            dates.extend(NaiveDate::from_ymd_opt(year, 12, 26));
        }
        (CalendarKind::OutreMer, Some(t)) => dates.extend(
            t.local_days()
                .iter()
                .filter_map(|(m, d, _)| NaiveDate::from_ymd_opt(year, *m, *d)),
        ),
        _ => {}
    }
    dates.sort();
    dates.dedup();
    // One source of truth for the names: the per-date rule above.
    dates
        .into_iter()
        .filter_map(|d| holiday_name(d, kind, territory).map(|n| (d, n)))
        .collect()
}

/// A working window of a day, in local wall-clock time.
pub type Window = (NaiveTime, NaiveTime);

/// Working hours, holidays and closures of an institution.
///
/// JSON as admins store it (every field but `kind` may be left out and then
/// takes the standard value):
/// `{"kind":"outre_mer","territory":"reunion","timezone":"Indian/Reunion",
///   "weekdays":[1,2,3,4,5],"hours":[["09:00:00","12:30:00"],["13:30:00","17:30:00"]],
///   "hours_by_weekday":{"5":[["09:00:00","12:00:00"]]},
///   "extra_holidays":["2021-05-14"],"closures":[["2021-12-24","2021-12-31"]]}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessCalendar {
    pub kind: CalendarKind,
    /// Overseas territory whose local holidays apply (with `outre_mer`).
    #[serde(default)]
    pub territory: Option<Territory>,
    /// IANA time zone of the working hours, e.g. `Europe/Paris`,
    /// `America/Guadeloupe`, `Indian/Reunion`.
    #[serde(rename = "timezone", alias = "tz", default = "paris")]
    pub tz: Tz,
    /// Working days, ISO numbers (1 = Monday … 7 = Sunday), each with `hours`.
    #[serde(default = "standard_weekdays")]
    pub weekdays: Vec<u32>,
    /// Working windows of a working day, in local time.
    #[serde(default = "standard_hours")]
    pub hours: Vec<Window>,
    /// Days with other hours than `hours`, by ISO weekday number. An entry
    /// makes that day a working day with those windows (an empty list makes
    /// it a day off), whether or not it is listed in `weekdays`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hours_by_weekday: BTreeMap<u32, Vec<Window>>,
    /// Days off beyond the public holidays (a local saint's day, a "pont").
    #[serde(default)]
    pub extra_holidays: Vec<NaiveDate>,
    /// Closure periods, both ends included.
    #[serde(default)]
    pub closures: Vec<(NaiveDate, NaiveDate)>,
}

fn paris() -> Tz {
    chrono_tz::Europe::Paris
}

fn standard_weekdays() -> Vec<u32> {
    vec![1, 2, 3, 4, 5]
}

fn standard_hours() -> Vec<Window> {
    vec![(hm(9, 0), hm(12, 30)), (hm(13, 30), hm(17, 30))]
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        BusinessCalendar::standard(CalendarKind::Metropole)
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

/// Upper bound on the days `add_business_seconds` walks (10 years): a
/// calendar closed for good must not loop forever.
const MAX_DAYS: i64 = 3660;

/// Sorts windows and merges the overlapping or touching ones, dropping the
/// empty ones: admins type hours in any order.
fn normalise<T: Ord + Copy>(mut w: Vec<(T, T)>) -> Vec<(T, T)> {
    w.retain(|(a, b)| a < b);
    w.sort();
    let mut out: Vec<(T, T)> = Vec::with_capacity(w.len());
    for (a, b) in w {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

impl BusinessCalendar {
    /// Monday to Friday, 9:00–12:30 and 13:30–17:30, Europe/Paris.
    pub fn standard(kind: CalendarKind) -> BusinessCalendar {
        BusinessCalendar {
            kind,
            territory: None,
            tz: paris(),
            weekdays: standard_weekdays(),
            hours: standard_hours(),
            hours_by_weekday: BTreeMap::new(),
            extra_holidays: vec![],
            closures: vec![],
        }
    }

    /// Standard hours in the territory's own time zone, with its holidays.
    pub fn overseas(territory: Territory) -> BusinessCalendar {
        BusinessCalendar {
            territory: Some(territory),
            tz: territory.timezone(),
            ..BusinessCalendar::standard(CalendarKind::OutreMer)
        }
    }

    /// Reads a calendar typed by an admin (JSON) and validates it.
    pub fn from_json(json: &str) -> Result<BusinessCalendar, DomainError> {
        let cal: BusinessCalendar = serde_json::from_str(json).map_err(|e| {
            DomainError::invalid(
                "invalid_calendar",
                "calendar",
                format!("Calendrier illisible : {e}"),
            )
        })?;
        cal.validate()?;
        Ok(cal)
    }

    /// Checks what serde cannot: windows that end after they start and do
    /// not overlap, valid weekday numbers, closures in order, a territory
    /// only on an overseas calendar, and some working time at all.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut v = Violations::default();
        let mut check_windows = |field: &'static str, w: &[Window]| {
            if let Some((a, b)) = w.iter().find(|(a, b)| a >= b) {
                v.push(
                    "invalid_hours",
                    field,
                    format!(
                        "La plage {} – {} doit finir après son début.",
                        a.format("%H:%M"),
                        b.format("%H:%M")
                    ),
                );
            } else if normalise(w.to_vec()).len() != w.len() {
                v.push(
                    "overlapping_hours",
                    field,
                    "Des plages horaires se chevauchent.",
                );
            }
        };
        check_windows("hours", &self.hours);
        for w in self.hours_by_weekday.values() {
            check_windows("hours_by_weekday", w);
        }
        let bad_day = |d: &u32| !(1..=7).contains(d);
        if self.weekdays.iter().any(bad_day) || self.hours_by_weekday.keys().any(bad_day) {
            v.push(
                "invalid_weekday",
                "weekdays",
                "Les jours ouvrés se notent de 1 (lundi) à 7 (dimanche).",
            );
        }
        if let Some((a, b)) = self.closures.iter().find(|(a, b)| a > b) {
            v.push(
                "invalid_closure",
                "closures",
                format!(
                    "La fermeture du {} au {} finit avant de commencer.",
                    a.format("%d/%m/%Y"),
                    b.format("%d/%m/%Y")
                ),
            );
        }
        if self.territory.is_some() && self.kind != CalendarKind::OutreMer {
            v.push(
                "territory_not_overseas",
                "territory",
                "Un territoire ne s'indique qu'avec le calendrier outre-mer.",
            );
        }
        if !self.has_working_time() {
            v.push(
                "no_working_time",
                "hours",
                "Ce calendrier ne compte aucune heure ouvrée.",
            );
        }
        v.into_result()
    }

    /// The windows of a weekday before holidays and closures, normalised.
    fn hours_of(&self, weekday: Weekday) -> Vec<Window> {
        let n = weekday.number_from_monday();
        match self.hours_by_weekday.get(&n) {
            Some(h) => normalise(h.clone()),
            None if self.weekdays.contains(&n) => normalise(self.hours.clone()),
            None => vec![],
        }
    }

    /// Whether some weekday has working hours at all.
    fn has_working_time(&self) -> bool {
        let mut d = Weekday::Mon;
        for _ in 0..7 {
            if !self.hours_of(d).is_empty() {
                return true;
            }
            d = d.succ();
        }
        false
    }

    /// Public holiday, extra holiday of this calendar, or closure day.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.extra_holidays.contains(&date)
            || holiday_name(date, self.kind, self.territory).is_some()
    }

    pub fn is_closed(&self, date: NaiveDate) -> bool {
        self.closures.iter().any(|(a, b)| *a <= date && date <= *b)
    }

    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !self.is_holiday(date) && !self.is_closed(date) && !self.hours_of(date.weekday()).is_empty()
    }

    /// A local wall-clock time as an instant: see the module comment for
    /// gaps and overlaps. `closing` picks the last of two occurrences.
    fn instant(&self, local: NaiveDateTime, closing: bool) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
                if closing {
                    a.max(b)
                } else {
                    a.min(b)
                }
            }
            LocalResult::None => {
                // In a gap: the first whole local minute that exists again
                // is the instant the clocks jumped (gaps end on a minute).
                let mut probe = local
                    .with_second(0)
                    .unwrap_or(local)
                    .with_nanosecond(0)
                    .unwrap_or(local);
                for _ in 0..(48 * 60) {
                    probe += Duration::minutes(1);
                    if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                        return t.with_timezone(&Utc);
                    }
                }
                Utc.from_utc_datetime(&local)
            }
        }
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The working windows of a local date, as sorted, disjoint UTC
    /// intervals.
    fn windows(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.is_holiday(date) || self.is_closed(date) {
            return vec![];
        }
        let utc = self
            .hours_of(date.weekday())
            .into_iter()
            .map(|(a, b)| {
                (
                    self.instant(NaiveDateTime::new(date, a), false),
                    self.instant(NaiveDateTime::new(date, b), true),
                )
            })
            .collect();
        // A window whose ends were moved by an overlap may now touch the
        // next one; a window inside a gap has vanished.
        normalise(utc)
    }

    /// Whether `t` is within working hours (a window's closing minute
    /// included, so a deadline at 17:30 is a working instant).
    pub fn is_business_instant(&self, t: DateTime<Utc>) -> bool {
        let d = self.local_date(t);
        [d.pred_opt(), Some(d)]
            .into_iter()
            .flatten()
            .flat_map(|d| self.windows(d))
            .any(|(a, b)| a <= t && t <= b)
    }

    /// `t` itself when it is a working instant, otherwise the opening of the
    /// next working window.
    pub fn next_business_instant(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.add_business_seconds(t, 0)
    }

    /// Adds `seconds` of working time to `start` (negative counts as 0).
    /// With 0, the first working instant at or after `start`. A calendar
    /// without any working time counts plain elapsed time, so a broken
    /// calendar still gives a deadline; `validate` refuses such calendars.
    pub fn add_business_seconds(&self, start: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
        let mut remaining = seconds.max(0);
        if !self.has_working_time() {
            return start + Duration::seconds(remaining);
        }
        let first = self.local_date(start) - Duration::days(1);
        for offset in 0..MAX_DAYS {
            let date = first + Duration::days(offset);
            for (a, b) in self.windows(date) {
                if b < start {
                    continue;
                }
                let from = a.max(start);
                let available = (b - from).num_seconds();
                if remaining <= available {
                    return from + Duration::seconds(remaining);
                }
                remaining -= available;
            }
        }
        start + Duration::seconds(remaining)
    }

    /// Adds `minutes` of working time to `start`: the deadline of a target.
    pub fn add_business_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        self.add_business_seconds(start, minutes.saturating_mul(60))
    }

    /// Working seconds between `a` and `b` (0 when `b` is not after `a`).
    pub fn business_seconds_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        let mut date = self.local_date(a) - Duration::days(1);
        let last = self.local_date(b);
        while date <= last {
            for (s, e) in self.windows(date) {
                let from = s.max(a);
                let to = e.min(b);
                if to > from {
                    total += (to - from).num_seconds();
                }
            }
            date += Duration::days(1);
        }
        total
    }

    /// Whole working minutes between `a` and `b` (rounded down).
    pub fn business_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.business_seconds_between(a, b) / 60
    }
}

impl BusinessCalendar {
    /// The working windows of an ISO weekday (1 = Monday … 7 = Sunday),
    /// before holidays and closures: what the admin form shows.
    pub fn weekday_hours(&self, iso: u32) -> Vec<Window> {
        let mut d = Weekday::Mon;
        for _ in 1..iso.clamp(1, 7) {
            d = d.succ();
        }
        self.hours_of(d)
    }
}

/// A closure period with the label admins gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
}

/// Reads closure periods typed one per line as `AAAA-MM-JJ;AAAA-MM-JJ;libellé`
/// (blank lines ignored). Every bad line is reported with its number, so an
/// admin fixing a long list sees all the mistakes at once.
pub fn parse_closure_lines(text: &str) -> Result<Vec<Closure>, DomainError> {
    let mut v = Violations::default();
    let mut out: Vec<(usize, Closure)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.splitn(3, ';').map(str::trim).collect();
        if parts.len() < 3 {
            v.push(
                "invalid_closure_line",
                "closures",
                format!("Ligne {n} : attendu « AAAA-MM-JJ;AAAA-MM-JJ;libellé »."),
            );
            continue;
        }
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let (Some(start), Some(end)) = (date(parts[0]), date(parts[1])) else {
            v.push(
                "invalid_closure_line",
                "closures",
                format!("Ligne {n} : date invalide, attendu AAAA-MM-JJ (par exemple 2026-12-24)."),
            );
            continue;
        };
        if parts[2].is_empty() {
            v.push(
                "missing_closure_label",
                "closures",
                format!("Ligne {n} : indiquez un libellé pour la fermeture."),
            );
            continue;
        }
        if end < start {
            v.push(
                "invalid_closure",
                "closures",
                format!("Ligne {n} : la fermeture finit avant de commencer."),
            );
            continue;
        }
        if let Some((m, _)) = out.iter().find(|(_, c)| c.start <= end && start <= c.end) {
            v.push(
                "overlapping_closure",
                "closures",
                format!("Ligne {n} : cette période chevauche celle de la ligne {m}."),
            );
            continue;
        }
        out.push((
            n,
            Closure {
                start,
                end,
                label: parts[2].to_string(),
            },
        ));
    }
    v.into_result()?;
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// The textarea form of closure periods, the inverse of
/// [`parse_closure_lines`].
pub fn closure_lines(closures: &[Closure]) -> String {
    closures
        .iter()
        .map(|c| {
            format!(
                "{};{};{}",
                c.start.format("%Y-%m-%d"),
                c.end.format("%Y-%m-%d"),
                c.label
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// True when a date is a Saturday or Sunday (for reports).
pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn local(tz: Tz, s: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("date");
        tz.from_local_datetime(&naive)
            .earliest()
            .expect("local")
            .with_timezone(&Utc)
    }

    fn paris(s: &str) -> DateTime<Utc> {
        local(chrono_tz::Europe::Paris, s)
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("rfc3339")
            .with_timezone(&Utc)
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    /// Every day of the week, 00:00–06:00 and 20:00–23:59 in Paris: windows
    /// that the daylight-saving changes cut into.
    fn night_shift() -> BusinessCalendar {
        BusinessCalendar {
            weekdays: vec![1, 2, 3, 4, 5, 6, 7],
            hours: vec![(hm(0, 0), hm(6, 0)), (hm(20, 0), hm(23, 59))],
            ..BusinessCalendar::standard(CalendarKind::Metropole)
        }
    }

    #[test]
    fn easter_dates_checked_by_hand() {
        assert_eq!(easter_sunday(2021), ymd(2021, 4, 4));
        assert_eq!(easter_sunday(2024), ymd(2024, 3, 31));
        assert_eq!(easter_sunday(2025), ymd(2025, 4, 20));
        assert_eq!(easter_sunday(2019), ymd(2019, 4, 21));
        assert_eq!(easter_sunday(2000), ymd(2000, 4, 23));
        // The extremes of the Gregorian range: 22 March and 25 April.
        assert_eq!(easter_sunday(2285), ymd(2285, 3, 22));
        assert_eq!(easter_sunday(2038), ymd(2038, 4, 25));
    }

    #[test]
    fn french_holidays_of_2021() {
        let h = public_holidays(2021, CalendarKind::Metropole, None);
        // 8 fixed days + Easter Monday, Ascension, Whit Monday.
        assert_eq!(h.len(), 11);
        assert!(h.contains(&ymd(2021, 4, 5)), "lundi de Pâques = Pâques + 1");
        assert!(
            h.contains(&ymd(2021, 5, 13)),
            "Ascension = 4 avril + 39 jours"
        );
        assert!(
            h.contains(&ymd(2021, 5, 24)),
            "Pentecôte = 4 avril + 50 jours"
        );
        for (m, d) in [
            (1, 1),
            (5, 1),
            (5, 8),
            (7, 14),
            (8, 15),
            (11, 1),
            (11, 11),
            (12, 25),
        ] {
            assert!(h.contains(&ymd(2021, m, d)), "{m}/{d}");
        }
        assert_eq!(
            holiday_name(ymd(2021, 5, 13), CalendarKind::Metropole, None),
            Some("Ascension")
        );
        assert_eq!(
            holiday_name(ymd(2021, 5, 14), CalendarKind::Metropole, None),
            None
        );
        // Ascension 2008 fell on 1 May: one day off, not two.
        assert_eq!(
            public_holidays(2008, CalendarKind::Metropole, None).len(),
            10
        );
    }

    #[test]
    fn good_friday_and_saint_stephen_only_in_alsace_moselle() {
        let good_friday = ymd(2021, 4, 2); // Easter 4 April − 2 days
        let stephen = ymd(2021, 12, 26);
        let am = public_holidays(2021, CalendarKind::AlsaceMoselle, None);
        assert_eq!(am.len(), 13);
        assert!(am.contains(&good_friday) && am.contains(&stephen));
        for kind in [CalendarKind::Metropole, CalendarKind::OutreMer] {
            let h = public_holidays(2021, kind, Some(Territory::Guadeloupe));
            assert!(!h.contains(&good_friday) && !h.contains(&stephen), "{kind}");
        }
        let cal = BusinessCalendar::standard(CalendarKind::AlsaceMoselle);
        assert!(!cal.is_business_day(good_friday));
        assert!(BusinessCalendar::standard(CalendarKind::Metropole).is_business_day(good_friday));
    }

    #[test]
    fn overseas_days_follow_the_territory() {
        let days = |t| public_holidays(2021, CalendarKind::OutreMer, Some(t));
        assert!(days(Territory::Guadeloupe).contains(&ymd(2021, 5, 27)));
        assert!(days(Territory::Martinique).contains(&ymd(2021, 5, 22)));
        assert!(days(Territory::Guyane).contains(&ymd(2021, 6, 10)));
        assert!(days(Territory::Reunion).contains(&ymd(2021, 12, 20)));
        assert!(days(Territory::Mayotte).contains(&ymd(2021, 4, 27)));
        assert!(days(Territory::SaintMartin).contains(&ymd(2021, 5, 28)));
        assert!(days(Territory::SaintBarthelemy).contains(&ymd(2021, 10, 9)));
        assert!(days(Territory::Polynesie).contains(&ymd(2021, 3, 5)));
        assert!(days(Territory::Polynesie).contains(&ymd(2021, 6, 29)));
        assert!(days(Territory::NouvelleCaledonie).contains(&ymd(2021, 9, 24)));
        assert!(!days(Territory::Martinique).contains(&ymd(2021, 5, 27)));
        // A territory means nothing on a mainland calendar.
        let mainland = public_holidays(2021, CalendarKind::Metropole, Some(Territory::Guadeloupe));
        assert!(!mainland.contains(&ymd(2021, 5, 27)));
        assert_eq!(days(Territory::Polynesie).len(), 13);
        for t in Territory::ALL {
            assert_eq!(Territory::from_code(t.code()), Some(*t));
        }
    }

    #[test]
    fn four_hours_on_the_friday_before_easter_monday_land_on_tuesday() {
        let cal = BusinessCalendar::standard(CalendarKind::Metropole);
        // Friday 2 April 2021 16:00: 1 h 30 left that day; Monday 5 is
        // Easter Monday, so 2 h 30 remain on Tuesday 6: 9:00–11:30.
        let due = cal.add_business_minutes(paris("2021-04-02 16:00"), 240);
        assert_eq!(due, paris("2021-04-06 11:30"));
        assert_eq!(
            cal.business_minutes_between(paris("2021-04-02 16:00"), due),
            240
        );
        // In Alsace-Moselle the Friday itself is off (Vendredi saint):
        // 3 h 30 on Tuesday morning, then 30 min after lunch.
        let am = BusinessCalendar::standard(CalendarKind::AlsaceMoselle);
        assert_eq!(
            am.add_business_minutes(paris("2021-04-02 16:00"), 240),
            paris("2021-04-06 14:00")
        );
        // Ascension Thursday 13 May 2021: the "pont" Friday stays a working day.
        assert_eq!(
            cal.add_business_minutes(paris("2021-05-12 17:00"), 60),
            paris("2021-05-14 09:30")
        );
        // Whit Monday 24 May 2021.
        assert_eq!(
            cal.add_business_minutes(paris("2021-05-21 17:30"), 30),
            paris("2021-05-25 09:30")
        );
    }

    #[test]
    fn a_due_time_across_daylight_saving_changes_is_right_in_utc() {
        let cal = BusinessCalendar::standard(CalendarKind::Metropole);
        // Spring, 28 March 2021. Friday 26 March 16:00 CET (15:00 UTC) + 4 h:
        // 16:00–17:30 (1 h 30), then Monday 29 9:00–11:30 CEST (UTC+2).
        let start = paris("2021-03-26 16:00");
        assert_eq!(start, utc("2021-03-26T15:00:00Z"));
        let due = cal.add_business_minutes(start, 240);
        assert_eq!(due, utc("2021-03-29T09:30:00Z"));
        assert_eq!(cal.business_minutes_between(start, due), 240);
        // Friday 17:00 CET + 1 h → Monday 9:30 CEST = 7:30 UTC.
        assert_eq!(
            cal.add_business_minutes(paris("2021-03-26 17:00"), 60),
            utc("2021-03-29T07:30:00Z")
        );
        // Autumn, 31 October 2021. Friday 29 October 15:00 CEST (13:00 UTC)
        // + 4 h: 15:00–17:30 (2 h 30); Monday 1 November is Toussaint;
        // Tuesday 2 November 9:00–10:30 CET (UTC+1) = 9:30 UTC.
        let start = paris("2021-10-29 15:00");
        assert_eq!(start, utc("2021-10-29T13:00:00Z"));
        let due = cal.add_business_minutes(start, 240);
        assert_eq!(due, utc("2021-11-02T09:30:00Z"));
        assert_eq!(cal.business_minutes_between(start, due), 240);
        // A whole working day is 7 h 30 on both sides of each change.
        assert_eq!(
            cal.business_minutes_between(paris("2021-03-26 00:00"), paris("2021-03-30 00:00")),
            2 * 450
        );
        assert_eq!(
            cal.business_minutes_between(paris("2021-10-28 00:00"), paris("2021-11-03 00:00")),
            3 * 450
        );
    }

    #[test]
    fn windows_cut_by_daylight_saving_count_real_time() {
        let cal = night_shift();
        // Sunday 28 March 2021: 02:00–03:00 does not exist. 00:00 CET is
        // 23:00 UTC on the 27th, 06:00 CEST is 04:00 UTC: 5 h.
        let day = |s: &str, e: &str| cal.business_minutes_between(paris(s), paris(e));
        assert_eq!(day("2021-03-28 00:00", "2021-03-28 06:00"), 300);
        // Sunday 31 October 2021: 02:00–03:00 happens twice. 00:00 CEST is
        // 22:00 UTC on the 30th, 06:00 CET is 05:00 UTC: 7 h.
        assert_eq!(day("2021-10-31 00:00", "2021-10-31 06:00"), 420);
        // A window that opens inside the spring gap opens when the clocks
        // jump (03:00 CEST = 01:00 UTC); one that closes in the autumn
        // overlap closes at the second 02:30 (01:30 UTC).
        let mut odd = cal.clone();
        odd.hours = vec![(hm(2, 30), hm(5, 0))];
        assert_eq!(
            odd.next_business_instant(utc("2021-03-28T00:00:00Z")),
            utc("2021-03-28T01:00:00Z")
        );
        // 03:00–05:00 CEST: 2 h.
        assert_eq!(
            odd.business_minutes_between(utc("2021-03-27T12:00:00Z"), utc("2021-03-28T12:00:00Z")),
            120
        );
        // First 02:30 CEST (00:30 UTC) to 05:00 CET (04:00 UTC): 3 h 30.
        assert_eq!(
            odd.next_business_instant(utc("2021-10-31T00:00:00Z")),
            utc("2021-10-31T00:30:00Z")
        );
        assert_eq!(
            odd.business_minutes_between(utc("2021-10-30T12:00:00Z"), utc("2021-10-31T12:00:00Z")),
            210
        );
        odd.hours = vec![(hm(0, 0), hm(2, 30))];
        // 00:00 CEST (22:00 UTC) to the second 02:30 (01:30 UTC): 3 h 30.
        assert_eq!(
            odd.business_minutes_between(utc("2021-10-30T12:00:00Z"), utc("2021-10-31T12:00:00Z")),
            210
        );
        assert!(
            odd.is_business_instant(utc("2021-10-31T01:15:00Z")),
            "02:15 CET, the second time round"
        );
        // A window wholly inside the gap does not exist that day.
        odd.hours = vec![(hm(2, 10), hm(2, 50))];
        assert_eq!(
            odd.business_minutes_between(utc("2021-03-27T12:00:00Z"), utc("2021-03-28T12:00:00Z")),
            0
        );
        assert_eq!(
            odd.business_minutes_between(utc("2021-03-28T12:00:00Z"), utc("2021-03-29T12:00:00Z")),
            40
        );
    }

    #[test]
    fn closures_and_extra_holidays_are_skipped() {
        let mut cal = BusinessCalendar::standard(CalendarKind::Metropole);
        cal.closures.push((ymd(2021, 12, 24), ymd(2021, 12, 31)));
        // Thursday 23 December 17:00 + 1 h: 30 min that day, the closure
        // (24–31 December), the weekend of 1–2 January, Monday 3 at 9:30.
        assert_eq!(
            cal.add_business_minutes(paris("2021-12-23 17:00"), 60),
            paris("2022-01-03 09:30")
        );
        assert!(!cal.is_business_day(ymd(2021, 12, 27)) && cal.is_closed(ymd(2021, 12, 31)));
        cal.extra_holidays.push(ymd(2022, 1, 3));
        assert_eq!(
            cal.add_business_minutes(paris("2021-12-23 17:00"), 60),
            paris("2022-01-04 09:30")
        );
        // Time inside a closure does not count.
        assert_eq!(
            cal.business_minutes_between(paris("2021-12-23 17:00"), paris("2022-01-04 10:00")),
            30 + 60
        );
    }

    #[test]
    fn hours_by_weekday_and_times_of_day() {
        let mut cal = BusinessCalendar::standard(CalendarKind::Metropole);
        cal.hours_by_weekday
            .insert(5, vec![(hm(9, 0), hm(12, 30)), (hm(13, 30), hm(16, 0))]);
        // Friday 5 March 2021 15:00 + 2 h: one hour to 16:00, Monday 9:00–10:00.
        assert_eq!(
            cal.add_business_minutes(paris("2021-03-05 15:00"), 120),
            paris("2021-03-08 10:00")
        );
        // Opening on Saturday mornings: Friday 16:00 + 1 h → Saturday 10:00.
        cal.hours_by_weekday.insert(6, vec![(hm(9, 0), hm(12, 0))]);
        assert_eq!(
            cal.add_business_minutes(paris("2021-03-05 16:00"), 60),
            paris("2021-03-06 10:00")
        );
        // An empty list makes a listed weekday a day off.
        cal.hours_by_weekday.insert(3, vec![]);
        assert!(!cal.is_business_day(ymd(2021, 3, 3)));
        // Lunch and the evening are outside; the closing minute is inside.
        let std = BusinessCalendar::standard(CalendarKind::Metropole);
        assert!(!std.is_business_instant(paris("2021-03-01 13:00")));
        assert!(std.is_business_instant(paris("2021-03-01 12:30")));
        assert!(std.is_business_instant(paris("2021-03-01 09:00")));
        assert!(!std.is_business_instant(paris("2021-03-01 08:59")));
        assert_eq!(
            std.next_business_instant(paris("2021-03-01 13:00")),
            paris("2021-03-01 13:30")
        );
        assert_eq!(
            std.next_business_instant(paris("2021-03-01 10:00")),
            paris("2021-03-01 10:00")
        );
        assert_eq!(
            std.next_business_instant(paris("2021-03-05 18:00")),
            paris("2021-03-08 09:00")
        );
        // A deadline ending on 12:30 stays there rather than jumping to 13:30.
        assert_eq!(
            std.add_business_minutes(paris("2021-03-01 09:00"), 210),
            paris("2021-03-01 12:30")
        );
        // Hours typed out of order or overlapping mean the same day.
        let mut messy = std.clone();
        messy.hours = vec![
            (hm(13, 30), hm(17, 30)),
            (hm(9, 0), hm(12, 30)),
            (hm(10, 0), hm(11, 0)),
        ];
        assert_eq!(
            messy.business_minutes_between(paris("2021-03-01 00:00"), paris("2021-03-02 00:00")),
            450
        );
        assert!(
            messy.validate().is_err(),
            "an admin is told about the overlap"
        );
    }

    #[test]
    fn overseas_calendars_use_their_own_clock() {
        let cal = BusinessCalendar::overseas(Territory::Guadeloupe);
        assert_eq!(cal.tz, chrono_tz::America::Guadeloupe);
        let gp = |s: &str| local(chrono_tz::America::Guadeloupe, s);
        // Wednesday 26 May 2021 17:00 (UTC−4) + 1 h: 30 min, Thursday 27 is
        // the abolition day, Friday 28 at 9:30 local = 13:30 UTC.
        let due = cal.add_business_minutes(gp("2021-05-26 17:00"), 60);
        assert_eq!(due, utc("2021-05-28T13:30:00Z"));
        // La Réunion (UTC+4): Monday 20 December 2021 is off.
        let re = BusinessCalendar::overseas(Territory::Reunion);
        assert!(!re.is_business_day(ymd(2021, 12, 20)));
        assert_eq!(
            re.next_business_instant(utc("2021-12-19T12:00:00Z")),
            utc("2021-12-21T05:00:00Z"),
            "Tuesday 9:00 in Saint-Denis"
        );
    }

    #[test]
    fn calendars_are_data() {
        let mut cal = BusinessCalendar::overseas(Territory::Reunion);
        cal.hours_by_weekday.insert(5, vec![(hm(8, 0), hm(12, 0))]);
        cal.closures.push((ymd(2021, 12, 24), ymd(2021, 12, 31)));
        let json = serde_json::to_string(&cal).expect("json");
        assert!(json.contains("\"timezone\":\"Indian/Reunion\""), "{json}");
        assert!(json.contains("\"territory\":\"reunion\""), "{json}");
        assert_eq!(BusinessCalendar::from_json(&json).expect("parse"), cal);
        // The form stored before per-weekday hours existed still reads.
        let stored = r#"{"kind":"alsace_moselle","territory":null,"timezone":"Europe/Paris",
            "weekdays":[1,2,3,4,5],"hours":[["09:00:00","12:30:00"],["13:30:00","17:30:00"]],
            "extra_holidays":[],"closures":[]}"#;
        let old: BusinessCalendar = serde_json::from_str(stored).expect("old form");
        assert_eq!(old, BusinessCalendar::standard(CalendarKind::AlsaceMoselle));
        assert_eq!(
            serde_json::to_value(&old).expect("v"),
            serde_json::from_str::<serde_json::Value>(stored).expect("v")
        );
        // A minimal calendar takes the standard hours in Paris.
        assert_eq!(
            BusinessCalendar::from_json(r#"{"kind":"alsace_moselle"}"#).expect("minimal"),
            BusinessCalendar::standard(CalendarKind::AlsaceMoselle)
        );
        let code = |json: &str| match BusinessCalendar::from_json(json) {
            Err(DomainError::Invalid(v)) => v[0].code,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(r#"{"kind":"metropole","timezone":"Europe/Lutece"}"#),
            "invalid_calendar"
        );
        assert_eq!(
            code(r#"{"kind":"metropole","hours":[["12:00:00","09:00:00"]]}"#),
            "invalid_hours"
        );
        assert_eq!(
            code(r#"{"kind":"metropole","weekdays":[]}"#),
            "no_working_time"
        );
        assert_eq!(
            code(r#"{"kind":"metropole","weekdays":[8]}"#),
            "invalid_weekday"
        );
        assert_eq!(
            code(r#"{"kind":"metropole","territory":"mayotte"}"#),
            "territory_not_overseas"
        );
        assert_eq!(
            code(r#"{"kind":"metropole","closures":[["2021-12-31","2021-12-24"]]}"#),
            "invalid_closure"
        );
        assert!(BusinessCalendar::standard(CalendarKind::OutreMer)
            .validate()
            .is_ok());
    }

    #[test]
    fn a_calendar_without_working_time_still_ends() {
        let cal = BusinessCalendar {
            weekdays: vec![],
            ..BusinessCalendar::default()
        };
        let t = paris("2021-03-01 09:00");
        assert_eq!(cal.add_business_minutes(t, 60), t + Duration::minutes(60));
        assert_eq!(cal.business_minutes_between(t, t + Duration::days(3)), 0);
    }

    fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
        // 2020–2026, any second.
        (1_577_836_800i64..1_798_761_600i64)
            .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default())
    }

    /// Mainland, Alsace-Moselle with a closure, Guadeloupe in its own zone,
    /// and the night shift that daylight saving cuts into.
    fn any_calendar() -> impl Strategy<Value = BusinessCalendar> {
        prop_oneof![
            Just(BusinessCalendar::standard(CalendarKind::Metropole)),
            Just(BusinessCalendar {
                closures: vec![
                    (ymd(2021, 12, 24), ymd(2022, 1, 2)),
                    (ymd(2023, 8, 1), ymd(2023, 8, 20))
                ],
                ..BusinessCalendar::standard(CalendarKind::AlsaceMoselle)
            }),
            Just(BusinessCalendar::overseas(Territory::Guadeloupe)),
            Just(night_shift()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(192))]

        #[test]
        fn due_times_fall_inside_business_hours(cal in any_calendar(), start in any_instant(), minutes in 1i64..20_000) {
            let due = cal.add_business_minutes(start, minutes);
            prop_assert!(cal.is_business_instant(due), "{due}");
            prop_assert!(due > start);
        }

        #[test]
        fn adding_then_measuring_gives_back_the_minutes(cal in any_calendar(), t in any_instant(), minutes in 0i64..20_000) {
            let start = cal.next_business_instant(t);
            prop_assert!(cal.is_business_instant(start));
            let due = cal.add_business_minutes(start, minutes);
            prop_assert_eq!(cal.business_minutes_between(start, due), minutes);
        }

        #[test]
        fn the_next_business_instant_skips_no_work(cal in any_calendar(), t in any_instant()) {
            let next = cal.next_business_instant(t);
            prop_assert!(next >= t);
            prop_assert_eq!(cal.business_seconds_between(t, next), 0);
            prop_assert_eq!(cal.is_business_instant(t), next == t);
        }

        #[test]
        fn adding_in_two_steps_is_adding_once(cal in any_calendar(), start in any_instant(), a in 0i64..5_000, b in 0i64..5_000) {
            let once = cal.add_business_minutes(start, a + b);
            let twice = cal.add_business_minutes(cal.add_business_minutes(start, a), b);
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn measuring_is_additive(cal in any_calendar(), a in any_instant(), d1 in 0i64..2_000_000, d2 in 0i64..2_000_000) {
            let b = a + Duration::seconds(d1);
            let c = b + Duration::seconds(d2);
            prop_assert_eq!(
                cal.business_seconds_between(a, b) + cal.business_seconds_between(b, c),
                cal.business_seconds_between(a, c)
            );
            prop_assert!(cal.business_seconds_between(a, c) <= (c - a).num_seconds());
        }

        #[test]
        fn a_holiday_never_brings_a_due_time_earlier(cal in any_calendar(), start in any_instant(), minutes in 1i64..20_000, day in -1i64..60) {
            let mut more = cal.clone();
            more.extra_holidays.push(start.date_naive() + Duration::days(day));
            prop_assert!(more.add_business_minutes(start, minutes) >= cal.add_business_minutes(start, minutes));
            let mut closed = cal.clone();
            let from = start.date_naive() + Duration::days(day);
            closed.closures.push((from, from + Duration::days(9)));
            prop_assert!(closed.add_business_minutes(start, minutes) >= cal.add_business_minutes(start, minutes));
        }

        #[test]
        fn more_minutes_never_end_earlier(cal in any_calendar(), start in any_instant(), a in 0i64..10_000, b in 0i64..10_000) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(cal.add_business_minutes(start, lo) <= cal.add_business_minutes(start, hi));
        }

        #[test]
        fn easter_is_a_sunday_in_its_window(year in 1583i32..4000) {
            let e = easter_sunday(year);
            prop_assert_eq!(e.weekday(), Weekday::Sun);
            prop_assert!(e >= ymd(year, 3, 22) && e <= ymd(year, 4, 25), "{e}");
        }

        #[test]
        fn the_holiday_list_and_the_daily_rule_agree(year in 1900i32..2200, k in 0usize..3, t in 0usize..9) {
            let kind = CalendarKind::ALL[k];
            let territory = Some(Territory::ALL[t]);
            let list = public_holidays(year, kind, territory);
            let mut day = ymd(year, 1, 1);
            let mut by_rule = vec![];
            while day.year() == year {
                if holiday_name(day, kind, territory).is_some() {
                    by_rule.push(day);
                }
                day += Duration::days(1);
            }
            prop_assert_eq!(list, by_rule);
        }
    }
}

#[cfg(test)]
mod closure_lines_tests {
    use super::*;

    #[test]
    fn closure_lines_round_trip_and_report_line_numbers() {
        let ok = parse_closure_lines(
            "2026-12-24;2026-12-31;Fermeture de fin d'année\n\n2027-08-02;2027-08-13;Été",
        )
        .expect("valid");
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].label, "Été");
        assert_eq!(parse_closure_lines(&closure_lines(&ok)).expect("again"), ok);
        let Err(DomainError::Invalid(v)) = parse_closure_lines(
            "2026-12-24;2026-12-31;Noël\n2026-13-01;2026-13-02;x\n2026-12-30;2027-01-02;Chevauche\n2027-02-10;2027-02-01;À l'envers\nsans séparateur\n2027-03-01;2027-03-02;",
        ) else {
            panic!("invalid")
        };
        let got: Vec<(&str, &str)> = v.iter().map(|e| (e.code, e.detail.as_str())).collect();
        assert_eq!(got[0].0, "invalid_closure_line");
        assert!(got[0].1.starts_with("Ligne 2 "), "{}", got[0].1);
        assert_eq!(got[1].0, "overlapping_closure");
        assert!(got[1].1.contains("Ligne 3") && got[1].1.contains("ligne 1"));
        assert_eq!(got[2].0, "invalid_closure");
        assert!(got[2].1.starts_with("Ligne 4 "));
        assert_eq!(got[3].0, "invalid_closure_line");
        assert!(got[3].1.starts_with("Ligne 5 "));
        assert_eq!(got[4].0, "missing_closure_label");
        assert!(got[4].1.starts_with("Ligne 6 "));
    }

    #[test]
    fn weekday_hours_follow_the_per_day_overrides() {
        let mut cal = BusinessCalendar::default();
        cal.hours_by_weekday.insert(5, vec![(hm(9, 0), hm(12, 0))]);
        assert_eq!(cal.weekday_hours(1).len(), 2);
        assert_eq!(cal.weekday_hours(5), vec![(hm(9, 0), hm(12, 0))]);
        assert!(cal.weekday_hours(7).is_empty());
    }
}
