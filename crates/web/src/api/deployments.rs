//! API of deployments: which product runs in which institution, at which
//! stage. Reads are scoped like the pages (a member sees their own
//! institution only); writes are for admins and key-account managers.

use crate::api::common::{parse_id, Created, Page};
use crate::api::dto::{list, Deployment};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::crm as uc;
use relais_app::crm::DeploymentFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_deployments, create_deployment))
        .routes(routes!(get_deployment, update_deployment))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeploymentQuery {
    institution_id: Option<String>,
    product_id: Option<String>,
    /// `candidat`, `pilote_p1`, `pilote_p2`, `vague`, `production`, `retire`.
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Déploiements visibles par l'appelant (un adhérent ne voit que ceux de son établissement).
#[utoipa::path(get, path = "/api/v1/deployments", tag = "crm", params(DeploymentQuery),
    responses((status = 200, body = Page<Deployment>), (status = 401, body = ErrorBody)))]
async fn list_deployments(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<DeploymentQuery>,
) -> Result<Json<Page<Deployment>>, ApiError> {
    let f = DeploymentFilter {
        institution_id: q.institution_id,
        product_id: q.product_id,
        status: q.status,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let (items, total) = uc::list_deployments(&st.app, &s.actor, &f).await?;
    Ok(Json(Page {
        items: list(items),
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct DeploymentBody {
    /// Lu seulement à la création : l'établissement et le produit identifient
    /// un déploiement et ne changent plus ensuite.
    #[serde(default)]
    institution_id: Option<String>,
    /// Lu seulement à la création.
    #[serde(default)]
    product_id: Option<String>,
    /// `candidat`, `pilote_p1`, `pilote_p2`, `vague`, `production`, `retire`.
    status: String,
    /// Numéro de vague (1 à 50), obligatoire pour le statut `vague`.
    wave: Option<i64>,
    /// `sur_site`, `saas`, `co_administre`.
    hosting: String,
    version: Option<String>,
    /// `AAAA-MM-JJ`.
    starts_on: Option<String>,
    /// `AAAA-MM-JJ`.
    ends_on: Option<String>,
    notes: Option<String>,
}

impl DeploymentBody {
    fn input(self) -> uc::DeploymentInput {
        uc::DeploymentInput {
            institution_id: self.institution_id.unwrap_or_default(),
            product_id: self.product_id.unwrap_or_default(),
            status: self.status,
            wave: self.wave.map(|w| w.to_string()),
            hosting: self.hosting,
            version: self.version,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            notes: self.notes,
        }
    }
}

/// Crée un déploiement (administration, chargé·e de relation).
#[utoipa::path(post, path = "/api/v1/deployments", tag = "crm", request_body = DeploymentBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_deployment(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<DeploymentBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::create_deployment(&st.app, &s.actor, b.input()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Un déploiement.
#[utoipa::path(get, path = "/api/v1/deployments/{id}", tag = "crm", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Deployment), (status = 404, body = ErrorBody)))]
async fn get_deployment(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Deployment>, ApiError> {
    Ok(Json(
        uc::get_deployment(&st.app, &s.actor, parse_id(&id)?)
            .await?
            .into(),
    ))
}

/// Remplace les champs d'un déploiement (établissement et produit conservés).
#[utoipa::path(put, path = "/api/v1/deployments/{id}", tag = "crm", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = DeploymentBody,
    responses((status = 200, body = Deployment), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_deployment(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<DeploymentBody>,
) -> Result<Json<Deployment>, ApiError> {
    let id = parse_id(&id)?;
    uc::update_deployment(&st.app, &s.actor, id, b.input()).await?;
    Ok(Json(
        uc::get_deployment(&st.app, &s.actor, id).await?.into(),
    ))
}
