//! Recognising mail written by machines, so that it never opens a ticket or
//! answers one: auto-replies, lists, bounces and our own notifications coming
//! back (the classic mail loop of a help desk).

use crate::headers::RawHeaders;

/// What kind of automatic message this is; `None` in [`crate::ParsedMail`]
/// means a person wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AutoKind {
    /// `Auto-Submitted` with any value but `no` (RFC 3834).
    AutoSubmitted,
    /// `X-Autoreply`, `X-Autorespond`, `Precedence: auto_reply`, or a subject
    /// such as "Réponse automatique", "Absence du bureau", "Out of Office",
    /// "Automatic reply".
    AutoReply,
    /// `Precedence: bulk/list/junk`, `List-Id`, `List-Unsubscribe`.
    Bulk,
    /// Our own notification come back: `X-Relais-Notification` header, or
    /// From is our own sender address.
    OwnNotification,
    /// A delivery report: `multipart/report`, or From `MAILER-DAEMON` /
    /// `postmaster`.
    Bounce,
    /// A delivery or read receipt: a message disposition notification
    /// (`multipart/report; report-type=disposition-notification`) or a
    /// subject such as « Accusé de réception », "Read:", "Gelesen:",
    /// "Leído:", "Letto:".
    Receipt,
}

impl AutoKind {
    /// A stable code, for logs and counts.
    pub fn code(self) -> &'static str {
        match self {
            AutoKind::AutoSubmitted => "auto_submitted",
            AutoKind::AutoReply => "auto_reply",
            AutoKind::Bulk => "bulk",
            AutoKind::OwnNotification => "own_notification",
            AutoKind::Bounce => "bounce",
            AutoKind::Receipt => "receipt",
        }
    }
}

/// Classifies a message. The order matters only when several signs are
/// present: a loop of our own mail is named as such first, then bounces, then
/// the explicit RFC 3834 header, then heuristics.
pub(crate) fn detect(
    headers: &RawHeaders<'_>,
    from_address: Option<&str>,
    subject: &str,
    root_content_type: Option<(&str, &str)>,
    report_type: Option<&str>,
    own_sender: &str,
) -> Option<AutoKind> {
    let own = crate::bare_address(own_sender);
    if headers.has("X-Relais-Notification")
        || (!own.is_empty() && from_address.is_some_and(|f| f == own))
    {
        return Some(AutoKind::OwnNotification);
    }

    let from_local = from_address
        .and_then(|f| f.split('@').next())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_report = root_content_type.is_some_and(|(t, s)| {
        t.eq_ignore_ascii_case("multipart") && s.eq_ignore_ascii_case("report")
    });
    let disposition =
        report_type.is_some_and(|r| r.trim().eq_ignore_ascii_case("disposition-notification"));
    if is_report && disposition {
        return Some(AutoKind::Receipt);
    }
    if is_report || from_local == "mailer-daemon" || from_local == "postmaster" {
        return Some(AutoKind::Bounce);
    }

    if let Some(value) = headers.get("Auto-Submitted") {
        let value = value.split(';').next().unwrap_or("").trim();
        if !value.is_empty() && !value.eq_ignore_ascii_case("no") {
            return Some(AutoKind::AutoSubmitted);
        }
    }

    let precedence = headers
        .get("Precedence")
        .map(|p| p.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if headers.has("X-Autoreply")
        || headers.has("X-Autorespond")
        || precedence == "auto_reply"
        || is_auto_reply_subject(subject)
    {
        return Some(AutoKind::AutoReply);
    }
    if crate::autoreply::is_receipt_subject(subject) {
        return Some(AutoKind::Receipt);
    }

    if matches!(precedence.as_str(), "bulk" | "list" | "junk")
        || headers.has("List-Id")
        || headers.has("List-Unsubscribe")
    {
        return Some(AutoKind::Bulk);
    }
    None
}

/// Subjects that out-of-office replies use when their software does not set
/// `Auto-Submitted` (older Exchange, webmails). Matched at the start, after
/// any Re:/TR: prefixes, and narrowly: "Absence de synchronisation…" is a
/// real support request, "Absence : …" or "Absence du bureau" is not.
pub(crate) fn is_auto_reply_subject(subject: &str) -> bool {
    let s = strip_reply_prefixes(subject).to_lowercase();
    const PREFIXES: [&str; 10] = [
        "réponse automatique",
        "reponse automatique",
        "message d'absence",
        "message d’absence",
        "absence du bureau",
        "absent du bureau",
        "absente du bureau",
        "out of office",
        "automatic reply",
        "auto-reply",
    ];
    if PREFIXES.iter().any(|p| s.starts_with(p)) || s.starts_with("autoreply") {
        return true;
    }
    if crate::autoreply::is_out_of_office_subject(subject) {
        return true;
    }
    // "Absence : Re: …", "Absence: …", "Absent(e) : …"
    for word in ["absence", "absent", "absente", "absent(e)"] {
        if let Some(rest) = s.strip_prefix(word) {
            if rest.trim_start().starts_with(':') {
                return true;
            }
        }
    }
    false
}

/// Removes any number of reply/forward prefixes (Re:, RE :, TR:, Fwd:, AW:…).
pub(crate) fn strip_reply_prefixes(subject: &str) -> &str {
    let mut s = subject.trim_start();
    loop {
        let lower = s.to_ascii_lowercase();
        let mut stripped = false;
        for p in ["re", "tr", "fw", "fwd", "aw", "wg", "réf", "ref"] {
            if let Some(rest) = lower.strip_prefix(p) {
                let rest_trim = rest.trim_start();
                if rest_trim.starts_with(':') {
                    let consumed = lower.len() - rest_trim.len() + 1;
                    s = s[consumed..].trim_start();
                    stripped = true;
                    break;
                }
            }
        }
        if !stripped {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_reply_subjects() {
        for s in [
            "Réponse automatique : [Relais R2021-000123] Export",
            "RE: Réponse automatique",
            "Absence du bureau",
            "Absence : Re: votre demande",
            "Automatic reply: Sifac",
            "Out of Office: ticket",
            "Message d'absence",
        ] {
            assert!(is_auto_reply_subject(s), "{s}");
        }
        for s in [
            "Absence de synchronisation Apogée",
            "Absence du bouton valider dans Pégase",
            "Re: [Relais R2021-000123] réponse",
            "Automatisation des exports",
        ] {
            // "Absence du bouton" must stay a request: only "absence du bureau".
            assert!(!is_auto_reply_subject(s), "{s}");
        }
    }

    #[test]
    fn strips_prefixes() {
        assert_eq!(strip_reply_prefixes("Re: TR : Fwd:  Sujet"), "Sujet");
        assert_eq!(strip_reply_prefixes("RE:RE: x"), "x");
        assert_eq!(
            strip_reply_prefixes("Retour d'expérience"),
            "Retour d'expérience"
        );
    }
}
