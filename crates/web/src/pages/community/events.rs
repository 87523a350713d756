//! Events: the list with filters by kind, domain and upcoming/past, the event page with registration, resources and attendance, the create/edit forms.

use super::*;

fn kind_label(code: &str, tr: Tr) -> String {
    crate::label!(EventKind, code, tr)
}

pub(super) async fn list_events(
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

pub(super) async fn show_event(
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

pub(super) async fn register(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::register(&state.app, auth.actor(), id).await.map(|_| ());
    after_step(&state, &auth, id, r, "inscription").await
}

pub(super) async fn unregister(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let r = uc::unregister(&state.app, auth.actor(), id).await;
    after_step(&state, &auth, id, r, "desinscription").await
}

pub(super) async fn attendance(
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

pub(super) async fn new_event(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
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

pub(super) async fn create_event(
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

pub(super) async fn edit_event(
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

pub(super) async fn update_event(
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
