//! Login, logout, language switch, static assets, the dashboard and the
//! account page (API tokens).

use crate::auth::{
    login_csrf_cookie_name, make_cookie, query_param, safe_next, session_cookie_name, Auth,
    ClientAddr, RequestCtx, LANG_COOKIE,
};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{path_id, render, FormData};
use crate::view::{Base, Cell, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use relais_app::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/connexion", get(login_page).post(login_submit))
        .route("/deconnexion", post(logout))
        .route("/connexion/oidc/{id}", post(sso_begin))
        .route("/connexion/oidc/{id}/retour", get(sso_callback))
        .route("/langue/{code}", get(switch_lang))
        .route("/static/relais.css", get(css))
        .route("/static/htmx.min.js", get(htmx))
        .route("/static/relais.js", get(js))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/", get(dashboard))
        .route("/compte", get(account))
        .route("/compte/jetons", post(create_token))
        .route("/compte/mot-de-passe", post(change_password))
        .route("/compte/jetons/{id}/revoquer", post(revoke_token))
        .route("/sante", get(health))
}

async fn health() -> &'static str {
    "ok"
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/relais.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/relais.js"),
    )
        .into_response()
}

/// The site's icon (browsers also ask for `/favicon.ico` on their own).
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/favicon.svg"),
    )
        .into_response()
}

async fn htmx() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/htmx.min.js"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    base: Base,
    error: Option<String>,
    email: String,
    next: String,
    /// Single sign-on providers: (id, name on the button).
    providers: Vec<(String, String)>,
}

/// The login form carries a pre-session CSRF token, double-submitted as a
/// cookie, so that even the login cannot be forged cross-site.
async fn login_page(
    State(state): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    if ctx.session.as_ref().is_some_and(|s| !s.via_token) {
        return Ok(Redirect::to("/").into_response());
    }
    let name = login_csrf_cookie_name(&state);
    let token = jar
        .get(name)
        .map(|c| c.value().to_string())
        .unwrap_or_else(relais_app::accounts::random_token);
    let jar = jar.add(make_cookie(&state, name, token.clone()));
    let page = LoginPage {
        base: Base::anonymous(tr, tr.t("login-title"), token, "/connexion"),
        error: None,
        email: String::new(),
        next: safe_next(query_param(q.as_deref(), "suite").as_deref()),
        providers: state.app.settings.sso.providers(),
    };
    Ok((jar, render(&page, tr)?).into_response())
}

async fn login_submit(
    State(state): State<AppState>,
    ctx: RequestCtx,
    client: ClientAddr,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    let email = f.get("email");
    let next = safe_next(Some(&f.get("suite")));
    match relais_app::accounts::login_with(
        &state.app,
        &email,
        &f.get("password"),
        &client.0,
        &user_agent(&headers),
    )
    .await
    {
        Ok(s) => {
            let jar = jar
                .remove(Cookie::from(login_csrf_cookie_name(&state)))
                .add(make_cookie(&state, session_cookie_name(&state), s.token));
            let jar = if s.user.locale == "en" {
                jar.add(make_cookie(&state, LANG_COOKIE, "en".into()))
            } else {
                jar
            };
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(e) => {
            let mut retry_after = None;
            let (status, msg) = match &e {
                AppError::Throttled { retry_after_secs } => {
                    retry_after = Some(*retry_after_secs);
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        tr.t_args(
                            "trop-de-tentatives-reessayez-dans-retry",
                            &[("retry_after_secs", retry_after_secs.to_string().into())],
                        ),
                    )
                }
                AppError::Domain(relais_domain::DomainError::Invalid(_)) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    tr.t("login-wrong-credentials").to_string(),
                ),
                _ => return Err(PageError::new(e, tr)),
            };
            let token = jar
                .get(login_csrf_cookie_name(&state))
                .map(|c| c.value().to_string())
                .unwrap_or_default();
            let page = LoginPage {
                base: Base::anonymous(tr, tr.t("login-title"), token, "/connexion"),
                error: Some(msg),
                email,
                next,
                providers: state.app.settings.sso.providers(),
            };
            let mut res = (status, render(&page, tr)?).into_response();
            if let Some(secs) = retry_after {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
            }
            Ok(res)
        }
    }
}

/// Signs out here, clears the cookies, and — when the session came through
/// a provider — continues to the provider's end-session endpoint, which
/// comes back to the sign-in page.
async fn logout(State(state): State<AppState>, jar: CookieJar) -> Response {
    let mut next = "/connexion?ok=logout".to_string();
    if let Some(c) = jar.get(session_cookie_name(&state)) {
        if let Ok(Some((provider, id_token))) =
            relais_app::sso::session_provider(&state.app, c.value()).await
        {
            if let Some(url) =
                relais_app::sso::end_session_url(&state.app, &provider, &id_token).await
            {
                next = url;
            }
        }
        let _ = relais_app::accounts::logout(&state.app, c.value()).await;
    }
    let jar = jar
        .remove(Cookie::from(session_cookie_name(&state)))
        .remove(Cookie::from(login_csrf_cookie_name(&state)))
        .remove(Cookie::from(sso_cookie_name(&state)));
    (jar, Redirect::to(&next)).into_response()
}

fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn sso_cookie_name(state: &AppState) -> &'static str {
    if state.web.secure_cookies {
        "__Host-relais_sso"
    } else {
        "relais_sso"
    }
}

#[derive(Template)]
#[template(path = "sso_refused.html")]
struct SsoRefusedPage {
    base: Base,
    message: String,
}

fn sso_refusal_key(refusal: relais_app::sso::Refusal) -> &'static str {
    use relais_app::sso::Refusal as R;
    match refusal {
        R::State => "sso-refused-state",
        R::Provider => "sso-refused-provider",
        R::ProviderError => "sso-refused-provider-error",
        R::Exchange => "sso-refused-exchange",
        R::IdToken => "sso-refused-id-token",
        R::Acr => "sso-refused-acr",
        R::Userinfo => "sso-refused-userinfo",
        R::UnknownOrganisation => "sso-refused-unknown-organisation",
        R::Inactive => "sso-refused-inactive",
    }
}

fn sso_refused(tr: Tr, refusal: relais_app::sso::Refusal) -> Result<Response, PageError> {
    let page = SsoRefusedPage {
        base: Base::anonymous(tr, tr.t("sso-refused-title"), String::new(), "/connexion"),
        message: tr.t(sso_refusal_key(refusal)).to_string(),
    };
    let status = match refusal {
        relais_app::sso::Refusal::Provider => StatusCode::BAD_GATEWAY,
        _ => StatusCode::FORBIDDEN,
    };
    Ok((status, render(&page, tr)?).into_response())
}

/// Starts a sign-in with a provider (a POST from the sign-in page's button:
/// starting a flow writes, so it is never a GET).
async fn sso_begin(
    State(state): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    let next = safe_next(Some(&f.get("suite")));
    let hint = f.get("indice");
    match relais_app::sso::begin(&state.app, &id, &next, Some(&hint))
        .await
        .map_err(|e| PageError::new(e, tr))?
    {
        Ok(started) => {
            let jar = jar.add(make_cookie(&state, sso_cookie_name(&state), started.state));
            Ok((jar, Redirect::to(&started.url)).into_response())
        }
        Err(refusal) => sso_refused(tr, refusal),
    }
}

/// The provider's redirect back: every check, then a session.
async fn sso_callback(
    State(state): State<AppState>,
    ctx: RequestCtx,
    client: ClientAddr,
    headers: HeaderMap,
    jar: CookieJar,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    let q = q.as_deref();
    let code = query_param(q, "code");
    let st = query_param(q, "state").unwrap_or_default();
    let error = query_param(q, "error");
    let browser = jar
        .get(sso_cookie_name(&state))
        .map(|c| c.value().to_string());
    let outcome = relais_app::sso::finish(
        &state.app,
        &id,
        code.as_deref(),
        &st,
        browser.as_deref(),
        error.as_deref(),
        &client.0,
        &user_agent(&headers),
    )
    .await
    .map_err(|e| PageError::new(e, tr))?;
    let jar = jar.remove(Cookie::from(sso_cookie_name(&state)));
    match outcome {
        Ok(s) => {
            let jar = jar
                .remove(Cookie::from(login_csrf_cookie_name(&state)))
                .add(make_cookie(&state, session_cookie_name(&state), s.token));
            let jar = if s.user.locale == "en" {
                jar.add(make_cookie(&state, LANG_COOKIE, "en".into()))
            } else {
                jar
            };
            Ok((jar, Redirect::to(&safe_next(Some(&s.return_to)))).into_response())
        }
        Err(refusal) => Ok((jar, sso_refused(tr, refusal)?).into_response()),
    }
}

async fn switch_lang(
    State(state): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let lang = if code == "en" { "en" } else { "fr" };
    if let Some(s) = ctx.session.as_ref() {
        let _ = relais_app::accounts::set_locale(&state.app, &s.actor, lang).await;
    }
    let mut c = make_cookie(&state, LANG_COOKIE, lang.into());
    c.set_http_only(false);
    (
        jar.add(c),
        Redirect::to(&safe_next(query_param(q.as_deref(), "retour").as_deref())),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    base: Base,
    counts: Vec<(String, i64, String)>,
    tasks: Option<Table>,
    renewals: Option<Table>,
}

async fn dashboard(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let app = &state.app;
    let actor = auth.actor();
    let counts = relais_app::crm::dashboard_counts(app, actor)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let counts = counts
        .into_iter()
        .map(|(k, n)| {
            let (key, href) = match k {
                "institutions" => ("dashboard-institutions", "/etablissements"),
                "contacts" => ("dashboard-contacts", "/contacts"),
                "deployments" => ("dashboard-deployments", "/deploiements"),
                _ => ("dashboard-conventions", "/conventions"),
            };
            let label = tr.t(key);
            (label.to_string(), n, href.to_string())
        })
        .collect();
    let (tasks, renewals) = if actor.can_read_interactions() {
        let rows = relais_app::crm::list_tasks(
            app,
            actor,
            &relais_app::crm::TaskFilter {
                assignee_id: Some(actor.user_id.to_string()),
                status: Some("a_faire".into()),
                limit: 20,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| PageError::new(e, tr))?;
        let mut tb = Table::new(
            tr,
            tr.t("dashboard-tasks"),
            &[tr.t("tache"), tr.t("etablissement"), tr.t("echeance")],
        );
        for t in rows {
            tb.rows.push(vec![
                Cell::text(t.title),
                Cell::link(
                    t.institution_name,
                    format!("/etablissements/{}", t.institution_id),
                ),
                Cell::date(&t.due_on),
            ]);
        }
        let soon = (app.clock.now() + chrono::Duration::days(90))
            .format("%Y-%m-%d")
            .to_string();
        let (conv, _) = relais_app::crm::list_conventions(
            app,
            actor,
            &relais_app::crm::ConventionFilter {
                alert_before: Some(soon),
                limit: 20,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| PageError::new(e, tr))?;
        let mut rt = Table::new(
            tr,
            tr.t("dashboard-renewals"),
            &[
                "Convention",
                tr.t("etablissement"),
                tr.t("alerte-de-renouvellement"),
                tr.t("fin"),
            ],
        );
        for c in conv {
            rt.rows.push(vec![
                Cell::link(c.title, format!("/conventions/{}", c.id)),
                Cell::link(
                    c.institution_name,
                    format!("/etablissements/{}", c.institution_id),
                ),
                Cell::date(&c.renewal_alert_on),
                Cell::date(&c.ends_on),
            ]);
        }
        (Some(tb), Some(rt))
    } else {
        (None, None)
    };
    let page = Dashboard {
        base: Base::new(&auth, tr.t("nav-home")),
        counts,
        tasks,
        renewals,
    };
    Ok(render(&page, tr)?.into_response())
}

struct TokenLine {
    id: String,
    name: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    base: Base,
    facts: Vec<(String, String)>,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
    /// Refusals of the password form.
    password_errors: Vec<String>,
    has_password: bool,
}

async fn account_page(
    state: &AppState,
    auth: &Auth,
    new_token: Option<String>,
) -> Result<Response, PageError> {
    account_page_with(state, auth, new_token, vec![]).await
}

async fn account_page_with(
    state: &AppState,
    auth: &Auth,
    new_token: Option<String>,
    password_errors: Vec<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let tokens = relais_app::accounts::list_api_tokens(&state.app, auth.actor())
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let u = &auth.session.user;
    let page = AccountPage {
        base: Base::new(auth, tr.t("nav-account")),
        facts: vec![
            ((tr.t("nom")).into(), u.display_name.clone()),
            ((tr.t("adresse-electronique")).into(), u.email.clone()),
            ((tr.t("role")).into(), crate::view::role_label(&u.role, tr)),
            (
                (tr.t("etablissement")).into(),
                u.institution_name
                    .clone()
                    .unwrap_or_else(|| "Agence".into()),
            ),
        ],
        tokens: tokens
            .into_iter()
            .map(|t| TokenLine {
                id: t.id,
                name: t.name,
                created: t.created_at.chars().take(10).collect(),
                last_used: t
                    .last_used_at
                    .map(|s| s.chars().take(16).collect())
                    .unwrap_or_else(|| "—".into()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        new_token,
        password_errors,
        has_password: u.password_hash.is_some(),
    };
    Ok(render(&page, tr)?.into_response())
}

/// Changes one's password (the current one required); the other sessions
/// of the person end, this one stays.
async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    jar: CookieJar,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let token = jar
        .get(session_cookie_name(&state))
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    match relais_app::accounts::change_password(
        &state.app,
        auth.actor(),
        &token,
        &f.get("current"),
        &f.get("password"),
        &f.get("confirm"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/compte?ok=password_changed").into_response()),
        Err(AppError::Domain(relais_domain::DomainError::Invalid(v))) => {
            let errors = v.into_iter().map(|e| e.detail).collect();
            let page = account_page_with(&state, &auth, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn account(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    account_page(&state, &auth, None).await
}

async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tok = relais_app::accounts::create_api_token(&state.app, auth.actor(), &f.get("name"))
        .await
        .map_err(|e| PageError::new(e, auth.tr))?;
    account_page(&state, &auth, Some(tok)).await
}

async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    relais_app::accounts::revoke_api_token(&state.app, auth.actor(), id)
        .await
        .map_err(|e| PageError::new(e, auth.tr))?;
    Ok(Redirect::to("/compte?ok=token_revoked").into_response())
}
