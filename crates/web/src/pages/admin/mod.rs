//! Administration pages: accounts, routing rules, service contracts
//! (levels, calendars, contracts), the retention rules and the background
//! jobs waiting for a person, the rule of each mailbox for unknown senders.

use crate::AppState;
use axum::Router;

pub mod jobs;
pub mod mail_routes;
pub mod retention;
pub mod routing;
pub mod sla;
pub mod users;
pub mod vocabulary;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(users::router())
        .merge(sla::router())
        .merge(routing::router())
        .merge(retention::router())
        .merge(jobs::router())
        .merge(mail_routes::router())
        .merge(vocabulary::router())
}
