//! A record's change history as a table.

use super::detail::Section;
use super::reply::pe;
use super::time::paris;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::view::{Cell, Table};
use crate::AppState;
use relais_domain::Id;

/// The audit rows of a record as a table (date, author, action, changes).
///
/// ```ignore
/// let rows = uc::history(&state.app, auth.actor(), "event", id).await.map_err(pe(tr))?;
/// page.history = Some(history_table(tr, rows));
/// ```
pub fn history_table(tr: Tr, rows: Vec<relais_store::audit::AuditRow>) -> Table {
    let mut tb = Table::new(
        tr,
        tr.t("history"),
        &["Date", tr.t("par"), "Action", tr.t("modifications")],
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

/// The change history of a record as a `DetailPage` section, for agency
/// staff only (members read the records, not who changed them).
///
/// ```ignore
/// if let Some(h) = history_section(&state, &auth, "convention", id).await? {
///     sections.push(h);
/// }
/// ```
pub async fn history_section(
    state: &AppState,
    auth: &Auth,
    entity: &str,
    id: Id,
) -> Result<Option<Section>, PageError> {
    let tr = auth.tr;
    if !auth.actor().role.is_agency() {
        return Ok(None);
    }
    let hist = relais_app::crm::history(&state.app, auth.actor(), entity, id)
        .await
        .map_err(pe(tr))?;
    let mut tb = Table::new(
        tr,
        tr.t("history"),
        &["Date", tr.t("par"), "Action", tr.t("modifications")],
    );
    for h in hist {
        tb.rows.push(vec![
            Cell::text(h.at.chars().take(16).collect::<String>().replace('T', " ")),
            Cell::opt(&h.actor_name),
            Cell::text(h.action),
            Cell::text(h.changes),
        ]);
    }
    Ok(Some(Section {
        title: tr.t("history").into(),
        table: tb,
    }))
}
