//! The institution form (create, edit).

use super::*;

pub(super) fn institution_fields(tr: Tr, f: &FormData, staff: &[(String, String)]) -> Vec<Field> {
    vec![
        Field::new(tr, "text", "name", tr.t("nom"), f.get("name")).required(),
        Field::new(tr, "text", "acronym", tr.t("sigle"), f.get("acronym")),
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(InstitutionKind::ALL, tr),
            None,
        )
        .required(),
        Field::new(tr, "text", "uai", "Code UAI", f.get("uai"))
            .hint(tr.t("n-7-chiffres-et-une-lettre-de")),
        Field::new(tr, "text", "region", tr.t("region"), f.get("region")),
        Field::new(tr, "text", "city", tr.t("ville"), f.get("city")),
        Field::new(
            tr,
            "number",
            "students",
            tr.t("etudiants"),
            f.get("students"),
        ),
        Field::new(tr, "number", "staff", tr.t("personnels"), f.get("staff")),
        Field::select(
            tr,
            "membership",
            tr.t("adhesion"),
            &f.get("membership"),
            enum_options(MembershipStatus::ALL, tr),
            None,
        ),
        Field::new(
            tr,
            "number",
            "member_since",
            tr.t("adherent-depuis-annee"),
            f.get("member_since"),
        ),
        Field::select(
            tr,
            "calendar",
            tr.t("calendrier-des-jours-feries"),
            &f.get("calendar"),
            enum_options(CalendarKind::ALL, tr),
            None,
        ),
        Field::select(
            tr,
            "manager_id",
            tr.t("role-relation"),
            &f.get("manager_id"),
            staff.iter().cloned(),
            Some(tr.t("aucun-e")),
        ),
        Field::new(
            tr,
            "text",
            "tags",
            tr.t("segments-separes-par-des-virgules"),
            f.get("tags"),
        ),
    ]
}

pub(super) fn institution_input(f: &FormData) -> InstitutionInput {
    InstitutionInput {
        name: f.get("name"),
        acronym: f.opt("acronym"),
        kind: f.get("kind"),
        region: f.opt("region"),
        city: f.opt("city"),
        uai: f.opt("uai"),
        students: f.opt("students"),
        staff: f.opt("staff"),
        membership: f.opt("membership"),
        member_since: f.opt("member_since"),
        calendar: f.opt("calendar"),
        tags: f.opt("tags"),
    }
}

pub(super) async fn staff_options(
    state: &AppState,
    tr: Tr,
) -> Result<Vec<(String, String)>, PageError> {
    Ok(relais_app::accounts::agency_staff(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .filter(|u| u.role == "relation" || u.role == "admin")
        .map(|u| (u.id, u.display_name))
        .collect())
}

pub(super) fn form_of(row: &InstitutionRow) -> FormData {
    let tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
    FormData(vec![
        ("name".into(), row.name.clone()),
        ("acronym".into(), row.acronym.clone().unwrap_or_default()),
        ("kind".into(), row.kind.clone()),
        ("uai".into(), row.uai.clone().unwrap_or_default()),
        ("region".into(), row.region.clone().unwrap_or_default()),
        ("city".into(), row.city.clone().unwrap_or_default()),
        (
            "students".into(),
            row.students.map(|n| n.to_string()).unwrap_or_default(),
        ),
        (
            "staff".into(),
            row.staff.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("membership".into(), row.membership.clone()),
        (
            "member_since".into(),
            row.member_since.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("calendar".into(), row.calendar.clone()),
        (
            "manager_id".into(),
            row.manager_id.clone().unwrap_or_default(),
        ),
        ("tags".into(), tags.join(", ")),
    ])
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(relais_domain::DomainError::Forbidden, tr));
    }
    let staff = staff_options(&state, tr).await?;
    let title = tr.t("nouvel-etablissement");
    let p = FormPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        action: "/etablissements".into(),
        fields: institution_fields(tr, &FormData::default(), &staff),
        errors: vec![],
        submit: tr.t("create").into(),
        cancel: "/etablissements".into(),
    };
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_institution(
        &state.app,
        auth.actor(),
        institution_input(&f),
        f.opt("manager_id"),
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/etablissements/{id}?ok=institution")).into_response()),
        Err(AppError::Domain(e @ relais_domain::DomainError::Invalid(_))) => {
            let staff = staff_options(&state, tr).await?;
            let mut fields = institution_fields(tr, &f, &staff);
            let errors = apply_errors(&mut fields, &e);
            let title = tr.t("nouvel-etablissement");
            let p = FormPage {
                base: Base::new(&auth, title),
                h1: title.into(),
                action: "/etablissements".into(),
                fields,
                errors,
                submit: tr.t("create").into(),
                cancel: "/etablissements".into(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let row = uc::get_institution(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(relais_domain::DomainError::Forbidden, tr));
    }
    let staff = staff_options(&state, tr).await?;
    let p = FormPage {
        base: Base::new(&auth, format!("{} — {}", tr.t("edit"), row.name)),
        h1: format!("{} — {}", tr.t("edit"), row.name),
        action: format!("/etablissements/{id}"),
        fields: institution_fields(tr, &form_of(&row), &staff),
        errors: vec![],
        submit: tr.t("save").into(),
        cancel: format!("/etablissements/{id}"),
    };
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_institution(
        &state.app,
        auth.actor(),
        id,
        institution_input(&f),
        f.opt("manager_id"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/etablissements/{id}?ok=institution")).into_response()),
        Err(AppError::Domain(e @ relais_domain::DomainError::Invalid(_))) => {
            let staff = staff_options(&state, tr).await?;
            let mut fields = institution_fields(tr, &f, &staff);
            let errors = apply_errors(&mut fields, &e);
            let p = FormPage {
                base: Base::new(&auth, tr.t("edit")),
                h1: tr.t("edit").into(),
                action: format!("/etablissements/{id}"),
                fields,
                errors,
                submit: tr.t("save").into(),
                cancel: format!("/etablissements/{id}"),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
