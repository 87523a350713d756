//! API types of training.

use serde::Serialize;
use utoipa::ToSchema;

// ---------------------------------------------------------------- training::TrainingRow

/// A training of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Training {
    pub id: String,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub modality: String,
    pub domain_code: Option<String>,
    pub domain_label: Option<String>,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub half_days: i64,
    pub objectives: Option<String>,
    pub audience: Option<String>,
    pub prerequisites: Option<String>,
    pub moodle_url: Option<String>,
    /// First day of the next session open to the reader, if any.
    pub next_session: Option<String>,
}

impl From<relais_store::training::TrainingRow> for Training {
    fn from(r: relais_store::training::TrainingRow) -> Self {
        Training {
            id: r.id,
            code: r.code,
            title: r.title,
            kind: r.kind,
            modality: r.modality,
            domain_code: r.domain_code,
            domain_label: r.domain_label,
            product_id: r.product_id,
            product_name: r.product_name,
            half_days: r.half_days,
            objectives: r.objectives,
            audience: r.audience,
            prerequisites: r.prerequisites,
            moodle_url: r.moodle_url,
            next_session: r.next_session,
        }
    }
}

// ---------------------------------------------------------------- training::RegistrationRow

/// A registration to a training session.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingRegistration {
    pub id: String,
    pub session_id: String,
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
    pub institution_id: String,
    pub institution_name: String,
    pub status: String,
    pub requested_at: String,
    pub decided_at: Option<String>,
    pub waiting_since: Option<String>,
    pub cancelled_at: Option<String>,
    pub late_cancel: i64,
    /// 1 present, 0 absent, none while attendance is not taken.
    pub attended: Option<i64>,
    pub training_id: String,
    pub training_title: String,
    pub kind: String,
    pub starts_on: String,
    pub ends_on: String,
    pub place: Option<String>,
    pub half_days: Option<i64>,
    pub session_status: String,
}

impl From<relais_store::training::RegistrationRow> for TrainingRegistration {
    fn from(r: relais_store::training::RegistrationRow) -> Self {
        TrainingRegistration {
            id: r.id,
            session_id: r.session_id,
            user_id: r.user_id,
            user_name: r.user_name,
            user_email: r.user_email,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            status: r.status,
            requested_at: r.requested_at,
            decided_at: r.decided_at,
            waiting_since: r.waiting_since,
            cancelled_at: r.cancelled_at,
            late_cancel: r.late_cancel,
            attended: r.attended,
            training_id: r.training_id,
            training_title: r.training_title,
            kind: r.kind,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            place: r.place,
            half_days: r.half_days,
            session_status: r.session_status,
        }
    }
}

// ---------------------------------------------------------------- training::Statement

/// One line of an institution's training statement. Amounts are integer
/// cents (euros × 100).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementLine {
    pub registration_id: Option<String>,
    pub session_id: String,
    pub trainee: String,
    pub training: String,
    pub kind: String,
    pub starts_on: String,
    pub ends_on: String,
    pub half_days: i64,
    /// Tariff in force on the first day, in integer cents (per trainee and
    /// day, or per group and day).
    pub unit_cents: i64,
    /// What this line costs, in integer cents.
    pub amount_cents: i64,
    pub note: String,
}

impl From<relais_app::training::StatementLine> for StatementLine {
    fn from(l: relais_app::training::StatementLine) -> Self {
        StatementLine {
            registration_id: l.registration_id,
            session_id: l.session_id,
            trainee: l.trainee,
            training: l.training,
            kind: l.kind,
            starts_on: l.starts_on,
            ends_on: l.ends_on,
            half_days: l.half_days,
            unit_cents: l.unit_cents,
            amount_cents: l.amount_cents,
            note: l.note,
        }
    }
}

/// What an institution owes for the trainings starting in a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Statement {
    pub institution_id: String,
    pub institution_name: String,
    /// First day of the period, `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the period, `YYYY-MM-DD`.
    pub to: String,
    pub lines: Vec<StatementLine>,
    /// Sum of the lines, in integer cents.
    pub total_cents: i64,
}

impl From<relais_app::training::Statement> for Statement {
    fn from(s: relais_app::training::Statement) -> Self {
        Statement {
            institution_id: s.institution_id,
            institution_name: s.institution_name,
            from: s.from,
            to: s.to,
            lines: super::list(s.lines),
            total_cents: s.total_cents,
        }
    }
}

// ---------------------------------------------------------------- training::TrainerStatement

/// One session of a trainer's statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainerLine {
    pub session_id: String,
    pub training: String,
    pub starts_on: String,
    pub ends_on: String,
    pub half_days: i64,
    /// How many trainers ran the session (a pair halves the day rate).
    pub trainers: i64,
    /// The trainer's pay for the session, in integer cents.
    pub amount_cents: i64,
}

impl From<relais_app::training::TrainerLine> for TrainerLine {
    fn from(l: relais_app::training::TrainerLine) -> Self {
        TrainerLine {
            session_id: l.session_id,
            training: l.training,
            starts_on: l.starts_on,
            ends_on: l.ends_on,
            half_days: l.half_days,
            trainers: l.trainers,
            amount_cents: l.amount_cents,
        }
    }
}

/// What a trainer is paid for the sessions of a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainerStatement {
    pub trainer_id: String,
    pub trainer_name: String,
    /// First day of the period, `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the period, `YYYY-MM-DD`.
    pub to: String,
    pub lines: Vec<TrainerLine>,
    /// Sum of the lines, in integer cents.
    pub total_cents: i64,
}

impl From<relais_app::training::TrainerStatement> for TrainerStatement {
    fn from(s: relais_app::training::TrainerStatement) -> Self {
        TrainerStatement {
            trainer_id: s.trainer_id,
            trainer_name: s.trainer_name,
            from: s.from,
            to: s.to,
            lines: super::list(s.lines),
            total_cents: s.total_cents,
        }
    }
}
