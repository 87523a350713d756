//! Community pages: events (`/communautes`: list with filters by kind,
//! domain and upcoming/past; the event page with registration, resources
//! and, for the agency, the attendance form; create/edit forms), the
//! domains' mailing lists (`/communautes/listes`: moderators, subscribers
//! within the reader's scope, subscribe/unsubscribe, the Sympa export), and
//! publications (`/publications`: a member's domains of interest first,
//! Markdown rendered and sanitised).

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    form_reply, history_table, nonempty, pager, paris, path_id, pe, render, render_markdown,
    Action, ActionPage, ActionRow, ActionTable, AttendanceForm, AttendanceRow, FormData, FormPage,
    IntroFormPage, ListPage, SmallForm, PAGE_SIZE,
};
use crate::view::{apply_errors, enum_options, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::community as uc;
use relais_app::community::{EventInput, ListInput, PublicationInput, When};
use relais_app::community::{EventRow, PublicationFilter, PublicationRow};
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::community::{
    paris_input, resource_lines, Attendance, EventFormat, EventKind, PublicationKind,
};
use relais_domain::{DomainError, Id};

mod events;
mod lists;
mod publications;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/communautes",
            get(events::list_events).post(events::create_event),
        )
        .route("/communautes/nouveau", get(events::new_event))
        .route(
            "/communautes/{id}",
            get(events::show_event).post(events::update_event),
        )
        .route("/communautes/{id}/modifier", get(events::edit_event))
        .route("/communautes/{id}/inscription", post(events::register))
        .route("/communautes/{id}/desinscription", post(events::unregister))
        .route("/communautes/{id}/presences", post(events::attendance))
        .route(
            "/communautes/listes",
            get(lists::list_lists).post(lists::create_list),
        )
        .route("/communautes/listes/nouvelle", get(lists::new_list))
        .route(
            "/communautes/listes/{id}",
            get(lists::show_list).post(lists::update_list),
        )
        .route("/communautes/listes/{id}/modifier", get(lists::edit_list))
        .route("/communautes/listes/{id}/abonnes", post(lists::subscribe))
        .route(
            "/communautes/listes/{id}/abonnes/{contact}/retirer",
            post(lists::unsubscribe),
        )
        .route(
            "/communautes/listes/{id}/moderateurs",
            post(lists::add_moderator),
        )
        .route(
            "/communautes/listes/{id}/moderateurs/{m}/retirer",
            post(lists::remove_moderator),
        )
        .route(
            "/communautes/listes/{id}/export-sympa",
            get(lists::export_sympa),
        )
        .route(
            "/publications",
            get(publications::list_publications).post(publications::create_publication),
        )
        .route("/publications/nouvelle", get(publications::new_publication))
        .route(
            "/publications/{id}",
            get(publications::show_publication).post(publications::update_publication),
        )
        .route(
            "/publications/{id}/modifier",
            get(publications::edit_publication),
        )
        .route(
            "/publications/{id}/fichiers",
            post(publications::upload_publication_file)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/publications/{id}/fichiers/{file}",
            get(publications::download_publication_file),
        )
}

async fn domain_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(relais_app::crm::list_domains(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

async fn product_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(relais_app::crm::list_products(&state.app, None)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct EventQuery {
    kind: Option<String>,
    domain: Option<String>,
    quand: Option<String>,
    page: Option<i64>,
}
