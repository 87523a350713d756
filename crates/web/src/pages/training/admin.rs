//! The admin's tariffs and settings, and the executive cycles.

use super::*;

#[derive(Template)]
#[template(path = "training_admin.html")]
pub(super) struct AdminPage {
    base: Base,
    h1: String,
    errors: Vec<(String, String)>,
    settings: Vec<Field>,
    tariffs: Table,
    tariff_form: Vec<Field>,
}

pub(super) async fn admin_render(
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

pub(super) async fn admin_page(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    admin_render(&state, &auth, None, None).await
}

pub(super) async fn save_settings(
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

pub(super) async fn save_tariff(
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

pub(super) async fn cycle(
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
