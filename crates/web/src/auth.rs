//! Sessions, API tokens, CSRF and the extractors that hand handlers an
//! authenticated actor. A handler never builds its own scope: it receives
//! the [`Session`] whose actor narrows every store query.

use crate::error::api_error;
use crate::i18n::{Lang, Tr};
use crate::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use relais_domain::accounts::Actor;
use relais_store::accounts::UserRow;

pub const SESSION_COOKIE_SECURE: &str = "__Host-relais_session";
pub const SESSION_COOKIE_PLAIN: &str = "relais_session";
pub const LOGIN_CSRF_COOKIE_SECURE: &str = "__Host-relais_csrf";
pub const LOGIN_CSRF_COOKIE_PLAIN: &str = "relais_csrf";
pub const LANG_COOKIE: &str = "relais_lang";

pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.web.secure_cookies {
        SESSION_COOKIE_SECURE
    } else {
        SESSION_COOKIE_PLAIN
    }
}

pub fn login_csrf_cookie_name(state: &AppState) -> &'static str {
    if state.web.secure_cookies {
        LOGIN_CSRF_COOKIE_SECURE
    } else {
        LOGIN_CSRF_COOKIE_PLAIN
    }
}

/// A cookie as this server sets them: host-only, path /, HttpOnly,
/// SameSite=Lax, Secure when configured.
pub fn make_cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_path("/");
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_secure(state.web.secure_cookies);
    c
}

/// The authenticated person of a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub user: UserRow,
    /// The session's CSRF token (none for bearer-token API calls, which are
    /// not exposed to cross-site requests).
    pub csrf: Option<String>,
    pub via_token: bool,
}

/// Everything about the request that pages need besides the session.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub session: Option<Session>,
    pub lang: Lang,
}

fn bearer(parts: &axum::http::HeaderMap) -> Option<String> {
    let v = parts.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Resolves the session (cookie) or API token (bearer) and the language.
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let mut session = None;
    if let Some(token) = bearer(req.headers()) {
        match relais_app::accounts::token_actor(&state.app, &token).await {
            Ok(Some((actor, user))) => {
                session = Some(Session {
                    actor,
                    user,
                    csrf: None,
                    via_token: true,
                })
            }
            Ok(None) => {
                return api_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "Jeton d'API inconnu ou révoqué.",
                )
            }
            Err(e) => return crate::error::ApiError(e).into_response(),
        }
    } else if let Some(c) = jar.get(session_cookie_name(&state)) {
        match relais_app::accounts::session(&state.app, c.value()).await {
            Ok(Some((actor, csrf, user))) => {
                // Last activity for the sessions page, noted on writes only
                // (a GET changes nothing).
                if !matches!(*req.method(), Method::GET | Method::HEAD) {
                    let _ = relais_app::identity::touch(&state.app, c.value()).await;
                }
                session = Some(Session {
                    actor,
                    user,
                    csrf: Some(csrf),
                    via_token: false,
                })
            }
            Ok(None) => {}
            Err(e) => return crate::error::ApiError(e).into_response(),
        }
    }
    let lang = jar
        .get(LANG_COOKIE)
        .map(|c| Lang::from_code(c.value()))
        .or_else(|| session.as_ref().map(|s| Lang::from_code(&s.user.locale)))
        .unwrap_or_default();
    req.extensions_mut().insert(RequestCtx { session, lang });
    next.run(req).await
}

fn same_bytes(a: &str, b: &str) -> bool {
    // Constant-time comparison of two tokens.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn forbidden(api: bool, detail: &str) -> Response {
    if api {
        api_error(StatusCode::FORBIDDEN, "csrf", detail)
    } else {
        (
            StatusCode::FORBIDDEN,
            axum::response::Html(format!(
                "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Requête refusée</title></head>\
                 <body><main><h1>Requête refusée</h1><p>{detail}</p><p><a href=\"/\">Retour à l'accueil</a></p></main></body></html>"
            )),
        )
            .into_response()
    }
}

/// Refuses state-changing requests that do not prove they come from our own
/// pages: the Origin (or Sec-Fetch-Site) must be this site, and the session's
/// CSRF token must come back in `X-CSRF-Token`, a `_csrf` form field, or a
/// `_csrf` query parameter (multipart forms). Bearer-token calls are exempt:
/// browsers never attach them on their own.
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    let ctx = req.extensions().get::<RequestCtx>().cloned();
    if let Some(Session {
        via_token: true, ..
    }) = ctx.as_ref().and_then(|c| c.session.as_ref())
    {
        return next.run(req).await;
    }
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return forbidden(api, "Requête venue d'un autre site.");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin
            .split("://")
            .nth(1)
            .unwrap_or("")
            .trim_end_matches('/');
        if origin == "null" || origin_host != host {
            return forbidden(api, "Requête venue d'un autre site.");
        }
    }
    let jar = CookieJar::from_headers(req.headers());
    let expected = match ctx.as_ref().and_then(|c| c.session.as_ref()) {
        Some(s) => s.csrf.clone(),
        None => jar
            .get(login_csrf_cookie_name(&state))
            .map(|c| c.value().to_string()),
    };
    let Some(expected) = expected.filter(|e| !e.is_empty()) else {
        return forbidden(api, "Jeton anti-CSRF absent : rechargez la page.");
    };
    let mut provided = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if provided.is_none() {
        provided = req.uri().query().and_then(|q| url_form_value(q, "_csrf"));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let req = if provided.is_none() && is_form {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
            Ok(b) => b,
            Err(_) => return forbidden(api, "Requête trop volumineuse."),
        };
        provided = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|s| url_form_value(s, "_csrf"));
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    match provided {
        Some(p) if same_bytes(&p, &expected) => next.run(req).await,
        _ => forbidden(
            api,
            "Jeton anti-CSRF invalide : rechargez la page et recommencez.",
        ),
    }
}

fn url_form_value(s: &str, key: &str) -> Option<String> {
    s.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        if k == key {
            urlencoding::decode(&v.replace('+', " "))
                .ok()
                .map(|c| c.into_owned())
        } else {
            None
        }
    })
}

/// One parameter of a query string, decoded leniently: a malformed escape or
/// invalid UTF-8 gives replacement characters instead of a refused request,
/// so a hostile `retour=` still lands on a page of Relais.
pub fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| {
            String::from_utf8_lossy(&urlencoding::decode_binary(v.replace('+', " ").as_bytes()))
                .into_owned()
        })
    })
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .unwrap_or(RequestCtx {
                session: None,
                lang: Lang::Fr,
            }))
    }
}

/// A page that needs a logged-in person: anonymous visitors are sent to the
/// login page, and come back afterwards.
#[derive(Debug, Clone)]
pub struct Auth {
    pub session: Session,
    pub tr: Tr,
    pub path: String,
}

impl Auth {
    pub fn actor(&self) -> &Actor {
        &self.session.actor
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestCtx::from_request_parts(parts, s).await?;
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        match ctx.session {
            Some(session) if !session.via_token => Ok(Auth {
                session,
                tr: Tr(ctx.lang),
                path,
            }),
            _ => Err(
                Redirect::to(&format!("/connexion?suite={}", urlencoding::encode(&path)))
                    .into_response(),
            ),
        }
    }
}

/// An API call by a session (with CSRF checked) or a bearer token.
#[derive(Debug, Clone)]
pub struct ApiAuth(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for ApiAuth {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestCtx::from_request_parts(parts, s).await?;
        match ctx.session {
            Some(session) => Ok(ApiAuth(session)),
            None => Err(api_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentification requise (session ou jeton d'API).",
            )),
        }
    }
}

/// The address a request comes from, as throttling counts it: the socket's
/// peer, or — only when that peer is a configured trusted proxy — the
/// right-most address of `X-Forwarded-For` that is not itself a trusted
/// proxy (left-most entries are whatever the client wrote). IPv6 addresses
/// count by their /64, which one subscriber usually holds whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(client_addr(
            peer,
            &parts.headers,
            &state.app.settings.trusted_proxies,
        )))
    }
}

/// See [`ClientAddr`].
pub fn client_addr(
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer.map(canonical_ip) else {
        return "inconnue".into();
    };
    let mut client = peer;
    if trusted.iter().any(|t| canonical_ip(*t) == peer) {
        let hops: Vec<std::net::IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|h| h.trim().parse::<std::net::IpAddr>().ok().map(canonical_ip))
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default();
        for hop in hops.into_iter().rev() {
            client = hop;
            if !trusted.iter().any(|t| canonical_ip(*t) == hop) {
                break;
            }
        }
    }
    match client {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

fn canonical_ip(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map(std::net::IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Only a path on this site is a safe place to return to (after sign-in, a
/// change of language, a form). Browsers strip tabs and newlines from URLs
/// and read `\\` as `/`, so `/\t/evil.example` or `/\\evil.example` would
/// leave the site: any control character, backslash, or a second leading
/// slash sends the person home instead. What is kept is printable ASCII
/// (other characters are percent-encoded), so the `Location` header can
/// always be built.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".to_string();
    };
    let mut rest = n.chars();
    let first = rest.next();
    let second = rest.next();
    let unsafe_start = first != Some('/') || matches!(second, Some('/') | Some('\\'));
    if unsafe_start
        || n.chars()
            .any(|c| c.is_control() || c == '\\' || (c.is_whitespace() && c != ' '))
    {
        return "/".to_string();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{client_addr, safe_next};
    use axum::http::HeaderMap;

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
        // Direct client: its own header is ignored.
        assert_eq!(
            client_addr(Some("198.51.100.2".parse().unwrap()), &h, &[proxy]),
            "198.51.100.2"
        );
        // Through the proxy: the right-most address the proxy saw.
        assert_eq!(client_addr(Some(proxy), &h, &[proxy]), "203.0.113.7");
        // No proxy configured: the socket's address.
        assert_eq!(client_addr(Some(proxy), &h, &[]), "10.0.0.1");
        // A garbled header does not let the client choose.
        h.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(client_addr(Some(proxy), &h, &[proxy]), "10.0.0.1");
        assert_eq!(
            client_addr(
                Some("2001:db8:1:2:3:4:5:6".parse().unwrap()),
                &HeaderMap::new(),
                &[]
            ),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            client_addr(
                Some("::ffff:192.0.2.9".parse().unwrap()),
                &HeaderMap::new(),
                &[]
            ),
            "192.0.2.9"
        );
        assert_eq!(client_addr(None, &HeaderMap::new(), &[]), "inconnue");
    }

    #[test]
    fn only_same_site_paths_are_returned_to() {
        for bad in [
            "/\t/evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "evil.example",
            "/ok\u{0}x",
            "/ok\r\nSet-Cookie: a=b",
            "/a\\b",
            "/\u{85}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/contacts?q=a&p=2")), "/contacts?q=a&p=2");
        assert_eq!(
            safe_next(Some("/contacts?q=été x")),
            "/contacts?q=%C3%A9t%C3%A9%20x"
        );
    }
}
