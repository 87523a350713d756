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
