//! Triage data: the routing rules admins edit, and the fields of past
//! tickets that the triage suggestion votes on (the index stores only
//! product, status and institution).

use crate::sql::{Arg, Sql};
use crate::support::TicketScope;
use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RoutingRuleRow {
    pub id: String,
    pub position: i64,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub keyword: Option<String>,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub team_id: String,
    pub team_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewRoutingRule {
    pub position: i64,
    pub product_id: Option<Id>,
    pub keyword: Option<String>,
    pub institution_id: Option<Id>,
    pub team_id: Id,
}

const RULE_COLS: &str =
    "SELECT r.id, r.position, r.product_id, p.name AS product_name, r.keyword, \
    r.institution_id, i.name AS institution_name, r.team_id, t.name AS team_name, r.created_at \
    FROM routing_rules r JOIN teams t ON t.id = r.team_id \
    LEFT JOIN products p ON p.id = r.product_id \
    LEFT JOIN institutions i ON i.id = r.institution_id";

fn opt_id(v: Option<Id>) -> Arg {
    v.map(|i| Arg::Text(i.to_string())).unwrap_or(Arg::NullText)
}

pub async fn insert_rule(c: &mut Conn, id: Id, r: &NewRoutingRule, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO routing_rules (id, position, product_id, keyword, institution_id, team_id, created_at) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_int(r.position).push(", ");
    q.bind(opt_id(r.product_id)).push(", ");
    q.bind(r.keyword.clone().map(Arg::Text).unwrap_or(Arg::NullText))
        .push(", ");
    q.bind(opt_id(r.institution_id)).push(", ");
    q.bind_text(r.team_id.to_string()).push(", ");
    q.bind_text(now).push(")");
    sqlx::query_with(&q.sql, q.arguments())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Every rule, in the order they are tried.
pub async fn list_rules(c: &mut Conn) -> Result<Vec<RoutingRuleRow>> {
    let sql = format!("{RULE_COLS} ORDER BY r.position, r.created_at, r.id");
    sqlx::query_as(&sql)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

pub async fn get_rule(c: &mut Conn, id: Id) -> Result<RoutingRuleRow> {
    let sql = format!("{RULE_COLS} WHERE r.id = $1");
    sqlx::query_as(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

pub async fn delete_rule(c: &mut Conn, id: Id) -> Result<()> {
    let n = sqlx::query("DELETE FROM routing_rules WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The position after the last rule (new rules go last by default).
pub async fn next_position(c: &mut Conn) -> Result<i64> {
    // COALESCE(MAX) is BIGINT on PostgreSQL and INTEGER on SQLite: both
    // read as i64.
    let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(position), 0) FROM routing_rules")
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(n + 10)
}

/// The fields triage votes on, for one past ticket.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct TriageFieldsRow {
    pub id: String,
    pub reference: String,
    pub subject: String,
    pub product_id: String,
    pub module: Option<String>,
    pub category: String,
    pub severity: String,
    pub team_id: Option<String>,
    pub created_at: String,
}

/// The triage fields of the given tickets, within what `scope` may read
/// (one query for the k neighbours of a suggestion).
pub async fn ticket_fields(
    c: &mut Conn,
    scope: TicketScope,
    ids: &[String],
) -> Result<Vec<TriageFieldsRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut q = Sql::new(
        "SELECT t.id, t.reference, t.subject, t.product_id, t.module, t.category, t.severity, \
         t.team_id, t.created_at FROM tickets t WHERE t.id IN (",
    );
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind_text(id.clone());
    }
    q.push(")");
    match scope {
        TicketScope::All => {}
        TicketScope::Member(inst) => {
            q.push(" AND (t.institution_id = ")
                .bind_text(inst.to_string());
            q.push(" OR (t.shared = 1 AND t.product_id IN (SELECT d.product_id FROM deployments d WHERE d.status <> 'retire' AND d.institution_id = ");
            q.bind_text(inst.to_string());
            q.push(")))");
        }
        TicketScope::Nothing => {
            q.push(" AND 1 = 0");
        }
    }
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// A past ticket as it was filed: its fields and its first public message
/// (the request as the member wrote it).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct FiledTicketRow {
    pub id: String,
    pub reference: String,
    pub subject: String,
    pub institution_id: String,
    pub product_id: String,
    pub module: Option<String>,
    pub category: String,
    pub severity: String,
    pub team_id: Option<String>,
    pub created_at: String,
    pub request: Option<String>,
}

/// Tickets created in `[from, to)`, oldest first: the held-out part of the
/// history that `relais eval` predicts.
pub async fn tickets_created_between(
    c: &mut Conn,
    from: &str,
    to: &str,
) -> Result<Vec<FiledTicketRow>> {
    sqlx::query_as(
        "SELECT t.id, t.reference, t.subject, t.institution_id, t.product_id, t.module, t.category, \
         t.severity, t.team_id, t.created_at, \
         (SELECT m.body FROM ticket_messages m WHERE m.ticket_id = t.id AND m.visibility = 'public' \
          ORDER BY m.created_at, m.id LIMIT 1) AS request \
         FROM tickets t WHERE t.created_at >= $1 AND t.created_at < $2 ORDER BY t.created_at, t.id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// The first and last creation times of tickets (the span of the history).
pub async fn ticket_time_span(c: &mut Conn) -> Result<Option<(String, String)>> {
    let r: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT MIN(created_at), MAX(created_at) FROM tickets")
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    Ok(match r {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    })
}
