//! Extractors of the API: axum's `Json`, `Path` and `Query` whose refusals
//! answer the one JSON envelope `{"errors":[{"code","detail","field"}]}`
//! with a stable code and a French message, instead of axum's plain text.
//! The `/api/**` fallback (unknown route, wrong method) and a safety net
//! that wraps any remaining non-JSON error body live here too.
//!
//! Codes: `json_invalide` (400), `corps_illisible` (400),
//! `parametre_invalide` (400), `identifiant_invalide` (404, ids in the
//! address), `route_inconnue` (404), `methode_non_autorisee` (405),
//! `corps_trop_volumineux` (413), `type_contenu_invalide` (415),
//! `champ_manquant` (422), `valeur_invalide` (422).

use crate::error::{ErrorBody, ErrorItem};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A refusal of the request's shape, answered in the JSON envelope.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub field: Option<String>,
}

impl Refusal {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Refusal {
            status,
            code,
            detail: detail.into(),
            field: None,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        let f = field.into();
        self.field = (!f.is_empty()).then_some(f);
        self
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(ErrorBody {
                errors: vec![ErrorItem {
                    code: self.code.into(),
                    detail: self.detail,
                    field: self.field,
                }],
            }),
        )
            .into_response()
    }
}

/// `serde_path_to_error`'s path as a field name: `""` for the root.
fn field_of(path: &serde_path_to_error::Path) -> String {
    let p = path.to_string();
    if p == "." {
        String::new()
    } else {
        p
    }
}

/// The name inside the first pair of backticks of a serde message
/// (`missing field `name``).
fn backticked(msg: &str) -> Option<&str> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(&msg[start..start + len])
}

fn join_field(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A data error of serde (missing field, wrong type or value) as a refusal
/// with the field concerned; `status` is 422 for bodies, 400 for queries.
fn data_refusal(status: StatusCode, path: String, msg: &str, what: &str) -> Refusal {
    if msg.starts_with("missing field") {
        let field = join_field(&path, backticked(msg).unwrap_or(""));
        Refusal::new(
            status,
            if status == StatusCode::BAD_REQUEST {
                "parametre_invalide"
            } else {
                "champ_manquant"
            },
            format!("Le champ « {field} » est obligatoire {what}."),
        )
        .field(field)
    } else if msg.starts_with("unknown field") {
        let field = join_field(&path, backticked(msg).unwrap_or(""));
        Refusal::new(
            status,
            if status == StatusCode::BAD_REQUEST {
                "parametre_invalide"
            } else {
                "valeur_invalide"
            },
            format!("Le champ « {field} » n'est pas attendu {what}."),
        )
        .field(field)
    } else {
        let detail = if path.is_empty() {
            format!("Valeur invalide {what}.")
        } else {
            format!("Valeur invalide pour le champ « {path} » {what}.")
        };
        Refusal::new(
            status,
            if status == StatusCode::BAD_REQUEST {
                "parametre_invalide"
            } else {
                "valeur_invalide"
            },
            detail,
        )
        .field(path)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Parses a JSON body into `T`, or says what is wrong with it.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Refusal> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = field_of(e.path());
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => data_refusal(
                StatusCode::UNPROCESSABLE_ENTITY,
                path,
                &inner.to_string(),
                "dans le corps de la requête",
            ),
            _ => json_syntax(&inner),
        }
    })?;
    de.end().map_err(|e| json_syntax(&e))?;
    Ok(value)
}

fn json_syntax(e: &serde_json::Error) -> Refusal {
    Refusal::new(
        StatusCode::BAD_REQUEST,
        "json_invalide",
        format!(
            "Le corps de la requête n'est pas un JSON valide (ligne {}, colonne {}).",
            e.line(),
            e.column()
        ),
    )
}

/// A JSON request body; refusals in the envelope: 415
/// `type_contenu_invalide`, 400 `json_invalide`, 422 `champ_manquant` or
/// `valeur_invalide` (with the field), 413 `corps_trop_volumineux`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Refusal;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "type_contenu_invalide",
                "Le corps de la requête doit être du JSON (en-tête Content-Type: application/json).",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| body_refusal(e.status()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn body_refusal(status: StatusCode) -> Refusal {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "corps_trop_volumineux",
            "Le corps de la requête dépasse la taille autorisée.",
        )
    } else {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "corps_illisible",
            "Le corps de la requête n'a pas pu être lu.",
        )
    }
}

/// Parses a query string into `T`, or says which parameter is wrong.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, Refusal> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = field_of(e.path());
        let msg = e.into_inner().to_string();
        data_refusal(StatusCode::BAD_REQUEST, path, &msg, "dans l'adresse")
    })
}

/// Query parameters; a parameter of the wrong type is 400
/// `parametre_invalide` with its name.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

/// Path parameters; a segment that does not decode is 400
/// `parametre_invalide`. Ids inside are parsed by `common::parse_id`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(_) => Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "parametre_invalide",
                "Un paramètre de l'adresse est invalide.",
            )),
        }
    }
}

/// `/api/**` with no route: 404 `route_inconnue`.
pub async fn unknown_route() -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "route_inconnue",
        "Cette adresse ne correspond à aucune route de l'API (voir /api/openapi.json).",
    )
}

/// A known API route called with a method it does not have: 405
/// `methode_non_autorisee` (axum keeps the `Allow` header).
pub async fn wrong_method() -> Refusal {
    refusal_for_status(StatusCode::METHOD_NOT_ALLOWED)
}

/// The envelope for an error status when nothing more is known.
pub fn refusal_for_status(status: StatusCode) -> Refusal {
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => (
            "introuvable",
            "Cette ressource n'existe pas ou ne vous est pas accessible.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "methode_non_autorisee",
            "Cette méthode HTTP n'est pas acceptée sur cette route de l'API.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "corps_trop_volumineux",
            "Le corps de la requête dépasse la taille autorisée.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "type_contenu_invalide",
            "Le type du corps de la requête n'est pas accepté.",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("valeur_invalide", "La requête est invalide."),
        StatusCode::UNAUTHORIZED => ("unauthenticated", "Authentification requise."),
        StatusCode::FORBIDDEN => ("forbidden", "Action non autorisée."),
        s if s.is_server_error() => ("internal", "Erreur interne : l'incident est journalisé."),
        _ => ("requete_invalide", "La requête est invalide."),
    };
    Refusal::new(status, code, detail)
}

/// Safety net on the API router: an error response whose body is not JSON
/// (a refusal of some extractor or layer not wrapped above) is replaced by
/// the envelope for its status, keeping its headers (e.g. `Allow`).
pub async fn envelope_errors(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if json {
        return res;
    }
    let (mut parts, _) = res.into_parts();
    let body = refusal_for_status(status).into_response();
    let (new_parts, body) = body.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (k, v) in new_parts.headers.iter() {
        parts.headers.insert(k, v.clone());
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        capacity: i64,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[test]
    fn json_refusals_name_the_field() {
        let e = parse_json::<Body>(br#"{"capacity": 3}"#).unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::UNPROCESSABLE_ENTITY, "champ_manquant")
        );
        assert_eq!(e.field.as_deref(), Some("name"));
        let e = parse_json::<Body>(br#"{"name": "x", "capacity": "trois"}"#).unwrap_err();
        assert_eq!(e.code, "valeur_invalide");
        assert_eq!(e.field.as_deref(), Some("capacity"));
        let e = parse_json::<Body>(br#"{"name": "x", "capacity": 1, "tags": [1]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tags[0]"));
        let e = parse_json::<Body>(br#"{"name": "#).unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::BAD_REQUEST, "json_invalide")
        );
        let e = parse_json::<Body>(br#"{"name": "x", "capacity": 1} trailing"#).unwrap_err();
        assert_eq!(e.code, "json_invalide");
        assert!(parse_json::<Body>(br#"{"name": "x", "capacity": 1}"#).is_ok());
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Q {
        limit: Option<i64>,
        open: Option<bool>,
    }

    #[test]
    fn query_refusals_name_the_parameter() {
        let e = parse_query::<Q>("limit=dix").unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::BAD_REQUEST, "parametre_invalide")
        );
        assert_eq!(e.field.as_deref(), Some("limit"));
        let e = parse_query::<Q>("open=peut-etre").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("open"));
        let q = parse_query::<Q>("limit=5&open=true&other=1").unwrap();
        assert_eq!((q.limit, q.open), (Some(5), Some(true)));
    }

    #[tokio::test]
    async fn the_safety_net_wraps_plain_text_errors_and_keeps_headers() {
        let plain = (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET")],
            "Method Not Allowed",
        )
            .into_response();
        let res = envelope_errors(plain).await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers()[header::ALLOW], "GET");
        assert!(res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["errors"][0]["code"], "methode_non_autorisee");
        // Success and JSON errors pass untouched.
        let ok = envelope_errors("fine".into_response()).await;
        assert_eq!(ok.status(), StatusCode::OK);
    }
}
