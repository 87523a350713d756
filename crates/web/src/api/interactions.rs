//! API of interactions and follow-up tasks: the agency's own notes about its
//! members. For anyone else these routes answer 404, like the pages.

use crate::api::common::{param_id, parse_id, Created};
use crate::api::dto::{list, Interaction, Task};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::crm as uc;
use relais_app::crm::TaskFilter;
use relais_domain::accounts::Actor;
use relais_domain::DomainError;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_interactions, create_interaction))
        .routes(routes!(get_interaction))
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(set_task_status))
}

/// Members learn nothing about agency notes, not even that they exist.
fn agency_only(actor: &Actor) -> Result<(), ApiError> {
    if actor.can_read_interactions() {
        Ok(())
    } else {
        Err(ApiError(DomainError::NotFound.into()))
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionQuery {
    institution_id: Option<String>,
    /// 200 par défaut, 10 000 au plus.
    limit: Option<i64>,
}

/// Interactions avec les adhérents, des plus récentes aux plus anciennes (agence seulement).
#[utoipa::path(get, path = "/api/v1/interactions", tag = "crm", params(InteractionQuery),
    responses((status = 200, body = [Interaction]), (status = 404, body = ErrorBody)))]
async fn list_interactions(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<InteractionQuery>,
) -> Result<Json<Vec<Interaction>>, ApiError> {
    agency_only(&s.actor)?;
    let inst = match q.institution_id.as_deref().filter(|i| !i.is_empty()) {
        Some(i) => Some(param_id(i, "institution_id")?),
        None => None,
    };
    let limit = q.limit.unwrap_or(200).clamp(1, 10_000);
    Ok(Json(list(
        uc::list_interactions(&st.app, &s.actor, inst, limit).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct InteractionBody {
    institution_id: String,
    /// `reunion`, `appel`, `visite`, `courriel`.
    kind: String,
    /// `AAAA-MM-JJ`.
    occurred_on: String,
    subject: String,
    summary: Option<String>,
    /// Un contact de cet établissement.
    contact_id: Option<String>,
    /// Intitulé d'une tâche de suivi créée avec l'interaction et attribuée à l'appelant.
    follow_up: Option<String>,
    /// Échéance de la tâche de suivi (`AAAA-MM-JJ`).
    follow_up_due: Option<String>,
}

/// Note une interaction avec un établissement (agence seulement).
#[utoipa::path(post, path = "/api/v1/interactions", tag = "crm", request_body = InteractionBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_interaction(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<InteractionBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    agency_only(&s.actor)?;
    let id = uc::create_interaction(
        &st.app,
        &s.actor,
        uc::InteractionInput {
            institution_id: b.institution_id,
            kind: b.kind,
            occurred_on: b.occurred_on,
            subject: b.subject,
            summary: b.summary,
            contact_id: b.contact_id,
            follow_up: b.follow_up,
            follow_up_due: b.follow_up_due,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Une interaction (agence seulement).
#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "crm", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Interaction), (status = 404, body = ErrorBody)))]
async fn get_interaction(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Interaction>, ApiError> {
    agency_only(&s.actor)?;
    Ok(Json(
        uc::get_interaction(&st.app, &s.actor, parse_id(&id)?)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    institution_id: Option<String>,
    assignee_id: Option<String>,
    /// `true` : seulement les tâches attribuées à l'appelant.
    #[serde(default)]
    mine: bool,
    /// `a_faire`, `faite`, `annulee`.
    status: Option<String>,
    /// 200 par défaut, 10 000 au plus.
    limit: Option<i64>,
}

/// Tâches de suivi, les ouvertes d'abord puis par échéance (agence seulement).
#[utoipa::path(get, path = "/api/v1/tasks", tag = "crm", params(TaskQuery),
    responses((status = 200, body = [Task]), (status = 404, body = ErrorBody)))]
async fn list_tasks(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> Result<Json<Vec<Task>>, ApiError> {
    agency_only(&s.actor)?;
    let f = TaskFilter {
        institution_id: q.institution_id,
        assignee_id: if q.mine {
            Some(s.actor.user_id.to_string())
        } else {
            q.assignee_id
        },
        status: q.status,
        limit: q.limit.unwrap_or(200).clamp(1, 10_000),
    };
    Ok(Json(list(uc::list_tasks(&st.app, &s.actor, &f).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct TaskBody {
    institution_id: String,
    title: String,
    /// `AAAA-MM-JJ`.
    due_on: Option<String>,
    /// Un agent de l'agence ; l'appelant par défaut.
    assignee_id: Option<String>,
}

/// Crée une tâche de suivi pour un établissement (agence seulement).
#[utoipa::path(post, path = "/api/v1/tasks", tag = "crm", request_body = TaskBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_task(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<TaskBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    agency_only(&s.actor)?;
    let id = uc::create_task(
        &st.app,
        &s.actor,
        uc::TaskInput {
            institution_id: b.institution_id,
            title: b.title,
            due_on: b.due_on,
            assignee_id: b.assignee_id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

#[derive(Deserialize, ToSchema)]
pub struct TaskStatusBody {
    /// `a_faire`, `faite`, `annulee`.
    status: String,
}

/// Change le statut d'une tâche (par exemple `faite`) et renvoie la tâche.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/status", tag = "crm", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = TaskStatusBody,
    responses((status = 200, body = Task), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_task_status(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<TaskStatusBody>,
) -> Result<Json<Task>, ApiError> {
    agency_only(&s.actor)?;
    let id = parse_id(&id)?;
    uc::set_task_status(&st.app, &s.actor, id, &b.status).await?;
    Ok(Json(uc::get_task(&st.app, &s.actor, id).await?.into()))
}
