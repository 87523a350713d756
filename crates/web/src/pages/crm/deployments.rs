//! Deployment pages: which product runs where, at what stage (candidate,
//! pilot P1/P2, wave n, production, withdrawn). The list, the record page and
//! the create/edit forms. Reads are scoped: a member sees only their own
//! institution's deployments; key-account managers and admins edit them.

use super::status_text;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::history_section;
use crate::kit::{
    form_reply, nonempty, pager, path_id, pe, render, DetailPage, FormData, FormPage, ListPage,
    ListQuery, PAGE_SIZE,
};
use crate::kit::{institution_filter, institution_options, product_options};
use crate::label;
use crate::view::{apply_errors, enum_options, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::crm as uc;
use relais_app::crm::{DeploymentFilter, DeploymentRow};
use relais_app::AppError;
use relais_domain::crm::*;
use relais_domain::{DomainError, Id};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deploiements", get(list).post(create))
        .route("/deploiements/nouveau", get(new_form))
        .route("/deploiements/{id}", get(show).post(update))
        .route("/deploiements/{id}/modifier", get(edit_form))
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let agency = auth.actor().role.is_agency();
    let page = q.page.unwrap_or(1).max(1);
    let f = DeploymentFilter {
        // Members are narrowed by their scope; the filter is an agency tool.
        institution_id: if agency {
            nonempty(&q.institution)
        } else {
            None
        },
        product_id: nonempty(&q.product),
        status: nonempty(&q.status),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let (rows, total) = uc::list_deployments(&state.app, auth.actor(), &f)
        .await
        .map_err(pe(tr))?;
    let title = tr.t("nav-deployments");
    let mut table = Table::new(
        tr,
        tr.t("produits-deployes-dans-les-etablissements"),
        &[
            tr.t("produit"),
            tr.t("etablissement"),
            tr.t("statut"),
            "Version",
            tr.t("hebergement"),
            tr.t("depuis"),
        ],
    );
    for d in rows {
        table.rows.push(vec![
            Cell::link(d.product_name.clone(), format!("/deploiements/{}", d.id)),
            Cell::link(
                d.institution_name.clone(),
                format!("/etablissements/{}", d.institution_id),
            ),
            Cell::text(status_text(&d.status, d.wave, tr)),
            Cell::raw(&d.version),
            Cell::text(label!(HostingMode, &d.hosting, tr)),
            Cell::date(&d.starts_on),
        ]);
    }
    let mut filters = vec![
        Field::select(
            tr,
            "product",
            tr.t("produit"),
            q.product.as_deref().unwrap_or(""),
            product_options(&state, tr).await?,
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "status",
            tr.t("statut"),
            q.status.as_deref().unwrap_or(""),
            enum_options(DeploymentStatus::ALL, tr),
            Some(tr.t("all")),
        ),
    ];
    filters.extend(institution_filter(&state, &auth, q.institution.as_deref()).await?);
    let mut actions = vec![];
    if auth.actor().can_manage_crm() {
        actions.push(Link::new(
            "/deploiements/nouveau",
            tr.t("nouveau-deploiement"),
        ));
    }
    let (prev, next) = pager(
        "/deploiements",
        &[
            ("product", q.product.clone()),
            ("status", q.status.clone()),
            (
                "institution",
                if agency { q.institution.clone() } else { None },
            ),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.to_string(),
        path: "/deploiements".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let d = uc::get_deployment(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut actions = vec![];
    if auth.actor().can_manage_crm() {
        actions.push(Link::new(
            format!("/deploiements/{id}/modifier"),
            tr.t("edit"),
        ));
    }
    let facts = vec![
        (
            (tr.t("etablissement")).to_string(),
            Cell::link(
                d.institution_name.clone(),
                format!("/etablissements/{}", d.institution_id),
            ),
        ),
        (
            (tr.t("produit")).into(),
            Cell::link(
                d.product_name.clone(),
                format!("/produits/{}", d.product_id),
            ),
        ),
        (
            (tr.t("statut")).into(),
            Cell::text(status_text(&d.status, d.wave, tr)),
        ),
        (
            (tr.t("hebergement")).into(),
            Cell::text(label!(HostingMode, &d.hosting, tr)),
        ),
        ("Version".into(), Cell::raw(&d.version)),
        ((tr.t("debut")).into(), Cell::date(&d.starts_on)),
        ((tr.t("fin")).into(), Cell::date(&d.ends_on)),
        ("Notes".into(), Cell::opt(&d.notes)),
        (
            (tr.t("derniere-mise-a-jour")).into(),
            Cell::text(
                d.updated_at
                    .chars()
                    .take(16)
                    .collect::<String>()
                    .replace('T', " "),
            ),
        ),
    ];
    let sections = history_section(&state, &auth, "deployment", id)
        .await?
        .into_iter()
        .collect();
    let title = format!("{} — {}", d.product_name, d.institution_name);
    let p = DetailPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        subtitle: Some(status_text(&d.status, d.wave, tr)),
        actions,
        facts,
        sections,
    };
    Ok(render(&p, tr)?.into_response())
}

/// `(value, label)` of a select option.
type Choice = (String, String);

/// Fields of the form; institution and product only when creating, since
/// they identify a deployment and are never changed afterwards.
fn deployment_fields(tr: Tr, f: &FormData, choices: Option<(&[Choice], &[Choice])>) -> Vec<Field> {
    let mut fields = vec![];
    if let Some((institutions, products)) = choices {
        fields.push(
            Field::select(
                tr,
                "institution_id",
                tr.t("etablissement"),
                &f.get("institution_id"),
                institutions.iter().cloned(),
                Some(tr.t("choisissez-un-etablissement")),
            )
            .required(),
        );
        fields.push(
            Field::select(
                tr,
                "product_id",
                tr.t("produit"),
                &f.get("product_id"),
                products.iter().cloned(),
                Some(tr.t("choisissez-un-produit")),
            )
            .required(),
        );
    }
    fields.extend([
        Field::select(
            tr,
            "status",
            tr.t("statut"),
            &f.get("status"),
            enum_options(DeploymentStatus::ALL, tr),
            None,
        )
        .required(),
        Field::new(tr, "number", "wave", tr.t("numero-de-vague"), f.get("wave"))
            .hint(tr.t("obligatoire-pour-le-statut-vague-1")),
        Field::select(
            tr,
            "hosting",
            tr.t("hebergement"),
            &f.get("hosting"),
            enum_options(HostingMode::ALL, tr),
            None,
        )
        .required(),
        Field::new(
            tr,
            "text",
            "version",
            tr.t("version-en-service"),
            f.get("version"),
        ),
        Field::new(
            tr,
            "date",
            "starts_on",
            tr.t("date-de-debut"),
            f.get("starts_on"),
        ),
        Field::new(tr, "date", "ends_on", tr.t("date-de-fin"), f.get("ends_on")),
        Field::new(tr, "textarea", "notes", "Notes", f.get("notes")),
    ]);
    fields
}

fn deployment_input(f: &FormData) -> uc::DeploymentInput {
    uc::DeploymentInput {
        institution_id: f.get("institution_id"),
        product_id: f.get("product_id"),
        status: f.get("status"),
        wave: f.opt("wave"),
        hosting: f.get("hosting"),
        version: f.opt("version"),
        starts_on: f.opt("starts_on"),
        ends_on: f.opt("ends_on"),
        notes: f.opt("notes"),
    }
}

fn form_of(d: &DeploymentRow) -> FormData {
    FormData(vec![
        ("status".into(), d.status.clone()),
        (
            "wave".into(),
            d.wave.map(|w| w.to_string()).unwrap_or_default(),
        ),
        ("hosting".into(), d.hosting.clone()),
        ("version".into(), d.version.clone().unwrap_or_default()),
        ("starts_on".into(), d.starts_on.clone().unwrap_or_default()),
        ("ends_on".into(), d.ends_on.clone().unwrap_or_default()),
        ("notes".into(), d.notes.clone().unwrap_or_default()),
    ])
}

/// The form, new (`None`) or for an existing deployment, with errors.
async fn deployment_page(
    state: &AppState,
    auth: &Auth,
    existing: Option<&DeploymentRow>,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (mut fields, title, action, submit, cancel) = match existing {
        None => {
            let institutions = institution_options(state, auth).await?;
            let products = product_options(state, tr).await?;
            let inst = f.get("institution_id");
            let cancel = if inst.is_empty() {
                "/deploiements".to_string()
            } else {
                format!("/etablissements/{inst}")
            };
            (
                deployment_fields(tr, f, Some((&institutions, &products))),
                (tr.t("nouveau-deploiement")).to_string(),
                "/deploiements".to_string(),
                tr.t("create"),
                cancel,
            )
        }
        Some(d) => (
            deployment_fields(tr, f, None),
            format!(
                "{} — {} · {}",
                tr.t("edit"),
                d.product_name,
                d.institution_name
            ),
            format!("/deploiements/{}", d.id),
            tr.t("save"),
            format!("/deploiements/{}", d.id),
        ),
    };
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action,
        fields,
        errors,
        submit: submit.into(),
        cancel,
    };
    form_reply(&page, err.is_some(), tr)
}

#[derive(serde::Deserialize)]
struct NewQuery {
    institution: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let mut f = FormData(vec![
        ("status".into(), DeploymentStatus::Candidat.code().into()),
        ("hosting".into(), HostingMode::SurSite.code().into()),
    ]);
    if let Some(raw) = q.institution.as_deref().filter(|s| !s.is_empty()) {
        let inst = Id::parse(raw).ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
        uc::get_institution(&state.app, auth.actor(), inst)
            .await
            .map_err(pe(tr))?;
        f.0.push(("institution_id".into(), inst.to_string()));
    }
    deployment_page(&state, &auth, None, &f, None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_deployment(&state.app, auth.actor(), deployment_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/deploiements/{id}?ok=deployment")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            deployment_page(&state, &auth, None, &f, Some(&e)).await
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
    let d = uc::get_deployment(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    deployment_page(&state, &auth, Some(&d), &form_of(&d), None).await
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let d = uc::get_deployment(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    match uc::update_deployment(&state.app, auth.actor(), id, deployment_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/deploiements/{id}?ok=deployment")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            deployment_page(&state, &auth, Some(&d), &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
