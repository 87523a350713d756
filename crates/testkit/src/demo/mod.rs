//! The demo data set: the action plan's domains, products, institutions and
//! deployments (`plan_data`), plus generated but plausible contacts,
//! components, conventions, interactions and tasks, all deterministic from a
//! seed, and one account per role. Loaded in one transaction.

pub mod community;
pub mod engagement;
pub mod plan_data;
pub mod relation;
pub mod steering;
pub mod support;
pub mod training;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use plan_data::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::Id;
use relais_store::crm::*;
use relais_store::Db;
use std::collections::HashMap;

pub const DEMO_PASSWORD: &str = "relais-demo";

/// (role label, login) printed by `relais demo`.
pub const LOGINS: &[(&str, &str)] = &[
    ("Administrateur·rice", "admin@relais.test"),
    ("Agent de support", "support@relais.test"),
    ("Chargé·e de relation", "relation@relais.test"),
    ("Chargé·e de domaine", "domaine@relais.test"),
    ("Formateur·rice (INSA Lyon)", "formateur@relais.test"),
    ("Correspondant·e (INSA Lyon)", "membre@relais.test"),
    ("Référent·e (INSA Lyon)", "referent@relais.test"),
    (
        "Correspondant·e (Nantes Université)",
        "membre.nantes@relais.test",
    ),
];

#[derive(Debug, Default, Clone)]
pub struct DemoSummary {
    pub institutions: usize,
    pub contacts: usize,
    pub components: usize,
    pub deployments: usize,
    pub conventions: usize,
    pub interactions: usize,
    pub tasks: usize,
    pub users: usize,
    pub tickets: usize,
    pub incidents: usize,
    pub community: community::CommunitySummary,
    pub training: training::TrainingSummary,
    pub relation: relation::RelationSummary,
    pub engagement: engagement::EngagementSummary,
    pub steering: steering::SteeringSummary,
}

/// Lower-case ASCII, for e-mail addresses.
pub fn slug(s: &str) -> String {
    relais_domain::fold(s)
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' => Some(c),
            ' ' | '-' | '\'' | '.' => Some('-'),
            _ => None,
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn phone(rng: &mut ChaCha8Rng, dept: &str) -> String {
    let zone = match dept.chars().next() {
        Some('7') | Some('9') if dept.len() == 2 => "01",
        _ if dept.len() == 3 && dept.starts_with('9') => "05",
        _ => ["02", "03", "04", "05"][rng.gen_range(0..4)],
    };
    format!(
        "{zone} {:02} {:02} {:02} {:02}",
        rng.gen_range(10..99),
        rng.gen_range(10..99),
        rng.gen_range(10..99),
        rng.gen_range(10..99)
    )
}

const INTERACTION_SUBJECTS: &[(&str, &str, &str)] = &[
    ("reunion", "Réunion annuelle avec la gouvernance", "Point sur la feuille de route SI de l'établissement et sur les projets de l'Amue ; attentes exprimées sur l'accompagnement au déploiement."),
    ("reunion", "Comité de pilotage du déploiement", "Revue du planning, des risques et des ressources mobilisées par l'établissement."),
    ("appel", "Appel de suivi après incident de paie", "La DRH signale un retard de la préliquidation ; rappel du circuit de support et du contact N2."),
    ("appel", "Campagne de contacts qualifiés", "Mise à jour des interlocuteurs (DGS, DAF, DSI) et recueil des projets 2021-2022."),
    ("visite", "Visite sur site du chargé de relation", "Rencontre des équipes financières et RH ; présentation de l'offre de formation et des Lab'U."),
    ("courriel", "Envoi de la convention de partenariat", "Convention transmise pour signature, retour attendu sous un mois."),
    ("courriel", "Réponse sur la tarification RAM 2022", "Explication du calcul de la redevance annuelle mutualisée."),
    ("reunion", "Atelier de présentation de Pégase", "Démonstration des modules inscriptions et offre de formation ; questions sur la co-administration."),
];

const TASK_TITLES: &[&str] = &[
    "Envoyer le compte rendu à la DGS",
    "Relancer la signature de la convention",
    "Organiser une démonstration Sinaps",
    "Transmettre le calendrier des formations Siham",
    "Vérifier l'éligibilité au préfinancement",
];

/// Loads the demo into an empty, migrated database.
pub async fn load(db: &Db, seed: u64, now: DateTime<Utc>) -> anyhow::Result<DemoSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ts = relais_store::ts(now);
    let mut s = DemoSummary::default();
    let mut tx = db.begin().await?;

    for (i, d) in DOMAINS.iter().enumerate() {
        insert_domain(&mut tx, d.code, d.name, i as i64 + 1).await?;
    }
    let mut products: HashMap<&str, Id> = HashMap::new();
    for p in PRODUCTS {
        let id = Id::new();
        insert_product(
            &mut tx,
            id,
            &ProductValues {
                code: p.code.into(),
                name: p.name.into(),
                domain_code: p.domain.into(),
                stage: p.stage.into(),
                description: Some(p.description.into()),
            },
            &ts,
        )
        .await?;
        for (v, date) in p.releases {
            insert_release(&mut tx, Id::new(), id, v, Some((*date).into()), None).await?;
        }
        products.insert(p.code, id);
    }

    // Accounts: one per role, plus the key-account managers.
    let hash =
        relais_app::accounts::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let managers_data = [
        ("relation@relais.test", "Romain Relation"),
        ("sophie.lambert@amue.test", "Sophie Lambert"),
        ("thierry.garnier@amue.test", "Thierry Garnier"),
        ("claire.fontaine@amue.test", "Claire Fontaine"),
        ("yann.le-gall@amue.test", "Yann Le Gall"),
    ];
    let mut managers = Vec::new();
    let add_user = |email: &'static str,
                    name: &'static str,
                    role: &'static str,
                    inst: Option<Id>| { (email, name, role, inst) };
    let mut agency = vec![
        add_user("admin@relais.test", "Alice Admin", "admin", None),
        add_user("support@relais.test", "Samuel Support", "support", None),
        add_user("domaine@relais.test", "Diane Domaine", "domain", None),
        add_user("agnes.roux@amue.test", "Agnès Roux", "support", None),
        add_user("hugo.meunier@amue.test", "Hugo Meunier", "support", None),
    ];
    for (e, n) in managers_data {
        agency.push((e, n, "relation", None));
    }
    let mut user_ids: HashMap<&str, Id> = HashMap::new();
    for (email, name, role, inst) in &agency {
        let id = Id::new();
        relais_store::accounts::insert_user(
            &mut tx,
            id,
            &relais_store::accounts::UserValues {
                email: (*email).into(),
                display_name: (*name).into(),
                role: (*role).into(),
                institution_id: inst.map(|i| i.to_string()),
                locale: "fr".into(),
                active: true,
            },
            Some(hash.clone()),
            &ts,
        )
        .await?;
        user_ids.insert(email, id);
        if *role == "relation" {
            managers.push(id);
        }
        s.users += 1;
    }

    // Institutions, components, contacts.
    let insts = institutions();
    let mut inst_ids: HashMap<&str, Id> = HashMap::new();
    let mut contacts_of: HashMap<&str, Vec<Id>> = HashMap::new();
    for (idx, inst) in insts.iter().enumerate() {
        let id = Id::new();
        // relation@relais.test manages INSA Lyon and a fifth of the others.
        let manager = if inst.acronym == "INSA Lyon" {
            managers[0]
        } else {
            managers[idx % managers.len()]
        };
        let mut tags = Vec::new();
        if PEGASE_P1.contains(&inst.acronym) {
            tags.push("pilote Pégase P1");
        }
        if PEGASE_P2.contains(&inst.acronym) {
            tags.push("pilote Pégase P2");
        }
        if PEGASE_WAVE1.contains(&inst.acronym) {
            tags.push("Pégase vague 1");
        }
        if inst.students > 30000 {
            tags.push("grand établissement");
        }
        insert_institution(
            &mut tx,
            id,
            &InstitutionValues {
                name: inst.name.into(),
                acronym: Some(inst.acronym.into()),
                kind: inst.kind.into(),
                region: Some(inst.region.into()),
                city: Some(inst.city.into()),
                uai: Some(uai_of(idx, inst)),
                students: (inst.students > 0).then_some(inst.students),
                staff: Some(inst.staff),
                membership: if idx % 60 == 59 {
                    "prospect".into()
                } else {
                    "adherent".into()
                },
                member_since: (idx % 60 != 59).then_some(inst.member_since),
                calendar: inst.calendar().into(),
                manager_id: Some(manager.to_string()),
                tags: serde_json::to_string(&tags)?,
            },
            &ts,
        )
        .await?;
        inst_ids.insert(inst.acronym, id);
        s.institutions += 1;

        if inst.kind == "universite" {
            let n = rng.gen_range(3..=6);
            let mut picks: Vec<&(&str, &str)> = COMPONENT_TEMPLATES.iter().collect();
            picks.shuffle(&mut rng);
            let mut top = None;
            for (kind, pattern) in picks.into_iter().take(n) {
                let cid = Id::new();
                let is_unit = *kind == "umr" || *kind == "laboratoire";
                let number = rng.gen_range(5000..9999);
                insert_component(
                    &mut tx,
                    cid,
                    &ComponentValues {
                        institution_id: id,
                        // Research units hang under the first faculty.
                        parent_id: if is_unit {
                            top.map(|t: Id| t.to_string())
                        } else {
                            None
                        },
                        kind: (*kind).into(),
                        name: pattern.replace("{n}", &number.to_string()),
                        code: (*kind == "umr").then(|| format!("UMR {number}")),
                        partner: (*kind == "umr").then(|| "CNRS".to_string()),
                    },
                    &ts,
                )
                .await?;
                if !is_unit && top.is_none() && (*kind == "ufr" || *kind == "faculte") {
                    top = Some(cid);
                }
                s.components += 1;
            }
        }

        let n_contacts = rng.gen_range(8..=20);
        let domain_host = format!("{}.fr", slug(inst.acronym));
        let mut ids = Vec::new();
        let mut used = std::collections::HashSet::new();
        for k in 0..n_contacts {
            let function = if let Some(f) = GOVERNANCE_FUNCTIONS.get(k) {
                f
            } else {
                OTHER_FUNCTIONS[rng.gen_range(0..OTHER_FUNCTIONS.len())]
            };
            let (first, last) = loop {
                let f = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
                let li = rng.gen_range(0..LAST_NAMES.len());
                // « Arnaud Arnaud » reads like a bug: the next last name
                // instead (no extra draw, so the rest of the demo is kept).
                let l = if LAST_NAMES[li] == f {
                    LAST_NAMES[(li + 1) % LAST_NAMES.len()]
                } else {
                    LAST_NAMES[li]
                };
                if used.insert((f, l)) {
                    break (f, l);
                }
            };
            let mut domains: Vec<&str> = DOMAINS.iter().map(|d| d.code).collect();
            domains.shuffle(&mut rng);
            domains.truncate(rng.gen_range(1..=3));
            let cid = Id::new();
            insert_contact(
                &mut tx,
                cid,
                &ContactValues {
                    institution_id: id,
                    first_name: first.into(),
                    last_name: last.into(),
                    email: Some(format!("{}.{}@{domain_host}", slug(first), slug(last))),
                    phone: Some(phone(&mut rng, inst.department)),
                    function: function.into(),
                    title: None,
                    domains: serde_json::to_string(&domains)?,
                    consent: rng.gen_bool(0.8),
                },
                &ts,
            )
            .await?;
            ids.push(cid);
            s.contacts += 1;
        }
        contacts_of.insert(inst.acronym, ids);
    }

    let mut deployed: Vec<(Id, &str)> = Vec::new();
    for d in deployments(&insts) {
        let (Some(inst), Some(prod)) = (inst_ids.get(d.institution), products.get(d.product))
        else {
            continue;
        };
        if d.status != "retire" && d.status != "candidat" {
            deployed.push((*inst, d.product));
        }
        insert_deployment(
            &mut tx,
            Id::new(),
            &DeploymentValues {
                institution_id: *inst,
                product_id: *prod,
                status: d.status.into(),
                wave: d.wave,
                hosting: d.hosting.into(),
                version: d.version.map(str::to_string),
                starts_on: Some(d.start.clone()),
                ends_on: None,
                notes: None,
            },
            &ts,
        )
        .await?;
        s.deployments += 1;
    }

    // Conventions, interactions and tasks.
    let kinds = [
        "deploiement",
        "exploitation",
        "prefinancement",
        "coconstruction",
        "partenariat",
    ];
    let today = now.date_naive();
    for (idx, inst) in insts.iter().enumerate() {
        let id = inst_ids[inst.acronym];
        let manager = if inst.acronym == "INSA Lyon" {
            managers[0]
        } else {
            managers[idx % managers.len()]
        };
        for k in 0..rng.gen_range(1..=3) {
            let kind = kinds[(idx + k) % kinds.len()];
            let product = &PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
            let start_year = rng.gen_range(2019..=2022);
            let start =
                NaiveDate::from_ymd_opt(start_year, rng.gen_range(1..=12), 1).unwrap_or(today);
            let end =
                NaiveDate::from_ymd_opt(start.year() + rng.gen_range(2..=4), start.month(), 1)
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(today);
            let label = match kind {
                "deploiement" => "Convention de déploiement",
                "exploitation" => "Convention d'exploitation",
                "prefinancement" => "Convention de préfinancement",
                "coconstruction" => "Convention de co-construction",
                _ => "Convention de partenariat",
            };
            insert_convention(
                &mut tx,
                Id::new(),
                &ConventionValues {
                    institution_id: id,
                    kind: kind.into(),
                    title: format!("{label} {}", product.name),
                    reference: Some(format!("AMUE-{start_year}-{:04}", idx * 3 + k)),
                    product_id: products.get(product.code).map(|p| p.to_string()),
                    starts_on: Some(relais_store::date(start)),
                    ends_on: Some(relais_store::date(end)),
                    renewal_alert_on: Some(relais_store::date(
                        relais_domain::crm::default_renewal_alert(end),
                    )),
                    notes: None,
                },
                &ts,
            )
            .await?;
            s.conventions += 1;
        }
        let contacts = &contacts_of[inst.acronym];
        for _ in 0..rng.gen_range(0..=6) {
            let (kind, subject, summary) =
                INTERACTION_SUBJECTS[rng.gen_range(0..INTERACTION_SUBJECTS.len())];
            let date = NaiveDate::from_ymd_opt(
                rng.gen_range(2020..=2021),
                rng.gen_range(1..=12),
                rng.gen_range(1..=28),
            )
            .unwrap_or(today);
            let iid = Id::new();
            insert_interaction(
                &mut tx,
                iid,
                &InteractionValues {
                    institution_id: id,
                    kind: kind.into(),
                    occurred_on: relais_store::date(date),
                    subject: subject.into(),
                    summary: Some(summary.into()),
                    contact_id: Some(contacts[rng.gen_range(0..contacts.len())].to_string()),
                    author_id: Some(manager.to_string()),
                },
                &ts,
            )
            .await?;
            s.interactions += 1;
            if rng.gen_bool(0.3) {
                let due = date + chrono::Duration::days(rng.gen_range(7..45));
                let tid = Id::new();
                insert_task(
                    &mut tx,
                    tid,
                    &TaskValues {
                        institution_id: id,
                        interaction_id: Some(iid.to_string()),
                        title: TASK_TITLES[rng.gen_range(0..TASK_TITLES.len())].into(),
                        due_on: Some(relais_store::date(due)),
                        assignee_id: Some(manager.to_string()),
                    },
                    &ts,
                )
                .await?;
                if due < today && rng.gen_bool(0.7) {
                    set_task_status(&mut tx, tid, "faite", &ts).await?;
                }
                s.tasks += 1;
            }
        }
    }

    // Member-side accounts.
    let mut member_users: HashMap<Id, (Option<Id>, String, String)> = HashMap::new();
    for (email, name, role, acronym) in [
        (
            "formateur@relais.test",
            "Fabien Formateur",
            "trainer",
            "INSA Lyon",
        ),
        ("membre@relais.test", "Manon Membre", "member", "INSA Lyon"),
        (
            "referent@relais.test",
            "Rémi Référent",
            "member_admin",
            "INSA Lyon",
        ),
        (
            "membre.nantes@relais.test",
            "Nina Nantaise",
            "member",
            "Nantes",
        ),
    ] {
        let uid = Id::new();
        if role == "member" {
            if let Some(i) = inst_ids.get(acronym) {
                member_users.insert(*i, (Some(uid), name.to_string(), email.to_string()));
            }
        }
        relais_store::accounts::insert_user(
            &mut tx,
            uid,
            &relais_store::accounts::UserValues {
                email: email.into(),
                display_name: name.into(),
                role: role.into(),
                institution_id: inst_ids.get(acronym).map(|i| i.to_string()),
                locale: "fr".into(),
                active: true,
            },
            Some(hash.clone()),
            &ts,
        )
        .await?;
        s.users += 1;
    }

    // Support: teams, contracts, two years of tickets. Requesters are the
    // member accounts where they exist, else a contact of the institution.
    let mut requesters = member_users;
    for inst in &insts {
        let id = inst_ids[inst.acronym];
        if requesters.contains_key(&id) {
            continue;
        }
        let mut c = relais_store::crm::list_contacts(
            &mut tx,
            relais_domain::accounts::Scope::Institution(id),
            &ContactFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await?
        .0;
        if let Some(ct) = c.pop() {
            requesters.insert(
                id,
                (
                    None,
                    format!("{} {}", ct.first_name, ct.last_name),
                    ct.email.unwrap_or_default(),
                ),
            );
        }
    }
    let agents: Vec<(Id, &str)> = [
        "support@relais.test",
        "agnes.roux@amue.test",
        "hugo.meunier@amue.test",
    ]
    .iter()
    .filter_map(|e| user_ids.get(e).map(|id| (*id, *e)))
    .map(|(id, e)| {
        (
            id,
            agency.iter().find(|a| a.0 == e).map(|a| a.1).unwrap_or(e),
        )
    })
    .collect();
    let inst_list: Vec<(Id, &str, &str)> = insts
        .iter()
        .map(|i| (inst_ids[i.acronym], i.acronym, i.calendar()))
        .collect();
    let mut srng = support::rng(seed);
    let (tickets, incidents) = support::load(
        &mut tx,
        &mut srng,
        now,
        &products,
        &inst_list,
        &deployed,
        &agents,
        &requesters,
        3000,
    )
    .await?;
    s.tickets = tickets;
    s.incidents = incidents;
    s.community = community::load(
        &mut tx,
        seed,
        now,
        &products,
        inst_ids.get("INSA Lyon").copied(),
    )
    .await?;
    let inst_pairs: Vec<(Id, &str)> = insts
        .iter()
        .map(|i| (inst_ids[i.acronym], i.acronym))
        .collect();
    s.training = training::load(&mut tx, seed, now, &products, &inst_pairs, &hash).await?;
    // Member relations (issue 6): complaints, the campaign, the comité.
    let contacts_by_id: HashMap<Id, Vec<Id>> = inst_pairs
        .iter()
        .map(|(id, acronym)| (*id, contacts_of.get(acronym).cloned().unwrap_or_default()))
        .collect();
    let agent_ids: Vec<Id> = agents.iter().map(|(id, _)| *id).collect();
    s.engagement = engagement::load(
        &mut tx,
        seed,
        now,
        &inst_pairs,
        &contacts_by_id,
        &products,
        &managers,
        &agent_ids,
    )
    .await?;
    // Health last: it reads the complaints and everything else above.
    s.relation = relation::load(&mut tx, seed, now, &inst_pairs).await?;
    // The 2021 action plan's deliverables (issue 18), owned by agency staff.
    let owners: Vec<Id> = [
        "domaine@relais.test",
        "admin@relais.test",
        "relation@relais.test",
        "support@relais.test",
        "sophie.lambert@amue.test",
        "thierry.garnier@amue.test",
        "claire.fontaine@amue.test",
    ]
    .iter()
    .filter_map(|e| user_ids.get(e).copied())
    .collect();
    s.steering = steering::load(&mut tx, seed, now, &products, &owners).await?;
    // Single sign-on (issue 14): INSA Lyon is recognised by a SIRET and its
    // mail domain, and its people's first sign-in opens their account at
    // once (the test provider's `agent.alpha` carries this SIRET).
    if let Some(insa) = inst_ids.get("INSA Lyon") {
        relais_store::sso::add_identifier(&mut tx, *insa, "siret", "19751717700017", &ts).await?;
        relais_store::sso::add_identifier(&mut tx, *insa, "mail_domain", "insa-lyon.test", &ts)
            .await?;
        relais_store::sso::set_sso_pending(&mut tx, *insa, false).await?;
    }
    tx.commit().await?;
    Ok(s)
}
