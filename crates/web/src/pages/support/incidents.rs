//! Incidents (several tickets, one cause) and the known issues of a product.

use super::*;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(super) struct IncidentQuery {
    produit: Option<String>,
    tous: Option<String>,
    ticket: Option<String>,
    /// References to group, separated by spaces (from a proposal).
    tickets: Option<String>,
}

fn incident_table(tr: Tr, caption: String, rows: &[relais_app::support::IncidentRow]) -> Table {
    let mut table = Table::new(
        tr,
        caption,
        &[
            tr.t("incident"),
            tr.t("produit"),
            tr.t("statut"),
            tr.t("ouvert-le"),
            tr.t("tickets"),
        ],
    );
    for i in rows {
        table.rows.push(vec![
            Cell::link(i.title.clone(), format!("/support/incidents/{}", i.id)),
            Cell::text(i.product_name.clone()),
            Cell::text(incident_status(&i.status, tr)),
            Cell::text(fr_datetime(&i.created_at)),
            Cell::text(i.ticket_count.to_string()),
        ]);
    }
    table
}

fn incident_status(code: &str, tr: Tr) -> String {
    match code {
        "ouvert" => tr.t("en-cours-2").to_string(),
        "resolu" => tr.t("ticket-status-resolu").to_string(),
        other => other.to_string(),
    }
}

pub(super) async fn incidents(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<IncidentQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let all = nonempty(&q.tous).is_some();
    let product = nonempty(&q.produit).as_deref().and_then(Id::parse);
    let rows = uc::list_incidents(&state.app, auth.actor(), product, !all)
        .await
        .map_err(pe(tr))?;
    let title = if all {
        tr.t("incidents").to_string()
    } else {
        tr.t("incidents-en-cours").to_string()
    };
    let table = incident_table(tr, title.clone(), &rows);
    let mut actions = vec![];
    if uc::is_agent(auth.actor()) {
        actions.push(Link::new(
            "/support/incidents/nouveau",
            tr.t("nouvel-incident").to_string(),
        ));
    }
    actions.push(if all {
        Link::new("/support/incidents", tr.t("incidents-en-cours").to_string())
    } else {
        Link::new(
            "/support/incidents?tous=1",
            tr.t("tous-les-incidents").to_string(),
        )
    });
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: "/support/incidents".into(),
        actions,
        filters: vec![],
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn incident_fields(
    state: &AppState,
    auth: &Auth,
    product: &str,
    title: &str,
    description: &str,
    tickets: &str,
) -> Result<Vec<Field>, PageError> {
    let tr = auth.tr;
    let products = desk::fileable_products(&state.app, auth.actor(), None)
        .await
        .map_err(pe(tr))?;
    Ok(vec![
        Field::select(
            tr,
            "product_id",
            tr.t("produit").to_string(),
            product,
            products,
            Some(""),
        )
        .required(),
        Field::new(tr, "text", "title", tr.t("titre").to_string(), title).required(),
        Field::new(
            tr,
            "textarea",
            "description",
            tr.t("description").to_string(),
            description,
        ),
        Field::new(
            tr,
            "text",
            "tickets",
            tr.t("tickets-regroupes").to_string(),
            tickets,
        )
        .hint(tr.t("references-separees-par-des-espaces-par").to_string()),
    ])
}

fn incident_form(auth: &Auth, fields: Vec<Field>, errors: Vec<(String, String)>) -> FormPage {
    let tr = auth.tr;
    let h1 = tr.t("nouvel-incident").to_string();
    FormPage {
        base: Base::new(auth, h1.clone()),
        h1,
        action: "/support/incidents".into(),
        fields,
        errors,
        submit: tr.t("creer-l-incident").to_string(),
        cancel: "/support/incidents".into(),
    }
}

pub(super) async fn new_incident(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<IncidentQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::is_agent(auth.actor()) {
        return Err(PageError::new(AppError::from(DomainError::Forbidden), tr));
    }
    let (product, tickets, title) = match nonempty(&q.ticket).as_deref().and_then(Id::parse) {
        Some(tid) => {
            let t = uc::get_ticket(&state.app, auth.actor(), tid)
                .await
                .map_err(pe(tr))?;
            (t.product_id, t.reference, t.subject)
        }
        None => (String::new(), String::new(), String::new()),
    };
    let tickets = nonempty(&q.tickets).unwrap_or(tickets);
    let fields = incident_fields(&state, &auth, &product, &title, "", &tickets).await?;
    let p = incident_form(&auth, fields, vec![]);
    Ok(render(&p, tr)?.into_response())
}

/// Ticket references typed in a field, resolved to ids among the tickets
/// the agent may see; an unknown reference is a field error.
async fn resolve_refs(state: &AppState, auth: &Auth, text: &str) -> Result<Vec<Id>, AppError> {
    let mut ids = vec![];
    for r in text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
    {
        let (rows, _) = uc::list_tickets(
            &state.app,
            auth.actor(),
            &TicketFilter {
                q: Some(r.to_string()),
                limit: 5,
                ..Default::default()
            },
        )
        .await?;
        match rows
            .into_iter()
            .find(|t| t.reference.eq_ignore_ascii_case(r))
        {
            Some(t) => ids.push(Id::parse(&t.id).ok_or_else(|| AppError::Internal("id".into()))?),
            None => {
                return Err(DomainError::invalid(
                    "unknown_ticket",
                    "tickets",
                    format!("Ticket inconnu : {r}."),
                )
                .into())
            }
        }
    }
    Ok(ids)
}

pub(super) async fn create_incident(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::is_agent(auth.actor()) {
        return Err(PageError::new(AppError::from(DomainError::Forbidden), tr));
    }
    let product = form.get("product_id");
    let title = form.get("title");
    let description = form.get("description");
    let tickets = form.get("tickets");
    let result = async {
        let pid = Id::parse(&product).ok_or_else(|| {
            AppError::from(DomainError::invalid(
                "required",
                "product_id",
                "Choisissez le produit concerné.",
            ))
        })?;
        let ids = resolve_refs(&state, &auth, &tickets).await?;
        uc::create_incident(
            &state.app,
            auth.actor(),
            pid,
            &title,
            Some(description.as_str()).filter(|d| !d.trim().is_empty()),
            &ids,
        )
        .await
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/support/incidents/{id}?ok=incident")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let mut fields =
                incident_fields(&state, &auth, &product, &title, &description, &tickets).await?;
            let errors = apply_errors(&mut fields, &e);
            let p = incident_form(&auth, fields, errors);
            let mut res = render(&p, tr)?.into_response();
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

#[derive(Template)]
#[template(path = "incident.html")]
pub struct IncidentPage {
    pub base: Base,
    pub id: String,
    pub h1: String,
    pub facts: Vec<(String, Cell)>,
    pub description: Option<String>,
    pub resolution: Option<String>,
    pub tickets: Table,
    pub agent: bool,
    pub open: bool,
}

pub(super) async fn incident(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (incident, tickets_seen) = uc::get_incident(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let i = &incident;
    let agency = auth.actor().role.is_agency();
    let mut facts = vec![
        (
            tr.t("produit").to_string(),
            Cell::link(
                i.product_name.clone(),
                format!("/produits/{}/problemes-connus", i.product_id),
            ),
        ),
        (
            tr.t("statut").to_string(),
            Cell::text(incident_status(&i.status, tr)),
        ),
        (
            tr.t("ouvert-le").to_string(),
            Cell::text(fr_datetime(&i.created_at)),
        ),
        (
            tr.t("resolu-le").to_string(),
            Cell::text(opt_dt(&i.resolved_at)),
        ),
        (
            tr.t("tickets-regroupes").to_string(),
            Cell::text(i.ticket_count.to_string()),
        ),
    ];
    if agency {
        facts.push((
            tr.t("etablissements-concernes").to_string(),
            Cell::text(
                desk::affected_institutions(&state.app, auth.actor(), id)
                    .await
                    .map_err(pe(tr))?
                    .to_string(),
            ),
        ));
    }
    let mut tickets = Table::new(
        tr,
        tr.t("tickets-de-l-incident").to_string(),
        &[
            tr.t("reference"),
            tr.t("objet"),
            tr.t("etablissement"),
            tr.t("statut"),
        ],
    );
    for t in &tickets_seen {
        tickets.rows.push(vec![
            Cell::link(t.reference.clone(), format!("/support/{}", t.id)),
            Cell::text(t.subject.clone()),
            Cell::text(t.institution_name.clone()),
            Cell::text(status_label(&t.status, tr)),
        ]);
    }
    let p = IncidentPage {
        base: Base::new(&auth, i.title.clone()),
        id: i.id.clone(),
        h1: i.title.clone(),
        facts,
        description: i.description.clone(),
        resolution: i.resolution.clone(),
        tickets,
        agent: uc::is_agent(auth.actor()),
        open: i.status == "ouvert",
    };
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn resolve_incident(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::resolve_incident(&state.app, auth.actor(), id, &form.get("resolution"))
        .await
        .map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/support/incidents/{id}?ok=incident_resolu")).into_response())
}

pub(super) async fn incident_add_ticket(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    if !uc::is_agent(auth.actor()) {
        return Err(PageError::new(AppError::from(DomainError::Forbidden), tr));
    }
    let ids = resolve_refs(&state, &auth, &form.get("reference"))
        .await
        .map_err(pe(tr))?;
    for t in ids {
        uc::add_to_incident(&state.app, auth.actor(), id, t)
            .await
            .map_err(pe(tr))?;
    }
    Ok(Redirect::to(&format!("/support/incidents/{id}?ok=incident")).into_response())
}

/// The known issues of a product: its open incidents, and the shared open
/// tickets the reader may see on it.
pub(super) async fn known_issues(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (product, _) = relais_app::crm::get_product(&state.app, id)
        .await
        .map_err(pe(tr))?;
    let rows = uc::list_incidents(&state.app, auth.actor(), Some(id), true)
        .await
        .map_err(pe(tr))?;
    let title = format!("{} — {}", tr.t("problemes-connus"), product.name);
    let table = incident_table(tr, tr.t("incidents-en-cours").to_string(), &rows);
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: format!("/produits/{id}/problemes-connus"),
        actions: vec![
            Link::new(
                format!("/support?partages=1&produit={id}"),
                tr.t("tickets-partages-sur-ce-produit").to_string(),
            ),
            Link::new(
                format!("/connaissances?product={id}"),
                tr.t("articles-de-la-base-de-connaissances").to_string(),
            ),
        ],
        filters: vec![],
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}
