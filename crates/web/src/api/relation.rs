//! API of member relations: a person's pending surveys, an institution's
//! survey answers and health (within the caller's scope), recalls (agency),
//! and data protection (a person's own data; a contact's data and erasure
//! for key-account managers and admins).

use crate::api::common::parse_id;
use crate::api::dto::{
    list, Erasure, InstitutionHealth, PersonData, Recall, SurveyAnswer, SurveyInvitation,
};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::relation as uc;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pending_surveys))
        .routes(routes!(survey_answers))
        .routes(routes!(health))
        .routes(routes!(list_recalls))
        .routes(routes!(record_call))
        .routes(routes!(close_recall))
        .routes(routes!(my_data))
        .routes(routes!(contact_data))
        .routes(routes!(erase_contact))
}

/// Surveys waiting for the caller's answer.
#[utoipa::path(get, path = "/api/v1/surveys/pending", tag = "relation",
    responses((status = 200, body = Vec<SurveyInvitation>)))]
async fn pending_surveys(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
) -> Result<Json<Vec<SurveyInvitation>>, ApiError> {
    Ok(Json(list(uc::pending_for(&st.app, &s.actor).await?)))
}

/// Survey answers of an institution (its own staff, or the agency).
#[utoipa::path(get, path = "/api/v1/institutions/{id}/survey-answers", tag = "relation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Vec<SurveyAnswer>), (status = 404, body = ErrorBody)))]
async fn survey_answers(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<SurveyAnswer>>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(list(
        uc::institution_answers(&st.app, &s.actor, id).await?,
    )))
}

/// The health indicator of an institution: score, each factor's
/// contribution, history and flags.
#[utoipa::path(get, path = "/api/v1/institutions/{id}/health", tag = "relation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = InstitutionHealth), (status = 404, body = ErrorBody)))]
async fn health(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InstitutionHealth>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(uc::health_view(&st.app, &s.actor, id).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecallQuery {
    /// `ouvert` (default), `clos` or `tous`.
    status: Option<String>,
    /// `true`: only the caller's.
    mine: Option<bool>,
}

/// Recall tasks (agency staff).
#[utoipa::path(get, path = "/api/v1/recalls", tag = "relation", params(RecallQuery),
    responses((status = 200, body = Vec<Recall>), (status = 403, body = ErrorBody)))]
async fn list_recalls(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<RecallQuery>,
) -> Result<Json<Vec<Recall>>, ApiError> {
    let status = match q.status.as_deref() {
        Some("clos") => Some("clos"),
        Some("tous") => None,
        _ => Some("ouvert"),
    };
    let (rows, _) = uc::recalls(&st.app, &s.actor, q.mine.unwrap_or(false), status).await?;
    Ok(Json(list(rows)))
}

#[derive(Deserialize, ToSchema)]
pub struct CallBody {
    note: String,
}

/// Records a call made for a recall (an interaction on the institution).
#[utoipa::path(post, path = "/api/v1/recalls/{id}/calls", tag = "relation", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = CallBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_call(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<CallBody>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id)?;
    uc::record_call(&st.app, &s.actor, id, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct CloseBody {
    outcome: String,
}

/// Closes a recall with its outcome.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/close", tag = "relation", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = CloseBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_recall(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<CloseBody>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id)?;
    uc::close_recall(&st.app, &s.actor, id, &b.outcome).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything Relais holds about the caller.
#[utoipa::path(get, path = "/api/v1/me/data", tag = "relation",
    responses((status = 200, body = PersonData)))]
async fn my_data(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
) -> Result<Json<PersonData>, ApiError> {
    Ok(Json(
        relais_app::privacy::my_data(&st.app, &s.actor)
            .await?
            .into(),
    ))
}

/// Everything Relais holds about a contact (key-account managers, admins).
#[utoipa::path(get, path = "/api/v1/contacts/{id}/data", tag = "relation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = PersonData), (status = 404, body = ErrorBody)))]
async fn contact_data(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PersonData>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        relais_app::privacy::contact_data(&st.app, &s.actor, id)
            .await?
            .into(),
    ))
}

/// Erases a contact on request: pseudonymised everywhere, rows kept.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/erase", tag = "relation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Erasure), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn erase_contact(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Erasure>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(
        relais_app::privacy::erase_contact(&st.app, &s.actor, id)
            .await?
            .into(),
    ))
}
