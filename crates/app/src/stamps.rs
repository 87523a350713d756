//! Timestamps and dates as the database keeps them (RFC 3339 UTC text,
//! `AAAA-MM-JJ`), written and read back the same way everywhere: the pages
//! and the API use these rather than the store's own helpers.

pub use relais_store::{date, parse_ts, ts};
