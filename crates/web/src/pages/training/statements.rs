//! Statements per institution and per trainer (page, CSV, PDF).

use super::*;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(super) struct StatementQuery {
    etablissement: Option<String>,
    formateur: Option<String>,
    du: Option<String>,
    au: Option<String>,
}

#[derive(Template)]
#[template(path = "statement.html")]
pub(super) struct StatementPage {
    base: Base,
    h1: String,
    path: String,
    filters: Vec<Field>,
    subtitle: Option<String>,
    table: Option<Table>,
    total: String,
    downloads: Vec<Link>,
}

pub(super) fn period(q: &StatementQuery, state: &AppState) -> (String, String) {
    let y = chrono::Datelike::year(&uc::today(&state.app));
    (
        nonempty(&q.du).unwrap_or_else(|| format!("{y}-01-01")),
        nonempty(&q.au).unwrap_or_else(|| format!("{y}-12-31")),
    )
}

/// The institution a statement is about: the referent's own; for the
/// agency, the one chosen.
pub(super) fn statement_institution(
    auth: &Auth,
    q: &StatementQuery,
) -> Result<Option<Id>, PageError> {
    if auth.actor().role.is_agency() {
        Ok(nonempty(&q.etablissement).and_then(|s| Id::parse(&s)))
    } else {
        match nonempty(&q.etablissement) {
            // Asking for another institution by its id gets a 404 from the
            // use case; a malformed id gets the same 404 here.
            Some(s) => path_id(&s, auth.tr).map(Some),
            None => Ok(auth.actor().institution_id),
        }
    }
}

pub(super) async fn statement_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (from, to) = period(&q, &state);
    let inst = statement_institution(&auth, &q)?;
    let mut filters = vec![];
    if auth.actor().role.is_agency() {
        let opts = crate::kit::institution_options(&state, &auth).await?;
        filters.push(Field::select(
            tr,
            "etablissement",
            tr.t("etablissement").to_string(),
            &inst.map(|i| i.to_string()).unwrap_or_default(),
            opts,
            Some(tr.t("choisir")),
        ));
    }
    filters.push(Field::new(
        tr,
        "date",
        "du",
        tr.t("du").to_string(),
        from.clone(),
    ));
    filters.push(Field::new(
        tr,
        "date",
        "au",
        tr.t("au").to_string(),
        to.clone(),
    ));
    let title = tr.t("releve-des-formations").to_string();
    let (mut subtitle, mut table, mut total, mut downloads) = (None, None, String::new(), vec![]);
    if let Some(inst) = inst {
        let st = uc::statement(&state.app, auth.actor(), inst, &from, &to)
            .await
            .map_err(pe(tr))?;
        subtitle = Some(format!(
            "{} — {} → {}",
            st.institution_name,
            fr_date(&from),
            fr_date(&to)
        ));
        let mut t = Table::new(
            tr,
            tr.t("ce-que-l-etablissement-doit-pour").to_string(),
            &[
                tr.t("stagiaire"),
                tr.t("touchpoint-formation"),
                "Type",
                "Dates",
                tr.t("jours-2"),
                tr.t("tarif"),
                tr.t("montant"),
                tr.t("remarque"),
            ],
        );
        for l in &st.lines {
            t.rows.push(vec![
                Cell::text(l.trainee.clone()),
                Cell::link(
                    l.training.clone(),
                    format!("/formations/sessions/{}", l.session_id),
                ),
                Cell::text(crate::label!(TrainingKind, &l.kind, tr)),
                Cell::text(fr_date(&l.starts_on)),
                Cell::text(days_label(l.half_days, tr)),
                Cell::text(euros(l.unit_cents)),
                Cell::text(euros(l.amount_cents)),
                Cell::text(if l.note.is_empty() {
                    "—".into()
                } else {
                    l.note.clone()
                }),
            ]);
        }
        table = Some(t);
        total = format!("{} : {}", tr.t("total-du"), euros(st.total_cents));
        let qs = format!("etablissement={inst}&du={from}&au={to}");
        downloads = vec![
            Link::new(
                format!("/formations/releves.csv?{qs}"),
                tr.t("telecharger-en-csv").to_string(),
            ),
            Link::new(
                format!("/formations/releves.pdf?{qs}"),
                tr.t("telecharger-en-pdf").to_string(),
            ),
        ];
    } else if !auth.actor().role.is_agency() {
        return Err(PageError::new(DomainError::NotFound, tr));
    }
    let page = StatementPage {
        base: Base::new(&auth, &title),
        h1: title,
        path: "/formations/releves".into(),
        filters,
        subtitle,
        table,
        total,
        downloads,
    };
    Ok(render(&page, tr)?.into_response())
}

/// A CSV download written by the exports' writer (BOM, `;`, formulas
/// neutralised).
pub(super) fn csv_response(
    header: &[&str],
    rows: Vec<Vec<String>>,
    filename: &str,
) -> Result<Response, PageError> {
    let mut bytes = vec![];
    relais_app::csv_io::write_csv(&mut bytes, header, &rows)
        .map_err(pe(Tr(crate::i18n::Lang::Fr)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub(super) fn euros_plain(c: i64) -> String {
    format!("{},{:02}", c / 100, (c % 100).abs())
}

pub(super) async fn load_statement(
    state: &AppState,
    auth: &Auth,
    q: &StatementQuery,
) -> Result<uc::Statement, PageError> {
    let tr = auth.tr;
    let (from, to) = period(q, state);
    let inst =
        statement_institution(auth, q)?.ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
    uc::statement(&state.app, auth.actor(), inst, &from, &to)
        .await
        .map_err(pe(tr))
}

pub(super) async fn statement_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let st = load_statement(&state, &auth, &q).await?;
    let header = [
        "Établissement",
        "Stagiaire",
        "Formation",
        "Type",
        "Début",
        "Fin",
        "Demi-journées",
        "Tarif (EUR)",
        "Montant (EUR)",
        "Remarque",
    ];
    let mut rows: Vec<Vec<String>> = vec![];
    for l in &st.lines {
        rows.push(vec![
            st.institution_name.clone(),
            l.trainee.clone(),
            l.training.clone(),
            l.kind.clone(),
            l.starts_on.clone(),
            l.ends_on.clone(),
            l.half_days.to_string(),
            euros_plain(l.unit_cents),
            euros_plain(l.amount_cents),
            l.note.clone(),
        ]);
    }
    rows.push(vec![
        st.institution_name.clone(),
        "Total".into(),
        String::new(),
        String::new(),
        st.from.clone(),
        st.to.clone(),
        String::new(),
        String::new(),
        euros_plain(st.total_cents),
        String::new(),
    ]);
    csv_response(&header, rows, "releve-formations.csv")
}

pub(super) async fn statement_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    use crate::pdf::Line;
    let st = load_statement(&state, &auth, &q).await?;
    let mut lines = vec![
        Line::Title("Relevé des formations".into()),
        Line::Text(format!(
            "{} — du {} au {}",
            st.institution_name,
            fr_date(&st.from),
            fr_date(&st.to)
        )),
        Line::Gap,
        Line::BoldRow(vec![
            (0.0, "Stagiaire".into()),
            (120.0, "Formation".into()),
            (300.0, "Début".into()),
            (360.0, "Jours".into()),
            (410.0, "Montant".into()),
            (470.0, "Remarque".into()),
        ]),
    ];
    let fr = Tr(crate::i18n::Lang::Fr);
    for l in &st.lines {
        let mut training = l.training.clone();
        if training.chars().count() > 36 {
            training = training.chars().take(35).collect::<String>() + "…";
        }
        lines.push(Line::Row(vec![
            (0.0, l.trainee.chars().take(24).collect()),
            (120.0, training),
            (300.0, fr_date(&l.starts_on)),
            (360.0, days_label(l.half_days, fr)),
            (410.0, euros(l.amount_cents)),
            (470.0, l.note.chars().take(20).collect()),
        ]));
    }
    lines.push(Line::Gap);
    lines.push(Line::BoldRow(vec![
        (0.0, "Total dû".into()),
        (410.0, euros(st.total_cents)),
    ]));
    lines.push(Line::Gap);
    lines.push(Line::Text("Tarifs fixés par le Conseil d'administration, en vigueur au premier jour de chaque session.".into()));
    let bytes = crate::pdf::render(
        "Relevé des formations",
        &format!(
            "Relais — relevé {} {}–{}",
            st.institution_name, st.from, st.to
        ),
        &lines,
    );
    Ok(pdf_response(bytes, "releve-formations.pdf"))
}

pub(super) async fn trainer_data(
    state: &AppState,
    auth: &Auth,
    q: &StatementQuery,
) -> Result<Option<uc::TrainerStatement>, PageError> {
    let tr = auth.tr;
    let (from, to) = period(q, state);
    let who = if auth.actor().role.is_agency() {
        match nonempty(&q.formateur).and_then(|s| Id::parse(&s)) {
            Some(t) => t,
            None => return Ok(None),
        }
    } else {
        match nonempty(&q.formateur) {
            Some(s) => path_id(&s, tr)?,
            None => auth.actor().user_id,
        }
    };
    uc::trainer_statement(&state.app, auth.actor(), who, &from, &to)
        .await
        .map(Some)
        .map_err(pe(tr))
}

pub(super) async fn trainer_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (from, to) = period(&q, &state);
    let st = trainer_data(&state, &auth, &q).await?;
    let mut filters = vec![];
    if auth.actor().role.is_agency() {
        let opts = uc::trainer_options(&state.app, auth.actor())
            .await
            .map_err(pe(tr))?;
        filters.push(Field::select(
            tr,
            "formateur",
            tr.t("role-trainer").to_string(),
            q.formateur.as_deref().unwrap_or(""),
            opts,
            Some(tr.t("choisir")),
        ));
    }
    filters.push(Field::new(
        tr,
        "date",
        "du",
        tr.t("du").to_string(),
        from.clone(),
    ));
    filters.push(Field::new(
        tr,
        "date",
        "au",
        tr.t("au").to_string(),
        to.clone(),
    ));
    let title = tr.t("releve-de-formateur").to_string();
    let (mut subtitle, mut table, mut total, mut downloads) = (None, None, String::new(), vec![]);
    if let Some(st) = st {
        subtitle = Some(format!(
            "{} — {} → {}",
            st.trainer_name,
            fr_date(&from),
            fr_date(&to)
        ));
        let mut t = Table::new(
            tr,
            tr.t("sessions-animees-et-remuneration").to_string(),
            &[
                tr.t("touchpoint-formation"),
                "Dates",
                tr.t("jours-2"),
                tr.t("formateurs"),
                tr.t("remuneration"),
            ],
        );
        for l in &st.lines {
            t.rows.push(vec![
                Cell::link(
                    l.training.clone(),
                    format!("/formations/sessions/{}", l.session_id),
                ),
                Cell::text(fr_date(&l.starts_on)),
                Cell::text(days_label(l.half_days, tr)),
                Cell::text(if l.trainers >= 2 {
                    tr.t("binome").to_string()
                } else {
                    tr.t("seul-e").to_string()
                }),
                Cell::text(euros(l.amount_cents)),
            ]);
        }
        table = Some(t);
        total = format!("{} : {}", tr.t("total"), euros(st.total_cents));
        downloads = vec![Link::new(
            format!(
                "/formations/formateurs.csv?formateur={}&du={from}&au={to}",
                st.trainer_id
            ),
            tr.t("telecharger-en-csv").to_string(),
        )];
    }
    let page = StatementPage {
        base: Base::new(&auth, &title),
        h1: title,
        path: "/formations/formateurs".into(),
        filters,
        subtitle,
        table,
        total,
        downloads,
    };
    Ok(render(&page, tr)?.into_response())
}

pub(super) async fn trainer_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StatementQuery>,
) -> Result<Response, PageError> {
    let st = trainer_data(&state, &auth, &q)
        .await?
        .ok_or_else(|| PageError::new(DomainError::NotFound, auth.tr))?;
    let header = [
        "Formateur",
        "Formation",
        "Début",
        "Fin",
        "Demi-journées",
        "Formateurs",
        "Rémunération (EUR)",
    ];
    let mut rows: Vec<Vec<String>> = vec![];
    for l in &st.lines {
        rows.push(vec![
            st.trainer_name.clone(),
            l.training.clone(),
            l.starts_on.clone(),
            l.ends_on.clone(),
            l.half_days.to_string(),
            l.trainers.to_string(),
            euros_plain(l.amount_cents),
        ]);
    }
    rows.push(vec![
        st.trainer_name.clone(),
        "Total".into(),
        st.from.clone(),
        st.to.clone(),
        String::new(),
        String::new(),
        euros_plain(st.total_cents),
    ]);
    csv_response(&header, rows, "releve-formateur.csv")
}
