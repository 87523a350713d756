//! API types of member relations.

use serde::Serialize;
use utoipa::ToSchema;

// ---------------------------------------------------------------- relation::InvitationRow

/// A survey waiting for an answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyInvitation {
    pub id: String,
    pub kind: String,
    pub institution_id: String,
    pub institution_name: String,
    pub user_id: Option<String>,
    pub contact_id: Option<String>,
    pub ticket_id: Option<String>,
    pub ticket_ref: Option<String>,
    pub ticket_subject: Option<String>,
    pub session_id: Option<String>,
    pub training_title: Option<String>,
    pub campaign_id: Option<String>,
    pub campaign_title: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    pub reminded_at: Option<String>,
    pub answered_at: Option<String>,
}

impl From<relais_store::relation::InvitationRow> for SurveyInvitation {
    fn from(r: relais_store::relation::InvitationRow) -> Self {
        SurveyInvitation {
            id: r.id,
            kind: r.kind,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            user_id: r.user_id,
            contact_id: r.contact_id,
            ticket_id: r.ticket_id,
            ticket_ref: r.ticket_ref,
            ticket_subject: r.ticket_subject,
            session_id: r.session_id,
            training_title: r.training_title,
            campaign_id: r.campaign_id,
            campaign_title: r.campaign_title,
            created_at: r.created_at,
            expires_at: r.expires_at,
            reminded_at: r.reminded_at,
            answered_at: r.answered_at,
        }
    }
}

// ---------------------------------------------------------------- relation::AnswerRow

/// An answer to a survey.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyAnswer {
    pub id: String,
    pub invitation_id: String,
    pub kind: String,
    pub institution_id: String,
    pub institution_name: String,
    pub ticket_id: Option<String>,
    pub ticket_ref: Option<String>,
    pub session_id: Option<String>,
    pub training_title: Option<String>,
    pub campaign_title: Option<String>,
    pub score: Option<i64>,
    pub nps: Option<i64>,
    pub comment: Option<String>,
    pub answers: String,
    pub answered_at: String,
}

impl From<relais_store::relation::AnswerRow> for SurveyAnswer {
    fn from(r: relais_store::relation::AnswerRow) -> Self {
        SurveyAnswer {
            id: r.id,
            invitation_id: r.invitation_id,
            kind: r.kind,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            ticket_id: r.ticket_id,
            ticket_ref: r.ticket_ref,
            session_id: r.session_id,
            training_title: r.training_title,
            campaign_title: r.campaign_title,
            score: r.score,
            nps: r.nps,
            comment: r.comment,
            answers: r.answers,
            answered_at: r.answered_at,
        }
    }
}

// ---------------------------------------------------------------- relation::RecallRow

/// A recall (call back a member).
#[derive(Debug, Serialize, ToSchema)]
pub struct Recall {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub answer_id: String,
    pub manager_id: Option<String>,
    pub manager_name: Option<String>,
    pub due_on: String,
    pub status: String,
    pub calls: i64,
    pub outcome: Option<String>,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub kind: String,
    pub score: Option<i64>,
    pub nps: Option<i64>,
    pub comment: Option<String>,
}

impl From<relais_store::relation::RecallRow> for Recall {
    fn from(r: relais_store::relation::RecallRow) -> Self {
        Recall {
            id: r.id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            answer_id: r.answer_id,
            manager_id: r.manager_id,
            manager_name: r.manager_name,
            due_on: r.due_on,
            status: r.status,
            calls: r.calls,
            outcome: r.outcome,
            created_at: r.created_at,
            closed_at: r.closed_at,
            kind: r.kind,
            score: r.score,
            nps: r.nps,
            comment: r.comment,
        }
    }
}
