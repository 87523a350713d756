//! The member space: what a member sees of the agency's relation with
//! their institution, and their personal data.

use crate::AppState;
use axum::Router;

pub mod personal_data;
pub mod space;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(space::router())
        .merge(personal_data::router())
}
