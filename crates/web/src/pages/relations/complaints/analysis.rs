//! The irritants' analysis (/reclamations/analyse).

use super::*;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(super) struct AnalysisQuery {
    mois: Option<i64>,
}

fn trend(tr: Tr, recent: i64, previous: i64) -> String {
    let word = match recent.cmp(&previous) {
        std::cmp::Ordering::Greater => tr.t("en-hausse").to_string(),
        std::cmp::Ordering::Less => tr.t("en-baisse").to_string(),
        std::cmp::Ordering::Equal => tr.t("stable").to_string(),
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
    let headers = [
        first,
        tr.t("reclamations"),
        tr.t("n-6-derniers-mois-6-mois-precedents"),
        tr.t("ouvertes"),
        tr.t("delai-median-de-cloture-jours"),
    ];
    let mut t = ActionTable {
        caption,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        has_actions: false,
        colspan: headers.len(),
        rows: vec![],
        empty: tr.t("none").to_string(),
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
    let title = tr.t("analyse-des-irritants").to_string();
    let facts = vec![
        (
            tr.t("periode-2").to_string(),
            Cell::text(tr.t_args(
                "les-months-derniers-mois-depuis-le",
                &[
                    ("months", a.months.to_string().into()),
                    ("since", (fr_date(&a.since)).to_string().into()),
                ],
            )),
        ),
        (
            tr.t("reclamations").to_string(),
            Cell::text(a.total.to_string()),
        ),
        (
            tr.t("classement").to_string(),
            Cell::text(tr.t("par-nombre-de-reclamations-puis-par").to_string()),
        ),
    ];
    let tables = vec![
        stat_table(
            tr,
            tr.t("irritants-par-etape-du-parcours").to_string(),
            tr.t("etape-du-parcours"),
            &a.by_touchpoint,
            true,
        ),
        stat_table(
            tr,
            tr.t("par-pole-responsable").to_string(),
            tr.t("pole"),
            &a.by_department,
            false,
        ),
        stat_table(
            tr,
            tr.t("par-produit").to_string(),
            tr.t("produit"),
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
            Link::new("/reclamations", tr.t("reclamations").to_string()),
            Link::new(
                "/reclamations/analyse?mois=12",
                tr.t("n-12-mois").to_string(),
            ),
            Link::new(
                "/reclamations/analyse?mois=24",
                tr.t("n-24-mois").to_string(),
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
