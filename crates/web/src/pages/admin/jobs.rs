//! `/admin/taches`: the background jobs that wait for a person — failed
//! ones with their reasons (an unknown kind, an unknown mail template, a bad
//! id, attempts used up) and pending ones — with a button to put a failed
//! job back in the queue. Administrators only (the rule is in
//! `relais_app::jobs`).

use crate::auth::Auth;
use crate::error::PageError;
use crate::view::Base;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use relais_app::jobs::JobListRow;
use relais_app::AppError;
use relais_domain::{DomainError, Id};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/taches", get(list))
        .route("/admin/taches/{id}/relancer", post(retry))
}

struct Line {
    id: String,
    kind: String,
    attempts: String,
    created: String,
    run_at: String,
    reason: String,
}

fn line(j: JobListRow) -> Line {
    let short = |s: &str| s.chars().take(16).collect::<String>().replace('T', " ");
    Line {
        attempts: format!("{}/{}", j.attempts, j.max_attempts),
        created: short(&j.created_at),
        run_at: short(&j.run_at),
        reason: j.last_error.unwrap_or_default(),
        id: j.id,
        kind: j.kind,
    }
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% extends "base.html" %}
{% block content %}
<h1>{{ h1 }}</h1>
<p>{{ base.t.t("jobs-intro") }}</p>
<div class="table-wrap">
<table>
<caption>{{ base.t.t("jobs-backlog") }}</caption>
<thead><tr><th scope="col">{{ base.t.t("jobs-queue") }}</th><th scope="col">{{ base.t.t("jobs-q-kind") }}</th><th scope="col">{{ base.t.t("jobs-q-pending") }}</th><th scope="col">{{ base.t.t("jobs-q-due") }}</th><th scope="col">{{ base.t.t("jobs-q-failed") }}</th><th scope="col">{{ base.t.t("jobs-oldest") }}</th></tr></thead>
<tbody>
{% for q in backlog %}
<tr><td>{{ q.0 }}</td><td><code>{{ q.1 }}</code></td><td>{{ q.2 }}</td><td>{{ q.3 }}</td><td>{{ q.4 }}</td><td>{{ q.5 }}</td></tr>
{% endfor %}
{% if backlog.is_empty() %}<tr><td colspan="6">{{ base.t.t("none") }}</td></tr>{% endif %}
</tbody>
</table>
</div>
<div class="table-wrap">
<table>
<caption>{{ base.t.t("jobs-index-nodes") }}</caption>
<thead><tr><th scope="col">{{ base.t.t("jobs-node") }}</th><th scope="col">{{ base.t.t("jobs-applied") }}</th><th scope="col">{{ base.t.t("jobs-waiting") }}</th><th scope="col">{{ base.t.t("jobs-seen") }}</th></tr></thead>
<tbody>
{% for n in nodes %}
<tr><td><code>{{ n.0 }}</code></td><td>{{ n.1 }}</td><td>{{ n.2 }}</td><td>{{ n.3 }}</td></tr>
{% endfor %}
{% if nodes.is_empty() %}<tr><td colspan="4">{{ base.t.t("none") }}</td></tr>{% endif %}
</tbody>
</table>
</div>
{% for sec in sections %}
<div class="table-wrap">
<table>
<caption>{{ sec.caption }} ({{ sec.rows.len() }})</caption>
<thead><tr><th scope="col">{{ base.t.t("jobs-kind") }}</th><th scope="col">{{ base.t.t("jobs-attempts") }}</th><th scope="col">{{ base.t.t("jobs-created") }}</th><th scope="col">{{ base.t.t("jobs-due") }}</th><th scope="col">{{ base.t.t("jobs-reason") }}</th><th scope="col">{{ base.t.t("jobs-action") }}</th></tr></thead>
<tbody>
{% for j in sec.rows %}
<tr><td><code>{{ j.kind }}</code></td><td>{{ j.attempts }}</td><td>{{ j.created }}</td><td>{{ j.run_at }}</td><td>{{ j.reason }}</td>
<td>{% if sec.failed %}<form method="post" action="/admin/taches/{{ j.id }}/relancer" class="inline"><input type="hidden" name="_csrf" value="{{ base.csrf }}"><button type="submit">{{ base.t.t("jobs-retry") }} <span class="sr-only">{{ j.kind }} {{ j.id }}</span></button></form>{% endif %}</td></tr>
{% endfor %}
{% if sec.rows.is_empty() %}<tr><td colspan="6">{{ base.t.t("none") }}</td></tr>{% endif %}
</tbody>
</table>
</div>
{% endfor %}
{% endblock %}"#
)]
struct Page {
    base: Base,
    h1: String,
    /// Queue, kind, pending, due, failed, age of the oldest (seconds).
    backlog: Vec<(String, String, i64, i64, i64, String)>,
    /// Node, applied sequence, changes still to apply, last seen.
    nodes: Vec<(String, i64, i64, String)>,
    sections: Vec<Section>,
}

struct Section {
    caption: String,
    rows: Vec<Line>,
    failed: bool,
}

async fn list(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (failed, pending) = relais_app::jobs::waiting(&state.app, auth.actor(), 200)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let backlog = relais_app::jobs::backlog(&state.app, auth.actor())
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let short = |s: &str| s.chars().take(19).collect::<String>().replace('T', " ");
    let nodes = backlog
        .nodes
        .iter()
        .map(|(n, waiting)| {
            (
                n.node_id.clone(),
                n.applied_seq,
                *waiting,
                short(&n.seen_at),
            )
        })
        .collect();
    let queues = backlog
        .queues
        .iter()
        .map(|q| {
            (
                q.queue.clone(),
                q.kind.clone(),
                q.pending,
                q.due,
                q.failed,
                relais_app::jobs::oldest_age_seconds(&state.app, q)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let (h1, failed_caption, pending_caption) = (
        tr.t("jobs-title"),
        tr.t("jobs-failed"),
        tr.t("jobs-pending"),
    );
    let p = Page {
        base: Base::new(&auth, h1),
        h1: h1.into(),
        backlog: queues,
        nodes,
        sections: vec![
            Section {
                caption: failed_caption.into(),
                rows: failed.into_iter().map(line).collect(),
                failed: true,
            },
            Section {
                caption: pending_caption.into(),
                rows: pending.into_iter().map(line).collect(),
                failed: false,
            },
        ],
    };
    let html = p
        .render()
        .map_err(|e| PageError::new(AppError::Internal(format!("template: {e}")), tr))?;
    Ok(Html(html).into_response())
}

async fn retry(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = Id::parse(&id).ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
    relais_app::jobs::retry(&state.app, auth.actor(), id)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    Ok(Redirect::to("/admin/taches").into_response())
}
