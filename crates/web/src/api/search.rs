//! Search, assistant and SLA watchdog in the API: the same use cases as
//! the pages, filtered by the caller's grants.

use crate::api::dto::{list, AtRiskTicket, Suggestion};
use crate::api::extract::{ApiJson, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use relais_search::SearchQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(suggestions))
        .routes(routes!(at_risk))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words; accents, case and plurals are ignored, typos of five letters
    /// or more tolerated.
    q: String,
    /// `ticket`, `article` or `incident`.
    #[serde(rename = "type")]
    kind: Option<String>,
    product: Option<String>,
    status: Option<String>,
    /// Agency staff only.
    institution: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    pub kind: String,
    pub id: String,
    pub title: String,
    pub reference: Option<String>,
    pub product_id: Option<String>,
    pub institution_id: Option<String>,
    pub status: Option<String>,
    /// HTML-escaped passage, matches in `<b>`.
    pub snippet_html: String,
    pub score: f32,
}

#[derive(Serialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    /// Matching documents the caller may read.
    pub total: usize,
    /// Facet → `[value, count]` (agency staff).
    pub facets: std::collections::BTreeMap<String, Vec<(String, u64)>>,
}

/// Full-text search over what the caller may read: a member never gets
/// another institution's private ticket, not even in `total`.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchPage), (status = 401, body = ErrorBody)))]
async fn search(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<SearchPage>, ApiError> {
    let agency = s.actor.role.is_agency();
    let per_page = p.per_page.unwrap_or(20).clamp(1, 100);
    let q = SearchQuery {
        text: p.q,
        kinds: p.kind.into_iter().filter(|k| !k.is_empty()).collect(),
        product_id: p.product.filter(|v| !v.is_empty()),
        status: p.status.filter(|v| !v.is_empty()),
        institution_id: if agency {
            p.institution.filter(|v| !v.is_empty())
        } else {
            None
        },
        limit: per_page,
        offset: (p.page.unwrap_or(1).max(1) - 1) * per_page,
        facets: agency,
        ..Default::default()
    };
    let r = relais_app::search::search(&st.app, &s.actor, &q).await?;
    Ok(Json(SearchPage {
        total: r.total,
        facets: r.facets,
        items: r
            .hits
            .into_iter()
            .map(|h| SearchHit {
                kind: h.kind,
                id: h.id,
                title: h.title,
                reference: h.reference,
                product_id: h.product_id,
                institution_id: h.institution_id,
                status: h.status,
                snippet_html: h.snippet_html,
                score: h.score,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SuggestBody {
    /// What the member is writing (subject and description).
    text: String,
    product_id: Option<String>,
}

/// The assistant: likely answers (published articles, resolved tickets the
/// caller may read) to a description, before a ticket is filed.
#[utoipa::path(post, path = "/api/v1/assistant/suggestions", tag = "search", request_body = SuggestBody,
    responses((status = 200, body = [Suggestion]), (status = 401, body = ErrorBody)))]
async fn suggestions(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<SuggestBody>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    let product = b.product_id.as_deref().and_then(relais_domain::Id::parse);
    Ok(Json(list(
        relais_app::assistant::suggest(&st.app, &s.actor, product, &b.text, 5).await?,
    )))
}

/// The SLA watchdog: open tickets at risk or late now, with the reason
/// (agency staff).
#[utoipa::path(get, path = "/api/v1/sla/at-risk", tag = "support",
    responses((status = 200, body = [AtRiskTicket]), (status = 403, body = ErrorBody)))]
async fn at_risk(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
) -> Result<Json<Vec<AtRiskTicket>>, ApiError> {
    Ok(Json(list(
        relais_app::watchdog::at_risk(&st.app, &s.actor).await?,
    )))
}
