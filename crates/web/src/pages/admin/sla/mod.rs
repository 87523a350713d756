//! Administration of service contracts: service levels (targets per
//! severity in business hours), business calendars (kind, weekly hours,
//! closure periods, a preview of the computed public holidays) and the
//! contract of each institution. Agency staff read these pages; only admins
//! see the save buttons, and the use cases refuse anyone else's POST.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{nonempty, path_id, pe, render, FormData, FormPage, ListPage};
use crate::view::{apply_errors, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::sla_admin as uc;
use relais_app::sla_admin::LevelFilter;
use relais_app::sla_admin::{CalendarInput, CalendarView, ContractInput, LevelInput, LevelView};
use relais_app::AppError;
use relais_domain::sla::target_field;
use relais_domain::support::Severity;
use relais_domain::DomainError;
use std::collections::BTreeMap;

mod calendars;
mod contracts;
mod levels;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/niveaux",
            get(levels::levels).post(levels::create_level),
        )
        .route("/admin/niveaux/nouveau", get(levels::new_level))
        .route(
            "/admin/niveaux/{code}",
            get(levels::edit_level).post(levels::update_level),
        )
        .route(
            "/admin/calendriers",
            get(calendars::calendars).post(calendars::create_calendar),
        )
        .route("/admin/calendriers/nouveau", get(calendars::new_calendar))
        .route(
            "/admin/calendriers/{id}",
            get(calendars::edit_calendar).post(calendars::update_calendar),
        )
        .route(
            "/admin/contrats",
            get(contracts::contracts).post(contracts::create_contract),
        )
        .route("/admin/contrats/nouveau", get(contracts::new_contract))
}

fn notice(tr: Tr) -> String {
    tr.t("les-modifications-s-appliquent-aux-tickets").into()
}

fn admin_links(tr: Tr) -> Vec<Link> {
    vec![
        Link::new("/admin/niveaux", tr.t("niveaux-de-service")),
        Link::new("/admin/calendriers", tr.t("calendriers-ouvres")),
        Link::new("/admin/contrats", tr.t("contrats-de-service-2")),
    ]
}

fn severity_label(s: Severity, tr: Tr) -> &'static str {
    tr.label(s)
}
