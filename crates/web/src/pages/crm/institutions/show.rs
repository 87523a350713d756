//! The institution's 360° page.

use super::*;

pub(super) struct TimelineLine {
    date: String,
    /// `date` as people read it (JJ/MM/AAAA).
    day: String,
    source: String,
    kind_label: String,
    title: String,
    detail: Option<String>,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "institution.html")]
pub(super) struct InstitutionPage {
    base: Base,
    h1: String,
    subtitle: String,
    actions: Vec<Link>,
    facts: Vec<(String, Cell)>,
    components: Vec<(usize, String, String)>,
    deployments: Table,
    contacts: Table,
    conventions: Table,
    tasks: Table,
    show_internal: bool,
    support_facts: Vec<(String, Cell)>,
    support_tickets: Table,
    training_facts: Vec<(String, Cell)>,
    training_regs: Table,
    training_events: Table,
    relation: Vec<crate::kit::Sect>,
    /// Complaints (issue 6): open count and the last few, with links.
    complaint_facts: Vec<(String, Cell)>,
    complaint_table: Table,
    timeline: Vec<TimelineLine>,
}

/// Orders components depth-first so the page shows the tree with indents.
pub(super) fn component_tree(
    tr: Tr,
    rows: &[relais_app::crm::ComponentRow],
) -> Vec<(usize, String, String)> {
    fn walk(
        tr: Tr,
        rows: &[relais_app::crm::ComponentRow],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<(usize, String, String)>,
    ) {
        for r in rows.iter().filter(|r| r.parent_id.as_deref() == parent) {
            let mut name = r.name.clone();
            if let Some(p) = &r.partner {
                name.push_str(&format!(" — {p}"));
            }
            out.push((depth.min(3), name, label!(ComponentKind, &r.kind, tr)));
            if depth < 8 {
                walk(tr, rows, Some(&r.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(tr, rows, None, 0, &mut out);
    out
}

pub(super) async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tr = auth.tr;
    let id: Id = path_id(&id, tr)?;
    let v = uc::institution_view(&state.app, auth.actor(), id)
        .await
        .map_err(pe(tr))?;
    let i = &v.institution;
    let actor = auth.actor();
    let mut actions = vec![];
    if actor.can_manage_crm() {
        actions.push(Link::new(
            format!("/etablissements/{id}/modifier"),
            tr.t("edit"),
        ));
        actions.push(Link::new(
            format!("/etablissements/{id}/composantes"),
            tr.t("ajouter-une-composante"),
        ));
        actions.push(Link::new(
            format!("/deploiements/nouveau?institution={id}"),
            tr.t("nouveau-deploiement"),
        ));
        actions.push(Link::new(
            format!("/conventions/nouveau?institution={id}"),
            tr.t("nouvelle-convention"),
        ));
    }
    if actor.can_edit_contacts_of(id) {
        actions.push(Link::new(
            format!("/contacts/nouveau?institution={id}"),
            tr.t("nouveau-contact"),
        ));
    }
    if actor.can_read_interactions() {
        actions.push(Link::new(
            format!("/interactions/nouveau?institution={id}"),
            tr.t("noter-une-interaction"),
        ));
    }
    let tags: Vec<String> = serde_json::from_str(&i.tags).unwrap_or_default();
    let facts = vec![
        (
            "Type".to_string(),
            Cell::text(label!(InstitutionKind, &i.kind, tr)),
        ),
        ("UAI".into(), Cell::opt(&i.uai)),
        ((tr.t("region")).into(), Cell::opt(&i.region)),
        ((tr.t("ville")).into(), Cell::opt(&i.city)),
        (
            (tr.t("etudiants")).into(),
            Cell::text(
                i.students
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "—".into()),
            ),
        ),
        (
            (tr.t("personnels")).into(),
            Cell::text(i.staff.map(|n| n.to_string()).unwrap_or_else(|| "—".into())),
        ),
        (
            (tr.t("adhesion")).into(),
            Cell::text(format!(
                "{}{}",
                label!(MembershipStatus, &i.membership, tr),
                i.member_since
                    .map(|y| tr.t_args("depuis-y", &[("y", y.to_string().into())]))
                    .unwrap_or_default()
            )),
        ),
        ((tr.t("role-relation")).into(), Cell::opt(&i.manager_name)),
        (
            (tr.t("calendrier")).into(),
            Cell::text(label!(CalendarKind, &i.calendar, tr)),
        ),
        (
            "Segments".into(),
            Cell::text(if tags.is_empty() {
                "—".into()
            } else {
                tags.join(", ")
            }),
        ),
    ];
    let mut deployments = Table::new(
        tr,
        tr.t("produits-deployes-dans-l-etablissement"),
        &[
            tr.t("produit"),
            tr.t("statut"),
            "Version",
            tr.t("hebergement"),
            tr.t("depuis"),
        ],
    );
    for d in &v.deployments {
        let mut status = label!(DeploymentStatus, &d.status, tr);
        if let Some(w) = d.wave {
            status = format!("{status} {w}");
        }
        deployments.rows.push(vec![
            Cell::link(d.product_name.clone(), format!("/deploiements/{}", d.id)),
            Cell::text(status),
            Cell::raw(&d.version),
            Cell::text(label!(HostingMode, &d.hosting, tr)),
            Cell::date(&d.starts_on),
        ]);
    }
    let mut contacts = Table::new(
        tr,
        format!("{} contact(s)", v.contacts_total),
        &[
            tr.t("nom"),
            tr.t("fonction"),
            tr.t("interaction-kind-courriel"),
            tr.t("complaint-channel-telephone"),
        ],
    );
    for c in &v.contacts {
        contacts.rows.push(vec![
            Cell::link(
                format!("{} {}", c.first_name, c.last_name),
                format!("/contacts/{}", c.id),
            ),
            Cell::text(label!(ContactFunction, &c.function, tr)),
            Cell::opt(&c.email),
            Cell::opt(&c.phone),
        ]);
    }
    let mut conventions = Table::new(
        tr,
        tr.t("conventions-avec-l-etablissement"),
        &[
            tr.t("intitule"),
            "Type",
            tr.t("debut"),
            tr.t("fin"),
            tr.t("alerte-de-renouvellement"),
        ],
    );
    for c in &v.conventions {
        conventions.rows.push(vec![
            Cell::link(c.title.clone(), format!("/conventions/{}", c.id)),
            Cell::text(label!(ConventionKind, &c.kind, tr)),
            Cell::date(&c.starts_on),
            Cell::date(&c.ends_on),
            Cell::date(&c.renewal_alert_on),
        ]);
    }
    let mut tasks = Table::new(
        tr,
        tr.t("taches-de-suivi"),
        &[
            tr.t("tache"),
            tr.t("echeance"),
            tr.t("statut"),
            tr.t("responsable-2"),
        ],
    );
    for t in &v.tasks {
        tasks.rows.push(vec![
            Cell::text(t.title.clone()),
            Cell::date(&t.due_on),
            Cell::text(label!(TaskStatus, &t.status, tr)),
            Cell::opt(&t.assignee_name),
        ]);
    }
    let record = relais_app::sla_admin::institution_support_record(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let (support_facts, support_tickets) = support_section(tr, &record);
    let training = relais_app::training::institution_record(&state.app, actor, id)
        .await
        .map_err(pe(tr))?;
    let (training_facts, training_regs, training_events) =
        crate::kit::institution_360::training_section(tr, id, &training);
    let (relation, relation_timeline) =
        crate::kit::institution_360::relation_sections(&state, &auth, id).await?;
    let (complaint_facts, complaint_table, complaint_timeline) =
        crate::kit::institution_360::complaints_section(&state, &auth, id).await?;
    let mut entries = v.timeline.clone();
    entries.extend(record.timeline());
    entries.extend(relation_timeline);
    entries.extend(complaint_timeline);
    entries.sort_by(|a, b| b.date.cmp(&a.date));
    let timeline = entries
        .iter()
        .map(|e| TimelineLine {
            date: e.date.clone(),
            day: crate::view::fr_date(&e.date),
            source: e.source.clone(),
            kind_label: tr
                .t(match e.source.as_str() {
                    "interaction" => "timeline-interaction",
                    "task" => "timeline-task",
                    "convention" => "timeline-convention",
                    "ticket" => "timeline-ticket",
                    "enquete" => "timeline-survey",
                    "rappel" => "timeline-recall",
                    "reclamation" => "timeline-complaint",
                    _ => "timeline-deployment",
                })
                .to_string(),
            title: e.title.clone(),
            detail: e.detail.clone(),
            link: e.link.clone(),
        })
        .collect();
    let subtitle = [
        i.acronym.clone(),
        Some(label!(InstitutionKind, &i.kind, tr)),
        i.city.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let p = InstitutionPage {
        base: Base::new(&auth, i.name.clone()),
        h1: i.name.clone(),
        subtitle,
        actions,
        facts,
        components: component_tree(tr, &v.components),
        deployments,
        contacts,
        conventions,
        tasks,
        show_internal: actor.can_read_interactions(),
        support_facts,
        support_tickets,
        training_facts,
        training_regs,
        training_events,
        relation,
        complaint_facts,
        complaint_table,
        timeline,
    };
    Ok(render(&p, tr)?.into_response())
}
