//! Campaigns of qualified contacts (`/campagnes`) and the Comité de la
//! relation établissements (`/comite`), issue 6. Agency-only pages: every
//! agency role reads, administrators and key-account managers write;
//! members get 403.
//!
//! A campaign's page lists the institutions to contact with their manager,
//! status and last contact, and its progress; an institution's page in the
//! campaign records each contact (person reached, outcome, data corrected)
//! and reassigns it. The comité's page lists its members (contacts of
//! institutions and agency staff, joined for display) and its meetings;
//! a meeting shows its agenda and minutes (Markdown, sanitised).

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    form_reply, fr, history_table, nonempty, path_id, pe, render, render_markdown, Action,
    ActionPage, ActionRow as RowWithAction, ActionTable, FormData, FormPage, ListPage, SmallForm,
};
use crate::view::{apply_errors, enum_options, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::engagement as uc;
use relais_app::engagement::{CampaignInput, ComiteMemberInput, ContactRecordInput, MeetingInput};
use relais_app::AppError;
use relais_domain::engagement::{
    may_manage_engagement, percent, ComiteRole, ContactOutcome, TargetStatus,
};
use relais_domain::{DomainError, Id};
use relais_store::engagement::{MeetingRow, TargetFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campagnes", get(list_campaigns).post(create_campaign))
        .route("/campagnes/nouvelle", get(new_campaign))
        .route("/campagnes/{id}", get(show_campaign))
        .route("/campagnes/{id}/cibles/{target}", get(show_target))
        .route(
            "/campagnes/{id}/cibles/{target}/contacts",
            post(record_contact),
        )
        .route(
            "/campagnes/{id}/cibles/{target}/affectation",
            post(assign_target),
        )
        .route("/comite", get(comite))
        .route("/comite/membres", post(add_member))
        .route("/comite/membres/{id}/retrait", post(remove_member))
        .route("/comite/reunions", post(create_meeting))
        .route("/comite/reunions/nouvelle", get(new_meeting))
        .route(
            "/comite/reunions/{id}",
            get(show_meeting).post(update_meeting),
        )
        .route("/comite/reunions/{id}/modifier", get(edit_meeting))
}

fn small_table(tr: Tr, caption: String, headers: &[String], has_actions: bool) -> ActionTable {
    ActionTable {
        caption,
        headers: headers.to_vec(),
        has_actions,
        colspan: headers.len() + usize::from(has_actions),
        rows: vec![],
        empty: tr.get("none").to_string(),
        form: None,
    }
}

fn invalid_message(errs: &[relais_domain::FieldError]) -> String {
    errs.iter()
        .map(|e| e.detail.clone())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------- campaigns

async fn list_campaigns(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let rows = uc::list_campaigns(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let title = fr(
        tr,
        "Campagnes de contacts qualifiés",
        "Qualified-contact campaigns",
    );
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            if en { "Campaign" } else { "Campagne" },
            if en { "Starts" } else { "Début" },
            if en { "Ends" } else { "Fin" },
            if en {
                "Institutions"
            } else {
                "Établissements"
            },
            if en { "Progress" } else { "Avancement" },
        ],
    );
    let total = rows.len() as i64;
    for c in rows {
        table.rows.push(vec![
            Cell::link(c.title.clone(), format!("/campagnes/{}", c.id)),
            Cell::text(fr_date(&c.starts_on)),
            Cell::text(
                c.ends_on
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::text(c.targets.to_string()),
            Cell::text(format!(
                "{} / {} ({} %)",
                c.done,
                c.targets,
                percent(c.done, c.targets)
            )),
        ]);
    }
    let mut actions = vec![];
    if may_manage_engagement(auth.actor()) {
        actions.push(Link::new(
            "/campagnes/nouvelle",
            fr(tr, "Nouvelle campagne", "New campaign"),
        ));
    }
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: "/campagnes".into(),
        actions,
        filters: vec![],
        total,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn campaign_form(
    auth: &Auth,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !may_manage_engagement(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let mut fields = vec![
        Field::new(
            tr,
            "text",
            "title",
            fr(tr, "Titre", "Title"),
            f.get("title"),
        )
        .required(),
        Field::new(
            tr,
            "date",
            "starts_on",
            fr(tr, "Début", "Starts"),
            f.get("starts_on"),
        )
        .required(),
        Field::new(
            tr,
            "date",
            "ends_on",
            fr(tr, "Fin", "Ends"),
            f.get("ends_on"),
        ),
        Field::new(
            tr,
            "textarea",
            "description",
            fr(tr, "Objectif et consignes", "Goal and instructions"),
            f.get("description"),
        ),
    ];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = fr(tr, "Nouvelle campagne", "New campaign");
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: "/campagnes".into(),
        fields,
        errors,
        submit: fr(
            tr,
            "Créer (tous les adhérents, chacun confié à son chargé de relation)",
            "Create (every member, each assigned to its key-account manager)",
        ),
        cancel: "/campagnes".into(),
    };
    form_reply(&p, err.is_some(), tr)
}

async fn new_campaign(auth: Auth) -> Result<Response, PageError> {
    campaign_form(&auth, &FormData::default(), None).await
}

async fn create_campaign(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let input = CampaignInput {
        title: f.get("title"),
        description: f.opt("description"),
        starts_on: f.opt("starts_on"),
        ends_on: f.opt("ends_on"),
    };
    match uc::create_campaign(&state.app, auth.actor(), input).await {
        Ok(id) => {
            Ok(Redirect::to(&format!("/campagnes/{id}?ok=campagne_contacts")).into_response())
        }
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            campaign_form(&auth, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct TargetQuery {
    responsable: Option<String>,
    statut: Option<String>,
}

async fn show_campaign(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<TargetQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let id = path_id(&id, tr)?;
    let me = auth.actor().user_id.to_string();
    let f = TargetFilter {
        manager_id: nonempty(&q.responsable).map(|m| if m == "moi" { me.clone() } else { m }),
        status: nonempty(&q.statut),
    };
    let (c, targets) = uc::get_campaign(&state.app, auth.actor(), id, &f)
        .await
        .map_err(pe(tr))?;
    let mut counts = std::collections::BTreeMap::new();
    for t in &targets {
        *counts.entry(t.status.clone()).or_insert(0i64) += 1;
    }
    let mut facts = vec![
        (fr(tr, "Début", "Starts"), Cell::text(fr_date(&c.starts_on))),
        (
            fr(tr, "Fin", "Ends"),
            Cell::text(
                c.ends_on
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            fr(tr, "Avancement", "Progress"),
            Cell::text(if en {
                format!(
                    "{} of {} institutions dealt with ({} %)",
                    c.done,
                    c.targets,
                    percent(c.done, c.targets)
                )
            } else {
                format!(
                    "{} établissements traités sur {} ({} %)",
                    c.done,
                    c.targets,
                    percent(c.done, c.targets)
                )
            }),
        ),
    ];
    if f.manager_id.is_some() || f.status.is_some() {
        facts.push((
            fr(tr, "Sélection", "Selection"),
            Cell::text(
                TargetStatus::ALL
                    .iter()
                    .map(|s| format!("{} : {}", s.label(en), counts.get(s.code()).unwrap_or(&0)))
                    .collect::<Vec<_>>()
                    .join(" · "),
            ),
        ));
    }
    let headers: Vec<String> = vec![
        fr(tr, "Établissement", "Institution"),
        fr(tr, "Chargé·e de relation", "Key-account manager"),
        fr(tr, "Statut", "Status"),
        fr(tr, "Dernier contact", "Last contact"),
        fr(tr, "Échanges", "Contacts"),
    ];
    let mut table = small_table(
        tr,
        fr(tr, "Établissements à contacter", "Institutions to contact"),
        &headers,
        false,
    );
    for t in &targets {
        table.rows.push(RowWithAction {
            cells: vec![
                Cell::link(
                    t.institution_name.clone(),
                    format!("/campagnes/{id}/cibles/{}", t.id),
                ),
                Cell::opt(&t.manager_name),
                Cell::text(crate::label!(TargetStatus, &t.status, tr)),
                Cell::text(
                    t.last_contact_on
                        .as_deref()
                        .map(fr_date)
                        .unwrap_or_else(|| "—".into()),
                ),
                Cell::text(t.contacts.to_string()),
            ],
            action: None,
        });
    }
    let mut links = vec![
        Link::new(format!("/campagnes/{id}"), fr(tr, "Tous", "All")),
        Link::new(
            format!("/campagnes/{id}?responsable=moi"),
            fr(tr, "Mes établissements", "My institutions"),
        ),
        Link::new(
            format!("/campagnes/{id}?statut=a_contacter"),
            fr(tr, "Restant à contacter", "Left to contact"),
        ),
    ];
    links.insert(0, Link::new("/campagnes", fr(tr, "Campagnes", "Campaigns")));
    let history = Some(history_table(
        tr,
        uc::history(&state.app, auth.actor(), "campaign", id)
            .await
            .map_err(pe(tr))?,
    ));
    let p = ActionPage {
        base: Base::new(&auth, c.title.clone()),
        h1: c.title.clone(),
        subtitle: Some(fr(
            tr,
            "Campagne de contacts qualifiés",
            "Qualified-contact campaign",
        )),
        error: None,
        links,
        buttons: vec![],
        facts,
        body_html: c.description.as_deref().map(render_markdown),
        resources: vec![],
        attendance: None,
        tables: vec![table],
        history,
        upload: None,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn target_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    target: Id,
    error: Option<String>,
) -> Result<ActionPage, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let v = uc::get_target(&state.app, auth.actor(), id, target)
        .await
        .map_err(pe(tr))?;
    let manage = may_manage_engagement(auth.actor());
    let t = &v.target;
    let facts = vec![
        (
            fr(tr, "Campagne", "Campaign"),
            Cell::link(v.campaign.title.clone(), format!("/campagnes/{id}")),
        ),
        (
            fr(tr, "Établissement", "Institution"),
            Cell::link(
                t.institution_name.clone(),
                format!("/etablissements/{}", t.institution_id),
            ),
        ),
        (
            fr(tr, "Statut", "Status"),
            Cell::text(crate::label!(TargetStatus, &t.status, tr)),
        ),
    ];
    let headers: Vec<String> = vec![
        "Date".into(),
        fr(tr, "Personne jointe", "Person reached"),
        fr(tr, "Résultat", "Outcome"),
        fr(tr, "Données corrigées", "Data corrected"),
        "Notes".into(),
        fr(tr, "Saisi par", "Recorded by"),
    ];
    let mut records = small_table(tr, fr(tr, "Échanges", "Contacts"), &headers, false);
    for r in &v.records {
        records.rows.push(RowWithAction {
            cells: vec![
                Cell::text(fr_date(&r.contacted_on)),
                match (&r.contact_id, &r.contact_name) {
                    (Some(cid), Some(n)) => Cell::link(n.clone(), format!("/contacts/{cid}")),
                    _ => Cell::text("—"),
                },
                Cell::text(crate::label!(ContactOutcome, &r.outcome, tr)),
                Cell::opt(&r.corrections),
                Cell::opt(&r.notes),
                Cell::opt(&r.recorded_by_name),
            ],
            action: None,
        });
    }
    let mut assignment = small_table(
        tr,
        fr(tr, "Affectation", "Assignment"),
        &[fr(tr, "Chargé·e de relation", "Key-account manager")],
        false,
    );
    assignment.rows.push(RowWithAction {
        cells: vec![Cell::opt(&t.manager_name)],
        action: None,
    });
    if manage {
        let p = uc::pickers(&state.app, auth.actor())
            .await
            .map_err(pe(tr))?;
        records.form = Some(SmallForm {
            action: format!("/campagnes/{id}/cibles/{target}/contacts"),
            fields: vec![
                Field::new(tr, "date", "contacted_on", fr(tr, "Date de l'échange", "Date"), ""),
                Field::select(
                    tr,
                    "contact_id",
                    fr(tr, "Personne jointe", "Person reached"),
                    "",
                    v.contacts.clone(),
                    Some(if en { "Nobody in particular" } else { "Personne en particulier" }),
                ),
                Field::select(
                    tr,
                    "outcome",
                    fr(tr, "Résultat", "Outcome"),
                    "",
                    enum_options(
                        ContactOutcome::ALL,
                        ContactOutcome::code,
                        ContactOutcome::label,
                        tr,
                    ),
                    Some(""),
                )
                .required(),
                Field::new(
                    tr,
                    "textarea",
                    "corrections",
                    fr(tr, "Données corrigées", "Data corrected"),
                    "",
                )
                .hint(fr(
                    tr,
                    "Ce qui a changé (fonction, interlocuteur, projets…) ; obligatoire si le résultat est « données corrigées ».",
                    "What changed (role, person, projects…); required when the outcome is \"data corrected\".",
                )),
                Field::new(tr, "textarea", "notes", "Notes", ""),
            ],
            submit: fr(tr, "Enregistrer l'échange", "Save the contact"),
        });
        assignment.form = Some(SmallForm {
            action: format!("/campagnes/{id}/cibles/{target}/affectation"),
            fields: vec![Field::select(
                tr,
                "manager_id",
                fr(tr, "Confier à", "Assign to"),
                t.manager_id.as_deref().unwrap_or(""),
                p.agents,
                Some(if en { "Nobody" } else { "Personne" }),
            )],
            submit: fr(tr, "Affecter", "Assign"),
        });
    }
    let history = Some(history_table(
        tr,
        uc::history(&state.app, auth.actor(), "campaign_target", target)
            .await
            .map_err(pe(tr))?,
    ));
    Ok(ActionPage {
        base: Base::new(auth, t.institution_name.clone()),
        h1: t.institution_name.clone(),
        subtitle: Some(v.campaign.title.clone()),
        error,
        links: vec![Link::new(
            format!("/campagnes/{id}"),
            fr(tr, "Retour à la campagne", "Back to the campaign"),
        )],
        buttons: vec![],
        facts,
        body_html: None,
        resources: vec![],
        attendance: None,
        tables: vec![records, assignment],
        history,
        upload: None,
    })
}

async fn show_target(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, target)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let target = path_id(&target, tr)?;
    let p = target_page(&state, &auth, id, target, None).await?;
    Ok(render(&p, tr)?.into_response())
}

async fn after_target<T>(
    state: &AppState,
    auth: &Auth,
    id: Id,
    target: Id,
    r: Result<T, AppError>,
    ok: &str,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match r {
        Ok(_) => {
            Ok(Redirect::to(&format!("/campagnes/{id}/cibles/{target}?ok={ok}")).into_response())
        }
        Err(AppError::Domain(DomainError::Invalid(errs))) => {
            let p = target_page(state, auth, id, target, Some(invalid_message(&errs))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn record_contact(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, target)): Path<(String, String)>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let target = path_id(&target, tr)?;
    let r = uc::record_contact(
        &state.app,
        auth.actor(),
        id,
        target,
        ContactRecordInput {
            contacted_on: f.opt("contacted_on"),
            contact_id: f.opt("contact_id"),
            outcome: f.get("outcome"),
            corrections: f.opt("corrections"),
            notes: f.opt("notes"),
        },
    )
    .await;
    after_target(&state, &auth, id, target, r, "echange").await
}

async fn assign_target(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, target)): Path<(String, String)>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let target = path_id(&target, tr)?;
    let r = uc::assign_target(&state.app, auth.actor(), id, target, f.opt("manager_id")).await;
    after_target(&state, &auth, id, target, r, "affectation").await
}

// ---------------------------------------------------------------- comité

async fn comite_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
) -> Result<ActionPage, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let members = uc::comite_members(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let meetings = uc::list_meetings(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let manage = may_manage_engagement(auth.actor());
    let headers: Vec<String> = vec![
        fr(tr, "Nom", "Name"),
        fr(tr, "Établissement", "Institution"),
        fr(tr, "Rôle", "Role"),
        fr(tr, "Depuis", "Since"),
    ];
    let mut mt = small_table(tr, fr(tr, "Membres", "Members"), &headers, manage);
    for m in &members {
        let name = m.name.clone().unwrap_or_else(|| "—".into());
        mt.rows.push(RowWithAction {
            cells: vec![
                match &m.contact_id {
                    Some(cid) => Cell::link(name.clone(), format!("/contacts/{cid}")),
                    None => Cell::text(name.clone()),
                },
                match (&m.institution_id, &m.institution_name) {
                    (Some(i), Some(n)) => Cell::link(n.clone(), format!("/etablissements/{i}")),
                    _ => Cell::text("Amue"),
                },
                Cell::text(crate::label!(ComiteRole, &m.role, tr)),
                Cell::text(fr_date(&m.since_on)),
            ],
            action: manage.then(|| Action {
                action: format!("/comite/membres/{}/retrait", m.id),
                label: format!("{} — {name}", fr(tr, "Retirer", "Remove")),
            }),
        });
    }
    if manage {
        let p = uc::pickers(&state.app, auth.actor())
            .await
            .map_err(pe(tr))?;
        let contacts = uc::all_contacts(&state.app, auth.actor())
            .await
            .map_err(pe(tr))?;
        mt.form = Some(SmallForm {
            action: "/comite/membres".into(),
            fields: vec![
                Field::select(
                    tr,
                    "contact_id",
                    fr(
                        tr,
                        "Contact d'un établissement",
                        "Contact of an institution",
                    ),
                    "",
                    contacts,
                    Some(""),
                ),
                Field::select(
                    tr,
                    "user_id",
                    fr(tr, "ou personne de l'Amue", "or agency staff"),
                    "",
                    p.agents,
                    Some(""),
                ),
                Field::select(
                    tr,
                    "role",
                    fr(tr, "Rôle au comité", "Role"),
                    "membre",
                    enum_options(ComiteRole::ALL, ComiteRole::code, ComiteRole::label, tr),
                    None,
                ),
                Field::new(tr, "date", "since_on", fr(tr, "Depuis le", "Since"), ""),
            ],
            submit: fr(tr, "Ajouter au comité", "Add to the committee"),
        });
    }
    let headers: Vec<String> = vec![
        "Date".into(),
        fr(tr, "Réunion", "Meeting"),
        fr(tr, "Lieu", "Place"),
        fr(tr, "Compte rendu", "Minutes"),
    ];
    let mut rt = small_table(tr, fr(tr, "Réunions", "Meetings"), &headers, false);
    for m in &meetings {
        rt.rows.push(RowWithAction {
            cells: vec![
                Cell::text(fr_date(&m.held_on)),
                Cell::link(m.title.clone(), format!("/comite/reunions/{}", m.id)),
                Cell::opt(&m.place),
                Cell::text(if m.minutes.is_some() {
                    fr(tr, "Disponible", "Available")
                } else {
                    fr(tr, "À rédiger", "To be written")
                }),
            ],
            action: None,
        });
    }
    let mut links = vec![];
    if manage {
        links.push(Link::new(
            "/comite/reunions/nouvelle",
            fr(tr, "Nouvelle réunion", "New meeting"),
        ));
    }
    let title = fr(
        tr,
        "Comité de la relation établissements",
        "Institutions relations committee",
    );
    Ok(ActionPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        subtitle: Some(if en {
            format!("{} members, {} meetings", members.len(), meetings.len())
        } else {
            format!("{} membres, {} réunions", members.len(), meetings.len())
        }),
        error,
        links,
        buttons: vec![],
        facts: vec![],
        body_html: None,
        resources: vec![],
        attendance: None,
        tables: vec![mt, rt],
        history: None,
        upload: None,
    })
}

async fn comite(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let p = comite_page(&state, &auth, None).await?;
    Ok(render(&p, tr)?.into_response())
}

async fn after_comite<T>(
    state: &AppState,
    auth: &Auth,
    r: Result<T, AppError>,
    ok: &str,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/comite?ok={ok}")).into_response()),
        Err(AppError::Domain(DomainError::Invalid(errs))) => {
            let p = comite_page(state, auth, Some(invalid_message(&errs))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let r = uc::add_comite_member(
        &state.app,
        auth.actor(),
        ComiteMemberInput {
            contact_id: f.opt("contact_id"),
            user_id: f.opt("user_id"),
            role: f.get("role"),
            since_on: f.opt("since_on"),
        },
    )
    .await;
    after_comite(&state, &auth, r, "membre_comite").await
}

async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::remove_comite_member(&state.app, auth.actor(), id).await;
    after_comite(&state, &auth, r, "membre_retire").await
}

/// Agenda and minutes as sanitised HTML under their own headings.
fn meeting_html(tr: Tr, m: &MeetingRow) -> String {
    let mut out = format!(
        "<h2>{}</h2>\n{}",
        fr(tr, "Ordre du jour", "Agenda"),
        render_markdown(&m.agenda)
    );
    out.push_str(&format!("<h2>{}</h2>\n", fr(tr, "Compte rendu", "Minutes")));
    match &m.minutes {
        Some(md) => out.push_str(&render_markdown(md)),
        None => out.push_str(&format!(
            "<p>{}</p>",
            fr(tr, "Pas encore rédigé.", "Not written yet.")
        )),
    }
    out
}

async fn show_meeting(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let m = uc::get_meeting(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut links = vec![Link::new("/comite", fr(tr, "Le comité", "The committee"))];
    if may_manage_engagement(auth.actor()) {
        links.push(Link::new(
            format!("/comite/reunions/{id}/modifier"),
            tr.get("edit"),
        ));
    }
    let history = Some(history_table(
        tr,
        uc::history(&state.app, auth.actor(), "comite_meeting", id)
            .await
            .map_err(pe(tr))?,
    ));
    let p = ActionPage {
        base: Base::new(&auth, m.title.clone()),
        h1: m.title.clone(),
        subtitle: Some(fr_date(&m.held_on)),
        error: None,
        links,
        buttons: vec![],
        facts: vec![
            ("Date".into(), Cell::text(fr_date(&m.held_on))),
            (fr(tr, "Lieu", "Place"), Cell::opt(&m.place)),
        ],
        body_html: Some(meeting_html(tr, &m)),
        resources: vec![],
        attendance: None,
        tables: vec![],
        history,
        upload: None,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn meeting_form(
    auth: &Auth,
    action: String,
    cancel: String,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !may_manage_engagement(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let mut fields = vec![
        Field::new(tr, "date", "held_on", "Date", f.get("held_on")).required(),
        Field::new(
            tr,
            "text",
            "title",
            fr(tr, "Titre", "Title"),
            f.get("title"),
        )
        .required(),
        Field::new(tr, "text", "place", fr(tr, "Lieu", "Place"), f.get("place")),
        Field::new(
            tr,
            "textarea",
            "agenda",
            fr(tr, "Ordre du jour (Markdown)", "Agenda (Markdown)"),
            f.get("agenda"),
        )
        .required(),
        Field::new(
            tr,
            "textarea",
            "minutes",
            fr(tr, "Compte rendu (Markdown)", "Minutes (Markdown)"),
            f.get("minutes"),
        ),
    ];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = fr(tr, "Réunion du comité", "Committee meeting");
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action,
        fields,
        errors,
        submit: tr.get("save").into(),
        cancel,
    };
    form_reply(&p, err.is_some(), tr)
}

fn meeting_input(f: &FormData) -> MeetingInput {
    MeetingInput {
        held_on: f.opt("held_on"),
        title: f.get("title"),
        place: f.opt("place"),
        agenda: f.get("agenda"),
        minutes: f.opt("minutes"),
    }
}

async fn new_meeting(auth: Auth) -> Result<Response, PageError> {
    meeting_form(
        &auth,
        "/comite/reunions".into(),
        "/comite".into(),
        &FormData::default(),
        None,
    )
    .await
}

async fn create_meeting(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_meeting(&state.app, auth.actor(), meeting_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/comite/reunions/{id}?ok=reunion")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            meeting_form(
                &auth,
                "/comite/reunions".into(),
                "/comite".into(),
                &f,
                Some(&e),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn edit_meeting(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let m = uc::get_meeting(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let f = FormData(vec![
        ("held_on".into(), m.held_on),
        ("title".into(), m.title),
        ("place".into(), m.place.unwrap_or_default()),
        ("agenda".into(), m.agenda),
        ("minutes".into(), m.minutes.unwrap_or_default()),
    ]);
    meeting_form(
        &auth,
        format!("/comite/reunions/{id}"),
        format!("/comite/reunions/{id}"),
        &f,
        None,
    )
    .await
}

async fn update_meeting(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_meeting(&state.app, auth.actor(), id, meeting_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/comite/reunions/{id}?ok=reunion")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            meeting_form(
                &auth,
                format!("/comite/reunions/{id}"),
                format!("/comite/reunions/{id}"),
                &f,
                Some(&e),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
