//! Campaigns of qualified contacts (/campagnes).

use super::{invalid_message, small_table};
use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{
    form_reply, history_table, nonempty, path_id, pe, render, render_markdown, ActionPage,
    ActionRow as RowWithAction, FormData, FormPage, ListPage, SmallForm,
};
use crate::view::{apply_errors, enum_options, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::engagement as uc;
use relais_app::engagement::TargetFilter;
use relais_app::engagement::{CampaignInput, ContactRecordInput};
use relais_app::AppError;
use relais_domain::engagement::{may_manage_engagement, percent, ContactOutcome, TargetStatus};
use relais_domain::{DomainError, Id};

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
}

async fn list_campaigns(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rows = uc::list_campaigns(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let title = tr.t("campagnes-de-contacts-qualifies").to_string();
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            tr.t("campagne"),
            tr.t("debut-2"),
            tr.t("fin-2"),
            tr.t("nav-institutions"),
            tr.t("avancement"),
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
            tr.t("nouvelle-campagne").to_string(),
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
            tr.t("titre").to_string(),
            f.get("title"),
        )
        .required(),
        Field::new(
            tr,
            "date",
            "starts_on",
            tr.t("debut-2").to_string(),
            f.get("starts_on"),
        )
        .required(),
        Field::new(
            tr,
            "date",
            "ends_on",
            tr.t("fin-2").to_string(),
            f.get("ends_on"),
        ),
        Field::new(
            tr,
            "textarea",
            "description",
            tr.t("objectif-et-consignes").to_string(),
            f.get("description"),
        ),
    ];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = tr.t("nouvelle-campagne").to_string();
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: "/campagnes".into(),
        fields,
        errors,
        submit: tr.t("creer-tous-les-adherents-chacun-confie").to_string(),
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
        (
            tr.t("debut-2").to_string(),
            Cell::text(fr_date(&c.starts_on)),
        ),
        (
            tr.t("fin-2").to_string(),
            Cell::text(
                c.ends_on
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            tr.t("avancement").to_string(),
            Cell::text(tr.t_args(
                "done-etablissements-traites-sur-targets-targets2",
                &[
                    ("done", c.done.to_string().into()),
                    ("targets", c.targets.to_string().into()),
                    ("targets2", (percent(c.done, c.targets)).to_string().into()),
                ],
            )),
        ),
    ];
    if f.manager_id.is_some() || f.status.is_some() {
        facts.push((
            tr.t("selection").to_string(),
            Cell::text(
                TargetStatus::ALL
                    .iter()
                    .map(|s| format!("{} : {}", tr.label(s), counts.get(s.code()).unwrap_or(&0)))
                    .collect::<Vec<_>>()
                    .join(" · "),
            ),
        ));
    }
    let headers: Vec<String> = vec![
        tr.t("etablissement").to_string(),
        tr.t("role-relation").to_string(),
        tr.t("statut").to_string(),
        tr.t("dernier-contact").to_string(),
        tr.t("echanges").to_string(),
    ];
    let mut table = small_table(
        tr,
        tr.t("etablissements-a-contacter").to_string(),
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
        Link::new(format!("/campagnes/{id}"), tr.t("all").to_string()),
        Link::new(
            format!("/campagnes/{id}?responsable=moi"),
            tr.t("mes-etablissements").to_string(),
        ),
        Link::new(
            format!("/campagnes/{id}?statut=a_contacter"),
            tr.t("restant-a-contacter").to_string(),
        ),
    ];
    links.insert(0, Link::new("/campagnes", tr.t("campagnes").to_string()));
    let history = Some(history_table(
        tr,
        uc::history(&state.app, auth.actor(), "campaign", id)
            .await
            .map_err(pe(tr))?,
    ));
    let p = ActionPage {
        base: Base::new(&auth, c.title.clone()),
        h1: c.title.clone(),
        subtitle: Some(tr.t("campagne-de-contacts-qualifies").to_string()),
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
    let v = uc::get_target(&state.app, auth.actor(), id, target)
        .await
        .map_err(pe(tr))?;
    let manage = may_manage_engagement(auth.actor());
    let t = &v.target;
    let facts = vec![
        (
            tr.t("campagne").to_string(),
            Cell::link(v.campaign.title.clone(), format!("/campagnes/{id}")),
        ),
        (
            tr.t("etablissement").to_string(),
            Cell::link(
                t.institution_name.clone(),
                format!("/etablissements/{}", t.institution_id),
            ),
        ),
        (
            tr.t("statut").to_string(),
            Cell::text(crate::label!(TargetStatus, &t.status, tr)),
        ),
    ];
    let headers: Vec<String> = vec![
        "Date".into(),
        tr.t("personne-jointe").to_string(),
        tr.t("resultat").to_string(),
        tr.t("donnees-corrigees").to_string(),
        "Notes".into(),
        tr.t("saisi-par").to_string(),
    ];
    let mut records = small_table(tr, tr.t("echanges").to_string(), &headers, false);
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
        tr.t("affectation").to_string(),
        &[tr.t("role-relation").to_string()],
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
                Field::new(
                    tr,
                    "date",
                    "contacted_on",
                    tr.t("date-de-l-echange").to_string(),
                    "",
                ),
                Field::select(
                    tr,
                    "contact_id",
                    tr.t("personne-jointe").to_string(),
                    "",
                    v.contacts.clone(),
                    Some(tr.t("personne-en-particulier")),
                ),
                Field::select(
                    tr,
                    "outcome",
                    tr.t("resultat").to_string(),
                    "",
                    enum_options(ContactOutcome::ALL, tr),
                    Some(""),
                )
                .required(),
                Field::new(
                    tr,
                    "textarea",
                    "corrections",
                    tr.t("donnees-corrigees").to_string(),
                    "",
                )
                .hint(tr.t("ce-qui-a-change-fonction-interlocuteur").to_string()),
                Field::new(tr, "textarea", "notes", "Notes", ""),
            ],
            submit: tr.t("enregistrer-l-echange").to_string(),
        });
        assignment.form = Some(SmallForm {
            action: format!("/campagnes/{id}/cibles/{target}/affectation"),
            fields: vec![Field::select(
                tr,
                "manager_id",
                tr.t("confier-a").to_string(),
                t.manager_id.as_deref().unwrap_or(""),
                p.agents,
                Some(tr.t("personne-2")),
            )],
            submit: tr.t("affecter").to_string(),
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
            tr.t("retour-a-la-campagne").to_string(),
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
