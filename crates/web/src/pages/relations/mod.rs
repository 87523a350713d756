//! Member relations pages: the survey link (`/enquete/{token}`, no login),
//! the relation hub and recalls (`/relation…`), survey questions,
//! thresholds and campaigns (`/relation/enquetes`), an institution's health
//! (`/etablissements/{id}/sante`) and printable briefing
//! (`/etablissements/{id}/fiche`), the member space (`/espace`), personal
//! data pages (`/espace/donnees`, `/contacts/{id}/donnees`, erasure) and the
//! retention rules (`/admin/conservation`).
//!
//! Most pages are built on one generic template (`sections.html`): titled
//! sections of paragraphs, facts, an SVG chart, tables and forms.

use crate::auth::{login_csrf_cookie_name, make_cookie, Auth, RequestCtx};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::relation::{context_of, kind_label, recalls_table, score_text};
use crate::kit::ActionTable;
use crate::kit::{
    bar_chart, form_reply, nonempty, path_id, pe, render, FormData, PageForm, Sect, SectionsPage,
};
use crate::view::{apply_errors, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use relais_app::relation as uc;
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::relation::{fr_num, Scale, SurveyKind};
use relais_domain::{DomainError, Id};

mod campaigns;
mod comite;
pub(crate) mod complaints;
pub(crate) mod health;
mod recalls;
mod survey;
mod surveys;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/enquete/{token}",
            get(survey::survey_page).post(survey::survey_submit),
        )
        .route("/relation", get(recalls::hub))
        .route("/relation/rappels", get(recalls::recalls_page))
        .route("/relation/rappels/{id}", get(recalls::recall_page))
        .route("/relation/rappels/{id}/appel", post(recalls::recall_call))
        .route("/relation/rappels/{id}/clore", post(recalls::recall_close))
        .route("/relation/enquetes", get(surveys::surveys_admin))
        .route("/relation/enquetes/questions", post(surveys::add_question))
        .route(
            "/relation/enquetes/questions/{id}/etat",
            post(surveys::toggle_question),
        )
        .route(
            "/relation/enquetes/campagnes",
            post(surveys::create_campaign),
        )
        .route("/relation/enquetes/seuils", post(surveys::set_thresholds))
        .route("/etablissements/{id}/sante", get(health::health_page))
        .route("/etablissements/{id}/fiche", get(health::briefing_page))
        .merge(campaigns::router())
        .merge(comite::router())
        .merge(complaints::router())
}

/// An empty action table (campaigns, the comité).
fn small_table(tr: Tr, caption: String, headers: &[String], has_actions: bool) -> ActionTable {
    ActionTable {
        caption,
        headers: headers.to_vec(),
        has_actions,
        colspan: headers.len() + usize::from(has_actions),
        rows: vec![],
        empty: tr.t("none").to_string(),
        form: None,
    }
}

/// The details of a refused form, as one line.
fn invalid_message(errs: &[relais_domain::FieldError]) -> String {
    errs.iter()
        .map(|e| e.detail.clone())
        .collect::<Vec<_>>()
        .join(" ")
}

fn flags_table(tr: Tr, caption: String, flags: &[relais_app::relation::FlagRow]) -> Table {
    let mut t = Table::new(
        tr,
        caption,
        &[
            tr.t("etablissement"),
            tr.t("jour"),
            tr.t("sante"),
            tr.t("raisons"),
        ],
    );
    for f in flags {
        let reasons: Vec<String> = serde_json::from_str(&f.reasons).unwrap_or_default();
        t.rows.push(vec![
            Cell::link(
                f.institution_name.clone(),
                format!("/etablissements/{}/sante", f.institution_id),
            ),
            Cell::text(fr_date(&f.flagged_on)),
            Cell::text(match f.previous {
                Some(p) => format!("{} → {}", p, f.score),
                None => f.score.to_string(),
            }),
            Cell::text(if reasons.is_empty() {
                "—".into()
            } else {
                reasons.join(" ; ")
            }),
        ]);
    }
    t
}

fn today_s(state: &AppState) -> String {
    relais_app::stamps::date(relais_app::training::today(&state.app))
}
