//! Reading a request: posted forms, optional text and ids in the path.

use crate::error::PageError;
use crate::i18n::Tr;

/// A posted form as ordered pairs, so repeated names (checkboxes) survive.
///
/// ```ignore
/// async fn create(auth: Auth, Form(f): Form<FormData>) -> … {
///     let name = f.get("name");            // "" when absent
///     let note = f.opt("note");            // None when blank
///     let domains = f.all("domain");       // every checked box
///     let urgent = f.checked("urgent");    // "1" or "on"
/// }
/// ```
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    pub fn opt(&self, k: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    }
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn checked(&self, k: &str) -> bool {
        self.0
            .iter()
            .any(|(n, v)| n == k && (v == "1" || v == "on"))
    }
}

/// The trimmed text of an optional parameter, `None` when blank.
///
/// ```ignore
/// let f = InstitutionFilter { q: nonempty(&q.q), region: nonempty(&q.region), .. };
/// ```
pub fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The `Id` in a path, or a 404 page (never the nil id).
///
/// ```ignore
/// async fn show(Path(id): Path<String>, auth: Auth) -> … {
///     let id = path_id(&id, auth.tr)?;
/// }
/// ```
pub fn path_id(raw: &str, tr: Tr) -> Result<relais_domain::Id, PageError> {
    relais_domain::Id::parse(raw)
        .ok_or_else(|| PageError::new(relais_domain::DomainError::NotFound, tr))
}
