//! Training pages: the public catalogue (filters by domain, product,
//! modality, type and dates), a training and its sessions, the session page
//! (request a seat, the referent's approval, cancellation, the trainer's
//! attendance sheet), the member space (registrations, waiting-list place,
//! certificates, personal calendar address), pending requests, certificates
//! (printable page and PDF), statements per institution and per trainer
//! (page, CSV, PDF), the admin's tariffs and sanitary factor, the executive
//! cycles, and the iCalendar feeds.

use crate::auth::{Auth, RequestCtx};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::institution_360::attended_text;
use crate::kit::{
    form_reply, nonempty, path_id, pe, render, DetailPage, FormData, FormPage, ListPage, Section,
};
use crate::view::{apply_errors, enum_options, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use relais_app::training::TrainingFilter;
use relais_app::training::{self as uc, Decision, SessionView};
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::training::{euros, DayPart, Modality, RegistrationStatus, TrainingKind};
use relais_domain::{DomainError, Id};

mod sessions;

use sessions::{back_to, referer_path};
mod admin;
mod forms;
mod member;
mod statements;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/formations", get(catalogue).post(forms::create_training))
        .route("/formations/nouvelle", get(forms::new_training))
        .route("/formations/calendrier.ics", get(member::public_feed))
        .route("/formations/mes-inscriptions", get(member::mine))
        .route("/formations/demandes", get(member::pending))
        .route("/formations/agenda/renouveler", post(member::renew_feed))
        .route("/formations/agenda/revoquer", post(member::revoke_feed))
        .route("/formations/releves", get(statements::statement_page))
        .route("/formations/releves.csv", get(statements::statement_csv))
        .route("/formations/releves.pdf", get(statements::statement_pdf))
        .route("/formations/formateurs", get(statements::trainer_page))
        .route("/formations/formateurs.csv", get(statements::trainer_csv))
        .route("/formations/cycles", get(cycles))
        .route("/formations/cycles/{id}", get(admin::cycle))
        .route(
            "/formations/sessions/{id}",
            get(sessions::session_page).post(forms::update_session),
        )
        .route(
            "/formations/sessions/{id}/modifier",
            get(forms::edit_session),
        )
        .route(
            "/formations/sessions/{id}/demande",
            post(sessions::request_seat),
        )
        .route("/formations/sessions/{id}/presence", post(attendance))
        .route("/formations/inscriptions/{id}/valider", post(approve))
        .route(
            "/formations/inscriptions/{id}/refuser",
            post(sessions::refuse),
        )
        .route("/formations/inscriptions/{id}/annuler", post(cancel))
        .route(
            "/formations/inscriptions/{id}/attestation",
            get(member::certificate),
        )
        .route(
            "/formations/inscriptions/{id}/attestation.pdf",
            get(member::certificate_pdf),
        )
        .route(
            "/formations/{id}",
            get(sessions::training_page).post(forms::update_training),
        )
        .route("/formations/{id}/modifier", get(forms::edit_training))
        .route("/formations/{id}/sessions", post(forms::create_session))
        .route(
            "/formations/{id}/sessions/nouvelle",
            get(forms::new_session),
        )
        .route("/calendrier/{file}", get(member::personal_feed))
        .route("/admin/formation", get(admin::admin_page))
        .route("/admin/formation/parametres", post(admin::save_settings))
        .route("/admin/formation/tarifs", post(admin::save_tariff))
}

fn days_label(half_days: i64, tr: Tr) -> String {
    let d = half_days as f64 / 2.0;
    let n = if half_days % 2 == 0 {
        format!("{}", half_days / 2)
    } else {
        format!("{d:.1}").replace('.', ",")
    };
    // `$half` picks the form: French keeps the singular up to one day.
    tr.t_args(
        "training-days",
        &[("n", n.into()), ("half", half_days.into())],
    )
}

fn day_line(d: &NaiveDate, p: DayPart, tr: Tr) -> String {
    let ((h1, m1), (h2, m2)) = p.hours();
    format!(
        "{} — {} ({h1}h{m1:02}–{h2}h{m2:02})",
        d.format("%d/%m/%Y"),
        tr.label(p)
    )
}

/// The page frame for a page anyone may read: the usual one when logged
/// in, the anonymous one otherwise.
fn viewer(ctx: &RequestCtx, headers_path: &str) -> (Option<Auth>, Tr) {
    let tr = Tr(ctx.lang);
    match &ctx.session {
        Some(s) if !s.via_token => (
            Some(Auth {
                session: s.clone(),
                tr,
                path: headers_path.to_string(),
            }),
            tr,
        ),
        _ => (None, tr),
    }
}

fn frame(auth: &Option<Auth>, tr: Tr, title: &str, path: &str) -> Base {
    match auth {
        Some(a) => Base::new(a, title),
        None => Base::anonymous(tr, title, String::new(), path),
    }
}

fn full_path(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

/// The site's address for links in feeds and mails: the configured one
/// when mail is set up, else the request's host.
fn site_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(m) = &state.app.settings.mail {
        return m.base_url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct CatalogueQuery {
    q: Option<String>,
    domaine: Option<String>,
    produit: Option<String>,
    modalite: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    du: Option<String>,
    au: Option<String>,
}

fn valid_day(s: &Option<String>) -> Option<String> {
    nonempty(s).filter(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
}

async fn catalogue(
    State(state): State<AppState>,
    ctx: RequestCtx,
    uri: axum::http::Uri,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response, PageError> {
    let path = full_path(&uri);
    let (auth, tr) = viewer(&ctx, &path);
    let actor = auth.as_ref().map(|a| a.actor().clone());
    let f = TrainingFilter {
        q: nonempty(&q.q),
        domain: nonempty(&q.domaine),
        product: nonempty(&q.produit),
        modality: nonempty(&q.modalite),
        kind: nonempty(&q.kind),
        from: valid_day(&q.du),
        to: valid_day(&q.au),
        ..Default::default()
    };
    let rows = uc::catalogue(&state.app, actor.as_ref(), f)
        .await
        .map_err(pe(tr))?;
    let title = tr.t("catalogue-des-formations").to_string();
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            tr.t("touchpoint-formation"),
            tr.t("domaine"),
            tr.t("produit"),
            "Type",
            tr.t("modalite"),
            tr.t("duree"),
            tr.t("prochaine-session"),
        ],
    );
    for t in &rows {
        table.rows.push(vec![
            Cell::link(t.title.clone(), format!("/formations/{}", t.id)),
            Cell::opt(&t.domain_label),
            Cell::opt(&t.product_name),
            Cell::text(crate::label!(TrainingKind, &t.kind, tr)),
            Cell::text(crate::label!(Modality, &t.modality, tr)),
            Cell::text(days_label(t.half_days, tr)),
            Cell::text(
                t.next_session
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
        ]);
    }
    let domains = relais_app::crm::list_domains(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|d| (d.code, d.name));
    let products = relais_app::crm::list_products(&state.app, None)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|p| (p.id, p.name));
    let all = tr.t("all").to_string();
    let filters = vec![
        Field::new(
            tr,
            "search",
            "q",
            tr.t("mots-cles").to_string(),
            q.q.clone().unwrap_or_default(),
        ),
        Field::select(
            tr,
            "domaine",
            tr.t("domaine").to_string(),
            q.domaine.as_deref().unwrap_or(""),
            domains,
            Some(&all),
        ),
        Field::select(
            tr,
            "produit",
            tr.t("produit").to_string(),
            q.produit.as_deref().unwrap_or(""),
            products,
            Some(&all),
        ),
        Field::select(
            tr,
            "modalite",
            tr.t("modalite").to_string(),
            q.modalite.as_deref().unwrap_or(""),
            enum_options(Modality::ALL, tr),
            Some(&all),
        ),
        Field::select(
            tr,
            "type",
            "Type",
            q.kind.as_deref().unwrap_or(""),
            enum_options(TrainingKind::ALL, tr),
            Some(&all),
        ),
        Field::new(
            tr,
            "date",
            "du",
            tr.t("sessions-a-partir-du").to_string(),
            q.du.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "date",
            "au",
            tr.t("jusqu-au").to_string(),
            q.au.clone().unwrap_or_default(),
        ),
    ];
    let mut actions = vec![Link::new(
        "/formations/calendrier.ics",
        tr.t("agenda-des-sessions-icalendar").to_string(),
    )];
    if let Some(a) = &actor {
        actions.push(Link::new(
            "/formations/mes-inscriptions",
            tr.t("mes-inscriptions").to_string(),
        ));
        if a.role == Role::MemberAdmin || uc::can_manage(a) {
            actions.push(Link::new(
                "/formations/demandes",
                tr.t("demandes-a-valider").to_string(),
            ));
            actions.push(Link::new(
                "/formations/releves",
                tr.t("releves").to_string(),
            ));
        }
        actions.push(Link::new(
            "/formations/cycles",
            tr.t("cycles-des-cadres").to_string(),
        ));
        if uc::can_manage(a) {
            actions.push(Link::new(
                "/formations/nouvelle",
                tr.t("nouvelle-formation").to_string(),
            ));
        }
    }
    let page = ListPage {
        base: frame(&auth, tr, &title, &path),
        h1: title,
        path: "/formations".into(),
        actions,
        filters,
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&page, tr)?.into_response())
}

fn status_text(status: &str, pos: Option<i64>, tr: Tr) -> String {
    let label = crate::label!(RegistrationStatus, status, tr);
    match pos {
        Some(p) => tr.t_args(
            "registration-status-rank",
            &[("label", label.into()), ("rank", p.into())],
        ),
        None => label,
    }
}

async fn approve(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let d = uc::approve(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let to = match referer_path(&headers) {
        Some(p) => p,
        None => back_to(&state, &auth, id, "/formations/demandes").await,
    };
    let code = match d {
        Decision::Confirmed => "validee",
        Decision::WaitingList => "validee_attente",
    };
    Ok(Redirect::to(&format!("{to}?ok={code}")).into_response())
}

async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let out = uc::cancel(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let to = match referer_path(&headers) {
        Some(p) => p,
        None => back_to(&state, &auth, id, "/formations/mes-inscriptions").await,
    };
    let code = if out.late {
        "annulee_tardive"
    } else {
        "annulee"
    };
    Ok(Redirect::to(&format!("{to}?ok={code}")).into_response())
}

async fn attendance(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let marks: Vec<(Id, Option<bool>)> = form
        .0
        .iter()
        .filter_map(|(k, v)| {
            let reg = Id::parse(k.strip_prefix("p_")?)?;
            Some((
                reg,
                match v.as_str() {
                    "present" => Some(true),
                    "absent" => Some(false),
                    _ => None,
                },
            ))
        })
        .collect();
    uc::take_attendance(&state.app, auth.actor(), id, &marks)
        .await
        .map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/formations/sessions/{id}?ok=presence")).into_response())
}

fn ics(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response()
}

fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

async fn cycles(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rows = uc::cycles(&state.app, auth.actor()).await.map_err(pe(tr))?;
    let title = tr.t("cycles-de-formation-des-cadres").to_string();
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            "Cycle",
            tr.t("fonction"),
            tr.t("promotion"),
            tr.t("partenaire"),
            tr.t("participant-es"),
        ],
    );
    for c in &rows {
        table.rows.push(vec![
            Cell::link(c.title.clone(), format!("/formations/cycles/{}", c.id)),
            Cell::text(crate::label!(
                relais_domain::training::ExecFunction,
                &c.function_code,
                tr
            )),
            Cell::text(c.cohort.clone()),
            Cell::text(c.partner.clone()),
            Cell::text(c.participants.to_string()),
        ]);
    }
    let page = ListPage {
        base: Base::new(&auth, &title),
        h1: title,
        path: "/formations/cycles".into(),
        actions: vec![],
        filters: vec![],
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&page, tr)?.into_response())
}
