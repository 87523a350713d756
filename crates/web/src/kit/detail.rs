//! The record page: a title, facts and titled sections of tables.

use crate::view::{Base, Cell, Link, Table};
use askama::Template;

/// The record page shared by simple entities (`detail.html`).
///
/// ```ignore
/// let p = DetailPage {
///     base, h1: c.name.clone(), subtitle: None,
///     actions: vec![Link::new(&format!("/contacts/{id}/modifier"), "Modifier")],
///     facts: vec![("Courriel".into(), Cell::opt(&c.email))],
///     sections: vec![Section { title: "Interactions".into(), table }],
/// };
/// Ok(render(&p, tr)?.into_response())
/// ```
#[derive(Template)]
#[template(path = "detail.html")]
pub struct DetailPage {
    pub base: Base,
    pub h1: String,
    pub subtitle: Option<String>,
    pub actions: Vec<Link>,
    pub facts: Vec<(String, Cell)>,
    pub sections: Vec<Section>,
}

/// A titled table of a `DetailPage`.
pub struct Section {
    pub title: String,
    pub table: Table,
}
