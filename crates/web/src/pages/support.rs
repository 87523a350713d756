//! Support desk pages: the ticket list (an agent's queue sorted by the time
//! left before the service-level target, with filters and saved searches;
//! a member's own tickets with their live service-level state, and the
//! tickets other institutions shared on the same products), filing a
//! ticket, the ticket page with its SLA clocks and every workflow action,
//! incidents and the known-issues page of a product.

use super::institutions::{FormPage, ListPage};
use super::pe;
use super::{nonempty, pager, path_id, render, FormData, PAGE_SIZE};
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::view::{apply_errors, enum_options, Base, Cell, Field, Link, Opt, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use relais_app::support as uc;
use relais_app::{desk, AppError};
use relais_domain::sla::SlaState;
use relais_domain::support::{Category, Severity, TicketInput, TicketStatus};
use relais_domain::{DomainError, Id};
use relais_store::support::{TicketFilter, TicketRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support", get(list).post(create))
        .route("/support/nouveau", get(new_form))
        .route("/support/recherches", post(save_search))
        .route("/support/recherches/{id}/supprimer", post(delete_search))
        .route("/support/incidents", get(incidents).post(create_incident))
        .route("/support/incidents/nouveau", get(new_incident))
        .route("/support/incidents/{id}", get(incident))
        .route("/support/incidents/{id}/resoudre", post(resolve_incident))
        .route("/support/incidents/{id}/tickets", post(incident_add_ticket))
        .route("/produits/{id}/problemes-connus", get(known_issues))
        .route("/support/{id}", get(show))
        .route("/support/{id}/reponse", post(reply))
        .route("/support/{id}/statut", post(status))
        .route("/support/{id}/affectation", post(assign))
        .route("/support/{id}/estimation", post(estimate))
        .route("/support/{id}/partage", post(share))
        .route("/support/{id}/suivre", post(follow))
        .route("/support/{id}/nous-aussi", post(me_too))
        .route("/support/{id}/contournement", post(workaround))
        .route("/support/{id}/incident", post(link_incident))
}

/// French first, English second.
fn w(tr: Tr, fr: &str, en: &str) -> String {
    if tr.en() { en } else { fr }.to_string()
}

/// A stored UTC timestamp shown in Paris time, `28/11/2026 14:05`.
pub fn fr_datetime(s: &str) -> String {
    match relais_store::parse_ts(s) {
        Some(t) => t.with_timezone(&Paris).format("%d/%m/%Y %H:%M").to_string(),
        None => s.to_string(),
    }
}

fn opt_dt(s: &Option<String>) -> String {
    s.as_deref().map(fr_datetime).unwrap_or_else(|| "—".into())
}

/// Business minutes as people read them: `2 j 3 h 10 min` (a business day
/// counted as its hours, so only hours and minutes are shown).
fn minutes_text(m: i64, tr: Tr) -> String {
    let m = m.abs();
    let (h, min) = (m / 60, m % 60);
    match (h, min, tr.en()) {
        (0, min, _) => format!("{min} min"),
        (h, 0, _) => format!("{h} h"),
        (h, min, _) => format!("{h} h {min:02}"),
    }
}

fn sla_text(s: &SlaState, tr: Tr) -> String {
    let label = s.label(tr.en());
    match s {
        SlaState::Ok { remaining_minutes } | SlaState::AtRisk { remaining_minutes } => format!(
            "{label} — {} {}",
            minutes_text(*remaining_minutes, tr),
            w(tr, "ouvrées restantes", "business time left")
        ),
        SlaState::Paused { remaining_minutes } => format!(
            "{label} — {} {}",
            minutes_text(*remaining_minutes, tr),
            w(tr, "ouvrées restantes", "business time left")
        ),
        SlaState::Breached { late_minutes } => format!(
            "{label} — {} {}",
            w(tr, "de", "by"),
            minutes_text(*late_minutes, tr)
        ),
        SlaState::Met => label.to_string(),
    }
}

/// The service-level state of a list row, from its stored deadline: no
/// calendar lookup per row, so the wall-clock time left is shown; the
/// ticket page gives the business time.
fn row_deadline(t: &TicketRow, now: DateTime<Utc>, tr: Tr) -> String {
    let status = TicketStatus::from_code(&t.status).unwrap_or(TicketStatus::Nouveau);
    if !status.is_open() {
        return w(tr, "Terminé", "Done");
    }
    let Some(due) = t
        .resolution_due_at
        .as_deref()
        .and_then(relais_store::parse_ts)
    else {
        return w(tr, "Sans engagement", "No commitment");
    };
    let when = fr_datetime(&relais_store::ts(due));
    if status == TicketStatus::AttenteEtablissement {
        return format!("{when} — {}", w(tr, "en pause", "paused"));
    }
    let left = (due - now).num_minutes();
    if left < 0 {
        format!(
            "{when} — {} {}",
            w(tr, "dépassé de", "late by"),
            minutes_text(left, tr)
        )
    } else {
        format!(
            "{when} — {} {}",
            w(tr, "dans", "in"),
            minutes_text(left, tr)
        )
    }
}

fn status_label(code: &str, tr: Tr) -> String {
    crate::label!(TicketStatus, code, tr)
}

// ---------------------------------------------------------------- list

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

async fn list(
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

async fn save_search(
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

async fn delete_search(
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

// ---------------------------------------------------------------- new ticket

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct NewQuery {
    etablissement: Option<String>,
    produit: Option<String>,
}

async fn ticket_fields(
    state: &AppState,
    auth: &Auth,
    input: &TicketInput,
    institution: Option<String>,
) -> Result<Vec<Field>, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let mut fields = vec![];
    if actor.role.is_agency() {
        let insts = super::deployments::institution_options(state, auth).await?;
        fields.push(
            Field::select(
                tr,
                "institution_id",
                w(tr, "Établissement demandeur", "Requesting institution"),
                institution.as_deref().unwrap_or(""),
                insts,
                Some(""),
            )
            .required(),
        );
    }
    let inst = institution.as_deref().and_then(Id::parse);
    let products = desk::fileable_products(&state.app, actor, inst)
        .await
        .map_err(pe(tr))?;
    fields.push(
        Field::select(
            tr,
            "product_id",
            w(tr, "Produit", "Product"),
            &input.product_id,
            products,
            Some(""),
        )
        .required()
        .hint(w(
            tr,
            "Les produits déployés dans votre établissement et couverts par le support.",
            "Products deployed in your institution and covered by support.",
        )),
    );
    fields.push(
        Field::new(
            tr,
            "text",
            "module",
            w(tr, "Module", "Module"),
            input.module.clone().unwrap_or_default(),
        )
        .hint(w(
            tr,
            "Par exemple : paie, inscriptions, gestion financière",
            "For example: payroll, enrolment, accounting",
        )),
    );
    fields.push(
        Field::select(
            tr,
            "category",
            w(tr, "Catégorie", "Category"),
            &input.category,
            enum_options(Category::ALL, Category::code, Category::label, tr),
            Some(""),
        )
        .required(),
    );
    fields.push(
        Field::select(
            tr,
            "severity",
            w(tr, "Sévérité", "Severity"),
            &input.severity,
            enum_options(Severity::ALL, Severity::code, Severity::label, tr),
            Some(""),
        )
        .required()
        .hint(w(
            tr,
            "Bloquant : le service est arrêté ; majeur : une fonction importante est gênée ; mineur : le reste.",
            "Blocking: the service is down; major: an important function is impaired; minor: the rest.",
        )),
    );
    fields.push(
        Field::new(
            tr,
            "text",
            "subject",
            w(tr, "Objet", "Subject"),
            input.subject.clone(),
        )
        .required(),
    );
    fields.push(
        Field::new(
            tr,
            "textarea",
            "body",
            w(tr, "Description", "Description"),
            input.body.clone(),
        )
        .required()
        .hint(w(
            tr,
            "Ce qui se passe, ce que vous attendiez, les étapes pour le reproduire.",
            "What happens, what you expected, the steps to reproduce it.",
        )),
    );
    fields.push(
        Field::new(
            tr,
            "checkbox",
            "shared",
            w(
                tr,
                "Partager ce ticket avec les établissements qui utilisent le même produit (votre nom n'est pas partagé)",
                "Share this ticket with the institutions using the same product (your name is not shared)",
            ),
            if input.shared { "1" } else { "" },
        ),
    );
    Ok(fields)
}

#[derive(Template)]
#[template(path = "ticket_new.html")]
pub struct NewTicketPage {
    pub base: Base,
    pub h1: String,
    pub fields: Vec<Field>,
    pub errors: Vec<(String, String)>,
    pub submit: String,
    /// Members get the assistant beside the form.
    pub assistant: bool,
    pub suggestions_html: String,
}

fn new_ticket_page(
    auth: &Auth,
    fields: Vec<Field>,
    errors: Vec<(String, String)>,
    suggestions_html: String,
) -> NewTicketPage {
    let tr = auth.tr;
    let title = w(tr, "Nouveau ticket", "New ticket");
    NewTicketPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        fields,
        errors,
        submit: w(tr, "Envoyer le ticket", "Send the ticket"),
        assistant: !auth.actor().role.is_agency(),
        suggestions_html,
    }
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if auth.actor().role.is_agency() && !uc::is_agent(auth.actor()) {
        return Err(PageError::new(AppError::from(DomainError::Forbidden), tr));
    }
    let input = TicketInput {
        product_id: q.produit.clone().unwrap_or_default(),
        ..Default::default()
    };
    let fields = ticket_fields(&state, &auth, &input, nonempty(&q.etablissement)).await?;
    let p = new_ticket_page(&auth, fields, vec![], String::new());
    Ok(render(&p, tr)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let input = TicketInput {
        product_id: form.get("product_id"),
        module: form.opt("module"),
        category: form.get("category"),
        severity: form.get("severity"),
        subject: form.get("subject"),
        body: form.get("body"),
        shared: form.checked("shared"),
    };
    let institution = form.opt("institution_id");
    if form.get("action") == "suggerer" {
        // Without JavaScript: the same page, with the assistant's answers.
        let html = super::assistant::fragment(
            &state,
            &auth,
            &input.product_id,
            &input.subject,
            &input.body,
        )
        .await?;
        let fields = ticket_fields(&state, &auth, &input, institution).await?;
        let p = new_ticket_page(&auth, fields, vec![], html);
        return Ok(render(&p, tr)?.into_response());
    }
    let behalf = institution.as_deref().and_then(Id::parse);
    match uc::create_ticket(&state.app, auth.actor(), behalf, input.clone(), "web").await {
        Ok(id) => Ok(Redirect::to(&format!("/support/{id}?ok=ticket")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let mut fields = ticket_fields(&state, &auth, &input, institution).await?;
            let errors = apply_errors(&mut fields, &e);
            let p = new_ticket_page(&auth, fields, errors, String::new());
            let mut res = render(&p, tr)?.into_response();
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

// ---------------------------------------------------------------- ticket page

pub struct MessageView {
    pub author: String,
    pub at: String,
    pub internal: bool,
    pub body: String,
    pub channel: String,
    /// The quoted history of a mail, folded away in the page.
    pub quoted: Option<String>,
    /// The mail's HTML, sanitised by ammonia when it was read.
    pub html: Option<String>,
}

pub struct SlaBox {
    pub label: String,
    pub due: String,
    pub state: String,
    pub code: String,
}

pub struct WorkaroundView {
    pub author: String,
    pub at: String,
    pub body: String,
}

pub struct AttachmentView {
    pub name: String,
    pub href: String,
    pub size: String,
    pub internal: bool,
}

#[derive(Template)]
#[template(path = "ticket.html")]
pub struct TicketPage {
    pub base: Base,
    pub id: String,
    pub h1: String,
    pub subtitle: String,
    pub facts: Vec<(String, Cell)>,
    pub sla: Vec<SlaBox>,
    pub clock_notes: Vec<(String, String)>,
    pub messages: Vec<MessageView>,
    pub can_reply: bool,
    pub can_internal: bool,
    pub reply_body: String,
    pub reply_error: Option<String>,
    pub statuses: Vec<Opt>,
    pub agent: bool,
    pub teams: Vec<Opt>,
    pub agents: Vec<Opt>,
    pub estimate: String,
    pub can_share: bool,
    pub shared: bool,
    pub share_requester: bool,
    pub share_attachments: bool,
    pub can_follow: bool,
    pub affected_by_me: bool,
    pub affected_count: i64,
    pub affected: Vec<String>,
    pub workarounds: Vec<WorkaroundView>,
    pub can_workaround: bool,
    pub workaround_error: Option<String>,
    pub incident: Option<Link>,
    pub incident_choices: Vec<Opt>,
    pub can_draft_article: bool,
    pub attachments: Vec<AttachmentView>,
    pub can_attach: bool,
    pub history: Option<Table>,
    /// Agents: the triage suggestion, explained.
    pub triage: Option<TriageView>,
    /// Agents: likely duplicates `(link, institution · status, similarity, shared words)`.
    pub duplicates: Vec<(Link, String, String, String)>,
    /// Agents: an incident to open, with why and the prefilled form.
    pub proposal: Option<(String, String)>,
}

pub struct TriageView {
    /// (field, suggested value, confidence, why)
    pub rows: Vec<(String, String, String, String)>,
    pub similar: Vec<Link>,
    /// The suggested team when it differs from the current one.
    pub apply_team: Option<(String, String)>,
}

async fn triage_view(
    state: &AppState,
    actor: &relais_domain::accounts::Actor,
    t: &TicketRow,
    first_message: &str,
    teams: &[relais_store::support::TeamRow],
    tr: Tr,
) -> Option<TriageView> {
    state.app.search.as_ref()?;
    let created = relais_store::parse_ts(&t.created_at)?.timestamp();
    let req = relais_app::triage::TriageRequest {
        text: format!("{}\n{}", t.subject, first_message),
        product: Id::parse(&t.product_id),
        institution: Id::parse(&t.institution_id),
        created_before: Some(created),
        ..Default::default()
    };
    let s = relais_app::triage::suggest_triage_with(&state.app, actor, &req)
        .await
        .ok()?;
    let pct = |c: f64| format!("{:.0} %", c * 100.0);
    let team_name = |v: &Option<String>| {
        v.as_ref()
            .and_then(|id| teams.iter().find(|x| &x.id == id))
            .map(|x| x.name.clone())
            .unwrap_or_else(|| "—".into())
    };
    let code = |v: &Option<String>, f: fn(&str, Tr) -> String| {
        v.as_deref().map(|c| f(c, tr)).unwrap_or_else(|| "—".into())
    };
    let rows = vec![
        (
            w(tr, "Équipe", "Team"),
            team_name(&s.team.value),
            pct(s.team.confidence),
            s.team.reason.clone(),
        ),
        (
            w(tr, "Catégorie", "Category"),
            code(&s.category.value, |c, tr| crate::label!(Category, c, tr)),
            pct(s.category.confidence),
            s.category.reason.clone(),
        ),
        (
            w(tr, "Sévérité", "Severity"),
            code(&s.severity.value, |c, tr| crate::label!(Severity, c, tr)),
            pct(s.severity.confidence),
            s.severity.reason.clone(),
        ),
        (
            w(tr, "Module", "Module"),
            s.module.value.clone().unwrap_or_else(|| "—".into()),
            pct(s.module.confidence),
            s.module.reason.clone(),
        ),
    ];
    let similar = s
        .similar
        .iter()
        .map(|x| {
            Link::new(
                format!("/support/{}", x.id),
                format!("{} — {}", x.reference, x.subject),
            )
        })
        .collect();
    let apply_team = s
        .team
        .value
        .clone()
        .filter(|v| Some(v) != t.team_id.as_ref())
        .map(|v| (v.clone(), team_name(&Some(v))));
    Some(TriageView {
        rows,
        similar,
        apply_team,
    })
}

fn event_label(field: &str, tr: Tr) -> String {
    match field {
        "status" => w(tr, "Statut", "Status"),
        "team_id" => w(tr, "Équipe", "Team"),
        "assignee_id" => w(tr, "Agent assigné", "Assigned agent"),
        "agent_estimate_at" => w(tr, "Estimation de l'agent", "Agent's estimate"),
        "shared" => w(tr, "Partage", "Sharing"),
        "share_requester" => w(tr, "Nom du demandeur partagé", "Requester's name shared"),
        "share_attachments" => w(tr, "Pièces jointes partagées", "Attachments shared"),
        "incident_id" => w(tr, "Incident", "Incident"),
        "nous_aussi" => w(tr, "« Nous aussi »", "\"Us too\""),
        "attachment" => w(tr, "Pièce jointe", "Attachment"),
        other => other.to_string(),
    }
}

#[derive(Default)]
struct Redo {
    reply: Option<(String, String)>,
    workaround: Option<String>,
}

async fn ticket_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    redo: Redo,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let v = uc::ticket_view(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let t = &v.ticket;
    let agency = actor.role.is_agency();
    let agent = uc::is_agent(actor);
    let mine = actor.institution_id.map(|i| i.to_string()) == Some(t.institution_id.clone());
    let status = TicketStatus::from_code(&t.status).unwrap_or(TicketStatus::Nouveau);
    let teams = desk::teams(&state.app).await.map_err(pe(tr))?;
    let team_name = t
        .team_id
        .as_ref()
        .and_then(|tid| teams.iter().find(|x| &x.id == tid))
        .map(|x| x.name.clone());
    let mut facts = vec![
        (
            w(tr, "Établissement", "Institution"),
            if agency {
                Cell::link(
                    t.institution_name.clone(),
                    format!("/etablissements/{}", t.institution_id),
                )
            } else {
                Cell::text(t.institution_name.clone())
            },
        ),
        (
            w(tr, "Demandeur", "Requester"),
            Cell::text(t.requester_name.clone()),
        ),
        (
            w(tr, "Produit", "Product"),
            Cell::link(
                match &t.module {
                    Some(m) => format!("{} — {m}", t.product_name),
                    None => t.product_name.clone(),
                },
                format!("/produits/{}/problemes-connus", t.product_id),
            ),
        ),
        (
            w(tr, "Catégorie", "Category"),
            Cell::text(crate::label!(Category, &t.category, tr)),
        ),
        (
            w(tr, "Sévérité", "Severity"),
            Cell::text(crate::label!(Severity, &t.severity, tr)),
        ),
        (
            w(tr, "Statut", "Status"),
            Cell::text(status_label(&t.status, tr)),
        ),
        (
            w(tr, "Ouvert le", "Opened"),
            Cell::text(fr_datetime(&t.created_at)),
        ),
    ];
    if agency || mine {
        facts.push((
            w(tr, "Équipe", "Team"),
            Cell::text(team_name.unwrap_or_else(|| "—".into())),
        ));
        facts.push((w(tr, "Agent", "Agent"), Cell::opt(&t.assignee_name)));
        facts.push((
            w(tr, "Niveau de service", "Service level"),
            Cell::opt(&t.level_code),
        ));
    }
    if t.shared == 1 {
        facts.push((
            w(tr, "Partagé", "Shared"),
            Cell::text(format!(
                "{} — {} {}",
                w(tr, "oui", "yes"),
                t.affected_count,
                w(
                    tr,
                    "établissement(s) concerné(s) aussi",
                    "institution(s) affected too"
                )
            )),
        ));
    }
    let mut sla = vec![];
    if agency || mine {
        let boxes = [
            (
                w(tr, "Première réponse", "First response"),
                &t.first_response_due_at,
                &v.first_response,
            ),
            (
                w(tr, "Résolution", "Resolution"),
                &t.resolution_due_at,
                &v.resolution,
            ),
        ];
        for (label, due, st) in boxes {
            if let Some(due) = due {
                sla.push(SlaBox {
                    label,
                    due: fr_datetime(due),
                    state: st
                        .as_ref()
                        .map(|s| sla_text(s, tr))
                        .unwrap_or_else(|| "—".into()),
                    code: st
                        .as_ref()
                        .map(|s| s.code().to_string())
                        .unwrap_or_default(),
                });
            }
        }
    }
    let mut clock_notes = vec![];
    if agency || mine {
        if sla.is_empty() {
            clock_notes.push((
                w(tr, "Engagement de service", "Service commitment"),
                w(
                    tr,
                    "Aucun contrat ne fixe d'échéance pour ce ticket.",
                    "No contract sets a deadline for this ticket.",
                ),
            ));
        }
        clock_notes.push((
            w(
                tr,
                "Temps en attente de l'établissement (horloge arrêtée)",
                "Time waiting for the institution (clock stopped)",
            ),
            minutes_text(t.paused_minutes, tr),
        ));
        clock_notes.push((
            w(
                tr,
                "Temps en attente de l'éditeur ou de l'intégrateur",
                "Time waiting for the editor or integrator",
            ),
            minutes_text(t.editor_minutes, tr),
        ));
        clock_notes.push((
            w(
                tr,
                "Estimation de l'agent (distincte de l'échéance contractuelle)",
                "Agent's estimate (distinct from the contractual deadline)",
            ),
            opt_dt(&t.agent_estimate_at),
        ));
    }
    let mail = relais_app::mail_read::ticket_mail(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    for b in &mail.bounces {
        facts.push((
            w(tr, "Courriel non distribué", "Undelivered e-mail"),
            Cell::text(format!(
                "{} — {}{} — {}",
                b.address,
                b.status.as_deref().unwrap_or(&b.action),
                b.diagnostic
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default(),
                fr_datetime(&b.received_at)
            )),
        ));
    }
    let part = |id: &str| mail.parts.iter().find(|p| p.message_id == id);
    let messages = v
        .messages
        .iter()
        .map(|m| MessageView {
            quoted: part(&m.id).and_then(|p| p.quoted.clone()),
            html: part(&m.id).and_then(|p| p.html.clone()),
            author: m.author_name.clone(),
            at: fr_datetime(&m.created_at),
            internal: m.visibility == "internal",
            body: m.body.clone(),
            channel: if m.channel == "mail" {
                w(tr, "par courriel", "by e-mail")
            } else {
                String::new()
            },
        })
        .collect();
    let statuses: Vec<Opt> = if agent || mine {
        TicketStatus::ALL
            .iter()
            .filter(|s| status.may_move(**s, actor))
            .map(|s| Opt {
                value: s.code().into(),
                label: s.label(tr.en()).into(),
                selected: false,
            })
            .collect()
    } else {
        vec![]
    };
    let (team_opts, agent_opts) = if agent {
        let mut to = vec![Opt {
            value: String::new(),
            label: w(tr, "Aucune", "None"),
            selected: t.team_id.is_none(),
        }];
        to.extend(teams.iter().map(|x| Opt {
            selected: t.team_id.as_deref() == Some(x.id.as_str()),
            value: x.id.clone(),
            label: x.name.clone(),
        }));
        let mut ao = vec![Opt {
            value: String::new(),
            label: w(tr, "Personne", "Nobody"),
            selected: t.assignee_id.is_none(),
        }];
        ao.extend(
            desk::agents(&state.app, actor)
                .await
                .map_err(pe(tr))?
                .into_iter()
                .map(|(i, n)| Opt {
                    selected: t.assignee_id.as_deref() == Some(i.as_str()),
                    value: i,
                    label: n,
                }),
        );
        (to, ao)
    } else {
        (vec![], vec![])
    };
    let estimate = t
        .agent_estimate_at
        .as_deref()
        .and_then(relais_store::parse_ts)
        .map(|x| x.with_timezone(&Paris).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    let affected = if agency || mine {
        v.followers
            .iter()
            .filter(|f| f.affected == 1)
            .map(|f| f.institution_name.clone())
            .collect()
    } else {
        vec![]
    };
    let workarounds = v
        .workarounds
        .iter()
        .map(|x| WorkaroundView {
            author: x.author_name.clone(),
            at: fr_datetime(&x.created_at),
            body: x.body.clone(),
        })
        .collect();
    let incident = t.incident_id.as_ref().map(|i| {
        Link::new(
            format!("/support/incidents/{i}"),
            w(tr, "Voir l'incident", "See the incident"),
        )
    });
    let incident_choices = if agent && t.incident_id.is_none() {
        let pid = Id::parse(&t.product_id);
        uc::list_incidents(&state.app, actor, pid, true)
            .await
            .map_err(pe(tr))?
            .into_iter()
            .map(|i| Opt {
                value: i.id,
                label: i.title,
                selected: false,
            })
            .collect()
    } else {
        vec![]
    };
    let history = if agency || mine {
        let mut h = Table::new(
            tr,
            w(tr, "Historique des changements", "History of changes"),
            &[
                &w(tr, "Date", "Date"),
                &w(tr, "Par", "By"),
                &w(tr, "Champ", "Field"),
                &w(tr, "Avant", "Before"),
                &w(tr, "Après", "After"),
            ],
        );
        let show = |field: &str, v: &Option<String>| -> String {
            let Some(v) = v else { return "—".into() };
            match field {
                "status" => status_label(v, tr),
                "team_id" => teams
                    .iter()
                    .find(|x| &x.id == v)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| v.clone()),
                "agent_estimate_at" => fr_datetime(v),
                "shared" | "share_requester" | "share_attachments" => {
                    if v == "1" {
                        w(tr, "oui", "yes")
                    } else {
                        w(tr, "non", "no")
                    }
                }
                "nous_aussi" => w(tr, "un établissement", "an institution"),
                _ => v.clone(),
            }
        };
        for e in &v.events {
            h.rows.push(vec![
                Cell::text(fr_datetime(&e.at)),
                Cell::text(e.actor_name.clone()),
                Cell::text(event_label(&e.field, tr)),
                Cell::text(show(&e.field, &e.before_value)),
                Cell::text(show(&e.field, &e.after_value)),
            ]);
        }
        Some(h)
    } else {
        None
    };
    let attachments = attachments_view(state, actor, id, tr).await?;
    let first_message = v
        .messages
        .iter()
        .find(|m| m.visibility == "public")
        .map(|m| m.body.as_str())
        .unwrap_or("");
    let triage = if agent {
        triage_view(state, actor, t, first_message, &teams, tr).await
    } else {
        None
    };
    let (duplicates, proposal) = if agent && state.app.search.is_some() {
        let (dups, proposal) = relais_app::duplicates::review(&state.app, actor, t, first_message)
            .await
            .unwrap_or_default();
        let mut rows = vec![];
        for c in dups {
            let inst = match c.institution_id.as_deref().and_then(Id::parse) {
                Some(i) => relais_app::crm::get_institution(&state.app, actor, i)
                    .await
                    .map(|r| r.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            rows.push((
                Link::new(format!("/support/{}", c.id), c.title.clone()),
                format!(
                    "{} · {}",
                    inst,
                    c.status
                        .as_deref()
                        .map(|s| status_label(s, tr))
                        .unwrap_or_default()
                ),
                format!("{:.0} %", c.similarity * 100.0),
                c.shared_words.join(", "),
            ));
        }
        let proposal = proposal.map(|p| {
            (
                p.why,
                format!(
                    "/support/incidents/nouveau?ticket={}&tickets={}",
                    id,
                    urlencoding::encode(&p.references.join(" "))
                ),
            )
        });
        (rows, proposal)
    } else {
        (vec![], None)
    };
    let (reply_body, reply_error) = redo.reply.unwrap_or_default();
    let p = TicketPage {
        base: Base::new(auth, format!("{} — {}", t.reference, t.subject)),
        id: t.id.clone(),
        h1: format!("{} — {}", t.reference, t.subject),
        subtitle: format!("{} · {}", t.institution_name, t.product_name),
        facts,
        sla,
        clock_notes,
        messages,
        can_reply: status != TicketStatus::Clos && (agent || mine),
        can_internal: agent,
        reply_body,
        reply_error: (!reply_error.is_empty()).then_some(reply_error),
        statuses,
        agent,
        teams: team_opts,
        agents: agent_opts,
        estimate,
        can_share: agent || mine,
        shared: t.shared == 1,
        share_requester: t.share_requester == 1,
        share_attachments: t.share_attachments == 1,
        can_follow: !agency && !mine && actor.institution_id.is_some(),
        affected_by_me: v.affected_by_me,
        affected_count: t.affected_count,
        affected,
        workarounds,
        can_workaround: (agent || actor.institution_id.is_some())
            && (t.shared == 1 || mine || agent),
        workaround_error: redo.workaround,
        incident,
        incident_choices,
        can_draft_article: agent && !status.is_open(),
        attachments,
        can_attach: status != TicketStatus::Clos && (agent || mine),
        history,
        triage,
        duplicates,
        proposal,
    };
    let code = if p.reply_error.is_some() || p.workaround_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut res = render(&p, tr)?.into_response();
    *res.status_mut() = code;
    Ok(res)
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    ticket_page(&state, &auth, id, Redo::default()).await
}

fn back(id: Id, ok: &str) -> Response {
    Redirect::to(&format!("/support/{id}?ok={ok}")).into_response()
}

fn field_error(e: &DomainError) -> Option<String> {
    match e {
        DomainError::Invalid(v) => Some(
            v.iter()
                .map(|f| f.detail.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

async fn reply(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let body = form.get("body");
    let internal = form.checked("interne");
    match uc::reply(&state.app, auth.actor(), id, &body, internal, "web", None).await {
        Ok(_) => Ok(back(id, if internal { "note" } else { "reponse" })),
        Err(AppError::Domain(e)) if field_error(&e).is_some() => {
            let redo = Redo {
                reply: Some((body, field_error(&e).unwrap_or_default())),
                ..Default::default()
            };
            ticket_page(&state, &auth, id, redo).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::change_status(&state.app, auth.actor(), id, &form.get("status"))
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "statut"))
}

async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::assign(
        &state.app,
        auth.actor(),
        id,
        form.opt("team_id"),
        form.opt("assignee_id"),
    )
    .await
    .map_err(pe(tr))?;
    Ok(back(id, "affectation"))
}

/// `2026-12-01T14:30` typed in Paris time.
fn parse_local(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    Paris
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

async fn estimate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let at = match form.opt("estimate") {
        None => None,
        Some(s) => Some(parse_local(&s).ok_or_else(|| {
            PageError::new(
                AppError::from(DomainError::invalid(
                    "invalid_datetime",
                    "estimate",
                    "Date et heure invalides (attendu : AAAA-MM-JJTHH:MM).",
                )),
                tr,
            )
        })?),
    };
    uc::set_estimate(&state.app, auth.actor(), id, at)
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "estimation"))
}

async fn share(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::share(
        &state.app,
        auth.actor(),
        id,
        form.checked("shared"),
        form.checked("share_requester"),
        form.checked("share_attachments"),
    )
    .await
    .map_err(pe(tr))?;
    Ok(back(id, "partage"))
}

async fn follow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::follow(&state.app, auth.actor(), id, false)
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "suivi"))
}

async fn me_too(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::follow(&state.app, auth.actor(), id, true)
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "nous_aussi"))
}

async fn workaround(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::add_workaround(&state.app, auth.actor(), id, &form.get("body")).await {
        Ok(_) => Ok(back(id, "contournement")),
        Err(AppError::Domain(e)) if field_error(&e).is_some() => {
            let redo = Redo {
                workaround: field_error(&e),
                ..Default::default()
            };
            ticket_page(&state, &auth, id, redo).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn link_incident(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let incident = Id::parse(&form.get("incident_id")).ok_or_else(|| {
        PageError::new(
            AppError::from(DomainError::invalid(
                "required",
                "incident_id",
                "Choisissez un incident.",
            )),
            tr,
        )
    })?;
    uc::add_to_incident(&state.app, auth.actor(), incident, id)
        .await
        .map_err(pe(tr))?;
    Ok(back(id, "incident"))
}

// ---------------------------------------------------------------- incidents

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct IncidentQuery {
    produit: Option<String>,
    tous: Option<String>,
    ticket: Option<String>,
    /// References to group, separated by spaces (from a proposal).
    tickets: Option<String>,
}

fn incident_table(tr: Tr, caption: String, rows: &[relais_store::support::IncidentRow]) -> Table {
    let mut table = Table::new(
        tr,
        caption,
        &[
            &w(tr, "Incident", "Incident"),
            &w(tr, "Produit", "Product"),
            &w(tr, "Statut", "Status"),
            &w(tr, "Ouvert le", "Opened"),
            &w(tr, "Tickets", "Tickets"),
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
        "ouvert" => w(tr, "En cours", "Open"),
        "resolu" => w(tr, "Résolu", "Resolved"),
        other => other.to_string(),
    }
}

async fn incidents(
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
        w(tr, "Incidents", "Incidents")
    } else {
        w(tr, "Incidents en cours", "Open incidents")
    };
    let table = incident_table(tr, title.clone(), &rows);
    let mut actions = vec![];
    if uc::is_agent(auth.actor()) {
        actions.push(Link::new(
            "/support/incidents/nouveau",
            w(tr, "Nouvel incident", "New incident"),
        ));
    }
    actions.push(if all {
        Link::new(
            "/support/incidents",
            w(tr, "Incidents en cours", "Open incidents"),
        )
    } else {
        Link::new(
            "/support/incidents?tous=1",
            w(tr, "Tous les incidents", "All incidents"),
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
            w(tr, "Produit", "Product"),
            product,
            products,
            Some(""),
        )
        .required(),
        Field::new(tr, "text", "title", w(tr, "Titre", "Title"), title).required(),
        Field::new(
            tr,
            "textarea",
            "description",
            w(tr, "Description", "Description"),
            description,
        ),
        Field::new(
            tr,
            "text",
            "tickets",
            w(tr, "Tickets regroupés", "Grouped tickets"),
            tickets,
        )
        .hint(w(
            tr,
            "Références séparées par des espaces, par exemple R2026-000123 R2026-000140",
            "References separated by spaces, e.g. R2026-000123 R2026-000140",
        )),
    ])
}

fn incident_form(auth: &Auth, fields: Vec<Field>, errors: Vec<(String, String)>) -> FormPage {
    let tr = auth.tr;
    let h1 = w(tr, "Nouvel incident", "New incident");
    FormPage {
        base: Base::new(auth, h1.clone()),
        h1,
        action: "/support/incidents".into(),
        fields,
        errors,
        submit: w(tr, "Créer l'incident", "Create the incident"),
        cancel: "/support/incidents".into(),
    }
}

async fn new_incident(
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

async fn create_incident(
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

async fn incident(
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
            w(tr, "Produit", "Product"),
            Cell::link(
                i.product_name.clone(),
                format!("/produits/{}/problemes-connus", i.product_id),
            ),
        ),
        (
            w(tr, "Statut", "Status"),
            Cell::text(incident_status(&i.status, tr)),
        ),
        (
            w(tr, "Ouvert le", "Opened"),
            Cell::text(fr_datetime(&i.created_at)),
        ),
        (
            w(tr, "Résolu le", "Resolved"),
            Cell::text(opt_dt(&i.resolved_at)),
        ),
        (
            w(tr, "Tickets regroupés", "Grouped tickets"),
            Cell::text(i.ticket_count.to_string()),
        ),
    ];
    if agency {
        facts.push((
            w(tr, "Établissements concernés", "Institutions affected"),
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
        w(tr, "Tickets de l'incident", "Tickets of the incident"),
        &[
            &w(tr, "Référence", "Reference"),
            &w(tr, "Objet", "Subject"),
            &w(tr, "Établissement", "Institution"),
            &w(tr, "Statut", "Status"),
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

async fn resolve_incident(
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

async fn incident_add_ticket(
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
async fn known_issues(
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
    let title = format!(
        "{} — {}",
        w(tr, "Problèmes connus", "Known issues"),
        product.name
    );
    let table = incident_table(tr, w(tr, "Incidents en cours", "Open incidents"), &rows);
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: format!("/produits/{id}/problemes-connus"),
        actions: vec![
            Link::new(
                format!("/support?partages=1&produit={id}"),
                w(
                    tr,
                    "Tickets partagés sur ce produit",
                    "Shared tickets on this product",
                ),
            ),
            Link::new(
                format!("/connaissances?product={id}"),
                w(
                    tr,
                    "Articles de la base de connaissances",
                    "Knowledge articles",
                ),
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

/// The attachments of a ticket the reader may see.
async fn attachments_view(
    state: &AppState,
    actor: &relais_domain::accounts::Actor,
    id: Id,
    tr: Tr,
) -> Result<Vec<AttachmentView>, PageError> {
    let rows = relais_app::attachments::list_attachments(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    Ok(rows
        .into_iter()
        .map(|a| AttachmentView {
            href: super::attachments::download_href(&a.ticket_id, &a.id),
            size: super::attachments::human_size(a.size_bytes),
            internal: a.visibility == "internal",
            name: a.file_name,
        })
        .collect())
}
