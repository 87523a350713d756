//! Publications: a member's domains of interest first, Markdown rendered and sanitised, attached files.

use super::*;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(super) struct PubQuery {
    kind: Option<String>,
    domain: Option<String>,
    product: Option<String>,
    /// `1`: ignore the member's domains of interest.
    tous: Option<String>,
    page: Option<i64>,
}

pub(super) async fn list_publications(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PubQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let en = tr.en();
    let page = q.page.unwrap_or(1).max(1);
    let interests = uc::interests(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let all = nonempty(&q.tous).is_some();
    let domains = match nonempty(&q.domain) {
        Some(d) => vec![d],
        None if !all => interests.clone(),
        None => vec![],
    };
    let f = PublicationFilter {
        kind: nonempty(&q.kind),
        domains: domains.clone(),
        product_id: nonempty(&q.product),
        published_until: None,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let (rows, total) = uc::list_publications(&state.app, auth.actor(), &f)
        .await
        .map_err(pe(tr))?;
    let filtered_by_interest = nonempty(&q.domain).is_none() && !all && !interests.is_empty();
    let title = if filtered_by_interest {
        fr(
            tr,
            "Publications de vos domaines",
            "Publications of your domains",
        )
    } else {
        "Publications".to_string()
    };
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            if en { "Title" } else { "Titre" },
            "Type",
            if en { "Domain" } else { "Domaine" },
            if en { "Published" } else { "Publié le" },
        ],
    );
    for p in rows {
        table.rows.push(vec![
            Cell::link(p.title.clone(), format!("/publications/{}", p.id)),
            Cell::text(crate::label!(PublicationKind, &p.kind, tr)),
            Cell::opt(&p.domain_name),
            Cell::text(fr_date(&p.published_on)),
        ]);
    }
    let mut actions = vec![];
    if uc::may_manage(auth.actor()) {
        actions.push(Link::new(
            "/publications/nouvelle",
            fr(tr, "Nouvelle publication", "New publication"),
        ));
    }
    if filtered_by_interest {
        actions.push(Link::new(
            "/publications?tous=1",
            fr(tr, "Toutes les publications", "All publications"),
        ));
    } else if !interests.is_empty() {
        actions.push(Link::new(
            "/publications",
            fr(tr, "Mes domaines d'intérêt", "My domains of interest"),
        ));
    }
    let filters = vec![
        Field::select(
            tr,
            "kind",
            "Type",
            q.kind.as_deref().unwrap_or(""),
            enum_options(
                PublicationKind::ALL,
                PublicationKind::code,
                PublicationKind::label,
                tr,
            ),
            Some(tr.get("all")),
        ),
        Field::select(
            tr,
            "domain",
            if en { "Domain" } else { "Domaine" },
            q.domain.as_deref().unwrap_or(""),
            domain_options(&state, tr).await?,
            Some(tr.get("all")),
        ),
        Field::select(
            tr,
            "product",
            if en { "Product" } else { "Produit" },
            q.product.as_deref().unwrap_or(""),
            product_options(&state, tr).await?,
            Some(tr.get("all")),
        ),
        Field::new(tr, "hidden", "tous", "", if all { "1" } else { "" }),
    ];
    let (prev, next) = pager(
        "/publications",
        &[
            ("kind", q.kind.clone()),
            ("domain", q.domain.clone()),
            ("product", q.product.clone()),
            ("tous", q.tous.clone()),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: "/publications".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn show_publication(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (p, products) = uc::get_publication(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut links = vec![];
    if uc::may_manage(auth.actor()) {
        links.push(Link::new(
            format!("/publications/{id}/modifier"),
            tr.get("edit"),
        ));
    }
    let facts = vec![
        (
            "Type".to_string(),
            Cell::text(crate::label!(PublicationKind, &p.kind, tr)),
        ),
        (fr(tr, "Domaine", "Domain"), Cell::opt(&p.domain_name)),
        (
            fr(tr, "Produits", "Products"),
            Cell::text(if products.is_empty() {
                "—".to_string()
            } else {
                products
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
        (
            fr(tr, "Publié le", "Published"),
            Cell::text(fr_date(&p.published_on)),
        ),
    ];
    let history = if auth.actor().role.is_agency() {
        Some(history_table(
            tr,
            uc::history(&state.app, auth.actor(), "publication", id)
                .await
                .map_err(pe(tr))?,
        ))
    } else {
        None
    };
    let files = uc::publication_files(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|f| {
            Link::new(
                format!("/publications/{id}/fichiers/{}", f.id),
                format!(
                    "{} ({})",
                    f.file_name,
                    crate::kit::files::human_size(f.size_bytes)
                ),
            )
        })
        .collect();
    let upload = uc::may_manage(auth.actor()).then(|| {
        format!(
            "/publications/{id}/fichiers?_csrf={}",
            urlencoding::encode(&auth.session.csrf.clone().unwrap_or_default())
        )
    });
    let page = ActionPage {
        base: Base::new(&auth, p.title.clone()),
        h1: p.title.clone(),
        subtitle: Some(crate::label!(PublicationKind, &p.kind, tr)),
        error: None,
        links,
        buttons: vec![],
        facts,
        body_html: Some(render_markdown(&p.body)),
        resources: files,
        attendance: None,
        tables: vec![],
        history,
        upload,
    };
    Ok(render(&page, tr)?.into_response())
}

fn publication_fields(
    tr: Tr,
    f: &FormData,
    domains: &[(String, String)],
    products: &[(String, String)],
) -> Vec<Field> {
    let en = tr.en();
    vec![
        Field::new(tr, "text", "title", if en { "Title" } else { "Titre" }, f.get("title")).required(),
        Field::select(tr, "kind", "Type", &f.get("kind"), enum_options(PublicationKind::ALL, PublicationKind::code, PublicationKind::label, tr), Some(if en { "Choose…" } else { "Choisir…" })).required(),
        Field::select(tr, "domain_code", if en { "Domain" } else { "Domaine" }, &f.get("domain_code"), domains.iter().cloned(), Some("—")),
        Field::checkboxes(tr, "products", if en { "Products" } else { "Produits" }, &f.all("products"), products.iter().cloned()),
        Field::new(tr, "date", "published_on", if en { "Published on" } else { "Date de publication" }, f.get("published_on")).hint(if en { "Empty: today." } else { "Vide : aujourd'hui." }),
        Field::new(tr, "textarea", "body", if en { "Text" } else { "Texte" }, f.get("body")).required().hint(if en {
            "Markdown: ## heading, **bold**, - lists, [link](https://…). Raw HTML and scripts are removed."
        } else {
            "Markdown : ## intertitre, **gras**, - listes, [lien](https://…). Le HTML brut et les scripts sont retirés."
        }),
    ]
}

fn publication_input(f: &FormData) -> PublicationInput {
    PublicationInput {
        kind: f.get("kind"),
        title: f.get("title"),
        domain_code: f.opt("domain_code"),
        products: f.all("products"),
        published_on: f.opt("published_on"),
        body: f.get("body"),
    }
}

fn publication_form_of(p: &PublicationRow, products: &[(String, String)]) -> FormData {
    let mut v = vec![
        ("title".to_string(), p.title.clone()),
        ("kind".into(), p.kind.clone()),
        (
            "domain_code".into(),
            p.domain_code.clone().unwrap_or_default(),
        ),
        ("published_on".into(), p.published_on.clone()),
        ("body".into(), p.body.clone()),
    ];
    v.extend(
        products
            .iter()
            .map(|(id, _)| ("products".to_string(), id.clone())),
    );
    FormData(v)
}

#[allow(clippy::too_many_arguments)]
async fn publication_form(
    state: &AppState,
    auth: &Auth,
    title: String,
    action: String,
    f: &FormData,
    err: Option<&DomainError>,
    submit: &str,
    cancel: String,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let domains = domain_options(state, tr).await?;
    let products = product_options(state, tr).await?;
    let mut fields = publication_fields(tr, f, &domains, &products);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let p = IntroFormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        intro: None,
        action,
        fields,
        errors,
        submit: submit.into(),
        cancel,
    };
    form_reply(&p, err.is_some(), tr)
}

pub(super) async fn new_publication(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    publication_form(
        &state,
        &auth,
        fr(tr, "Nouvelle publication", "New publication"),
        "/publications".into(),
        &FormData::default(),
        None,
        tr.get("create"),
        "/publications".into(),
    )
    .await
}

pub(super) async fn create_publication(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_publication(&state.app, auth.actor(), publication_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/publications/{id}?ok=publication")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            publication_form(
                &state,
                &auth,
                fr(tr, "Nouvelle publication", "New publication"),
                "/publications".into(),
                &f,
                Some(&e),
                tr.get("create"),
                "/publications".into(),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn edit_publication(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let (p, products) = uc::get_publication(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    publication_form(
        &state,
        &auth,
        format!("{} — {}", tr.get("edit"), p.title),
        format!("/publications/{id}"),
        &publication_form_of(&p, &products),
        None,
        tr.get("save"),
        format!("/publications/{id}"),
    )
    .await
}

pub(super) async fn update_publication(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_publication(&state.app, auth.actor(), id, publication_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/publications/{id}?ok=publication")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            publication_form(
                &state,
                &auth,
                tr.get("edit").to_string(),
                format!("/publications/{id}"),
                &f,
                Some(&e),
                tr.get("save"),
                format!("/publications/{id}"),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn upload_publication_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let up = crate::kit::files::read_upload(&state, req)
        .await
        .map_err(pe(tr))?;
    uc::add_publication_file(
        &state.app,
        auth.actor(),
        id,
        &up.file_name,
        &up.content_type,
        &up.bytes,
    )
    .await
    .map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/publications/{id}?ok=fichier")).into_response())
}

pub(super) async fn download_publication_file(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (id, file) = (path_id(&id, tr)?, path_id(&file, tr)?);
    let (row, bytes) = uc::open_publication_file(&state.app, auth.actor(), id, file)
        .await
        .map_err(pe(tr))?;
    Ok(crate::kit::files::file_response(&row.file_name, bytes))
}
