//! The ticket list with its filters and saved searches.

use super::*;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TicketQuery {
    q: Option<String>,
    equipe: Option<String>,
    produit: Option<String>,
    statut: Option<String>,
    severite: Option<String>,
    categorie: Option<String>,
    /// `moi`, `aucun` or an agent id.
    assigne: Option<String>,
    etablissement: Option<String>,
    /// `1` (default for agents) or `0`.
    ouverts: Option<String>,
    /// `1`: tickets other institutions shared on the reader's products.
    partages: Option<String>,
    /// `echeance` (default for agents) or `recent`.
    tri: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "tickets.html")]
pub struct TicketsPage {
    pub base: Base,
    pub h1: String,
    pub intro: Option<String>,
    pub actions: Vec<Link>,
    pub views: Vec<(Link, bool)>,
    pub filters: Vec<Field>,
    pub total: i64,
    pub table: Table,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Agents: their saved searches `(link, delete action)`.
    pub saved: Vec<(Link, String)>,
    pub can_save: bool,
    pub query: String,
}

pub(super) async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TicketQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor().clone();
    let agency = actor.role.is_agency();
    let shared_view = !agency && nonempty(&q.partages).is_some_and(|v| v == "1");
    let page = q.page.unwrap_or(1).max(1);
    let open_default = agency;
    let open_only = match nonempty(&q.ouverts).as_deref() {
        Some("1") => true,
        Some("0") => false,
        _ => open_default || shared_view,
    };
    let by_due = match nonempty(&q.tri).as_deref() {
        Some("echeance") => true,
        Some("recent") => false,
        _ => agency,
    };
    let (assignee_id, unassigned) = match nonempty(&q.assigne).as_deref() {
        Some("moi") if agency => (Some(actor.user_id.to_string()), false),
        Some("aucun") if agency => (None, true),
        Some(v) if agency => (Some(v.to_string()), false),
        _ => (None, false),
    };
    let f = TicketFilter {
        institution_id: if agency {
            nonempty(&q.etablissement)
        } else if shared_view {
            None
        } else {
            actor.institution_id.map(|i| i.to_string())
        },
        product_id: nonempty(&q.produit),
        team_id: if agency { nonempty(&q.equipe) } else { None },
        assignee_id,
        unassigned,
        status: nonempty(&q.statut),
        severity: nonempty(&q.severite),
        category: nonempty(&q.categorie),
        q: nonempty(&q.q),
        open_only: open_only && nonempty(&q.statut).is_none(),
        shared_only: shared_view,
        order_by_due: by_due,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
        ..Default::default()
    };
    let (rows, total) = uc::list_tickets(&state.app, &actor, &f)
        .await
        .map_err(pe(tr))?;
    let now = state.app.clock.now();
    let title = if shared_view {
        w(
            tr,
            "Tickets partagés sur nos produits",
            "Tickets shared on our products",
        )
    } else if agency {
        w(tr, "File des tickets", "Ticket queue")
    } else {
        w(
            tr,
            "Tickets de mon établissement",
            "My institution's tickets",
        )
    };
    let mut headers = vec![w(tr, "Référence", "Reference"), w(tr, "Objet", "Subject")];
    if agency || shared_view {
        headers.push(w(tr, "Établissement", "Institution"));
    }
    headers.extend([
        w(tr, "Produit", "Product"),
        w(tr, "Sévérité", "Severity"),
        w(tr, "Statut", "Status"),
        w(tr, "Échéance de résolution", "Resolution due"),
    ]);
    if agency {
        headers.push(w(tr, "Assigné à", "Assignee"));
    }
    if shared_view {
        headers.push(w(tr, "« Nous aussi »", "\"Us too\""));
    }
    let hrefs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut table = Table::new(tr, title.clone(), &hrefs);
    for t in &rows {
        let mut row = vec![
            Cell::link(t.reference.clone(), format!("/support/{}", t.id)),
            Cell::text(t.subject.clone()),
        ];
        if agency || shared_view {
            row.push(Cell::text(t.institution_name.clone()));
        }
        row.extend([
            Cell::text(t.product_name.clone()),
            Cell::text(crate::label!(Severity, &t.severity, tr)),
            Cell::text(status_label(&t.status, tr)),
            Cell::text(row_deadline(t, now, tr)),
        ]);
        if agency {
            row.push(Cell::opt(&t.assignee_name));
        }
        if shared_view {
            row.push(Cell::text(t.affected_count.to_string()));
        }
        table.rows.push(row);
    }
    let mut filters = vec![Field::new(
        tr,
        "search",
        "q",
        tr.get("search"),
        q.q.clone().unwrap_or_default(),
    )
    .hint(w(
        tr,
        "Référence ou mots de l'objet",
        "Reference or words of the subject",
    ))];
    let products = desk::fileable_products(&state.app, &actor, None)
        .await
        .map_err(pe(tr))?;
    let products = if agency || shared_view {
        relais_app::crm::list_products(&state.app, None)
            .await
            .map_err(pe(tr))?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect()
    } else {
        products
    };
    filters.push(Field::select(
        tr,
        "produit",
        w(tr, "Produit", "Product"),
        q.produit.as_deref().unwrap_or(""),
        products,
        Some(tr.get("all")),
    ));
    if agency {
        let teams = desk::teams(&state.app).await.map_err(pe(tr))?;
        filters.push(Field::select(
            tr,
            "equipe",
            w(tr, "Équipe", "Team"),
            q.equipe.as_deref().unwrap_or(""),
            teams.into_iter().map(|t| (t.id, t.name)),
            Some(tr.get("all")),
        ));
        let mut who = vec![
            ("moi".to_string(), w(tr, "Moi", "Me")),
            ("aucun".to_string(), w(tr, "Personne", "Nobody")),
        ];
        who.extend(desk::agents(&state.app, &actor).await.map_err(pe(tr))?);
        filters.push(Field::select(
            tr,
            "assigne",
            w(tr, "Assigné à", "Assignee"),
            q.assigne.as_deref().unwrap_or(""),
            who,
            Some(tr.get("all")),
        ));
    }
    filters.push(Field::select(
        tr,
        "statut",
        w(tr, "Statut", "Status"),
        q.statut.as_deref().unwrap_or(""),
        enum_options(
            TicketStatus::ALL,
            TicketStatus::code,
            TicketStatus::label,
            tr,
        ),
        Some(tr.get("all")),
    ));
    filters.push(Field::select(
        tr,
        "severite",
        w(tr, "Sévérité", "Severity"),
        q.severite.as_deref().unwrap_or(""),
        enum_options(Severity::ALL, Severity::code, Severity::label, tr),
        Some(tr.get("all")),
    ));
    filters.push(Field::select(
        tr,
        "categorie",
        w(tr, "Catégorie", "Category"),
        q.categorie.as_deref().unwrap_or(""),
        enum_options(Category::ALL, Category::code, Category::label, tr),
        Some(tr.get("all")),
    ));
    filters.push(Field::select(
        tr,
        "ouverts",
        w(tr, "Tickets", "Tickets"),
        if open_only { "1" } else { "0" },
        [
            ("1".to_string(), w(tr, "Ouverts seulement", "Open only")),
            ("0".to_string(), w(tr, "Tous", "All")),
        ],
        None,
    ));
    filters.push(Field::select(
        tr,
        "tri",
        w(tr, "Tri", "Sort"),
        if by_due { "echeance" } else { "recent" },
        [
            (
                "echeance".to_string(),
                w(tr, "Échéance la plus proche", "Nearest deadline"),
            ),
            ("recent".to_string(), w(tr, "Plus récents", "Newest")),
        ],
        None,
    ));
    if shared_view {
        filters.push(Field::new(tr, "hidden", "partages", "", "1"));
    }
    let params = [
        ("q", q.q.clone()),
        ("produit", q.produit.clone()),
        ("equipe", q.equipe.clone()),
        ("assigne", q.assigne.clone()),
        ("statut", q.statut.clone()),
        ("severite", q.severite.clone()),
        ("categorie", q.categorie.clone()),
        ("etablissement", q.etablissement.clone()),
        ("ouverts", q.ouverts.clone()),
        ("partages", q.partages.clone()),
        ("tri", q.tri.clone()),
    ];
    let (prev, next) = pager("/support", &params, page, total);
    let query: String = params
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", urlencoding::encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut actions = vec![];
    if uc::is_agent(&actor) || !agency {
        actions.push(Link::new(
            "/support/nouveau",
            w(tr, "Nouveau ticket", "New ticket"),
        ));
    }
    let views = if agency {
        vec![
            (
                Link::new("/support?assigne=moi", w(tr, "Mes tickets", "My tickets")),
                q.assigne.as_deref() == Some("moi"),
            ),
            (
                Link::new(
                    "/support?assigne=aucun",
                    w(tr, "Non assignés", "Unassigned"),
                ),
                q.assigne.as_deref() == Some("aucun"),
            ),
            (
                Link::new("/support/incidents", w(tr, "Incidents", "Incidents")),
                false,
            ),
            (
                Link::new(
                    "/support/risques",
                    w(tr, "Engagements en risque", "Commitments at risk"),
                ),
                false,
            ),
        ]
    } else {
        vec![
            (
                Link::new("/support", w(tr, "Nos tickets", "Our tickets")),
                !shared_view,
            ),
            (
                Link::new(
                    "/support?partages=1",
                    w(
                        tr,
                        "Tickets partagés sur nos produits",
                        "Shared tickets on our products",
                    ),
                ),
                shared_view,
            ),
            (
                Link::new(
                    "/support/incidents",
                    w(tr, "Incidents en cours", "Open incidents"),
                ),
                false,
            ),
        ]
    };
    let saved = desk::saved_searches(&state.app, &actor)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|s| {
            (
                Link::new(
                    if s.query.is_empty() {
                        "/support".to_string()
                    } else {
                        format!("/support?{}", s.query)
                    },
                    s.name,
                ),
                format!("/support/recherches/{}/supprimer", s.id),
            )
        })
        .collect();
    let intro = (!agency && !shared_view).then(|| {
        w(
            tr,
            "Les tickets de votre établissement, avec l'état de leurs engagements de service.",
            "Your institution's tickets, with the state of their service commitments.",
        )
    });
    let p = TicketsPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        intro,
        actions,
        views,
        filters,
        total,
        table,
        prev,
        next,
        saved,
        can_save: true,
        query,
    };
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn save_search(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    desk::save_search(
        &state.app,
        auth.actor(),
        &form.get("name"),
        &form.get("query"),
    )
    .await
    .map_err(pe(tr))?;
    let q = form.get("query");
    Ok(Redirect::to(&if q.is_empty() {
        "/support?ok=recherche".to_string()
    } else {
        format!("/support?{q}&ok=recherche")
    })
    .into_response())
}

pub(super) async fn delete_search(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    desk::delete_search(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    Ok(Redirect::to("/support").into_response())
}
