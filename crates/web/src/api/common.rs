//! What every API module shares: id parsing with an error, the page and
//! creation envelopes. API feature modules import this module, never each
//! other.

use crate::error::ApiError;
use relais_domain::{DomainError, Id};
use serde::Serialize;
use utoipa::ToSchema;

/// An id from the address: a malformed one is 404 `identifiant_invalide`
/// (never the nil id, never a query with a bad key; 404 like any id out of
/// the caller's reach, with a code that says the id itself is malformed).
pub fn parse_id(raw: &str) -> Result<Id, ApiError> {
    param_id(raw, "id")
}

/// An id from the address or the query string, named `name`: a malformed
/// one is 404 `identifiant_invalide` for that parameter (the status is set
/// by `ApiError` for this code).
pub fn param_id(raw: &str, name: &'static str) -> Result<Id, ApiError> {
    Id::parse(raw.trim()).ok_or_else(|| {
        ApiError(
            DomainError::invalid(
                "identifiant_invalide",
                name,
                format!("Identifiant invalide pour « {name} »."),
            )
            .into(),
        )
    })
}

/// An id inside a JSON body, field `field`: a malformed one is 422
/// `invalid_id` for that field.
pub fn body_id(raw: &str, field: &'static str) -> Result<Id, ApiError> {
    Id::parse(raw.trim()).ok_or_else(|| {
        ApiError(
            DomainError::invalid(
                "invalid_id",
                field,
                format!("Identifiant invalide pour « {field} »."),
            )
            .into(),
        )
    })
}

/// A page of results with the total count.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The id of what a request created.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// A failure that is ours (e.g. a response that does not serialise): 500,
/// logged, never a 2xx with an empty body.
pub fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError(relais_app::AppError::Internal(e.to_string()))
}
