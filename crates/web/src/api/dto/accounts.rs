//! API types of accounts.

use serde::Serialize;
use utoipa::ToSchema;

// ---------------------------------------------------------------- accounts::UserRow

/// An account (never its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub locale: String,
    pub active: i64,
    pub created_at: String,
}

impl From<relais_store::accounts::UserRow> for User {
    fn from(r: relais_store::accounts::UserRow) -> Self {
        User {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            locale: r.locale,
            active: r.active,
            created_at: r.created_at,
        }
    }
}
