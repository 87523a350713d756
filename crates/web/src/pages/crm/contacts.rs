//! Contact pages: list with filters, record page, create and edit forms.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    nonempty, pager, path_id, pe, render, DetailPage, FormData, FormPage, ListPage, ListQuery,
    Section, PAGE_SIZE,
};
use crate::label;
use crate::view::{apply_errors, enum_options, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::crm as uc;
use relais_app::crm::{ContactFilter, ContactRow};
use relais_app::AppError;
use relais_domain::crm::*;
use relais_domain::{DomainError, Id};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list).post(create))
        .route("/contacts/nouveau", get(new_form))
        .route("/contacts/{id}", get(show).post(update))
        .route("/contacts/{id}/modifier", get(edit_form))
}

async fn domain_options(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    Ok(uc::list_domains(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let page = q.page.unwrap_or(1).max(1);
    let f = ContactFilter {
        q: nonempty(&q.q),
        institution_id: nonempty(&q.institution),
        function: nonempty(&q.function),
        domain: nonempty(&q.domain),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let (rows, total) = uc::list_contacts(&state.app, auth.actor(), &f)
        .await
        .map_err(pe(tr))?;
    let mut table = Table::new(
        tr,
        "Contacts",
        &[
            tr.t("nom"),
            tr.t("etablissement"),
            tr.t("fonction"),
            tr.t("interaction-kind-courriel"),
            tr.t("complaint-channel-telephone"),
        ],
    );
    for c in rows {
        table.rows.push(vec![
            Cell::link(
                format!("{} {}", c.first_name, c.last_name),
                format!("/contacts/{}", c.id),
            ),
            Cell::link(
                c.institution_name.clone(),
                format!("/etablissements/{}", c.institution_id),
            ),
            Cell::text(label!(ContactFunction, &c.function, tr)),
            Cell::opt(&c.email),
            Cell::opt(&c.phone),
        ]);
    }
    let filters = vec![
        Field::new(
            tr,
            "search",
            "q",
            tr.t("search"),
            q.q.clone().unwrap_or_default(),
        )
        .hint(tr.t("nom-ou-adresse-electronique")),
        Field::select(
            tr,
            "function",
            tr.t("fonction"),
            q.function.as_deref().unwrap_or(""),
            enum_options(ContactFunction::ALL, tr),
            Some(tr.t("toutes")),
        ),
        Field::select(
            tr,
            "domain",
            tr.t("domaine-d-interet"),
            q.domain.as_deref().unwrap_or(""),
            domain_options(&state, tr).await?,
            Some(tr.t("all")),
        ),
    ];
    let mut actions = vec![];
    if auth.actor().can_manage_crm() {
        actions.push(Link::new("/import?type=contacts", tr.t("importer-csv")));
    }
    if auth.actor().role.is_agency() {
        actions.push(Link::new("/export/contacts.csv", tr.t("export-csv")));
    }
    let (prev, next) = pager(
        "/contacts",
        &[
            ("q", q.q.clone()),
            ("function", q.function.clone()),
            ("domain", q.domain.clone()),
            ("institution", q.institution.clone()),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, "Contacts"),
        h1: "Contacts".into(),
        path: "/contacts".into(),
        actions,
        filters,
        total,
        table,
        prev,
        next,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let c = uc::get_contact(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let inst =
        Id::parse(&c.institution_id).ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
    // Every read of a contact's page by agency staff is logged (data
    // protection); the log shows on the contact's data page.
    relais_app::privacy::log_contact_read(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut actions = vec![];
    if auth.actor().can_edit_contacts_of(inst) && c.erased_at.is_none() {
        actions.push(Link::new(format!("/contacts/{id}/modifier"), tr.t("edit")));
    }
    if auth.actor().can_manage_crm() {
        actions.push(Link::new(
            format!("/contacts/{id}/donnees"),
            tr.t("donnees-personnelles"),
        ));
    }
    let domains: Vec<String> = serde_json::from_str(&c.domains).unwrap_or_default();
    let all_domains = domain_options(&state, tr).await?;
    let domain_names: Vec<String> = all_domains
        .into_iter()
        .filter(|(k, _)| domains.contains(k))
        .map(|(_, v)| v)
        .collect();
    let mut facts = vec![
        (
            (tr.t("etablissement")).to_string(),
            Cell::link(
                c.institution_name.clone(),
                format!("/etablissements/{}", c.institution_id),
            ),
        ),
        (
            (tr.t("fonction")).into(),
            Cell::text(label!(ContactFunction, &c.function, tr)),
        ),
        ((tr.t("intitule-du-poste")).into(), Cell::opt(&c.title)),
        (
            (tr.t("interaction-kind-courriel")).into(),
            Cell::opt(&c.email),
        ),
        (
            (tr.t("complaint-channel-telephone")).into(),
            Cell::opt(&c.phone),
        ),
        (
            (tr.t("domaines-d-interet")).into(),
            Cell::text(if domain_names.is_empty() {
                "—".into()
            } else {
                domain_names.join(", ")
            }),
        ),
        (
            (tr.t("consentement-aux-communications")).into(),
            Cell::text(if c.consent == 1 {
                tr.t("oui")
            } else {
                tr.t("non")
            }),
        ),
    ];
    // Mail to this address that bounced (agency staff only).
    if let Some(email) = &c.email {
        let bounces = relais_app::mail_read::bounces_of_address(&state.app, auth.actor(), email)
            .await
            .map_err(pe(tr))?;
        for b in bounces.iter().take(5) {
            facts.push((
                (tr.t("courriel-non-distribue")).into(),
                Cell::text(format!(
                    "{} — {}{}",
                    b.received_at.get(..10).unwrap_or(&b.received_at),
                    b.status.as_deref().unwrap_or(&b.action),
                    b.diagnostic
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                )),
            ));
        }
    }
    let mut sections = vec![];
    if auth.actor().role.is_agency() {
        let hist = uc::history(&state.app, auth.actor(), "contact", id)
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
        sections.push(Section {
            title: tr.t("history").into(),
            table: tb,
        });
    }
    let p = DetailPage {
        base: Base::new(&auth, format!("{} {}", c.first_name, c.last_name)),
        h1: format!("{} {}", c.first_name, c.last_name),
        subtitle: Some(c.institution_name.clone()),
        actions,
        facts,
        sections,
    };
    Ok(render(&p, tr)?.into_response())
}

fn contact_fields(tr: Tr, f: &FormData, domains: &[(String, String)]) -> Vec<Field> {
    vec![
        Field::new(
            tr,
            "text",
            "first_name",
            tr.t("prenom"),
            f.get("first_name"),
        )
        .required(),
        Field::new(tr, "text", "last_name", tr.t("nom-2"), f.get("last_name")).required(),
        Field::select(
            tr,
            "function",
            tr.t("fonction"),
            &f.get("function"),
            enum_options(ContactFunction::ALL, tr),
            None,
        ),
        Field::new(
            tr,
            "text",
            "title",
            tr.t("intitule-du-poste-2"),
            f.get("title"),
        ),
        Field::new(
            tr,
            "email",
            "email",
            tr.t("interaction-kind-courriel"),
            f.get("email"),
        ),
        Field::new(
            tr,
            "tel",
            "phone",
            tr.t("complaint-channel-telephone"),
            f.get("phone"),
        )
        .hint(tr.t("ex-04-72-43-83-83")),
        Field::checkboxes(
            tr,
            "domains",
            tr.t("domaines-d-interet"),
            &f.all("domains"),
            domains.iter().cloned(),
        ),
        Field::new(
            tr,
            "checkbox",
            "consent",
            tr.t("accepte-de-recevoir-les-communications-de"),
            if f.checked("consent") { "1" } else { "" },
        ),
    ]
}

fn contact_input(f: &FormData) -> ContactInput {
    ContactInput {
        first_name: f.get("first_name"),
        last_name: f.get("last_name"),
        email: f.opt("email"),
        phone: f.opt("phone"),
        function: f.opt("function"),
        title: f.opt("title"),
        domains: f.all("domains"),
        consent: f.checked("consent"),
    }
}

fn form_of(c: &ContactRow) -> FormData {
    let mut v = vec![
        ("first_name".to_string(), c.first_name.clone()),
        ("last_name".into(), c.last_name.clone()),
        ("function".into(), c.function.clone()),
        ("title".into(), c.title.clone().unwrap_or_default()),
        ("email".into(), c.email.clone().unwrap_or_default()),
        ("phone".into(), c.phone.clone().unwrap_or_default()),
    ];
    let domains: Vec<String> = serde_json::from_str(&c.domains).unwrap_or_default();
    for d in domains {
        v.push(("domains".into(), d));
    }
    if c.consent == 1 {
        v.push(("consent".into(), "1".into()));
    }
    FormData(v)
}

#[derive(serde::Deserialize)]
struct NewQuery {
    institution: Option<String>,
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    // A referent's new contacts always belong to their institution.
    let inst = q
        .institution
        .as_deref()
        .and_then(Id::parse)
        .or(auth.actor().institution_id)
        .ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
    let i = uc::get_institution(&state.app, auth.actor(), inst)
        .await
        .map_err(pe(tr))?;
    if !auth.actor().can_edit_contacts_of(inst) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let domains = domain_options(&state, tr).await?;
    let title = format!("{} — {}", tr.t("nouveau-contact"), i.name);
    let mut fields = contact_fields(tr, &FormData::default(), &domains);
    fields.insert(
        0,
        Field::new(tr, "hidden", "institution_id", "", inst.to_string()),
    );
    let p = FormPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        action: "/contacts".into(),
        fields,
        errors: vec![],
        submit: tr.t("create").into(),
        cancel: format!("/etablissements/{inst}"),
    };
    Ok(render(&p, tr)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let inst = Id::parse(&f.get("institution_id"))
        .ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
    match uc::create_contact(&state.app, auth.actor(), inst, contact_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/contacts/{id}?ok=contact")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let domains = domain_options(&state, tr).await?;
            let mut fields = contact_fields(tr, &f, &domains);
            let errors = apply_errors(&mut fields, &e);
            fields.insert(
                0,
                Field::new(tr, "hidden", "institution_id", "", inst.to_string()),
            );
            let title = tr.t("nouveau-contact");
            let p = FormPage {
                base: Base::new(&auth, title),
                h1: title.into(),
                action: "/contacts".into(),
                fields,
                errors,
                submit: tr.t("create").into(),
                cancel: format!("/etablissements/{inst}"),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let c = uc::get_contact(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let inst =
        Id::parse(&c.institution_id).ok_or_else(|| PageError::new(DomainError::NotFound, tr))?;
    if !auth.actor().can_edit_contacts_of(inst) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let domains = domain_options(&state, tr).await?;
    let title = format!("{} — {} {}", tr.t("edit"), c.first_name, c.last_name);
    let p = FormPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        action: format!("/contacts/{id}"),
        fields: contact_fields(tr, &form_of(&c), &domains),
        errors: vec![],
        submit: tr.t("save").into(),
        cancel: format!("/contacts/{id}"),
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
    match uc::update_contact(&state.app, auth.actor(), id, contact_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/contacts/{id}?ok=contact")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            let domains = domain_options(&state, tr).await?;
            let mut fields = contact_fields(tr, &f, &domains);
            let errors = apply_errors(&mut fields, &e);
            let p = FormPage {
                base: Base::new(&auth, tr.t("edit")),
                h1: tr.t("edit").into(),
                action: format!("/contacts/{id}"),
                fields,
                errors,
                submit: tr.t("save").into(),
                cancel: format!("/contacts/{id}"),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
