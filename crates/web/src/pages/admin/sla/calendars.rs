//! Business calendars: kind, weekly hours, closure periods, a preview of the computed public holidays.

use super::*;

fn kind_label(c: &CalendarView) -> String {
    uc::kind_options()
        .into_iter()
        .find(|(v, _)| *v == c.kind_value())
        .map(|(_, l)| l)
        .unwrap_or_default()
}

pub(super) async fn calendars(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rows = uc::list_calendars(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut table = Table::new(
        tr,
        tr.t("calendriers-ouvres"),
        &[
            tr.t("nom"),
            "Code",
            "Type",
            tr.t("fuseau-horaire"),
            tr.t("fermetures"),
        ],
    );
    for c in &rows {
        table.rows.push(vec![
            Cell::link(c.name.clone(), format!("/admin/calendriers/{}", c.id)),
            Cell::text(c.code.clone()),
            Cell::text(kind_label(c)),
            Cell::text(c.calendar.tz.name().to_string()),
            Cell::text(c.closures.len().to_string()),
        ]);
    }
    let mut actions = admin_links(tr);
    actions.remove(1);
    if uc::may_write(auth.actor()) {
        actions.insert(
            0,
            Link::new("/admin/calendriers/nouveau", tr.t("nouveau-calendrier")),
        );
    }
    let title = tr.t("calendriers-ouvres");
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        path: "/admin/calendriers".into(),
        actions,
        filters: vec![],
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}

pub(super) struct HourCell {
    name: String,
    label: String,
    value: String,
    error: Option<String>,
}

pub(super) struct DayRow {
    label: String,
    cells: Vec<HourCell>,
}

#[derive(Template)]
#[template(path = "sla_calendar_form.html")]
pub(super) struct CalendarFormPage {
    base: Base,
    h1: String,
    notice: String,
    action: String,
    fields: Vec<Field>,
    errors: Vec<(String, String)>,
    hours_legend: String,
    hours_hint: String,
    hours_caption: String,
    day_word: String,
    hour_headers: Vec<String>,
    days: Vec<DayRow>,
    closures: Field,
    editable: bool,
    submit: String,
    cancel: String,
    back: String,
    preview_title: String,
    preview_hint: String,
    previews: Vec<Table>,
}

/// The weekdays, Monday first, as catalogue keys.
const WEEKDAY_KEYS: [&str; 7] = [
    "weekday-monday",
    "weekday-tuesday",
    "weekday-wednesday",
    "weekday-thursday",
    "weekday-friday",
    "weekday-saturday",
    "weekday-sunday",
];

fn calendar_form_data(c: &CalendarView) -> FormData {
    let mut pairs = vec![
        ("code".to_string(), c.code.clone()),
        ("name".to_string(), c.name.clone()),
        ("kind".to_string(), c.kind_value()),
        ("timezone".to_string(), c.calendar.tz.name().to_string()),
        ("closures".to_string(), c.closure_text()),
    ];
    for (i, names) in uc::HOUR_FIELDS.iter().enumerate() {
        let w = c.calendar.weekday_hours(i as u32 + 1);
        for (j, win) in w.iter().take(2).enumerate() {
            pairs.push((names[2 * j].into(), win.0.format("%H:%M").to_string()));
            pairs.push((names[2 * j + 1].into(), win.1.format("%H:%M").to_string()));
        }
    }
    FormData(pairs)
}

fn calendar_input(f: &FormData) -> CalendarInput {
    let mut hours = BTreeMap::new();
    for names in uc::HOUR_FIELDS {
        for n in names {
            hours.insert(n.to_string(), f.get(n));
        }
    }
    CalendarInput {
        code: f.get("code"),
        name: f.get("name"),
        kind: f.get("kind"),
        timezone: f.get("timezone"),
        hours,
        closures: f.get("closures"),
    }
}

fn holiday_tables(state: &AppState, tr: Tr, cal: Option<&CalendarView>) -> Vec<Table> {
    let Some(c) = cal else { return vec![] };
    let (y0, y1) = uc::preview_years(&state.app);
    [y0, y1]
        .into_iter()
        .map(|y| {
            let mut t = Table::new(
                tr,
                tr.t_args("jours-feries-y", &[("y", y.to_string().into())]),
                &["Date", tr.t("jour-ferie")],
            );
            for (d, name) in uc::holidays(&c.calendar, y) {
                t.rows.push(vec![
                    Cell::text(d.format("%d/%m/%Y").to_string()),
                    Cell::text(name),
                ]);
            }
            t
        })
        .collect()
}

fn calendar_page(
    state: &AppState,
    auth: &Auth,
    f: &FormData,
    existing: Option<&CalendarView>,
    err: Option<&DomainError>,
) -> CalendarFormPage {
    let tr = auth.tr;
    let mut fields = vec![];
    if existing.is_none() {
        fields.push(
            Field::new(tr, "text", "code", "Code", f.get("code"))
                .required()
                .hint(tr.t("minuscules-chiffres-et-par-exemple-reunion")),
        );
    }
    fields.push(Field::new(tr, "text", "name", tr.t("nom"), f.get("name")).required());
    fields.push(
        Field::select(
            tr,
            "kind",
            tr.t("jours-feries-appliques"),
            &f.get("kind"),
            uc::kind_options(),
            None,
        )
        .required(),
    );
    fields.push(
        Field::new(
            tr,
            "text",
            "timezone",
            tr.t("fuseau-horaire"),
            f.get("timezone"),
        )
        .hint(tr.t("nom-iana-vide-celui-du-territoire")),
    );
    let mut closures = Field::new(
        tr,
        "textarea",
        "closures",
        tr.t("periodes-de-fermeture"),
        f.get("closures"),
    )
    .hint(tr.t("une-par-ligne-aaaa-mm-jj"));
    let hour_words = [
        tr.t("calendar-morning-opening"),
        tr.t("calendar-morning-closing"),
        tr.t("calendar-afternoon-opening"),
        tr.t("calendar-afternoon-closing"),
    ];
    let mut days: Vec<DayRow> = uc::HOUR_FIELDS
        .iter()
        .enumerate()
        .map(|(i, names)| {
            let day = tr.t(WEEKDAY_KEYS[i]);
            DayRow {
                label: day.to_string(),
                cells: names
                    .iter()
                    .zip(hour_words)
                    .map(|(n, w)| HourCell {
                        name: n.to_string(),
                        label: format!("{day} : {w}"),
                        value: f.get(n),
                        error: None,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut errors = vec![];
    if let Some(e) = err {
        let mut all = fields.clone();
        all.push(closures.clone());
        for d in &days {
            for c in &d.cells {
                all.push(Field::new(tr, "time", &c.name, c.label.clone(), ""));
            }
        }
        errors = apply_errors(&mut all, e);
        let n = fields.len();
        fields = all[..n].to_vec();
        closures = all[n].clone();
        if let DomainError::Invalid(v) = e {
            // Several closure lines may be wrong: show them all on the field.
            let lines: Vec<String> = v
                .iter()
                .filter(|x| x.field == "closures")
                .map(|x| x.detail.clone())
                .collect();
            if !lines.is_empty() {
                closures.error = Some(lines.join(" "));
            }
        }
        let mut rest = all[n + 1..].iter();
        for d in days.iter_mut() {
            for c in d.cells.iter_mut() {
                c.error = rest.next().and_then(|x| x.error.clone());
            }
        }
    }
    let title = match existing {
        None => (tr.t("nouveau-calendrier")).to_string(),
        Some(c) => tr.t_args("calendrier-name", &[("name", c.name.to_string().into())]),
    };
    CalendarFormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        notice: notice(tr),
        action: match existing {
            Some(c) => format!("/admin/calendriers/{}", c.id),
            None => "/admin/calendriers".into(),
        },
        fields,
        errors,
        hours_legend: (tr.t("horaires-d-ouverture")).into(),
        hours_hint: (tr.t("heure-locale-hh-mm-laissez-un")).into(),
        hours_caption: (tr.t("horaires-par-jour-de-la-semaine")).into(),
        day_word: (tr.t("jour")).into(),
        hour_headers: vec![
            tr.t("calendar-opens").into(),
            tr.t("calendar-closes").into(),
            tr.t("calendar-reopens").into(),
            tr.t("calendar-closes").into(),
        ],
        days,
        closures,
        editable: uc::may_write(auth.actor()),
        submit: tr.t("save").into(),
        cancel: "/admin/calendriers".into(),
        back: (tr.t("retour-aux-calendriers")).into(),
        preview_title: (tr.t("jours-feries-calcules-pour-ce-calendrier")).into(),
        preview_hint: (tr.t("selon-le-calendrier-enregistre-les-fermetures")).into(),
        previews: holiday_tables(state, tr, existing),
    }
}

pub(super) async fn new_calendar(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    uc::list_calendars(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    if !uc::may_write(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let mut f = FormData::default();
    f.0.push(("kind".into(), "metropole".into()));
    for names in uc::HOUR_FIELDS.iter().take(5) {
        for (n, v) in names.iter().zip(["09:00", "12:30", "13:30", "17:30"]) {
            f.0.push((n.to_string(), v.to_string()));
        }
    }
    let p = calendar_page(&state, &auth, &f, None, None);
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn edit_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let c = uc::get_calendar(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let p = calendar_page(&state, &auth, &calendar_form_data(&c), Some(&c), None);
    Ok(render(&p, tr)?.into_response())
}

async fn save_calendar(
    state: AppState,
    auth: Auth,
    f: FormData,
    id: Option<relais_domain::Id>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::save_calendar(&state.app, auth.actor(), id, calendar_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/calendriers/{id}?ok=calendar")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let existing = match id {
                Some(id) => Some(
                    uc::get_calendar(&state.app, auth.actor(), id)
                        .await
                        .map_err(pe(tr))?,
                ),
                None => None,
            };
            let p = calendar_page(&state, &auth, &f, existing.as_ref(), Some(&e));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn create_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    save_calendar(state, auth, f, None).await
}

pub(super) async fn update_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    save_calendar(state, auth, f, Some(id)).await
}
