//! Accounts: users, server-side sessions, API tokens and login failures.
//! Secrets are stored only as SHA-256 hashes of random tokens, and passwords
//! as argon2id hashes computed by the app layer.

use crate::sql::{Arg, Sql};
use crate::{Conn, Result, Scope, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub role: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub locale: String,
    pub active: i64,
    pub created_at: String,
}

const USER_COLS: &str = "SELECT u.id, u.email, u.display_name, u.password_hash, u.role, \
    u.institution_id, i.name AS institution_name, u.locale, u.active, u.created_at \
    FROM users u LEFT JOIN institutions i ON i.id = u.institution_id";

async fn one_user(c: &mut Conn, q: &Sql) -> Result<UserRow> {
    sqlx::query_as_with::<_, UserRow, _>(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

pub async fn find_user_by_email(c: &mut Conn, email: &str) -> Result<UserRow> {
    let mut q = Sql::new(USER_COLS);
    q.push(" WHERE u.email = ").bind_text(email.to_lowercase());
    one_user(c, &q).await
}

pub async fn get_user(c: &mut Conn, scope: Scope, id: Id) -> Result<UserRow> {
    let mut q = Sql::new(USER_COLS);
    q.push(" WHERE u.id = ").bind_text(id.to_string());
    crate::crm::scope_filter(&mut q, "u.institution_id", scope);
    one_user(c, &q).await
}

pub async fn list_users(c: &mut Conn, scope: Scope, role: Option<&str>) -> Result<Vec<UserRow>> {
    let mut q = Sql::new(USER_COLS);
    q.push(" WHERE 1 = 1");
    crate::crm::scope_filter(&mut q, "u.institution_id", scope);
    if let Some(r) = role {
        q.push(" AND u.role = ").bind_text(r);
    }
    q.push(" ORDER BY u.display_name");
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

#[derive(Debug, Clone)]
pub struct UserValues {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub institution_id: Option<String>,
    pub locale: String,
    pub active: bool,
}

pub async fn insert_user(
    c: &mut Conn,
    id: Id,
    v: &UserValues,
    password_hash: Option<String>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO users (id, email, display_name, password_hash, role, institution_id, locale, \
         active, created_at, updated_at) VALUES (",
    );
    for (i, a) in [
        Arg::Text(id.to_string()),
        Arg::Text(v.email.to_lowercase()),
        Arg::Text(v.display_name.clone()),
        password_hash.map(Arg::Text).unwrap_or(Arg::NullText),
        Arg::Text(v.role.clone()),
        v.institution_id
            .clone()
            .map(Arg::Text)
            .unwrap_or(Arg::NullText),
        Arg::Text(v.locale.clone()),
        Arg::Int(v.active as i64),
        Arg::Text(now.into()),
        Arg::Text(now.into()),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            q.push(", ");
        }
        q.bind(a);
    }
    q.push(")");
    sqlx::query_with(&q.sql, q.arguments())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn update_user(
    c: &mut Conn,
    scope: Scope,
    id: Id,
    v: &UserValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new("UPDATE users SET email = ");
    q.bind_text(v.email.to_lowercase());
    q.push(", display_name = ")
        .bind_text(v.display_name.clone());
    q.push(", role = ").bind_text(v.role.clone());
    q.push(", institution_id = ").bind(
        v.institution_id
            .clone()
            .map(Arg::Text)
            .unwrap_or(Arg::NullText),
    );
    q.push(", locale = ").bind_text(v.locale.clone());
    q.push(", active = ").bind_int(v.active as i64);
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    crate::crm::scope_filter(&mut q, "institution_id", scope);
    let n = sqlx::query_with(&q.sql, q.arguments())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_locale(c: &mut Conn, id: Id, locale: &str) -> Result<()> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(locale.to_string())
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn set_password(c: &mut Conn, id: Id, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash.to_string())
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

// ---------------------------------------------------------------- sessions

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub expires_at: String,
}

pub async fn insert_session(
    c: &mut Conn,
    token_hash: &str,
    user: Id,
    csrf: &str,
    now: &str,
    expires: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash.to_string())
    .bind(user.to_string())
    .bind(csrf.to_string())
    .bind(now.to_string())
    .bind(expires.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// The live session and its user, if the token is known and not expired.
pub async fn find_session(
    c: &mut Conn,
    token_hash: &str,
    now: &str,
) -> Result<Option<(SessionRow, UserRow)>> {
    let s: Option<SessionRow> = sqlx::query_as(
        "SELECT token_hash, user_id, csrf_token, expires_at FROM sessions \
         WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash.to_string())
    .bind(now.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    let Some(s) = s else { return Ok(None) };
    let Some(uid) = Id::parse(&s.user_id) else {
        return Ok(None);
    };
    let u = get_user(c, Scope::All, uid).await?;
    if u.active == 0 {
        return Ok(None);
    }
    Ok(Some((s, u)))
}

pub async fn delete_session(c: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn delete_user_sessions(c: &mut Conn, user: Id) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Ends every session of `user` but the one whose hash is `keep`.
pub async fn delete_other_sessions(c: &mut Conn, user: Id, keep: &str) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user.to_string())
            .bind(keep.to_string())
            .execute(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?
            .rows_affected(),
    )
}

// ---------------------------------------------------------------- API tokens

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ApiTokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub async fn insert_api_token(
    c: &mut Conn,
    id: Id,
    user: Id,
    name: &str,
    hash: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(user.to_string())
    .bind(name.to_string())
    .bind(hash.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn list_api_tokens(c: &mut Conn, user: Id) -> Result<Vec<ApiTokenRow>> {
    sqlx::query_as(
        "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY created_at DESC",
    )
    .bind(user.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Revokes one of `user`'s tokens; another person's token id is "not found".
pub async fn revoke_api_token(c: &mut Conn, user: Id, id: Id, now: &str) -> Result<()> {
    let n = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now.to_string())
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

pub async fn find_api_token_user(c: &mut Conn, hash: &str, now: &str) -> Result<Option<UserRow>> {
    let Some((tid, u, last)) = find_api_token(c, hash).await? else {
        return Ok(None);
    };
    touch_api_token(c, &tid, last.as_deref(), now).await?;
    Ok(Some(u))
}

/// The active user behind a token hash, with the token id and when it was
/// last used: a read only, so that API reads go on when writes cannot.
pub async fn find_api_token(
    c: &mut Conn,
    hash: &str,
) -> Result<Option<(String, UserRow, Option<String>)>> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    let Some((tid, uid, last)) = row else {
        return Ok(None);
    };
    let Some(uid) = Id::parse(&uid) else {
        return Ok(None);
    };
    let u = get_user(c, Scope::All, uid).await?;
    Ok((u.active == 1).then_some((tid, u, last)))
}

/// Records the token's use, at most once a minute (the write lock is not
/// taken for every API call).
pub async fn touch_api_token(
    c: &mut Conn,
    token_id: &str,
    last_used: Option<&str>,
    now: &str,
) -> Result<()> {
    let recent = match (last_used.and_then(crate::parse_ts), crate::parse_ts(now)) {
        (Some(l), Some(n)) => n - l < chrono::Duration::seconds(60),
        _ => false,
    };
    if recent {
        return Ok(());
    }
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now.to_string())
        .bind(token_id.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

// ---------------------------------------------------------------- throttling

/// Records a failed sign-in for an account key from a client address.
pub async fn record_login_failure(c: &mut Conn, key: &str, client: &str, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO login_failures (id, login_key, client_addr, failed_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(Id::new().to_string())
    .bind(key.to_string())
    .bind(client.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Failures since `since` from `client` (for one account key, or all of
/// them), and the time of the last one.
pub async fn login_failure_stats(
    c: &mut Conn,
    key: Option<&str>,
    client: &str,
    since: &str,
) -> Result<(i64, Option<String>)> {
    let mut q =
        Sql::new("SELECT COUNT(*), MAX(failed_at) FROM login_failures WHERE client_addr = ");
    q.bind_text(client);
    q.push(" AND failed_at > ").bind_text(since);
    if let Some(k) = key {
        q.push(" AND login_key = ").bind_text(k);
    }
    sqlx::query_as_with::<_, (i64, Option<String>), _>(&q.sql, q.arguments())
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

/// Drops an account key's failures older than the window (they no longer
/// count), so the table stays small.
pub async fn forget_login_failures_before(c: &mut Conn, key: &str, before: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE login_key = $1 AND failed_at <= $2")
        .bind(key.to_string())
        .bind(before.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// A successful sign-in forgets that client's failures on the account.
pub async fn clear_login_failures(c: &mut Conn, key: &str, client: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE login_key = $1 AND client_addr = $2")
        .bind(key.to_string())
        .bind(client.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}
