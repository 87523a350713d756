//! The member space (/espace): interests, surveys to answer, what the agency does for the institution.

use crate::auth::Auth;
use crate::error::PageError;
use crate::kit::relation::{context_of, incidents_table};
use crate::kit::{fr, path_id, pe, render, FormData, PageForm, Sect, SectionsPage};
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
    let en = tr.en();
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
        &relais_store::community::PublicationFilter {
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
        Base::new(&auth, fr(tr, "Mon espace adhérent", "My member space")),
        fr(tr, "Mon espace adhérent", "My member space"),
    );
    p.subtitle = format!(
        "{} — {}",
        auth.session.user.display_name, v.institution.name
    );
    p.actions = vec![
        Link::new(
            format!("/etablissements/{inst}"),
            fr(tr, "Mon établissement", "My institution"),
        ),
        Link::new(
            "/espace/donnees",
            fr(tr, "Mes données personnelles", "My personal data"),
        ),
        Link::new("/compte", fr(tr, "Mon compte", "My account")),
    ];
    // Surveys waiting.
    let mut s = Sect::new(
        "enquetes",
        fr(
            tr,
            "Enquêtes en attente de votre réponse",
            "Surveys waiting for your answer",
        ),
    );
    if pending.is_empty() {
        s.paras
            .push(fr(tr, "Aucune enquête en attente.", "No survey waiting."));
    }
    for i in &pending {
        s.forms.push(PageForm {
            action: format!("/espace/enquetes/{}", i.id),
            fields: vec![],
            button: format!("{} : {}", fr(tr, "Répondre", "Answer"), context_of(tr, i)),
            danger: false,
        });
    }
    p.sections.push(s);
    // Products and versions.
    let mut s = Sect::new(
        "produits",
        fr(tr, "Nos produits et versions", "Our products and versions"),
    );
    let mut t = Table::new(
        tr,
        fr(tr, "Produits déployés", "Products deployed"),
        &[
            if en { "Product" } else { "Produit" },
            "Version",
            if en { "Status" } else { "Statut" },
        ],
    );
    for d in &v.deployments {
        t.rows.push(vec![
            Cell::text(d.product_name.clone()),
            Cell::opt(&d.version),
            Cell::text(
                relais_domain::crm::DeploymentStatus::from_code(&d.status)
                    .map(|x| x.label(en).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    // Tickets with live deadlines.
    let mut s = Sect::new("tickets", fr(tr, "Nos tickets ouverts", "Our open tickets"));
    let now = state.app.now_ts();
    let mut t = Table::new(
        tr,
        format!(
            "{} {}",
            support.open.len(),
            fr(tr, "ticket(s) ouvert(s)", "open ticket(s)")
        ),
        &[
            if en { "Reference" } else { "Référence" },
            if en { "Subject" } else { "Objet" },
            if en { "Product" } else { "Produit" },
            if en {
                "Resolution due"
            } else {
                "Résolution attendue"
            },
        ],
    );
    for tk in &support.open {
        let due = match &tk.resolution_due_at {
            Some(d) if d.as_str() < now.as_str() => {
                format!("{} ({})", fr_date(d), fr(tr, "dépassé", "missed"))
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
    s.links.push(Link::new(
        "/support",
        fr(tr, "Tous nos tickets", "All our tickets"),
    ));
    p.sections.push(s);
    // Incidents.
    let mut s = Sect::new(
        "incidents",
        fr(
            tr,
            "Incidents sur nos produits",
            "Incidents on our products",
        ),
    );
    s.tables.push(incidents_table(tr, &incidents));
    p.sections.push(s);
    // Trainings.
    let mut s = Sect::new("formations", fr(tr, "Mes formations", "My training"));
    let mut t = Table::new(
        tr,
        fr(tr, "Mes inscriptions", "My registrations"),
        &[
            if en { "Training" } else { "Formation" },
            "Dates",
            if en { "Status" } else { "Statut" },
        ],
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
                Some(n) => format!("{} ({n})", fr(tr, "liste d'attente", "waiting list")),
                None => relais_domain::training::RegistrationStatus::from_code(&r.status)
                    .map(|x| x.label(en).to_string())
                    .unwrap_or_else(|| r.status.clone()),
            }),
        ]);
    }
    s.tables.push(t);
    s.links.push(Link::new(
        "/formations/mes-inscriptions",
        fr(tr, "Mon espace formation", "My training space"),
    ));
    s.links.push(Link::new(
        "/communautes",
        fr(tr, "Événements des communautés", "Community events"),
    ));
    if matches!(actor.role, Role::MemberAdmin) {
        s.links.push(Link::new(
            format!("/formations/releves?etablissement={inst}"),
            fr(
                tr,
                "Relevé de formation de l'établissement",
                "Institution training statement",
            ),
        ));
    }
    p.sections.push(s);
    // Publications.
    let mut s = Sect::new(
        "publications",
        fr(
            tr,
            "Publications pour mes domaines",
            "Publications for my domains",
        ),
    );
    for pb in &pubs {
        s.links.push(Link::new(
            format!("/publications/{}", pb.id),
            format!("{} — {}", fr_date(&pb.published_on), pb.title),
        ));
    }
    if pubs.is_empty() {
        s.paras
            .push(fr(tr, "Aucune publication.", "No publication."));
    }
    p.sections.push(s);
    // Interests.
    let mut s = Sect::new(
        "interets",
        fr(
            tr,
            "Mes domaines d'intérêt et abonnements",
            "My interests and subscriptions",
        ),
    );
    s.forms.push(PageForm {
        action: "/espace/interets".into(),
        fields: vec![Field::checkboxes(
            tr,
            "domains",
            fr(
                tr,
                "Domaines qui m'intéressent",
                "Domains I am interested in",
            ),
            &interests,
            domains.into_iter().map(|d| (d.code, d.name)),
        )],
        button: fr(tr, "Enregistrer mes domaines", "Save my domains"),
        danger: false,
    });
    s.links.push(Link::new(
        "/communautes/listes",
        fr(tr, "Listes de diffusion", "Mailing lists"),
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
