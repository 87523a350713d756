//! Dates and times as French readers expect them, in Paris time.

use chrono_tz::Europe::Paris;
use relais_domain::community::paris_display;

/// A stored UTC timestamp shown in Paris time, `28/11/2026 14:05`.
///
/// ```ignore
/// assert_eq!(fr_datetime("2026-11-28T13:05:00Z"), "28/11/2026 14:05");
/// ```
pub fn fr_datetime(s: &str) -> String {
    match relais_store::parse_ts(s) {
        Some(t) => t.with_timezone(&Paris).format("%d/%m/%Y %H:%M").to_string(),
        None => s.to_string(),
    }
}

/// A stored UTC timestamp in the community pages' long Paris form; the raw
/// text when it does not parse.
///
/// ```ignore
/// let when = paris(&event.starts_at);
/// ```
pub fn paris(ts: &str) -> String {
    relais_store::parse_ts(ts)
        .map(paris_display)
        .unwrap_or_else(|| ts.to_string())
}
