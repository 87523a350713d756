//! Interaction and task pages: the agency's notes about its members
//! (meetings, calls, visits, e-mails) and the follow-up tasks they lead to.
//! These are agency notes: for anyone else every page here answers 404, the
//! same as a record that does not exist.

use crate::auth::{safe_next, Auth};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::institution_options;
use crate::kit::{
    form_reply, nonempty, path_id, pe, render, DetailPage, FormData, FormPage, ListPage, Section,
};
use crate::label;
use crate::view::{apply_errors, enum_options, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::crm as uc;
use relais_app::crm::{ContactFilter, TaskFilter};
use relais_app::AppError;
use relais_domain::crm::*;
use relais_domain::{DomainError, Id};

/// How many interactions the list shows, newest first.
const LIST_LIMIT: i64 = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/interactions", get(list).post(create))
        .route("/interactions/nouveau", get(new_form))
        .route("/interactions/{id}", get(show))
        .route("/taches", get(tasks).post(create_task))
        .route("/taches/nouveau", get(new_task))
        .route("/taches/{id}/statut", post(set_status))
}

/// Interactions and tasks do not exist for members: 404, not 403, so a
/// member cannot even learn that agency notes are kept.
fn agency_only(auth: &Auth) -> Result<(), PageError> {
    if auth.actor().can_read_interactions() {
        Ok(())
    } else {
        Err(PageError::new(DomainError::NotFound, auth.tr))
    }
}

async fn staff_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(relais_app::accounts::agency_staff(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .filter(|u| u.active == 1)
        .map(|u| (u.id, u.display_name))
        .collect())
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct InteractionQuery {
    institution: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<InteractionQuery>,
) -> Result<Response, PageError> {
    agency_only(&auth)?;
    let tr = auth.tr;
    let inst = nonempty(&q.institution).and_then(|s| Id::parse(&s));
    let rows = uc::list_interactions(&state.app, auth.actor(), inst, LIST_LIMIT)
        .await
        .map_err(pe(tr))?;
    let title = tr.t("nav-interactions");
    let mut table = Table::new(
        tr,
        tr.t("interactions-avec-les-adherents-des-plus"),
        &[
            "Date",
            tr.t("objet"),
            tr.t("etablissement"),
            "Type",
            tr.t("auteur-rice"),
        ],
    );
    for n in &rows {
        table.rows.push(vec![
            Cell::text(crate::view::fr_date(&n.occurred_on)),
            Cell::link(n.subject.clone(), format!("/interactions/{}", n.id)),
            Cell::link(
                n.institution_name.clone(),
                format!("/etablissements/{}", n.institution_id),
            ),
            Cell::text(label!(InteractionKind, &n.kind, tr)),
            Cell::opt(&n.author_name),
        ]);
    }
    let filters = vec![Field::select(
        tr,
        "institution",
        tr.t("etablissement"),
        q.institution.as_deref().unwrap_or(""),
        institution_options(&state, &auth).await?,
        Some(tr.t("all")),
    )];
    let new_href = match inst {
        Some(i) => format!("/interactions/nouveau?institution={i}"),
        None => "/interactions/nouveau".into(),
    };
    let actions = vec![
        Link::new(new_href, tr.t("noter-une-interaction")),
        Link::new("/taches", tr.t("nav-tasks")),
    ];
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.to_string(),
        path: "/interactions".into(),
        actions,
        filters,
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    agency_only(&auth)?;
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let n = uc::get_interaction(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let contact = match n.contact_id.as_deref().and_then(Id::parse) {
        Some(cid) => match uc::get_contact(&state.app, auth.actor(), cid).await {
            Ok(c) => Cell::link(
                format!("{} {}", c.first_name, c.last_name),
                format!("/contacts/{cid}"),
            ),
            Err(_) => Cell::text("—"),
        },
        None => Cell::text("—"),
    };
    let facts = vec![
        (
            (tr.t("etablissement")).to_string(),
            Cell::link(
                n.institution_name.clone(),
                format!("/etablissements/{}", n.institution_id),
            ),
        ),
        (
            "Type".into(),
            Cell::text(label!(InteractionKind, &n.kind, tr)),
        ),
        (
            "Date".into(),
            Cell::text(crate::view::fr_date(&n.occurred_on)),
        ),
        ("Contact".into(), contact),
        ((tr.t("auteur-rice")).into(), Cell::opt(&n.author_name)),
        ((tr.t("compte-rendu-2")).into(), Cell::opt(&n.summary)),
    ];
    let tasks = uc::list_tasks(
        &state.app,
        auth.actor(),
        &TaskFilter {
            institution_id: Some(n.institution_id.clone()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .map_err(pe(tr))?;
    let mut tb = Table::new(
        tr,
        tr.t("taches-issues-de-cette-interaction"),
        &[
            tr.t("tache"),
            tr.t("echeance"),
            tr.t("statut"),
            tr.t("responsable-2"),
        ],
    );
    let own = id.to_string();
    for t in tasks
        .iter()
        .filter(|t| t.interaction_id.as_deref() == Some(own.as_str()))
    {
        tb.rows.push(vec![
            Cell::text(t.title.clone()),
            Cell::date(&t.due_on),
            Cell::text(label!(TaskStatus, &t.status, tr)),
            Cell::opt(&t.assignee_name),
        ]);
    }
    let actions = vec![Link::new(
        format!("/taches/nouveau?institution={}", n.institution_id),
        tr.t("nouvelle-tache"),
    )];
    let p = DetailPage {
        base: Base::new(&auth, n.subject.clone()),
        h1: n.subject.clone(),
        subtitle: Some(format!("{} · {}", n.institution_name, n.occurred_on)),
        actions,
        facts,
        sections: vec![Section {
            title: tr.t("nav-tasks").into(),
            table: tb,
        }],
    };
    Ok(render(&p, tr)?.into_response())
}

/// Form fields. With a known institution the contact select lists its
/// contacts; without one, the institution is chosen first and contacts
/// can be linked afterwards (the page works without JavaScript).
fn interaction_fields(
    tr: Tr,
    f: &FormData,
    institutions: Option<&[(String, String)]>,
    contacts: &[(String, String)],
) -> Vec<Field> {
    let mut fields = vec![];
    match institutions {
        Some(list) => fields.push(
            Field::select(
                tr,
                "institution_id",
                tr.t("etablissement"),
                &f.get("institution_id"),
                list.iter().cloned(),
                Some(tr.t("choisissez-un-etablissement")),
            )
            .required(),
        ),
        None => fields.push(Field::new(
            tr,
            "hidden",
            "institution_id",
            "",
            f.get("institution_id"),
        )),
    }
    fields.extend([
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(InteractionKind::ALL, tr),
            None,
        )
        .required(),
        Field::new(tr, "date", "occurred_on", "Date", f.get("occurred_on")).required(),
        Field::new(tr, "text", "subject", tr.t("objet"), f.get("subject")).required(),
        Field::new(
            tr,
            "textarea",
            "summary",
            tr.t("compte-rendu-2"),
            f.get("summary"),
        ),
    ]);
    if institutions.is_none() {
        fields.push(Field::select(
            tr,
            "contact_id",
            tr.t("contact-rencontre"),
            &f.get("contact_id"),
            contacts.iter().cloned(),
            Some(tr.t("aucun")),
        ));
    }
    fields.extend([
        Field::new(
            tr,
            "text",
            "follow_up",
            tr.t("tache-de-suivi-facultative"),
            f.get("follow_up"),
        )
        .hint(tr.t("elle-vous-sera-attribuee")),
        Field::new(
            tr,
            "date",
            "follow_up_due",
            tr.t("echeance-de-la-tache-de-suivi"),
            f.get("follow_up_due"),
        ),
    ]);
    fields
}

async fn interaction_page(
    state: &AppState,
    auth: &Auth,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let inst = Id::parse(f.get("institution_id").trim());
    let (fields, inst_name) = match inst {
        Some(i) => {
            let row = uc::get_institution(&state.app, auth.actor(), i)
                .await
                .map_err(pe(tr))?;
            let (contacts, _) = uc::list_contacts(
                &state.app,
                auth.actor(),
                &ContactFilter {
                    institution_id: Some(i.to_string()),
                    limit: 1000,
                    ..Default::default()
                },
            )
            .await
            .map_err(pe(tr))?;
            let contacts: Vec<(String, String)> = contacts
                .into_iter()
                .map(|c| (c.id, format!("{} {}", c.first_name, c.last_name)))
                .collect();
            (interaction_fields(tr, f, None, &contacts), Some(row.name))
        }
        None => {
            let institutions = institution_options(state, auth).await?;
            (interaction_fields(tr, f, Some(&institutions), &[]), None)
        }
    };
    let mut fields = fields;
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let base_title = tr.t("noter-une-interaction");
    let (title, cancel) = match (&inst_name, inst) {
        (Some(name), Some(i)) => (
            format!("{base_title} — {name}"),
            format!("/etablissements/{i}"),
        ),
        _ => (base_title.to_string(), "/interactions".to_string()),
    };
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: "/interactions".into(),
        fields,
        errors,
        submit: tr.t("save").into(),
        cancel,
    };
    form_reply(&page, err.is_some(), tr)
}

#[derive(serde::Deserialize)]
struct NewQuery {
    institution: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    agency_only(&auth)?;
    let tr = auth.tr;
    let today = state.app.clock.now().format("%Y-%m-%d").to_string();
    let mut f = FormData(vec![
        ("kind".into(), InteractionKind::Reunion.code().into()),
        ("occurred_on".into(), today),
    ]);
    if let Some(raw) = q.institution.as_deref().filter(|s| !s.is_empty()) {
        let inst = Id::parse(raw).ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
        f.0.push(("institution_id".into(), inst.to_string()));
    }
    interaction_page(&state, &auth, &f, None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    agency_only(&auth)?;
    let tr = auth.tr;
    let input = uc::InteractionInput {
        institution_id: f.get("institution_id"),
        kind: f.get("kind"),
        occurred_on: f.get("occurred_on"),
        subject: f.get("subject"),
        summary: f.opt("summary"),
        contact_id: f.opt("contact_id"),
        follow_up: f.opt("follow_up"),
        follow_up_due: f.opt("follow_up_due"),
    };
    match uc::create_interaction(&state.app, auth.actor(), input).await {
        Ok(id) => Ok(Redirect::to(&format!("/interactions/{id}?ok=interaction")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            interaction_page(&state, &auth, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

// ---------------------------------------------------------------- tasks

/// A small POST form in a table row.
struct RowAction {
    action: String,
    hidden: Vec<(String, String)>,
    label: String,
    /// Said to screen readers after the label, so each button is distinct.
    context: String,
}

struct TaskLine {
    cells: Vec<Cell>,
    action: Option<RowAction>,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    base: Base,
    h1: String,
    path: String,
    actions: Vec<Link>,
    filters: Vec<Field>,
    caption: String,
    headers: Vec<String>,
    action_header: String,
    rows: Vec<TaskLine>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct TaskQuery {
    /// `1`: only the tasks assigned to me.
    mine: Option<String>,
    status: Option<String>,
    institution: Option<String>,
}

async fn tasks(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TaskQuery>,
) -> Result<Response, PageError> {
    agency_only(&auth)?;
    let tr = auth.tr;
    let mine = q.mine.as_deref() == Some("1");
    let f = TaskFilter {
        institution_id: nonempty(&q.institution),
        assignee_id: mine.then(|| auth.actor().user_id.to_string()),
        status: nonempty(&q.status),
        limit: 1000,
    };
    let rows = uc::list_tasks(&state.app, auth.actor(), &f)
        .await
        .map_err(pe(tr))?;
    // Return to the same filtered list after marking a task done.
    let back = without_flash(&auth.path);
    let done_label = tr.t("marquer-comme-faite");
    let lines = rows
        .into_iter()
        .map(|t| {
            let open = t.status == TaskStatus::AFaire.code();
            TaskLine {
                action: open.then(|| RowAction {
                    action: format!("/taches/{}/statut", t.id),
                    hidden: vec![
                        ("status".into(), TaskStatus::Faite.code().into()),
                        ("retour".into(), back.clone()),
                    ],
                    label: done_label.into(),
                    context: t.title.clone(),
                }),
                cells: vec![
                    Cell::text(t.title),
                    Cell::link(
                        t.institution_name,
                        format!("/etablissements/{}", t.institution_id),
                    ),
                    Cell::date(&t.due_on),
                    Cell::text(label!(TaskStatus, &t.status, tr)),
                    Cell::opt(&t.assignee_name),
                ],
            }
        })
        .collect();
    let filters = vec![
        Field::select(
            tr,
            "mine",
            tr.t("responsable-2"),
            if mine { "1" } else { "" },
            [("1".to_string(), (tr.t("mes-taches")).to_string())],
            Some(tr.t("tout-le-monde")),
        ),
        Field::select(
            tr,
            "status",
            tr.t("statut"),
            q.status.as_deref().unwrap_or(""),
            enum_options(TaskStatus::ALL, tr),
            Some(tr.t("all")),
        ),
    ];
    let new_href = match nonempty(&q.institution) {
        Some(i) => format!("/taches/nouveau?institution={}", urlencoding::encode(&i)),
        None => "/taches/nouveau".into(),
    };
    let title = tr.t("nav-tasks");
    let p = TasksPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        path: "/taches".into(),
        actions: vec![Link::new(new_href, tr.t("nouvelle-tache"))],
        filters,
        caption: (tr.t("taches-de-suivi-les-ouvertes-d")).into(),
        headers: [
            tr.t("tache"),
            tr.t("etablissement"),
            tr.t("echeance"),
            tr.t("statut"),
            tr.t("responsable-2"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        action_header: "Action".into(),
        rows: lines,
    };
    Ok(render(&p, tr)?.into_response())
}

fn task_fields(
    tr: Tr,
    f: &FormData,
    institutions: Option<&[(String, String)]>,
    staff: &[(String, String)],
) -> Vec<Field> {
    let mut fields = vec![match institutions {
        Some(list) => Field::select(
            tr,
            "institution_id",
            tr.t("etablissement"),
            &f.get("institution_id"),
            list.iter().cloned(),
            Some(tr.t("choisissez-un-etablissement")),
        )
        .required(),
        None => Field::new(tr, "hidden", "institution_id", "", f.get("institution_id")),
    }];
    fields.extend([
        Field::new(tr, "text", "title", tr.t("tache"), f.get("title")).required(),
        Field::new(tr, "date", "due_on", tr.t("echeance-2"), f.get("due_on")),
        Field::select(
            tr,
            "assignee_id",
            tr.t("responsable-2"),
            &f.get("assignee_id"),
            staff.iter().cloned(),
            None,
        ),
    ]);
    fields
}

async fn task_page(
    state: &AppState,
    auth: &Auth,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let staff = staff_options(state, tr).await?;
    let base_title = tr.t("nouvelle-tache");
    let (mut fields, title, cancel) = match Id::parse(f.get("institution_id").trim()) {
        Some(i) => {
            let row = uc::get_institution(&state.app, auth.actor(), i)
                .await
                .map_err(pe(tr))?;
            (
                task_fields(tr, f, None, &staff),
                format!("{base_title} — {}", row.name),
                format!("/etablissements/{i}"),
            )
        }
        None => {
            let institutions = institution_options(state, auth).await?;
            (
                task_fields(tr, f, Some(&institutions), &staff),
                base_title.to_string(),
                "/taches".to_string(),
            )
        }
    };
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: "/taches".into(),
        fields,
        errors,
        submit: tr.t("create").into(),
        cancel,
    };
    form_reply(&page, err.is_some(), tr)
}

async fn new_task(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    agency_only(&auth)?;
    let tr = auth.tr;
    let mut f = FormData(vec![(
        "assignee_id".into(),
        auth.actor().user_id.to_string(),
    )]);
    if let Some(raw) = q.institution.as_deref().filter(|s| !s.is_empty()) {
        let inst = Id::parse(raw).ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
        f.0.push(("institution_id".into(), inst.to_string()));
    }
    task_page(&state, &auth, &f, None).await
}

async fn create_task(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    agency_only(&auth)?;
    let tr = auth.tr;
    let input = uc::TaskInput {
        institution_id: f.get("institution_id"),
        title: f.get("title"),
        due_on: f.opt("due_on"),
        assignee_id: f.opt("assignee_id"),
    };
    match uc::create_task(&state.app, auth.actor(), input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/etablissements/{}?ok=task",
            f.get("institution_id").trim()
        ))
        .into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            task_page(&state, &auth, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

/// The path without its `ok=` status parameter, so it is not repeated.
fn without_flash(path: &str) -> String {
    match path.split_once('?') {
        None => path.to_string(),
        Some((p, q)) => {
            let rest: Vec<&str> = q.split('&').filter(|kv| !kv.starts_with("ok=")).collect();
            if rest.is_empty() {
                p.to_string()
            } else {
                format!("{p}?{}", rest.join("&"))
            }
        }
    }
}

async fn set_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    agency_only(&auth)?;
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::set_task_status(&state.app, auth.actor(), id, &f.get("status"))
        .await
        .map_err(pe(tr))?;
    let back = match f.opt("retour") {
        Some(r) => safe_next(Some(&r)),
        None => "/taches".into(),
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}ok=task")).into_response())
}
