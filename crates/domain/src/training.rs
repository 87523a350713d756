//! Training money, from the action plan: tariffs are set each year by the
//! board ("fixés chaque année par le Conseil d'Administration") — continue
//! 260 € per day and per trainee, spécifique 1 500 € per day and per group,
//! déploiement included in the deployment fee; a trainer is paid 405 € per
//! day of training, preparation included, halved for each of a pair.
//! Amounts are integer cents and durations whole half-days, so every sum
//! is exact.

// Amounts are written `euros_cents` (260_00 is 260,00 €), which reads
// better here than thousands grouping.
#![allow(clippy::inconsistent_digit_grouping)]

use crate::code_enum;
use chrono::NaiveDate;

code_enum!(TrainingKind {
    Deploiement => ("deploiement", "Formation de déploiement", "Deployment training"),
    Continue => ("continue", "Formation continue", "Continuing training"),
    Specifique => ("specifique", "Formation spécifique", "Tailored training"),
});

/// Euros as integer cents.
pub type Cents = i64;

/// The tariffs in force from a date (the board's decision for a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tariff {
    pub effective_from: NaiveDate,
    /// Continuing training, per day and per trainee.
    pub continue_per_trainee_day: Cents,
    /// Tailored training, per day and per group.
    pub specific_per_group_day: Cents,
    /// A trainer alone, per day, preparation included.
    pub trainer_day: Cents,
}

impl Tariff {
    /// The plan's figures, unchanged since 2012 (trainer pay since 2018).
    pub fn plan_2021() -> Tariff {
        Tariff {
            effective_from: NaiveDate::from_ymd_opt(2012, 1, 1).unwrap_or_default(),
            continue_per_trainee_day: 260_00,
            specific_per_group_day: 1_500_00,
            trainer_day: 405_00,
        }
    }
}

/// Dated tariffs; the one in force on a day is the latest that started on
/// or before it, so a change dated next year never alters this year.
#[derive(Debug, Clone, Default)]
pub struct TariffTable(Vec<Tariff>);

impl TariffTable {
    pub fn new(mut tariffs: Vec<Tariff>) -> TariffTable {
        tariffs.sort_by_key(|t| t.effective_from);
        TariffTable(tariffs)
    }

    pub fn on(&self, day: NaiveDate) -> Option<&Tariff> {
        self.0.iter().rev().find(|t| t.effective_from <= day)
    }
}

/// What an institution owes for a session: `half_days` of training,
/// `trainees` of its staff (a tailored session is billed per group).
pub fn amount_owed(kind: TrainingKind, half_days: i64, trainees: i64, t: &Tariff) -> Cents {
    match kind {
        TrainingKind::Deploiement => 0,
        TrainingKind::Continue => t.continue_per_trainee_day * half_days * trainees.max(0) / 2,
        TrainingKind::Specifique => t.specific_per_group_day * half_days / 2,
    }
}

/// What each trainer of a session is paid: alone the day rate, a pair
/// half of it each.
pub fn trainer_pay(half_days: i64, trainers: i64, t: &Tariff) -> Cents {
    let share = if trainers >= 2 { 2 } else { 1 };
    t.trainer_day * half_days / 2 / share
}

/// "1 234,50 €".
pub fn euros(c: Cents) -> String {
    let neg = c < 0;
    let c = c.abs();
    let (e, cents) = (c / 100, c % 100);
    let digits = e.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(ch);
    }
    format!("{}{grouped},{cents:02} €", if neg { "-" } else { "" })
}

code_enum!(Modality {
    Presentiel => ("presentiel", "Présentiel", "In person"),
    Distanciel => ("distanciel", "À distance", "Remote"),
    Hybride => ("hybride", "Hybride", "Blended"),
    Elearning => ("elearning", "E-learning", "E-learning"),
});

code_enum!(
    /// A session's life. "Complète" is not stored: a session is full when
    /// its seats are all taken, and frees up when one is cancelled.
    SessionStatus {
    Prevue => ("prevue", "Planifiée", "Planned"),
    Ouverte => ("ouverte", "Ouverte aux inscriptions", "Open"),
    Complete => ("complete", "Complète", "Full"),
    Confirmee => ("confirmee", "Confirmée", "Confirmed"),
    Annulee => ("annulee", "Annulée", "Cancelled"),
    Realisee => ("realisee", "Réalisée", "Held"),
});

impl SessionStatus {
    /// The status people see: an open or confirmed session with no seat
    /// left reads "complète".
    pub fn shown(stored: &str, seats_taken: i64, capacity: i64) -> SessionStatus {
        let s = SessionStatus::from_code(stored).unwrap_or(SessionStatus::Prevue);
        match s {
            SessionStatus::Ouverte | SessionStatus::Confirmee if seats_taken >= capacity => {
                SessionStatus::Complete
            }
            s => s,
        }
    }

    /// Seats may be requested and taken only on these.
    pub fn takes_registrations(stored: &str) -> bool {
        matches!(stored, "ouverte" | "confirmee")
    }
}

code_enum!(RegistrationStatus {
    Demande => ("demande", "En attente de validation", "Awaiting approval"),
    Refusee => ("refusee", "Refusée", "Refused"),
    Attente => ("attente", "Liste d'attente", "Waiting list"),
    Confirmee => ("confirmee", "Confirmée", "Confirmed"),
    Annulee => ("annulee", "Annulée", "Cancelled"),
});

code_enum!(
    /// A session day is whole, or a morning or an afternoon: the unit of
    /// billing is the half day.
    DayPart {
    Journee => ("journee", "Journée", "Whole day"),
    Matin => ("matin", "Matin", "Morning"),
    ApresMidi => ("apres-midi", "Après-midi", "Afternoon"),
});

impl DayPart {
    pub fn half_days(self) -> i64 {
        match self {
            DayPart::Journee => 2,
            _ => 1,
        }
    }

    /// Local (Europe/Paris) opening and closing times.
    pub fn hours(self) -> ((u32, u32), (u32, u32)) {
        match self {
            DayPart::Journee => ((9, 30), (17, 0)),
            DayPart::Matin => ((9, 0), (12, 30)),
            DayPart::ApresMidi => ((13, 30), (17, 0)),
        }
    }
}

/// Parses the days of a session, one per line: `AAAA-MM-JJ` (a whole day)
/// or `AAAA-MM-JJ matin|apres-midi|journee`. Errors name their line.
pub fn parse_day_lines(text: &str) -> Result<Vec<(NaiveDate, DayPart)>, String> {
    let mut out: Vec<(NaiveDate, DayPart)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut it = line.split_whitespace();
        let day = it.next().unwrap_or("");
        let d = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|_| format!("Ligne {} : « {day} » n'est pas une date AAAA-MM-JJ.", n + 1))?;
        let part = match it.next() {
            None => DayPart::Journee,
            Some(p) => {
                DayPart::from_code(&p.to_lowercase().replace('è', "e")).ok_or_else(|| {
                    format!(
                        "Ligne {} : « {p} » n'est pas journee, matin ou apres-midi.",
                        n + 1
                    )
                })?
            }
        };
        if out.iter().any(|(x, q)| {
            *x == d && (*q == part || *q == DayPart::Journee || part == DayPart::Journee)
        }) {
            return Err(format!(
                "Ligne {} : le {day} est déjà dans la session.",
                n + 1
            ));
        }
        out.push((d, part));
    }
    if out.is_empty() {
        return Err("Indiquez au moins un jour de session.".into());
    }
    out.sort_by_key(|(d, p)| (*d, p.hours().0));
    Ok(out)
}

/// Half days of a session's days.
pub fn half_days_of(days: &[(NaiveDate, DayPart)]) -> i64 {
    days.iter().map(|(_, p)| p.half_days()).sum()
}

/// The seats offered in a room under the sanitary protocol: `percent` of
/// its size (the plan's protocol halves rooms: 50), never less than one.
pub fn effective_capacity(room: i64, percent: i64) -> i64 {
    (room.max(0) * percent.clamp(1, 100) / 100).max(1)
}

/// A cancellation is late — and the seat still billed — when it comes
/// fewer than `deadline_days` days before the first day.
pub fn cancellation_is_late(today: NaiveDate, first_day: NaiveDate, deadline_days: i64) -> bool {
    (first_day - today).num_days() < deadline_days
}

code_enum!(
    /// The executive cycles run with the partner school (IH2EF).
    ExecFunction {
    Dgs => ("DGS", "Directeur·rice général·e des services", "Director-general of services"),
    Daf => ("DAF", "Directeur·rice des affaires financières", "Finance director"),
    Drh => ("DRH", "Directeur·rice des ressources humaines", "HR director"),
    Da => ("DA", "Directeur·rice des achats", "Procurement director"),
    Dpi => ("DPI", "Directeur·rice du patrimoine immobilier", "Estates director"),
    Dsi => ("DSI", "Directeur·rice des systèmes d'information", "CIO"),
    Daj => ("DAJ", "Directeur·rice des affaires juridiques", "Legal affairs director"),
});

/// The common induction module shared by every cycle.
pub const EXEC_COMMON_MODULE: &str = "Module commun de prise de poste";

/// The thematic modules A, B and C of each cycle, titles from the plan's
/// table for the 2020/2021 cycles.
pub fn exec_modules(f: ExecFunction) -> [&'static str; 3] {
    match f {
        ExecFunction::Dgs => [
            "Asseoir et sécuriser le pilotage de son organisation",
            "Savoir manager le changement et les transitions",
            "Se nourrir des partenariats",
        ],
        ExecFunction::Daf => [
            "Éclairer la soutenabilité de la stratégie financière de l'établissement",
            "Construire et exécuter le budget de l'établissement",
            "Moderniser et optimiser les processus financiers",
        ],
        ExecFunction::Drh => [
            "Les nouveaux enjeux du développement RH",
            "La fonction RH et l'accompagnement des individus",
            "Politiques sociales partagées",
        ],
        ExecFunction::Da => [
            "Pilotage/Projet d'établissement et stratégie",
            "Mutualisation et réseaux",
            "Démarches qualité et dématérialisation",
        ],
        ExecFunction::Dpi => [
            "Domanialité et valorisation du patrimoine immobilier",
            "Management de projet et maîtrise d'ouvrage",
            "Finances appliquées au patrimoine",
        ],
        ExecFunction::Dsi => [
            "De la stratégie au projet",
            "La gestion des compétences du numérique dans un établissement de l'ESRI",
            "Quel pilotage, quelle organisation pour quelle qualité de service ?",
        ],
        ExecFunction::Daj => [
            "La valorisation du patrimoine immobilier",
            "Management",
            "Le contentieux administratif",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_plans_tariffs() {
        let t = Tariff::plan_2021();
        // Continue: 260 € per day per trainee — 2 days, 3 trainees.
        assert_eq!(amount_owed(TrainingKind::Continue, 4, 3, &t), 1_560_00);
        // A half day for one trainee.
        assert_eq!(amount_owed(TrainingKind::Continue, 1, 1, &t), 130_00);
        // Spécifique: 1 500 € per day per group, whatever its size.
        assert_eq!(amount_owed(TrainingKind::Specifique, 6, 12, &t), 4_500_00);
        // Déploiement: included in the deployment fee.
        assert_eq!(amount_owed(TrainingKind::Deploiement, 10, 20, &t), 0);
    }

    #[test]
    fn trainers_alone_or_in_pairs() {
        let t = Tariff::plan_2021();
        assert_eq!(trainer_pay(2, 1, &t), 405_00);
        assert_eq!(trainer_pay(2, 2, &t), 202_50, "a pair splits the day rate");
        assert_eq!(trainer_pay(3, 2, &t), 303_75, "a day and a half, in a pair");
    }

    #[test]
    fn a_tariff_dated_next_year_does_not_alter_this_year() {
        let next = Tariff {
            effective_from: d(2022, 1, 1),
            continue_per_trainee_day: 280_00,
            ..Tariff::plan_2021()
        };
        let table = TariffTable::new(vec![next, Tariff::plan_2021()]);
        let this_year = table.on(d(2021, 11, 15)).expect("2021");
        assert_eq!(amount_owed(TrainingKind::Continue, 2, 1, this_year), 260_00);
        let then = table.on(d(2022, 3, 1)).expect("2022");
        assert_eq!(amount_owed(TrainingKind::Continue, 2, 1, then), 280_00);
        assert!(table.on(d(2011, 6, 1)).is_none());
    }

    #[test]
    fn amounts_read_as_french_euros() {
        assert_eq!(euros(1_560_00), "1\u{202f}560,00 €");
        assert_eq!(euros(202_50), "202,50 €");
        assert_eq!(euros(0), "0,00 €");
    }

    #[test]
    fn session_days_parse_with_their_line() {
        let days =
            parse_day_lines("2021-03-09 matin\n\n2021-03-08\n2021-03-16 apres-midi").expect("ok");
        assert_eq!(days.len(), 3);
        assert_eq!(days[0], (d(2021, 3, 8), DayPart::Journee));
        assert_eq!(half_days_of(&days), 4, "a day and two half days");
        let e = parse_day_lines("2021-03-08\n2021-13-01").expect_err("bad date");
        assert!(e.starts_with("Ligne 2"), "{e}");
        let e = parse_day_lines("2021-03-08 soir").expect_err("bad part");
        assert!(e.contains("soir"), "{e}");
        assert!(
            parse_day_lines("2021-03-08\n2021-03-08 matin").is_err(),
            "overlap"
        );
        assert!(parse_day_lines("2021-03-08 matin\n2021-03-08 apres-midi").is_ok());
        assert!(parse_day_lines("  \n").is_err());
    }

    #[test]
    fn the_sanitary_protocol_halves_rooms() {
        assert_eq!(effective_capacity(16, 50), 8);
        assert_eq!(effective_capacity(15, 50), 7, "a half seat is no seat");
        assert_eq!(effective_capacity(1, 50), 1, "never less than one");
        assert_eq!(effective_capacity(12, 100), 12);
    }

    #[test]
    fn late_cancellations() {
        assert!(!cancellation_is_late(d(2021, 3, 1), d(2021, 3, 15), 7));
        assert!(cancellation_is_late(d(2021, 3, 9), d(2021, 3, 15), 7));
        assert!(
            !cancellation_is_late(d(2021, 3, 8), d(2021, 3, 15), 7),
            "seven days before is in time"
        );
    }

    #[test]
    fn full_is_read_off_the_seats() {
        assert_eq!(
            SessionStatus::shown("ouverte", 8, 8),
            SessionStatus::Complete
        );
        assert_eq!(
            SessionStatus::shown("ouverte", 7, 8),
            SessionStatus::Ouverte
        );
        assert_eq!(
            SessionStatus::shown("annulee", 8, 8),
            SessionStatus::Annulee
        );
    }
}
