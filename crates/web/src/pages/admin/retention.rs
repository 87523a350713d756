//! The retention rules (/admin/conservation).

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{form_reply, fr, pe, FormData, PageForm, Sect, SectionsPage};
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
    let en = tr.en();
    let rules = relais_app::privacy::retention(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(auth, fr(tr, "Conservation des données", "Data retention")),
        fr(tr, "Conservation des données", "Data retention"),
    );
    p.subtitle = fr(
        tr,
        "Chaque type de donnée est supprimé après sa durée de conservation. La simulation ci-dessous liste ce qui partirait aujourd'hui ; rien n'est supprimé tant que vous n'appliquez pas.",
        "Each kind of data is deleted after its retention period. The dry run below lists what would go today; nothing is deleted until you apply.",
    );
    let mut s = Sect::new("simulation", fr(tr, "Simulation", "Dry run"));
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Ce qui serait supprimé aujourd'hui",
            "What would be deleted today",
        ),
        &[
            if en { "Data" } else { "Donnée" },
            if en {
                "Kept (months)"
            } else {
                "Conservée (mois)"
            },
            if en { "Older than" } else { "Antérieure au" },
            if en { "Would go" } else { "À supprimer" },
            if en {
                "Oldest items"
            } else {
                "Plus anciens éléments"
            },
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
        button: fr(tr, "Appliquer les règles maintenant", "Apply the rules now"),
        danger: true,
    });
    p.sections.push(s);
    let mut s = Sect::new(
        "regles",
        fr(tr, "Durées de conservation", "Retention periods"),
    );
    let mut fields = vec![
        Field::select(
            tr,
            "kind",
            fr(tr, "Donnée", "Data"),
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
            fr(tr, "Durée (mois)", "Period (months)"),
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
        button: fr(tr, "Enregistrer la durée", "Save the period"),
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
