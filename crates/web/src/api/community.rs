//! API of the communities: events (register and withdraw for oneself,
//! attendance by the agency), the domains' mailing lists (subscribers within
//! the caller's scope: a member only ever receives their own institution's
//! contacts; the Sympa export for agency staff), and publications.

use crate::api::common::{body_id, parse_id, Created, Page};
use crate::api::dto::{
    list, CommunityEventFields, EventRegistration, MailingListFields, Moderator, PublicationFields,
    Subscriber,
};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::kit::render_markdown;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use relais_app::community as uc;
use relais_app::community::PublicationFilter;
use relais_app::community::{EventInput, ListInput, PublicationInput, When};
use relais_domain::community::Resource;
use relais_domain::Id;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events, create_event))
        .routes(routes!(get_event, update_event))
        .routes(routes!(register, unregister))
        .routes(routes!(mark_attendance))
        .routes(routes!(list_lists, create_list))
        .routes(routes!(get_list, update_list))
        .routes(routes!(subscribe))
        .routes(routes!(unsubscribe))
        .routes(routes!(export_sympa))
        .routes(routes!(list_publications, create_publication))
        .routes(routes!(get_publication, update_publication))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------- events

/// An event with what the caller may know of it.
#[derive(Serialize, ToSchema)]
pub struct Event {
    #[serde(flatten)]
    pub event: CommunityEventFields,
    /// The resources, decoded.
    pub resource_links: Vec<Resource>,
    /// The caller is registered (single event only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered: Option<bool>,
    /// The description rendered to sanitised HTML (single event only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_html: Option<String>,
    /// Registrants and attendance (agency staff, single event only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registrants: Option<Vec<EventRegistration>>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// `labu`, `cafe`, `webinaire`, `clubu`, `forum`, `conference`.
    kind: Option<String>,
    /// A domain code.
    domain: Option<String>,
    /// `a_venir` (default), `passes` or `tous`.
    quand: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Events of the communities, upcoming ones by default.
#[utoipa::path(get, path = "/api/v1/events", tag = "communautes", params(EventQuery),
    responses((status = 200, body = Page<Event>)))]
async fn list_events(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> Result<Json<Page<Event>>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let offset = q.offset.unwrap_or(0).max(0);
    let when = When::from_code(q.quand.as_deref().unwrap_or(""));
    let (rows, total) = uc::list_events(
        &st.app,
        &s.actor,
        nonempty(q.kind),
        nonempty(q.domain),
        when,
        limit,
        offset,
    )
    .await?;
    Ok(Json(Page {
        items: rows
            .into_iter()
            .map(|e| Event {
                resource_links: uc::resources_of(&e),
                event: e.into(),
                registered: None,
                description_html: None,
                registrants: None,
            })
            .collect(),
        total,
        limit,
        offset,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct EventBody {
    kind: String,
    title: String,
    domain_code: Option<String>,
    product_id: Option<String>,
    /// RFC 3339, or Paris time `AAAA-MM-JJTHH:MM`.
    starts_at: String,
    ends_at: String,
    /// `presentiel` (with `place`) or `visio` (with `visio_url`).
    format: String,
    place: Option<String>,
    visio_url: Option<String>,
    capacity: i64,
    /// Markdown.
    description: Option<String>,
    /// http(s) links only.
    #[serde(default)]
    resources: Vec<Resource>,
}

impl From<EventBody> for EventInput {
    fn from(b: EventBody) -> Self {
        EventInput {
            kind: b.kind,
            title: b.title,
            domain_code: b.domain_code,
            product_id: b.product_id,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            format: b.format,
            place: b.place,
            visio_url: b.visio_url,
            capacity: b.capacity.to_string(),
            description: b.description,
            resources: b.resources,
            resource_lines: None,
        }
    }
}

/// Creates an event (administrators, chargés de domaine).
#[utoipa::path(post, path = "/api/v1/events", tag = "communautes", request_body = EventBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_event(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<EventBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::create_event(&st.app, &s.actor, b.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

async fn one_event(
    st: &AppState,
    actor: &relais_domain::accounts::Actor,
    id: Id,
) -> Result<Json<Event>, ApiError> {
    let v = uc::get_event(&st.app, actor, id).await?;
    let agency = actor.role.is_agency();
    let mut event = v.event;
    // The visio link is for those registered (and the agency).
    if !v.registered && !agency {
        event.visio_url = None;
    }
    Ok(Json(Event {
        description_html: event.description.as_deref().map(render_markdown),
        resource_links: v.resources,
        event: event.into(),
        registered: Some(v.registered),
        registrants: agency.then_some(list(v.registrants)),
    }))
}

/// One event; the visio link only for those registered and the agency.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Event), (status = 404, body = ErrorBody)))]
async fn get_event(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Event>, ApiError> {
    one_event(&st, &s.actor, parse_id(&id)?).await
}

/// Replaces an event's fields; the capacity may not fall below the seats
/// already taken (422 `capacity_below_registrations`).
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = EventBody,
    responses((status = 200, body = Event), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_event(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<EventBody>,
) -> Result<Json<Event>, ApiError> {
    let id = parse_id(&id)?;
    uc::update_event(&st.app, &s.actor, id, b.into()).await?;
    one_event(&st, &s.actor, id).await
}

/// Registers the caller. 422 `event_full` when no seat is left,
/// `already_registered`, `event_started`.
#[utoipa::path(post, path = "/api/v1/events/{id}/registration", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn register(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let r = uc::register(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(Created { id: r.to_string() })))
}

/// Withdraws the caller's registration before the event.
#[utoipa::path(delete, path = "/api/v1/events/{id}/registration", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 204), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unregister(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    uc::unregister(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceMark {
    registration_id: String,
    /// `present`, `absent`, or empty to clear.
    attendance: String,
}

/// Marks who came (administrators, chargés de domaine).
#[utoipa::path(put, path = "/api/v1/events/{id}/attendance", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = Vec<AttendanceMark>,
    responses((status = 200, body = Event), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn mark_attendance(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<Vec<AttendanceMark>>,
) -> Result<Json<Event>, ApiError> {
    let id = parse_id(&id)?;
    let mut marks = vec![];
    for m in b {
        marks.push((
            body_id(&m.registration_id, "registration_id")?,
            m.attendance,
        ));
    }
    uc::mark_attendance(&st.app, &s.actor, id, &marks).await?;
    one_event(&st, &s.actor, id).await
}

// ---------------------------------------------------------- mailing lists

/// A list with its moderators and the subscribers the caller may see.
#[derive(Serialize, ToSchema)]
pub struct MailingList {
    #[serde(flatten)]
    pub list: MailingListFields,
    pub moderators: Vec<Moderator>,
    /// A member receives their own institution's subscribers only.
    pub subscribers: Vec<Subscriber>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    domain: Option<String>,
}

/// The domains' mailing lists. `subscribers` counts the caller's scope.
#[utoipa::path(get, path = "/api/v1/mailing-lists", tag = "communautes", params(ListQuery),
    responses((status = 200, body = Vec<MailingListFields>)))]
async fn list_lists(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<MailingListFields>>, ApiError> {
    let d = nonempty(q.domain);
    Ok(Json(list(
        uc::list_lists(&st.app, &s.actor, d.as_deref()).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct ListBody {
    address: String,
    name: String,
    domain_code: Option<String>,
    description: Option<String>,
}

impl From<ListBody> for ListInput {
    fn from(b: ListBody) -> Self {
        ListInput {
            address: b.address,
            name: b.name,
            domain_code: b.domain_code,
            description: b.description,
        }
    }
}

/// Creates a list (administrators, chargés de domaine).
#[utoipa::path(post, path = "/api/v1/mailing-lists", tag = "communautes", request_body = ListBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_list(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<ListBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::create_list(&st.app, &s.actor, b.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

async fn one_list(
    st: &AppState,
    actor: &relais_domain::accounts::Actor,
    id: Id,
) -> Result<Json<MailingList>, ApiError> {
    let v = uc::get_list(&st.app, actor, id).await?;
    Ok(Json(MailingList {
        list: v.list.into(),
        moderators: list(v.moderators),
        subscribers: list(v.subscribers),
    }))
}

/// One list; subscribers narrowed to the caller's institution for members.
#[utoipa::path(get, path = "/api/v1/mailing-lists/{id}", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = MailingList), (status = 404, body = ErrorBody)))]
async fn get_list(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<MailingList>, ApiError> {
    one_list(&st, &s.actor, parse_id(&id)?).await
}

/// Replaces a list's fields.
#[utoipa::path(put, path = "/api/v1/mailing-lists/{id}", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ListBody,
    responses((status = 200, body = MailingList), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_list(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ListBody>,
) -> Result<Json<MailingList>, ApiError> {
    let id = parse_id(&id)?;
    uc::update_list(&st.app, &s.actor, id, b.into()).await?;
    one_list(&st, &s.actor, id).await
}

#[derive(Deserialize, ToSchema)]
pub struct SubscribeBody {
    contact_id: String,
}

/// Subscribes a contact: community managers any contact, a referent their
/// own institution's (another institution's contact: 404).
#[utoipa::path(post, path = "/api/v1/mailing-lists/{id}/subscribers", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = SubscribeBody,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn subscribe(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<SubscribeBody>,
) -> Result<StatusCode, ApiError> {
    uc::subscribe(&st.app, &s.actor, parse_id(&id)?, parse_id(&b.contact_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unsubscribes a contact, under the same rule as subscribing.
#[utoipa::path(delete, path = "/api/v1/mailing-lists/{id}/subscribers/{contact_id}", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)"), ("contact_id" = String, Path, description = "Identifiant (UUID) : contact_id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unsubscribe(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath((id, contact)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    uc::unsubscribe(&st.app, &s.actor, parse_id(&id)?, parse_id(&contact)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The subscribers in Sympa's bulk "add" format (`adresse Prénom Nom`, one
/// a line), agency staff only.
#[utoipa::path(get, path = "/api/v1/mailing-lists/{id}/export-sympa", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, description = "Une ligne `adresse Prénom Nom` par abonné·e", content_type = "text/plain", body = String),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_sympa(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let (_, text) = uc::sympa_export(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

// ----------------------------------------------------------- publications

/// A publication; `body_html` is the Markdown rendered and sanitised.
#[derive(Serialize, ToSchema)]
pub struct Publication {
    #[serde(flatten)]
    pub publication: PublicationFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// `(id, name)` of the products (single publication only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<(String, String)>>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicationQuery {
    /// `fil_actualite`, `tour_du_web`, `fiche_zoom`, `guide`.
    kind: Option<String>,
    /// A domain code; without one, a member gets their domains of interest
    /// unless `tous=true`.
    domain: Option<String>,
    product_id: Option<String>,
    tous: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Publications, latest first. A member without `domain` gets those of
/// their domains of interest (the domains of their contact record), all of
/// them when they have none or pass `tous=true`.
#[utoipa::path(get, path = "/api/v1/publications", tag = "communautes", params(PublicationQuery),
    responses((status = 200, body = Page<Publication>)))]
async fn list_publications(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<PublicationQuery>,
) -> Result<Json<Page<Publication>>, ApiError> {
    let domains = match nonempty(q.domain) {
        Some(d) => vec![d],
        None if !q.tous.unwrap_or(false) => uc::interests(&st.app, &s.actor).await?,
        None => vec![],
    };
    let f = PublicationFilter {
        kind: nonempty(q.kind),
        domains,
        product_id: nonempty(q.product_id),
        published_until: None,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let (rows, total) = uc::list_publications(&st.app, &s.actor, &f).await?;
    Ok(Json(Page {
        items: rows
            .into_iter()
            .map(|p| Publication {
                publication: p.into(),
                body_html: None,
                products: None,
            })
            .collect(),
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PublicationBody {
    kind: String,
    title: String,
    domain_code: Option<String>,
    /// Product ids.
    #[serde(default)]
    products: Vec<String>,
    /// `YYYY-MM-DD`; empty: today.
    published_on: Option<String>,
    /// Markdown; sanitised when rendered.
    body: String,
}

impl From<PublicationBody> for PublicationInput {
    fn from(b: PublicationBody) -> Self {
        PublicationInput {
            kind: b.kind,
            title: b.title,
            domain_code: b.domain_code,
            products: b.products,
            published_on: b.published_on,
            body: b.body,
        }
    }
}

/// Creates a publication (administrators, chargés de domaine).
#[utoipa::path(post, path = "/api/v1/publications", tag = "communautes", request_body = PublicationBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_publication(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<PublicationBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::create_publication(&st.app, &s.actor, b.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

async fn one_publication(
    st: &AppState,
    actor: &relais_domain::accounts::Actor,
    id: Id,
) -> Result<Json<Publication>, ApiError> {
    let (p, products) = uc::get_publication(&st.app, actor, id).await?;
    Ok(Json(Publication {
        body_html: Some(render_markdown(&p.body)),
        publication: p.into(),
        products: Some(products),
    }))
}

/// One publication with its body rendered to sanitised HTML.
#[utoipa::path(get, path = "/api/v1/publications/{id}", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Publication), (status = 404, body = ErrorBody)))]
async fn get_publication(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Publication>, ApiError> {
    one_publication(&st, &s.actor, parse_id(&id)?).await
}

/// Replaces a publication's fields.
#[utoipa::path(put, path = "/api/v1/publications/{id}", tag = "communautes", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = PublicationBody,
    responses((status = 200, body = Publication), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_publication(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<PublicationBody>,
) -> Result<Json<Publication>, ApiError> {
    let id = parse_id(&id)?;
    uc::update_publication(&st.app, &s.actor, id, b.into()).await?;
    one_publication(&st, &s.actor, id).await
}
