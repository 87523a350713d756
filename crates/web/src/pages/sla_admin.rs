//! Administration of service contracts: service levels (targets per
//! severity in business hours), business calendars (kind, weekly hours,
//! closure periods, a preview of the computed public holidays) and the
//! contract of each institution. Agency staff read these pages; only admins
//! see the save buttons, and the use cases refuse anyone else's POST.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{nonempty, path_id, pe, render, FormData, FormPage, ListPage};
use crate::view::{apply_errors, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::sla_admin as uc;
use relais_app::sla_admin::{CalendarInput, CalendarView, ContractInput, LevelInput, LevelView};
use relais_app::AppError;
use relais_domain::sla::target_field;
use relais_domain::support::Severity;
use relais_domain::DomainError;
use relais_store::sla_admin::LevelFilter;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/niveaux", get(levels).post(create_level))
        .route("/admin/niveaux/nouveau", get(new_level))
        .route("/admin/niveaux/{code}", get(edit_level).post(update_level))
        .route("/admin/calendriers", get(calendars).post(create_calendar))
        .route("/admin/calendriers/nouveau", get(new_calendar))
        .route(
            "/admin/calendriers/{id}",
            get(edit_calendar).post(update_calendar),
        )
        .route("/admin/contrats", get(contracts).post(create_contract))
        .route("/admin/contrats/nouveau", get(new_contract))
}

fn notice(tr: Tr) -> String {
    if tr.en() {
        "Changes apply to tickets filed from now on. Tickets already filed keep the deadlines computed when they were filed."
    } else {
        "Les modifications s'appliquent aux tickets déposés à partir de maintenant. Les tickets déjà déposés gardent les échéances calculées à leur dépôt."
    }
    .into()
}

fn admin_links(tr: Tr) -> Vec<Link> {
    let en = tr.en();
    vec![
        Link::new(
            "/admin/niveaux",
            if en {
                "Service levels"
            } else {
                "Niveaux de service"
            },
        ),
        Link::new(
            "/admin/calendriers",
            if en {
                "Business calendars"
            } else {
                "Calendriers ouvrés"
            },
        ),
        Link::new(
            "/admin/contrats",
            if en {
                "Service contracts"
            } else {
                "Contrats de service"
            },
        ),
    ]
}

fn severity_label(s: Severity, tr: Tr) -> &'static str {
    if tr.en() {
        s.label_en()
    } else {
        s.label_fr()
    }
}

// ---------------------------------------------------------------- levels

async fn levels(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let rows = uc::list_levels(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut headers: Vec<String> = vec![(if en { "Level" } else { "Niveau" }).into()];
    for s in Severity::ALL {
        let l = severity_label(*s, tr);
        headers.push(if en {
            format!("{l}: first response")
        } else {
            format!("{l} : première réponse")
        });
        headers.push(if en {
            format!("{l}: resolution")
        } else {
            format!("{l} : résolution")
        });
    }
    let mut table = Table::new(
        tr,
        if en {
            "Targets per severity, in business hours"
        } else {
            "Objectifs par sévérité, en heures ouvrées"
        },
        &[],
    );
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
            Link::new(
                "/admin/niveaux/nouveau",
                if en { "New level" } else { "Nouveau niveau" },
            ),
        );
    }
    let title = if en {
        "Service levels"
    } else {
        "Niveaux de service"
    };
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
struct LevelFormPage {
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
    let en = tr.en();
    let mut fields = vec![];
    if create {
        fields.push(
            Field::new(tr, "text", "code", "Code", f.get("code"))
                .required()
                .hint(if en {
                    "Lower-case letters, digits and _, e.g. premium_plus."
                } else {
                    "Minuscules, chiffres et _, par exemple premium_plus."
                }),
        );
    }
    fields.push(
        Field::new(
            tr,
            "text",
            "name",
            if en { "Name" } else { "Nom" },
            f.get("name"),
        )
        .required(),
    );
    let mut groups: Vec<(String, Vec<Field>)> = Severity::ALL
        .iter()
        .map(|s| {
            let l = severity_label(*s, tr);
            let hint = if en {
                "Business hours; decimals allowed (2.5 = 2 h 30)."
            } else {
                "Heures ouvrées ; décimales admises (2,5 = 2 h 30)."
            };
            (
                if en {
                    format!("Severity {l}")
                } else {
                    format!("Sévérité {l}")
                },
                vec![
                    Field::new(
                        tr,
                        "text",
                        target_field(*s, false),
                        if en {
                            format!("{l}: first response (hours)")
                        } else {
                            format!("{l} : première réponse (heures)")
                        },
                        f.get(target_field(*s, false)),
                    )
                    .required()
                    .hint(hint),
                    Field::new(
                        tr,
                        "text",
                        target_field(*s, true),
                        if en {
                            format!("{l}: resolution (hours)")
                        } else {
                            format!("{l} : résolution (heures)")
                        },
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
        (if en {
            "New service level"
        } else {
            "Nouveau niveau de service"
        })
        .to_string()
    } else if en {
        format!("Service level {}", f.get("name"))
    } else {
        format!("Niveau de service {}", f.get("name"))
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
        submit: tr.get("save").into(),
        cancel: "/admin/niveaux".into(),
        back: (if en {
            "Back to the levels"
        } else {
            "Retour aux niveaux"
        })
        .into(),
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

async fn new_level(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
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

async fn edit_level(
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

async fn create_level(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    save_level(state, auth, f, None).await
}

async fn update_level(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    save_level(state, auth, f, Some(code)).await
}

// ---------------------------------------------------------------- calendars

fn kind_label(c: &CalendarView) -> String {
    uc::kind_options()
        .into_iter()
        .find(|(v, _)| *v == c.kind_value())
        .map(|(_, l)| l)
        .unwrap_or_default()
}

async fn calendars(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let rows = uc::list_calendars(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut table = Table::new(
        tr,
        if en {
            "Business calendars"
        } else {
            "Calendriers ouvrés"
        },
        &[
            if en { "Name" } else { "Nom" },
            "Code",
            "Type",
            if en { "Time zone" } else { "Fuseau horaire" },
            if en { "Closures" } else { "Fermetures" },
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
            Link::new(
                "/admin/calendriers/nouveau",
                if en {
                    "New calendar"
                } else {
                    "Nouveau calendrier"
                },
            ),
        );
    }
    let title = if en {
        "Business calendars"
    } else {
        "Calendriers ouvrés"
    };
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

struct HourCell {
    name: String,
    label: String,
    value: String,
    error: Option<String>,
}

struct DayRow {
    label: String,
    cells: Vec<HourCell>,
}

#[derive(Template)]
#[template(path = "sla_calendar_form.html")]
struct CalendarFormPage {
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

const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
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
    let en = tr.en();
    let (y0, y1) = uc::preview_years(&state.app);
    [y0, y1]
        .into_iter()
        .map(|y| {
            let mut t = Table::new(
                tr,
                if en {
                    format!("Public holidays {y}")
                } else {
                    format!("Jours fériés {y}")
                },
                &["Date", if en { "Holiday" } else { "Jour férié" }],
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
    let en = tr.en();
    let mut fields = vec![];
    if existing.is_none() {
        fields.push(
            Field::new(tr, "text", "code", "Code", f.get("code"))
                .required()
                .hint(if en {
                    "Lower-case letters, digits and _, e.g. reunion."
                } else {
                    "Minuscules, chiffres et _, par exemple reunion."
                }),
        );
    }
    fields.push(
        Field::new(
            tr,
            "text",
            "name",
            if en { "Name" } else { "Nom" },
            f.get("name"),
        )
        .required(),
    );
    fields.push(
        Field::select(
            tr,
            "kind",
            if en {
                "Public holidays"
            } else {
                "Jours fériés appliqués"
            },
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
            if en { "Time zone" } else { "Fuseau horaire" },
            f.get("timezone"),
        )
        .hint(if en {
            "IANA name; empty: the territory's own, or Europe/Paris."
        } else {
            "Nom IANA ; vide : celui du territoire, sinon Europe/Paris."
        }),
    );
    let mut closures = Field::new(
        tr,
        "textarea",
        "closures",
        if en {
            "Closure periods"
        } else {
            "Périodes de fermeture"
        },
        f.get("closures"),
    )
    .hint(if en {
        "One per line: YYYY-MM-DD;YYYY-MM-DD;label (both days included)."
    } else {
        "Une par ligne : AAAA-MM-JJ;AAAA-MM-JJ;libellé (jours inclus)."
    });
    let hour_words = if en {
        [
            "morning opening",
            "morning closing",
            "afternoon opening",
            "afternoon closing",
        ]
    } else {
        [
            "ouverture du matin",
            "fermeture du matin",
            "ouverture de l'après-midi",
            "fermeture de l'après-midi",
        ]
    };
    let mut days: Vec<DayRow> = uc::HOUR_FIELDS
        .iter()
        .enumerate()
        .map(|(i, names)| {
            let day = if en {
                WEEKDAYS_EN[i]
            } else {
                uc::WEEKDAYS_FR[i]
            };
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
        None => (if en {
            "New calendar"
        } else {
            "Nouveau calendrier"
        })
        .to_string(),
        Some(c) => {
            if en {
                format!("Calendar {}", c.name)
            } else {
                format!("Calendrier {}", c.name)
            }
        }
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
        hours_legend: (if en { "Opening hours" } else { "Horaires d'ouverture" }).into(),
        hours_hint: (if en {
            "Local time, HH:MM. Leave a day empty to close it; the afternoon is optional."
        } else {
            "Heure locale, HH:MM. Laissez un jour vide pour le fermer ; l'après-midi est facultatif."
        })
        .into(),
        hours_caption: (if en { "Opening hours per weekday" } else { "Horaires par jour de la semaine" }).into(),
        day_word: (if en { "Day" } else { "Jour" }).into(),
        hour_headers: if en {
            vec!["Opens".into(), "Closes".into(), "Reopens".into(), "Closes".into()]
        } else {
            vec![
                "Ouverture".into(),
                "Fermeture".into(),
                "Réouverture".into(),
                "Fermeture".into(),
            ]
        },
        days,
        closures,
        editable: uc::may_write(auth.actor()),
        submit: tr.get("save").into(),
        cancel: "/admin/calendriers".into(),
        back: (if en { "Back to the calendars" } else { "Retour aux calendriers" }).into(),
        preview_title: (if en {
            "Public holidays computed for this calendar"
        } else {
            "Jours fériés calculés pour ce calendrier"
        })
        .into(),
        preview_hint: (if en {
            "As saved; closures come on top of these days."
        } else {
            "Selon le calendrier enregistré ; les fermetures s'ajoutent à ces jours."
        })
        .into(),
        previews: holiday_tables(state, tr, existing),
    }
}

async fn new_calendar(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
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

async fn edit_calendar(
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

async fn create_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    save_calendar(state, auth, f, None).await
}

async fn update_calendar(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    save_calendar(state, auth, f, Some(id)).await
}

// ---------------------------------------------------------------- contracts

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct ContractQuery {
    niveau: Option<String>,
    institution: Option<String>,
}

async fn contracts(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ContractQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
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
        (if en {
            "No contract (generic charter)"
        } else {
            "Sans contrat (charte générique)"
        })
        .into(),
    ));
    let filters = vec![Field::select(
        tr,
        "niveau",
        if en { "Level" } else { "Niveau" },
        level.as_deref().unwrap_or(""),
        options,
        Some(if en { "All" } else { "Tous" }),
    )];
    let write = uc::may_write(auth.actor());
    let mut headers = vec![
        if en { "Institution" } else { "Établissement" },
        if en { "Level" } else { "Niveau" },
        if en { "Calendar" } else { "Calendrier" },
        if en { "Start" } else { "Début" },
        if en { "End" } else { "Fin" },
    ];
    if write {
        headers.push("Action");
    }
    let mut table = Table::new(
        tr,
        if en {
            "Institutions and the contract in force today"
        } else {
            "Établissements et contrat en vigueur aujourd'hui"
        },
        &headers,
    );
    for r in &rows {
        let mut row = vec![
            Cell::link(
                r.institution_name.clone(),
                format!("/etablissements/{}", r.institution_id),
            ),
            Cell::text(r.level_name.clone().unwrap_or_else(|| {
                (if en {
                    "— (generic charter)"
                } else {
                    "— (charte générique)"
                })
                .into()
            })),
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
                if en { "Assign" } else { "Attribuer" },
                format!("/admin/contrats/nouveau?institution={}", r.institution_id),
            ));
        }
        table.rows.push(row);
    }
    let mut actions = vec![];
    if write {
        actions.push(Link::new(
            "/admin/contrats/nouveau",
            if en {
                "Assign a contract"
            } else {
                "Attribuer un contrat"
            },
        ));
    }
    let mut others = admin_links(tr);
    others.pop();
    actions.extend(others);
    let title = if en {
        "Service contracts"
    } else {
        "Contrats de service"
    };
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
    let en = tr.en();
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
            if en { "Institution" } else { "Établissement" },
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
            if en { "Service level" } else { "Niveau de service" },
            &f.get("level"),
            levels.into_iter().map(|l| (l.code, l.name)),
            Some("—"),
        )
        .required(),
        Field::select(
            tr,
            "calendar",
            if en { "Business calendar" } else { "Calendrier ouvré" },
            &f.get("calendar"),
            calendars.into_iter().map(|c| (c.code, c.name)),
            Some("—"),
        )
        .required(),
        Field::new(
            tr,
            "date",
            "starts_on",
            if en { "Start" } else { "Début" },
            f.get("starts_on"),
        )
        .required()
        .hint(if en {
            "A contract running then ends the day before; later ones are replaced."
        } else {
            "Un contrat en cours à cette date se termine la veille ; les contrats ultérieurs sont remplacés."
        }),
        Field::new(
            tr,
            "date",
            "ends_on",
            if en { "End (optional)" } else { "Fin (facultative)" },
            f.get("ends_on"),
        ),
    ])
}

async fn new_contract(
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
    let title = if tr.en() {
        "Assign a service contract"
    } else {
        "Attribuer un contrat de service"
    };
    let p = FormPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        action: "/admin/contrats".into(),
        fields,
        errors: vec![],
        submit: tr.get("save").into(),
        cancel: "/admin/contrats".into(),
    };
    Ok(render(&p, tr)?.into_response())
}

async fn create_contract(
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
            let title = if tr.en() {
                "Assign a service contract"
            } else {
                "Attribuer un contrat de service"
            };
            let p = FormPage {
                base: Base::new(&auth, title),
                h1: title.into(),
                action: "/admin/contrats".into(),
                fields,
                errors,
                submit: tr.get("save").into(),
                cancel: "/admin/contrats".into(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
