//! Community use cases (issue 5): events of the professional communities
//! (Lab'U, Cafés, webinars, Club'U, forums, conferences) that people
//! register for themselves within the capacity, with attendance marked by
//! the agency; the domains' mailing lists with their moderators and
//! subscribers drawn from contacts, exported for Sympa; publications
//! (news threads, "tour du web", fiches Zoom, guides) in Markdown.
//!
//! Who may do what:
//! - events, lists and publications are written by the agency roles that
//!   run the communities: administrators and chargés de domaine
//!   ([`may_manage`]);
//! - a subscription is changed by them, or by a referent for a contact of
//!   their own institution; any other contact is "not found";
//! - subscribers are read through the actor's scope: a member or referent
//!   sees only their own institution's contacts, never another's e-mails;
//! - the Sympa export (every address of a list) is for agency staff only.
//!
//! Every change writes an audit row in its transaction.

use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use relais_domain::accounts::{Actor, Role, Scope};
use relais_domain::community::{
    parse_local_datetime, parse_resource_lines, sympa_line, Attendance, EventFormat, EventKind,
    PublicationKind, Resource,
};
use relais_domain::shared::{optional_text, parse_date, required_text, Violations};
use relais_domain::{DomainError, Id};
use relais_store::community as store;
use relais_store::community::{
    EventFilter, EventValues, MailingListRow, MailingListValues, ModeratorRow, PublicationValues,
    RegistrationRow, SubscriberRow,
};
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::community::{EventRow, PublicationFilter, PublicationRow};
use relais_store::Conn;
use serde_json::json;

const TITLE_MAX: usize = 200;
const TEXT_MAX: usize = 20_000;
const BODY_MAX: usize = 100_000;

/// The agency roles that run communities, lists and publications.
pub fn may_manage(a: &Actor) -> bool {
    matches!(a.role, Role::Admin | Role::Domain)
}

fn require(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

async fn audit(
    tx: &mut Conn,
    app: &App,
    actor: &Actor,
    entity: &str,
    id: Id,
    action: &str,
    changes: serde_json::Value,
) -> Result<()> {
    relais_store::audit::record(
        tx,
        Some(actor.user_id),
        entity,
        id,
        action,
        &changes,
        &app.now_ts(),
    )
    .await?;
    Ok(())
}

async fn check_domain(c: &mut Conn, v: &mut Violations, code: Option<&str>) -> Result<()> {
    if let Some(code) = code {
        let known = relais_store::crm::list_domains(c)
            .await?
            .iter()
            .any(|d| d.code == code);
        if !known {
            v.push("unknown_domain", "domain_code", "Domaine inconnu.");
        }
    }
    Ok(())
}

async fn check_product(
    c: &mut Conn,
    v: &mut Violations,
    field: &'static str,
    raw: &str,
) -> Result<Option<Id>> {
    let Some(id) = Id::parse(raw.trim()) else {
        v.push("unknown_product", field, "Produit inconnu.");
        return Ok(None);
    };
    match relais_store::crm::get_product(c, id).await {
        Ok(_) => Ok(Some(id)),
        Err(relais_store::StoreError::NotFound) => {
            v.push("unknown_product", field, "Produit inconnu.");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------- events

/// What a form or the API sends for an event.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub kind: String,
    pub title: String,
    pub domain_code: Option<String>,
    pub product_id: Option<String>,
    /// Paris time (`AAAA-MM-JJTHH:MM`) or an RFC 3339 instant.
    pub starts_at: String,
    pub ends_at: String,
    pub format: String,
    pub place: Option<String>,
    pub visio_url: Option<String>,
    pub capacity: String,
    pub description: Option<String>,
    pub resources: Vec<Resource>,
    /// Resources typed as lines `Libellé | https://…` (forms); added to
    /// `resources`.
    pub resource_lines: Option<String>,
}

async fn validate_event(c: &mut Conn, i: &EventInput) -> Result<EventValues> {
    let mut v = Violations::default();
    let title = required_text(&mut v, "title", &i.title, TITLE_MAX);
    let kind = EventKind::from_code(i.kind.trim());
    if kind.is_none() {
        v.push("invalid_kind", "kind", "Choisissez le type d'événement.");
    }
    let format = EventFormat::from_code(i.format.trim());
    if format.is_none() {
        v.push(
            "invalid_format",
            "format",
            "Choisissez le format : présentiel ou visio.",
        );
    }
    let starts = parse_local_datetime(&mut v, "starts_at", &i.starts_at);
    let ends = parse_local_datetime(&mut v, "ends_at", &i.ends_at);
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            v.push(
                "ends_before_start",
                "ends_at",
                "La fin doit suivre le début.",
            );
        }
    }
    let place = optional_text(&mut v, "place", i.place.as_deref(), 300);
    let visio_url = optional_text(&mut v, "visio_url", i.visio_url.as_deref(), 1000);
    match format {
        Some(EventFormat::Presentiel) if place.is_none() => v.push(
            "place_required",
            "place",
            "Indiquez le lieu d'un événement en présentiel.",
        ),
        Some(EventFormat::Visio) if visio_url.is_none() => v.push(
            "visio_url_required",
            "visio_url",
            "Indiquez le lien de la visioconférence.",
        ),
        _ => {}
    }
    if let Some(u) = &visio_url {
        if !relais_domain::community::is_web_url(u) {
            v.push(
                "invalid_url",
                "visio_url",
                "Le lien doit être une adresse web (http:// ou https://).",
            );
        }
    }
    let capacity = match i.capacity.trim().parse::<i64>() {
        Ok(n) if (1..=100_000).contains(&n) => n,
        _ => {
            v.push(
                "invalid_capacity",
                "capacity",
                "La capacité est un nombre de places (1 ou plus).",
            );
            0
        }
    };
    let description = optional_text(&mut v, "description", i.description.as_deref(), TEXT_MAX);
    let mut resources = Vec::new();
    for r in &i.resources {
        if !relais_domain::community::is_web_url(r.url.trim()) {
            v.push(
                "invalid_url",
                "resources",
                format!(
                    "« {} » n'est pas une adresse web (http:// ou https://).",
                    r.url
                ),
            );
        } else {
            resources.push(Resource {
                label: if r.label.trim().is_empty() {
                    r.url.trim()
                } else {
                    r.label.trim()
                }
                .to_string(),
                url: r.url.trim().to_string(),
            });
        }
    }
    if let Some(lines) = &i.resource_lines {
        resources.extend(parse_resource_lines(&mut v, "resources", lines));
    }
    let domain = blank(&i.domain_code).map(str::to_string);
    check_domain(c, &mut v, domain.as_deref()).await?;
    let product = match blank(&i.product_id) {
        Some(p) => check_product(c, &mut v, "product_id", p).await?,
        None => None,
    };
    v.into_result()?;
    let ts = |d: Option<DateTime<Utc>>| d.map(relais_store::ts).unwrap_or_default();
    let format = format.unwrap_or(EventFormat::Visio);
    Ok(EventValues {
        kind: kind.map(|k| k.code()).unwrap_or_default().to_string(),
        title: title.unwrap_or_default(),
        domain_code: domain,
        product_id: product.map(|p| p.to_string()),
        starts_at: ts(starts),
        ends_at: ts(ends),
        format: format.code().to_string(),
        // Only the channel of the chosen format is kept.
        place: if format == EventFormat::Presentiel {
            place
        } else {
            None
        },
        visio_url: if format == EventFormat::Visio {
            visio_url
        } else {
            None
        },
        capacity,
        description,
        resources: serde_json::to_string(&resources).unwrap_or_else(|_| "[]".into()),
    })
}

/// The resources of an event row.
pub fn resources_of(e: &EventRow) -> Vec<Resource> {
    serde_json::from_str(&e.resources).unwrap_or_default()
}

pub async fn create_event(app: &App, actor: &Actor, input: EventInput) -> Result<Id> {
    require(may_manage(actor))?;
    let mut tx = app.db.begin().await?;
    let v = validate_event(&mut tx, &input).await?;
    let id = Id::new();
    store::insert_event(&mut tx, id, &v, &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "community_event",
        id,
        "create",
        json!({"title": [null, v.title], "kind": [null, v.kind], "starts_at": [null, v.starts_at], "capacity": [null, v.capacity]}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_event(app: &App, actor: &Actor, id: Id, input: EventInput) -> Result<()> {
    require(may_manage(actor))?;
    let mut tx = app.db.begin().await?;
    let before = store::get_event(&mut tx, id).await?;
    let v = validate_event(&mut tx, &input).await?;
    if !store::update_event(&mut tx, id, &v, &app.now_ts()).await? {
        return Err(DomainError::invalid(
            "capacity_below_registrations",
            "capacity",
            format!(
                "{} personnes sont déjà inscrites : la capacité ne peut pas être inférieure.",
                before.seats_taken
            ),
        )
        .into());
    }
    let mut changes = serde_json::Map::new();
    let pairs: [(&str, String, String); 8] = [
        ("title", before.title, v.title.clone()),
        ("kind", before.kind, v.kind.clone()),
        ("starts_at", before.starts_at, v.starts_at.clone()),
        ("ends_at", before.ends_at, v.ends_at.clone()),
        ("format", before.format, v.format.clone()),
        (
            "capacity",
            before.capacity.to_string(),
            v.capacity.to_string(),
        ),
        (
            "place",
            before.place.unwrap_or_default(),
            v.place.clone().unwrap_or_default(),
        ),
        ("resources", before.resources, v.resources.clone()),
    ];
    for (k, a, b) in pairs {
        if a != b {
            changes.insert(k.into(), json!([a, b]));
        }
    }
    audit(
        &mut tx,
        app,
        actor,
        "community_event",
        id,
        "update",
        changes.into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// When events are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum When {
    #[default]
    Upcoming,
    Past,
    All,
}

impl When {
    pub fn from_code(s: &str) -> When {
        match s {
            "passes" | "past" => When::Past,
            "tous" | "all" => When::All,
            _ => When::Upcoming,
        }
    }
}

/// Events are public to every signed-in person: upcoming ones (not yet
/// ended), past ones, or all.
pub async fn list_events(
    app: &App,
    _actor: &Actor,
    kind: Option<String>,
    domain: Option<String>,
    when: When,
    limit: i64,
    offset: i64,
) -> Result<(Vec<EventRow>, i64)> {
    let now = app.now_ts();
    let f = EventFilter {
        kind,
        domain,
        ends_after: (when == When::Upcoming).then(|| now.clone()),
        ended_before: (when == When::Past).then_some(now),
        limit,
        offset,
    };
    let mut c = app.db.read().await?;
    Ok(store::list_events(&mut c, &f).await?)
}

/// An event as one reader sees it.
#[derive(Debug, Clone)]
pub struct EventView {
    pub event: EventRow,
    pub resources: Vec<Resource>,
    /// The reader is registered.
    pub registered: bool,
    /// The event has started: registration is closed.
    pub started: bool,
    /// `(registrations, present, absent)`.
    pub counts: (i64, i64, i64),
    /// Registrants with attendance: agency staff only (they come from
    /// every institution); empty for anyone else.
    pub registrants: Vec<RegistrationRow>,
}

pub async fn get_event(app: &App, actor: &Actor, id: Id) -> Result<EventView> {
    let mut c = app.db.read().await?;
    let event = store::get_event(&mut c, id).await?;
    let registered = store::is_registered(&mut c, id, actor.user_id).await?;
    let counts = store::event_counts(&mut c, id).await?;
    let registrants = if actor.role.is_agency() {
        store::event_registrations(&mut c, Scope::All, id).await?
    } else {
        vec![]
    };
    let started = event.starts_at <= app.now_ts();
    Ok(EventView {
        resources: resources_of(&event),
        event,
        registered,
        started,
        counts,
        registrants,
    })
}

/// A person registers themselves: a seat is taken by a conditional update
/// of the event's counter, so however many arrive at once for the last
/// places, the capacity is never exceeded (`event_full` for the others).
pub async fn register(app: &App, actor: &Actor, event: Id) -> Result<Id> {
    let mut tx = app.db.begin().await?;
    let e = store::get_event(&mut tx, event).await?;
    if e.starts_at <= app.now_ts() {
        return Err(DomainError::invalid(
            "event_started",
            "event",
            "Les inscriptions sont closes : l'événement a commencé.",
        )
        .into());
    }
    let id = Id::new();
    if !store::insert_event_registration(
        &mut tx,
        id,
        event,
        actor.user_id,
        actor.institution_id,
        &app.now_ts(),
    )
    .await?
    {
        return Err(DomainError::invalid(
            "already_registered",
            "event",
            "Vous êtes déjà inscrit·e à cet événement.",
        )
        .into());
    }
    if !store::take_event_seat(&mut tx, event).await? {
        // Dropping the transaction removes the registration row too.
        return Err(DomainError::invalid(
            "event_full",
            "event",
            "Cet événement est complet : plus aucune place n'est disponible.",
        )
        .into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "community_event",
        event,
        "register",
        json!({"registrant": [null, actor.user_id.to_string()]}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A person withdraws before the event; the seat returns to the pool.
pub async fn unregister(app: &App, actor: &Actor, event: Id) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let e = store::get_event(&mut tx, event).await?;
    if e.starts_at <= app.now_ts() {
        return Err(DomainError::invalid(
            "event_started",
            "event",
            "L'événement a commencé : l'inscription ne peut plus être annulée.",
        )
        .into());
    }
    if !store::delete_event_registration(&mut tx, event, actor.user_id).await? {
        return Err(DomainError::invalid(
            "not_registered",
            "event",
            "Vous n'êtes pas inscrit·e à cet événement.",
        )
        .into());
    }
    store::release_event_seat(&mut tx, event).await?;
    audit(
        &mut tx,
        app,
        actor,
        "community_event",
        event,
        "unregister",
        json!({"registrant": [actor.user_id.to_string(), null]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Agency staff mark who came: `(registration, "present" | "absent" | "")`.
pub async fn mark_attendance(
    app: &App,
    actor: &Actor,
    event: Id,
    marks: &[(Id, String)],
) -> Result<()> {
    require(may_manage(actor))?;
    let mut tx = app.db.begin().await?;
    store::get_event(&mut tx, event).await?;
    let before: std::collections::HashMap<String, Option<String>> =
        store::event_registrations(&mut tx, Scope::All, event)
            .await?
            .into_iter()
            .map(|r| (r.id, r.attendance))
            .collect();
    let mut changes = serde_json::Map::new();
    for (reg, value) in marks {
        let value = value.trim();
        let mark = if value.is_empty() {
            None
        } else {
            Some(
                Attendance::from_code(value)
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "invalid_attendance",
                            "attendance",
                            "Présence : présent·e ou absent·e.",
                        )
                    })?
                    .code(),
            )
        };
        if !store::set_attendance(&mut tx, event, *reg, mark).await? {
            return Err(DomainError::NotFound.into());
        }
        let old = before.get(&reg.to_string()).cloned().flatten();
        if old.as_deref() != mark {
            changes.insert(format!("attendance:{reg}"), json!([old, mark]));
        }
    }
    audit(
        &mut tx,
        app,
        actor,
        "community_event",
        event,
        "attendance",
        changes.into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------- mailing lists

#[derive(Debug, Clone, Default)]
pub struct ListInput {
    pub address: String,
    pub name: String,
    pub domain_code: Option<String>,
    pub description: Option<String>,
}

async fn validate_list(c: &mut Conn, i: &ListInput) -> Result<MailingListValues> {
    let mut v = Violations::default();
    let address = required_text(&mut v, "address", &i.address, 200).map(|a| a.to_lowercase());
    if let Some(a) = &address {
        if !relais_domain::shared::is_plausible_email(a) {
            v.push("invalid_email", "address", "Adresse de liste invalide.");
        }
    }
    let name = required_text(&mut v, "name", &i.name, TITLE_MAX);
    let description = optional_text(&mut v, "description", i.description.as_deref(), TEXT_MAX);
    let domain = blank(&i.domain_code).map(str::to_string);
    check_domain(c, &mut v, domain.as_deref()).await?;
    v.into_result()?;
    Ok(MailingListValues {
        address: address.unwrap_or_default(),
        name: name.unwrap_or_default(),
        domain_code: domain,
        description,
    })
}

fn conflict_as_address(e: crate::AppError) -> crate::AppError {
    match e {
        crate::AppError::Domain(DomainError::Conflict(_)) => DomainError::invalid(
            "duplicate_address",
            "address",
            "Une liste porte déjà cette adresse.",
        )
        .into(),
        e => e,
    }
}

pub async fn create_list(app: &App, actor: &Actor, input: ListInput) -> Result<Id> {
    require(may_manage(actor))?;
    let mut tx = app.db.begin().await?;
    let v = validate_list(&mut tx, &input).await?;
    let id = Id::new();
    store::insert_list(&mut tx, id, &v, &app.now_ts())
        .await
        .map_err(|e| conflict_as_address(e.into()))?;
    audit(
        &mut tx,
        app,
        actor,
        "mailing_list",
        id,
        "create",
        json!({"address": [null, v.address], "name": [null, v.name]}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_list(app: &App, actor: &Actor, id: Id, input: ListInput) -> Result<()> {
    require(may_manage(actor))?;
    let mut tx = app.db.begin().await?;
    let before = store::get_list(&mut tx, Scope::All, id).await?;
    let v = validate_list(&mut tx, &input).await?;
    store::update_list(&mut tx, id, &v, &app.now_ts())
        .await
        .map_err(|e| conflict_as_address(e.into()))?;
    let mut changes = serde_json::Map::new();
    for (k, a, b) in [
        ("address", before.address, v.address.clone()),
        ("name", before.name, v.name.clone()),
        (
            "domain_code",
            before.domain_code.unwrap_or_default(),
            v.domain_code.clone().unwrap_or_default(),
        ),
        (
            "description",
            before.description.unwrap_or_default(),
            v.description.clone().unwrap_or_default(),
        ),
    ] {
        if a != b {
            changes.insert(k.into(), json!([a, b]));
        }
    }
    audit(
        &mut tx,
        app,
        actor,
        "mailing_list",
        id,
        "update",
        changes.into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Lists are known to everyone; the subscriber count is the reader's
/// scope's (their own institution's for a member).
pub async fn list_lists(
    app: &App,
    actor: &Actor,
    domain: Option<&str>,
) -> Result<Vec<MailingListRow>> {
    let mut c = app.db.read().await?;
    Ok(store::list_lists(&mut c, actor.scope(), domain).await?)
}

/// A list as one reader sees it.
#[derive(Debug, Clone)]
pub struct ListView {
    pub list: MailingListRow,
    pub moderators: Vec<ModeratorRow>,
    /// Within the reader's scope only.
    pub subscribers: Vec<SubscriberRow>,
}

pub async fn get_list(app: &App, actor: &Actor, id: Id) -> Result<ListView> {
    let scope = actor.scope();
    let mut c = app.db.read().await?;
    let list = store::get_list(&mut c, scope, id).await?;
    let moderators = store::moderators(&mut c, scope, id).await?;
    let subscribers = store::subscribers(&mut c, scope, id).await?;
    Ok(ListView {
        list,
        moderators,
        subscribers,
    })
}

/// Loads the contact through the actor's scope and checks the actor may
/// change its subscriptions: community managers anywhere, a referent for
/// their own institution. Anything else is "not found", like a missing
/// contact, so nobody learns another institution's contacts exist.
async fn subscribable_contact(
    c: &mut Conn,
    actor: &Actor,
    contact: Id,
) -> Result<relais_store::crm::ContactRow> {
    let allowed_scope = if may_manage(actor) {
        Scope::All
    } else if actor.role == Role::MemberAdmin {
        match actor.institution_id {
            Some(i) => Scope::Institution(i),
            None => return Err(DomainError::NotFound.into()),
        }
    } else {
        return Err(DomainError::Forbidden.into());
    };
    Ok(relais_store::crm::get_contact(c, allowed_scope, contact).await?)
}

pub async fn subscribe(app: &App, actor: &Actor, list: Id, contact: Id) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let ct = subscribable_contact(&mut tx, actor, contact).await?;
    store::get_list(&mut tx, Scope::Nothing, list).await?;
    if ct.email.as_deref().map(str::trim).unwrap_or("").is_empty() {
        return Err(DomainError::invalid(
            "contact_without_email",
            "contact_id",
            "Ce contact n'a pas d'adresse électronique : il ne peut pas être abonné.",
        )
        .into());
    }
    if !store::subscribe(&mut tx, list, contact, &app.now_ts()).await? {
        return Err(DomainError::invalid(
            "already_subscribed",
            "contact_id",
            "Ce contact est déjà abonné à la liste.",
        )
        .into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "mailing_list",
        list,
        "subscribe",
        json!({"contact": [null, contact.to_string()]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unsubscribe(app: &App, actor: &Actor, list: Id, contact: Id) -> Result<()> {
    let mut tx = app.db.begin().await?;
    subscribable_contact(&mut tx, actor, contact).await?;
    store::get_list(&mut tx, Scope::Nothing, list).await?;
    if !store::unsubscribe(&mut tx, list, contact).await? {
        return Err(DomainError::NotFound.into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "mailing_list",
        list,
        "unsubscribe",
        json!({"contact": [contact.to_string(), null]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an agency account or a contact as moderator (community managers).
pub async fn add_moderator(
    app: &App,
    actor: &Actor,
    list: Id,
    user: Option<Id>,
    contact: Option<Id>,
) -> Result<()> {
    require(may_manage(actor))?;
    if user.is_some() == contact.is_some() {
        return Err(DomainError::invalid(
            "moderator_required",
            "moderator",
            "Choisissez un compte ou un contact.",
        )
        .into());
    }
    let mut tx = app.db.begin().await?;
    store::get_list(&mut tx, Scope::Nothing, list).await?;
    if let Some(u) = user {
        relais_store::accounts::get_user(&mut tx, Scope::All, u).await?;
    }
    if let Some(ct) = contact {
        relais_store::crm::get_contact(&mut tx, Scope::All, ct).await?;
    }
    if !store::add_moderator(&mut tx, list, user, contact, &app.now_ts()).await? {
        return Err(DomainError::invalid(
            "already_moderator",
            "moderator",
            "Cette personne modère déjà la liste.",
        )
        .into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "mailing_list",
        list,
        "add_moderator",
        json!({"moderator": [null, user.or(contact).map(|i| i.to_string())]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_moderator(app: &App, actor: &Actor, list: Id, moderator: Id) -> Result<()> {
    require(may_manage(actor))?;
    let mut tx = app.db.begin().await?;
    if !store::remove_moderator(&mut tx, list, moderator).await? {
        return Err(DomainError::NotFound.into());
    }
    audit(
        &mut tx,
        app,
        actor,
        "mailing_list",
        list,
        "remove_moderator",
        json!({"moderator": [moderator.to_string(), null]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The list's subscribers in Sympa's bulk "add" format, one
/// `adresse Prénom Nom` per line (names cannot break a line), for agency
/// staff only: it holds every institution's addresses. Contacts without an
/// address are skipped. Returns `(list address, text)`.
pub async fn sympa_export(app: &App, actor: &Actor, list: Id) -> Result<(String, String)> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    let l = store::get_list(&mut c, Scope::All, list).await?;
    let subs = store::subscribers(&mut c, Scope::All, list).await?;
    let mut out = String::new();
    for s in subs {
        let Some(email) = s.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) else {
            continue;
        };
        out.push_str(&sympa_line(email, &s.first_name, &s.last_name));
        out.push('\n');
    }
    Ok((l.address, out))
}

/// Contacts a person may subscribe to a list: every institution's for the
/// managers, the referent's own institution's, none for anyone else.
pub async fn subscribable_contacts(
    app: &App,
    actor: &Actor,
    q: Option<String>,
    limit: i64,
) -> Result<Vec<relais_store::crm::ContactRow>> {
    let scope = if may_manage(actor) {
        Scope::All
    } else if actor.role == Role::MemberAdmin {
        actor.scope()
    } else {
        return Ok(vec![]);
    };
    let mut c = app.db.read().await?;
    Ok(relais_store::crm::list_contacts(
        &mut c,
        scope,
        &relais_store::crm::ContactFilter {
            q,
            limit,
            ..Default::default()
        },
    )
    .await?
    .0)
}

// ----------------------------------------------------------- publications

#[derive(Debug, Clone, Default)]
pub struct PublicationInput {
    pub kind: String,
    pub title: String,
    pub domain_code: Option<String>,
    /// Product ids.
    pub products: Vec<String>,
    /// `AAAA-MM-JJ` or `JJ/MM/AAAA`; empty: today.
    pub published_on: Option<String>,
    /// Markdown; rendered and sanitised when shown.
    pub body: String,
}

async fn validate_publication(
    app: &App,
    c: &mut Conn,
    i: &PublicationInput,
) -> Result<PublicationValues> {
    let mut v = Violations::default();
    let title = required_text(&mut v, "title", &i.title, TITLE_MAX);
    let body = required_text(&mut v, "body", &i.body, BODY_MAX);
    let kind = PublicationKind::from_code(i.kind.trim());
    if kind.is_none() {
        v.push("invalid_kind", "kind", "Choisissez le type de publication.");
    }
    let published = parse_date(&mut v, "published_on", i.published_on.as_deref())
        .unwrap_or_else(|| app.clock.now().date_naive());
    let domain = blank(&i.domain_code).map(str::to_string);
    check_domain(c, &mut v, domain.as_deref()).await?;
    let mut products = Vec::new();
    for p in i.products.iter().filter(|p| !p.trim().is_empty()) {
        if let Some(id) = check_product(c, &mut v, "products", p).await? {
            if !products.contains(&id) {
                products.push(id);
            }
        }
    }
    v.into_result()?;
    Ok(PublicationValues {
        kind: kind.map(|k| k.code()).unwrap_or_default().to_string(),
        title: title.unwrap_or_default(),
        domain_code: domain,
        published_on: relais_store::date(published),
        body: body.unwrap_or_default(),
        product_ids: products,
    })
}

pub async fn create_publication(app: &App, actor: &Actor, input: PublicationInput) -> Result<Id> {
    require(may_manage(actor))?;
    let mut tx = app.db.begin().await?;
    let v = validate_publication(app, &mut tx, &input).await?;
    let id = Id::new();
    store::insert_publication(&mut tx, id, &v, Some(actor.user_id), &app.now_ts()).await?;
    audit(
        &mut tx,
        app,
        actor,
        "publication",
        id,
        "create",
        json!({"title": [null, v.title], "kind": [null, v.kind], "published_on": [null, v.published_on]}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_publication(
    app: &App,
    actor: &Actor,
    id: Id,
    input: PublicationInput,
) -> Result<()> {
    require(may_manage(actor))?;
    let mut tx = app.db.begin().await?;
    let before = store::get_publication(&mut tx, id).await?;
    let v = validate_publication(app, &mut tx, &input).await?;
    store::update_publication(&mut tx, id, &v, &app.now_ts()).await?;
    let mut changes = serde_json::Map::new();
    for (k, a, b) in [
        ("title", before.title, v.title.clone()),
        ("kind", before.kind, v.kind.clone()),
        ("published_on", before.published_on, v.published_on.clone()),
        (
            "domain_code",
            before.domain_code.unwrap_or_default(),
            v.domain_code.clone().unwrap_or_default(),
        ),
        ("body", before.body, v.body.clone()),
    ] {
        if a != b {
            changes.insert(k.into(), json!([a, b]));
        }
    }
    audit(
        &mut tx,
        app,
        actor,
        "publication",
        id,
        "update",
        changes.into(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The domains of interest of a person: agency staff have none (they see
/// everything); a member account has no domains of its own, so they are
/// those of the contacts of their institution with the same e-mail
/// address. No such contact, or none with domains: no preference.
pub async fn interests(app: &App, actor: &Actor) -> Result<Vec<String>> {
    let Some(inst) = actor.institution_id.filter(|_| !actor.role.is_agency()) else {
        return Ok(vec![]);
    };
    let mut c = app.db.read().await?;
    let user = relais_store::accounts::get_user(&mut c, Scope::All, actor.user_id).await?;
    let mut out: Vec<String> = Vec::new();
    for raw in store::contact_domains_for(&mut c, inst, &user.email).await? {
        for d in serde_json::from_str::<Vec<String>>(&raw).unwrap_or_default() {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    Ok(out)
}

/// Publications, latest first. Members do not see those dated in the
/// future (scheduled); the agency does. `f.domains` empty means all.
pub async fn list_publications(
    app: &App,
    actor: &Actor,
    f: &PublicationFilter,
) -> Result<(Vec<PublicationRow>, i64)> {
    let mut f = f.clone();
    if !may_manage(actor) {
        f.published_until = Some(relais_store::date(app.clock.now().date_naive()));
    }
    let mut c = app.db.read().await?;
    Ok(store::list_publications(&mut c, &f).await?)
}

/// One publication and its products; a member asking for one dated in the
/// future gets "not found".
pub async fn get_publication(
    app: &App,
    actor: &Actor,
    id: Id,
) -> Result<(PublicationRow, Vec<(String, String)>)> {
    let mut c = app.db.read().await?;
    let p = store::get_publication(&mut c, id).await?;
    if !may_manage(actor) && p.published_on > relais_store::date(app.clock.now().date_naive()) {
        return Err(DomainError::NotFound.into());
    }
    let products = store::publication_products(&mut c, id).await?;
    Ok((p, products))
}

/// The change history of a community record (agency staff).
pub async fn history(
    app: &App,
    actor: &Actor,
    entity: &str,
    id: Id,
) -> Result<Vec<relais_store::audit::AuditRow>> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(relais_store::audit::history(&mut c, entity, id).await?)
}

/// Agency accounts that may moderate a list (for the moderator picker).
pub async fn staff_accounts(app: &App, actor: &Actor) -> Result<Vec<(String, String)>> {
    require(may_manage(actor))?;
    let mut c = app.db.read().await?;
    Ok(relais_store::accounts::list_users(&mut c, Scope::All, None)
        .await?
        .into_iter()
        .filter(|u| Role::from_code(&u.role).is_some_and(|r| r.is_agency()))
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// Attaches a file to a publication (those who write publications). The
/// file is stored like a ticket attachment: written under a generated key,
/// then its row committed; a failed commit removes the file.
pub async fn add_publication_file(
    app: &App,
    actor: &Actor,
    publication: Id,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<Id> {
    use sha2::Digest;
    require(may_manage(actor))?;
    if bytes.is_empty() {
        return Err(crate::attachments::empty_file());
    }
    if bytes.len() as u64 > app.settings.max_attachment_bytes {
        return Err(crate::attachments::too_large(
            app.settings.max_attachment_bytes,
        ));
    }
    let mut tx = app.db.begin().await?;
    store::get_publication(&mut tx, publication).await?;
    let id = Id::new();
    let key = crate::attachments::new_storage_key();
    let path = crate::files::put(&mut tx, app, &key, bytes).await?;
    let name = relais_mail::sanitize_filename(file_name, 1);
    let now = app.now_ts();
    let written = async {
        store::insert_publication_file(
            &mut tx,
            id,
            publication,
            &name,
            &crate::attachments::clean_content_type(content_type),
            bytes.len() as i64,
            &key,
            &hex::encode(sha2::Sha256::digest(bytes)),
            actor.user_id,
            &now,
        )
        .await?;
        relais_store::audit::record(
            &mut tx,
            Some(actor.user_id),
            "publication",
            publication,
            "file",
            &json!({"file": [null, name]}),
            &now,
        )
        .await?;
        tx.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(e) = written {
        crate::attachments::remove_files(path.as_slice()).await;
        return Err(e);
    }
    Ok(id)
}

/// The files of a publication the actor may read (none of one they may
/// not see).
pub async fn publication_files(
    app: &App,
    actor: &Actor,
    publication: Id,
) -> Result<Vec<relais_store::community::PublicationFileRow>> {
    get_publication(app, actor, publication).await?;
    let mut c = app.db.read().await?;
    Ok(store::publication_files(&mut c, publication).await?)
}

/// One file and its bytes, for those who may read the publication.
pub async fn open_publication_file(
    app: &App,
    actor: &Actor,
    publication: Id,
    file: Id,
) -> Result<(relais_store::community::PublicationFileRow, Vec<u8>)> {
    get_publication(app, actor, publication).await?;
    let row = {
        let mut c = app.db.read().await?;
        store::publication_file(&mut c, publication, file).await?
    };
    let bytes = crate::files::get(app, &row.storage_key).await?;
    Ok((row, bytes))
}
