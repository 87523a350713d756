//! The mail quarantine: messages that could not become a ticket or a reply,
//! reviewed and replayed by agents.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{path_id, render};
use crate::view::Base;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use relais_app::mail_io::{self, IngestOutcome};
use relais_app::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support/quarantaine", get(list))
        .route("/support/quarantaine/{id}/rejouer", post(replay))
}

struct Line {
    id: String,
    received: String,
    from: String,
    subject: String,
    reason: String,
    waiting: bool,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "quarantine.html")]
struct Page {
    base: Base,
    h1: String,
    rows: Vec<Line>,
    outcome: Option<String>,
}

async fn page(
    state: &AppState,
    auth: &Auth,
    outcome: Option<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rows = mail_io::list_quarantine(&state.app, auth.actor())
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let h1 = tr.t("quarantaine-des-courriels");
    let p = Page {
        base: Base::new(auth, h1),
        h1: h1.into(),
        rows: rows
            .into_iter()
            .map(|q| Line {
                id: q.id,
                received: q
                    .received_at
                    .chars()
                    .take(16)
                    .collect::<String>()
                    .replace('T', " "),
                from: q.from_address.unwrap_or_else(|| "—".into()),
                subject: q.subject.unwrap_or_else(|| "—".into()),
                reason: q.reason,
                waiting: q.status == "en_attente",
                state: match q.status.as_str() {
                    "rattache" => "Rattaché",
                    "libere" => "Libéré en ticket",
                    "ecarte" => "Écarté",
                    _ => "Rejoué",
                },
            })
            .collect(),
        outcome,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn list(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    page(&state, &auth, None).await
}

async fn replay(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let settings =
        state.app.settings.mail.clone().ok_or_else(|| {
            PageError::new(AppError::Internal("mail is not configured".into()), tr)
        })?;
    let out = mail_io::replay(&state.app, &settings, auth.actor(), id)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let msg = match out {
        IngestOutcome::NewTicket(_) => "Ticket créé à partir du message.".to_string(),
        IngestOutcome::Reply { .. } => "Réponse ajoutée au ticket.".to_string(),
        IngestOutcome::Ignored(k) => format!("Message automatique ignoré ({k})."),
        IngestOutcome::Quarantined { reason, .. } => format!("Toujours en quarantaine : {reason}."),
    };
    page(&state, &auth, Some(msg)).await
}
