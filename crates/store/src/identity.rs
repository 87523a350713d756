//! Identity, second step: where sessions come from and when they were last
//! used, one-use links sent by mail (password reset, invitation), and the
//! security log of each account.

use crate::sql::Sql;
use crate::{Conn, Result, Scope, StoreError};
use relais_domain::Id;
use sqlx::FromRow;

// ---------------------------------------------------------------- sessions

/// Records where a session was opened (client address, browser).
pub async fn set_session_origin(
    c: &mut Conn,
    token_hash: &str,
    client_addr: &str,
    user_agent: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET client_addr = $1, user_agent = $2, last_seen_at = $3 \
         WHERE token_hash = $4",
    )
    .bind(client_addr.to_string())
    .bind(user_agent.chars().take(300).collect::<String>())
    .bind(now.to_string())
    .bind(token_hash.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Notes that a session was used; written at most once a minute so reads
/// stay reads.
pub async fn touch_session(c: &mut Conn, token_hash: &str, now: &str, before: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 \
         AND (last_seen_at IS NULL OR last_seen_at < $3)",
    )
    .bind(now.to_string())
    .bind(token_hash.to_string())
    .bind(before.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionLine {
    pub token_hash: String,
    pub created_at: String,
    pub last_seen_at: Option<String>,
    pub client_addr: String,
    pub user_agent: String,
    pub sso_provider: Option<String>,
}

/// The live sessions of one person, most recent first.
pub async fn list_sessions(c: &mut Conn, user: Id, now: &str) -> Result<Vec<SessionLine>> {
    sqlx::query_as(
        "SELECT token_hash, created_at, last_seen_at, client_addr, user_agent, sso_provider \
         FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
    )
    .bind(user.to_string())
    .bind(now.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Ends one session of `user`; another person's session is "not found".
pub async fn delete_session_of(c: &mut Conn, user: Id, token_hash: &str) -> Result<()> {
    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash = $2")
        .bind(user.to_string())
        .bind(token_hash.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

// ---------------------------------------------------------------- one-use links

#[derive(Debug, Clone, FromRow)]
pub struct LinkRow {
    pub purpose: String,
    pub user_id: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

pub async fn insert_link(
    c: &mut Conn,
    id: Id,
    purpose: &str,
    user: Id,
    created_by: Option<Id>,
    now: &str,
    expires: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO account_links (id, purpose, user_id, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(purpose.to_string())
    .bind(user.to_string())
    .bind(created_by.map(|u| u.to_string()))
    .bind(now.to_string())
    .bind(expires.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Gives a link still usable its secret's hash (when its mail is sent);
/// returns the link, or none when it was used or expired meanwhile.
pub async fn arm_link(
    c: &mut Conn,
    id: Id,
    token_hash: &str,
    now: &str,
) -> Result<Option<LinkRow>> {
    let n = sqlx::query(
        "UPDATE account_links SET token_hash = $1 WHERE id = $2 AND used_at IS NULL \
         AND expires_at > $3",
    )
    .bind(token_hash.to_string())
    .bind(id.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?
    .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    find_link(c, token_hash).await
}

/// A link as it stands (used or not, expired or not), for the page that
/// explains why it no longer works.
pub async fn find_link(c: &mut Conn, token_hash: &str) -> Result<Option<LinkRow>> {
    sqlx::query_as(
        "SELECT purpose, user_id, expires_at, used_at FROM account_links WHERE token_hash = $1",
    )
    .bind(token_hash.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Marks a link used, only if it was not and has not expired: true when
/// this call took it (two concurrent uses: one wins).
pub async fn use_link(c: &mut Conn, token_hash: &str, purpose: &str, now: &str) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE account_links SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $4",
    )
    .bind(now.to_string())
    .bind(token_hash.to_string())
    .bind(purpose.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?
    .rows_affected()
        == 1)
}

/// Links of a person for one purpose asked since `since` (throttling).
pub async fn count_links_since(c: &mut Conn, user: Id, purpose: &str, since: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM account_links WHERE user_id = $1 AND purpose = $2 \
         AND created_at > $3",
    )
    .bind(user.to_string())
    .bind(purpose.to_string())
    .bind(since.to_string())
    .fetch_one(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(n)
}

// ---------------------------------------------------------------- security log

#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub user_id: Option<Id>,
    pub institution_id: Option<String>,
    pub actor_id: Option<Id>,
    pub kind: &'a str,
    pub method: &'a str,
    pub client_addr: &'a str,
    pub detail: &'a str,
}

pub async fn record_event(c: &mut Conn, e: &NewEvent<'_>, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO security_events (id, at, user_id, institution_id, actor_id, kind, method, \
         client_addr, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Id::new().to_string())
    .bind(now.to_string())
    .bind(e.user_id.map(|u| u.to_string()))
    .bind(e.institution_id.clone())
    .bind(e.actor_id.map(|u| u.to_string()))
    .bind(e.kind.to_string())
    .bind(e.method.to_string())
    .bind(e.client_addr.to_string())
    .bind(e.detail.chars().take(500).collect::<String>())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Security log lines of a kind from a client address since `since`.
pub async fn count_events_from(c: &mut Conn, kind: &str, client: &str, since: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM security_events WHERE kind = $1 AND client_addr = $2 AND at > $3",
    )
    .bind(kind.to_string())
    .bind(client.to_string())
    .bind(since.to_string())
    .fetch_one(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(n)
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub at: String,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub kind: String,
    pub method: String,
    pub client_addr: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub user_id: Option<Id>,
    pub kind: Option<String>,
    pub limit: i64,
}

/// Security log lines within `scope` (an institution's accounts, or all),
/// newest first.
pub async fn list_events(c: &mut Conn, scope: Scope, f: &EventFilter) -> Result<Vec<EventRow>> {
    let mut q = Sql::new(
        "SELECT e.at, e.user_id, u.email AS user_email, e.kind, e.method, e.client_addr, \
         e.detail FROM security_events e LEFT JOIN users u ON u.id = e.user_id WHERE 1 = 1",
    );
    crate::crm::scope_filter(&mut q, "e.institution_id", scope);
    if let Some(u) = f.user_id {
        q.push(" AND e.user_id = ").bind_text(u.to_string());
    }
    if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        q.push(" AND e.kind = ").bind_text(k);
    }
    q.push(" ORDER BY e.at DESC LIMIT ")
        .bind_int(f.limit.clamp(1, 1000));
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}
