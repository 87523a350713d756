//! Steering pages (issue 18): the role dashboards (`/pilotage`), the
//! action plan and its deliverables (`/pilotage/plan…`,
//! `/pilotage/livrables/{id}`), the import and exports of the plan, and the
//! indicators (`/indicateurs`), each drawn as an accessible SVG chart with
//! its data table and exports of exactly the data shown.
//!
//! The plan is the agency's own: every `/pilotage` page answers 403 to
//! members, referents and trainers. `/indicateurs` is for everyone, for
//! their scope: a member reads their institution's figures only.

use crate::i18n::Tr;
use crate::kit::described_bar_chart;
use crate::view::{Cell, Table};
use crate::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use relais_app::steering::{self as uc, IndicatorValue};
use relais_domain::steering::Formula;

mod dashboard;
mod deliverable;
mod indicators;
mod plan;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pilotage", get(dashboard::page))
        .route("/pilotage/plan", get(plan::page))
        .route("/pilotage/plan/csv", get(plan::export_csv))
        .route("/pilotage/plan/xlsx", get(plan::export_xlsx))
        .route(
            "/pilotage/plan/import",
            get(plan::import_form).post(plan::import),
        )
        .route("/pilotage/livrables/{id}", get(deliverable::page))
        .route("/pilotage/livrables/{id}/statut", post(deliverable::status))
        .route(
            "/pilotage/livrables/{id}/commentaire",
            post(deliverable::comment),
        )
        .route("/pilotage/livrables/{id}/preuve", post(deliverable::link))
        .route("/indicateurs", get(indicators::page))
        .route("/indicateurs/{code}/csv", get(indicators::export_csv))
        .route("/indicateurs/{code}/xlsx", get(indicators::export_xlsx))
}

/// An indicator's value as the pages show it (`12,5 %`, `42`, `—`).
fn shown(v: &IndicatorValue) -> String {
    match v.value {
        None => "—".into(),
        Some(x) if v.indicator.formula == Formula::Percent => format!("{} %", uc::fr_number(x)),
        Some(x) => uc::fr_number(x),
    }
}

/// The chart of an indicator's days: bars scaled to the largest value
/// (100 for a percentage), titled with the indicator's name; the caller
/// shows the same data as a table beside it.
fn indicator_chart(tr: Tr, v: &IndicatorValue) -> String {
    let points: Vec<(String, f64)> = v
        .series
        .iter()
        .map(|(day, n, d)| {
            (
                day.clone(),
                uc::day_value(v.indicator.formula, *n, *d).unwrap_or(0.0),
            )
        })
        .collect();
    let top = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
    let max = if v.indicator.formula == Formula::Percent {
        100.0
    } else if top <= 0.0 {
        1.0
    } else {
        top.ceil()
    };
    described_bar_chart(
        v.indicator.name,
        Some(&chart_summary(tr, v)),
        &points,
        max,
        None,
    )
}

/// The data table of an indicator's chart: exactly the rows of its exports.
fn indicator_table(tr: Tr, v: &IndicatorValue) -> Table {
    let mut t = Table::new(
        tr,
        tr.t_args("pil-chart-data", &[("name", v.indicator.name.into())]),
        &[
            tr.t("pil-col-day"),
            tr.t("pil-col-numerator"),
            tr.t("pil-col-denominator"),
            tr.t("pil-col-value"),
        ],
    );
    for row in uc::indicator_rows(v) {
        t.rows.push(row.into_iter().map(Cell::text).collect());
    }
    t
}

/// A text summary of a chart for screen readers and for those who do not
/// read charts: the value over the period and the number of days.
fn chart_summary(tr: Tr, v: &IndicatorValue) -> String {
    tr.t_args(
        "pil-chart-summary",
        &[
            ("name", v.indicator.name.into()),
            ("value", shown(v).into()),
            ("days", (v.series.len() as i64).into()),
        ],
    )
}

/// A file download (`attachment`), never rendered inline.
fn download(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A page of sections under a filter form that keeps its values in the
/// address (`steering_sections.html`): the dashboards and the indicators.
#[derive(askama::Template)]
#[template(path = "steering_sections.html")]
pub struct FilteredSections {
    pub base: crate::view::Base,
    pub h1: String,
    pub subtitle: String,
    pub path: String,
    pub actions: Vec<crate::view::Link>,
    pub filters: Vec<crate::view::Field>,
    /// Links to the sections (a table of contents).
    pub contents: Vec<crate::view::Link>,
    pub sections: Vec<crate::kit::Sect>,
}

/// The period and perimeter of the indicators, kept in the address.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PeriodQuery {
    pub du: Option<String>,
    pub au: Option<String>,
    pub produit: Option<String>,
    pub etablissement: Option<String>,
}

impl PeriodQuery {
    /// The query string of the same filters (`?du=…&au=…`), for the export
    /// links and permalinks.
    pub fn query_string(&self) -> String {
        let parts: Vec<String> = [
            ("du", &self.du),
            ("au", &self.au),
            ("produit", &self.produit),
            ("etablissement", &self.etablissement),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", urlencoding::encode(v)))
        })
        .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}
