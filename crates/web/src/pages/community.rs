//! Community pages: events (`/communautes`: list with filters by kind,
//! domain and upcoming/past; the event page with registration, resources
//! and, for the agency, the attendance form; create/edit forms), the
//! domains' mailing lists (`/communautes/listes`: moderators, subscribers
//! within the reader's scope, subscribe/unsubscribe, the Sympa export), and
//! publications (`/publications`: a member's domains of interest first,
//! Markdown rendered and sanitised).

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    form_reply, fr, history_table, nonempty, pager, paris, path_id, pe, render, render_markdown,
    Action, ActionPage, ActionRow, ActionTable, AttendanceForm, AttendanceRow, FormData, FormPage,
    IntroFormPage, ListPage, SmallForm, PAGE_SIZE,
};
use crate::view::{apply_errors, enum_options, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::community as uc;
use relais_app::community::{EventInput, ListInput, PublicationInput, When};
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::community::{
    paris_input, resource_lines, Attendance, EventFormat, EventKind, PublicationKind,
};
use relais_domain::{DomainError, Id};
use relais_store::community::{EventRow, PublicationFilter, PublicationRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communautes", get(list_events).post(create_event))
        .route("/communautes/nouveau", get(new_event))
        .route("/communautes/{id}", get(show_event).post(update_event))
        .route("/communautes/{id}/modifier", get(edit_event))
        .route("/communautes/{id}/inscription", post(register))
        .route("/communautes/{id}/desinscription", post(unregister))
        .route("/communautes/{id}/presences", post(attendance))
        .route("/communautes/listes", get(list_lists).post(create_list))
        .route("/communautes/listes/nouvelle", get(new_list))
        .route("/communautes/listes/{id}", get(show_list).post(update_list))
        .route("/communautes/listes/{id}/modifier", get(edit_list))
        .route("/communautes/listes/{id}/abonnes", post(subscribe))
        .route(
            "/communautes/listes/{id}/abonnes/{contact}/retirer",
            post(unsubscribe),
        )
        .route("/communautes/listes/{id}/moderateurs", post(add_moderator))
        .route(
            "/communautes/listes/{id}/moderateurs/{m}/retirer",
            post(remove_moderator),
        )
        .route("/communautes/listes/{id}/export-sympa", get(export_sympa))
        .route(
            "/publications",
            get(list_publications).post(create_publication),
        )
        .route("/publications/nouvelle", get(new_publication))
        .route(
            "/publications/{id}",
            get(show_publication).post(update_publication),
        )
        .route("/publications/{id}/modifier", get(edit_publication))
        .route(
            "/publications/{id}/fichiers",
            post(upload_publication_file).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/publications/{id}/fichiers/{file}",
            get(download_publication_file),
        )
}

async fn domain_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(relais_app::crm::list_domains(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

async fn product_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(relais_app::crm::list_products(&state.app, None)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

// ---------------------------------------------------------------- events

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct EventQuery {
    kind: Option<String>,
    domain: Option<String>,
    quand: Option<String>,
    page: Option<i64>,
}

fn kind_label(code: &str, tr: Tr) -> String {
    crate::label!(EventKind, code, tr)
}

async fn list_events(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<EventQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let page = q.page.unwrap_or(1).max(1);
    let when_code = nonempty(&q.quand).unwrap_or_else(|| "a_venir".into());
    let when = When::from_code(&when_code);
    let (rows, total) = uc::list_events(
        &state.app,
        auth.actor(),
        nonempty(&q.kind),
        nonempty(&q.domain),
        when,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await
    .map_err(pe(tr))?;
    let title = fr(tr, "Communautés et événements", "Communities and events");
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            if en { "Event" } else { "Événement" },
            "Type",
            if en { "Domain" } else { "Domaine" },
            if en {
                "Starts (Paris)"
            } else {
                "Début (heure de Paris)"
            },
            "Format",
            if en { "Seats left" } else { "Places restantes" },
        ],
    );
    for e in rows {
        table.rows.push(vec![
            Cell::link(e.title.clone(), format!("/communautes/{}", e.id)),
            Cell::text(kind_label(&e.kind, tr)),
            Cell::opt(&e.domain_name),
            Cell::text(paris(&e.starts_at)),
            Cell::text(crate::label!(EventFormat, &e.format, tr)),
            Cell::text(format!(
                "{} / {}",
                (e.capacity - e.seats_taken).max(0),
                e.capacity
            )),
        ]);
    }
    let filters = vec![
        Field::select(
            tr,
            "kind",
            "Type",
            q.kind.as_deref().unwrap_or(""),
            enum_options(EventKind::ALL, EventKind::code, EventKind::label, tr),
            Some(tr.get("all")),
        ),
        Field::select(
            tr,
            "domain",
            if en { "Domain" } else { "Domaine" },
            q.domain.as_deref().unwrap_or(""),
            domain_options(&state, tr).await?,
            Some(tr.get("all")),
        ),
        Field::select(
            tr,
            "quand",
            if en { "When" } else { "Période" },
            &when_code,
            [
                ("a_venir".to_string(), fr(tr, "À venir", "Upcoming")),
                ("passes".to_string(), fr(tr, "Passés", "Past")),
                ("tous".to_string(), fr(tr, "Tous", "All")),
            ],
            None,
        ),
    ];
    let mut actions = vec![
        Link::new(
            "/communautes/listes",
            fr(tr, "Listes de diffusion", "Mailing lists"),
        ),
        Link::new("/publications", "Publications"),
    ];
    if uc::may_manage(auth.actor()) {
        actions.insert(
            0,
            Link::new(
                "/communautes/nouveau",
                fr(tr, "Nouvel événement", "New event"),
            ),
        );
    }
    let (prev, next) = pager(
        "/communautes",
        &[
            ("kind", q.kind.clone()),
            ("domain", q.domain.clone()),
            ("quand", Some(when_code.clone())),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: "/communautes".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn event_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    error: Option<String>,
) -> Result<ActionPage, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let v = uc::get_event(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let e = &v.event;
    let manager = uc::may_manage(auth.actor());
    let agency = auth.actor().role.is_agency();
    let mut links = vec![];
    let mut buttons = vec![];
    if manager {
        links.push(Link::new(
            format!("/communautes/{id}/modifier"),
            tr.get("edit"),
        ));
    }
    let left = (e.capacity - e.seats_taken).max(0);
    if !v.started {
        if v.registered {
            buttons.push(Action {
                action: format!("/communautes/{id}/desinscription"),
                label: fr(tr, "Annuler mon inscription", "Cancel my registration"),
            });
        } else if left > 0 {
            buttons.push(Action {
                action: format!("/communautes/{id}/inscription"),
                label: fr(tr, "M'inscrire", "Register"),
            });
        }
    }
    let mut facts = vec![
        ("Type".to_string(), Cell::text(kind_label(&e.kind, tr))),
        (fr(tr, "Domaine", "Domain"), Cell::opt(&e.domain_name)),
        (fr(tr, "Produit", "Product"), Cell::opt(&e.product_name)),
        (
            fr(tr, "Début (heure de Paris)", "Starts (Paris time)"),
            Cell::text(paris(&e.starts_at)),
        ),
        (
            fr(tr, "Fin (heure de Paris)", "Ends (Paris time)"),
            Cell::text(paris(&e.ends_at)),
        ),
        (
            "Format".into(),
            Cell::text(crate::label!(EventFormat, &e.format, tr)),
        ),
    ];
    if let Some(place) = &e.place {
        facts.push((fr(tr, "Lieu", "Place"), Cell::text(place.clone())));
    }
    if let Some(url) = e
        .visio_url
        .as_ref()
        .filter(|u| relais_domain::community::is_web_url(u))
    {
        // The link is for those who registered (and the agency).
        if v.registered || agency {
            facts.push((
                fr(tr, "Lien de la visio", "Video link"),
                Cell::link(url.clone(), url.clone()),
            ));
        } else {
            facts.push((
                fr(tr, "Lien de la visio", "Video link"),
                Cell::text(fr(
                    tr,
                    "communiqué aux inscrit·es",
                    "given to those registered",
                )),
            ));
        }
    }
    facts.push((
        fr(tr, "Places", "Seats"),
        Cell::text(if en {
            format!("{left} left of {}", e.capacity)
        } else {
            format!("{left} restante(s) sur {}", e.capacity)
        }),
    ));
    facts.push((
        fr(tr, "Mon inscription", "My registration"),
        Cell::text(match (v.registered, v.started, left) {
            (true, _, _) => fr(tr, "Inscrit·e", "Registered"),
            (false, true, _) => fr(tr, "Inscriptions closes", "Registration closed"),
            (false, false, 0) => fr(tr, "Complet", "Full"),
            _ => fr(tr, "Non inscrit·e", "Not registered"),
        }),
    ));
    if agency {
        facts.push((
            fr(tr, "Présences", "Attendance"),
            Cell::text(if en {
                format!(
                    "{} present, {} absent, {} registered",
                    v.counts.1, v.counts.2, v.counts.0
                )
            } else {
                format!(
                    "{} présent·es, {} absent·es, {} inscrit·es",
                    v.counts.1, v.counts.2, v.counts.0
                )
            }),
        ));
    }
    let attendance = manager.then(|| AttendanceForm {
        title: fr(tr, "Inscrit·es et présences", "Registrants and attendance"),
        action: format!("/communautes/{id}/presences"),
        headers: vec![
            fr(tr, "Personne", "Person"),
            fr(tr, "Établissement", "Institution"),
            fr(tr, "Présence", "Attendance"),
        ],
        options: std::iter::once((String::new(), fr(tr, "Non renseignée", "Not marked")))
            .chain(
                Attendance::ALL
                    .iter()
                    .map(|a| (a.code().to_string(), a.label(en).to_string())),
            )
            .collect(),
        rows: v
            .registrants
            .iter()
            .map(|r| AttendanceRow {
                id: r.id.clone(),
                name: r.display_name.clone(),
                institution: r.institution_name.clone().unwrap_or_else(|| "Amue".into()),
                value: r.attendance.clone().unwrap_or_default(),
            })
            .collect(),
        submit: fr(tr, "Enregistrer les présences", "Save attendance"),
    });
    let history = if agency {
        Some(history_table(
            tr,
            uc::history(&state.app, auth.actor(), "community_event", id)
                .await
                .map_err(pe(tr))?,
        ))
    } else {
        None
    };
    Ok(ActionPage {
        base: Base::new(auth, e.title.clone()),
        h1: e.title.clone(),
        subtitle: Some(format!(
            "{} · {}",
            kind_label(&e.kind, tr),
            paris(&e.starts_at)
        )),
        error,
        links,
        buttons,
        facts,
        body_html: e.description.as_deref().map(render_markdown),
        resources: v
            .resources
            .iter()
            .map(|r| Link::new(r.url.clone(), r.label.clone()))
            .collect(),
        attendance,
        tables: vec![],
        history,
        upload: None,
    })
}

async fn show_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let p = event_page(&state, &auth, id, None).await?;
    Ok(render(&p, tr)?.into_response())
}

/// A refused registration shows the event again with the reason (e.g.
/// `event_full`) rather than an error page.
async fn after_step(
    state: &AppState,
    auth: &Auth,
    id: Id,
    r: Result<(), AppError>,
    ok: &str,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/communautes/{id}?ok={ok}")).into_response()),
        Err(AppError::Domain(DomainError::Invalid(errs))) => {
            let msg = errs
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
                .join(" ");
            let p = event_page(state, auth, id, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn register(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::register(&state.app, auth.actor(), id).await.map(|_| ());
    after_step(&state, &auth, id, r, "inscription").await
}

async fn unregister(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::unregister(&state.app, auth.actor(), id).await;
    after_step(&state, &auth, id, r, "desinscription").await
}

async fn attendance(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let regs = f.all("registration");
    let marks = f.all("attendance");
    let mut pairs = vec![];
    for (r, m) in regs.iter().zip(marks.iter()) {
        pairs.push((path_id(r, tr)?, m.clone()));
    }
    let r = uc::mark_attendance(&state.app, auth.actor(), id, &pairs).await;
    after_step(&state, &auth, id, r, "presences").await
}

fn event_fields(
    tr: Tr,
    f: &FormData,
    domains: &[(String, String)],
    products: &[(String, String)],
) -> Vec<Field> {
    let en = tr.en();
    vec![
        Field::new(
            tr,
            "text",
            "title",
            if en { "Title" } else { "Titre" },
            f.get("title"),
        )
        .required(),
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(EventKind::ALL, EventKind::code, EventKind::label, tr),
            Some(if en { "Choose…" } else { "Choisir…" }),
        )
        .required(),
        Field::select(
            tr,
            "domain_code",
            if en { "Domain" } else { "Domaine" },
            &f.get("domain_code"),
            domains.iter().cloned(),
            Some("—"),
        ),
        Field::select(
            tr,
            "product_id",
            if en { "Product" } else { "Produit" },
            &f.get("product_id"),
            products.iter().cloned(),
            Some("—"),
        ),
        Field::new(
            tr,
            "datetime-local",
            "starts_at",
            if en {
                "Starts (Paris time)"
            } else {
                "Début (heure de Paris)"
            },
            f.get("starts_at"),
        )
        .required(),
        Field::new(
            tr,
            "datetime-local",
            "ends_at",
            if en {
                "Ends (Paris time)"
            } else {
                "Fin (heure de Paris)"
            },
            f.get("ends_at"),
        )
        .required(),
        Field::select(
            tr,
            "format",
            "Format",
            &f.get("format"),
            enum_options(EventFormat::ALL, EventFormat::code, EventFormat::label, tr),
            Some(if en { "Choose…" } else { "Choisir…" }),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "place",
            if en {
                "Place (on site)"
            } else {
                "Lieu (présentiel)"
            },
            f.get("place"),
        ),
        Field::new(
            tr,
            "url",
            "visio_url",
            if en {
                "Video link (visio)"
            } else {
                "Lien de la visio"
            },
            f.get("visio_url"),
        )
        .hint(if en {
            "https://…"
        } else {
            "https://… ; communiqué aux seules personnes inscrites."
        }),
        Field::new(
            tr,
            "number",
            "capacity",
            if en {
                "Capacity (seats)"
            } else {
                "Capacité (places)"
            },
            f.get("capacity"),
        )
        .required(),
        Field::new(
            tr,
            "textarea",
            "description",
            "Description",
            f.get("description"),
        )
        .hint(if en {
            "Markdown."
        } else {
            "Markdown : **gras**, - listes, [lien](https://…)."
        }),
        Field::new(
            tr,
            "textarea",
            "resources",
            if en { "Resources" } else { "Ressources" },
            f.get("resources"),
        )
        .hint(if en {
            "One link per line: Label | https://… (Padlet boards, documents)."
        } else {
            "Un lien par ligne : Libellé | https://… (Padlet, documents)."
        }),
    ]
}

fn event_input(f: &FormData) -> EventInput {
    EventInput {
        kind: f.get("kind"),
        title: f.get("title"),
        domain_code: f.opt("domain_code"),
        product_id: f.opt("product_id"),
        starts_at: f.get("starts_at"),
        ends_at: f.get("ends_at"),
        format: f.get("format"),
        place: f.opt("place"),
        visio_url: f.opt("visio_url"),
        capacity: f.get("capacity"),
        description: f.opt("description"),
        resources: vec![],
        resource_lines: f.opt("resources"),
    }
}

fn event_form_of(e: &EventRow) -> FormData {
    let local = |s: &str| {
        relais_store::parse_ts(s)
            .map(paris_input)
            .unwrap_or_default()
    };
    FormData(vec![
        ("title".into(), e.title.clone()),
        ("kind".into(), e.kind.clone()),
        (
            "domain_code".into(),
            e.domain_code.clone().unwrap_or_default(),
        ),
        (
            "product_id".into(),
            e.product_id.clone().unwrap_or_default(),
        ),
        ("starts_at".into(), local(&e.starts_at)),
        ("ends_at".into(), local(&e.ends_at)),
        ("format".into(), e.format.clone()),
        ("place".into(), e.place.clone().unwrap_or_default()),
        ("visio_url".into(), e.visio_url.clone().unwrap_or_default()),
        ("capacity".into(), e.capacity.to_string()),
        (
            "description".into(),
            e.description.clone().unwrap_or_default(),
        ),
        ("resources".into(), resource_lines(&uc::resources_of(e))),
    ])
}

#[allow(clippy::too_many_arguments)]
async fn event_form(
    state: &AppState,
    auth: &Auth,
    title: String,
    action: String,
    cancel: String,
    f: &FormData,
    err: Option<&DomainError>,
    submit: &str,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let domains = domain_options(state, tr).await?;
    let products = product_options(state, tr).await?;
    let mut fields = event_fields(tr, f, &domains, &products);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action,
        fields,
        errors,
        submit: submit.into(),
        cancel,
    };
    form_reply(&p, err.is_some(), tr)
}

async fn new_event(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    event_form(
        &state,
        &auth,
        fr(tr, "Nouvel événement", "New event"),
        "/communautes".into(),
        "/communautes".into(),
        &FormData(vec![("capacity".into(), "30".into())]),
        None,
        tr.get("create"),
    )
    .await
}

async fn create_event(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_event(&state.app, auth.actor(), event_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/communautes/{id}?ok=evenement")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            event_form(
                &state,
                &auth,
                fr(tr, "Nouvel événement", "New event"),
                "/communautes".into(),
                "/communautes".into(),
                &f,
                Some(&e),
                tr.get("create"),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn edit_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let v = uc::get_event(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    event_form(
        &state,
        &auth,
        format!("{} — {}", tr.get("edit"), v.event.title),
        format!("/communautes/{id}"),
        format!("/communautes/{id}"),
        &event_form_of(&v.event),
        None,
        tr.get("save"),
    )
    .await
}

async fn update_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_event(&state.app, auth.actor(), id, event_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/communautes/{id}?ok=evenement")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            event_form(
                &state,
                &auth,
                tr.get("edit").to_string(),
                format!("/communautes/{id}"),
                format!("/communautes/{id}"),
                &f,
                Some(&e),
                tr.get("save"),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

// ---------------------------------------------------------- mailing lists

async fn list_lists(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<EventQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let domain = nonempty(&q.domain);
    let rows = uc::list_lists(&state.app, auth.actor(), domain.as_deref())
        .await
        .map_err(pe(tr))?;
    let title = fr(tr, "Listes de diffusion", "Mailing lists");
    let agency = auth.actor().role.is_agency();
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            if en { "Address" } else { "Adresse" },
            if en { "Name" } else { "Nom" },
            if en { "Domain" } else { "Domaine" },
            if agency {
                if en {
                    "Subscribers"
                } else {
                    "Abonné·es"
                }
            } else if en {
                "Subscribers from your institution"
            } else {
                "Abonné·es de votre établissement"
            },
        ],
    );
    let total = rows.len() as i64;
    for l in rows {
        table.rows.push(vec![
            Cell::link(l.address.clone(), format!("/communautes/listes/{}", l.id)),
            Cell::text(l.name),
            Cell::opt(&l.domain_name),
            Cell::text(l.subscribers.to_string()),
        ]);
    }
    let mut actions = vec![Link::new("/communautes", fr(tr, "Événements", "Events"))];
    if uc::may_manage(auth.actor()) {
        actions.insert(
            0,
            Link::new(
                "/communautes/listes/nouvelle",
                fr(tr, "Nouvelle liste", "New list"),
            ),
        );
    }
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: "/communautes/listes".into(),
        actions,
        filters: vec![Field::select(
            tr,
            "domain",
            if en { "Domain" } else { "Domaine" },
            q.domain.as_deref().unwrap_or(""),
            domain_options(&state, tr).await?,
            Some(tr.get("all")),
        )],
        total,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    error: Option<String>,
) -> Result<ActionPage, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let actor = auth.actor();
    let v = uc::get_list(&state.app, actor, id).await.map_err(pe(tr))?;
    let l = &v.list;
    let manager = uc::may_manage(actor);
    let agency = actor.role.is_agency();
    let referent = actor.role == Role::MemberAdmin;
    let mut links = vec![];
    if manager {
        links.push(Link::new(
            format!("/communautes/listes/{id}/modifier"),
            tr.get("edit"),
        ));
    }
    if agency {
        links.push(Link::new(
            format!("/communautes/listes/{id}/export-sympa"),
            fr(
                tr,
                "Exporter pour Sympa (ajout en masse)",
                "Export for Sympa (bulk add)",
            ),
        ));
    }
    let facts = vec![
        (
            fr(tr, "Adresse", "Address"),
            Cell::link(l.address.clone(), format!("mailto:{}", l.address)),
        ),
        (fr(tr, "Domaine", "Domain"), Cell::opt(&l.domain_name)),
        (
            if agency {
                fr(tr, "Abonné·es", "Subscribers")
            } else {
                fr(
                    tr,
                    "Abonné·es de votre établissement",
                    "Subscribers from your institution",
                )
            },
            Cell::text(l.subscribers.to_string()),
        ),
    ];
    let mut mods = ActionTable::new(
        tr,
        fr(tr, "Modération", "Moderators"),
        &[
            if en { "Name" } else { "Nom" },
            if en { "E-mail" } else { "Adresse" },
        ],
        manager,
    );
    for m in &v.moderators {
        mods.rows.push(ActionRow {
            cells: vec![Cell::text(m.name.clone()), Cell::opt(&m.email)],
            action: manager.then(|| Action {
                action: format!("/communautes/listes/{id}/moderateurs/{}/retirer", m.id),
                label: fr(tr, "Retirer", "Remove"),
            }),
        });
    }
    if manager {
        let staff = uc::staff_accounts(&state.app, actor)
            .await
            .map_err(pe(tr))?;
        mods.form = Some(SmallForm {
            action: format!("/communautes/listes/{id}/moderateurs"),
            fields: vec![Field::select(
                tr,
                "user_id",
                fr(tr, "Ajouter un·e modérateur·rice", "Add a moderator"),
                "",
                staff,
                Some("—"),
            )],
            submit: fr(tr, "Ajouter", "Add"),
        });
    }
    let can_change = manager || referent;
    let caption = if agency {
        fr(tr, "Abonné·es", "Subscribers")
    } else {
        fr(
            tr,
            "Abonné·es de votre établissement",
            "Subscribers from your institution",
        )
    };
    let mut subs = ActionTable::new(
        tr,
        caption,
        &[
            if en { "Name" } else { "Nom" },
            if en { "E-mail" } else { "Adresse" },
            if en { "Institution" } else { "Établissement" },
        ],
        can_change,
    );
    for s in &v.subscribers {
        subs.rows.push(ActionRow {
            cells: vec![
                Cell::link(
                    format!("{} {}", s.first_name, s.last_name),
                    format!("/contacts/{}", s.contact_id),
                ),
                Cell::opt(&s.email),
                Cell::text(s.institution_name.clone()),
            ],
            action: can_change.then(|| Action {
                action: format!("/communautes/listes/{id}/abonnes/{}/retirer", s.contact_id),
                label: fr(tr, "Désabonner", "Unsubscribe"),
            }),
        });
    }
    if manager {
        subs.form = Some(SmallForm {
            action: format!("/communautes/listes/{id}/abonnes"),
            fields: vec![Field::new(
                tr,
                "text",
                "contact_q",
                fr(
                    tr,
                    "Abonner un contact (nom ou adresse)",
                    "Subscribe a contact (name or e-mail)",
                ),
                "",
            )
            .hint(fr(
                tr,
                "Un seul contact doit correspondre.",
                "Exactly one contact must match.",
            ))],
            submit: fr(tr, "Abonner", "Subscribe"),
        });
    } else if referent {
        let own = uc::subscribable_contacts(&state.app, actor, None, 2000)
            .await
            .map_err(pe(tr))?
            .into_iter()
            .filter(|c| c.email.is_some())
            .map(|c| (c.id, format!("{} {}", c.first_name, c.last_name)));
        subs.form = Some(SmallForm {
            action: format!("/communautes/listes/{id}/abonnes"),
            fields: vec![Field::select(
                tr,
                "contact_id",
                fr(
                    tr,
                    "Abonner un contact de votre établissement",
                    "Subscribe a contact of your institution",
                ),
                "",
                own,
                Some("—"),
            )],
            submit: fr(tr, "Abonner", "Subscribe"),
        });
    }
    let history = if agency {
        Some(history_table(
            tr,
            uc::history(&state.app, actor, "mailing_list", id)
                .await
                .map_err(pe(tr))?,
        ))
    } else {
        None
    };
    Ok(ActionPage {
        base: Base::new(auth, l.address.clone()),
        h1: l.name.clone(),
        subtitle: Some(l.address.clone()),
        error,
        links,
        buttons: vec![],
        facts,
        body_html: l.description.as_deref().map(render_markdown),
        resources: vec![],
        attendance: None,
        tables: vec![mods, subs],
        history,
        upload: None,
    })
}

async fn show_list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let p = list_page(&state, &auth, id, None).await?;
    Ok(render(&p, tr)?.into_response())
}

async fn after_list_step(
    state: &AppState,
    auth: &Auth,
    id: Id,
    r: Result<(), AppError>,
    ok: &str,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/communautes/listes/{id}?ok={ok}")).into_response()),
        Err(AppError::Domain(DomainError::Invalid(errs))) => {
            let msg = errs
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
                .join(" ");
            let p = list_page(state, auth, id, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn subscribe(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let actor = auth.actor();
    let contact = match (f.opt("contact_id"), f.opt("contact_q")) {
        (Some(c), _) => Ok(path_id(c.trim(), tr)?),
        (None, Some(q)) => {
            let found = uc::subscribable_contacts(&state.app, actor, Some(q), 2)
                .await
                .map_err(pe(tr))?;
            match found.as_slice() {
                [one] => {
                    Id::parse(&one.id).ok_or_else(|| PageError::new(DomainError::NotFound, tr))
                }
                [] => Err(PageError::new(DomainError::NotFound, tr)),
                _ => {
                    return after_list_step(
                        &state,
                        &auth,
                        id,
                        Err(DomainError::invalid(
                            "ambiguous_contact",
                            "contact_q",
                            "Plusieurs contacts correspondent : précisez le nom ou l'adresse.",
                        )
                        .into()),
                        "",
                    )
                    .await
                }
            }
        }
        (None, None) => {
            return after_list_step(
                &state,
                &auth,
                id,
                Err(
                    DomainError::invalid("required", "contact_id", "Choisissez un contact.").into(),
                ),
                "",
            )
            .await
        }
    };
    let contact = match contact {
        Ok(c) => c,
        Err(_) => {
            return after_list_step(
                &state,
                &auth,
                id,
                Err(DomainError::invalid(
                    "unknown_contact",
                    "contact_q",
                    "Aucun contact ne correspond.",
                )
                .into()),
                "",
            )
            .await
        }
    };
    let r = uc::subscribe(&state.app, actor, id, contact).await;
    after_list_step(&state, &auth, id, r, "abonnement").await
}

async fn unsubscribe(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, contact)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (id, contact) = (path_id(&id, tr)?, path_id(&contact, tr)?);
    let r = uc::unsubscribe(&state.app, auth.actor(), id, contact).await;
    after_list_step(&state, &auth, id, r, "desabonnement").await
}

async fn add_moderator(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let user = f.opt("user_id").and_then(|u| Id::parse(u.trim()));
    let contact = f.opt("contact_id").and_then(|u| Id::parse(u.trim()));
    let r = uc::add_moderator(&state.app, auth.actor(), id, user, contact).await;
    after_list_step(&state, &auth, id, r, "moderation").await
}

async fn remove_moderator(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, m)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (id, m) = (path_id(&id, tr)?, path_id(&m, tr)?);
    let r = uc::remove_moderator(&state.app, auth.actor(), id, m).await;
    after_list_step(&state, &auth, id, r, "moderation").await
}

/// The Sympa bulk-add file: `text/plain`, one `adresse Prénom Nom` a line.
async fn export_sympa(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (address, text) = uc::sympa_export(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let file: String = address
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"sympa-{file}.txt\""),
            ),
        ],
        text,
    )
        .into_response())
}

fn list_fields(tr: Tr, f: &FormData, domains: &[(String, String)]) -> Vec<Field> {
    let en = tr.en();
    vec![
        Field::new(
            tr,
            "email",
            "address",
            if en { "Address" } else { "Adresse de la liste" },
            f.get("address"),
        )
        .required()
        .hint("ex. finances@listes.amue.fr"),
        Field::new(
            tr,
            "text",
            "name",
            if en { "Name" } else { "Nom" },
            f.get("name"),
        )
        .required(),
        Field::select(
            tr,
            "domain_code",
            if en { "Domain" } else { "Domaine" },
            &f.get("domain_code"),
            domains.iter().cloned(),
            Some("—"),
        ),
        Field::new(
            tr,
            "textarea",
            "description",
            "Description",
            f.get("description"),
        ),
    ]
}

fn list_input(f: &FormData) -> ListInput {
    ListInput {
        address: f.get("address"),
        name: f.get("name"),
        domain_code: f.opt("domain_code"),
        description: f.opt("description"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn list_form(
    state: &AppState,
    auth: &Auth,
    title: String,
    action: String,
    f: &FormData,
    err: Option<&DomainError>,
    submit: &str,
    cancel: String,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let domains = domain_options(state, tr).await?;
    let mut fields = list_fields(tr, f, &domains);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action,
        fields,
        errors,
        submit: submit.into(),
        cancel,
    };
    form_reply(&p, err.is_some(), tr)
}

async fn new_list(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    list_form(
        &state,
        &auth,
        fr(tr, "Nouvelle liste de diffusion", "New mailing list"),
        "/communautes/listes".into(),
        &FormData::default(),
        None,
        tr.get("create"),
        "/communautes/listes".into(),
    )
    .await
}

async fn create_list(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_list(&state.app, auth.actor(), list_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/communautes/listes/{id}?ok=liste")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            list_form(
                &state,
                &auth,
                fr(tr, "Nouvelle liste de diffusion", "New mailing list"),
                "/communautes/listes".into(),
                &f,
                Some(&e),
                tr.get("create"),
                "/communautes/listes".into(),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn edit_list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let v = uc::get_list(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let f = FormData(vec![
        ("address".into(), v.list.address.clone()),
        ("name".into(), v.list.name.clone()),
        (
            "domain_code".into(),
            v.list.domain_code.clone().unwrap_or_default(),
        ),
        (
            "description".into(),
            v.list.description.clone().unwrap_or_default(),
        ),
    ]);
    list_form(
        &state,
        &auth,
        format!("{} — {}", tr.get("edit"), v.list.address),
        format!("/communautes/listes/{id}"),
        &f,
        None,
        tr.get("save"),
        format!("/communautes/listes/{id}"),
    )
    .await
}

async fn update_list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_list(&state.app, auth.actor(), id, list_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/communautes/listes/{id}?ok=liste")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            list_form(
                &state,
                &auth,
                tr.get("edit").to_string(),
                format!("/communautes/listes/{id}"),
                &f,
                Some(&e),
                tr.get("save"),
                format!("/communautes/listes/{id}"),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

// ----------------------------------------------------------- publications

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct PubQuery {
    kind: Option<String>,
    domain: Option<String>,
    product: Option<String>,
    /// `1`: ignore the member's domains of interest.
    tous: Option<String>,
    page: Option<i64>,
}

async fn list_publications(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PubQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let page = q.page.unwrap_or(1).max(1);
    let interests = uc::interests(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let all = nonempty(&q.tous).is_some();
    let domains = match nonempty(&q.domain) {
        Some(d) => vec![d],
        None if !all => interests.clone(),
        None => vec![],
    };
    let f = PublicationFilter {
        kind: nonempty(&q.kind),
        domains: domains.clone(),
        product_id: nonempty(&q.product),
        published_until: None,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let (rows, total) = uc::list_publications(&state.app, auth.actor(), &f)
        .await
        .map_err(pe(tr))?;
    let filtered_by_interest = nonempty(&q.domain).is_none() && !all && !interests.is_empty();
    let title = if filtered_by_interest {
        fr(
            tr,
            "Publications de vos domaines",
            "Publications of your domains",
        )
    } else {
        "Publications".to_string()
    };
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            if en { "Title" } else { "Titre" },
            "Type",
            if en { "Domain" } else { "Domaine" },
            if en { "Published" } else { "Publié le" },
        ],
    );
    for p in rows {
        table.rows.push(vec![
            Cell::link(p.title.clone(), format!("/publications/{}", p.id)),
            Cell::text(crate::label!(PublicationKind, &p.kind, tr)),
            Cell::opt(&p.domain_name),
            Cell::text(fr_date(&p.published_on)),
        ]);
    }
    let mut actions = vec![];
    if uc::may_manage(auth.actor()) {
        actions.push(Link::new(
            "/publications/nouvelle",
            fr(tr, "Nouvelle publication", "New publication"),
        ));
    }
    if filtered_by_interest {
        actions.push(Link::new(
            "/publications?tous=1",
            fr(tr, "Toutes les publications", "All publications"),
        ));
    } else if !interests.is_empty() {
        actions.push(Link::new(
            "/publications",
            fr(tr, "Mes domaines d'intérêt", "My domains of interest"),
        ));
    }
    let filters = vec![
        Field::select(
            tr,
            "kind",
            "Type",
            q.kind.as_deref().unwrap_or(""),
            enum_options(
                PublicationKind::ALL,
                PublicationKind::code,
                PublicationKind::label,
                tr,
            ),
            Some(tr.get("all")),
        ),
        Field::select(
            tr,
            "domain",
            if en { "Domain" } else { "Domaine" },
            q.domain.as_deref().unwrap_or(""),
            domain_options(&state, tr).await?,
            Some(tr.get("all")),
        ),
        Field::select(
            tr,
            "product",
            if en { "Product" } else { "Produit" },
            q.product.as_deref().unwrap_or(""),
            product_options(&state, tr).await?,
            Some(tr.get("all")),
        ),
        Field::new(tr, "hidden", "tous", "", if all { "1" } else { "" }),
    ];
    let (prev, next) = pager(
        "/publications",
        &[
            ("kind", q.kind.clone()),
            ("domain", q.domain.clone()),
            ("product", q.product.clone()),
            ("tous", q.tous.clone()),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: "/publications".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn show_publication(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (p, products) = uc::get_publication(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut links = vec![];
    if uc::may_manage(auth.actor()) {
        links.push(Link::new(
            format!("/publications/{id}/modifier"),
            tr.get("edit"),
        ));
    }
    let facts = vec![
        (
            "Type".to_string(),
            Cell::text(crate::label!(PublicationKind, &p.kind, tr)),
        ),
        (fr(tr, "Domaine", "Domain"), Cell::opt(&p.domain_name)),
        (
            fr(tr, "Produits", "Products"),
            Cell::text(if products.is_empty() {
                "—".to_string()
            } else {
                products
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
        (
            fr(tr, "Publié le", "Published"),
            Cell::text(fr_date(&p.published_on)),
        ),
    ];
    let history = if auth.actor().role.is_agency() {
        Some(history_table(
            tr,
            uc::history(&state.app, auth.actor(), "publication", id)
                .await
                .map_err(pe(tr))?,
        ))
    } else {
        None
    };
    let files = uc::publication_files(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|f| {
            Link::new(
                format!("/publications/{id}/fichiers/{}", f.id),
                format!(
                    "{} ({})",
                    f.file_name,
                    super::attachments::human_size(f.size_bytes)
                ),
            )
        })
        .collect();
    let upload = uc::may_manage(auth.actor()).then(|| {
        format!(
            "/publications/{id}/fichiers?_csrf={}",
            urlencoding::encode(&auth.session.csrf.clone().unwrap_or_default())
        )
    });
    let page = ActionPage {
        base: Base::new(&auth, p.title.clone()),
        h1: p.title.clone(),
        subtitle: Some(crate::label!(PublicationKind, &p.kind, tr)),
        error: None,
        links,
        buttons: vec![],
        facts,
        body_html: Some(render_markdown(&p.body)),
        resources: files,
        attendance: None,
        tables: vec![],
        history,
        upload,
    };
    Ok(render(&page, tr)?.into_response())
}

fn publication_fields(
    tr: Tr,
    f: &FormData,
    domains: &[(String, String)],
    products: &[(String, String)],
) -> Vec<Field> {
    let en = tr.en();
    vec![
        Field::new(tr, "text", "title", if en { "Title" } else { "Titre" }, f.get("title")).required(),
        Field::select(tr, "kind", "Type", &f.get("kind"), enum_options(PublicationKind::ALL, PublicationKind::code, PublicationKind::label, tr), Some(if en { "Choose…" } else { "Choisir…" })).required(),
        Field::select(tr, "domain_code", if en { "Domain" } else { "Domaine" }, &f.get("domain_code"), domains.iter().cloned(), Some("—")),
        Field::checkboxes(tr, "products", if en { "Products" } else { "Produits" }, &f.all("products"), products.iter().cloned()),
        Field::new(tr, "date", "published_on", if en { "Published on" } else { "Date de publication" }, f.get("published_on")).hint(if en { "Empty: today." } else { "Vide : aujourd'hui." }),
        Field::new(tr, "textarea", "body", if en { "Text" } else { "Texte" }, f.get("body")).required().hint(if en {
            "Markdown: ## heading, **bold**, - lists, [link](https://…). Raw HTML and scripts are removed."
        } else {
            "Markdown : ## intertitre, **gras**, - listes, [lien](https://…). Le HTML brut et les scripts sont retirés."
        }),
    ]
}

fn publication_input(f: &FormData) -> PublicationInput {
    PublicationInput {
        kind: f.get("kind"),
        title: f.get("title"),
        domain_code: f.opt("domain_code"),
        products: f.all("products"),
        published_on: f.opt("published_on"),
        body: f.get("body"),
    }
}

fn publication_form_of(p: &PublicationRow, products: &[(String, String)]) -> FormData {
    let mut v = vec![
        ("title".to_string(), p.title.clone()),
        ("kind".into(), p.kind.clone()),
        (
            "domain_code".into(),
            p.domain_code.clone().unwrap_or_default(),
        ),
        ("published_on".into(), p.published_on.clone()),
        ("body".into(), p.body.clone()),
    ];
    v.extend(
        products
            .iter()
            .map(|(id, _)| ("products".to_string(), id.clone())),
    );
    FormData(v)
}

#[allow(clippy::too_many_arguments)]
async fn publication_form(
    state: &AppState,
    auth: &Auth,
    title: String,
    action: String,
    f: &FormData,
    err: Option<&DomainError>,
    submit: &str,
    cancel: String,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let domains = domain_options(state, tr).await?;
    let products = product_options(state, tr).await?;
    let mut fields = publication_fields(tr, f, &domains, &products);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let p = IntroFormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        intro: None,
        action,
        fields,
        errors,
        submit: submit.into(),
        cancel,
    };
    form_reply(&p, err.is_some(), tr)
}

async fn new_publication(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    publication_form(
        &state,
        &auth,
        fr(tr, "Nouvelle publication", "New publication"),
        "/publications".into(),
        &FormData::default(),
        None,
        tr.get("create"),
        "/publications".into(),
    )
    .await
}

async fn create_publication(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_publication(&state.app, auth.actor(), publication_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/publications/{id}?ok=publication")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            publication_form(
                &state,
                &auth,
                fr(tr, "Nouvelle publication", "New publication"),
                "/publications".into(),
                &f,
                Some(&e),
                tr.get("create"),
                "/publications".into(),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn edit_publication(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let (p, products) = uc::get_publication(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    publication_form(
        &state,
        &auth,
        format!("{} — {}", tr.get("edit"), p.title),
        format!("/publications/{id}"),
        &publication_form_of(&p, &products),
        None,
        tr.get("save"),
        format!("/publications/{id}"),
    )
    .await
}

async fn update_publication(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_publication(&state.app, auth.actor(), id, publication_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/publications/{id}?ok=publication")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            publication_form(
                &state,
                &auth,
                tr.get("edit").to_string(),
                format!("/publications/{id}"),
                &f,
                Some(&e),
                tr.get("save"),
                format!("/publications/{id}"),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn upload_publication_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let up = super::attachments::read_upload(&state, req)
        .await
        .map_err(pe(tr))?;
    uc::add_publication_file(
        &state.app,
        auth.actor(),
        id,
        &up.file_name,
        &up.content_type,
        &up.bytes,
    )
    .await
    .map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/publications/{id}?ok=fichier")).into_response())
}

async fn download_publication_file(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (id, file) = (path_id(&id, tr)?, path_id(&file, tr)?);
    let (row, bytes) = uc::open_publication_file(&state.app, auth.actor(), id, file)
        .await
        .map_err(pe(tr))?;
    Ok(super::attachments::file_response(&row.file_name, bytes))
}
