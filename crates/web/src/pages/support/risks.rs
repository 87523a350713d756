//! The SLA watchdog's page: what is at risk or late now, with the reason,
//! the warnings and breaches it raised, and (admins) the warning share.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{fr_datetime, render, FormData};
use crate::view::{Base, Cell, Table};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::watchdog as uc;
use relais_domain::accounts::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support/risques", get(page))
        .route("/support/risques/seuil", post(set_share))
}

#[derive(Template)]
#[template(path = "risks.html")]
pub struct RisksPage {
    pub base: Base,
    pub at_risk: Table,
    pub alerts: Table,
    pub share_percent: String,
    pub admin: bool,
    pub error: Option<String>,
}

async fn build(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let pe = |e| PageError::new(e, tr);
    let rows = uc::at_risk(&state.app, auth.actor()).await.map_err(pe)?;
    let mut at_risk = Table::new(
        tr,
        tr.t("tickets-en-risque-ou-en-retard").to_string(),
        &[
            tr.t("ticket"),
            tr.t("etablissement"),
            tr.t("agent"),
            tr.t("echeance"),
            tr.t("etat"),
            tr.t("pourquoi"),
        ],
    );
    for r in &rows {
        for c in &r.clocks {
            at_risk.rows.push(vec![
                Cell::link(
                    format!("{} — {}", r.ticket.reference, r.ticket.subject),
                    format!("/support/{}", r.ticket.id),
                ),
                Cell::text(r.ticket.institution_name.clone()),
                Cell::opt(&r.ticket.assignee_name),
                Cell::text(fr_datetime(&c.due_at)),
                Cell::text(c.label.clone()),
                Cell::text(c.reason.clone()),
            ]);
        }
    }
    let mut alerts = Table::new(
        tr,
        tr.t("alertes-des-7-derniers-jours").to_string(),
        &[
            tr.t("date"),
            tr.t("ticket"),
            tr.t("objectif"),
            tr.t("alerte"),
            tr.t("prevenus"),
        ],
    );
    for a in uc::recent_alerts(&state.app, auth.actor(), 7)
        .await
        .map_err(pe)?
    {
        let to: Vec<String> = serde_json::from_str(&a.recipients).unwrap_or_default();
        alerts.rows.push(vec![
            Cell::text(fr_datetime(&a.created_at)),
            Cell::link(
                format!("{} — {}", a.reference, a.subject),
                format!("/support/{}", a.ticket_id),
            ),
            Cell::text(if a.target == "first_response" {
                tr.t("premiere-reponse").to_string()
            } else {
                tr.t("resolution").to_string()
            }),
            Cell::text(if a.kind == "breach" {
                tr.t("depassement-escalade-au-responsable").to_string()
            } else {
                tr.t("sla-state-at-risk").to_string()
            }),
            Cell::text(if to.is_empty() {
                "—".into()
            } else {
                to.join(", ")
            }),
        ]);
    }
    let share = uc::current_share(&state.app).await.map_err(pe)?;
    let p = RisksPage {
        base: Base::new(auth, tr.t("engagements-en-risque").to_string()),
        at_risk,
        alerts,
        share_percent: format!("{:.0}", share * 100.0),
        admin: auth.actor().role == Role::Admin,
        error,
    };
    let mut res = render(&p, tr)?.into_response();
    if p.error.is_some() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    build(&state, &auth, None).await
}

async fn set_share(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    match uc::set_warn_share(&state.app, auth.actor(), &form.get("share")).await {
        Ok(()) => Ok(Redirect::to("/support/risques?ok=seuil").into_response()),
        Err(relais_app::AppError::Domain(relais_domain::DomainError::Invalid(v))) => {
            let msg = v
                .iter()
                .map(|f| f.detail.clone())
                .collect::<Vec<_>>()
                .join(" ");
            build(&state, &auth, Some(msg)).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}
