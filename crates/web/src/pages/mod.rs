//! Server-rendered pages, one folder per bounded context. Every page reads
//! without JavaScript; htmx only refines filtering. A page module never
//! imports another page module (`tests/layering.rs`): shared pieces live in
//! `crate::kit`, or in a context folder's own `mod.rs`.

pub mod admin;
pub mod community;
pub mod crm;
pub mod identity;
pub mod knowledge;
pub mod member_space;
pub mod relations;
pub mod search;
pub mod session;
pub mod steering;
pub mod support;
pub mod training;

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(identity::router())
        .merge(crm::router())
        .merge(admin::router())
        .merge(knowledge::router())
        .merge(support::router())
        .merge(search::router())
        .merge(training::router())
        .merge(community::router())
        .merge(relations::router())
        .merge(member_space::router())
        .merge(steering::router())
}
