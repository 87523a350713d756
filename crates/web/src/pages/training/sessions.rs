//! The catalogue, a training and its sessions, the session page (request a seat, approval, cancellation, attendance).

use super::*;

pub(super) async fn training_page(
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

pub(super) fn session_cells(s: &SessionView, tr: Tr) -> Vec<Cell> {
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

pub(super) struct RegView {
    id: String,
    name: String,
    institution: String,
    status: String,
    attended: String,
    can_decide: bool,
    can_cancel: bool,
    certificate: Option<String>,
}

pub(super) struct AttView {
    id: String,
    name: String,
    present: bool,
    absent: bool,
}

#[derive(Template)]
#[template(path = "training_session.html")]
pub(super) struct SessionPage {
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

pub(super) async fn session_page(
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

pub(super) async fn request_seat(
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

pub(super) async fn back_to(state: &AppState, auth: &Auth, reg: Id, fallback: &str) -> String {
    match uc::registration_session(&state.app, auth.actor(), reg).await {
        Ok(Some(session)) => format!("/formations/sessions/{session}"),
        _ => fallback.to_string(),
    }
}

pub(super) fn referer_path(headers: &HeaderMap) -> Option<String> {
    let r = headers.get(header::REFERER)?.to_str().ok()?;
    let url = url_path(r)?;
    (url.starts_with("/formations/")).then_some(url)
}

pub(super) fn url_path(r: &str) -> Option<String> {
    let rest = r.split_once("://").map(|x| x.1).unwrap_or(r);
    let p = rest.find('/').map(|i| &rest[i..])?;
    Some(p.split('?').next().unwrap_or(p).to_string())
}

pub(super) async fn refuse(
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
