//! An institution's health (/etablissements/{id}/sante) and printable briefing (/etablissements/{id}/fiche).

use super::*;

fn health_sections(tr: Tr, v: &uc::HealthView) -> Vec<Sect> {
    let mut out = Vec::new();
    let mut s = Sect::new("indice", tr.t("indice-de-sante").to_string());
    let delta = v
        .previous
        .as_ref()
        .map(|(d, p)| {
            format!(
                " ({}{} {} {})",
                if v.health.score >= *p { "+" } else { "" },
                v.health.score - p,
                tr.t("depuis-le-2"),
                fr_date(d)
            )
        })
        .unwrap_or_default();
    s.facts = vec![
        (
            tr.t("indice-actuel-sur-100").to_string(),
            Cell::text(format!("{}{delta}", v.health.score)),
        ),
        (
            tr.t("seuil-de-signalement").to_string(),
            Cell::text(v.threshold.to_string()),
        ),
    ];
    s.paras.push(tr.t_args(
        "formule-indice-health-base-somme-des",
        &[(
            "health_base",
            (relais_domain::relation::HEALTH_BASE).to_string().into(),
        )],
    ));
    let mut t = Table::new(
        tr,
        tr.t("contribution-de-chaque-facteur").to_string(),
        &[tr.t("facteur"), tr.t("mesure"), tr.t("regle"), "Points"],
    );
    for f in &v.health.factors {
        t.rows.push(vec![
            Cell::text(f.label.clone()),
            Cell::text(f.measure.clone()),
            Cell::text(f.rule.clone()),
            Cell::text(format!(
                "{}{}",
                if f.points > 0.0 { "+" } else { "" },
                fr_num(f.points)
            )),
        ]);
    }
    s.tables.push(t);
    out.push(s);
    let mut s = Sect::new("historique", tr.t("historique").to_string());
    // One point per month: the last snapshot of each month.
    let mut monthly: Vec<(String, i64)> = Vec::new();
    for (d, score) in &v.history {
        let m = d[..7].to_string();
        match monthly.last_mut() {
            Some(last) if last.0 == m => last.1 = *score,
            _ => monthly.push((m, *score)),
        }
    }
    let title = tr.t("indice-de-sante-par-mois").to_string();
    s.chart = Some(bar_chart(
        &title,
        &monthly
            .iter()
            .map(|(m, x)| (m.clone(), *x as f64))
            .collect::<Vec<_>>(),
        100.0,
        Some(v.threshold as f64),
    ));
    let mut t = Table::new(tr, title, &[tr.t("mois"), tr.t("indice")]);
    for (m, x) in monthly.iter().rev() {
        t.rows
            .push(vec![Cell::text(m.clone()), Cell::text(x.to_string())]);
    }
    s.tables.push(t);
    s.tables.push(flags_table(
        tr,
        tr.t("signalements-de-l-annee").to_string(),
        &v.flags,
    ));
    out.push(s);
    out
}

pub(super) async fn health_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let inst = relais_app::crm::get_institution(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let v = uc::health_view(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let mut p = SectionsPage::new(
        Base::new(&auth, tr.t("sante-de-l-etablissement").to_string()),
        format!("{} — {}", tr.t("sante"), inst.name),
    );
    p.actions = vec![Link::new(
        format!("/etablissements/{id}"),
        tr.t("vue-360").to_string(),
    )];
    p.sections = health_sections(tr, &v);
    Ok(render(&p, tr)?.into_response())
}

/// The relation part of the 360° page: health, charts (each with its
/// table), survey answers and recalls.
pub async fn institution_sections(
    state: &AppState,
    auth: &Auth,
    id: Id,
) -> Result<(Vec<Sect>, Vec<relais_app::crm::TimelineEntry>), PageError> {
    let tr = auth.tr;
    let actor = auth.actor();
    let app = &state.app;
    let health = uc::health_view(app, actor, id).await.map_err(pe(tr))?;
    let monthly = uc::monthly(app, actor, id, 24).await.map_err(pe(tr))?;
    let answers = uc::institution_answers(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let recalls = uc::institution_recalls(app, actor, id)
        .await
        .map_err(pe(tr))?;
    let incidents = uc::institution_incidents(app, actor, id)
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
            Cell::text(a.comment.clone().unwrap_or_default()),
        ]);
    }
    s.tables.push(t);
    if actor.role.is_agency() {
        s.tables.push(recalls_table(
            tr,
            tr.t("rappels").to_string(),
            &recalls,
            &today_s(state),
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
            detail: a.comment.clone(),
            link: None,
        });
    }
    for r in &recalls {
        timeline.push(relais_app::crm::TimelineEntry {
            date: r.created_at[..10].to_string(),
            source: "rappel".into(),
            title: format!("{} ({})", tr.t("rappel"), score_text(r.score, r.nps)),
            detail: r.outcome.clone(),
            link: Some(format!("/relation/rappels/{}", r.id)),
        });
    }
    Ok((out, timeline))
}

pub(super) async fn briefing_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id = path_id(&id, tr)?;
    let actor = auth.actor();
    if !actor.role.is_agency() {
        return Err(PageError::new(AppError::Domain(DomainError::NotFound), tr));
    }
    let v = relais_app::crm::institution_view(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let support = relais_app::sla_admin::institution_support_record(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let health = uc::health_view(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let incidents = uc::institution_incidents(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let answers = uc::institution_answers(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let recalls = uc::institution_recalls(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let i = &v.institution;
    let mut p = SectionsPage::new(
        Base::new(&auth, format!("{} — {}", tr.t("fiche-de-synthese"), i.name)),
        format!("{} — {}", tr.t("fiche-de-synthese"), i.name),
    );
    p.subtitle = format!("{} {}", tr.t("preparee-le"), fr_date(&today_s(&state)));
    let mut s = Sect::new("identite", tr.t("l-etablissement").to_string());
    s.facts = vec![
        (
            tr.t("role-relation").to_string(),
            Cell::opt(&i.manager_name),
        ),
        (
            tr.t("adhesion").to_string(),
            Cell::text(i.membership.clone()),
        ),
        (tr.t("ville").to_string(), Cell::opt(&i.city)),
        (
            tr.t("indice-de-sante").to_string(),
            Cell::text(format!("{} / 100", health.health.score)),
        ),
    ];
    let mut t = Table::new(
        tr,
        tr.t("gouvernance-et-contacts-cles").to_string(),
        &[tr.t("nom"), tr.t("fonction")],
    );
    for c in v.contacts.iter().filter(|c| {
        matches!(
            c.function.as_str(),
            "president" | "dgs" | "vp_numerique" | "dsi" | "daf" | "drh"
        )
    }) {
        t.rows.push(vec![
            Cell::text(format!("{} {}", c.first_name, c.last_name)),
            Cell::text(
                relais_domain::crm::ContactFunction::from_code(&c.function)
                    .map(|x| tr.label(x).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    let mut s = Sect::new("produits", tr.t("produits-et-conventions").to_string());
    let mut t = Table::new(
        tr,
        tr.t("produits-deployes").to_string(),
        &[tr.t("produit"), "Version", tr.t("statut")],
    );
    for d in &v.deployments {
        t.rows.push(vec![
            Cell::text(d.product_name.clone()),
            Cell::opt(&d.version),
            Cell::text(d.status.clone()),
        ]);
    }
    s.tables.push(t);
    let mut t = Table::new(
        tr,
        tr.t("nav-conventions").to_string(),
        &[
            tr.t("intitule"),
            tr.t("fin"),
            tr.t("alerte-de-renouvellement"),
        ],
    );
    for c in &v.conventions {
        t.rows.push(vec![
            Cell::text(c.title.clone()),
            Cell::opt(&c.ends_on),
            Cell::opt(&c.renewal_alert_on),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    let mut s = Sect::new("support", tr.t("support-12-mois").to_string());
    s.facts = vec![
        (
            tr.t("tickets").to_string(),
            Cell::text(support.totals.tickets.to_string()),
        ),
        (
            tr.t("tickets-ouverts").to_string(),
            Cell::text(support.open.len().to_string()),
        ),
        (
            tr.t("premiere-reponse-dans-le-delai").to_string(),
            Cell::text(
                support
                    .first_response_share()
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            tr.t("resolution-dans-le-delai").to_string(),
            Cell::text(
                support
                    .resolution_share()
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            tr.t("incidents-sur-ses-produits-90-jours").to_string(),
            Cell::text(incidents.len().to_string()),
        ),
    ];
    p.sections.push(s);
    let mut s = Sect::new("sante", tr.t("points-d-attention").to_string());
    s.items = health
        .health
        .factors
        .iter()
        .filter(|f| f.points < 0.0)
        .map(|f| format!("{} : {} ({} points)", f.label, f.measure, fr_num(f.points)))
        .collect();
    let open: Vec<_> = recalls.iter().filter(|r| r.status == "ouvert").collect();
    s.items
        .push(format!("{} : {}", tr.t("rappels-ouverts"), open.len()));
    if let Some(a) = answers.first() {
        s.items.push(format!(
            "{} : {} ({})",
            tr.t("derniere-reponse-d-enquete"),
            score_text(a.score, a.nps),
            fr_date(&a.answered_at)
        ));
    }
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}
