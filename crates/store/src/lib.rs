//! SQL for both engines. One implementation of every query (sqlx runtime
//! queries through the `Any` driver, `$n` placeholders, text ids and
//! timestamps), migrations per engine with the same names, and the small
//! `dialect` differences in one place.
//!
//! Every query on institution-owned data takes a [`Scope`] so that tenant
//! isolation lives here, not in templates.

pub mod accounts;
pub mod assistant;
pub mod attachments;
pub mod audit;
pub mod community;
pub mod crm;
pub mod db;
pub mod engagement;
pub mod file_blobs;
pub mod idempotency;
pub mod identity;
pub mod jobs;
pub mod knowledge;
pub mod mail_gate;
pub mod mail_read;
pub mod privacy;
pub mod relation;
pub mod search_feed;
pub mod search_log;
pub mod search_vocab;
pub mod sla_admin;
pub mod sql;
pub mod sso;
pub mod steering;
pub mod support;
pub mod training;
pub mod triage;
pub mod watchdog;

pub use db::{Db, Engine};
pub use relais_domain::accounts::Scope;
pub use sqlx::AnyConnection as Conn;
pub use sqlx::Error as SqlxError;

/// Store failures, converted once from sqlx.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Other(#[from] sqlx::Error),
}

impl StoreError {
    pub fn from_sqlx(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db)
                if matches!(
                    db.kind(),
                    sqlx::error::ErrorKind::UniqueViolation
                        | sqlx::error::ErrorKind::ForeignKeyViolation
                ) =>
            {
                StoreError::Conflict(
                    db.constraint()
                        .map(str::to_string)
                        .unwrap_or_else(|| db.message().to_string()),
                )
            }
            _ => StoreError::Other(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Timestamps are stored as fixed-width RFC 3339 UTC text so that they sort
/// the same way as text on both engines.
pub fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn parse_ts(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
