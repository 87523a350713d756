//! Community demo data from the action plan: the Lab'U and Cafés the plan
//! names per domain, the Club'U, the spring webinar week (one webinar per
//! domain), the 6th trainers' forum and a conference; the domains' mailing
//! lists (`plan_data::MAILING_LISTS`) moderated by the chargée de domaine,
//! with subscribers drawn from the contacts interested in the domain; and
//! publications (tours du web, fiches Zoom, guides, fils d'actualité).
//! Dates are relative to `now` so the demo always has past and upcoming
//! events. A generator of its own, seeded from the demo seed, keeps the
//! rest of the demo unchanged.

use super::plan_data::MAILING_LISTS;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::accounts::Scope;
use relais_domain::Id;
use relais_store::community::*;
use relais_store::{ts, Conn};
use std::collections::HashMap;

/// (kind, title, domain, product code, format, description).
type EventSeed = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    &'static str,
);

const EVENTS: &[EventSeed] = &[
    ("labu", "Lab'U FCA Manager / formation continue", Some("fve"), Some("fca"), "presentiel", "Suivi analytique des actions de formation continue, d'alternance et d'apprentissage : partage des pratiques entre établissements."),
    ("labu", "Lab'U FCA Manager : MonCompteFormation", Some("fve"), Some("fca"), "visio", "MonCompteFormation et l'environnement du système d'information de la formation professionnelle."),
    ("labu", "Lab'U des responsables administratifs d'unité de recherche", Some("recherche"), None, "presentiel", "Co-construction et animation de sujets propres aux responsables administratifs d'unité, en lien avec l'Amue."),
    ("labu", "Lab'U contrôle de gestion", Some("pilotage"), None, "visio", "Le Lab'U des contrôleurs de gestion, créé en septembre 2020 : outils, indicateurs et dialogue de gestion."),
    ("labu", "Lab'U pilotage de la masse salariale", Some("pilotage"), Some("siham_pms"), "presentiel", "Prévisions de masse salariale, mesures catégorielles et soutenabilité budgétaire."),
    ("labu", "Lab'U Qualité", Some("pilotage"), None, "visio", "Démarches qualité dans les services administratifs : cartographie des processus et retours d'expérience."),
    ("labu", "Lab'U achat", Some("achats"), None, "presentiel", "Un des deux Lab'U Achats de l'année : stratégie achats, Nacres et dématérialisation."),
    ("labu", "Lab'U GPEEC", Some("rh"), None, "visio", "Gestion prévisionnelle des emplois, des effectifs et des compétences : échanges de pratiques."),
    ("labu", "Lab'U Développement RH", Some("rh"), None, "visio", "Parcours professionnels, formation des personnels et accompagnement des encadrants."),
    ("labu", "Lab'U Paye (coordonnateurs de paye)", Some("rh"), Some("siham"), "visio", "Le nouveau Lab'U de 2021 en direction des coordonnateurs de paye."),
    ("labu", "Lab'U des économes de flux", Some("patrimoine"), None, "presentiel", "Suivi des consommations énergétiques et plans de sobriété des campus."),
    ("cafe", "Café des responsables d'unité de recherche", Some("recherche"), None, "visio", "Un temps d'échange libre, en visio, sur la gestion des unités de recherche."),
    ("cafe", "Café des managers de données", Some("pilotage"), None, "visio", "Échanges entre managers de données : qualité, référentiels, gouvernance."),
    ("cafe", "Café des intendants de données", Some("pilotage"), None, "visio", "Le nouveau Café de 2021 pour initier une communauté autour des intendants de données."),
    ("cafe", "Café des acheteurs", Some("achats"), None, "visio", "Le café des achats mensuel, né pendant le confinement et plébiscité par la communauté des acheteurs."),
    ("cafe", "Café du développement RH", Some("rh"), None, "visio", "Un des cafés mensuels de la communauté RH."),
    ("cafe", "Café des managers", Some("projet"), None, "visio", "Conduite du changement et management de projet : échanges libres entre managers."),
    ("cafe", "Café Apogée", Some("fve"), Some("apogee"), "visio", "Une heure, un lundi par mois en début d'après-midi, sur l'actualité de la formation et de la vie de l'étudiant autour d'Apogée."),
    ("clubu", "Club'U Sifac : plénière", Some("finances"), Some("sifac"), "presentiel", "Ateliers et plénière du club des utilisateurs de Sifac."),
    ("clubu", "Club'U Apogée", Some("fve"), Some("apogee"), "presentiel", "Le club des établissements utilisateurs d'Apogée."),
    ("forum", "6e Forum des formateurs", None, None, "presentiel", "La 6e édition du Forum des formateurs occasionnels de l'Amue : animation de la communauté, nouveaux formats, e-learning."),
    ("conference", "Conférence métier Finances : le contrôle interne budgétaire", Some("finances"), Some("sifac"), "visio", "Les grands risques financiers et la soutenabilité budgétaire des dépenses de personnel."),
    ("webinaire", "Web conférence : gouvernance des données", Some("pilotage"), None, "visio", "Web conférence du domaine Pilotage avec un grand témoin."),
];

/// The webinar week: one per domain (code, subject).
const WEBINAR_WEEK: &[(&str, &str)] = &[
    ("fve", "l'individualisation des parcours étudiants"),
    ("recherche", "la démarche HRS4R dans les établissements"),
    ("pilotage", "le pilotage par la donnée"),
    (
        "finances",
        "la dématérialisation de la chaîne de la dépense",
    ),
    ("achats", "les achats responsables"),
    ("rh", "la transformation de la fonction RH"),
    ("patrimoine", "la sobriété énergétique des campus"),
    ("projet", "conduire le changement en mode projet"),
];

const PLACES: &[&str] = &[
    "Amue, 103 boulevard Saint-Michel, Paris",
    "Amue, Montpellier",
    "Université de Lyon, salle du conseil",
];

/// (kind, title, domain, product codes, days ago, body).
type PublicationSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    i64,
    &'static str,
);

const PUBLICATIONS: &[PublicationSeed] = &[
    ("tour_du_web", "Tour du web RH — janvier", "rh", &[], 150, "## Textes parus\n\n- Décret relatif au télétravail dans la fonction publique\n- Circulaire sur la protection sociale complémentaire\n\n## À lire\n\nLa synthèse mensuelle des publications de la sphère RH, préparée par la veille réglementaire de l'Amue."),
    ("tour_du_web", "Tour du web RH — février", "rh", &[], 120, "## Textes parus\n\n- Arrêté fixant les montants de la prime d'équipement\n- Note de gestion sur les lignes directrices de gestion\n\nRetrouvez aussi les versions comparatives des textes statutaires refondus."),
    ("tour_du_web", "Tour du web RH — mars", "rh", &["siham"], 90, "## Paie\n\nLes évolutions réglementaires de la paie intégrées à **Siham 5.4**.\n\n## Statuts\n\n- Mémento des statuts d'agent contractuel de l'État : mise à jour"),
    ("tour_du_web", "Tour du web achat — premier trimestre", "achats", &[], 100, "## Commande publique\n\n- Relèvement des seuils de procédure\n- Clauses environnementales : nouvelles obligations\n\nVoir aussi l'espace collaboratif « Parlons Achats »."),
    ("tour_du_web", "Tour du web achat — deuxième trimestre", "achats", &[], 20, "## Commande publique\n\n- Nomenclature Nacres : révision annuelle\n- Guide de l'achat public innovant"),
    ("fiche_zoom", "Fiche Zoom : les tableaux budgétaires des opérations pluriannuelles", "finances", &["sifac"], 60, "## L'essentiel\n\nLe groupe de travail « Tableaux des opérations pluriannuelles » a abouti : cette fiche présente les tableaux budgétaires et leur production dans **Sifac**.\n\n1. Identifier les opérations pluriannuelles\n2. Suivre les autorisations d'engagement\n3. Produire les tableaux de l'annexe budgétaire"),
    ("fiche_zoom", "Fiche Zoom : l'évolution des métiers du domaine de la formation", "fve", &[], 75, "## Pourquoi cette fiche\n\nLes métiers de la scolarité évoluent avec l'individualisation des parcours (loi ORE) : compétences, organisation, outils."),
    ("fiche_zoom", "Fiche Zoom : la gestion des remontées SISE en établissement", "fve", &["apogee"], 45, "## SISE\n\nEn lien avec la formation Apogée SISE : calendrier des remontées, contrôles, erreurs fréquentes.\n\n> Astuce : complétez la table des diplômes avant l'extraction."),
    ("fiche_zoom", "Fiche Zoom : le supplément familial de traitement", "rh", &["siham"], 30, "## Le SFT\n\nConditions d'attribution, temps partiel, calcul dans **Siham**."),
    ("guide", "Guide d'accompagnement de la réforme de l'accès aux études de santé", "fve", &["apogee"], 200, "## Objet\n\nMettre en œuvre la réforme de l'accès aux études de santé (PASS, L.AS) en lien avec **Apogée**.\n\n## Étapes\n\n- Paramétrer l'offre de formation\n- Gérer les candidatures\n- Suivre les admissions"),
    ("guide", "Mémento des statuts d'agent contractuel de l'État", "rh", &[], 110, "## Contenu\n\nLes statuts des agents contractuels de l'État, article par article, avec les références réglementaires."),
    ("guide", "Calendrier de gestion RH", "rh", &["siham"], 160, "## Calendrier\n\n| Mois | Opération |\n|---|---|\n| Janvier | Campagne d'avancement |\n| Mars | Entretiens professionnels |\n| Septembre | Rentrée des contractuels étudiants |"),
    ("fil_actualite", "Fil'Amue Finances : entretien avec une agente comptable", "finances", &["sifac"], 15, "## Entretien\n\nLa relance du Fil'Amue Finances commence par un entretien avec une praticienne : clôture, contrôle interne, dématérialisation."),
    ("fil_actualite", "Fil d'actualité Pilotage : la gouvernance des données", "pilotage", &["sinaps"], 5, "## Gouvernance des données\n\nRetour sur la web conférence du domaine Pilotage et annonce du Café des intendants de données."),
];

/// A Paris wall-clock time (demo hours are never in the spring gap).
fn local(day: chrono::NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    let naive = day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default());
    relais_domain::community::from_paris(naive).unwrap_or_else(|| naive.and_utc())
}

fn next_monday(from: chrono::NaiveDate) -> chrono::NaiveDate {
    let mut d = from;
    while d.weekday() != Weekday::Mon {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// What the community demo created.
#[derive(Debug, Default, Clone, Copy)]
pub struct CommunitySummary {
    pub events: usize,
    pub registrations: usize,
    pub lists: usize,
    pub subscriptions: usize,
    pub publications: usize,
}

/// Loads the community demo inside the demo's transaction.
pub async fn load(
    tx: &mut Conn,
    seed: u64,
    now: DateTime<Utc>,
    products: &HashMap<&str, Id>,
    insa_lyon: Option<Id>,
) -> anyhow::Result<CommunitySummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x00C0_4417);
    let stamp = ts(now);
    let today = now.date_naive();
    let mut s = CommunitySummary::default();
    let mut user_ids = HashMap::new();
    for email in [
        "domaine@relais.test",
        "membre@relais.test",
        "referent@relais.test",
        "membre.nantes@relais.test",
        "formateur@relais.test",
    ] {
        if let Ok(u) = relais_store::accounts::find_user_by_email(tx, email).await {
            if let Some(id) = Id::parse(&u.id) {
                user_ids.insert(email, (id, u.institution_id.and_then(|i| Id::parse(&i))));
            }
        }
    }

    // Events: the plan's list, spread from three months ago to four
    // months ahead, so the demo shows both past and upcoming ones.
    let mut event_ids = Vec::new();
    for (i, (kind, title, domain, product, format, description)) in EVENTS.iter().enumerate() {
        let offset = rng.gen_range(-90..=120);
        let mut day = today + Duration::days(offset);
        while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            day = day.succ_opt().unwrap_or(day);
        }
        let (start, end, capacity) = match *kind {
            "cafe" => (local(day, 13, 30), local(day, 14, 30), 40),
            "labu" => (
                local(day, 9, 30),
                local(day, 16, 30),
                if *format == "visio" { 30 } else { 20 },
            ),
            "forum" => (local(day, 9, 0), local(day + Duration::days(1), 17, 0), 120),
            "clubu" => (local(day, 10, 0), local(day, 17, 0), 60),
            _ => (local(day, 10, 0), local(day, 12, 0), 200),
        };
        let slug = super::slug(title);
        let resources = if *kind == "labu" || *kind == "cafe" {
            vec![relais_domain::community::Resource {
                label: format!("Padlet — {title}"),
                url: format!("https://padlet.com/amue/{slug}"),
            }]
        } else {
            vec![]
        };
        let id = Id::new();
        insert_event(
            tx,
            id,
            &EventValues {
                kind: (*kind).into(),
                title: (*title).into(),
                domain_code: domain.map(str::to_string),
                product_id: product.and_then(|p| products.get(p)).map(|p| p.to_string()),
                starts_at: ts(start),
                ends_at: ts(end),
                format: (*format).into(),
                place: (*format == "presentiel").then(|| PLACES[i % PLACES.len()].to_string()),
                visio_url: (*format == "visio").then(|| format!("https://webconf.amue.fr/{slug}")),
                capacity,
                description: Some((*description).into()),
                resources: serde_json::to_string(&resources)?,
            },
            &stamp,
        )
        .await?;
        event_ids.push((id, start));
        s.events += 1;
    }
    // The spring webinar week: two a day from the next Monday three weeks
    // ahead, one per domain.
    let monday = next_monday(today + Duration::days(21));
    for (i, (domain, subject)) in WEBINAR_WEEK.iter().enumerate() {
        let day = monday + Duration::days(i as i64 / 2);
        let (h, m) = if i % 2 == 0 { (10, 0) } else { (14, 30) };
        let start = local(day, h, m);
        let id = Id::new();
        let slug = super::slug(subject);
        insert_event(
            tx,
            id,
            &EventValues {
                kind: "webinaire".into(),
                title: format!("Semaine des webinaires : {subject}"),
                domain_code: Some((*domain).into()),
                product_id: None,
                starts_at: ts(start),
                ends_at: ts(start + Duration::minutes(90)),
                format: "visio".into(),
                place: None,
                visio_url: Some(format!("https://webconf.amue.fr/semaine-webinaires-{slug}")),
                capacity: 300,
                description: Some(format!(
                    "Semaine de webinaires sur la transformation des fonctions administratives : retour d'expérience sur {subject}, avec un grand témoin."
                )),
                resources: "[]".into(),
            },
            &stamp,
        )
        .await?;
        event_ids.push((id, start));
        s.events += 1;
    }
    // The member accounts registered for a few events; past ones have
    // their attendance marked.
    let members: Vec<(Id, Option<Id>)> = [
        "membre@relais.test",
        "referent@relais.test",
        "membre.nantes@relais.test",
        "formateur@relais.test",
    ]
    .iter()
    .filter_map(|e| user_ids.get(e).copied())
    .collect();
    for (event, start) in &event_ids {
        for (uid, inst) in &members {
            if !rng.gen_bool(0.3) {
                continue;
            }
            let rid = Id::new();
            if insert_event_registration(tx, rid, *event, *uid, *inst, &stamp).await?
                && take_event_seat(tx, *event).await?
            {
                s.registrations += 1;
                if *start < now {
                    let mark = if rng.gen_bool(0.8) {
                        "present"
                    } else {
                        "absent"
                    };
                    set_attendance(tx, *event, rid, Some(mark)).await?;
                }
            }
        }
    }

    // Manon Membre's own contact record, so her domains of interest
    // (finances, RH) select her publications.
    if let (Some(inst), Some((_, _))) = (insa_lyon, user_ids.get("membre@relais.test")) {
        relais_store::crm::insert_contact(
            tx,
            Id::new(),
            &relais_store::crm::ContactValues {
                institution_id: inst,
                first_name: "Manon".into(),
                last_name: "Membre".into(),
                email: Some("membre@relais.test".into()),
                phone: None,
                function: "autre".into(),
                title: None,
                domains: serde_json::to_string(&["finances", "rh"])?,
                consent: true,
            },
            &stamp,
        )
        .await?;
    }

    // Mailing lists, moderated by the chargée de domaine, with a share of
    // the contacts interested in the list's domain.
    let moderator = user_ids.get("domaine@relais.test").map(|u| u.0);
    for (domain, address, name) in MAILING_LISTS {
        let id = Id::new();
        insert_list(
            tx,
            id,
            &MailingListValues {
                address: (*address).into(),
                name: (*name).into(),
                domain_code: Some((*domain).into()),
                description: Some(format!(
                    "Liste de diffusion de la communauté « {name} », modérée par les chargés de domaine de l'Amue."
                )),
            },
            &stamp,
        )
        .await?;
        s.lists += 1;
        if let Some(m) = moderator {
            add_moderator(tx, id, Some(m), None, &stamp).await?;
        }
        let (mut contacts, _) = relais_store::crm::list_contacts(
            tx,
            Scope::All,
            &relais_store::crm::ContactFilter {
                domain: Some((*domain).into()),
                limit: 100_000,
                ..Default::default()
            },
        )
        .await?;
        contacts.shuffle(&mut rng);
        let share = if *domain == "rh" { 0.25 } else { 0.4 };
        for c in contacts {
            if c.email.is_none() || !rng.gen_bool(share) {
                continue;
            }
            if let Some(cid) = Id::parse(&c.id) {
                if subscribe(tx, id, cid, &stamp).await? {
                    s.subscriptions += 1;
                }
            }
        }
    }

    // Publications, dated in the past.
    let author = moderator;
    for (kind, title, domain, prods, days_ago, body) in PUBLICATIONS {
        let day = today - Duration::days(*days_ago);
        insert_publication(
            tx,
            Id::new(),
            &PublicationValues {
                kind: (*kind).into(),
                title: (*title).into(),
                domain_code: Some((*domain).into()),
                published_on: relais_store::date(day),
                body: (*body).into(),
                product_ids: prods
                    .iter()
                    .filter_map(|p| products.get(p).copied())
                    .collect(),
            },
            author,
            &stamp,
        )
        .await?;
        s.publications += 1;
    }
    Ok(s)
}
