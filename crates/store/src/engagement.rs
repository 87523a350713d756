//! Member relations (issue 6): complaints with internal notes and
//! corrective actions, campaigns of qualified contacts (targets and the log
//! of contacts made), and the Comité de la relation établissements.
//!
//! Complaints belong to an institution: every read takes a [`Scope`], so a
//! member's query only ever returns their own institution's rows (another
//! institution's complaint is `NotFound`, like a missing one). Notes and
//! corrective actions are read by complaint id only after the complaint
//! itself was read through the scope. Names of people are joined from
//! `contacts` and `users`, never stored here.

use crate::crm::scope_filter;
use crate::sql::{bind_list, count, exec, fetch_all, fetch_one, opt};
use crate::sql::{Arg, Sql};
use crate::{Conn, Result, Scope};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

// ---------------------------------------------------------------- complaints

/// A complaint with the names joined for display.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ComplaintRow {
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

const COMPLAINT_COLS: &str = "SELECT k.id, k.institution_id, i.name AS institution_name, \
    k.contact_id, ct.first_name || ' ' || ct.last_name AS contact_name, \
    k.filed_by, fu.display_name AS filed_by_name, k.channel, k.touchpoint, k.severity, \
    k.title, k.description, k.product_id, p.name AS product_name, \
    k.ticket_id, tk.reference AS ticket_reference, k.team_id, t.name AS team_name, \
    k.owner_id, ou.display_name AS owner_name, k.due_on, k.status, k.answer, k.closed_at, \
    k.created_at, k.updated_at \
    FROM complaints k JOIN institutions i ON i.id = k.institution_id \
    LEFT JOIN contacts ct ON ct.id = k.contact_id \
    LEFT JOIN users fu ON fu.id = k.filed_by \
    LEFT JOIN products p ON p.id = k.product_id \
    LEFT JOIN teams t ON t.id = k.team_id \
    LEFT JOIN tickets tk ON tk.id = k.ticket_id \
    LEFT JOIN users ou ON ou.id = k.owner_id";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintValues {
    pub institution_id: String,
    pub contact_id: Option<String>,
    pub filed_by: Option<String>,
    pub channel: String,
    pub touchpoint: String,
    pub severity: String,
    pub title: String,
    pub description: String,
    pub product_id: Option<String>,
    pub ticket_id: Option<String>,
    pub team_id: Option<String>,
    pub owner_id: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
}

pub async fn insert_complaint(
    c: &mut Conn,
    id: Id,
    v: &ComplaintValues,
    created_at: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO complaints (id, institution_id, contact_id, filed_by, channel, touchpoint, \
         severity, title, description, product_id, ticket_id, team_id, owner_id, due_on, status, \
         created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.institution_id.clone()),
            opt(&v.contact_id),
            opt(&v.filed_by),
            Arg::Text(v.channel.clone()),
            Arg::Text(v.touchpoint.clone()),
            Arg::Text(v.severity.clone()),
            Arg::Text(v.title.clone()),
            Arg::Text(v.description.clone()),
            opt(&v.product_id),
            opt(&v.ticket_id),
            opt(&v.team_id),
            opt(&v.owner_id),
            opt(&v.due_on),
            Arg::Text(v.status.clone()),
            Arg::Text(created_at.into()),
            Arg::Text(created_at.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

/// One complaint within the reader's scope.
pub async fn get_complaint(c: &mut Conn, scope: Scope, id: Id) -> Result<ComplaintRow> {
    let mut q = Sql::new(COMPLAINT_COLS);
    q.push(" WHERE k.id = ").bind_text(id.to_string());
    scope_filter(&mut q, "k.institution_id", scope);
    fetch_one(c, &q).await
}

#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    pub institution_id: Option<String>,
    pub status: Option<String>,
    /// `true`: every status but `close`.
    pub open_only: bool,
    pub touchpoint: Option<String>,
    pub owner_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn complaint_where(q: &mut Sql, scope: Scope, f: &ComplaintFilter) {
    q.push(" WHERE 1 = 1");
    scope_filter(q, "k.institution_id", scope);
    if let Some(v) = &f.institution_id {
        q.push(" AND k.institution_id = ").bind_text(v.clone());
    }
    if let Some(v) = &f.status {
        q.push(" AND k.status = ").bind_text(v.clone());
    }
    if f.open_only {
        q.push(" AND k.status <> 'close'");
    }
    if let Some(v) = &f.touchpoint {
        q.push(" AND k.touchpoint = ").bind_text(v.clone());
    }
    if let Some(v) = &f.owner_id {
        q.push(" AND k.owner_id = ").bind_text(v.clone());
    }
}

/// Complaints within the scope, newest first, with the total count.
pub async fn list_complaints(
    c: &mut Conn,
    scope: Scope,
    f: &ComplaintFilter,
) -> Result<(Vec<ComplaintRow>, i64)> {
    let mut q = Sql::new(COMPLAINT_COLS);
    complaint_where(&mut q, scope, f);
    q.push(" ORDER BY k.created_at DESC, k.id LIMIT ")
        .bind_int(f.limit.max(1));
    q.push(" OFFSET ").bind_int(f.offset.max(0));
    let rows = fetch_all(c, &q).await?;
    let mut n = Sql::new("SELECT COUNT(*) FROM complaints k");
    complaint_where(&mut n, scope, f);
    Ok((rows, count(c, &n).await?))
}

/// The qualification an agent sets: irritant, severity, product,
/// department, owner, due date and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    pub touchpoint: String,
    pub severity: String,
    pub product_id: Option<String>,
    pub team_id: Option<String>,
    pub owner_id: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
}

pub async fn qualify(c: &mut Conn, id: Id, v: &Qualification, now: &str) -> Result<()> {
    let mut q = Sql::new("UPDATE complaints SET touchpoint = ");
    q.bind_text(v.touchpoint.clone());
    q.push(", severity = ").bind_text(v.severity.clone());
    q.push(", product_id = ").bind(opt(&v.product_id));
    q.push(", team_id = ").bind(opt(&v.team_id));
    q.push(", owner_id = ").bind(opt(&v.owner_id));
    q.push(", due_on = ").bind(opt(&v.due_on));
    q.push(", status = ").bind_text(v.status.clone());
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    exec(c, &q).await.map(|_| ())
}

/// Closes a complaint with the answer the member sees. Only an open one
/// (`false` when it was already closed).
pub async fn close_complaint(c: &mut Conn, id: Id, answer: &str, now: &str) -> Result<bool> {
    let mut q = Sql::new("UPDATE complaints SET status = 'close', answer = ");
    q.bind_text(answer);
    q.push(", closed_at = ").bind_text(now);
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    q.push(" AND status <> 'close'");
    Ok(exec(c, &q).await? == 1)
}

/// Reopens a closed complaint (the answer is kept for the record).
pub async fn reopen_complaint(c: &mut Conn, id: Id, now: &str) -> Result<bool> {
    let mut q =
        Sql::new("UPDATE complaints SET status = 'en_cours', closed_at = NULL, updated_at = ");
    q.bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    q.push(" AND status = 'close'");
    Ok(exec(c, &q).await? == 1)
}

/// An internal note (agency only).
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct NoteRow {
    pub id: String,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: String,
}

pub async fn insert_note(
    c: &mut Conn,
    id: Id,
    complaint: Id,
    author: Option<Id>,
    body: &str,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO complaint_notes (id, complaint_id, author_id, body, created_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(complaint.to_string()),
            author
                .map(|a| Arg::Text(a.to_string()))
                .unwrap_or(Arg::NullText),
            Arg::Text(body.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn notes(c: &mut Conn, complaint: Id) -> Result<Vec<NoteRow>> {
    let mut q = Sql::new(
        "SELECT n.id, u.display_name AS author_name, n.body, n.created_at \
         FROM complaint_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.complaint_id = ",
    );
    q.bind_text(complaint.to_string());
    q.push(" ORDER BY n.created_at, n.id");
    fetch_all(c, &q).await
}

/// A corrective action. `details` and the owner are internal.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CorrectiveActionRow {
    pub id: String,
    pub complaint_id: String,
    pub title: String,
    pub details: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    /// `a_faire`, `en_cours`, `faite`, `abandonnee`.
    pub status: String,
    pub done_on: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionValues {
    pub title: String,
    pub details: Option<String>,
    pub owner_id: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
}

pub async fn insert_action(
    c: &mut Conn,
    id: Id,
    complaint: Id,
    v: &ActionValues,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO corrective_actions (id, complaint_id, title, details, owner_id, due_on, \
         status, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(complaint.to_string()),
            Arg::Text(v.title.clone()),
            opt(&v.details),
            opt(&v.owner_id),
            opt(&v.due_on),
            Arg::Text(v.status.clone()),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn actions(c: &mut Conn, complaint: Id) -> Result<Vec<CorrectiveActionRow>> {
    let mut q = Sql::new(
        "SELECT a.id, a.complaint_id, a.title, a.details, a.owner_id, u.display_name AS owner_name, \
         a.due_on, a.status, a.done_on, a.created_at \
         FROM corrective_actions a LEFT JOIN users u ON u.id = a.owner_id WHERE a.complaint_id = ",
    );
    q.bind_text(complaint.to_string());
    q.push(" ORDER BY a.created_at, a.id");
    fetch_all(c, &q).await
}

/// Sets an action's status (of that complaint only; `false` if not found).
pub async fn set_action_status(
    c: &mut Conn,
    complaint: Id,
    action: Id,
    status: &str,
    done_on: Option<String>,
    now: &str,
) -> Result<bool> {
    let mut q = Sql::new("UPDATE corrective_actions SET status = ");
    q.bind_text(status);
    q.push(", done_on = ").bind(opt(&done_on));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(action.to_string());
    q.push(" AND complaint_id = ")
        .bind_text(complaint.to_string());
    Ok(exec(c, &q).await? == 1)
}

/// What the irritants' analysis reads of each complaint.
#[derive(Debug, Clone, FromRow)]
pub struct AnalysisRow {
    pub touchpoint: String,
    pub team_name: Option<String>,
    pub product_name: Option<String>,
    pub created_at: String,
    pub closed_at: Option<String>,
}

/// Every complaint filed at or after `since` (agency staff only).
pub async fn analysis_rows(c: &mut Conn, since: &str) -> Result<Vec<AnalysisRow>> {
    let mut q = Sql::new(
        "SELECT k.touchpoint, t.name AS team_name, p.name AS product_name, k.created_at, k.closed_at \
         FROM complaints k LEFT JOIN teams t ON t.id = k.team_id \
         LEFT JOIN products p ON p.id = k.product_id WHERE k.created_at >= ",
    );
    q.bind_text(since);
    fetch_all(c, &q).await
}

// ---------------------------------------------------------------- campaigns

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ContactCampaignRow {
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

const CAMPAIGN_COLS: &str = "SELECT c.id, c.title, c.description, c.starts_on, c.ends_on, c.created_at, \
    (SELECT COUNT(*) FROM campaign_targets t WHERE t.campaign_id = c.id) AS targets, \
    (SELECT COUNT(*) FROM campaign_targets t WHERE t.campaign_id = c.id AND t.status <> 'a_contacter') AS done \
    FROM campaigns c";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignValues {
    pub title: String,
    pub description: Option<String>,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

pub async fn insert_campaign(
    c: &mut Conn,
    id: Id,
    v: &CampaignValues,
    by: Option<Id>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO campaigns (id, title, description, starts_on, ends_on, created_by, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.title.clone()),
            opt(&v.description),
            Arg::Text(v.starts_on.clone()),
            opt(&v.ends_on),
            by.map(|a| Arg::Text(a.to_string()))
                .unwrap_or(Arg::NullText),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn list_campaigns(c: &mut Conn) -> Result<Vec<ContactCampaignRow>> {
    let q = Sql::new(&format!("{CAMPAIGN_COLS} ORDER BY c.starts_on DESC, c.id"));
    fetch_all(c, &q).await
}

pub async fn get_campaign(c: &mut Conn, id: Id) -> Result<ContactCampaignRow> {
    let mut q = Sql::new(CAMPAIGN_COLS);
    q.push(" WHERE c.id = ").bind_text(id.to_string());
    fetch_one(c, &q).await
}

/// Member institutions (membership `adherent`) with their key-account
/// manager: the default targets of a campaign.
pub async fn member_institutions(c: &mut Conn) -> Result<Vec<(String, Option<String>)>> {
    let q = Sql::new(
        "SELECT id, manager_id FROM institutions WHERE membership = 'adherent' ORDER BY name, id",
    );
    fetch_all(c, &q).await
}

pub async fn insert_target(
    c: &mut Conn,
    id: Id,
    campaign: Id,
    institution: &str,
    manager: Option<String>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO campaign_targets (id, campaign_id, institution_id, manager_id, status, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(campaign.to_string()),
            Arg::Text(institution.into()),
            opt(&manager),
            Arg::Text("a_contacter".into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TargetRow {
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

const TARGET_COLS: &str = "SELECT t.id, t.campaign_id, t.institution_id, i.name AS institution_name, \
    t.manager_id, u.display_name AS manager_name, t.status, \
    (SELECT MAX(r.contacted_on) FROM campaign_contacts r WHERE r.target_id = t.id) AS last_contact_on, \
    (SELECT COUNT(*) FROM campaign_contacts r WHERE r.target_id = t.id) AS contacts \
    FROM campaign_targets t JOIN institutions i ON i.id = t.institution_id \
    LEFT JOIN users u ON u.id = t.manager_id";

#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    pub manager_id: Option<String>,
    pub status: Option<String>,
}

pub async fn targets(c: &mut Conn, campaign: Id, f: &TargetFilter) -> Result<Vec<TargetRow>> {
    let mut q = Sql::new(TARGET_COLS);
    q.push(" WHERE t.campaign_id = ")
        .bind_text(campaign.to_string());
    if let Some(m) = &f.manager_id {
        q.push(" AND t.manager_id = ").bind_text(m.clone());
    }
    if let Some(s) = &f.status {
        q.push(" AND t.status = ").bind_text(s.clone());
    }
    q.push(" ORDER BY i.name, t.id");
    fetch_all(c, &q).await
}

pub async fn get_target(c: &mut Conn, campaign: Id, target: Id) -> Result<TargetRow> {
    let mut q = Sql::new(TARGET_COLS);
    q.push(" WHERE t.id = ").bind_text(target.to_string());
    q.push(" AND t.campaign_id = ")
        .bind_text(campaign.to_string());
    fetch_one(c, &q).await
}

pub async fn set_target_manager(
    c: &mut Conn,
    target: Id,
    manager: Option<String>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new("UPDATE campaign_targets SET manager_id = ");
    q.bind(opt(&manager));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(target.to_string());
    exec(c, &q).await.map(|_| ())
}

pub async fn set_target_status(c: &mut Conn, target: Id, status: &str, now: &str) -> Result<()> {
    let mut q = Sql::new("UPDATE campaign_targets SET status = ");
    q.bind_text(status);
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(target.to_string());
    exec(c, &q).await.map(|_| ())
}

/// One contact made during a campaign.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ContactRecordRow {
    pub id: String,
    pub target_id: String,
    pub contacted_on: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    /// `joint`, `corrige`, `rappeler`, `injoignable`, `refus`.
    pub outcome: String,
    /// What the exchange corrected in the référentiel (free text).
    pub corrections: Option<String>,
    pub notes: Option<String>,
    pub recorded_by_name: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecordValues {
    pub contacted_on: String,
    pub contact_id: Option<String>,
    pub outcome: String,
    pub corrections: Option<String>,
    pub notes: Option<String>,
}

pub async fn insert_contact_record(
    c: &mut Conn,
    id: Id,
    target: Id,
    v: &ContactRecordValues,
    by: Option<Id>,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO campaign_contacts (id, target_id, contacted_on, contact_id, outcome, \
         corrections, notes, recorded_by, created_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(target.to_string()),
            Arg::Text(v.contacted_on.clone()),
            opt(&v.contact_id),
            Arg::Text(v.outcome.clone()),
            opt(&v.corrections),
            opt(&v.notes),
            by.map(|a| Arg::Text(a.to_string()))
                .unwrap_or(Arg::NullText),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn contact_records(c: &mut Conn, target: Id) -> Result<Vec<ContactRecordRow>> {
    let mut q = Sql::new(
        "SELECT r.id, r.target_id, r.contacted_on, r.contact_id, \
         ct.first_name || ' ' || ct.last_name AS contact_name, r.outcome, r.corrections, r.notes, \
         u.display_name AS recorded_by_name, r.created_at \
         FROM campaign_contacts r LEFT JOIN contacts ct ON ct.id = r.contact_id \
         LEFT JOIN users u ON u.id = r.recorded_by WHERE r.target_id = ",
    );
    q.bind_text(target.to_string());
    q.push(" ORDER BY r.contacted_on DESC, r.created_at DESC, r.id DESC");
    fetch_all(c, &q).await
}

// ---------------------------------------------------------------- comité

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ComiteMemberRow {
    pub id: String,
    pub contact_id: Option<String>,
    pub user_id: Option<String>,
    /// The person's name, joined from the contact or the account.
    pub name: Option<String>,
    /// The contact's institution (agency staff have none).
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    /// `president`, `vice_president`, `membre`, `secretariat`.
    pub role: String,
    pub since_on: String,
}

pub async fn comite_members(c: &mut Conn) -> Result<Vec<ComiteMemberRow>> {
    let q = Sql::new(
        "SELECT m.id, m.contact_id, m.user_id, \
         COALESCE(ct.first_name || ' ' || ct.last_name, u.display_name) AS name, \
         ct.institution_id, i.name AS institution_name, m.role, m.since_on \
         FROM comite_members m LEFT JOIN contacts ct ON ct.id = m.contact_id \
         LEFT JOIN institutions i ON i.id = ct.institution_id \
         LEFT JOIN users u ON u.id = m.user_id \
         ORDER BY CASE m.role WHEN 'president' THEN 0 WHEN 'vice_president' THEN 1 \
         WHEN 'membre' THEN 2 ELSE 3 END, i.name, m.id",
    );
    fetch_all(c, &q).await
}

pub async fn insert_comite_member(
    c: &mut Conn,
    id: Id,
    contact: Option<String>,
    user: Option<String>,
    role: &str,
    since_on: &str,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO comite_members (id, contact_id, user_id, role, since_on, created_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            opt(&contact),
            opt(&user),
            Arg::Text(role.into()),
            Arg::Text(since_on.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn delete_comite_member(c: &mut Conn, id: Id) -> Result<bool> {
    let mut q = Sql::new("DELETE FROM comite_members WHERE id = ");
    q.bind_text(id.to_string());
    Ok(exec(c, &q).await? == 1)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MeetingRow {
    pub id: String,
    /// `AAAA-MM-JJ`.
    pub held_on: String,
    pub title: String,
    pub place: Option<String>,
    /// Markdown.
    pub agenda: String,
    /// Markdown, once written.
    pub minutes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingValues {
    pub held_on: String,
    pub title: String,
    pub place: Option<String>,
    pub agenda: String,
    pub minutes: Option<String>,
}

pub async fn insert_meeting(c: &mut Conn, id: Id, v: &MeetingValues, now: &str) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO comite_meetings (id, held_on, title, place, agenda, minutes, created_at, updated_at) VALUES (",
    );
    bind_list(
        &mut q,
        vec![
            Arg::Text(id.to_string()),
            Arg::Text(v.held_on.clone()),
            Arg::Text(v.title.clone()),
            opt(&v.place),
            Arg::Text(v.agenda.clone()),
            opt(&v.minutes),
            Arg::Text(now.into()),
            Arg::Text(now.into()),
        ],
    );
    q.push(")");
    exec(c, &q).await.map(|_| ())
}

pub async fn update_meeting(c: &mut Conn, id: Id, v: &MeetingValues, now: &str) -> Result<()> {
    let mut q = Sql::new("UPDATE comite_meetings SET held_on = ");
    q.bind_text(v.held_on.clone());
    q.push(", title = ").bind_text(v.title.clone());
    q.push(", place = ").bind(opt(&v.place));
    q.push(", agenda = ").bind_text(v.agenda.clone());
    q.push(", minutes = ").bind(opt(&v.minutes));
    q.push(", updated_at = ").bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    exec(c, &q).await.map(|_| ())
}

const MEETING_COLS: &str = "SELECT id, held_on, title, place, agenda, minutes, created_at, updated_at FROM comite_meetings";

pub async fn list_meetings(c: &mut Conn) -> Result<Vec<MeetingRow>> {
    let q = Sql::new(&format!("{MEETING_COLS} ORDER BY held_on DESC, id"));
    fetch_all(c, &q).await
}

pub async fn get_meeting(c: &mut Conn, id: Id) -> Result<MeetingRow> {
    let mut q = Sql::new(MEETING_COLS);
    q.push(" WHERE id = ").bind_text(id.to_string());
    fetch_one(c, &q).await
}

// ---------------------------------------------------------------- pickers

/// `(id, name)` of every institution, by name.
pub async fn institution_options(c: &mut Conn) -> Result<Vec<(String, String)>> {
    fetch_all(
        c,
        &Sql::new("SELECT id, name FROM institutions ORDER BY name, id"),
    )
    .await
}

/// `(id, name)` of the contacts of one institution.
pub async fn contact_options(c: &mut Conn, institution: &str) -> Result<Vec<(String, String)>> {
    let mut q = Sql::new(
        "SELECT id, first_name || ' ' || last_name || ' (' || function || ')' FROM contacts WHERE institution_id = ",
    );
    q.bind_text(institution);
    q.push(" ORDER BY last_name, first_name, id");
    fetch_all(c, &q).await
}

/// `(id, "name — institution")` of every contact (the comité picker).
pub async fn all_contact_options(c: &mut Conn) -> Result<Vec<(String, String)>> {
    fetch_all(
        c,
        &Sql::new(
            "SELECT ct.id, ct.first_name || ' ' || ct.last_name || ' — ' || i.name \
             FROM contacts ct JOIN institutions i ON i.id = ct.institution_id \
             ORDER BY i.name, ct.last_name, ct.id",
        ),
    )
    .await
}

/// `(id, name)` of active agency accounts.
pub async fn agency_user_options(c: &mut Conn) -> Result<Vec<(String, String)>> {
    fetch_all(
        c,
        &Sql::new(
            "SELECT id, display_name FROM users WHERE active = 1 \
             AND role IN ('admin', 'support', 'relation', 'domain') ORDER BY display_name, id",
        ),
    )
    .await
}

/// Is `contact` a contact of `institution`?
pub async fn contact_in(c: &mut Conn, contact: &str, institution: &str) -> Result<bool> {
    let mut q = Sql::new("SELECT COUNT(*) FROM contacts WHERE id = ");
    q.bind_text(contact);
    q.push(" AND institution_id = ").bind_text(institution);
    Ok(count(c, &q).await? > 0)
}

/// Tables whose rows a form may reference by id.
#[derive(Debug, Clone, Copy)]
pub enum RefTable {
    Institutions,
    Products,
    Teams,
    Contacts,
}

/// Does a row with this id exist in `table`?
pub async fn exists(c: &mut Conn, table: RefTable, id: Id) -> Result<bool> {
    let name = match table {
        RefTable::Institutions => "institutions",
        RefTable::Products => "products",
        RefTable::Teams => "teams",
        RefTable::Contacts => "contacts",
    };
    let mut q = Sql::new(&format!("SELECT COUNT(*) FROM {name} WHERE id = "));
    q.bind_text(id.to_string());
    Ok(count(c, &q).await? > 0)
}

/// A new complaint under treatment (a corrective action was added) is no
/// longer "new".
pub async fn start_treatment(c: &mut Conn, id: Id, now: &str) -> Result<()> {
    let mut q = Sql::new("UPDATE complaints SET status = 'en_cours', updated_at = ");
    q.bind_text(now);
    q.push(" WHERE id = ").bind_text(id.to_string());
    q.push(" AND status = 'nouvelle'");
    exec(c, &q).await.map(|_| ())
}

/// Where the answer to a closed complaint is mailed: the member account
/// that filed it (when it belongs to the complaint's institution), else
/// the contact concerned. Read at sending time, never stored here.
pub async fn complaint_recipient(c: &mut Conn, id: Id) -> Result<Option<String>> {
    let mut q = Sql::new(
        "SELECT CASE WHEN u.institution_id = k.institution_id THEN u.email ELSE ct.email END \
         FROM complaints k LEFT JOIN users u ON u.id = k.filed_by AND u.active = 1 \
         LEFT JOIN contacts ct ON ct.id = k.contact_id WHERE k.id = ",
    );
    q.bind_text(id.to_string());
    let row: Option<(Option<String>,)> = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(crate::StoreError::from_sqlx)?;
    Ok(row.and_then(|r| r.0).filter(|e| !e.trim().is_empty()))
}

/// The key-account manager's address for a new complaint of their
/// institution (read at sending time).
pub async fn complaint_manager_email(c: &mut Conn, id: Id) -> Result<Option<String>> {
    let mut q = Sql::new(
        "SELECT u.email FROM complaints k JOIN institutions i ON i.id = k.institution_id \
         JOIN users u ON u.id = i.manager_id AND u.active = 1 WHERE k.id = ",
    );
    q.bind_text(id.to_string());
    let row: Option<(String,)> = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(crate::StoreError::from_sqlx)?;
    Ok(row.map(|r| r.0).filter(|e| !e.trim().is_empty()))
}
