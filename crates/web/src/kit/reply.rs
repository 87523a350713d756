//! Turning a page or an error into a response.

use crate::error::PageError;
use crate::i18n::Tr;
use askama::Template;
use axum::response::Html;
use relais_app::AppError;

/// Maps a use case's error to the error page, in the reader's language.
///
/// ```ignore
/// let rows = uc::list_domains(&state.app).await.map_err(pe(tr))?;
/// ```
pub fn pe(tr: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, tr)
}

/// Renders an askama page; a template failure becomes the error page.
///
/// ```ignore
/// let p = DetailPage { base, h1, subtitle: None, actions: vec![], facts, sections: vec![] };
/// Ok(render(&p, tr)?.into_response())
/// ```
pub fn render<T: Template>(t: &T, tr: Tr) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError::new(AppError::Internal(format!("template: {e}")), tr))
}

/// A form page: 422 when it comes back with errors (so scripts and tests
/// see the refusal), 200 otherwise.
///
/// ```ignore
/// let mut page = FormPage { /* … */ errors: vec![], /* … */ };
/// apply_errors(&mut page.fields, &mut page.errors, err.as_ref());
/// form_reply(&page, err.is_some(), tr)
/// ```
pub fn form_reply<T: Template>(
    page: &T,
    invalid: bool,
    tr: Tr,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let status = if invalid {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, render(page, tr)?).into_response())
}
