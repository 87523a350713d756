//! The complaint page.

use super::*;

async fn complaint_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    error: Option<String>,
) -> Result<ActionPage, PageError> {
    let tr = auth.tr;
    let v = uc::get_complaint(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let k = &v.complaint;
    let treat = v.internal && may_treat_complaints(auth.actor());
    let closed = k.status == ComplaintStatus::Close.code();
    let mut facts = vec![
        (
            tr.t("etablissement").to_string(),
            Cell::link(
                k.institution_name.clone(),
                format!("/etablissements/{}", k.institution_id),
            ),
        ),
        (
            tr.t("deposee-le").to_string(),
            Cell::text(paris(&k.created_at)),
        ),
        (
            tr.t("canal").to_string(),
            Cell::text(crate::label!(ComplaintChannel, &k.channel, tr)),
        ),
        (
            tr.t("irritant-etape-du-parcours").to_string(),
            Cell::text(touchpoint_label(&k.touchpoint, tr)),
        ),
        (
            tr.t("gravite").to_string(),
            Cell::text(crate::label!(ComplaintSeverity, &k.severity, tr)),
        ),
        (tr.t("produit").to_string(), Cell::opt(&k.product_name)),
        (
            tr.t("ticket-d-origine").to_string(),
            match (&k.ticket_id, &k.ticket_reference) {
                (Some(t), Some(r)) => Cell::link(r.clone(), format!("/support/{t}")),
                _ => Cell::text("—"),
            },
        ),
        (
            tr.t("pole-responsable").to_string(),
            Cell::opt(&k.team_name),
        ),
        (tr.t("suivie-par").to_string(), Cell::opt(&k.owner_name)),
        (tr.t("echeance").to_string(), opt_date(&k.due_on)),
        (
            tr.t("statut").to_string(),
            Cell::text(status_label(&k.status, tr)),
        ),
    ];
    if v.internal {
        facts.insert(
            1,
            (
                tr.t("contact-concerne-2").to_string(),
                match (&k.contact_id, &k.contact_name) {
                    (Some(cid), Some(n)) => Cell::link(n.clone(), format!("/contacts/{cid}")),
                    _ => Cell::text("—"),
                },
            ),
        );
        facts.insert(
            2,
            (tr.t("deposee-par").to_string(), Cell::opt(&k.filed_by_name)),
        );
    }
    if closed {
        facts.push((
            tr.t("close-le").to_string(),
            Cell::text(k.closed_at.as_deref().map(paris).unwrap_or_default()),
        ));
    }
    if let Some(a) = &k.answer {
        facts.push((tr.t("reponse-de-l-amue").to_string(), Cell::text(a.clone())));
    }
    let mut links = vec![Link::new(
        "/reclamations",
        tr.t("toutes-les-reclamations").to_string(),
    )];
    let mut buttons = vec![];
    if treat {
        links.push(Link::new(
            format!("/reclamations/{id}/qualifier"),
            tr.t("qualifier").to_string(),
        ));
        if closed {
            buttons.push(Action {
                action: format!("/reclamations/{id}/rouvrir"),
                label: tr.t("rouvrir").to_string(),
            });
        } else {
            links.push(Link::new(
                format!("/reclamations/{id}/cloturer"),
                tr.t("cloturer-avec-une-reponse").to_string(),
            ));
        }
    }
    // Corrective actions: the member sees titles, due dates and statuses.
    let mut headers = vec![tr.t("action-corrective"), tr.t("echeance"), tr.t("statut")];
    if v.internal {
        headers.extend([tr.t("responsable"), tr.t("details-interne")]);
    }
    let mut actions_table = ActionTable {
        caption: tr.t("actions-correctives").to_string(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        has_actions: treat,
        colspan: headers.len() + usize::from(treat),
        rows: vec![],
        empty: tr.t("none").to_string(),
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
                Some((ActionStatus::EnCours, tr.t("demarrer").to_string()))
            }
            Some(ActionStatus::EnCours) => {
                Some((ActionStatus::Faite, tr.t("marquer-faite").to_string()))
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
                    tr.t("nouvelle-action-corrective").to_string(),
                    "",
                )
                .required(),
                Field::new(
                    tr,
                    "textarea",
                    "details",
                    tr.t("details-interne").to_string(),
                    "",
                ),
                Field::select(
                    tr,
                    "action_owner_id",
                    tr.t("responsable").to_string(),
                    "",
                    p.agents.clone(),
                    Some(tr.t("personne-2")),
                ),
                Field::new(
                    tr,
                    "date",
                    "action_due_on",
                    tr.t("echeance").to_string(),
                    "",
                ),
            ],
            submit: tr.t("ajouter-l-action").to_string(),
        });
    }
    tables.push(actions_table);
    if v.internal {
        let mut notes = ActionTable {
            caption: tr.t("notes-internes").to_string(),
            headers: vec![
                "Date".into(),
                tr.t("auteur-rice").to_string(),
                "Note".into(),
            ],
            has_actions: false,
            colspan: 3,
            rows: vec![],
            empty: tr.t("none").to_string(),
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
                    tr.t("nouvelle-note-interne-jamais-montree-a").to_string(),
                    "",
                )
                .required()],
                submit: tr.t("ajouter-la-note").to_string(),
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
            tr.t("reclamation"),
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

pub(super) async fn show(
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

pub(super) async fn add_note(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::add_note(&state.app, auth.actor(), id, &f.get("body")).await;
    after_step(&state, &auth, id, r, "note_reclamation").await
}

pub(super) async fn add_action(
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
pub(super) struct StatusQuery {
    statut: Option<String>,
}

pub(super) async fn action_status(
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

pub(super) async fn reopen(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::reopen(&state.app, auth.actor(), id).await;
    after_step(&state, &auth, id, r, "reclamation_rouverte").await
}
