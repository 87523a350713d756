//! Complaint pages (`/reclamations`, issue 6): the list (a member sees their
//! own institution's, agency staff all, filtered by status and irritant),
//! filing (a member for their own institution; an agent for any, with the
//! contact and the channel), the complaint page (the member reads the
//! qualification, the corrective actions' titles and statuses and the
//! answer once closed; agency staff also the internal notes, the actions'
//! details and owners, the forms and the history), qualification and
//! closing forms, and the irritants' analysis (`/reclamations/analyse`).

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    form_reply, history_table, nonempty, pager, paris, path_id, pe, render, render_markdown,
    Action, ActionPage, ActionRow as RowWithAction, ActionTable, FormData, FormPage, ListPage,
    SmallForm, PAGE_SIZE,
};
use crate::view::{apply_errors, enum_options, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::engagement as uc;
use relais_app::engagement::ComplaintFilter;
use relais_app::engagement::{ActionInput, ComplaintInput, QualificationInput};
use relais_app::AppError;
use relais_domain::engagement::{
    may_treat_complaints, ActionStatus, ComplaintChannel, ComplaintSeverity, ComplaintStatus,
    Touchpoint,
};
use relais_domain::{DomainError, Id};

pub(crate) mod analysis;
mod filing;
mod handling;
mod page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reclamations", get(list).post(filing::create))
        .route("/reclamations/nouvelle", get(filing::new_form))
        .route("/reclamations/analyse", get(analysis::analysis))
        .route("/reclamations/{id}", get(page::show))
        .route(
            "/reclamations/{id}/qualifier",
            get(handling::qualify_form).post(handling::qualify),
        )
        .route(
            "/reclamations/{id}/cloturer",
            get(handling::close_form).post(handling::close),
        )
        .route("/reclamations/{id}/rouvrir", post(page::reopen))
        .route("/reclamations/{id}/notes", post(page::add_note))
        .route("/reclamations/{id}/actions", post(page::add_action))
        .route(
            "/reclamations/{id}/actions/{action}",
            post(page::action_status),
        )
}

use crate::kit::institution_360::{complaint_status_label as status_label, touchpoint_label};

fn opt_date(d: &Option<String>) -> Cell {
    Cell::text(d.as_deref().map(fr_date).unwrap_or_else(|| "—".into()))
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct ComplaintQuery {
    /// A ticket to convert into a complaint (agency).
    ticket: Option<String>,
    status: Option<String>,
    touchpoint: Option<String>,
    institution: Option<String>,
    /// `moi`: the complaints the reader owns (agency).
    responsable: Option<String>,
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ComplaintQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let agency = auth.actor().role.is_agency();
    let page = q.page.unwrap_or(1).max(1);
    let status = nonempty(&q.status);
    let f = ComplaintFilter {
        institution_id: nonempty(&q.institution),
        open_only: status.as_deref() == Some("ouvertes"),
        status: status.filter(|s| s != "ouvertes"),
        touchpoint: nonempty(&q.touchpoint),
        owner_id: (agency && q.responsable.as_deref() == Some("moi"))
            .then(|| auth.actor().user_id.to_string()),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let (rows, total) = uc::list_complaints(&state.app, auth.actor(), &f)
        .await
        .map_err(pe(tr))?;
    let title = tr.t("reclamations").to_string();
    let mut headers = vec![tr.t("reclamation"), tr.t("deposee-le-2")];
    if agency {
        headers.push(tr.t("etablissement"));
    }
    headers.extend([
        tr.t("irritant-etape-du-parcours"),
        tr.t("gravite"),
        tr.t("statut"),
        tr.t("echeance"),
    ]);
    let mut table = Table::new(tr, title.clone(), &headers);
    for k in rows {
        let mut row = vec![
            Cell::link(k.title.clone(), format!("/reclamations/{}", k.id)),
            Cell::text(fr_date(&k.created_at)),
        ];
        if agency {
            row.push(Cell::link(
                k.institution_name.clone(),
                format!("/etablissements/{}", k.institution_id),
            ));
        }
        row.extend([
            Cell::text(touchpoint_label(&k.touchpoint, tr)),
            Cell::text(crate::label!(ComplaintSeverity, &k.severity, tr)),
            Cell::text(status_label(&k.status, tr)),
            opt_date(&k.due_on),
        ]);
        table.rows.push(row);
    }
    let mut status_opts = vec![("ouvertes".to_string(), tr.t("ouvertes").to_string())];
    status_opts.extend(enum_options(ComplaintStatus::ALL, tr));
    let filters = vec![
        Field::select(
            tr,
            "status",
            tr.t("statut").to_string(),
            q.status.as_deref().unwrap_or(""),
            status_opts,
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "touchpoint",
            tr.t("irritant").to_string(),
            q.touchpoint.as_deref().unwrap_or(""),
            enum_options(Touchpoint::ALL, tr),
            Some(tr.t("all")),
        ),
    ];
    let mut actions = vec![Link::new(
        "/reclamations/nouvelle",
        if agency {
            tr.t("enregistrer-une-reclamation").to_string()
        } else {
            tr.t("deposer-une-reclamation").to_string()
        },
    )];
    if agency {
        actions.push(Link::new(
            "/reclamations?responsable=moi&status=ouvertes",
            tr.t("mes-reclamations-ouvertes").to_string(),
        ));
        actions.push(Link::new(
            "/reclamations/analyse",
            tr.t("analyse-des-irritants").to_string(),
        ));
    }
    let (prev, next) = pager(
        "/reclamations",
        &[
            ("status", q.status.clone()),
            ("touchpoint", q.touchpoint.clone()),
            ("institution", q.institution.clone()),
            ("responsable", q.responsable.clone()),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: "/reclamations".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}
