//! API of the knowledge base: articles (members read published ones of any
//! product, agents write and move them through the workflow) and drafting
//! an article from a resolved ticket.

use crate::api::common::{parse_id, Created, Page};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiAuth;
use crate::error::{ApiError, ErrorBody};
use crate::kit::render_markdown;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use relais_app::knowledge as uc;
use relais_app::knowledge::{ArticleFilter, ArticleRow};
use relais_app::knowledge::{ArticleInput, ArticleView};
use relais_domain::accounts::Actor;
use relais_domain::Id;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_articles, create_article))
        .routes(routes!(get_article, update_article))
        .routes(routes!(submit_article))
        .routes(routes!(publish_article))
        .routes(routes!(archive_article))
        .routes(routes!(draft_from_ticket))
}

/// A knowledge article.
#[derive(Serialize, ToSchema)]
pub struct Article {
    pub id: String,
    pub product_id: String,
    pub product_name: String,
    pub version: Option<String>,
    pub title: String,
    /// Markdown source.
    pub body: String,
    /// The body rendered to sanitised HTML (single article only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// `brouillon`, `relecture`, `publie`, `archive`.
    pub status: String,
    /// Published and past its review date ("à revoir").
    pub stale: bool,
    /// `YYYY-MM-DD`.
    pub review_on: Option<String>,
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub author_name: Option<String>,
    /// The ticket it was drafted from (agency staff only).
    pub source_ticket_id: Option<String>,
}

impl Article {
    fn of(a: ArticleRow, stale: bool, html: bool) -> Article {
        Article {
            body_html: html.then(|| render_markdown(&a.body)),
            id: a.id,
            product_id: a.product_id,
            product_name: a.product_name,
            version: a.version,
            title: a.title,
            body: a.body,
            status: a.status,
            stale,
            review_on: a.review_on,
            published_at: a.published_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            author_name: a.author_name,
            source_ticket_id: a.source_ticket_id,
        }
    }
    fn view(v: ArticleView) -> Article {
        Article::of(v.article, v.stale, true)
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    product_id: Option<String>,
    version: Option<String>,
    /// Free text (accents and case ignored) on title, version and body.
    q: Option<String>,
    /// Agency staff only; members always get published articles.
    status: Option<String>,
    /// `true`: only published articles past their review date (agency).
    a_revoir: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Articles the caller may read: members get the published articles of
/// every product, never drafts.
#[utoipa::path(get, path = "/api/v1/articles", tag = "connaissances", params(ArticleQuery),
    responses((status = 200, body = Page<Article>)))]
async fn list_articles(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiQuery(q): ApiQuery<ArticleQuery>,
) -> Result<Json<Page<Article>>, ApiError> {
    let agency = s.actor.role.is_agency();
    let f = ArticleFilter {
        product_id: nonempty(q.product_id),
        version: nonempty(q.version),
        q: nonempty(q.q),
        status: if agency { nonempty(q.status) } else { None },
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        offset: q.offset.unwrap_or(0).max(0),
        ..Default::default()
    };
    let stale_only = agency && q.a_revoir.unwrap_or(false);
    let (rows, total) = uc::list_articles(&st.app, &s.actor, &f, stale_only).await?;
    Ok(Json(Page {
        items: rows
            .into_iter()
            .map(|(a, stale)| Article::of(a, stale, false))
            .collect(),
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ArticleBody {
    product_id: String,
    version: Option<String>,
    title: String,
    /// Markdown; raw HTML is sanitised when rendered.
    body: String,
    /// `YYYY-MM-DD`; empty: twelve months after publication.
    review_on: Option<String>,
}

impl From<ArticleBody> for ArticleInput {
    fn from(b: ArticleBody) -> Self {
        ArticleInput {
            product_id: b.product_id,
            version: b.version,
            title: b.title,
            body: b.body,
            review_on: b.review_on,
        }
    }
}

/// Writes a draft article (support agents, administrators).
#[utoipa::path(post, path = "/api/v1/articles", tag = "connaissances", request_body = ArticleBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_article(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiJson(b): ApiJson<ArticleBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::create_article(&st.app, &s.actor, b.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

async fn one(st: &AppState, actor: &Actor, id: Id) -> Result<Json<Article>, ApiError> {
    Ok(Json(Article::view(
        uc::get_article(&st.app, actor, id).await?,
    )))
}

/// One article, with its body rendered to sanitised HTML. A member asking
/// for an unpublished article gets 404.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "connaissances", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Article), (status = 404, body = ErrorBody)))]
async fn get_article(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Article>, ApiError> {
    one(&st, &s.actor, parse_id(&id)?).await
}

/// Replaces an article's fields; a published article stays published.
#[utoipa::path(put, path = "/api/v1/articles/{id}", tag = "connaissances", params(("id" = String, Path, description = "Identifiant (UUID)")), request_body = ArticleBody,
    responses((status = 200, body = Article), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_article(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ArticleBody>,
) -> Result<Json<Article>, ApiError> {
    let id = parse_id(&id)?;
    uc::update_article(&st.app, &s.actor, id, b.into()).await?;
    one(&st, &s.actor, id).await
}

/// Sends a draft to review.
#[utoipa::path(post, path = "/api/v1/articles/{id}/submit", tag = "connaissances", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Article), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn submit_article(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Article>, ApiError> {
    let id = parse_id(&id)?;
    uc::submit_for_review(&st.app, &s.actor, id).await?;
    one(&st, &s.actor, id).await
}

/// Publishes an article: every member institution reads it from now on.
/// The review date defaults to twelve months after publication.
#[utoipa::path(post, path = "/api/v1/articles/{id}/publish", tag = "connaissances", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Article), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn publish_article(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Article>, ApiError> {
    let id = parse_id(&id)?;
    uc::publish(&st.app, &s.actor, id).await?;
    one(&st, &s.actor, id).await
}

/// Archives an article: members no longer see it.
#[utoipa::path(post, path = "/api/v1/articles/{id}/archive", tag = "connaissances", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 200, body = Article), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn archive_article(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Article>, ApiError> {
    let id = parse_id(&id)?;
    uc::archive(&st.app, &s.actor, id).await?;
    one(&st, &s.actor, id).await
}

/// Drafts an article from a resolved or closed ticket (public messages
/// only, requester and institution masked). 422 `ticket_not_resolved` on
/// an open ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/article", tag = "connaissances", params(("id" = String, Path, description = "Identifiant (UUID)")),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn draft_from_ticket(
    State(st): State<AppState>,
    ApiAuth(s): ApiAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = uc::draft_from_ticket(&st.app, &s.actor, parse_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}
