//! Service levels: targets per severity in business hours.

use super::*;

pub(super) async fn levels(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rows = uc::list_levels(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut headers: Vec<String> = vec![(tr.t("niveau")).into()];
    for s in Severity::ALL {
        let l = severity_label(*s, tr);
        headers.push(tr.t_args("l-premiere-reponse", &[("l", l.to_string().into())]));
        headers.push(tr.t_args("l-resolution", &[("l", l.to_string().into())]));
    }
    let mut table = Table::new(tr, tr.t("objectifs-par-severite-en-heures-ouvrees"), &[]);
    table.headers = headers;
    for l in &rows {
        let mut row = vec![Cell::link(
            l.name.clone(),
            format!("/admin/niveaux/{}", urlencoding::encode(&l.code)),
        )];
        for s in Severity::ALL {
            match l.targets.get(s.code()) {
                Some(t) => {
                    row.push(Cell::text(uc::hours_label(t.first_response)));
                    row.push(Cell::text(uc::hours_label(t.resolution)));
                }
                None => {
                    row.push(Cell::text("—"));
                    row.push(Cell::text("—"));
                }
            }
        }
        table.rows.push(row);
    }
    let mut actions = admin_links(tr);
    actions.remove(0);
    if uc::may_write(auth.actor()) {
        actions.insert(
            0,
            Link::new("/admin/niveaux/nouveau", tr.t("nouveau-niveau")),
        );
    }
    let title = tr.t("niveaux-de-service");
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        path: "/admin/niveaux".into(),
        actions,
        filters: vec![],
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}

#[derive(Template)]
#[template(path = "sla_level_form.html")]
pub(super) struct LevelFormPage {
    base: Base,
    h1: String,
    notice: String,
    action: String,
    fields: Vec<Field>,
    groups: Vec<(String, Vec<Field>)>,
    errors: Vec<(String, String)>,
    editable: bool,
    submit: String,
    cancel: String,
    back: String,
}

fn level_form_data(l: &LevelView) -> FormData {
    let mut pairs = vec![
        ("code".to_string(), l.code.clone()),
        ("name".to_string(), l.name.clone()),
    ];
    for s in Severity::ALL {
        if let Some(t) = l.targets.get(s.code()) {
            pairs.push((
                target_field(*s, false).into(),
                uc::hours_value(t.first_response),
            ));
            pairs.push((target_field(*s, true).into(), uc::hours_value(t.resolution)));
        }
    }
    FormData(pairs)
}

fn level_page(auth: &Auth, f: &FormData, create: bool, err: Option<&DomainError>) -> LevelFormPage {
    let tr = auth.tr;
    let mut fields = vec![];
    if create {
        fields.push(
            Field::new(tr, "text", "code", "Code", f.get("code"))
                .required()
                .hint(tr.t("minuscules-chiffres-et-par-exemple-premium")),
        );
    }
    fields.push(Field::new(tr, "text", "name", tr.t("nom"), f.get("name")).required());
    let mut groups: Vec<(String, Vec<Field>)> = Severity::ALL
        .iter()
        .map(|s| {
            let l = severity_label(*s, tr);
            let hint = tr.t("heures-ouvrees-decimales-admises-2-5");
            (
                tr.t_args("severite-l", &[("l", l.to_string().into())]),
                vec![
                    Field::new(
                        tr,
                        "text",
                        target_field(*s, false),
                        tr.t_args("l-premiere-reponse-heures", &[("l", l.to_string().into())]),
                        f.get(target_field(*s, false)),
                    )
                    .required()
                    .hint(hint),
                    Field::new(
                        tr,
                        "text",
                        target_field(*s, true),
                        tr.t_args("l-resolution-heures", &[("l", l.to_string().into())]),
                        f.get(target_field(*s, true)),
                    )
                    .required()
                    .hint(hint),
                ],
            )
        })
        .collect();
    let mut errors = vec![];
    if let Some(e) = err {
        // Errors land on the top fields and on each severity's inputs.
        let mut all: Vec<Field> = fields.clone();
        for g in &groups {
            all.extend(g.1.clone());
        }
        errors = apply_errors(&mut all, e);
        let n = fields.len();
        fields = all[..n].to_vec();
        let mut rest = all[n..].iter().cloned();
        for g in groups.iter_mut() {
            g.1 = (0..g.1.len()).filter_map(|_| rest.next()).collect();
        }
    }
    let code = f.get("code");
    let title = if create {
        (tr.t("nouveau-niveau-de-service")).to_string()
    } else {
        tr.t_args(
            "niveau-de-service-name",
            &[("name", (f.get("name")).to_string().into())],
        )
    };
    LevelFormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        notice: notice(tr),
        action: if create {
            "/admin/niveaux".into()
        } else {
            format!("/admin/niveaux/{}", urlencoding::encode(&code))
        },
        fields,
        groups,
        errors,
        editable: uc::may_write(auth.actor()),
        submit: tr.t("save").into(),
        cancel: "/admin/niveaux".into(),
        back: (tr.t("retour-aux-niveaux")).into(),
    }
}

fn level_input(f: &FormData, code: Option<&str>) -> LevelInput {
    let mut hours = BTreeMap::new();
    for s in Severity::ALL {
        for r in [false, true] {
            let k = target_field(*s, r);
            hours.insert(k.to_string(), f.get(k));
        }
    }
    LevelInput {
        code: code.map(str::to_string).unwrap_or_else(|| f.get("code")),
        name: f.get("name"),
        hours,
    }
}

pub(super) async fn new_level(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    // Reading the levels checks the reader is agency staff.
    uc::list_levels(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    if !uc::may_write(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let p = level_page(&auth, &FormData::default(), true, None);
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn edit_level(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let l = uc::get_level(&state.app, auth.actor(), &code)
        .await
        .map_err(pe(tr))?;
    let p = level_page(&auth, &level_form_data(&l), false, None);
    Ok(render(&p, tr)?.into_response())
}

async fn save_level(
    state: AppState,
    auth: Auth,
    f: FormData,
    code: Option<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let create = code.is_none();
    let input = level_input(&f, code.as_deref());
    let saved_code = input.code.trim().to_string();
    match uc::save_level(&state.app, auth.actor(), input, create).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/admin/niveaux/{}?ok=level",
            urlencoding::encode(&saved_code)
        ))
        .into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let mut f = f;
            if let Some(c) = &code {
                f.0.retain(|(k, _)| k != "code");
                f.0.push(("code".into(), c.clone()));
            }
            let p = level_page(&auth, &f, create, Some(&e));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn create_level(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    save_level(state, auth, f, None).await
}

pub(super) async fn update_level(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    save_level(state, auth, f, Some(code)).await
}
