//! Form pages: fields, errors, a submit button and a cancel link.

use crate::view::{Base, Field};
use askama::Template;

/// A create/edit form (`form.html`); answer it with `form_reply` so a
/// refused form comes back with 422.
///
/// ```ignore
/// let mut p = FormPage {
///     base, h1: "Nouveau contact".into(), action: "/contacts".into(),
///     fields: vec![Field::new(tr, "text", "name", "Nom", f.get("name")).required()],
///     errors: vec![], submit: "Enregistrer".into(), cancel: "/contacts".into(),
/// };
/// apply_errors(&mut p.fields, &mut p.errors, err.as_ref());
/// form_reply(&p, err.is_some(), tr)
/// ```
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub base: Base,
    pub h1: String,
    pub action: String,
    pub fields: Vec<Field>,
    pub errors: Vec<(String, String)>,
    pub submit: String,
    pub cancel: String,
}

/// A form with an introduction paragraph and a Markdown body
/// (`article_form.html`): articles, publications, complaints' answers.
///
/// ```ignore
/// let p = IntroFormPage {
///     base, h1: "Nouvel article".into(), intro: Some("Rédigé en Markdown.".into()),
///     action: "/connaissances".into(), fields, errors: vec![],
///     submit: "Enregistrer".into(), cancel: "/connaissances".into(),
/// };
/// ```
#[derive(Template)]
#[template(path = "article_form.html")]
pub struct IntroFormPage {
    pub base: Base,
    pub h1: String,
    pub intro: Option<String>,
    pub action: String,
    pub fields: Vec<Field>,
    pub errors: Vec<(String, String)>,
    pub submit: String,
    pub cancel: String,
}
