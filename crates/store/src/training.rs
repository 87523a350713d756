//! Training: the catalogue, sessions (days, trainers, seats), registrations
//! (requests, waiting list, cancellation, attendance, reminders), the
//! board's dated tariffs, personal calendar tokens and the executive
//! cycles. Seats are counted on the session row and taken by a conditional
//! update, so concurrent confirmations can never exceed the capacity on
//! either engine. Institution scoping is a parameter of every query that
//! returns people.

use crate::sql::Sql;
use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

fn e(x: sqlx::Error) -> StoreError {
    StoreError::from_sqlx(x)
}

/// A catalogue entry.
#[derive(Debug, Clone, Default)]
pub struct NewTraining<'a> {
    pub code: &'a str,
    pub title: &'a str,
    /// `deploiement`, `continue` or `specifique`.
    pub kind: &'a str,
    /// `presentiel`, `distanciel`, `hybride` or `elearning`.
    pub modality: &'a str,
    pub half_days: i64,
    pub domain_code: Option<&'a str>,
    pub product_id: Option<&'a str>,
    pub objectives: Option<&'a str>,
    pub audience: Option<&'a str>,
    pub prerequisites: Option<&'a str>,
    pub moodle_url: Option<&'a str>,
}

fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

fn search_text(t: &NewTraining<'_>) -> String {
    relais_domain::fold(&format!(
        "{} {} {} {}",
        t.code,
        t.title,
        t.objectives.unwrap_or(""),
        t.audience.unwrap_or("")
    ))
}

pub async fn insert_training(c: &mut Conn, id: Id, t: &NewTraining<'_>, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO trainings (id, code, title, kind, modality, half_days, domain_code, product_id, objectives, \
         audience, prerequisites, moodle_url, search_text, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id.to_string())
    .bind(t.code.to_string())
    .bind(t.title.to_string())
    .bind(t.kind.to_string())
    .bind(t.modality.to_string())
    .bind(t.half_days)
    .bind(opt(t.domain_code))
    .bind(opt(t.product_id))
    .bind(opt(t.objectives))
    .bind(opt(t.audience))
    .bind(opt(t.prerequisites))
    .bind(opt(t.moodle_url))
    .bind(search_text(t))
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

pub async fn update_training(c: &mut Conn, id: Id, t: &NewTraining<'_>) -> Result<()> {
    let n = sqlx::query(
        "UPDATE trainings SET code = $1, title = $2, kind = $3, modality = $4, half_days = $5, domain_code = $6, \
         product_id = $7, objectives = $8, audience = $9, prerequisites = $10, moodle_url = $11, search_text = $12 \
         WHERE id = $13",
    )
    .bind(t.code.to_string())
    .bind(t.title.to_string())
    .bind(t.kind.to_string())
    .bind(t.modality.to_string())
    .bind(t.half_days)
    .bind(opt(t.domain_code))
    .bind(opt(t.product_id))
    .bind(opt(t.objectives))
    .bind(opt(t.audience))
    .bind(opt(t.prerequisites))
    .bind(opt(t.moodle_url))
    .bind(search_text(t))
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TrainingRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub modality: String,
    pub domain_code: Option<String>,
    pub domain_label: Option<String>,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub half_days: i64,
    pub objectives: Option<String>,
    pub audience: Option<String>,
    pub prerequisites: Option<String>,
    pub moodle_url: Option<String>,
    /// First day of the next session open to the reader, if any.
    pub next_session: Option<String>,
}

/// Catalogue filters; dates bound the sessions' first days.
#[derive(Debug, Clone, Default)]
pub struct TrainingFilter {
    pub q: Option<String>,
    pub domain: Option<String>,
    pub product: Option<String>,
    pub modality: Option<String>,
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Sessions counted from this day for `next_session`.
    pub today: String,
    /// The reader's institution: a tailored session of another
    /// institution is never shown. `None` for the agency.
    pub institution: Option<String>,
    pub agency: bool,
}

fn session_visible(q: &mut Sql, alias: &str, f: &TrainingFilter) {
    if !f.agency {
        q.push(&format!(
            " AND {alias}.status <> 'prevue' AND ({alias}.institution_id IS NULL"
        ));
        if let Some(i) = &f.institution {
            q.push(&format!(" OR {alias}.institution_id = "))
                .bind_text(i.clone());
        }
        q.push(")");
    }
}

pub async fn list_trainings(c: &mut Conn, f: &TrainingFilter) -> Result<Vec<TrainingRow>> {
    let mut q = Sql::new(
        "SELECT t.id, t.code, t.title, t.kind, t.modality, t.domain_code, d.name AS domain_label, t.product_id, \
         p.name AS product_name, t.half_days, t.objectives, t.audience, t.prerequisites, t.moodle_url, \
         (SELECT MIN(s.starts_on) FROM training_sessions s WHERE s.training_id = t.id AND s.status <> 'annulee' AND s.starts_on >= ",
    );
    q.bind_text(f.today.clone());
    session_visible(&mut q, "s", f);
    q.push(
        ") AS next_session FROM trainings t LEFT JOIN domains d ON d.code = t.domain_code \
            LEFT JOIN products p ON p.id = t.product_id WHERE 1 = 1",
    );
    if let Some(v) = &f.domain {
        q.push(" AND t.domain_code = ").bind_text(v.clone());
    }
    if let Some(v) = &f.product {
        q.push(" AND t.product_id = ").bind_text(v.clone());
    }
    if let Some(v) = &f.modality {
        q.push(" AND t.modality = ").bind_text(v.clone());
    }
    if let Some(v) = &f.kind {
        q.push(" AND t.kind = ").bind_text(v.clone());
    }
    if let Some(text) = &f.q {
        for word in relais_domain::fold(text).split_whitespace() {
            let w = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            q.push(" AND t.search_text LIKE ")
                .bind_text(format!("%{w}%"))
                .push(" ESCAPE '\\'");
        }
    }
    if f.from.is_some() || f.to.is_some() {
        q.push(" AND EXISTS (SELECT 1 FROM training_sessions s2 WHERE s2.training_id = t.id AND s2.status <> 'annulee'");
        session_visible(&mut q, "s2", f);
        if let Some(v) = &f.from {
            q.push(" AND s2.ends_on >= ").bind_text(v.clone());
        }
        if let Some(v) = &f.to {
            q.push(" AND s2.starts_on <= ").bind_text(v.clone());
        }
        q.push(")");
    }
    q.push(" ORDER BY t.title, t.id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

pub async fn get_training(c: &mut Conn, id: Id) -> Result<TrainingRow> {
    sqlx::query_as(
        "SELECT t.id, t.code, t.title, t.kind, t.modality, t.domain_code, d.name AS domain_label, t.product_id, \
         p.name AS product_name, t.half_days, t.objectives, t.audience, t.prerequisites, t.moodle_url, \
         CAST(NULL AS TEXT) AS next_session \
         FROM trainings t LEFT JOIN domains d ON d.code = t.domain_code LEFT JOIN products p ON p.id = t.product_id \
         WHERE t.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)?
    .ok_or(StoreError::NotFound)
}

/// A session as stored, with its training.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct SessionRow {
    pub id: String,
    pub training_id: String,
    pub training_code: String,
    pub training_title: String,
    pub kind: String,
    pub modality: String,
    pub starts_on: String,
    pub ends_on: String,
    pub place: Option<String>,
    pub visio_url: Option<String>,
    pub room_capacity: Option<i64>,
    pub capacity: i64,
    pub seats_taken: i64,
    /// Stored status (`prevue`, `ouverte`, `confirmee`, `annulee`, `realisee`).
    pub status: String,
    /// A tailored (spécifique) session belongs to the institution that
    /// asked for it.
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub half_days: Option<i64>,
}

const SESSION_COLS: &str = "SELECT s.id, s.training_id, t.code AS training_code, t.title AS training_title, t.kind, \
     t.modality, s.starts_on, s.ends_on, s.place, s.visio_url, s.room_capacity, s.capacity, s.seats_taken, s.status, \
     s.institution_id, i.name AS institution_name, s.half_days \
     FROM training_sessions s JOIN trainings t ON t.id = s.training_id LEFT JOIN institutions i ON i.id = s.institution_id";

pub async fn get_session(c: &mut Conn, id: Id) -> Result<SessionRow> {
    sqlx::query_as(&format!("{SESSION_COLS} WHERE s.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(e)?
        .ok_or(StoreError::NotFound)
}

/// Sessions of a training the reader may see, soonest first.
pub async fn sessions_of_training(
    c: &mut Conn,
    training: Id,
    f: &TrainingFilter,
) -> Result<Vec<SessionRow>> {
    let mut q = Sql::new(SESSION_COLS);
    q.push(" WHERE s.training_id = ")
        .bind_text(training.to_string());
    session_visible(&mut q, "s", f);
    q.push(" ORDER BY s.starts_on, s.id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

/// Sessions in a period that the reader may see (calendar feeds).
pub async fn sessions_between(
    c: &mut Conn,
    from: &str,
    to: &str,
    f: &TrainingFilter,
) -> Result<Vec<SessionRow>> {
    let mut q = Sql::new(SESSION_COLS);
    q.push(" WHERE s.ends_on >= ")
        .bind_text(from)
        .push(" AND s.starts_on <= ")
        .bind_text(to);
    session_visible(&mut q, "s", f);
    q.push(" ORDER BY s.starts_on, s.id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

/// Sessions a trainer runs.
pub async fn sessions_of_trainer(c: &mut Conn, user: Id) -> Result<Vec<SessionRow>> {
    sqlx::query_as(&format!(
        "{SESSION_COLS} WHERE s.id IN (SELECT session_id FROM session_trainers WHERE user_id = $1) ORDER BY s.starts_on, s.id"
    ))
    .bind(user.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// A new session.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub training: Id,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub place: Option<&'a str>,
    pub visio_url: Option<&'a str>,
    pub room_capacity: i64,
    pub capacity: i64,
    pub status: &'a str,
    pub institution: Option<Id>,
    pub half_days: i64,
}

pub async fn insert_session_full(
    c: &mut Conn,
    id: Id,
    s: &NewSession<'_>,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO training_sessions (id, training_id, starts_on, ends_on, place, visio_url, room_capacity, capacity, \
         status, institution_id, half_days, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.to_string())
    .bind(s.training.to_string())
    .bind(s.starts_on.to_string())
    .bind(s.ends_on.to_string())
    .bind(opt(s.place))
    .bind(opt(s.visio_url))
    .bind(s.room_capacity)
    .bind(s.capacity)
    .bind(s.status.to_string())
    .bind(s.institution.map(|i| i.to_string()))
    .bind(s.half_days)
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

/// A bare open session of `capacity` seats (tests and the load test).
pub async fn insert_session(
    c: &mut Conn,
    id: Id,
    training: Id,
    starts_on: &str,
    ends_on: &str,
    capacity: i64,
    now: &str,
) -> Result<()> {
    insert_session_full(
        c,
        id,
        &NewSession {
            training,
            starts_on,
            ends_on,
            place: None,
            visio_url: None,
            room_capacity: capacity,
            capacity,
            status: "ouverte",
            institution: None,
            half_days: 0,
        },
        now,
    )
    .await
}

/// Edits what a session's page edits. The capacity never goes under the
/// seats already taken.
pub async fn update_session(c: &mut Conn, id: Id, s: &NewSession<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE training_sessions SET starts_on = $1, ends_on = $2, place = $3, visio_url = $4, room_capacity = $5, \
         capacity = CASE WHEN $6 < seats_taken THEN seats_taken ELSE $6 END, status = $7, institution_id = $8, \
         half_days = $9 WHERE id = $10",
    )
    .bind(s.starts_on.to_string())
    .bind(s.ends_on.to_string())
    .bind(opt(s.place))
    .bind(opt(s.visio_url))
    .bind(s.room_capacity)
    .bind(s.capacity)
    .bind(s.status.to_string())
    .bind(s.institution.map(|i| i.to_string()))
    .bind(s.half_days)
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

pub async fn set_session_status(c: &mut Conn, id: Id, status: &str) -> Result<()> {
    sqlx::query("UPDATE training_sessions SET status = $1 WHERE id = $2")
        .bind(status.to_string())
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    Ok(())
}

/// Re-applies the sanitary percentage to sessions still to come; a room
/// never shrinks under the seats already taken.
pub async fn apply_sanitary_percent(
    c: &mut Conn,
    percent: i64,
    today: &str,
) -> Result<Vec<String>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT id, COALESCE(room_capacity, capacity), seats_taken FROM training_sessions \
         WHERE starts_on >= $1 AND status IN ('prevue', 'ouverte', 'confirmee')",
    )
    .bind(today.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    let mut changed = vec![];
    for (id, room, taken) in rows {
        let cap = relais_domain::training::effective_capacity(room, percent).max(taken);
        sqlx::query("UPDATE training_sessions SET capacity = $1 WHERE id = $2 AND capacity <> $1")
            .bind(cap)
            .bind(id.clone())
            .execute(&mut *c)
            .await
            .map_err(e)?;
        changed.push(id);
    }
    Ok(changed)
}

pub async fn replace_session_days(
    c: &mut Conn,
    session: Id,
    days: &[(String, String)],
) -> Result<()> {
    sqlx::query("DELETE FROM session_days WHERE session_id = $1")
        .bind(session.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    for (day, part) in days {
        sqlx::query("INSERT INTO session_days (session_id, day, part) VALUES ($1, $2, $3)")
            .bind(session.to_string())
            .bind(day.clone())
            .bind(part.clone())
            .execute(&mut *c)
            .await
            .map_err(e)?;
    }
    Ok(())
}

/// `(day, part)` of a session, in order.
pub async fn session_days(c: &mut Conn, session: Id) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT day, part FROM session_days WHERE session_id = $1 ORDER BY day, part DESC",
    )
    .bind(session.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

pub async fn set_session_trainers(c: &mut Conn, session: Id, users: &[Id]) -> Result<()> {
    sqlx::query("DELETE FROM session_trainers WHERE session_id = $1")
        .bind(session.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    for u in users {
        sqlx::query("INSERT INTO session_trainers (session_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(session.to_string())
            .bind(u.to_string())
            .execute(&mut *c)
            .await
            .map_err(e)?;
    }
    Ok(())
}

/// `(user id, name)` of a session's trainers.
pub async fn session_trainers(c: &mut Conn, session: Id) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name FROM session_trainers st JOIN users u ON u.id = st.user_id \
         WHERE st.session_id = $1 ORDER BY u.display_name",
    )
    .bind(session.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// `(id, name)` of every active trainer account.
pub async fn trainers(c: &mut Conn) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT id, display_name FROM users WHERE role = 'trainer' AND active = 1 ORDER BY display_name",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// Inserts a registration request; `false` when the person already has one
/// for this session.
pub async fn insert_registration(
    c: &mut Conn,
    id: Id,
    session: Id,
    user: Id,
    institution: Id,
    status: &str,
    now: &str,
) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO registrations (id, session_id, user_id, institution_id, status, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(session.to_string())
    .bind(user.to_string())
    .bind(institution.to_string())
    .bind(status.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?
    .rows_affected();
    Ok(n == 1)
}

/// A cancelled or refused registration is asked again: the same row goes
/// back to "demande", keeping the one-per-person rule.
pub async fn renew_registration(
    c: &mut Conn,
    session: Id,
    user: Id,
    now: &str,
) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE registrations SET status = 'demande', requested_at = $1, decided_at = NULL, waiting_since = NULL, \
         cancelled_at = NULL, late_cancel = 0, attended = NULL, reminded_at = NULL, decided_by = NULL \
         WHERE session_id = $2 AND user_id = $3 AND status IN ('annulee', 'refusee') RETURNING id",
    )
    .bind(now.to_string())
    .bind(session.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)?;
    Ok(row.map(|r| r.0))
}

/// Takes one seat if one is left. The update locks the session row on
/// PostgreSQL (a concurrent one waits, then re-checks the condition) and
/// SQLite has one writer: exactly `capacity` seats can ever be taken.
pub async fn take_seat(c: &mut Conn, session: Id) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE training_sessions SET seats_taken = seats_taken + 1 \
         WHERE id = $1 AND seats_taken < capacity AND status IN ('ouverte', 'confirmee')",
    )
    .bind(session.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?
    .rows_affected();
    Ok(n == 1)
}

/// Gives a seat back.
pub async fn release_seat(c: &mut Conn, session: Id) -> Result<()> {
    sqlx::query("UPDATE training_sessions SET seats_taken = seats_taken - 1 WHERE id = $1 AND seats_taken > 0")
        .bind(session.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    Ok(())
}

/// Records a decision: the new status, who decided, and for the waiting
/// list the moment the person joined it (the list's order).
pub async fn decide(c: &mut Conn, id: Id, status: &str, by: Id, now: &str) -> Result<()> {
    sqlx::query(
        "UPDATE registrations SET status = $1, decided_at = $2, decided_by = $3, \
         waiting_since = CASE WHEN $1 = 'attente' THEN $2 ELSE waiting_since END WHERE id = $4",
    )
    .bind(status.to_string())
    .bind(now.to_string())
    .bind(by.to_string())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

/// Confirms a registration taken from the waiting list.
pub async fn promote(c: &mut Conn, id: Id, now: &str) -> Result<()> {
    sqlx::query("UPDATE registrations SET status = 'confirmee', decided_at = $1 WHERE id = $2 AND status = 'attente'")
        .bind(now.to_string())
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    Ok(())
}

pub async fn cancel_registration(c: &mut Conn, id: Id, late: bool, now: &str) -> Result<()> {
    sqlx::query(
        "UPDATE registrations SET status = 'annulee', cancelled_at = $1, late_cancel = $2 WHERE id = $3",
    )
    .bind(now.to_string())
    .bind(if late { 1i64 } else { 0 })
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

/// The first in line on a session's waiting list.
pub async fn first_waiting(c: &mut Conn, session: Id) -> Result<Option<Id>> {
    let r: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM registrations WHERE session_id = $1 AND status = 'attente' \
         ORDER BY waiting_since, requested_at, id LIMIT 1",
    )
    .bind(session.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)?;
    Ok(r.and_then(|x| Id::parse(&x.0)))
}

/// 1-based place on the waiting list.
pub async fn waiting_position(c: &mut Conn, id: Id) -> Result<Option<i64>> {
    let r: Option<(i64,)> = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM registrations o WHERE o.session_id = r.session_id AND o.status = 'attente' \
         AND (o.waiting_since < r.waiting_since OR (o.waiting_since = r.waiting_since AND o.id <= r.id))) \
         FROM registrations r WHERE r.id = $1 AND r.status = 'attente'",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)?;
    Ok(r.map(|x| x.0))
}

pub async fn set_attendance(c: &mut Conn, id: Id, present: Option<bool>) -> Result<()> {
    sqlx::query("UPDATE registrations SET attended = $1 WHERE id = $2")
        .bind(present.map(|p| if p { 1i64 } else { 0 }))
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    Ok(())
}

/// `(confirmed, waiting, seats_taken, capacity)` of a session.
pub async fn session_counts(c: &mut Conn, session: Id) -> Result<(i64, i64, i64, i64)> {
    let (confirmed, waiting): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'confirmee' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN status = 'attente' THEN 1 ELSE 0 END), 0) FROM registrations WHERE session_id = $1",
    )
    .bind(session.to_string())
    .fetch_one(&mut *c)
    .await
    .map_err(e)?;
    let (taken, capacity): (i64, i64) =
        sqlx::query_as("SELECT seats_taken, capacity FROM training_sessions WHERE id = $1")
            .bind(session.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(e)?
            .ok_or(StoreError::NotFound)?;
    Ok((confirmed, waiting, taken, capacity))
}

/// `(session, institution, status)` of a registration.
pub async fn registration(c: &mut Conn, id: Id) -> Result<Option<(String, String, String)>> {
    sqlx::query_as("SELECT session_id, institution_id, status FROM registrations WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(e)
}

/// A registration with its person, institution and session.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RegistrationRow {
    pub id: String,
    pub session_id: String,
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
    pub institution_id: String,
    pub institution_name: String,
    pub status: String,
    pub requested_at: String,
    pub decided_at: Option<String>,
    pub waiting_since: Option<String>,
    pub cancelled_at: Option<String>,
    pub late_cancel: i64,
    /// 1 present, 0 absent, none while attendance is not taken.
    pub attended: Option<i64>,
    pub training_id: String,
    pub training_title: String,
    pub kind: String,
    pub starts_on: String,
    pub ends_on: String,
    pub place: Option<String>,
    pub half_days: Option<i64>,
    pub session_status: String,
}

const REG_COLS: &str = "SELECT r.id, r.session_id, r.user_id, u.display_name AS user_name, u.email AS user_email, \
     r.institution_id, i.name AS institution_name, r.status, r.requested_at, r.decided_at, r.waiting_since, \
     r.cancelled_at, r.late_cancel, r.attended, t.id AS training_id, t.title AS training_title, t.kind, s.starts_on, \
     s.ends_on, s.place, s.half_days, s.status AS session_status \
     FROM registrations r JOIN users u ON u.id = r.user_id JOIN institutions i ON i.id = r.institution_id \
     JOIN training_sessions s ON s.id = r.session_id JOIN trainings t ON t.id = s.training_id";

/// One registration, within the institution when one is given.
pub async fn get_registration(
    c: &mut Conn,
    id: Id,
    institution: Option<Id>,
) -> Result<RegistrationRow> {
    let mut q = Sql::new(REG_COLS);
    q.push(" WHERE r.id = ").bind_text(id.to_string());
    if let Some(i) = institution {
        q.push(" AND r.institution_id = ").bind_text(i.to_string());
    }
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(e)?
        .ok_or(StoreError::NotFound)
}

/// A session's registrations, within one institution when given; waiting
/// list in its order, then the rest by request time.
pub async fn registrations_of_session(
    c: &mut Conn,
    session: Id,
    institution: Option<Id>,
) -> Result<Vec<RegistrationRow>> {
    let mut q = Sql::new(REG_COLS);
    q.push(" WHERE r.session_id = ")
        .bind_text(session.to_string());
    if let Some(i) = institution {
        q.push(" AND r.institution_id = ").bind_text(i.to_string());
    }
    q.push(" ORDER BY CASE r.status WHEN 'confirmee' THEN 0 WHEN 'attente' THEN 1 WHEN 'demande' THEN 2 ELSE 3 END, \
            r.waiting_since, r.requested_at, r.id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

/// A person's registrations, latest sessions first.
pub async fn registrations_of_user(c: &mut Conn, user: Id) -> Result<Vec<RegistrationRow>> {
    sqlx::query_as(&format!(
        "{REG_COLS} WHERE r.user_id = $1 ORDER BY s.starts_on DESC, r.id"
    ))
    .bind(user.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// Requests awaiting a decision, within one institution when given.
pub async fn pending_requests(
    c: &mut Conn,
    institution: Option<Id>,
) -> Result<Vec<RegistrationRow>> {
    let mut q = Sql::new(REG_COLS);
    q.push(" WHERE r.status = 'demande'");
    if let Some(i) = institution {
        q.push(" AND r.institution_id = ").bind_text(i.to_string());
    }
    q.push(" ORDER BY r.requested_at, r.id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

/// An institution's registrations on sessions whose first day falls in
/// `[from, to]`.
pub async fn registrations_of_institution(
    c: &mut Conn,
    institution: Id,
    from: &str,
    to: &str,
) -> Result<Vec<RegistrationRow>> {
    sqlx::query_as(&format!(
        "{REG_COLS} WHERE r.institution_id = $1 AND s.starts_on >= $2 AND s.starts_on <= $3 ORDER BY s.starts_on, u.display_name, r.id"
    ))
    .bind(institution.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// Tailored sessions an institution asked for, first day in `[from, to]`.
pub async fn specific_sessions_of(
    c: &mut Conn,
    institution: Id,
    from: &str,
    to: &str,
) -> Result<Vec<SessionRow>> {
    sqlx::query_as(&format!(
        "{SESSION_COLS} WHERE s.institution_id = $1 AND t.kind = 'specifique' AND s.status <> 'annulee' \
         AND s.starts_on >= $2 AND s.starts_on <= $3 ORDER BY s.starts_on, s.id"
    ))
    .bind(institution.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// A trainer's sessions with a first day in `[from, to]`, with the number
/// of trainers of each (a pair splits the pay).
pub async fn trainer_sessions(
    c: &mut Conn,
    user: Id,
    from: &str,
    to: &str,
) -> Result<Vec<(SessionRow, i64)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        session: SessionRow,
        trainers: i64,
    }
    let cols = SESSION_COLS.replacen(
        " FROM training_sessions s",
        ", (SELECT COUNT(*) FROM session_trainers n WHERE n.session_id = s.id) AS trainers FROM training_sessions s",
        1,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{cols} WHERE s.id IN (SELECT session_id FROM session_trainers WHERE user_id = $1) \
         AND s.status <> 'annulee' AND s.starts_on >= $2 AND s.starts_on <= $3 ORDER BY s.starts_on, s.id"
    ))
    .bind(user.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    Ok(rows.into_iter().map(|r| (r.session, r.trainers)).collect())
}

/// Confirmed registrations not yet reminded whose session starts in
/// `[from, to]`.
pub async fn due_reminders(c: &mut Conn, from: &str, to: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT r.id FROM registrations r JOIN training_sessions s ON s.id = r.session_id \
         WHERE r.status = 'confirmee' AND r.reminded_at IS NULL AND s.status IN ('ouverte', 'confirmee') \
         AND s.starts_on >= $1 AND s.starts_on <= $2 ORDER BY s.starts_on, r.id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Marks a reminder sent; `false` when another sweep got there first.
pub async fn mark_reminded(c: &mut Conn, id: &str, now: &str) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE registrations SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
    )
    .bind(now.to_string())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?
    .rows_affected();
    Ok(n == 1)
}

/// A row of the dated tariff table.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TariffRow {
    pub effective_from: String,
    pub continue_cents: i64,
    pub specific_cents: i64,
    pub trainer_cents: i64,
    pub note: Option<String>,
    pub updated_at: String,
}

pub async fn tariffs(c: &mut Conn) -> Result<Vec<TariffRow>> {
    sqlx::query_as(
        "SELECT effective_from, continue_cents, specific_cents, trainer_cents, note, updated_at FROM tariffs \
         ORDER BY effective_from",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

pub async fn upsert_tariff(c: &mut Conn, t: &TariffRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO tariffs (effective_from, continue_cents, specific_cents, trainer_cents, note, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (effective_from) DO UPDATE SET \
         continue_cents = excluded.continue_cents, specific_cents = excluded.specific_cents, \
         trainer_cents = excluded.trainer_cents, note = excluded.note, updated_at = excluded.updated_at",
    )
    .bind(t.effective_from.clone())
    .bind(t.continue_cents)
    .bind(t.specific_cents)
    .bind(t.trainer_cents)
    .bind(t.note.clone())
    .bind(t.updated_at.clone())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

/// Stores the hash of a person's calendar token, replacing the old one.
pub async fn set_calendar_token(c: &mut Conn, user: Id, hash: &str, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO calendar_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
    )
    .bind(user.to_string())
    .bind(hash.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

pub async fn delete_calendar_token(c: &mut Conn, user: Id) -> Result<()> {
    sqlx::query("DELETE FROM calendar_tokens WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    Ok(())
}

/// When the person's token was made, if they have one.
pub async fn calendar_token_created(c: &mut Conn, user: Id) -> Result<Option<String>> {
    let r: Option<(String,)> =
        sqlx::query_as("SELECT created_at FROM calendar_tokens WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(e)?;
    Ok(r.map(|x| x.0))
}

/// The active user a calendar token hash belongs to.
pub async fn user_of_calendar_token(c: &mut Conn, hash: &str) -> Result<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name FROM calendar_tokens k JOIN users u ON u.id = k.user_id \
         WHERE k.token_hash = $1 AND u.active = 1",
    )
    .bind(hash.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CycleRow {
    pub id: String,
    pub function_code: String,
    pub title: String,
    pub partner: String,
    pub cohort: String,
    pub starts_on: String,
    pub ends_on: String,
    pub participants: i64,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ModuleRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub modality: String,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ParticipantRow {
    pub contact_id: String,
    pub name: String,
    pub function: String,
    pub institution_id: String,
    pub institution_name: String,
}

pub async fn insert_cycle(c: &mut Conn, id: Id, r: &CycleRow, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO exec_cycles (id, function_code, title, partner, cohort, starts_on, ends_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(r.function_code.clone())
    .bind(r.title.clone())
    .bind(r.partner.clone())
    .bind(r.cohort.clone())
    .bind(r.starts_on.clone())
    .bind(r.ends_on.clone())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

pub async fn insert_module(c: &mut Conn, cycle: Id, m: &ModuleRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO exec_modules (id, cycle_id, code, title, starts_on, ends_on, modality) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Id::new().to_string())
    .bind(cycle.to_string())
    .bind(m.code.clone())
    .bind(m.title.clone())
    .bind(m.starts_on.clone())
    .bind(m.ends_on.clone())
    .bind(m.modality.clone())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

/// Adds a contact to a cohort; `false` when already in it.
pub async fn add_participant(
    c: &mut Conn,
    cycle: Id,
    contact: Id,
    institution: Id,
) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO exec_participants (cycle_id, contact_id, institution_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(cycle.to_string())
    .bind(contact.to_string())
    .bind(institution.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?
    .rows_affected();
    Ok(n == 1)
}

/// Cycles with their participant count — within one institution when given.
pub async fn list_cycles(c: &mut Conn, institution: Option<Id>) -> Result<Vec<CycleRow>> {
    let mut q = Sql::new(
        "SELECT y.id, y.function_code, y.title, y.partner, y.cohort, y.starts_on, y.ends_on, \
         (SELECT COUNT(*) FROM exec_participants p WHERE p.cycle_id = y.id",
    );
    if let Some(i) = institution {
        q.push(" AND p.institution_id = ").bind_text(i.to_string());
    }
    q.push(") AS participants FROM exec_cycles y ORDER BY y.cohort DESC, y.function_code, y.id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

pub async fn cycle_modules(c: &mut Conn, cycle: Id) -> Result<Vec<ModuleRow>> {
    sqlx::query_as(
        "SELECT id, code, title, starts_on, ends_on, modality FROM exec_modules WHERE cycle_id = $1 \
         ORDER BY CASE code WHEN 'commun' THEN 0 ELSE 1 END, code",
    )
    .bind(cycle.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// A cohort's participants — within one institution when given.
pub async fn cycle_participants(
    c: &mut Conn,
    cycle: Id,
    institution: Option<Id>,
) -> Result<Vec<ParticipantRow>> {
    let mut q = Sql::new(
        "SELECT k.id AS contact_id, k.first_name || ' ' || k.last_name AS name, k.function, p.institution_id, \
         i.name AS institution_name FROM exec_participants p JOIN contacts k ON k.id = p.contact_id \
         JOIN institutions i ON i.id = p.institution_id WHERE p.cycle_id = ",
    );
    q.bind_text(cycle.to_string());
    if let Some(i) = institution {
        q.push(" AND p.institution_id = ").bind_text(i.to_string());
    }
    q.push(" ORDER BY i.name, k.last_name, k.id");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}
