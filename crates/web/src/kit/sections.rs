//! The sections page (`sections.html`): titled sections of paragraphs,
//! facts, an SVG chart, tables, links and forms. Most member-relations
//! pages are built on it.

use crate::view::{Base, Cell, Field, Link, Table};
use askama::Template;

/// One titled section of a `SectionsPage`.
///
/// ```ignore
/// let mut s = Sect::new("notes", "Notes");
/// s.paras.push("Aucune réponse.".into());
/// s.facts.push(("Score".into(), Cell::text("7,5")));
/// s.chart = Some(bar_chart("Notes par mois", &points, 10.0, Some(6.0)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Sect {
    pub id: String,
    pub title: String,
    pub paras: Vec<String>,
    pub facts: Vec<(String, Cell)>,
    pub items: Vec<String>,
    /// An SVG built here from numbers only (never from user text).
    pub chart: Option<String>,
    pub tables: Vec<Table>,
    pub links: Vec<Link>,
    pub forms: Vec<PageForm>,
}

impl Sect {
    pub fn new(id: &str, title: impl Into<String>) -> Sect {
        Sect {
            id: id.into(),
            title: title.into(),
            ..Default::default()
        }
    }
}

/// A form inside a section (one button; `danger` for destructive ones).
#[derive(Debug, Clone)]
pub struct PageForm {
    pub action: String,
    pub fields: Vec<Field>,
    pub button: String,
    pub danger: bool,
}

/// A page of sections.
///
/// ```ignore
/// let mut p = SectionsPage::new(base, "Santé de l’établissement");
/// p.sections.push(s);
/// Ok(render(&p, tr)?.into_response())
/// ```
#[derive(Template)]
#[template(path = "sections.html")]
pub struct SectionsPage {
    pub base: Base,
    pub h1: String,
    pub subtitle: String,
    pub actions: Vec<Link>,
    pub errors: Vec<(String, String)>,
    pub sections: Vec<Sect>,
}

impl SectionsPage {
    pub fn new(base: Base, h1: impl Into<String>) -> SectionsPage {
        SectionsPage {
            base,
            h1: h1.into(),
            subtitle: String::new(),
            actions: vec![],
            errors: vec![],
            sections: vec![],
        }
    }
}
