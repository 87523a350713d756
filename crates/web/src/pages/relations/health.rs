//! An institution's health (/etablissements/{id}/sante) and printable briefing (/etablissements/{id}/fiche).

use super::*;

fn health_sections(tr: Tr, v: &uc::HealthView) -> Vec<Sect> {
    let en = tr.en();
    let mut out = Vec::new();
    let mut s = Sect::new("indice", fr(tr, "Indice de santé", "Health indicator"));
    let delta = v
        .previous
        .as_ref()
        .map(|(d, p)| {
            format!(
                " ({}{} {} {})",
                if v.health.score >= *p { "+" } else { "" },
                v.health.score - p,
                fr(tr, "depuis le", "since"),
                fr_date(d)
            )
        })
        .unwrap_or_default();
    s.facts = vec![
        (
            fr(
                tr,
                "Indice actuel (sur 100)",
                "Current indicator (out of 100)",
            ),
            Cell::text(format!("{}{delta}", v.health.score)),
        ),
        (
            fr(tr, "Seuil de signalement", "Flag threshold"),
            Cell::text(v.threshold.to_string()),
        ),
    ];
    s.paras.push(fr(
        tr,
        &format!(
            "Formule : indice = {} + somme des contributions ci-dessous, arrondi et borné entre 0 et 100.",
            relais_domain::relation::HEALTH_BASE
        ),
        &format!(
            "Formula: indicator = {} + the sum of the contributions below, rounded and kept between 0 and 100.",
            relais_domain::relation::HEALTH_BASE
        ),
    ));
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Contribution de chaque facteur",
            "Contribution of each factor",
        ),
        &[
            if en { "Factor" } else { "Facteur" },
            if en { "Measured" } else { "Mesure" },
            if en { "Rule" } else { "Règle" },
            "Points",
        ],
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
    let mut s = Sect::new("historique", fr(tr, "Historique", "History"));
    // One point per month: the last snapshot of each month.
    let mut monthly: Vec<(String, i64)> = Vec::new();
    for (d, score) in &v.history {
        let m = d[..7].to_string();
        match monthly.last_mut() {
            Some(last) if last.0 == m => last.1 = *score,
            _ => monthly.push((m, *score)),
        }
    }
    let title = fr(tr, "Indice de santé par mois", "Health indicator per month");
    s.chart = Some(bar_chart(
        &title,
        &monthly
            .iter()
            .map(|(m, x)| (m.clone(), *x as f64))
            .collect::<Vec<_>>(),
        100.0,
        Some(v.threshold as f64),
    ));
    let mut t = Table::new(
        tr,
        title,
        &[
            if en { "Month" } else { "Mois" },
            if en { "Indicator" } else { "Indice" },
        ],
    );
    for (m, x) in monthly.iter().rev() {
        t.rows
            .push(vec![Cell::text(m.clone()), Cell::text(x.to_string())]);
    }
    s.tables.push(t);
    s.tables.push(flags_table(
        tr,
        fr(tr, "Signalements de l'année", "Flags of the year"),
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
        Base::new(
            &auth,
            fr(tr, "Santé de l'établissement", "Institution health"),
        ),
        format!("{} — {}", fr(tr, "Santé", "Health"), inst.name),
    );
    p.actions = vec![Link::new(
        format!("/etablissements/{id}"),
        fr(tr, "Vue 360°", "360° view"),
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
    let en = tr.en();
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
        Base::new(
            &auth,
            format!("{} — {}", fr(tr, "Fiche de synthèse", "Briefing"), i.name),
        ),
        format!("{} — {}", fr(tr, "Fiche de synthèse", "Briefing"), i.name),
    );
    p.subtitle = format!(
        "{} {}",
        fr(tr, "Préparée le", "Prepared on"),
        fr_date(&today_s(&state))
    );
    let mut s = Sect::new("identite", fr(tr, "L'établissement", "The institution"));
    s.facts = vec![
        (
            fr(tr, "Chargé·e de relation", "Key-account manager"),
            Cell::opt(&i.manager_name),
        ),
        (
            fr(tr, "Adhésion", "Membership"),
            Cell::text(i.membership.clone()),
        ),
        (fr(tr, "Ville", "City"), Cell::opt(&i.city)),
        (
            fr(tr, "Indice de santé", "Health indicator"),
            Cell::text(format!("{} / 100", health.health.score)),
        ),
    ];
    let mut t = Table::new(
        tr,
        fr(
            tr,
            "Gouvernance et contacts clés",
            "Governance and key contacts",
        ),
        &[
            if en { "Name" } else { "Nom" },
            if en { "Function" } else { "Fonction" },
        ],
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
                    .map(|x| x.label(en).to_string())
                    .unwrap_or_default(),
            ),
        ]);
    }
    s.tables.push(t);
    p.sections.push(s);
    let mut s = Sect::new(
        "produits",
        fr(tr, "Produits et conventions", "Products and agreements"),
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
            Cell::text(d.status.clone()),
        ]);
    }
    s.tables.push(t);
    let mut t = Table::new(
        tr,
        fr(tr, "Conventions", "Agreements"),
        &[
            if en { "Title" } else { "Intitulé" },
            if en { "End" } else { "Fin" },
            if en {
                "Renewal alert"
            } else {
                "Alerte de renouvellement"
            },
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
    let mut s = Sect::new(
        "support",
        fr(tr, "Support (12 mois)", "Support (12 months)"),
    );
    s.facts = vec![
        (
            fr(tr, "Tickets", "Tickets"),
            Cell::text(support.totals.tickets.to_string()),
        ),
        (
            fr(tr, "Tickets ouverts", "Open tickets"),
            Cell::text(support.open.len().to_string()),
        ),
        (
            fr(
                tr,
                "Première réponse dans le délai",
                "First response on time",
            ),
            Cell::text(
                support
                    .first_response_share()
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            fr(tr, "Résolution dans le délai", "Resolution on time"),
            Cell::text(
                support
                    .resolution_share()
                    .map(|p| format!("{p} %"))
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            fr(
                tr,
                "Incidents sur ses produits (90 jours)",
                "Incidents on its products (90 days)",
            ),
            Cell::text(incidents.len().to_string()),
        ),
    ];
    p.sections.push(s);
    let mut s = Sect::new("sante", fr(tr, "Points d'attention", "Points of attention"));
    s.items = health
        .health
        .factors
        .iter()
        .filter(|f| f.points < 0.0)
        .map(|f| format!("{} : {} ({} points)", f.label, f.measure, fr_num(f.points)))
        .collect();
    let open: Vec<_> = recalls.iter().filter(|r| r.status == "ouvert").collect();
    s.items.push(format!(
        "{} : {}",
        fr(tr, "Rappels ouverts", "Open recalls"),
        open.len()
    ));
    if let Some(a) = answers.first() {
        s.items.push(format!(
            "{} : {} ({})",
            fr(tr, "Dernière réponse d'enquête", "Latest survey answer"),
            score_text(a.score, a.nps),
            fr_date(&a.answered_at)
        ));
    }
    p.sections.push(s);
    Ok(render(&p, tr)?.into_response())
}
