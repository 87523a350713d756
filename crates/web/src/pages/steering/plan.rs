//! The action plan's deliverables (`/pilotage/plan`): filters by status,
//! unit, owner and health (late, at risk), sorted by unit and objective;
//! the same filters export as CSV or XLSX; the import page takes a CSV or
//! XLSX file (all or nothing, every bad line listed).

use super::{download, CSV, XLSX};
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{files, nonempty, pager, pe, render, ListPage, PAGE_SIZE};
use crate::view::{fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use relais_app::steering as uc;
use relais_app::steering::DeliverableFilter;
use relais_domain::steering::{DeliverableStatus, Health};
use relais_domain::{CodeEnum, DomainError, Id};

/// The plan's filters, kept in the address (permalinks).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PlanQuery {
    pub statut: Option<String>,
    pub unite: Option<String>,
    pub responsable: Option<String>,
    /// `en_retard` or `a_risque`.
    pub etat: Option<String>,
    pub page: Option<i64>,
}

impl PlanQuery {
    fn pairs(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("statut", self.statut.clone()),
            ("unite", self.unite.clone()),
            ("responsable", self.responsable.clone()),
            ("etat", self.etat.clone()),
        ]
    }

    fn query_string(&self) -> String {
        let parts: Vec<String> = self
            .pairs()
            .into_iter()
            .filter_map(|(k, v)| {
                v.filter(|v| !v.trim().is_empty())
                    .map(|v| format!("{k}={}", urlencoding::encode(v.trim())))
            })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The store filter and the health kept; an unknown status or health is
    /// a named error rather than an empty list.
    fn filter(&self) -> Result<(DeliverableFilter, Option<Health>), DomainError> {
        let status = match nonempty(&self.statut) {
            None => None,
            Some(s) => Some(
                DeliverableStatus::parse(&s)
                    .ok_or_else(|| {
                        DomainError::invalid("invalid_status", "statut", "Statut inconnu.")
                    })?
                    .code()
                    .to_string(),
            ),
        };
        let owner = match nonempty(&self.responsable) {
            None => None,
            Some(s) => Some(Id::parse(&s).ok_or_else(|| {
                DomainError::invalid("invalid_owner", "responsable", "Responsable inconnu.")
            })?),
        };
        let health =
            match nonempty(&self.etat) {
                None => None,
                Some(s) => Some(Health::from_code(&s).ok_or_else(|| {
                    DomainError::invalid("invalid_health", "etat", "État inconnu.")
                })?),
            };
        Ok((
            DeliverableFilter {
                unit: nonempty(&self.unite),
                status,
                owner,
                ..Default::default()
            },
            health,
        ))
    }
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let (filter, only) = q.filter().map_err(|e| PageError::new(e, tr))?;
    let rows = uc::deliverables(&state.app, actor, &filter, only)
        .await
        .map_err(pe(tr))?;
    let units = uc::unit_choices(&state.app, actor).await.map_err(pe(tr))?;
    let owners = uc::owners(&state.app, actor).await.map_err(pe(tr))?;
    let total = rows.len() as i64;
    let page = q.page.unwrap_or(1).max(1);
    let mut table = Table::new(
        tr,
        tr.t("pil-deliverables"),
        &[
            tr.t("pil-col-reference"),
            tr.t("pil-col-unit"),
            tr.t("pil-col-objective"),
            tr.t("pil-col-title"),
            tr.t("pil-col-owner"),
            tr.t("pil-col-due"),
            tr.t("pil-col-status"),
            tr.t("pil-col-progress"),
            tr.t("pil-col-health"),
        ],
    );
    for v in rows
        .iter()
        .skip(((page - 1) * PAGE_SIZE) as usize)
        .take(PAGE_SIZE as usize)
    {
        let r = &v.row;
        let status = DeliverableStatus::from_code(&r.status).unwrap_or(DeliverableStatus::ALancer);
        table.rows.push(vec![
            Cell::link(r.reference.clone(), format!("/pilotage/livrables/{}", r.id)),
            Cell::text(r.unit_code.clone()),
            Cell::text(r.objective.clone()),
            Cell::text(r.title.clone()),
            Cell::opt(&r.owner_name),
            Cell::text(fr_date(&r.due_on)),
            Cell::text(tr.label(status)),
            Cell::text(format!("{} %", r.progress)),
            Cell::text(tr.label(v.health)),
        ]);
    }
    let status_opts = DeliverableStatus::ALL
        .iter()
        .map(|s| (s.code().to_string(), tr.label(*s).to_string()));
    let health_opts = [
        Health::Late,
        Health::AtRisk,
        Health::OnTrack,
        Health::Closed,
    ]
    .iter()
    .map(|h| (h.code().to_string(), tr.label(*h).to_string()));
    let filters = vec![
        Field::select(
            tr,
            "etat",
            tr.t("pil-col-health"),
            q.etat.as_deref().unwrap_or(""),
            health_opts,
            Some(tr.t("pil-all")),
        ),
        Field::select(
            tr,
            "statut",
            tr.t("pil-col-status"),
            q.statut.as_deref().unwrap_or(""),
            status_opts,
            Some(tr.t("pil-all")),
        ),
        Field::select(
            tr,
            "unite",
            tr.t("pil-col-unit"),
            q.unite.as_deref().unwrap_or(""),
            units
                .into_iter()
                .map(|(c, n)| (c.clone(), format!("{c} — {n}"))),
            Some(tr.t("pil-all")),
        ),
        Field::select(
            tr,
            "responsable",
            tr.t("pil-col-owner"),
            q.responsable.as_deref().unwrap_or(""),
            owners,
            Some(tr.t("pil-all")),
        ),
    ];
    let qs = q.query_string();
    let mut actions = vec![
        Link::new(format!("/pilotage/plan/csv{qs}"), tr.t("pil-export-csv")),
        Link::new(format!("/pilotage/plan/xlsx{qs}"), tr.t("pil-export-xlsx")),
    ];
    if uc::can_edit_all(actor) {
        actions.push(Link::new("/pilotage/plan/import", tr.t("pil-import")));
    }
    let (prev, next) = pager("/pilotage/plan", &q.pairs(), page, total);
    let p = ListPage {
        base: Base::new(&auth, tr.t("pil-plan-title")),
        h1: tr.t("pil-plan-title").into(),
        path: "/pilotage/plan".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}

/// The rows both exports write: the deliverables of the page's filters.
async fn export_rows(
    state: &AppState,
    auth: &Auth,
    q: &PlanQuery,
) -> Result<Vec<Vec<String>>, PageError> {
    let tr = auth.tr;
    let (filter, only) = q.filter().map_err(|e| PageError::new(e, tr))?;
    uc::export_filtered(&state.app, auth.actor(), &filter, only)
        .await
        .map_err(pe(tr))
}

pub async fn export_csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let rows = export_rows(&state, &auth, &q).await?;
    let mut buf = Vec::new();
    relais_app::csv_io::write_csv(&mut buf, uc::COLUMNS, &rows).map_err(pe(auth.tr))?;
    Ok(download(CSV, "livrables.csv", buf))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    let rows = export_rows(&state, &auth, &q).await?;
    let bytes = uc::xlsx_bytes("Livrables", uc::COLUMNS, &rows).map_err(pe(auth.tr))?;
    Ok(download(XLSX, "livrables.xlsx", bytes))
}

/// The import page (`steering_import.html`): one file field, the report of
/// the last import.
#[derive(Template)]
#[template(path = "steering_import.html")]
pub struct ImportPage {
    pub base: Base,
    pub summary: Option<String>,
    pub ok: bool,
    pub report: Option<Table>,
    pub columns: String,
}

fn import_page(
    auth: &Auth,
    summary: Option<String>,
    ok: bool,
    report: Option<Table>,
) -> ImportPage {
    ImportPage {
        base: Base::new(auth, auth.tr.t("pil-import")),
        summary,
        ok,
        report,
        columns: uc::COLUMNS.join(" ; "),
    }
}

pub async fn import_form(auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::can_edit_all(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    Ok(render(&import_page(&auth, None, false, None), tr)?.into_response())
}

fn report_table(tr: Tr, r: &relais_app::csv_io::ImportReport) -> Table {
    let mut t = Table::new(
        tr,
        tr.t("pil-import-errors"),
        &[
            tr.t("pil-col-line"),
            tr.t("pil-col-field"),
            tr.t("pil-col-error"),
        ],
    );
    for e in &r.errors {
        t.rows.push(vec![
            Cell::text(e.line.to_string()),
            Cell::text(e.field.clone()),
            Cell::text(e.message.clone()),
        ]);
    }
    t
}

pub async fn import(
    State(state): State<AppState>,
    auth: Auth,
    req: Request,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::can_edit_all(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let up = files::read_upload(&state, req).await.map_err(pe(tr))?;
    let report = uc::import(&state.app, auth.actor(), &up.bytes)
        .await
        .map_err(pe(tr))?;
    if report.errors.is_empty() {
        let summary = tr.t_args(
            "pil-import-done",
            &[
                ("created", (report.created as i64).into()),
                ("updated", (report.updated as i64).into()),
                ("unchanged", (report.unchanged as i64).into()),
            ],
        );
        Ok(render(&import_page(&auth, Some(summary), true, None), tr)?.into_response())
    } else {
        let summary = tr.count("pil-import-refused", report.errors.len() as i64);
        let p = import_page(&auth, Some(summary), false, Some(report_table(tr, &report)));
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
    }
}
