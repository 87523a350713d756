//! Account pages: the list of accounts, the record page and the create/edit
//! forms. Admins manage every account; a referent manages their own
//! institution's member accounts. What may be granted comes from
//! `Actor::grantable_roles`, and the use case enforces it again whatever the
//! form sends.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    form_reply, nonempty, pager, path_id, pe, render, DetailPage, FormData, FormPage, ListPage,
    PAGE_SIZE,
};
use crate::kit::{history_section, institution_options};
use crate::view::{apply_errors, role_label, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::accounts as uc;
use relais_app::accounts::UserRow;
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::DomainError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/comptes", get(list).post(create))
        .route("/comptes/nouveau", get(new_form))
        .route("/comptes/{id}", get(show).post(update))
        .route("/comptes/{id}/modifier", get(edit_form))
}

fn yes_no(b: bool, tr: Tr) -> &'static str {
    tr.t(if b { "oui" } else { "non" })
}

fn role_options(roles: &[Role], tr: Tr) -> Vec<(String, String)> {
    roles
        .iter()
        .map(|r| (r.code().to_string(), tr.label(r).to_string()))
        .collect()
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct UserQuery {
    q: Option<String>,
    role: Option<String>,
    institution: Option<String>,
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<UserQuery>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let admin = auth.actor().role == Role::Admin;
    // Already narrowed to the referent's institution by the use case; the
    // filters below only refine what the actor may see.
    let all = uc::list_users(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let text = nonempty(&q.q).map(|t| relais_domain::fold(&t));
    let role = nonempty(&q.role);
    let inst = if admin {
        nonempty(&q.institution)
    } else {
        None
    };
    let rows: Vec<UserRow> = all
        .into_iter()
        .filter(|u| {
            text.as_ref().is_none_or(|t| {
                let hay = relais_domain::fold(&format!("{} {}", u.display_name, u.email));
                t.split_whitespace().all(|w| hay.contains(w))
            })
        })
        .filter(|u| role.as_ref().is_none_or(|r| &u.role == r))
        .filter(|u| {
            inst.as_ref()
                .is_none_or(|i| u.institution_id.as_ref() == Some(i))
        })
        .collect();
    let total = rows.len() as i64;
    let page = q.page.unwrap_or(1).max(1);
    let title = tr.t("nav-users");
    let mut table = Table::new(
        tr,
        if admin {
            tr.t("tous-les-comptes")
        } else {
            tr.t("comptes-de-votre-etablissement")
        },
        &[
            tr.t("nom"),
            tr.t("adresse-electronique"),
            tr.t("role"),
            tr.t("etablissement"),
            tr.t("actif"),
        ],
    );
    for u in rows
        .iter()
        .skip(((page - 1) * PAGE_SIZE) as usize)
        .take(PAGE_SIZE as usize)
    {
        table.rows.push(vec![
            Cell::link(u.display_name.clone(), format!("/comptes/{}", u.id)),
            Cell::text(u.email.clone()),
            Cell::text(role_label(&u.role, tr)),
            match (&u.institution_id, &u.institution_name) {
                (Some(i), Some(n)) => Cell::link(n.clone(), format!("/etablissements/{i}")),
                _ => Cell::text(tr.t("agence")),
            },
            Cell::text(yes_no(u.active == 1, tr)),
        ]);
    }
    let shown_roles: &[Role] = if admin {
        Role::ALL
    } else {
        &[Role::Member, Role::MemberAdmin, Role::Trainer]
    };
    let mut filters = vec![
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
            "role",
            tr.t("role"),
            q.role.as_deref().unwrap_or(""),
            role_options(shown_roles, tr),
            Some(tr.t("all")),
        ),
    ];
    if admin {
        filters.push(Field::select(
            tr,
            "institution",
            tr.t("etablissement"),
            q.institution.as_deref().unwrap_or(""),
            institution_options(&state, &auth).await?,
            Some(tr.t("all")),
        ));
    }
    let (prev, next) = pager(
        "/comptes",
        &[
            ("q", q.q.clone()),
            ("role", q.role.clone()),
            ("institution", inst.clone()),
        ],
        page,
        total,
    );
    let p = ListPage {
        base: Base::new(&auth, title),
        h1: title.to_string(),
        path: "/comptes".into(),
        actions: vec![Link::new("/comptes/nouveau", tr.t("nouveau-compte"))],
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
    let u = uc::get_user(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut actions = vec![];
    let editable =
        Role::from_code(&u.role).is_some_and(|r| auth.actor().grantable_roles().contains(&r));
    if editable {
        actions.push(Link::new(format!("/comptes/{id}/modifier"), tr.t("edit")));
    }
    let facts = vec![
        (
            (tr.t("adresse-electronique")).to_string(),
            Cell::text(u.email.clone()),
        ),
        ((tr.t("role")).into(), Cell::text(role_label(&u.role, tr))),
        (
            (tr.t("etablissement")).into(),
            match (&u.institution_id, &u.institution_name) {
                (Some(i), Some(n)) => Cell::link(n.clone(), format!("/etablissements/{i}")),
                _ => Cell::text(tr.t("agence")),
            },
        ),
        (
            (tr.t("actif")).into(),
            Cell::text(yes_no(u.active == 1, tr)),
        ),
        (
            (tr.t("langue")).into(),
            Cell::text(if u.locale == "en" {
                "English"
            } else {
                "Français"
            }),
        ),
        (
            (tr.t("cree-le")).into(),
            Cell::text(u.created_at.chars().take(10).collect::<String>()),
        ),
    ];
    let sections = history_section(&state, &auth, "user", id)
        .await?
        .into_iter()
        .collect();
    let p = DetailPage {
        base: Base::new(&auth, u.display_name.clone()),
        h1: u.display_name.clone(),
        subtitle: Some(role_label(&u.role, tr)),
        actions,
        facts,
        sections,
    };
    Ok(render(&p, tr)?.into_response())
}

fn user_fields(
    tr: Tr,
    f: &FormData,
    roles: &[Role],
    institutions: Option<&[(String, String)]>,
    new: bool,
) -> Vec<Field> {
    let mut fields = vec![
        Field::new(
            tr,
            "email",
            "email",
            tr.t("adresse-electronique"),
            f.get("email"),
        )
        .required()
        .autocomplete("off"),
        Field::new(
            tr,
            "text",
            "display_name",
            tr.t("nom-affiche"),
            f.get("display_name"),
        )
        .required()
        .autocomplete("off"),
        Field::select(
            tr,
            "role",
            tr.t("role"),
            &f.get("role"),
            role_options(roles, tr),
            None,
        )
        .required(),
    ];
    if let Some(list) = institutions {
        fields.push(
            Field::select(
                tr,
                "institution_id",
                tr.t("etablissement"),
                &f.get("institution_id"),
                list.iter().cloned(),
                Some(tr.t("aucun-personnel-de-l-agence")),
            )
            .hint(tr.t("obligatoire-pour-les-comptes-de-correspondant")),
        );
    }
    fields.push(Field::new(
        tr,
        "checkbox",
        "active",
        tr.t("compte-actif-peut-se-connecter"),
        if f.checked("active") { "1" } else { "" },
    ));
    fields.push(
        Field::new(
            tr,
            "password",
            "password",
            if new {
                tr.t("login-password")
            } else {
                tr.t("nouveau-mot-de-passe")
            },
            "",
        )
        .autocomplete("new-password")
        .hint(tr.t(if new {
            "user-password-hint-new"
        } else {
            "user-password-hint-edit"
        })),
    );
    fields
}

fn user_input(f: &FormData) -> uc::UserInput {
    uc::UserInput {
        email: f.get("email"),
        display_name: f.get("display_name"),
        role: f.get("role"),
        institution_id: f.opt("institution_id"),
        password: f.opt("password"),
        active: f.checked("active"),
    }
}

fn form_of(u: &UserRow) -> FormData {
    let mut v = vec![
        ("email".to_string(), u.email.clone()),
        ("display_name".into(), u.display_name.clone()),
        ("role".into(), u.role.clone()),
        (
            "institution_id".into(),
            u.institution_id.clone().unwrap_or_default(),
        ),
    ];
    if u.active == 1 {
        v.push(("active".into(), "1".into()));
    }
    FormData(v)
}

/// The account form, new (`None`) or for an existing account, with errors.
async fn user_page(
    state: &AppState,
    auth: &Auth,
    existing: Option<&UserRow>,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let roles = auth.actor().grantable_roles();
    // Only admins choose an institution; a referent's accounts are always
    // created in the referent's own institution.
    let institutions = if auth.actor().role == Role::Admin {
        Some(institution_options(state, auth).await?)
    } else {
        None
    };
    let mut fields = user_fields(tr, f, roles, institutions.as_deref(), existing.is_none());
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let (title, action, submit, cancel) = match existing {
        None => (
            (tr.t("nouveau-compte")).to_string(),
            "/comptes".to_string(),
            tr.t("create"),
            "/comptes".to_string(),
        ),
        Some(u) => (
            format!("{} — {}", tr.t("edit"), u.display_name),
            format!("/comptes/{}", u.id),
            tr.t("save"),
            format!("/comptes/{}", u.id),
        ),
    };
    let page = FormPage {
        base: Base::new(auth, title.clone()),
        h1: title,
        action,
        fields,
        errors,
        submit: submit.into(),
        cancel,
    };
    form_reply(&page, err.is_some(), tr)
}

async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    if !auth.actor().can_manage_users() {
        return Err(PageError::new(DomainError::Forbidden, auth.tr));
    }
    let f = FormData(vec![
        ("role".into(), Role::Member.code().into()),
        ("active".into(), "1".into()),
    ]);
    user_page(&state, &auth, None, &f, None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    match uc::create_user(&state.app, auth.actor(), user_input(&f)).await {
        Ok(id) => Ok(Redirect::to(&format!("/comptes/{id}?ok=user")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            user_page(&state, &auth, None, &f, Some(&e)).await
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
    let u = uc::get_user(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    // An account whose role the actor may not grant is not theirs to edit.
    let grantable =
        Role::from_code(&u.role).is_some_and(|r| auth.actor().grantable_roles().contains(&r));
    if !grantable {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    user_page(&state, &auth, Some(&u), &form_of(&u), None).await
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let u = uc::get_user(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    match uc::update_user(&state.app, auth.actor(), id, user_input(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/comptes/{id}?ok=user")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            user_page(&state, &auth, Some(&u), &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, tr)),
    }
}
