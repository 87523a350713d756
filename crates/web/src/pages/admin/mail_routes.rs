//! The rule of each mailbox for unknown senders (/admin/courriel): mail
//! from someone who is neither an account nor a contact of the CRM is held
//! in quarantine, or opens a ticket for triage on the institution the admin
//! names. Admins only (the use cases refuse anyone else).

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{
    form_reply, institution_options, pe, product_options, FormData, PageForm, Sect, SectionsPage,
};
use crate::view::{apply_errors, Base, Cell, Field, Table};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::mail_gate::{self as uc, RouteInput};
use relais_app::AppError;
use relais_domain::DomainError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/courriel", get(routes_page).post(set_route))
        .route("/admin/courriel/supprimer", post(delete_route))
}

fn rule_label(tr: Tr, rule: &str) -> &'static str {
    tr.t(match rule {
        "ticket" => "mail-rule-ticket",
        _ => "mail-rule-quarantine",
    })
}

async fn routes_view(
    state: &AppState,
    auth: &Auth,
    failed: Option<(&FormData, &DomainError)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let routes = uc::list_routes(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let institutions = institution_options(state, auth).await?;
    let products = product_options(state, tr).await?;
    let name_of = |list: &[(String, String)], id: &Option<String>| {
        id.as_ref()
            .map(|id| {
                list.iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| id.clone())
            })
            .unwrap_or_else(|| "—".into())
    };
    let mut p = SectionsPage::new(
        Base::new(auth, tr.t("courriel-entrant").to_string()),
        tr.t("courriel-entrant").to_string(),
    );
    p.subtitle = tr.t("un-message-authentifie-d-un-compte").to_string();
    let mut s = Sect::new("regles", tr.t("regles-des-boites").to_string());
    let mut t = Table::new(
        tr,
        tr.t("expediteurs-inconnus").to_string(),
        &[
            tr.t("boite"),
            tr.t("regle"),
            tr.t("etablissement-de-tri"),
            tr.t("produit"),
        ],
    );
    for r in &routes {
        t.rows.push(vec![
            Cell::text(r.mailbox.clone()),
            Cell::text(rule_label(tr, &r.unknown_sender)),
            Cell::text(name_of(&institutions, &r.institution_id)),
            Cell::text(name_of(&products, &r.product_id)),
        ]);
    }
    s.tables.push(t);
    let get = |k: &str| failed.map(|f| f.0.get(k)).unwrap_or_default();
    let mut fields = vec![
        Field::new(
            tr,
            "text",
            "mailbox",
            tr.t("boite-adresse-ou-pour-toutes").to_string(),
            get("mailbox"),
        )
        .required(),
        Field::select(
            tr,
            "unknown_sender",
            tr.t("regle").to_string(),
            &get("unknown_sender"),
            ["quarantaine", "ticket"]
                .into_iter()
                .map(|r| (r.to_string(), rule_label(tr, r).to_string())),
            None,
        ),
        Field::select(
            tr,
            "institution_id",
            tr.t("etablissement-de-tri").to_string(),
            &get("institution_id"),
            institutions.clone(),
            Some("—"),
        ),
        Field::select(
            tr,
            "product_id",
            tr.t("produit-sinon-devine-du-message").to_string(),
            &get("product_id"),
            products.clone(),
            Some("—"),
        ),
    ];
    if let Some((_, e)) = failed {
        p.errors = apply_errors(&mut fields, e);
    }
    s.forms.push(PageForm {
        action: "/admin/courriel".into(),
        fields,
        button: tr.t("enregistrer-la-regle").to_string(),
        danger: false,
    });
    if !routes.is_empty() {
        s.forms.push(PageForm {
            action: "/admin/courriel/supprimer".into(),
            fields: vec![Field::select(
                tr,
                "mailbox",
                tr.t("regle-a-supprimer").to_string(),
                "",
                routes
                    .iter()
                    .map(|r| (r.mailbox.clone(), r.mailbox.clone())),
                None,
            )],
            button: tr.t("supprimer-la-regle").to_string(),
            danger: true,
        });
    }
    p.sections.push(s);
    form_reply(&p, failed.is_some(), tr)
}

async fn routes_page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    routes_view(&state, &auth, None).await
}

async fn set_route(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let opt = |k: &str| Some(f.get(k)).filter(|v| !v.trim().is_empty());
    let input = RouteInput {
        mailbox: f.get("mailbox"),
        unknown_sender: f.get("unknown_sender"),
        institution_id: opt("institution_id"),
        product_id: opt("product_id"),
    };
    match uc::set_route(&state.app, auth.actor(), input).await {
        Ok(()) => Ok(Redirect::to("/admin/courriel?ok=regle_courriel").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            routes_view(&state, &auth, Some((&f, &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn delete_route(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    uc::delete_route(&state.app, auth.actor(), &f.get("mailbox"))
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/admin/courriel?ok=regle_courriel_supprimee").into_response())
}
