//! Member relations: survey scales and answers, the recall rule, and the
//! relation agent's health indicator.
//!
//! The health indicator is a pure function of counts that the store reads
//! (see [`HealthInputs`]); its weights are constants below, shown as they
//! are on the institution's health page, and each is tested on its own.

use crate::code_enum;
use crate::shared::DomainError;

code_enum!(SurveyKind {
    Ticket => ("ticket", "Après un ticket clos", "After a closed ticket"),
    Formation => ("formation", "Après une formation suivie", "After an attended training"),
    Annuelle => ("annuelle", "Enquête annuelle de l'établissement", "Yearly institution survey"),
});

code_enum!(Scale {
    OneToFive => ("1-5", "Note de 1 à 5", "Score from 1 to 5"),
    ZeroToTen => ("0-10", "Note de 0 à 10 (recommandation)", "Score from 0 to 10 (recommendation)"),
    Text => ("texte", "Texte libre", "Free text"),
});

code_enum!(RecallStatus {
    Ouvert => ("ouvert", "À rappeler", "To call back"),
    Clos => ("clos", "Clos", "Closed"),
});

/// A score that is not a number of its scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfScale;

/// Checks one score against its scale: the number, or `None` when left
/// empty.
pub fn parse_answer(scale: Scale, raw: &str) -> Result<Option<i64>, OutOfScale> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let n: i64 = raw.parse().map_err(|_| OutOfScale)?;
    let ok = match scale {
        Scale::OneToFive => (1..=5).contains(&n),
        Scale::ZeroToTen => (0..=10).contains(&n),
        Scale::Text => false,
    };
    if ok {
        Ok(Some(n))
    } else {
        Err(OutOfScale)
    }
}

/// The error shown when a score is missing or out of its scale.
pub fn score_error(field: &'static str, scale: Scale) -> DomainError {
    DomainError::invalid(
        "invalid_score",
        field,
        match scale {
            Scale::ZeroToTen => "Choisissez une note de 0 à 10.",
            _ => "Choisissez une note de 1 à 5.",
        },
    )
}

/// The satisfaction kept for an answer: the rounded mean of its 1–5
/// scores (`None` if it has none).
pub fn satisfaction_of(scores: &[i64]) -> Option<i64> {
    if scores.is_empty() {
        return None;
    }
    let sum: i64 = scores.iter().sum();
    let n = scores.len() as i64;
    Some((sum * 2 + n) / (2 * n))
}

/// Whether an answer calls for a recall: its lowest 1–5 score at or below
/// `threshold`, or its 0–10 recommendation at or below `nps_threshold`.
pub fn needs_recall(
    min_score: Option<i64>,
    nps: Option<i64>,
    threshold: i64,
    nps_threshold: i64,
) -> bool {
    min_score.is_some_and(|s| s <= threshold) || nps.is_some_and(|n| n <= nps_threshold)
}

/// Default recall thresholds and delay.
pub const DEFAULT_RECALL_THRESHOLD: i64 = 2;
pub const DEFAULT_NPS_THRESHOLD: i64 = 4;
pub const RECALL_DAYS: i64 = 5;
/// A personal survey link stays valid this many days.
pub const SURVEY_DAYS: i64 = 30;
/// A reminder goes out once, this many days after the invitation.
pub const REMINDER_AFTER_DAYS: i64 = 7;

// ---- Health indicator ------------------------------------------------------

/// Everything the health indicator reads about one institution.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HealthInputs {
    /// Sum and count of the 1–5 satisfaction scores of the last 12 months.
    pub satisfaction_sum: i64,
    pub satisfaction_count: i64,
    /// Tickets of the last 90 days whose first-response or resolution
    /// deadline was missed.
    pub missed_sla: i64,
    /// Complaints not closed.
    pub open_complaints: i64,
    /// Incidents on its products opened in the last 90 days or still open.
    pub incidents: i64,
    /// Attendances (present) at trainings in the last 12 months.
    pub attendances: i64,
    /// Days since the last exchange with its governance (`None`: never).
    pub days_since_governance: Option<i64>,
}

/// The base every institution starts from.
pub const HEALTH_BASE: f64 = 70.0;
/// Points per point of mean satisfaction above (or below) 3 out of 5.
pub const W_SATISFACTION: f64 = 10.0;
/// Points lost per ticket whose deadline was missed, and the cap.
pub const W_MISSED_SLA: f64 = 3.0;
pub const CAP_MISSED_SLA: f64 = 30.0;
/// Points lost per open complaint, and the cap.
pub const W_COMPLAINT: f64 = 8.0;
pub const CAP_COMPLAINT: f64 = 24.0;
/// Points lost per incident touching its products, and the cap.
pub const W_INCIDENT: f64 = 4.0;
pub const CAP_INCIDENT: f64 = 20.0;
/// Points won per training attendance, and the cap.
pub const W_ATTENDANCE: f64 = 2.0;
pub const CAP_ATTENDANCE: f64 = 10.0;
/// Days without exchange with the governance before it costs anything,
/// then points lost per full 30 days beyond, and the cap (also "never").
pub const GOVERNANCE_GRACE_DAYS: i64 = 180;
pub const W_GOVERNANCE: f64 = 2.0;
pub const CAP_GOVERNANCE: f64 = 12.0;

/// The default threshold under which an institution is flagged, and the
/// drop (in points, against the previous snapshot) that flags it too.
pub const DEFAULT_HEALTH_THRESHOLD: i64 = 50;
pub const HEALTH_DROP: i64 = 10;

/// One factor's contribution, as the page shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Factor {
    pub code: String,
    pub label: String,
    /// What was measured, in words (`3,4/5 sur 12 réponses`).
    pub measure: String,
    /// The rule, in words (`+10 par point au-dessus de 3`).
    pub rule: String,
    /// Points added (negative: removed).
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Health {
    /// 0 to 100.
    pub score: i64,
    pub factors: Vec<Factor>,
}

/// A number with at most one decimal, French style (`3,5`).
pub fn fr_num(x: f64) -> String {
    let s = format!("{x:.1}");
    s.trim_end_matches(".0").replace('.', ",")
}

/// The health indicator: `70 + Σ contributions`, rounded and kept within
/// 0–100. Each contribution is described by the constants above.
pub fn health(i: &HealthInputs) -> Health {
    let mut factors = Vec::new();
    let sat = if i.satisfaction_count > 0 {
        let mean = i.satisfaction_sum as f64 / i.satisfaction_count as f64;
        (
            W_SATISFACTION * (mean - 3.0),
            format!("{}/5 sur {} réponse(s)", fr_num(mean), i.satisfaction_count),
        )
    } else {
        (0.0, "aucune réponse".to_string())
    };
    factors.push(Factor {
        code: "satisfaction".into(),
        label: "Satisfaction des 12 derniers mois".into(),
        measure: sat.1,
        rule: format!(
            "{W_SATISFACTION} points par point de moyenne au-dessus ou au-dessous de 3/5"
        ),
        points: sat.0,
    });
    factors.push(Factor {
        code: "sla".into(),
        label: "Engagements de service manqués (90 jours)".into(),
        measure: format!("{} ticket(s)", i.missed_sla),
        rule: format!("−{W_MISSED_SLA} par ticket, au plus −{CAP_MISSED_SLA}"),
        points: -(W_MISSED_SLA * i.missed_sla as f64).min(CAP_MISSED_SLA),
    });
    factors.push(Factor {
        code: "reclamations".into(),
        label: "Réclamations ouvertes".into(),
        measure: format!("{} réclamation(s)", i.open_complaints),
        rule: format!("−{W_COMPLAINT} par réclamation, au plus −{CAP_COMPLAINT}"),
        points: -(W_COMPLAINT * i.open_complaints as f64).min(CAP_COMPLAINT),
    });
    factors.push(Factor {
        code: "incidents".into(),
        label: "Incidents sur ses produits (90 jours ou en cours)".into(),
        measure: format!("{} incident(s)", i.incidents),
        rule: format!("−{W_INCIDENT} par incident, au plus −{CAP_INCIDENT}"),
        points: -(W_INCIDENT * i.incidents as f64).min(CAP_INCIDENT),
    });
    factors.push(Factor {
        code: "formation".into(),
        label: "Participation aux formations (12 mois)".into(),
        measure: format!("{} présence(s)", i.attendances),
        rule: format!("+{W_ATTENDANCE} par présence, au plus +{CAP_ATTENDANCE}"),
        points: (W_ATTENDANCE * i.attendances as f64).min(CAP_ATTENDANCE),
    });
    let (gov, gov_measure) = match i.days_since_governance {
        None => (-CAP_GOVERNANCE, "aucun échange enregistré".to_string()),
        Some(d) => {
            let months = ((d - GOVERNANCE_GRACE_DAYS).max(0) / 30) as f64;
            (
                -(W_GOVERNANCE * months).min(CAP_GOVERNANCE),
                format!("il y a {d} jour(s)"),
            )
        }
    };
    factors.push(Factor {
        code: "gouvernance".into(),
        label: "Dernier échange avec la gouvernance".into(),
        measure: gov_measure,
        rule: format!(
            "−{W_GOVERNANCE} par tranche de 30 jours au-delà de {GOVERNANCE_GRACE_DAYS} jours, au plus −{CAP_GOVERNANCE} (aussi si aucun)"
        ),
        points: gov,
    });
    let total = HEALTH_BASE + factors.iter().map(|f| f.points).sum::<f64>();
    Health {
        score: (total.round() as i64).clamp(0, 100),
        factors,
    }
}

/// Whether a new score flags the institution: it crosses the threshold
/// downwards (or is first computed under it), or drops by
/// [`HEALTH_DROP`] points or more.
pub fn flags(previous: Option<i64>, score: i64, threshold: i64) -> bool {
    // An institution that stays under the threshold is caught by
    // `still_at_risk`.
    match previous {
        None => score < threshold,
        Some(p) => (p >= threshold && score < threshold) || p - score >= HEALTH_DROP,
    }
}

/// How long a flag stands for an institution that stays under the
/// threshold: after this many days without a new flag, it is flagged again.
pub const HEALTH_REFLAG_DAYS: i64 = 30;

/// Whether an institution still under the threshold must be flagged
/// again: it has had no flag for [`HEALTH_REFLAG_DAYS`] days. Without this,
/// one that was already under the threshold at its previous snapshot (and
/// never crossed it since) appeared in no list of institutions at risk.
pub fn still_at_risk(score: i64, threshold: i64, flagged_recently: bool) -> bool {
    score < threshold && !flagged_recently
}

/// The reasons given with a flag: the factors that got worse since the
/// previous snapshot (or, without one, those costing points), worst
/// first, in words.
pub fn reasons(previous: Option<&Health>, now: &Health) -> Vec<String> {
    let mut out: Vec<(f64, String)> = Vec::new();
    for f in &now.factors {
        let before = previous
            .and_then(|p| p.factors.iter().find(|x| x.code == f.code))
            .map(|x| x.points);
        let delta = match before {
            Some(b) => f.points - b,
            None if f.points < 0.0 => f.points,
            None => 0.0,
        };
        if delta < -0.05 {
            out.push((
                delta,
                format!("{} : {} ({} points)", f.label, f.measure, fr_num(delta)),
            ));
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out.into_iter().map(|x| x.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> HealthInputs {
        // A neutral institution: mean 3/5, governance seen last month.
        HealthInputs {
            satisfaction_sum: 30,
            satisfaction_count: 10,
            days_since_governance: Some(30),
            ..Default::default()
        }
    }

    fn score(i: &HealthInputs) -> i64 {
        health(i).score
    }

    #[test]
    fn a_neutral_institution_sits_at_the_base() {
        assert_eq!(score(&base()), 70);
        assert!(health(&base()).factors.iter().all(|f| f.points == 0.0));
    }

    #[test]
    fn satisfaction_moves_by_ten_points_per_point_of_mean() {
        let mut i = base();
        i.satisfaction_sum = 40; // mean 4
        assert_eq!(score(&i), 80);
        i.satisfaction_sum = 20; // mean 2
        assert_eq!(score(&i), 60);
        i.satisfaction_sum = 10; // mean 1
        assert_eq!(score(&i), 50);
        i.satisfaction_count = 0;
        i.satisfaction_sum = 0;
        assert_eq!(score(&i), 70, "no answer counts for nothing");
    }

    #[test]
    fn each_missed_deadline_costs_three_points_up_to_thirty() {
        let mut i = base();
        i.missed_sla = 1;
        assert_eq!(score(&i), 67);
        i.missed_sla = 4;
        assert_eq!(score(&i), 58);
        i.missed_sla = 50;
        assert_eq!(score(&i), 40);
    }

    #[test]
    fn each_open_complaint_costs_eight_points_up_to_twenty_four() {
        let mut i = base();
        i.open_complaints = 1;
        assert_eq!(score(&i), 62);
        i.open_complaints = 2;
        assert_eq!(score(&i), 54);
        i.open_complaints = 9;
        assert_eq!(score(&i), 46);
    }

    #[test]
    fn each_incident_costs_four_points_up_to_twenty() {
        let mut i = base();
        i.incidents = 1;
        assert_eq!(score(&i), 66);
        i.incidents = 10;
        assert_eq!(score(&i), 50);
    }

    #[test]
    fn each_attendance_adds_two_points_up_to_ten() {
        let mut i = base();
        i.attendances = 1;
        assert_eq!(score(&i), 72);
        i.attendances = 3;
        assert_eq!(score(&i), 76);
        i.attendances = 40;
        assert_eq!(score(&i), 80);
    }

    #[test]
    fn governance_silence_costs_two_points_per_month_after_six_months() {
        let mut i = base();
        i.days_since_governance = Some(180);
        assert_eq!(score(&i), 70);
        i.days_since_governance = Some(209);
        assert_eq!(score(&i), 70, "a started month does not count");
        i.days_since_governance = Some(210);
        assert_eq!(score(&i), 68);
        i.days_since_governance = Some(270);
        assert_eq!(score(&i), 64);
        i.days_since_governance = Some(2000);
        assert_eq!(score(&i), 58);
        i.days_since_governance = None;
        assert_eq!(score(&i), 58, "never met costs the cap");
    }

    #[test]
    fn the_score_stays_within_zero_and_a_hundred_and_factors_add_up() {
        let bad = HealthInputs {
            satisfaction_sum: 5,
            satisfaction_count: 5,
            missed_sla: 100,
            open_complaints: 10,
            incidents: 10,
            attendances: 0,
            days_since_governance: None,
        };
        // 70 − 20 − 30 − 24 − 20 − 12 < 0
        assert_eq!(score(&bad), 0);
        let good = HealthInputs {
            satisfaction_sum: 25,
            satisfaction_count: 5,
            attendances: 10,
            days_since_governance: Some(1),
            ..Default::default()
        };
        assert_eq!(score(&good), 100);
        let h = health(&base());
        assert_eq!(h.factors.len(), 6);
    }

    #[test]
    fn flags_on_crossing_or_on_a_drop_of_ten() {
        assert!(flags(Some(55), 49, 50));
        assert!(!flags(Some(49), 45, 50), "already under: no new flag");
        assert!(flags(Some(80), 70, 50));
        assert!(!flags(Some(80), 71, 50));
        assert!(flags(None, 40, 50));
        assert!(!flags(None, 60, 50));
    }

    #[test]
    fn reasons_name_the_factors_that_got_worse() {
        let before = health(&base());
        let mut i = base();
        i.satisfaction_sum = 15; // mean 1.5 → −15
        i.open_complaints = 1; // −8
        i.attendances = 2; // better: not a reason
        let now = health(&i);
        let r = reasons(Some(&before), &now);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(r[0].starts_with("Satisfaction"), "{r:?}");
        assert!(r[0].contains("-15 points"), "{r:?}");
        assert!(r[1].starts_with("Réclamations"), "{r:?}");
    }

    #[test]
    fn scores_are_checked_against_their_scale() {
        assert_eq!(parse_answer(Scale::OneToFive, " 3 "), Ok(Some(3)));
        assert_eq!(parse_answer(Scale::OneToFive, ""), Ok(None));
        assert!(parse_answer(Scale::OneToFive, "6").is_err());
        assert!(parse_answer(Scale::OneToFive, "0").is_err());
        assert_eq!(parse_answer(Scale::ZeroToTen, "0"), Ok(Some(0)));
        assert!(parse_answer(Scale::ZeroToTen, "11").is_err());
        assert!(parse_answer(Scale::ZeroToTen, "dix").is_err());
        assert_eq!(satisfaction_of(&[4, 5]), Some(5));
        assert_eq!(satisfaction_of(&[3, 4, 4]), Some(4));
        assert_eq!(satisfaction_of(&[]), None);
        assert!(needs_recall(Some(2), None, 2, 4));
        assert!(!needs_recall(Some(3), Some(5), 2, 4));
        assert!(needs_recall(Some(4), Some(3), 2, 4));
    }

    #[test]
    fn an_institution_staying_under_the_threshold_is_flagged_again() {
        // INSEP: 47 yesterday, 48 today, threshold 50: no crossing…
        assert!(!flags(Some(47), 48, 50));
        // …but still at risk when nothing flagged it in the last 30 days.
        assert!(still_at_risk(48, 50, false));
        assert!(!still_at_risk(48, 50, true));
        assert!(!still_at_risk(50, 50, false));
    }
}
