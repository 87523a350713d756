//! Filing a complaint.

use super::*;

fn complaint_fields(
    tr: Tr,
    f: &FormData,
    agency: bool,
    p: &uc::Pickers,
    contacts: &[(String, String)],
) -> Vec<Field> {
    let mut fields = vec![];
    if agency && !f.get("ticket_id").is_empty() {
        fields.push(Field::new(
            tr,
            "hidden",
            "ticket_id",
            "",
            f.get("ticket_id"),
        ));
    }
    if agency {
        fields.push(
            Field::select(
                tr,
                "institution_id",
                tr.t("etablissement").to_string(),
                &f.get("institution_id"),
                p.institutions.clone(),
                Some(""),
            )
            .required(),
        );
        if !contacts.is_empty() {
            fields.push(Field::select(
                tr,
                "contact_id",
                tr.t("contact-concerne").to_string(),
                &f.get("contact_id"),
                contacts.to_vec(),
                Some(tr.t("aucun")),
            ));
        }
        let channels: Vec<(String, String)> = [
            ComplaintChannel::Agent,
            ComplaintChannel::Telephone,
            ComplaintChannel::Mail,
        ]
        .iter()
        .map(|c| (c.code().to_string(), tr.label(c).to_string()))
        .collect();
        fields.push(Field::select(
            tr,
            "channel",
            tr.t("canal").to_string(),
            &f.get("channel"),
            channels,
            None,
        ));
    }
    fields.push(
        Field::new(
            tr,
            "text",
            "title",
            tr.t("objet").to_string(),
            f.get("title"),
        )
        .required(),
    );
    fields.push(
        Field::select(
            tr,
            "touchpoint",
            tr.t("etape-du-parcours-concernee-irritant").to_string(),
            &f.get("touchpoint"),
            enum_options(Touchpoint::ALL, tr),
            Some(""),
        )
        .required(),
    );
    fields.push(
        Field::select(
            tr,
            "severity",
            tr.t("gravite").to_string(),
            &f.get("severity"),
            enum_options(ComplaintSeverity::ALL, tr),
            Some(""),
        )
        .required(),
    );
    fields.push(Field::select(
        tr,
        "product_id",
        tr.t("produit-concerne").to_string(),
        &f.get("product_id"),
        p.products.clone(),
        Some(tr.t("aucun")),
    ));
    fields.push(
        Field::new(
            tr,
            "textarea",
            "description",
            tr.t("description").to_string(),
            f.get("description"),
        )
        .required(),
    );
    fields
}

fn complaint_input(f: &FormData) -> ComplaintInput {
    ComplaintInput {
        institution_id: f.opt("institution_id"),
        contact_id: f.opt("contact_id"),
        touchpoint: f.get("touchpoint"),
        severity: f.get("severity"),
        title: f.get("title"),
        description: f.get("description"),
        product_id: f.opt("product_id"),
        channel: f.opt("channel"),
        ticket_id: f.opt("ticket_id"),
    }
}

async fn filing_form(
    state: &AppState,
    auth: &Auth,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let agency = auth.actor().role.is_agency();
    if agency && !may_treat_complaints(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let p = uc::pickers(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    // The contacts of the institution, when it is known (the link from
    // the institution's page, or a form sent back with errors).
    let contacts = match f.opt("institution_id") {
        Some(i) if agency && Id::parse(&i).is_some() => {
            uc::contacts_of(&state.app, auth.actor(), &i)
                .await
                .map_err(pe(tr))?
        }
        _ => vec![],
    };
    let mut fields = complaint_fields(tr, f, agency, &p, &contacts);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = if agency {
        tr.t("enregistrer-une-reclamation").to_string()
    } else {
        tr.t("deposer-une-reclamation").to_string()
    };
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action: "/reclamations".into(),
        fields,
        errors,
        submit: tr.t("envoyer").to_string(),
        cancel: "/reclamations".into(),
    };
    form_reply(&page, err.is_some(), tr)
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ComplaintQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let mut f = FormData::default();
    if let Some(i) = nonempty(&q.institution) {
        f.0.push(("institution_id".into(), i));
    }
    // Converting a ticket (perhaps opened by an inbound mail): its
    // institution, product, subject and channel prefill the form.
    if let Some(t) = nonempty(&q.ticket) {
        let t = uc::ticket_for_complaint(&state.app, auth.actor(), path_id(&t, tr)?)
            .await
            .map_err(pe(tr))?;
        let channel = if t.channel == "mail" { "mail" } else { "agent" };
        f = FormData(vec![
            ("ticket_id".into(), t.id.clone()),
            ("institution_id".into(), t.institution_id.clone()),
            ("product_id".into(), t.product_id.clone()),
            ("channel".into(), channel.into()),
            ("touchpoint".into(), "support".into()),
            ("title".into(), t.subject.clone()),
            (
                "description".into(),
                format!(
                    "{} {} ({}).",
                    tr.t("reclamation-issue-du-ticket"),
                    t.reference,
                    t.subject
                ),
            ),
        ]);
    }
    filing_form(&state, &auth, &f, None).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::file_complaint(
        &state.app,
        auth.actor(),
        complaint_input(&f),
        ComplaintChannel::Page,
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/reclamations/{id}?ok=reclamation")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            filing_form(&state, &auth, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
