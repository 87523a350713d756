//! API of accounts: admins manage every account, a referent their own
//! institution's member accounts. The roles one may grant and the
//! institution a referent's accounts land in are enforced by the use case.

use crate::api::common::{parse_id, Created};
use crate::api::dto::{list, User};
use crate::api::extract::{ApiJson, ApiPath};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::accounts as uc;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
}

/// Comptes que l'appelant gère : tous pour l'administration, ceux de son
/// établissement pour un·e référent·e.
#[utoipa::path(get, path = "/api/v1/users", tag = "comptes",
    responses((status = 200, body = [User]), (status = 403, body = ErrorBody)))]
async fn list_users(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(list(uc::list_users(&st.app, &s.actor).await?)))
}

fn default_active() -> bool {
    true
}

#[derive(Deserialize, ToSchema)]
pub struct UserBody {
    email: String,
    display_name: String,
    /// `admin`, `support`, `relation`, `domain`, `trainer`, `member`,
    /// `member_admin` — parmi ceux que l'appelant peut attribuer.
    role: String,
    /// Obligatoire pour les rôles d'établissement ; ignoré pour un·e
    /// référent·e, dont les comptes restent dans son établissement.
    institution_id: Option<String>,
    /// 12 caractères au moins ; absent, le mot de passe ne change pas.
    password: Option<String>,
    #[serde(default = "default_active")]
    active: bool,
}

impl UserBody {
    fn input(self) -> uc::UserInput {
        uc::UserInput {
            email: self.email,
            display_name: self.display_name,
            role: self.role,
            institution_id: self.institution_id,
            password: self.password,
            active: self.active,
        }
    }
}

/// Crée un compte.
#[utoipa::path(post, path = "/api/v1/users", tag = "comptes", request_body = UserBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<UserBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::create_user(&st.app, &s.actor, b.input()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Un compte.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "comptes", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_user(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        uc::get_user(&st.app, &s.actor, parse_id(&id)?)
            .await?
            .into(),
    ))
}

/// Remplace les champs d'un compte ; le mot de passe seulement s'il est fourni.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "comptes", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = UserBody,
    responses((status = 200, body = User), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_user(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<UserBody>,
) -> Result<Json<User>, ApiError> {
    let id = parse_id(&id)?;
    uc::update_user(&st.app, &s.actor, id, b.input()).await?;
    Ok(Json(uc::get_user(&st.app, &s.actor, id).await?.into()))
}
