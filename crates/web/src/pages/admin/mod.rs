//! Administration pages: accounts, routing rules, service contracts
//! (levels, calendars, contracts) and the retention rules.

use crate::AppState;
use axum::Router;

pub mod retention;
pub mod routing;
pub mod sla;
pub mod users;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(users::router())
        .merge(sla::router())
        .merge(routing::router())
        .merge(retention::router())
}
