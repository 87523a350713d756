//! Knowledge base pages: the list (filters by product, version, text and,
//! for the agency, status and "à revoir"), the article page with its
//! rendered Markdown and the agents' workflow buttons, the create and edit
//! forms, and the "draft an article" action of a resolved ticket.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    nonempty, pager, path_id, pe, render, render_markdown, Action, FormData, IntroFormPage,
    ListPage, PAGE_SIZE,
};
use crate::view::{apply_errors, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::knowledge as uc;
use relais_app::knowledge::{ArticleFilter, ArticleRow};
use relais_app::knowledge::{ArticleInput, ArticleStatus};
use relais_app::AppError;
use relais_domain::DomainError;

pub mod misses;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(misses::router())
        .route("/connaissances", get(list).post(create))
        .route("/connaissances/nouveau", get(new_form))
        .route("/connaissances/{id}", get(show).post(update))
        .route("/connaissances/{id}/modifier", get(edit_form))
        .route("/connaissances/{id}/relecture", post(submit))
        .route("/connaissances/{id}/publier", post(publish))
        .route("/connaissances/{id}/brouillon", post(back_to_draft))
        .route("/connaissances/{id}/archiver", post(archive))
        .route("/connaissances/{id}/relu", post(reviewed))
        .route("/support/{id}/article", post(draft_from_ticket))
}

fn status_label(code: &str, tr: Tr) -> String {
    ArticleStatus::from_code(code)
        .map(|s| tr.label(s).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn stale_word(tr: Tr) -> &'static str {
    tr.t("a-revoir")
}

async fn product_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(relais_app::crm::list_products(&state.app, None)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct KbQuery {
    q: Option<String>,
    product: Option<String>,
    version: Option<String>,
    status: Option<String>,
    a_revoir: Option<String>,
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<KbQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let agency = auth.actor().role.is_agency();
    let page = q.page.unwrap_or(1).max(1);
    let stale_only = agency && nonempty(&q.a_revoir).is_some_and(|v| v == "1" || v == "on");
    let f = ArticleFilter {
        product_id: nonempty(&q.product),
        version: nonempty(&q.version),
        q: nonempty(&q.q),
        status: if agency { nonempty(&q.status) } else { None },
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
        ..Default::default()
    };
    let (rows, total) = uc::list_articles(&state.app, auth.actor(), &f, stale_only)
        .await
        .map_err(pe(tr))?;
    let title = if stale_only {
        tr.t("articles-a-revoir")
    } else {
        tr.t("base-de-connaissances")
    };
    let mut headers = vec![
        tr.t("titre"),
        tr.t("produit"),
        "Version",
        tr.t("publie-le"),
        tr.t("a-relire-le"),
    ];
    if agency {
        headers.push(tr.t("statut"));
    }
    let mut table = Table::new(tr, title, &headers);
    for (a, stale) in rows {
        let review = match (&a.review_on, stale) {
            (Some(d), true) => format!("{} — {}", fr_date(d), stale_word(tr)),
            (Some(d), false) => fr_date(d),
            (None, _) => "—".into(),
        };
        let mut row = vec![
            Cell::link(
                if stale {
                    format!("{} ({})", a.title, stale_word(tr))
                } else {
                    a.title.clone()
                },
                format!("/connaissances/{}", a.id),
            ),
            Cell::text(a.product_name.clone()),
            Cell::opt(&a.version),
            Cell::text(
                a.published_at
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::text(review),
        ];
        if agency {
            row.push(Cell::text(status_label(&a.status, tr)));
        }
        table.rows.push(row);
    }
    let versions = uc::versions(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut filters = vec![
        Field::new(
            tr,
            "search",
            "q",
            tr.t("search"),
            q.q.clone().unwrap_or_default(),
        )
        .hint(tr.t("mots-du-titre-ou-du-texte")),
        Field::select(
            tr,
            "product",
            tr.t("produit"),
            q.product.as_deref().unwrap_or(""),
            product_options(&state, tr).await?,
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "version",
            "Version",
            q.version.as_deref().unwrap_or(""),
            versions.into_iter().map(|v| (v.clone(), v)),
            Some(tr.t("toutes")),
        ),
    ];
    if agency {
        filters.push(Field::select(
            tr,
            "status",
            tr.t("statut"),
            q.status.as_deref().unwrap_or(""),
            ArticleStatus::ALL
                .iter()
                .map(|s| (s.code().to_string(), tr.label(s).to_string())),
            Some(tr.t("all")),
        ));
        filters.push(Field::new(
            tr,
            "checkbox",
            "a_revoir",
            tr.t("seulement-les-articles-a-revoir"),
            if stale_only { "1" } else { "" },
        ));
    }
    let mut actions = vec![];
    if uc::may_write(auth.actor()) {
        actions.push(Link::new("/connaissances/nouveau", tr.t("nouvel-article")));
    }
    if agency {
        if stale_only {
            actions.push(Link::new("/connaissances", tr.t("tous-les-articles")));
        } else {
            actions.push(Link::new(
                "/connaissances?a_revoir=1",
                tr.t("articles-a-revoir"),
            ));
        }
    }
    let (prev, next) = pager(
        "/connaissances",
        &[
            ("q", q.q.clone()),
            ("product", q.product.clone()),
            ("version", q.version.clone()),
            ("status", q.status.clone()),
            ("a_revoir", stale_only.then(|| "1".to_string())),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        path: "/connaissances".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}

#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePage {
    pub base: Base,
    pub h1: String,
    pub notice: Option<String>,
    pub subtitle: String,
    pub stale: Option<String>,
    pub links: Vec<Link>,
    pub buttons: Vec<Action>,
    pub facts: Vec<(String, Cell)>,
    pub body_html: String,
    pub history: Option<Table>,
}

fn notice(path: &str, tr: Tr) -> Option<String> {
    let q = path.split_once('?')?.1;
    let code = q.split('&').find_map(|p| p.strip_prefix("ok="))?;
    Some(
        match code {
            "article" => tr.t("article-enregistre"),
            "relecture" => tr.t("article-envoye-en-relecture"),
            "publie" => tr.t("article-publie-tous-les-etablissements-adherents"),
            "brouillon" => tr.t("article-repasse-en-brouillon"),
            "archive" => tr.t("article-archive"),
            "relu" => tr.t("relecture-enregistree-l-article-est-valable"),
            _ => return None,
        }
        .to_string(),
    )
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let v = uc::get_article(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let a = &v.article;
    let agency = auth.actor().role.is_agency();
    let mut links = vec![];
    let mut buttons = vec![];
    if uc::may_write(auth.actor()) {
        links.push(Link::new(
            format!("/connaissances/{id}/modifier"),
            tr.t("edit"),
        ));
        let button = |path: &str, key: &str| Action {
            action: format!("/connaissances/{id}/{path}"),
            label: tr.t(key).to_string(),
        };
        for (to, path, key) in [
            (
                ArticleStatus::Relecture,
                "relecture",
                "article-send-to-review-button",
            ),
            (ArticleStatus::Publie, "publier", "article-publish-button"),
            (
                ArticleStatus::Brouillon,
                "brouillon",
                "article-back-to-draft-button",
            ),
            (ArticleStatus::Archive, "archiver", "article-archive-button"),
        ] {
            if v.status.may_move(to) {
                buttons.push(button(path, key));
            }
        }
        if v.status == ArticleStatus::Publie {
            buttons.push(button("relu", "article-mark-reviewed-button"));
        }
    }
    let mut facts = vec![
        (
            (tr.t("produit")).to_string(),
            Cell::text(a.product_name.clone()),
        ),
        ("Version".into(), Cell::opt(&a.version)),
        (
            (tr.t("publie-le")).into(),
            Cell::text(
                a.published_at
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            (tr.t("mis-a-jour-le")).into(),
            Cell::text(fr_date(&a.updated_at)),
        ),
        (
            (tr.t("a-relire-le")).into(),
            Cell::text(
                a.review_on
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
    ];
    if agency {
        facts.push(((tr.t("statut")).into(), Cell::text(tr.label(v.status))));
        facts.push(((tr.t("auteur-rice")).into(), Cell::opt(&a.author_name)));
        if let (Some(t), Some(r)) = (&a.source_ticket_id, &v.source_reference) {
            facts.push((
                (tr.t("redige-a-partir-du-ticket")).into(),
                Cell::link(r.clone(), format!("/support/{t}")),
            ));
        }
    }
    let history = if agency {
        let hist = uc::history(&state.app, auth.actor(), id)
            .await
            .map_err(pe(tr))?;
        let mut tb = Table::new(
            tr,
            tr.t("history"),
            &["Date", tr.t("par"), "Action", tr.t("modifications")],
        );
        for h in hist {
            tb.rows.push(vec![
                Cell::text(h.at.chars().take(16).collect::<String>().replace('T', " ")),
                Cell::opt(&h.actor_name),
                Cell::text(h.action),
                Cell::text(h.changes),
            ]);
        }
        Some(tb)
    } else {
        None
    };
    let stale = v.stale.then(|| {
        let d = a.review_on.as_deref().map(fr_date).unwrap_or_default();
        tr.t_args("sa-date-de-relecture-d-est", &[("d", d.to_string().into())])
    });
    let subtitle = match &a.version {
        Some(ver) => format!("{} · version {ver}", a.product_name),
        None => a.product_name.clone(),
    };
    let p = ArticlePage {
        base: Base::new(&auth, a.title.clone()),
        h1: a.title.clone(),
        notice: notice(&auth.path, tr),
        subtitle,
        stale,
        links,
        buttons,
        facts,
        body_html: render_markdown(&a.body),
        history,
    };
    Ok(render(&p, tr)?.into_response())
}

fn article_fields(tr: Tr, f: &FormData, products: &[(String, String)]) -> Vec<Field> {
    vec![
        Field::new(tr, "text", "title", tr.t("titre"), f.get("title")).required(),
        Field::select(
            tr,
            "product_id",
            tr.t("produit"),
            &f.get("product_id"),
            products.iter().cloned(),
            Some(tr.t("choisir")),
        )
        .required(),
        Field::new(tr, "text", "version", "Version", f.get("version"))
            .hint(tr.t("la-version-concernee-ex-1-3")),
        Field::new(
            tr,
            "date",
            "review_on",
            tr.t("a-relire-le"),
            f.get("review_on"),
        )
        .hint(tr.t("laissee-vide-fixee-a-douze-mois")),
        Field::new(tr, "textarea", "body", tr.t("texte"), f.get("body"))
            .required()
            .hint(tr.t("markdown-intertitre-gras-listes-lien-https")),
    ]
}

fn article_input(f: &FormData) -> ArticleInput {
    ArticleInput {
        product_id: f.get("product_id"),
        version: f.opt("version"),
        title: f.get("title"),
        body: f.get("body"),
        review_on: f.opt("review_on"),
    }
}

fn form_of(a: &ArticleRow) -> FormData {
    FormData(vec![
        ("title".to_string(), a.title.clone()),
        ("product_id".into(), a.product_id.clone()),
        ("version".into(), a.version.clone().unwrap_or_default()),
        ("review_on".into(), a.review_on.clone().unwrap_or_default()),
        ("body".into(), a.body.clone()),
    ])
}

#[derive(Debug, Default, serde::Deserialize)]
struct NewParams {
    /// A proposed title (the "write the missing article" button of
    /// /connaissances/manques).
    titre: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(np): Query<NewParams>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::may_write(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let products = product_options(&state, tr).await?;
    let title = tr.t("nouvel-article");
    let p = IntroFormPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        intro: None,
        action: "/connaissances".into(),
        fields: article_fields(
            tr,
            &FormData(
                np.titre
                    .map(|t| vec![("title".to_string(), t.chars().take(200).collect())])
                    .unwrap_or_default(),
            ),
            &products,
        ),
        errors: vec![],
        submit: tr.t("create").into(),
        cancel: "/connaissances".into(),
    };
    Ok(render(&p, tr)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_article(&state.app, auth.actor(), article_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/connaissances/{id}?ok=article")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let products = product_options(&state, tr).await?;
            let mut fields = article_fields(tr, &f, &products);
            let errors = apply_errors(&mut fields, &e);
            let title = tr.t("nouvel-article");
            let p = IntroFormPage {
                base: Base::new(&auth, title),
                h1: title.into(),
                intro: None,
                action: "/connaissances".into(),
                fields,
                errors,
                submit: tr.t("create").into(),
                cancel: "/connaissances".into(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

fn draft_intro(a: &ArticleRow, reference: &Option<String>, tr: Tr) -> Option<String> {
    let r = reference
        .as_ref()
        .filter(|_| a.status == ArticleStatus::Brouillon.code())?;
    Some(tr.t_args(
        "brouillon-redige-a-partir-du-ticket",
        &[("r", r.to_string().into())],
    ))
}

async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let v = uc::get_article(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    if !uc::may_write(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let products = product_options(&state, tr).await?;
    let title = format!("{} — {}", tr.t("edit"), v.article.title);
    let p = IntroFormPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        intro: draft_intro(&v.article, &v.source_reference, tr),
        action: format!("/connaissances/{id}"),
        fields: article_fields(tr, &form_of(&v.article), &products),
        errors: vec![],
        submit: tr.t("save").into(),
        cancel: format!("/connaissances/{id}"),
    };
    Ok(render(&p, tr)?.into_response())
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_article(&state.app, auth.actor(), id, article_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/connaissances/{id}?ok=article")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let products = product_options(&state, tr).await?;
            let mut fields = article_fields(tr, &f, &products);
            let errors = apply_errors(&mut fields, &e);
            let p = IntroFormPage {
                base: Base::new(&auth, tr.t("edit")),
                h1: tr.t("edit").into(),
                intro: None,
                action: format!("/connaissances/{id}"),
                fields,
                errors,
                submit: tr.t("save").into(),
                cancel: format!("/connaissances/{id}"),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn step(
    state: &AppState,
    auth: &Auth,
    raw: &str,
    which: &str,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(raw, tr)?;
    let (app, a) = (&state.app, auth.actor());
    let r = match which {
        "relecture" => uc::submit_for_review(app, a, id).await,
        "publie" => uc::publish(app, a, id).await,
        "brouillon" => uc::back_to_draft(app, a, id).await,
        "archive" => uc::archive(app, a, id).await,
        _ => uc::mark_reviewed(app, a, id).await,
    };
    r.map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/connaissances/{id}?ok={which}")).into_response())
}

async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    step(&state, &auth, &id, "relecture").await
}

async fn publish(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    step(&state, &auth, &id, "publie").await
}

async fn back_to_draft(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    step(&state, &auth, &id, "brouillon").await
}

async fn archive(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    step(&state, &auth, &id, "archive").await
}

async fn reviewed(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    step(&state, &auth, &id, "relu").await
}

/// The "Rédiger un article" button of a resolved ticket: one action makes
/// the draft, then the agent rereads it in the edit form.
async fn draft_from_ticket(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let ticket = path_id(&id, tr)?;
    let aid = uc::draft_from_ticket(&state.app, auth.actor(), ticket)
        .await
        .map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/connaissances/{aid}/modifier")).into_response())
}
