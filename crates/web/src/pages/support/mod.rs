//! Support desk pages: the ticket list (an agent's queue sorted by the time
//! left before the service-level target, with filters and saved searches;
//! a member's own tickets with their live service-level state, and the
//! tickets other institutions shared on the same products), filing a
//! ticket, the ticket page with its SLA clocks and every workflow action,
//! incidents and the known-issues page of a product.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    fr_datetime, nonempty, pager, path_id, pe, render, FormData, FormPage, ListPage, PAGE_SIZE,
};
use crate::view::{apply_errors, enum_options, Base, Cell, Field, Link, Opt, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use relais_app::support as uc;
use relais_app::support::{TicketFilter, TicketRow};
use relais_app::{desk, AppError};
use relais_domain::sla::SlaState;
use relais_domain::support::{Category, Severity, TicketInput, TicketStatus};
use relais_domain::{DomainError, Id};

pub mod assistant;
pub mod attachments;
mod incidents;
mod new_ticket;
pub mod quarantine;
mod quarantine_message;
pub mod risks;
mod ticket;
mod tickets;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support", get(tickets::list).post(new_ticket::create))
        .route("/support/nouveau", get(new_ticket::new_form))
        .route("/support/recherches", post(tickets::save_search))
        .route(
            "/support/recherches/{id}/supprimer",
            post(tickets::delete_search),
        )
        .route(
            "/support/incidents",
            get(incidents::incidents).post(incidents::create_incident),
        )
        .route("/support/incidents/nouveau", get(incidents::new_incident))
        .route("/support/incidents/{id}", get(incidents::incident))
        .route(
            "/support/incidents/{id}/resoudre",
            post(incidents::resolve_incident),
        )
        .route(
            "/support/incidents/{id}/tickets",
            post(incidents::incident_add_ticket),
        )
        .route(
            "/produits/{id}/problemes-connus",
            get(incidents::known_issues),
        )
        .route("/support/{id}", get(ticket::show))
        .route("/support/{id}/reponse", post(ticket::reply))
        .route("/support/{id}/statut", post(ticket::status))
        .route("/support/{id}/affectation", post(ticket::assign))
        .route("/support/{id}/estimation", post(ticket::estimate))
        .route("/support/{id}/partage", post(ticket::share))
        .route("/support/{id}/suivre", post(ticket::follow))
        .route("/support/{id}/nous-aussi", post(ticket::me_too))
        .route("/support/{id}/contournement", post(ticket::workaround))
        .route("/support/{id}/incident", post(ticket::link_incident))
        .merge(assistant::router())
        .merge(attachments::router())
        .merge(quarantine::router())
        .merge(quarantine_message::router())
        .merge(risks::router())
}

fn opt_dt(s: &Option<String>) -> String {
    s.as_deref().map(fr_datetime).unwrap_or_else(|| "—".into())
}

/// Business minutes as people read them: `2 j 3 h 10 min` (a business day
/// counted as its hours, so only hours and minutes are shown).
fn minutes_text(m: i64, _tr: Tr) -> String {
    let m = m.abs();
    let (h, min) = (m / 60, m % 60);
    match (h, min) {
        (0, min) => format!("{min} min"),
        (h, 0) => format!("{h} h"),
        (h, min) => format!("{h} h {min:02}"),
    }
}

fn sla_text(s: &SlaState, tr: Tr) -> String {
    let label = tr.label(s);
    match s {
        SlaState::Ok { remaining_minutes } | SlaState::AtRisk { remaining_minutes } => format!(
            "{label} — {} {}",
            minutes_text(*remaining_minutes, tr),
            tr.t("ouvrees-restantes")
        ),
        SlaState::Paused { remaining_minutes } => format!(
            "{label} — {} {}",
            minutes_text(*remaining_minutes, tr),
            tr.t("ouvrees-restantes")
        ),
        SlaState::Breached { late_minutes } => format!(
            "{label} — {} {}",
            tr.t("de"),
            minutes_text(*late_minutes, tr)
        ),
        SlaState::Met => label.to_string(),
    }
}

/// The service-level state of a list row, from its stored deadline: no
/// calendar lookup per row, so the wall-clock time left is shown; the
/// ticket page gives the business time.
fn row_deadline(t: &TicketRow, now: DateTime<Utc>, tr: Tr) -> String {
    let status = TicketStatus::from_code(&t.status).unwrap_or(TicketStatus::Nouveau);
    if !status.is_open() {
        return tr.t("termine").to_string();
    }
    let Some(due) = t
        .resolution_due_at
        .as_deref()
        .and_then(relais_app::stamps::parse_ts)
    else {
        return tr.t("sans-engagement").to_string();
    };
    let when = fr_datetime(&relais_app::stamps::ts(due));
    if status == TicketStatus::AttenteEtablissement {
        return format!("{when} — {}", tr.t("en-pause"));
    }
    let left = (due - now).num_minutes();
    if left < 0 {
        format!("{when} — {} {}", tr.t("depasse-de"), minutes_text(left, tr))
    } else {
        format!("{when} — {} {}", tr.t("dans"), minutes_text(left, tr))
    }
}

fn status_label(code: &str, tr: Tr) -> String {
    crate::label!(TicketStatus, code, tr)
}

pub struct SuggestionView {
    pub kind: String,
    pub kind_label: String,
    pub id: String,
    pub title: String,
    pub snippet_html: String,
    pub open_href: String,
}

#[derive(Template)]
#[template(path = "suggestions.html")]
pub struct SuggestionsFragment {
    pub t: Tr,
    pub csrf: String,
    pub query: String,
    pub product: String,
    pub searched: bool,
    pub items: Vec<SuggestionView>,
}

/// The suggestions for a description, rendered as the fragment the new
/// ticket page shows (also used without JavaScript).
pub async fn suggestions_fragment(
    state: &AppState,
    auth: &Auth,
    product: &str,
    subject: &str,
    body: &str,
) -> Result<String, PageError> {
    let tr = auth.tr;
    let text = format!("{subject}\n{body}");
    let pid = Id::parse(product);
    let items = relais_app::assistant::suggest(&state.app, auth.actor(), pid, &text, 5)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let query: String = text.trim().chars().take(300).collect();
    let f = SuggestionsFragment {
        t: tr,
        csrf: auth.session.csrf.clone().unwrap_or_default(),
        searched: text.trim().chars().count() >= relais_app::assistant::MIN_CHARS,
        items: items
            .into_iter()
            .map(|s| SuggestionView {
                kind_label: crate::kit::search_kind_label(&s.kind, tr),
                open_href: format!(
                    "/assistant/ouvrir?type={}&id={}&q={}",
                    s.kind,
                    s.id,
                    urlencoding::encode(&query)
                ),
                kind: s.kind,
                id: s.id,
                title: s.title,
                snippet_html: s.snippet_html,
            })
            .collect(),
        query,
        product: product.to_string(),
    };
    f.render()
        .map_err(|e| PageError::new(AppError::Internal(format!("template: {e}")), tr))
}

pub struct AttachmentView {
    pub name: String,
    pub href: String,
    pub size: String,
    pub internal: bool,
}

/// The attachments of a ticket the reader may see.
async fn attachments_view(
    state: &AppState,
    actor: &relais_domain::accounts::Actor,
    id: Id,
    tr: Tr,
) -> Result<Vec<AttachmentView>, PageError> {
    let rows = relais_app::attachments::list_attachments(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    Ok(rows
        .into_iter()
        .map(|a| AttachmentView {
            href: crate::kit::files::download_href(&a.ticket_id, &a.id),
            size: crate::kit::files::human_size(a.size_bytes),
            internal: a.visibility == "internal",
            name: a.file_name,
        })
        .collect())
}
