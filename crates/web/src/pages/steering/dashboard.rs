//! The role dashboards (`/pilotage`): each agency role lands on what needs
//! their attention. Direction (administrators and domain leads): the plan's
//! progress, late deliverables and the key indicators; support: backlog,
//! service levels missed and first response; key-account managers: their
//! institutions' figures. Everyone: the deliverables they own that are
//! late or at risk. Members get 403: their figures are on `/indicateurs`.

use super::{indicator_chart, indicator_table, shown, FilteredSections, PeriodQuery};
use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{bar_chart, pe, render, Sect};
use crate::view::{fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use relais_app::steering::DeliverableFilter;
use relais_app::steering::{self as uc, DeliverableView, IndicatorValue};
use relais_domain::accounts::Role;
use relais_domain::steering::{DeliverableStatus, Health};
use relais_domain::{CodeEnum, DomainError};

/// The key indicators of each role, in the order shown.
const DIRECTION: &[&str] = &[
    "deliverables_late",
    "sla_missed",
    "backlog",
    "first_response",
    "satisfaction",
    "recommendation",
    "complaints_open",
    "training_fill",
    "training_revenue",
    "community_participation",
];
const SUPPORT: &[&str] = &["backlog", "sla_missed", "first_response"];
const ACCOUNTS: &[&str] = &["backlog", "sla_missed", "satisfaction", "complaints_open"];

fn deliverables_table(tr: Tr, caption: &str, rows: &[&DeliverableView]) -> Table {
    let mut t = Table::new(
        tr,
        caption,
        &[
            tr.t("pil-col-reference"),
            tr.t("pil-col-title"),
            tr.t("pil-col-owner"),
            tr.t("pil-col-due"),
            tr.t("pil-col-status"),
            tr.t("pil-col-progress"),
        ],
    );
    for v in rows {
        let r = &v.row;
        let st = DeliverableStatus::from_code(&r.status).unwrap_or(DeliverableStatus::ALancer);
        t.rows.push(vec![
            Cell::link(r.reference.clone(), format!("/pilotage/livrables/{}", r.id)),
            Cell::text(r.title.clone()),
            Cell::opt(&r.owner_name),
            Cell::text(fr_date(&r.due_on)),
            Cell::text(tr.label(st)),
            Cell::text(format!("{} %", r.progress)),
        ]);
    }
    t
}

fn plan_sections(tr: Tr, rows: &[DeliverableView]) -> Vec<Sect> {
    let s = uc::summarize(rows);
    let mut plan = Sect::new("plan", tr.t("pil-plan-progress"));
    plan.facts.push((
        tr.t("pil-weighted-progress").into(),
        Cell::text(
            s.progress
                .map(|p| format!("{} %", uc::fr_number(p)))
                .unwrap_or_else(|| "—".into()),
        ),
    ));
    plan.facts.push((
        tr.t("pil-deliverables").into(),
        Cell::link(s.total.to_string(), "/pilotage/plan"),
    ));
    plan.facts.push((
        tr.label(Health::Late).into(),
        Cell::link(s.late.to_string(), "/pilotage/plan?etat=en_retard"),
    ));
    plan.facts.push((
        tr.label(Health::AtRisk).into(),
        Cell::link(s.at_risk.to_string(), "/pilotage/plan?etat=a_risque"),
    ));
    for (st, n) in &s.per_status {
        plan.facts.push((
            tr.label(*st).into(),
            Cell::link(
                n.to_string(),
                format!("/pilotage/plan?statut={}", st.code()),
            ),
        ));
    }
    let points: Vec<(String, f64)> = s
        .per_unit
        .iter()
        .map(|u| (u.0.clone(), u.4.unwrap_or(0.0)))
        .collect();
    plan.paras.push(tr.t("pil-units-chart-summary").into());
    plan.chart = Some(bar_chart(
        tr.t("pil-progress-per-unit"),
        &points,
        100.0,
        None,
    ));
    let mut t = Table::new(
        tr,
        tr.t("pil-progress-per-unit"),
        &[
            tr.t("pil-col-unit"),
            tr.t("pil-deliverables"),
            tr.label(Health::Late),
            tr.t("pil-weighted-progress"),
        ],
    );
    for (code, name, n, late, progress) in &s.per_unit {
        t.rows.push(vec![
            Cell::link(
                format!("{code} — {name}"),
                format!("/pilotage/plan?unite={}", urlencoding::encode(code)),
            ),
            Cell::text(n.to_string()),
            Cell::text(late.to_string()),
            Cell::text(
                progress
                    .map(|p| format!("{} %", uc::fr_number(p)))
                    .unwrap_or_else(|| "—".into()),
            ),
        ]);
    }
    plan.tables.push(t);

    let late: Vec<&DeliverableView> = rows.iter().filter(|v| v.health == Health::Late).collect();
    let mut l = Sect::new("retards", tr.t("pil-late-deliverables"));
    l.tables.push(deliverables_table(
        tr,
        tr.t("pil-late-deliverables"),
        &late.iter().take(20).copied().collect::<Vec<_>>(),
    ));
    l.links.push(Link::new(
        "/pilotage/plan?etat=en_retard",
        tr.count("pil-see-all-late", late.len() as i64),
    ));
    vec![plan, l]
}

fn key_figures(tr: Tr, values: &[IndicatorValue], codes: &[&str], qs: &str) -> Sect {
    let mut s = Sect::new("indicateurs", tr.t("pil-key-indicators"));
    for code in codes {
        if let Some(v) = values.iter().find(|v| v.indicator.code == *code) {
            s.facts.push((
                v.indicator.name.into(),
                Cell::link(shown(v), format!("/indicateurs{qs}#s-{code}")),
            ));
        }
    }
    s.links.push(Link::new(
        format!("/indicateurs{qs}"),
        tr.t("pil-all-indicators"),
    ));
    s
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    if !actor.role.is_agency() {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let (from, to) = uc::period(&state.app, q.du.as_deref(), q.au.as_deref()).map_err(pe(tr))?;
    let values = uc::indicator_values(&state.app, actor, from, to, None)
        .await
        .map_err(pe(tr))?;
    let qs = PeriodQuery {
        etablissement: None,
        produit: None,
        ..q.clone()
    }
    .query_string();
    let mut sections = Vec::new();
    match actor.role {
        Role::Admin | Role::Domain => {
            let rows = uc::deliverables(&state.app, actor, &DeliverableFilter::default(), None)
                .await
                .map_err(pe(tr))?;
            sections.extend(plan_sections(tr, &rows));
            sections.push(key_figures(tr, &values, DIRECTION, &qs));
        }
        Role::Support => {
            sections.push(key_figures(tr, &values, SUPPORT, &qs));
            for code in SUPPORT {
                if let Some(v) = values.iter().find(|v| v.indicator.code == *code) {
                    let mut s = Sect::new(code, v.indicator.name);
                    s.paras.push(v.indicator.definition.into());
                    s.chart = Some(indicator_chart(tr, v));
                    s.tables.push(indicator_table(tr, v));
                    sections.push(s);
                }
            }
            let mut s = Sect::new("risques", tr.t("pil-sla-at-risk"));
            s.links
                .push(Link::new("/support/risques", tr.t("pil-sla-at-risk")));
            sections.push(s);
        }
        Role::Relation => {
            sections.push(key_figures(tr, &values, ACCOUNTS, &qs));
            let mine = uc::managed_institutions(&state.app, actor)
                .await
                .map_err(pe(tr))?;
            let mut headers = vec![tr.t("pil-institution").to_string()];
            let mut t = Table::new(tr, tr.t("pil-my-institutions"), &[]);
            for code in ACCOUNTS {
                if let Some(i) = relais_domain::steering::indicator(code) {
                    headers.push(i.name.to_string());
                }
            }
            t.headers = headers;
            for (id, name) in mine {
                let vals = uc::institution_indicators(&state.app, actor, id, from, to, None)
                    .await
                    .map_err(pe(tr))?;
                let mut row = vec![Cell::link(
                    name,
                    format!(
                        "/indicateurs?etablissement={id}{}",
                        qs.replacen('?', "&", 1)
                    ),
                )];
                for code in ACCOUNTS {
                    row.push(Cell::text(
                        vals.iter()
                            .find(|v| v.indicator.code == *code)
                            .map(shown)
                            .unwrap_or_else(|| "—".into()),
                    ));
                }
                t.rows.push(row);
            }
            let mut s = Sect::new("etablissements", tr.t("pil-my-institutions"));
            s.tables.push(t);
            sections.push(s);
        }
        _ => {}
    }
    // Everyone: their own deliverables that need attention.
    let own = uc::deliverables(
        &state.app,
        actor,
        &DeliverableFilter {
            owner: Some(actor.user_id),
            ..Default::default()
        },
        None,
    )
    .await
    .map_err(pe(tr))?;
    let attention: Vec<&DeliverableView> = own
        .iter()
        .filter(|v| matches!(v.health, Health::Late | Health::AtRisk))
        .collect();
    let mut s = Sect::new("mes-livrables", tr.t("pil-my-deliverables"));
    s.tables.push(deliverables_table(
        tr,
        tr.t("pil-my-deliverables"),
        &attention,
    ));
    s.links.push(Link::new(
        format!("/pilotage/plan?responsable={}", actor.user_id),
        tr.t("pil-all-my-deliverables"),
    ));
    sections.push(s);

    let contents = sections
        .iter()
        .map(|s| Link::new(format!("#s-{}", s.id), s.title.clone()))
        .collect();
    let p = FilteredSections {
        base: Base::new(&auth, tr.t("pil-dashboard")),
        h1: tr.t("pil-dashboard").into(),
        subtitle: tr.t_args(
            "pil-period",
            &[
                ("from", from.format("%d/%m/%Y").to_string().into()),
                ("to", to.format("%d/%m/%Y").to_string().into()),
            ],
        ),
        path: "/pilotage".into(),
        actions: vec![
            Link::new("/pilotage/plan", tr.t("pil-plan-title")),
            Link::new(format!("/indicateurs{qs}"), tr.t("pil-indicators")),
        ],
        filters: vec![
            Field::new(
                tr,
                "date",
                "du",
                tr.t("pil-from"),
                from.format("%Y-%m-%d").to_string(),
            ),
            Field::new(
                tr,
                "date",
                "au",
                tr.t("pil-to"),
                to.format("%Y-%m-%d").to_string(),
            ),
        ],
        contents,
        sections,
    };
    Ok(render(&p, tr)?.into_response())
}
