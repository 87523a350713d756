//! `Idempotency-Key` on API POSTs: the first answer to a key is kept (per
//! caller, 24 hours) and replayed to a retry with the same method, address
//! and body, which then creates nothing; the same key with another request
//! is refused (422 `cle_idempotence_reutilisee`), a key still being
//! answered by this process gives 409 `idempotence_en_cours`. Failures of
//! the server (5xx: nothing was stored) are not kept, so the retry runs.
//!
//! The answer is kept right after the handler's own commit: a crash in the
//! few milliseconds between the two would let a retry run again.

use crate::auth::RequestCtx;
use crate::error::{api_error, ApiError};
use crate::i18n::Tr;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use relais_store::idempotency::IdempotentAnswer;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

pub const HEADER: &str = "idempotency-key";
/// Set on a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";
/// Largest answer kept (API answers are small JSON documents).
const MAX_KEPT: usize = 1024 * 1024;

static IN_FLIGHT: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Default::default);

struct InFlight(String);

impl InFlight {
    fn take(id: String) -> Option<InFlight> {
        let mut set = IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner());
        set.insert(id.clone()).then_some(InFlight(id))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}

fn valid_key(k: &str) -> bool {
    (1..=200).contains(&k.len()) && k.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// The middleware of the API router.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    let ctx = req.extensions().get::<RequestCtx>().cloned();
    let tr = Tr(ctx.as_ref().map(|c| c.lang).unwrap_or_default());
    let key = raw.to_str().unwrap_or("").to_string();
    if !valid_key(&key) {
        return api_error(
            StatusCode::BAD_REQUEST,
            "cle_idempotence_invalide",
            tr.t("durability-idempotency-invalid"),
        );
    }
    // Anonymous calls are refused by the handler anyway.
    let Some(principal) = ctx
        .and_then(|c| c.session)
        .map(|s| format!("user:{}", s.user.id))
    else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "corps_illisible",
                "Le corps de la requête n'a pas pu être lu.",
            )
        }
    };
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(b"\n");
    h.update(parts.uri.path());
    h.update(b"?");
    h.update(parts.uri.query().unwrap_or(""));
    h.update(b"\n");
    h.update(&bytes);
    let hash = hex::encode(h.finalize());

    let Some(_flight) = InFlight::take(format!("{principal}\n{key}")) else {
        return api_error(
            StatusCode::CONFLICT,
            "idempotence_en_cours",
            tr.t("durability-idempotency-in-flight"),
        );
    };
    match relais_app::durability::idempotent_answer(&state.app, &principal, &key).await {
        Err(e) => return ApiError(e).into_response(),
        Ok(Some(a)) if a.request_hash == hash => return replay(a),
        Ok(Some(_)) => {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "cle_idempotence_reutilisee",
                tr.t("durability-idempotency-reused"),
            )
        }
        Ok(None) => {}
    }
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = res.status();
    let keep = status.is_success()
        || (status.is_client_error() && !matches!(status.as_u16(), 401 | 403 | 408 | 409 | 429));
    if !keep {
        return res;
    }
    let (rparts, rbody) = res.into_parts();
    let body = match axum::body::to_bytes(rbody, MAX_KEPT).await {
        Ok(b) => b,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if let Ok(text) = std::str::from_utf8(&body) {
        let header_text = |n: header::HeaderName| {
            rparts
                .headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let answer = IdempotentAnswer {
            principal,
            idem_key: key,
            request_hash: hash,
            status: i64::from(status.as_u16()),
            content_type: header_text(header::CONTENT_TYPE).unwrap_or_default(),
            location: header_text(header::LOCATION),
            body: text.to_string(),
            created_at: state.app.now_ts(),
        };
        if let Err(e) = relais_app::durability::keep_idempotent_answer(&state.app, &answer).await {
            // The write itself is committed: its answer stands.
            tracing::warn!(error = %e, "idempotent answer not kept");
        }
    }
    Response::from_parts(rparts, Body::from(body))
}

fn replay(a: IdempotentAnswer) -> Response {
    let status = u16::try_from(a.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = (status, a.body).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&a.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(Ok(v)) = a.location.as_deref().map(HeaderValue::from_str) {
        h.insert(header::LOCATION, v);
    }
    h.insert(REPLAYED, HeaderValue::from_static("true"));
    res
}
