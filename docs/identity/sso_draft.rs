//! Single sign-on through OpenID Connect providers (ProConnect first):
//! authorization code with PKCE, `state` and `nonce`; the ID token checked
//! against the provider's keys (fetched at each sign-in, so a rotated key is
//! known at once), `iss`, `aud`, `exp`, `nonce` and `acr` when configured;
//! userinfo plain or signed; logout through the end-session endpoint.
//!
//! Whoever signs in is matched, in order: to the account already linked to
//! that provider subject; to an account with the same verified e-mail; to an
//! institution by a contact's e-mail, a SIRET or a declared mail domain — a
//! first sign-in there creates a member account (pending or not, as the
//! institution chose). Anyone else gets a clear refusal and no account.

use crate::accounts::{hash_token, random_token, NewSession};
use crate::{App, AppError, Result};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken};
use openidconnect::{
    AdditionalClaims, AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret,
    CsrfToken, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse, UserInfoClaims,
};
use relais_domain::accounts::Role;
use relais_domain::{DomainError, Id};
use relais_store::accounts as accounts_store;
use relais_store::sso as store;
use serde::{Deserialize, Serialize};

/// One configured provider (`[[oidc]]` in `relais.toml`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OidcProvider {
    /// Short name in URLs: `/connexion/oidc/<id>`.
    pub id: String,
    /// Shown on the sign-in button: « Se connecter avec <display_name> ».
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Scopes asked besides `openid`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Authentication context required (`acr`), if any.
    #[serde(default)]
    pub acr: Option<String>,
    /// The provider only hands out e-mail addresses it verified (ProConnect
    /// does, without an `email_verified` claim).
    #[serde(default)]
    pub trust_email: bool,
}

/// ProConnect's claims besides the standard ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProConnectClaims {
    #[serde(default)]
    pub siret: Option<String>,
    #[serde(default)]
    pub usual_name: Option<String>,
    #[serde(default)]
    pub uid: Option<String>,
}
impl AdditionalClaims for ProConnectClaims {}

fn refused(code: &'static str, detail: &str) -> AppError {
    DomainError::invalid(code, "sso", detail).into()
}

fn provider<'a>(app: &'a App, id: &str) -> Result<&'a OidcProvider> {
    app.settings
        .oidc_providers
        .iter()
        .find(|p| p.id == id)
        .ok_or(AppError::Domain(DomainError::NotFound))
}

fn http_client() -> Result<openidconnect::reqwest::Client> {
    openidconnect::reqwest::ClientBuilder::new()
        // Following redirects would open the door to SSRF.
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| AppError::Internal(format!("http client: {e}")))
}

fn redirect_uri(app: &App, p: &OidcProvider) -> String {
    format!(
        "{}/connexion/oidc/{}/retour",
        app.settings.base_url.trim_end_matches('/'),
        p.id
    )
}

async fn discover(
    p: &OidcProvider,
    http: &openidconnect::reqwest::Client,
) -> Result<ProviderMetadataWithLogout> {
    let issuer = IssuerUrl::new(p.issuer.clone())
        .map_err(|e| AppError::Internal(format!("issuer {}: {e}", p.issuer)))?;
    ProviderMetadataWithLogout::discover_async(issuer, http)
        .await
        .map_err(|e| {
            tracing::warn!(provider = %p.id, error = %e, "OIDC discovery failed");
            refused(
                "sso_provider_unreachable",
                "Le fournisseur d'identité ne répond pas : réessayez dans quelques minutes.",
            )
        })
}

/// Starts a sign-in: the provider's authorization URL, and the `state`
/// value the browser must bring back (kept in a cookie by the web layer).
pub async fn begin(
    app: &App,
    provider_id: &str,
    return_to: &str,
    login_hint: Option<&str>,
) -> Result<(String, String)> {
    let p = provider(app, provider_id)?;
    let http = http_client()?;
    let meta = discover(p, &http).await?;
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(p.client_id.clone()),
        Some(ClientSecret::new(p.client_secret.clone())),
    )
    .set_redirect_uri(
        RedirectUrl::new(redirect_uri(app, p)).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for s in &p.scopes {
        if s != "openid" {
            req = req.add_scope(Scope::new(s.clone()));
        }
    }
    if let Some(acr) = &p.acr {
        req = req.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
    }
    if let Some(h) = login_hint.filter(|h| !h.is_empty()) {
        req = req.add_extra_param("login_hint", h.to_string());
    }
    let (url, state, nonce) = req.url();
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    store::insert_flow(
        &mut tx,
        &hash_token(state.secret()),
        &store::FlowRow {
            provider: p.id.clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            return_to: return_to.to_string(),
            expires_at: relais_store::ts(now + chrono::Duration::minutes(10)),
        },
        &relais_store::ts(now),
    )
    .await?;
    tx.commit().await?;
    Ok((url.to_string(), state.secret().clone()))
}

/// A finished sign-in: the session, and where to go.
#[derive(Debug, Clone)]
pub struct SsoSignIn {
    pub session: NewSession,
    pub return_to: String,
}

/// Who the provider says signed in, after every check.
#[derive(Debug, Clone)]
struct Person {
    subject: String,
    email: Option<String>,
    email_verified: bool,
    given_name: Option<String>,
    usual_name: Option<String>,
    siret: Option<String>,
}

/// Finishes a sign-in from the provider's redirect. `state` must be the one
/// this browser started with (`cookie_state`), unused and not expired.
pub async fn finish(
    app: &App,
    provider_id: &str,
    state: &str,
    cookie_state: Option<&str>,
    code: &str,
) -> Result<SsoSignIn> {
    let expired = || {
        refused(
            "sso_state",
            "Cette connexion a expiré ou a déjà servi : recommencez depuis la page de connexion.",
        )
    };
    if cookie_state != Some(state) || state.is_empty() {
        return Err(expired());
    }
    let p = provider(app, provider_id)?;
    // One use: the flow is taken out before anything else happens.
    let flow = {
        let mut tx = app.db.begin().await?;
        let f = store::take_flow(&mut tx, &hash_token(state), &app.now_ts()).await?;
        tx.commit().await?;
        f.filter(|f| f.provider == p.id).ok_or_else(expired)?
    };
    let http = http_client()?;
    let meta = discover(p, &http).await?;
    let end_session = meta.additional_metadata().end_session_endpoint.is_some();
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(p.client_id.clone()),
        Some(ClientSecret::new(p.client_secret.clone())),
    )
    .set_redirect_uri(
        RedirectUrl::new(redirect_uri(app, p)).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    let bad_token = |why: String| {
        tracing::warn!(provider = %p.id, reason = %why, "OIDC sign-in refused");
        refused(
            "sso_token",
            "Le fournisseur d'identité a renvoyé une réponse invalide : la connexion est refusée.",
        )
    };
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| AppError::Internal(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| bad_token(format!("token exchange: {e}")))?;
    let id_token = token
        .id_token()
        .ok_or_else(|| bad_token("no id_token".into()))?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(flow.nonce.clone()))
        .map_err(|e| bad_token(format!("id_token: {e}")))?;
    if let Some(acr) = &p.acr {
        if claims.auth_context_ref().map(|a| a.as_str()) != Some(acr.as_str()) {
            return Err(bad_token(format!("acr is not {acr}")));
        }
    }
    let subject = claims.subject().to_string();
    let info: UserInfoClaims<ProConnectClaims, CoreGenderClaim> = client
        .user_info(token.access_token().clone(), Some(claims.subject().clone()))
        .map_err(|e| AppError::Internal(e.to_string()))?
        .request_async(&http)
        .await
        .map_err(|e| bad_token(format!("userinfo: {e}")))?;
    let person = Person {
        subject,
        email: info.email().map(|e| e.as_str().trim().to_lowercase()),
        email_verified: p.trust_email || info.email_verified() == Some(true),
        given_name: info
            .given_name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string()),
        usual_name: info
            .additional_claims()
            .usual_name
            .clone()
            .or_else(|| {
                info.family_name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_string())
            }),
        siret: info
            .additional_claims()
            .siret
            .as_deref()
            .map(|s| s.chars().filter(char::is_ascii_digit).collect()),
    };
    let raw_id_token = id_token.to_string();
    let session = open_session(app, p, &person, end_session.then_some(raw_id_token)).await?;
    Ok(SsoSignIn {
        session,
        return_to: flow.return_to,
    })
}

async fn open_session(
    app: &App,
    p: &OidcProvider,
    person: &Person,
    id_token: Option<String>,
) -> Result<NewSession> {
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let mut user_id = store::user_of_identity(&mut tx, &p.id, &person.subject).await?;
    let verified_email = person.email.as_deref().filter(|_| person.email_verified);
    if user_id.is_none() {
        if let Some(email) = verified_email {
            match accounts_store::find_user_by_email(&mut tx, email).await {
                Ok(u) => user_id = Id::parse(&u.id),
                Err(relais_store::StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(uid) = user_id {
            store::link_identity(&mut tx, &p.id, &person.subject, uid, &now).await?;
        }
    }
    let uid = match user_id {
        Some(uid) => uid,
        None => {
            let Some(email) = verified_email else {
                return Err(refused(
                    "sso_no_email",
                    "Le fournisseur d'identité n'a pas transmis d'adresse électronique vérifiée : \
                     aucun compte ne peut être ouvert.",
                ));
            };
            let mut inst = store::institution_of_contact_email(&mut tx, email).await?;
            if inst.is_none() {
                if let Some(siret) = person.siret.as_deref().filter(|s| !s.is_empty()) {
                    inst = store::institution_by_identifier(&mut tx, "siret", siret).await?;
                }
            }
            if inst.is_none() {
                if let Some((_, domain)) = email.rsplit_once('@') {
                    inst = store::institution_by_identifier(&mut tx, "mail_domain", domain).await?;
                }
            }
            let Some((inst_id, pending)) = inst else {
                return Err(refused(
                    "sso_unknown_organisation",
                    "Votre organisation n'est pas reconnue comme membre de l'agence : aucun compte \
                     n'a été créé. Si elle est adhérente, demandez à son référent de déclarer son \
                     SIRET ou son domaine de messagerie auprès de l'agence.",
                ));
            };
            let uid = Id::new();
            let name = [person.given_name.as_deref(), person.usual_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let values = accounts_store::UserValues {
                email: email.to_string(),
                display_name: if name.trim().is_empty() {
                    email.to_string()
                } else {
                    name
                },
                role: Role::Member.code().to_string(),
                institution_id: Some(inst_id.clone()),
                locale: "fr".into(),
                active: pending == 0,
            };
            accounts_store::insert_user(&mut tx, uid, &values, None, &now).await?;
            store::link_identity(&mut tx, &p.id, &person.subject, uid, &now).await?;
            relais_store::audit::record(
                &mut tx,
                None,
                "user",
                uid,
                "create",
                &serde_json::json!({
                    "role": values.role,
                    "email": values.email,
                    "institution_id": inst_id,
                    "via": format!("oidc:{}", p.id),
                    "pending": pending == 1,
                }),
                &now,
            )
            .await?;
            uid
        }
    };
    let user = accounts_store::get_user(&mut tx, relais_domain::accounts::Scope::All, uid).await?;
    if user.active == 0 {
        // The account (perhaps just created) waits for the referent: that
        // creation is kept, but no session opens.
        tx.commit().await?;
        return Err(refused(
            "sso_pending",
            "Votre compte existe mais n'est pas encore activé : le référent de votre \
             établissement doit le valider.",
        ));
    }
    let token = random_token();
    let csrf = random_token();
    let now_t = app.clock.now();
    accounts_store::insert_session(
        &mut tx,
        &hash_token(&token),
        uid,
        &csrf,
        &now,
        &relais_store::ts(now_t + chrono::Duration::hours(app.settings.session_hours)),
    )
    .await?;
    if let Some(t) = id_token {
        store::mark_session(&mut tx, &hash_token(&token), &p.id, &t).await?;
    }
    tx.commit().await?;
    Ok(NewSession { token, csrf, user })
}

/// Where to send the browser after signing out locally: the provider's
/// end-session endpoint when the session came from one, else nothing.
pub async fn logout_url(app: &App, session_token: &str) -> Result<Option<String>> {
    let found = {
        let mut c = app.db.read().await?;
        store::session_sso(&mut c, &hash_token(session_token)).await?
    };
    let Some((provider_id, raw)) = found else {
        return Ok(None);
    };
    let Ok(p) = provider(app, &provider_id) else {
        return Ok(None);
    };
    let http = http_client()?;
    let meta = match discover(p, &http).await {
        Ok(m) => m,
        // The provider is down: the local session still ends.
        Err(_) => return Ok(None),
    };
    let Some(end) = meta.additional_metadata().end_session_endpoint.clone() else {
        return Ok(None);
    };
    let after = PostLogoutRedirectUrl::new(format!(
        "{}/connexion?ok=logout",
        app.settings.base_url.trim_end_matches('/')
    ))
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut req = LogoutRequest::from(end)
        .set_client_id(ClientId::new(p.client_id.clone()))
        .set_post_logout_redirect_uri(after);
    if let Ok(t) = raw.parse::<CoreIdToken>() {
        req = req.set_id_token_hint(&t);
    }
    Ok(Some(req.http_get_url().to_string()))
}

/// Declares a SIRET or a mail domain of an institution (admins).
pub async fn add_institution_identifier(
    app: &App,
    actor: &relais_domain::accounts::Actor,
    institution: Id,
    kind: &str,
    value: &str,
) -> Result<()> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden.into());
    }
    let value = match kind {
        "siret" => {
            let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            if v.len() != 14 || !v.chars().all(|c| c.is_ascii_digit()) {
                return Err(refused("invalid_siret", "Un SIRET compte 14 chiffres."));
            }
            v
        }
        "mail_domain" => {
            let v = value.trim().trim_start_matches('@').to_lowercase();
            if v.is_empty() || !v.contains('.') || v.contains('@') || v.contains(' ') {
                return Err(refused("invalid_domain", "Domaine de messagerie invalide."));
            }
            v
        }
        _ => return Err(refused("invalid_kind", "Type d'identifiant inconnu.")),
    };
    let mut tx = app.db.begin().await?;
    store::add_identifier(&mut tx, institution, kind, &value, &app.now_ts()).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "institution",
        institution,
        "add_identifier",
        &serde_json::json!({ kind: [serde_json::Value::Null, value] }),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether accounts created at a first sign-on wait for the referent.
pub async fn set_accounts_pending(
    app: &App,
    actor: &relais_domain::accounts::Actor,
    institution: Id,
    pending: bool,
) -> Result<()> {
    let allowed = actor.role == Role::Admin
        || (actor.role == Role::MemberAdmin && actor.institution_id == Some(institution));
    if !allowed {
        return Err(DomainError::Forbidden.into());
    }
    let mut tx = app.db.begin().await?;
    store::set_sso_pending(&mut tx, institution, pending).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "institution",
        institution,
        "sso_pending",
        &serde_json::json!({ "sso_pending": pending }),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
