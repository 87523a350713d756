//! The JSON API under `/api/v1`, registered through utoipa so that the
//! OpenAPI document served at `/api/openapi.json` cannot drift from the
//! routes. Authentication: a session cookie (with the CSRF header on writes)
//! or a personal API token (`Authorization: Bearer rls_…`).

pub mod attachments;
pub mod catalogue;
pub mod common;
pub mod community;
pub mod conventions;
pub mod crm;
pub mod deployments;
pub mod dto;
pub mod engagement;
pub mod extract;
pub mod interactions;
pub mod knowledge;
pub mod relation;
pub mod search;
pub mod steering;
pub mod support;
pub mod training;
pub mod users;

use crate::AppState;
use axum::routing::{any, get};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Relais API", version = "1", description = "API de Relais : référentiel, CRM, comptes, base de connaissances et guichet de support (tickets, messages et notes internes, circuit de traitement, partage entre établissements, incidents et problèmes connus), formation (catalogue, sessions, inscriptions, relevés) et communautés. Erreurs : `{\"errors\":[{\"code\",\"detail\",\"field\"}]}`."),
    modifiers(&Security),
    security(("bearer" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's feature modules with their routes, by name. They never
/// import each other; what they share is in `common`, `dto`, `extract`.
pub fn modules() -> Vec<(&'static str, OpenApiRouter<AppState>)> {
    vec![
        ("crm", crm::router()),
        ("catalogue", catalogue::router()),
        ("deployments", deployments::router()),
        ("conventions", conventions::router()),
        ("interactions", interactions::router()),
        ("users", users::router()),
        ("knowledge", knowledge::router()),
        ("search", search::router()),
        ("attachments", attachments::router()),
        ("support", support::router()),
        ("community", community::router()),
        ("relation", relation::router()),
        ("training", training::router()),
        ("engagement", engagement::router()),
        ("steering", steering::router()),
    ]
}

/// Each module's own OpenAPI document, before merging: merging keeps one
/// schema per name, so two modules defining different schemas under one
/// name would silently lose one. The contract test compares them here.
pub fn module_documents() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    modules()
        .into_iter()
        .map(|(name, r)| (name, r.split_for_parts().1))
        .collect()
}

/// The API routes and the OpenAPI document built from them.
pub fn openapi_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    modules()
        .into_iter()
        .fold(
            OpenApiRouter::with_openapi(ApiDoc::openapi()),
            |acc, (_, r)| acc.merge(r),
        )
        .split_for_parts()
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_router().1
}

/// The API: its routes, the document, and for anything else under `/api`
/// the JSON envelope (`route_inconnue`, `methode_non_autorisee`, and any
/// error body an extractor or layer left in plain text).
pub fn router() -> Router<AppState> {
    let (router, doc) = openapi_router();
    router
        .route(
            "/api/openapi.json",
            get(move || async move { Json(doc.clone()) }),
        )
        .route("/api", any(extract::unknown_route))
        .route("/api/{*rest}", any(extract::unknown_route))
        .method_not_allowed_fallback(extract::wrong_method)
        .route_layer(axum::middleware::map_response(extract::envelope_errors))
}
