//! Member-relations demo data (issue 6): two years of complaints across
//! the irritants (support, training, billing, product quality,
//! deployment, communication), with corrective actions and internal notes,
//! most closed with an answer; the campaign of qualified contacts with
//! every member (about 40 % done); the Comité de la relation
//! établissements with members from institutions and the agency and four
//! meetings (three with minutes). INSA Lyon (the demo member's
//! institution) always has an open complaint and a closed one. A generator
//! of its own, seeded from the demo seed, keeps the rest of the demo
//! unchanged. People are referenced by id, never copied.

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::Id;
use relais_store::engagement::*;
use relais_store::{date, ts, Conn};
use std::collections::HashMap;

#[derive(Debug, Default, Clone)]
pub struct EngagementSummary {
    pub complaints: usize,
    pub corrective_actions: usize,
    pub campaign_targets: usize,
    pub campaign_done: usize,
    pub comite_members: usize,
    pub comite_meetings: usize,
}

/// (touchpoint, severity, product code, team code, title, description,
/// corrective actions, answer).
type ComplaintSeed = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

const COMPLAINTS: &[ComplaintSeed] = &[
    ("support", "majeure", Some("siham"), Some("rh"), "Tickets de paie sans réponse pendant la préliquidation", "Trois tickets bloquants ouverts pendant la préliquidation sont restés sans réponse plus de deux jours ouvrés.", &["Renfort N2 pendant les semaines de préliquidation", "Alerte SLA à 50 % pour les tickets de paie"], "Un renfort N2 est désormais planifié pendant chaque préliquidation et les tickets de paie déclenchent une alerte à mi-délai."),
    ("support", "mineure", Some("sifac"), Some("fin"), "Réponses du support trop techniques", "Les réponses renvoient à des notes techniques sans explication pour les gestionnaires.", &["Modèles de réponse relus par un formateur"], "Les modèles de réponse ont été réécrits avec les formateurs Sifac ; merci pour ce retour."),
    ("formation", "mineure", Some("sifac"), Some("fin"), "Session Sifac annulée la veille", "La session de formation Sifac a été annulée la veille, nos agents avaient réservé leur train.", &["Règle d'annulation au plus tard à J-7", "Prise en charge des billets non remboursables"], "La règle d'annulation est désormais J-7 au plus tard ; les frais engagés vous seront remboursés."),
    ("formation", "majeure", Some("pegase"), Some("fve"), "Formation Pégase trop éloignée de la mise en production", "La formation a eu lieu quatre mois avant l'ouverture : les équipes ont tout oublié.", &["Sessions de rappel à J-15 de chaque vague"], "Des sessions de rappel sont ajoutées quinze jours avant chaque vague de déploiement."),
    ("facturation", "majeure", None, Some("fin"), "Facture RAM incompréhensible", "La facture de redevance annuelle mutualisée ne détaille pas les produits ni la base de calcul.", &["Détail par produit sur la facture", "Note explicative jointe à l'appel de redevance"], "La facture détaille désormais chaque produit et la base de calcul ; une note explicative accompagne l'appel."),
    ("facturation", "mineure", None, Some("fin"), "Relance de paiement reçue après règlement", "Une relance nous est parvenue alors que le virement avait été fait trois semaines plus tôt.", &["Rapprochement des paiements avant toute relance"], "Les relances ne partent plus qu'après rapprochement des paiements ; toutes nos excuses."),
    ("qualite_produit", "critique", Some("sifac"), Some("fin"), "Régression de la clôture budgétaire", "Depuis la dernière version, la clôture échoue sur les conventions pluriannuelles.", &["Correctif livré en urgence", "Cas de test ajouté à la recette de version"], "Un correctif a été livré et le cas est désormais dans la recette de chaque version."),
    ("qualite_produit", "majeure", Some("geslab"), Some("rech"), "Exports Geslab inutilisables", "Les exports CSV mélangent les séparateurs et cassent les tableaux de bord du laboratoire.", &["Export au format tableur normalisé"], "Les exports utilisent désormais un format normalisé ; la documentation a été mise à jour."),
    ("qualite_produit", "majeure", Some("apogee"), Some("fve"), "Lenteurs des inscriptions administratives", "Les temps de réponse dépassent dix secondes aux heures de pointe des inscriptions.", &["Analyse de performance avec l'hébergeur", "Index ajoutés sur les tables d'inscription"], "Des index ont été ajoutés et la charge a été répartie ; les temps de réponse sont revenus sous deux secondes."),
    ("deploiement", "majeure", Some("pegase"), Some("fve"), "Calendrier de vague décalé sans préavis", "La vague de déploiement a été décalée de deux mois sans concertation.", &["Comité de vague avec les établissements concernés"], "Chaque décalage de vague passe désormais par un comité avec les établissements concernés."),
    ("deploiement", "mineure", Some("sinaps"), Some("pil"), "Documentation d'installation incomplète", "Il manque les prérequis réseau dans le guide d'installation de Sinaps.", &["Compléter le guide d'installation"], "Le guide d'installation a été complété (prérequis réseau et pare-feu)."),
    ("communication", "mineure", None, None, "Lettre d'information envoyée aux anciens contacts", "La lettre d'information part encore vers des personnes qui ont quitté l'établissement.", &["Campagne de mise à jour des contacts"], "Les contacts ont été mis à jour lors de la campagne de contacts qualifiés."),
    ("communication", "mineure", None, None, "Annonce tardive de la fin de maintenance Harpège", "Nous avons appris la fin de maintenance trop tard pour planifier la bascule.", &["Calendrier de fin de vie publié 18 mois à l'avance"], "Les fins de maintenance sont désormais annoncées dix-huit mois à l'avance dans l'espace adhérent."),
    ("relation", "mineure", None, None, "Interlocuteur de l'Amue difficile à identifier", "Nous ne savons pas qui contacter pour une question contractuelle.", &["Présentation du chargé de relation à chaque DGS"], "Votre chargé de relation vous a été présenté ; ses coordonnées figurent dans votre espace."),
    ("support", "majeure", Some("siham"), Some("rh"), "Ticket clos sans solution", "Le ticket a été clos alors que le problème persistait.", &["Clôture seulement après confirmation de l'établissement"], "Un ticket n'est plus clos sans votre confirmation, sauf absence de réponse après relance."),
];

const NOTES: &[&str] = &[
    "Appel du DGS : le sujet remonte à la présidence, à traiter en priorité.",
    "Vu avec le pôle : le problème touche plusieurs établissements, lier à l'incident.",
    "Établissement déjà mécontent l'an dernier sur le même sujet.",
    "Geste commercial possible sur la prochaine redevance, à valider en direction.",
];

const CORRECTIONS: &[&str] = &[
    "Nouveau DGS depuis septembre : fiche contact mise à jour.",
    "Départ du DAF ; le nouvel agent comptable est l'interlocuteur finances.",
    "Adresse de la DSI corrigée, ancienne adresse désabonnée des listes.",
    "Projet Pégase confirmé pour la vague 2 ; contact DPI ajouté.",
    "VP numérique renouvelé après les élections.",
];

const CONTACT_NOTES: &[&str] = &[
    "Attentes : plus de Lab'U en région.",
    "Intérêt pour le pilote Sinaps.",
    "Satisfaits du support ; inquiétude sur la tarification.",
    "Demande un point annuel avec la gouvernance.",
];

/// Loads complaints, the campaign and the comité. `institutions` are
/// `(id, acronym)`; `contacts` the contacts of each institution id.
#[allow(clippy::too_many_arguments)]
pub async fn load(
    tx: &mut Conn,
    seed: u64,
    now: DateTime<Utc>,
    institutions: &[(Id, &str)],
    contacts: &HashMap<Id, Vec<Id>>,
    products: &HashMap<&str, Id>,
    managers: &[Id],
    agents: &[Id],
) -> anyhow::Result<EngagementSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0E1A_7106);
    let mut s = EngagementSummary::default();
    let stamp = ts(now);
    let teams: HashMap<String, String> = relais_store::support::list_teams(tx)
        .await?
        .into_iter()
        .map(|t| (t.code, t.id))
        .collect();
    let staff: Vec<Id> = managers.iter().chain(agents.iter()).copied().collect();
    if institutions.is_empty() || staff.is_empty() {
        return Ok(s);
    }
    let insa = institutions
        .iter()
        .find(|(_, a)| *a == "INSA Lyon")
        .map(|(i, _)| *i);

    // ---- complaints: about 70 over two years.
    for n in 0..70usize {
        let seed_row = &COMPLAINTS[rng.gen_range(0..COMPLAINTS.len())];
        let (touchpoint, severity, product, team, title, description, actions, answer) = *seed_row;
        // The demo member's institution: one recent open, one closed.
        let (inst, age_days, force_open) = match (n, insa) {
            (0, Some(i)) => (i, 12, true),
            (1, Some(i)) => (i, 200, false),
            _ => (
                institutions[rng.gen_range(0..institutions.len())].0,
                rng.gen_range(1..730),
                false,
            ),
        };
        let created = now - Duration::days(age_days) - Duration::minutes(rng.gen_range(0..600));
        let contact = contacts
            .get(&inst)
            .and_then(|c| c.choose(&mut rng).copied());
        let owner = staff[rng.gen_range(0..staff.len())];
        let closed = !force_open && age_days > 20 && rng.gen_bool(0.8);
        let close_days = rng.gen_range(3..60).min(age_days.max(1));
        let closed_at = closed.then(|| created + Duration::days(close_days));
        let status = if closed {
            "close"
        } else if age_days > 5 {
            "en_cours"
        } else {
            "nouvelle"
        };
        let id = Id::new();
        let channel = ["agent", "page", "telephone", "mail", "page"][rng.gen_range(0..5)];
        insert_complaint(
            tx,
            id,
            &ComplaintValues {
                institution_id: inst.to_string(),
                contact_id: contact.map(|c| c.to_string()),
                filed_by: Some(owner.to_string()),
                channel: channel.into(),
                touchpoint: touchpoint.into(),
                severity: severity.into(),
                title: title.into(),
                description: description.into(),
                product_id: product.and_then(|p| products.get(p)).map(|p| p.to_string()),
                ticket_id: None,
                team_id: team.and_then(|t| teams.get(t)).cloned(),
                owner_id: Some(owner.to_string()),
                due_on: Some(date((created + Duration::days(30)).date_naive())),
                status: "nouvelle".into(),
            },
            &ts(created),
        )
        .await?;
        if let Some(c) = closed_at {
            close_complaint(tx, id, answer, &ts(c)).await?;
        } else if status == "en_cours" {
            start_treatment(tx, id, &stamp).await?;
        }
        if rng.gen_bool(0.5) || n == 0 {
            insert_note(
                tx,
                Id::new(),
                id,
                Some(owner),
                NOTES[rng.gen_range(0..NOTES.len())],
                &ts(created + Duration::hours(3)),
            )
            .await?;
        }
        if status != "nouvelle" {
            for (k, a) in actions.iter().enumerate() {
                let action = Id::new();
                let due = created + Duration::days(15 + 10 * k as i64);
                let action_status = match (closed, k) {
                    (true, _) => "faite",
                    (false, 0) => "en_cours",
                    _ => "a_faire",
                };
                insert_action(
                    tx,
                    action,
                    id,
                    &ActionValues {
                        title: (*a).into(),
                        details: Some(format!(
                            "Piloté par le pôle ; point d'étape en comité de direction (réclamation n° {}).",
                            n + 1
                        )),
                        owner_id: Some(staff[rng.gen_range(0..staff.len())].to_string()),
                        due_on: Some(date(due.date_naive())),
                        status: action_status.into(),
                    },
                    &ts(created + Duration::days(1)),
                )
                .await?;
                if let (true, Some(c)) = (closed, closed_at) {
                    set_action_status(tx, id, action, "faite", Some(date(c.date_naive())), &ts(c))
                        .await?;
                }
                s.corrective_actions += 1;
            }
        }
        s.complaints += 1;
    }

    // ---- the campaign of qualified contacts with every member.
    let start = now - Duration::days(75);
    let campaign = Id::new();
    insert_campaign(
        tx,
        campaign,
        &CampaignValues {
            title: format!("Campagne de contacts qualifiés {}", start.format("%Y")),
            description: Some(
                "Contacter chaque adhérent pour **mettre à jour les interlocuteurs** (DGS, DAF, DRH, DSI, VP numérique), recueillir ses projets et ses attentes.\n\n- un échange par établissement, par le chargé de relation ;\n- noter les données corrigées dans la fiche de l'échange."
                    .into(),
            ),
            starts_on: date(start.date_naive()),
            ends_on: Some(date((now + Duration::days(120)).date_naive())),
        },
        managers.first().copied(),
        &ts(start),
    )
    .await?;
    for (inst, manager) in member_institutions(tx).await? {
        let target = Id::new();
        insert_target(tx, target, campaign, &inst, manager.clone(), &ts(start)).await?;
        s.campaign_targets += 1;
        let roll: f64 = rng.gen();
        let inst_id = Id::parse(&inst);
        let person = inst_id
            .and_then(|i| contacts.get(&i))
            .and_then(|c| c.choose(&mut rng).copied());
        let recorder = manager.as_deref().and_then(Id::parse);
        let on = |rng: &mut ChaCha8Rng| {
            date((start + Duration::days(rng.gen_range(1..74))).date_naive())
        };
        if roll < 0.12 {
            // Tried, to call back: still to contact.
            insert_contact_record(
                tx,
                Id::new(),
                target,
                &ContactRecordValues {
                    contacted_on: on(&mut rng),
                    contact_id: person.map(|p| p.to_string()),
                    outcome: "rappeler".into(),
                    corrections: None,
                    notes: Some("Absent·e, rappeler la semaine prochaine.".into()),
                },
                recorder,
                &stamp,
            )
            .await?;
        } else if roll < 0.52 {
            let outcome = [
                "joint",
                "corrige",
                "corrige",
                "injoignable",
                "refus",
                "joint",
                "corrige",
            ][rng.gen_range(0..7)];
            let corrections = (outcome == "corrige")
                .then(|| CORRECTIONS[rng.gen_range(0..CORRECTIONS.len())].to_string());
            insert_contact_record(
                tx,
                Id::new(),
                target,
                &ContactRecordValues {
                    contacted_on: on(&mut rng),
                    contact_id: person
                        .filter(|_| outcome != "injoignable")
                        .map(|p| p.to_string()),
                    outcome: outcome.into(),
                    corrections,
                    notes: Some(CONTACT_NOTES[rng.gen_range(0..CONTACT_NOTES.len())].into()),
                },
                recorder,
                &stamp,
            )
            .await?;
            let status = match outcome {
                "injoignable" => "injoignable",
                "refus" => "refus",
                _ => "contacte",
            };
            set_target_status(tx, target, status, &stamp).await?;
            s.campaign_done += 1;
        }
    }

    // ---- the comité: ten institutions' contacts and two agency people.
    let mut picked = 0;
    for (i, (inst, _)) in institutions.iter().enumerate() {
        if picked >= 10 {
            break;
        }
        let Some(c) = contacts.get(inst).and_then(|c| c.first()) else {
            continue;
        };
        let role = match picked {
            0 => "president",
            1 => "vice_president",
            _ => "membre",
        };
        let since = now - Duration::days(400 + 10 * i as i64);
        insert_comite_member(
            tx,
            Id::new(),
            Some(c.to_string()),
            None,
            role,
            &date(since.date_naive()),
            &stamp,
        )
        .await?;
        picked += 1;
        s.comite_members += 1;
    }
    for u in managers.iter().take(2) {
        insert_comite_member(
            tx,
            Id::new(),
            None,
            Some(u.to_string()),
            "secretariat",
            &date((now - Duration::days(400)).date_naive()),
            &stamp,
        )
        .await?;
        s.comite_members += 1;
    }
    let meetings: [(i64, &str, &str, Option<&str>); 4] = [
        (
            -300,
            "Comité de la relation établissements — séance d'installation",
            "1. Installation du comité et élection de la présidence\n2. Présentation du plan d'action de l'Amue\n3. Méthode de recueil des irritants",
            Some("## Décisions\n\n- La présidence est confiée à un DGS d'université, la vice-présidence à une école.\n- Le comité se réunit **trois fois par an**.\n\n## Suites\n\n1. L'Amue présente à chaque séance l'analyse des réclamations par irritant.\n2. Les membres relaient les attentes de leurs réseaux (DGS, DAF, DRH)."),
        ),
        (
            -180,
            "Comité de la relation établissements — bilan des réclamations",
            "1. Analyse des irritants des six derniers mois\n2. Facturation de la redevance : retours des établissements\n3. Calendrier des vagues Pégase",
            Some("## Points clés\n\n- La **facturation** et le **support paie** concentrent la moitié des réclamations.\n- La facture détaillera désormais chaque produit.\n\n| Irritant | Tendance |\n|---|---|\n| Facturation | en baisse |\n| Support | stable |"),
        ),
        (
            -40,
            "Comité de la relation établissements — campagne de contacts",
            "1. Lancement de la campagne de contacts qualifiés\n2. Premiers retours des chargés de relation\n3. Questions diverses",
            Some("## Campagne\n\nLe comité valide le questionnaire de la campagne ; chaque membre relaie l'annonce auprès de son réseau.\n\n> Objectif : un échange avec chaque adhérent avant la fin de la campagne."),
        ),
        (
            45,
            "Comité de la relation établissements — séance à venir",
            "1. Bilan de la campagne de contacts qualifiés\n2. Suivi des actions correctives\n3. Programme des Lab'U",
            None,
        ),
    ];
    for (offset, title, agenda, minutes) in meetings {
        insert_meeting(
            tx,
            Id::new(),
            &MeetingValues {
                held_on: date((now + Duration::days(offset)).date_naive()),
                title: title.into(),
                place: Some("Amue, 103 boulevard Saint-Michel, Paris".into()),
                agenda: agenda.into(),
                minutes: minutes.map(str::to_string),
            },
            &stamp,
        )
        .await?;
        s.comite_meetings += 1;
    }
    Ok(s)
}
