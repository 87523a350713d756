//! Communities of the action plan: events (Lab'U workshops, Cafés in visio,
//! webinars, Club'U, forums, conferences), the domains' mailing lists and
//! their export in Sympa's bulk "add" format, and publications (news
//! threads, "tour du web", fiches Zoom, guides). Pure rules: kinds,
//! validation of resources and links, local time ↔ UTC, the Sympa line.

use crate::code_enum;
use crate::shared::Violations;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde::{Deserialize, Serialize};

code_enum!(EventKind {
    LabU => ("labu", "Lab'U", "Lab'U workshop"),
    Cafe => ("cafe", "Café", "Café (visio talk)"),
    Webinaire => ("webinaire", "Webinaire", "Webinar"),
    ClubU => ("clubu", "Club'U", "Club'U"),
    Forum => ("forum", "Forum", "Forum"),
    Conference => ("conference", "Conférence", "Conference"),
});

code_enum!(EventFormat {
    Presentiel => ("presentiel", "Présentiel", "On site"),
    Visio => ("visio", "Visioconférence", "Video call"),
});

code_enum!(Attendance {
    Present => ("present", "Présent·e", "Present"),
    Absent => ("absent", "Absent·e", "Absent"),
});

code_enum!(PublicationKind {
    FilActu => ("fil_actualite", "Fil d'actualité", "News thread"),
    TourDuWeb => ("tour_du_web", "Tour du web", "Web round-up"),
    FicheZoom => ("fiche_zoom", "Fiche Zoom", "Zoom sheet"),
    Guide => ("guide", "Guide", "Guide"),
});

/// A link attached to an event (a Padlet board, slides, a document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Resource {
    pub label: String,
    /// `http` or `https` only.
    pub url: String,
}

/// An absolute http(s) URL with a host and no spaces or control
/// characters: what may be shown as a link without ever running script
/// (`javascript:`, `data:` and friends are refused).
pub fn is_web_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && !host.starts_with('@')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !s.contains(['<', '>', '"', '\''])
}

/// Resources typed one per line as `Libellé | https://…` (a bare URL is
/// its own label). Errors name the line.
pub fn parse_resource_lines(v: &mut Violations, field: &'static str, text: &str) -> Vec<Resource> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (label, url) = match line.rsplit_once('|') {
            Some((l, u)) => (l.trim(), u.trim()),
            None => (line, line),
        };
        if !is_web_url(url) {
            v.push(
                "invalid_url",
                field,
                format!(
                    "Ligne {} : « {url} » n'est pas une adresse web (http:// ou https://).",
                    i + 1
                ),
            );
            continue;
        }
        if label.chars().count() > 200 {
            v.push(
                "too_long",
                field,
                format!("Ligne {} : le libellé dépasse 200 caractères.", i + 1),
            );
            continue;
        }
        out.push(Resource {
            label: if label.is_empty() { url } else { label }.to_string(),
            url: url.to_string(),
        });
    }
    out
}

/// Resources back to the form's text.
pub fn resource_lines(r: &[Resource]) -> String {
    r.iter()
        .map(|r| format!("{} | {}", r.label, r.url))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A date and time typed in Paris time (`AAAA-MM-JJTHH:MM` from a
/// `datetime-local` input, `AAAA-MM-JJ HH:MM`, or `JJ/MM/AAAA HH:MM`), or
/// an RFC 3339 instant from the API, to UTC. At the autumn change the
/// earlier of the two instants is taken; a time skipped in spring is
/// refused.
pub fn parse_local_datetime(
    v: &mut Violations,
    field: &'static str,
    value: &str,
) -> Option<DateTime<Utc>> {
    let t = value.trim();
    if t.is_empty() {
        v.push("required", field, "Ce champ est obligatoire.");
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok());
    match naive.and_then(from_paris) {
        Some(d) => Some(d.with_timezone(&Utc)),
        None => {
            v.push(
                "invalid_datetime",
                field,
                format!("« {t} » n'est pas une date et heure valides (AAAA-MM-JJ HH:MM)."),
            );
            None
        }
    }
}

/// A Paris wall-clock time to UTC: the earlier instant at the autumn
/// change, `None` for a time skipped in spring.
pub fn from_paris(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    Paris
        .from_local_datetime(&local)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
}

/// An instant shown in Paris time, `JJ/MM/AAAA HH:MM`.
pub fn paris_display(t: DateTime<Utc>) -> String {
    t.with_timezone(&Paris).format("%d/%m/%Y %H:%M").to_string()
}

/// An instant as the value of a `datetime-local` input, in Paris time.
pub fn paris_input(t: DateTime<Utc>) -> String {
    t.with_timezone(&Paris).format("%Y-%m-%dT%H:%M").to_string()
}

/// One line of Sympa's bulk "add" format: `adresse Prénom Nom`. The name
/// is free text typed by people: line breaks, tabs and other control
/// characters become spaces and runs of spaces one, so a name can never
/// add a second line (a second subscription) to the import.
pub fn sympa_line(email: &str, first_name: &str, last_name: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let email = clean(email).replace(' ', "");
    let name = clean(&format!("{first_name} {last_name}"));
    if name.is_empty() {
        email
    } else {
        format!("{email} {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_are_links() {
        assert!(is_web_url("https://padlet.com/amue/labu-achats"));
        assert!(is_web_url("http://www.amue.fr/a?b=c#d"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("JaVaScRiPt://x"));
        assert!(!is_web_url("data:text/html,<script>"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https://a.fr/x y"));
        assert!(!is_web_url("https://a.fr/\"onmouseover=x"));
        assert!(!is_web_url("ftp://a.fr"));
    }

    #[test]
    fn resource_lines_name_the_bad_line() {
        let mut v = Violations::default();
        let r = parse_resource_lines(
            &mut v,
            "resources",
            "Padlet du Lab'U | https://padlet.com/amue/labu\n\nhttps://www.amue.fr/doc.pdf\nPiège | javascript:alert(1)",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].label, "Padlet du Lab'U");
        assert_eq!(r[1].label, "https://www.amue.fr/doc.pdf");
        assert_eq!(v.0.len(), 1);
        assert!(v.0[0].detail.starts_with("Ligne 4"));
    }

    #[test]
    fn paris_time_round_trips_through_utc() {
        let mut v = Violations::default();
        // Winter: UTC+1; summer: UTC+2.
        let w = parse_local_datetime(&mut v, "s", "2021-03-15T14:00").expect("winter");
        assert_eq!(w.to_rfc3339(), "2021-03-15T13:00:00+00:00");
        let s = parse_local_datetime(&mut v, "s", "15/06/2021 09:30").expect("summer");
        assert_eq!(s.to_rfc3339(), "2021-06-15T07:30:00+00:00");
        assert_eq!(paris_display(s), "15/06/2021 09:30");
        assert_eq!(paris_input(w), "2021-03-15T14:00");
        // 02:30 on the spring change does not exist in Paris.
        assert!(parse_local_datetime(&mut v, "s", "2021-03-28T02:30").is_none());
        assert_eq!(v.0[0].code, "invalid_datetime");
    }

    #[test]
    fn sympa_lines_never_break() {
        assert_eq!(
            sympa_line("anne.martin@univ.fr", "Anne", "Martin"),
            "anne.martin@univ.fr Anne Martin"
        );
        assert_eq!(
            sympa_line("a@b.fr", "Anne\nbad@evil.fr Pirate", "Mar\r\ntin\t"),
            "a@b.fr Anne bad@evil.fr Pirate Mar tin"
        );
        assert_eq!(sympa_line("a@b.fr", "", " "), "a@b.fr");
    }
}
