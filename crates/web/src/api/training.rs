//! API of training: the catalogue and its sessions, seat requests and the
//! referent's decisions, a person's registrations, statements per
//! institution and per trainer. The same use cases as the pages, so the
//! same rules: another institution's registration or statement is 404.

use crate::api::common::{param_id, parse_id, Created};
use crate::api::dto::{list, Statement, TrainerStatement, Training, TrainingRegistration};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::training as uc;
use relais_app::training::TrainingFilter;
use relais_domain::DomainError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_trainings))
        .routes(routes!(get_training))
        .routes(routes!(request_seat, session_registrations))
        .routes(routes!(approve))
        .routes(routes!(refuse))
        .routes(routes!(cancel))
        .routes(routes!(my_registrations))
        .routes(routes!(statement))
        .routes(routes!(trainer_statement))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// Words of the title, objectives or audience (accents ignored).
    q: Option<String>,
    domain: Option<String>,
    product_id: Option<String>,
    /// `presentiel`, `distanciel`, `hybride`, `elearning`.
    modality: Option<String>,
    /// `deploiement`, `continue`, `specifique`.
    kind: Option<String>,
    /// Sessions ending on or after (`YYYY-MM-DD`).
    from: Option<String>,
    /// Sessions starting on or before (`YYYY-MM-DD`).
    to: Option<String>,
}

/// The catalogue the caller may see.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "formation", params(CatalogueQuery),
    responses((status = 200, body = Vec<Training>)))]
async fn list_trainings(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<CatalogueQuery>,
) -> Result<Json<Vec<Training>>, ApiError> {
    let f = TrainingFilter {
        q: nonempty(q.q),
        domain: nonempty(q.domain),
        product: nonempty(q.product_id),
        modality: nonempty(q.modality),
        kind: nonempty(q.kind),
        from: nonempty(q.from),
        to: nonempty(q.to),
        ..Default::default()
    };
    Ok(Json(list(uc::catalogue(&st.app, Some(&s.actor), f).await?)))
}

/// A session as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct Session {
    pub id: String,
    /// `(day, part)`: `part` is `journee`, `matin` or `apres-midi`.
    pub days: Vec<(String, String)>,
    pub half_days: i64,
    pub place: Option<String>,
    pub visio_url: Option<String>,
    pub capacity: i64,
    pub seats_left: i64,
    pub waiting: i64,
    /// `prevue`, `ouverte`, `complete`, `confirmee`, `annulee`, `realisee`.
    pub status: String,
    pub trainers: Vec<String>,
    pub institution_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TrainingDetail {
    pub training: Training,
    pub sessions: Vec<Session>,
}

/// A training and the sessions the caller may see (a tailored session
/// only to its institution and the agency).
#[utoipa::path(get, path = "/api/v1/trainings/{id}", tag = "formation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = TrainingDetail), (status = 404, body = ErrorBody)))]
async fn get_training(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TrainingDetail>, ApiError> {
    let (training, sessions) = uc::training(&st.app, Some(&s.actor), parse_id(&id)?).await?;
    Ok(Json(TrainingDetail {
        training: training.into(),
        sessions: sessions
            .into_iter()
            .map(|v| Session {
                id: v.row.id.clone(),
                days: v
                    .days
                    .iter()
                    .map(|(d, p)| (d.to_string(), p.code().to_string()))
                    .collect(),
                half_days: v.half_days(),
                place: v.row.place.clone(),
                visio_url: v.row.visio_url.clone(),
                capacity: v.row.capacity,
                seats_left: v.seats_left,
                waiting: v.waiting,
                status: v.shown.code().to_string(),
                trainers: v.trainers.iter().map(|t| t.1.clone()).collect(),
                institution_id: v.row.institution_id.clone(),
            })
            .collect(),
    }))
}

/// Asks for a seat for oneself; the institution's referent decides.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/registrations", tag = "formation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn request_seat(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let r = uc::request_seat(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(Created { id: r.to_string() })))
}

/// A registration with its waiting-list place.
#[derive(Serialize, ToSchema)]
pub struct Registration {
    #[serde(flatten)]
    pub row: TrainingRegistration,
    pub waiting_position: Option<i64>,
}

/// The registrations of a session the caller may see: all for the agency
/// and the session's trainers, the institution's for a referent, one's own
/// for a member.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/registrations", tag = "formation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Vec<Registration>), (status = 404, body = ErrorBody)))]
async fn session_registrations(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Registration>>, ApiError> {
    let id = parse_id(&id)?;
    uc::session(&st.app, Some(&s.actor), id).await?;
    let rows = uc::session_registrations(&st.app, &s.actor, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(row, waiting_position)| Registration {
                row: row.into(),
                waiting_position,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DecisionBody {
    /// `confirmee` or `attente`.
    pub status: String,
}

/// The referent (or the agency) approves: confirmed while a seat is left,
/// else the waiting list.
#[utoipa::path(post, path = "/api/v1/registrations/{id}/approve", tag = "formation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = DecisionBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn approve(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DecisionBody>, ApiError> {
    let d = uc::approve(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok(Json(DecisionBody {
        status: match d {
            uc::Decision::Confirmed => "confirmee",
            uc::Decision::WaitingList => "attente",
        }
        .into(),
    }))
}

/// The referent (or the agency) refuses a request.
#[utoipa::path(post, path = "/api/v1/registrations/{id}/refuse", tag = "formation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refuse(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    uc::refuse(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CancelBody {
    /// Within the deadline: the seat stays billed.
    pub late: bool,
    /// Registrations promoted from the waiting list.
    pub promoted: Vec<String>,
}

/// Cancels a registration (its person, their referent, the agency).
#[utoipa::path(post, path = "/api/v1/registrations/{id}/cancel", tag = "formation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = CancelBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CancelBody>, ApiError> {
    let c = uc::cancel(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok(Json(CancelBody {
        late: c.late,
        promoted: c.promoted.iter().map(|i| i.to_string()).collect(),
    }))
}

/// The caller's own registrations, with waiting-list places.
#[utoipa::path(get, path = "/api/v1/me/registrations", tag = "formation",
    responses((status = 200, body = Vec<Registration>)))]
async fn my_registrations(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
) -> Result<Json<Vec<Registration>>, ApiError> {
    Ok(Json(
        uc::my_registrations(&st.app, &s.actor)
            .await?
            .into_iter()
            .map(|(row, waiting_position)| Registration {
                row: row.into(),
                waiting_position,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    /// The institution (the referent's own by default).
    institution_id: Option<String>,
    /// `YYYY-MM-DD`.
    from: String,
    /// `YYYY-MM-DD`.
    to: String,
}

/// What an institution owes for trainings starting in the period, in
/// integer cents (referents of that institution and the agency).
#[utoipa::path(get, path = "/api/v1/training-statements", tag = "formation", params(StatementQuery),
    responses((status = 200, body = Statement), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn statement(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<StatementQuery>,
) -> Result<Json<Statement>, ApiError> {
    let inst = match nonempty(q.institution_id) {
        Some(i) => param_id(&i, "institution_id")?,
        None => s
            .actor
            .institution_id
            .ok_or(ApiError(DomainError::NotFound.into()))?,
    };
    Ok(Json(
        uc::statement(&st.app, &s.actor, inst, &q.from, &q.to)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    from: String,
    to: String,
}

/// A trainer's pay for sessions in the period (the trainer, the agency).
#[utoipa::path(get, path = "/api/v1/trainers/{id}/statement", tag = "formation", params(("id" = String, Path, description = "Identifiant (UUID)"), PeriodQuery),
    responses((status = 200, body = TrainerStatement), (status = 404, body = ErrorBody)))]
async fn trainer_statement(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<TrainerStatement>, ApiError> {
    Ok(Json(
        uc::trainer_statement(&st.app, &s.actor, parse_id(&id)?, &q.from, &q.to)
            .await?
            .into(),
    ))
}
