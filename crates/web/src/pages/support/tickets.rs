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
        tr.t("tickets-partages-sur-nos-produits").to_string()
    } else if agency {
        tr.t("file-des-tickets").to_string()
    } else {
        tr.t("tickets-de-mon-etablissement").to_string()
    };
    let mut headers = vec![tr.t("reference").to_string(), tr.t("objet").to_string()];
    if agency || shared_view {
        headers.push(tr.t("etablissement").to_string());
    }
    headers.extend([
        tr.t("produit").to_string(),
        tr.t("severite").to_string(),
        tr.t("statut").to_string(),
        tr.t("echeance-de-resolution").to_string(),
    ]);
    if agency {
        headers.push(tr.t("assigne-a").to_string());
    }
    if shared_view {
        headers.push(tr.t("nous-aussi").to_string());
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
        tr.t("search"),
        q.q.clone().unwrap_or_default(),
    )
    .hint(tr.t("reference-ou-mots-de-l-objet").to_string())];
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
        tr.t("produit").to_string(),
        q.produit.as_deref().unwrap_or(""),
        products,
        Some(tr.t("all")),
    ));
    if agency {
        let teams = desk::teams(&state.app).await.map_err(pe(tr))?;
        filters.push(Field::select(
            tr,
            "equipe",
            tr.t("equipe").to_string(),
            q.equipe.as_deref().unwrap_or(""),
            teams.into_iter().map(|t| (t.id, t.name)),
            Some(tr.t("all")),
        ));
        let mut who = vec![
            ("moi".to_string(), tr.t("moi").to_string()),
            ("aucun".to_string(), tr.t("personne-2").to_string()),
        ];
        who.extend(desk::agents(&state.app, &actor).await.map_err(pe(tr))?);
        filters.push(Field::select(
            tr,
            "assigne",
            tr.t("assigne-a").to_string(),
            q.assigne.as_deref().unwrap_or(""),
            who,
            Some(tr.t("all")),
        ));
    }
    filters.push(Field::select(
        tr,
        "statut",
        tr.t("statut").to_string(),
        q.statut.as_deref().unwrap_or(""),
        enum_options(TicketStatus::ALL, tr),
        Some(tr.t("all")),
    ));
    filters.push(Field::select(
        tr,
        "severite",
        tr.t("severite").to_string(),
        q.severite.as_deref().unwrap_or(""),
        enum_options(Severity::ALL, tr),
        Some(tr.t("all")),
    ));
    filters.push(Field::select(
        tr,
        "categorie",
        tr.t("categorie").to_string(),
        q.categorie.as_deref().unwrap_or(""),
        enum_options(Category::ALL, tr),
        Some(tr.t("all")),
    ));
    filters.push(Field::select(
        tr,
        "ouverts",
        tr.t("tickets").to_string(),
        if open_only { "1" } else { "0" },
        [
            ("1".to_string(), tr.t("ouverts-seulement").to_string()),
            ("0".to_string(), tr.t("all").to_string()),
        ],
        None,
    ));
    filters.push(Field::select(
        tr,
        "tri",
        tr.t("tri").to_string(),
        if by_due { "echeance" } else { "recent" },
        [
            (
                "echeance".to_string(),
                tr.t("echeance-la-plus-proche").to_string(),
            ),
            ("recent".to_string(), tr.t("plus-recents").to_string()),
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
            tr.t("nouveau-ticket").to_string(),
        ));
    }
    let views = if agency {
        vec![
            (
                Link::new("/support?assigne=moi", tr.t("mes-tickets").to_string()),
                q.assigne.as_deref() == Some("moi"),
            ),
            (
                Link::new("/support?assigne=aucun", tr.t("non-assignes").to_string()),
                q.assigne.as_deref() == Some("aucun"),
            ),
            (
                Link::new("/support/incidents", tr.t("incidents").to_string()),
                false,
            ),
            (
                Link::new(
                    "/support/risques",
                    tr.t("engagements-en-risque").to_string(),
                ),
                false,
            ),
        ]
    } else {
        vec![
            (
                Link::new("/support", tr.t("nos-tickets").to_string()),
                !shared_view,
            ),
            (
                Link::new(
                    "/support?partages=1",
                    tr.t("tickets-partages-sur-nos-produits-2").to_string(),
                ),
                shared_view,
            ),
            (
                Link::new("/support/incidents", tr.t("incidents-en-cours").to_string()),
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
    let intro = (!agency && !shared_view)
        .then(|| tr.t("les-tickets-de-votre-etablissement-avec").to_string());
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
