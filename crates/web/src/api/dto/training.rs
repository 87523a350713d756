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
