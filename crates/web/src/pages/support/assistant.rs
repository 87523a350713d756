//! The assistant's routes: the suggestions fragment (htmx, debounced, as a
//! member writes a ticket), the "opened" and "this solved my problem"
//! records, and the agents' page of figures.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{fr_datetime, render, FormData};
use crate::view::{Base, Cell, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::assistant as uc;
use relais_app::AppError;
use relais_domain::{DomainError, Id};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assistant", get(stats))
        .route("/assistant/suggestions", post(suggestions))
        .route("/assistant/ouvrir", get(open))
        .route("/assistant/resolu", post(solved))
}

async fn suggestions(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let html = super::suggestions_fragment(
        &state,
        &auth,
        &form.get("product_id"),
        &form.get("subject"),
        &form.get("body"),
    )
    .await?;
    Ok(Html(html).into_response())
}

#[derive(Debug, serde::Deserialize)]
struct OpenQuery {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    q: Option<String>,
}

async fn open(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OpenQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = Id::parse(&q.id)
        .ok_or_else(|| PageError::new(AppError::from(DomainError::NotFound), tr))?;
    let href = uc::opened(
        &state.app,
        auth.actor(),
        &q.kind,
        id,
        q.q.as_deref().unwrap_or(""),
    )
    .await
    .map_err(|e| PageError::new(e, tr))?;
    Ok(Redirect::to(&href).into_response())
}

#[derive(Template)]
#[template(path = "deflected.html")]
pub struct DeflectedPage {
    pub base: Base,
    pub title: String,
    pub href: String,
}

async fn solved(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let kind = form.get("type");
    let id = Id::parse(&form.get("id"))
        .ok_or_else(|| PageError::new(AppError::from(DomainError::NotFound), tr))?;
    let title = uc::deflect(
        &state.app,
        auth.actor(),
        &kind,
        id,
        &form.get("q"),
        Id::parse(&form.get("product_id")),
    )
    .await
    .map_err(|e| PageError::new(e, tr))?;
    let p = DeflectedPage {
        base: Base::new(&auth, tr.t("tant-mieux").to_string()),
        title,
        href: uc::href_of(&kind, &id.to_string()),
    };
    Ok(render(&p, tr)?.into_response())
}

#[derive(Template)]
#[template(path = "assistant_stats.html")]
pub struct StatsPage {
    pub base: Base,
    pub figures: Vec<(String, String)>,
    pub top: Table,
    pub recent: Table,
    pub periods: Vec<(Link, bool)>,
}

#[derive(Debug, serde::Deserialize)]
struct StatsQuery {
    jours: Option<i64>,
}

async fn stats(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let days = q.jours.unwrap_or(30);
    let s = uc::stats(&state.app, auth.actor(), days)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let pct = |a: i64, b: i64| {
        if b == 0 {
            "—".to_string()
        } else {
            format!("{:.0} %", 100.0 * a as f64 / b as f64)
        }
    };
    let figures = vec![
        (
            tr.t("suggestions-montrees").to_string(),
            s.shown.to_string(),
        ),
        (
            tr.t("suggestions-ouvertes").to_string(),
            format!("{} ({})", s.opened, pct(s.opened, s.shown)),
        ),
        (
            tr.t("problemes-resolus-sans-ticket").to_string(),
            s.deflected.to_string(),
        ),
        (
            tr.t("ticket-ouvert-malgre-tout-dans-la").to_string(),
            format!("{} ({})", s.reopened, pct(s.reopened, s.deflected)),
        ),
        (
            tr.t("resolutions-qui-ont-tenu").to_string(),
            s.held.to_string(),
        ),
    ];
    let mut top = Table::new(
        tr,
        tr.t("ce-qui-a-le-plus-aide").to_string(),
        &[tr.t("document"), tr.t("resolutions")],
    );
    for (kind, id, title, n) in &s.top {
        top.rows.push(vec![
            Cell::link(title.clone(), uc::href_of(kind, id)),
            Cell::text(n.to_string()),
        ]);
    }
    let mut recent = Table::new(
        tr,
        tr.t("dernieres-resolutions-sans-ticket").to_string(),
        &[
            tr.t("date"),
            tr.t("etablissement"),
            tr.t("category-question"),
            tr.t("ce-qui-a-aide"),
        ],
    );
    for e in &s.recent {
        recent.rows.push(vec![
            Cell::text(fr_datetime(&e.created_at)),
            Cell::opt(&e.institution_name),
            Cell::opt(&e.query),
            match (&e.doc_kind, &e.doc_id) {
                (Some(k), Some(i)) => {
                    Cell::link(e.doc_title.clone().unwrap_or_default(), uc::href_of(k, i))
                }
                _ => Cell::text("—"),
            },
        ]);
    }
    let periods = [7, 30, 365]
        .iter()
        .map(|d| {
            (
                Link::new(
                    format!("/assistant?jours={d}"),
                    format!("{d} {}", tr.t("jours")),
                ),
                *d == days,
            )
        })
        .collect();
    let p = StatsPage {
        base: Base::new(&auth, tr.t("assistant-ce-qu-il-apporte").to_string()),
        figures,
        top,
        recent,
        periods,
    };
    Ok(render(&p, tr)?.into_response())
}
