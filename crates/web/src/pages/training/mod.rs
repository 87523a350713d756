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
use crate::i18n::LabelIn as _;
use crate::i18n::Tr;
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
use relais_app::training::{self as uc, Decision, SessionView};
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::training::{euros, DayPart, Modality, RegistrationStatus, TrainingKind};
use relais_domain::{DomainError, Id};
use relais_store::training::TrainingFilter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/formations", get(catalogue).post(create_training))
        .route("/formations/nouvelle", get(new_training))
        .route("/formations/calendrier.ics", get(public_feed))
        .route("/formations/mes-inscriptions", get(mine))
        .route("/formations/demandes", get(pending))
        .route("/formations/agenda/renouveler", post(renew_feed))
        .route("/formations/agenda/revoquer", post(revoke_feed))
        .route("/formations/releves", get(statement_page))
        .route("/formations/releves.csv", get(statement_csv))
        .route("/formations/releves.pdf", get(statement_pdf))
        .route("/formations/formateurs", get(trainer_page))
        .route("/formations/formateurs.csv", get(trainer_csv))
        .route("/formations/cycles", get(cycles))
        .route("/formations/cycles/{id}", get(cycle))
        .route(
            "/formations/sessions/{id}",
            get(session_page).post(update_session),
        )
        .route("/formations/sessions/{id}/modifier", get(edit_session))
        .route("/formations/sessions/{id}/demande", post(request_seat))
        .route("/formations/sessions/{id}/presence", post(attendance))
        .route("/formations/inscriptions/{id}/valider", post(approve))
        .route("/formations/inscriptions/{id}/refuser", post(refuse))
        .route("/formations/inscriptions/{id}/annuler", post(cancel))
        .route(
            "/formations/inscriptions/{id}/attestation",
            get(certificate),
        )
        .route(
            "/formations/inscriptions/{id}/attestation.pdf",
            get(certificate_pdf),
        )
        .route("/formations/{id}", get(training_page).post(update_training))
        .route("/formations/{id}/modifier", get(edit_training))
        .route("/formations/{id}/sessions", post(create_session))
        .route("/formations/{id}/sessions/nouvelle", get(new_session))
        .route("/calendrier/{file}", get(personal_feed))
        .route("/admin/formation", get(admin_page))
        .route("/admin/formation/parametres", post(save_settings))
        .route("/admin/formation/tarifs", post(save_tariff))
}

fn days_label(half_days: i64, tr: Tr) -> String {
    let d = half_days as f64 / 2.0;
    let n = if half_days % 2 == 0 {
        format!("{}", half_days / 2)
    } else {
        format!("{d:.1}").replace('.', ",")
    };
    if tr.en() {
        format!("{n} day(s)")
    } else if half_days <= 2 {
        format!("{n} jour")
    } else {
        format!("{n} jours")
    }
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
            enum_options(Modality::ALL, Modality::code, Modality::label, tr),
            Some(&all),
        ),
        Field::select(
            tr,
            "type",
            "Type",
            q.kind.as_deref().unwrap_or(""),
            enum_options(
                TrainingKind::ALL,
                TrainingKind::code,
                TrainingKind::label,
                tr,
            ),
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

async fn training_page(
    State(state): State<AppState>,
    ctx: RequestCtx,
    uri: axum::http::Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let path = full_path(&uri);
    let (auth, tr) = viewer(&ctx, &path);
    let id = path_id(&id, tr)?;
    let actor = auth.as_ref().map(|a| a.actor().clone());
    let (t, sessions) = uc::training(&state.app, actor.as_ref(), id)
        .await
        .map_err(pe(tr))?;
    let mut facts = vec![
        (tr.t("code").to_string(), Cell::text(t.code.clone())),
        (
            "Type".into(),
            Cell::text(crate::label!(TrainingKind, &t.kind, tr)),
        ),
        (
            tr.t("modalite").to_string(),
            Cell::text(crate::label!(Modality, &t.modality, tr)),
        ),
        (
            tr.t("duree").to_string(),
            Cell::text(days_label(t.half_days, tr)),
        ),
        (tr.t("domaine").to_string(), Cell::opt(&t.domain_label)),
        (tr.t("produit").to_string(), Cell::opt(&t.product_name)),
        (tr.t("objectifs").to_string(), Cell::opt(&t.objectives)),
        (tr.t("public").to_string(), Cell::opt(&t.audience)),
        (tr.t("prerequis").to_string(), Cell::opt(&t.prerequisites)),
    ];
    if let Some(u) = &t.moodle_url {
        facts.push((
            tr.t("espace-moodle-campus").to_string(),
            Cell::link(u.clone(), u.clone()),
        ));
    }
    let mut table = Table::new(
        tr,
        tr.t("sessions").to_string(),
        &[
            "Dates",
            tr.t("lieu"),
            tr.t("formateurs"),
            tr.t("places-restantes"),
            tr.t("statut"),
        ],
    );
    for s in &sessions {
        table.rows.push(session_cells(s, tr));
    }
    let mut actions = vec![];
    if actor.as_ref().is_some_and(uc::can_manage) {
        actions.push(Link::new(
            format!("/formations/{id}/modifier"),
            tr.t("edit").to_string(),
        ));
        actions.push(Link::new(
            format!("/formations/{id}/sessions/nouvelle"),
            tr.t("nouvelle-session").to_string(),
        ));
    }
    let page = DetailPage {
        base: frame(&auth, tr, &t.title, &path),
        h1: t.title.clone(),
        subtitle: Some(tr.t("formation-du-catalogue").to_string()),
        actions,
        facts,
        sections: vec![Section {
            title: tr.t("sessions").to_string(),
            table,
        }],
    };
    Ok(render(&page, tr)?.into_response())
}

fn session_cells(s: &SessionView, tr: Tr) -> Vec<Cell> {
    let dates = if s.row.starts_on == s.row.ends_on {
        fr_date(&s.row.starts_on)
    } else {
        format!(
            "{} → {}",
            fr_date(&s.row.starts_on),
            fr_date(&s.row.ends_on)
        )
    };
    let place = match (&s.row.place, &s.row.visio_url) {
        (Some(p), _) => p.clone(),
        (None, Some(_)) => "Visio".into(),
        _ => "—".into(),
    };
    vec![
        Cell::link(dates, format!("/formations/sessions/{}", s.row.id)),
        Cell::text(place),
        Cell::text(if s.trainers.is_empty() {
            "—".into()
        } else {
            s.trainers
                .iter()
                .map(|t| t.1.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }),
        Cell::text(format!("{} / {}", s.seats_left, s.row.capacity)),
        Cell::text(tr.label(s.shown).to_string()),
    ]
}

struct RegView {
    id: String,
    name: String,
    institution: String,
    status: String,
    attended: String,
    can_decide: bool,
    can_cancel: bool,
    certificate: Option<String>,
}

struct AttView {
    id: String,
    name: String,
    present: bool,
    absent: bool,
}

#[derive(Template)]
#[template(path = "training_session.html")]
struct SessionPage {
    base: Base,
    id: String,
    h1: String,
    subtitle: String,
    actions: Vec<Link>,
    facts: Vec<(String, Cell)>,
    days: Vec<String>,
    can_request: bool,
    request_note: Option<String>,
    login_href: Option<String>,
    show_regs: bool,
    regs: Vec<RegView>,
    attendance: Vec<AttView>,
}

fn status_text(status: &str, pos: Option<i64>, tr: Tr) -> String {
    let label = crate::label!(RegistrationStatus, status, tr);
    match pos {
        Some(p) if tr.en() => format!("{label} (place {p})"),
        Some(p) => format!("{label} (rang {p})"),
        None => label,
    }
}

fn attended_text(a: Option<i64>, tr: Tr) -> String {
    match a {
        Some(1) => tr.t("attendance-present").to_string(),
        Some(_) => tr.t("attendance-absent").to_string(),
        None => "—".into(),
    }
}

async fn session_page(
    State(state): State<AppState>,
    ctx: RequestCtx,
    uri: axum::http::Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let path = full_path(&uri);
    let (auth, tr) = viewer(&ctx, &path);
    let id = path_id(&id, tr)?;
    let actor = auth.as_ref().map(|a| a.actor().clone());
    let s = uc::session(&state.app, actor.as_ref(), id)
        .await
        .map_err(pe(tr))?;
    let r = &s.row;
    let mut facts = vec![
        (
            "Type".to_string(),
            Cell::text(crate::label!(TrainingKind, &r.kind, tr)),
        ),
        (
            tr.t("modalite").to_string(),
            Cell::text(crate::label!(Modality, &r.modality, tr)),
        ),
        (
            tr.t("duree").to_string(),
            Cell::text(days_label(s.half_days(), tr)),
        ),
        (
            tr.t("statut").to_string(),
            Cell::text(tr.label(s.shown).to_string()),
        ),
        (
            tr.t("places").to_string(),
            Cell::text(tr.t_args(
                "seats-left-restantes-sur-capacity",
                &[
                    ("capacity", r.capacity.to_string().into()),
                    ("seats_left", s.seats_left.to_string().into()),
                ],
            )),
        ),
        (
            tr.t("registration-status-attente").to_string(),
            Cell::text(s.waiting.to_string()),
        ),
        (tr.t("lieu").to_string(), Cell::opt(&r.place)),
    ];
    if let (Some(room), true) = (r.room_capacity, r.room_capacity != Some(r.capacity)) {
        facts.push((
            tr.t("capacite-de-la-salle").to_string(),
            Cell::text(tr.t_args(
                "room-jauge-reduite-par-le-protocole",
                &[("room", room.to_string().into())],
            )),
        ));
    }
    if let Some(v) = &r.visio_url {
        facts.push((
            tr.t("lien-de-visio").to_string(),
            Cell::link(v.clone(), v.clone()),
        ));
    }
    facts.push((
        tr.t("formateur-rices").to_string(),
        Cell::text(if s.trainers.is_empty() {
            "—".into()
        } else {
            s.trainers
                .iter()
                .map(|t| t.1.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }),
    ));
    if let Some(i) = &r.institution_name {
        facts.push((tr.t("demandee-par").to_string(), Cell::text(i.clone())));
    }
    let days = s.days.iter().map(|(d, p)| day_line(d, *p, tr)).collect();
    let mut actions = vec![Link::new(
        format!("/formations/{}", r.training_id),
        tr.t("la-formation").to_string(),
    )];
    let mut regs = vec![];
    let mut attendance = vec![];
    let mut can_request = false;
    let mut show_regs = false;
    let mut request_note = None;
    let login_href = auth
        .is_none()
        .then(|| format!("/connexion?suite={}", urlencoding::encode(&path)));
    if let Some(a) = &actor {
        if uc::can_manage(a) {
            actions.push(Link::new(
                format!("/formations/sessions/{id}/modifier"),
                tr.t("modifier-la-session").to_string(),
            ));
        }
        let rows = uc::session_registrations(&state.app, a, id)
            .await
            .map_err(pe(tr))?;
        let trainer = uc::is_trainer_of(&state.app, a, id).await.map_err(pe(tr))?;
        // Requests and cancellations are taken until the first day
        // included; attendance from the first day.
        let today = uc::today(&state.app).to_string();
        let started = r.starts_on.as_str() < today.as_str();
        let attendable = r.starts_on.as_str() <= today.as_str();
        let mine_active = rows.iter().any(|(x, _)| {
            x.user_id == a.user_id.to_string()
                && matches!(x.status.as_str(), "demande" | "attente" | "confirmee")
        });
        can_request = a.institution_id.is_some()
            && !mine_active
            && relais_domain::training::SessionStatus::takes_registrations(&r.status)
            && !started;
        if can_request && s.seats_left == 0 {
            request_note = Some(tr.t("la-session-est-complete-apres-validation").to_string());
        } else if can_request {
            request_note = Some(tr.t("votre-demande-sera-transmise-au-ou").to_string());
        }
        show_regs =
            !rows.is_empty() || a.role.is_agency() || trainer || a.role == Role::MemberAdmin;
        let decider = |inst: &str| {
            uc::can_manage(a)
                || (a.role == Role::MemberAdmin
                    && a.institution_id.map(|i| i.to_string()).as_deref() == Some(inst))
        };
        for (x, pos) in &rows {
            let own = x.user_id == a.user_id.to_string();
            regs.push(RegView {
                id: x.id.clone(),
                name: x.user_name.clone(),
                institution: x.institution_name.clone(),
                status: status_text(&x.status, *pos, tr),
                attended: attended_text(x.attended, tr),
                can_decide: x.status == "demande" && decider(&x.institution_id),
                can_cancel: matches!(x.status.as_str(), "demande" | "attente" | "confirmee")
                    && !started
                    && (own || decider(&x.institution_id)),
                certificate: (x.attended == Some(1)
                    && (own || decider(&x.institution_id) || a.role.is_agency()))
                .then(|| format!("/formations/inscriptions/{}/attestation", x.id)),
            });
            if (trainer || uc::can_manage(a)) && attendable && x.status == "confirmee" {
                attendance.push(AttView {
                    id: x.id.clone(),
                    name: format!("{} ({})", x.user_name, x.institution_name),
                    present: x.attended == Some(1),
                    absent: x.attended == Some(0),
                });
            }
        }
    }
    let page = SessionPage {
        base: frame(&auth, tr, &r.training_title, &path),
        id: id.to_string(),
        h1: r.training_title.clone(),
        subtitle: tr.t("session-de-formation").to_string(),
        actions,
        facts,
        days,
        can_request,
        request_note,
        login_href,
        show_regs,
        regs,
        attendance,
    };
    Ok(render(&page, tr)?.into_response())
}

async fn request_seat(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::request_seat(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/formations/sessions/{id}?ok=demande")).into_response())
}

async fn back_to(state: &AppState, auth: &Auth, reg: Id, fallback: &str) -> String {
    match uc::registration_session(&state.app, auth.actor(), reg).await {
        Ok(Some(session)) => format!("/formations/sessions/{session}"),
        _ => fallback.to_string(),
    }
}

fn referer_path(headers: &HeaderMap) -> Option<String> {
    let r = headers.get(header::REFERER)?.to_str().ok()?;
    let url = url_path(r)?;
    (url.starts_with("/formations/")).then_some(url)
}

fn url_path(r: &str) -> Option<String> {
    let rest = r.split_once("://").map(|x| x.1).unwrap_or(r);
    let p = rest.find('/').map(|i| &rest[i..])?;
    Some(p.split('?').next().unwrap_or(p).to_string())
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

async fn refuse(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::refuse(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let to = match referer_path(&headers) {
        Some(p) => p,
        None => back_to(&state, &auth, id, "/formations/demandes").await,
    };
    Ok(Redirect::to(&format!("{to}?ok=refusee")).into_response())
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

struct MineRow {
    id: String,
    session_id: String,
    training: String,
    dates: String,
    status: String,
    can_cancel: bool,
    certificate: Option<String>,
}

#[derive(Template)]
#[template(path = "training_mine.html")]
struct MinePage {
    base: Base,
    h1: String,
    actions: Vec<Link>,
    regs: Vec<MineRow>,
    teaching: Table,
    feed_url: Option<String>,
    feed_since: Option<String>,
}

async fn mine_page(
    state: &AppState,
    auth: &Auth,
    feed_url: Option<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let a = auth.actor();
    let rows = uc::my_registrations(&state.app, a).await.map_err(pe(tr))?;
    let today = uc::today(&state.app).to_string();
    let regs = rows
        .iter()
        .map(|(r, pos)| MineRow {
            id: r.id.clone(),
            session_id: r.session_id.clone(),
            training: r.training_title.clone(),
            dates: if r.starts_on == r.ends_on {
                fr_date(&r.starts_on)
            } else {
                format!("{} → {}", fr_date(&r.starts_on), fr_date(&r.ends_on))
            },
            status: status_text(&r.status, *pos, tr),
            can_cancel: matches!(r.status.as_str(), "demande" | "attente" | "confirmee")
                && r.starts_on >= today,
            certificate: (r.attended == Some(1))
                .then(|| format!("/formations/inscriptions/{}/attestation", r.id)),
        })
        .collect();
    let mut teaching = Table::new(
        tr,
        tr.t("sessions-que-j-anime").to_string(),
        &["Formation", "Dates", tr.t("statut")],
    );
    let sessions = uc::sessions_i_run(&state.app, a).await.map_err(pe(tr))?;
    for s in sessions {
        teaching.rows.push(vec![
            Cell::link(
                s.training_title.clone(),
                format!("/formations/sessions/{}", s.id),
            ),
            Cell::text(fr_date(&s.starts_on)),
            Cell::text(
                relais_domain::training::SessionStatus::shown(&s.status, s.seats_taken, s.capacity)
                    .label_in(tr)
                    .to_string(),
            ),
        ]);
    }
    let since = uc::calendar_token_since(&state.app, a)
        .await
        .map_err(pe(tr))?;
    let mut actions = vec![Link::new("/formations", tr.t("catalogue").to_string())];
    if a.role == Role::MemberAdmin || uc::can_manage(a) {
        actions.push(Link::new(
            "/formations/demandes",
            tr.t("demandes-a-valider").to_string(),
        ));
    }
    if !teaching.rows.is_empty() {
        actions.push(Link::new(
            "/formations/formateurs",
            tr.t("mon-releve-de-formateur").to_string(),
        ));
    }
    let title = tr.t("mon-espace-formation-2").to_string();
    let page = MinePage {
        base: Base::new(auth, &title),
        h1: title,
        actions,
        regs,
        teaching,
        feed_url,
        feed_since: since.as_deref().map(fr_date),
    };
    Ok(render(&page, tr)?.into_response())
}

async fn mine(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    mine_page(&state, &auth, None).await
}

async fn renew_feed(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let token = uc::renew_calendar_token(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let url = format!("{}/calendrier/{token}.ics", site_url(&state, &headers));
    // Shown once, in the response to the POST: only its hash is kept.
    let mut r = mine_page(&state, &auth, Some(url)).await?;
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

async fn revoke_feed(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    uc::revoke_calendar_token(&state.app, auth.actor())
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/formations/mes-inscriptions?ok=agenda_revoque").into_response())
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

async fn public_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let tr = Tr(crate::i18n::Lang::Fr);
    let body = uc::public_feed(&state.app, &site_url(&state, &headers))
        .await
        .map_err(pe(tr))?;
    Ok(ics(body))
}

async fn personal_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let tr = Tr(crate::i18n::Lang::Fr);
    let token = file.strip_suffix(".ics").unwrap_or("");
    let Some(user) = uc::user_of_token(&state.app, token).await.map_err(pe(tr))? else {
        // A revoked, renewed or made-up token: nothing here.
        return Err(PageError::new(DomainError::NotFound, tr));
    };
    let body = uc::personal_feed(&state.app, user, &site_url(&state, &headers))
        .await
        .map_err(pe(tr))?;
    Ok(ics(body))
}

async fn pending(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rows = uc::pending_requests(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let title = tr.t("demandes-d-inscription-a-valider").to_string();
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            tr.t("stagiaire"),
            tr.t("etablissement"),
            tr.t("touchpoint-formation"),
            "Dates",
            tr.t("demandee-le"),
        ],
    );
    for r in &rows {
        table.rows.push(vec![
            Cell::text(r.user_name.clone()),
            Cell::text(r.institution_name.clone()),
            Cell::link(
                r.training_title.clone(),
                format!("/formations/sessions/{}", r.session_id),
            ),
            Cell::text(fr_date(&r.starts_on)),
            Cell::text(fr_date(&r.requested_at)),
        ]);
    }
    let page = ListPage {
        base: Base::new(&auth, &title),
        h1: title,
        path: "/formations/demandes".into(),
        actions: vec![],
        filters: vec![],
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&page, tr)?.into_response())
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    base: Base,
    name: String,
    institution: String,
    training: String,
    days: Vec<String>,
    duration: String,
    place: String,
    issued: String,
    pdf: String,
}

async fn certificate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (r, days) = uc::certificate(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let page = CertificatePage {
        base: Base::new(&auth, tr.t("attestation-de-presence").to_string()),
        name: r.user_name.clone(),
        institution: r.institution_name.clone(),
        training: r.training_title.clone(),
        days: days.iter().map(|(d, p)| day_line(d, *p, tr)).collect(),
        duration: days_label(r.half_days.unwrap_or(0), tr),
        place: r.place.clone().unwrap_or_else(|| "—".into()),
        issued: uc::today(&state.app).format("%d/%m/%Y").to_string(),
        pdf: format!("/formations/inscriptions/{id}/attestation.pdf"),
    };
    Ok(render(&page, tr)?.into_response())
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

async fn certificate_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    use crate::pdf::Line;
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (r, days) = uc::certificate(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut lines = vec![
        Line::Title("Attestation de présence".into()),
        Line::Gap,
        Line::Text(format!(
            "L'agence atteste que {} ({})",
            r.user_name, r.institution_name
        )),
        Line::Text(format!("a suivi la formation « {} » :", r.training_title)),
        Line::Gap,
    ];
    for (d, p) in &days {
        lines.push(Line::Text(format!(
            "  • {}",
            day_line(d, *p, Tr(crate::i18n::Lang::Fr))
        )));
    }
    lines.push(Line::Gap);
    lines.push(Line::Text(format!(
        "Durée : {}. Lieu : {}.",
        days_label(r.half_days.unwrap_or(0), Tr(crate::i18n::Lang::Fr)),
        r.place.clone().unwrap_or_else(|| "—".into())
    )));
    lines.push(Line::Gap);
    lines.push(Line::Text(format!(
        "Fait le {} — Service formation.",
        uc::today(&state.app).format("%d/%m/%Y")
    )));
    let bytes = crate::pdf::render(
        "Attestation de présence",
        &format!("Relais — attestation {}", r.id),
        &lines,
    );
    Ok(pdf_response(bytes, "attestation.pdf"))
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct StatementQuery {
    etablissement: Option<String>,
    formateur: Option<String>,
    du: Option<String>,
    au: Option<String>,
}

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage {
    base: Base,
    h1: String,
    path: String,
    filters: Vec<Field>,
    subtitle: Option<String>,
    table: Option<Table>,
    total: String,
    downloads: Vec<Link>,
}

fn period(q: &StatementQuery, state: &AppState) -> (String, String) {
    let y = chrono::Datelike::year(&uc::today(&state.app));
    (
        nonempty(&q.du).unwrap_or_else(|| format!("{y}-01-01")),
        nonempty(&q.au).unwrap_or_else(|| format!("{y}-12-31")),
    )
}

/// The institution a statement is about: the referent's own; for the
/// agency, the one chosen.
fn statement_institution(auth: &Auth, q: &StatementQuery) -> Result<Option<Id>, PageError> {
    if auth.actor().role.is_agency() {
        Ok(nonempty(&q.etablissement).and_then(|s| Id::parse(&s)))
    } else {
        match nonempty(&q.etablissement) {
            // Asking for another institution by its id gets a 404 from the
            // use case; a malformed id gets the same 404 here.
            Some(s) => path_id(&s, auth.tr).map(Some),
            None => Ok(auth.actor().institution_id),
        }
    }
}

async fn statement_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (from, to) = period(&q, &state);
    let inst = statement_institution(&auth, &q)?;
    let mut filters = vec![];
    if auth.actor().role.is_agency() {
        let opts = crate::kit::institution_options(&state, &auth).await?;
        filters.push(Field::select(
            tr,
            "etablissement",
            tr.t("etablissement").to_string(),
            &inst.map(|i| i.to_string()).unwrap_or_default(),
            opts,
            Some(tr.t("choisir")),
        ));
    }
    filters.push(Field::new(
        tr,
        "date",
        "du",
        tr.t("du").to_string(),
        from.clone(),
    ));
    filters.push(Field::new(
        tr,
        "date",
        "au",
        tr.t("au").to_string(),
        to.clone(),
    ));
    let title = tr.t("releve-des-formations").to_string();
    let (mut subtitle, mut table, mut total, mut downloads) = (None, None, String::new(), vec![]);
    if let Some(inst) = inst {
        let st = uc::statement(&state.app, auth.actor(), inst, &from, &to)
            .await
            .map_err(pe(tr))?;
        subtitle = Some(format!(
            "{} — {} → {}",
            st.institution_name,
            fr_date(&from),
            fr_date(&to)
        ));
        let mut t = Table::new(
            tr,
            tr.t("ce-que-l-etablissement-doit-pour").to_string(),
            &[
                tr.t("stagiaire"),
                tr.t("touchpoint-formation"),
                "Type",
                "Dates",
                tr.t("jours-2"),
                tr.t("tarif"),
                tr.t("montant"),
                tr.t("remarque"),
            ],
        );
        for l in &st.lines {
            t.rows.push(vec![
                Cell::text(l.trainee.clone()),
                Cell::link(
                    l.training.clone(),
                    format!("/formations/sessions/{}", l.session_id),
                ),
                Cell::text(crate::label!(TrainingKind, &l.kind, tr)),
                Cell::text(fr_date(&l.starts_on)),
                Cell::text(days_label(l.half_days, tr)),
                Cell::text(euros(l.unit_cents)),
                Cell::text(euros(l.amount_cents)),
                Cell::text(if l.note.is_empty() {
                    "—".into()
                } else {
                    l.note.clone()
                }),
            ]);
        }
        table = Some(t);
        total = format!("{} : {}", tr.t("total-du"), euros(st.total_cents));
        let qs = format!("etablissement={inst}&du={from}&au={to}");
        downloads = vec![
            Link::new(
                format!("/formations/releves.csv?{qs}"),
                tr.t("telecharger-en-csv").to_string(),
            ),
            Link::new(
                format!("/formations/releves.pdf?{qs}"),
                tr.t("telecharger-en-pdf").to_string(),
            ),
        ];
    } else if !auth.actor().role.is_agency() {
        return Err(PageError::new(DomainError::NotFound, tr));
    }
    let page = StatementPage {
        base: Base::new(&auth, &title),
        h1: title,
        path: "/formations/releves".into(),
        filters,
        subtitle,
        table,
        total,
        downloads,
    };
    Ok(render(&page, tr)?.into_response())
}

/// A CSV download written by the exports' writer (BOM, `;`, formulas
/// neutralised).
fn csv_response(
    header: &[&str],
    rows: Vec<Vec<String>>,
    filename: &str,
) -> Result<Response, PageError> {
    let mut bytes = vec![];
    relais_app::csv_io::write_csv(&mut bytes, header, &rows)
        .map_err(pe(Tr(crate::i18n::Lang::Fr)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn euros_plain(c: i64) -> String {
    format!("{},{:02}", c / 100, (c % 100).abs())
}

async fn load_statement(
    state: &AppState,
    auth: &Auth,
    q: &StatementQuery,
) -> Result<uc::Statement, PageError> {
    let tr = auth.tr;
    let (from, to) = period(q, state);
    let inst =
        statement_institution(auth, q)?.ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
    uc::statement(&state.app, auth.actor(), inst, &from, &to)
        .await
        .map_err(pe(tr))
}

async fn statement_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let st = load_statement(&state, &auth, &q).await?;
    let header = [
        "Établissement",
        "Stagiaire",
        "Formation",
        "Type",
        "Début",
        "Fin",
        "Demi-journées",
        "Tarif (EUR)",
        "Montant (EUR)",
        "Remarque",
    ];
    let mut rows: Vec<Vec<String>> = vec![];
    for l in &st.lines {
        rows.push(vec![
            st.institution_name.clone(),
            l.trainee.clone(),
            l.training.clone(),
            l.kind.clone(),
            l.starts_on.clone(),
            l.ends_on.clone(),
            l.half_days.to_string(),
            euros_plain(l.unit_cents),
            euros_plain(l.amount_cents),
            l.note.clone(),
        ]);
    }
    rows.push(vec![
        st.institution_name.clone(),
        "Total".into(),
        String::new(),
        String::new(),
        st.from.clone(),
        st.to.clone(),
        String::new(),
        String::new(),
        euros_plain(st.total_cents),
        String::new(),
    ]);
    csv_response(&header, rows, "releve-formations.csv")
}

async fn statement_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    use crate::pdf::Line;
    let st = load_statement(&state, &auth, &q).await?;
    let mut lines = vec![
        Line::Title("Relevé des formations".into()),
        Line::Text(format!(
            "{} — du {} au {}",
            st.institution_name,
            fr_date(&st.from),
            fr_date(&st.to)
        )),
        Line::Gap,
        Line::BoldRow(vec![
            (0.0, "Stagiaire".into()),
            (120.0, "Formation".into()),
            (300.0, "Début".into()),
            (360.0, "Jours".into()),
            (410.0, "Montant".into()),
            (470.0, "Remarque".into()),
        ]),
    ];
    let fr = Tr(crate::i18n::Lang::Fr);
    for l in &st.lines {
        let mut training = l.training.clone();
        if training.chars().count() > 36 {
            training = training.chars().take(35).collect::<String>() + "…";
        }
        lines.push(Line::Row(vec![
            (0.0, l.trainee.chars().take(24).collect()),
            (120.0, training),
            (300.0, fr_date(&l.starts_on)),
            (360.0, days_label(l.half_days, fr)),
            (410.0, euros(l.amount_cents)),
            (470.0, l.note.chars().take(20).collect()),
        ]));
    }
    lines.push(Line::Gap);
    lines.push(Line::BoldRow(vec![
        (0.0, "Total dû".into()),
        (410.0, euros(st.total_cents)),
    ]));
    lines.push(Line::Gap);
    lines.push(Line::Text("Tarifs fixés par le Conseil d'administration, en vigueur au premier jour de chaque session.".into()));
    let bytes = crate::pdf::render(
        "Relevé des formations",
        &format!(
            "Relais — relevé {} {}–{}",
            st.institution_name, st.from, st.to
        ),
        &lines,
    );
    Ok(pdf_response(bytes, "releve-formations.pdf"))
}

async fn trainer_data(
    state: &AppState,
    auth: &Auth,
    q: &StatementQuery,
) -> Result<Option<uc::TrainerStatement>, PageError> {
    let tr = auth.tr;
    let (from, to) = period(q, state);
    let who = if auth.actor().role.is_agency() {
        match nonempty(&q.formateur).and_then(|s| Id::parse(&s)) {
            Some(t) => t,
            None => return Ok(None),
        }
    } else {
        match nonempty(&q.formateur) {
            Some(s) => path_id(&s, tr)?,
            None => auth.actor().user_id,
        }
    };
    uc::trainer_statement(&state.app, auth.actor(), who, &from, &to)
        .await
        .map(Some)
        .map_err(pe(tr))
}

async fn trainer_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (from, to) = period(&q, &state);
    let st = trainer_data(&state, &auth, &q).await?;
    let mut filters = vec![];
    if auth.actor().role.is_agency() {
        let opts = uc::trainer_options(&state.app, auth.actor())
            .await
            .map_err(pe(tr))?;
        filters.push(Field::select(
            tr,
            "formateur",
            tr.t("role-trainer").to_string(),
            q.formateur.as_deref().unwrap_or(""),
            opts,
            Some(tr.t("choisir")),
        ));
    }
    filters.push(Field::new(
        tr,
        "date",
        "du",
        tr.t("du").to_string(),
        from.clone(),
    ));
    filters.push(Field::new(
        tr,
        "date",
        "au",
        tr.t("au").to_string(),
        to.clone(),
    ));
    let title = tr.t("releve-de-formateur").to_string();
    let (mut subtitle, mut table, mut total, mut downloads) = (None, None, String::new(), vec![]);
    if let Some(st) = st {
        subtitle = Some(format!(
            "{} — {} → {}",
            st.trainer_name,
            fr_date(&from),
            fr_date(&to)
        ));
        let mut t = Table::new(
            tr,
            tr.t("sessions-animees-et-remuneration").to_string(),
            &[
                tr.t("touchpoint-formation"),
                "Dates",
                tr.t("jours-2"),
                tr.t("formateurs"),
                tr.t("remuneration"),
            ],
        );
        for l in &st.lines {
            t.rows.push(vec![
                Cell::link(
                    l.training.clone(),
                    format!("/formations/sessions/{}", l.session_id),
                ),
                Cell::text(fr_date(&l.starts_on)),
                Cell::text(days_label(l.half_days, tr)),
                Cell::text(if l.trainers >= 2 {
                    tr.t("binome").to_string()
                } else {
                    tr.t("seul-e").to_string()
                }),
                Cell::text(euros(l.amount_cents)),
            ]);
        }
        table = Some(t);
        total = format!("{} : {}", tr.t("total"), euros(st.total_cents));
        downloads = vec![Link::new(
            format!(
                "/formations/formateurs.csv?formateur={}&du={from}&au={to}",
                st.trainer_id
            ),
            tr.t("telecharger-en-csv").to_string(),
        )];
    }
    let page = StatementPage {
        base: Base::new(&auth, &title),
        h1: title,
        path: "/formations/formateurs".into(),
        filters,
        subtitle,
        table,
        total,
        downloads,
    };
    Ok(render(&page, tr)?.into_response())
}

async fn trainer_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let st = trainer_data(&state, &auth, &q)
        .await?
        .ok_or_else(|| PageError::new(DomainError::NotFound, auth.tr))?;
    let header = [
        "Formateur",
        "Formation",
        "Début",
        "Fin",
        "Demi-journées",
        "Formateurs",
        "Rémunération (EUR)",
    ];
    let mut rows: Vec<Vec<String>> = vec![];
    for l in &st.lines {
        rows.push(vec![
            st.trainer_name.clone(),
            l.training.clone(),
            l.starts_on.clone(),
            l.ends_on.clone(),
            l.half_days.to_string(),
            l.trainers.to_string(),
            euros_plain(l.amount_cents),
        ]);
    }
    rows.push(vec![
        st.trainer_name.clone(),
        "Total".into(),
        st.from.clone(),
        st.to.clone(),
        String::new(),
        String::new(),
        euros_plain(st.total_cents),
    ]);
    csv_response(&header, rows, "releve-formateur.csv")
}

fn training_fields(
    tr: Tr,
    i: &uc::TrainingInput,
    domains: Vec<(String, String)>,
    products: Vec<(String, String)>,
) -> Vec<Field> {
    vec![
        Field::new(tr, "text", "code", "Code", i.code.clone()).required(),
        Field::new(
            tr,
            "text",
            "title",
            tr.t("intitule").to_string(),
            i.title.clone(),
        )
        .required(),
        Field::select(
            tr,
            "kind",
            "Type",
            &i.kind,
            enum_options(
                TrainingKind::ALL,
                TrainingKind::code,
                TrainingKind::label,
                tr,
            ),
            None,
        ),
        Field::select(
            tr,
            "modality",
            tr.t("modalite").to_string(),
            &i.modality,
            enum_options(Modality::ALL, Modality::code, Modality::label, tr),
            None,
        ),
        Field::new(
            tr,
            "text",
            "half_days",
            tr.t("duree-jours").to_string(),
            i.half_days.clone(),
        )
        .required()
        .hint(tr.t("en-jours-ou-demi-journees-1").to_string()),
        Field::select(
            tr,
            "domain",
            tr.t("domaine").to_string(),
            i.domain.as_deref().unwrap_or(""),
            domains,
            Some("—"),
        ),
        Field::select(
            tr,
            "product",
            tr.t("produit").to_string(),
            i.product.as_deref().unwrap_or(""),
            products,
            Some("—"),
        ),
        Field::new(
            tr,
            "textarea",
            "objectives",
            tr.t("objectifs").to_string(),
            i.objectives.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "textarea",
            "audience",
            tr.t("public").to_string(),
            i.audience.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "textarea",
            "prerequisites",
            tr.t("prerequis").to_string(),
            i.prerequisites.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "url",
            "moodle_url",
            tr.t("espace-de-cours-moodle").to_string(),
            i.moodle_url.clone().unwrap_or_default(),
        ),
    ]
}

fn training_input(f: &FormData) -> uc::TrainingInput {
    uc::TrainingInput {
        code: f.get("code"),
        title: f.get("title"),
        kind: f.get("kind"),
        modality: f.get("modality"),
        half_days: f.get("half_days"),
        domain: f.opt("domain"),
        product: f.opt("product"),
        objectives: f.opt("objectives"),
        audience: f.opt("audience"),
        prerequisites: f.opt("prerequisites"),
        moodle_url: f.opt("moodle_url"),
    }
}

async fn option_lists(
    state: &AppState,
    tr: Tr,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), PageError> {
    let d = relais_app::crm::list_domains(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let p = relais_app::crm::list_products(&state.app, None)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok((d, p))
}

async fn training_form(
    state: &AppState,
    auth: &Auth,
    action: String,
    i: &uc::TrainingInput,
    err: Option<&DomainError>,
    cancel: String,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::can_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let (d, p) = option_lists(state, tr).await?;
    let mut fields = training_fields(tr, i, d, p);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = tr.t("formation-du-catalogue").to_string();
    let page = FormPage {
        base: Base::new(auth, &title),
        h1: title,
        action,
        fields,
        errors,
        submit: tr.t("save").to_string(),
        cancel,
    };
    form_reply(&page, err.is_some(), tr)
}

async fn new_training(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let i = uc::TrainingInput {
        kind: "continue".into(),
        modality: "presentiel".into(),
        half_days: "1".into(),
        ..Default::default()
    };
    training_form(
        &state,
        &auth,
        "/formations".into(),
        &i,
        None,
        "/formations".into(),
    )
    .await
}

async fn create_training(
    State(state): State<AppState>,
    auth: Auth,
    axum::Form(f): axum::Form<FormData>,
) -> Result<Response, PageError> {
    let i = training_input(&f);
    match uc::create_training(&state.app, auth.actor(), &i).await {
        Ok(id) => Ok(Redirect::to(&format!("/formations/{id}?ok=formation")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            training_form(
                &state,
                &auth,
                "/formations".into(),
                &i,
                Some(&e),
                "/formations".into(),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn edit_training(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (t, _) = uc::training(&state.app, Some(auth.actor()), id)
        .await
        .map_err(pe(tr))?;
    let hd = if t.half_days % 2 == 0 {
        (t.half_days / 2).to_string()
    } else {
        format!("{},5", t.half_days / 2)
    };
    let i = uc::TrainingInput {
        code: t.code,
        title: t.title,
        kind: t.kind,
        modality: t.modality,
        half_days: hd,
        domain: t.domain_code,
        product: t.product_id,
        objectives: t.objectives,
        audience: t.audience,
        prerequisites: t.prerequisites,
        moodle_url: t.moodle_url,
    };
    training_form(
        &state,
        &auth,
        format!("/formations/{id}"),
        &i,
        None,
        format!("/formations/{id}"),
    )
    .await
}

async fn update_training(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let i = training_input(&f);
    match uc::update_training(&state.app, auth.actor(), id, &i).await {
        Ok(()) => Ok(Redirect::to(&format!("/formations/{id}?ok=formation")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            training_form(
                &state,
                &auth,
                format!("/formations/{id}"),
                &i,
                Some(&e),
                format!("/formations/{id}"),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

fn session_input(f: &FormData) -> uc::SessionInput {
    uc::SessionInput {
        days: f.get("days"),
        place: f.opt("place"),
        visio_url: f.opt("visio_url"),
        room_capacity: f.get("room_capacity"),
        status: f.get("status"),
        trainers: f
            .all("trainers")
            .iter()
            .filter_map(|t| Id::parse(t))
            .collect(),
        institution: f.opt("institution").and_then(|i| Id::parse(&i)),
    }
}

#[allow(clippy::too_many_arguments)]
async fn session_form(
    state: &AppState,
    auth: &Auth,
    action: String,
    cancel: String,
    i: &uc::SessionInput,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::can_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let trainers = uc::trainer_options(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let insts = crate::kit::institution_options(state, auth).await?;
    let (percent, _) = uc::settings(&state.app).await.map_err(pe(tr))?;
    let selected: Vec<String> = i.trainers.iter().map(|t| t.to_string()).collect();
    let statuses = ["prevue", "ouverte", "confirmee", "annulee", "realisee"]
        .iter()
        .filter_map(|c| relais_domain::training::SessionStatus::from_code(c))
        .map(|s| (s.code().to_string(), tr.label(s).to_string()));
    let mut fields = vec![
        Field::new(
            tr,
            "textarea",
            "days",
            tr.t("journees").to_string(),
            i.days.clone(),
        )
        .required()
        .hint(tr.t("une-ligne-par-jour-aaaa-mm").to_string()),
        Field::new(
            tr,
            "text",
            "place",
            tr.t("lieu").to_string(),
            i.place.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "url",
            "visio_url",
            tr.t("lien-de-visio").to_string(),
            i.visio_url.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "number",
            "room_capacity",
            tr.t("capacite-de-la-salle").to_string(),
            i.room_capacity.clone(),
        )
        .required()
        .hint(tr.t_args(
            "places-ouvertes-percent-de-la-salle",
            &[("percent", percent.to_string().into())],
        )),
        Field::select(
            tr,
            "status",
            tr.t("statut").to_string(),
            &i.status,
            statuses,
            None,
        ),
        Field::checkboxes(
            tr,
            "trainers",
            tr.t("formateur-rices-un-ou-un-binome").to_string(),
            &selected,
            trainers,
        ),
        Field::select(
            tr,
            "institution",
            tr.t("etablissement-demandeur-formation-specifique")
                .to_string(),
            &i.institution.map(|x| x.to_string()).unwrap_or_default(),
            insts,
            Some("—"),
        ),
    ];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = tr.t("session-de-formation").to_string();
    let page = FormPage {
        base: Base::new(auth, &title),
        h1: title,
        action,
        fields,
        errors,
        submit: tr.t("save").to_string(),
        cancel,
    };
    form_reply(&page, err.is_some(), tr)
}

async fn new_session(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let i = uc::SessionInput {
        status: "ouverte".into(),
        room_capacity: "16".into(),
        ..Default::default()
    };
    session_form(
        &state,
        &auth,
        format!("/formations/{id}/sessions"),
        format!("/formations/{id}"),
        &i,
        None,
    )
    .await
}

async fn create_session(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let i = session_input(&f);
    match uc::create_session(&state.app, auth.actor(), id, &i).await {
        Ok(s) => Ok(Redirect::to(&format!("/formations/sessions/{s}?ok=session")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            session_form(
                &state,
                &auth,
                format!("/formations/{id}/sessions"),
                format!("/formations/{id}"),
                &i,
                Some(&e),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn edit_session(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let s = uc::session(&state.app, Some(auth.actor()), id)
        .await
        .map_err(pe(tr))?;
    let i = uc::SessionInput {
        days: s
            .days
            .iter()
            .map(|(d, p)| format!("{d} {}", p.code()))
            .collect::<Vec<_>>()
            .join("\n"),
        place: s.row.place.clone(),
        visio_url: s.row.visio_url.clone(),
        room_capacity: s.row.room_capacity.unwrap_or(s.row.capacity).to_string(),
        status: s.row.status.clone(),
        trainers: s.trainers.iter().filter_map(|t| Id::parse(&t.0)).collect(),
        institution: s.row.institution_id.as_deref().and_then(Id::parse),
    };
    session_form(
        &state,
        &auth,
        format!("/formations/sessions/{id}"),
        format!("/formations/sessions/{id}"),
        &i,
        None,
    )
    .await
}

async fn update_session(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let i = session_input(&f);
    match uc::update_session(&state.app, auth.actor(), id, &i).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/formations/sessions/{id}?ok=session")).into_response())
        }
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            session_form(
                &state,
                &auth,
                format!("/formations/sessions/{id}"),
                format!("/formations/sessions/{id}"),
                &i,
                Some(&e),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

#[derive(Template)]
#[template(path = "training_admin.html")]
struct AdminPage {
    base: Base,
    h1: String,
    errors: Vec<(String, String)>,
    settings: Vec<Field>,
    tariffs: Table,
    tariff_form: Vec<Field>,
}

async fn admin_render(
    state: &AppState,
    auth: &Auth,
    form: Option<&FormData>,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if auth.actor().role != Role::Admin {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let (percent, deadline) = uc::settings(&state.app).await.map_err(pe(tr))?;
    let rows = uc::tariffs(&state.app).await.map_err(pe(tr))?;
    let mut tariffs = Table::new(
        tr,
        tr.t("tarifs-dates-le-tarif-en-vigueur").to_string(),
        &[
            tr.t("a-partir-du"),
            tr.t("continue-par-jour-et-par-stagiaire-2"),
            tr.t("specifique-par-jour-et-par-groupe-2"),
            tr.t("formateur-par-jour"),
            tr.t("decision"),
        ],
    );
    for t in &rows {
        tariffs.rows.push(vec![
            Cell::text(fr_date(&t.effective_from)),
            Cell::text(euros(t.continue_cents)),
            Cell::text(euros(t.specific_cents)),
            Cell::text(euros(t.trainer_cents)),
            Cell::opt(&t.note),
        ]);
    }
    let g = |k: &str, d: String| form.map(|f| f.get(k)).unwrap_or(d);
    let mut settings = vec![
        Field::new(
            tr,
            "number",
            "sanitary_percent",
            tr.t("facteur-sanitaire-de-la-salle-ouvert").to_string(),
            g("sanitary_percent", percent.to_string()),
        )
        .required()
        .hint(tr.t("le-protocole-du-plan-divise-les").to_string()),
        Field::new(
            tr,
            "number",
            "cancel_deadline_days",
            tr.t("delai-d-annulation-sans-frais-jours").to_string(),
            g("cancel_deadline_days", deadline.to_string()),
        )
        .required(),
    ];
    let mut tariff_form = vec![
        Field::new(
            tr,
            "date",
            "effective_from",
            tr.t("date-d-effet").to_string(),
            g("effective_from", String::new()),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "continue",
            tr.t("continue-par-jour-et-par-stagiaire").to_string(),
            g("continue", "260".into()),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "specific",
            tr.t("specifique-par-jour-et-par-groupe").to_string(),
            g("specific", "1500".into()),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "trainer",
            tr.t("formateur-par-jour-preparation-comprise").to_string(),
            g("trainer", "405".into()),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "note",
            tr.t("decision-du-conseil-d-administration").to_string(),
            g("note", String::new()),
        ),
    ];
    let mut errors = vec![];
    if let Some(e) = err {
        errors.extend(
            apply_errors(&mut settings, e)
                .into_iter()
                .filter(|x| settings.iter().any(|f| f.name == x.0 && f.error.is_some())),
        );
        errors.extend(apply_errors(&mut tariff_form, e).into_iter().filter(|x| {
            tariff_form
                .iter()
                .any(|f| f.name == x.0 && f.error.is_some())
        }));
    }
    let title = tr.t("formation-tarifs-et-protocole").to_string();
    let page = AdminPage {
        base: Base::new(auth, &title),
        h1: title,
        errors,
        settings,
        tariffs,
        tariff_form,
    };
    form_reply(&page, err.is_some(), tr)
}

async fn admin_page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    admin_render(&state, &auth, None, None).await
}

async fn save_settings(
    State(state): State<AppState>,
    auth: Auth,
    axum::Form(f): axum::Form<FormData>,
) -> Result<Response, PageError> {
    match uc::save_settings(
        &state.app,
        auth.actor(),
        &f.get("sanitary_percent"),
        &f.get("cancel_deadline_days"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/admin/formation?ok=parametres").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            admin_render(&state, &auth, Some(&f), Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn save_tariff(
    State(state): State<AppState>,
    auth: Auth,
    axum::Form(f): axum::Form<FormData>,
) -> Result<Response, PageError> {
    let note = f.opt("note");
    match uc::save_tariff(
        &state.app,
        auth.actor(),
        &f.get("effective_from"),
        &f.get("continue"),
        &f.get("specific"),
        &f.get("trainer"),
        note.as_deref(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/admin/formation?ok=tarif").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            admin_render(&state, &auth, Some(&f), Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
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

async fn cycle(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (c, modules, people) = uc::cycle(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut mt = Table::new(
        tr,
        tr.t("modules").to_string(),
        &["Module", tr.t("intitule"), "Dates", tr.t("modalite")],
    );
    for m in &modules {
        let code = if m.code == "commun" {
            tr.t("prise-de-poste-commun").to_string()
        } else {
            format!("Module {}", m.code)
        };
        let dates = match (&m.starts_on, &m.ends_on) {
            (Some(a), Some(b)) => format!("{} → {}", fr_date(a), fr_date(b)),
            _ => "—".into(),
        };
        mt.rows.push(vec![
            Cell::text(code),
            Cell::text(m.title.clone()),
            Cell::text(dates),
            Cell::text(crate::label!(Modality, &m.modality, tr)),
        ]);
    }
    let mut pt = Table::new(
        tr,
        tr.t("participant-es").to_string(),
        &[tr.t("nom"), tr.t("fonction"), tr.t("etablissement")],
    );
    for p in &people {
        pt.rows.push(vec![
            Cell::link(p.name.clone(), format!("/contacts/{}", p.contact_id)),
            Cell::text(p.function.clone()),
            Cell::link(
                p.institution_name.clone(),
                format!("/etablissements/{}", p.institution_id),
            ),
        ]);
    }
    let page = DetailPage {
        base: Base::new(&auth, &c.title),
        h1: c.title.clone(),
        subtitle: Some(format!("{} — {}", c.partner, c.cohort)),
        actions: vec![Link::new(
            "/formations/cycles",
            tr.t("tous-les-cycles").to_string(),
        )],
        facts: vec![
            (
                tr.t("fonction").to_string(),
                Cell::text(crate::label!(
                    relais_domain::training::ExecFunction,
                    &c.function_code,
                    tr
                )),
            ),
            (
                tr.t("periode-2").to_string(),
                Cell::text(format!(
                    "{} → {}",
                    fr_date(&c.starts_on),
                    fr_date(&c.ends_on)
                )),
            ),
        ],
        sections: vec![
            Section {
                title: tr.t("modules").to_string(),
                table: mt,
            },
            Section {
                title: tr.t("participant-es").to_string(),
                table: pt,
            },
        ],
    };
    Ok(render(&page, tr)?.into_response())
}

/// The training part of the institution's 360° page: counts, the year's
/// amount (agency and referent only) with a link to the statement, the
/// registrations of the last and next twelve months, community events.
pub fn institution_section(
    tr: Tr,
    institution: Id,
    r: &uc::InstitutionTraining,
) -> (Vec<(String, Cell)>, Table, Table) {
    let mut facts = vec![
        (
            tr.t("inscriptions-confirmees").to_string(),
            Cell::text(r.confirmed.to_string()),
        ),
        (
            tr.t("en-liste-d-attente").to_string(),
            Cell::text(r.waiting.to_string()),
        ),
        (
            tr.t("presences-absences").to_string(),
            Cell::text(format!("{} / {}", r.attended, r.absent)),
        ),
    ];
    if r.shows_money {
        facts.push((
            tr.t_args(
                "du-pour-les-formations-from",
                &[("from", r.from[..4].to_string().into())],
            ),
            Cell::link(
                euros(r.owed_cents),
                format!(
                    "/formations/releves?etablissement={institution}&du={}&au={}",
                    r.from, r.to
                ),
            ),
        ));
    }
    let mut regs = Table::new(
        tr,
        tr.t("inscriptions-aux-formations-douze-mois-passes")
            .to_string(),
        &[
            tr.t("stagiaire"),
            tr.t("touchpoint-formation"),
            "Dates",
            tr.t("statut"),
            tr.t("presence"),
        ],
    );
    for x in r.registrations.iter().rev().take(30) {
        regs.rows.push(vec![
            Cell::text(x.user_name.clone()),
            Cell::link(
                x.training_title.clone(),
                format!("/formations/sessions/{}", x.session_id),
            ),
            Cell::text(fr_date(&x.starts_on)),
            Cell::text(crate::label!(RegistrationStatus, &x.status, tr)),
            Cell::text(attended_text(x.attended, tr)),
        ]);
    }
    let mut events = Table::new(
        tr,
        tr.t("evenements-des-communautes").to_string(),
        &[
            tr.t("evenement"),
            "Date",
            tr.t("inscrits"),
            tr.t("presents"),
        ],
    );
    for (id, title, kind, at, n, present) in &r.events {
        let k = crate::label!(relais_domain::community::EventKind, kind, tr);
        events.rows.push(vec![
            Cell::link(format!("{k} : {title}"), format!("/communautes/{id}")),
            Cell::text(fr_date(at)),
            Cell::text(n.to_string()),
            Cell::text(present.to_string()),
        ]);
    }
    (facts, regs, events)
}
