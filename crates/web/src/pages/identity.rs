//! Accounts without a provider and the person's own security: forgotten
//! password (a mailed one-use link), invitations by a referent, the
//! sessions page (end one or all others) and the security log.

use crate::auth::{
    login_csrf_cookie_name, make_cookie, session_cookie_name, Auth, ClientAddr, RequestCtx,
};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{render, FormData};
use crate::view::Base;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use relais_app::identity::LinkState;
use relais_app::AppError;
use relais_domain::accounts::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mot-de-passe-oublie", get(forgot_page).post(forgot_submit))
        .route("/compte/lien/{token}", get(link_page).post(link_submit))
        .route("/compte/sessions", get(sessions_page))
        .route("/compte/sessions/autres/terminer", post(end_others))
        .route("/compte/sessions/{key}/terminer", post(end_one))
        .route("/compte/securite", get(my_log))
        .route("/admin/securite", get(admin_log))
        .route("/comptes/inviter", get(invite_page).post(invite_submit))
}

struct Field {
    name: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    autocomplete: &'static str,
    required: bool,
}

struct FormSpec {
    action: String,
    fields: Vec<Field>,
    submit: String,
}

struct Row {
    cells: Vec<String>,
    action: Option<(String, String)>,
}

struct TableSpec {
    caption: String,
    headers: Vec<String>,
    rows: Vec<Row>,
    with_actions: bool,
}

#[derive(Template)]
#[template(path = "identity.html")]
struct IdentityPage {
    base: Base,
    message: Option<String>,
    errors: Vec<String>,
    form: Option<FormSpec>,
    table: Option<TableSpec>,
    actions: Vec<(String, String)>,
    links: Vec<(String, String)>,
}

impl IdentityPage {
    fn new(base: Base) -> Self {
        IdentityPage {
            base,
            message: None,
            errors: vec![],
            form: None,
            table: None,
            actions: vec![],
            links: vec![],
        }
    }
}

fn password_fields(tr: Tr) -> Vec<Field> {
    vec![
        Field {
            name: "password",
            label: tr.t("nouveau-mot-de-passe-12-caracteres").to_string(),
            kind: "password",
            value: String::new(),
            autocomplete: "new-password",
            required: true,
        },
        Field {
            name: "confirm",
            label: tr.t("confirmation-du-nouveau-mot-de-passe").to_string(),
            kind: "password",
            value: String::new(),
            autocomplete: "new-password",
            required: true,
        },
    ]
}

/// An anonymous page's frame with the pre-session CSRF cookie (as the
/// sign-in page does).
fn anonymous(state: &AppState, jar: CookieJar, tr: Tr, title: String) -> (CookieJar, Base) {
    let name = login_csrf_cookie_name(state);
    let token = jar
        .get(name)
        .map(|c| c.value().to_string())
        .unwrap_or_else(relais_app::accounts::random_token);
    let jar = jar.add(make_cookie(state, name, token.clone()));
    (jar, Base::anonymous(tr, title, token, "/connexion"))
}

fn refusals(e: AppError, tr: Tr) -> Result<Vec<String>, PageError> {
    match e {
        AppError::Domain(relais_domain::DomainError::Invalid(v)) => {
            Ok(v.into_iter().map(|f| f.detail).collect())
        }
        e => Err(PageError::new(e, tr)),
    }
}

// ---------------------------------------------------------------- forgotten password

fn forgot_form(tr: Tr) -> FormSpec {
    FormSpec {
        action: "/mot-de-passe-oublie".into(),
        fields: vec![Field {
            name: "email",
            label: tr.t("login-email").to_string(),
            kind: "email",
            value: String::new(),
            autocomplete: "username",
            required: true,
        }],
        submit: tr.t("reset-send").to_string(),
    }
}

async fn forgot_page(
    State(state): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    let (jar, base) = anonymous(&state, jar, tr, tr.t("reset-title").to_string());
    let mut page = IdentityPage::new(base);
    page.message = Some(tr.t("reset-intro").to_string());
    page.form = Some(forgot_form(tr));
    Ok((jar, render(&page, tr)?).into_response())
}

/// The same answer whether the address has an account or not.
async fn forgot_submit(
    State(state): State<AppState>,
    ctx: RequestCtx,
    client: ClientAddr,
    jar: CookieJar,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    relais_app::identity::request_password_reset(&state.app, &f.get("email"), &client.0)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let (jar, base) = anonymous(&state, jar, tr, tr.t("reset-title").to_string());
    let mut page = IdentityPage::new(base);
    page.message = Some(tr.t("reset-sent").to_string());
    page.links = vec![("/connexion".into(), tr.t("sso-back-to-login").to_string())];
    Ok((jar, render(&page, tr)?).into_response())
}

// ---------------------------------------------------------------- mailed links

async fn link_page(
    State(state): State<AppState>,
    ctx: RequestCtx,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    let st = relais_app::identity::link_state(&state.app, &token)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    link_reply(&state, jar, tr, &token, st, vec![])
}

fn link_reply(
    state: &AppState,
    jar: CookieJar,
    tr: Tr,
    token: &str,
    st: LinkState,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let (jar, base) = anonymous(state, jar, tr, tr.t("link-title").to_string());
    let mut page = IdentityPage::new(base);
    let mut status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.errors = errors;
    match st {
        LinkState::Valid { purpose, email } => {
            page.message = Some(tr.t_args(
                if purpose == "invitation" {
                    "link-invitation-intro"
                } else {
                    "link-reset-intro"
                },
                &[("email", email.into())],
            ));
            page.form = Some(FormSpec {
                action: format!("/compte/lien/{}", urlencoding::encode(token)),
                fields: password_fields(tr),
                submit: tr.t("link-submit").to_string(),
            });
        }
        other => {
            status = StatusCode::GONE;
            page.errors = vec![tr
                .t(match other {
                    LinkState::Used => "link-used",
                    LinkState::Expired => "link-expired",
                    _ => "link-unknown",
                })
                .to_string()];
            page.links = vec![(
                "/mot-de-passe-oublie".into(),
                tr.t("reset-ask-new").to_string(),
            )];
        }
    }
    // The address holds a secret: never sent on as a referrer.
    let mut res = (status, jar, render(&page, tr)?).into_response();
    res.headers_mut().insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

async fn link_submit(
    State(state): State<AppState>,
    ctx: RequestCtx,
    client: ClientAddr,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = Tr(ctx.lang);
    match relais_app::identity::use_link(
        &state.app,
        &token,
        &f.get("password"),
        &f.get("confirm"),
        &client.0,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/connexion?ok=password_set").into_response()),
        Err(e) => {
            let errors = refusals(e, tr)?;
            let st = relais_app::identity::link_state(&state.app, &token)
                .await
                .map_err(|e| PageError::new(e, tr))?;
            link_reply(&state, jar, tr, &token, st, errors)
        }
    }
}

// ---------------------------------------------------------------- sessions

/// A stored timestamp as French readers expect it (Paris time).
fn when(s: &str) -> String {
    crate::kit::fr_datetime(s)
}

/// The label of a security event's kind; an unknown kind shows as stored.
fn kind_label(tr: crate::i18n::Tr, kind: &str) -> String {
    match kind {
        "login" => tr.t("security-kind-login"),
        "login_failed" => tr.t("security-kind-login-failed"),
        "invitation" => tr.t("security-kind-invitation"),
        "invitation_accepted" => tr.t("security-kind-invitation-accepted"),
        "password_reset" => tr.t("security-kind-password-reset"),
        "password_reset_requested" => tr.t("security-kind-password-reset-requested"),
        "sso_linked" => tr.t("security-kind-sso-linked"),
        "session_ended" => tr.t("security-kind-session-ended"),
        "sessions_ended" => tr.t("security-kind-sessions-ended"),
        other => return other.to_string(),
    }
    .to_string()
}

/// The label of a sign-in method: password, mail link, or the provider's id.
fn method_label(tr: crate::i18n::Tr, method: &str) -> String {
    match method {
        "password" => tr.t("security-method-password").to_string(),
        "mail" => tr.t("security-method-mail").to_string(),
        other => other.to_string(),
    }
}

async fn sessions_page(
    State(state): State<AppState>,
    auth: Auth,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let current = jar
        .get(session_cookie_name(&state))
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let list = relais_app::identity::my_sessions(&state.app, auth.actor(), &current)
        .await
        .map_err(|e| PageError::new(e, tr))?;
    let mut page = IdentityPage::new(Base::new(&auth, tr.t("sessions-title")));
    page.table = Some(TableSpec {
        caption: tr.t("sessions-caption").to_string(),
        headers: vec![
            tr.t("sessions-opened").to_string(),
            tr.t("sessions-last-seen").to_string(),
            tr.t("sessions-address").to_string(),
            tr.t("sessions-device").to_string(),
            tr.t("sessions-method").to_string(),
            String::new(),
        ],
        with_actions: true,
        rows: list
            .into_iter()
            .map(|s| Row {
                cells: vec![
                    when(&s.created_at),
                    s.last_seen_at.as_deref().map(when).unwrap_or_default(),
                    s.client_addr,
                    s.user_agent,
                    if s.current {
                        format!(
                            "{} ({})",
                            method_label(tr, &s.method),
                            tr.t("sessions-this-one")
                        )
                    } else {
                        method_label(tr, &s.method)
                    },
                ],
                action: (!s.current).then(|| {
                    (
                        format!("/compte/sessions/{}/terminer", s.key),
                        tr.t("sessions-end").to_string(),
                    )
                }),
            })
            .collect(),
    });
    page.actions = vec![(
        "/compte/sessions/autres/terminer".into(),
        tr.t("sessions-end-others").to_string(),
    )];
    page.links = vec![(
        "/compte/securite".into(),
        tr.t("security-title").to_string(),
    )];
    Ok(render(&page, tr)?.into_response())
}

async fn end_one(
    State(state): State<AppState>,
    auth: Auth,
    client: ClientAddr,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    relais_app::identity::end_session(&state.app, auth.actor(), &key, &client.0)
        .await
        .map_err(|e| PageError::new(e, auth.tr))?;
    Ok(Redirect::to("/compte/sessions").into_response())
}

async fn end_others(
    State(state): State<AppState>,
    auth: Auth,
    client: ClientAddr,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let current = jar
        .get(session_cookie_name(&state))
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    relais_app::identity::end_other_sessions(&state.app, auth.actor(), &current, &client.0)
        .await
        .map_err(|e| PageError::new(e, auth.tr))?;
    Ok(Redirect::to("/compte/sessions").into_response())
}

// ---------------------------------------------------------------- security log

#[derive(serde::Deserialize, Default)]
struct LogQuery {
    #[serde(default)]
    compte: Option<String>,
    #[serde(default, rename = "type")]
    type_: Option<String>,
}

fn log_page(
    auth: &Auth,
    rows: Vec<relais_app::identity::EventRow>,
    with_user: bool,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let mut page = IdentityPage::new(Base::new(auth, tr.t("security-title")));
    let mut headers = vec![tr.t("security-when").to_string()];
    if with_user {
        headers.push(tr.t("security-account").to_string());
    }
    headers.extend([
        tr.t("security-event").to_string(),
        tr.t("sessions-method").to_string(),
        tr.t("sessions-address").to_string(),
        tr.t("security-detail").to_string(),
    ]);
    page.table = Some(TableSpec {
        caption: tr.t("security-caption").to_string(),
        headers,
        with_actions: false,
        rows: rows
            .into_iter()
            .map(|e| {
                let mut cells = vec![when(&e.at)];
                if with_user {
                    cells.push(e.user_email.unwrap_or_default());
                }
                cells.extend([
                    kind_label(tr, &e.kind),
                    method_label(tr, &e.method),
                    e.client_addr,
                    e.detail,
                ]);
                Row {
                    cells,
                    action: None,
                }
            })
            .collect(),
    });
    Ok(render(&page, tr)?.into_response())
}

async fn my_log(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let rows = relais_app::identity::security_log(
        &state.app,
        auth.actor(),
        Some(auth.actor().user_id),
        None,
    )
    .await
    .map_err(|e| PageError::new(e, auth.tr))?;
    log_page(&auth, rows, false)
}

/// Admins: every account; referents: their institution's accounts.
async fn admin_log(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<LogQuery>,
) -> Result<Response, PageError> {
    if !matches!(auth.actor().role, Role::Admin | Role::MemberAdmin) {
        return Err(PageError::new(
            relais_domain::DomainError::Forbidden,
            auth.tr,
        ));
    }
    let user = match q.compte.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(crate::kit::path_id(s, auth.tr)?),
        None => None,
    };
    let rows = relais_app::identity::security_log(&state.app, auth.actor(), user, q.type_)
        .await
        .map_err(|e| PageError::new(e, auth.tr))?;
    log_page(&auth, rows, true)
}

// ---------------------------------------------------------------- invitations

fn invite_form(tr: Tr, email: &str, name: &str) -> FormSpec {
    FormSpec {
        action: "/comptes/inviter".into(),
        fields: vec![
            Field {
                name: "email",
                label: tr.t("login-email").to_string(),
                kind: "email",
                value: email.into(),
                autocomplete: "off",
                required: true,
            },
            Field {
                name: "display_name",
                label: tr.t("nom").to_string(),
                kind: "text",
                value: name.into(),
                autocomplete: "off",
                required: true,
            },
        ],
        submit: tr.t("invite-submit").to_string(),
    }
}

async fn invite_page(auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !matches!(auth.actor().role, Role::Admin | Role::MemberAdmin) {
        return Err(PageError::new(relais_domain::DomainError::Forbidden, tr));
    }
    let mut page = IdentityPage::new(Base::new(&auth, tr.t("invite-title")));
    page.message = Some(tr.t("invite-intro").to_string());
    page.form = Some(invite_form(tr, "", ""));
    Ok(render(&page, tr)?.into_response())
}

async fn invite_submit(
    State(state): State<AppState>,
    auth: Auth,
    client: ClientAddr,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let input = relais_app::identity::Invitation {
        email: f.get("email"),
        display_name: f.get("display_name"),
        institution_id: Some(f.get("institution_id")).filter(|s| !s.is_empty()),
    };
    match relais_app::identity::invite(&state.app, auth.actor(), input, &client.0).await {
        Ok(_) => {
            let mut page = IdentityPage::new(Base::new(&auth, tr.t("invite-title")));
            page.message = Some(tr.t_args("invite-sent", &[("email", f.get("email").into())]));
            page.form = Some(invite_form(tr, "", ""));
            Ok(render(&page, tr)?.into_response())
        }
        Err(e) => {
            let errors = refusals(e, tr)?;
            let mut page = IdentityPage::new(Base::new(&auth, tr.t("invite-title")));
            page.errors = errors;
            page.form = Some(invite_form(tr, &f.get("email"), &f.get("display_name")));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page, tr)?).into_response())
        }
    }
}
