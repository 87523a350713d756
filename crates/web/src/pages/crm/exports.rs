//! CSV exports of institutions and contacts (agency roles), and the import
//! page (administrators and key-account managers).
//!
//! The import page takes the file's content in a text area (a spreadsheet's
//! cells can be pasted there too: tab-separated text is read as well), or
//! the raw file as a `text/csv` body (`POST /import?type=contacts` with the
//! `X-CSRF-Token` header). A real file upload needs axum's `multipart`
//! feature, which this build does not enable.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{pe, render, FormData};
use crate::view::{Base, Cell, Link, Table};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use relais_app::csv_io::{self, ImportReport, CONTACT_COLUMNS, INSTITUTION_COLUMNS};
use relais_domain::DomainError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/export/etablissements.csv", get(export_institutions))
        .route("/export/contacts.csv", get(export_contacts))
        .route("/import", get(import_form).post(import))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Institutions,
    Contacts,
}

impl Kind {
    fn parse(raw: Option<&str>) -> Option<Kind> {
        match raw.map(|r| relais_domain::fold(r.trim())).as_deref() {
            Some("etablissements") => Some(Kind::Institutions),
            Some("contacts") => Some(Kind::Contacts),
            _ => None,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Kind::Institutions => "etablissements",
            Kind::Contacts => "contacts",
        }
    }
}

/// Exports are for agency staff; to anyone else the address does not exist.
async fn csv_download(state: &AppState, auth: &Auth, kind: Kind) -> Result<Response, PageError> {
    let tr = auth.tr;
    if !auth.actor().role.is_agency() {
        return Err(PageError::new(DomainError::NotFound, tr));
    }
    let mut buf = Vec::new();
    match kind {
        Kind::Institutions => csv_io::export_institutions(&state.app, auth.actor(), &mut buf).await,
        Kind::Contacts => csv_io::export_contacts(&state.app, auth.actor(), &mut buf).await,
    }
    .map_err(pe(tr))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", kind.code()),
            ),
        ],
        buf,
    )
        .into_response())
}

async fn export_institutions(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Response, PageError> {
    csv_download(&state, &auth, Kind::Institutions).await
}

async fn export_contacts(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    csv_download(&state, &auth, Kind::Contacts).await
}

pub struct KindOption {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub base: Base,
    pub h1: String,
    pub intro: String,
    /// The outcome of the last submission, if any.
    pub summary: Option<String>,
    pub ok: bool,
    /// The refused lines.
    pub report: Option<Table>,
    pub kind_legend: String,
    pub kinds: Vec<KindOption>,
    pub data_label: String,
    pub data_hint: String,
    pub data: String,
    pub submit: String,
    pub columns_title: String,
    /// `(what, columns)` for each kind of file.
    pub columns: Vec<(String, String)>,
    pub downloads: Vec<Link>,
}

/// Who may open the page: members are told nothing exists here; agency
/// staff without key-account rights are refused.
fn may_import(auth: &Auth) -> Result<(), PageError> {
    if !auth.actor().role.is_agency() {
        return Err(PageError::new(DomainError::NotFound, auth.tr));
    }
    if !auth.actor().can_manage_crm() {
        return Err(PageError::new(DomainError::Forbidden, auth.tr));
    }
    Ok(())
}

fn page(
    auth: &Auth,
    kind: Option<Kind>,
    data: String,
    outcome: Option<&ImportReport>,
) -> ImportPage {
    let tr = auth.tr;
    let title = tr.t("import-depuis-un-fichier-csv");
    let (summary, ok, report) = match outcome {
        None => (None, false, None),
        Some(r) if r.is_ok() => (Some(r.summary_fr()), true, None),
        Some(r) => {
            let mut t = Table::new(
                tr,
                tr.t("lignes-refusees"),
                &[tr.t("ligne"), tr.t("colonne"), tr.t("probleme")],
            );
            for e in &r.errors {
                t.rows.push(vec![
                    Cell::text(e.line.to_string()),
                    Cell::text(if e.field.is_empty() {
                        "—".to_string()
                    } else {
                        e.field.clone()
                    }),
                    Cell::text(e.message.clone()),
                ]);
            }
            (Some(r.summary_fr()), false, Some(t))
        }
    };
    let kind = kind.unwrap_or(Kind::Institutions);
    ImportPage {
        base: Base::new(auth, title),
        h1: title.into(),
        intro: tr.t("collez-le-contenu-d-un-fichier").into(),
        summary,
        ok,
        report,
        kind_legend: tr.t("le-fichier-contient").into(),
        kinds: vec![
            KindOption {
                value: "etablissements",
                label: tr.t("des-etablissements"),
                checked: kind == Kind::Institutions,
            },
            KindOption {
                value: "contacts",
                label: tr.t("des-contacts"),
                checked: kind == Kind::Contacts,
            },
        ],
        data_label: tr.t("contenu-du-fichier-csv").into(),
        data_hint: tr.t("la-premiere-ligne-nomme-les-colonnes").into(),
        data,
        submit: tr.t("verifier-et-importer").into(),
        columns_title: tr.t("colonnes-attendues").into(),
        columns: vec![
            (
                tr.t("etablissements-nom-et-type-obligatoires").into(),
                INSTITUTION_COLUMNS.join(" ; "),
            ),
            (
                tr.t("contacts-prenom-nom-et-le-code").into(),
                CONTACT_COLUMNS.join(" ; "),
            ),
        ],
        downloads: vec![
            Link::new(
                "/export/etablissements.csv",
                tr.t("etablissements-actuels-csv"),
            ),
            Link::new("/export/contacts.csv", tr.t("contacts-actuels-csv")),
        ],
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ImportQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

async fn import_form(auth: Auth, Query(q): Query<ImportQuery>) -> Result<Response, PageError> {
    may_import(&auth)?;
    let p = page(&auth, Kind::parse(q.kind.as_deref()), String::new(), None);
    Ok(render(&p, auth.tr)?.into_response())
}

/// A refusal on `field`, its text the catalogue message `key`.
fn invalid(field: &'static str, key: &str, tr: Tr) -> PageError {
    PageError::new(DomainError::invalid("invalid", field, tr.t(key)), tr)
}

async fn import(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ImportQuery>,
    req: Request,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    may_import(&auth)?;
    let raw_csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv") || v.starts_with("text/plain"));
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (kind, data) = if multipart {
        // A file chosen in the upload form; the CSRF token travels in the
        // action's query string, checked by the middleware before this.
        let mut mp = axum::extract::Multipart::from_request(req, &state)
            .await
            .map_err(|_| invalid("fichier", "import-unreadable-upload", tr))?;
        let mut kind = q.kind.clone();
        let mut data = Vec::new();
        while let Ok(Some(field)) = mp.next_field().await {
            match field.name() {
                Some("type") => kind = field.text().await.ok().filter(|t| !t.is_empty()).or(kind),
                Some("fichier") => {
                    data = field
                        .bytes()
                        .await
                        .map_err(|_| invalid("fichier", "import-unreadable-file", tr))?
                        .to_vec()
                }
                _ => {}
            }
        }
        (kind, data)
    } else if raw_csv {
        // The router's body limit applies before this point.
        let bytes = axum::body::to_bytes(req.into_body(), usize::MAX)
            .await
            .map_err(|_| invalid("csv", "import-unreadable-file", tr))?;
        (q.kind.clone(), bytes.to_vec())
    } else {
        let Form(f) = Form::<FormData>::from_request(req, &state)
            .await
            .map_err(|_| invalid("csv", "import-unreadable-form", tr))?;
        (f.opt("type").or(q.kind.clone()), f.get("csv").into_bytes())
    };
    let Some(kind) = Kind::parse(kind.as_deref()) else {
        return Err(invalid("type", "import-kind-missing", tr));
    };
    let text = String::from_utf8_lossy(&data).into_owned();
    if text.trim().is_empty() {
        let mut p = page(&auth, Some(kind), String::new(), None);
        p.summary = Some(tr.t("le-fichier-est-vide").into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response());
    }
    let no_progress = |_: usize, _: usize| {};
    let report = match kind {
        Kind::Institutions => {
            csv_io::import_institutions(&state.app, auth.actor(), &data, &no_progress).await
        }
        Kind::Contacts => {
            csv_io::import_contacts(&state.app, auth.actor(), &data, &no_progress).await
        }
    }
    .map_err(pe(tr))?;
    if report.is_ok() {
        let p = page(&auth, Some(kind), String::new(), Some(&report));
        Ok(render(&p, tr)?.into_response())
    } else {
        // The content stays in the text area, to be corrected in place.
        let p = page(&auth, Some(kind), text, Some(&report));
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p, tr)?).into_response())
    }
}
