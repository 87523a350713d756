//! The search page: one box for everyone, answering only from what the
//! reader may read (the index filters by grants, so counts and facets are
//! the reader's too). Agents get facets by type, product, status and
//! institution.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{nonempty, path_id, render, search_kind_label};
use crate::view::{Base, Field, Link};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use relais_app::AppError;
use relais_search::SearchQuery;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/recherche", get(page))
}

const PER_PAGE: usize = 20;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    produit: Option<String>,
    statut: Option<String>,
    etablissement: Option<String>,
    page: Option<usize>,
}

pub struct HitView {
    pub title: String,
    pub href: String,
    pub kind: String,
    pub meta: String,
    /// Escaped by the index; only `<b>` is added around matches.
    pub snippet_html: String,
}

pub struct FacetView {
    pub title: String,
    pub items: Vec<(Link, u64, bool)>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub base: Base,
    pub field: Field,
    pub query: String,
    pub total: usize,
    pub hits: Vec<HitView>,
    pub facets: Vec<FacetView>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub searched: bool,
    /// Nothing matched well: the hits (if any) are only close, and the page
    /// says so and offers other ways on.
    pub weak: bool,
    /// Where to go when the search did not answer: the knowledge base (of
    /// the product searched) and filing a request.
    pub ways_on: Vec<Link>,
}

pub fn href_of(kind: &str, id: &str) -> String {
    match kind {
        "ticket" => format!("/support/{id}"),
        "article" => format!("/connaissances/{id}"),
        "incident" => format!("/support/incidents/{id}"),
        "training" => format!("/formations/{id}"),
        _ => "/".into(),
    }
}

fn status_label(code: &str, tr: Tr) -> String {
    use relais_domain::support::TicketStatus;
    if let Some(s) = TicketStatus::from_code(code) {
        return tr.label(s).to_string();
    }
    if let Some(k) = relais_domain::training::TrainingKind::from_code(code) {
        return tr.label(k).to_string();
    }
    match code {
        "publie" => tr.t("publie").to_string(),
        "brouillon" => tr.t("brouillon").to_string(),
        "relecture" => tr.t("en-relecture").to_string(),
        "archive" => tr.t("archive").to_string(),
        "ouvert" => tr.t("en-cours-2").to_string(),
        other => other.to_string(),
    }
}

fn link_with(params: &SearchParams, key: &str, value: &str) -> String {
    let mut pairs: Vec<(&str, String)> = vec![];
    let mut push = |k: &'static str, v: &Option<String>| {
        if k != key {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                pairs.push((k, v.clone()));
            }
        }
    };
    push("q", &params.q);
    push("type", &params.kind);
    push("produit", &params.produit);
    push("statut", &params.statut);
    push("etablissement", &params.etablissement);
    if !value.is_empty() {
        pairs.push((
            match key {
                "type" => "type",
                "produit" => "produit",
                "statut" => "statut",
                "etablissement" => "etablissement",
                _ => "q",
            },
            value.to_string(),
        ));
    }
    let qs: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
        .collect();
    format!("/recherche?{}", qs.join("&"))
}

async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor().clone();
    let agency = actor.role.is_agency();
    let text = nonempty(&p.q).unwrap_or_default();
    let page = p.page.unwrap_or(1).max(1);
    let pe = |e: AppError| PageError::new(e, tr);
    let products: HashMap<String, String> = relais_app::crm::list_products(&state.app, None)
        .await
        .map_err(pe)?
        .into_iter()
        .map(|x| (x.id, x.name))
        .collect();
    let mut hits = vec![];
    let mut facets = vec![];
    let mut total = 0;
    let mut relaxed = false;
    let searched = !text.is_empty() || p.kind.is_some() || p.produit.is_some();
    if searched {
        let q = SearchQuery {
            text: text.clone(),
            kinds: nonempty(&p.kind).into_iter().collect(),
            product_id: nonempty(&p.produit),
            status: nonempty(&p.statut),
            institution_id: if agency {
                nonempty(&p.etablissement)
            } else {
                None
            },
            limit: PER_PAGE,
            offset: (page - 1) * PER_PAGE,
            facets: agency,
            ..Default::default()
        };
        let r = relais_app::search::search(&state.app, &actor, &q)
            .await
            .map_err(pe)?;
        total = r.total;
        relaxed = r.relaxed;
        let mut inst_names: HashMap<String, String> = HashMap::new();
        let mut wanted: Vec<String> = r
            .hits
            .iter()
            .filter_map(|h| h.institution_id.clone())
            .collect();
        if let Some(f) = r.facets.get("institution") {
            wanted.extend(f.iter().map(|(id, _)| id.clone()));
        }
        wanted.sort();
        wanted.dedup();
        for id in wanted {
            if let Some(i) = relais_domain::Id::parse(&id) {
                if let Ok(row) = relais_app::crm::get_institution(&state.app, &actor, i).await {
                    inst_names.insert(id, row.name);
                }
            }
        }
        for h in r.hits {
            let mut meta = vec![search_kind_label(&h.kind, tr)];
            if let Some(pid) = &h.product_id {
                meta.push(products.get(pid).cloned().unwrap_or_default());
            }
            if let Some(s) = &h.status {
                meta.push(status_label(s, tr));
            }
            if let Some(i) = h.institution_id.as_ref().and_then(|i| inst_names.get(i)) {
                meta.push(i.clone());
            }
            hits.push(HitView {
                href: href_of(&h.kind, &h.id),
                kind: search_kind_label(&h.kind, tr),
                title: h.title,
                meta: meta
                    .into_iter()
                    .filter(|m| !m.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · "),
                snippet_html: h.snippet_html,
            });
        }
        if agency {
            let specs = [
                ("kind", "type", tr.t("type").to_string(), &p.kind),
                (
                    "product",
                    "produit",
                    tr.t("produit").to_string(),
                    &p.produit,
                ),
                ("status", "statut", tr.t("statut").to_string(), &p.statut),
                (
                    "institution",
                    "etablissement",
                    tr.t("etablissement").to_string(),
                    &p.etablissement,
                ),
            ];
            for (name, key, title, current) in specs {
                let Some(buckets) = r.facets.get(name) else {
                    continue;
                };
                if buckets.is_empty() {
                    continue;
                }
                let items = buckets
                    .iter()
                    .map(|(value, n)| {
                        let label = match name {
                            "kind" => search_kind_label(value, tr),
                            "product" => products
                                .get(value)
                                .cloned()
                                .unwrap_or_else(|| value.clone()),
                            "status" => status_label(value, tr),
                            _ => inst_names
                                .get(value)
                                .cloned()
                                .unwrap_or_else(|| value.clone()),
                        };
                        let selected = current.as_deref() == Some(value.as_str());
                        let href = if selected {
                            link_with(&p, key, "")
                        } else {
                            link_with(&p, key, value)
                        };
                        (Link::new(href, label), *n, selected)
                    })
                    .collect();
                facets.push(FacetView { title, items });
            }
        }
    }
    let here = link_with(&p, "page", "");
    let prev = (page > 1).then(|| format!("{here}&page={}", page - 1));
    let next = (page * PER_PAGE < total).then(|| format!("{here}&page={}", page + 1));
    let title = tr.t("recherche").to_string();
    let field = Field::new(
        tr,
        "search",
        "q",
        tr.t("rechercher").to_string(),
        text.clone(),
    )
    .hint(if agency {
        tr.t("tickets-articles-et-incidents-les-accents")
            .to_string()
    } else {
        tr.t("les-tickets-de-votre-etablissement-les").to_string()
    });
    let _ = path_id;
    let weak = searched && !text.is_empty() && (total == 0 || relaxed);
    let mut ways_on = vec![];
    if weak {
        let kb = match nonempty(&p.produit) {
            Some(pid) => format!("/connaissances?product={}", urlencoding::encode(&pid)),
            None => "/connaissances".to_string(),
        };
        ways_on.push(Link::new(kb, tr.t("recherche-voir-base")));
        if !agency {
            ways_on.push(Link::new(
                "/support/nouveau",
                tr.t("recherche-deposer-demande"),
            ));
        }
    }
    let p = SearchPage {
        weak,
        ways_on,
        base: Base::new(&auth, title),
        field,
        query: text,
        total,
        hits,
        facets,
        prev,
        next,
        searched,
    };
    Ok(render(&p, tr)?.into_response())
}
