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
            tr.t("intitule").to_string(),
            i.title.clone(),
        )
        .required(),
        Field::select(
            tr,
            "kind",
            "Type",
            &i.kind,
            enum_options(TrainingKind::ALL, tr),
            None,
        ),
        Field::select(
            tr,
            "modality",
            tr.t("modalite").to_string(),
            &i.modality,
            enum_options(Modality::ALL, tr),
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
