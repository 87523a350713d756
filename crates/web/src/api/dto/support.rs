//! API types of the support desk.

use serde::Serialize;
use utoipa::ToSchema;

// ---------------------------------------------------------------- support::TicketRow

/// A support ticket with its SLA fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ticket {
    pub id: String,
    pub reference: String,
    pub institution_id: String,
    pub institution_name: String,
    pub requester_id: Option<String>,
    pub requester_name: String,
    pub requester_email: Option<String>,
    pub product_id: String,
    pub product_name: String,
    pub module: Option<String>,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub subject: String,
    pub team_id: Option<String>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub shared: i64,
    pub share_requester: i64,
    pub share_attachments: i64,
    pub incident_id: Option<String>,
    pub level_code: Option<String>,
    pub channel: String,
    pub created_at: String,
    pub updated_at: String,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub first_response_due_at: Option<String>,
    pub resolution_due_at: Option<String>,
    pub agent_estimate_at: Option<String>,
    pub paused_minutes: i64,
    pub editor_minutes: i64,
    pub last_status_at: String,
    /// Institutions that said "nous aussi".
    pub affected_count: i64,
}

impl From<relais_store::support::TicketRow> for Ticket {
    fn from(r: relais_store::support::TicketRow) -> Self {
        Ticket {
            id: r.id,
            reference: r.reference,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            requester_id: r.requester_id,
            requester_name: r.requester_name,
            requester_email: r.requester_email,
            product_id: r.product_id,
            product_name: r.product_name,
            module: r.module,
            category: r.category,
            severity: r.severity,
            status: r.status,
            subject: r.subject,
            team_id: r.team_id,
            assignee_id: r.assignee_id,
            assignee_name: r.assignee_name,
            shared: r.shared,
            share_requester: r.share_requester,
            share_attachments: r.share_attachments,
            incident_id: r.incident_id,
            level_code: r.level_code,
            channel: r.channel,
            created_at: r.created_at,
            updated_at: r.updated_at,
            first_response_at: r.first_response_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            first_response_due_at: r.first_response_due_at,
            resolution_due_at: r.resolution_due_at,
            agent_estimate_at: r.agent_estimate_at,
            paused_minutes: r.paused_minutes,
            editor_minutes: r.editor_minutes,
            last_status_at: r.last_status_at,
            affected_count: r.affected_count,
        }
    }
}

// ---------------------------------------------------------------- support::MessageRow

/// A message (reply or internal note) of a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketMessage {
    pub id: String,
    pub ticket_id: String,
    pub author_id: Option<String>,
    pub author_name: String,
    pub visibility: String,
    pub body: String,
    pub channel: String,
    pub mail_message_id: Option<String>,
    pub created_at: String,
    /// 1 when written by agency staff (their names are public; an
    /// institution's people are not named to other institutions).
    pub by_agency: i64,
}

impl From<relais_store::support::MessageRow> for TicketMessage {
    fn from(r: relais_store::support::MessageRow) -> Self {
        TicketMessage {
            id: r.id,
            ticket_id: r.ticket_id,
            author_id: r.author_id,
            author_name: r.author_name,
            visibility: r.visibility,
            body: r.body,
            channel: r.channel,
            mail_message_id: r.mail_message_id,
            created_at: r.created_at,
            by_agency: r.by_agency,
        }
    }
}

// ---------------------------------------------------------------- support::EventRow

/// An entry of a ticket's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketEvent {
    pub id: String,
    pub ticket_id: String,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub field: String,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
}

impl From<relais_store::support::EventRow> for TicketEvent {
    fn from(r: relais_store::support::EventRow) -> Self {
        TicketEvent {
            id: r.id,
            ticket_id: r.ticket_id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            field: r.field,
            before_value: r.before_value,
            after_value: r.after_value,
        }
    }
}

// ---------------------------------------------------------------- support::WorkaroundRow

/// A workaround posted on a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct Workaround {
    pub id: String,
    pub ticket_id: String,
    pub institution_id: Option<String>,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

impl From<relais_store::support::WorkaroundRow> for Workaround {
    fn from(r: relais_store::support::WorkaroundRow) -> Self {
        Workaround {
            id: r.id,
            ticket_id: r.ticket_id,
            institution_id: r.institution_id,
            author_name: r.author_name,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

// ---------------------------------------------------------------- support::IncidentRow

/// An incident grouping tickets of one problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct Incident {
    pub id: String,
    pub product_id: String,
    pub product_name: String,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
    pub ticket_count: i64,
}

impl From<relais_store::support::IncidentRow> for Incident {
    fn from(r: relais_store::support::IncidentRow) -> Self {
        Incident {
            id: r.id,
            product_id: r.product_id,
            product_name: r.product_name,
            title: r.title,
            description: r.description,
            status: r.status,
            created_at: r.created_at,
            resolved_at: r.resolved_at,
            resolution: r.resolution,
            ticket_count: r.ticket_count,
        }
    }
}
