//! API types of the référentiel and CRM.

use serde::Serialize;
use utoipa::ToSchema;

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
