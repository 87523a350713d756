//! Accounts and access: password login with throttling, server-side
//! sessions, API tokens, and user management within what a role may grant.

use crate::{App, AppError, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use rand::RngCore;
use relais_domain::accounts::{Actor, Role, Scope};
use relais_domain::shared::{is_plausible_email, Violations};
use relais_domain::{DomainError, Id};
use relais_store::accounts as store;
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::accounts::UserRow;
use relais_store::accounts::UserValues;
use sha2::{Digest, Sha256};

/// A random secret, URL-safe: session cookies, CSRF and API tokens.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Only hashes of bearer secrets are stored, so a database leak does not
/// hand out live sessions.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn actor_of(u: &UserRow) -> Option<Actor> {
    Some(Actor {
        user_id: Id::parse(&u.id)?,
        role: Role::from_code(&u.role)?,
        institution_id: u.institution_id.as_deref().and_then(Id::parse),
        display_name: u.display_name.clone(),
    })
}

/// A session opened by a successful login.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user: UserRow,
}

/// Checks a password and opens a session (for callers without a client
/// address: the demo, benches).
pub async fn login(app: &App, email: &str, password: &str) -> Result<NewSession> {
    login_from(app, email, password, "local").await
}

/// Seconds still to wait after `failures` failures, the last at `last`:
/// nothing while under `free`, then 1 s, 2 s, 4 s… up to `max`.
fn wait_seconds(
    failures: i64,
    free: i64,
    last: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    max: i64,
) -> i64 {
    if failures < free {
        return 0;
    }
    let delay = (1i64 << (failures - free).min(30)).min(max);
    let Some(last) = last.and_then(|l| chrono::DateTime::parse_from_rfc3339(l).ok()) else {
        return 0;
    };
    let elapsed_ms = (now - last.with_timezone(&chrono::Utc)).num_milliseconds();
    let left_ms = delay * 1000 - elapsed_ms;
    if left_ms <= 0 {
        0
    } else {
        (left_ms + 999) / 1000
    }
}

/// Checks a password and opens a session. Failures slow down the client
/// that makes them, never the account: per (account, client address) and
/// per address across accounts, past a few free attempts each new attempt
/// waits a doubling delay (refused with the seconds left, no sleeping).
/// Someone signing in from another address is not affected by a flood.
pub async fn login_from(
    app: &App,
    email: &str,
    password: &str,
    client: &str,
) -> Result<NewSession> {
    login_with(app, email, password, client, "").await
}

/// [`login_from`] with the browser's `User-Agent`, shown on the sessions
/// page. Every attempt goes to the security log (failures too, with the
/// address), except those refused by throttling before any check.
pub async fn login_with(
    app: &App,
    email: &str,
    password: &str,
    client: &str,
    user_agent: &str,
) -> Result<NewSession> {
    let key = email.trim().to_lowercase();
    let now = app.clock.now();
    let s = &app.settings;
    let since = relais_store::ts(now - chrono::Duration::minutes(s.login_window_minutes));
    let mut tx = app.db.begin().await?;
    let (pair, pair_last) = store::login_failure_stats(&mut tx, Some(&key), client, &since).await?;
    let (addr, addr_last) = store::login_failure_stats(&mut tx, None, client, &since).await?;
    let wait = wait_seconds(
        pair,
        s.max_login_failures,
        pair_last.as_deref(),
        now,
        s.login_max_delay_seconds,
    )
    .max(wait_seconds(
        addr,
        s.max_login_failures_per_address,
        addr_last.as_deref(),
        now,
        s.login_max_delay_seconds,
    ));
    if wait > 0 {
        return Err(AppError::Throttled {
            retry_after_secs: wait,
        });
    }
    let user = match store::find_user_by_email(&mut tx, &key).await {
        Ok(u) => Some(u),
        Err(relais_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ok = match user.as_ref().and_then(|u| u.password_hash.clone()) {
        Some(h) => verify_password(&h, password),
        None => {
            // Same work as a real check, so timing does not reveal accounts.
            let _ = hash_password(password);
            false
        }
    };
    let user = match (ok, user) {
        (true, Some(u)) if u.active == 1 => u,
        (_, u) => {
            store::forget_login_failures_before(&mut tx, &key, &since).await?;
            store::record_login_failure(&mut tx, &key, client, &relais_store::ts(now)).await?;
            crate::identity::log_event(
                &mut tx,
                app,
                u.as_ref(),
                None,
                "login_failed",
                "password",
                client,
                if u.is_some() { "" } else { &key },
            )
            .await?;
            tx.commit().await?;
            return Err(DomainError::invalid(
                "bad_credentials",
                "email",
                "Adresse ou mot de passe incorrect.",
            )
            .into());
        }
    };
    store::clear_login_failures(&mut tx, &key, client).await?;
    let (token, csrf) = open_session(&mut tx, app, &user, client, user_agent).await?;
    crate::identity::log_event(
        &mut tx,
        app,
        Some(&user),
        None,
        "login",
        "password",
        client,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession { token, csrf, user })
}

/// Opens a session for `user` inside the caller's transaction and returns
/// its cookie secret and CSRF token.
pub(crate) async fn open_session(
    tx: &mut relais_store::Conn,
    app: &App,
    user: &UserRow,
    client: &str,
    user_agent: &str,
) -> Result<(String, String)> {
    let now = app.clock.now();
    let token = random_token();
    let csrf = random_token();
    let uid = Id::parse(&user.id).ok_or_else(|| AppError::Internal("bad user id".into()))?;
    store::insert_session(
        tx,
        &hash_token(&token),
        uid,
        &csrf,
        &relais_store::ts(now),
        &relais_store::ts(now + chrono::Duration::hours(app.settings.session_hours)),
    )
    .await?;
    relais_store::identity::set_session_origin(
        tx,
        &hash_token(&token),
        client,
        user_agent,
        &relais_store::ts(now),
    )
    .await?;
    Ok((token, csrf))
}

/// The session behind a cookie value: its actor, CSRF token and user.
pub async fn session(app: &App, token: &str) -> Result<Option<(Actor, String, UserRow)>> {
    let mut c = app.db.read().await?;
    let found = store::find_session(&mut c, &hash_token(token), &app.now_ts()).await?;
    Ok(found.and_then(|(s, u)| actor_of(&u).map(|a| (a, s.csrf_token, u))))
}

pub async fn logout(app: &App, token: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    store::delete_session(&mut tx, &hash_token(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates an API token and returns its secret, shown once.
pub async fn create_api_token(app: &App, actor: &Actor, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(DomainError::invalid(
            "required",
            "name",
            "Donnez un nom au jeton (100 caractères au plus).",
        )
        .into());
    }
    let token = format!("rls_{}", random_token());
    let mut tx = app.db.begin().await?;
    store::insert_api_token(
        &mut tx,
        Id::new(),
        actor.user_id,
        name,
        &hash_token(&token),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn revoke_api_token(app: &App, actor: &Actor, id: Id) -> Result<()> {
    let mut tx = app.db.begin().await?;
    store::revoke_api_token(&mut tx, actor.user_id, id, &app.now_ts()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_api_tokens(app: &App, actor: &Actor) -> Result<Vec<store::ApiTokenRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_api_tokens(&mut c, actor.user_id).await?)
}

pub async fn token_actor(app: &App, token: &str) -> Result<Option<(Actor, UserRow)>> {
    let found = {
        let mut c = app.db.read().await?;
        store::find_api_token(&mut c, &hash_token(token)).await?
    };
    let Some((tid, u, last)) = found else {
        return Ok(None);
    };
    // Recording the use is best effort: a full disk must not stop reads.
    let now = app.now_ts();
    let touched = async {
        if last
            .as_deref()
            .and_then(relais_store::parse_ts)
            .is_some_and(|l| app.clock.now() - l < chrono::Duration::seconds(60))
        {
            return Ok(());
        }
        let mut tx = app.db.begin().await?;
        store::touch_api_token(&mut tx, &tid, last.as_deref(), &now).await?;
        tx.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(e) = touched {
        tracing::warn!(error = %e, "API token use not recorded");
    }
    Ok(actor_of(&u).map(|a| (a, u)))
}

pub async fn set_locale(app: &App, actor: &Actor, locale: &str) -> Result<()> {
    let locale = if locale == "en" { "en" } else { "fr" };
    let mut tx = app.db.begin().await?;
    store::set_locale(&mut tx, actor.user_id, locale).await?;
    tx.commit().await?;
    Ok(())
}

/// The password rules, after ANSSI's recommendations: length rather than
/// composition (12 characters at least; long passphrases welcome), and not
/// something tied to the account.
pub fn password_violations(password: &str, email: &str) -> Violations {
    let mut v = Violations::default();
    let n = password.chars().count();
    if n < 12 {
        v.push(
            "weak_password",
            "password",
            "Le mot de passe doit compter au moins 12 caractères (une phrase de passe convient).",
        );
    } else if n > 256 {
        v.push(
            "weak_password",
            "password",
            "Le mot de passe ne peut dépasser 256 caractères.",
        );
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if n >= 12 && (lower == email.to_lowercase() || (local.len() >= 4 && lower.contains(&local))) {
        v.push(
            "weak_password",
            "password",
            "Le mot de passe ne doit pas reprendre votre adresse électronique.",
        );
    }
    if n >= 12 && is_common_password(password) {
        v.push(
            "breached_password",
            "password",
            "Ce mot de passe figure dans les listes de mots de passe divulgués ou courants : choisissez-en un autre.",
        );
    }
    let first = password.chars().next();
    if n >= 12 && password.chars().all(|c| Some(c) == first) {
        v.push(
            "weak_password",
            "password",
            "Le mot de passe ne doit pas répéter un seul caractère.",
        );
    }
    v
}

/// Known-breached and common passwords, shipped with the binary.
static COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// A password of the shipped list, as is or with digits and symbols added
/// at its end or start ("motdepasse2024!", "123azertyuiop").
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    let set = common_passwords();
    let core = lower.trim_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    set.contains(lower.as_str()) || (core.chars().count() >= 6 && set.contains(core))
}

/// Changes one's own password: the current one is required, the new one
/// follows the rules, and every other session of the person ends (a thief
/// holding a session cookie is logged out); the session making the change
/// (`session_token`) stays.
pub async fn change_password(
    app: &App,
    actor: &Actor,
    session_token: &str,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<u64> {
    let mut tx = app.db.begin().await?;
    let user = store::get_user(&mut tx, Scope::All, actor.user_id).await?;
    let ok = user
        .password_hash
        .as_deref()
        .is_some_and(|h| verify_password(h, current));
    if !ok {
        return Err(DomainError::invalid(
            "bad_current_password",
            "current",
            "Le mot de passe actuel est incorrect.",
        )
        .into());
    }
    let mut v = password_violations(new, &user.email);
    if new != confirm {
        v.push(
            "confirm_mismatch",
            "confirm",
            "La confirmation ne reprend pas le nouveau mot de passe.",
        );
    }
    if new == current {
        v.push(
            "same_password",
            "password",
            "Le nouveau mot de passe doit différer de l'actuel.",
        );
    }
    v.into_result()?;
    store::set_password(&mut tx, actor.user_id, &hash_password(new)?).await?;
    let ended =
        store::delete_other_sessions(&mut tx, actor.user_id, &hash_token(session_token)).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "user",
        actor.user_id,
        "password_change",
        &serde_json::json!({ "other_sessions_ended": ended }),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Raw input for creating or editing an account.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub institution_id: Option<String>,
    pub password: Option<String>,
    pub active: bool,
}

fn user_scope(actor: &Actor) -> Result<Scope> {
    if !actor.can_manage_users() {
        return Err(DomainError::Forbidden.into());
    }
    Ok(actor.scope())
}

/// Validates account input against what `actor` may grant. A referent's
/// accounts always belong to the referent's institution, whatever was sent.
pub(crate) fn validate_user(actor: &Actor, i: &UserInput) -> Result<(UserValues, Option<String>)> {
    let mut v = Violations::default();
    let email = i.email.trim().to_lowercase();
    if !is_plausible_email(&email) {
        v.push("invalid_email", "email", "Adresse électronique invalide.");
    }
    let name = i.display_name.trim().to_string();
    if name.is_empty() {
        v.push("required", "display_name", "Le nom est obligatoire.");
    }
    let role = Role::from_code(i.role.trim());
    match role {
        None => v.push("invalid_role", "role", "Rôle inconnu."),
        Some(r) if !actor.grantable_roles().contains(&r) => {
            return Err(DomainError::Forbidden.into());
        }
        _ => {}
    }
    let institution_id = if actor.role == Role::MemberAdmin {
        actor.institution_id.map(|i| i.to_string())
    } else {
        i.institution_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(r) = role {
        if !r.is_agency() && institution_id.is_none() {
            v.push(
                "institution_required",
                "institution_id",
                "Ce rôle est rattaché à un établissement : choisissez-le.",
            );
        }
    }
    if let Some(p) = i.password.as_deref().filter(|p| !p.is_empty()) {
        for f in password_violations(p, &email).0 {
            v.push(f.code, f.field, &f.detail);
        }
    }
    v.into_result()?;
    let role = role.ok_or_else(|| AppError::Internal("role".into()))?;
    let agency_role = role.is_agency();
    Ok((
        UserValues {
            email,
            display_name: name,
            role: role.code().to_string(),
            institution_id: if agency_role { None } else { institution_id },
            locale: "fr".into(),
            active: i.active,
        },
        i.password.clone().filter(|p| !p.is_empty()),
    ))
}

pub async fn create_user(app: &App, actor: &Actor, i: UserInput) -> Result<Id> {
    user_scope(actor)?;
    let (values, password) = validate_user(actor, &i)?;
    let hash = match password {
        Some(p) => Some(hash_password(&p)?),
        None => None,
    };
    let id = Id::new();
    let mut tx = app.db.begin().await?;
    store::insert_user(&mut tx, id, &values, hash, &app.now_ts())
        .await
        .map_err(|e| match e {
            relais_store::StoreError::Conflict(_) => AppError::Domain(DomainError::invalid(
                "email_taken",
                "email",
                "Un compte utilise déjà cette adresse.",
            )),
            e => e.into(),
        })?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "user",
        id,
        "create",
        &serde_json::json!({"role": values.role, "email": values.email}),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_user(app: &App, actor: &Actor, id: Id, i: UserInput) -> Result<()> {
    let scope = user_scope(actor)?;
    let mut tx = app.db.begin().await?;
    let before = store::get_user(&mut tx, scope, id).await?;
    // A referent cannot touch an agency account even if it were in scope.
    let before_role = Role::from_code(&before.role);
    if let Some(r) = before_role {
        if !actor.grantable_roles().contains(&r) {
            return Err(DomainError::Forbidden.into());
        }
    }
    let (mut values, password) = validate_user(actor, &i)?;
    values.locale = before.locale.clone();
    if actor.user_id == id && values.role != before.role {
        // Nobody changes their own role, not even an admin: another admin must.
        return Err(DomainError::Forbidden.into());
    }
    store::update_user(&mut tx, scope, id, &values, &app.now_ts()).await?;
    if let Some(p) = password {
        store::set_password(&mut tx, id, &hash_password(&p)?).await?;
    }
    if !values.active {
        store::delete_user_sessions(&mut tx, id).await?;
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "user",
        id,
        "update",
        &serde_json::json!({
            "role": [before.role, values.role],
            "institution_id": [before.institution_id, values.institution_id],
            "active": [before.active, values.active as i64],
        }),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_users(app: &App, actor: &Actor) -> Result<Vec<UserRow>> {
    let scope = user_scope(actor)?;
    let mut c = app.db.read().await?;
    Ok(store::list_users(&mut c, scope, None).await?)
}

pub async fn get_user(app: &App, actor: &Actor, id: Id) -> Result<UserRow> {
    let scope = user_scope(actor)?;
    let mut c = app.db.read().await?;
    Ok(store::get_user(&mut c, scope, id).await?)
}

/// Agency staff who can be key-account managers or task assignees.
pub async fn agency_staff(app: &App) -> Result<Vec<UserRow>> {
    let mut c = app.db.read().await?;
    let users = store::list_users(&mut c, Scope::All, None).await?;
    Ok(users
        .into_iter()
        .filter(|u| Role::from_code(&u.role).is_some_and(Role::is_agency))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{password_violations, wait_seconds};

    #[test]
    fn passwords_follow_length_not_composition() {
        let bad = |p: &str| !password_violations(p, "anne.martin@univ.fr").0.is_empty();
        assert!(bad("Court1!"));
        assert!(bad("aaaaaaaaaaaaaaaa"));
        assert!(bad("anne.martin@univ.fr"));
        assert!(bad("mot de passe anne.martin"));
        assert!(bad(&"x".repeat(10).repeat(30)));
        // Known-breached or common, even padded with digits and symbols.
        assert!(bad("qwerty123456"));
        assert!(bad("motdepasse2024!"));
        assert!(bad("Azertyuiop1234"));
        // A long passphrase without digits or symbols is fine.
        assert!(!bad("une phrase de passe assez longue"));
    }
    use chrono::TimeZone;

    #[test]
    fn the_delay_doubles_past_the_free_attempts_and_is_capped() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 10).unwrap();
        let last = Some("2026-01-01T12:00:00.000Z");
        assert_eq!(wait_seconds(4, 5, last, now, 900), 0);
        // 5 failures: 1 s after the last one, long past.
        assert_eq!(wait_seconds(5, 5, last, now, 900), 0);
        // 9 failures: 16 s, 10 already waited.
        assert_eq!(wait_seconds(9, 5, last, now, 900), 6);
        // 40 failures: capped at the maximum.
        assert_eq!(wait_seconds(40, 5, last, now, 900), 890);
        assert_eq!(wait_seconds(40, 5, None, now, 900), 0);
    }
}
