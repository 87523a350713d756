//! The service contract of each institution.

use super::*;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(super) struct ContractQuery {
    niveau: Option<String>,
    institution: Option<String>,
}

pub(super) async fn contracts(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ContractQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let level = nonempty(&q.niveau);
    let filter = match level.as_deref() {
        None => LevelFilter::Any,
        Some("aucun") => LevelFilter::None,
        Some(c) => LevelFilter::Code(c.to_string()),
    };
    let rows = uc::list_contracts(&state.app, auth.actor(), &filter)
        .await
        .map_err(pe(tr))?;
    let levels = uc::list_levels(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut options: Vec<(String, String)> = levels
        .iter()
        .map(|l| (l.code.clone(), l.name.clone()))
        .collect();
    options.push((
        "aucun".into(),
        (tr.t("sans-contrat-charte-generique")).into(),
    ));
    let filters = vec![Field::select(
        tr,
        "niveau",
        tr.t("niveau"),
        level.as_deref().unwrap_or(""),
        options,
        Some(tr.t("all")),
    )];
    let write = uc::may_write(auth.actor());
    let mut headers = vec![
        tr.t("etablissement"),
        tr.t("niveau"),
        tr.t("calendrier-2"),
        tr.t("debut"),
        tr.t("fin"),
    ];
    if write {
        headers.push("Action");
    }
    let mut table = Table::new(
        tr,
        tr.t("etablissements-et-contrat-en-vigueur-aujourd"),
        &headers,
    );
    for r in &rows {
        let mut row = vec![
            Cell::link(
                r.institution_name.clone(),
                format!("/etablissements/{}", r.institution_id),
            ),
            Cell::text(
                r.level_name
                    .clone()
                    .unwrap_or_else(|| (tr.t("charte-generique")).into()),
            ),
            Cell::opt(&r.calendar_name),
            Cell::text(
                r.starts_on
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::text(
                r.ends_on
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
        ];
        if write {
            row.push(Cell::link(
                tr.t("attribuer"),
                format!("/admin/contrats/nouveau?institution={}", r.institution_id),
            ));
        }
        table.rows.push(row);
    }
    let mut actions = vec![];
    if write {
        actions.push(Link::new(
            "/admin/contrats/nouveau",
            tr.t("attribuer-un-contrat"),
        ));
    }
    let mut others = admin_links(tr);
    others.pop();
    actions.extend(others);
    let title = tr.t("contrats-de-service-2");
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        path: "/admin/contrats".into(),
        actions,
        filters,
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn contract_fields(
    state: &AppState,
    auth: &Auth,
    f: &FormData,
) -> Result<Vec<Field>, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let institutions = uc::list_contracts(&state.app, actor, &LevelFilter::Any)
        .await
        .map_err(pe(tr))?;
    let levels = uc::list_levels(&state.app, actor).await.map_err(pe(tr))?;
    let calendars = uc::list_calendars(&state.app, actor)
        .await
        .map_err(pe(tr))?;
    Ok(vec![
        Field::select(
            tr,
            "institution_id",
            tr.t("etablissement"),
            &f.get("institution_id"),
            institutions
                .into_iter()
                .map(|i| (i.institution_id, i.institution_name)),
            Some("—"),
        )
        .required(),
        Field::select(
            tr,
            "level",
            tr.t("niveau-de-service"),
            &f.get("level"),
            levels.into_iter().map(|l| (l.code, l.name)),
            Some("—"),
        )
        .required(),
        Field::select(
            tr,
            "calendar",
            tr.t("calendrier-ouvre"),
            &f.get("calendar"),
            calendars.into_iter().map(|c| (c.code, c.name)),
            Some("—"),
        )
        .required(),
        Field::new(tr, "date", "starts_on", tr.t("debut"), f.get("starts_on"))
            .required()
            .hint(tr.t("un-contrat-en-cours-a-cette")),
        Field::new(
            tr,
            "date",
            "ends_on",
            tr.t("fin-facultative"),
            f.get("ends_on"),
        ),
    ])
}

pub(super) async fn new_contract(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ContractQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::may_read(auth.actor()) || !uc::may_write(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let mut f = FormData::default();
    if let Some(i) = nonempty(&q.institution) {
        f.0.push(("institution_id".into(), i));
    }
    let fields = contract_fields(&state, &auth, &f).await?;
    let title = tr.t("attribuer-un-contrat-de-service");
    let p = FormPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        action: "/admin/contrats".into(),
        fields,
        errors: vec![],
        submit: tr.t("save").into(),
        cancel: "/admin/contrats".into(),
    };
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn create_contract(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let input = ContractInput {
        institution_id: f.get("institution_id"),
        level: f.get("level"),
        calendar: f.get("calendar"),
        starts_on: f.get("starts_on"),
        ends_on: f.get("ends_on"),
    };
    match uc::save_contract(&state.app, auth.actor(), input).await {
        Ok(_) => Ok(Redirect::to("/admin/contrats?ok=contract").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let mut fields = contract_fields(&state, &auth, &f).await?;
            let errors = apply_errors(&mut fields, &e);
            let title = tr.t("attribuer-un-contrat-de-service");
            let p = FormPage {
                base: Base::new(&auth, title),
                h1: title.into(),
                action: "/admin/contrats".into(),
                fields,
                errors,
                submit: tr.t("save").into(),
                cancel: "/admin/contrats".into(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
