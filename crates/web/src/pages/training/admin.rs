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
        en(
            tr,
            "Tarifs datés (le tarif en vigueur au premier jour d'une session s'applique)",
            "Dated tariffs (the one in force on a session's first day applies)",
        ),
        &[
            if tr.en() { "From" } else { "À partir du" },
            if tr.en() {
                "Continuing, per trainee and day"
            } else {
                "Continue, par jour et par stagiaire"
            },
            if tr.en() {
                "Tailored, per group and day"
            } else {
                "Spécifique, par jour et par groupe"
            },
            if tr.en() {
                "Trainer, per day"
            } else {
                "Formateur, par jour"
            },
            if tr.en() { "Note" } else { "Décision" },
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
            en(
                tr,
                "Facteur sanitaire (% de la salle ouvert)",
                "Sanitary factor (% of a room offered)",
            ),
            g("sanitary_percent", percent.to_string()),
        )
        .required()
        .hint(en(
            tr,
            "Le protocole du plan divise les effectifs par deux : 50.",
            "The plan's protocol halves rooms: 50.",
        )),
        Field::new(
            tr,
            "number",
            "cancel_deadline_days",
            en(
                tr,
                "Délai d'annulation sans frais (jours)",
                "Free cancellation deadline (days)",
            ),
            g("cancel_deadline_days", deadline.to_string()),
        )
        .required(),
    ];
    let mut tariff_form = vec![
        Field::new(
            tr,
            "date",
            "effective_from",
            en(tr, "Date d'effet", "Effective from"),
            g("effective_from", String::new()),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "continue",
            en(
                tr,
                "Continue (€ par jour et par stagiaire)",
                "Continuing (€ per trainee and day)",
            ),
            g("continue", "260".into()),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "specific",
            en(
                tr,
                "Spécifique (€ par jour et par groupe)",
                "Tailored (€ per group and day)",
            ),
            g("specific", "1500".into()),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "trainer",
            en(
                tr,
                "Formateur (€ par jour, préparation comprise)",
                "Trainer (€ per day, preparation included)",
            ),
            g("trainer", "405".into()),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "note",
            en(tr, "Décision du Conseil d'administration", "Board decision"),
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
    let title = en(
        tr,
        "Formation : tarifs et protocole",
        "Training: tariffs and protocol",
    );
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
        en(tr, "Modules", "Modules"),
        &[
            "Module",
            if tr.en() { "Title" } else { "Intitulé" },
            "Dates",
            if tr.en() { "Modality" } else { "Modalité" },
        ],
    );
    for m in &modules {
        let code = if m.code == "commun" {
            en(tr, "Prise de poste (commun)", "Induction (common)")
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
        en(tr, "Participant·es", "Participants"),
        &[
            if tr.en() { "Name" } else { "Nom" },
            if tr.en() { "Function" } else { "Fonction" },
            if tr.en() {
                "Institution"
            } else {
                "Établissement"
            },
        ],
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
            en(tr, "Tous les cycles", "All cycles"),
        )],
        facts: vec![
            (
                en(tr, "Fonction", "Function"),
                Cell::text(crate::label!(
                    relais_domain::training::ExecFunction,
                    &c.function_code,
                    tr
                )),
            ),
            (
                en(tr, "Période", "Period"),
                Cell::text(format!(
                    "{} → {}",
                    fr_date(&c.starts_on),
                    fr_date(&c.ends_on)
                )),
            ),
        ],
        sections: vec![
            Section {
                title: en(tr, "Modules", "Modules"),
                table: mt,
            },
            Section {
                title: en(tr, "Participant·es", "Participants"),
                table: pt,
            },
        ],
    };
    Ok(render(&page, tr)?.into_response())
}
