//! Catalogue pages: the agency's products (list, record page with releases
//! and deployments, admin forms), their releases, and the business domains.
//! The catalogue itself is public to every signed-in person; the deployments
//! shown on a product page are narrowed to what the reader may see.

use super::status_text;
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::history_section;
use crate::kit::{
    form_reply, nonempty, path_id, pe, render, DetailPage, FormData, FormPage, ListPage, ListQuery,
    Section,
};
use crate::label;
use crate::view::{apply_errors, enum_options, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::crm as uc;
use relais_app::crm::{DeploymentFilter, ProductRow};
use relais_app::AppError;
use relais_domain::crm::*;
use relais_domain::{DomainError, Id};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/produits", get(list).post(create))
        .route("/produits/nouveau", get(new_form))
        .route("/produits/{id}", get(show).post(update))
        .route("/produits/{id}/modifier", get(edit_form))
        .route(
            "/produits/{id}/versions",
            get(new_release).post(create_release),
        )
        .route("/domaines", get(domains))
}

async fn domain_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(uc::list_domains(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let domain = nonempty(&q.domain);
    let rows = uc::list_products(&state.app, domain.as_deref())
        .await
        .map_err(pe(tr))?;
    let title = tr.t("nav-products");
    let mut table = Table::new(
        tr,
        tr.t("les-produits-de-l-agence"),
        &[
            tr.t("produit"),
            tr.t("domaine"),
            tr.t("cycle-de-vie"),
            tr.t("nav-deployments"),
        ],
    );
    for p in &rows {
        table.rows.push(vec![
            Cell::link(p.name.clone(), format!("/produits/{}", p.id)),
            Cell::link(
                p.domain_name.clone(),
                format!("/produits?domain={}", urlencoding::encode(&p.domain_code)),
            ),
            Cell::text(label!(ProductStage, &p.stage, tr)),
            Cell::text(p.deployments.to_string()),
        ]);
    }
    let filters = vec![Field::select(
        tr,
        "domain",
        tr.t("domaine"),
        domain.as_deref().unwrap_or(""),
        domain_options(&state, tr).await?,
        Some(tr.t("all")),
    )];
    let mut actions = vec![Link::new("/domaines", tr.t("domaines-metier"))];
    if auth.actor().can_manage_catalogue() {
        actions.insert(0, Link::new("/produits/nouveau", tr.t("nouveau-produit")));
    }
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.to_string(),
        path: "/produits".into(),
        actions,
        filters,
        total: rows.len() as i64,
        table,
        prev: None,
        next: None,
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
    let actor = auth.actor();
    let (p, releases) = uc::get_product(&state.app, id).await.map_err(pe(tr))?;
    // The scoped list: a member sees only their own institution's deployment.
    let (deployments, _) = uc::list_deployments(
        &state.app,
        actor,
        &DeploymentFilter {
            product_id: Some(id.to_string()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .map_err(pe(tr))?;
    let mut actions = vec![];
    if actor.can_manage_catalogue() {
        actions.push(Link::new(format!("/produits/{id}/modifier"), tr.t("edit")));
        actions.push(Link::new(
            format!("/produits/{id}/versions"),
            tr.t("ajouter-une-version"),
        ));
    }
    let facts = vec![
        ("Code".to_string(), Cell::text(p.code.clone())),
        (
            (tr.t("domaine")).into(),
            Cell::link(
                p.domain_name.clone(),
                format!("/produits?domain={}", urlencoding::encode(&p.domain_code)),
            ),
        ),
        (
            (tr.t("cycle-de-vie")).into(),
            Cell::text(label!(ProductStage, &p.stage, tr)),
        ),
        (
            (tr.t("deploiements-actifs-tous-etablissements")).into(),
            Cell::text(p.deployments.to_string()),
        ),
        ("Description".into(), Cell::opt(&p.description)),
    ];
    let mut rel = Table::new(
        tr,
        tr.t("versions-de-la-plus-recente-a"),
        &["Version", tr.t("publiee-le"), "Notes"],
    );
    for r in releases {
        rel.rows.push(vec![
            Cell::text(r.version),
            Cell::date(&r.released_on),
            Cell::opt(&r.notes),
        ]);
    }
    let dep_caption = if actor.role.is_agency() {
        tr.t("etablissements-utilisant-ce-produit")
    } else {
        tr.t("deploiement-dans-votre-etablissement")
    };
    let mut dep = Table::new(
        tr,
        dep_caption,
        &[
            tr.t("etablissement"),
            tr.t("statut"),
            "Version",
            tr.t("hebergement"),
            tr.t("depuis"),
        ],
    );
    for d in &deployments {
        dep.rows.push(vec![
            Cell::link(
                d.institution_name.clone(),
                format!("/etablissements/{}", d.institution_id),
            ),
            Cell::link(
                status_text(&d.status, d.wave, tr),
                format!("/deploiements/{}", d.id),
            ),
            Cell::raw(&d.version),
            Cell::text(label!(HostingMode, &d.hosting, tr)),
            Cell::date(&d.starts_on),
        ]);
    }
    let mut sections = vec![
        Section {
            title: "Versions".into(),
            table: rel,
        },
        Section {
            title: tr.t("nav-deployments").into(),
            table: dep,
        },
    ];
    if let Some(h) = history_section(&state, &auth, "product", id).await? {
        sections.push(h);
    }
    let page = DetailPage {
        base: Base::new(&auth, p.name.clone()),
        h1: p.name.clone(),
        subtitle: Some(p.domain_name.clone()),
        actions,
        facts,
        sections,
    };
    Ok(render(&page, tr)?.into_response())
}

fn product_fields(
    tr: Tr,
    f: &FormData,
    domains: &[(String, String)],
    with_code: bool,
) -> Vec<Field> {
    let mut fields = vec![];
    if with_code {
        fields.push(
            Field::new(tr, "text", "code", "Code", f.get("code"))
                .required()
                .hint(tr.t("lettres-minuscules-chiffres-et-il-ne")),
        );
    }
    fields.extend([
        Field::new(tr, "text", "name", tr.t("nom"), f.get("name")).required(),
        Field::select(
            tr,
            "domain_code",
            tr.t("domaine"),
            &f.get("domain_code"),
            domains.iter().cloned(),
            None,
        )
        .required(),
        Field::select(
            tr,
            "stage",
            tr.t("cycle-de-vie"),
            &f.get("stage"),
            enum_options(ProductStage::ALL, tr),
            None,
        )
        .required(),
        Field::new(
            tr,
            "textarea",
            "description",
            "Description",
            f.get("description"),
        ),
    ]);
    fields
}

fn product_input(f: &FormData, code: String) -> uc::ProductInput {
    uc::ProductInput {
        code,
        name: f.get("name"),
        domain_code: f.get("domain_code"),
        stage: f.get("stage"),
        description: f.opt("description"),
    }
}

fn form_of(p: &ProductRow) -> FormData {
    FormData(vec![
        ("code".into(), p.code.clone()),
        ("name".into(), p.name.clone()),
        ("domain_code".into(), p.domain_code.clone()),
        ("stage".into(), p.stage.clone()),
        (
            "description".into(),
            p.description.clone().unwrap_or_default(),
        ),
    ])
}

/// The product form, new (`None`) or for an existing product, with errors.
async fn product_page(
    state: &AppState,
    auth: &Auth,
    existing: Option<&ProductRow>,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let domains = domain_options(state, tr).await?;
    let mut fields = product_fields(tr, f, &domains, existing.is_none());
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let (title, action, submit, cancel) = match existing {
        None => (
            (tr.t("nouveau-produit")).to_string(),
            "/produits".to_string(),
            tr.t("create"),
            "/produits".to_string(),
        ),
        Some(p) => (
            format!("{} — {} ({})", tr.t("edit"), p.name, p.code),
            format!("/produits/{}", p.id),
            tr.t("save"),
            format!("/produits/{}", p.id),
        ),
    };
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

async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    if !auth.actor().can_manage_catalogue() {
        return Err(PageError::new(DomainError::Forbidden, auth.tr));
    }
    let f = FormData(vec![("stage".into(), "conception".into())]);
    product_page(&state, &auth, None, &f, None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_product(&state.app, auth.actor(), product_input(&f, f.get("code"))).await {
        Ok(id) => Ok(Redirect::to(&format!("/produits/{id}?ok=product")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            product_page(&state, &auth, None, &f, Some(&e)).await
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
    let (p, _) = uc::get_product(&state.app, id).await.map_err(pe(tr))?;
    if !auth.actor().can_manage_catalogue() {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    product_page(&state, &auth, Some(&p), &form_of(&p), None).await
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (p, _) = uc::get_product(&state.app, id).await.map_err(pe(tr))?;
    // The code identifies a product in imports and the API: it is kept.
    match uc::update_product(
        &state.app,
        auth.actor(),
        id,
        product_input(&f, p.code.clone()),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/produits/{id}?ok=product")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            product_page(&state, &auth, Some(&p), &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

fn release_fields(tr: Tr, f: &FormData) -> Vec<Field> {
    vec![
        Field::new(tr, "text", "version", "Version", f.get("version"))
            .required()
            .hint(tr.t("ex-2-4-0")),
        Field::new(
            tr,
            "date",
            "released_on",
            tr.t("date-de-publication"),
            f.get("released_on"),
        ),
        Field::new(
            tr,
            "textarea",
            "notes",
            tr.t("notes-de-version"),
            f.get("notes"),
        ),
    ]
}

async fn release_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (p, _) = uc::get_product(&state.app, id).await.map_err(pe(tr))?;
    let mut fields = release_fields(tr, f);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = format!("{} — {}", tr.t("nouvelle-version"), p.name);
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: format!("/produits/{id}/versions"),
        fields,
        errors,
        submit: tr.t("create").into(),
        cancel: format!("/produits/{id}"),
    };
    form_reply(&page, err.is_some(), tr)
}

async fn new_release(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    if !auth.actor().can_manage_catalogue() {
        return Err(PageError::new(DomainError::Forbidden, auth.tr));
    }
    release_page(&state, &auth, id, &FormData::default(), None).await
}

async fn create_release(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let res = uc::add_release(
        &state.app,
        auth.actor(),
        id,
        &f.get("version"),
        f.opt("released_on").as_deref(),
        f.opt("notes").as_deref(),
    )
    .await;
    match res {
        Ok(_) => Ok(Redirect::to(&format!("/produits/{id}?ok=release")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            release_page(&state, &auth, id, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn domains(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let domains = uc::list_domains(&state.app).await.map_err(pe(tr))?;
    let products = uc::list_products(&state.app, None).await.map_err(pe(tr))?;
    let title = tr.t("domaines-metier");
    let mut table = Table::new(
        tr,
        tr.t("les-domaines-metier-de-l-agence"),
        &[tr.t("domaine"), "Code", tr.t("nav-products")],
    );
    for d in &domains {
        let n = products.iter().filter(|p| p.domain_code == d.code).count();
        table.rows.push(vec![
            Cell::link(
                d.name.clone(),
                format!("/produits?domain={}", urlencoding::encode(&d.code)),
            ),
            Cell::text(d.code.clone()),
            Cell::text(n.to_string()),
        ]);
    }
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        path: "/domaines".into(),
        actions: vec![Link::new("/produits", tr.t("nav-products"))],
        filters: vec![],
        total: domains.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}
