//! Display helpers shared by the member-relations pages and the member
//! space: what a survey invitation is about, and an institution's
//! incidents as a table.

use crate::i18n::Tr;
use crate::kit::fr;
use crate::view::{fr_date, Cell, Table};

/// What a survey invitation is about, in one sentence.
pub fn context_of(tr: Tr, inv: &relais_store::relation::InvitationRow) -> String {
    match inv.kind.as_str() {
        "ticket" => format!(
            "{} {} « {} » ({}).",
            fr(
                tr,
                "Votre avis sur le traitement du ticket",
                "Your opinion on ticket"
            ),
            inv.ticket_ref.clone().unwrap_or_default(),
            inv.ticket_subject.clone().unwrap_or_default(),
            inv.institution_name
        ),
        "formation" => format!(
            "{} « {} ».",
            fr(
                tr,
                "Votre avis sur la formation",
                "Your opinion on the training"
            ),
            inv.training_title.clone().unwrap_or_default()
        ),
        _ => format!(
            "{} — {}.",
            inv.campaign_title.clone().unwrap_or_else(|| fr(
                tr,
                "Enquête annuelle",
                "Yearly survey"
            )),
            inv.institution_name
        ),
    }
}

/// Incidents touching an institution's products (360° and member space).
pub fn incidents_table(tr: Tr, incidents: &[relais_store::relation::IncidentLine]) -> Table {
    let en = tr.en();
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Incidents en cours ou des 90 derniers jours",
            "Incidents open or of the last 90 days",
        ),
        &[
            "Incident",
            if en { "Product" } else { "Produit" },
            if en { "Opened" } else { "Ouvert le" },
            if en { "Resolved" } else { "Résolu le" },
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
                    .unwrap_or_else(|| fr(tr, "en cours", "open")),
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
        .map(|k| k.label(tr.en()).to_string())
        .unwrap_or_else(|| kind.to_string())
}

/// Recalls as a table (late ones marked against `today`).
pub fn recalls_table(
    tr: Tr,
    caption: String,
    rows: &[relais_store::relation::RecallRow],
    today: &str,
) -> Table {
    let en = tr.en();
    let mut t = Table::new(
        tr,
        caption,
        &[
            if en { "Institution" } else { "Établissement" },
            if en { "Answer" } else { "Réponse" },
            if en { "Survey" } else { "Enquête" },
            if en { "Due" } else { "Échéance" },
            if en {
                "Manager"
            } else {
                "Chargé·e de relation"
            },
            if en { "Calls" } else { "Appels" },
            if en { "Status" } else { "Statut" },
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
                    fr(tr, " (en retard)", " (late)")
                } else {
                    String::new()
                }
            )),
            Cell::text(r.manager_name.clone().unwrap_or_else(|| "—".into())),
            Cell::text(r.calls.to_string()),
            Cell::text(
                relais_domain::relation::RecallStatus::from_code(&r.status)
                    .map(|s| s.label(en).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    t
}
