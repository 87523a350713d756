//! The web layer: the axum router, the session and CSRF middleware, pages
//! rendered with askama (htmx for partial updates), and the JSON API with
//! its OpenAPI document. Handlers stay thin: parse, call a use case, render.

pub mod api;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod idempotency;
pub mod kit;
pub mod pages;
pub mod pdf;
pub mod view;

use axum::http::{header, HeaderValue};
use axum::Router;
use relais_app::App;
use tower_http::set_header::SetResponseHeaderLayer;

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub web: WebConfig,
}

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// `Secure` cookies with the `__Host-` prefix. Browsers accept them on
    /// https and on http://localhost / 127.0.0.1, which the demo uses.
    pub secure_cookies: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
        }
    }
}

pub const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; object-src 'none'";

/// The site's policy; the single sign-on providers' origins join
/// `form-action`, since the sign-in and sign-out forms are redirected there
/// (browsers apply `form-action` to a form's redirects).
pub fn csp_header(provider_origins: &[String]) -> HeaderValue {
    let extra: String = provider_origins
        .iter()
        .filter(|o| {
            o.chars()
                .all(|c| c.is_ascii_alphanumeric() || ":/.-[]".contains(c))
        })
        .map(|o| format!(" {o}"))
        .collect();
    HeaderValue::from_str(&CSP.replace("form-action 'self'", &format!("form-action 'self'{extra}")))
        .unwrap_or_else(|_| HeaderValue::from_static(CSP))
}

/// The whole application: pages, API, static files, with the security
/// headers on every response.
pub fn router(state: AppState) -> Router {
    let api = api::router().layer(axum::middleware::from_fn_with_state(
        state.clone(),
        idempotency::guard,
    ));
    // Room for the largest attachment with its multipart envelope: the
    // upload handlers then refuse an oversized file themselves, with the
    // French page or the JSON envelope rather than a bare 413.
    let body_limit = (16 * 1024 * 1024).max(
        usize::try_from(
            state
                .app
                .settings
                .max_attachment_bytes
                .saturating_add(2 * kit::files::UPLOAD_MARGIN),
        )
        .unwrap_or(usize::MAX),
    );
    Router::new()
        .merge(pages::router())
        .merge(api)
        .fallback(error::unknown_page)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::load_session,
        ))
        .layer(axum::middleware::from_fn(error::request_id))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(body_limit))
        // A handler may set a stricter policy (attachment downloads are
        // sandboxed); every other response gets the site's.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp_header(&state.app.settings.sso.origins()),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Pages carrying a secret in their address (survey links) set
        // `no-referrer` themselves.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}
