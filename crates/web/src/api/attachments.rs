//! API of ticket attachments: list what the caller may see, download one
//! (the same protective headers as the pages), upload one (multipart). A
//! caller who may not see a ticket or an attachment gets 404, as if it did
//! not exist.

use crate::api::common::{parse_id, Created};
use crate::api::extract::ApiPath;
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::kit::files::{download_href, download_response, read_upload};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use relais_app::attachments as uc;
use relais_app::attachments::AttachmentRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_attachments, upload_attachment))
        // The upload counts its bytes against the configured limit itself.
        .layer(DefaultBodyLimit::disable())
        .routes(routes!(download_attachment))
}

/// A file attached to a ticket.
#[derive(Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub ticket_id: String,
    /// The message it came with (mail), if any.
    pub message_id: Option<String>,
    /// `public` (the institution sees it) or `internal` (agents only).
    pub visibility: String,
    /// Safe display name (no path, no control characters).
    pub file_name: String,
    /// As declared by the sender; downloads are always
    /// `application/octet-stream`.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Masked ("Auteur non communiqué") for another institution unless the
    /// requester's identity is shared.
    pub uploaded_by_name: String,
    pub created_at: String,
    /// Where to download it (page route; the API route is
    /// `/api/v1/tickets/{id}/attachments/{att}`).
    pub download_url: String,
}

impl From<AttachmentRow> for Attachment {
    fn from(a: AttachmentRow) -> Self {
        Attachment {
            download_url: download_href(&a.ticket_id, &a.id),
            id: a.id,
            ticket_id: a.ticket_id,
            message_id: a.message_id,
            visibility: a.visibility,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            uploaded_by_name: a.uploaded_by_name,
            created_at: a.created_at,
        }
    }
}

/// The multipart body of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
struct UploadBody {
    /// The file (its name is made safe; its type is only informative).
    #[schema(value_type = String, format = Binary)]
    fichier: Vec<u8>,
    /// `1`/`on`/`true`: an internal file, for agents only.
    interne: Option<String>,
}

/// The attachments of a ticket that the caller may see: agency staff see
/// all, the ticket's institution its public ones, another institution the
/// public ones of a ticket shared with its attachments (else an empty list).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/attachments", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = ErrorBody)))]
async fn list_attachments(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    let rows = uc::list_attachments(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok(Json(rows.into_iter().map(Attachment::from).collect()))
}

/// Adds a file to a ticket (multipart field `fichier`, optional `interne`).
/// 413 `attachment_too_large` over the configured limit, 422
/// `attachment_empty` for an empty file; 403 when the caller may read the
/// ticket but not write on it.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)")),
    request_body(content = UploadBody, content_type = "multipart/form-data"),
    responses((status = 201, body = Created), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn upload_attachment(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    req: Request,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let ticket = parse_id(&id)?;
    let up = read_upload(&st, req).await?;
    let id = uc::add_attachment(
        &st.app,
        &s.actor,
        ticket,
        &up.file_name,
        &up.content_type,
        &up.bytes,
        up.internal,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Downloads one attachment: `application/octet-stream`,
/// `Content-Disposition: attachment`, `nosniff`, a sandbox CSP.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/attachments/{att}", tag = "support", params(("id" = String, Path, description = "Identifiant (UUID)"), ("att" = String, Path, description = "Identifiant (UUID) : att")),
    responses((status = 200, description = "Le contenu du fichier", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = ErrorBody)))]
async fn download_attachment(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath((id, att)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let (row, bytes) =
        uc::open_attachment(&st.app, &s.actor, parse_id(&id)?, parse_id(&att)?).await?;
    Ok(download_response(&row, bytes))
}
