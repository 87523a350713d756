//! Display helpers shared by the member-relations pages and the member
//! space: what a survey invitation is about, and an institution's
//! incidents as a table.

use crate::i18n::Tr;
use crate::view::{fr_date, Cell, Table};

/// What a survey invitation is about, in one sentence.
pub fn context_of(tr: Tr, inv: &relais_store::relation::InvitationRow) -> String {
    match inv.kind.as_str() {
        "ticket" => format!(
            "{} {} « {} » ({}).",
            tr.t("votre-avis-sur-le-traitement-du"),
            inv.ticket_ref.clone().unwrap_or_default(),
            inv.ticket_subject.clone().unwrap_or_default(),
            inv.institution_name
        ),
        "formation" => format!(
            "{} « {} ».",
            tr.t("votre-avis-sur-la-formation"),
            inv.training_title.clone().unwrap_or_default()
        ),
        _ => format!(
            "{} — {}.",
            inv.campaign_title
                .clone()
                .unwrap_or_else(|| tr.t("enquete-annuelle").to_string()),
            inv.institution_name
        ),
    }
}

/// Incidents touching an institution's products (360° and member space).
pub fn incidents_table(tr: Tr, incidents: &[relais_store::relation::IncidentLine]) -> Table {
    let mut t = Table::new(
        tr,
        tr.t("incidents-en-cours-ou-des-90").to_string(),
        &[
            "Incident",
            tr.t("produit"),
            tr.t("ouvert-le"),
            tr.t("resolu-le"),
        ],
    );
    for x in incidents {
        t.rows.push(vec![
            Cell::link(x.title.clone(), format!("/support/incidents/{}", x.id)),
            Cell::text(x.product_name.clone()),
            Cell::text(fr_date(&x.created_at)),
            Cell::text(
                x.resolved_at
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| tr.t("en-cours").to_string()),
            ),
        ]);
    }
    t
}
