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
        (en(tr, "Code", "Code"), Cell::text(t.code.clone())),
        (
            "Type".into(),
            Cell::text(crate::label!(TrainingKind, &t.kind, tr)),
        ),
        (
            en(tr, "Modalité", "Modality"),
            Cell::text(crate::label!(Modality, &t.modality, tr)),
        ),
        (
            en(tr, "Durée", "Duration"),
            Cell::text(days_label(t.half_days, tr)),
        ),
        (en(tr, "Domaine", "Domain"), Cell::opt(&t.domain_label)),
        (en(tr, "Produit", "Product"), Cell::opt(&t.product_name)),
        (en(tr, "Objectifs", "Objectives"), Cell::opt(&t.objectives)),
        (en(tr, "Public", "Audience"), Cell::opt(&t.audience)),
        (
            en(tr, "Prérequis", "Prerequisites"),
            Cell::opt(&t.prerequisites),
        ),
    ];
    if let Some(u) = &t.moodle_url {
        facts.push((
            en(tr, "Espace Moodle (Campus)", "Moodle course space"),
            Cell::link(u.clone(), u.clone()),
        ));
    }
    let mut table = Table::new(
        tr,
        en(tr, "Sessions", "Sessions"),
        &[
            "Dates",
            if tr.en() { "Place" } else { "Lieu" },
            if tr.en() { "Trainers" } else { "Formateurs" },
            if tr.en() {
                "Seats left"
            } else {
                "Places restantes"
            },
            if tr.en() { "Status" } else { "Statut" },
        ],
    );
    for s in &sessions {
        table.rows.push(session_cells(s, tr));
    }
    let mut actions = vec![];
    if actor.as_ref().is_some_and(uc::can_manage) {
        actions.push(Link::new(
            format!("/formations/{id}/modifier"),
            en(tr, "Modifier", "Edit"),
        ));
        actions.push(Link::new(
            format!("/formations/{id}/sessions/nouvelle"),
            en(tr, "Nouvelle session", "New session"),
        ));
    }
    let page = DetailPage {
        base: frame(&auth, tr, &t.title, &path),
        h1: t.title.clone(),
        subtitle: Some(en(tr, "Formation du catalogue", "Catalogue training")),
        actions,
        facts,
        sections: vec![Section {
            title: en(tr, "Sessions", "Sessions"),
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
        Cell::text(s.shown.label(tr.en()).to_string()),
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
            en(tr, "Modalité", "Modality"),
            Cell::text(crate::label!(Modality, &r.modality, tr)),
        ),
        (
            en(tr, "Durée", "Duration"),
            Cell::text(days_label(s.half_days(), tr)),
        ),
        (
            en(tr, "Statut", "Status"),
            Cell::text(s.shown.label(tr.en()).to_string()),
        ),
        (
            en(tr, "Places", "Seats"),
            Cell::text(if tr.en() {
                format!("{} left of {}", s.seats_left, r.capacity)
            } else {
                format!("{} restantes sur {}", s.seats_left, r.capacity)
            }),
        ),
        (
            en(tr, "Liste d'attente", "Waiting list"),
            Cell::text(s.waiting.to_string()),
        ),
        (en(tr, "Lieu", "Place"), Cell::opt(&r.place)),
    ];
    if let (Some(room), true) = (r.room_capacity, r.room_capacity != Some(r.capacity)) {
        facts.push((
            en(tr, "Capacité de la salle", "Room size"),
            Cell::text(if tr.en() {
                format!("{room} (sanitary protocol applied)")
            } else {
                format!("{room} (jauge réduite par le protocole sanitaire)")
            }),
        ));
    }
    if let Some(v) = &r.visio_url {
        facts.push((
            en(tr, "Lien de visio", "Video link"),
            Cell::link(v.clone(), v.clone()),
        ));
    }
    facts.push((
        en(tr, "Formateur·rices", "Trainers"),
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
        facts.push((
            en(tr, "Demandée par", "Requested by"),
            Cell::text(i.clone()),
        ));
    }
    let days = s.days.iter().map(|(d, p)| day_line(d, *p, tr)).collect();
    let mut actions = vec![Link::new(
        format!("/formations/{}", r.training_id),
        en(tr, "La formation", "The training"),
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
                en(tr, "Modifier la session", "Edit the session"),
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
            request_note = Some(en(
                tr,
                "La session est complète : après validation par votre référent·e, votre demande ira en liste d'attente, et vous serez prévenu·e si une place se libère.",
                "The session is full: once your referent approves, your request joins the waiting list and you will be told if a seat frees up.",
            ));
        } else if can_request {
            request_note = Some(en(
                tr,
                "Votre demande sera transmise au ou à la référent·e de votre établissement, qui la valide.",
                "Your request goes to your institution's referent for approval.",
            ));
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
        subtitle: en(tr, "Session de formation", "Training session"),
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
