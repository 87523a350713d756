//! Steering: the agency's yearly action plan as data (units, objectives,
//! deliverables), the statuses a deliverable goes through, and the two
//! rules a director reads first: which deliverables are *late* and which
//! are *at risk*. Pure functions of a deliverable and today's date.

use crate::code_enum;
use crate::shared::{parse_date, required_text, DomainError, Violations};
use chrono::NaiveDate;

code_enum!(
    /// Where a deliverable stands.
    DeliverableStatus {
    ALancer => ("a_lancer", "À lancer", "Not started"),
    EnCours => ("en_cours", "En cours", "In progress"),
    Livre => ("livre", "Livré", "Delivered"),
    Reporte => ("reporte", "Reporté", "Postponed"),
    Abandonne => ("abandonne", "Abandonné", "Abandoned"),
});

impl DeliverableStatus {
    /// Still expected: not delivered and not abandoned.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            DeliverableStatus::Livre | DeliverableStatus::Abandonne
        )
    }

    /// A status that needs a comment saying why (a postponement or an
    /// abandonment is a decision someone must be able to read later).
    pub fn needs_comment(self) -> bool {
        matches!(
            self,
            DeliverableStatus::Reporte | DeliverableStatus::Abandonne
        )
    }

    /// Finds a status by its code or its French label, ignoring case and
    /// accents (`Livré`, `livre`, `LIVRE`), as spreadsheets write them.
    pub fn parse(s: &str) -> Option<Self> {
        let f = crate::fold(s.trim()).replace([' ', '-'], "_");
        Self::ALL
            .iter()
            .copied()
            .find(|st| st.code() == f || crate::fold(st.label_fr()).replace(' ', "_") == f)
    }
}

code_enum!(
    /// A plan's unit: an agency department or a business domain.
    UnitKind {
    Departement => ("departement", "Département", "Department"),
    Domaine => ("domaine", "Domaine métier", "Business domain"),
});

code_enum!(
    /// What proves a deliverable.
    LinkKind {
    Ticket => ("ticket", "Ticket", "Ticket"),
    Incident => ("incident", "Incident", "Incident"),
    Training => ("formation", "Formation", "Training"),
    Campaign => ("campagne", "Campagne", "Campaign"),
    Publication => ("publication", "Publication", "Publication"),
    Document => ("document", "Document", "Document"),
});

code_enum!(
    /// What a director sees next to a deliverable.
    Health {
    OnTrack => ("dans_les_temps", "Dans les temps", "On track"),
    AtRisk => ("a_risque", "À risque", "At risk"),
    Late => ("en_retard", "En retard", "Late"),
    Closed => ("clos", "Clos", "Closed"),
});

/// Days before the due date within which an open deliverable whose progress
/// is below [`AT_RISK_PROGRESS`] is at risk.
pub const AT_RISK_DAYS: i64 = 30;
/// Progress (in %) an open deliverable should have reached when its due date
/// is less than [`AT_RISK_DAYS`] away.
pub const AT_RISK_PROGRESS: i64 = 75;
/// Days before the due date within which a deliverable still "à lancer" is
/// at risk whatever else.
pub const NOT_STARTED_DAYS: i64 = 60;

/// The health of a deliverable on `today`:
/// - closed when delivered or abandoned;
/// - late when open and its due date is before today;
/// - at risk when open, not late, and either due within 30 days with
///   progress under 75 %, or still "à lancer" within 60 days of its due date;
/// - on track otherwise.
pub fn health(
    status: DeliverableStatus,
    due_on: NaiveDate,
    progress: i64,
    today: NaiveDate,
) -> Health {
    if !status.is_open() {
        return Health::Closed;
    }
    let days_left = (due_on - today).num_days();
    if days_left < 0 {
        Health::Late
    } else if (days_left <= AT_RISK_DAYS && progress < AT_RISK_PROGRESS)
        || (status == DeliverableStatus::ALancer && days_left <= NOT_STARTED_DAYS)
    {
        Health::AtRisk
    } else {
        Health::OnTrack
    }
}

/// A deliverable as typed in a form or read from a file, before checks.
#[derive(Debug, Clone, Default)]
pub struct DeliverableInput {
    pub title: String,
    pub due_on: String,
    pub starts_on: Option<String>,
    pub status: String,
    pub progress: String,
    pub weight: String,
}

/// A deliverable's checked values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverableFields {
    pub title: String,
    pub due_on: NaiveDate,
    pub starts_on: Option<NaiveDate>,
    pub status: DeliverableStatus,
    pub progress: i64,
    pub weight: i64,
}

fn int_in(v: &mut Violations, field: &'static str, s: &str, default: i64, lo: i64, hi: i64) -> i64 {
    let t = s.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return default;
    }
    match t.parse::<i64>() {
        Ok(n) if (lo..=hi).contains(&n) => n,
        _ => {
            v.push(
                "out_of_range",
                field,
                format!("Un nombre entier de {lo} à {hi} est attendu (« {t} »)."),
            );
            default
        }
    }
}

impl TryFrom<DeliverableInput> for DeliverableFields {
    type Error = DomainError;
    fn try_from(i: DeliverableInput) -> Result<Self, DomainError> {
        let mut v = Violations::default();
        let title = required_text(&mut v, "titre", &i.title, 300);
        let due = parse_date(&mut v, "echeance", Some(&i.due_on));
        if due.is_none() && i.due_on.trim().is_empty() {
            v.push("required", "echeance", "Ce champ est obligatoire.");
        }
        let starts = parse_date(&mut v, "debut", i.starts_on.as_deref());
        let status = if i.status.trim().is_empty() {
            Some(DeliverableStatus::ALancer)
        } else {
            DeliverableStatus::parse(&i.status)
        };
        if status.is_none() {
            v.push(
                "invalid_status",
                "statut",
                format!(
                    "Statut inconnu « {} » (attendu : à lancer, en cours, livré, reporté ou abandonné).",
                    i.status.trim()
                ),
            );
        }
        let mut progress = int_in(&mut v, "avancement", &i.progress, 0, 0, 100);
        let weight = int_in(&mut v, "poids", &i.weight, 1, 1, 10);
        if let (Some(s), Some(d)) = (starts, due) {
            if s > d {
                v.push(
                    "start_after_due",
                    "debut",
                    "Le début est postérieur à l'échéance.",
                );
            }
        }
        if status == Some(DeliverableStatus::Livre) && i.progress.trim().is_empty() {
            progress = 100;
        } else if status == Some(DeliverableStatus::Livre) && progress != 100 {
            v.push(
                "delivered_progress",
                "avancement",
                "Un livrable livré est avancé à 100 %.",
            );
        }
        v.into_result()?;
        Ok(DeliverableFields {
            title: title.unwrap_or_default(),
            due_on: due.unwrap_or_default(),
            starts_on: starts,
            status: status.unwrap_or(DeliverableStatus::ALancer),
            progress,
            weight,
        })
    }
}

/// Checks a status change: a postponement or an abandonment needs a comment,
/// a change to the same status is refused (nothing would change).
pub fn check_status_change(
    from: DeliverableStatus,
    to: DeliverableStatus,
    comment: &str,
) -> Result<(), DomainError> {
    if from == to {
        return Err(DomainError::invalid(
            "same_status",
            "statut",
            "Le livrable a déjà ce statut.",
        ));
    }
    if to.needs_comment() && comment.trim().is_empty() {
        return Err(DomainError::invalid(
            "comment_required",
            "commentaire",
            "Un commentaire est obligatoire pour reporter ou abandonner un livrable.",
        ));
    }
    Ok(())
}

/// How an indicator turns its summed daily figures into one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formula {
    /// numerator / denominator, as a percentage.
    Percent,
    /// numerator / denominator, as a mean (minutes, score…).
    Mean,
    /// The numerator of the last day of the period (a stock: backlog, open
    /// complaints, late deliverables).
    LastDay,
    /// The sum of numerators (a flow: revenue in cents, participations).
    Sum,
}

/// An indicator, defined once: its code (the API's and the exports'), its
/// name, its written definition and formula (shown on its page), and the
/// daily aggregate input it is computed from (`indicator_daily.input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    pub code: &'static str,
    pub name: &'static str,
    pub definition: &'static str,
    pub formula_text: &'static str,
    pub input: &'static str,
    pub formula: Formula,
}

/// The indicators of the director's dashboard.
pub const INDICATORS: &[Indicator] = &[
    Indicator { code: "sla_missed", name: "Niveaux de service manqués", definition: "Part des tickets dont l'échéance de résolution est passée sans résolution, parmi les tickets arrivés à échéance sur la période.", formula_text: "tickets hors délai / tickets arrivés à échéance × 100", input: "sla_due", formula: Formula::Percent },
    Indicator { code: "backlog", name: "Tickets en attente", definition: "Tickets ouverts (ni résolus ni clos) le dernier jour de la période.", formula_text: "nombre de tickets ouverts au dernier jour", input: "backlog", formula: Formula::LastDay },
    Indicator { code: "first_response", name: "Délai de première réponse", definition: "Temps moyen, en minutes écoulées, entre le dépôt d'un ticket et la première réponse de l'agence, pour les tickets ayant reçu leur première réponse sur la période.", formula_text: "somme des délais de première réponse / tickets ayant reçu une première réponse", input: "first_response", formula: Formula::Mean },
    Indicator { code: "satisfaction", name: "Satisfaction", definition: "Part des réponses d'enquête notées 4 ou 5 sur 5, parmi les réponses de la période.", formula_text: "réponses à 4 ou 5 / réponses × 100", input: "satisfaction", formula: Formula::Percent },
    Indicator { code: "recommendation", name: "Recommandation (NPS)", definition: "Promoteurs (9-10) moins détracteurs (0-6), en points de pourcentage des réponses de recommandation de la période ; le numérateur stocké est promoteurs − détracteurs.", formula_text: "(promoteurs − détracteurs) / réponses × 100", input: "recommendation", formula: Formula::Percent },
    Indicator { code: "complaints_open", name: "Réclamations ouvertes", definition: "Réclamations non closes le dernier jour de la période.", formula_text: "nombre de réclamations ouvertes au dernier jour", input: "complaints_open", formula: Formula::LastDay },
    Indicator { code: "training_fill", name: "Remplissage des formations", definition: "Places occupées parmi les places offertes des sessions ayant eu lieu sur la période.", formula_text: "inscrits confirmés / places offertes × 100", input: "training_seats", formula: Formula::Percent },
    Indicator { code: "training_revenue", name: "Chiffre d'affaires des formations", definition: "Montant dû (en centimes) des inscriptions aux sessions ayant eu lieu sur la période.", formula_text: "somme des montants dus", input: "training_revenue", formula: Formula::Sum },
    Indicator { code: "community_participation", name: "Participation aux communautés", definition: "Participations aux événements des communautés (Lab'U, cafés, webinaires) sur la période.", formula_text: "somme des participations", input: "community_participation", formula: Formula::Sum },
    Indicator { code: "deliverables_late", name: "Livrables en retard", definition: "Livrables du plan d'action non livrés ni abandonnés dont l'échéance est passée, le dernier jour de la période.", formula_text: "nombre de livrables ouverts dont l'échéance est dépassée", input: "deliverables_late", formula: Formula::LastDay },
];

/// The indicator of a code.
pub fn indicator(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.code == code)
}

/// An indicator's value from its daily figures over a period, each as
/// (day, numerator, denominator) in day order; None when there is nothing
/// to divide by or no day.
pub fn compute(formula: Formula, days: &[(String, i64, i64)]) -> Option<f64> {
    let num: i64 = days.iter().map(|d| d.1).sum();
    let den: i64 = days.iter().map(|d| d.2).sum();
    match formula {
        Formula::Percent => (den > 0).then(|| num as f64 * 100.0 / den as f64),
        Formula::Mean => (den > 0).then(|| num as f64 / den as f64),
        Formula::LastDay => days.last().map(|d| d.1 as f64),
        Formula::Sum => (!days.is_empty()).then_some(num as f64),
    }
}

/// The plan's progress, in percent: the mean progress of the deliverables
/// still in the plan (abandoned ones are left out), weighted by their
/// weight; None when nothing is left to count.
pub fn plan_progress(items: &[(DeliverableStatus, i64, i64)]) -> Option<f64> {
    let (mut num, mut den) = (0i64, 0i64);
    for (status, progress, weight) in items {
        if *status == DeliverableStatus::Abandonne {
            continue;
        }
        num += progress * weight;
        den += weight;
    }
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn plan_progress_is_weighted_and_skips_abandoned() {
        use DeliverableStatus::*;
        // (100 × 2 + 40 × 1 + 0 × 1) / 4 = 60; the abandoned one is out.
        let items = [
            (Livre, 100, 2),
            (EnCours, 40, 1),
            (ALancer, 0, 1),
            (Abandonne, 10, 5),
        ];
        assert_eq!(plan_progress(&items), Some(60.0));
        assert_eq!(plan_progress(&[(Abandonne, 10, 1)]), None);
    }

    #[test]
    fn health_rules() {
        use DeliverableStatus::*;
        let today = d("2021-06-15");
        assert_eq!(health(EnCours, d("2021-06-14"), 90, today), Health::Late);
        assert_eq!(health(Reporte, d("2021-01-01"), 0, today), Health::Late);
        assert_eq!(health(EnCours, d("2021-06-15"), 90, today), Health::OnTrack);
        assert_eq!(health(EnCours, d("2021-07-15"), 74, today), Health::AtRisk);
        assert_eq!(health(EnCours, d("2021-07-15"), 75, today), Health::OnTrack);
        assert_eq!(health(EnCours, d("2021-07-16"), 10, today), Health::OnTrack);
        assert_eq!(health(ALancer, d("2021-08-14"), 0, today), Health::AtRisk);
        assert_eq!(health(ALancer, d("2021-08-15"), 0, today), Health::OnTrack);
        assert_eq!(health(Livre, d("2021-01-01"), 100, today), Health::Closed);
        assert_eq!(health(Abandonne, d("2021-01-01"), 5, today), Health::Closed);
    }

    #[test]
    fn statuses_parse_from_codes_and_french_labels() {
        assert_eq!(
            DeliverableStatus::parse("Livré"),
            Some(DeliverableStatus::Livre)
        );
        assert_eq!(
            DeliverableStatus::parse("à lancer"),
            Some(DeliverableStatus::ALancer)
        );
        assert_eq!(
            DeliverableStatus::parse("EN COURS"),
            Some(DeliverableStatus::EnCours)
        );
        assert_eq!(DeliverableStatus::parse("fini"), None);
    }

    #[test]
    fn input_checks_name_each_field() {
        let bad = DeliverableFields::try_from(DeliverableInput {
            title: " ".into(),
            due_on: "31/02/2021".into(),
            starts_on: None,
            status: "fini".into(),
            progress: "120".into(),
            weight: "0".into(),
        });
        let Err(DomainError::Invalid(errs)) = bad else {
            panic!("expected errors")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        for f in ["titre", "echeance", "statut", "avancement", "poids"] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
        let ok = DeliverableFields::try_from(DeliverableInput {
            title: "Guide".into(),
            due_on: "30/06/2021".into(),
            starts_on: Some("2021-01-04".into()),
            status: "Livré".into(),
            progress: "".into(),
            weight: "".into(),
        })
        .expect("ok");
        assert_eq!(ok.progress, 100);
        assert_eq!(ok.weight, 1);
        assert_eq!(ok.due_on, d("2021-06-30"));
    }

    #[test]
    fn postponing_needs_a_comment() {
        use DeliverableStatus::*;
        assert!(check_status_change(EnCours, Reporte, "  ").is_err());
        assert!(check_status_change(EnCours, Reporte, "budget").is_ok());
        assert!(check_status_change(EnCours, EnCours, "x").is_err());
        assert!(check_status_change(EnCours, Livre, "").is_ok());
    }

    fn day(d: &str, n: i64, k: i64) -> (String, i64, i64) {
        (d.to_string(), n, k)
    }

    #[test]
    fn indicators_on_hand_computed_data() {
        // 3 missed of 40 due, then 1 of 10: 4 / 50 = 8 %.
        let sla = [day("2021-03-01", 3, 40), day("2021-03-02", 1, 10)];
        assert_eq!(compute(Formula::Percent, &sla), Some(8.0));
        // First responses of 30, 90 and 60 minutes (sum 180 over 3) = 60.
        let fr = [day("2021-03-01", 120, 2), day("2021-03-02", 60, 1)];
        assert_eq!(compute(Formula::Mean, &fr), Some(60.0));
        // Backlog: 12 then 9 open tickets: the stock of the last day.
        let backlog = [day("2021-03-01", 12, 0), day("2021-03-02", 9, 0)];
        assert_eq!(compute(Formula::LastDay, &backlog), Some(9.0));
        // NPS: 5 promoters, 2 detractors, 10 answers → (5 − 2) / 10 = 30.
        assert_eq!(
            compute(Formula::Percent, &[day("2021-03-01", 3, 10)]),
            Some(30.0)
        );
        // Revenue: 1 200,00 € + 350,50 € = 155 050 cents.
        let rev = [day("2021-03-01", 120_000, 0), day("2021-03-05", 35_050, 0)];
        assert_eq!(compute(Formula::Sum, &rev), Some(155_050.0));
        // Nothing to divide by, no day.
        assert_eq!(compute(Formula::Percent, &[day("2021-03-01", 0, 0)]), None);
        assert_eq!(compute(Formula::LastDay, &[]), None);
        // Defined once: codes unique, every indicator has its texts.
        let mut codes: Vec<&str> = INDICATORS.iter().map(|i| i.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), INDICATORS.len());
        assert!(INDICATORS
            .iter()
            .all(|i| !i.definition.is_empty() && !i.formula_text.is_empty()));
        assert_eq!(
            indicator("backlog").map(|i| i.formula),
            Some(Formula::LastDay)
        );
    }
}
