//! The Comité de la relation établissements (/comite) and its meetings.

use super::{invalid_message, small_table};
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    form_reply, history_table, path_id, pe, render, render_markdown, Action, ActionPage,
    ActionRow as RowWithAction, FormData, FormPage, SmallForm,
};
use crate::view::{apply_errors, enum_options, fr_date, Base, Cell, Field, Link};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::engagement as uc;
use relais_app::engagement::MeetingRow;
use relais_app::engagement::{ComiteMemberInput, MeetingInput};
use relais_app::AppError;
use relais_domain::engagement::{may_manage_engagement, ComiteRole};
use relais_domain::DomainError;

pub fn router() -> Router<AppState> {
    Router::new()
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

async fn comite_page(
    state: &AppState,
    auth: &Auth,
    error: Option<String>,
) -> Result<ActionPage, PageError> {
    let tr = auth.tr;
    let members = uc::comite_members(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let meetings = uc::list_meetings(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let manage = may_manage_engagement(auth.actor());
    let headers: Vec<String> = vec![
        tr.t("nom").to_string(),
        tr.t("etablissement").to_string(),
        tr.t("role").to_string(),
        tr.t("depuis").to_string(),
    ];
    let mut mt = small_table(tr, tr.t("membres").to_string(), &headers, manage);
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
                label: format!("{} — {name}", tr.t("retirer")),
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
                    tr.t("contact-d-un-etablissement").to_string(),
                    "",
                    contacts,
                    Some(""),
                ),
                Field::select(
                    tr,
                    "user_id",
                    tr.t("ou-personne-de-l-amue").to_string(),
                    "",
                    p.agents,
                    Some(""),
                ),
                Field::select(
                    tr,
                    "role",
                    tr.t("role-au-comite").to_string(),
                    "membre",
                    enum_options(ComiteRole::ALL, tr),
                    None,
                ),
                Field::new(tr, "date", "since_on", tr.t("depuis-le").to_string(), ""),
            ],
            submit: tr.t("ajouter-au-comite").to_string(),
        });
    }
    let headers: Vec<String> = vec![
        "Date".into(),
        tr.t("interaction-kind-reunion").to_string(),
        tr.t("lieu").to_string(),
        tr.t("compte-rendu").to_string(),
    ];
    let mut rt = small_table(tr, tr.t("reunions").to_string(), &headers, false);
    for m in &meetings {
        rt.rows.push(RowWithAction {
            cells: vec![
                Cell::text(fr_date(&m.held_on)),
                Cell::link(m.title.clone(), format!("/comite/reunions/{}", m.id)),
                Cell::opt(&m.place),
                Cell::text(if m.minutes.is_some() {
                    tr.t("disponible").to_string()
                } else {
                    tr.t("a-rediger").to_string()
                }),
            ],
            action: None,
        });
    }
    let mut links = vec![];
    if manage {
        links.push(Link::new(
            "/comite/reunions/nouvelle",
            tr.t("nouvelle-reunion").to_string(),
        ));
    }
    let title = tr.t("comite-de-la-relation-etablissements").to_string();
    Ok(ActionPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        subtitle: Some(tr.t_args(
            "members-membres-meetings-reunions",
            &[
                ("meetings", meetings.len().to_string().into()),
                ("members", members.len().to_string().into()),
            ],
        )),
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
        tr.t("ordre-du-jour"),
        render_markdown(&m.agenda)
    );
    out.push_str(&format!("<h2>{}</h2>\n", tr.t("compte-rendu")));
    match &m.minutes {
        Some(md) => out.push_str(&render_markdown(md)),
        None => out.push_str(&format!("<p>{}</p>", tr.t("pas-encore-redige"))),
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
    let mut links = vec![Link::new("/comite", tr.t("le-comite").to_string())];
    if may_manage_engagement(auth.actor()) {
        links.push(Link::new(
            format!("/comite/reunions/{id}/modifier"),
            tr.t("edit"),
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
            (tr.t("lieu").to_string(), Cell::opt(&m.place)),
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
            tr.t("titre").to_string(),
            f.get("title"),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "place",
            tr.t("lieu").to_string(),
            f.get("place"),
        ),
        Field::new(
            tr,
            "textarea",
            "agenda",
            tr.t("ordre-du-jour-markdown").to_string(),
            f.get("agenda"),
        )
        .required(),
        Field::new(
            tr,
            "textarea",
            "minutes",
            tr.t("compte-rendu-markdown").to_string(),
            f.get("minutes"),
        ),
    ];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = tr.t("reunion-du-comite").to_string();
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action,
        fields,
        errors,
        submit: tr.t("save").into(),
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
