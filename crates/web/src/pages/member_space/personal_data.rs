//! Personal data pages (/espace/donnees, /contacts/{id}/donnees) and erasure.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{path_id, pe, render, FormData, PageForm, Sect, SectionsPage};
use crate::view::{Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::AppError;
use relais_domain::DomainError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/espace/donnees", get(my_data_page))
        .route("/espace/donnees.json", get(my_data_json))
        .route("/contacts/{id}/donnees", get(contact_data_page))
        .route("/contacts/{id}/donnees.json", get(contact_data_json))
        .route("/contacts/{id}/effacer", post(erase_contact))
}

fn data_sections(tr: Tr, d: &relais_app::privacy::PersonData) -> Vec<Sect> {
    d.sections
        .iter()
        .map(|sec| {
            let mut s = Sect::new(sec.key, sec.title);
            let cols: Vec<String> = sec
                .rows
                .first()
                .and_then(|r| r.as_object())
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            if sec.rows.is_empty() {
                s.paras.push(tr.t("rien").to_string());
            } else {
                let heads: Vec<&str> = cols.iter().map(String::as_str).collect();
                let mut t = Table::new(tr, sec.title, &heads);
                for r in &sec.rows {
                    t.rows.push(
                        cols.iter()
                            .map(|c| Cell::text(r[c].as_str().unwrap_or("—").to_string()))
                            .collect(),
                    );
                }
                s.tables.push(t);
            }
            s
        })
        .collect()
}

fn json_download(d: &relais_app::privacy::PersonData, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        serde_json::to_string_pretty(d).unwrap_or_default(),
    )
        .into_response()
}

async fn my_data_page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let d = relais_app::privacy::my_data(&state.app, auth.actor())
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(&auth, tr.t("mes-donnees-personnelles").to_string()),
        tr.t("mes-donnees-personnelles").to_string(),
    );
    p.subtitle = tr.t("tout-ce-que-relais-conserve-a").to_string();
    p.actions = vec![Link::new(
        "/espace/donnees.json",
        tr.t("telecharger-json").to_string(),
    )];
    p.sections = data_sections(tr, &d);
    Ok(render(&p, tr)?.into_response())
}

async fn my_data_json(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let d = relais_app::privacy::my_data(&state.app, auth.actor())
        .await
        .map_err(pe(auth.tr))?;
    Ok(json_download(&d, "mes-donnees-relais.json"))
}

async fn contact_data_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let d = relais_app::privacy::contact_data(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let reads = relais_app::privacy::contact_reads(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(&auth, tr.t("donnees-personnelles-du-contact").to_string()),
        tr.t("donnees-personnelles-du-contact").to_string(),
    );
    p.actions = vec![
        Link::new(
            format!("/contacts/{id}"),
            tr.t("fiche-du-contact").to_string(),
        ),
        Link::new(
            format!("/contacts/{id}/donnees.json"),
            tr.t("telecharger-json").to_string(),
        ),
    ];
    p.sections = data_sections(tr, &d);
    let mut s = Sect::new("lectures", tr.t("qui-a-consulte-cette-fiche").to_string());
    let mut t = Table::new(
        tr,
        tr.t("consultations-par-l-agence").to_string(),
        &[tr.t("quand"), tr.t("qui")],
    );
    for r in &reads {
        t.rows.push(vec![
            Cell::text(crate::view::fr_date(&r.read_at)),
            Cell::text(r.user_name.clone().unwrap_or_default()),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    let erased = d
        .sections
        .first()
        .and_then(|s| s.rows.first())
        .is_some_and(|r| !r["efface_le"].is_null());
    if !erased {
        let mut s = Sect::new("effacer", tr.t("effacer-sur-demande").to_string());
        s.paras
            .push(tr.t("l-effacement-remplace-le-nom-le").to_string());
        s.forms.push(PageForm {
            action: format!("/contacts/{id}/effacer"),
            fields: vec![Field::new(
                tr,
                "checkbox",
                "confirm",
                tr.t("je-confirme-l-effacement-demande-par").to_string(),
                "",
            )],
            button: tr.t("effacer-ce-contact").to_string(),
            danger: true,
        });
        p.sections.push(s);
    }
    Ok(render(&p, tr)?.into_response())
}

async fn contact_data_json(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let d = relais_app::privacy::contact_data(&state.app, auth.actor(), id)
        .await
        .map_err(pe(auth.tr))?;
    Ok(json_download(&d, &format!("contact-{id}.json")))
}

async fn erase_contact(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    if f.get("confirm") != "1" {
        return Err(PageError::new(
            AppError::Domain(DomainError::invalid(
                "confirm_required",
                "confirm",
                "Cochez la case de confirmation pour effacer ce contact.",
            )),
            tr,
        ));
    }
    relais_app::privacy::erase_contact(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    Ok(Redirect::to(&format!("/contacts/{id}/donnees?ok=efface")).into_response())
}
