//! API of the support desk: tickets (filing, reading, replies and internal
//! notes, workflow, assignment, estimate, sharing, "nous aussi",
//! workarounds), incidents and the known issues of a product. Reads are
//! narrowed by the app's `ticket_scope`: a member asking for another
//! institution's private ticket gets 404, exactly like a missing one.

use crate::api::common::{body_id, parse_id, Created};
use crate::api::dto::{list, Incident, Ticket, TicketEvent, TicketMessage, Workaround};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::Json;
use relais_app::support as uc;
use relais_app::support::TicketFilter;
use relais_domain::accounts::Actor;
use relais_domain::sla::SlaState;
use relais_domain::support::TicketInput;
use relais_domain::{DomainError, Id};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, create_ticket))
        .routes(routes!(get_ticket))
        .routes(routes!(post_message))
        .routes(routes!(post_status))
        .routes(routes!(post_assign))
        .routes(routes!(post_estimate))
        .routes(routes!(post_share))
        .routes(routes!(post_follow))
        .routes(routes!(post_workaround))
        .routes(routes!(list_incidents, create_incident))
        .routes(routes!(get_incident))
        .routes(routes!(add_incident_ticket))
        .routes(routes!(resolve_incident))
        .routes(routes!(known_issues))
}

fn invalid(code: &'static str, field: &'static str, message: &str) -> ApiError {
    ApiError(DomainError::invalid(code, field, message.to_string()).into())
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// An optional id filter: a malformed id is a 422, never a SQL surprise.
fn id_filter(raw: Option<String>, field: &'static str) -> Result<Option<String>, ApiError> {
    match nonempty(raw) {
        None => Ok(None),
        Some(v) => Id::parse(&v)
            .map(|i| Some(i.to_string()))
            .ok_or_else(|| invalid("invalid_id", field, "Identifiant invalide.")),
    }
}

// ---------------------------------------------------------------- list

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// `nouveau`, `en_cours`, `attente_etablissement`, `attente_editeur`,
    /// `resolu`, `clos`.
    status: Option<String>,
    /// `bloquant`, `majeur` or `mineur`.
    severity: Option<String>,
    /// `anomalie`, `question`, `evolution` or `incident_production`.
    category: Option<String>,
    /// Words of the reference or the subject.
    q: Option<String>,
    /// Only tickets nobody is assigned to (agents).
    unassigned: Option<bool>,
    product: Option<String>,
    team: Option<String>,
    /// An agent id, or `me` (agents).
    assignee: Option<String>,
    /// Agency staff only; refused for members (their scope is their own
    /// institution and the tickets shared with it).
    institution: Option<String>,
    /// Only open tickets.
    open: Option<bool>,
    /// Only tickets shared by other institutions (members: on the products
    /// their institution uses).
    shared: Option<bool>,
    incident: Option<String>,
    /// `due` (resolution deadline first) or `recent` (default).
    sort: Option<String>,
    /// From 1.
    page: Option<i64>,
    /// 50 by default, at most 200.
    per_page: Option<i64>,
}

/// A page of tickets.
#[derive(Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<Ticket>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Tickets the caller may read, with their SLA fields. For a member, the
/// requester of another institution's shared ticket is masked unless that
/// institution chose to share it.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "support", params(TicketQuery),
    responses((status = 200, body = TicketPage), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_tickets(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> Result<Json<TicketPage>, ApiError> {
    let agency = s.actor.role.is_agency();
    let institution = id_filter(q.institution, "institution")?;
    if institution.is_some() && !agency {
        return Err(ApiError(DomainError::Forbidden.into()));
    }
    let assignee = match nonempty(q.assignee) {
        Some(v) if v == "me" => {
            if !uc::is_agent(&s.actor) {
                return Err(invalid(
                    "invalid_assignee",
                    "assignee",
                    "« me » est réservé aux agents du support.",
                ));
            }
            Some(s.actor.user_id.to_string())
        }
        other => id_filter(other, "assignee")?,
    };
    let order_by_due = match nonempty(q.sort).as_deref() {
        None | Some("recent") => false,
        Some("due") => true,
        Some(_) => {
            return Err(invalid(
                "invalid_sort",
                "sort",
                "Tri inconnu : « due » ou « recent ».",
            ))
        }
    };
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).max(1);
    let f = TicketFilter {
        institution_id: institution,
        product_id: id_filter(q.product, "product")?,
        team_id: id_filter(q.team, "team")?,
        assignee_id: assignee,
        status: nonempty(q.status),
        open_only: q.open.unwrap_or(false),
        shared_only: q.shared.unwrap_or(false),
        incident_id: id_filter(q.incident, "incident")?,
        limit: per_page,
        offset: (page - 1).saturating_mul(per_page),
        order_by_due,
        severity: nonempty(q.severity),
        category: nonempty(q.category),
        q: nonempty(q.q),
        unassigned: agency && q.unassigned.unwrap_or(false),
    };
    let (items, total) = uc::list_tickets(&st.app, &s.actor, &f).await?;
    Ok(Json(TicketPage {
        items: list(items),
        total,
        page,
        per_page,
    }))
}

// ---------------------------------------------------------------- filing

#[derive(Deserialize, ToSchema)]
pub struct TicketBody {
    /// Agency staff filing on behalf of an institution; ignored for members
    /// (always their own institution).
    institution_id: Option<String>,
    product_id: String,
    module: Option<String>,
    /// `anomalie`, `question`, `demande`, …
    category: String,
    /// `bloquant`, `majeur`, `mineur`, …
    severity: String,
    subject: String,
    body: String,
    /// Share with the other institutions using the product.
    #[serde(default)]
    shared: bool,
}

/// Files a ticket: members for their institution on a product it is
/// entitled to (422 `not_entitled` otherwise); agents with `institution_id`.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "support", request_body = TicketBody,
    responses((status = 201, body = TicketDetail, headers(("Location" = String, description = "The new ticket"))),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_ticket(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<TicketBody>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<TicketDetail>,
    ),
    ApiError,
> {
    let on_behalf_of = if s.actor.role.is_agency() {
        match id_filter(b.institution_id, "institution_id")? {
            Some(v) => Id::parse(&v),
            None => None,
        }
    } else {
        None
    };
    let input = TicketInput {
        product_id: b.product_id,
        module: b.module,
        category: b.category,
        severity: b.severity,
        subject: b.subject,
        body: b.body,
        shared: b.shared,
    };
    let id = uc::create_ticket(&st.app, &s.actor, on_behalf_of, input, "api").await?;
    let detail = detail(&st, &s.actor, id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/tickets/{id}"))],
        detail,
    ))
}

// ---------------------------------------------------------------- one ticket

/// The state of a contractual target.
#[derive(Serialize, ToSchema)]
pub struct SlaBody {
    /// `ok`, `at_risk`, `breached`, `met`, `paused`.
    pub code: String,
    pub label: String,
    /// Business minutes left (running or paused targets).
    pub remaining_minutes: Option<i64>,
    /// Business minutes late (breached targets).
    pub late_minutes: Option<i64>,
}

impl SlaBody {
    fn of(s: SlaState) -> SlaBody {
        let (remaining_minutes, late_minutes) = match s {
            SlaState::Ok { remaining_minutes }
            | SlaState::AtRisk { remaining_minutes }
            | SlaState::Paused { remaining_minutes } => (Some(remaining_minutes), None),
            SlaState::Breached { late_minutes } => (None, Some(late_minutes)),
            SlaState::Met => (None, None),
        };
        SlaBody {
            code: s.code().into(),
            label: s.label_fr().into(),
            remaining_minutes,
            late_minutes,
        }
    }
}

/// A ticket as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: Ticket,
    /// Members never get internal notes.
    pub messages: Vec<TicketMessage>,
    /// History (agency staff and the ticket's own institution only).
    pub events: Vec<TicketEvent>,
    /// Institutions following the ticket.
    pub followers_count: i64,
    /// The caller's institution said "nous aussi".
    pub affected_by_me: bool,
    pub workarounds: Vec<Workaround>,
    pub first_response: Option<SlaBody>,
    pub resolution: Option<SlaBody>,
}

async fn detail(st: &AppState, actor: &Actor, id: Id) -> Result<Json<TicketDetail>, ApiError> {
    let v = uc::ticket_view(&st.app, actor, id).await?;
    Ok(Json(TicketDetail {
        followers_count: v.followers.len() as i64,
        affected_by_me: v.affected_by_me,
        ticket: v.ticket.into(),
        messages: list(v.messages),
        events: list(v.events),
        workarounds: list(v.workarounds),
        first_response: v.first_response.map(SlaBody::of),
        resolution: v.resolution.map(SlaBody::of),
    }))
}

/// One ticket with its messages, history, workarounds and SLA states. 404
/// for a ticket the caller may not read.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = TicketDetail), (status = 404, body = ErrorBody)))]
async fn get_ticket(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TicketDetail>, ApiError> {
    detail(&st, &s.actor, parse_id(&id)?).await
}

#[derive(Deserialize, ToSchema)]
pub struct MessageBody {
    body: String,
    /// An internal note (agents only; 403 for members).
    #[serde(default)]
    internal: bool,
}

/// A public reply or an internal note.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = MessageBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn post_message(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<MessageBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = parse_id(&id)?;
    let mid = uc::reply(&st.app, &s.actor, id, &b.body, b.internal, "api", None).await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: mid.to_string(),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    status: String,
}

/// Moves the ticket through the workflow; 422 `transition_refused` for a
/// move the caller may not make.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/status", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = StatusBody,
    responses((status = 200, body = TicketDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn post_status(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<StatusBody>,
) -> Result<Json<TicketDetail>, ApiError> {
    let id = parse_id(&id)?;
    uc::change_status(&st.app, &s.actor, id, &b.status).await?;
    detail(&st, &s.actor, id).await
}

#[derive(Deserialize, ToSchema)]
pub struct AssignBody {
    team_id: Option<String>,
    assignee_id: Option<String>,
}

/// Assigns a team and an agent (agents only); `null` clears.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = AssignBody,
    responses((status = 200, body = TicketDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn post_assign(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<AssignBody>,
) -> Result<Json<TicketDetail>, ApiError> {
    let id = parse_id(&id)?;
    // Members learn nothing, not even whether the ticket exists.
    uc::get_ticket(&st.app, &s.actor, id).await?;
    let team = id_filter(b.team_id, "team_id")?;
    let assignee = id_filter(b.assignee_id, "assignee_id")?;
    uc::assign(&st.app, &s.actor, id, team, assignee).await?;
    detail(&st, &s.actor, id).await
}

#[derive(Deserialize, ToSchema)]
pub struct EstimateBody {
    /// RFC 3339, or `null` to clear. The agent's own estimate, never the
    /// contractual deadline.
    at: Option<String>,
}

/// Sets the agent's estimate (agents only).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/estimate", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = EstimateBody,
    responses((status = 200, body = TicketDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn post_estimate(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<EstimateBody>,
) -> Result<Json<TicketDetail>, ApiError> {
    let id = parse_id(&id)?;
    uc::get_ticket(&st.app, &s.actor, id).await?;
    let at = match nonempty(b.at) {
        None => None,
        Some(v) => Some(
            chrono::DateTime::parse_from_rfc3339(&v)
                .map_err(|_| {
                    invalid(
                        "invalid_datetime",
                        "at",
                        "Date et heure attendues au format RFC 3339 (2026-03-01T14:00:00+01:00).",
                    )
                })?
                .with_timezone(&chrono::Utc),
        ),
    };
    uc::set_estimate(&st.app, &s.actor, id, at).await?;
    detail(&st, &s.actor, id).await
}

#[derive(Deserialize, ToSchema)]
pub struct ShareBody {
    shared: bool,
    /// Show the requester's name to the other institutions.
    #[serde(default)]
    share_requester: bool,
    #[serde(default)]
    share_attachments: bool,
}

/// Shares the ticket with the institutions using the same product (the
/// ticket's institution or agents).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/share", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ShareBody,
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn post_share(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ShareBody>,
) -> Result<Json<TicketDetail>, ApiError> {
    let id = parse_id(&id)?;
    uc::share(
        &st.app,
        &s.actor,
        id,
        b.shared,
        b.share_requester,
        b.share_attachments,
    )
    .await?;
    detail(&st, &s.actor, id).await
}

#[derive(Deserialize, ToSchema)]
pub struct FollowBody {
    /// `true`: "nous aussi", the caller's institution is affected too.
    #[serde(default)]
    affected: bool,
}

/// Another institution follows a shared ticket, or says it is affected too.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/follow", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = FollowBody,
    responses((status = 200, body = TicketDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn post_follow(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<FollowBody>,
) -> Result<Json<TicketDetail>, ApiError> {
    let id = parse_id(&id)?;
    uc::follow(&st.app, &s.actor, id, b.affected).await?;
    detail(&st, &s.actor, id).await
}

#[derive(Deserialize, ToSchema)]
pub struct WorkaroundBody {
    body: String,
}

/// A workaround, visible to every institution that sees the ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/workarounds", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = WorkaroundBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn post_workaround(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<WorkaroundBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = parse_id(&id)?;
    let wid = uc::add_workaround(&st.app, &s.actor, id, &b.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: wid.to_string(),
        }),
    ))
}

// ---------------------------------------------------------------- incidents

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    product: Option<String>,
    /// Only open incidents.
    open: Option<bool>,
}

/// Incidents the caller may see (members: those of products deployed in
/// their institution).
#[utoipa::path(get, path = "/api/v1/incidents", tag = "support", params(IncidentQuery),
    responses((status = 200, body = Vec<Incident>), (status = 422, body = ErrorBody)))]
async fn list_incidents(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<IncidentQuery>,
) -> Result<Json<Vec<Incident>>, ApiError> {
    let product = id_filter(q.product, "product")?.and_then(|p| Id::parse(&p));
    let rows = uc::list_incidents(&st.app, &s.actor, product, q.open.unwrap_or(false)).await?;
    Ok(Json(list(rows)))
}

/// An incident and the tickets it groups that the caller may read.
#[derive(Serialize, ToSchema)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub tickets: Vec<Ticket>,
}

async fn incident(st: &AppState, actor: &Actor, id: Id) -> Result<Json<IncidentDetail>, ApiError> {
    let (incident, tickets) = uc::get_incident(&st.app, actor, id).await?;
    Ok(Json(IncidentDetail {
        incident: incident.into(),
        tickets: list(tickets),
    }))
}

/// One incident; 404 for a member whose institution uses none of its
/// products.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = IncidentDetail), (status = 404, body = ErrorBody)))]
async fn get_incident(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<IncidentDetail>, ApiError> {
    incident(&st, &s.actor, parse_id(&id)?).await
}

#[derive(Deserialize, ToSchema)]
pub struct IncidentBody {
    product_id: String,
    title: String,
    description: Option<String>,
    /// Tickets of the same product to group.
    #[serde(default)]
    ticket_ids: Vec<String>,
}

/// Groups tickets of one problem into an incident (agents only).
#[utoipa::path(post, path = "/api/v1/incidents", tag = "support", request_body = IncidentBody,
    responses((status = 201, body = IncidentDetail, headers(("Location" = String, description = "The new incident"))),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_incident(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<IncidentBody>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<IncidentDetail>,
    ),
    ApiError,
> {
    if !uc::is_agent(&s.actor) {
        return Err(ApiError(DomainError::Forbidden.into()));
    }
    let product = Id::parse(b.product_id.trim())
        .ok_or_else(|| invalid("invalid_id", "product_id", "Produit inconnu."))?;
    let mut tickets = Vec::with_capacity(b.ticket_ids.len());
    for t in &b.ticket_ids {
        tickets.push(
            Id::parse(t.trim())
                .ok_or_else(|| invalid("invalid_id", "ticket_ids", "Ticket inconnu."))?,
        );
    }
    let id = uc::create_incident(
        &st.app,
        &s.actor,
        product,
        &b.title,
        nonempty(b.description).as_deref(),
        &tickets,
    )
    .await?;
    let body = incident(&st, &s.actor, id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/incidents/{id}"))],
        body,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct IncidentTicketBody {
    ticket_id: String,
}

/// Adds a ticket of the same product to an incident (agents only).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/tickets", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = IncidentTicketBody,
    responses((status = 200, body = IncidentDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_incident_ticket(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<IncidentTicketBody>,
) -> Result<Json<IncidentDetail>, ApiError> {
    let id = parse_id(&id)?;
    let ticket = body_id(&b.ticket_id, "ticket_id")?;
    uc::add_to_incident(&st.app, &s.actor, id, ticket).await?;
    incident(&st, &s.actor, id).await
}

#[derive(Deserialize, ToSchema)]
pub struct ResolveBody {
    /// Posted as a public reply on every open ticket of the incident.
    resolution: String,
}

/// Resolves an incident and its open tickets; every affected institution
/// is notified once (agents only).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/resolve", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ResolveBody,
    responses((status = 200, body = IncidentDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn resolve_incident(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ResolveBody>,
) -> Result<Json<IncidentDetail>, ApiError> {
    let id = parse_id(&id)?;
    uc::resolve_incident(&st.app, &s.actor, id, &b.resolution).await?;
    incident(&st, &s.actor, id).await
}

/// The known issues of a product: its open incidents (members: only for a
/// product deployed in their institution, otherwise an empty list).
#[utoipa::path(get, path = "/api/v1/products/{id}/known-issues", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Vec<Incident>), (status = 404, body = ErrorBody)))]
async fn known_issues(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Incident>>, ApiError> {
    let product = parse_id(&id)?;
    Ok(Json(list(
        uc::list_incidents(&st.app, &s.actor, Some(product), true).await?,
    )))
}
