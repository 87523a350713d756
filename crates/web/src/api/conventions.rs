//! API of conventions: agreements between the agency and an institution,
//! with their dates and renewal alert. Reads are scoped like the pages;
//! writes are for admins and key-account managers.

use crate::api::common::{parse_id, Created, Page};
use crate::api::dto::{list, Convention};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::crm as uc;
use relais_app::crm::ConventionFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conventions, create_convention))
        .routes(routes!(get_convention, update_convention))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConventionQuery {
    institution_id: Option<String>,
    /// `deploiement`, `exploitation`, `prefinancement`, `coconstruction`, `partenariat`.
    kind: Option<String>,
    /// Seulement les conventions dont l'alerte de renouvellement tombe au plus
    /// tard ce jour (`AAAA-MM-JJ`).
    alert_before: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Conventions visibles par l'appelant, par date d'alerte de renouvellement.
#[utoipa::path(get, path = "/api/v1/conventions", tag = "crm", params(ConventionQuery),
    responses((status = 200, body = Page<Convention>), (status = 401, body = ErrorBody)))]
async fn list_conventions(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<ConventionQuery>,
) -> Result<Json<Page<Convention>>, ApiError> {
    let f = ConventionFilter {
        institution_id: q.institution_id,
        kind: q.kind,
        alert_before: q.alert_before,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let (items, total) = uc::list_conventions(&st.app, &s.actor, &f).await?;
    Ok(Json(Page {
        items: list(items),
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ConventionBody {
    /// Lu seulement à la création : une convention ne change pas d'établissement.
    #[serde(default)]
    institution_id: Option<String>,
    /// `deploiement`, `exploitation`, `prefinancement`, `coconstruction`, `partenariat`.
    kind: String,
    title: String,
    reference: Option<String>,
    product_id: Option<String>,
    /// `AAAA-MM-JJ`.
    starts_on: Option<String>,
    /// `AAAA-MM-JJ`.
    ends_on: Option<String>,
    /// `AAAA-MM-JJ` ; par défaut trois mois avant la fin.
    renewal_alert_on: Option<String>,
    notes: Option<String>,
}

impl ConventionBody {
    fn input(self) -> uc::ConventionInput {
        uc::ConventionInput {
            institution_id: self.institution_id.unwrap_or_default(),
            kind: self.kind,
            title: self.title,
            reference: self.reference,
            product_id: self.product_id,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            renewal_alert_on: self.renewal_alert_on,
            notes: self.notes,
        }
    }
}

/// Crée une convention (administration, chargé·e de relation).
#[utoipa::path(post, path = "/api/v1/conventions", tag = "crm", request_body = ConventionBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_convention(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<ConventionBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::create_convention(&st.app, &s.actor, b.input()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Une convention.
#[utoipa::path(get, path = "/api/v1/conventions/{id}", tag = "crm", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Convention), (status = 404, body = ErrorBody)))]
async fn get_convention(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Convention>, ApiError> {
    Ok(Json(
        uc::get_convention(&st.app, &s.actor, parse_id(&id)?)
            .await?
            .into(),
    ))
}

/// Remplace les champs d'une convention (son établissement est conservé).
#[utoipa::path(put, path = "/api/v1/conventions/{id}", tag = "crm", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ConventionBody,
    responses((status = 200, body = Convention), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_convention(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ConventionBody>,
) -> Result<Json<Convention>, ApiError> {
    let id = parse_id(&id)?;
    uc::update_convention(&st.app, &s.actor, id, b.input()).await?;
    Ok(Json(
        uc::get_convention(&st.app, &s.actor, id).await?.into(),
    ))
}
