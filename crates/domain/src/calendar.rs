//! Business calendars: working hours in an institution's time zone, French
//! public holidays computed for any year (fixed days and Easter-based ones),
//! the Alsace-Moselle and overseas variants, and closure periods. A
//! calendar is data (serde) that admins edit; the arithmetic is pure.

use crate::crm::CalendarKind;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// Easter Sunday (anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default()
}

/// Overseas territories with their own public holidays (abolition of
/// slavery and local days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Territory {
    Guadeloupe,
    Martinique,
    Guyane,
    Reunion,
    Mayotte,
    SaintMartin,
    SaintBarthelemy,
    Polynesie,
    NouvelleCaledonie,
}

impl Territory {
    fn days(self) -> &'static [(u32, u32)] {
        match self {
            Territory::Guadeloupe => &[(5, 27)],
            Territory::Martinique => &[(5, 22)],
            Territory::Guyane => &[(6, 10)],
            Territory::Reunion => &[(12, 20)],
            Territory::Mayotte => &[(4, 27)],
            Territory::SaintMartin => &[(5, 28)],
            Territory::SaintBarthelemy => &[(10, 9)],
            Territory::Polynesie => &[(3, 5), (6, 29)],
            Territory::NouvelleCaledonie => &[(9, 24)],
        }
    }
}

/// Public holidays of a year for a calendar kind.
pub fn public_holidays(year: i32, kind: CalendarKind, territory: Option<Territory>) -> Vec<NaiveDate> {
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(year, m, day).unwrap_or_default();
    let easter = easter_sunday(year);
    let mut out = vec![
        d(1, 1),
        d(5, 1),
        d(5, 8),
        d(7, 14),
        d(8, 15),
        d(11, 1),
        d(11, 11),
        d(12, 25),
        easter + Duration::days(1),  // lundi de Pâques
        easter + Duration::days(39), // Ascension
        easter + Duration::days(50), // lundi de Pentecôte
    ];
    match kind {
        CalendarKind::AlsaceMoselle => {
            out.push(easter - Duration::days(2)); // Vendredi saint
            out.push(d(12, 26)); // Saint-Étienne
        }
        CalendarKind::OutreMer => {
            if let Some(t) = territory {
                out.extend(t.days().iter().map(|(m, day)| d(*m, *day)));
            }
        }
        CalendarKind::Metropole => {}
    }
    out.sort();
    out.dedup();
    out
}

/// Working hours, holidays and closures of an institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessCalendar {
    pub kind: CalendarKind,
    #[serde(default)]
    pub territory: Option<Territory>,
    /// IANA time zone, e.g. `Europe/Paris`, `America/Guadeloupe`.
    pub timezone: String,
    /// Working days, ISO numbers (1 = Monday … 7 = Sunday).
    pub weekdays: Vec<u32>,
    /// Working windows of a working day, in local time, ordered.
    pub hours: Vec<(NaiveTime, NaiveTime)>,
    #[serde(default)]
    pub extra_holidays: Vec<NaiveDate>,
    /// Closure periods, inclusive.
    #[serde(default)]
    pub closures: Vec<(NaiveDate, NaiveDate)>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        BusinessCalendar::standard(CalendarKind::Metropole)
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

/// Upper bound on the days a computation walks (10 years): a calendar with
/// no working day at all must not loop forever.
const MAX_DAYS: i64 = 3660;

impl BusinessCalendar {
    /// Monday to Friday, 9:00–12:30 and 13:30–17:30, Europe/Paris.
    pub fn standard(kind: CalendarKind) -> BusinessCalendar {
        BusinessCalendar {
            kind,
            territory: None,
            timezone: "Europe/Paris".into(),
            weekdays: vec![1, 2, 3, 4, 5],
            hours: vec![(hm(9, 0), hm(12, 30)), (hm(13, 30), hm(17, 30))],
            extra_holidays: vec![],
            closures: vec![],
        }
    }

    pub fn overseas(territory: Territory, timezone: &str) -> BusinessCalendar {
        BusinessCalendar {
            territory: Some(territory),
            timezone: timezone.into(),
            ..BusinessCalendar::standard(CalendarKind::OutreMer)
        }
    }

    fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Europe::Paris)
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.extra_holidays.contains(&date)
            || public_holidays(date.year(), self.kind, self.territory).contains(&date)
    }

    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        let wd = date.weekday().number_from_monday();
        self.weekdays.contains(&wd)
            && !self.is_holiday(date)
            && !self.closures.iter().any(|(a, b)| *a <= date && date <= *b)
    }

    /// A local wall-clock time as an instant. In the spring-forward gap the
    /// first valid instant after it is used; in the autumn overlap, the
    /// earlier one.
    fn instant(&self, date: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
        let tz = self.tz();
        let local = NaiveDateTime::new(date, t);
        for shift in 0..=2 {
            if let Some(dt) = tz
                .from_local_datetime(&(local + Duration::hours(shift)))
                .earliest()
            {
                return dt.with_timezone(&Utc);
            }
        }
        Utc.from_utc_datetime(&local)
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz()).date_naive()
    }

    /// The working windows of a date, as UTC instants.
    fn windows(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_business_day(date) {
            return vec![];
        }
        self.hours
            .iter()
            .filter(|(a, b)| a < b)
            .map(|(a, b)| (self.instant(date, *a), self.instant(date, *b)))
            .collect()
    }

    pub fn is_business_instant(&self, t: DateTime<Utc>) -> bool {
        self.windows(self.local_date(t))
            .iter()
            .any(|(a, b)| *a <= t && t <= *b)
    }

    /// Adds `seconds` of working time to `start`. With 0, the first working
    /// instant at or after `start`.
    pub fn add_business_seconds(&self, start: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
        let mut remaining = seconds.max(0);
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

    pub fn add_business_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        self.add_business_seconds(start, minutes.saturating_mul(60))
    }

    /// Working seconds between `a` and `b` (0 when `b` is not after `a`).
    pub fn business_seconds_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        let first = self.local_date(a) - Duration::days(1);
        let last = self.local_date(b) + Duration::days(1);
        let mut date = first;
        while date <= last && (date - first).num_days() < MAX_DAYS {
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

    pub fn business_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.business_seconds_between(a, b) / 60
    }
}

/// True when a date is a Saturday or Sunday (for reports).
pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn paris(s: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("date");
        chrono_tz::Europe::Paris
            .from_local_datetime(&naive)
            .earliest()
            .expect("local")
            .with_timezone(&Utc)
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn easter_dates_checked_by_hand() {
        assert_eq!(easter_sunday(2021), ymd(2021, 4, 4));
        assert_eq!(easter_sunday(2024), ymd(2024, 3, 31));
        assert_eq!(easter_sunday(2025), ymd(2025, 4, 20));
        assert_eq!(easter_sunday(2019), ymd(2019, 4, 21));
        let h = public_holidays(2021, CalendarKind::Metropole, None);
        assert!(h.contains(&ymd(2021, 4, 5)), "lundi de Pâques");
        assert!(h.contains(&ymd(2021, 5, 13)), "Ascension");
        assert!(h.contains(&ymd(2021, 5, 24)), "lundi de Pentecôte");
        assert!(!h.contains(&ymd(2021, 4, 2)), "Vendredi saint is not a holiday in the mainland");
        let am = public_holidays(2021, CalendarKind::AlsaceMoselle, None);
        assert!(am.contains(&ymd(2021, 4, 2)) && am.contains(&ymd(2021, 12, 26)));
        let gp = public_holidays(2021, CalendarKind::OutreMer, Some(Territory::Guadeloupe));
        assert!(gp.contains(&ymd(2021, 5, 27)));
    }

    #[test]
    fn four_hours_on_the_friday_before_easter_monday_land_on_tuesday() {
        let cal = BusinessCalendar::standard(CalendarKind::Metropole);
        // Friday 2 April 2021 16:00: 1h30 left that day, Monday 5 is Easter
        // Monday, so 2h30 remain on Tuesday 6: 9:00–11:30.
        let due = cal.add_business_minutes(paris("2021-04-02 16:00"), 240);
        assert_eq!(due, paris("2021-04-06 11:30"));
        // In Alsace-Moselle the Friday itself is off (Vendredi saint):
        // 3h30 on Tuesday morning, then 30 min after lunch.
        let am = BusinessCalendar::standard(CalendarKind::AlsaceMoselle);
        assert_eq!(am.add_business_minutes(paris("2021-04-02 16:00"), 240), paris("2021-04-06 14:00"));
        // Ascension Thursday 13 May 2021 and the "pont" Friday stays a working day.
        assert_eq!(cal.add_business_minutes(paris("2021-05-12 17:00"), 60), paris("2021-05-14 09:30"));
        // Whit Monday 24 May 2021.
        assert_eq!(cal.add_business_minutes(paris("2021-05-21 17:30"), 30), paris("2021-05-25 09:30"));
    }

    #[test]
    fn daylight_saving_changes_keep_local_hours() {
        let cal = BusinessCalendar::standard(CalendarKind::Metropole);
        // Friday 26 March 2021 17:00 (UTC+1) + 1 h → Monday 29 March 9:30 (UTC+2).
        let due = cal.add_business_minutes(paris("2021-03-26 17:00"), 60);
        assert_eq!(due, paris("2021-03-29 09:30"));
        assert_eq!(due.to_rfc3339(), "2021-03-29T07:30:00+00:00");
        // Friday 29 October 2021 17:00 (UTC+2) + 1 h → Monday 1 November is
        // Toussaint, so Tuesday 2 November 9:30 (UTC+1).
        let due = cal.add_business_minutes(paris("2021-10-29 17:00"), 60);
        assert_eq!(due.to_rfc3339(), "2021-11-02T08:30:00+00:00");
        // A whole working day is 7.5 h either side of the change.
        assert_eq!(cal.business_minutes_between(paris("2021-03-26 00:00"), paris("2021-03-30 00:00")), 2 * 450);
    }

    #[test]
    fn closures_and_extra_holidays_are_skipped() {
        let mut cal = BusinessCalendar::standard(CalendarKind::Metropole);
        cal.closures.push((ymd(2021, 12, 24), ymd(2021, 12, 31)));
        assert_eq!(cal.add_business_minutes(paris("2021-12-23 17:00"), 60), paris("2022-01-03 09:30"));
        cal.extra_holidays.push(ymd(2022, 1, 3));
        assert_eq!(cal.add_business_minutes(paris("2021-12-23 17:00"), 60), paris("2022-01-04 09:30"));
    }

    #[test]
    fn calendars_are_data() {
        let cal = BusinessCalendar::overseas(Territory::Reunion, "Indian/Reunion");
        let json = serde_json::to_string(&cal).expect("json");
        let back: BusinessCalendar = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, cal);
    }

    fn any_start() -> impl Strategy<Value = DateTime<Utc>> {
        // 2020-2026, any minute.
        (1_577_836_800i64..1_798_761_600i64).prop_map(|s| Utc.timestamp_opt(s - s % 60, 0).single().unwrap_or_default())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn due_times_fall_inside_business_hours(start in any_start(), minutes in 1i64..20_000) {
            let cal = BusinessCalendar::standard(CalendarKind::AlsaceMoselle);
            let due = cal.add_business_minutes(start, minutes);
            prop_assert!(cal.is_business_instant(due), "{due}");
            prop_assert!(due > start);
        }

        #[test]
        fn adding_then_measuring_gives_back_the_minutes(start in any_start(), minutes in 0i64..20_000) {
            let cal = BusinessCalendar::standard(CalendarKind::Metropole);
            let from = cal.add_business_minutes(start, 0);
            let due = cal.add_business_minutes(from, minutes);
            prop_assert_eq!(cal.business_minutes_between(from, due), minutes);
        }

        #[test]
        fn a_holiday_never_brings_a_due_time_earlier(start in any_start(), minutes in 1i64..20_000, day in 0i64..60) {
            let cal = BusinessCalendar::standard(CalendarKind::Metropole);
            let mut more = cal.clone();
            more.extra_holidays.push(start.date_naive() + Duration::days(day));
            prop_assert!(more.add_business_minutes(start, minutes) >= cal.add_business_minutes(start, minutes));
        }

        #[test]
        fn more_minutes_never_end_earlier(start in any_start(), a in 0i64..10_000, b in 0i64..10_000) {
            let cal = BusinessCalendar::standard(CalendarKind::Metropole);
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(cal.add_business_minutes(start, lo) <= cal.add_business_minutes(start, hi));
        }
    }
}
