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

// ---------------------------------------------------------------- relation::HealthView

/// One factor of the health score: what was measured and what it added.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthFactor {
    pub code: String,
    pub label: String,
    /// What was measured, in words (`3,4/5 sur 12 réponses`).
    pub measure: String,
    /// The rule, in words (`+10 par point au-dessus de 3`).
    pub rule: String,
    /// Points added (negative: removed).
    pub points: f64,
}

/// The health score of an institution (0 to 100) and its factors.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthScore {
    /// 0 to 100.
    pub score: i64,
    pub factors: Vec<HealthFactor>,
}

/// A drop of the health score below the threshold, as it was flagged.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthFlag {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub manager_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub flagged_on: String,
    pub score: i64,
    pub previous: Option<i64>,
    pub reasons: String,
}

impl From<relais_app::relation::FlagRow> for HealthFlag {
    fn from(f: relais_app::relation::FlagRow) -> Self {
        HealthFlag {
            id: f.id,
            institution_id: f.institution_id,
            institution_name: f.institution_name,
            manager_id: f.manager_id,
            flagged_on: f.flagged_on,
            score: f.score,
            previous: f.previous,
            reasons: f.reasons,
        }
    }
}

/// The health indicator of an institution: today's score with each
/// factor's contribution, the previous score, two years of daily scores
/// and the flags of the last year.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstitutionHealth {
    pub health: HealthScore,
    /// The previous score as `[date, score]`.
    pub previous: Option<(String, i64)>,
    /// Daily scores as `[date, score]`, oldest first.
    pub history: Vec<(String, i64)>,
    pub flags: Vec<HealthFlag>,
    /// Scores under this are flagged.
    pub threshold: i64,
}

impl From<relais_app::relation::HealthView> for InstitutionHealth {
    fn from(v: relais_app::relation::HealthView) -> Self {
        InstitutionHealth {
            health: HealthScore {
                score: v.health.score,
                factors: v
                    .health
                    .factors
                    .into_iter()
                    .map(|f| HealthFactor {
                        code: f.code,
                        label: f.label,
                        measure: f.measure,
                        rule: f.rule,
                        points: f.points,
                    })
                    .collect(),
            },
            previous: v.previous,
            history: v.history,
            flags: super::list(v.flags),
            threshold: v.threshold,
        }
    }
}

// ---------------------------------------------------------------- privacy::PersonData

/// One kind of data held about a person (one table), its rows as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDataSection {
    /// Stable code of the section (`account`, `contact`, `tickets`…).
    pub key: String,
    /// French title of the section.
    pub title: String,
    /// The rows, one JSON object each, with the columns of that table.
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Everything Relais holds about one person (right of access).
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonData {
    pub generated_at: String,
    pub user_id: Option<String>,
    pub contact_id: Option<String>,
    pub sections: Vec<PersonDataSection>,
}

impl From<relais_app::privacy::PersonData> for PersonData {
    fn from(d: relais_app::privacy::PersonData) -> Self {
        PersonData {
            generated_at: d.generated_at,
            user_id: d.user_id,
            contact_id: d.contact_id,
            sections: d
                .sections
                .into_iter()
                .map(|s| PersonDataSection {
                    key: s.key.to_string(),
                    title: s.title.to_string(),
                    rows: s
                        .rows
                        .into_iter()
                        .map(|r| match r {
                            serde_json::Value::Object(m) => m,
                            other => {
                                let mut m = serde_json::Map::new();
                                m.insert("value".into(), other);
                                m
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- privacy::Erasure

/// What erasing a contact changed: every row kept, the person's data
/// replaced by a pseudonym.
#[derive(Debug, Serialize, ToSchema)]
pub struct Erasure {
    pub pseudonym: String,
    pub rows_rewritten: u64,
    pub tickets_reindexed: u64,
    pub account_closed: bool,
}

impl From<relais_app::privacy::Erasure> for Erasure {
    fn from(e: relais_app::privacy::Erasure) -> Self {
        Erasure {
            pseudonym: e.pseudonym,
            rows_rewritten: e.rows_rewritten,
            tickets_reindexed: e.tickets_reindexed as u64,
            account_closed: e.account_closed,
        }
    }
}
