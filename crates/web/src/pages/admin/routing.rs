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
use relais_app::triage as uc;
use relais_app::AppError;
use relais_domain::accounts::Role;
use relais_domain::DomainError;
use relais_store::crm::InstitutionFilter;

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
    let en = tr.en();
    let rules = uc::list_rules(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let any = if en { "any" } else { "tous" };
    let mut table = Table::new(
        tr,
        if en {
            "Routing rules, in the order they are tried: the first that matches names the team"
        } else {
            "Règles de routage, dans l'ordre où elles sont essayées : la première qui correspond désigne l'équipe"
        },
        &[
            "Position",
            if en { "Product" } else { "Produit" },
            if en { "Keyword" } else { "Mot-clé" },
            if en { "Institution" } else { "Établissement" },
            if en { "Team" } else { "Équipe" },
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
                if en { "Delete" } else { "Supprimer" },
                format!("/admin/routage/{}/supprimer", r.id),
            ),
        ]);
    }
    let title = if en {
        "Routing rules"
    } else {
        "Règles de routage"
    };
    let page = ListPage {
        base: Base::new(&auth, title),
        h1: title.into(),
        path: "/admin/routage".into(),
        actions: vec![Link::new(
            "/admin/routage/nouvelle",
            if en { "New rule" } else { "Nouvelle règle" },
        )],
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
    let en = tr.en();
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
    let any = if en { "Any" } else { "Tous" };
    let mut fields = vec![
        Field::new(tr, "number", "position", "Position", f.get("position")).hint(if en {
            "Rules are tried by increasing position; empty: after the last one"
        } else {
            "Les règles sont essayées par position croissante ; vide : après la dernière"
        }),
        Field::select(
            tr,
            "product_id",
            if en { "Product" } else { "Produit" },
            &f.get("product_id"),
            products,
            Some(any),
        ),
        Field::new(
            tr,
            "text",
            "keyword",
            if en { "Keyword" } else { "Mot-clé" },
            f.get("keyword"),
        )
        .hint(if en {
            "Whole word(s) in the subject or description, case and accents ignored (e.g. DSN)"
        } else {
            "Mot(s) entier(s) du sujet ou de la description, sans tenir compte des majuscules ni des accents (ex. DSN)"
        }),
        Field::select(
            tr,
            "institution_id",
            if en { "Institution" } else { "Établissement" },
            &f.get("institution_id"),
            institutions,
            Some(any),
        ),
        Field::select(
            tr,
            "team_id",
            if en { "Team" } else { "Équipe" },
            &f.get("team_id"),
            teams,
            Some(""),
        )
        .required(),
    ];
    let errors = err
        .map(|e| apply_errors(&mut fields, e))
        .unwrap_or_default();
    let title = if en {
        "New routing rule"
    } else {
        "Nouvelle règle de routage"
    };
    let page = FormPage {
        base: Base::new(auth, title),
        h1: title.into(),
        action: "/admin/routage".into(),
        fields,
        errors,
        submit: tr.get("create").into(),
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
    let title = if tr.en() {
        "Delete a routing rule"
    } else {
        "Supprimer une règle de routage"
    };
    let page = FormPage {
        base: Base::new(&auth, title),
        h1: format!("{title} : {}", uc::describe_rule(&rule)),
        action: format!("/admin/routage/{id}/supprimer"),
        fields: vec![],
        errors: vec![],
        submit: if tr.en() { "Delete" } else { "Supprimer" }.into(),
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
