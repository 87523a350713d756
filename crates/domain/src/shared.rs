//! Shared kernel: identifiers, the clock port and validation errors with
//! stable codes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Identifiers are UUIDv7, stored as text on both engines: time-ordered, so
/// indexes stay append-mostly, and never guessable from a neighbour's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Id(pub uuid::Uuid);

/// Read from text; a value that is not an id is an error that names it
/// (a job payload's reason says which id was bad).
impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Id::parse_stored(&s).map_err(serde::de::Error::custom)
    }
}

impl Id {
    pub fn new() -> Self {
        Id(uuid::Uuid::now_v7())
    }
    pub fn parse(s: &str) -> Option<Self> {
        uuid::Uuid::parse_str(s).ok().map(Id)
    }
    /// An id read back from the database or a job payload: a value that
    /// does not parse is an error naming it, never a made-up id.
    pub fn parse_stored(s: &str) -> Result<Self, DomainError> {
        Id::parse(s).ok_or_else(|| DomainError::BadId(s.chars().take(80).collect()))
    }
}

impl Default for Id {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The clock port: domain and application code never call `Utc::now()`
/// themselves, so SLA, reminders and sessions are testable with a fake clock.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// One invalid field: a stable machine code, the field name, and the French
/// message shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub code: &'static str,
    pub field: &'static str,
    pub detail: String,
}

/// Errors of the domain and use-case layers. Each variant maps to a stable
/// code (`code()`) that the API exposes and a French message (`Display`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    #[error("Données invalides")]
    Invalid(Vec<FieldError>),
    #[error("Ressource introuvable")]
    NotFound,
    #[error("Action non autorisée pour votre rôle")]
    Forbidden,
    #[error("Conflit : {0}")]
    Conflict(String),
    /// A stored identifier that is not a valid id (corrupt data).
    #[error("Identifiant invalide : « {0} »")]
    BadId(String),
}

impl DomainError {
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid(_) => "invalid",
            DomainError::NotFound => "not_found",
            DomainError::Forbidden => "forbidden",
            DomainError::Conflict(_) => "conflict",
            DomainError::BadId(_) => "bad_id",
        }
    }

    pub fn invalid(code: &'static str, field: &'static str, detail: impl Into<String>) -> Self {
        DomainError::Invalid(vec![FieldError {
            code,
            field,
            detail: detail.into(),
        }])
    }
}

/// Collects field errors while validating a command, so a form shows every
/// problem at once rather than one per submission.
#[derive(Debug, Default)]
pub struct Violations(pub Vec<FieldError>);

impl Violations {
    pub fn push(&mut self, code: &'static str, field: &'static str, detail: impl Into<String>) {
        self.0.push(FieldError {
            code,
            field,
            detail: detail.into(),
        });
    }
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}

/// Trims a free-text input and refuses it when empty or longer than `max`.
pub fn required_text(
    v: &mut Violations,
    field: &'static str,
    value: &str,
    max: usize,
) -> Option<String> {
    let t = value.trim();
    if t.is_empty() {
        v.push("required", field, "Ce champ est obligatoire.");
        None
    } else if t.chars().count() > max {
        v.push(
            "too_long",
            field,
            format!("Ce champ dépasse {max} caractères."),
        );
        None
    } else {
        Some(t.to_string())
    }
}

/// Optional free text: empty becomes `None`.
pub fn optional_text(
    v: &mut Violations,
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let t = value.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return None;
    }
    if t.chars().count() > max {
        v.push(
            "too_long",
            field,
            format!("Ce champ dépasse {max} caractères."),
        );
        return None;
    }
    Some(t.to_string())
}

/// A date as typed in a form or a CSV (`AAAA-MM-JJ`, or French `JJ/MM/AAAA`).
pub fn parse_date(
    v: &mut Violations,
    field: &'static str,
    value: Option<&str>,
) -> Option<chrono::NaiveDate> {
    let t = value.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return None;
    }
    let parsed = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(t, "%d/%m/%Y"));
    match parsed {
        Ok(d) => Some(d),
        Err(_) => {
            v.push(
                "invalid_date",
                field,
                format!("« {t} » n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA)."),
            );
            None
        }
    }
}

/// A light e-mail check: one `@`, a dot in the domain, no spaces. Deliverability
/// is proven by mail, not by regex.
pub fn is_plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace())
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_plausibility() {
        assert!(is_plausible_email("a.b@univ-lyon.fr"));
        assert!(!is_plausible_email("a.b@univ"));
        assert!(!is_plausible_email("a b@univ.fr"));
        assert!(!is_plausible_email("@univ.fr"));
        assert!(!is_plausible_email("a@b@univ.fr"));
    }

    #[test]
    fn dates_in_both_french_and_iso_forms() {
        let mut v = Violations::default();
        assert_eq!(
            parse_date(&mut v, "d", Some("31/12/2021")),
            chrono::NaiveDate::from_ymd_opt(2021, 12, 31)
        );
        assert_eq!(
            parse_date(&mut v, "d", Some("2021-12-31")),
            chrono::NaiveDate::from_ymd_opt(2021, 12, 31)
        );
        assert!(v.0.is_empty());
        assert_eq!(parse_date(&mut v, "d", Some("31/02/2021")), None);
        assert_eq!(v.0[0].code, "invalid_date");
    }
}

/// Folds text for matching: lower case, French accents and ligatures removed,
/// so "universite" finds "Université" in list filters.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'î' | 'ï' | 'í' | 'ì' => out.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
            'ÿ' | 'ý' => out.push('y'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            '’' | '\'' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod fold_tests {
    #[test]
    fn folds_french_accents_and_case() {
        assert_eq!(
            super::fold("Université Côte d’Azur"),
            "universite cote d azur"
        );
        assert_eq!(super::fold("ŒUVRE Pégase"), "oeuvre pegase");
    }
}

/// A closed set of values with a stable code (the `code_enum!` types). The
/// interface finds its label in the web crate's catalogues under a key made
/// of the type and the code (`TicketStatus` + `en_cours` →
/// `ticket-status-en-cours`); the domain itself stays free of any
/// translation machinery.
pub trait CodeEnum: Copy {
    /// The type's name, as written in Rust (`TicketStatus`).
    const KIND: &'static str;
    /// The stable code stored in the database.
    fn code(self) -> &'static str;
}

/// A reference to a value labels like the value (`ALL.iter()` yields them).
impl<E: CodeEnum> CodeEnum for &E {
    const KIND: &'static str = E::KIND;
    fn code(self) -> &'static str {
        (*self).code()
    }
}
