//! Knowledge base tables: articles per product and version. Reads are
//! narrowed by [`ArticleScope`]: knowledge is shared between institutions,
//! so a member reads every published article of any product, and never a
//! draft, an article in review or an archived one.

use crate::sql::{Arg, Sql};
use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

/// What articles a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleScope {
    /// Agency staff: every status.
    All,
    /// Everyone else: published articles only.
    Published,
}

fn scope_sql(q: &mut Sql, scope: ArticleScope) {
    match scope {
        ArticleScope::All => {}
        ArticleScope::Published => {
            q.push(" AND a.status = 'publie'");
        }
    }
}

fn opt(v: &Option<String>) -> Arg {
    v.clone().map(Arg::Text).unwrap_or(Arg::NullText)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ArticleRow {
    pub id: String,
    pub product_id: String,
    pub product_name: String,
    pub version: Option<String>,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// `brouillon`, `relecture`, `publie`, `archive`.
    pub status: String,
    /// The resolved ticket the article was drafted from (agents only; the
    /// API hides it from members).
    pub source_ticket_id: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    /// `YYYY-MM-DD`: after this date a published article is to be reviewed.
    pub review_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
}

const ARTICLE_COLS: &str = "SELECT a.id, a.product_id, p.name AS product_name, a.version, a.title, a.body, \
    a.status, a.source_ticket_id, a.author_id, u.display_name AS author_name, a.review_on, a.created_at, \
    a.updated_at, a.published_at FROM articles a JOIN products p ON p.id = a.product_id \
    LEFT JOIN users u ON u.id = a.author_id";

/// The editable fields of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleValues {
    pub product_id: Id,
    pub version: Option<String>,
    pub title: String,
    pub body: String,
    pub review_on: Option<String>,
}

impl ArticleValues {
    fn search_text(&self) -> String {
        relais_domain::fold(&format!(
            "{} {} {}",
            self.title,
            self.version.as_deref().unwrap_or(""),
            self.body
        ))
    }
}

pub async fn insert_article(
    c: &mut Conn,
    id: Id,
    v: &ArticleValues,
    source_ticket: Option<Id>,
    author: Option<Id>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO articles (id, product_id, version, title, body, status, source_ticket_id, author_id, \
         review_on, created_at, updated_at, search_text) VALUES (",
    );
    let args = vec![
        Arg::Text(id.to_string()),
        Arg::Text(v.product_id.to_string()),
        opt(&v.version),
        Arg::Text(v.title.clone()),
        Arg::Text(v.body.clone()),
        Arg::Text("brouillon".into()),
        source_ticket
            .map(|t| Arg::Text(t.to_string()))
            .unwrap_or(Arg::NullText),
        author
            .map(|a| Arg::Text(a.to_string()))
            .unwrap_or(Arg::NullText),
        opt(&v.review_on),
        Arg::Text(now.into()),
        Arg::Text(now.into()),
        Arg::Text(v.search_text()),
    ];
    for (i, a) in args.into_iter().enumerate() {
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

pub async fn update_article(c: &mut Conn, id: Id, v: &ArticleValues, now: &str) -> Result<()> {
    let mut q = Sql::new("UPDATE articles SET product_id = ");
    q.bind_text(v.product_id.to_string());
    q.push(", version = ").bind(opt(&v.version));
    q.push(", title = ").bind_text(v.title.clone());
    q.push(", body = ").bind_text(v.body.clone());
    q.push(", review_on = ").bind(opt(&v.review_on));
    q.push(", search_text = ").bind_text(v.search_text());
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
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

/// Moves an article to `status`; `published_at` and `review_on` are set
/// when given (publishing), left as they are otherwise.
pub async fn set_status(
    c: &mut Conn,
    id: Id,
    status: &str,
    published_at: Option<&str>,
    review_on: Option<&str>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new("UPDATE articles SET status = ");
    q.bind_text(status);
    if let Some(p) = published_at {
        q.push(", published_at = ").bind_text(p);
    }
    if let Some(r) = review_on {
        q.push(", review_on = ").bind_text(r);
    }
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
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

pub async fn get_article(c: &mut Conn, scope: ArticleScope, id: Id) -> Result<ArticleRow> {
    let mut q = Sql::new(ARTICLE_COLS);
    q.push(" WHERE a.id = ").bind_text(id.to_string());
    scope_sql(&mut q, scope);
    sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub product_id: Option<String>,
    pub version: Option<String>,
    /// Free text, folded and matched word by word on title, version and body.
    pub q: Option<String>,
    pub status: Option<String>,
    /// Only published articles whose review date is before this day
    /// (`YYYY-MM-DD`): the "à revoir" list.
    pub stale_before: Option<String>,
    pub source_ticket_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn article_where(q: &mut Sql, scope: ArticleScope, f: &ArticleFilter) {
    q.push(" WHERE 1 = 1");
    scope_sql(q, scope);
    if let Some(v) = &f.product_id {
        q.push(" AND a.product_id = ").bind_text(v.clone());
    }
    if let Some(v) = &f.version {
        q.push(" AND a.version = ").bind_text(v.clone());
    }
    if let Some(text) = &f.q {
        for word in relais_domain::fold(text).split_whitespace() {
            // LIKE wildcards typed by a person are matched literally.
            let w = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            q.push(" AND a.search_text LIKE ")
                .bind_text(format!("%{w}%"))
                .push(" ESCAPE '\\'");
        }
    }
    if let Some(v) = &f.status {
        q.push(" AND a.status = ").bind_text(v.clone());
    }
    if let Some(day) = &f.stale_before {
        q.push(" AND a.status = 'publie' AND a.review_on IS NOT NULL AND a.review_on < ")
            .bind_text(day.clone());
    }
    if let Some(v) = &f.source_ticket_id {
        q.push(" AND a.source_ticket_id = ").bind_text(v.clone());
    }
}

/// A page of articles, most recently updated first, with the total count.
pub async fn list_articles(
    c: &mut Conn,
    scope: ArticleScope,
    f: &ArticleFilter,
) -> Result<(Vec<ArticleRow>, i64)> {
    let mut q = Sql::new(ARTICLE_COLS);
    article_where(&mut q, scope, f);
    if f.stale_before.is_some() {
        q.push(" ORDER BY a.review_on, a.id");
    } else {
        q.push(" ORDER BY a.updated_at DESC, a.id DESC");
    }
    q.push(" LIMIT ").bind_int(f.limit.clamp(1, 1000));
    q.push(" OFFSET ").bind_int(f.offset.max(0));
    let rows = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    let mut cq = Sql::new("SELECT COUNT(*) FROM articles a");
    article_where(&mut cq, scope, f);
    let (n,): (i64,) = sqlx::query_as_with(&cq.sql, cq.arguments())
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok((rows, n))
}

/// Versions used by articles, for the list filter.
pub async fn article_versions(c: &mut Conn, scope: ArticleScope) -> Result<Vec<String>> {
    let mut q = Sql::new("SELECT DISTINCT a.version FROM articles a WHERE a.version IS NOT NULL");
    scope_sql(&mut q, scope);
    q.push(" ORDER BY a.version");
    let rows: Vec<(String,)> = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A public message of a ticket with the role of its author (none for mail
/// from an address without an account).
#[derive(Debug, Clone, FromRow)]
pub struct SourceMessage {
    pub author_id: Option<String>,
    pub author_name: String,
    pub author_role: Option<String>,
    pub body: String,
    pub created_at: String,
}

/// The public messages of a ticket, oldest first. Internal notes are
/// filtered here, in SQL, so an article can never be assembled from one.
pub async fn public_messages(c: &mut Conn, ticket: Id) -> Result<Vec<SourceMessage>> {
    sqlx::query_as(
        "SELECT m.author_id, m.author_name, u.role AS author_role, m.body, m.created_at \
         FROM ticket_messages m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.ticket_id = $1 AND m.visibility = 'public' ORDER BY m.created_at, m.id",
    )
    .bind(ticket.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// Display names and e-mail addresses of the institution's people who wrote
/// on a ticket (members, not agency staff), for anonymising a draft.
pub async fn member_authors(c: &mut Conn, ticket: Id) -> Result<Vec<(String, Option<String>)>> {
    sqlx::query_as(
        "SELECT DISTINCT m.author_name, u.email FROM ticket_messages m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.ticket_id = $1 AND (u.id IS NULL OR u.institution_id IS NOT NULL)",
    )
    .bind(ticket.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}
