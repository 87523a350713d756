//! A record's change history as a table.

use super::time::paris;
use crate::i18n::Tr;
use crate::view::{Cell, Table};

/// The audit rows of a record as a table (date, author, action, changes).
///
/// ```ignore
/// let rows = uc::history(&state.app, auth.actor(), "event", id).await.map_err(pe(tr))?;
/// page.history = Some(history_table(tr, rows));
/// ```
pub fn history_table(tr: Tr, rows: Vec<relais_store::audit::AuditRow>) -> Table {
    let mut tb = Table::new(
        tr,
        tr.get("history"),
        &[
            "Date",
            if tr.en() { "By" } else { "Par" },
            "Action",
            if tr.en() { "Changes" } else { "Modifications" },
        ],
    );
    for h in rows {
        tb.rows.push(vec![
            Cell::text(paris(&h.at)),
            Cell::opt(&h.actor_name),
            Cell::text(h.action),
            Cell::text(h.changes),
        ]);
    }
    tb
}
