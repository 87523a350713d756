//! The retention rules (/admin/conservation).

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{form_reply, pe, FormData, PageForm, Sect, SectionsPage};
use crate::view::{apply_errors, fr_date, Base, Cell, Field, Table};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::AppError;
use relais_domain::DomainError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/conservation",
            get(retention_page).post(set_retention),
        )
        .route("/admin/conservation/appliquer", post(apply_retention))
}

async fn retention_view(
    state: &AppState,
    auth: &Auth,
    failed: Option<(&FormData, &DomainError)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rules = relais_app::privacy::retention(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(auth, tr.t("conservation-des-donnees").to_string()),
        tr.t("conservation-des-donnees").to_string(),
    );
    p.subtitle = tr.t("chaque-type-de-donnee-est-supprime").to_string();
    let mut s = Sect::new("simulation", tr.t("simulation").to_string());
    let mut t = Table::new(
        tr,
        tr.t("ce-qui-serait-supprime-aujourd-hui").to_string(),
        &[
            tr.t("donnee"),
            tr.t("conservee-mois"),
            tr.t("anterieure-au"),
            tr.t("a-supprimer"),
            tr.t("plus-anciens-elements"),
        ],
    );
    for r in &rules {
        t.rows.push(vec![
            Cell::text(r.label),
            Cell::text(r.months.to_string()),
            Cell::text(fr_date(&r.cutoff)),
            Cell::text(r.count.to_string()),
            Cell::text(
                r.sample
                    .iter()
                    .map(|(_, d, w)| format!("{} {}", fr_date(d), w))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ]);
    }
    s.tables.push(t);
    s.forms.push(PageForm {
        action: "/admin/conservation/appliquer".into(),
        fields: vec![],
        button: tr.t("appliquer-les-regles-maintenant").to_string(),
        danger: true,
    });
    p.sections.push(s);
    let mut s = Sect::new("regles", tr.t("durees-de-conservation").to_string());
    let mut fields = vec![
        Field::select(
            tr,
            "kind",
            tr.t("donnee").to_string(),
            &failed.map(|f| f.0.get("kind")).unwrap_or_default(),
            rules
                .iter()
                .map(|r| (r.kind.to_string(), r.label.to_string())),
            None,
        ),
        Field::new(
            tr,
            "number",
            "months",
            tr.t("duree-mois").to_string(),
            failed.map(|f| f.0.get("months")).unwrap_or_default(),
        )
        .required(),
    ];
    if let Some((_, e)) = failed {
        p.errors = apply_errors(&mut fields, e);
    }
    s.forms.push(PageForm {
        action: "/admin/conservation".into(),
        fields,
        button: tr.t("enregistrer-la-duree").to_string(),
        danger: false,
    });
    p.sections.push(s);
    form_reply(&p, failed.is_some(), tr)
}

async fn retention_page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    retention_view(&state, &auth, None).await
}

async fn set_retention(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let months = f.get("months").trim().parse().unwrap_or(0);
    match relais_app::privacy::set_retention(&state.app, auth.actor(), &f.get("kind"), months).await
    {
        Ok(()) => Ok(Redirect::to("/admin/conservation?ok=conservation").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            retention_view(&state, &auth, Some((&f, &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn apply_retention(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    relais_app::privacy::apply_retention(&state.app, auth.actor())
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/admin/conservation?ok=purge").into_response())
}
