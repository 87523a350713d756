//! API types of search and the assistant.

use serde::Serialize;
use utoipa::ToSchema;

// ---------------------------------------------------------------- assistant::Suggestion

/// A likely answer the assistant offers before a ticket is filed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestion {
    /// `article` or `ticket`.
    pub kind: String,
    pub id: String,
    pub title: String,
    /// Escaped passage with the matching words in `<b>`.
    pub snippet_html: String,
    /// The page that shows it.
    pub href: String,
}

impl From<relais_app::assistant::Suggestion> for Suggestion {
    fn from(s: relais_app::assistant::Suggestion) -> Self {
        Suggestion {
            kind: s.kind,
            id: s.id,
            title: s.title,
            snippet_html: s.snippet_html,
            href: s.href,
        }
    }
}
