//! Ticket attachments through the pages: the upload form's target
//! (`POST /support/{id}/pieces`, multipart with the file in `fichier` and
//! an optional `interne` checkbox; the CSRF token travels in the action's
//! query string, checked by the middleware) and the download
//! (`GET /support/{id}/pieces/{att}`).
//!
//! A download is always `application/octet-stream` with
//! `Content-Disposition: attachment`, `nosniff` and a sandboxing CSP, so no
//! uploaded file (an HTML page, an SVG with a script…) is ever rendered by
//! the browser in Relais's origin. The ticket page itself lives elsewhere;
//! it builds its form with `kit::files::upload_form_action` and its links
//! with `kit::files::download_href`.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::files::{download_response, read_upload};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use relais_app::attachments as uc;
use relais_domain::{DomainError, Id};

pub fn router() -> Router<AppState> {
    Router::new()
        // The size is counted while the file streams in (see
        // `read_upload`), against the configured limit rather than axum's
        // fixed default.
        .route(
            "/support/{id}/pieces",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/support/{id}/pieces/{att}", get(download))
}

fn ids(id: &str, att: Option<&str>, auth: &Auth) -> Result<(Id, Option<Id>), PageError> {
    let nf = || PageError::new(DomainError::NotFound, auth.tr);
    let id = Id::parse(id).ok_or_else(nf)?;
    let att = match att {
        Some(a) => Some(Id::parse(a).ok_or_else(nf)?),
        None => None,
    };
    Ok((id, att))
}

async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let (ticket, _) = ids(&id, None, &auth)?;
    let pe = |e| PageError::new(e, auth.tr);
    let up = read_upload(&state, req).await.map_err(pe)?;
    uc::add_attachment(
        &state.app,
        auth.actor(),
        ticket,
        &up.file_name,
        &up.content_type,
        &up.bytes,
        up.internal,
    )
    .await
    .map_err(pe)?;
    Ok(Redirect::to(&format!("/support/{ticket}?ok=piece")).into_response())
}

async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, att)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (ticket, att) = ids(&id, Some(&att), &auth)?;
    let att = att.ok_or_else(|| PageError::new(DomainError::NotFound, auth.tr))?;
    let (row, bytes) = uc::open_attachment(&state.app, auth.actor(), ticket, att)
        .await
        .map_err(|e| PageError::new(e, auth.tr))?;
    Ok(download_response(&row, bytes))
}
