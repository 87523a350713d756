//! Actions on a record: workflow buttons, tables whose rows carry a POST
//! button, small forms under a table, and the record page that holds them.

use crate::i18n::Tr;
use crate::view::{Base, Cell, Field, Link, Table};
use askama::Template;

/// A workflow button: a small POST form carrying the CSRF token.
///
/// ```ignore
/// buttons.push(Action { action: format!("/connaissances/{id}/publier"), label: "Publier".into() });
/// ```
pub struct Action {
    pub action: String,
    pub label: String,
}

/// A row of a table with an optional POST button (unsubscribe…).
pub struct ActionRow {
    pub cells: Vec<Cell>,
    pub action: Option<Action>,
}

/// A small form under a table (subscribe a contact, add a moderator).
pub struct SmallForm {
    pub action: String,
    pub fields: Vec<Field>,
    pub submit: String,
}

/// A table whose rows may carry a button, with an optional small form
/// under it.
///
/// ```ignore
/// let mut t = ActionTable::new(tr, "Abonnés", &["Nom", "Courriel"], true);
/// t.rows.push(ActionRow {
///     cells: vec![Cell::text(name), Cell::text(email)],
///     action: Some(Action { action: format!("/communautes/listes/{id}/abonnes/{c}/retirer"), label: "Retirer".into() }),
/// });
/// t.form = Some(SmallForm { action: format!("/communautes/listes/{id}/abonnes"), fields, submit: "Abonner".into() });
/// ```
pub struct ActionTable {
    pub caption: String,
    pub headers: Vec<String>,
    pub has_actions: bool,
    pub colspan: usize,
    pub rows: Vec<ActionRow>,
    pub empty: String,
    pub form: Option<SmallForm>,
}

impl ActionTable {
    pub fn new(tr: Tr, caption: impl Into<String>, headers: &[&str], has_actions: bool) -> Self {
        ActionTable {
            caption: caption.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            has_actions,
            colspan: headers.len() + usize::from(has_actions),
            rows: vec![],
            empty: tr.t("none").to_string(),
            form: None,
        }
    }
}

/// One person of an attendance form.
pub struct AttendanceRow {
    pub id: String,
    pub name: String,
    pub institution: String,
    pub value: String,
}

/// A form with one choice per row (present, absent, excused…).
pub struct AttendanceForm {
    pub title: String,
    pub action: String,
    pub headers: Vec<String>,
    pub options: Vec<(String, String)>,
    pub rows: Vec<AttendanceRow>,
    pub submit: String,
}

/// A record page with workflow buttons, a rendered body, action tables and
/// an optional history (`community.html`): events, mailing lists,
/// publications, complaints, the comité.
///
/// ```ignore
/// let p = ActionPage {
///     base, h1: e.title.clone(), subtitle: None, error: None, links: vec![],
///     buttons: vec![Action { action: format!("/communautes/{id}/inscription"), label: "S’inscrire".into() }],
///     facts, body_html: Some(render_markdown(&e.description)), resources: vec![],
///     attendance: None, tables: vec![], history: None, upload: None,
/// };
/// ```
#[derive(Template)]
#[template(path = "community.html")]
pub struct ActionPage {
    pub base: Base,
    pub h1: String,
    pub subtitle: Option<String>,
    pub error: Option<String>,
    pub links: Vec<Link>,
    pub buttons: Vec<Action>,
    pub facts: Vec<(String, Cell)>,
    pub body_html: Option<String>,
    pub resources: Vec<Link>,
    pub attendance: Option<AttendanceForm>,
    pub tables: Vec<ActionTable>,
    pub history: Option<Table>,
    /// The action of a file upload form (multipart), for those who may add.
    pub upload: Option<String>,
}
