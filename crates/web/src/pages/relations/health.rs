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
            Cell::raw(&d.version),
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
            Cell::date(&c.ends_on),
            Cell::date(&c.renewal_alert_on),
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
