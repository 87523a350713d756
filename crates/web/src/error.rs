//! One error type rendered two ways: a French HTML page for people, a JSON
//! envelope `{"errors":[{"code","detail","field"}]}` for the API. Internal
//! failures show a request id and are logged; their details never leave.

use crate::i18n::Tr;
use askama::Template;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use relais_app::AppError;
use relais_domain::DomainError;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The current request's id, so that an error page can show it.
    pub static REQUEST_ID: String;
}

/// An incoming `x-request-id` is kept when it is well-formed: 1 to 64
/// characters among letters, digits, `-`, `_` and `.` (a proxy's id then
/// follows the request through our logs; anything else is replaced).
fn well_formed(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Gives every request an id: kept from a well-formed incoming
/// `x-request-id` or made here, carried by a `request` tracing span (so
/// every log line inside the request has it), shown on 5xx pages, and sent
/// back in the `x-request-id` response header.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    use tracing::Instrument;
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string()[20..].to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path()
    );
    let mut res = REQUEST_ID
        .scope(id.clone(), async move {
            tracing::debug!("request");
            next.run(req).await
        })
        .instrument(span)
        .await;
    if let Ok(v) = axum::http::HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorItem {
    /// Stable machine code, e.g. `invalid_uai`, `not_found`.
    pub code: String,
    /// French message for people.
    pub detail: String,
    /// The input field concerned, when there is one.
    pub field: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub errors: Vec<ErrorItem>,
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        // An upload over the size limit: the status clients and proxies
        // understand, with the usual error body.
        AppError::Domain(DomainError::Invalid(errs))
            if errs.iter().any(|f| f.code == "attachment_too_large") =>
        {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        AppError::Domain(DomainError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Domain(DomainError::NotFound) => StatusCode::NOT_FOUND,
        // A member asking for what is not theirs learns nothing: refusals on
        // records look like absence.
        AppError::Domain(DomainError::Forbidden) => StatusCode::FORBIDDEN,
        AppError::Domain(DomainError::Conflict(_)) => StatusCode::CONFLICT,
        // An id read from our own data that does not parse: corrupt data.
        AppError::Domain(DomainError::BadId(_)) => StatusCode::INTERNAL_SERVER_ERROR,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        // Disk full or database unreachable: nothing was stored; try later.
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The `Retry-After` of an outage (503), in seconds.
fn retry_after_of(e: &AppError) -> Option<u64> {
    match e {
        AppError::Unavailable { outage, .. } => Some(outage.retry_after_secs()),
        _ => None,
    }
}

/// The French detail of an outage, for the envelope and the page.
fn outage_detail(tr: Tr, e: &AppError) -> Option<String> {
    match e {
        AppError::Unavailable { outage, .. } => Some(
            tr.t_args(
                match outage {
                    relais_store::db::Outage::StorageFull => "durability-storage-full",
                    relais_store::db::Outage::DatabaseDown => "durability-database-down",
                },
                &[("secs", outage.retry_after_secs().to_string().into())],
            )
            .to_string(),
        ),
        _ => None,
    }
}

pub fn items_of(e: &AppError) -> Vec<ErrorItem> {
    match e {
        AppError::Domain(DomainError::Invalid(errs)) if !errs.is_empty() => errs
            .iter()
            .map(|f| ErrorItem {
                code: f.code.to_string(),
                detail: f.detail.clone(),
                field: Some(f.field.to_string()),
            })
            .collect(),
        AppError::Domain(DomainError::Conflict(_)) => vec![ErrorItem {
            code: "conflict".into(),
            detail: "Cette modification entre en conflit avec une donnée existante.".into(),
            field: None,
        }],
        AppError::Domain(d) => vec![ErrorItem {
            code: d.code().into(),
            detail: d.to_string(),
            field: None,
        }],
        AppError::Throttled { retry_after_secs } => vec![ErrorItem {
            code: "throttled".into(),
            detail: format!("Trop de tentatives : réessayez dans {retry_after_secs} s."),
            field: None,
        }],
        AppError::Internal(_) => vec![ErrorItem {
            code: "internal".into(),
            detail: "Erreur interne : l'incident est journalisé.".into(),
            field: None,
        }],
        AppError::Unavailable { outage, .. } => vec![ErrorItem {
            code: outage.code().into(),
            detail: outage_detail(Tr(crate::i18n::Lang::default()), e).unwrap_or_default(),
            field: None,
        }],
    }
}

/// The code of a malformed id in an API address or query string (404).
pub const PARAM_ID_CODE: &str = "identifiant_invalide";

/// An error from an API handler: JSON envelope.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(msg) = &self.0 {
            tracing::error!(error = %msg, "internal error");
        }
        if let AppError::Unavailable { outage, detail } = &self.0 {
            tracing::warn!(code = outage.code(), error = %detail, "write refused: storage unavailable");
        }
        let status = match &self.0 {
            // A malformed id in the address or query finds nothing, like an
            // id out of reach (a body field stays 422); its own code says
            // why.
            AppError::Domain(DomainError::Invalid(errs))
                if errs.iter().any(|f| f.code == PARAM_ID_CODE) =>
            {
                StatusCode::NOT_FOUND
            }
            _ => status_of(&self.0),
        };
        let mut items = items_of(&self.0);
        if let (AppError::Internal(_), Ok(id)) = (&self.0, REQUEST_ID.try_with(|s| s.clone())) {
            for i in &mut items {
                i.detail = format!("{} Référence : {id}.", i.detail);
            }
        }
        let mut res = (status, axum::Json(ErrorBody { errors: items })).into_response();
        if let Some(secs) = retry_after_of(&self.0) {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

pub fn api_error(status: StatusCode, code: &str, detail: &str) -> Response {
    (
        status,
        axum::Json(ErrorBody {
            errors: vec![ErrorItem {
                code: code.into(),
                detail: detail.into(),
                field: None,
            }],
        }),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    status: u16,
    title: String,
    detail: String,
    /// Stable codes of a refused input, quoted to the support desk.
    codes: Vec<String>,
    request_id: Option<String>,
}

/// An error from a page handler: a French (or English) HTML page.
#[derive(Debug)]
pub struct PageError {
    pub err: AppError,
    pub tr: Tr,
    pub request_id: Option<String>,
}

impl PageError {
    pub fn new(err: impl Into<AppError>, tr: Tr) -> Self {
        PageError {
            err: err.into(),
            tr,
            request_id: REQUEST_ID.try_with(|s| s.clone()).ok(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = status_of(&self.err);
        if let AppError::Internal(msg) = &self.err {
            tracing::error!(error = %msg, "internal error");
        }
        if let AppError::Unavailable { outage, detail } = &self.err {
            tracing::warn!(code = outage.code(), error = %detail, "write refused: storage unavailable");
        }
        let (title, detail) = match status {
            StatusCode::SERVICE_UNAVAILABLE => (
                self.tr.t("durability-unavailable-title").to_string(),
                outage_detail(self.tr, &self.err).unwrap_or_default(),
            ),
            StatusCode::NOT_FOUND => (
                self.tr.t("error-404").to_string(),
                self.tr.t("cette-page-n-existe-pas-ou").to_string(),
            ),
            StatusCode::FORBIDDEN => (
                self.tr.t("error-403").to_string(),
                items_of(&self.err)
                    .into_iter()
                    .map(|i| i.detail)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            StatusCode::INTERNAL_SERVER_ERROR => (
                self.tr.t("error-500").to_string(),
                self.tr.t("une-erreur-s-est-produite-de").to_string(),
            ),
            _ => (
                format!("Erreur {}", status.as_u16()),
                items_of(&self.err)
                    .into_iter()
                    .map(|i| i.detail)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        let codes = match &self.err {
            AppError::Domain(DomainError::Invalid(errs)) => {
                errs.iter().map(|f| f.code.to_string()).collect()
            }
            AppError::Unavailable { outage, .. } => vec![outage.code().to_string()],
            _ => vec![],
        };
        let retry_after = retry_after_of(&self.err);
        let page = ErrorPage {
            t: self.tr,
            status: status.as_u16(),
            title,
            detail,
            codes,
            request_id: self.request_id,
        };
        let mut res = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => status.into_response(),
        };
        if let Some(secs) = retry_after {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

/// Any address no route answers, outside `/api` (which keeps its JSON
/// envelope): the French (or English) 404 page, never an empty body.
pub async fn unknown_page(ctx: crate::auth::RequestCtx) -> Response {
    PageError::new(DomainError::NotFound, Tr(ctx.lang)).into_response()
}
