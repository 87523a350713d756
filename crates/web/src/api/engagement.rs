//! API of member relations (issue 6): complaints (a member lists, reads
//! and files their own institution's; never the internal notes nor the
//! corrective actions' details and owners; another institution's is 404),
//! their treatment by the agency (internal notes, corrective actions,
//! closing answer), the irritants' analysis, and campaigns (agency only).

use crate::api::common::{parse_id, Created, Page};
use crate::api::dto::{
    list, CampaignTarget, ComplaintFields, ComplaintNote, ContactCampaignFields,
};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::engagement as uc;
use relais_app::engagement::{ActionInput, ComplaintInput};
use relais_app::engagement::{ComplaintFilter, TargetFilter};
use relais_domain::engagement::ComplaintChannel;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_complaints, file_complaint))
        .routes(routes!(complaint_analysis))
        .routes(routes!(get_complaint))
        .routes(routes!(add_note))
        .routes(routes!(add_action))
        .routes(routes!(close_complaint))
        .routes(routes!(list_campaigns))
        .routes(routes!(get_campaign))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintQuery {
    /// `nouvelle`, `en_cours`, `close`.
    status: Option<String>,
    /// An irritant code.
    touchpoint: Option<String>,
    /// An institution id (agency staff; a member only ever gets their own).
    institution_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Complaints: a member's institution's only; every one for the agency.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "reclamations", params(ComplaintQuery),
    responses((status = 200, body = Page<ComplaintFields>)))]
async fn list_complaints(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<ComplaintQuery>,
) -> Result<Json<Page<ComplaintFields>>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let offset = q.offset.unwrap_or(0).max(0);
    let f = ComplaintFilter {
        institution_id: nonempty(q.institution_id),
        status: nonempty(q.status),
        open_only: false,
        touchpoint: nonempty(q.touchpoint),
        owner_id: None,
        limit,
        offset,
    };
    let (items, total) = uc::list_complaints(&st.app, &s.actor, &f).await?;
    Ok(Json(Page {
        items: list(items),
        total,
        limit,
        offset,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ComplaintBody {
    /// Agency staff: the institution concerned (ignored for members).
    institution_id: Option<String>,
    /// Agency staff: a contact of that institution.
    contact_id: Option<String>,
    /// `support`, `formation`, `facturation`, `qualite_produit`,
    /// `deploiement`, `communication`, `relation`, `autre`.
    touchpoint: String,
    /// `mineure`, `majeure`, `critique`.
    severity: String,
    title: String,
    description: String,
    product_id: Option<String>,
    /// Agency staff: `agent`, `telephone`, `mail`.
    channel: Option<String>,
    /// Agency staff: the ticket this complaint comes from (same institution).
    ticket_id: Option<String>,
}

/// Files a complaint (members: for their own institution).
#[utoipa::path(post, path = "/api/v1/complaints", tag = "reclamations", request_body = ComplaintBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn file_complaint(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<ComplaintBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::file_complaint(
        &st.app,
        &s.actor,
        ComplaintInput {
            institution_id: b.institution_id,
            contact_id: b.contact_id,
            touchpoint: b.touchpoint,
            severity: b.severity,
            title: b.title,
            description: b.description,
            product_id: b.product_id,
            channel: b.channel,
            ticket_id: b.ticket_id,
        },
        ComplaintChannel::Api,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// A corrective action; `details` and `owner_name` for agency staff only.
#[derive(Serialize, ToSchema)]
pub struct CorrectiveAction {
    pub id: String,
    pub title: String,
    pub due_on: Option<String>,
    /// `a_faire`, `en_cours`, `faite`, `abandonnee`.
    pub status: String,
    pub done_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
}

/// A complaint with its corrective actions; internal notes for agency
/// staff only.
#[derive(Serialize, ToSchema)]
pub struct Complaint {
    #[serde(flatten)]
    pub complaint: ComplaintFields,
    pub actions: Vec<CorrectiveAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_notes: Option<Vec<ComplaintNote>>,
}

async fn one(
    st: &AppState,
    actor: &relais_domain::accounts::Actor,
    id: relais_domain::Id,
) -> Result<Json<Complaint>, ApiError> {
    let v = uc::get_complaint(&st.app, actor, id).await?;
    let internal = v.internal;
    Ok(Json(Complaint {
        complaint: v.complaint.into(),
        actions: v
            .actions
            .into_iter()
            .map(|a| CorrectiveAction {
                id: a.id,
                title: a.title,
                due_on: a.due_on,
                status: a.status,
                done_on: a.done_on,
                details: a.details.filter(|_| internal),
                owner_name: a.owner_name.filter(|_| internal),
            })
            .collect(),
        internal_notes: internal.then_some(list(v.notes)),
    }))
}

/// One complaint (404 outside the caller's institution).
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "reclamations", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Complaint), (status = 404, body = ErrorBody)))]
async fn get_complaint(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Complaint>, ApiError> {
    one(&st, &s.actor, parse_id(&id)?).await
}

#[derive(Deserialize, ToSchema)]
pub struct ComplaintNoteBody {
    body: String,
}

/// Adds an internal note (agency staff).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/notes", tag = "reclamations", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ComplaintNoteBody,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_note(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ComplaintNoteBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let n = uc::add_note(&st.app, &s.actor, parse_id(&id)?, &b.body).await?;
    Ok((StatusCode::CREATED, Json(Created { id: n.to_string() })))
}

#[derive(Deserialize, ToSchema)]
pub struct CorrectiveActionBody {
    title: String,
    details: Option<String>,
    owner_id: Option<String>,
    /// `AAAA-MM-JJ`.
    due_on: Option<String>,
}

/// Adds a corrective action (agency staff).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/actions", tag = "reclamations", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = CorrectiveActionBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_action(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<CorrectiveActionBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let a = uc::add_action(
        &st.app,
        &s.actor,
        parse_id(&id)?,
        ActionInput {
            title: b.title,
            details: b.details,
            owner_id: b.owner_id,
            due_on: b.due_on,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: a.to_string() })))
}

#[derive(Deserialize, ToSchema)]
pub struct ComplaintCloseBody {
    /// The answer the institution reads.
    answer: String,
}

/// Closes a complaint with its answer (agency staff); 422 `already_closed`.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/close", tag = "reclamations", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ComplaintCloseBody,
    responses((status = 200, body = Complaint), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn close_complaint(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ComplaintCloseBody>,
) -> Result<Json<Complaint>, ApiError> {
    let id = parse_id(&id)?;
    uc::close(&st.app, &s.actor, id, &b.answer).await?;
    one(&st, &s.actor, id).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalysisQuery {
    /// The period in months (default 24).
    months: Option<i64>,
}

/// The irritants ranked per touchpoint, department and product (agency).
#[utoipa::path(get, path = "/api/v1/complaints/analysis", tag = "reclamations", params(AnalysisQuery),
    responses((status = 200, body = uc::Analysis), (status = 403, body = ErrorBody)))]
async fn complaint_analysis(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<AnalysisQuery>,
) -> Result<Json<uc::Analysis>, ApiError> {
    Ok(Json(
        uc::analysis(&st.app, &s.actor, q.months.unwrap_or(24)).await?,
    ))
}

/// Campaigns of qualified contacts with their progress (agency staff).
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "relation",
    responses((status = 200, body = Vec<ContactCampaignFields>), (status = 403, body = ErrorBody)))]
async fn list_campaigns(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
) -> Result<Json<Vec<ContactCampaignFields>>, ApiError> {
    Ok(Json(list(uc::list_campaigns(&st.app, &s.actor).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct ContactCampaign {
    #[serde(flatten)]
    pub campaign: ContactCampaignFields,
    pub institutions: Vec<CampaignTarget>,
}

/// One campaign with its institutions, managers and statuses (agency).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "relation", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = ContactCampaign), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_campaign(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ContactCampaign>, ApiError> {
    let (campaign, institutions) =
        uc::get_campaign(&st.app, &s.actor, parse_id(&id)?, &TargetFilter::default()).await?;
    Ok(Json(ContactCampaign {
        campaign: campaign.into(),
        institutions: list(institutions),
    }))
}
