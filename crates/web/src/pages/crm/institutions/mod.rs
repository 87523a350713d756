//! Institution pages: the filtered list, the create/edit form, the component
//! form, and the institution page (first version of the 360° view).

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    nonempty, pager, path_id, pe, render, FormData, FormPage, ListPage, ListQuery, PAGE_SIZE,
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
use relais_app::crm::{InstitutionFilter, InstitutionRow};
use relais_app::AppError;
use relais_domain::crm::*;
use relais_domain::Id;

mod components;
mod form;
mod show;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/etablissements", get(list).post(form::create))
        .route("/etablissements/nouveau", get(form::new_form))
        .route("/etablissements/{id}", get(show::show).post(form::update))
        .route("/etablissements/{id}/modifier", get(form::edit_form))
        .route(
            "/etablissements/{id}/composantes",
            get(components::new_component).post(components::create_component),
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
            enum_options(InstitutionKind::ALL, tr),
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
            enum_options(MembershipStatus::ALL, tr),
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
