//! One held message of the mail quarantine: read it (sanitised), attach it
//! to a ticket or an institution, release it as a new ticket, or discard
//! it. Agents only (the use cases refuse anyone else).

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{path_id, render, FormData};
use crate::view::Base;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::quarantine as uc;
use relais_app::AppError;
use relais_domain::{DomainError, Id};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support/quarantaine/{id}", get(show))
        .route("/support/quarantaine/{id}/rattacher", post(attach_ticket))
        .route(
            "/support/quarantaine/{id}/etablissement",
            post(attach_institution),
        )
        .route("/support/quarantaine/{id}/liberer", post(release))
        .route("/support/quarantaine/{id}/ecarter", post(discard))
}

#[derive(Template)]
#[template(path = "quarantine_detail.html")]
struct Page {
    base: Base,
    h1: String,
    id: String,
    received: String,
    from: String,
    to: String,
    reason: String,
    verdict: Option<String>,
    status: String,
    waiting: bool,
    text: String,
    html: Option<String>,
    attachments: Vec<String>,
    institutions: Vec<(String, String)>,
    products: Vec<(String, String)>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    error: Option<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let held = uc::read(&state.app, auth.actor(), id)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let (institutions, products) = uc::pickers(&state.app, auth.actor())
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let subject = held
        .row
        .subject
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "(sans objet)".into());
    let status = match held.row.status.as_str() {
        "en_attente" => "En attente",
        "rejoue" => "Rejoué",
        "rattache" => "Rattaché",
        "libere" => "Libéré en ticket",
        "ecarte" => "Écarté",
        other => other,
    };
    let invalid = error.is_some();
    let p = Page {
        base: Base::new(auth, &subject),
        h1: subject,
        id: held.row.id.clone(),
        received: held
            .row
            .received_at
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " "),
        from: match (&held.from_name, &held.row.from_address) {
            (Some(n), Some(a)) if !n.trim().is_empty() => format!("{n} <{a}>"),
            (_, Some(a)) => a.clone(),
            _ => "—".into(),
        },
        to: held.to.join(", "),
        reason: held.row.reason.clone(),
        verdict: held.row.auth_verdict.clone(),
        status: status.into(),
        waiting: held.row.status == "en_attente",
        text: held.text,
        html: held.html,
        attachments: held.attachments,
        institutions,
        products,
        error,
    };
    let status = if invalid {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&p, tr)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    page(&state, &auth, id, None).await
}

/// Redirects on success; shows the page again with the refusal (422) on a
/// domain error other than Forbidden / NotFound.
async fn answer(
    state: &AppState,
    auth: &Auth,
    id: Id,
    r: relais_app::Result<String>,
) -> Result<Response, PageError> {
    match r {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(AppError::Domain(DomainError::Invalid(v))) => {
            let msg = v
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
                .join(" ");
            page(state, auth, id, Some(msg)).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

fn form_id(f: &FormData, k: &str) -> Option<Id> {
    Id::parse(f.get(k).trim())
}

fn choose(field: &'static str, msg: &str) -> AppError {
    DomainError::invalid("required", field, msg).into()
}

async fn attach_ticket(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::attach_to_ticket(&state.app, auth.actor(), id, &f.get("reference"))
        .await
        .map(|t| format!("/support/{t}"));
    answer(&state, &auth, id, r).await
}

async fn attach_institution(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = match form_id(&f, "institution_id") {
        Some(i) => uc::attach_to_institution(&state.app, auth.actor(), id, i)
            .await
            .map(|_| format!("/etablissements/{i}")),
        None => Err(choose("institution_id", "Choisissez un établissement.")),
    };
    answer(&state, &auth, id, r).await
}

async fn release(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = match (form_id(&f, "institution_id"), form_id(&f, "product_id")) {
        (Some(i), Some(p)) => uc::release_as_ticket(&state.app, auth.actor(), id, i, p)
            .await
            .map(|t| format!("/support/{t}")),
        _ => Err(choose(
            "institution_id",
            "Choisissez l'établissement et le produit du ticket.",
        )),
    };
    answer(&state, &auth, id, r).await
}

async fn discard(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::discard(&state.app, auth.actor(), id)
        .await
        .map(|_| "/support/quarantaine".to_string());
    answer(&state, &auth, id, r).await
}
