//! The page's language.

use crate::i18n::Tr;

/// The name of a kind of search result (ticket, article, incident,
/// training), shared by the search page and the assistant's suggestions.
///
/// ```ignore
/// assert_eq!(search_kind_label("training", tr), "Formation");
/// ```
pub fn search_kind_label(kind: &str, tr: Tr) -> String {
    match kind {
        "ticket" => tr.t("ticket").to_string(),
        "article" => tr.t("article").to_string(),
        "incident" => tr.t("incident").to_string(),
        "training" => tr.t("touchpoint-formation").to_string(),
        other => other.to_string(),
    }
}
