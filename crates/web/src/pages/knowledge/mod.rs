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
use relais_app::knowledge::{ArticleInput, ArticleStatus};
use relais_app::AppError;
use relais_domain::DomainError;
use relais_store::knowledge::{ArticleFilter, ArticleRow};

pub fn router() -> Router<AppState> {
    Router::new()
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
        .map(|s| s.label(tr.en()).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn stale_word(tr: Tr) -> &'static str {
    if tr.en() {
        "To review"
    } else {
        "À revoir"
    }
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
    let en = tr.en();
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
        if en {
            "Articles to review"
        } else {
            "Articles à revoir"
        }
    } else if en {
        "Knowledge base"
    } else {
        "Base de connaissances"
    };
    let mut headers = vec![
        if en { "Title" } else { "Titre" },
        if en { "Product" } else { "Produit" },
        "Version",
        if en { "Published" } else { "Publié le" },
        if en { "Review by" } else { "À relire le" },
    ];
    if agency {
        headers.push(if en { "Status" } else { "Statut" });
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
            tr.get("search"),
            q.q.clone().unwrap_or_default(),
        )
        .hint(if en {
            "Words of the title or the text"
        } else {
            "Mots du titre ou du texte"
        }),
        Field::select(
            tr,
            "product",
            if en { "Product" } else { "Produit" },
            q.product.as_deref().unwrap_or(""),
            product_options(&state, tr).await?,
            Some(tr.get("all")),
        ),
        Field::select(
            tr,
            "version",
            "Version",
            q.version.as_deref().unwrap_or(""),
            versions.into_iter().map(|v| (v.clone(), v)),
            Some(if en { "All" } else { "Toutes" }),
        ),
    ];
    if agency {
        filters.push(Field::select(
            tr,
            "status",
            if en { "Status" } else { "Statut" },
            q.status.as_deref().unwrap_or(""),
            ArticleStatus::ALL
                .iter()
                .map(|s| (s.code().to_string(), s.label(en).to_string())),
            Some(tr.get("all")),
        ));
        filters.push(Field::new(
            tr,
            "checkbox",
            "a_revoir",
            if en {
                "Only articles past their review date"
            } else {
                "Seulement les articles à revoir"
            },
            if stale_only { "1" } else { "" },
        ));
    }
    let mut actions = vec![];
    if uc::may_write(auth.actor()) {
        actions.push(Link::new(
            "/connaissances/nouveau",
            if en { "New article" } else { "Nouvel article" },
        ));
    }
    if agency {
        if stale_only {
            actions.push(Link::new(
                "/connaissances",
                if en {
                    "All articles"
                } else {
                    "Tous les articles"
                },
            ));
        } else {
            actions.push(Link::new(
                "/connaissances?a_revoir=1",
                if en {
                    "Articles to review"
                } else {
                    "Articles à revoir"
                },
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
    let en = tr.en();
    Some(
        match code {
            "article" => {
                if en {
                    "Article saved."
                } else {
                    "Article enregistré."
                }
            }
            "relecture" => {
                if en {
                    "Article sent to review."
                } else {
                    "Article envoyé en relecture."
                }
            }
            "publie" => {
                if en {
                    "Article published: every member institution can read it."
                } else {
                    "Article publié : tous les établissements adhérents peuvent le lire."
                }
            }
            "brouillon" => {
                if en {
                    "Article back to draft."
                } else {
                    "Article repassé en brouillon."
                }
            }
            "archive" => {
                if en {
                    "Article archived."
                } else {
                    "Article archivé."
                }
            }
            "relu" => {
                if en {
                    "Review recorded: the article is trusted for twelve more months."
                } else {
                    "Relecture enregistrée : l'article est valable douze mois de plus."
                }
            }
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
    let en = tr.en();
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
            tr.get("edit"),
        ));
        let button = |path: &str, fr: &str, en_label: &str| Action {
            action: format!("/connaissances/{id}/{path}"),
            label: if en { en_label } else { fr }.to_string(),
        };
        for (to, path, fr, en_label) in [
            (
                ArticleStatus::Relecture,
                "relecture",
                "Envoyer en relecture",
                "Send to review",
            ),
            (ArticleStatus::Publie, "publier", "Publier", "Publish"),
            (
                ArticleStatus::Brouillon,
                "brouillon",
                "Repasser en brouillon",
                "Back to draft",
            ),
            (ArticleStatus::Archive, "archiver", "Archiver", "Archive"),
        ] {
            if v.status.may_move(to) {
                buttons.push(button(path, fr, en_label));
            }
        }
        if v.status == ArticleStatus::Publie {
            buttons.push(button(
                "relu",
                "Marquer comme relu (12 mois)",
                "Mark as reviewed (12 months)",
            ));
        }
    }
    let mut facts = vec![
        (
            (if en { "Product" } else { "Produit" }).to_string(),
            Cell::text(a.product_name.clone()),
        ),
        ("Version".into(), Cell::opt(&a.version)),
        (
            (if en { "Published" } else { "Publié le" }).into(),
            Cell::text(
                a.published_at
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            (if en { "Updated" } else { "Mis à jour le" }).into(),
            Cell::text(fr_date(&a.updated_at)),
        ),
        (
            (if en { "Review by" } else { "À relire le" }).into(),
            Cell::text(
                a.review_on
                    .as_deref()
                    .map(fr_date)
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
    ];
    if agency {
        facts.push((
            (if en { "Status" } else { "Statut" }).into(),
            Cell::text(v.status.label(en)),
        ));
        facts.push((
            (if en { "Author" } else { "Auteur·rice" }).into(),
            Cell::opt(&a.author_name),
        ));
        if let (Some(t), Some(r)) = (&a.source_ticket_id, &v.source_reference) {
            facts.push((
                (if en {
                    "Drafted from ticket"
                } else {
                    "Rédigé à partir du ticket"
                })
                .into(),
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
            tr.get("history"),
            &[
                "Date",
                if en { "By" } else { "Par" },
                "Action",
                if en { "Changes" } else { "Modifications" },
            ],
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
        if en {
            format!("Its review date ({d}) has passed: check that it still holds before applying it.")
        } else {
            format!("Sa date de relecture ({d}) est passée : vérifiez qu'il est toujours exact avant de l'appliquer.")
        }
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
    let en = tr.en();
    vec![
        Field::new(tr, "text", "title", if en { "Title" } else { "Titre" }, f.get("title")).required(),
        Field::select(
            tr,
            "product_id",
            if en { "Product" } else { "Produit" },
            &f.get("product_id"),
            products.iter().cloned(),
            Some(if en { "Choose…" } else { "Choisir…" }),
        )
        .required(),
        Field::new(tr, "text", "version", "Version", f.get("version"))
            .hint(if en { "The release the article applies to, e.g. 1.3.02" } else { "La version concernée, ex. 1.3.02" }),
        Field::new(tr, "date", "review_on", if en { "Review by" } else { "À relire le" }, f.get("review_on")).hint(if en {
            "Left empty, set to twelve months after publication."
        } else {
            "Laissée vide, fixée à douze mois après la publication."
        }),
        Field::new(tr, "textarea", "body", if en { "Text" } else { "Texte" }, f.get("body"))
            .required()
            .hint(if en {
                "Markdown: ## heading, **bold**, - lists, [link](https://…). Raw HTML and scripts are removed."
            } else {
                "Markdown : ## intertitre, **gras**, - listes, [lien](https://…). Le HTML brut et les scripts sont retirés."
            }),
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

async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::may_write(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let products = product_options(&state, tr).await?;
    let title = if tr.en() {
        "New article"
    } else {
        "Nouvel article"
    };
    let p = IntroFormPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        intro: None,
        action: "/connaissances".into(),
        fields: article_fields(tr, &FormData::default(), &products),
        errors: vec![],
        submit: tr.get("create").into(),
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
            let title = if tr.en() {
                "New article"
            } else {
                "Nouvel article"
            };
            let p = IntroFormPage {
                base: Base::new(&auth, title),
                h1: title.into(),
                intro: None,
                action: "/connaissances".into(),
                fields,
                errors,
                submit: tr.get("create").into(),
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
    Some(if tr.en() {
        format!(
            "Drafted from ticket {r}: its public messages only, with the requester's name, e-mail and institution masked. \
             Reread it before sending it to review: every member institution will read it."
        )
    } else {
        format!(
            "Brouillon rédigé à partir du ticket {r} : ses seuls messages publics, nom, adresse et établissement du demandeur masqués. \
             Relisez-le avant de l'envoyer en relecture : tous les établissements adhérents le liront."
        )
    })
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
    let title = format!("{} — {}", tr.get("edit"), v.article.title);
    let p = IntroFormPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        intro: draft_intro(&v.article, &v.source_reference, tr),
        action: format!("/connaissances/{id}"),
        fields: article_fields(tr, &form_of(&v.article), &products),
        errors: vec![],
        submit: tr.get("save").into(),
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
                base: Base::new(&auth, tr.get("edit")),
                h1: tr.get("edit").into(),
                intro: None,
                action: format!("/connaissances/{id}"),
                fields,
                errors,
                submit: tr.get("save").into(),
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
