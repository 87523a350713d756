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

/// A survey answer's score (out of 5) and NPS (out of 10).
pub fn score_text(score: Option<i64>, nps: Option<i64>) -> String {
    match (score, nps) {
        (Some(s), Some(n)) => format!("{s}/5 · {n}/10"),
        (Some(s), None) => format!("{s}/5"),
        (None, Some(n)) => format!("{n}/10"),
        _ => "—".into(),
    }
}

/// A survey kind's label.
pub fn kind_label(tr: Tr, kind: &str) -> String {
    relais_domain::relation::SurveyKind::from_code(kind)
        .map(|k| tr.label(k).to_string())
        .unwrap_or_else(|| kind.to_string())
}

/// Recalls as a table (late ones marked against `today`).
pub fn recalls_table(
    tr: Tr,
    caption: String,
    rows: &[relais_store::relation::RecallRow],
    today: &str,
) -> Table {
    let mut t = Table::new(
        tr,
        caption,
        &[
            tr.t("etablissement"),
            tr.t("reponse"),
            tr.t("enquete"),
            tr.t("echeance"),
            tr.t("charge-e-de-relation"),
            tr.t("appels"),
            tr.t("statut"),
        ],
    );
    for r in rows {
        let late = r.status == "ouvert" && r.due_on.as_str() < today;
        t.rows.push(vec![
            Cell::link(
                r.institution_name.clone(),
                format!("/relation/rappels/{}", r.id),
            ),
            Cell::text(score_text(r.score, r.nps)),
            Cell::text(kind_label(tr, &r.kind)),
            Cell::text(format!(
                "{}{}",
                fr_date(&r.due_on),
                if late {
                    tr.t("en-retard").to_string()
                } else {
                    String::new()
                }
            )),
            Cell::text(r.manager_name.clone().unwrap_or_else(|| "—".into())),
            Cell::text(r.calls.to_string()),
            Cell::text(
                relais_domain::relation::RecallStatus::from_code(&r.status)
                    .map(|s| tr.label(s).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    t
}
