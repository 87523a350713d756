//! Communities: events with registrations (a seat counter taken by a
//! conditional update, as `training::take_seat`), attendance, the domains'
//! mailing lists with moderators and subscribers drawn from contacts, and
//! publications with their products.
//!
//! Subscribers are contacts, who belong to an institution: every read of
//! subscribers takes a [`Scope`], so a member's query only ever returns
//! their own institution's contacts. `events_between` and
//! `user_event_registrations` feed the iCalendar feeds.

use crate::crm::scope_filter;
use crate::sql::{bind_list, count, exec, fetch_all, fetch_one, opt, Arg, Sql};
use crate::{Conn, Result, Scope, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

// ---------------------------------------------------------------- events

/// An event as the pages, the API and the calendar feeds read it.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct EventRow {
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

const EVENT_COLS: &str = "SELECT e.id, e.kind, e.title, e.domain_code, d.name AS domain_name, \
    e.product_id, p.name AS product_name, e.starts_at, e.ends_at, e.format, e.place, e.visio_url, \
    e.capacity, e.seats_taken, e.description, e.resources, e.created_at, e.updated_at \
    FROM community_events e LEFT JOIN domains d ON d.code = e.domain_code \
    LEFT JOIN products p ON p.id = e.product_id";

/// The editable fields of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventValues {
    pub kind: String,
    pub title: String,
    pub domain_code: Option<String>,
    pub product_id: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub format: String,
    pub place: Option<String>,
    pub visio_url: Option<String>,
    pub capacity: i64,
    pub description: Option<String>,
    /// JSON array of `{label, url}`.
    pub resources: String,
}

pub async fn insert_event(c: &mut Conn, id: Id, v: &EventValues, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO community_events (id, kind, title, domain_code, product_id, starts_at, ends_at, \
         format, place, visio_url, capacity, description, resources, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.kind.clone()),
            Arg::Text(v.title.clone()),
            opt(&v.domain_code),
            opt(&v.product_id),
            Arg::Text(v.starts_at.clone()),
            Arg::Text(v.ends_at.clone()),
            Arg::Text(v.format.clone()),
            opt(&v.place),
            opt(&v.visio_url),
            Arg::Int(v.capacity),
            opt(&v.description),
            Arg::Text(v.resources.clone()),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

/// Updates an event. The capacity may not fall below the seats already
/// taken (`false` then, nothing changed): the check is in the statement,
/// so a registration arriving meanwhile cannot slip past it.
pub async fn update_event(c: &mut Conn, id: Id, v: &EventValues, now: &str) -> Result<bool> {
    let mut q = Sql::new("UPDATE community_events SET kind = ");
    q.bind_text(v.kind.clone());
    q.push(", title = ").bind_text(v.title.clone());
    q.push(", domain_code = ").bind(opt(&v.domain_code));
    q.push(", product_id = ").bind(opt(&v.product_id));
    q.push(", starts_at = ").bind_text(v.starts_at.clone());
    q.push(", ends_at = ").bind_text(v.ends_at.clone());
    q.push(", format = ").bind_text(v.format.clone());
    q.push(", place = ").bind(opt(&v.place));
    q.push(", visio_url = ").bind(opt(&v.visio_url));
    q.push(", capacity = ").bind_int(v.capacity);
    q.push(", description = ").bind(opt(&v.description));
    q.push(", resources = ").bind_text(v.resources.clone());
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    q.push(" AND seats_taken <= ").bind_int(v.capacity);
    Ok(exec(c, &q).await? == 1)
}

pub async fn get_event(c: &mut Conn, id: Id) -> Result<EventRow> {
    let mut q = Sql::new(EVENT_COLS);
    q.push(" WHERE e.id = ").bind_text(id.to_string());
    fetch_one(c, &q).await
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub domain: Option<String>,
    /// Only events ending at or after this instant (upcoming).
    pub ends_after: Option<String>,
    /// Only events that ended before this instant (past).
    pub ended_before: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn event_where(q: &mut Sql, f: &EventFilter) {
    q.push(" WHERE 1 = 1");
    if let Some(k) = &f.kind {
        q.push(" AND e.kind = ").bind_text(k.clone());
    }
    if let Some(d) = &f.domain {
        q.push(" AND e.domain_code = ").bind_text(d.clone());
    }
    if let Some(t) = &f.ends_after {
        q.push(" AND e.ends_at >= ").bind_text(t.clone());
    }
    if let Some(t) = &f.ended_before {
        q.push(" AND e.ends_at < ").bind_text(t.clone());
    }
}

/// Events, upcoming ones soonest first, past ones latest first.
pub async fn list_events(c: &mut Conn, f: &EventFilter) -> Result<(Vec<EventRow>, i64)> {
    let mut q = Sql::new(EVENT_COLS);
    event_where(&mut q, f);
    if f.ended_before.is_some() {
        q.push(" ORDER BY e.starts_at DESC, e.id");
    } else {
        q.push(" ORDER BY e.starts_at, e.id");
    }
    q.push(" LIMIT ").bind_int(f.limit.clamp(1, 10_000));
    q.push(" OFFSET ").bind_int(f.offset.max(0));
    let rows = fetch_all(c, &q).await?;
    let mut cq = Sql::new("SELECT COUNT(*) FROM community_events e");
    event_where(&mut cq, f);
    Ok((rows, count(c, &cq).await?))
}

/// Events overlapping `[from_utc, to_utc)` (RFC 3339 UTC text), for the
/// calendar feeds.
pub async fn events_between(c: &mut Conn, from_utc: &str, to_utc: &str) -> Result<Vec<EventRow>> {
    let mut q = Sql::new(EVENT_COLS);
    q.push(" WHERE e.ends_at > ").bind_text(from_utc);
    q.push(" AND e.starts_at < ").bind_text(to_utc);
    q.push(" ORDER BY e.starts_at, e.id");
    fetch_all(c, &q).await
}

/// The events a person registered for, soonest first, for their own
/// calendar feed.
pub async fn user_event_registrations(c: &mut Conn, user_id: Id) -> Result<Vec<EventRow>> {
    let mut q = Sql::new(EVENT_COLS);
    q.push(" JOIN event_registrations r ON r.event_id = e.id WHERE r.user_id = ");
    q.bind_text(user_id.to_string());
    q.push(" ORDER BY e.starts_at, e.id");
    fetch_all(c, &q).await
}

/// Takes one seat if one is left. On PostgreSQL the update locks the event
/// row (a concurrent one waits, then re-checks the condition); SQLite has
/// one writer: at most `capacity` seats can ever be taken.
pub async fn take_event_seat(c: &mut Conn, event: Id) -> Result<bool> {
    let mut q = Sql::new("UPDATE community_events SET seats_taken = seats_taken + 1 WHERE id = ");
    q.bind_text(event.to_string());
    q.push(" AND seats_taken < capacity");
    Ok(exec(c, &q).await? == 1)
}

pub async fn release_event_seat(c: &mut Conn, event: Id) -> Result<()> {
    let mut q = Sql::new("UPDATE community_events SET seats_taken = seats_taken - 1 WHERE id = ");
    q.bind_text(event.to_string());
    q.push(" AND seats_taken > 0");
    exec(c, &q).await.map(|_| ())
}

/// `false` when the person is already registered.
pub async fn insert_event_registration(
    c: &mut Conn,
    id: Id,
    event: Id,
    user: Id,
    institution: Option<Id>,
    now: &str,
) -> Result<bool> {
    let mut q = Sql::new(
        "INSERT INTO event_registrations (id, event_id, user_id, institution_id, registered_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(event.to_string()),
            Arg::Text(user.to_string()),
            institution
                .map(|i| Arg::Text(i.to_string()))
                .unwrap_or(Arg::NullText),
            Arg::Text(now.into()),
        ],
    );
    q.push(") ON CONFLICT DO NOTHING");
    Ok(exec(c, &q).await? == 1)
}

/// `false` when the person was not registered.
pub async fn delete_event_registration(c: &mut Conn, event: Id, user: Id) -> Result<bool> {
    let mut q = Sql::new("DELETE FROM event_registrations WHERE event_id = ");
    q.bind_text(event.to_string());
    q.push(" AND user_id = ").bind_text(user.to_string());
    Ok(exec(c, &q).await? == 1)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RegistrationRow {
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

/// The registrants of an event, narrowed by scope (a member would only see
/// their own institution's; the pages show the list to agency staff only).
pub async fn event_registrations(
    c: &mut Conn,
    scope: Scope,
    event: Id,
) -> Result<Vec<RegistrationRow>> {
    let mut q = Sql::new(
        "SELECT r.id, r.event_id, r.user_id, u.display_name, r.institution_id, \
         i.name AS institution_name, r.attendance, r.registered_at FROM event_registrations r \
         JOIN users u ON u.id = r.user_id LEFT JOIN institutions i ON i.id = r.institution_id \
         WHERE r.event_id = ",
    );
    q.bind_text(event.to_string());
    scope_filter(&mut q, "r.institution_id", scope);
    q.push(" ORDER BY u.display_name, r.id");
    fetch_all(c, &q).await
}

pub async fn is_registered(c: &mut Conn, event: Id, user: Id) -> Result<bool> {
    let mut q = Sql::new("SELECT COUNT(*) FROM event_registrations WHERE event_id = ");
    q.bind_text(event.to_string());
    q.push(" AND user_id = ").bind_text(user.to_string());
    Ok(count(c, &q).await? > 0)
}

/// `(registrations, present, absent)` of an event.
pub async fn event_counts(c: &mut Conn, event: Id) -> Result<(i64, i64, i64)> {
    let mut q = Sql::new(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN attendance = 'present' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN attendance = 'absent' THEN 1 ELSE 0 END), 0) \
         FROM event_registrations WHERE event_id = ",
    );
    q.bind_text(event.to_string());
    let (n, p, a): (i64, i64, i64) = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok((n, p, a))
}

/// Marks one registrant; `false` when the registration is not of this event.
pub async fn set_attendance(
    c: &mut Conn,
    event: Id,
    registration: Id,
    attendance: Option<&str>,
) -> Result<bool> {
    let mut q = Sql::new("UPDATE event_registrations SET attendance = ");
    q.bind(
        attendance
            .map(|a| Arg::Text(a.into()))
            .unwrap_or(Arg::NullText),
    );
    q.push(" WHERE id = ").bind_text(registration.to_string());
    q.push(" AND event_id = ").bind_text(event.to_string());
    Ok(exec(c, &q).await? == 1)
}

// ---------------------------------------------------------- mailing lists

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MailingListRow {
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

fn list_cols(scope: Scope) -> Sql {
    let mut q = Sql::new(
        "SELECT l.id, l.address, l.name, l.domain_code, d.name AS domain_name, l.description, \
         (SELECT COUNT(*) FROM mailing_list_subscriptions s JOIN contacts c ON c.id = s.contact_id \
         WHERE s.list_id = l.id",
    );
    scope_filter(&mut q, "c.institution_id", scope);
    q.push(
        ") AS subscribers, l.created_at, l.updated_at FROM mailing_lists l \
         LEFT JOIN domains d ON d.code = l.domain_code",
    );
    q
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailingListValues {
    pub address: String,
    pub name: String,
    pub domain_code: Option<String>,
    pub description: Option<String>,
}

pub async fn insert_list(c: &mut Conn, id: Id, v: &MailingListValues, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO mailing_lists (id, address, name, domain_code, description, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.address.clone()),
            Arg::Text(v.name.clone()),
            opt(&v.domain_code),
            opt(&v.description),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn update_list(c: &mut Conn, id: Id, v: &MailingListValues, now: &str) -> Result<()> {
    let mut q = Sql::new("UPDATE mailing_lists SET address = ");
    q.bind_text(v.address.clone());
    q.push(", name = ").bind_text(v.name.clone());
    q.push(", domain_code = ").bind(opt(&v.domain_code));
    q.push(", description = ").bind(opt(&v.description));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    if exec(c, &q).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn list_lists(
    c: &mut Conn,
    scope: Scope,
    domain: Option<&str>,
) -> Result<Vec<MailingListRow>> {
    let mut q = list_cols(scope);
    q.push(" WHERE 1 = 1");
    if let Some(d) = domain {
        q.push(" AND l.domain_code = ").bind_text(d);
    }
    q.push(" ORDER BY d.position, l.address");
    fetch_all(c, &q).await
}

pub async fn get_list(c: &mut Conn, scope: Scope, id: Id) -> Result<MailingListRow> {
    let mut q = list_cols(scope);
    q.push(" WHERE l.id = ").bind_text(id.to_string());
    fetch_one(c, &q).await
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct SubscriberRow {
    pub contact_id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub subscribed_at: String,
}

/// The subscribers of a list the reader may see: a member's scope keeps
/// their own institution's contacts only.
pub async fn subscribers(c: &mut Conn, scope: Scope, list: Id) -> Result<Vec<SubscriberRow>> {
    let mut q = Sql::new(
        "SELECT c.id AS contact_id, c.institution_id, i.name AS institution_name, c.first_name, \
         c.last_name, c.email, s.subscribed_at FROM mailing_list_subscriptions s \
         JOIN contacts c ON c.id = s.contact_id JOIN institutions i ON i.id = c.institution_id \
         WHERE s.list_id = ",
    );
    q.bind_text(list.to_string());
    scope_filter(&mut q, "c.institution_id", scope);
    q.push(" ORDER BY i.name, c.last_name, c.first_name, c.id");
    fetch_all(c, &q).await
}

/// `false` when the contact was already subscribed.
pub async fn subscribe(c: &mut Conn, list: Id, contact: Id, now: &str) -> Result<bool> {
    let mut q = Sql::new(
        "INSERT INTO mailing_list_subscriptions (list_id, contact_id, subscribed_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(list.to_string()),
            Arg::Text(contact.to_string()),
            Arg::Text(now.into()),
        ],
    );
    q.push(") ON CONFLICT DO NOTHING");
    Ok(exec(c, &q).await? == 1)
}

/// `false` when the contact was not subscribed.
pub async fn unsubscribe(c: &mut Conn, list: Id, contact: Id) -> Result<bool> {
    let mut q = Sql::new("DELETE FROM mailing_list_subscriptions WHERE list_id = ");
    q.bind_text(list.to_string());
    q.push(" AND contact_id = ").bind_text(contact.to_string());
    Ok(exec(c, &q).await? == 1)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ModeratorRow {
    pub id: String,
    pub user_id: Option<String>,
    pub contact_id: Option<String>,
    /// The account's display name or the contact's first and last names.
    pub name: String,
    pub email: Option<String>,
    /// The contact's institution (none for an agency account).
    pub institution_id: Option<String>,
}

/// Moderators of a list. Accounts (agency staff) are always listed; a
/// contact moderator only within the reader's scope.
pub async fn moderators(c: &mut Conn, scope: Scope, list: Id) -> Result<Vec<ModeratorRow>> {
    let mut q = Sql::new(
        "SELECT m.id, m.user_id, m.contact_id, \
         COALESCE(u.display_name, c.first_name || ' ' || c.last_name) AS name, \
         COALESCE(u.email, c.email) AS email, c.institution_id \
         FROM mailing_list_moderators m LEFT JOIN users u ON u.id = m.user_id \
         LEFT JOIN contacts c ON c.id = m.contact_id WHERE m.list_id = ",
    );
    q.bind_text(list.to_string());
    match scope {
        Scope::All => {}
        Scope::Institution(i) => {
            q.push(" AND (m.contact_id IS NULL OR c.institution_id = ")
                .bind_text(i.to_string())
                .push(")");
        }
        Scope::Nothing => {
            q.push(" AND m.contact_id IS NULL");
        }
    }
    q.push(" ORDER BY name, m.id");
    fetch_all(c, &q).await
}

/// A moderator: exactly one of `user` and `contact`. `false` when already one.
pub async fn add_moderator(
    c: &mut Conn,
    list: Id,
    user: Option<Id>,
    contact: Option<Id>,
    now: &str,
) -> Result<bool> {
    let mut q = Sql::new(
        "INSERT INTO mailing_list_moderators (id, list_id, user_id, contact_id, created_at) VALUES (",
    );
    let id_arg = |i: Option<Id>| i.map(|i| Arg::Text(i.to_string())).unwrap_or(Arg::NullText);
    bind_list(
        &mut q,
        vec![
            Arg::Text(Id::new().to_string()),
            Arg::Text(list.to_string()),
            id_arg(user),
            id_arg(contact),
            Arg::Text(now.into()),
        ],
    );
    q.push(") ON CONFLICT DO NOTHING");
    Ok(exec(c, &q).await? == 1)
}

pub async fn remove_moderator(c: &mut Conn, list: Id, moderator: Id) -> Result<bool> {
    let mut q = Sql::new("DELETE FROM mailing_list_moderators WHERE id = ");
    q.bind_text(moderator.to_string());
    q.push(" AND list_id = ").bind_text(list.to_string());
    Ok(exec(c, &q).await? == 1)
}

// ----------------------------------------------------------- publications

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct PublicationRow {
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

const PUB_COLS: &str = "SELECT b.id, b.kind, b.title, b.domain_code, d.name AS domain_name, \
    b.published_on, b.body, b.author_id, u.display_name AS author_name, b.created_at, b.updated_at \
    FROM publications b LEFT JOIN domains d ON d.code = b.domain_code \
    LEFT JOIN users u ON u.id = b.author_id";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationValues {
    pub kind: String,
    pub title: String,
    pub domain_code: Option<String>,
    pub published_on: String,
    pub body: String,
    pub product_ids: Vec<Id>,
}

async fn set_products(c: &mut Conn, id: Id, products: &[Id]) -> Result<()> {
    let mut q = Sql::new("DELETE FROM publication_products WHERE publication_id = ");
    q.bind_text(id.to_string());
    exec(c, &q).await?;
    for p in products {
        let mut q =
            Sql::new("INSERT INTO publication_products (publication_id, product_id) VALUES (");
        bind_list(
            &mut q,
            vec![Arg::Text(id.to_string()), Arg::Text(p.to_string())],
        );
        q.push(") ON CONFLICT DO NOTHING");
        exec(c, &q).await?;
    }
    Ok(())
}

pub async fn insert_publication(
    c: &mut Conn,
    id: Id,
    v: &PublicationValues,
    author: Option<Id>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO publications (id, kind, title, domain_code, published_on, body, author_id, \
         created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.kind.clone()),
            Arg::Text(v.title.clone()),
            opt(&v.domain_code),
            Arg::Text(v.published_on.clone()),
            Arg::Text(v.body.clone()),
            author
                .map(|a| Arg::Text(a.to_string()))
                .unwrap_or(Arg::NullText),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await?;
    set_products(c, id, &v.product_ids).await
}

pub async fn update_publication(
    c: &mut Conn,
    id: Id,
    v: &PublicationValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new("UPDATE publications SET kind = ");
    q.bind_text(v.kind.clone());
    q.push(", title = ").bind_text(v.title.clone());
    q.push(", domain_code = ").bind(opt(&v.domain_code));
    q.push(", published_on = ")
        .bind_text(v.published_on.clone());
    q.push(", body = ").bind_text(v.body.clone());
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    if exec(c, &q).await? == 0 {
        return Err(StoreError::NotFound);
    }
    set_products(c, id, &v.product_ids).await
}

pub async fn get_publication(c: &mut Conn, id: Id) -> Result<PublicationRow> {
    let mut q = Sql::new(PUB_COLS);
    q.push(" WHERE b.id = ").bind_text(id.to_string());
    fetch_one(c, &q).await
}

/// `(product id, product name)` of a publication.
pub async fn publication_products(c: &mut Conn, id: Id) -> Result<Vec<(String, String)>> {
    let mut q = Sql::new(
        "SELECT p.id, p.name FROM publication_products pp JOIN products p ON p.id = pp.product_id \
         WHERE pp.publication_id = ",
    );
    q.bind_text(id.to_string());
    q.push(" ORDER BY p.name");
    fetch_all(c, &q).await
}

#[derive(Debug, Clone, Default)]
pub struct PublicationFilter {
    pub kind: Option<String>,
    /// Any of these domains (empty: all).
    pub domains: Vec<String>,
    pub product_id: Option<String>,
    /// Published on or before this day (`YYYY-MM-DD`): members do not see
    /// a publication dated in the future.
    pub published_until: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn pub_where(q: &mut Sql, f: &PublicationFilter) {
    q.push(" WHERE 1 = 1");
    if let Some(k) = &f.kind {
        q.push(" AND b.kind = ").bind_text(k.clone());
    }
    if !f.domains.is_empty() {
        q.push(" AND b.domain_code IN (");
        bind_list(q, f.domains.iter().cloned().map(Arg::Text).collect());
        q.push(")");
    }
    if let Some(p) = &f.product_id {
        q.push(
            " AND EXISTS (SELECT 1 FROM publication_products pp WHERE pp.publication_id = b.id \
             AND pp.product_id = ",
        )
        .bind_text(p.clone())
        .push(")");
    }
    if let Some(d) = &f.published_until {
        q.push(" AND b.published_on <= ").bind_text(d.clone());
    }
}

/// Publications, latest first.
pub async fn list_publications(
    c: &mut Conn,
    f: &PublicationFilter,
) -> Result<(Vec<PublicationRow>, i64)> {
    let mut q = Sql::new(PUB_COLS);
    pub_where(&mut q, f);
    q.push(" ORDER BY b.published_on DESC, b.id DESC LIMIT ")
        .bind_int(f.limit.clamp(1, 10_000));
    q.push(" OFFSET ").bind_int(f.offset.max(0));
    let rows = fetch_all(c, &q).await?;
    let mut cq = Sql::new("SELECT COUNT(*) FROM publications b");
    pub_where(&mut cq, f);
    Ok((rows, count(c, &cq).await?))
}

/// The union of the domains of interest of the contacts that share a
/// person's e-mail in their institution: how a member account (which has
/// no domains itself) finds its interests. JSON arrays, one per contact.
pub async fn contact_domains_for(
    c: &mut Conn,
    institution: Id,
    email: &str,
) -> Result<Vec<String>> {
    let mut q = Sql::new("SELECT domains FROM contacts WHERE institution_id = ");
    q.bind_text(institution.to_string());
    q.push(" AND LOWER(email) = ")
        .bind_text(email.to_lowercase());
    let rows: Vec<(String,)> = fetch_all(c, &q).await?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}

/// An institution's part in community events: `(event id, title, kind,
/// starts_at, registered, present)` for events its staff registered for,
/// latest first.
pub async fn institution_events(
    c: &mut Conn,
    institution: Id,
    limit: i64,
) -> Result<Vec<(String, String, String, String, i64, i64)>> {
    sqlx::query_as(
        "SELECT e.id, e.title, e.kind, e.starts_at, COUNT(*), \
         COALESCE(SUM(CASE WHEN r.attendance = 'present' THEN 1 ELSE 0 END), 0) \
         FROM event_registrations r JOIN community_events e ON e.id = r.event_id \
         WHERE r.institution_id = $1 GROUP BY e.id, e.title, e.kind, e.starts_at \
         ORDER BY e.starts_at DESC, e.id LIMIT $2",
    )
    .bind(institution.to_string())
    .bind(limit)
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

/// A file attached to a publication.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct PublicationFileRow {
    pub id: String,
    pub publication_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(skip)]
    pub storage_key: String,
    pub created_at: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_publication_file(
    c: &mut Conn,
    id: Id,
    publication: Id,
    file_name: &str,
    content_type: &str,
    size: i64,
    key: &str,
    sha256: &str,
    by: Id,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO publication_files (id, publication_id, file_name, content_type, size_bytes, storage_key, sha256, \
         uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(publication.to_string())
    .bind(file_name.to_string())
    .bind(content_type.to_string())
    .bind(size)
    .bind(key.to_string())
    .bind(sha256.to_string())
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

const PUB_FILE_COLS: &str = "SELECT id, publication_id, file_name, content_type, size_bytes, storage_key, created_at FROM publication_files";

pub async fn publication_files(c: &mut Conn, publication: Id) -> Result<Vec<PublicationFileRow>> {
    sqlx::query_as(&format!(
        "{PUB_FILE_COLS} WHERE publication_id = $1 ORDER BY created_at, id"
    ))
    .bind(publication.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)
}

pub async fn publication_file(
    c: &mut Conn,
    publication: Id,
    file: Id,
) -> Result<PublicationFileRow> {
    sqlx::query_as(&format!(
        "{PUB_FILE_COLS} WHERE publication_id = $1 AND id = $2"
    ))
    .bind(publication.to_string())
    .bind(file.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(StoreError::from_sqlx)?
    .ok_or(StoreError::NotFound)
}
