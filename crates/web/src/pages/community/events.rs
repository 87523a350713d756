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
    let title = tr.t("communautes-et-evenements").to_string();
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            tr.t("evenement"),
            "Type",
            tr.t("domaine"),
            tr.t("debut-heure-de-paris-2"),
            "Format",
            tr.t("places-restantes"),
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
            enum_options(EventKind::ALL, tr),
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "domain",
            tr.t("domaine"),
            q.domain.as_deref().unwrap_or(""),
            domain_options(&state, tr).await?,
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "quand",
            tr.t("periode"),
            &when_code,
            [
                ("a_venir".to_string(), tr.t("a-venir").to_string()),
                ("passes".to_string(), tr.t("passes").to_string()),
                ("tous".to_string(), tr.t("all").to_string()),
            ],
            None,
        ),
    ];
    let mut actions = vec![
        Link::new(
            "/communautes/listes",
            tr.t("listes-de-diffusion").to_string(),
        ),
        Link::new("/publications", "Publications"),
    ];
    if uc::may_manage(auth.actor()) {
        actions.insert(
            0,
            Link::new("/communautes/nouveau", tr.t("nouvel-evenement").to_string()),
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
            tr.t("edit"),
        ));
    }
    let left = (e.capacity - e.seats_taken).max(0);
    if !v.started {
        if v.registered {
            buttons.push(Action {
                action: format!("/communautes/{id}/desinscription"),
                label: tr.t("annuler-mon-inscription").to_string(),
            });
        } else if left > 0 {
            buttons.push(Action {
                action: format!("/communautes/{id}/inscription"),
                label: tr.t("m-inscrire").to_string(),
            });
        }
    }
    let mut facts = vec![
        ("Type".to_string(), Cell::text(kind_label(&e.kind, tr))),
        (tr.t("domaine").to_string(), Cell::opt(&e.domain_name)),
        (tr.t("produit").to_string(), Cell::opt(&e.product_name)),
        (
            tr.t("debut-heure-de-paris").to_string(),
            Cell::text(paris(&e.starts_at)),
        ),
        (
            tr.t("fin-heure-de-paris").to_string(),
            Cell::text(paris(&e.ends_at)),
        ),
        (
            "Format".into(),
            Cell::text(crate::label!(EventFormat, &e.format, tr)),
        ),
    ];
    if let Some(place) = &e.place {
        facts.push((tr.t("lieu").to_string(), Cell::text(place.clone())));
    }
    if let Some(url) = e
        .visio_url
        .as_ref()
        .filter(|u| relais_domain::community::is_web_url(u))
    {
        // The link is for those who registered (and the agency).
        if v.registered || agency {
            facts.push((
                tr.t("lien-de-la-visio").to_string(),
                Cell::link(url.clone(), url.clone()),
            ));
        } else {
            facts.push((
                tr.t("lien-de-la-visio").to_string(),
                Cell::text(tr.t("communique-aux-inscrit-es").to_string()),
            ));
        }
    }
    facts.push((
        tr.t("places").to_string(),
        Cell::text(tr.t_args(
            "left-restante-s-sur-capacity",
            &[
                ("capacity", e.capacity.to_string().into()),
                ("left", left.to_string().into()),
            ],
        )),
    ));
    facts.push((
        tr.t("mon-inscription").to_string(),
        Cell::text(match (v.registered, v.started, left) {
            (true, _, _) => tr.t("inscrit-e").to_string(),
            (false, true, _) => tr.t("inscriptions-closes").to_string(),
            (false, false, 0) => tr.t("complet").to_string(),
            _ => tr.t("non-inscrit-e").to_string(),
        }),
    ));
    if agency {
        facts.push((
            tr.t("presences").to_string(),
            Cell::text(tr.t_args(
                "counts-present-es-counts2-absent-es",
                &[
                    ("counts", v.counts.1.to_string().into()),
                    ("counts2", v.counts.2.to_string().into()),
                    ("counts3", v.counts.0.to_string().into()),
                ],
            )),
        ));
    }
    let attendance = manager.then(|| AttendanceForm {
        title: tr.t("inscrit-es-et-presences").to_string(),
        action: format!("/communautes/{id}/presences"),
        headers: vec![
            tr.t("personne").to_string(),
            tr.t("etablissement").to_string(),
            tr.t("presence").to_string(),
        ],
        options: std::iter::once((String::new(), tr.t("non-renseignee").to_string()))
            .chain(
                Attendance::ALL
                    .iter()
                    .map(|a| (a.code().to_string(), tr.label(a).to_string())),
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
        submit: tr.t("enregistrer-les-presences").to_string(),
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
    vec![
        Field::new(tr, "text", "title", tr.t("titre"), f.get("title")).required(),
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(EventKind::ALL, tr),
            Some(tr.t("choisir")),
        )
        .required(),
        Field::select(
            tr,
            "domain_code",
            tr.t("domaine"),
            &f.get("domain_code"),
            domains.iter().cloned(),
            Some("—"),
        ),
        Field::select(
            tr,
            "product_id",
            tr.t("produit"),
            &f.get("product_id"),
            products.iter().cloned(),
            Some("—"),
        ),
        Field::new(
            tr,
            "datetime-local",
            "starts_at",
            tr.t("debut-heure-de-paris"),
            f.get("starts_at"),
        )
        .required(),
        Field::new(
            tr,
            "datetime-local",
            "ends_at",
            tr.t("fin-heure-de-paris"),
            f.get("ends_at"),
        )
        .required(),
        Field::select(
            tr,
            "format",
            "Format",
            &f.get("format"),
            enum_options(EventFormat::ALL, tr),
            Some(tr.t("choisir")),
        )
        .required(),
        Field::new(tr, "text", "place", tr.t("lieu-presentiel"), f.get("place")),
        Field::new(
            tr,
            "url",
            "visio_url",
            tr.t("lien-de-la-visio-2"),
            f.get("visio_url"),
        )
        .hint(tr.t("https-communique-aux-seules-personnes-inscrites")),
        Field::new(
            tr,
            "number",
            "capacity",
            tr.t("capacite-places"),
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
        .hint(tr.t("markdown-gras-listes-lien-https")),
        Field::new(
            tr,
            "textarea",
            "resources",
            tr.t("ressources"),
            f.get("resources"),
        )
        .hint(tr.t("un-lien-par-ligne-libelle-https")),
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
        relais_app::stamps::parse_ts(s)
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
        tr.t("nouvel-evenement").to_string(),
        "/communautes".into(),
        "/communautes".into(),
        &FormData(vec![("capacity".into(), "30".into())]),
        None,
        tr.t("create"),
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
                tr.t("nouvel-evenement").to_string(),
                "/communautes".into(),
                "/communautes".into(),
                &f,
                Some(&e),
                tr.t("create"),
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
        format!("{} — {}", tr.t("edit"), v.event.title),
        format!("/communautes/{id}"),
        format!("/communautes/{id}"),
        &event_form_of(&v.event),
        None,
        tr.t("save"),
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
                tr.t("edit").to_string(),
                format!("/communautes/{id}"),
                format!("/communautes/{id}"),
                &f,
                Some(&e),
                tr.t("save"),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
