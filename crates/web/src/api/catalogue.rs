//! API of catalogue changes (admins): products and their releases. Reading
//! the catalogue (`GET /api/v1/products…`) lives in `api::crm`.

use crate::api::common::{parse_id, Created};
use crate::api::dto::Product;
use crate::api::extract::{ApiJson, ApiPath};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::crm as uc;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_product))
        .routes(routes!(update_product))
        .routes(routes!(add_release))
}

#[derive(Deserialize, ToSchema)]
pub struct ProductBody {
    /// Lettres minuscules, chiffres, `-` et `_`. Obligatoire à la création,
    /// ignoré ensuite : le code d'un produit ne change pas.
    #[serde(default)]
    code: Option<String>,
    name: String,
    /// Code d'un des domaines métier (`GET /api/v1/domains`).
    domain_code: String,
    /// `conception`, `pilote`, `deploiement`, `production`, `fin_de_maintenance`.
    stage: String,
    description: Option<String>,
}

impl ProductBody {
    fn input(self, code: String) -> uc::ProductInput {
        uc::ProductInput {
            code,
            name: self.name,
            domain_code: self.domain_code,
            stage: self.stage,
            description: self.description,
        }
    }
}

/// Ajoute un produit au catalogue (administration).
#[utoipa::path(post, path = "/api/v1/products", tag = "référentiel", request_body = ProductBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_product(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(mut b): ApiJson<ProductBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let code = b.code.take().unwrap_or_default();
    let id = uc::create_product(&st.app, &s.actor, b.input(code)).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Remplace les champs d'un produit, son code excepté (administration).
#[utoipa::path(put, path = "/api/v1/products/{id}", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ProductBody,
    responses((status = 200, body = Product), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_product(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ProductBody>,
) -> Result<Json<Product>, ApiError> {
    let id = parse_id(&id)?;
    let (before, _) = uc::get_product(&st.app, id).await?;
    uc::update_product(&st.app, &s.actor, id, b.input(before.code)).await?;
    Ok(Json(uc::get_product(&st.app, id).await?.0.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReleaseBody {
    /// Par exemple `2.4.0` ; unique pour un produit.
    version: String,
    /// `AAAA-MM-JJ`.
    released_on: Option<String>,
    notes: Option<String>,
}

/// Ajoute une version à un produit (administration).
#[utoipa::path(post, path = "/api/v1/products/{id}/releases", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ReleaseBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_release(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ReleaseBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::add_release(
        &st.app,
        &s.actor,
        parse_id(&id)?,
        &b.version,
        b.released_on.as_deref(),
        b.notes.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}
