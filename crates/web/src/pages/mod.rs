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
pub mod relation;
pub mod risks;
pub mod routing;
pub mod search;
pub mod session;
pub mod sla_admin;
pub mod support;
pub mod training;
pub mod users;

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(institutions::router())
        .merge(contacts::router())
        .merge(mail::router())
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
