//! The list page: a title, filters, a table and previous/next links.

use crate::view::{Base, Field, Link, Table};
use askama::Template;

/// A filtered, paginated list (`list.html`).
///
/// ```ignore
/// let (prev, next) = pager("/contacts", &[("q", q.q.clone())], page, total);
/// let p = ListPage {
///     base, h1: "Contacts".into(), path: "/contacts".into(),
///     actions: vec![Link::new("/contacts/nouveau", "Nouveau contact")],
///     filters, total, table, prev, next,
/// };
/// Ok(render(&p, tr)?.into_response())
/// ```
#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub base: Base,
    pub h1: String,
    pub path: String,
    pub actions: Vec<Link>,
    pub filters: Vec<Field>,
    pub total: i64,
    pub table: Table,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// Query-string filters of list pages.
///
/// ```ignore
/// async fn list(auth: Auth, Query(q): Query<ListQuery>) -> … {
///     let page = q.page.unwrap_or(1).max(1);
/// }
/// ```
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub membership: Option<String>,
    pub manager: Option<String>,
    pub institution: Option<String>,
    pub function: Option<String>,
    pub domain: Option<String>,
    pub product: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
}

/// Rows per list page.
pub const PAGE_SIZE: i64 = 50;

/// Previous/next links that keep the other query parameters.
///
/// ```ignore
/// let (prev, next) = pager("/etablissements", &[("q", q.q.clone())], 2, 120);
/// // prev = Some("/etablissements?q=…&page=1"), next = Some("…&page=3")
/// ```
pub fn pager(
    path: &str,
    q: &[(&str, Option<String>)],
    page: i64,
    total: i64,
) -> (Option<String>, Option<String>) {
    let base: Vec<String> = q
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", urlencoding::encode(v)))
        })
        .collect();
    let link = |p: i64| {
        let mut parts = base.clone();
        parts.push(format!("page={p}"));
        format!("{path}?{}", parts.join("&"))
    };
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page * PAGE_SIZE < total).then(|| link(page + 1));
    (prev, next)
}
