//! Institution pages: the filtered list, the create/edit form, the component
//! form, and the institution page (first version of the 360° view).

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    form_reply, nonempty, pager, path_id, pe, render, FormData, FormPage, ListPage, ListQuery,
    PAGE_SIZE,
};
use crate::label;
use crate::view::{apply_errors, enum_options, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::crm as uc;
use relais_app::AppError;
use relais_domain::crm::*;
use relais_domain::Id;
use relais_store::crm::{InstitutionFilter, InstitutionRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/etablissements", get(list).post(create))
        .route("/etablissements/nouveau", get(new_form))
        .route("/etablissements/{id}", get(show).post(update))
        .route("/etablissements/{id}/modifier", get(edit_form))
        .route(
            "/etablissements/{id}/composantes",
            get(new_component).post(create_component),
        )
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let page = q.page.unwrap_or(1).max(1);
    let f = InstitutionFilter {
        q: nonempty(&q.q),
        kind: nonempty(&q.kind),
        region: nonempty(&q.region),
        membership: nonempty(&q.membership),
        manager_id: nonempty(&q.manager),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let (rows, total) = uc::list_institutions(&state.app, auth.actor(), &f)
        .await
        .map_err(pe(tr))?;
    let mut table = Table::new(
        tr,
        tr.t("etablissements-adherents"),
        &[
            tr.t("nom"),
            tr.t("sigle"),
            "Type",
            tr.t("region"),
            "UAI",
            tr.t("role-relation"),
        ],
    );
    for r in rows {
        table.rows.push(vec![
            Cell::link(r.name.clone(), format!("/etablissements/{}", r.id)),
            Cell::opt(&r.acronym),
            Cell::text(label!(InstitutionKind, &r.kind, tr)),
            Cell::opt(&r.region),
            Cell::opt(&r.uai),
            Cell::opt(&r.manager_name),
        ]);
    }
    let regions = uc::regions(&state.app).await.map_err(pe(tr))?;
    let mut filters = vec![
        Field::new(
            tr,
            "search",
            "q",
            tr.t("search"),
            q.q.clone().unwrap_or_default(),
        )
        .hint(tr.t("nom-sigle-ville-ou-uai")),
        Field::select(
            tr,
            "kind",
            "Type",
            q.kind.as_deref().unwrap_or(""),
            enum_options(
                InstitutionKind::ALL,
                InstitutionKind::code,
                InstitutionKind::label,
                tr,
            ),
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "region",
            tr.t("region"),
            q.region.as_deref().unwrap_or(""),
            regions.into_iter().map(|r| (r.clone(), r)),
            Some(tr.t("toutes")),
        ),
        Field::select(
            tr,
            "membership",
            tr.t("adhesion"),
            q.membership.as_deref().unwrap_or(""),
            enum_options(
                MembershipStatus::ALL,
                MembershipStatus::code,
                MembershipStatus::label,
                tr,
            ),
            Some(tr.t("all")),
        ),
    ];
    if auth.actor().role.is_agency() {
        let staff = relais_app::accounts::agency_staff(&state.app)
            .await
            .map_err(pe(tr))?;
        filters.push(Field::select(
            tr,
            "manager",
            tr.t("role-relation"),
            q.manager.as_deref().unwrap_or(""),
            staff
                .into_iter()
                .filter(|u| u.role == "relation")
                .map(|u| (u.id, u.display_name)),
            Some(tr.t("all")),
        ));
    } else {
        filters.clear();
    }
    let mut actions = vec![];
    if auth.actor().can_manage_crm() {
        actions.push(Link::new(
            "/etablissements/nouveau",
            tr.t("nouvel-etablissement"),
        ));
    }
    if auth.actor().can_manage_crm() {
        actions.push(Link::new(
            "/import?type=etablissements",
            tr.t("importer-csv"),
        ));
    }
    if auth.actor().role.is_agency() {
        actions.push(Link::new("/export/etablissements.csv", tr.t("export-csv")));
    }
    let (prev, next) = pager(
        "/etablissements",
        &[
            ("q", q.q.clone()),
            ("kind", q.kind.clone()),
            ("region", q.region.clone()),
            ("membership", q.membership.clone()),
            ("manager", q.manager.clone()),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, tr.t("nav-institutions")),
        h1: tr.t("nav-institutions").to_string(),
        path: "/etablissements".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}

fn institution_fields(tr: Tr, f: &FormData, staff: &[(String, String)]) -> Vec<Field> {
    vec![
        Field::new(tr, "text", "name", tr.t("nom"), f.get("name")).required(),
        Field::new(tr, "text", "acronym", tr.t("sigle"), f.get("acronym")),
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(
                InstitutionKind::ALL,
                InstitutionKind::code,
                InstitutionKind::label,
                tr,
            ),
            None,
        )
        .required(),
        Field::new(tr, "text", "uai", "Code UAI", f.get("uai"))
            .hint(tr.t("n-7-chiffres-et-une-lettre-de")),
        Field::new(tr, "text", "region", tr.t("region"), f.get("region")),
        Field::new(tr, "text", "city", tr.t("ville"), f.get("city")),
        Field::new(
            tr,
            "number",
            "students",
            tr.t("etudiants"),
            f.get("students"),
        ),
        Field::new(tr, "number", "staff", tr.t("personnels"), f.get("staff")),
        Field::select(
            tr,
            "membership",
            tr.t("adhesion"),
            &f.get("membership"),
            enum_options(
                MembershipStatus::ALL,
                MembershipStatus::code,
                MembershipStatus::label,
                tr,
            ),
            None,
        ),
        Field::new(
            tr,
            "number",
            "member_since",
            tr.t("adherent-depuis-annee"),
            f.get("member_since"),
        ),
        Field::select(
            tr,
            "calendar",
            tr.t("calendrier-des-jours-feries"),
            &f.get("calendar"),
            enum_options(
                CalendarKind::ALL,
                CalendarKind::code,
                CalendarKind::label,
                tr,
            ),
            None,
        ),
        Field::select(
            tr,
            "manager_id",
            tr.t("role-relation"),
            &f.get("manager_id"),
            staff.iter().cloned(),
            Some(tr.t("aucun-e")),
        ),
        Field::new(
            tr,
            "text",
            "tags",
            tr.t("segments-separes-par-des-virgules"),
            f.get("tags"),
        ),
    ]
}

fn institution_input(f: &FormData) -> InstitutionInput {
    InstitutionInput {
        name: f.get("name"),
        acronym: f.opt("acronym"),
        kind: f.get("kind"),
        region: f.opt("region"),
        city: f.opt("city"),
        uai: f.opt("uai"),
        students: f.opt("students"),
        staff: f.opt("staff"),
        membership: f.opt("membership"),
        member_since: f.opt("member_since"),
        calendar: f.opt("calendar"),
        tags: f.opt("tags"),
    }
}

async fn staff_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(relais_app::accounts::agency_staff(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .filter(|u| u.role == "relation" || u.role == "admin")
        .map(|u| (u.id, u.display_name))
        .collect())
}

fn form_of(row: &InstitutionRow) -> FormData {
    let tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
    FormData(vec![
        ("name".into(), row.name.clone()),
        ("acronym".into(), row.acronym.clone().unwrap_or_default()),
        ("kind".into(), row.kind.clone()),
        ("uai".into(), row.uai.clone().unwrap_or_default()),
        ("region".into(), row.region.clone().unwrap_or_default()),
        ("city".into(), row.city.clone().unwrap_or_default()),
        (
            "students".into(),
            row.students.map(|n| n.to_string()).unwrap_or_default(),
        ),
        (
            "staff".into(),
            row.staff.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("membership".into(), row.membership.clone()),
        (
            "member_since".into(),
            row.member_since.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("calendar".into(), row.calendar.clone()),
        (
            "manager_id".into(),
            row.manager_id.clone().unwrap_or_default(),
        ),
        ("tags".into(), tags.join(", ")),
    ])
}

async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(relais_domain::DomainError::Forbidden, tr));
    }
    let staff = staff_options(&state, tr).await?;
    let title = tr.t("nouvel-etablissement");
    let p = FormPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        action: "/etablissements".into(),
        fields: institution_fields(tr, &FormData::default(), &staff),
        errors: vec![],
        submit: tr.t("create").into(),
        cancel: "/etablissements".into(),
    };
    Ok(render(&p, tr)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_institution(
        &state.app,
        auth.actor(),
        institution_input(&f),
        f.opt("manager_id"),
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/etablissements/{id}?ok=institution")).into_response()),
        Err(AppError::Domain(e @ relais_domain::DomainError::Invalid(_))) => {
            let staff = staff_options(&state, tr).await?;
            let mut fields = institution_fields(tr, &f, &staff);
            let errors = apply_errors(&mut fields, &e);
            let title = tr.t("nouvel-etablissement");
            let p = FormPage {
                base: Base::new(&auth, title),
                h1: title.into(),
                action: "/etablissements".into(),
                fields,
                errors,
                submit: tr.t("create").into(),
                cancel: "/etablissements".into(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let row = uc::get_institution(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(relais_domain::DomainError::Forbidden, tr));
    }
    let staff = staff_options(&state, tr).await?;
    let p = FormPage {
        base: Base::new(&auth, format!("{} — {}", tr.t("edit"), row.name)),
        h1: format!("{} — {}", tr.t("edit"), row.name),
        action: format!("/etablissements/{id}"),
        fields: institution_fields(tr, &form_of(&row), &staff),
        errors: vec![],
        submit: tr.t("save").into(),
        cancel: format!("/etablissements/{id}"),
    };
    Ok(render(&p, tr)?.into_response())
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_institution(
        &state.app,
        auth.actor(),
        id,
        institution_input(&f),
        f.opt("manager_id"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/etablissements/{id}?ok=institution")).into_response()),
        Err(AppError::Domain(e @ relais_domain::DomainError::Invalid(_))) => {
            let staff = staff_options(&state, tr).await?;
            let mut fields = institution_fields(tr, &f, &staff);
            let errors = apply_errors(&mut fields, &e);
            let p = FormPage {
                base: Base::new(&auth, tr.t("edit")),
                h1: tr.t("edit").into(),
                action: format!("/etablissements/{id}"),
                fields,
                errors,
                submit: tr.t("save").into(),
                cancel: format!("/etablissements/{id}"),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

struct TimelineLine {
    date: String,
    source: String,
    kind_label: String,
    title: String,
    detail: Option<String>,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "institution.html")]
struct InstitutionPage {
    base: Base,
    h1: String,
    subtitle: String,
    actions: Vec<Link>,
    facts: Vec<(String, Cell)>,
    components: Vec<(usize, String, String)>,
    deployments: Table,
    contacts: Table,
    conventions: Table,
    tasks: Table,
    show_internal: bool,
    support_facts: Vec<(String, Cell)>,
    support_tickets: Table,
    training_facts: Vec<(String, Cell)>,
    training_regs: Table,
    training_events: Table,
    relation: Vec<crate::kit::Sect>,
    /// Complaints (issue 6): open count and the last few, with links.
    complaint_facts: Vec<(String, Cell)>,
    complaint_table: Table,
    timeline: Vec<TimelineLine>,
}

/// Orders components depth-first so the page shows the tree with indents.
fn component_tree(
    tr: Tr,
    rows: &[relais_store::crm::ComponentRow],
) -> Vec<(usize, String, String)> {
    fn walk(
        tr: Tr,
        rows: &[relais_store::crm::ComponentRow],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<(usize, String, String)>,
    ) {
        for r in rows.iter().filter(|r| r.parent_id.as_deref() == parent) {
            let mut name = r.name.clone();
            if let Some(p) = &r.partner {
                name.push_str(&format!(" — {p}"));
            }
            out.push((depth.min(3), name, label!(ComponentKind, &r.kind, tr)));
            if depth < 8 {
                walk(tr, rows, Some(&r.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(tr, rows, None, 0, &mut out);
    out
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let id: Id = path_id(&id, tr)?;
    let v = uc::institution_view(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let i = &v.institution;
    let actor = auth.actor();
    let mut actions = vec![];
    if actor.can_manage_crm() {
        actions.push(Link::new(
            format!("/etablissements/{id}/modifier"),
            tr.t("edit"),
        ));
        actions.push(Link::new(
            format!("/etablissements/{id}/composantes"),
            tr.t("ajouter-une-composante"),
        ));
        actions.push(Link::new(
            format!("/deploiements/nouveau?institution={id}"),
            tr.t("nouveau-deploiement"),
        ));
        actions.push(Link::new(
            format!("/conventions/nouveau?institution={id}"),
            tr.t("nouvelle-convention"),
        ));
    }
    if actor.can_edit_contacts_of(id) {
        actions.push(Link::new(
            format!("/contacts/nouveau?institution={id}"),
            tr.t("nouveau-contact"),
        ));
    }
    if actor.can_read_interactions() {
        actions.push(Link::new(
            format!("/interactions/nouveau?institution={id}"),
            tr.t("noter-une-interaction"),
        ));
    }
    let tags: Vec<String> = serde_json::from_str(&i.tags).unwrap_or_default();
    let facts = vec![
        (
            "Type".to_string(),
            Cell::text(label!(InstitutionKind, &i.kind, tr)),
        ),
        ("UAI".into(), Cell::opt(&i.uai)),
        ((tr.t("region")).into(), Cell::opt(&i.region)),
        ((tr.t("ville")).into(), Cell::opt(&i.city)),
        (
            (tr.t("etudiants")).into(),
            Cell::text(
                i.students
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            (tr.t("personnels")).into(),
            Cell::text(i.staff.map(|n| n.to_string()).unwrap_or_else(|| "—".into())),
        ),
        (
            (tr.t("adhesion")).into(),
            Cell::text(format!(
                "{}{}",
                label!(MembershipStatus, &i.membership, tr),
                i.member_since
                    .map(|y| tr.t_args("depuis-y", &[("y", y.to_string().into())]))
                    .unwrap_or_default()
            )),
        ),
        ((tr.t("role-relation")).into(), Cell::opt(&i.manager_name)),
        (
            (tr.t("calendrier")).into(),
            Cell::text(label!(CalendarKind, &i.calendar, tr)),
        ),
        (
            "Segments".into(),
            Cell::text(if tags.is_empty() {
                "—".into()
            } else {
                tags.join(", ")
            }),
        ),
    ];
    let mut deployments = Table::new(
        tr,
        tr.t("produits-deployes-dans-l-etablissement"),
        &[
            tr.t("produit"),
            tr.t("statut"),
            "Version",
            tr.t("hebergement"),
            tr.t("depuis"),
        ],
    );
    for d in &v.deployments {
        let mut status = label!(DeploymentStatus, &d.status, tr);
        if let Some(w) = d.wave {
            status = format!("{status} {w}");
        }
        deployments.rows.push(vec![
            Cell::link(d.product_name.clone(), format!("/deploiements/{}", d.id)),
            Cell::text(status),
            Cell::opt(&d.version),
            Cell::text(label!(HostingMode, &d.hosting, tr)),
            Cell::opt(&d.starts_on),
        ]);
    }
    let mut contacts = Table::new(
        tr,
        format!("{} contact(s)", v.contacts_total),
        &[
            tr.t("nom"),
            tr.t("fonction"),
            tr.t("interaction-kind-courriel"),
            tr.t("complaint-channel-telephone"),
        ],
    );
    for c in &v.contacts {
        contacts.rows.push(vec![
            Cell::link(
                format!("{} {}", c.first_name, c.last_name),
                format!("/contacts/{}", c.id),
            ),
            Cell::text(label!(ContactFunction, &c.function, tr)),
            Cell::opt(&c.email),
            Cell::opt(&c.phone),
        ]);
    }
    let mut conventions = Table::new(
        tr,
        tr.t("conventions-avec-l-etablissement"),
        &[
            tr.t("intitule"),
            "Type",
            tr.t("debut"),
            tr.t("fin"),
            tr.t("alerte-de-renouvellement"),
        ],
    );
    for c in &v.conventions {
        conventions.rows.push(vec![
            Cell::link(c.title.clone(), format!("/conventions/{}", c.id)),
            Cell::text(label!(ConventionKind, &c.kind, tr)),
            Cell::opt(&c.starts_on),
            Cell::opt(&c.ends_on),
            Cell::opt(&c.renewal_alert_on),
        ]);
    }
    let mut tasks = Table::new(
        tr,
        tr.t("taches-de-suivi"),
        &[
            tr.t("tache"),
            tr.t("echeance"),
            tr.t("statut"),
            tr.t("responsable-2"),
        ],
    );
    for t in &v.tasks {
        tasks.rows.push(vec![
            Cell::text(t.title.clone()),
            Cell::opt(&t.due_on),
            Cell::text(label!(TaskStatus, &t.status, tr)),
            Cell::opt(&t.assignee_name),
        ]);
    }
    let record = relais_app::sla_admin::institution_support_record(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let (support_facts, support_tickets) = support_section(tr, &record);
    let training = relais_app::training::institution_record(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let (training_facts, training_regs, training_events) =
        crate::pages::training::institution_section(tr, id, &training);
    let (relation, relation_timeline) =
        crate::pages::relations::health::institution_sections(&state, &auth, id).await?;
    let (complaint_facts, complaint_table, complaint_timeline) =
        crate::pages::relations::complaints::analysis::institution_section(&state, &auth, id)
            .await?;
    let mut entries = v.timeline.clone();
    entries.extend(record.timeline());
    entries.extend(relation_timeline);
    entries.extend(complaint_timeline);
    entries.sort_by(|a, b| b.date.cmp(&a.date));
    let timeline = entries
        .iter()
        .map(|e| TimelineLine {
            date: e.date.clone(),
            source: e.source.clone(),
            kind_label: match (e.source.as_str(), en) {
                ("interaction", _) => "Interaction",
                ("task", false) => "Tâche",
                ("task", true) => "Task",
                ("convention", false) => "Convention",
                ("convention", true) => "Agreement",
                ("ticket", _) => "Ticket",
                ("enquete", false) => "Enquête",
                ("enquete", true) => "Survey",
                ("rappel", false) => "Rappel",
                ("rappel", true) => "Recall",
                ("reclamation", false) => "Réclamation",
                ("reclamation", true) => "Complaint",
                (_, false) => "Déploiement",
                (_, true) => "Deployment",
            }
            .to_string(),
            title: e.title.clone(),
            detail: e.detail.clone(),
            link: e.link.clone(),
        })
        .collect();
    let subtitle = [
        i.acronym.clone(),
        Some(label!(InstitutionKind, &i.kind, tr)),
        i.city.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let p = InstitutionPage {
        base: Base::new(&auth, i.name.clone()),
        h1: i.name.clone(),
        subtitle,
        actions,
        facts,
        components: component_tree(tr, &v.components),
        deployments,
        contacts,
        conventions,
        tasks,
        show_internal: actor.can_read_interactions(),
        support_facts,
        support_tickets,
        training_facts,
        training_regs,
        training_events,
        relation,
        complaint_facts,
        complaint_table,
        timeline,
    };
    Ok(render(&p, tr)?.into_response())
}

fn component_fields(tr: Tr, f: &FormData, parents: &[(String, String)]) -> Vec<Field> {
    vec![
        Field::new(tr, "text", "name", tr.t("nom"), f.get("name")).required(),
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(
                ComponentKind::ALL,
                ComponentKind::code,
                ComponentKind::label,
                tr,
            ),
            None,
        )
        .required(),
        Field::new(
            tr,
            "text",
            "code",
            tr.t("code-ex-numero-d-umr"),
            f.get("code"),
        ),
        Field::new(
            tr,
            "text",
            "partner",
            tr.t("partagee-avec-ex-cnrs"),
            f.get("partner"),
        ),
        Field::select(
            tr,
            "parent_id",
            tr.t("composante-parente"),
            &f.get("parent_id"),
            parents.iter().cloned(),
            Some(tr.t("aucune-premier-niveau")),
        ),
    ]
}

async fn component_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    f: &FormData,
    err: Option<&relais_domain::DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let inst = uc::get_institution(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let parents: Vec<(String, String)> = uc::list_components(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut fields = component_fields(tr, f, &parents);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = format!("{} — {}", tr.t("nouvelle-composante"), inst.name);
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: format!("/etablissements/{id}/composantes"),
        fields,
        errors,
        submit: tr.t("create").into(),
        cancel: format!("/etablissements/{id}"),
    };
    form_reply(&p, err.is_some(), tr)
}

async fn new_component(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(
            relais_domain::DomainError::Forbidden,
            auth.tr,
        ));
    }
    component_page(&state, &auth, id, &FormData::default(), None).await
}

async fn create_component(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let input = uc::ComponentInput {
        parent_id: f.opt("parent_id"),
        kind: f.get("kind"),
        name: f.get("name"),
        code: f.opt("code"),
        partner: f.opt("partner"),
    };
    match uc::create_component(&state.app, auth.actor(), id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/etablissements/{id}?ok=component")).into_response()),
        Err(AppError::Domain(e @ relais_domain::DomainError::Invalid(_))) => {
            component_page(&state, &auth, id, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

/// The "Support" section: contract in force, the service-level record of
/// the last 12 months, and the open tickets.
fn support_section(
    tr: Tr,
    r: &relais_app::sla_admin::SupportRecord,
) -> (Vec<(String, Cell)>, Table) {
    use relais_app::sla_admin::{hours_label, paris_time};
    use relais_domain::support::{Severity, TicketStatus};
    let contract = match &r.contract {
        Some(k) => {
            let since = k
                .starts_on
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default();
            format!(
                "{} — {} ({} {since})",
                k.level_name.clone().unwrap_or_default(),
                k.calendar_name.clone().unwrap_or_default(),
                tr.t("depuis-le-2")
            )
        }
        None => (tr.t("aucun-charte-generique-socle-heures-de")).to_string(),
    };
    let share = |p: Option<i64>, met: i64, n: i64| match p {
        Some(p) => tr.t_args(
            "p-met-sur-n",
            &[
                ("met", met.to_string().into()),
                ("n", n.to_string().into()),
                ("p", p.to_string().into()),
            ],
        ),
        None => "—".to_string(),
    };
    let t = &r.totals;
    let facts = vec![
        (
            (tr.t("contrat-de-service")).to_string(),
            Cell::text(contract),
        ),
        (
            (tr.t("tickets-sur-les-12-derniers-mois")).to_string(),
            Cell::text(t.tickets.to_string()),
        ),
        (
            (tr.t("premieres-reponses-dans-l-objectif")).to_string(),
            Cell::text(share(
                r.first_response_share(),
                t.first_response_met,
                t.first_response_measured,
            )),
        ),
        (
            (tr.t("resolutions-dans-l-objectif")).to_string(),
            Cell::text(share(
                r.resolution_share(),
                t.resolution_met,
                t.resolution_measured,
            )),
        ),
        (
            (tr.t("delai-median-de-resolution-heures-ouvrees")).to_string(),
            Cell::text(
                r.median_resolution_minutes
                    .map(hours_label)
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            (tr.t("temps-d-attente-de-l-editeur")).to_string(),
            Cell::text(hours_label(t.editor_minutes)),
        ),
    ];
    let mut table = Table::new(
        tr,
        tr.t("tickets-ouverts"),
        &[
            tr.t("reference"),
            tr.t("objet"),
            tr.t("produit"),
            tr.t("statut"),
            tr.t("severite"),
            tr.t("echeance-de-resolution"),
        ],
    );
    for k in &r.open {
        table.rows.push(vec![
            Cell::link(k.reference.clone(), format!("/support/{}", k.id)),
            Cell::text(k.subject.clone()),
            Cell::text(k.product_name.clone()),
            Cell::text(label!(TicketStatus, &k.status, tr)),
            Cell::text(label!(Severity, &k.severity, tr)),
            Cell::text(
                k.resolution_due_at
                    .as_deref()
                    .map(paris_time)
                    .unwrap_or_else(|| "—".into()),
            ),
        ]);
    }
    (facts, table)
}
