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
        tr.t("publications-de-vos-domaines").to_string()
    } else {
        "Publications".to_string()
    };
    let mut table = Table::new(
        tr,
        title.clone(),
        &[tr.t("titre"), "Type", tr.t("domaine"), tr.t("publie-le")],
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
            tr.t("nouvelle-publication").to_string(),
        ));
    }
    if filtered_by_interest {
        actions.push(Link::new(
            "/publications?tous=1",
            tr.t("toutes-les-publications").to_string(),
        ));
    } else if !interests.is_empty() {
        actions.push(Link::new(
            "/publications",
            tr.t("mes-domaines-d-interet").to_string(),
        ));
    }
    let filters = vec![
        Field::select(
            tr,
            "kind",
            "Type",
            q.kind.as_deref().unwrap_or(""),
            enum_options(PublicationKind::ALL, tr),
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "domain",
            tr.t("domaine"),
            q.domain.as_deref().unwrap_or(""),
            domain_options(&state, tr).await?,
            Some(tr.t("all")),
        ),
        Field::select(
            tr,
            "product",
            tr.t("produit"),
            q.product.as_deref().unwrap_or(""),
            product_options(&state, tr).await?,
            Some(tr.t("all")),
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
            tr.t("edit"),
        ));
    }
    let facts = vec![
        (
            "Type".to_string(),
            Cell::text(crate::label!(PublicationKind, &p.kind, tr)),
        ),
        (tr.t("domaine").to_string(), Cell::opt(&p.domain_name)),
        (
            tr.t("nav-products").to_string(),
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
            tr.t("publie-le").to_string(),
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
    vec![
        Field::new(tr, "text", "title", tr.t("titre"), f.get("title")).required(),
        Field::select(
            tr,
            "kind",
            "Type",
            &f.get("kind"),
            enum_options(PublicationKind::ALL, tr),
            Some(tr.t("choisir")),
        )
        .required(),
        Field::select(
            tr,
            "domain_code",
            tr.t("domaine"),
            &f.get("domain_code"),
            domains.iter().cloned(),
            Some("—"),
        ),
        Field::checkboxes(
            tr,
            "products",
            tr.t("nav-products"),
            &f.all("products"),
            products.iter().cloned(),
        ),
        Field::new(
            tr,
            "date",
            "published_on",
            tr.t("date-de-publication-2"),
            f.get("published_on"),
        )
        .hint(tr.t("vide-aujourd-hui")),
        Field::new(tr, "textarea", "body", tr.t("texte"), f.get("body"))
            .required()
            .hint(tr.t("markdown-intertitre-gras-listes-lien-https")),
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
        tr.t("nouvelle-publication").to_string(),
        "/publications".into(),
        &FormData::default(),
        None,
        tr.t("create"),
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
                tr.t("nouvelle-publication").to_string(),
                "/publications".into(),
                &f,
                Some(&e),
                tr.t("create"),
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
        format!("{} — {}", tr.t("edit"), p.title),
        format!("/publications/{id}"),
        &publication_form_of(&p, &products),
        None,
        tr.t("save"),
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
                tr.t("edit").to_string(),
                format!("/publications/{id}"),
                &f,
                Some(&e),
                tr.t("save"),
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
