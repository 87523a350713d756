//! Convention pages: agreements between the agency and an institution
//! (deployment, operation, pre-financing, co-construction, partnership), with
//! their dates and renewal alert. The list filters the ones to renew soon;
//! the record page shows the change history to agency staff.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::history_section;
use crate::kit::{
    form_reply, nonempty, pager, path_id, pe, render, DetailPage, FormData, FormPage, ListPage,
    PAGE_SIZE,
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
use relais_app::crm::{ConventionFilter, ConventionRow};
use relais_app::AppError;
use relais_domain::crm::*;
use relais_domain::{DomainError, Id};

/// How far ahead "to renew" looks: alerts due within three months.
const RENEWAL_HORIZON_DAYS: i64 = 90;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/conventions", get(list).post(create))
        .route("/conventions/nouveau", get(new_form))
        .route("/conventions/{id}", get(show).post(update))
        .route("/conventions/{id}/modifier", get(edit_form))
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct ConventionQuery {
    kind: Option<String>,
    institution: Option<String>,
    /// `1`: only conventions whose renewal alert falls within the horizon.
    renouveler: Option<String>,
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ConventionQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let agency = auth.actor().role.is_agency();
    let page = q.page.unwrap_or(1).max(1);
    let to_renew = q.renouveler.as_deref() == Some("1");
    let horizon = (state.app.clock.now() + chrono::Duration::days(RENEWAL_HORIZON_DAYS))
        .format("%Y-%m-%d")
        .to_string();
    let f = ConventionFilter {
        institution_id: if agency {
            nonempty(&q.institution)
        } else {
            None
        },
        kind: nonempty(&q.kind),
        alert_before: to_renew.then_some(horizon),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let (rows, total) = uc::list_conventions(&state.app, auth.actor(), &f)
        .await
        .map_err(pe(tr))?;
    let title = tr.t("nav-conventions");
    let mut table = Table::new(
        tr,
        tr.t("conventions-avec-les-etablissements"),
        &[
            tr.t("intitule"),
            tr.t("etablissement"),
            "Type",
            tr.t("debut"),
            tr.t("fin"),
            tr.t("alerte-de-renouvellement"),
        ],
    );
    for c in rows {
        table.rows.push(vec![
            Cell::link(c.title.clone(), format!("/conventions/{}", c.id)),
            Cell::link(
                c.institution_name.clone(),
                format!("/etablissements/{}", c.institution_id),
            ),
            Cell::text(label!(ConventionKind, &c.kind, tr)),
            Cell::date(&c.starts_on),
            Cell::date(&c.ends_on),
            Cell::date(&c.renewal_alert_on),
        ]);
    }
    let mut filters = vec![
        Field::select(
            tr,
            "kind",
            "Type",
            q.kind.as_deref().unwrap_or(""),
            enum_options(ConventionKind::ALL, tr),
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "renouveler",
            tr.t("renouvellement"),
            if to_renew { "1" } else { "" },
            [(
                "1".to_string(),
                (tr.t("a-renouveler-alerte-sous-90-jours")).to_string(),
            )],
            Some(tr.t("toutes")),
        ),
    ];
    filters.extend(institution_filter(&state, &auth, q.institution.as_deref()).await?);
    let mut actions = vec![];
    if auth.actor().can_manage_crm() {
        actions.push(Link::new(
            "/conventions/nouveau",
            tr.t("nouvelle-convention"),
        ));
    }
    let (prev, next) = pager(
        "/conventions",
        &[
            ("kind", q.kind.clone()),
            ("renouveler", q.renouveler.clone()),
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
        path: "/conventions".into(),
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
    let c = uc::get_convention(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut actions = vec![];
    if auth.actor().can_manage_crm() {
        actions.push(Link::new(
            format!("/conventions/{id}/modifier"),
            tr.t("edit"),
        ));
    }
    let product = match (&c.product_id, &c.product_name) {
        (Some(pid), Some(name)) => Cell::link(name.clone(), format!("/produits/{pid}")),
        _ => Cell::text("—"),
    };
    let facts = vec![
        (
            (tr.t("etablissement")).to_string(),
            Cell::link(
                c.institution_name.clone(),
                format!("/etablissements/{}", c.institution_id),
            ),
        ),
        (
            "Type".into(),
            Cell::text(label!(ConventionKind, &c.kind, tr)),
        ),
        ((tr.t("reference")).into(), Cell::opt(&c.reference)),
        ((tr.t("produit")).into(), product),
        ((tr.t("debut")).into(), Cell::date(&c.starts_on)),
        ((tr.t("fin")).into(), Cell::date(&c.ends_on)),
        (
            (tr.t("alerte-de-renouvellement")).into(),
            Cell::date(&c.renewal_alert_on),
        ),
        ("Notes".into(), Cell::opt(&c.notes)),
    ];
    let sections = history_section(&state, &auth, "convention", id)
        .await?
        .into_iter()
        .collect();
    let p = DetailPage {
        base: Base::new(&auth, c.title.clone()),
        h1: c.title.clone(),
        subtitle: Some(c.institution_name.clone()),
        actions,
        facts,
        sections,
    };
    Ok(render(&p, tr)?.into_response())
}

fn convention_fields(
    tr: Tr,
    f: &FormData,
    institutions: Option<&[(String, String)]>,
    products: &[(String, String)],
) -> Vec<Field> {
    let mut fields = vec![];
    if let Some(institutions) = institutions {
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
    }
    fields.extend([
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(ConventionKind::ALL, tr),
            None,
        )
        .required(),
        Field::new(tr, "text", "title", tr.t("intitule"), f.get("title")).required(),
        Field::new(
            tr,
            "text",
            "reference",
            tr.t("reference"),
            f.get("reference"),
        ),
        Field::select(
            tr,
            "product_id",
            tr.t("produit-concerne"),
            &f.get("product_id"),
            products.iter().cloned(),
            Some(tr.t("aucun")),
        ),
        Field::new(
            tr,
            "date",
            "starts_on",
            tr.t("date-de-debut"),
            f.get("starts_on"),
        ),
        Field::new(tr, "date", "ends_on", tr.t("date-de-fin"), f.get("ends_on")),
        Field::new(
            tr,
            "date",
            "renewal_alert_on",
            tr.t("alerte-de-renouvellement"),
            f.get("renewal_alert_on"),
        )
        .hint(tr.t("si-vide-trois-mois-avant-la")),
        Field::new(tr, "textarea", "notes", "Notes", f.get("notes")),
    ]);
    fields
}

fn convention_input(f: &FormData) -> uc::ConventionInput {
    uc::ConventionInput {
        institution_id: f.get("institution_id"),
        kind: f.get("kind"),
        title: f.get("title"),
        reference: f.opt("reference"),
        product_id: f.opt("product_id"),
        starts_on: f.opt("starts_on"),
        ends_on: f.opt("ends_on"),
        renewal_alert_on: f.opt("renewal_alert_on"),
        notes: f.opt("notes"),
    }
}

fn form_of(c: &ConventionRow) -> FormData {
    FormData(vec![
        ("kind".into(), c.kind.clone()),
        ("title".into(), c.title.clone()),
        ("reference".into(), c.reference.clone().unwrap_or_default()),
        (
            "product_id".into(),
            c.product_id.clone().unwrap_or_default(),
        ),
        ("starts_on".into(), c.starts_on.clone().unwrap_or_default()),
        ("ends_on".into(), c.ends_on.clone().unwrap_or_default()),
        (
            "renewal_alert_on".into(),
            c.renewal_alert_on.clone().unwrap_or_default(),
        ),
        ("notes".into(), c.notes.clone().unwrap_or_default()),
    ])
}

/// The form, new (`None`) or for an existing convention, with errors.
async fn convention_page(
    state: &AppState,
    auth: &Auth,
    existing: Option<&ConventionRow>,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let products = product_options(state, tr).await?;
    let (mut fields, title, action, submit, cancel) = match existing {
        None => {
            let institutions = institution_options(state, auth).await?;
            let inst = f.get("institution_id");
            let cancel = if inst.is_empty() {
                "/conventions".to_string()
            } else {
                format!("/etablissements/{inst}")
            };
            (
                convention_fields(tr, f, Some(&institutions), &products),
                (tr.t("nouvelle-convention")).to_string(),
                "/conventions".to_string(),
                tr.t("create"),
                cancel,
            )
        }
        Some(c) => (
            convention_fields(tr, f, None, &products),
            format!("{} — {} · {}", tr.t("edit"), c.title, c.institution_name),
            format!("/conventions/{}", c.id),
            tr.t("save"),
            format!("/conventions/{}", c.id),
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
    let mut f = FormData(vec![(
        "kind".into(),
        ConventionKind::Deploiement.code().into(),
    )]);
    if let Some(raw) = q.institution.as_deref().filter(|s| !s.is_empty()) {
        let inst = Id::parse(raw).ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
        uc::get_institution(&state.app, auth.actor(), inst)
            .await
            .map_err(pe(tr))?;
        f.0.push(("institution_id".into(), inst.to_string()));
    }
    convention_page(&state, &auth, None, &f, None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_convention(&state.app, auth.actor(), convention_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/conventions/{id}?ok=convention")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            convention_page(&state, &auth, None, &f, Some(&e)).await
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
    let c = uc::get_convention(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    convention_page(&state, &auth, Some(&c), &form_of(&c), None).await
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let c = uc::get_convention(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    match uc::update_convention(&state.app, auth.actor(), id, convention_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/conventions/{id}?ok=convention")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            convention_page(&state, &auth, Some(&c), &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
