//! The sections of an institution's 360° page (`/etablissements/{id}`)
//! that other contexts feed: training, member relations (health, charts,
//! survey answers, recalls) and complaints. They live here so that the
//! institution page (crm) does not import the training or relations pages.

use crate::auth::Auth;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::relation::{incidents_table, kind_label, recalls_table, score_text};
use crate::kit::{bar_chart, pe, Sect};
use crate::view::{fr_date, Cell, Link, Table};
use crate::AppState;
use relais_domain::engagement::{ComplaintStatus, Touchpoint};
use relais_domain::relation::fr_num;
use relais_domain::training::{euros, RegistrationStatus};
use relais_domain::Id;

/// A training attendance mark in words.
pub fn attended_text(a: Option<i64>, tr: Tr) -> String {
    match a {
        Some(1) => tr.t("attendance-present").to_string(),
        Some(_) => tr.t("attendance-absent").to_string(),
        None => "—".into(),
    }
}

/// A complaint's touchpoint (irritant) label.
pub fn touchpoint_label(code: &str, tr: Tr) -> String {
    crate::label!(Touchpoint, code, tr)
}

/// A complaint's status label.
pub fn complaint_status_label(code: &str, tr: Tr) -> String {
    crate::label!(ComplaintStatus, code, tr)
}

/// The training part of the institution's 360° page: counts, the year's
/// amount (agency and referent only) with a link to the statement, the
/// registrations of the last and next twelve months, community events.
pub fn training_section(
    tr: Tr,
    institution: Id,
    r: &relais_app::training::InstitutionTraining,
) -> (Vec<(String, Cell)>, Table, Table) {
    let mut facts = vec![
        (
            tr.t("inscriptions-confirmees").to_string(),
            Cell::text(r.confirmed.to_string()),
        ),
        (
            tr.t("en-liste-d-attente").to_string(),
            Cell::text(r.waiting.to_string()),
        ),
        (
            tr.t("presences-absences").to_string(),
            Cell::text(format!("{} / {}", r.attended, r.absent)),
        ),
    ];
    if r.shows_money {
        facts.push((
            tr.t_args(
                "du-pour-les-formations-from",
                &[("from", r.from[..4].to_string().into())],
            ),
            Cell::link(
                euros(r.owed_cents),
                format!(
                    "/formations/releves?etablissement={institution}&du={}&au={}",
                    r.from, r.to
                ),
            ),
        ));
    }
    let mut regs = Table::new(
        tr,
        tr.t("inscriptions-aux-formations-douze-mois-passes")
            .to_string(),
        &[
            tr.t("stagiaire"),
            tr.t("touchpoint-formation"),
            "Dates",
            tr.t("statut"),
            tr.t("presence"),
        ],
    );
    for x in r.registrations.iter().rev().take(30) {
        regs.rows.push(vec![
            Cell::text(x.user_name.clone()),
            Cell::link(
                x.training_title.clone(),
                format!("/formations/sessions/{}", x.session_id),
            ),
            Cell::text(fr_date(&x.starts_on)),
            Cell::text(crate::label!(RegistrationStatus, &x.status, tr)),
            Cell::text(attended_text(x.attended, tr)),
        ]);
    }
    let mut events = Table::new(
        tr,
        tr.t("evenements-des-communautes").to_string(),
        &[
            tr.t("evenement"),
            "Date",
            tr.t("inscrits"),
            tr.t("presents"),
        ],
    );
    for (id, title, kind, at, n, present) in &r.events {
        let k = crate::label!(relais_domain::community::EventKind, kind, tr);
        events.rows.push(vec![
            Cell::link(format!("{k} : {title}"), format!("/communautes/{id}")),
            Cell::text(fr_date(at)),
            Cell::text(n.to_string()),
            Cell::text(present.to_string()),
        ]);
    }
    (facts, regs, events)
}

/// The relation part of the 360° page: health, charts (each with its
/// table), survey answers and recalls.
pub async fn relation_sections(
    state: &AppState,
    auth: &Auth,
    id: Id,
) -> Result<(Vec<Sect>, Vec<relais_app::crm::TimelineEntry>), PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let app = &state.app;
    let health = relais_app::relation::health_view(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let monthly = relais_app::relation::monthly(app, actor, id, 24)
        .await
        .map_err(pe(tr))?;
    let answers = relais_app::relation::institution_answers(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let recalls = relais_app::relation::institution_recalls(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let incidents = relais_app::relation::institution_incidents(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let mut out = Vec::new();
    let mut s = Sect::new(
        "incidents-produits",
        tr.t("incidents-sur-ses-produits").to_string(),
    );
    s.tables.push(incidents_table(tr, &incidents));
    out.push(s);
    let mut s = Sect::new("relation", tr.t("relation-et-satisfaction").to_string());
    s.facts = vec![(
        tr.t("indice-de-sante").to_string(),
        Cell::link(
            format!(
                "{} / 100{}",
                health.health.score,
                health
                    .previous
                    .as_ref()
                    .map(|(_, p)| format!(" ({} {p})", tr.t("avant")))
                    .unwrap_or_default()
            ),
            format!("/etablissements/{id}/sante"),
        ),
    )];
    s.links = vec![Link::new(
        format!("/etablissements/{id}/fiche"),
        tr.t("fiche-de-synthese-imprimable").to_string(),
    )];
    out.push(s);
    // Satisfaction per month.
    let mut s = Sect::new("satisfaction", tr.t("satisfaction-par-mois").to_string());
    let title = tr.t("satisfaction-moyenne-par-mois-sur-5").to_string();
    let pts: Vec<(String, f64)> = monthly
        .satisfaction
        .iter()
        .map(|(m, sum, n)| (m.clone(), *sum as f64 / (*n).max(1) as f64))
        .collect();
    s.chart = Some(bar_chart(&title, &pts, 5.0, None));
    let mut t = Table::new(
        tr,
        title,
        &[tr.t("mois"), tr.t("moyenne"), tr.t("reponses")],
    );
    for ((m, v), (_, _, n)) in pts.iter().zip(&monthly.satisfaction).rev() {
        t.rows.push(vec![
            Cell::text(m.clone()),
            Cell::text(fr_num(*v)),
            Cell::text(n.to_string()),
        ]);
    }
    s.tables.push(t);
    out.push(s);
    // Tickets per month and service-level compliance.
    let mut s = Sect::new("tickets-mois", tr.t("tickets-par-mois").to_string());
    let title = tr.t("tickets-deposes-par-mois").to_string();
    let pts: Vec<(String, f64)> = monthly
        .tickets
        .iter()
        .map(|(m, n, _, _)| (m.clone(), *n as f64))
        .collect();
    let max = pts.iter().map(|p| p.1).fold(1.0, f64::max);
    s.chart = Some(bar_chart(&title, &pts, max, None));
    let mut t = Table::new(
        tr,
        tr.t("tickets-et-respect-des-delais-de").to_string(),
        &[
            tr.t("mois"),
            tr.t("deposes"),
            tr.t("delai-mesure"),
            tr.t("delai-tenu"),
            tr.t("respect"),
        ],
    );
    for (m, n, measured, met) in monthly.tickets.iter().rev() {
        t.rows.push(vec![
            Cell::text(m.clone()),
            Cell::text(n.to_string()),
            Cell::text(measured.to_string()),
            Cell::text(met.to_string()),
            Cell::text(
                relais_app::sla_admin::share(*met, *measured)
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ]);
    }
    s.tables.push(t);
    out.push(s);
    let mut s = Sect::new(
        "engagements",
        tr.t("respect-des-engagements-de-service").to_string(),
    );
    let title = tr.t("part-des-tickets-resolus-dans-le").to_string();
    let pts: Vec<(String, f64)> = monthly
        .tickets
        .iter()
        .filter(|(_, _, measured, _)| *measured > 0)
        .map(|(m, _, measured, met)| (m.clone(), *met as f64 * 100.0 / *measured as f64))
        .collect();
    s.chart = Some(bar_chart(&title, &pts, 100.0, None));
    s.paras
        .push(tr.t("les-donnees-de-ce-graphique-sont").to_string());
    out.push(s);
    // Answers and recalls.
    let mut s = Sect::new("enquetes", tr.t("reponses-aux-enquetes").to_string());
    let mut t = Table::new(
        tr,
        tr.t("dernieres-reponses").to_string(),
        &[
            "Date",
            tr.t("enquete"),
            tr.t("contexte"),
            tr.t("note"),
            tr.t("commentaire"),
        ],
    );
    for a in answers.iter().take(20) {
        t.rows.push(vec![
            Cell::text(fr_date(&a.answered_at)),
            Cell::text(kind_label(tr, &a.kind)),
            Cell::text(
                a.ticket_ref
                    .clone()
                    .or(a.training_title.clone())
                    .or(a.campaign_title.clone())
                    .unwrap_or_default(),
            ),
            Cell::text(score_text(a.score, a.nps)),
            // Comments are the agency's reading: members of the institution
            // see the scores, not what their colleagues wrote.
            Cell::text(if actor.role.is_agency() {
                a.comment.clone().unwrap_or_default()
            } else {
                "—".into()
            }),
        ]);
    }
    s.tables.push(t);
    if actor.role.is_agency() {
        s.tables.push(recalls_table(
            tr,
            tr.t("rappels").to_string(),
            &recalls,
            &relais_store::date(relais_app::training::today(&state.app)),
        ));
    }
    out.push(s);
    let mut timeline = Vec::new();
    for a in answers.iter().take(50) {
        timeline.push(relais_app::crm::TimelineEntry {
            date: a.answered_at[..10].to_string(),
            source: "enquete".into(),
            title: format!(
                "{} : {}",
                kind_label(tr, &a.kind),
                score_text(a.score, a.nps)
            ),
            detail: a.comment.clone().filter(|_| actor.role.is_agency()),
            link: None,
        });
    }
    for r in &recalls {
        timeline.push(relais_app::crm::TimelineEntry {
            date: r.created_at[..10].to_string(),
            source: "rappel".into(),
            // The timeline's badge already says « Rappel ».
            title: score_text(r.score, r.nps),
            detail: r.outcome.clone(),
            link: Some(format!("/relation/rappels/{}", r.id)),
        });
    }
    Ok((out, timeline))
}

/// The complaints section of an institution's 360° page: the open count,
/// links to the list and to file one, and the last five.
pub async fn complaints_section(
    state: &AppState,
    auth: &Auth,
    institution: Id,
) -> Result<
    (
        Vec<(String, Cell)>,
        Table,
        Vec<relais_app::crm::TimelineEntry>,
    ),
    PageError,
> {
    let tr = auth.tr;
    let (open, last) =
        relais_app::engagement::institution_complaints(&state.app, auth.actor(), institution)
            .await
            .map_err(pe(tr))?;
    let facts = vec![
        (
            tr.t("reclamations-ouvertes").to_string(),
            Cell::link(
                open.to_string(),
                format!("/reclamations?institution={institution}&status=ouvertes"),
            ),
        ),
        (
            tr.t("nouvelle-reclamation").to_string(),
            if auth.actor().role.is_agency() {
                Cell::link(
                    tr.t("enregistrer-une-reclamation").to_string(),
                    format!("/reclamations/nouvelle?institution={institution}"),
                )
            } else {
                Cell::link(
                    tr.t("deposer-une-reclamation").to_string(),
                    "/reclamations/nouvelle",
                )
            },
        ),
    ];
    let mut table = Table::new(
        tr,
        tr.t("dernieres-reclamations").to_string(),
        &[
            tr.t("reclamation"),
            tr.t("deposee-le-2"),
            tr.t("irritant"),
            tr.t("statut"),
        ],
    );
    let mut timeline = Vec::new();
    for k in last {
        timeline.push(relais_app::crm::TimelineEntry {
            date: k.created_at[..10].to_string(),
            source: "reclamation".into(),
            title: k.title.clone(),
            detail: Some(touchpoint_label(&k.touchpoint, tr)),
            link: Some(format!("/reclamations/{}", k.id)),
        });
        table.rows.push(vec![
            Cell::link(k.title.clone(), format!("/reclamations/{}", k.id)),
            Cell::text(fr_date(&k.created_at)),
            Cell::text(touchpoint_label(&k.touchpoint, tr)),
            Cell::text(complaint_status_label(&k.status, tr)),
        ]);
    }
    Ok((facts, table, timeline))
}
