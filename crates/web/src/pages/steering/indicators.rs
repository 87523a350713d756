//! The indicators (`/indicateurs`): each with its definition and formula,
//! its value over the period, an SVG chart of its days with the same data
//! as a table, and that data as CSV or XLSX. Everyone reads them for their
//! scope: agency staff for the whole agency or one institution
//! (`?etablissement=`), a member for their own institution only.

use super::{
    chart_summary, download, indicator_chart, indicator_table, shown, FilteredSections,
    PeriodQuery, CSV, XLSX,
};
use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{institution_options, nonempty, pe, product_options, render, Sect};
use crate::view::{Base, Cell, Field, Link};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use relais_app::steering::{self as uc, IndicatorValue};
use relais_domain::{DomainError, Id};

/// The indicators of the query, for the reader's scope.
async fn values(
    state: &AppState,
    auth: &Auth,
    q: &PeriodQuery,
) -> Result<(Vec<IndicatorValue>, chrono::NaiveDate, chrono::NaiveDate), PageError> {
    let tr = auth.tr;
    let (from, to) = uc::period(&state.app, q.du.as_deref(), q.au.as_deref()).map_err(pe(tr))?;
    let product = nonempty(&q.produit);
    let values = match nonempty(&q.etablissement) {
        Some(raw) => {
            let inst = Id::parse(&raw).ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
            uc::institution_indicators(&state.app, auth.actor(), inst, from, to, product.as_deref())
                .await
        }
        None => uc::indicator_values(&state.app, auth.actor(), from, to, product.as_deref()).await,
    }
    .map_err(pe(tr))?;
    Ok((values, from, to))
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (values, from, to) = values(&state, &auth, &q).await?;
    let qs = q.query_string();
    let mut filters = vec![
        Field::new(
            tr,
            "date",
            "du",
            tr.t("pil-from"),
            from.format("%Y-%m-%d").to_string(),
        ),
        Field::new(
            tr,
            "date",
            "au",
            tr.t("pil-to"),
            to.format("%Y-%m-%d").to_string(),
        ),
        Field::select(
            tr,
            "produit",
            tr.t("pil-col-product"),
            q.produit.as_deref().unwrap_or(""),
            product_options(&state, tr).await?,
            Some(tr.t("pil-all")),
        ),
    ];
    if auth.actor().role.is_agency() {
        filters.push(Field::select(
            tr,
            "etablissement",
            tr.t("pil-institution"),
            q.etablissement.as_deref().unwrap_or(""),
            institution_options(&state, &auth).await?,
            Some(tr.t("pil-whole-agency")),
        ));
    }
    let mut sections = Vec::new();
    let mut contents = Vec::new();
    for v in &values {
        let i = v.indicator;
        let mut s = Sect::new(i.code, i.name);
        s.paras.push(i.definition.to_string());
        s.paras
            .push(tr.t_args("pil-formula", &[("formula", i.formula_text.into())]));
        s.facts = vec![
            (tr.t("pil-value").into(), Cell::text(shown(v))),
            (
                tr.t("pil-col-numerator").into(),
                Cell::text(v.numerator.to_string()),
            ),
            (
                tr.t("pil-col-denominator").into(),
                Cell::text(v.denominator.to_string()),
            ),
        ];
        s.paras.push(chart_summary(tr, v));
        s.chart = Some(indicator_chart(tr, v));
        s.tables.push(indicator_table(tr, v));
        s.links = vec![
            Link::new(
                format!("/indicateurs/{}/csv{qs}", i.code),
                tr.t_args("pil-export-chart-csv", &[("name", i.name.into())]),
            ),
            Link::new(
                format!("/indicateurs/{}/xlsx{qs}", i.code),
                tr.t_args("pil-export-chart-xlsx", &[("name", i.name.into())]),
            ),
        ];
        contents.push(Link::new(format!("#s-{}", i.code), i.name));
        sections.push(s);
    }
    let p = FilteredSections {
        base: Base::new(&auth, tr.t("pil-indicators")),
        h1: tr.t("pil-indicators").into(),
        subtitle: tr.t_args(
            "pil-period",
            &[
                ("from", from.format("%d/%m/%Y").to_string().into()),
                ("to", to.format("%d/%m/%Y").to_string().into()),
            ],
        ),
        path: "/indicateurs".into(),
        actions: vec![],
        filters,
        contents,
        sections,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn one(
    state: &AppState,
    auth: &Auth,
    code: &str,
    q: &PeriodQuery,
) -> Result<IndicatorValue, PageError> {
    let (values, _, _) = values(state, auth, q).await?;
    values
        .into_iter()
        .find(|v| v.indicator.code == code)
        .ok_or_else(|| PageError::new(DomainError::NotFound, auth.tr))
}

pub async fn export_csv(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let v = one(&state, &auth, &code, &q).await?;
    let bytes = uc::indicator_csv(&v).map_err(pe(auth.tr))?;
    Ok(download(CSV, &format!("{}.csv", v.indicator.code), bytes))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let v = one(&state, &auth, &code, &q).await?;
    let bytes = uc::indicator_xlsx(&v).map_err(pe(auth.tr))?;
    Ok(download(XLSX, &format!("{}.xlsx", v.indicator.code), bytes))
}
