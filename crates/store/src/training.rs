//! Training sessions and registrations. Seats are counted on the session
//! row and taken by a conditional update, so concurrent confirmations can
//! never exceed the capacity on either engine.

use crate::{Conn, Result, StoreError};
use relais_domain::Id;

/// A catalogue entry.
#[derive(Debug, Clone)]
pub struct NewTraining<'a> {
    pub code: &'a str,
    pub title: &'a str,
    /// `deploiement`, `continue` or `specifique`.
    pub kind: &'a str,
    /// `presentiel`, `distanciel`, `hybride` or `elearning`.
    pub modality: &'a str,
    pub half_days: i64,
}

pub async fn insert_training(c: &mut Conn, id: Id, t: &NewTraining<'_>, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO trainings (id, code, title, kind, modality, half_days, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(t.code.to_string())
    .bind(t.title.to_string())
    .bind(t.kind.to_string())
    .bind(t.modality.to_string())
    .bind(t.half_days)
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn insert_session(
    c: &mut Conn,
    id: Id,
    training: Id,
    starts_on: &str,
    ends_on: &str,
    capacity: i64,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO training_sessions (id, training_id, starts_on, ends_on, capacity, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'ouverte', $6)",
    )
    .bind(id.to_string())
    .bind(training.to_string())
    .bind(starts_on.to_string())
    .bind(ends_on.to_string())
    .bind(capacity)
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
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
    .map_err(StoreError::from_sqlx)?
    .rows_affected();
    Ok(n == 1)
}

/// Takes one seat if one is left. The update locks the session row on
/// PostgreSQL (a concurrent one waits, then re-checks the condition) and
/// SQLite has one writer: exactly `capacity` seats can ever be taken.
pub async fn take_seat(c: &mut Conn, session: Id) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE training_sessions SET seats_taken = seats_taken + 1 \
         WHERE id = $1 AND seats_taken < capacity AND status = 'ouverte'",
    )
    .bind(session.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?
    .rows_affected();
    Ok(n == 1)
}

pub async fn set_registration_status(c: &mut Conn, id: Id, status: &str, now: &str) -> Result<()> {
    sqlx::query("UPDATE registrations SET status = $1, decided_at = $2 WHERE id = $3")
        .bind(status.to_string())
        .bind(now.to_string())
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
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
    .map_err(StoreError::from_sqlx)?;
    let (taken, capacity): (i64, i64) =
        sqlx::query_as("SELECT seats_taken, capacity FROM training_sessions WHERE id = $1")
            .bind(session.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound)?;
    Ok((confirmed, waiting, taken, capacity))
}

/// `(session, institution, status)` of a registration.
pub async fn registration(c: &mut Conn, id: Id) -> Result<Option<(String, String, String)>> {
    sqlx::query_as("SELECT session_id, institution_id, status FROM registrations WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}
