//! The irritants' analysis (/reclamations/analyse).

use super::*;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(super) struct AnalysisQuery {
    mois: Option<i64>,
}

fn trend(tr: Tr, recent: i64, previous: i64) -> String {
    let word = match recent.cmp(&previous) {
        std::cmp::Ordering::Greater => fr(tr, "en hausse", "rising"),
        std::cmp::Ordering::Less => fr(tr, "en baisse", "falling"),
        std::cmp::Ordering::Equal => fr(tr, "stable", "steady"),
    };
    format!("{recent} / {previous} ({word})")
}

fn stat_table(
    tr: Tr,
    caption: String,
    first: &str,
    stats: &[uc::IrritantStat],
    codes: bool,
) -> ActionTable {
    let en = tr.en();
    let headers = [
        first,
        if en { "Complaints" } else { "Réclamations" },
        if en {
            "Last 6 months / 6 months before"
        } else {
            "6 derniers mois / 6 mois précédents"
        },
        if en { "Open" } else { "Ouvertes" },
        if en {
            "Median days to close"
        } else {
            "Délai médian de clôture (jours)"
        },
    ];
    let mut t = ActionTable {
        caption,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        has_actions: false,
        colspan: headers.len(),
        rows: vec![],
        empty: tr.get("none").to_string(),
        form: None,
    };
    for s in stats {
        let key = if codes {
            Cell::link(
                touchpoint_label(&s.key, tr),
                format!("/reclamations?touchpoint={}", s.key),
            )
        } else {
            Cell::text(s.key.clone())
        };
        t.rows.push(RowWithAction {
            cells: vec![
                key,
                Cell::text(s.count.to_string()),
                Cell::text(trend(tr, s.recent, s.previous)),
                Cell::text(s.open.to_string()),
                Cell::text(
                    s.median_days_to_close
                        .map(|d| format!("{d:.1}"))
                        .unwrap_or_else(|| "—".into()),
                ),
            ],
            action: None,
        });
    }
    t
}

pub(super) async fn analysis(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AnalysisQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let a = uc::analysis(&state.app, auth.actor(), q.mois.unwrap_or(24))
        .await
        .map_err(pe(tr))?;
    let title = fr(tr, "Analyse des irritants", "Irritants' analysis");
    let facts = vec![
        (
            fr(tr, "Période", "Period"),
            Cell::text(if tr.en() {
                format!("the last {} months (since {})", a.months, fr_date(&a.since))
            } else {
                format!(
                    "les {} derniers mois (depuis le {})",
                    a.months,
                    fr_date(&a.since)
                )
            }),
        ),
        (
            fr(tr, "Réclamations", "Complaints"),
            Cell::text(a.total.to_string()),
        ),
        (
            fr(tr, "Classement", "Ranking"),
            Cell::text(fr(
                tr,
                "par nombre de réclamations, puis par nombre récent",
                "by number of complaints, then by recent number",
            )),
        ),
    ];
    let tables = vec![
        stat_table(
            tr,
            fr(
                tr,
                "Irritants par étape du parcours",
                "Irritants by touchpoint",
            ),
            if tr.en() {
                "Touchpoint"
            } else {
                "Étape du parcours"
            },
            &a.by_touchpoint,
            true,
        ),
        stat_table(
            tr,
            fr(tr, "Par pôle responsable", "By department"),
            if tr.en() { "Department" } else { "Pôle" },
            &a.by_department,
            false,
        ),
        stat_table(
            tr,
            fr(tr, "Par produit", "By product"),
            if tr.en() { "Product" } else { "Produit" },
            &a.by_product,
            false,
        ),
    ];
    let p = ActionPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        subtitle: None,
        error: None,
        links: vec![
            Link::new("/reclamations", fr(tr, "Réclamations", "Complaints")),
            Link::new(
                "/reclamations/analyse?mois=12",
                fr(tr, "12 mois", "12 months"),
            ),
            Link::new(
                "/reclamations/analyse?mois=24",
                fr(tr, "24 mois", "24 months"),
            ),
        ],
        buttons: vec![],
        facts,
        body_html: None,
        resources: vec![],
        attendance: None,
        tables,
        history: None,
        upload: None,
    };
    Ok(render(&p, tr)?.into_response())
}
