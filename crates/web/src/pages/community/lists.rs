//! The domains' mailing lists: moderators, subscribers within the reader's scope, subscribe/unsubscribe, the Sympa export.

use super::*;

pub(super) async fn list_lists(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<EventQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let domain = nonempty(&q.domain);
    let rows = uc::list_lists(&state.app, auth.actor(), domain.as_deref())
        .await
        .map_err(pe(tr))?;
    let title = tr.t("listes-de-diffusion").to_string();
    let agency = auth.actor().role.is_agency();
    let mut table = Table::new(
        tr,
        title.clone(),
        &[
            tr.t("adresse"),
            tr.t("nom"),
            tr.t("domaine"),
            if agency {
                tr.t("abonne-es")
            } else {
                tr.t("abonne-es-de-votre-etablissement")
            },
        ],
    );
    let total = rows.len() as i64;
    for l in rows {
        table.rows.push(vec![
            Cell::link(l.address.clone(), format!("/communautes/listes/{}", l.id)),
            Cell::text(l.name),
            Cell::opt(&l.domain_name),
            Cell::text(l.subscribers.to_string()),
        ]);
    }
    let mut actions = vec![Link::new("/communautes", tr.t("evenements").to_string())];
    if uc::may_manage(auth.actor()) {
        actions.insert(
            0,
            Link::new(
                "/communautes/listes/nouvelle",
                tr.t("nouvelle-liste").to_string(),
            ),
        );
    }
    let p = ListPage {
        base: Base::new(&auth, title.clone()),
        h1: title,
        path: "/communautes/listes".into(),
        actions,
        filters: vec![Field::select(
            tr,
            "domain",
            tr.t("domaine"),
            q.domain.as_deref().unwrap_or(""),
            domain_options(&state, tr).await?,
            Some(tr.t("all")),
        )],
        total,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&p, tr)?.into_response())
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    id: Id,
    error: Option<String>,
) -> Result<ActionPage, PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let v = uc::get_list(&state.app, actor, id).await.map_err(pe(tr))?;
    let l = &v.list;
    let manager = uc::may_manage(actor);
    let agency = actor.role.is_agency();
    let referent = actor.role == Role::MemberAdmin;
    let mut links = vec![];
    if manager {
        links.push(Link::new(
            format!("/communautes/listes/{id}/modifier"),
            tr.t("edit"),
        ));
    }
    if agency {
        links.push(Link::new(
            format!("/communautes/listes/{id}/export-sympa"),
            tr.t("exporter-pour-sympa-ajout-en-masse").to_string(),
        ));
    }
    let facts = vec![
        (
            tr.t("adresse").to_string(),
            Cell::link(l.address.clone(), format!("mailto:{}", l.address)),
        ),
        (tr.t("domaine").to_string(), Cell::opt(&l.domain_name)),
        (
            if agency {
                tr.t("abonne-es").to_string()
            } else {
                tr.t("abonne-es-de-votre-etablissement").to_string()
            },
            Cell::text(l.subscribers.to_string()),
        ),
    ];
    let mut mods = ActionTable::new(
        tr,
        tr.t("moderation").to_string(),
        &[tr.t("nom"), tr.t("adresse-2")],
        manager,
    );
    for m in &v.moderators {
        mods.rows.push(ActionRow {
            cells: vec![Cell::text(m.name.clone()), Cell::opt(&m.email)],
            action: manager.then(|| Action {
                action: format!("/communautes/listes/{id}/moderateurs/{}/retirer", m.id),
                label: tr.t("retirer").to_string(),
            }),
        });
    }
    if manager {
        let staff = uc::staff_accounts(&state.app, actor)
            .await
            .map_err(pe(tr))?;
        mods.form = Some(SmallForm {
            action: format!("/communautes/listes/{id}/moderateurs"),
            fields: vec![Field::select(
                tr,
                "user_id",
                tr.t("ajouter-un-e-moderateur-rice").to_string(),
                "",
                staff,
                Some("—"),
            )],
            submit: tr.t("ajouter").to_string(),
        });
    }
    let can_change = manager || referent;
    let caption = if agency {
        tr.t("abonne-es").to_string()
    } else {
        tr.t("abonne-es-de-votre-etablissement").to_string()
    };
    let mut subs = ActionTable::new(
        tr,
        caption,
        &[tr.t("nom"), tr.t("adresse-2"), tr.t("etablissement")],
        can_change,
    );
    for s in &v.subscribers {
        subs.rows.push(ActionRow {
            cells: vec![
                Cell::link(
                    format!("{} {}", s.first_name, s.last_name),
                    format!("/contacts/{}", s.contact_id),
                ),
                Cell::opt(&s.email),
                Cell::text(s.institution_name.clone()),
            ],
            action: can_change.then(|| Action {
                action: format!("/communautes/listes/{id}/abonnes/{}/retirer", s.contact_id),
                label: tr.t("desabonner").to_string(),
            }),
        });
    }
    if manager {
        subs.form = Some(SmallForm {
            action: format!("/communautes/listes/{id}/abonnes"),
            fields: vec![Field::new(
                tr,
                "text",
                "contact_q",
                tr.t("abonner-un-contact-nom-ou-adresse").to_string(),
                "",
            )
            .hint(tr.t("un-seul-contact-doit-correspondre").to_string())],
            submit: tr.t("abonner").to_string(),
        });
    } else if referent {
        let own = uc::subscribable_contacts(&state.app, actor, None, 2000)
            .await
            .map_err(pe(tr))?
            .into_iter()
            .filter(|c| c.email.is_some())
            .map(|c| (c.id, format!("{} {}", c.first_name, c.last_name)));
        subs.form = Some(SmallForm {
            action: format!("/communautes/listes/{id}/abonnes"),
            fields: vec![Field::select(
                tr,
                "contact_id",
                tr.t("abonner-un-contact-de-votre-etablissement")
                    .to_string(),
                "",
                own,
                Some("—"),
            )],
            submit: tr.t("abonner").to_string(),
        });
    }
    let history = if agency {
        Some(history_table(
            tr,
            uc::history(&state.app, actor, "mailing_list", id)
                .await
                .map_err(pe(tr))?,
        ))
    } else {
        None
    };
    Ok(ActionPage {
        base: Base::new(auth, l.address.clone()),
        h1: l.name.clone(),
        subtitle: Some(l.address.clone()),
        error,
        links,
        buttons: vec![],
        facts,
        body_html: l.description.as_deref().map(render_markdown),
        resources: vec![],
        attendance: None,
        tables: vec![mods, subs],
        history,
        upload: None,
    })
}

pub(super) async fn show_list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let p = list_page(&state, &auth, id, None).await?;
    Ok(render(&p, tr)?.into_response())
}

async fn after_list_step(
    state: &AppState,
    auth: &Auth,
    id: Id,
    r: Result<(), AppError>,
    ok: &str,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/communautes/listes/{id}?ok={ok}")).into_response()),
        Err(AppError::Domain(DomainError::Invalid(errs))) => {
            let msg = errs
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
                .join(" ");
            let p = list_page(state, auth, id, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn subscribe(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let actor = auth.actor();
    let contact = match (f.opt("contact_id"), f.opt("contact_q")) {
        (Some(c), _) => Ok(path_id(c.trim(), tr)?),
        (None, Some(q)) => {
            let found = uc::subscribable_contacts(&state.app, actor, Some(q), 2)
                .await
                .map_err(pe(tr))?;
            match found.as_slice() {
                [one] => {
                    Id::parse(&one.id).ok_or_else(|| PageError::new(DomainError::NotFound, tr))
                }
                [] => Err(PageError::new(DomainError::NotFound, tr)),
                _ => {
                    return after_list_step(
                        &state,
                        &auth,
                        id,
                        Err(DomainError::invalid(
                            "ambiguous_contact",
                            "contact_q",
                            "Plusieurs contacts correspondent : précisez le nom ou l'adresse.",
                        )
                        .into()),
                        "",
                    )
                    .await
                }
            }
        }
        (None, None) => {
            return after_list_step(
                &state,
                &auth,
                id,
                Err(
                    DomainError::invalid("required", "contact_id", "Choisissez un contact.").into(),
                ),
                "",
            )
            .await
        }
    };
    let contact = match contact {
        Ok(c) => c,
        Err(_) => {
            return after_list_step(
                &state,
                &auth,
                id,
                Err(DomainError::invalid(
                    "unknown_contact",
                    "contact_q",
                    "Aucun contact ne correspond.",
                )
                .into()),
                "",
            )
            .await
        }
    };
    let r = uc::subscribe(&state.app, actor, id, contact).await;
    after_list_step(&state, &auth, id, r, "abonnement").await
}

pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, contact)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (id, contact) = (path_id(&id, tr)?, path_id(&contact, tr)?);
    let r = uc::unsubscribe(&state.app, auth.actor(), id, contact).await;
    after_list_step(&state, &auth, id, r, "desabonnement").await
}

pub(super) async fn add_moderator(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let user = f.opt("user_id").and_then(|u| Id::parse(u.trim()));
    let contact = f.opt("contact_id").and_then(|u| Id::parse(u.trim()));
    let r = uc::add_moderator(&state.app, auth.actor(), id, user, contact).await;
    after_list_step(&state, &auth, id, r, "moderation").await
}

pub(super) async fn remove_moderator(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, m)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let (id, m) = (path_id(&id, tr)?, path_id(&m, tr)?);
    let r = uc::remove_moderator(&state.app, auth.actor(), id, m).await;
    after_list_step(&state, &auth, id, r, "moderation").await
}

/// The Sympa bulk-add file: `text/plain`, one `adresse Prénom Nom` a line.
pub(super) async fn export_sympa(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let (address, text) = uc::sympa_export(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let file: String = address
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"sympa-{file}.txt\""),
            ),
        ],
        text,
    )
        .into_response())
}

fn list_fields(tr: Tr, f: &FormData, domains: &[(String, String)]) -> Vec<Field> {
    vec![
        Field::new(
            tr,
            "email",
            "address",
            tr.t("adresse-de-la-liste"),
            f.get("address"),
        )
        .required()
        .hint("ex. finances@listes.amue.fr"),
        Field::new(tr, "text", "name", tr.t("nom"), f.get("name")).required(),
        Field::select(
            tr,
            "domain_code",
            tr.t("domaine"),
            &f.get("domain_code"),
            domains.iter().cloned(),
            Some("—"),
        ),
        Field::new(
            tr,
            "textarea",
            "description",
            "Description",
            f.get("description"),
        ),
    ]
}

fn list_input(f: &FormData) -> ListInput {
    ListInput {
        address: f.get("address"),
        name: f.get("name"),
        domain_code: f.opt("domain_code"),
        description: f.opt("description"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn list_form(
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
    let mut fields = list_fields(tr, f, &domains);
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let p = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action,
        fields,
        errors,
        submit: submit.into(),
        cancel,
    };
    form_reply(&p, err.is_some(), tr)
}

pub(super) async fn new_list(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    list_form(
        &state,
        &auth,
        tr.t("nouvelle-liste-de-diffusion").to_string(),
        "/communautes/listes".into(),
        &FormData::default(),
        None,
        tr.t("create"),
        "/communautes/listes".into(),
    )
    .await
}

pub(super) async fn create_list(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_list(&state.app, auth.actor(), list_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/communautes/listes/{id}?ok=liste")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            list_form(
                &state,
                &auth,
                tr.t("nouvelle-liste-de-diffusion").to_string(),
                "/communautes/listes".into(),
                &f,
                Some(&e),
                tr.t("create"),
                "/communautes/listes".into(),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}

pub(super) async fn edit_list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    if !uc::may_manage(auth.actor()) {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let v = uc::get_list(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let f = FormData(vec![
        ("address".into(), v.list.address.clone()),
        ("name".into(), v.list.name.clone()),
        (
            "domain_code".into(),
            v.list.domain_code.clone().unwrap_or_default(),
        ),
        (
            "description".into(),
            v.list.description.clone().unwrap_or_default(),
        ),
    ]);
    list_form(
        &state,
        &auth,
        format!("{} — {}", tr.t("edit"), v.list.address),
        format!("/communautes/listes/{id}"),
        &f,
        None,
        tr.t("save"),
        format!("/communautes/listes/{id}"),
    )
    .await
}

pub(super) async fn update_list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    match uc::update_list(&state.app, auth.actor(), id, list_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/communautes/listes/{id}?ok=liste")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            list_form(
                &state,
                &auth,
                tr.t("edit").to_string(),
                format!("/communautes/listes/{id}"),
                &f,
                Some(&e),
                tr.t("save"),
                format!("/communautes/listes/{id}"),
            )
            .await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
