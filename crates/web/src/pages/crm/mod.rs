//! CRM pages: institutions (list, forms, the 360° page), contacts, the
//! product catalogue, deployments, conventions, interactions and tasks, and
//! the CSV exports and import.

use crate::i18n::Tr;
use crate::label;
use crate::AppState;
use axum::Router;
use relais_domain::crm::DeploymentStatus;

pub mod catalogue;
pub mod contacts;
pub mod conventions;
pub mod deployments;
pub mod exports;
pub mod institutions;
pub mod interactions;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(institutions::router())
        .merge(contacts::router())
        .merge(catalogue::router())
        .merge(deployments::router())
        .merge(conventions::router())
        .merge(interactions::router())
        .merge(exports::router())
}

/// "Vague 3", "Pilote P1"…: the status label with its wave number.
pub fn status_text(code: &str, wave: Option<i64>, tr: Tr) -> String {
    let s = label!(DeploymentStatus, code, tr);
    match wave {
        Some(w) => format!("{s} {w}"),
        None => s,
    }
}
