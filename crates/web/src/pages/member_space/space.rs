//! The member space (/espace): interests, surveys to answer, what the agency does for the institution.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::relation::{context_of, incidents_table};
use crate::kit::{path_id, pe, render, FormData, PageForm, Sect, SectionsPage};
use crate::view::{fr_date, Base, Cell, Field, Link, Table};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use relais_app::relation as uc;
use relais_domain::accounts::Role;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/espace", get(space))
        .route("/espace/interets", post(set_interests))
        .route("/espace/enquetes/{id}", post(open_my_survey))
}

async fn space(State(state): State<AppState>, auth: Auth) -> Result<Response, PageError> {
    let tr = auth.tr;
    let actor = auth.actor().clone();
    let app = &state.app;
    let Some(inst) = actor.institution_id else {
        return Ok(Redirect::to("/relation").into_response());
    };
    let v = relais_app::crm::institution_view(app, &actor, inst)
        .await
        .map_err(pe(tr))?;
    let support = relais_app::sla_admin::institution_support_record(app, &actor, inst)
        .await
        .map_err(pe(tr))?;
    let incidents = uc::institution_incidents(app, &actor, inst)
        .await
        .map_err(pe(tr))?;
    let regs = relais_app::training::my_registrations(app, &actor)
        .await
        .map_err(pe(tr))?;
    let pending = uc::pending_for(app, &actor).await.map_err(pe(tr))?;
    let interests = relais_app::community::interests(app, &actor)
        .await
        .map_err(pe(tr))?;
    let pubs = relais_app::community::list_publications(
        app,
        &actor,
        &relais_app::community::PublicationFilter {
            domains: interests.clone(),
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .map_err(pe(tr))?
    .0;
    let domains = relais_app::crm::list_domains(app).await.map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(&auth, tr.t("mon-espace-adherent").to_string()),
        tr.t("mon-espace-adherent").to_string(),
    );
    p.subtitle = format!(
        "{} — {}",
        auth.session.user.display_name, v.institution.name
    );
    p.actions = vec![
        Link::new(
            format!("/etablissements/{inst}"),
            tr.t("nav-my-institution").to_string(),
        ),
        Link::new(
            "/espace/donnees",
            tr.t("mes-donnees-personnelles").to_string(),
        ),
        Link::new("/compte", tr.t("nav-account").to_string()),
    ];
    // Surveys waiting.
    let mut s = Sect::new(
        "enquetes",
        tr.t("enquetes-en-attente-de-votre-reponse").to_string(),
    );
    if pending.is_empty() {
        s.paras.push(tr.t("aucune-enquete-en-attente").to_string());
    }
    for i in &pending {
        s.forms.push(PageForm {
            action: format!("/espace/enquetes/{}", i.id),
            fields: vec![],
            button: format!("{} : {}", tr.t("repondre"), context_of(tr, i)),
            danger: false,
        });
    }
    p.sections.push(s);
    // Products and versions.
    let mut s = Sect::new("produits", tr.t("nos-produits-et-versions").to_string());
    let mut t = Table::new(
        tr,
        tr.t("produits-deployes").to_string(),
        &[tr.t("produit"), "Version", tr.t("statut")],
    );
    for d in &v.deployments {
        t.rows.push(vec![
            Cell::text(d.product_name.clone()),
            Cell::raw(&d.version),
            Cell::text(
                relais_domain::crm::DeploymentStatus::from_code(&d.status)
                    .map(|x| tr.label(x).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    // Tickets with live deadlines.
    let mut s = Sect::new("tickets", tr.t("nos-tickets-ouverts").to_string());
    let now = state.app.now_ts();
    let mut t = Table::new(
        tr,
        format!("{} {}", support.open.len(), tr.t("ticket-s-ouvert-s")),
        &[
            tr.t("reference"),
            tr.t("objet"),
            tr.t("produit"),
            tr.t("resolution-attendue"),
        ],
    );
    for tk in &support.open {
        let due = match &tk.resolution_due_at {
            Some(d) if d.as_str() < now.as_str() => {
                format!("{} ({})", fr_date(d), tr.t("depasse"))
            }
            Some(d) => fr_date(d),
            None => "—".into(),
        };
        t.rows.push(vec![
            Cell::link(tk.reference.clone(), format!("/support/{}", tk.id)),
            Cell::text(tk.subject.clone()),
            Cell::text(tk.product_name.clone()),
            Cell::text(due),
        ]);
    }
    s.tables.push(t);
    s.links
        .push(Link::new("/support", tr.t("tous-nos-tickets").to_string()));
    p.sections.push(s);
    // Incidents.
    let mut s = Sect::new("incidents", tr.t("incidents-sur-nos-produits").to_string());
    s.tables.push(incidents_table(tr, &incidents));
    p.sections.push(s);
    // Trainings.
    let mut s = Sect::new("formations", tr.t("mes-formations").to_string());
    let mut t = Table::new(
        tr,
        tr.t("mes-inscriptions").to_string(),
        &[tr.t("touchpoint-formation"), "Dates", tr.t("statut")],
    );
    for (r, pos) in regs.iter().take(20) {
        t.rows.push(vec![
            Cell::link(
                r.training_title.clone(),
                format!("/formations/sessions/{}", r.session_id),
            ),
            Cell::text(format!(
                "{} – {}",
                fr_date(&r.starts_on),
                fr_date(&r.ends_on)
            )),
            Cell::text(match pos {
                Some(n) => format!("{} ({n})", tr.t("liste-d-attente")),
                None => relais_domain::training::RegistrationStatus::from_code(&r.status)
                    .map(|x| tr.label(x).to_string())
                    .unwrap_or_else(|| r.status.clone()),
            }),
        ]);
    }
    s.tables.push(t);
    s.links.push(Link::new(
        "/formations/mes-inscriptions",
        tr.t("mon-espace-formation-2").to_string(),
    ));
    s.links.push(Link::new(
        "/communautes",
        tr.t("evenements-des-communautes").to_string(),
    ));
    if matches!(actor.role, Role::MemberAdmin) {
        s.links.push(Link::new(
            format!("/formations/releves?etablissement={inst}"),
            tr.t("releve-de-formation-de-l-etablissement").to_string(),
        ));
    }
    p.sections.push(s);
    // Publications.
    let mut s = Sect::new(
        "publications",
        tr.t("publications-pour-mes-domaines").to_string(),
    );
    for pb in &pubs {
        s.links.push(Link::new(
            format!("/publications/{}", pb.id),
            format!("{} — {}", fr_date(&pb.published_on), pb.title),
        ));
    }
    if pubs.is_empty() {
        s.paras.push(tr.t("aucune-publication").to_string());
    }
    p.sections.push(s);
    // Interests.
    let mut s = Sect::new(
        "interets",
        tr.t("mes-domaines-d-interet-et-abonnements").to_string(),
    );
    s.forms.push(PageForm {
        action: "/espace/interets".into(),
        fields: vec![Field::checkboxes(
            tr,
            "domains",
            tr.t("domaines-qui-m-interessent").to_string(),
            &interests,
            domains.into_iter().map(|d| (d.code, d.name)),
        )],
        button: tr.t("enregistrer-mes-domaines").to_string(),
        danger: false,
    });
    s.links.push(Link::new(
        "/communautes/listes",
        tr.t("listes-de-diffusion").to_string(),
    ));
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}

async fn set_interests(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<FormData>,
) -> Result<Response, PageError> {
    let domains: Vec<String> =
        f.0.iter()
            .filter(|(k, _)| k == "domains")
            .map(|(_, v)| v.clone())
            .collect();
    uc::set_my_interests(&state.app, auth.actor(), &domains)
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to("/espace?ok=interets").into_response())
}

async fn open_my_survey(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, auth.tr)?;
    let token = uc::link_for_me(&state.app, auth.actor(), id)
        .await
        .map_err(pe(auth.tr))?;
    Ok(Redirect::to(&format!("/enquete/{token}")).into_response())
}
