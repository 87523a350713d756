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
    form_reply, fr, history_table, nonempty, pager, paris, path_id, pe, render, render_markdown,
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
use relais_app::engagement::{ActionInput, ComplaintInput, QualificationInput};
use relais_app::AppError;
use relais_domain::engagement::{
    may_treat_complaints, ActionStatus, ComplaintChannel, ComplaintSeverity, ComplaintStatus,
    Touchpoint,
};
use relais_domain::{DomainError, Id};
use relais_store::engagement::ComplaintFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reclamations", get(list).post(create))
        .route("/reclamations/nouvelle", get(new_form))
        .route("/reclamations/analyse", get(analysis))
        .route("/reclamations/{id}", get(show))
        .route(
            "/reclamations/{id}/qualifier",
            get(qualify_form).post(qualify),
        )
        .route("/reclamations/{id}/cloturer", get(close_form).post(close))
        .route("/reclamations/{id}/rouvrir", post(reopen))
        .route("/reclamations/{id}/notes", post(add_note))
        .route("/reclamations/{id}/actions", post(add_action))
        .route("/reclamations/{id}/actions/{action}", post(action_status))
}

pub(crate) fn touchpoint_label(code: &str, tr: Tr) -> String {
    crate::label!(Touchpoint, code, tr)
}

pub(crate) fn status_label(code: &str, tr: Tr) -> String {
    crate::label!(ComplaintStatus, code, tr)
}

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
    let en = tr.en();
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
    let title = fr(tr, "Réclamations", "Complaints");
    let mut headers = vec![
        if en { "Complaint" } else { "Réclamation" },
        if en { "Filed" } else { "Déposée le" },
    ];
    if agency {
        headers.push(if en { "Institution" } else { "Établissement" });
    }
    headers.extend([
        if en {
            "Touchpoint"
        } else {
            "Irritant (étape du parcours)"
        },
        if en { "Severity" } else { "Gravité" },
        if en { "Status" } else { "Statut" },
        if en { "Due" } else { "Échéance" },
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
    let mut status_opts = vec![("ouvertes".to_string(), fr(tr, "Ouvertes", "Open"))];
    status_opts.extend(enum_options(
        ComplaintStatus::ALL,
        ComplaintStatus::code,
        ComplaintStatus::label,
        tr,
    ));
    let filters = vec![
        Field::select(
            tr,
            "status",
            fr(tr, "Statut", "Status"),
            q.status.as_deref().unwrap_or(""),
            status_opts,
            Some(tr.get("all")),
        ),
        Field::select(
            tr,
            "touchpoint",
            fr(tr, "Irritant", "Touchpoint"),
            q.touchpoint.as_deref().unwrap_or(""),
            enum_options(Touchpoint::ALL, Touchpoint::code, Touchpoint::label, tr),
            Some(tr.get("all")),
        ),
    ];
    let mut actions = vec![Link::new(
        "/reclamations/nouvelle",
        if agency {
            fr(tr, "Enregistrer une réclamation", "Register a complaint")
        } else {
            fr(tr, "Déposer une réclamation", "File a complaint")
        },
    )];
    if agency {
        actions.push(Link::new(
            "/reclamations?responsable=moi&status=ouvertes",
            fr(tr, "Mes réclamations ouvertes", "My open complaints"),
        ));
        actions.push(Link::new(
            "/reclamations/analyse",
            fr(tr, "Analyse des irritants", "Irritants' analysis"),
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

// ---------------------------------------------------------------- filing

fn complaint_fields(
    tr: Tr,
    f: &FormData,
    agency: bool,
    p: &uc::Pickers,
    contacts: &[(String, String)],
) -> Vec<Field> {
    let en = tr.en();
    let mut fields = vec![];
    if agency && !f.get("ticket_id").is_empty() {
        fields.push(Field::new(
            tr,
            "hidden",
            "ticket_id",
            "",
            f.get("ticket_id"),
        ));
    }
    if agency {
        fields.push(
            Field::select(
                tr,
                "institution_id",
                fr(tr, "Établissement", "Institution"),
                &f.get("institution_id"),
                p.institutions.clone(),
                Some(""),
            )
            .required(),
        );
        if !contacts.is_empty() {
            fields.push(Field::select(
                tr,
                "contact_id",
                fr(tr, "Contact concerné", "Contact concerned"),
                &f.get("contact_id"),
                contacts.to_vec(),
                Some(if en { "None" } else { "Aucun" }),
            ));
        }
        let channels: Vec<(String, String)> = [
            ComplaintChannel::Agent,
            ComplaintChannel::Telephone,
            ComplaintChannel::Mail,
        ]
        .iter()
        .map(|c| (c.code().to_string(), c.label(en).to_string()))
        .collect();
        fields.push(Field::select(
            tr,
            "channel",
            fr(tr, "Canal", "Channel"),
            &f.get("channel"),
            channels,
            None,
        ));
    }
    fields.push(
        Field::new(
            tr,
            "text",
            "title",
            fr(tr, "Objet", "Subject"),
            f.get("title"),
        )
        .required(),
    );
    fields.push(
        Field::select(
            tr,
            "touchpoint",
            fr(
                tr,
                "Étape du parcours concernée (irritant)",
                "Touchpoint concerned",
            ),
            &f.get("touchpoint"),
            enum_options(Touchpoint::ALL, Touchpoint::code, Touchpoint::label, tr),
            Some(""),
        )
        .required(),
    );
    fields.push(
        Field::select(
            tr,
            "severity",
            fr(tr, "Gravité", "Severity"),
            &f.get("severity"),
            enum_options(
                ComplaintSeverity::ALL,
                ComplaintSeverity::code,
                ComplaintSeverity::label,
                tr,
            ),
            Some(""),
        )
        .required(),
    );
    fields.push(Field::select(
        tr,
        "product_id",
        fr(tr, "Produit concerné", "Product concerned"),
        &f.get("product_id"),
        p.products.clone(),
        Some(if en { "None" } else { "Aucun" }),
    ));
    fields.push(
        Field::new(
            tr,
            "textarea",
            "description",
            fr(tr, "Description", "Description"),
            f.get("description"),
        )
        .required(),
    );
    fields
}

fn complaint_input(f: &FormData) -> ComplaintInput {
    ComplaintInput {
        institution_id: f.opt("institution_id"),
        contact_id: f.opt("contact_id"),
        touchpoint: f.get("touchpoint"),
        severity: f.get("severity"),
        title: f.get("title"),
        description: f.get("description"),
        product_id: f.opt("product_id"),
        channel: f.opt("channel"),
        ticket_id: f.opt("ticket_id"),
    }
}

async fn filing_form(
    state: &AppState,
    auth: &Auth,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let agency = auth.actor().role.is_agency();
    if agency && !may_treat_complaints(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let p = uc::pickers(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    // The contacts of the institution, when it is known (the link from
    // the institution's page, or a form sent back with errors).
    let contacts = match f.opt("institution_id") {
        Some(i) if agency && Id::parse(&i).is_some() => {
            uc::contacts_of(&state.app, auth.actor(), &i)
                .await
                .map_err(pe(tr))?
        }
        _ => vec![],
    };
    let mut fields = complaint_fields(tr, f, agency, &p, &contacts);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = if agency {
        fr(tr, "Enregistrer une réclamation", "Register a complaint")
    } else {
        fr(tr, "Déposer une réclamation", "File a complaint")
    };
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: "/reclamations".into(),
        fields,
        errors,
        submit: fr(tr, "Envoyer", "Send"),
        cancel: "/reclamations".into(),
    };
    form_reply(&page, err.is_some(), tr)
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ComplaintQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let mut f = FormData::default();
    if let Some(i) = nonempty(&q.institution) {
        f.0.push(("institution_id".into(), i));
    }
    // Converting a ticket (perhaps opened by an inbound mail): its
    // institution, product, subject and channel prefill the form.
    if let Some(t) = nonempty(&q.ticket) {
        let t = uc::ticket_for_complaint(&state.app, auth.actor(), path_id(&t, tr)?)
            .await
            .map_err(pe(tr))?;
        let channel = if t.channel == "mail" { "mail" } else { "agent" };
        f = FormData(vec![
            ("ticket_id".into(), t.id.clone()),
            ("institution_id".into(), t.institution_id.clone()),
            ("product_id".into(), t.product_id.clone()),
            ("channel".into(), channel.into()),
            ("touchpoint".into(), "support".into()),
            ("title".into(), t.subject.clone()),
            (
                "description".into(),
                format!(
                    "{} {} ({}).",
                    fr(tr, "Réclamation issue du ticket", "Complaint from ticket"),
                    t.reference,
                    t.subject
                ),
            ),
        ]);
    }
    filing_form(&state, &auth, &f, None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::file_complaint(
        &state.app,
        auth.actor(),
        complaint_input(&f),
        ComplaintChannel::Page,
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/reclamations/{id}?ok=reclamation")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            filing_form(&state, &auth, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

// ---------------------------------------------------------------- the page

async fn complaint_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    error: Option<String>,
) -> Result<ActionPage, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let v = uc::get_complaint(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let k = &v.complaint;
    let treat = v.internal && may_treat_complaints(auth.actor());
    let closed = k.status == ComplaintStatus::Close.code();
    let mut facts = vec![
        (
            fr(tr, "Établissement", "Institution"),
            Cell::link(
                k.institution_name.clone(),
                format!("/etablissements/{}", k.institution_id),
            ),
        ),
        (
            fr(tr, "Déposée le", "Filed on"),
            Cell::text(paris(&k.created_at)),
        ),
        (
            fr(tr, "Canal", "Channel"),
            Cell::text(crate::label!(ComplaintChannel, &k.channel, tr)),
        ),
        (
            fr(tr, "Irritant (étape du parcours)", "Touchpoint"),
            Cell::text(touchpoint_label(&k.touchpoint, tr)),
        ),
        (
            fr(tr, "Gravité", "Severity"),
            Cell::text(crate::label!(ComplaintSeverity, &k.severity, tr)),
        ),
        (fr(tr, "Produit", "Product"), Cell::opt(&k.product_name)),
        (
            fr(tr, "Ticket d'origine", "Original ticket"),
            match (&k.ticket_id, &k.ticket_reference) {
                (Some(t), Some(r)) => Cell::link(r.clone(), format!("/support/{t}")),
                _ => Cell::text("—"),
            },
        ),
        (
            fr(tr, "Pôle responsable", "Department"),
            Cell::opt(&k.team_name),
        ),
        (fr(tr, "Suivie par", "Owner"), Cell::opt(&k.owner_name)),
        (fr(tr, "Échéance", "Due"), opt_date(&k.due_on)),
        (
            fr(tr, "Statut", "Status"),
            Cell::text(status_label(&k.status, tr)),
        ),
    ];
    if v.internal {
        facts.insert(
            1,
            (
                fr(tr, "Contact concerné", "Contact"),
                match (&k.contact_id, &k.contact_name) {
                    (Some(cid), Some(n)) => Cell::link(n.clone(), format!("/contacts/{cid}")),
                    _ => Cell::text("—"),
                },
            ),
        );
        facts.insert(
            2,
            (
                fr(tr, "Déposée par", "Filed by"),
                Cell::opt(&k.filed_by_name),
            ),
        );
    }
    if closed {
        facts.push((
            fr(tr, "Close le", "Closed on"),
            Cell::text(k.closed_at.as_deref().map(paris).unwrap_or_default()),
        ));
    }
    if let Some(a) = &k.answer {
        facts.push((
            fr(tr, "Réponse de l'Amue", "The agency's answer"),
            Cell::text(a.clone()),
        ));
    }
    let mut links = vec![Link::new(
        "/reclamations",
        fr(tr, "Toutes les réclamations", "All complaints"),
    )];
    let mut buttons = vec![];
    if treat {
        links.push(Link::new(
            format!("/reclamations/{id}/qualifier"),
            fr(tr, "Qualifier", "Qualify"),
        ));
        if closed {
            buttons.push(Action {
                action: format!("/reclamations/{id}/rouvrir"),
                label: fr(tr, "Rouvrir", "Reopen"),
            });
        } else {
            links.push(Link::new(
                format!("/reclamations/{id}/cloturer"),
                fr(tr, "Clôturer avec une réponse", "Close with an answer"),
            ));
        }
    }
    // Corrective actions: the member sees titles, due dates and statuses.
    let mut headers = vec![
        if en { "Action" } else { "Action corrective" },
        if en { "Due" } else { "Échéance" },
        if en { "Status" } else { "Statut" },
    ];
    if v.internal {
        headers.extend([
            if en { "Owner" } else { "Responsable" },
            if en {
                "Details (internal)"
            } else {
                "Détails (interne)"
            },
        ]);
    }
    let mut actions_table = ActionTable {
        caption: fr(tr, "Actions correctives", "Corrective actions"),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        has_actions: treat,
        colspan: headers.len() + usize::from(treat),
        rows: vec![],
        empty: tr.get("none").to_string(),
        form: None,
    };
    for a in &v.actions {
        let mut cells = vec![
            Cell::text(a.title.clone()),
            opt_date(&a.due_on),
            Cell::text(crate::label!(ActionStatus, &a.status, tr)),
        ];
        if v.internal {
            cells.push(Cell::opt(&a.owner_name));
            cells.push(Cell::opt(&a.details));
        }
        let next = match ActionStatus::from_code(&a.status) {
            Some(ActionStatus::AFaire) => {
                Some((ActionStatus::EnCours, fr(tr, "Démarrer", "Start")))
            }
            Some(ActionStatus::EnCours) => {
                Some((ActionStatus::Faite, fr(tr, "Marquer faite", "Mark done")))
            }
            _ => None,
        };
        actions_table.rows.push(RowWithAction {
            cells,
            action: next.filter(|_| treat).map(|(s, label)| Action {
                action: format!("/reclamations/{id}/actions/{}?statut={}", a.id, s.code()),
                label: format!("{label} — {}", a.title),
            }),
        });
    }
    let mut tables = vec![];
    if treat {
        let p = uc::pickers(&state.app, auth.actor())
            .await
            .map_err(pe(tr))?;
        actions_table.form = Some(SmallForm {
            action: format!("/reclamations/{id}/actions"),
            fields: vec![
                Field::new(
                    tr,
                    "text",
                    "action_title",
                    fr(tr, "Nouvelle action corrective", "New corrective action"),
                    "",
                )
                .required(),
                Field::new(
                    tr,
                    "textarea",
                    "details",
                    fr(tr, "Détails (interne)", "Details (internal)"),
                    "",
                ),
                Field::select(
                    tr,
                    "action_owner_id",
                    fr(tr, "Responsable", "Owner"),
                    "",
                    p.agents.clone(),
                    Some(if en { "Nobody" } else { "Personne" }),
                ),
                Field::new(tr, "date", "action_due_on", fr(tr, "Échéance", "Due"), ""),
            ],
            submit: fr(tr, "Ajouter l'action", "Add the action"),
        });
    }
    tables.push(actions_table);
    if v.internal {
        let mut notes = ActionTable {
            caption: fr(tr, "Notes internes", "Internal notes"),
            headers: vec![
                "Date".into(),
                fr(tr, "Auteur·rice", "Author"),
                "Note".into(),
            ],
            has_actions: false,
            colspan: 3,
            rows: vec![],
            empty: tr.get("none").to_string(),
            form: None,
        };
        for n in &v.notes {
            notes.rows.push(RowWithAction {
                cells: vec![
                    Cell::text(paris(&n.created_at)),
                    Cell::opt(&n.author_name),
                    Cell::text(n.body.clone()),
                ],
                action: None,
            });
        }
        if treat {
            notes.form = Some(SmallForm {
                action: format!("/reclamations/{id}/notes"),
                fields: vec![Field::new(
                    tr,
                    "textarea",
                    "body",
                    fr(
                        tr,
                        "Nouvelle note interne (jamais montrée à l'établissement)",
                        "New internal note (never shown to the institution)",
                    ),
                    "",
                )
                .required()],
                submit: fr(tr, "Ajouter la note", "Add the note"),
            });
        }
        tables.push(notes);
    }
    let history = if v.internal {
        Some(history_table(
            tr,
            uc::history(&state.app, auth.actor(), "complaint", id)
                .await
                .map_err(pe(tr))?,
        ))
    } else {
        None
    };
    Ok(ActionPage {
        base: Base::new(auth, k.title.clone()),
        h1: k.title.clone(),
        subtitle: Some(format!(
            "{} · {}",
            fr(tr, "Réclamation", "Complaint"),
            status_label(&k.status, tr)
        )),
        error,
        links,
        buttons,
        facts,
        body_html: Some(render_markdown(&k.description)),
        resources: vec![],
        attendance: None,
        tables,
        history,
        upload: None,
    })
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let p = complaint_page(&state, &auth, id, None).await?;
    Ok(render(&p, tr)?.into_response())
}

/// After a form on the complaint page: back to it, or the page again with
/// the reason (422).
async fn after_step<T>(
    state: &AppState,
    auth: &Auth,
    id: Id,
    r: Result<T, AppError>,
    ok: &str,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/reclamations/{id}?ok={ok}")).into_response()),
        Err(AppError::Domain(DomainError::Invalid(errs))) => {
            let msg = errs
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
                .join(" ");
            let p = complaint_page(state, auth, id, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn add_note(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::add_note(&state.app, auth.actor(), id, &f.get("body")).await;
    after_step(&state, &auth, id, r, "note_reclamation").await
}

async fn add_action(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::add_action(
        &state.app,
        auth.actor(),
        id,
        ActionInput {
            title: f.get("action_title"),
            details: f.opt("details"),
            owner_id: f.opt("action_owner_id"),
            due_on: f.opt("action_due_on"),
        },
    )
    .await;
    after_step(&state, &auth, id, r, "action_corrective").await
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct StatusQuery {
    statut: Option<String>,
}

async fn action_status(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, action)): Path<(String, String)>,
    Query(q): Query<StatusQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let action = path_id(&action, tr)?;
    let r = uc::set_action_status(
        &state.app,
        auth.actor(),
        id,
        action,
        q.statut.as_deref().unwrap_or(""),
    )
    .await;
    after_step(&state, &auth, id, r, "action_corrective").await
}

async fn reopen(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::reopen(&state.app, auth.actor(), id).await;
    after_step(&state, &auth, id, r, "reclamation_rouverte").await
}

// ---------------------------------------------------------------- qualify

async fn qualification_form(
    state: &AppState,
    auth: &Auth,
    id: Id,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    if !may_treat_complaints(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let v = uc::get_complaint(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let p = uc::pickers(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let statuses: Vec<(String, String)> = [ComplaintStatus::Nouvelle, ComplaintStatus::EnCours]
        .iter()
        .map(|s| (s.code().to_string(), s.label(en).to_string()))
        .collect();
    let mut fields = vec![
        Field::select(
            tr,
            "touchpoint",
            fr(tr, "Irritant (étape du parcours)", "Touchpoint"),
            &f.get("touchpoint"),
            enum_options(Touchpoint::ALL, Touchpoint::code, Touchpoint::label, tr),
            None,
        )
        .required(),
        Field::select(
            tr,
            "severity",
            fr(tr, "Gravité", "Severity"),
            &f.get("severity"),
            enum_options(
                ComplaintSeverity::ALL,
                ComplaintSeverity::code,
                ComplaintSeverity::label,
                tr,
            ),
            None,
        )
        .required(),
        Field::select(
            tr,
            "product_id",
            fr(tr, "Produit", "Product"),
            &f.get("product_id"),
            p.products,
            Some(if en { "None" } else { "Aucun" }),
        ),
        Field::select(
            tr,
            "team_id",
            fr(tr, "Pôle responsable", "Department"),
            &f.get("team_id"),
            p.teams,
            Some(if en { "None" } else { "Aucun" }),
        ),
        Field::select(
            tr,
            "owner_id",
            fr(tr, "Suivie par", "Owner"),
            &f.get("owner_id"),
            p.agents,
            Some(if en { "Nobody" } else { "Personne" }),
        ),
        Field::new(
            tr,
            "date",
            "due_on",
            fr(tr, "Échéance", "Due"),
            f.get("due_on"),
        ),
    ];
    if v.complaint.status != ComplaintStatus::Close.code() {
        fields.push(Field::select(
            tr,
            "status",
            fr(tr, "Statut", "Status"),
            &f.get("status"),
            statuses,
            None,
        ));
    }
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = format!("{} — {}", fr(tr, "Qualifier", "Qualify"), v.complaint.title);
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: format!("/reclamations/{id}/qualifier"),
        fields,
        errors,
        submit: tr.get("save").into(),
        cancel: format!("/reclamations/{id}"),
    };
    form_reply(&page, err.is_some(), tr)
}

async fn qualify_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let v = uc::get_complaint(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let k = v.complaint;
    let f = FormData(vec![
        ("touchpoint".into(), k.touchpoint),
        ("severity".into(), k.severity),
        ("product_id".into(), k.product_id.unwrap_or_default()),
        ("team_id".into(), k.team_id.unwrap_or_default()),
        ("owner_id".into(), k.owner_id.unwrap_or_default()),
        ("due_on".into(), k.due_on.unwrap_or_default()),
        ("status".into(), k.status),
    ]);
    qualification_form(&state, &auth, id, &f, None).await
}

async fn qualify(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let input = QualificationInput {
        touchpoint: f.get("touchpoint"),
        severity: f.get("severity"),
        product_id: f.opt("product_id"),
        team_id: f.opt("team_id"),
        owner_id: f.opt("owner_id"),
        due_on: f.opt("due_on"),
        status: f.opt("status").unwrap_or_else(|| "en_cours".into()),
    };
    match uc::qualify(&state.app, auth.actor(), id, input).await {
        Ok(()) => Ok(Redirect::to(&format!("/reclamations/{id}?ok=qualification")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            qualification_form(&state, &auth, id, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

// ---------------------------------------------------------------- close

async fn closing_form(
    state: &AppState,
    auth: &Auth,
    id: Id,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !may_treat_complaints(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let v = uc::get_complaint(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut fields = vec![Field::new(
        tr,
        "textarea",
        "answer",
        fr(
            tr,
            "Réponse à l'établissement (visible par ses correspondants)",
            "Answer to the institution (its members read it)",
        ),
        f.get("answer"),
    )
    .required()];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = format!("{} — {}", fr(tr, "Clôturer", "Close"), v.complaint.title);
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: format!("/reclamations/{id}/cloturer"),
        fields,
        errors,
        submit: fr(tr, "Clôturer et répondre", "Close and answer"),
        cancel: format!("/reclamations/{id}"),
    };
    form_reply(&page, err.is_some(), tr)
}

async fn close_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    closing_form(&state, &auth, id, &FormData::default(), None).await
}

async fn close(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::close(&state.app, auth.actor(), id, &f.get("answer")).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/reclamations/{id}?ok=reclamation_close")).into_response())
        }
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            closing_form(&state, &auth, id, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

// ---------------------------------------------------------------- analysis

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct AnalysisQuery {
    mois: Option<i64>,
}

fn trend(tr: Tr, recent: i64, previous: i64) -> String {
    let word = match recent.cmp(&previous) {
        std::cmp::Ordering::Greater => fr(tr, "en hausse", "rising"),
        std::cmp::Ordering::Less => fr(tr, "en baisse", "falling"),
        std::cmp::Ordering::Equal => fr(tr, "stable", "steady"),
    };
    format!("{recent} / {previous} ({word})")
}

fn stat_table(
    tr: Tr,
    caption: String,
    first: &str,
    stats: &[uc::IrritantStat],
    codes: bool,
) -> ActionTable {
    let en = tr.en();
    let headers = [
        first,
        if en { "Complaints" } else { "Réclamations" },
        if en {
            "Last 6 months / 6 months before"
        } else {
            "6 derniers mois / 6 mois précédents"
        },
        if en { "Open" } else { "Ouvertes" },
        if en {
            "Median days to close"
        } else {
            "Délai médian de clôture (jours)"
        },
    ];
    let mut t = ActionTable {
        caption,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        has_actions: false,
        colspan: headers.len(),
        rows: vec![],
        empty: tr.get("none").to_string(),
        form: None,
    };
    for s in stats {
        let key = if codes {
            Cell::link(
                touchpoint_label(&s.key, tr),
                format!("/reclamations?touchpoint={}", s.key),
            )
        } else {
            Cell::text(s.key.clone())
        };
        t.rows.push(RowWithAction {
            cells: vec![
                key,
                Cell::text(s.count.to_string()),
                Cell::text(trend(tr, s.recent, s.previous)),
                Cell::text(s.open.to_string()),
                Cell::text(
                    s.median_days_to_close
                        .map(|d| format!("{d:.1}"))
                        .unwrap_or_else(|| "—".into()),
                ),
            ],
            action: None,
        });
    }
    t
}

async fn analysis(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AnalysisQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let a = uc::analysis(&state.app, auth.actor(), q.mois.unwrap_or(24))
        .await
        .map_err(pe(tr))?;
    let title = fr(tr, "Analyse des irritants", "Irritants' analysis");
    let facts = vec![
        (
            fr(tr, "Période", "Period"),
            Cell::text(if tr.en() {
                format!("the last {} months (since {})", a.months, fr_date(&a.since))
            } else {
                format!(
                    "les {} derniers mois (depuis le {})",
                    a.months,
                    fr_date(&a.since)
                )
            }),
        ),
        (
            fr(tr, "Réclamations", "Complaints"),
            Cell::text(a.total.to_string()),
        ),
        (
            fr(tr, "Classement", "Ranking"),
            Cell::text(fr(
                tr,
                "par nombre de réclamations, puis par nombre récent",
                "by number of complaints, then by recent number",
            )),
        ),
    ];
    let tables = vec![
        stat_table(
            tr,
            fr(
                tr,
                "Irritants par étape du parcours",
                "Irritants by touchpoint",
            ),
            if tr.en() {
                "Touchpoint"
            } else {
                "Étape du parcours"
            },
            &a.by_touchpoint,
            true,
        ),
        stat_table(
            tr,
            fr(tr, "Par pôle responsable", "By department"),
            if tr.en() { "Department" } else { "Pôle" },
            &a.by_department,
            false,
        ),
        stat_table(
            tr,
            fr(tr, "Par produit", "By product"),
            if tr.en() { "Product" } else { "Produit" },
            &a.by_product,
            false,
        ),
    ];
    let p = ActionPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        subtitle: None,
        error: None,
        links: vec![
            Link::new("/reclamations", fr(tr, "Réclamations", "Complaints")),
            Link::new(
                "/reclamations/analyse?mois=12",
                fr(tr, "12 mois", "12 months"),
            ),
            Link::new(
                "/reclamations/analyse?mois=24",
                fr(tr, "24 mois", "24 months"),
            ),
        ],
        buttons: vec![],
        facts,
        body_html: None,
        resources: vec![],
        attendance: None,
        tables,
        history: None,
        upload: None,
    };
    Ok(render(&p, tr)?.into_response())
}

/// The complaints section of an institution's 360° page: the open count,
/// links to the list and to file one, and the last five.
pub(crate) async fn institution_section(
    state: &AppState,
    auth: &Auth,
    institution: Id,
) -> Result<
    (
        Vec<(String, Cell)>,
        Table,
        Vec<relais_app::crm::TimelineEntry>,
    ),
    PageError,
> {
    let tr = auth.tr;
    let en = tr.en();
    let (open, last) = uc::institution_complaints(&state.app, auth.actor(), institution)
        .await
        .map_err(pe(tr))?;
    let facts = vec![
        (
            fr(tr, "Réclamations ouvertes", "Open complaints"),
            Cell::link(
                open.to_string(),
                format!("/reclamations?institution={institution}&status=ouvertes"),
            ),
        ),
        (
            fr(tr, "Nouvelle réclamation", "New complaint"),
            if auth.actor().role.is_agency() {
                Cell::link(
                    fr(tr, "Enregistrer une réclamation", "Register a complaint"),
                    format!("/reclamations/nouvelle?institution={institution}"),
                )
            } else {
                Cell::link(
                    fr(tr, "Déposer une réclamation", "File a complaint"),
                    "/reclamations/nouvelle",
                )
            },
        ),
    ];
    let mut table = Table::new(
        tr,
        fr(tr, "Dernières réclamations", "Latest complaints"),
        &[
            if en { "Complaint" } else { "Réclamation" },
            if en { "Filed" } else { "Déposée le" },
            if en { "Touchpoint" } else { "Irritant" },
            if en { "Status" } else { "Statut" },
        ],
    );
    let mut timeline = Vec::new();
    for k in last {
        timeline.push(relais_app::crm::TimelineEntry {
            date: k.created_at[..10].to_string(),
            source: "reclamation".into(),
            title: k.title.clone(),
            detail: Some(touchpoint_label(&k.touchpoint, tr)),
            link: Some(format!("/reclamations/{}", k.id)),
        });
        table.rows.push(vec![
            Cell::link(k.title.clone(), format!("/reclamations/{}", k.id)),
            Cell::text(fr_date(&k.created_at)),
            Cell::text(touchpoint_label(&k.touchpoint, tr)),
            Cell::text(status_label(&k.status, tr)),
        ]);
    }
    Ok((facts, table, timeline))
}
