//! The questions the search could not answer (/connaissances/manques):
//! the most frequent queries of the last 90 days that found nothing or
//! only approximate answers, anonymised when logged, each with a button to
//! write the missing article. Agency staff only.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{pe, render, Sect, SectionsPage};
use crate::view::{Base, Cell, Table};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/connaissances/manques", get(page))
}

async fn page(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let rows = relais_app::vocabulary::top_misses(&state.app, auth.actor(), 90, 100)
        .await
        .map_err(pe(tr))?;
    let title = tr.t("manques-titre").to_string();
    let mut p = SectionsPage::new(Base::new(&auth, title.clone()), title);
    p.subtitle = tr.t("manques-intro").to_string();
    let mut s = Sect::new("requetes", tr.t("manques-requetes").to_string());
    let mut t = Table::new(
        tr,
        tr.t("manques-requetes").to_string(),
        &[
            tr.t("manques-requete"),
            tr.t("manques-resultat"),
            tr.t("manques-fois"),
            tr.t("manques-dernier-jour"),
            tr.t("manques-action"),
        ],
    );
    for r in &rows {
        t.rows.push(vec![
            Cell::text(r.query.clone()),
            Cell::text(if r.outcome == "aucun" {
                tr.t("manques-aucun").to_string()
            } else {
                tr.t("manques-approche").to_string()
            }),
            Cell::text(r.times.to_string()),
            Cell::text(crate::view::fr_date(&r.last_day)),
            Cell::link(
                tr.t("manques-rediger").to_string(),
                format!(
                    "/connaissances/nouveau?titre={}",
                    urlencoding::encode(&r.query)
                ),
            ),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}
