//! Demo training data from the plan: the catalogue it names per domain
//! (the e-learning modules for Sifac, Siham and EvRP, the SISE and
//! Business Objects trainings, the recouvrement training, Siham's
//! continuing offer, Pégase's pilot training…), a year of sessions around
//! `now` at the agency's Paris and Montpellier premises under the sanitary
//! protocol (rooms halved), trainers alone or in pairs, registrations with
//! attendance, a full session with a waiting list, requests awaiting the
//! referent, tailored sessions, and the executive cycles with IH2EF.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::training::{exec_modules, ExecFunction, EXEC_COMMON_MODULE};
use relais_domain::Id;
use relais_store::training::{self as st, NewSession, NewTraining};
use relais_store::{ts, Conn};
use std::collections::HashMap;

/// (code, title, kind, modality, half days, domain, product, objectives, audience)
type Seed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

const CATALOGUE: &[Seed] = &[
    ("SIFAC-EL-PRISE", "Sifac : prise de poste (module e-learning)", "continue", "elearning", 1, "finances", Some("sifac"),
     "Module autoporté pour les agents en prise de poste : naviguer dans Sifac, saisir et suivre un engagement.", "Agents en prise de poste utilisant Sifac"),
    ("SIFAC-EL-BC", "Sifac : bons de commande simples hors et sur marchés (e-learning)", "continue", "elearning", 1, "finances", Some("sifac"),
     "Module d'autoformation pour effectuer les bons de commande simples, hors marchés et sur marchés.", "Gestionnaires financiers"),
    ("SIHAM-EL-PRISE", "Siham : prise de poste (module e-learning)", "continue", "elearning", 1, "rh", Some("siham"),
     "Module autoporté à partir des transactions captées dans Siham, transformées en exercices pratiques.", "Gestionnaires RH en prise de poste"),
    ("EVRP-EL", "EvRP : utilisation du logiciel (module e-learning)", "continue", "elearning", 1, "rh", Some("evrp"),
     "Évaluer les risques professionnels et tenir le document unique dans EvRP.", "Assistants et conseillers de prévention"),
    ("SIFAC-BASE", "Sifac : les fondamentaux de la dépense", "continue", "presentiel", 6, "finances", Some("sifac"),
     "Maîtriser le flux de la dépense dans Sifac, de l'engagement au paiement.", "Gestionnaires financiers et comptables"),
    ("SIFAC-RECOUV", "Sifac : le recouvrement", "continue", "presentiel", 4, "finances", Some("sifac"),
     "Conduire le recouvrement des recettes : relances, admissions en non-valeur, suivi dans Sifac.", "Services de l'agence comptable"),
    ("PROSPECTIVE-FIN", "Prospective financière avec l'outil de la CPU", "continue", "hybride", 2, "finances", None,
     "Construire une prospective financière pluriannuelle avec simulationfinanciere.cpu.fr.", "Directions financières et du pilotage"),
    ("SIHAM-GA", "Siham : gestion administrative et carrière", "continue", "presentiel", 6, "rh", Some("siham"),
     "Gérer les actes administratifs et la carrière des personnels dans Siham.", "Gestionnaires RH"),
    ("SIHAM-PAIE", "Siham : préliquidation de la paie", "continue", "presentiel", 4, "rh", Some("siham"),
     "Préparer et contrôler la préliquidation de la paie dans Siham.", "Gestionnaires paie"),
    ("EVRP-DUER", "EvRP : le document unique en pratique", "continue", "distanciel", 2, "rh", Some("evrp"),
     "Mettre à jour le document unique et le plan d'actions de prévention.", "Conseillers de prévention"),
    ("GESLAB-BASE", "Geslab : prise en main", "continue", "hybride", 4, "recherche", Some("geslab"),
     "Suivre les crédits et les dépenses des unités de recherche dans Geslab.", "Gestionnaires d'unités"),
    ("APOGEE-SISE", "Apogée : gestion des remontées SISE", "continue", "presentiel", 2, "fve", Some("apogee"),
     "Appréhender les niveaux organisationnels et fonctionnels des remontées SISE, avec le SIES (DGESIP/MESRI).", "Directions des études et du pilotage"),
    ("APOGEE-IA", "Apogée : inscriptions administratives", "continue", "presentiel", 4, "fve", Some("apogee"),
     "Paramétrer la campagne et réaliser les inscriptions administratives.", "Scolarités"),
    ("BO-APOGEE", "Business Objects : l'univers Apogée", "specifique", "presentiel", 6, "fve", Some("apogee"),
     "Prendre en main Business Objects à travers les univers Apogée et les données de l'établissement.", "Utilisateurs de l'infocentre, sur le site de l'établissement"),
    ("SIHAM-DEPLOI", "Siham : formation de déploiement", "deploiement", "presentiel", 10, "rh", Some("siham"),
     "Formations nécessaires à la prise en main de Siham lors de son installation.", "Équipes des établissements qui déploient Siham"),
    ("PEGASE-PILOTE", "Pégase : formation des établissements pilotes", "deploiement", "distanciel", 6, "fve", Some("pegase"),
     "Utiliser les modules de Pégase sur le panel de formations choisi par l'établissement pilote.", "Équipes des établissements pilotes P1 et P2"),
];

/// `(id, institution, first name, last name, e-mail, function)` of a contact.
type ContactRow = (String, String, String, String, Option<String>, String);

#[derive(Debug, Default, Clone)]
pub struct TrainingSummary {
    pub trainings: usize,
    pub sessions: usize,
    pub registrations: usize,
    pub cycles: usize,
}

fn weekday_from(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Fri => d + Duration::days(3),
        Weekday::Sat => d + Duration::days(2),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

/// Consecutive working days covering `half_days` (the last one a morning
/// when the count is odd).
fn days_for(start: NaiveDate, half_days: i64) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut d = start;
    let mut left = half_days;
    while left > 0 {
        d = weekday_from(d);
        let part = if left >= 2 { "journee" } else { "matin" };
        out.push((d.to_string(), part.to_string()));
        left -= if left >= 2 { 2 } else { 1 };
        d += Duration::days(1);
    }
    out
}

struct Person {
    user: Id,
    institution: Id,
}

#[allow(clippy::too_many_arguments)]
async fn register(
    tx: &mut Conn,
    session: Id,
    p: &Person,
    status: &str,
    attended: Option<bool>,
    at: &str,
    decider: Id,
) -> anyhow::Result<bool> {
    let id = Id::new();
    if !st::insert_registration(tx, id, session, p.user, p.institution, "demande", at).await? {
        return Ok(false);
    }
    match status {
        "confirmee" => {
            if st::take_seat(tx, session).await? {
                st::decide(tx, id, "confirmee", decider, at).await?;
                st::set_attendance(tx, id, attended).await?;
            } else {
                st::decide(tx, id, "attente", decider, at).await?;
            }
        }
        "attente" => st::decide(tx, id, "attente", decider, at).await?,
        _ => {}
    }
    Ok(true)
}

#[allow(clippy::too_many_arguments)]
pub async fn load(
    tx: &mut Conn,
    seed: u64,
    now: DateTime<Utc>,
    products: &HashMap<&str, Id>,
    institutions: &[(Id, &str)],
    hash: &str,
) -> anyhow::Result<TrainingSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7261_696e);
    let now_s = ts(now);
    let today = now.date_naive();
    let mut s = TrainingSummary::default();
    relais_store::watchdog::set_setting(tx, "training.sanitary_percent", "50", &now_s).await?;
    relais_store::watchdog::set_setting(tx, "training.cancel_deadline_days", "7", &now_s).await?;

    let member = relais_store::accounts::find_user_by_email(tx, "membre@relais.test").await?;
    let referent = relais_store::accounts::find_user_by_email(tx, "referent@relais.test").await?;
    let trainer = relais_store::accounts::find_user_by_email(tx, "formateur@relais.test").await?;
    let domaine = relais_store::accounts::find_user_by_email(tx, "domaine@relais.test").await?;
    let nantes =
        relais_store::accounts::find_user_by_email(tx, "membre.nantes@relais.test").await?;
    let id = |u: &relais_store::accounts::UserRow| Id::parse_stored(&u.id);
    let inst_of = |u: &relais_store::accounts::UserRow| {
        Id::parse_stored(u.institution_id.as_deref().unwrap_or_default())
    };
    let decider = id(&domaine)?;

    // Trainees: accounts for two staff of forty institutions, drawn from
    // their contacts (besides the demo's own member accounts).
    let contacts: Vec<ContactRow> = sqlx::query_as(
        "SELECT id, institution_id, first_name, last_name, email, function FROM contacts ORDER BY institution_id, id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut by_inst: HashMap<String, Vec<&ContactRow>> = HashMap::new();
    for c in &contacts {
        by_inst.entry(c.1.clone()).or_default().push(c);
    }
    let mut trainees: Vec<Person> = vec![
        Person {
            user: id(&member)?,
            institution: inst_of(&member)?,
        },
        Person {
            user: id(&nantes)?,
            institution: inst_of(&nantes)?,
        },
    ];
    let mut picked: Vec<(Id, Id)> = institutions.iter().map(|(i, _)| (*i, *i)).collect();
    picked.shuffle(&mut rng);
    // The demo accounts' institutions always have trainees of their own.
    for own in [inst_of(&nantes)?, inst_of(&member)?] {
        if let Some(i) = picked.iter().position(|p| p.0 == own) {
            let p = picked.remove(i);
            picked.insert(0, p);
        }
    }
    let mut trainers: Vec<Id> = vec![id(&trainer)?];
    for (n, (inst, _)) in picked.iter().take(40).enumerate() {
        let Some(list) = by_inst.get(&inst.to_string()) else {
            continue;
        };
        for c in list
            .iter()
            .filter(|c| !["dgs", "daf", "drh", "dsi"].contains(&c.5.as_str()))
            .take(2)
        {
            let Some(email) = &c.4 else { continue };
            let uid = Id::new();
            // Five occasional trainers come from member institutions.
            let role = if (2..7).contains(&n) && trainers.len() < 6 {
                "trainer"
            } else {
                "member"
            };
            relais_store::accounts::insert_user(
                tx,
                uid,
                &relais_store::accounts::UserValues {
                    email: email.clone(),
                    display_name: format!("{} {}", c.2, c.3),
                    role: role.into(),
                    institution_id: Some(inst.to_string()),
                    locale: "fr".into(),
                    active: true,
                },
                Some(hash.to_string()),
                &now_s,
            )
            .await?;
            if role == "trainer" {
                trainers.push(uid);
            } else {
                trainees.push(Person {
                    user: uid,
                    institution: *inst,
                });
            }
        }
    }

    // The catalogue.
    let mut ids: HashMap<&str, (Id, &Seed)> = HashMap::new();
    for (n, t) in CATALOGUE.iter().enumerate() {
        let tid = Id::new();
        st::insert_training(
            tx,
            tid,
            &NewTraining {
                code: t.0,
                title: t.1,
                kind: t.2,
                modality: t.3,
                half_days: t.4,
                domain_code: Some(t.5),
                product_id: t.6.and_then(|p| products.get(p)).map(|p| p.to_string()).as_deref(),
                objectives: Some(t.7),
                audience: Some(t.8),
                prerequisites: (t.2 == "continue" && t.3 != "elearning").then_some("Avoir suivi le module e-learning de prise de poste, ou pratiquer l'outil depuis six mois."),
                moodle_url: Some(&format!("https://campus-amue.unilim.fr/course/view.php?id={}", 120 + n)),
            },
            &now_s,
        )
        .await?;
        ids.insert(t.0, (tid, t));
        s.trainings += 1;
    }

    let places = [
        "Amue, Paris — 103 boulevard Saint-Michel",
        "Amue, Montpellier — Parc Euromédecine",
    ];
    // Continuing sessions: four a year per training, from nine months ago to three months ahead.
    let mut full_future: Option<Id> = None;
    let mut open_future: Vec<Id> = vec![];
    let mut member_done: Option<Id> = None;
    let mut k = 0usize;
    for t in CATALOGUE
        .iter()
        .filter(|t| t.2 == "continue" && t.3 != "elearning")
    {
        let (tid, _) = ids[t.0];
        for q in 0..4i64 {
            k += 1;
            let offset = -270 + q * 100 + ((k as i64 * 13) % 40);
            let start = weekday_from(today + Duration::days(offset));
            let days = days_for(start, t.4);
            let first = days.first().map(|d| d.0.clone()).unwrap_or_default();
            let last = days.last().map(|d| d.0.clone()).unwrap_or_default();
            let past = first < today.to_string();
            let visio = t.3 == "distanciel";
            let sid = Id::new();
            let pair = k.is_multiple_of(4);
            st::insert_session_full(
                tx,
                sid,
                &NewSession {
                    training: tid,
                    starts_on: &first,
                    ends_on: &last,
                    place: (!visio).then_some(places[k % 2]),
                    visio_url: visio.then_some("https://visio.amue.test/formation"),
                    room_capacity: 16,
                    capacity: 8,
                    status: if past { "realisee" } else { "ouverte" },
                    institution: None,
                    half_days: t.4,
                },
                &now_s,
            )
            .await?;
            st::replace_session_days(tx, sid, &days).await?;
            let mut ts_ = vec![trainers[k % trainers.len()]];
            if pair {
                ts_.push(trainers[(k + 1) % trainers.len()]);
            }
            st::set_session_trainers(tx, sid, &ts_).await?;
            s.sessions += 1;
            // Registrations: held sessions were nearly full; upcoming ones fill up.
            let want = if past {
                rng.gen_range(5..=8)
            } else {
                rng.gen_range(2..=6)
            };
            let mut pool: Vec<&Person> = trainees.iter().skip(2).collect();
            pool.shuffle(&mut rng);
            // Seats are taken while the session is open; a held one is closed afterwards.
            if past {
                st::set_session_status(tx, sid, "ouverte").await?;
            }
            let at = ts(now - Duration::days((-offset).max(0) + 30));
            if past && member_done.is_none() && t.0.starts_with("SIHAM") {
                register(
                    tx,
                    sid,
                    &trainees[0],
                    "confirmee",
                    Some(true),
                    &at,
                    id(&referent)?,
                )
                .await?;
                member_done = Some(sid);
                s.registrations += 1;
            }
            for p in pool.iter().take(want) {
                let present = past.then(|| rng.gen_bool(0.9));
                if register(tx, sid, p, "confirmee", present, &at, decider).await? {
                    s.registrations += 1;
                }
            }
            if past {
                st::set_session_status(tx, sid, "realisee").await?;
            } else if full_future.is_none() && t.0 == "SIHAM-GA" {
                full_future = Some(sid);
            } else {
                open_future.push(sid);
            }
        }
    }

    // The soonest Siham session is full, with a waiting list where the demo
    // member is second; the member also awaits their referent on another.
    if let Some(sid) = full_future {
        let at = ts(now - Duration::days(10));
        let (_, _, taken, capacity) = st::session_counts(tx, sid).await?;
        let mut extra = trainees
            .iter()
            .skip(2)
            .filter(|p| p.institution != trainees[0].institution)
            .rev();
        let mut filled = taken;
        for p in extra.by_ref() {
            if filled >= capacity {
                break;
            }
            if register(tx, sid, p, "confirmee", None, &at, decider).await? {
                filled += 1;
            }
        }
        for p in extra {
            if register(
                tx,
                sid,
                p,
                "attente",
                None,
                &ts(now - Duration::days(9)),
                decider,
            )
            .await?
            {
                break;
            }
        }
        register(
            tx,
            sid,
            &trainees[0],
            "attente",
            None,
            &ts(now - Duration::days(8)),
            id(&referent)?,
        )
        .await?;
        s.registrations += 10;
    }
    if let Some(sid) = open_future.iter().find(|_| true) {
        register(
            tx,
            *sid,
            &trainees[0],
            "demande",
            None,
            &ts(now - Duration::days(2)),
            decider,
        )
        .await?;
        s.registrations += 1;
    }
    // A colleague of the demo member also waits for the referent.
    if let Some(sid) = open_future.get(1) {
        if let Some(colleague) = trainees
            .iter()
            .skip(2)
            .find(|p| p.institution == trainees[0].institution)
        {
            register(
                tx,
                *sid,
                colleague,
                "demande",
                None,
                &ts(now - Duration::days(1)),
                decider,
            )
            .await?;
            s.registrations += 1;
        }
    }

    // Tailored Business Objects sessions on two institutions' sites, and
    // deployment training for Pégase's pilots.
    for (n, (inst, acronym)) in institutions
        .iter()
        .take(40)
        .enumerate()
        .filter(|(n, _)| n % 19 == 3)
    {
        let (tid, t) = ids["BO-APOGEE"];
        let start = weekday_from(today - Duration::days(60 + 30 * n as i64));
        let days = days_for(start, t.4);
        let sid = Id::new();
        st::insert_session_full(
            tx,
            sid,
            &NewSession {
                training: tid,
                starts_on: &days[0].0,
                ends_on: &days[days.len() - 1].0,
                place: Some(&format!("Sur site — {acronym}")),
                visio_url: None,
                room_capacity: 12,
                capacity: 6,
                status: "ouverte",
                institution: Some(*inst),
                half_days: t.4,
            },
            &now_s,
        )
        .await?;
        st::replace_session_days(tx, sid, &days).await?;
        st::set_session_trainers(tx, sid, &[trainers[n % trainers.len()]]).await?;
        for p in trainees.iter().filter(|p| p.institution == *inst).take(4) {
            register(
                tx,
                sid,
                p,
                "confirmee",
                Some(true),
                &ts(now - Duration::days(90)),
                decider,
            )
            .await?;
            s.registrations += 1;
        }
        st::set_session_status(tx, sid, "realisee").await?;
        s.sessions += 1;
    }
    let (tid, t) = ids["PEGASE-PILOTE"];
    let start = weekday_from(today - Duration::days(150));
    let days = days_for(start, t.4);
    let sid = Id::new();
    st::insert_session_full(
        tx,
        sid,
        &NewSession {
            training: tid,
            starts_on: &days[0].0,
            ends_on: &days[days.len() - 1].0,
            place: None,
            visio_url: Some("https://visio.amue.test/pegase"),
            room_capacity: 30,
            capacity: 15,
            status: "realisee",
            institution: None,
            half_days: t.4,
        },
        &now_s,
    )
    .await?;
    st::replace_session_days(tx, sid, &days).await?;
    st::set_session_trainers(tx, sid, &trainers[..2.min(trainers.len())]).await?;
    s.sessions += 1;

    // Executive cycles with IH2EF: the 2020-2022 cohort of each function.
    let heads: Vec<&ContactRow> = contacts.iter().collect();
    for f in ExecFunction::ALL {
        let cid = Id::new();
        st::insert_cycle(
            tx,
            cid,
            &st::CycleRow {
                id: cid.to_string(),
                function_code: f.code().into(),
                title: format!("Cycle de formation des {}", f.code()),
                partner: "IH2EF".into(),
                cohort: "2020-2022".into(),
                starts_on: "2020-10-05".into(),
                ends_on: "2022-06-30".into(),
                participants: 0,
            },
            &now_s,
        )
        .await?;
        let [a, b, c] = exec_modules(*f);
        for (code, title, from, to, modality) in [
            (
                "commun",
                EXEC_COMMON_MODULE,
                "2020-10-05",
                "2020-10-09",
                "presentiel",
            ),
            ("A", a, "2021-03-15", "2021-03-19", "hybride"),
            ("B", b, "2021-10-11", "2021-10-15", "hybride"),
            ("C", c, "2022-03-14", "2022-03-18", "hybride"),
        ] {
            st::insert_module(
                tx,
                cid,
                &st::ModuleRow {
                    id: String::new(),
                    code: code.into(),
                    title: title.into(),
                    starts_on: Some(from.into()),
                    ends_on: Some(to.into()),
                    modality: modality.into(),
                },
            )
            .await?;
        }
        let wanted = f.code().to_lowercase();
        let mut people: Vec<_> = heads.iter().filter(|c| c.5 == wanted).collect();
        people.shuffle(&mut rng);
        for c in people.iter().take(rng.gen_range(8..=14)) {
            if let (Some(ct), Some(inst)) = (Id::parse(&c.0), Id::parse(&c.1)) {
                st::add_participant(tx, cid, ct, inst).await?;
            }
        }
        s.cycles += 1;
    }
    Ok(s)
}
