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
}
