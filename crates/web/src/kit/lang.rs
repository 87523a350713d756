//! The page's language.

use crate::i18n::Tr;

/// The French or the English text, by the page's language.
///
/// ```ignore
/// let title = fr(tr, "Réclamations", "Complaints");
/// ```
pub fn fr(tr: Tr, fr: &str, en: &str) -> String {
    if tr.en() { en } else { fr }.to_string()
}

/// The name of a kind of search result (ticket, article, incident,
/// training), shared by the search page and the assistant's suggestions.
///
/// ```ignore
/// assert_eq!(search_kind_label("training", tr), "Formation");
/// ```
pub fn search_kind_label(kind: &str, tr: Tr) -> String {
    match kind {
        "ticket" => fr(tr, "Ticket", "Ticket"),
        "article" => fr(tr, "Article", "Article"),
        "incident" => fr(tr, "Incident", "Incident"),
        "training" => fr(tr, "Formation", "Training"),
        other => other.to_string(),
    }
}
