//! The new ticket form, with the assistant's suggestions as the member writes.

use super::*;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(super) struct NewQuery {
    etablissement: Option<String>,
    produit: Option<String>,
}

async fn ticket_fields(
    state: &AppState,
    auth: &Auth,
    input: &TicketInput,
    institution: Option<String>,
) -> Result<Vec<Field>, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let mut fields = vec![];
    if actor.role.is_agency() {
        let insts = crate::kit::institution_options(state, auth).await?;
        fields.push(
            Field::select(
                tr,
                "institution_id",
                tr.t("etablissement-demandeur").to_string(),
                institution.as_deref().unwrap_or(""),
                insts,
                Some(""),
            )
            .required(),
        );
    }
    let inst = institution.as_deref().and_then(Id::parse);
    let products = desk::fileable_products(&state.app, actor, inst)
        .await
        .map_err(pe(tr))?;
    fields.push(
        Field::select(
            tr,
            "product_id",
            tr.t("produit").to_string(),
            &input.product_id,
            products,
            Some(""),
        )
        .required()
        .hint(
            tr.t("les-produits-deployes-dans-votre-etablissement")
                .to_string(),
        ),
    );
    fields.push(
        Field::new(
            tr,
            "text",
            "module",
            tr.t("module").to_string(),
            input.module.clone().unwrap_or_default(),
        )
        .hint(
            tr.t("par-exemple-paie-inscriptions-gestion-financiere")
                .to_string(),
        ),
    );
    fields.push(
        Field::select(
            tr,
            "category",
            tr.t("categorie").to_string(),
            &input.category,
            enum_options(Category::ALL, tr),
            Some(""),
        )
        .required(),
    );
    fields.push(
        Field::select(
            tr,
            "severity",
            tr.t("severite").to_string(),
            &input.severity,
            enum_options(Severity::ALL, tr),
            Some(""),
        )
        .required()
        .hint(tr.t("bloquant-le-service-est-arrete-majeur").to_string()),
    );
    fields.push(
        Field::new(
            tr,
            "text",
            "subject",
            tr.t("objet").to_string(),
            input.subject.clone(),
        )
        .required(),
    );
    fields.push(
        Field::new(
            tr,
            "textarea",
            "body",
            tr.t("description").to_string(),
            input.body.clone(),
        )
        .required()
        .hint(tr.t("ce-qui-se-passe-ce-que").to_string()),
    );
    fields.push(Field::new(
        tr,
        "checkbox",
        "shared",
        tr.t("partager-ce-ticket-avec-les-etablissements")
            .to_string(),
        if input.shared { "1" } else { "" },
    ));
    Ok(fields)
}

#[derive(Template)]
#[template(path = "ticket_new.html")]
pub struct NewTicketPage {
    pub base: Base,
    pub h1: String,
    pub fields: Vec<Field>,
    pub errors: Vec<(String, String)>,
    pub submit: String,
    /// Members get the assistant beside the form.
    pub assistant: bool,
    pub suggestions_html: String,
}

fn new_ticket_page(
    auth: &Auth,
    fields: Vec<Field>,
    errors: Vec<(String, String)>,
    suggestions_html: String,
) -> NewTicketPage {
    let tr = auth.tr;
    let title = tr.t("nouveau-ticket").to_string();
    NewTicketPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        fields,
        errors,
        submit: tr.t("envoyer-le-ticket").to_string(),
        assistant: !auth.actor().role.is_agency(),
        suggestions_html,
    }
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if auth.actor().role.is_agency() && !uc::is_agent(auth.actor()) {
        return Err(PageError::new(AppError::from(DomainError::Forbidden), tr));
    }
    let input = TicketInput {
        product_id: q.produit.clone().unwrap_or_default(),
        ..Default::default()
    };
    let fields = ticket_fields(&state, &auth, &input, nonempty(&q.etablissement)).await?;
    let p = new_ticket_page(&auth, fields, vec![], String::new());
    Ok(render(&p, tr)?.into_response())
}

pub(super) async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let input = TicketInput {
        product_id: form.get("product_id"),
        module: form.opt("module"),
        category: form.get("category"),
        severity: form.get("severity"),
        subject: form.get("subject"),
        body: form.get("body"),
        shared: form.checked("shared"),
    };
    let institution = form.opt("institution_id");
    if form.get("action") == "suggerer" {
        // Without JavaScript: the same page, with the assistant's answers.
        let html = suggestions_fragment(
            &state,
            &auth,
            &input.product_id,
            &input.subject,
            &input.body,
        )
        .await?;
        let fields = ticket_fields(&state, &auth, &input, institution).await?;
        let p = new_ticket_page(&auth, fields, vec![], html);
        return Ok(render(&p, tr)?.into_response());
    }
    let behalf = institution.as_deref().and_then(Id::parse);
    match uc::create_ticket(&state.app, auth.actor(), behalf, input.clone(), "web").await {
        Ok(id) => Ok(Redirect::to(&format!("/support/{id}?ok=ticket")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let mut fields = ticket_fields(&state, &auth, &input, institution).await?;
            let errors = apply_errors(&mut fields, &e);
            let p = new_ticket_page(&auth, fields, errors, String::new());
            let mut res = render(&p, tr)?.into_response();
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
