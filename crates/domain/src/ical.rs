//! iCalendar (RFC 5545) feeds of sessions and events. Times are local
//! Europe/Paris wall-clock times, written with `TZID=Europe/Paris` and the
//! zone's VTIMEZONE (the EU rule: last Sunday of March and of October), so
//! a calendar shows 9:30 as 9:30 all year round.
//!
//! Written by hand rather than with a crate: the format is a few lines of
//! text, and the crates at hand do not emit the VTIMEZONE that
//! `TZID` requires. Lines are folded at 75 octets on character
//! boundaries and text values escaped as §3.3.11 says; the tests parse the
//! output with an independent parser (Python's `icalendar`).

use chrono::{DateTime, NaiveDateTime, Utc};

/// One calendar entry.
#[derive(Debug, Clone)]
pub struct IcalEvent {
    /// Globally unique and stable across renderings, so an update replaces
    /// the entry in the reader's calendar rather than adding one.
    pub uid: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub summary: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub cancelled: bool,
}

const PARIS: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 sequence.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

/// Renders a whole calendar named `name`; `stamp` is the DTSTAMP of every
/// entry (when the feed was generated).
pub fn render(name: &str, events: &[IcalEvent], stamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Relais//Formations et communautes//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape_text(name)), &mut out);
    fold("X-WR-TIMEZONE:Europe/Paris", &mut out);
    out.push_str(PARIS);
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", escape_text(&e.uid)), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(
            &format!(
                "DTSTART;TZID=Europe/Paris:{}",
                e.start.format("%Y%m%dT%H%M%S")
            ),
            &mut out,
        );
        fold(
            &format!("DTEND;TZID=Europe/Paris:{}", e.end.format("%Y%m%dT%H%M%S")),
            &mut out,
        );
        fold(&format!("SUMMARY:{}", escape_text(&e.summary)), &mut out);
        if let Some(l) = &e.location {
            fold(&format!("LOCATION:{}", escape_text(l)), &mut out);
        }
        if let Some(d) = &e.description {
            fold(&format!("DESCRIPTION:{}", escape_text(d)), &mut out);
        }
        if let Some(u) = &e.url {
            // A URI value is not TEXT: no escaping, but no line breaks either.
            fold(&format!("URL:{}", u.replace(['\r', '\n'], "")), &mut out);
        }
        fold(
            if e.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
            &mut out,
        );
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2021, 3, 8)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("time")
    }

    #[test]
    fn lines_are_folded_at_75_octets_on_char_boundaries() {
        let e = IcalEvent {
            uid: "s1-2021-03-08@relais".into(),
            start: at(9, 30),
            end: at(17, 0),
            summary: "Siham : gestion administrative, carrière, paie — é".repeat(4),
            location: Some("Amue, 103 bd Saint-Michel; Paris".into()),
            description: Some("Ligne 1\nLigne 2, suite".into()),
            url: None,
            cancelled: false,
        };
        let cal = render("Formations", &[e], Utc::now());
        for line in cal.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        assert!(cal.contains("LOCATION:Amue\\, 103 bd Saint-Michel\\; Paris"));
        assert!(cal.contains("DESCRIPTION:Ligne 1\\nLigne 2\\, suite"));
        assert!(cal.contains("DTSTART;TZID=Europe/Paris:20210308T093000"));
        let unfolded = cal.replace("\r\n ", "");
        assert!(unfolded.contains(&format!(
            "SUMMARY:{}",
            "Siham : gestion administrative\\, carrière\\, paie — é".repeat(4)
        )));
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
    }
}
