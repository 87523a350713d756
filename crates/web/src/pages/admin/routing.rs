//! Routing rules (admins): the list in the order they are tried, a form to
//! add one, and a confirmation page to delete one. Built on the generic
//! list and form templates; the rules themselves are applied by
//! `relais_app::triage::route`.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{form_reply, path_id, pe, render, FormData, FormPage, ListPage};
use crate::view::{apply_errors, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::crm::InstitutionFilter;
use relais_app::triage as uc;
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::DomainError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/routage", get(list).post(create))
        .route("/admin/routage/nouvelle", get(new_form))
        .route(
            "/admin/routage/{id}/supprimer",
            get(confirm_delete).post(delete),
        )
}

fn require_admin(auth: &Auth) -> Result<(), PageError> {
    if auth.actor().role == Role::Admin {
        Ok(())
    } else {
        Err(PageError::new(DomainError::Forbidden, auth.tr))
    }
}

async fn list(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rules = uc::list_rules(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let any = tr.t("tous");
    let mut table = Table::new(
        tr,
        tr.t("regles-de-routage-dans-l-ordre"),
        &[
            "Position",
            tr.t("produit"),
            tr.t("mot-cle"),
            tr.t("etablissement"),
            tr.t("equipe"),
            "Action",
        ],
    );
    for r in &rules {
        table.rows.push(vec![
            Cell::text(r.position.to_string()),
            Cell::text(r.product_name.clone().unwrap_or_else(|| any.into())),
            Cell::text(r.keyword.clone().unwrap_or_else(|| any.into())),
            Cell::text(r.institution_name.clone().unwrap_or_else(|| any.into())),
            Cell::text(r.team_name.clone()),
            Cell::link(
                tr.t("supprimer"),
                format!("/admin/routage/{}/supprimer", r.id),
            ),
        ]);
    }
    let title = tr.t("regles-de-routage");
    let page = ListPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        path: "/admin/routage".into(),
        actions: vec![Link::new("/admin/routage/nouvelle", tr.t("nouvelle-regle"))],
        filters: vec![],
        total: rules.len() as i64,
        table,
        prev: None,
        next: None,
    };
    Ok(render(&page, tr)?.into_response())
}

async fn rule_page(
    state: &AppState,
    auth: &Auth,
    f: &FormData,
    err: Option<&DomainError>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let products: Vec<(String, String)> = relais_app::crm::list_products(&state.app, None)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let teams: Vec<(String, String)> = relais_app::desk::teams(&state.app)
        .await
        .map_err(pe(tr))?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let institutions: Vec<(String, String)> = relais_app::crm::list_institutions(
        &state.app,
        auth.actor(),
        &InstitutionFilter {
            limit: 5000,
            ..Default::default()
        },
    )
    .await
    .map_err(pe(tr))?
    .0
    .into_iter()
    .map(|i| (i.id, i.name))
    .collect();
    let any = tr.t("tous-2");
    let mut fields = vec![
        Field::new(tr, "number", "position", "Position", f.get("position"))
            .hint(tr.t("les-regles-sont-essayees-par-position")),
        Field::select(
            tr,
            "product_id",
            tr.t("produit"),
            &f.get("product_id"),
            products,
            Some(any),
        ),
        Field::new(tr, "text", "keyword", tr.t("mot-cle"), f.get("keyword"))
            .hint(tr.t("mot-s-entier-s-du-sujet")),
        Field::select(
            tr,
            "institution_id",
            tr.t("etablissement"),
            &f.get("institution_id"),
            institutions,
            Some(any),
        ),
        Field::select(
            tr,
            "team_id",
            tr.t("equipe"),
            &f.get("team_id"),
            teams,
            Some(""),
        )
        .required(),
    ];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = tr.t("nouvelle-regle-de-routage");
    let page = FormPage {
        base: Base::new(auth, title),
        h1: title.into(),
        action: "/admin/routage".into(),
        fields,
        errors,
        submit: tr.t("create").into(),
        cancel: "/admin/routage".into(),
    };
    form_reply(&page, err.is_some(), tr)
}

async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    require_admin(&auth)?;
    rule_page(&state, &auth, &FormData::default(), None).await
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let input = uc::RuleInput {
        position: f.get("position"),
        product_id: f.get("product_id"),
        keyword: f.get("keyword"),
        institution_id: f.get("institution_id"),
        team_id: f.get("team_id"),
    };
    match uc::create_rule(&state.app, auth.actor(), input).await {
        Ok(_) => Ok(Redirect::to("/admin/routage?ok=regle").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            rule_page(&state, &auth, &f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn confirm_delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let rule = uc::get_rule(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let title = tr.t("supprimer-une-regle-de-routage");
    let page = FormPage {
        base: Base::new(&auth, title),
        h1: format!("{title} : {}", uc::describe_rule(&rule)),
        action: format!("/admin/routage/{id}/supprimer"),
        fields: vec![],
        errors: vec![],
        submit: tr.t("supprimer").into(),
        cancel: "/admin/routage".into(),
    };
    Ok(render(&page, tr)?.into_response())
}

async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    uc::delete_rule(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    Ok(Redirect::to("/admin/routage?ok=regle_supprimee").into_response())
}
