//! The vocabulary of the field (/admin/vocabulaire): abbreviations,
//! synonyms and product names the search reads both ways, at indexing and
//! at query time. Admins add a line, import CSV lines
//! (`terme;équivalent;type`) or remove a line; the change applies to
//! queries at once (a rebuild brings older documents' aliases in line).

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{form_reply, pe, FormData, PageForm, Sect, SectionsPage};
use crate::view::{apply_errors, Base, Cell, Field, Table};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::vocabulary as uc;
use relais_app::AppError;
use relais_domain::DomainError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/vocabulaire", get(page).post(add))
        .route("/admin/vocabulaire/import", post(import))
        .route("/admin/vocabulaire/supprimer", post(remove))
}

fn kind_label(tr: crate::i18n::Tr, kind: &str) -> String {
    match kind {
        "synonyme" => tr.t("vocabulaire-synonyme").to_string(),
        "produit" => tr.t("vocabulaire-produit").to_string(),
        _ => tr.t("vocabulaire-abreviation").to_string(),
    }
}

async fn view(
    state: &AppState,
    auth: &Auth,
    failed: Option<(&str, &FormData, &DomainError)>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    if auth.actor().role != relais_domain::accounts::Role::Admin {
        return Err(PageError::new(DomainError::Forbidden, tr));
    }
    let rows = uc::list(&state.app, auth.actor()).await.map_err(pe(tr))?;
    let title = tr.t("vocabulaire-titre").to_string();
    let mut p = SectionsPage::new(Base::new(auth, title.clone()), title);
    p.subtitle = tr.t("vocabulaire-intro").to_string();
    let mut s = Sect::new("lignes", tr.t("vocabulaire-lignes").to_string());
    let mut t = Table::new(
        tr,
        tr.t("vocabulaire-lignes").to_string(),
        &[
            tr.t("vocabulaire-terme"),
            tr.t("vocabulaire-equivalent"),
            tr.t("vocabulaire-type"),
        ],
    );
    for r in &rows {
        t.rows.push(vec![
            Cell::text(r.term.clone()),
            Cell::text(r.equivalent.clone()),
            Cell::text(kind_label(tr, &r.kind)),
        ]);
    }
    s.tables.push(t);
    let get = |form: &str, k: &str| {
        failed
            .filter(|f| f.0 == form)
            .map(|f| f.1.get(k))
            .unwrap_or_default()
    };
    let mut add_fields = vec![
        Field::new(
            tr,
            "text",
            "term",
            tr.t("vocabulaire-terme").to_string(),
            get("add", "term"),
        )
        .required(),
        Field::new(
            tr,
            "text",
            "equivalent",
            tr.t("vocabulaire-equivalent").to_string(),
            get("add", "equivalent"),
        )
        .required(),
        Field::select(
            tr,
            "kind",
            tr.t("vocabulaire-type").to_string(),
            &get("add", "kind"),
            uc::KINDS.iter().map(|k| (k.to_string(), kind_label(tr, k))),
            None,
        ),
    ];
    let mut import_fields = vec![Field::new(
        tr,
        "textarea",
        "csv",
        tr.t("vocabulaire-csv").to_string(),
        get("import", "csv"),
    )
    .required()
    .hint(tr.t("vocabulaire-csv-aide").to_string())];
    if let Some((form, _, e)) = failed {
        p.errors = if form == "add" {
            apply_errors(&mut add_fields, e)
        } else {
            apply_errors(&mut import_fields, e)
        };
    }
    s.forms.push(PageForm {
        action: "/admin/vocabulaire".into(),
        fields: add_fields,
        button: tr.t("vocabulaire-ajouter").to_string(),
        danger: false,
    });
    s.forms.push(PageForm {
        action: "/admin/vocabulaire/import".into(),
        fields: import_fields,
        button: tr.t("vocabulaire-importer").to_string(),
        danger: false,
    });
    if !rows.is_empty() {
        s.forms.push(PageForm {
            action: "/admin/vocabulaire/supprimer".into(),
            fields: vec![Field::select(
                tr,
                "id",
                tr.t("vocabulaire-a-supprimer").to_string(),
                "",
                rows.iter()
                    .map(|r| (r.id.clone(), format!("{} ↔ {}", r.term, r.equivalent))),
                None,
            )],
            button: tr.t("vocabulaire-supprimer").to_string(),
            danger: true,
        });
    }
    p.sections.push(s);
    form_reply(&p, failed.is_some(), tr)
}

async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    view(&state, &auth, None).await
}

async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    match uc::add(
        &state.app,
        auth.actor(),
        &f.get("term"),
        &f.get("equivalent"),
        &f.get("kind"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/admin/vocabulaire?ok=vocabulaire").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            view(&state, &auth, Some(("add", &f, &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn import(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    match uc::import_csv(&state.app, auth.actor(), &f.get("csv")).await {
        Ok(_) => Ok(Redirect::to("/admin/vocabulaire?ok=vocabulaire").into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            view(&state, &auth, Some(("import", &f, &e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    uc::remove(&state.app, auth.actor(), &f.get("id"))
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/admin/vocabulaire?ok=vocabulaire").into_response())
}
