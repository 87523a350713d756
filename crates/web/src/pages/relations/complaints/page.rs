//! The complaint page.

use super::*;

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
