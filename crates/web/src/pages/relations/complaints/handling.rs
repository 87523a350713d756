//! Qualifying and closing a complaint.

use super::*;

async fn qualification_form(
    state: &AppState,
    auth: &Auth,
    id: Id,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !may_treat_complaints(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let v = uc::get_complaint(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let p = uc::pickers(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let statuses: Vec<(String, String)> = [ComplaintStatus::Nouvelle, ComplaintStatus::EnCours]
        .iter()
        .map(|s| (s.code().to_string(), tr.label(s).to_string()))
        .collect();
    let mut fields = vec![
        Field::select(
            tr,
            "touchpoint",
            tr.t("irritant-etape-du-parcours").to_string(),
            &f.get("touchpoint"),
            enum_options(Touchpoint::ALL, tr),
            None,
        )
        .required(),
        Field::select(
            tr,
            "severity",
            tr.t("gravite").to_string(),
            &f.get("severity"),
            enum_options(ComplaintSeverity::ALL, tr),
            None,
        )
        .required(),
        Field::select(
            tr,
            "product_id",
            tr.t("produit").to_string(),
            &f.get("product_id"),
            p.products,
            Some(tr.t("aucun")),
        ),
        Field::select(
            tr,
            "team_id",
            tr.t("pole-responsable").to_string(),
            &f.get("team_id"),
            p.teams,
            Some(tr.t("aucun")),
        ),
        Field::select(
            tr,
            "owner_id",
            tr.t("suivie-par").to_string(),
            &f.get("owner_id"),
            p.agents,
            Some(tr.t("personne-2")),
        ),
        Field::new(
            tr,
            "date",
            "due_on",
            tr.t("echeance").to_string(),
            f.get("due_on"),
        ),
    ];
    if v.complaint.status != ComplaintStatus::Close.code() {
        fields.push(Field::select(
            tr,
            "status",
            tr.t("statut").to_string(),
            &f.get("status"),
            statuses,
            None,
        ));
    }
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = format!("{} — {}", tr.t("qualifier"), v.complaint.title);
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: format!("/reclamations/{id}/qualifier"),
        fields,
        errors,
        submit: tr.t("save").into(),
        cancel: format!("/reclamations/{id}"),
    };
    form_reply(&page, err.is_some(), tr)
}

pub(super) async fn qualify_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let v = uc::get_complaint(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let k = v.complaint;
    let f = FormData(vec![
        ("touchpoint".into(), k.touchpoint),
        ("severity".into(), k.severity),
        ("product_id".into(), k.product_id.unwrap_or_default()),
        ("team_id".into(), k.team_id.unwrap_or_default()),
        ("owner_id".into(), k.owner_id.unwrap_or_default()),
        ("due_on".into(), k.due_on.unwrap_or_default()),
        ("status".into(), k.status),
    ]);
    qualification_form(&state, &auth, id, &f, None).await
}

pub(super) async fn qualify(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let input = QualificationInput {
        touchpoint: f.get("touchpoint"),
        severity: f.get("severity"),
        product_id: f.opt("product_id"),
        team_id: f.opt("team_id"),
        owner_id: f.opt("owner_id"),
        due_on: f.opt("due_on"),
        status: f.opt("status").unwrap_or_else(|| "en_cours".into()),
    };
    match uc::qualify(&state.app, auth.actor(), id, input).await {
        Ok(()) => Ok(Redirect::to(&format!("/reclamations/{id}?ok=qualification")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            qualification_form(&state, &auth, id, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

// ---------------------------------------------------------------- close

async fn closing_form(
    state: &AppState,
    auth: &Auth,
    id: Id,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !may_treat_complaints(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let v = uc::get_complaint(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut fields = vec![Field::new(
        tr,
        "textarea",
        "answer",
        tr.t("reponse-a-l-etablissement-visible-par").to_string(),
        f.get("answer"),
    )
    .required()];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = format!("{} — {}", tr.t("cloturer"), v.complaint.title);
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: format!("/reclamations/{id}/cloturer"),
        fields,
        errors,
        submit: tr.t("cloturer-et-repondre").to_string(),
        cancel: format!("/reclamations/{id}"),
    };
    form_reply(&page, err.is_some(), tr)
}

pub(super) async fn close_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    closing_form(&state, &auth, id, &FormData::default(), None).await
}

pub(super) async fn close(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::close(&state.app, auth.actor(), id, &f.get("answer")).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/reclamations/{id}?ok=reclamation_close")).into_response())
        }
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            closing_form(&state, &auth, id, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
