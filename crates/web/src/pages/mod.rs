//! Server-rendered pages, one module per bounded context. Every page reads
//! without JavaScript; htmx only refines filtering.

pub mod assistant;
pub mod attachments;
pub mod catalogue;
pub mod community;
pub mod complaints;
pub mod contacts;
pub mod conventions;
pub mod deployments;
pub mod engagement;
pub mod exports;
pub mod institutions;
pub mod interactions;
pub mod knowledge;
pub mod mail;
pub mod mail_quarantine;
pub mod relation;
pub mod risks;
pub mod routing;
pub mod search;
pub mod session;
pub mod sla_admin;
pub mod support;
pub mod training;
pub mod users;

use crate::error::PageError;
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::response::Html;
use axum::Router;
use relais_app::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(institutions::router())
        .merge(contacts::router())
        .merge(mail::router())
        .merge(mail_quarantine::router())
        .merge(catalogue::router())
        .merge(deployments::router())
        .merge(conventions::router())
        .merge(interactions::router())
        .merge(users::router())
        .merge(exports::router())
        .merge(knowledge::router())
        .merge(support::router())
        .merge(search::router())
        .merge(risks::router())
        .merge(assistant::router())
        .merge(sla_admin::router())
        .merge(attachments::router())
        .merge(routing::router())
        .merge(training::router())
        .merge(community::router())
        .merge(relation::router())
        .merge(complaints::router())
        .merge(engagement::router())
}

/// Maps a use case's error to the error page, in the reader's language.
pub fn pe(tr: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, tr)
}

/// The French or the English text, by the page's language.
pub fn fr(tr: Tr, fr: &str, en: &str) -> String {
    if tr.en() { en } else { fr }.to_string()
}

pub fn render<T: Template>(t: &T, tr: Tr) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError::new(AppError::Internal(format!("template: {e}")), tr))
}

/// A form page: 422 when it comes back with errors (so scripts and tests
/// see the refusal), 200 otherwise.
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

/// A posted form as ordered pairs, so repeated names (checkboxes) survive.
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

/// Query-string filters of list pages.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub membership: Option<String>,
    pub manager: Option<String>,
    pub institution: Option<String>,
    pub function: Option<String>,
    pub domain: Option<String>,
    pub product: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
}

pub fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub const PAGE_SIZE: i64 = 50;

/// Previous/next links that keep the other query parameters.
pub fn pager(
    path: &str,
    q: &[(&str, Option<String>)],
    page: i64,
    total: i64,
) -> (Option<String>, Option<String>) {
    let base: Vec<String> = q
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", urlencoding::encode(v)))
        })
        .collect();
    let link = |p: i64| {
        let mut parts = base.clone();
        parts.push(format!("page={p}"));
        format!("{path}?{}", parts.join("&"))
    };
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page * PAGE_SIZE < total).then(|| link(page + 1));
    (prev, next)
}

/// The `Id` in a path, or a 404 page.
pub fn path_id(raw: &str, tr: Tr) -> Result<relais_domain::Id, PageError> {
    relais_domain::Id::parse(raw)
        .ok_or_else(|| PageError::new(relais_domain::DomainError::NotFound, tr))
}
