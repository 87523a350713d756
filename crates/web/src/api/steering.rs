//! API of the steering indicators: every indicator over a period, or one
//! with its daily series. Figures are read from the daily aggregates for
//! the caller's scope: a member reads their institution's figures only.

use crate::api::extract::{ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use relais_app::steering as uc;
use relais_domain::steering::Formula;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_indicators))
        .routes(routes!(get_indicator))
}

/// An indicator's value over the period.
#[derive(Serialize, ToSchema)]
pub struct IndicatorFigure {
    /// Stable code (`sla_missed`, `backlog`, `first_response`…).
    pub code: String,
    pub name: String,
    /// The written definition.
    pub definition: String,
    /// The formula, in words.
    pub formula: String,
    /// `percent`, `mean`, `last_day` or `sum`.
    pub kind: String,
    /// Null when the period holds nothing to divide by.
    pub value: Option<f64>,
    pub numerator: i64,
    pub denominator: i64,
    /// First day of the period (`AAAA-MM-JJ`).
    pub from: String,
    /// Last day of the period (`AAAA-MM-JJ`).
    pub to: String,
}

/// One day's figures of an indicator.
#[derive(Serialize, ToSchema)]
pub struct IndicatorDay {
    pub day: String,
    pub numerator: i64,
    pub denominator: i64,
}

/// An indicator with its daily series.
#[derive(Serialize, ToSchema)]
pub struct IndicatorDetail {
    #[serde(flatten)]
    pub figure: IndicatorFigure,
    pub days: Vec<IndicatorDay>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// First day, `AAAA-MM-JJ` (default: 29 days before `au`).
    du: Option<String>,
    /// Last day, `AAAA-MM-JJ` (default: today).
    au: Option<String>,
    /// A product id, to restrict the figures to it.
    produit: Option<String>,
}

fn figure(
    v: &uc::IndicatorValue,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> IndicatorFigure {
    let i = v.indicator;
    IndicatorFigure {
        code: i.code.into(),
        name: i.name.into(),
        definition: i.definition.into(),
        formula: i.formula_text.into(),
        kind: match i.formula {
            Formula::Percent => "percent",
            Formula::Mean => "mean",
            Formula::LastDay => "last_day",
            Formula::Sum => "sum",
        }
        .into(),
        value: v.value,
        numerator: v.numerator,
        denominator: v.denominator,
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
    }
}

fn product(q: &IndicatorQuery) -> Option<&str> {
    q.produit
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Every indicator the caller may read, over the period.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "pilotage", params(IndicatorQuery),
    responses((status = 200, body = Vec<IndicatorFigure>), (status = 422, body = ErrorBody)))]
async fn list_indicators(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<Json<Vec<IndicatorFigure>>, ApiError> {
    let (from, to) = uc::period(&st.app, q.du.as_deref(), q.au.as_deref())?;
    let values = uc::indicator_values(&st.app, &s.actor, from, to, product(&q)).await?;
    Ok(Json(values.iter().map(|v| figure(v, from, to)).collect()))
}

/// One indicator over the period, with its figures per day.
#[utoipa::path(get, path = "/api/v1/indicators/{code}", tag = "pilotage",
    params(("code" = String, Path, description = "Code de l'indicateur"), IndicatorQuery),
    responses((status = 200, body = IndicatorDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_indicator(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<Json<IndicatorDetail>, ApiError> {
    let (from, to) = uc::period(&st.app, q.du.as_deref(), q.au.as_deref())?;
    let v = uc::indicator_value(&st.app, &s.actor, &code, from, to, product(&q)).await?;
    Ok(Json(IndicatorDetail {
        figure: figure(&v, from, to),
        days: v
            .series
            .iter()
            .map(|(day, n, d)| IndicatorDay {
                day: day.clone(),
                numerator: *n,
                denominator: *d,
            })
            .collect(),
    }))
}
