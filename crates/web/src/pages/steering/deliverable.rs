//! One deliverable (`/pilotage/livrables/{id}`): its facts and health, the
//! status change with a comment (required to postpone or abandon), the
//! comments, the links to what proves it and the history of every change.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::{history_table, path_id, pe, render, FormData, PageForm, Sect, SectionsPage};
use crate::view::{apply_errors, fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use relais_app::steering as uc;
use relais_app::AppError;
use relais_domain::steering::{DeliverableStatus, LinkKind};
use relais_domain::{CodeEnum, DomainError, Id};

/// Which form a refused post came from, with what was typed.
enum Refused {
    Status(FormData, DomainError),
    Comment(FormData, DomainError),
    Link(FormData, DomainError),
}

/// Where a proof leads: a Relais page for records, the address itself for
/// an http(s) document; nothing for anything else.
fn proof_href(kind: &str, target: &str) -> Option<String> {
    let id = Id::parse(target).map(|i| i.to_string());
    match (LinkKind::from_code(kind)?, id) {
        (LinkKind::Ticket, Some(i)) => Some(format!("/support/{i}")),
        (LinkKind::Incident, Some(i)) => Some(format!("/support/incidents/{i}")),
        (LinkKind::Training, Some(i)) => Some(format!("/formations/{i}")),
        (LinkKind::Campaign, Some(i)) => Some(format!("/campagnes/{i}")),
        (LinkKind::Publication, Some(i)) => Some(format!("/publications/{i}")),
        (LinkKind::Document, _)
            if target.starts_with("https://") || target.starts_with("http://") =>
        {
            Some(target.to_string())
        }
        _ => None,
    }
}

async fn build(
    state: &AppState,
    auth: &Auth,
    id: Id,
    refused: Option<Refused>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let d = uc::deliverable(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let r = &d.deliverable.row;
    let status = DeliverableStatus::from_code(&r.status).unwrap_or(DeliverableStatus::ALancer);
    let mut p = SectionsPage::new(
        Base::new(auth, format!("{} — {}", r.reference, r.title)),
        format!("{} — {}", r.reference, r.title),
    );
    p.subtitle = format!("{} — {}", r.unit_name, r.objective);
    p.actions.push(Link::new(
        format!("/pilotage/plan?unite={}", urlencoding::encode(&r.unit_code)),
        tr.t("pil-back-to-plan"),
    ));

    let mut facts = Sect::new("livrable", tr.t("pil-deliverable"));
    facts.facts = vec![
        (
            tr.t("pil-col-reference").into(),
            Cell::text(r.reference.clone()),
        ),
        (
            tr.t("pil-col-unit").into(),
            Cell::text(format!("{} — {}", r.unit_code, r.unit_name)),
        ),
        (
            tr.t("pil-col-objective").into(),
            Cell::text(r.objective.clone()),
        ),
        (tr.t("pil-col-owner").into(), Cell::opt(&r.owner_name)),
        (tr.t("pil-col-product").into(), Cell::opt(&r.product_code)),
        (
            tr.t("pil-col-start").into(),
            Cell::text(r.starts_on.as_deref().map(fr_date).unwrap_or("—".into())),
        ),
        (tr.t("pil-col-due").into(), Cell::text(fr_date(&r.due_on))),
        (tr.t("pil-col-status").into(), Cell::text(tr.label(status))),
        (
            tr.t("pil-col-progress").into(),
            Cell::text(format!("{} %", r.progress)),
        ),
        (
            tr.t("pil-col-weight").into(),
            Cell::text(r.weight.to_string()),
        ),
        (
            tr.t("pil-col-health").into(),
            Cell::text(tr.label(d.deliverable.health)),
        ),
        (
            tr.t("pil-col-delivered").into(),
            Cell::text(r.delivered_on.as_deref().map(fr_date).unwrap_or("—".into())),
        ),
    ];
    p.sections.push(facts);

    let (status_typed, status_err) = match &refused {
        Some(Refused::Status(f, e)) => (Some(f), Some(e)),
        _ => (None, None),
    };
    if d.can_edit {
        let mut s = Sect::new("statut", tr.t("pil-change-status"));
        s.paras.push(tr.t("pil-change-status-help").into());
        let mut fields = vec![
            Field::select(
                tr,
                "statut",
                tr.t("pil-new-status"),
                &status_typed
                    .map(|f| f.get("statut"))
                    .unwrap_or_else(|| r.status.clone()),
                DeliverableStatus::ALL
                    .iter()
                    .map(|s| (s.code().to_string(), tr.label(*s).to_string())),
                None,
            )
            .required(),
            Field::new(
                tr,
                "number",
                "avancement",
                tr.t("pil-progress-percent"),
                status_typed
                    .map(|f| f.get("avancement"))
                    .unwrap_or_else(|| r.progress.to_string()),
            ),
            Field::new(
                tr,
                "textarea",
                "commentaire",
                tr.t("pil-comment"),
                status_typed
                    .map(|f| f.get("commentaire"))
                    .unwrap_or_default(),
            ),
        ];
        if let Some(e) = status_err {
            p.errors = apply_errors(&mut fields, e);
        }
        s.forms.push(PageForm {
            action: format!("/pilotage/livrables/{id}/statut"),
            fields,
            button: tr.t("pil-change-status").into(),
            danger: false,
        });
        p.sections.push(s);
    }

    let mut comments = Sect::new("commentaires", tr.t("pil-comments"));
    let mut t = Table::new(
        tr,
        tr.t("pil-comments"),
        &[
            tr.t("pil-col-date"),
            tr.t("pil-col-author"),
            tr.t("pil-comment"),
        ],
    );
    for c in &d.comments {
        t.rows.push(vec![
            Cell::text(crate::kit::paris(&c.created_at)),
            Cell::opt(&c.author_name),
            Cell::text(c.body.clone()),
        ]);
    }
    comments.tables.push(t);
    if d.can_edit {
        // `note`, not `commentaire`: the status form above has that id.
        let mut fields = vec![Field::new(
            tr,
            "textarea",
            "note",
            tr.t("pil-comment"),
            match &refused {
                Some(Refused::Comment(f, _)) => f.get("note"),
                _ => String::new(),
            },
        )
        .required()];
        if let Some(Refused::Comment(_, e)) = &refused {
            p.errors = apply_errors(&mut fields, e);
        }
        comments.forms.push(PageForm {
            action: format!("/pilotage/livrables/{id}/commentaire"),
            fields,
            button: tr.t("pil-add-comment").into(),
            danger: false,
        });
    }
    p.sections.push(comments);

    let mut proofs = Sect::new("preuves", tr.t("pil-proofs"));
    let mut t = Table::new(
        tr,
        tr.t("pil-proofs"),
        &[
            tr.t("pil-col-kind"),
            tr.t("pil-col-proof"),
            tr.t("pil-col-date"),
        ],
    );
    for l in &d.links {
        let kind = LinkKind::from_code(&l.kind)
            .map(|k| tr.label(k).to_string())
            .unwrap_or_else(|| l.kind.clone());
        let cell = match proof_href(&l.kind, &l.target) {
            Some(h) => Cell::link(l.label.clone(), h),
            None => Cell::text(format!("{} ({})", l.label, l.target)),
        };
        t.rows.push(vec![
            Cell::text(kind),
            cell,
            Cell::text(crate::kit::paris(&l.created_at)),
        ]);
    }
    proofs.tables.push(t);
    if d.can_edit {
        let typed = match &refused {
            Some(Refused::Link(f, _)) => Some(f),
            _ => None,
        };
        let mut fields = vec![
            Field::select(
                tr,
                "type",
                tr.t("pil-col-kind"),
                &typed.map(|f| f.get("type")).unwrap_or_default(),
                LinkKind::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), tr.label(*k).to_string())),
                None,
            )
            .required(),
            Field::new(
                tr,
                "text",
                "cible",
                tr.t("pil-proof-target"),
                typed.map(|f| f.get("cible")).unwrap_or_default(),
            )
            .required()
            .hint(tr.t("pil-proof-target-hint")),
            Field::new(
                tr,
                "text",
                "libelle",
                tr.t("pil-proof-label"),
                typed.map(|f| f.get("libelle")).unwrap_or_default(),
            ),
        ];
        if let Some(Refused::Link(_, e)) = &refused {
            p.errors = apply_errors(&mut fields, e);
        }
        proofs.forms.push(PageForm {
            action: format!("/pilotage/livrables/{id}/preuve"),
            fields,
            button: tr.t("pil-add-proof").into(),
            danger: false,
        });
    }
    p.sections.push(proofs);

    let mut hist = Sect::new("historique", tr.t("history"));
    hist.tables.push(history_table(tr, d.history));
    p.sections.push(hist);

    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&p, tr)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    build(&state, &auth, id, None).await
}

/// After a post: back to the page's section, or the page again with the
/// refusal and what was typed (422).
async fn after(
    state: &AppState,
    auth: &Auth,
    id: Id,
    res: Result<(), AppError>,
    anchor: &str,
    refused: impl FnOnce(DomainError) -> Refused,
) -> Result<Response, PageError> {
    match res {
        Ok(()) => Ok(Redirect::to(&format!("/pilotage/livrables/{id}#{anchor}")).into_response()),
        Err(AppError::Domain(e @ DomainError::Invalid(_))) => {
            build(state, auth, id, Some(refused(e))).await
        }
        Err(AppError::Domain(e @ DomainError::Conflict(_))) => {
            build(state, auth, id, Some(refused(e))).await
        }
        Err(e) => Err(PageError::new(e, auth.tr)),
    }
}

pub async fn status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let progress = match f.opt("avancement") {
        None => Ok(None),
        Some(s) => s.trim().parse::<i64>().map(Some).map_err(|_| {
            AppError::from(DomainError::invalid(
                "out_of_range",
                "avancement",
                "Un nombre entier de 0 à 100 est attendu.",
            ))
        }),
    };
    let res = match progress {
        Ok(p) => uc::change_status(
            &state.app,
            auth.actor(),
            id,
            &f.get("statut"),
            p,
            &f.get("commentaire"),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&state, &auth, id, res, "s-historique", |e| {
        Refused::Status(f, e)
    })
    .await
}

pub async fn comment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let res = uc::comment(&state.app, auth.actor(), id, &f.get("note")).await;
    after(&state, &auth, id, res, "s-commentaires", |e| {
        Refused::Comment(f, e)
    })
    .await
}

pub async fn link(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let res = uc::link(
        &state.app,
        auth.actor(),
        id,
        &f.get("type"),
        &f.get("cible"),
        &f.get("libelle"),
    )
    .await;
    after(&state, &auth, id, res, "s-preuves", |e| Refused::Link(f, e)).await
}
