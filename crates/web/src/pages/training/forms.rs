//! The training and session forms (create, edit).

use super::*;

pub(super) fn training_fields(
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
            en(tr, "Intitulé", "Title"),
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
            en(tr, "Modalité", "Modality"),
            &i.modality,
            enum_options(Modality::ALL, Modality::code, Modality::label, tr),
            None,
        ),
        Field::new(
            tr,
            "text",
            "half_days",
            en(tr, "Durée (jours)", "Duration (days)"),
            i.half_days.clone(),
        )
        .required()
        .hint(en(
            tr,
            "En jours ou demi-journées : 1, 1,5, 2…",
            "In days or half days: 1, 1.5, 2…",
        )),
        Field::select(
            tr,
            "domain",
            en(tr, "Domaine", "Domain"),
            i.domain.as_deref().unwrap_or(""),
            domains,
            Some("—"),
        ),
        Field::select(
            tr,
            "product",
            en(tr, "Produit", "Product"),
            i.product.as_deref().unwrap_or(""),
            products,
            Some("—"),
        ),
        Field::new(
            tr,
            "textarea",
            "objectives",
            en(tr, "Objectifs", "Objectives"),
            i.objectives.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "textarea",
            "audience",
            en(tr, "Public", "Audience"),
            i.audience.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "textarea",
            "prerequisites",
            en(tr, "Prérequis", "Prerequisites"),
            i.prerequisites.clone().unwrap_or_default(),
        ),
        Field::new(
            tr,
            "url",
            "moodle_url",
            en(tr, "Espace de cours Moodle", "Moodle course space"),
            i.moodle_url.clone().unwrap_or_default(),
        ),
    ]
}

pub(super) fn training_input(f: &FormData) -> uc::TrainingInput {
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

pub(super) async fn option_lists(
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

pub(super) async fn training_form(
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
    let title = en(tr, "Formation du catalogue", "Catalogue training");
    let page = FormPage {
        base: Base::new(auth, &title),
        h1: title,
        action,
        fields,
        errors,
        submit: tr.get("save").to_string(),
        cancel,
    };
    form_reply(&page, err.is_some(), tr)
}

pub(super) async fn new_training(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
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

pub(super) async fn create_training(
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

pub(super) async fn edit_training(
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

pub(super) async fn update_training(
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

pub(super) fn session_input(f: &FormData) -> uc::SessionInput {
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
pub(super) async fn session_form(
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
        .map(|s| (s.code().to_string(), s.label(tr.en()).to_string()));
    let mut fields = vec![
        Field::new(tr, "textarea", "days", en(tr, "Journées", "Days"), i.days.clone()).required().hint(en(
            tr,
            "Une ligne par jour : AAAA-MM-JJ, suivi de « matin » ou « apres-midi » pour une demi-journée.",
            "One line per day: YYYY-MM-DD, followed by \"matin\" or \"apres-midi\" for a half day.",
        )),
        Field::new(tr, "text", "place", en(tr, "Lieu", "Place"), i.place.clone().unwrap_or_default()),
        Field::new(tr, "url", "visio_url", en(tr, "Lien de visio", "Video link"), i.visio_url.clone().unwrap_or_default()),
        Field::new(tr, "number", "room_capacity", en(tr, "Capacité de la salle", "Room size"), i.room_capacity.clone()).required().hint(if tr.en() {
            format!("Seats offered: {percent} % of the room (sanitary factor set by the admin).")
        } else {
            format!("Places ouvertes : {percent} % de la salle (facteur sanitaire fixé par l'administration).")
        }),
        Field::select(tr, "status", en(tr, "Statut", "Status"), &i.status, statuses, None),
        Field::checkboxes(tr, "trainers", en(tr, "Formateur·rices (un ou un binôme)", "Trainers (one or a pair)"), &selected, trainers),
        Field::select(tr, "institution", en(tr, "Établissement demandeur (formation spécifique)", "Requesting institution (tailored training)"), &i.institution.map(|x| x.to_string()).unwrap_or_default(), insts, Some("—")),
    ];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = en(tr, "Session de formation", "Training session");
    let page = FormPage {
        base: Base::new(auth, &title),
        h1: title,
        action,
        fields,
        errors,
        submit: tr.get("save").to_string(),
        cancel,
    };
    form_reply(&page, err.is_some(), tr)
}

pub(super) async fn new_session(
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

pub(super) async fn create_session(
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

pub(super) async fn edit_session(
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

pub(super) async fn update_session(
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
