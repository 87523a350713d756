//! The API's own response types: what a client sees, decoupled from the
//! store's rows (a column added to a query does not change the contract,
//! and no schema is named after a row). JSON field names are those the API
//! has always answered. Each type converts from its row with `From`.
//!
//! One file per context; every type is re-exported here.

/// Converts a list of rows into a list of API types.
pub fn list<A: Into<B>, B>(rows: Vec<A>) -> Vec<B> {
    rows.into_iter().map(Into::into).collect()
}

mod accounts;
mod community;
mod crm;
mod engagement;
mod relation;
mod search;
mod support;
mod training;
mod watchdog;

pub use accounts::*;
pub use community::*;
pub use crm::*;
pub use engagement::*;
pub use relation::*;
pub use search::*;
pub use support::*;
pub use training::*;
pub use watchdog::*;
