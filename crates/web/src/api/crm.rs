//! API of the référentiel and CRM: institutions, components, contacts,
//! domains, products, and the caller's own account.

use crate::api::common::{body_id, parse_id, Created, Page};
use crate::api::dto::{list, Component, Contact, Domain, Institution, Product, Release};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::crm as uc;
use relais_app::crm::{ContactFilter, InstitutionFilter};
use relais_domain::crm::{ContactInput, InstitutionInput};
use relais_domain::DomainError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_institutions, create_institution))
        .routes(routes!(get_institution, update_institution))
        .routes(routes!(list_components, create_component))
        .routes(routes!(list_contacts, create_contact))
        .routes(routes!(get_contact, update_contact))
        .routes(routes!(list_domains))
        .routes(routes!(list_products))
        .routes(routes!(get_product))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub institution_id: Option<String>,
}

/// The authenticated account.
#[utoipa::path(get, path = "/api/v1/me", tag = "comptes",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ApiAuth(s): ApiAuth) -> Json<Me> {
    Json(Me {
        id: s.user.id.clone(),
        email: s.user.email.clone(),
        display_name: s.user.display_name.clone(),
        role: s.user.role.clone(),
        institution_id: s.user.institution_id.clone(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstitutionQuery {
    /// Free text (accents ignored) on name, acronym, city, UAI.
    q: Option<String>,
    kind: Option<String>,
    region: Option<String>,
    membership: Option<String>,
    manager_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Institutions visible to the caller (a member sees only their own).
#[utoipa::path(get, path = "/api/v1/institutions", tag = "référentiel", params(InstitutionQuery),
    responses((status = 200, body = Page<Institution>)))]
async fn list_institutions(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<InstitutionQuery>,
) -> Result<Json<Page<Institution>>, ApiError> {
    let f = InstitutionFilter {
        q: q.q,
        kind: q.kind,
        region: q.region,
        membership: q.membership,
        manager_id: q.manager_id,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let (items, total) = uc::list_institutions(&st.app, &s.actor, &f).await?;
    Ok(Json(Page {
        items: list(items),
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct InstitutionBody {
    name: String,
    acronym: Option<String>,
    /// `universite`, `ecole`, `organisme_recherche`, `autre`.
    kind: String,
    region: Option<String>,
    city: Option<String>,
    /// 7 digits and the check letter.
    uai: Option<String>,
    students: Option<i64>,
    staff: Option<i64>,
    /// `adherent`, `prospect`, `ancien_adherent`.
    membership: Option<String>,
    member_since: Option<i64>,
    /// `metropole`, `alsace_moselle`, `outre_mer`.
    calendar: Option<String>,
    manager_id: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

impl InstitutionBody {
    fn input(self) -> (InstitutionInput, Option<String>) {
        (
            InstitutionInput {
                name: self.name,
                acronym: self.acronym,
                kind: self.kind,
                region: self.region,
                city: self.city,
                uai: self.uai,
                students: self.students.map(|n| n.to_string()),
                staff: self.staff.map(|n| n.to_string()),
                membership: self.membership,
                member_since: self.member_since.map(|n| n.to_string()),
                calendar: self.calendar,
                tags: Some(self.tags.join(",")),
            },
            self.manager_id,
        )
    }
}

/// Creates an institution (admin, key-account manager).
#[utoipa::path(post, path = "/api/v1/institutions", tag = "référentiel", request_body = InstitutionBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_institution(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<InstitutionBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (input, manager) = b.input();
    let id = uc::create_institution(&st.app, &s.actor, input, manager).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// One institution.
#[utoipa::path(get, path = "/api/v1/institutions/{id}", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Institution), (status = 404, body = ErrorBody)))]
async fn get_institution(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Institution>, ApiError> {
    Ok(Json(
        uc::get_institution(&st.app, &s.actor, parse_id(&id)?)
            .await?
            .into(),
    ))
}

/// Replaces an institution's fields.
#[utoipa::path(put, path = "/api/v1/institutions/{id}", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = InstitutionBody,
    responses((status = 200, body = Institution), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_institution(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<InstitutionBody>,
) -> Result<Json<Institution>, ApiError> {
    let id = parse_id(&id)?;
    let (input, manager) = b.input();
    uc::update_institution(&st.app, &s.actor, id, input, manager).await?;
    Ok(Json(
        uc::get_institution(&st.app, &s.actor, id).await?.into(),
    ))
}

/// Components (faculties, institutes, research units) of an institution.
#[utoipa::path(get, path = "/api/v1/institutions/{id}/components", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = [Component]), (status = 404, body = ErrorBody)))]
async fn list_components(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Component>>, ApiError> {
    let id = parse_id(&id)?;
    uc::get_institution(&st.app, &s.actor, id).await?;
    Ok(Json(list(
        uc::list_components(&st.app, &s.actor, id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct ComponentBody {
    name: String,
    /// `ufr`, `faculte`, `institut`, `ecole_interne`, `laboratoire`, `umr`, `service`, `autre`.
    kind: String,
    code: Option<String>,
    partner: Option<String>,
    parent_id: Option<String>,
}

/// Adds a component to an institution's tree.
#[utoipa::path(post, path = "/api/v1/institutions/{id}/components", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ComponentBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_component(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ComponentBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::create_component(
        &st.app,
        &s.actor,
        parse_id(&id)?,
        uc::ComponentInput {
            parent_id: b.parent_id,
            kind: b.kind,
            name: b.name,
            code: b.code,
            partner: b.partner,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    q: Option<String>,
    institution_id: Option<String>,
    function: Option<String>,
    domain: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Contacts visible to the caller.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "référentiel", params(ContactQuery),
    responses((status = 200, body = Page<Contact>)))]
async fn list_contacts(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> Result<Json<Page<Contact>>, ApiError> {
    let f = ContactFilter {
        q: q.q,
        institution_id: q.institution_id,
        function: q.function,
        domain: q.domain,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        offset: q.offset.unwrap_or(0).max(0),
    };
    let (items, total) = uc::list_contacts(&st.app, &s.actor, &f).await?;
    Ok(Json(Page {
        items: list(items),
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ContactBody {
    /// Only read on creation; a contact never moves to another institution.
    institution_id: Option<String>,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    /// `dgs`, `daf`, `drh`, `da`, `dpi`, `dsi`, `daj`, `agent_comptable`, …
    function: Option<String>,
    title: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    consent: bool,
}

impl ContactBody {
    fn input(self) -> ContactInput {
        ContactInput {
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            function: self.function,
            title: self.title,
            domains: self.domains,
            consent: self.consent,
        }
    }
}

/// Creates a contact (admin, key-account manager, or a referent for their institution).
#[utoipa::path(post, path = "/api/v1/contacts", tag = "référentiel", request_body = ContactBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_contact(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<ContactBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let inst = match (&b.institution_id, s.actor.institution_id) {
        (Some(i), _) => body_id(i, "institution_id")?,
        (None, Some(own)) => own,
        (None, None) => {
            return Err(ApiError(
                DomainError::invalid(
                    "required",
                    "institution_id",
                    "L'établissement est obligatoire.",
                )
                .into(),
            ))
        }
    };
    let id = uc::create_contact(&st.app, &s.actor, inst, b.input()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
async fn get_contact(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Contact>, ApiError> {
    let id = parse_id(&id)?;
    let c = uc::get_contact(&st.app, &s.actor, id).await?;
    // Reads by agency staff are logged, as on the contact's page.
    relais_app::privacy::log_contact_read(&st.app, &s.actor, id).await?;
    Ok(Json(c.into()))
}

/// Replaces a contact's fields (its institution is kept).
#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ContactBody,
    responses((status = 200, body = Contact), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_contact(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ContactBody>,
) -> Result<Json<Contact>, ApiError> {
    let id = parse_id(&id)?;
    uc::update_contact(&st.app, &s.actor, id, b.input()).await?;
    Ok(Json(uc::get_contact(&st.app, &s.actor, id).await?.into()))
}

/// The eight business domains.
#[utoipa::path(get, path = "/api/v1/domains", tag = "référentiel", responses((status = 200, body = [Domain])))]
async fn list_domains(
    State(st): State<AppState>,
    ApiAuth(_s): ApiAuth,
) -> Result<Json<Vec<Domain>>, ApiError> {
    Ok(Json(list(uc::list_domains(&st.app).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    domain: Option<String>,
}

/// The agency's products.
#[utoipa::path(get, path = "/api/v1/products", tag = "référentiel", params(ProductQuery), responses((status = 200, body = [Product])))]
async fn list_products(
    State(st): State<AppState>,
    ApiAuth(_s): ApiAuth,
    ApiQuery(q): ApiQuery<ProductQuery>,
) -> Result<Json<Vec<Product>>, ApiError> {
    Ok(Json(list(
        uc::list_products(&st.app, q.domain.as_deref()).await?,
    )))
}

#[derive(Serialize, ToSchema)]
pub struct ProductDetail {
    product: Product,
    releases: Vec<Release>,
}

/// A product and its releases.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "référentiel", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = ProductDetail), (status = 404, body = ErrorBody)))]
async fn get_product(
    State(st): State<AppState>,
    ApiAuth(_s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProductDetail>, ApiError> {
    let (product, releases) = uc::get_product(&st.app, parse_id(&id)?).await?;
    Ok(Json(ProductDetail {
        product: product.into(),
        releases: list(releases),
    }))
}
