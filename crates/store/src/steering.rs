//! Steering: plans, units, objectives, deliverables with their links and
//! comments, and the daily aggregates the indicators read. The plan is the
//! agency's own: no row here belongs to an institution, except the
//! aggregates, which carry one ('' for agency-wide figures) and are always
//! read for a scope.

use crate::sql::{exec, fetch_all, fetch_one, Arg, Sql};
use crate::{Conn, Result, Scope, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

fn e(x: sqlx::Error) -> StoreError {
    StoreError::from_sqlx(x)
}

fn opt(v: Option<&str>) -> Arg {
    v.map(|s| Arg::Text(s.to_string())).unwrap_or(Arg::NullText)
}

// ---------------------------------------------------------------- plan

pub async fn plan_id(c: &mut Conn, year: i64) -> Result<Option<Id>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM steering_plans WHERE year = $1")
        .bind(year)
        .fetch_optional(&mut *c)
        .await
        .map_err(e)?;
    Ok(row.and_then(|(s,)| Id::parse(&s)))
}

pub async fn insert_plan(c: &mut Conn, id: Id, year: i64, title: &str, now: &str) -> Result<()> {
    sqlx::query("INSERT INTO steering_plans (id, year, title, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id.to_string())
        .bind(year)
        .bind(title.to_string())
        .bind(now.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub domain_code: Option<String>,
    pub position: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_unit(
    c: &mut Conn,
    id: Id,
    plan: Id,
    code: &str,
    name: &str,
    kind: &str,
    domain_code: Option<&str>,
    position: i64,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO steering_units (id, plan_id, code, name, kind, domain_code, position) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_text(plan.to_string()).push(", ");
    q.bind_text(code).push(", ").bind_text(name).push(", ");
    q.bind_text(kind)
        .push(", ")
        .bind(opt(domain_code))
        .push(", ");
    q.bind_int(position).push(")");
    exec(c, &q).await?;
    Ok(())
}

pub async fn units(c: &mut Conn, plan: Id) -> Result<Vec<UnitRow>> {
    let mut q = Sql::new(
        "SELECT id, code, name, kind, domain_code, position FROM steering_units WHERE plan_id = ",
    );
    q.bind_text(plan.to_string())
        .push(" ORDER BY position, code");
    fetch_all(c, &q).await
}

pub async fn insert_objective(
    c: &mut Conn,
    id: Id,
    unit: Id,
    title: &str,
    position: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO steering_objectives (id, unit_id, title, position) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.to_string())
    .bind(unit.to_string())
    .bind(title.to_string())
    .bind(position)
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ObjectiveRow {
    pub id: String,
    pub unit_code: String,
    pub title: String,
}

/// The objectives of a plan, with their unit's code.
pub async fn objectives(c: &mut Conn, plan: Id) -> Result<Vec<ObjectiveRow>> {
    let mut q = Sql::new(
        "SELECT o.id, u.code AS unit_code, o.title FROM steering_objectives o \
         JOIN steering_units u ON u.id = o.unit_id WHERE u.plan_id = ",
    );
    q.bind_text(plan.to_string())
        .push(" ORDER BY u.position, o.position");
    fetch_all(c, &q).await
}

// ---------------------------------------------------------------- deliverables

/// A deliverable's stored values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverableValues {
    pub objective_id: Id,
    pub reference: String,
    pub title: String,
    pub owner_id: Option<String>,
    pub product_id: Option<String>,
    pub starts_on: Option<String>,
    pub due_on: String,
    pub status: String,
    pub progress: i64,
    pub weight: i64,
    pub delivered_on: Option<String>,
}

pub async fn insert_deliverable(
    c: &mut Conn,
    id: Id,
    v: &DeliverableValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO deliverables (id, objective_id, reference, title, owner_id, product_id, \
         starts_on, due_on, status, progress, weight, delivered_on, created_at, updated_at) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_text(v.objective_id.to_string()).push(", ");
    q.bind_text(v.reference.clone()).push(", ");
    q.bind_text(v.title.clone()).push(", ");
    q.bind(opt(v.owner_id.as_deref())).push(", ");
    q.bind(opt(v.product_id.as_deref())).push(", ");
    q.bind(opt(v.starts_on.as_deref())).push(", ");
    q.bind_text(v.due_on.clone()).push(", ");
    q.bind_text(v.status.clone()).push(", ");
    q.bind_int(v.progress)
        .push(", ")
        .bind_int(v.weight)
        .push(", ");
    q.bind(opt(v.delivered_on.as_deref())).push(", ");
    q.bind_text(now).push(", ").bind_text(now).push(")");
    exec(c, &q).await?;
    Ok(())
}

/// Replaces every value of a deliverable (the import and the edit form).
pub async fn update_deliverable(
    c: &mut Conn,
    id: Id,
    v: &DeliverableValues,
    now: &str,
) -> Result<bool> {
    let mut q = Sql::new("UPDATE deliverables SET objective_id = ");
    q.bind_text(v.objective_id.to_string());
    q.push(", title = ").bind_text(v.title.clone());
    q.push(", owner_id = ").bind(opt(v.owner_id.as_deref()));
    q.push(", product_id = ").bind(opt(v.product_id.as_deref()));
    q.push(", starts_on = ").bind(opt(v.starts_on.as_deref()));
    q.push(", due_on = ").bind_text(v.due_on.clone());
    q.push(", status = ").bind_text(v.status.clone());
    q.push(", progress = ").bind_int(v.progress);
    q.push(", weight = ").bind_int(v.weight);
    q.push(", delivered_on = ")
        .bind(opt(v.delivered_on.as_deref()));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    Ok(exec(c, &q).await? == 1)
}

/// One deliverable with what a list shows about it.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DeliverableRow {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub objective_id: String,
    pub objective: String,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: String,
    pub domain_code: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub product_id: Option<String>,
    pub product_code: Option<String>,
    pub starts_on: Option<String>,
    pub due_on: String,
    pub status: String,
    pub progress: i64,
    pub weight: i64,
    pub delivered_on: Option<String>,
    pub updated_at: String,
}

impl DeliverableRow {
    pub fn values(&self) -> Result<DeliverableValues> {
        Ok(DeliverableValues {
            objective_id: Id::parse(&self.objective_id).ok_or(StoreError::NotFound)?,
            reference: self.reference.clone(),
            title: self.title.clone(),
            owner_id: self.owner_id.clone(),
            product_id: self.product_id.clone(),
            starts_on: self.starts_on.clone(),
            due_on: self.due_on.clone(),
            status: self.status.clone(),
            progress: self.progress,
            weight: self.weight,
            delivered_on: self.delivered_on.clone(),
        })
    }
}

/// Filters of the deliverable lists; empty means all.
#[derive(Debug, Clone, Default)]
pub struct DeliverableFilter {
    pub year: Option<i64>,
    pub unit: Option<String>,
    pub domain: Option<String>,
    pub product: Option<String>,
    pub status: Option<String>,
    pub owner: Option<Id>,
    /// Only open deliverables due on or before this date.
    pub open_due_by: Option<String>,
}

const DELIVERABLE_SELECT: &str = "SELECT d.id, d.reference, d.title, d.objective_id, \
     o.title AS objective, u.code AS unit_code, u.name AS unit_name, u.kind AS unit_kind, \
     u.domain_code, d.owner_id, us.display_name AS owner_name, us.email AS owner_email, \
     d.product_id, p.code AS product_code, d.starts_on, d.due_on, d.status, d.progress, \
     d.weight, d.delivered_on, d.updated_at \
     FROM deliverables d \
     JOIN steering_objectives o ON o.id = d.objective_id \
     JOIN steering_units u ON u.id = o.unit_id \
     JOIN steering_plans pl ON pl.id = u.plan_id \
     LEFT JOIN users us ON us.id = d.owner_id \
     LEFT JOIN products p ON p.id = d.product_id";

pub async fn deliverables(c: &mut Conn, f: &DeliverableFilter) -> Result<Vec<DeliverableRow>> {
    let mut q = Sql::new(DELIVERABLE_SELECT);
    q.push(" WHERE 1 = 1");
    if let Some(y) = f.year {
        q.push(" AND pl.year = ").bind_int(y);
    }
    if let Some(u) = &f.unit {
        q.push(" AND u.code = ").bind_text(u.clone());
    }
    if let Some(d) = &f.domain {
        q.push(" AND u.domain_code = ").bind_text(d.clone());
    }
    if let Some(p) = &f.product {
        q.push(" AND p.code = ").bind_text(p.clone());
    }
    if let Some(s) = &f.status {
        q.push(" AND d.status = ").bind_text(s.clone());
    }
    if let Some(o) = f.owner {
        q.push(" AND d.owner_id = ").bind_text(o.to_string());
    }
    if let Some(by) = &f.open_due_by {
        q.push(" AND d.status IN ('a_lancer', 'en_cours', 'reporte') AND d.due_on <= ")
            .bind_text(by.clone());
    }
    q.push(" ORDER BY u.position, o.position, d.reference");
    fetch_all(c, &q).await
}

pub async fn deliverable(c: &mut Conn, id: Id) -> Result<DeliverableRow> {
    let mut q = Sql::new(DELIVERABLE_SELECT);
    q.push(" WHERE d.id = ").bind_text(id.to_string());
    fetch_one(c, &q).await
}

pub async fn deliverable_by_reference(
    c: &mut Conn,
    reference: &str,
) -> Result<Option<DeliverableRow>> {
    let mut q = Sql::new(DELIVERABLE_SELECT);
    q.push(" WHERE d.reference = ").bind_text(reference);
    match fetch_one(c, &q).await {
        Ok(r) => Ok(Some(r)),
        Err(StoreError::NotFound) => Ok(None),
        Err(x) => Err(x),
    }
}

/// Sets the status (and progress, and delivery date) of a deliverable only
/// if it still has `from`: a concurrent change makes this return false.
pub async fn set_status(
    c: &mut Conn,
    id: Id,
    from: &str,
    to: &str,
    progress: i64,
    delivered_on: Option<&str>,
    now: &str,
) -> Result<bool> {
    let mut q = Sql::new("UPDATE deliverables SET status = ");
    q.bind_text(to).push(", progress = ").bind_int(progress);
    q.push(", delivered_on = ").bind(opt(delivered_on));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    q.push(" AND status = ").bind_text(from);
    Ok(exec(c, &q).await? == 1)
}

// ---------------------------------------------------------------- comments, links

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CommentRow {
    pub id: String,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: String,
}

pub async fn insert_comment(
    c: &mut Conn,
    id: Id,
    deliverable: Id,
    author: Option<Id>,
    body: &str,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO deliverable_comments (id, deliverable_id, author_id, body, created_at) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_text(deliverable.to_string()).push(", ");
    q.bind(
        author
            .map(|a| Arg::Text(a.to_string()))
            .unwrap_or(Arg::NullText),
    )
    .push(", ");
    q.bind_text(body).push(", ").bind_text(now).push(")");
    exec(c, &q).await?;
    Ok(())
}

pub async fn comments(c: &mut Conn, deliverable: Id) -> Result<Vec<CommentRow>> {
    let mut q = Sql::new(
        "SELECT k.id, u.display_name AS author_name, k.body, k.created_at \
         FROM deliverable_comments k LEFT JOIN users u ON u.id = k.author_id \
         WHERE k.deliverable_id = ",
    );
    q.bind_text(deliverable.to_string())
        .push(" ORDER BY k.created_at DESC, k.id DESC");
    fetch_all(c, &q).await
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct LinkRow {
    pub id: String,
    pub kind: String,
    pub target: String,
    pub label: String,
    pub created_at: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_link(
    c: &mut Conn,
    id: Id,
    deliverable: Id,
    kind: &str,
    target: &str,
    label: &str,
    by: Option<Id>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO deliverable_links (id, deliverable_id, kind, target, label, created_by, created_at) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_text(deliverable.to_string()).push(", ");
    q.bind_text(kind).push(", ").bind_text(target).push(", ");
    q.bind_text(label).push(", ");
    q.bind(
        by.map(|a| Arg::Text(a.to_string()))
            .unwrap_or(Arg::NullText),
    )
    .push(", ");
    q.bind_text(now).push(")");
    exec(c, &q).await?;
    Ok(())
}

pub async fn links(c: &mut Conn, deliverable: Id) -> Result<Vec<LinkRow>> {
    let mut q = Sql::new(
        "SELECT id, kind, target, label, created_at FROM deliverable_links WHERE deliverable_id = ",
    );
    q.bind_text(deliverable.to_string())
        .push(" ORDER BY created_at, id");
    fetch_all(c, &q).await
}

// ---------------------------------------------------------------- daily aggregates

/// One stored daily figure: `numerator / denominator` of an indicator
/// input for a day, an institution ('' = agency-wide) and a product ('' =
/// all products).
#[derive(Debug, Clone, FromRow, Serialize, PartialEq, Eq)]
pub struct DailyRow {
    pub day: String,
    pub input: String,
    pub institution_id: String,
    pub product_id: String,
    pub numerator: i64,
    pub denominator: i64,
}

/// Replaces the figures of one day and input (the refresh job recomputes a
/// day as a whole, so a rerun never counts twice).
pub async fn replace_day(c: &mut Conn, day: &str, input: &str, rows: &[DailyRow]) -> Result<()> {
    sqlx::query("DELETE FROM indicator_daily WHERE day = $1 AND input = $2")
        .bind(day.to_string())
        .bind(input.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    for r in rows {
        sqlx::query(
            "INSERT INTO indicator_daily (day, input, institution_id, product_id, numerator, denominator) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.day.clone())
        .bind(r.input.clone())
        .bind(r.institution_id.clone())
        .bind(r.product_id.clone())
        .bind(r.numerator)
        .bind(r.denominator)
        .execute(&mut *c)
        .await
        .map_err(e)?;
    }
    Ok(())
}

/// Sums of an input over `[from, to]` (days as `YYYY-MM-DD`), for a scope:
/// a member's institution only, or everything for the agency. Returns
/// (numerator, denominator) as i64 on both engines.
pub async fn sum_input(
    c: &mut Conn,
    scope: Scope,
    input: &str,
    from: &str,
    to: &str,
    product: Option<&str>,
    institution: Option<&str>,
) -> Result<(i64, i64)> {
    let mut q = Sql::new(
        "SELECT CAST(COALESCE(SUM(numerator), 0) AS BIGINT), CAST(COALESCE(SUM(denominator), 0) AS BIGINT) \
         FROM indicator_daily WHERE input = ",
    );
    q.bind_text(input);
    q.push(" AND day >= ").bind_text(from);
    q.push(" AND day <= ").bind_text(to);
    match scope {
        Scope::All => {}
        Scope::Institution(i) => {
            q.push(" AND institution_id = ").bind_text(i.to_string());
        }
        Scope::Nothing => {
            q.push(" AND 1 = 0");
        }
    }
    if let Some(i) = institution {
        q.push(" AND institution_id = ").bind_text(i);
    }
    if let Some(p) = product {
        q.push(" AND product_id = ").bind_text(p);
    }
    let (n, d): (i64, i64) = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_one(&mut *c)
        .await
        .map_err(e)?;
    Ok((n, d))
}

/// The figures of an input per day over `[from, to]` for a scope (one row
/// per day, summed over institutions and products in the filter).
pub async fn series(
    c: &mut Conn,
    scope: Scope,
    input: &str,
    from: &str,
    to: &str,
    product: Option<&str>,
) -> Result<Vec<(String, i64, i64)>> {
    let mut q = Sql::new(
        "SELECT day, CAST(SUM(numerator) AS BIGINT), CAST(SUM(denominator) AS BIGINT) \
         FROM indicator_daily WHERE input = ",
    );
    q.bind_text(input);
    q.push(" AND day >= ").bind_text(from);
    q.push(" AND day <= ").bind_text(to);
    match scope {
        Scope::All => {}
        Scope::Institution(i) => {
            q.push(" AND institution_id = ").bind_text(i.to_string());
        }
        Scope::Nothing => {
            q.push(" AND 1 = 0");
        }
    }
    if let Some(p) = product {
        q.push(" AND product_id = ").bind_text(p);
    }
    q.push(" GROUP BY day ORDER BY day");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

// ---------------------------------------------------------------- lookups for imports

/// Products by code (the import's `produit` column).
pub async fn product_ids(c: &mut Conn) -> Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT code, id FROM products")
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

/// Agency accounts by lower-case e-mail (the import's `responsable`
/// column): (email, id, role).
pub async fn agency_users(c: &mut Conn) -> Result<Vec<(String, String, String)>> {
    sqlx::query_as(
        "SELECT LOWER(email), id, role FROM users WHERE role IN ('admin', 'support', 'relation', 'domain')",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

// ---------------------------------------------------------------- daily refresh

fn rows_of(day: &str, input: &str, v: Vec<(String, String, i64, i64)>) -> Vec<DailyRow> {
    v.into_iter()
        .map(
            |(institution_id, product_id, numerator, denominator)| DailyRow {
                day: day.to_string(),
                input: input.to_string(),
                institution_id,
                product_id,
                numerator,
                denominator,
            },
        )
        .collect()
}

async fn grouped(
    c: &mut Conn,
    sql: &str,
    binds: &[&str],
) -> Result<Vec<(String, String, i64, i64)>> {
    let mut q = sqlx::query_as::<_, (String, String, i64, i64)>(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.fetch_all(&mut *c).await.map_err(e)
}

/// The figures of one day, computed from the operational tables, per
/// institution and product where they have one: `day` is `YYYY-MM-DD`,
/// `next` the day after (timestamps are compared as RFC 3339 text, so
/// "before the end of `day`" is `< next`). First-response times and
/// training revenue need date arithmetic and are returned as raw rows for
/// the caller: (institution, product, created_at, first_response_at) and
/// (institution, kind, half_days, confirmed).
pub struct DayFigures {
    pub rows: Vec<DailyRow>,
    pub first_responses: Vec<(String, String, String, String)>,
    pub trainings_held: Vec<(String, String, i64, i64)>,
}

/// Reads everything the indicators need for one day (see [`DayFigures`]).
pub async fn day_figures(c: &mut Conn, day: &str, next: &str) -> Result<DayFigures> {
    let mut rows = Vec::new();
    // Tickets due that day, and those of them not resolved in time.
    let v = grouped(
        c,
        "SELECT institution_id, product_id, \
         CAST(SUM(CASE WHEN resolved_at IS NULL OR resolved_at > resolution_due_at THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(COUNT(*) AS BIGINT) FROM tickets \
         WHERE resolution_due_at >= $1 AND resolution_due_at < $2 GROUP BY institution_id, product_id",
        &[day, next],
    )
    .await?;
    rows.extend(rows_of(day, "sla_due", v));
    // Tickets open at the end of the day.
    let v = grouped(
        c,
        "SELECT institution_id, product_id, CAST(COUNT(*) AS BIGINT), CAST(0 AS BIGINT) FROM tickets \
         WHERE created_at < $1 AND (resolved_at IS NULL OR resolved_at >= $1) \
         AND (closed_at IS NULL OR closed_at >= $1) GROUP BY institution_id, product_id",
        &[next],
    )
    .await?;
    rows.extend(rows_of(day, "backlog", v));
    // Survey answers of the day: satisfied (4-5 of 5) and NPS.
    let v = grouped(
        c,
        "SELECT institution_id, '', \
         CAST(SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
         FROM survey_answers WHERE score IS NOT NULL AND answered_at >= $1 AND answered_at < $2 \
         GROUP BY institution_id",
        &[day, next],
    )
    .await?;
    rows.extend(rows_of(day, "satisfaction", v));
    let v = grouped(
        c,
        "SELECT institution_id, '', \
         CAST(SUM(CASE WHEN nps >= 9 THEN 1 WHEN nps <= 6 THEN -1 ELSE 0 END) AS BIGINT), CAST(COUNT(*) AS BIGINT) \
         FROM survey_answers WHERE nps IS NOT NULL AND answered_at >= $1 AND answered_at < $2 \
         GROUP BY institution_id",
        &[day, next],
    )
    .await?;
    rows.extend(rows_of(day, "recommendation", v));
    // Complaints open at the end of the day.
    let v = grouped(
        c,
        "SELECT institution_id, COALESCE(product_id, ''), CAST(COUNT(*) AS BIGINT), CAST(0 AS BIGINT) \
         FROM complaints WHERE created_at < $1 AND (closed_at IS NULL OR closed_at >= $1) \
         GROUP BY institution_id, COALESCE(product_id, '')",
        &[next],
    )
    .await?;
    rows.extend(rows_of(day, "complaints_open", v));
    // Sessions starting that day (not cancelled): confirmed seats / capacity.
    let v = grouped(
        c,
        "SELECT COALESCE(s.institution_id, ''), COALESCE(t.product_id, ''), \
         CAST(COALESCE(SUM((SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmee')), 0) AS BIGINT), \
         CAST(SUM(s.capacity) AS BIGINT) \
         FROM training_sessions s JOIN trainings t ON t.id = s.training_id \
         WHERE s.starts_on = $1 AND s.status <> 'annulee' \
         GROUP BY COALESCE(s.institution_id, ''), COALESCE(t.product_id, '')",
        &[day],
    )
    .await?;
    rows.extend(rows_of(day, "training_seats", v));
    // Registrations to community events held that day (not marked absent).
    let v = grouped(
        c,
        "SELECT COALESCE(r.institution_id, ''), COALESCE(ev.product_id, ''), CAST(COUNT(*) AS BIGINT), CAST(0 AS BIGINT) \
         FROM event_registrations r JOIN community_events ev ON ev.id = r.event_id \
         WHERE ev.starts_at >= $1 AND ev.starts_at < $2 AND (r.attendance IS NULL OR r.attendance <> 'absent') \
         GROUP BY COALESCE(r.institution_id, ''), COALESCE(ev.product_id, '')",
        &[day, next],
    )
    .await?;
    rows.extend(rows_of(day, "community_participation", v));
    // Open deliverables past their due date (agency-wide).
    let v = grouped(
        c,
        "SELECT '', '', CAST(COUNT(*) AS BIGINT), CAST(0 AS BIGINT) FROM deliverables \
         WHERE status IN ('a_lancer', 'en_cours', 'reporte') AND due_on < $1",
        &[day],
    )
    .await?;
    rows.extend(rows_of(day, "deliverables_late", v));
    let first_responses: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT institution_id, product_id, created_at, first_response_at FROM tickets \
         WHERE first_response_at >= $1 AND first_response_at < $2",
    )
    .bind(day.to_string())
    .bind(next.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    let trainings_held: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT r.institution_id, t.kind, CAST(t.half_days AS BIGINT), CAST(COUNT(*) AS BIGINT) \
         FROM registrations r JOIN training_sessions s ON s.id = r.session_id \
         JOIN trainings t ON t.id = s.training_id \
         WHERE s.starts_on = $1 AND s.status <> 'annulee' AND r.status = 'confirmee' \
         GROUP BY r.institution_id, t.kind, t.half_days",
    )
    .bind(day.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    Ok(DayFigures {
        rows,
        first_responses,
        trainings_held,
    })
}

/// The per-trainee-day rates in force on `day` (continuing, tailored), in
/// cents; (0, 0) when no tariff is set.
pub async fn rates_on(c: &mut Conn, day: &str) -> Result<(i64, i64)> {
    let r: Option<(i64, i64)> = sqlx::query_as(
        "SELECT CAST(continue_cents AS BIGINT), CAST(specific_cents AS BIGINT) FROM tariffs \
         WHERE effective_from <= $1 ORDER BY effective_from DESC LIMIT 1",
    )
    .bind(day.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)?;
    Ok(r.unwrap_or((0, 0)))
}

/// Replaces every figure of one day at once (the refresh recomputes a day
/// as a whole, so a rerun never counts twice).
pub async fn replace_whole_day(c: &mut Conn, day: &str, rows: &[DailyRow]) -> Result<()> {
    sqlx::query("DELETE FROM indicator_daily WHERE day = $1")
        .bind(day.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    for r in rows {
        sqlx::query(
            "INSERT INTO indicator_daily (day, input, institution_id, product_id, numerator, denominator) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.day.clone())
        .bind(r.input.clone())
        .bind(r.institution_id.clone())
        .bind(r.product_id.clone())
        .bind(r.numerator)
        .bind(r.denominator)
        .execute(&mut *c)
        .await
        .map_err(e)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- monthly report

/// One change of a deliverable in the audit trail (the monthly report).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct DeliverableChange {
    pub at: String,
    pub reference: String,
    pub title: String,
    pub action: String,
    pub changes: String,
    pub actor_name: Option<String>,
}

/// The changes of deliverables recorded in `[from, to)` (RFC 3339 UTC
/// timestamps), oldest first.
pub async fn deliverable_changes(
    c: &mut Conn,
    from: &str,
    to: &str,
) -> Result<Vec<DeliverableChange>> {
    sqlx::query_as(
        "SELECT a.at, d.reference, d.title, a.action, a.changes, u.display_name AS actor_name \
         FROM audit_events a JOIN deliverables d ON d.id = a.entity_id \
         LEFT JOIN users u ON u.id = a.actor_id \
         WHERE a.entity = 'deliverable' AND a.at >= $1 AND a.at < $2 \
         ORDER BY a.at, d.reference",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// The addresses of the agency's management (active administrators): the
/// monthly report's recipients.
pub async fn management_emails(c: &mut Conn) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT email FROM users WHERE role = 'admin' AND active = 1 ORDER BY email",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
