//! Support tables: teams and routing, service levels, calendars and
//! contracts, tickets with messages, history, attachments, followers and
//! workarounds, incidents. Member reads are narrowed by [`TicketScope`]:
//! their institution's tickets, plus tickets other institutions shared on
//! products their own institution uses.

use crate::sql::{Arg, Sql};
use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

/// What tickets a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketScope {
    /// Agency staff.
    All,
    /// A member: own institution's tickets, and shared tickets on products
    /// deployed in their institution.
    Member(Id),
    Nothing,
}

fn scope_sql(q: &mut Sql, scope: TicketScope) {
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
}

async fn exec(c: &mut Conn, q: &Sql) -> Result<u64> {
    Ok(sqlx::query_with(&q.sql, q.arguments())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected())
}

fn opt(v: &Option<String>) -> Arg {
    v.clone().map(Arg::Text).unwrap_or(Arg::NullText)
}

// ---------------------------------------------------------------- teams, levels, calendars, contracts

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TeamRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub lead_id: Option<String>,
    pub email: Option<String>,
}

pub async fn insert_team(
    c: &mut Conn,
    id: Id,
    code: &str,
    name: &str,
    lead: Option<Id>,
    email: Option<&str>,
    now: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO teams (id, code, name, lead_id, email, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id.to_string())
        .bind(code.to_string())
        .bind(name.to_string())
        .bind(lead.map(|l| l.to_string()))
        .bind(email.map(str::to_string))
        .bind(now.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn add_team_member(c: &mut Conn, team: Id, user: Id) -> Result<()> {
    sqlx::query(
        "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(team.to_string())
    .bind(user.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn set_product_team(c: &mut Conn, product: Id, team: Id) -> Result<()> {
    sqlx::query("DELETE FROM product_teams WHERE product_id = $1")
        .bind(product.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    sqlx::query("INSERT INTO product_teams (product_id, team_id) VALUES ($1, $2)")
        .bind(product.to_string())
        .bind(team.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn team_of_product(c: &mut Conn, product: Id) -> Result<Option<TeamRow>> {
    sqlx::query_as(
        "SELECT t.id, t.code, t.name, t.lead_id, t.email FROM teams t \
         JOIN product_teams p ON p.team_id = t.id WHERE p.product_id = $1",
    )
    .bind(product.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

pub async fn list_teams(c: &mut Conn) -> Result<Vec<TeamRow>> {
    sqlx::query_as("SELECT id, code, name, lead_id, email FROM teams ORDER BY name")
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Teams a user belongs to.
pub async fn teams_of_user(c: &mut Conn, user: Id) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT team_id FROM team_members WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_all(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct LevelRow {
    pub id: String,
    pub code: String,
    pub name: String,
    /// JSON targets per severity.
    pub targets: String,
}

pub async fn upsert_level(
    c: &mut Conn,
    id: Id,
    code: &str,
    name: &str,
    targets: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_levels (id, code, name, targets, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, targets = excluded.targets, updated_at = excluded.updated_at",
    )
    .bind(id.to_string())
    .bind(code.to_string())
    .bind(name.to_string())
    .bind(targets.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn list_levels(c: &mut Conn) -> Result<Vec<LevelRow>> {
    sqlx::query_as("SELECT id, code, name, targets FROM service_levels ORDER BY code")
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CalendarRow {
    pub id: String,
    pub code: String,
    pub name: String,
    /// JSON business calendar.
    pub definition: String,
}

pub async fn upsert_calendar(
    c: &mut Conn,
    id: Id,
    code: &str,
    name: &str,
    definition: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO business_calendars (id, code, name, definition, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, definition = excluded.definition, updated_at = excluded.updated_at",
    )
    .bind(id.to_string())
    .bind(code.to_string())
    .bind(name.to_string())
    .bind(definition.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn list_calendars(c: &mut Conn) -> Result<Vec<CalendarRow>> {
    sqlx::query_as("SELECT id, code, name, definition FROM business_calendars ORDER BY code")
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// The contract in force for an institution on a date, with its level and
/// calendar.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ContractRow {
    pub id: String,
    pub institution_id: String,
    pub level_code: String,
    pub level_name: String,
    pub targets: String,
    pub calendar_code: String,
    pub calendar: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

const CONTRACT_COLS: &str =
    "SELECT s.id, s.institution_id, l.code AS level_code, l.name AS level_name, \
    l.targets, b.code AS calendar_code, b.definition AS calendar, s.starts_on, s.ends_on \
    FROM service_contracts s JOIN service_levels l ON l.id = s.level_id \
    JOIN business_calendars b ON b.id = s.calendar_id";

#[allow(clippy::too_many_arguments)]
pub async fn insert_contract(
    c: &mut Conn,
    id: Id,
    institution: Id,
    level: &str,
    calendar: &str,
    starts_on: &str,
    ends_on: Option<&str>,
    now: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO service_contracts (id, institution_id, level_id, calendar_id, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id.to_string())
        .bind(institution.to_string())
        .bind(level.to_string())
        .bind(calendar.to_string())
        .bind(starts_on.to_string())
        .bind(ends_on.map(str::to_string))
        .bind(now.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn contract_on(c: &mut Conn, institution: Id, date: &str) -> Result<Option<ContractRow>> {
    let mut q = Sql::new(CONTRACT_COLS);
    q.push(" WHERE s.institution_id = ")
        .bind_text(institution.to_string());
    q.push(" AND s.starts_on <= ").bind_text(date);
    q.push(" AND (s.ends_on IS NULL OR s.ends_on >= ")
        .bind_text(date);
    q.push(") ORDER BY s.starts_on DESC LIMIT 1");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

pub async fn contracts_of(c: &mut Conn, institution: Id) -> Result<Vec<ContractRow>> {
    let mut q = Sql::new(CONTRACT_COLS);
    q.push(" WHERE s.institution_id = ")
        .bind_text(institution.to_string());
    q.push(" ORDER BY s.starts_on DESC");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Entitlement: the product is deployed (not withdrawn, not a mere
/// candidate) at the institution and its support is covered.
pub async fn is_entitled(c: &mut Conn, institution: Id, product: Id) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM deployments WHERE institution_id = $1 AND product_id = $2 \
         AND status NOT IN ('retire', 'candidat') AND support_covered = 1",
    )
    .bind(institution.to_string())
    .bind(product.to_string())
    .fetch_one(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(n > 0)
}

/// Next ticket number of a year. The counter row is updated first so that
/// concurrent writers serialise on it (both engines lock the row).
pub async fn next_ticket_number(c: &mut Conn, year: i64) -> Result<i64> {
    sqlx::query("INSERT INTO ticket_counters (year, last_number) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING")
        .bind(year)
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    sqlx::query("UPDATE ticket_counters SET last_number = last_number + 1 WHERE year = $1")
        .bind(year)
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    let (n,): (i64,) = sqlx::query_as("SELECT last_number FROM ticket_counters WHERE year = $1")
        .bind(year)
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(n)
}

// ---------------------------------------------------------------- tickets

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TicketRow {
    pub id: String,
    pub reference: String,
    pub institution_id: String,
    pub institution_name: String,
    pub requester_id: Option<String>,
    pub requester_name: String,
    pub requester_email: Option<String>,
    pub product_id: String,
    pub product_name: String,
    pub module: Option<String>,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub subject: String,
    pub team_id: Option<String>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub shared: i64,
    pub share_requester: i64,
    pub share_attachments: i64,
    pub incident_id: Option<String>,
    pub level_code: Option<String>,
    pub channel: String,
    pub created_at: String,
    pub updated_at: String,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub first_response_due_at: Option<String>,
    pub resolution_due_at: Option<String>,
    pub agent_estimate_at: Option<String>,
    pub paused_minutes: i64,
    pub editor_minutes: i64,
    pub last_status_at: String,
    /// Institutions that said "nous aussi".
    pub affected_count: i64,
}

const TICKET_COLS: &str = "SELECT t.id, t.reference, t.institution_id, i.name AS institution_name, \
    t.requester_id, t.requester_name, t.requester_email, t.product_id, p.name AS product_name, t.module, \
    t.category, t.severity, t.status, t.subject, t.team_id, t.assignee_id, u.display_name AS assignee_name, \
    t.shared, t.share_requester, t.share_attachments, t.incident_id, t.level_code, t.channel, t.created_at, \
    t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, t.first_response_due_at, \
    t.resolution_due_at, t.agent_estimate_at, t.paused_minutes, t.editor_minutes, t.last_status_at, \
    (SELECT COUNT(*) FROM ticket_followers f WHERE f.ticket_id = t.id AND f.affected = 1) AS affected_count \
    FROM tickets t JOIN institutions i ON i.id = t.institution_id JOIN products p ON p.id = t.product_id \
    LEFT JOIN users u ON u.id = t.assignee_id";

#[derive(Debug, Clone)]
pub struct NewTicket {
    pub id: Id,
    pub reference: String,
    pub institution_id: Id,
    pub requester_id: Option<Id>,
    pub requester_contact_id: Option<Id>,
    pub requester_name: String,
    pub requester_email: Option<String>,
    pub product_id: Id,
    pub module: Option<String>,
    pub category: String,
    pub severity: String,
    pub subject: String,
    pub team_id: Option<String>,
    pub shared: bool,
    pub level_code: Option<String>,
    pub channel: String,
    pub first_response_due_at: Option<String>,
    pub resolution_due_at: Option<String>,
}

pub async fn insert_ticket(c: &mut Conn, t: &NewTicket, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO tickets (id, reference, institution_id, requester_id, requester_contact_id, requester_name, \
         requester_email, product_id, module, category, severity, status, subject, team_id, shared, level_code, \
         channel, created_at, updated_at, first_response_due_at, resolution_due_at, last_status_at) VALUES (",
    );
    let args = vec![
        Arg::Text(t.id.to_string()),
        Arg::Text(t.reference.clone()),
        Arg::Text(t.institution_id.to_string()),
        t.requester_id
            .map(|i| Arg::Text(i.to_string()))
            .unwrap_or(Arg::NullText),
        t.requester_contact_id
            .map(|i| Arg::Text(i.to_string()))
            .unwrap_or(Arg::NullText),
        Arg::Text(t.requester_name.clone()),
        opt(&t.requester_email),
        Arg::Text(t.product_id.to_string()),
        opt(&t.module),
        Arg::Text(t.category.clone()),
        Arg::Text(t.severity.clone()),
        Arg::Text("nouveau".into()),
        Arg::Text(t.subject.clone()),
        opt(&t.team_id),
        Arg::Int(t.shared as i64),
        opt(&t.level_code),
        Arg::Text(t.channel.clone()),
        Arg::Text(now.into()),
        Arg::Text(now.into()),
        opt(&t.first_response_due_at),
        opt(&t.resolution_due_at),
        Arg::Text(now.into()),
    ];
    for (i, a) in args.into_iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(a);
    }
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn get_ticket(c: &mut Conn, scope: TicketScope, id: Id) -> Result<TicketRow> {
    let mut q = Sql::new(TICKET_COLS);
    q.push(" WHERE t.id = ").bind_text(id.to_string());
    scope_sql(&mut q, scope);
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

pub async fn find_ticket_by_reference(c: &mut Conn, reference: &str) -> Result<TicketRow> {
    let mut q = Sql::new(TICKET_COLS);
    q.push(" WHERE t.reference = ").bind_text(reference);
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub institution_id: Option<String>,
    pub product_id: Option<String>,
    pub team_id: Option<String>,
    pub assignee_id: Option<String>,
    pub status: Option<String>,
    /// Only open tickets (not resolved, not closed).
    pub open_only: bool,
    /// Only tickets shared by other institutions (for a member's view).
    pub shared_only: bool,
    pub incident_id: Option<String>,
    pub severity: Option<String>,
    pub category: Option<String>,
    /// Only tickets with no agent assigned.
    pub unassigned: bool,
    /// Words of the reference or the subject.
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
    /// `due` sorts by resolution deadline (queues), else newest first.
    pub order_by_due: bool,
}

fn ticket_where(q: &mut Sql, scope: TicketScope, f: &TicketFilter) {
    q.push(" WHERE 1 = 1");
    scope_sql(q, scope);
    if let Some(v) = &f.institution_id {
        q.push(" AND t.institution_id = ").bind_text(v.clone());
    }
    if let Some(v) = &f.product_id {
        q.push(" AND t.product_id = ").bind_text(v.clone());
    }
    if let Some(v) = &f.team_id {
        q.push(" AND t.team_id = ").bind_text(v.clone());
    }
    if let Some(v) = &f.assignee_id {
        q.push(" AND t.assignee_id = ").bind_text(v.clone());
    }
    if let Some(v) = &f.status {
        q.push(" AND t.status = ").bind_text(v.clone());
    }
    if let Some(v) = &f.incident_id {
        q.push(" AND t.incident_id = ").bind_text(v.clone());
    }
    if let Some(v) = &f.severity {
        q.push(" AND t.severity = ").bind_text(v.clone());
    }
    if let Some(v) = &f.category {
        q.push(" AND t.category = ").bind_text(v.clone());
    }
    if f.unassigned {
        q.push(" AND t.assignee_id IS NULL");
    }
    if let Some(text) = &f.q {
        // Until the search index (issue 4): every word must appear in the
        // subject or the reference, case-insensitively; LIKE wildcards typed
        // by a person are matched literally.
        for word in text.to_lowercase().split_whitespace() {
            let w = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            q.push(" AND (LOWER(t.subject) LIKE ")
                .bind_text(format!("%{w}%"))
                .push(" ESCAPE '\\' OR LOWER(t.reference) LIKE ")
                .bind_text(format!("%{w}%"))
                .push(" ESCAPE '\\')");
        }
    }
    if f.open_only {
        // An IN list of the open statuses (not NOT IN the closed ones) lets
        // both engines walk the (team, status, due) index instead of every
        // ticket the team ever had: measured 45 ms → see `relais bench`.
        q.push(
            " AND t.status IN ('nouveau', 'en_cours', 'attente_etablissement', 'attente_editeur')",
        );
    }
    if f.shared_only {
        q.push(" AND t.shared = 1");
        if let TicketScope::Member(inst) = scope {
            q.push(" AND t.institution_id <> ")
                .bind_text(inst.to_string());
        }
    }
}

pub async fn list_tickets(
    c: &mut Conn,
    scope: TicketScope,
    f: &TicketFilter,
) -> Result<(Vec<TicketRow>, i64)> {
    // The page of ids is chosen first (from the indexes alone when they
    // cover the order), then only those rows are joined and returned.
    let order = if f.order_by_due {
        " ORDER BY CASE WHEN t.resolution_due_at IS NULL THEN 1 ELSE 0 END, t.resolution_due_at, t.created_at, t.id"
    } else {
        " ORDER BY t.created_at DESC, t.id DESC"
    };
    let mut q = Sql::new(TICKET_COLS);
    q.push(" WHERE t.id IN (SELECT t.id FROM tickets t");
    ticket_where(&mut q, scope, f);
    q.push(order);
    q.push(" LIMIT ").bind_int(f.limit.clamp(1, 1000));
    q.push(" OFFSET ").bind_int(f.offset.max(0));
    q.push(")");
    q.push(order);
    let rows = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    let mut cq = Sql::new("SELECT COUNT(*) FROM tickets t");
    ticket_where(&mut cq, scope, f);
    let (n,): (i64,) = sqlx::query_as_with(&cq.sql, cq.arguments())
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok((rows, n))
}

/// Sets one column of a ticket (the app layer records the history event).
/// Only the columns listed here can be changed this way.
pub async fn set_ticket_field(
    c: &mut Conn,
    id: Id,
    field: &str,
    value: Option<String>,
    now: &str,
) -> Result<()> {
    const ALLOWED: &[&str] = &[
        "status",
        "team_id",
        "assignee_id",
        "severity",
        "category",
        "module",
        "shared",
        "share_requester",
        "share_attachments",
        "incident_id",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "first_response_due_at",
        "resolution_due_at",
        "agent_estimate_at",
        "last_status_at",
        "product_id",
    ];
    if !ALLOWED.contains(&field) {
        return Err(StoreError::Other(sqlx::Error::Protocol(format!(
            "field {field} is not settable"
        ))));
    }
    let mut q = Sql::new(&format!("UPDATE tickets SET {field} = "));
    if matches!(field, "shared" | "share_requester" | "share_attachments") {
        q.bind_int(value.as_deref().map(|v| (v == "1") as i64).unwrap_or(0));
    } else {
        q.bind(opt(&value));
    }
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    match exec(c, &q).await? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

pub async fn set_clock_totals(
    c: &mut Conn,
    id: Id,
    paused_minutes: i64,
    editor_minutes: i64,
) -> Result<()> {
    sqlx::query("UPDATE tickets SET paused_minutes = $1, editor_minutes = $2 WHERE id = $3")
        .bind(paused_minutes)
        .bind(editor_minutes)
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

// ---------------------------------------------------------------- messages and history

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MessageRow {
    pub id: String,
    pub ticket_id: String,
    pub author_id: Option<String>,
    pub author_name: String,
    pub visibility: String,
    pub body: String,
    pub channel: String,
    pub mail_message_id: Option<String>,
    pub created_at: String,
    /// 1 when written by agency staff (their names are public; an
    /// institution's people are not named to other institutions).
    pub by_agency: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_message(
    c: &mut Conn,
    id: Id,
    ticket: Id,
    author: Option<Id>,
    author_name: &str,
    visibility: &str,
    body: &str,
    channel: &str,
    mail_message_id: Option<&str>,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_messages (id, ticket_id, author_id, author_name, visibility, body, channel, mail_message_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(ticket.to_string())
    .bind(author.map(|a| a.to_string()))
    .bind(author_name.to_string())
    .bind(visibility.to_string())
    .bind(body.to_string())
    .bind(channel.to_string())
    .bind(mail_message_id.map(str::to_string))
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Messages of a ticket; `public_only` for members, who never see internal notes.
pub async fn list_messages(c: &mut Conn, ticket: Id, public_only: bool) -> Result<Vec<MessageRow>> {
    let mut q = Sql::new(
        "SELECT id, ticket_id, author_id, author_name, visibility, body, channel, mail_message_id, created_at, \
         CASE WHEN author_id IN (SELECT u.id FROM users u WHERE u.role IN ('admin', 'support', 'relation', 'domain')) \
         THEN 1 ELSE 0 END AS by_agency \
         FROM ticket_messages WHERE ticket_id = ",
    );
    q.bind_text(ticket.to_string());
    if public_only {
        q.push(" AND visibility = 'public'");
    }
    q.push(" ORDER BY created_at, id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

pub async fn ticket_of_mail_message(c: &mut Conn, message_id: &str) -> Result<Option<String>> {
    let r: Option<(String,)> =
        sqlx::query_as("SELECT ticket_id FROM ticket_messages WHERE mail_message_id = $1 LIMIT 1")
            .bind(message_id.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    Ok(r.map(|r| r.0))
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct EventRow {
    pub id: String,
    pub ticket_id: String,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub field: String,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_event(
    c: &mut Conn,
    ticket: Id,
    actor: Option<Id>,
    actor_name: &str,
    field: &str,
    before: Option<&str>,
    after: Option<&str>,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_events (id, ticket_id, at, actor_id, actor_name, field, before_value, after_value) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Id::new().to_string())
    .bind(ticket.to_string())
    .bind(now.to_string())
    .bind(actor.map(|a| a.to_string()))
    .bind(actor_name.to_string())
    .bind(field.to_string())
    .bind(before.map(str::to_string))
    .bind(after.map(str::to_string))
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn list_events(c: &mut Conn, ticket: Id) -> Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT id, ticket_id, at, actor_id, actor_name, field, before_value, after_value \
         FROM ticket_events WHERE ticket_id = $1 ORDER BY at, id",
    )
    .bind(ticket.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

// ---------------------------------------------------------------- cooperation

pub async fn upsert_follower(
    c: &mut Conn,
    ticket: Id,
    institution: Id,
    user: Id,
    affected: bool,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_followers (ticket_id, institution_id, user_id, affected, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (ticket_id, institution_id) DO UPDATE SET affected = CASE WHEN excluded.affected = 1 THEN 1 ELSE ticket_followers.affected END",
    )
    .bind(ticket.to_string())
    .bind(institution.to_string())
    .bind(user.to_string())
    .bind(affected as i64)
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct FollowerRow {
    pub institution_id: String,
    pub institution_name: String,
    pub affected: i64,
    pub created_at: String,
}

pub async fn list_followers(c: &mut Conn, ticket: Id) -> Result<Vec<FollowerRow>> {
    sqlx::query_as(
        "SELECT f.institution_id, i.name AS institution_name, f.affected, f.created_at FROM ticket_followers f \
         JOIN institutions i ON i.id = f.institution_id WHERE f.ticket_id = $1 ORDER BY f.created_at",
    )
    .bind(ticket.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct WorkaroundRow {
    pub id: String,
    pub ticket_id: String,
    pub institution_id: Option<String>,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_workaround(
    c: &mut Conn,
    id: Id,
    ticket: Id,
    institution: Option<Id>,
    author: Id,
    author_name: &str,
    body: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO workarounds (id, ticket_id, institution_id, author_id, author_name, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(ticket.to_string())
    .bind(institution.map(|i| i.to_string()))
    .bind(author.to_string())
    .bind(author_name.to_string())
    .bind(body.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn list_workarounds(c: &mut Conn, ticket: Id) -> Result<Vec<WorkaroundRow>> {
    sqlx::query_as("SELECT id, ticket_id, institution_id, author_name, body, created_at FROM workarounds WHERE ticket_id = $1 ORDER BY created_at")
        .bind(ticket.to_string())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

// ---------------------------------------------------------------- incidents

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct IncidentRow {
    pub id: String,
    pub product_id: String,
    pub product_name: String,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
    pub ticket_count: i64,
}

const INCIDENT_COLS: &str = "SELECT n.id, n.product_id, p.name AS product_name, n.title, n.description, n.status, \
    n.created_at, n.resolved_at, n.resolution, (SELECT COUNT(*) FROM tickets t WHERE t.incident_id = n.id) AS ticket_count \
    FROM incidents n JOIN products p ON p.id = n.product_id";

pub async fn insert_incident(
    c: &mut Conn,
    id: Id,
    product: Id,
    title: &str,
    description: Option<&str>,
    by: Id,
    now: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO incidents (id, product_id, title, description, status, created_by, created_at) VALUES ($1, $2, $3, $4, 'ouvert', $5, $6)")
        .bind(id.to_string())
        .bind(product.to_string())
        .bind(title.to_string())
        .bind(description.map(str::to_string))
        .bind(by.to_string())
        .bind(now.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn get_incident(c: &mut Conn, id: Id) -> Result<IncidentRow> {
    let mut q = Sql::new(INCIDENT_COLS);
    q.push(" WHERE n.id = ").bind_text(id.to_string());
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

/// Incidents, optionally of one product and only open ones. A member sees
/// incidents of products deployed in their institution.
pub async fn list_incidents(
    c: &mut Conn,
    member_of: Option<Id>,
    product: Option<Id>,
    open_only: bool,
) -> Result<Vec<IncidentRow>> {
    let mut q = Sql::new(INCIDENT_COLS);
    q.push(" WHERE 1 = 1");
    if let Some(inst) = member_of {
        q.push(" AND n.product_id IN (SELECT d.product_id FROM deployments d WHERE d.status <> 'retire' AND d.institution_id = ");
        q.bind_text(inst.to_string());
        q.push(")");
    }
    if let Some(p) = product {
        q.push(" AND n.product_id = ").bind_text(p.to_string());
    }
    if open_only {
        q.push(" AND n.status = 'ouvert'");
    }
    q.push(" ORDER BY n.created_at DESC");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

pub async fn resolve_incident(c: &mut Conn, id: Id, resolution: &str, now: &str) -> Result<()> {
    let n = sqlx::query("UPDATE incidents SET status = 'resolu', resolved_at = $1, resolution = $2 WHERE id = $3 AND status = 'ouvert'")
        .bind(now.to_string())
        .bind(resolution.to_string())
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

/// Every institution touched by an incident: those whose tickets it groups
/// and those that said "nous aussi" on one of them.
pub async fn incident_institutions(c: &mut Conn, incident: Id) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT institution_id FROM tickets WHERE incident_id = $1 \
         UNION SELECT f.institution_id FROM ticket_followers f JOIN tickets t ON t.id = f.ticket_id \
         WHERE t.incident_id = $1 AND f.affected = 1",
    )
    .bind(incident.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    let mut out: Vec<String> = rows.into_iter().map(|r| r.0).collect();
    out.sort();
    out.dedup();
    Ok(out)
}

// ---------------------------------------------------------------- mail

#[allow(clippy::too_many_arguments)]
pub async fn insert_quarantine(
    c: &mut Conn,
    id: Id,
    now: &str,
    reason: &str,
    from: Option<String>,
    subject: Option<String>,
    raw_b64: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_quarantine (id, received_at, reason, from_address, subject, raw, status) VALUES ($1, $2, $3, $4, $5, $6, 'en_attente')",
    )
    .bind(id.to_string())
    .bind(now.to_string())
    .bind(reason.to_string())
    .bind(from)
    .bind(subject)
    .bind(raw_b64.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct QuarantineRow {
    pub id: String,
    pub received_at: String,
    pub reason: String,
    pub from_address: Option<String>,
    pub subject: Option<String>,
    pub status: String,
}

pub async fn list_quarantine(c: &mut Conn) -> Result<Vec<QuarantineRow>> {
    sqlx::query_as("SELECT id, received_at, reason, from_address, subject, status FROM mail_quarantine ORDER BY received_at DESC LIMIT 500")
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// The raw message (base64) of a quarantined mail still waiting.
pub async fn quarantined_raw(c: &mut Conn, id: Id) -> Result<String> {
    let r: Option<(String,)> =
        sqlx::query_as("SELECT raw FROM mail_quarantine WHERE id = $1 AND status = 'en_attente'")
            .bind(id.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    r.map(|r| r.0).ok_or(StoreError::NotFound)
}

pub async fn delete_quarantine(c: &mut Conn, id: Id) -> Result<()> {
    sqlx::query("DELETE FROM mail_quarantine WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn mark_quarantine(c: &mut Conn, id: Id, status: &str, by: Id, now: &str) -> Result<()> {
    sqlx::query(
        "UPDATE mail_quarantine SET status = $1, handled_by = $2, handled_at = $3 WHERE id = $4",
    )
    .bind(status.to_string())
    .bind(by.to_string())
    .bind(now.to_string())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn set_mail_message_id(c: &mut Conn, ticket: Id, message_id: &str) -> Result<()> {
    sqlx::query("UPDATE ticket_messages SET mail_message_id = $1 WHERE ticket_id = $2 AND mail_message_id IS NULL")
        .bind(message_id.to_string())
        .bind(ticket.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Addresses of one institution's people touched by an incident: requesters
/// of its grouped tickets and members who said "nous aussi".
pub async fn incident_recipients(
    c: &mut Conn,
    incident: Id,
    institution: &str,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = sqlx::query_as::<_, (Option<String>,)>(
        "SELECT requester_email FROM tickets WHERE incident_id = $1 AND institution_id = $2",
    )
    .bind(incident.to_string())
    .bind(institution.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?
    .into_iter()
    .filter_map(|r| r.0)
    .collect();
    let users: Vec<(String,)> = sqlx::query_as(
        "SELECT u.email FROM ticket_followers f JOIN tickets t ON t.id = f.ticket_id JOIN users u ON u.id = f.user_id \
         WHERE t.incident_id = $1 AND f.institution_id = $2 AND f.affected = 1 AND u.institution_id = $2",
    )
    .bind(incident.to_string())
    .bind(institution.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    out.extend(users.into_iter().map(|u| u.0));
    out.sort();
    out.dedup();
    Ok(out)
}

/// Entitled products of an institution (for the "new ticket" form).
pub async fn entitled_products(c: &mut Conn, institution: Id) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT p.id, p.name FROM deployments d JOIN products p ON p.id = d.product_id \
         WHERE d.institution_id = $1 AND d.status NOT IN ('retire', 'candidat') AND d.support_covered = 1 \
         ORDER BY p.name",
    )
    .bind(institution.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Active agency agents who can take tickets (admin and support roles).
pub async fn list_agents(c: &mut Conn) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT id, display_name FROM users WHERE role IN ('admin', 'support') AND active = 1 \
         ORDER BY display_name",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

// ---------------------------------------------------------------- saved searches

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct SavedSearchRow {
    pub id: String,
    pub name: String,
    pub query: String,
}

pub async fn insert_saved_search(
    c: &mut Conn,
    id: Id,
    user: Id,
    name: &str,
    query: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO saved_searches (id, user_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(user.to_string())
    .bind(name.to_string())
    .bind(query.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn list_saved_searches(c: &mut Conn, user: Id) -> Result<Vec<SavedSearchRow>> {
    sqlx::query_as("SELECT id, name, query FROM saved_searches WHERE user_id = $1 ORDER BY name")
        .bind(user.to_string())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Deletes one of the user's own saved searches; another person's is
/// NotFound.
pub async fn delete_saved_search(c: &mut Conn, user: Id, id: Id) -> Result<()> {
    let n = sqlx::query("DELETE FROM saved_searches WHERE id = $1 AND user_id = $2")
        .bind(id.to_string())
        .bind(user.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
