//! Single sign-on: institutions recognised by SIRET or mail domain,
//! provider subjects linked to accounts, and sign-in flows under way.

use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use sqlx::FromRow;

/// Adds a SIRET (`kind = "siret"`) or mail domain (`"mail_domain"`) to an
/// institution; a value already held by another institution is a conflict.
pub async fn add_identifier(
    c: &mut Conn,
    institution: Id,
    kind: &str,
    value: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO institution_identifiers (kind, value, institution_id, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(kind.to_string())
    .bind(value.to_string())
    .bind(institution.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// The institution holding an identifier, with its `sso_pending` setting.
pub async fn institution_by_identifier(
    c: &mut Conn,
    kind: &str,
    value: &str,
) -> Result<Option<(String, i64)>> {
    sqlx::query_as(
        "SELECT i.id, i.sso_pending FROM institution_identifiers x \
         JOIN institutions i ON i.id = x.institution_id WHERE x.kind = $1 AND x.value = $2",
    )
    .bind(kind.to_string())
    .bind(value.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// The institution of a contact with this e-mail, if exactly one has it.
pub async fn institution_of_contact_email(
    c: &mut Conn,
    email: &str,
) -> Result<Option<(String, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT DISTINCT i.id, i.sso_pending FROM contacts k \
         JOIN institutions i ON i.id = k.institution_id WHERE LOWER(k.email) = $1",
    )
    .bind(email.to_lowercase())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(if rows.len() == 1 {
        rows.into_iter().next()
    } else {
        None
    })
}

pub async fn set_sso_pending(c: &mut Conn, institution: Id, pending: bool) -> Result<()> {
    sqlx::query("UPDATE institutions SET sso_pending = $1 WHERE id = $2")
        .bind(pending as i64)
        .bind(institution.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn user_of_identity(c: &mut Conn, provider: &str, subject: &str) -> Result<Option<Id>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT user_id FROM user_identities WHERE provider = $1 AND subject = $2")
            .bind(provider.to_string())
            .bind(subject.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    Ok(row.and_then(|(u,)| Id::parse(&u)))
}

pub async fn link_identity(
    c: &mut Conn,
    provider: &str,
    subject: &str,
    user: Id,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_identities (provider, subject, user_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(provider.to_string())
    .bind(subject.to_string())
    .bind(user.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct FlowRow {
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub expires_at: String,
}

pub async fn insert_flow(c: &mut Conn, state_hash: &str, f: &FlowRow, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO oidc_flows (state_hash, provider, nonce, pkce_verifier, return_to, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(state_hash.to_string())
    .bind(f.provider.clone())
    .bind(f.nonce.clone())
    .bind(f.pkce_verifier.clone())
    .bind(f.return_to.clone())
    .bind(now.to_string())
    .bind(f.expires_at.clone())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    // Flows never finished are forgotten once expired.
    sqlx::query("DELETE FROM oidc_flows WHERE expires_at < $1")
        .bind(now.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Takes a flow out (one use): found only once, and only before it expires.
pub async fn take_flow(c: &mut Conn, state_hash: &str, now: &str) -> Result<Option<FlowRow>> {
    let row: Option<FlowRow> = sqlx::query_as(
        "SELECT provider, nonce, pkce_verifier, return_to, expires_at FROM oidc_flows \
         WHERE state_hash = $1",
    )
    .bind(state_hash.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    let n = sqlx::query("DELETE FROM oidc_flows WHERE state_hash = $1")
        .bind(state_hash.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected();
    Ok(row.filter(|r| n == 1 && r.expires_at.as_str() > now))
}

/// Marks a session as opened through a provider, with its ID token.
pub async fn mark_session(
    c: &mut Conn,
    token_hash: &str,
    provider: &str,
    id_token: &str,
) -> Result<()> {
    sqlx::query("UPDATE sessions SET sso_provider = $1, id_token = $2 WHERE token_hash = $3")
        .bind(provider.to_string())
        .bind(id_token.to_string())
        .bind(token_hash.to_string())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// The provider and ID token of a session, if opened through one.
pub async fn session_sso(c: &mut Conn, token_hash: &str) -> Result<Option<(String, String)>> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT sso_provider, id_token FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(StoreError::from_sqlx)?;
    Ok(row.and_then(|(p, t)| Some((p?, t?))))
}
