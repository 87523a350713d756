//! API types of complaints and contact campaigns.

use serde::Serialize;
use utoipa::ToSchema;

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
