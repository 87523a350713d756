//! Use cases. Each public function is one verb: it checks what the actor may
//! do, validates input through the domain, owns the transaction, writes the
//! change and its history, and commits. Pages, the API, imports and (later)
//! inbound mail all call these, so there is one behaviour behind four doors.

pub mod accounts;
pub mod assistant;
pub mod attachments;
pub mod community;
pub mod crm;
pub mod csv_io;
pub mod desk;
pub mod duplicates;
pub mod durability;
pub mod engagement;
pub mod eval;
pub mod files;
pub mod identity;
pub mod jobs;
pub mod knowledge;
pub mod mail_gate;
pub mod mail_io;
pub mod mail_poll;
pub mod mail_read;
pub mod privacy;
pub mod quarantine;
pub mod relation;
pub mod search;
pub mod sla_admin;
pub mod sso;
pub mod stamps;
pub mod steering;
pub mod support;
pub mod training;
pub mod triage;
pub mod vocabulary;
pub mod watchdog;

use relais_domain::{Clock, DomainError};
use relais_store::{Db, StoreError};
use std::path::PathBuf;
use std::sync::Arc;

/// What every use case needs: the database and the clock.
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// The full-text index, when the process has one open (the server,
    /// `relais reindex`, the tests that search).
    pub search: Option<search::SearchHandle>,
}

/// Application settings that rules depend on (from `relais.toml`/env).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Session lifetime in hours.
    pub session_hours: i64,
    /// Failed sign-ins allowed per (account, client address) in the window
    /// before each further attempt waits a doubling delay.
    pub max_login_failures: i64,
    /// Failed sign-ins allowed per client address, all accounts together,
    /// before that address waits a doubling delay.
    pub max_login_failures_per_address: i64,
    /// Longest delay a client waits between two attempts, in seconds.
    pub login_max_delay_seconds: i64,
    /// Throttle window in minutes: older failures are forgotten.
    pub login_window_minutes: i64,
    /// Reverse proxies whose `X-Forwarded-For` is believed (empty: the
    /// client address is the socket's).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Mail in and out, when configured (replaying quarantined mail needs
    /// the reply-address secret).
    pub mail: Option<mail_io::MailSettings>,
    /// Folder of the ticket attachments, outside the web root; files are
    /// stored under generated names (`<2 hex>/<32 hex>`).
    pub attachments_dir: PathBuf,
    /// Largest attachment accepted, in bytes.
    pub max_attachment_bytes: u64,
    /// A mail answering a ticket closed less than this many days ago
    /// reopens it; later, it opens a new ticket linked to the closed one.
    pub mail_reopen_days: i64,
    /// Longest mail text kept (whole, across several messages when over
    /// the 50 000 characters of one); above it the mail is held in
    /// quarantine and the sender told why.
    pub mail_max_body_chars: usize,
    /// Single sign-on providers (`[[oidc]]` in `relais.toml`).
    pub sso: sso::Sso,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_hours: 12,
            max_login_failures: 5,
            max_login_failures_per_address: 20,
            login_max_delay_seconds: 900,
            login_window_minutes: 15,
            trusted_proxies: Vec::new(),
            mail: None,
            attachments_dir: PathBuf::from("./data/attachments"),
            max_attachment_bytes: 10 * 1024 * 1024,
            mail_reopen_days: 30,
            mail_max_body_chars: 500_000,
            sso: sso::Sso::default(),
        }
    }
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> App {
        App {
            db,
            clock,
            settings: Settings::default(),
            search: None,
        }
    }

    pub fn now_ts(&self) -> String {
        relais_store::ts(self.clock.now())
    }
}

/// Errors of a use case: a domain error with its stable code, or an internal
/// failure whose details go to the log, never to the person.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Too many failed sign-ins from this client: try again after the delay.
    #[error("trop de tentatives de connexion : réessayez dans {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error("internal error: {0}")]
    Internal(String),
    /// The disk is full or the database unreachable: nothing was stored,
    /// the client may try again after the delay (503, `Retry-After`).
    #[error("stockage indisponible ({}) : {detail}", .outage.code())]
    Unavailable {
        outage: relais_store::db::Outage,
        detail: String,
    },
}

impl AppError {
    /// An I/O failure of the file layer: an outage when the disk is full,
    /// otherwise an internal error with its context.
    pub fn io(context: &str, e: std::io::Error) -> AppError {
        match relais_store::db::Outage::of_io(&e) {
            Some(outage) => AppError::Unavailable {
                outage,
                detail: format!("{context}: {e}"),
            },
            None => AppError::Internal(format!("{context}: {e}")),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::Domain(DomainError::NotFound),
            StoreError::Conflict(c) => AppError::Domain(DomainError::Conflict(c)),
            StoreError::Other(e) => match relais_store::db::Outage::of_sqlx(&e) {
                Some(outage) => AppError::Unavailable {
                    outage,
                    detail: e.to_string(),
                },
                None => AppError::Internal(e.to_string()),
            },
        }
    }
}

impl From<sqlx_error::Error> for AppError {
    fn from(e: sqlx_error::Error) -> Self {
        AppError::from(StoreError::from_sqlx(e))
    }
}

mod sqlx_error {
    pub use relais_store::SqlxError as Error;
}

pub type Result<T> = std::result::Result<T, AppError>;
