//! API types of the communities.

use serde::Serialize;
use utoipa::ToSchema;

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
