//! Single sign-on through OpenID Connect (ProConnect first, any other
//! provider the same way): authorization code flow with PKCE, `state` and
//! `nonce` kept server-side for one use, the ID token checked by
//! `openidconnect` (signature against the provider's JWKS — fetched again
//! once when a token names a key it does not know, so keys can rotate —
//! `iss`, `aud`, `exp`, `nonce`, and `acr` when the provider requires one),
//! userinfo plain or signed, and sign-out through the provider's
//! end-session endpoint.
//!
//! Whoever signs in is matched, in order: to the account already linked to
//! the provider's subject; to an account with the same verified e-mail; to
//! an institution by SIRET (ProConnect's `siret` claim), by a CRM contact
//! with that e-mail, or by the institution's declared mail domains — a first
//! sign-in from a known institution creates a member account (waiting for
//! the referent when the institution says so). An unknown organisation gets
//! a refusal and nothing is created.

use crate::{App, AppError, Result};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken, CoreIdTokenClaims,
};
use openidconnect::{
    reqwest, AccessToken, AdditionalClaims, AuthenticationContextClass, AuthorizationCode,
    ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, LoginHint, LogoutRequest, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, SignatureVerificationError, SubjectIdentifier, TokenResponse,
    UserInfoClaims,
};
use relais_domain::accounts::Role;
use relais_domain::Id;
use relais_store::accounts::{self as accounts_store, UserRow, UserValues};
use relais_store::sso as store;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::Arc;

/// One provider as configured in `relais.toml`:
///
/// ```toml
/// [[oidc]]
/// id = "proconnect"
/// display_name = "ProConnect"
/// issuer = "https://auth.agentconnect.gouv.fr/api/v2"
/// client_id = "…"
/// client_secret = "…"
/// scopes = ["openid", "email", "given_name", "usual_name", "siret", "uid"]
/// acr_values = ["eidas1"]
/// ```
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProviderConfig {
    /// Short name in addresses: `/connexion/oidc/{id}`.
    pub id: String,
    /// Name on the sign-in button.
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Authentication levels asked for and required in the ID token's
    /// `acr` (empty: none asked, any accepted).
    #[serde(default)]
    pub acr_values: Vec<String>,
    /// The provider vouches for the e-mail even without `email_verified`
    /// (ProConnect sends agents' professional addresses, checked upstream).
    #[serde(default)]
    pub trust_email: bool,
}

fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile"]
        .into_iter()
        .map(String::from)
        .collect()
}

/// ProConnect's claims beyond the standard ones.
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

/// The configured providers and what was learnt from them (discovery,
/// keys). Cheap to clone.
#[derive(Clone)]
pub struct Sso {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    providers: Vec<Provider>,
    http: reqwest::Client,
}

struct Provider {
    config: ProviderConfig,
    metadata: tokio::sync::RwLock<Option<ProviderMetadataWithLogout>>,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso")
            .field("base_url", &self.inner.base_url)
            .field(
                "providers",
                &self
                    .inner
                    .providers
                    .iter()
                    .map(|p| &p.config.id)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Default for Sso {
    fn default() -> Self {
        Sso::new(Vec::new(), "http://127.0.0.1:8080")
    }
}

type Rp = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long a started sign-in may take at the provider.
const FLOW_MINUTES: i64 = 10;

/// Why a sign-in through a provider was refused. Each has a stable code
/// (the web layer shows the French page of that code); nothing is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, used or expired `state`, or a callback without the browser
    /// that started the flow.
    State,
    /// The provider could not be reached or its metadata did not check out
    /// (issuer mismatch…).
    Provider,
    /// The provider answered the callback with an error.
    ProviderError,
    /// The code could not be exchanged (replayed, wrong PKCE verifier…).
    Exchange,
    /// The ID token failed a check: signature, issuer, audience, expiry,
    /// nonce.
    IdToken,
    /// The authentication level is not the one required.
    Acr,
    /// Userinfo missing, malformed or about someone else.
    Userinfo,
    /// Nobody and no member institution matches.
    UnknownOrganisation,
    /// The account exists but waits for the referent, or was disabled.
    Inactive,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::State => "sso_state",
            Refusal::Provider => "sso_provider",
            Refusal::ProviderError => "sso_provider_error",
            Refusal::Exchange => "sso_exchange",
            Refusal::IdToken => "sso_id_token",
            Refusal::Acr => "sso_acr",
            Refusal::Userinfo => "sso_userinfo",
            Refusal::UnknownOrganisation => "sso_unknown_organisation",
            Refusal::Inactive => "sso_inactive",
        }
    }
}

/// A started sign-in: where to send the browser, and the `state` to bind
/// to it (the web layer keeps it in a cookie and requires it back).
#[derive(Debug, Clone)]
pub struct Started {
    pub url: String,
    pub state: String,
}

/// A finished sign-in: the session opened, and whether the account was
/// created by it.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub csrf: String,
    pub user: UserRow,
    pub return_to: String,
    pub created: bool,
}

impl Sso {
    pub fn new(providers: Vec<ProviderConfig>, base_url: &str) -> Sso {
        // No redirects: the provider's endpoints answer directly, and a
        // redirect would be a way to make Relais fetch elsewhere.
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        Sso {
            inner: Arc::new(Inner {
                base_url: base_url.trim_end_matches('/').to_string(),
                providers: providers
                    .into_iter()
                    .map(|config| Provider {
                        config,
                        metadata: tokio::sync::RwLock::new(None),
                    })
                    .collect(),
                http,
            }),
        }
    }

    /// The providers, in configuration order: (id, display name).
    pub fn providers(&self) -> Vec<(String, String)> {
        self.inner
            .providers
            .iter()
            .map(|p| (p.config.id.clone(), p.config.display_name.clone()))
            .collect()
    }

    /// Origins (scheme://host[:port]) of the providers' issuers, which the
    /// pages' `form-action` must allow (sign-in and sign-out forms are
    /// redirected there).
    pub fn origins(&self) -> Vec<String> {
        self.inner
            .providers
            .iter()
            .filter_map(|p| url::Url::parse(&p.config.issuer).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect()
    }

    fn provider(&self, id: &str) -> Option<&Provider> {
        self.inner.providers.iter().find(|p| p.config.id == id)
    }

    fn redirect_uri(&self, id: &str) -> String {
        format!("{}/connexion/oidc/{id}/retour", self.inner.base_url)
    }

    pub fn post_logout_uri(&self) -> String {
        format!("{}/connexion?ok=logout", self.inner.base_url)
    }

    /// The provider's metadata and keys, discovered once and again when
    /// `refresh` (a token signed with a key not in the cached set).
    async fn metadata(
        &self,
        p: &Provider,
        refresh: bool,
    ) -> std::result::Result<ProviderMetadataWithLogout, Refusal> {
        if !refresh {
            if let Some(m) = p.metadata.read().await.as_ref() {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(p.config.issuer.clone()).map_err(|_| Refusal::Provider)?;
        // Discovery checks that the document's issuer is the configured one.
        let m = ProviderMetadataWithLogout::discover_async(issuer, &self.inner.http)
            .await
            .map_err(|e| {
                tracing::warn!(provider = %p.config.id, error = %e, "OIDC discovery failed");
                Refusal::Provider
            })?;
        *p.metadata.write().await = Some(m.clone());
        Ok(m)
    }

    fn client(
        &self,
        p: &Provider,
        m: ProviderMetadataWithLogout,
    ) -> std::result::Result<Rp, Refusal> {
        let secret = (!p.config.client_secret.is_empty())
            .then(|| ClientSecret::new(p.config.client_secret.clone()));
        Ok(
            CoreClient::from_provider_metadata(
                m,
                ClientId::new(p.config.client_id.clone()),
                secret,
            )
            .set_redirect_uri(
                RedirectUrl::new(self.redirect_uri(&p.config.id)).map_err(|_| Refusal::Provider)?,
            ),
        )
    }
}

fn sso_of(app: &App) -> &Sso {
    &app.settings.sso
}

/// Starts a sign-in with provider `id`: keeps the flow (hashed state, nonce,
/// PKCE verifier, return address) for ten minutes and gives the address of
/// the provider's authorization endpoint. `login_hint` is passed on.
pub async fn begin(
    app: &App,
    id: &str,
    return_to: &str,
    login_hint: Option<&str>,
) -> Result<std::result::Result<Started, Refusal>> {
    let sso = sso_of(app);
    let Some(p) = sso.provider(id) else {
        return Err(relais_domain::DomainError::NotFound.into());
    };
    let m = match sso.metadata(p, false).await {
        Ok(m) => m,
        Err(r) => return Ok(Err(r)),
    };
    let client = match sso.client(p, m) {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for s in p.config.scopes.iter().filter(|s| s.as_str() != "openid") {
        req = req.add_scope(Scope::new(s.clone()));
    }
    for a in &p.config.acr_values {
        req = req.add_auth_context_value(AuthenticationContextClass::new(a.clone()));
    }
    if let Some(h) = login_hint.map(str::trim).filter(|h| !h.is_empty()) {
        req = req.set_login_hint(LoginHint::new(h.to_string()));
    }
    let (url, state, nonce) = req.url();
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    store::insert_flow(
        &mut tx,
        &crate::accounts::hash_token(state.secret()),
        &store::FlowRow {
            provider: id.to_string(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            return_to: return_to.to_string(),
            expires_at: relais_store::ts(now + chrono::Duration::minutes(FLOW_MINUTES)),
        },
        &relais_store::ts(now),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Started {
        url: url.to_string(),
        state: state.secret().clone(),
    }))
}

/// What the provider says about the person, once every check passed.
#[derive(Debug, Clone, Default)]
struct Person {
    subject: String,
    email: Option<String>,
    email_verified: bool,
    given_name: Option<String>,
    family_name: Option<String>,
    siret: Option<String>,
}

/// Verifies the ID token; a key the cached set does not hold makes the set
/// be fetched again once (key rotation), then verified again.
async fn verify_id_token(
    sso: &Sso,
    p: &Provider,
    client: &Rp,
    id_token: &CoreIdToken,
    nonce: &Nonce,
) -> std::result::Result<CoreIdTokenClaims, Refusal> {
    let acr = p.config.acr_values.clone();
    let check = |c: &Rp| {
        let acr = acr.clone();
        let verifier = c
            .id_token_verifier()
            .set_auth_context_verifier_fn(move |got| {
                if acr.is_empty() {
                    return Ok(());
                }
                match got {
                    Some(a) if acr.iter().any(|x| x == a.as_str()) => Ok(()),
                    other => Err(format!("acr {:?}", other.map(|a| a.as_str().to_string()))),
                }
            });
        id_token.claims(&verifier, nonce).cloned()
    };
    let first = check(client);
    let result = match first {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            let m = sso.metadata(p, true).await?;
            let fresh = sso.client(p, m)?;
            check(&fresh)
        }
        other => other,
    };
    result.map_err(|e| {
        tracing::warn!(provider = %p.config.id, error = %e, "ID token refused");
        match e {
            ClaimsVerificationError::InvalidAuthContext(_) => Refusal::Acr,
            _ => Refusal::IdToken,
        }
    })
}

/// Finishes a sign-in at the callback: checks everything, matches the
/// person, opens a session. `browser_state` is the state the browser kept
/// when it started (a callback replayed in another browser is refused).
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    app: &App,
    id: &str,
    code: Option<&str>,
    state: &str,
    browser_state: Option<&str>,
    provider_error: Option<&str>,
    client_addr: &str,
    user_agent: &str,
) -> Result<std::result::Result<SignedIn, Refusal>> {
    let sso = sso_of(app);
    let Some(p) = sso.provider(id) else {
        return Err(relais_domain::DomainError::NotFound.into());
    };
    let now = app.now_ts();
    // The flow serves once, whatever follows.
    let mut tx = app.db.begin().await?;
    let flow = store::take_flow(&mut tx, &crate::accounts::hash_token(state), &now).await?;
    tx.commit().await?;
    let Some(flow) = flow.filter(|f| f.provider == id) else {
        return Ok(Err(Refusal::State));
    };
    if browser_state != Some(state) {
        return Ok(Err(Refusal::State));
    }
    if provider_error.is_some() {
        return Ok(Err(Refusal::ProviderError));
    }
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return Ok(Err(Refusal::ProviderError));
    };
    let r = async {
        let m = sso.metadata(p, false).await?;
        let client = sso.client(p, m)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|_| Refusal::Provider)?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
            .request_async(&sso.inner.http)
            .await
            .map_err(|e| {
                tracing::warn!(provider = %id, error = %e, "OIDC code exchange failed");
                Refusal::Exchange
            })?;
        let id_token = token.id_token().ok_or(Refusal::IdToken)?.clone();
        let claims =
            verify_id_token(sso, p, &client, &id_token, &Nonce::new(flow.nonce.clone())).await?;
        let subject = claims.subject().clone();
        let mut person = Person {
            subject: subject.as_str().to_string(),
            email: claims.email().map(|e| e.as_str().to_string()),
            email_verified: claims.email_verified().unwrap_or(false),
            given_name: claims
                .given_name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
            family_name: claims
                .family_name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
            siret: None,
        };
        if client.user_info_url().is_some() {
            let info: UserInfoClaims<ProConnectClaims, CoreGenderClaim> =
                userinfo(sso, p, &client, token.access_token().clone(), subject).await?;
            let std = info.standard_claims();
            if let Some(e) = std.email() {
                person.email = Some(e.as_str().to_string());
                person.email_verified = std.email_verified().unwrap_or(person.email_verified);
            }
            if let Some(n) = std.given_name().and_then(|n| n.get(None)) {
                person.given_name = Some(n.as_str().to_string());
            }
            if let Some(n) = std.family_name().and_then(|n| n.get(None)) {
                person.family_name = Some(n.as_str().to_string());
            }
            let extra = info.additional_claims();
            if let Some(n) = extra.usual_name.clone() {
                person.family_name = Some(n);
            }
            person.siret = extra.siret.clone();
        }
        if p.config.trust_email {
            person.email_verified = person.email.is_some();
        }
        Ok::<_, Refusal>((person, id_token.to_string()))
    }
    .await;
    let (person, id_token) = match r {
        Ok(x) => x,
        Err(refusal) => {
            log_refusal(app, id, refusal, client_addr).await?;
            return Ok(Err(refusal));
        }
    };
    let mut tx = app.db.begin().await?;
    let matched = match_person(app, &mut tx, id, &person).await?;
    let (user, created) = match matched {
        Ok(x) => x,
        Err(refusal) => {
            drop(tx);
            log_refusal(app, id, refusal, client_addr).await?;
            return Ok(Err(refusal));
        }
    };
    if user.active != 1 {
        // Created (or linked) but waiting for the referent: kept, no session.
        crate::identity::log_event(
            &mut tx,
            app,
            Some(&user),
            None,
            "login_failed",
            id,
            client_addr,
            Refusal::Inactive.code(),
        )
        .await?;
        tx.commit().await?;
        return Ok(Err(Refusal::Inactive));
    }
    let (token, csrf) =
        crate::accounts::open_session(&mut tx, app, &user, client_addr, user_agent).await?;
    store::mark_session(&mut tx, &crate::accounts::hash_token(&token), id, &id_token).await?;
    crate::identity::log_event(
        &mut tx,
        app,
        Some(&user),
        None,
        "login",
        id,
        client_addr,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(SignedIn {
        token,
        csrf,
        user,
        return_to: flow.return_to,
        created,
    }))
}

async fn userinfo(
    sso: &Sso,
    p: &Provider,
    client: &Rp,
    access: AccessToken,
    subject: SubjectIdentifier,
) -> std::result::Result<UserInfoClaims<ProConnectClaims, CoreGenderClaim>, Refusal> {
    let req = client
        .user_info(access, Some(subject))
        .map_err(|_| Refusal::Userinfo)?;
    req.request_async(&sso.inner.http).await.map_err(|e| {
        tracing::warn!(provider = %p.config.id, error = %e, "userinfo refused");
        Refusal::Userinfo
    })
}

async fn log_refusal(app: &App, provider: &str, refusal: Refusal, client: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    crate::identity::log_event(
        &mut tx,
        app,
        None,
        None,
        "login_failed",
        provider,
        client,
        refusal.code(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn domain_of(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_lowercase())
        .filter(|d| !d.is_empty())
}

/// Finds or creates the account of `person`; see the module's order.
async fn match_person(
    app: &App,
    tx: &mut relais_store::Conn,
    provider: &str,
    person: &Person,
) -> Result<std::result::Result<(UserRow, bool), Refusal>> {
    let now = app.now_ts();
    if let Some(uid) = store::user_of_identity(tx, provider, &person.subject).await? {
        let u = accounts_store::get_user(tx, relais_domain::accounts::Scope::All, uid).await?;
        return Ok(Ok((u, false)));
    }
    let email = person
        .email
        .as_deref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| person.email_verified && relais_domain::shared::is_plausible_email(e));
    let link = |u: &UserRow| Id::parse(&u.id).ok_or_else(|| AppError::Internal("id".into()));
    if let Some(e) = email.as_deref() {
        match accounts_store::find_user_by_email(tx, e).await {
            Ok(u) => {
                store::link_identity(tx, provider, &person.subject, link(&u)?, &now).await?;
                crate::identity::log_event(tx, app, Some(&u), None, "sso_linked", provider, "", "")
                    .await?;
                return Ok(Ok((u, false)));
            }
            Err(relais_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // A new person: only from a member institution, and only with an
    // address to create the account under.
    let Some(e) = email else {
        return Ok(Err(Refusal::UnknownOrganisation));
    };
    let siret: Option<String> = person
        .siret
        .as_deref()
        .map(|s| s.chars().filter(char::is_ascii_digit).collect())
        .filter(|s: &String| s.len() == 14);
    let mut inst = None;
    if let Some(s) = siret.as_deref() {
        inst = store::institution_by_identifier(tx, "siret", s).await?;
    }
    if inst.is_none() {
        inst = store::institution_of_contact_email(tx, &e).await?;
    }
    if inst.is_none() {
        if let Some(d) = domain_of(&e) {
            inst = store::institution_by_identifier(tx, "mail_domain", &d).await?;
        }
    }
    let Some((inst_id, pending)) = inst else {
        return Ok(Err(Refusal::UnknownOrganisation));
    };
    let name = [person.given_name.as_deref(), person.family_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let uid = Id::new();
    accounts_store::insert_user(
        tx,
        uid,
        &UserValues {
            email: e.clone(),
            display_name: if name.is_empty() { e.clone() } else { name },
            role: Role::Member.code().to_string(),
            institution_id: Some(inst_id),
            locale: "fr".into(),
            active: pending == 0,
        },
        None,
        &now,
    )
    .await?;
    store::link_identity(tx, provider, &person.subject, uid, &now).await?;
    let u = accounts_store::get_user(tx, relais_domain::accounts::Scope::All, uid).await?;
    relais_store::audit::record(
        tx,
        None,
        "user",
        uid,
        "create_sso",
        &serde_json::json!({ "provider": provider, "email": e, "pending": pending == 1 }),
        &now,
    )
    .await?;
    crate::identity::log_event(
        tx,
        app,
        Some(&u),
        None,
        "sso_linked",
        provider,
        "",
        "created",
    )
    .await?;
    Ok(Ok((u, true)))
}

/// Where to send the browser after Relais's own sign-out when the session
/// came through a provider: its end-session endpoint with the ID token as
/// hint, coming back to the sign-in page. `None` when the session was not
/// opened through a provider or the provider has no such endpoint.
pub async fn end_session_url(app: &App, provider: &str, id_token: &str) -> Option<String> {
    let sso = sso_of(app);
    let p = sso.provider(provider)?;
    let m = sso.metadata(p, false).await.ok()?;
    let endpoint = m.additional_metadata().end_session_endpoint.clone()?;
    let token = CoreIdToken::from_str(id_token).ok()?;
    let mut req = LogoutRequest::from(endpoint)
        .set_id_token_hint(&token)
        .set_client_id(ClientId::new(p.config.client_id.clone()));
    if let Ok(u) = PostLogoutRedirectUrl::new(sso.post_logout_uri()) {
        req = req.set_post_logout_redirect_uri(u);
    }
    Some(req.http_get_url().to_string())
}

/// Declares a SIRET (14 digits) or a mail domain of an institution, by
/// which single sign-on recognises its people. Admins only.
pub async fn add_institution_identifier(
    app: &App,
    actor: &relais_domain::accounts::Actor,
    institution: Id,
    kind: &str,
    value: &str,
) -> Result<()> {
    if actor.role != Role::Admin {
        return Err(relais_domain::DomainError::Forbidden.into());
    }
    let value = value.trim().to_lowercase();
    let ok = match kind {
        "siret" => value.len() == 14 && value.chars().all(|c| c.is_ascii_digit()),
        "mail_domain" => {
            value.contains('.') && !value.contains('@') && !value.contains(char::is_whitespace)
        }
        _ => false,
    };
    if !ok {
        return Err(relais_domain::DomainError::invalid(
            "invalid_identifier",
            "value",
            "SIRET de 14 chiffres ou domaine de messagerie attendu.",
        )
        .into());
    }
    let mut tx = app.db.begin().await?;
    store::add_identifier(&mut tx, institution, kind, &value, &app.now_ts()).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "institution",
        institution,
        "add_identifier",
        &serde_json::json!({ "kind": kind, "value": value }),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The provider and ID token of a session, if opened through one.
pub async fn session_provider(app: &App, session_token: &str) -> Result<Option<(String, String)>> {
    let mut c = app.db.read().await?;
    Ok(store::session_sso(&mut c, &crate::accounts::hash_token(session_token)).await?)
}
