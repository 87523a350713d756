//! SQL behind the service-level administration and the support section of
//! the 360° institution page: one level or calendar, institutions with the
//! contract in force, replacing a contract without overlap, and the
//! per-institution ticket aggregates. Every ticket query here is filtered
//! on one institution id; callers check first that the reader may see that
//! institution, so nothing of another institution is ever counted.

use crate::sql::Sql;
use crate::support::{CalendarRow, LevelRow};
use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

pub async fn get_level(c: &mut Conn, code: &str) -> Result<LevelRow> {
    sqlx::query_as("SELECT id, code, name, targets FROM service_levels WHERE code = $1")
        .bind(code.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

pub async fn get_calendar(c: &mut Conn, id: Id) -> Result<CalendarRow> {
    sqlx::query_as("SELECT id, code, name, definition FROM business_calendars WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

/// An institution with the contract in force on a date, if any.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ContractLine {
    pub institution_id: String,
    pub institution_name: String,
    pub contract_id: Option<String>,
    pub level_code: Option<String>,
    pub level_name: Option<String>,
    pub calendar_id: Option<String>,
    pub calendar_name: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// Filter of [`list_contract_lines`] on the level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelFilter {
    Any,
    /// Institutions without a contract in force (the generic charter).
    None,
    Code(String),
}

/// Every institution with its contract in force on `date`. Contracts of
/// one institution never overlap (see [`close_contracts_from`]); should two
/// start the same day anyway, the latest created wins.
pub async fn list_contract_lines(
    c: &mut Conn,
    date: &str,
    level: &LevelFilter,
) -> Result<Vec<ContractLine>> {
    let mut q = Sql::new(
        "SELECT i.id AS institution_id, i.name AS institution_name, s.id AS contract_id, \
         l.code AS level_code, l.name AS level_name, b.id AS calendar_id, b.name AS calendar_name, \
         s.starts_on, s.ends_on FROM institutions i \
         LEFT JOIN service_contracts s ON s.id = (SELECT s2.id FROM service_contracts s2 \
         WHERE s2.institution_id = i.id AND s2.starts_on <= ",
    );
    q.bind_text(date);
    q.push(" AND (s2.ends_on IS NULL OR s2.ends_on >= ")
        .bind_text(date);
    q.push(
        ") ORDER BY s2.starts_on DESC, s2.created_at DESC, s2.id DESC LIMIT 1) \
         LEFT JOIN service_levels l ON l.id = s.level_id \
         LEFT JOIN business_calendars b ON b.id = s.calendar_id WHERE 1 = 1",
    );
    match level {
        LevelFilter::Any => {}
        LevelFilter::None => {
            q.push(" AND s.id IS NULL");
        }
        LevelFilter::Code(code) => {
            q.push(" AND l.code = ").bind_text(code.clone());
        }
    }
    q.push(" ORDER BY i.name, i.id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// A contract as stored, for the audit trail of a replacement.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct StoredContract {
    pub id: String,
    pub level_id: String,
    pub calendar_id: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

/// Makes room for a contract starting on `starts_on`: contracts that start
/// that day or later are removed (the new one replaces them), a contract
/// still running then ends the day before. Returns the contracts removed
/// and those cut short, as they were, for the audit trail.
pub async fn close_contracts_from(
    c: &mut Conn,
    institution: Id,
    starts_on: &str,
    day_before: &str,
) -> Result<(Vec<StoredContract>, Vec<StoredContract>)> {
    let all: Vec<StoredContract> = sqlx::query_as(
        "SELECT id, level_id, calendar_id, starts_on, ends_on FROM service_contracts \
         WHERE institution_id = $1 ORDER BY starts_on",
    )
    .bind(institution.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    let removed: Vec<StoredContract> = all
        .iter()
        .filter(|k| k.starts_on.as_str() >= starts_on)
        .cloned()
        .collect();
    let cut: Vec<StoredContract> = all
        .iter()
        .filter(|k| {
            k.starts_on.as_str() < starts_on && k.ends_on.as_deref().is_none_or(|e| e >= starts_on)
        })
        .cloned()
        .collect();
    sqlx::query("DELETE FROM service_contracts WHERE institution_id = $1 AND starts_on >= $2")
        .bind(institution.to_string())
        .bind(starts_on.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    sqlx::query(
        "UPDATE service_contracts SET ends_on = $3 WHERE institution_id = $1 AND starts_on < $2 \
         AND (ends_on IS NULL OR ends_on >= $2)",
    )
    .bind(institution.to_string())
    .bind(starts_on.to_string())
    .bind(day_before.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok((removed, cut))
}

/// A ticket as the institution page lists it.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct InstitutionTicket {
    pub id: String,
    pub reference: String,
    pub subject: String,
    pub product_name: String,
    pub status: String,
    pub severity: String,
    pub resolution_due_at: Option<String>,
    pub created_at: String,
    pub resolved_at: Option<String>,
}

/// The institution's open tickets and those filed since `since`, newest
/// first. Only that institution's own tickets: tickets other institutions
/// shared are theirs, not part of this record.
pub async fn institution_tickets(
    c: &mut Conn,
    institution: Id,
    since: &str,
    limit: i64,
) -> Result<Vec<InstitutionTicket>> {
    sqlx::query_as(
        "SELECT t.id, t.reference, t.subject, p.name AS product_name, t.status, t.severity, \
         t.resolution_due_at, t.created_at, t.resolved_at FROM tickets t \
         JOIN products p ON p.id = t.product_id WHERE t.institution_id = $1 \
         AND (t.status NOT IN ('resolu', 'clos') OR t.created_at >= $2) \
         ORDER BY t.created_at DESC, t.id DESC LIMIT $3",
    )
    .bind(institution.to_string())
    .bind(since.to_string())
    .bind(limit)
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Counts behind an institution's service-level record.
#[derive(Debug, Clone, Default, FromRow, Serialize, utoipa::ToSchema)]
pub struct SupportTotals {
    /// Tickets filed in the period.
    pub tickets: i64,
    /// Tickets whose first-response target can be judged: answered, or
    /// past due without an answer.
    pub first_response_measured: i64,
    pub first_response_met: i64,
    pub resolution_measured: i64,
    pub resolution_met: i64,
    /// Business minutes spent waiting on the software editor.
    pub editor_minutes: i64,
}

/// Aggregates the tickets an institution filed since `since`, judged at
/// `now`. COUNT over CASE rather than SUM: both engines return BIGINT.
pub async fn support_totals(
    c: &mut Conn,
    institution: Id,
    since: &str,
    now: &str,
) -> Result<SupportTotals> {
    sqlx::query_as(
        "SELECT COUNT(*) AS tickets, \
         COUNT(CASE WHEN t.first_response_due_at IS NOT NULL AND (t.first_response_at IS NOT NULL \
           OR t.first_response_due_at < $3) THEN 1 END) AS first_response_measured, \
         COUNT(CASE WHEN t.first_response_due_at IS NOT NULL AND t.first_response_at IS NOT NULL \
           AND t.first_response_at <= t.first_response_due_at THEN 1 END) AS first_response_met, \
         COUNT(CASE WHEN t.resolution_due_at IS NOT NULL AND (t.resolved_at IS NOT NULL \
           OR t.resolution_due_at < $3) THEN 1 END) AS resolution_measured, \
         COUNT(CASE WHEN t.resolution_due_at IS NOT NULL AND t.resolved_at IS NOT NULL \
           AND t.resolved_at <= t.resolution_due_at THEN 1 END) AS resolution_met, \
         COALESCE(CAST(SUM(t.editor_minutes) AS BIGINT), 0) AS editor_minutes \
         FROM tickets t WHERE t.institution_id = $1 AND t.created_at >= $2",
    )
    .bind(institution.to_string())
    .bind(since.to_string())
    .bind(now.to_string())
    .fetch_one(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// (filed, resolved, paused business minutes) of the tickets filed since
/// `since` and resolved: the median needs each duration in the calendar.
pub async fn resolved_spans(
    c: &mut Conn,
    institution: Id,
    since: &str,
) -> Result<Vec<(String, String, i64)>> {
    sqlx::query_as(
        "SELECT created_at, resolved_at, paused_minutes FROM tickets \
         WHERE institution_id = $1 AND created_at >= $2 AND resolved_at IS NOT NULL",
    )
    .bind(institution.to_string())
    .bind(since.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}
