//! Files through the pages and the API: reading a multipart upload while
//! counting its bytes, and answering a stored file as a download that no
//! browser renders inline (`application/octet-stream`, `attachment`,
//! `nosniff`, a sandboxing CSP).
//!
//! ```ignore
//! let up = read_upload(&state, req).await.map_err(pe(tr))?;   // multipart, field `fichier`
//! Ok(file_response(&row.file_name, bytes))                     // the download
//! ```

use crate::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use relais_app::attachments as uc;
use relais_app::AppError;
use relais_domain::DomainError;
use relais_store::attachments::AttachmentRow;

/// What the multipart envelope around the file may add to the announced
/// length before an upload is refused without being read.
pub const UPLOAD_MARGIN: u64 = 64 * 1024;

/// The `action` of the ticket page's upload form
/// (`enctype="multipart/form-data"`, file field `fichier`, checkbox
/// `interne` for agents): the CSRF token goes in the query string, since
/// the middleware does not read multipart bodies.
pub fn upload_form_action(ticket_id: &str, csrf: &str) -> String {
    format!(
        "/support/{}/pieces?_csrf={}",
        urlencoding::encode(ticket_id),
        urlencoding::encode(csrf)
    )
}

/// The download link of an attachment.
pub fn download_href(ticket_id: &str, attachment_id: &str) -> String {
    format!(
        "/support/{}/pieces/{}",
        urlencoding::encode(ticket_id),
        urlencoding::encode(attachment_id)
    )
}

/// A file size for people ("10 Mo", "512 Ko").
pub fn human_size(bytes: i64) -> String {
    uc::human_size(bytes.max(0) as u64)
}

/// A posted upload.
#[derive(Debug, Default)]
pub struct Upload {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub internal: bool,
}

fn unreadable() -> AppError {
    DomainError::invalid(
        "attachment_unreadable",
        "fichier",
        "Envoi illisible : choisissez le fichier de nouveau.",
    )
    .into()
}

/// Reads a multipart upload (pages and API), counting the file's bytes as
/// they arrive: past `max_attachment_bytes` it stops and answers
/// `attachment_too_large`, without holding more than the limit in memory.
pub async fn read_upload(state: &AppState, req: Request) -> Result<Upload, AppError> {
    let max = state.app.settings.max_attachment_bytes;
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max.saturating_add(UPLOAD_MARGIN)) {
        return Err(uc::too_large(max));
    }
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|_| unreadable())?;
    let cut_short = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            uc::too_large(max)
        } else {
            unreadable()
        }
    };
    let mut up = Upload::default();
    let mut got_file = false;
    while let Some(mut field) = mp.next_field().await.map_err(cut_short)? {
        match field.name() {
            Some("fichier") if !got_file => {
                got_file = true;
                up.file_name = field.file_name().unwrap_or("").to_string();
                up.content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                while let Some(chunk) = field.chunk().await.map_err(cut_short)? {
                    if (up.bytes.len() + chunk.len()) as u64 > max {
                        return Err(uc::too_large(max));
                    }
                    up.bytes.extend_from_slice(&chunk);
                }
            }
            Some("interne") => {
                let v = field.text().await.map_err(cut_short)?;
                up.internal = matches!(v.trim(), "1" | "on" | "true");
            }
            _ => {}
        }
    }
    if !got_file {
        return Err(DomainError::invalid(
            "attachment_missing",
            "fichier",
            "Choisissez un fichier à joindre.",
        )
        .into());
    }
    Ok(up)
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<encoded>`
/// (RFC 6266): the fallback keeps printable ASCII except quotes and
/// backslashes, the extended form carries the exact name.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        urlencoding::encode(name)
    )
}

/// The bytes of an attachment as a download that nothing renders inline:
/// never the uploaded type, `nosniff`, a sandbox CSP, no caching by
/// shared caches.
pub fn download_response(row: &AttachmentRow, bytes: Vec<u8>) -> Response {
    file_response(&row.file_name, bytes)
}

/// A stored file as a download, with the same protections (any stored
/// file: ticket attachments, publication files).
pub fn file_response(file_name: &str, bytes: Vec<u8>) -> Response {
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    } else {
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_has_an_ascii_fallback_and_the_exact_name() {
        assert_eq!(
            content_disposition("compte-rendu été \"v2\".pdf"),
            "attachment; filename=\"compte-rendu _t_ _v2_.pdf\"; \
             filename*=UTF-8''compte-rendu%20%C3%A9t%C3%A9%20%22v2%22.pdf"
        );
        assert!(HeaderValue::from_str(&content_disposition("a\r\nb;é")).is_ok());
    }

    #[test]
    fn form_action_carries_the_token() {
        assert_eq!(
            upload_form_action("abc", "t+k/="),
            "/support/abc/pieces?_csrf=t%2Bk%2F%3D"
        );
    }
}
