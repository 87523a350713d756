//! Support demo data: teams routed by product, service contracts for every
//! member, and two years of plausible tickets in French with replies,
//! internal notes, shared tickets, "nous aussi" and incidents.

use chrono::{DateTime, Datelike, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::calendar::BusinessCalendar;
use relais_domain::crm::CalendarKind;
use relais_domain::sla;
use relais_domain::Id;
use relais_store::support::*;
use relais_store::{ts, Conn};
use std::collections::HashMap;

/// (product, subject, request, answer): the problems members report.
pub const PROBLEMS: &[(&str, &str, &str, &str)] = &[
    ("siham", "Rejet de la préliquidation de paie", "Bonjour, la préliquidation de la paie de ce mois est rejetée avec l'erreur PAI-201 sur les agents contractuels. Pouvez-vous nous aider ?", "Le rejet vient d'un code indemnitaire non paramétré pour les contractuels. Ajoutez la rubrique dans la table ZY-IND puis relancez la préliquidation."),
    ("siham", "Bulletin de salaire avec un montant de SFT erroné", "Le supplément familial de traitement calculé pour un agent à temps partiel est faux depuis la dernière version.", "Le correctif du calcul du SFT au prorata est livré dans Siham 5.4 ; en attendant, saisissez le montant en forçage."),
    ("siham", "Paie : DSN mensuelle bloquée au dépôt", "Notre DSN mensuelle est refusée par net-entreprises (bloc 78 manquant).", "Régénérez la DSN après avoir complété l'organisme complémentaire dans la fiche de l'agent."),
    ("sifac", "Mandat rejeté par le comptable (FI-402)", "Le mandat de paie est rejeté par l'agent comptable avec l'erreur FI-402 dans Sifac.", "Purgez le cache du poste comptable puis relancez le mandatement ; le correctif définitif est dans la V1R15."),
    ("sifac", "Clôture de l'exercice : écart sur les immobilisations", "L'état des immobilisations ne correspond pas au grand livre pour la clôture.", "Lancez la transaction de rapprochement AS-RAP puis corrigez les fiches d'immobilisation en anomalie."),
    ("sifac", "Erreur lors de l'édition des bons de commande", "L'édition PDF des bons de commande échoue depuis la mise à jour.", "Le modèle d'édition a été modifié ; réimportez le formulaire livré avec la version."),
    ("demat", "Pièces justificatives non transmises au comptable", "Les PJ dématérialisées ne sont plus visibles par l'agence comptable.", "Le flux de transfert était arrêté ; il a été relancé côté hébergement."),
    ("apogee", "Inscription administrative bloquée (IA)", "Impossible de valider les inscriptions administratives des étudiants en double cursus.", "Appliquez le patch 6.30.2 qui corrige le contrôle de double inscription."),
    ("apogee", "Remontée SISE en erreur", "La remontée SISE signale des diplômes sans code SISE.", "Complétez la table des diplômes avec les codes SISE manquants puis relancez l'extraction."),
    ("pegase", "Pégase : maquette de formation non publiée", "La maquette de licence n'apparaît pas dans le module inscriptions de Pégase.", "La publication nécessite la validation de la version de maquette ; validez-la dans le module ODF."),
    ("pegase", "API Pégase : erreur 500 sur la synchronisation des apprenants", "Notre connecteur LDAP reçoit une erreur 500 de l'API apprenants.", "Un correctif de l'API a été déployé ; relancez la synchronisation complète."),
    ("evrp", "EvRP : export du document unique vide", "L'export du document unique ne contient aucune unité de travail.", "Les unités doivent être rattachées à une structure active ; corrigez le rattachement."),
    ("geslab", "Geslab : ligne de crédit non visible", "Une ligne de crédit créée dans Sifac n'apparaît pas dans Geslab.", "L'interface Sifac-Geslab se relance chaque nuit ; forcez la synchronisation depuis l'administration."),
    ("sinaps", "Sinaps : flux des structures en échec", "Le flux des structures vers l'annuaire échoue depuis la v1.3.01.", "Mettez à jour le connecteur en v1.3.02 qui corrige le format des dates."),
    ("fca", "FCA Manager : convention de stage non générée", "La génération des conventions de formation échoue.", "Le modèle Word contient un champ obsolète ; utilisez le modèle livré avec la 8.6."),
    ("caplab", "Caplab : candidature AAP impossible à déposer", "Les chercheurs ne peuvent pas déposer leur candidature à l'appel à projets interne.", "La date de clôture de l'AAP était mal saisie ; elle a été corrigée."),
    ("sinchro", "Sinchro : salles en double dans l'emploi du temps", "Des réservations apparaissent en double après l'import.", "Supprimez l'import partiel et relancez-le avec l'option de dédoublonnage."),
    ("siham_pms", "Siham PMS : écart de masse salariale prévisionnelle", "La projection de masse salariale diffère de 2 % du réalisé.", "Les mesures catégorielles 2021 n'étaient pas chargées ; importez le fichier de mesures."),
    ("rof", "ROF : export vers le site web incomplet", "L'export des formations vers notre site web omet les parcours.", "Cochez l'option « exporter les parcours » dans le paramétrage de l'export."),
    ("conpere", "ConPeRe : contrat pédagogique non signé électroniquement", "La signature électronique du contrat pédagogique échoue.", "Le certificat de signature a expiré ; il a été renouvelé."),
];

const TEAMS: &[(&str, &str, &[&str])] = &[
    ("fin", "Pôle Finances", &["sifac", "demat"]),
    (
        "rh",
        "Pôle Ressources humaines",
        &["siham", "siham_pms", "evrp", "harpege"],
    ),
    (
        "fve",
        "Pôle Formation et vie étudiante",
        &["apogee", "pegase", "rof", "conpere", "fca"],
    ),
    ("rech", "Pôle Recherche", &["geslab", "caplab"]),
    (
        "pil",
        "Pôle Pilotage et référentiels",
        &["sinaps", "sinchro", "dialog", "sipi"],
    ),
];

fn business_instant(
    rng: &mut ChaCha8Rng,
    cal: &BusinessCalendar,
    from: DateTime<Utc>,
    span_days: i64,
) -> DateTime<Utc> {
    let t = from + Duration::minutes(rng.gen_range(0..span_days * 24 * 60));
    cal.add_business_minutes(t, 0)
}

/// Loads teams, contracts and tickets. `agents` are support users; the
/// tickets are spread over the two years before `now`.
#[allow(clippy::too_many_arguments)]
pub async fn load(
    tx: &mut Conn,
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
    products: &HashMap<&str, Id>,
    institutions: &[(Id, &str, &str)], // id, acronym, calendar kind
    deployments: &[(Id, &str)],        // institution, product code
    agents: &[(Id, &str)],
    requesters: &HashMap<Id, (Option<Id>, String, String)>, // institution → (user, name, email)
    n_tickets: usize,
) -> anyhow::Result<(usize, usize)> {
    let now_s = ts(now);
    // Service levels and calendars as data.
    let mut level_ids = HashMap::new();
    for (code, name, targets) in sla::default_levels() {
        let id = Id::new();
        upsert_level(
            tx,
            id,
            code,
            name,
            &serde_json::to_string(&targets)?,
            &now_s,
        )
        .await?;
        level_ids.insert(code, (id, targets));
    }
    let mut cal_ids = HashMap::new();
    for (code, name, kind) in [
        (
            "metropole",
            "Métropole (Europe/Paris)",
            CalendarKind::Metropole,
        ),
        (
            "alsace_moselle",
            "Alsace-Moselle",
            CalendarKind::AlsaceMoselle,
        ),
        (
            "outre_mer",
            "Outre-mer (heure de Paris)",
            CalendarKind::OutreMer,
        ),
    ] {
        let id = Id::new();
        let cal = BusinessCalendar::standard(kind);
        upsert_calendar(tx, id, code, name, &serde_json::to_string(&cal)?, &now_s).await?;
        cal_ids.insert(code, (id, cal));
    }
    // Teams, routed by product.
    for (i, (code, name, prods)) in TEAMS.iter().enumerate() {
        let id = Id::new();
        let lead = agents[i % agents.len()].0;
        insert_team(
            tx,
            id,
            code,
            name,
            Some(lead),
            Some(&format!("support-{code}@amue.test")),
            &now_s,
        )
        .await?;
        for (a, _) in agents {
            add_team_member(tx, id, *a).await?;
        }
        for p in *prods {
            if let Some(pid) = products.get(p) {
                set_product_team(tx, *pid, id).await?;
            }
        }
    }
    // A contract for every member: mostly socle, some renforcé or premium.
    let mut terms: HashMap<Id, (&str, BusinessCalendar)> = HashMap::new();
    for (i, (inst, _, cal)) in institutions.iter().enumerate() {
        let level = match i % 10 {
            0 => "premium",
            1 | 2 => "renforce",
            _ => "socle",
        };
        let (cal_id, calendar) = &cal_ids[cal];
        insert_contract(
            tx,
            Id::new(),
            *inst,
            &level_ids[level].0.to_string(),
            &cal_id.to_string(),
            "2019-01-01",
            None,
            &now_s,
        )
        .await?;
        terms.insert(*inst, (level, calendar.clone()));
    }
    // Tickets.
    let start = now - Duration::days(730);
    let mut counters: HashMap<i32, i64> = HashMap::new();
    let mut made: Vec<(Id, Id, &str, DateTime<Utc>)> = Vec::new(); // ticket, institution, product, created
    let eligible: Vec<&(Id, &str)> = deployments
        .iter()
        .filter(|(_, p)| PROBLEMS.iter().any(|x| x.0 == *p))
        .collect();
    for _ in 0..n_tickets {
        let (inst, product) = eligible[rng.gen_range(0..eligible.len())];
        let problems: Vec<_> = PROBLEMS.iter().filter(|x| x.0 == *product).collect();
        let (_, subject, request, answer) = problems[rng.gen_range(0..problems.len())];
        let (level, cal) = &terms[inst];
        let created = business_instant(rng, cal, start, 730);
        if created > now {
            continue;
        }
        let severity =
            ["bloquant", "majeur", "majeur", "mineur", "mineur", "mineur"][rng.gen_range(0..6)];
        let category = [
            "anomalie",
            "anomalie",
            "question",
            "evolution",
            "incident_production",
        ][rng.gen_range(0..5)];
        let target = sla::target_for(
            &level_ids[level].1,
            relais_domain::support::Severity::from_code(severity)
                .unwrap_or(relais_domain::support::Severity::Mineur),
        );
        let year = created.year();
        let n = counters.entry(year).or_insert(0);
        *n += 1;
        let id = Id::new();
        let (requester, rname, remail) = requesters.get(inst).cloned().unwrap_or((
            None,
            "Correspondant".into(),
            "contact@exemple.fr".into(),
        ));
        let age = (now - created).num_days();
        let team = team_of_product(tx, products[product]).await?;
        let c_s = ts(created);
        insert_ticket(
            tx,
            &NewTicket {
                id,
                reference: relais_domain::support::ticket_ref(year, *n),
                institution_id: *inst,
                requester_id: requester,
                requester_contact_id: None,
                requester_name: rname.clone(),
                requester_email: Some(remail.clone()),
                product_id: products[product],
                module: None,
                category: category.into(),
                severity: severity.into(),
                subject: subject.to_string(),
                team_id: team.map(|t| t.id),
                shared: rng.gen_bool(0.25),
                level_code: Some(level.to_string()),
                channel: if rng.gen_bool(0.3) {
                    "mail".into()
                } else {
                    "web".into()
                },
                first_response_due_at: target
                    .map(|t| ts(sla::due_at(cal, created, t.first_response, 0))),
                resolution_due_at: target.map(|t| ts(sla::due_at(cal, created, t.resolution, 0))),
            },
            &c_s,
        )
        .await?;
        // Timestamps of the story are set after insertion.
        sqlx::query("UPDATE tickets SET created_at = $1, updated_at = $1, last_status_at = $1 WHERE id = $2")
            .bind(c_s.clone()).bind(id.to_string()).execute(&mut *tx).await?;
        insert_message(
            tx,
            Id::new(),
            id,
            requester,
            &rname,
            "public",
            request,
            "web",
            None,
            &c_s,
        )
        .await?;
        insert_event(
            tx,
            id,
            requester,
            &rname,
            "status",
            None,
            Some("nouveau"),
            &c_s,
        )
        .await?;
        let (agent, agent_name) = agents[rng.gen_range(0..agents.len())];
        // Most tickets got a first answer within or near the target.
        let respond = created
            + Duration::minutes(
                rng.gen_range(20..(target.map(|t| t.first_response).unwrap_or(480) * 2).max(30)),
            );
        if respond < now {
            let r = cal.add_business_minutes(respond, 0).min(now);
            let r_s = ts(r);
            if rng.gen_bool(0.3) {
                insert_message(tx, Id::new(), id, Some(agent), agent_name, "internal", "Note interne : reproduit sur l'environnement de recette, voir avec l'éditeur si besoin.", "web", None, &r_s).await?;
            }
            insert_message(
                tx,
                Id::new(),
                id,
                Some(agent),
                agent_name,
                "public",
                "Bonjour, nous avons bien pris en compte votre demande et l'analysons.",
                "web",
                None,
                &r_s,
            )
            .await?;
            set_ticket_field(tx, id, "first_response_at", Some(r_s.clone()), &r_s).await?;
            set_ticket_field(tx, id, "assignee_id", Some(agent.to_string()), &r_s).await?;
            set_ticket_field(tx, id, "status", Some("en_cours".into()), &r_s).await?;
            insert_event(
                tx,
                id,
                Some(agent),
                agent_name,
                "status",
                Some("nouveau"),
                Some("en_cours"),
                &r_s,
            )
            .await?;
            // Older tickets are resolved, most then closed.
            if age > 10 || rng.gen_bool(0.3) {
                let days = target.map(|t| t.resolution / 450).unwrap_or(5).max(1);
                let solved = cal
                    .add_business_minutes(r + Duration::days(rng.gen_range(0..days * 2)), 60)
                    .min(now);
                let s_s = ts(solved);
                insert_message(
                    tx,
                    Id::new(),
                    id,
                    Some(agent),
                    agent_name,
                    "public",
                    answer,
                    "web",
                    None,
                    &s_s,
                )
                .await?;
                set_ticket_field(tx, id, "status", Some("resolu".into()), &s_s).await?;
                set_ticket_field(tx, id, "resolved_at", Some(s_s.clone()), &s_s).await?;
                insert_event(
                    tx,
                    id,
                    Some(agent),
                    agent_name,
                    "status",
                    Some("en_cours"),
                    Some("resolu"),
                    &s_s,
                )
                .await?;
                if age > 20 {
                    let closed = solved + Duration::days(7);
                    let cl_s = ts(closed.min(now));
                    set_ticket_field(tx, id, "status", Some("clos".into()), &cl_s).await?;
                    set_ticket_field(tx, id, "closed_at", Some(cl_s.clone()), &cl_s).await?;
                    insert_event(
                        tx,
                        id,
                        None,
                        "Relais",
                        "status",
                        Some("resolu"),
                        Some("clos"),
                        &cl_s,
                    )
                    .await?;
                }
            } else if rng.gen_bool(0.3) {
                let w = ts(r + Duration::hours(2));
                set_ticket_field(tx, id, "status", Some("attente_editeur".into()), &w).await?;
                insert_event(
                    tx,
                    id,
                    Some(agent),
                    agent_name,
                    "status",
                    Some("en_cours"),
                    Some("attente_editeur"),
                    &w,
                )
                .await?;
            }
        }
        made.push((id, *inst, product, created));
    }
    // New tickets continue the numbering of the generated ones.
    for (year, last) in &counters {
        sqlx::query("INSERT INTO ticket_counters (year, last_number) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number")
            .bind(*year as i64)
            .bind(*last)
            .execute(&mut *tx)
            .await?;
    }
    // "Nous aussi" on shared tickets, by institutions using the product.
    for (ticket, inst, product, created) in &made {
        if !rng.gen_bool(0.15) {
            continue;
        }
        let take = rng.gen_range(1..4);
        for (other, _) in deployments
            .iter()
            .filter(|(i, p)| i != inst && p == product)
            .take(take)
        {
            sqlx::query("UPDATE tickets SET shared = 1 WHERE id = $1")
                .bind(ticket.to_string())
                .execute(&mut *tx)
                .await?;
            upsert_follower(
                tx,
                *ticket,
                *other,
                agents[0].0,
                true,
                &ts(*created + Duration::days(1)),
            )
            .await?;
        }
    }
    // A few incidents grouping recent tickets of one product.
    let mut incidents = 0;
    for (product, title, open) in [
        (
            "siham",
            "Rejets de préliquidation PAI-201 après la version 5.4",
            true,
        ),
        ("sifac", "Mandats rejetés FI-402", false),
        ("pegase", "Erreurs 500 de l'API apprenants", true),
    ] {
        let group: Vec<_> = made
            .iter()
            .filter(|m| m.2 == product)
            .rev()
            .take(4)
            .collect();
        if group.len() < 2 {
            continue;
        }
        let inc = Id::new();
        insert_incident(
            tx,
            inc,
            products[product],
            title,
            Some("Plusieurs établissements signalent le même problème."),
            agents[0].0,
            &ts(group[0].3),
        )
        .await?;
        for (t, ..) in &group {
            set_ticket_field(tx, *t, "incident_id", Some(inc.to_string()), &now_s).await?;
        }
        if !open {
            resolve_incident(
                tx,
                inc,
                "Correctif livré et déployé chez tous les établissements concernés.",
                &now_s,
            )
            .await?;
        }
        incidents += 1;
    }
    // The knowledge base: one published article per known problem, drafted
    // from the answers above; a few are past their review date ("à revoir").
    for (i, (product, subject, request, answer)) in PROBLEMS.iter().enumerate() {
        let Some(pid) = products.get(product) else {
            continue;
        };
        let published = now - Duration::days(30 + 29 * i as i64);
        let review = if i % 7 == 3 {
            now - Duration::days(10)
        } else {
            (published + Duration::days(365)).max(now + Duration::days(60))
        };
        let id = Id::new();
        relais_store::knowledge::insert_article(
            tx,
            id,
            &relais_store::knowledge::ArticleValues {
                product_id: *pid,
                version: None,
                title: subject.to_string(),
                body: format!(
                    "## Symptôme\n\n{request}\n\n## Solution\n\n{answer}\n\n*Article rédigé à partir des tickets des établissements.*"
                ),
                review_on: Some(review.format("%Y-%m-%d").to_string()),
            },
            None,
            Some(agents[0].0),
            &ts(published - Duration::days(2)),
        )
        .await?;
        relais_store::knowledge::set_status(
            tx,
            id,
            "publie",
            Some(&ts(published)),
            None,
            &ts(published),
        )
        .await?;
    }
    Ok((made.len(), incidents))
}

/// A seeded generator separate from the CRM one, so adding support data
/// does not change the CRM demo.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed.wrapping_add(0x5u64 << 32))
}
