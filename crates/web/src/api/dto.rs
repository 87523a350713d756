//! The API's own response types: what a client sees, decoupled from the
//! store's rows (a column added to a query does not change the contract,
//! and no schema is named after a row). JSON field names are those the API
//! has always answered. Each type converts from its row with `From`.
//!
//! Generated once from the rows by hand-checked script; edit freely.

use serde::Serialize;
use utoipa::ToSchema;

/// Converts a list of rows into a list of API types.
pub fn list<A: Into<B>, B>(rows: Vec<A>) -> Vec<B> {
    rows.into_iter().map(Into::into).collect()
}

// ---------------------------------------------------------------- crm::InstitutionRow

/// An institution of the référentiel.
#[derive(Debug, Serialize, ToSchema)]
pub struct Institution {
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub kind: String,
    pub region: Option<String>,
    pub city: Option<String>,
    pub uai: Option<String>,
    pub students: Option<i64>,
    pub staff: Option<i64>,
    pub membership: String,
    pub member_since: Option<i64>,
    pub calendar: String,
    pub manager_id: Option<String>,
    pub manager_name: Option<String>,
    /// JSON array of tags.
    pub tags: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<relais_store::crm::InstitutionRow> for Institution {
    fn from(r: relais_store::crm::InstitutionRow) -> Self {
        Institution {
            id: r.id,
            name: r.name,
            acronym: r.acronym,
            kind: r.kind,
            region: r.region,
            city: r.city,
            uai: r.uai,
            students: r.students,
            staff: r.staff,
            membership: r.membership,
            member_since: r.member_since,
            calendar: r.calendar,
            manager_id: r.manager_id,
            manager_name: r.manager_name,
            tags: r.tags,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

// ---------------------------------------------------------------- crm::ComponentRow

/// A component of an institution (faculty, institute, research unit).
#[derive(Debug, Serialize, ToSchema)]
pub struct Component {
    pub id: String,
    pub institution_id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub code: Option<String>,
    pub partner: Option<String>,
}

impl From<relais_store::crm::ComponentRow> for Component {
    fn from(r: relais_store::crm::ComponentRow) -> Self {
        Component {
            id: r.id,
            institution_id: r.institution_id,
            parent_id: r.parent_id,
            kind: r.kind,
            name: r.name,
            code: r.code,
            partner: r.partner,
        }
    }
}

// ---------------------------------------------------------------- crm::ContactRow

/// A contact person of an institution.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub function: String,
    pub title: Option<String>,
    /// JSON array of domain codes.
    pub domains: String,
    pub consent: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Set when the contact was erased (pseudonymised) on request.
    pub erased_at: Option<String>,
}

impl From<relais_store::crm::ContactRow> for Contact {
    fn from(r: relais_store::crm::ContactRow) -> Self {
        Contact {
            id: r.id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            phone: r.phone,
            function: r.function,
            title: r.title,
            domains: r.domains,
            consent: r.consent,
            created_at: r.created_at,
            updated_at: r.updated_at,
            erased_at: r.erased_at,
        }
    }
}

// ---------------------------------------------------------------- crm::DomainRow

/// One of the eight business domains.
#[derive(Debug, Serialize, ToSchema)]
pub struct Domain {
    pub code: String,
    pub name: String,
    pub position: i64,
}

impl From<relais_store::crm::DomainRow> for Domain {
    fn from(r: relais_store::crm::DomainRow) -> Self {
        Domain {
            code: r.code,
            name: r.name,
            position: r.position,
        }
    }
}

// ---------------------------------------------------------------- crm::ProductRow

/// A product of the agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct Product {
    pub id: String,
    pub code: String,
    pub name: String,
    pub domain_code: String,
    pub domain_name: String,
    pub stage: String,
    pub description: Option<String>,
    pub deployments: i64,
}

impl From<relais_store::crm::ProductRow> for Product {
    fn from(r: relais_store::crm::ProductRow) -> Self {
        Product {
            id: r.id,
            code: r.code,
            name: r.name,
            domain_code: r.domain_code,
            domain_name: r.domain_name,
            stage: r.stage,
            description: r.description,
            deployments: r.deployments,
        }
    }
}

// ---------------------------------------------------------------- crm::ReleaseRow

/// A release of a product.
#[derive(Debug, Serialize, ToSchema)]
pub struct Release {
    pub id: String,
    pub product_id: String,
    pub version: String,
    pub released_on: Option<String>,
    pub notes: Option<String>,
}

impl From<relais_store::crm::ReleaseRow> for Release {
    fn from(r: relais_store::crm::ReleaseRow) -> Self {
        Release {
            id: r.id,
            product_id: r.product_id,
            version: r.version,
            released_on: r.released_on,
            notes: r.notes,
        }
    }
}

// ---------------------------------------------------------------- crm::DeploymentRow

/// A product deployed in an institution.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deployment {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub product_id: String,
    pub product_name: String,
    pub status: String,
    pub wave: Option<i64>,
    pub hosting: String,
    pub version: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub notes: Option<String>,
    pub updated_at: String,
}

impl From<relais_store::crm::DeploymentRow> for Deployment {
    fn from(r: relais_store::crm::DeploymentRow) -> Self {
        Deployment {
            id: r.id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            product_id: r.product_id,
            product_name: r.product_name,
            status: r.status,
            wave: r.wave,
            hosting: r.hosting,
            version: r.version,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            notes: r.notes,
            updated_at: r.updated_at,
        }
    }
}

// ---------------------------------------------------------------- crm::ConventionRow

/// A convention (contract) with an institution.
#[derive(Debug, Serialize, ToSchema)]
pub struct Convention {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub kind: String,
    pub title: String,
    pub reference: Option<String>,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub renewal_alert_on: Option<String>,
    pub notes: Option<String>,
}

impl From<relais_store::crm::ConventionRow> for Convention {
    fn from(r: relais_store::crm::ConventionRow) -> Self {
        Convention {
            id: r.id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            kind: r.kind,
            title: r.title,
            reference: r.reference,
            product_id: r.product_id,
            product_name: r.product_name,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            renewal_alert_on: r.renewal_alert_on,
            notes: r.notes,
        }
    }
}

// ---------------------------------------------------------------- crm::InteractionRow

/// A meeting, call, visit or mail with a member.
#[derive(Debug, Serialize, ToSchema)]
pub struct Interaction {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub kind: String,
    pub occurred_on: String,
    pub subject: String,
    pub summary: Option<String>,
    pub contact_id: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
}

impl From<relais_store::crm::InteractionRow> for Interaction {
    fn from(r: relais_store::crm::InteractionRow) -> Self {
        Interaction {
            id: r.id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            kind: r.kind,
            occurred_on: r.occurred_on,
            subject: r.subject,
            summary: r.summary,
            contact_id: r.contact_id,
            author_id: r.author_id,
            author_name: r.author_name,
        }
    }
}

// ---------------------------------------------------------------- crm::TaskRow

/// A follow-up task.
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub interaction_id: Option<String>,
    pub title: String,
    pub due_on: Option<String>,
    pub status: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub created_at: String,
    pub done_at: Option<String>,
}

impl From<relais_store::crm::TaskRow> for Task {
    fn from(r: relais_store::crm::TaskRow) -> Self {
        Task {
            id: r.id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            interaction_id: r.interaction_id,
            title: r.title,
            due_on: r.due_on,
            status: r.status,
            assignee_id: r.assignee_id,
            assignee_name: r.assignee_name,
            created_at: r.created_at,
            done_at: r.done_at,
        }
    }
}

// ---------------------------------------------------------------- accounts::UserRow

/// An account (never its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub locale: String,
    pub active: i64,
    pub created_at: String,
}

impl From<relais_store::accounts::UserRow> for User {
    fn from(r: relais_store::accounts::UserRow) -> Self {
        User {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            locale: r.locale,
            active: r.active,
            created_at: r.created_at,
        }
    }
}

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

// ---------------------------------------------------------------- community::EventRow

/// The stored fields of a community event.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityEventFields {
    pub id: String,
    /// `labu`, `cafe`, `webinaire`, `clubu`, `forum`, `conference`.
    pub kind: String,
    pub title: String,
    pub domain_code: Option<String>,
    pub domain_name: Option<String>,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    /// RFC 3339 UTC.
    pub starts_at: String,
    /// RFC 3339 UTC.
    pub ends_at: String,
    /// `presentiel` or `visio`.
    pub format: String,
    pub place: Option<String>,
    pub visio_url: Option<String>,
    pub capacity: i64,
    pub seats_taken: i64,
    pub description: Option<String>,
    /// JSON array of `{label, url}`.
    pub resources: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<relais_store::community::EventRow> for CommunityEventFields {
    fn from(r: relais_store::community::EventRow) -> Self {
        CommunityEventFields {
            id: r.id,
            kind: r.kind,
            title: r.title,
            domain_code: r.domain_code,
            domain_name: r.domain_name,
            product_id: r.product_id,
            product_name: r.product_name,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            format: r.format,
            place: r.place,
            visio_url: r.visio_url,
            capacity: r.capacity,
            seats_taken: r.seats_taken,
            description: r.description,
            resources: r.resources,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

// ---------------------------------------------------------------- community::RegistrationRow

/// A registration to a community event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventRegistration {
    pub id: String,
    pub event_id: String,
    pub user_id: String,
    pub display_name: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    /// `present`, `absent`, or not yet marked.
    pub attendance: Option<String>,
    pub registered_at: String,
}

impl From<relais_store::community::RegistrationRow> for EventRegistration {
    fn from(r: relais_store::community::RegistrationRow) -> Self {
        EventRegistration {
            id: r.id,
            event_id: r.event_id,
            user_id: r.user_id,
            display_name: r.display_name,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            attendance: r.attendance,
            registered_at: r.registered_at,
        }
    }
}

// ---------------------------------------------------------------- community::MailingListRow

/// The stored fields of a mailing list.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailingListFields {
    pub id: String,
    pub address: String,
    pub name: String,
    pub domain_code: Option<String>,
    pub domain_name: Option<String>,
    pub description: Option<String>,
    /// Subscribers the reader may see (their own institution's for a
    /// member, all for the agency).
    pub subscribers: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<relais_store::community::MailingListRow> for MailingListFields {
    fn from(r: relais_store::community::MailingListRow) -> Self {
        MailingListFields {
            id: r.id,
            address: r.address,
            name: r.name,
            domain_code: r.domain_code,
            domain_name: r.domain_name,
            description: r.description,
            subscribers: r.subscribers,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

// ---------------------------------------------------------------- community::SubscriberRow

/// A subscriber of a mailing list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Subscriber {
    pub contact_id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub subscribed_at: String,
}

impl From<relais_store::community::SubscriberRow> for Subscriber {
    fn from(r: relais_store::community::SubscriberRow) -> Self {
        Subscriber {
            contact_id: r.contact_id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            subscribed_at: r.subscribed_at,
        }
    }
}

// ---------------------------------------------------------------- community::ModeratorRow

/// A moderator of a mailing list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Moderator {
    pub id: String,
    pub user_id: Option<String>,
    pub contact_id: Option<String>,
    /// The account's display name or the contact's first and last names.
    pub name: String,
    pub email: Option<String>,
    /// The contact's institution (none for an agency account).
    pub institution_id: Option<String>,
}

impl From<relais_store::community::ModeratorRow> for Moderator {
    fn from(r: relais_store::community::ModeratorRow) -> Self {
        Moderator {
            id: r.id,
            user_id: r.user_id,
            contact_id: r.contact_id,
            name: r.name,
            email: r.email,
            institution_id: r.institution_id,
        }
    }
}

// ---------------------------------------------------------------- community::PublicationRow

/// The stored fields of a publication.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationFields {
    pub id: String,
    /// `fil_actualite`, `tour_du_web`, `fiche_zoom`, `guide`.
    pub kind: String,
    pub title: String,
    pub domain_code: Option<String>,
    pub domain_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub published_on: String,
    /// Markdown.
    pub body: String,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<relais_store::community::PublicationRow> for PublicationFields {
    fn from(r: relais_store::community::PublicationRow) -> Self {
        PublicationFields {
            id: r.id,
            kind: r.kind,
            title: r.title,
            domain_code: r.domain_code,
            domain_name: r.domain_name,
            published_on: r.published_on,
            body: r.body,
            author_id: r.author_id,
            author_name: r.author_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

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

// ---------------------------------------------------------------- engagement::ComplaintRow

/// The stored fields of a complaint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintFields {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub filed_by: Option<String>,
    pub filed_by_name: Option<String>,
    /// `agent`, `page`, `api`, `mail`, `telephone`.
    pub channel: String,
    /// The irritant: `support`, `formation`, `facturation`, `qualite_produit`,
    /// `deploiement`, `communication`, `relation`, `autre`.
    pub touchpoint: String,
    /// `mineure`, `majeure`, `critique`.
    pub severity: String,
    pub title: String,
    pub description: String,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    /// The ticket an agent converted into this complaint.
    pub ticket_id: Option<String>,
    pub ticket_reference: Option<String>,
    /// The agency department (team) responsible.
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    /// `AAAA-MM-JJ`.
    pub due_on: Option<String>,
    /// `nouvelle`, `en_cours`, `close`.
    pub status: String,
    /// The answer the member reads once the complaint is closed.
    pub answer: Option<String>,
    pub closed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<relais_store::engagement::ComplaintRow> for ComplaintFields {
    fn from(r: relais_store::engagement::ComplaintRow) -> Self {
        ComplaintFields {
            id: r.id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            contact_id: r.contact_id,
            contact_name: r.contact_name,
            filed_by: r.filed_by,
            filed_by_name: r.filed_by_name,
            channel: r.channel,
            touchpoint: r.touchpoint,
            severity: r.severity,
            title: r.title,
            description: r.description,
            product_id: r.product_id,
            product_name: r.product_name,
            ticket_id: r.ticket_id,
            ticket_reference: r.ticket_reference,
            team_id: r.team_id,
            team_name: r.team_name,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            due_on: r.due_on,
            status: r.status,
            answer: r.answer,
            closed_at: r.closed_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

// ---------------------------------------------------------------- engagement::NoteRow

/// A note or action on a complaint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintNote {
    pub id: String,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: String,
}

impl From<relais_store::engagement::NoteRow> for ComplaintNote {
    fn from(r: relais_store::engagement::NoteRow) -> Self {
        ComplaintNote {
            id: r.id,
            author_name: r.author_name,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

// ---------------------------------------------------------------- engagement::ContactCampaignRow

/// The stored fields of a contact campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactCampaignFields {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub created_at: String,
    /// Institutions to contact.
    pub targets: i64,
    /// Institutions no longer "to contact".
    pub done: i64,
}

impl From<relais_store::engagement::ContactCampaignRow> for ContactCampaignFields {
    fn from(r: relais_store::engagement::ContactCampaignRow) -> Self {
        ContactCampaignFields {
            id: r.id,
            title: r.title,
            description: r.description,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            created_at: r.created_at,
            targets: r.targets,
            done: r.done,
        }
    }
}

// ---------------------------------------------------------------- engagement::TargetRow

/// A target of a contact campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignTarget {
    pub id: String,
    pub campaign_id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub manager_id: Option<String>,
    pub manager_name: Option<String>,
    /// `a_contacter`, `contacte`, `injoignable`, `refus`.
    pub status: String,
    pub last_contact_on: Option<String>,
    pub contacts: i64,
}

impl From<relais_store::engagement::TargetRow> for CampaignTarget {
    fn from(r: relais_store::engagement::TargetRow) -> Self {
        CampaignTarget {
            id: r.id,
            campaign_id: r.campaign_id,
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            manager_id: r.manager_id,
            manager_name: r.manager_name,
            status: r.status,
            last_contact_on: r.last_contact_on,
            contacts: r.contacts,
        }
    }
}

// ---------------------------------------------------------------- watchdog

/// A ticket whose contractual clocks are at risk or late now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AtRiskTicket {
    pub ticket: Ticket,
    pub clocks: Vec<relais_app::watchdog::Clock>,
}

impl From<relais_app::watchdog::AtRisk> for AtRiskTicket {
    fn from(r: relais_app::watchdog::AtRisk) -> Self {
        AtRiskTicket {
            ticket: r.ticket.into(),
            clocks: r.clocks,
        }
    }
}
