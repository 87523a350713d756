//! Member relations: survey questions, campaigns, invitations with their
//! hashed tokens, answers, recalls, the health indicator's inputs,
//! snapshots and flags, and the log of reads of a contact's page.
//!
//! Invitations point at a user or a contact, never at a copied name or
//! address, so erasing a contact needs nothing here. Every query that
//! returns an institution's data takes the institution as a parameter.

use crate::sql::{count, exec, fetch_all, Arg, Sql};
use crate::{Conn, Result, StoreError};
use relais_domain::Id;
use serde::Serialize;
use sqlx::FromRow;

fn e(x: sqlx::Error) -> StoreError {
    StoreError::from_sqlx(x)
}

fn opt(v: Option<&str>) -> Arg {
    v.map(|s| Arg::Text(s.to_string())).unwrap_or(Arg::NullText)
}

// ---------------------------------------------------------------- questions

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct QuestionRow {
    pub id: String,
    pub kind: String,
    pub code: String,
    pub label: String,
    pub scale: String,
    pub position: i64,
    pub active: i64,
}

pub async fn questions(
    c: &mut Conn,
    kind: Option<&str>,
    active_only: bool,
) -> Result<Vec<QuestionRow>> {
    let mut q = Sql::new(
        "SELECT id, kind, code, label, scale, position, active FROM survey_questions WHERE 1 = 1",
    );
    if let Some(k) = kind {
        q.push(" AND kind = ").bind_text(k);
    }
    if active_only {
        q.push(" AND active = 1");
    }
    q.push(" ORDER BY kind, position, code");
    fetch_all(c, &q).await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_question(
    c: &mut Conn,
    id: Id,
    kind: &str,
    code: &str,
    label: &str,
    scale: &str,
    position: i64,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO survey_questions (id, kind, code, label, scale, position, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
    )
    .bind(id.to_string())
    .bind(kind.to_string())
    .bind(code.to_string())
    .bind(label.to_string())
    .bind(scale.to_string())
    .bind(position)
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

pub async fn set_question_active(c: &mut Conn, id: Id, active: bool) -> Result<bool> {
    let n = sqlx::query("UPDATE survey_questions SET active = $1 WHERE id = $2")
        .bind(active as i64)
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?
        .rows_affected();
    Ok(n == 1)
}

// ---------------------------------------------------------------- campaigns

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CampaignRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub segment: String,
    pub expires_at: String,
    pub created_at: String,
    pub invited: i64,
    pub answered: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_campaign(
    c: &mut Conn,
    id: Id,
    kind: &str,
    title: &str,
    segment: &str,
    expires_at: &str,
    by: Id,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO survey_campaigns (id, kind, title, segment, expires_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(kind.to_string())
    .bind(title.to_string())
    .bind(segment.to_string())
    .bind(expires_at.to_string())
    .bind(by.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

pub async fn campaigns(c: &mut Conn) -> Result<Vec<CampaignRow>> {
    fetch_all(
        c,
        &Sql::new(
            "SELECT k.id, k.kind, k.title, k.segment, k.expires_at, k.created_at, \
             (SELECT COUNT(*) FROM survey_invitations i WHERE i.campaign_id = k.id) AS invited, \
             (SELECT COUNT(*) FROM survey_invitations i WHERE i.campaign_id = k.id AND i.answered_at IS NOT NULL) AS answered \
             FROM survey_campaigns k ORDER BY k.created_at DESC",
        ),
    )
    .await
}

/// The segment a campaign goes to: institutions (by membership, kind,
/// region, segment tag) and, within them, contacts by function.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    #[serde(default)]
    pub membership: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub functions: Vec<String>,
}

/// `(institution_id, contact_id)` of every reachable contact (with an
/// address, not erased) in the segment.
pub async fn segment_contacts(c: &mut Conn, s: &Segment) -> Result<Vec<(String, String)>> {
    let mut q = Sql::new(
        "SELECT i.id, ct.id FROM contacts ct JOIN institutions i ON i.id = ct.institution_id \
         WHERE ct.email IS NOT NULL AND ct.erased_at IS NULL",
    );
    if let Some(m) = &s.membership {
        q.push(" AND i.membership = ").bind_text(m.clone());
    }
    if let Some(k) = &s.kind {
        q.push(" AND i.kind = ").bind_text(k.clone());
    }
    if let Some(r) = &s.region {
        q.push(" AND i.region = ").bind_text(r.clone());
    }
    if let Some(t) = &s.tag {
        q.push(" AND i.tags LIKE ")
            .bind_text(format!("%\"{}\"%", t.replace(['%', '_'], "")));
    }
    if !s.functions.is_empty() {
        q.push(" AND ct.function IN (");
        for (n, f) in s.functions.iter().enumerate() {
            if n > 0 {
                q.push(", ");
            }
            q.bind_text(f.clone());
        }
        q.push(")");
    }
    q.push(" ORDER BY i.name, ct.last_name");
    let rows: Vec<(String, String)> = fetch_all(c, &q).await?;
    Ok(rows)
}

// ---------------------------------------------------------------- invitations

#[derive(Debug, Clone, Default)]
pub struct NewInvitation<'a> {
    pub kind: &'a str,
    pub context_key: String,
    pub institution_id: &'a str,
    pub user_id: Option<&'a str>,
    pub contact_id: Option<&'a str>,
    pub ticket_id: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub campaign_id: Option<&'a str>,
    pub expires_at: String,
}

/// Inserts an invitation unless one exists for the same context; true
/// when inserted.
pub async fn insert_invitation(
    c: &mut Conn,
    id: Id,
    n: &NewInvitation<'_>,
    now: &str,
) -> Result<bool> {
    let mut q = Sql::new(
        "INSERT INTO survey_invitations (id, kind, context_key, institution_id, user_id, contact_id, \
         ticket_id, session_id, campaign_id, created_at, expires_at) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_text(n.kind).push(", ");
    q.bind_text(n.context_key.clone()).push(", ");
    q.bind_text(n.institution_id).push(", ");
    q.bind(opt(n.user_id)).push(", ");
    q.bind(opt(n.contact_id)).push(", ");
    q.bind(opt(n.ticket_id)).push(", ");
    q.bind(opt(n.session_id)).push(", ");
    q.bind(opt(n.campaign_id)).push(", ");
    q.bind_text(now).push(", ");
    q.bind_text(n.expires_at.clone());
    q.push(") ON CONFLICT (context_key) DO NOTHING");
    Ok(exec(c, &q).await? == 1)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct InvitationRow {
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

const INVITATION_SELECT: &str =
    "SELECT v.id, v.kind, v.institution_id, i.name AS institution_name, \
     v.user_id, v.contact_id, v.ticket_id, t.reference AS ticket_ref, t.subject AS ticket_subject, \
     v.session_id, tr.title AS training_title, v.campaign_id, k.title AS campaign_title, \
     v.created_at, v.expires_at, v.reminded_at, v.answered_at \
     FROM survey_invitations v JOIN institutions i ON i.id = v.institution_id \
     LEFT JOIN tickets t ON t.id = v.ticket_id \
     LEFT JOIN training_sessions s ON s.id = v.session_id \
     LEFT JOIN trainings tr ON tr.id = s.training_id \
     LEFT JOIN survey_campaigns k ON k.id = v.campaign_id";

pub async fn get_invitation(c: &mut Conn, id: &str) -> Result<InvitationRow> {
    let mut q = Sql::new(INVITATION_SELECT);
    q.push(" WHERE v.id = ").bind_text(id);
    fetch_all::<InvitationRow>(c, &q)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

pub async fn insert_token(c: &mut Conn, hash: &str, invitation: &str, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO survey_tokens (token_hash, invitation_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(hash.to_string())
    .bind(invitation.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

pub async fn invitation_of_token(c: &mut Conn, hash: &str) -> Result<Option<String>> {
    let r: Option<(String,)> =
        sqlx::query_as("SELECT invitation_id FROM survey_tokens WHERE token_hash = $1")
            .bind(hash.to_string())
            .fetch_optional(&mut *c)
            .await
            .map_err(e)?;
    Ok(r.map(|x| x.0))
}

/// Marks an invitation answered, only if it is still open: the single
/// conditional update that makes a link work once.
pub async fn mark_answered(c: &mut Conn, invitation: &str, now: &str) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE survey_invitations SET answered_at = $1 \
         WHERE id = $2 AND answered_at IS NULL AND expires_at > $1",
    )
    .bind(now.to_string())
    .bind(invitation.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?
    .rows_affected();
    Ok(n == 1)
}

/// Open invitations of a person: by user, or by a contact with the same
/// address in their institution.
pub async fn pending_for(
    c: &mut Conn,
    user: &str,
    institution: &str,
    email: &str,
    now: &str,
) -> Result<Vec<InvitationRow>> {
    let mut q = Sql::new(INVITATION_SELECT);
    q.push(" WHERE v.answered_at IS NULL AND v.expires_at > ")
        .bind_text(now);
    q.push(" AND (v.user_id = ").bind_text(user);
    q.push(" OR v.contact_id IN (SELECT id FROM contacts WHERE institution_id = ")
        .bind_text(institution);
    q.push(" AND LOWER(email) = LOWER(").bind_text(email);
    q.push("))) ORDER BY v.created_at DESC");
    fetch_all(c, &q).await
}

/// Invitations of a person (answered or not), for their data export.
pub async fn invitations_of(
    c: &mut Conn,
    user: Option<&str>,
    contact: Option<&str>,
) -> Result<Vec<InvitationRow>> {
    let mut q = Sql::new(INVITATION_SELECT);
    q.push(" WHERE v.user_id = ").bind(opt(user));
    q.push(" OR v.contact_id = ").bind(opt(contact));
    q.push(" ORDER BY v.created_at");
    fetch_all(c, &q).await
}

/// Unanswered, unexpired invitations created before `before` that have
/// not been reminded yet.
pub async fn due_reminders(c: &mut Conn, before: &str, now: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM survey_invitations WHERE answered_at IS NULL AND reminded_at IS NULL \
         AND created_at <= $1 AND expires_at > $2 ORDER BY created_at",
    )
    .bind(before.to_string())
    .bind(now.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn mark_reminded(c: &mut Conn, id: &str, now: &str) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE survey_invitations SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
    )
    .bind(now.to_string())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?
    .rows_affected();
    Ok(n == 1)
}

/// Closed tickets since `since` with a requester account and no survey yet.
pub async fn closed_tickets_to_survey(
    c: &mut Conn,
    since: &str,
) -> Result<Vec<(String, String, String)>> {
    sqlx::query_as(
        "SELECT t.id, t.institution_id, t.requester_id FROM tickets t \
         WHERE t.status = 'clos' AND t.closed_at >= $1 AND t.requester_id IS NOT NULL \
         AND (t.resolved_at IS NOT NULL OR t.first_response_at IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM survey_invitations v WHERE v.context_key = 'ticket:' || t.id) \
         ORDER BY t.closed_at",
    )
    .bind(since.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// Present registrations of sessions whose last day is in `[from, to)`
/// with no survey yet: `(session, institution, user)`.
pub async fn attendances_to_survey(
    c: &mut Conn,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, String)>> {
    sqlx::query_as(
        "SELECT r.session_id, r.institution_id, r.user_id FROM registrations r \
         JOIN training_sessions s ON s.id = r.session_id \
         WHERE r.attended = 1 AND s.ends_on >= $1 AND s.ends_on < $2 \
         AND NOT EXISTS (SELECT 1 FROM survey_invitations v \
           WHERE v.context_key = 'session:' || r.session_id || ':' || r.user_id)",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

// ---------------------------------------------------------------- answers

#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    pub invitation: &'a InvitationRow,
    pub score: Option<i64>,
    pub nps: Option<i64>,
    pub comment: Option<String>,
    pub answers: String,
}

pub async fn insert_answer(c: &mut Conn, id: Id, a: &NewAnswer<'_>, now: &str) -> Result<()> {
    let v = a.invitation;
    let mut q = Sql::new(
        "INSERT INTO survey_answers (id, invitation_id, kind, institution_id, ticket_id, session_id, \
         campaign_id, score, nps, comment, answers, answered_at) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_text(v.id.clone()).push(", ");
    q.bind_text(v.kind.clone()).push(", ");
    q.bind_text(v.institution_id.clone()).push(", ");
    q.bind(opt(v.ticket_id.as_deref())).push(", ");
    q.bind(opt(v.session_id.as_deref())).push(", ");
    q.bind(opt(v.campaign_id.as_deref())).push(", ");
    q.bind(a.score.map(Arg::Int).unwrap_or(Arg::NullInt))
        .push(", ");
    q.bind(a.nps.map(Arg::Int).unwrap_or(Arg::NullInt))
        .push(", ");
    q.bind(opt(a.comment.as_deref())).push(", ");
    q.bind_text(a.answers.clone()).push(", ");
    q.bind_text(now).push(")");
    exec(c, &q).await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AnswerRow {
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

const ANSWER_SELECT: &str =
    "SELECT a.id, a.invitation_id, a.kind, a.institution_id, i.name AS institution_name, \
     a.ticket_id, t.reference AS ticket_ref, a.session_id, tr.title AS training_title, \
     k.title AS campaign_title, a.score, a.nps, a.comment, a.answers, a.answered_at \
     FROM survey_answers a JOIN institutions i ON i.id = a.institution_id \
     LEFT JOIN tickets t ON t.id = a.ticket_id \
     LEFT JOIN training_sessions s ON s.id = a.session_id \
     LEFT JOIN trainings tr ON tr.id = s.training_id \
     LEFT JOIN survey_campaigns k ON k.id = a.campaign_id";

pub async fn get_answer(c: &mut Conn, id: &str) -> Result<AnswerRow> {
    let mut q = Sql::new(ANSWER_SELECT);
    q.push(" WHERE a.id = ").bind_text(id);
    fetch_all::<AnswerRow>(c, &q)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// Answers of one institution, newest first.
pub async fn institution_answers(
    c: &mut Conn,
    institution: &str,
    limit: i64,
) -> Result<Vec<AnswerRow>> {
    let mut q = Sql::new(ANSWER_SELECT);
    q.push(" WHERE a.institution_id = ").bind_text(institution);
    q.push(" ORDER BY a.answered_at DESC LIMIT ")
        .bind_int(limit);
    fetch_all(c, &q).await
}

/// Answers given through a person's invitations.
pub async fn answers_of(
    c: &mut Conn,
    user: Option<&str>,
    contact: Option<&str>,
) -> Result<Vec<AnswerRow>> {
    let mut q = Sql::new(ANSWER_SELECT);
    q.push(" JOIN survey_invitations v ON v.id = a.invitation_id WHERE v.user_id = ")
        .bind(opt(user));
    q.push(" OR v.contact_id = ").bind(opt(contact));
    q.push(" ORDER BY a.answered_at");
    fetch_all(c, &q).await
}

/// `(month YYYY-MM, sum of scores, count)` of an institution since `since`.
pub async fn monthly_satisfaction(
    c: &mut Conn,
    institution: &str,
    since: &str,
) -> Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT SUBSTR(answered_at, 1, 7) AS m, CAST(SUM(score) AS BIGINT), COUNT(*) \
         FROM survey_answers WHERE institution_id = $1 AND answered_at >= $2 AND score IS NOT NULL \
         GROUP BY SUBSTR(answered_at, 1, 7) ORDER BY m",
    )
    .bind(institution.to_string())
    .bind(since.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

// ---------------------------------------------------------------- recalls

pub async fn insert_recall(
    c: &mut Conn,
    id: Id,
    institution: &str,
    answer: Id,
    manager: Option<&str>,
    due_on: &str,
    now: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "INSERT INTO recalls (id, institution_id, answer_id, manager_id, due_on, status, created_at) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_text(institution).push(", ");
    q.bind_text(answer.to_string()).push(", ");
    q.bind(opt(manager)).push(", ");
    q.bind_text(due_on).push(", 'ouvert', ");
    q.bind_text(now).push(")");
    exec(c, &q).await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RecallRow {
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

const RECALL_SELECT: &str = "SELECT r.id, r.institution_id, i.name AS institution_name, r.answer_id, \
     r.manager_id, u.display_name AS manager_name, r.due_on, r.status, r.calls, r.outcome, r.created_at, \
     r.closed_at, a.kind, a.score, a.nps, a.comment \
     FROM recalls r JOIN institutions i ON i.id = r.institution_id \
     JOIN survey_answers a ON a.id = r.answer_id LEFT JOIN users u ON u.id = r.manager_id";

/// Recalls by status (`None`: all), optionally one manager's or one
/// institution's.
pub async fn recalls(
    c: &mut Conn,
    status: Option<&str>,
    manager: Option<&str>,
    institution: Option<&str>,
    limit: i64,
) -> Result<Vec<RecallRow>> {
    let mut q = Sql::new(RECALL_SELECT);
    q.push(" WHERE 1 = 1");
    if let Some(s) = status {
        q.push(" AND r.status = ").bind_text(s);
    }
    if let Some(m) = manager {
        q.push(" AND r.manager_id = ").bind_text(m);
    }
    if let Some(i) = institution {
        q.push(" AND r.institution_id = ").bind_text(i);
    }
    q.push(if status == Some("ouvert") {
        " ORDER BY r.due_on, r.created_at"
    } else {
        " ORDER BY r.created_at DESC"
    });
    q.push(" LIMIT ").bind_int(limit);
    fetch_all(c, &q).await
}

pub async fn get_recall(c: &mut Conn, id: &str) -> Result<RecallRow> {
    let mut q = Sql::new(RECALL_SELECT);
    q.push(" WHERE r.id = ").bind_text(id);
    fetch_all::<RecallRow>(c, &q)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

pub async fn count_call(c: &mut Conn, id: &str) -> Result<bool> {
    let n = sqlx::query("UPDATE recalls SET calls = calls + 1 WHERE id = $1 AND status = 'ouvert'")
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?
        .rows_affected();
    Ok(n == 1)
}

pub async fn close_recall(
    c: &mut Conn,
    id: &str,
    outcome: &str,
    by: &str,
    now: &str,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE recalls SET status = 'clos', outcome = $1, closed_by = $2, closed_at = $3 \
         WHERE id = $4 AND status = 'ouvert'",
    )
    .bind(outcome.to_string())
    .bind(by.to_string())
    .bind(now.to_string())
    .bind(id.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?
    .rows_affected();
    Ok(n == 1)
}

/// `(created_at, due_on, closed_at)` of the recalls closed since `since`.
pub async fn closed_recall_spans(
    c: &mut Conn,
    since: &str,
) -> Result<Vec<(String, String, String)>> {
    sqlx::query_as(
        "SELECT created_at, due_on, closed_at FROM recalls WHERE status = 'clos' AND closed_at >= $1",
    )
    .bind(since.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

// ---------------------------------------------------------------- health

/// Everything the indicator reads, for one institution.
pub async fn health_inputs(
    c: &mut Conn,
    institution: &str,
    now: &str,
    year_ago: &str,
    quarter_ago: &str,
) -> Result<relais_domain::relation::HealthInputs> {
    let (sum, n): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(score), 0) AS BIGINT), COUNT(score) FROM survey_answers \
         WHERE institution_id = $1 AND answered_at >= $2",
    )
    .bind(institution.to_string())
    .bind(year_ago.to_string())
    .fetch_one(&mut *c)
    .await
    .map_err(e)?;
    let mut q = Sql::new("SELECT COUNT(*) FROM tickets t WHERE t.institution_id = ");
    q.bind_text(institution);
    q.push(" AND t.created_at >= ").bind_text(quarter_ago);
    q.push(
        " AND ((t.first_response_due_at IS NOT NULL AND ((t.first_response_at IS NOT NULL \
         AND t.first_response_at > t.first_response_due_at) OR (t.first_response_at IS NULL AND t.first_response_due_at < ",
    );
    q.bind_text(now);
    q.push(
        "))) OR (t.resolution_due_at IS NOT NULL AND ((t.resolved_at IS NOT NULL \
         AND t.resolved_at > t.resolution_due_at) OR (t.resolved_at IS NULL AND t.resolution_due_at < ",
    );
    q.bind_text(now);
    q.push("))))");
    let missed = count(c, &q).await?;
    let mut q = Sql::new(
        "SELECT COUNT(*) FROM incidents x WHERE x.product_id IN \
         (SELECT product_id FROM deployments WHERE institution_id = ",
    );
    q.bind_text(institution);
    q.push(") AND (x.resolved_at IS NULL OR x.created_at >= ")
        .bind_text(quarter_ago);
    q.push(")");
    let incidents = count(c, &q).await?;
    let mut q = Sql::new(
        "SELECT COUNT(*) FROM registrations r JOIN training_sessions s ON s.id = r.session_id \
         WHERE r.attended = 1 AND r.institution_id = ",
    );
    q.bind_text(institution);
    q.push(" AND s.starts_on >= ");
    q.bind_text(&year_ago[..10]);
    let attendances = count(c, &q).await?;
    let last: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT MAX(x.occurred_on) FROM interactions x LEFT JOIN contacts ct ON ct.id = x.contact_id \
         WHERE x.institution_id = $1 AND x.occurred_on <= $2 \
         AND (ct.function IN ('president', 'dgs', 'vp_numerique') OR x.kind IN ('reunion', 'visite'))",
    )
    .bind(institution.to_string())
    .bind(now[..10].to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)?;
    let days = last.and_then(|x| x.0).and_then(|d| {
        let d = chrono::NaiveDate::parse_from_str(&d[..10.min(d.len())], "%Y-%m-%d").ok()?;
        let today = chrono::NaiveDate::parse_from_str(&now[..10], "%Y-%m-%d").ok()?;
        Some((today - d).num_days())
    });
    Ok(relais_domain::relation::HealthInputs {
        satisfaction_sum: sum,
        satisfaction_count: n,
        missed_sla: missed,
        open_complaints: open_complaints(c, institution).await?,
        incidents,
        attendances,
        days_since_governance: days,
    })
}

/// Complaints of the institution not closed yet.
async fn open_complaints(c: &mut Conn, institution: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM complaints WHERE institution_id = $1 AND status <> 'close'",
    )
    .bind(institution.to_string())
    .fetch_one(&mut *c)
    .await
    .map_err(e)?;
    Ok(n)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct SnapshotRow {
    pub institution_id: String,
    pub computed_on: String,
    pub score: i64,
    pub factors: String,
}

/// The latest snapshot strictly before `day`.
pub async fn snapshot_before(
    c: &mut Conn,
    institution: &str,
    day: &str,
) -> Result<Option<SnapshotRow>> {
    sqlx::query_as(
        "SELECT institution_id, computed_on, score, factors FROM health_snapshots \
         WHERE institution_id = $1 AND computed_on < $2 ORDER BY computed_on DESC LIMIT 1",
    )
    .bind(institution.to_string())
    .bind(day.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)
}

pub async fn snapshot_on(
    c: &mut Conn,
    institution: &str,
    day: &str,
) -> Result<Option<SnapshotRow>> {
    sqlx::query_as(
        "SELECT institution_id, computed_on, score, factors FROM health_snapshots \
         WHERE institution_id = $1 AND computed_on = $2",
    )
    .bind(institution.to_string())
    .bind(day.to_string())
    .fetch_optional(&mut *c)
    .await
    .map_err(e)
}

pub async fn upsert_snapshot(
    c: &mut Conn,
    institution: &str,
    day: &str,
    score: i64,
    factors: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO health_snapshots (institution_id, computed_on, score, factors) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (institution_id, computed_on) DO UPDATE SET score = excluded.score, factors = excluded.factors",
    )
    .bind(institution.to_string())
    .bind(day.to_string())
    .bind(score)
    .bind(factors.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

/// `(day, score)` since `since`, oldest first.
pub async fn health_history(
    c: &mut Conn,
    institution: &str,
    since: &str,
) -> Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT computed_on, score FROM health_snapshots WHERE institution_id = $1 AND computed_on >= $2 \
         ORDER BY computed_on",
    )
    .bind(institution.to_string())
    .bind(since.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// Inserts a flag (one per institution and day); true when inserted.
#[allow(clippy::too_many_arguments)]
pub async fn insert_flag(
    c: &mut Conn,
    id: Id,
    institution: &str,
    manager: Option<&str>,
    day: &str,
    score: i64,
    previous: Option<i64>,
    reasons: &str,
    now: &str,
) -> Result<bool> {
    let mut q = Sql::new(
        "INSERT INTO health_flags (id, institution_id, manager_id, flagged_on, score, previous, reasons, created_at) VALUES (",
    );
    q.bind_text(id.to_string()).push(", ");
    q.bind_text(institution).push(", ");
    q.bind(opt(manager)).push(", ");
    q.bind_text(day).push(", ");
    q.bind_int(score).push(", ");
    q.bind(previous.map(Arg::Int).unwrap_or(Arg::NullInt))
        .push(", ");
    q.bind_text(reasons).push(", ");
    q.bind_text(now)
        .push(") ON CONFLICT (institution_id, flagged_on) DO NOTHING");
    Ok(exec(c, &q).await? == 1)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct FlagRow {
    pub id: String,
    pub institution_id: String,
    pub institution_name: String,
    pub manager_id: Option<String>,
    pub flagged_on: String,
    pub score: i64,
    pub previous: Option<i64>,
    pub reasons: String,
}

/// Flags since `since`, optionally one manager's or one institution's.
pub async fn flags(
    c: &mut Conn,
    since: &str,
    manager: Option<&str>,
    institution: Option<&str>,
) -> Result<Vec<FlagRow>> {
    let mut q = Sql::new(
        "SELECT f.id, f.institution_id, i.name AS institution_name, f.manager_id, f.flagged_on, f.score, \
         f.previous, f.reasons FROM health_flags f JOIN institutions i ON i.id = f.institution_id \
         WHERE f.flagged_on >= ",
    );
    q.bind_text(since);
    if let Some(m) = manager {
        q.push(" AND f.manager_id = ").bind_text(m);
    }
    if let Some(i) = institution {
        q.push(" AND f.institution_id = ").bind_text(i);
    }
    q.push(" ORDER BY f.flagged_on DESC, i.name");
    fetch_all(c, &q).await
}

/// `(id, manager_id)` of every institution.
pub async fn institutions_with_managers(c: &mut Conn) -> Result<Vec<(String, Option<String>)>> {
    sqlx::query_as("SELECT id, manager_id FROM institutions ORDER BY name")
        .fetch_all(&mut *c)
        .await
        .map_err(e)
}

/// Managers (users) with at least one institution.
pub async fn managers(c: &mut Conn) -> Result<Vec<(String, String, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT u.id, u.display_name, u.email FROM users u JOIN institutions i ON i.manager_id = u.id \
         WHERE u.active = 1 ORDER BY u.display_name",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

// ---------------------------------------------------------------- reads log

pub async fn log_contact_read(c: &mut Conn, contact: &str, user: &str, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_reads (id, contact_id, user_id, read_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(Id::new().to_string())
    .bind(contact.to_string())
    .bind(user.to_string())
    .bind(now.to_string())
    .execute(&mut *c)
    .await
    .map_err(e)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ReadRow {
    pub user_name: Option<String>,
    pub read_at: String,
}

pub async fn contact_reads(c: &mut Conn, contact: &str, limit: i64) -> Result<Vec<ReadRow>> {
    sqlx::query_as(
        "SELECT u.display_name AS user_name, r.read_at FROM contact_reads r LEFT JOIN users u ON u.id = r.user_id \
         WHERE r.contact_id = $1 ORDER BY r.read_at DESC LIMIT $2",
    )
    .bind(contact.to_string())
    .bind(limit)
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

// ---------------------------------------------------------------- people

/// One optional text column of the row with this id.
async fn text_by_id(c: &mut Conn, sql: &str, id: &str) -> Result<Option<String>> {
    let r: Option<(Option<String>,)> = sqlx::query_as(sql)
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await
        .map_err(e)?;
    Ok(r.and_then(|x| x.0))
}

/// A user's address (only an active account's when `active_only`).
pub async fn user_email(c: &mut Conn, user: &str, active_only: bool) -> Result<Option<String>> {
    let sql = if active_only {
        "SELECT email FROM users WHERE id = $1 AND active = 1"
    } else {
        "SELECT email FROM users WHERE id = $1"
    };
    text_by_id(c, sql, user).await
}

/// A contact's address, unless erased.
pub async fn contact_email(c: &mut Conn, contact: &str) -> Result<Option<String>> {
    text_by_id(
        c,
        "SELECT email FROM contacts WHERE id = $1 AND erased_at IS NULL",
        contact,
    )
    .await
}

pub async fn institution_manager(c: &mut Conn, institution: &str) -> Result<Option<String>> {
    text_by_id(
        c,
        "SELECT manager_id FROM institutions WHERE id = $1",
        institution,
    )
    .await
}

/// Whether `contact` is the contact record of `user` (same address, same
/// institution).
pub async fn contact_is_user(c: &mut Conn, contact: &str, user: &str) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM contacts ct JOIN users u ON LOWER(u.email) = LOWER(ct.email) \
         AND u.institution_id = ct.institution_id WHERE ct.id = $1 AND u.id = $2",
    )
    .bind(contact.to_string())
    .bind(user.to_string())
    .fetch_one(&mut *c)
    .await
    .map_err(e)?;
    Ok(n > 0)
}

// ---------------------------------------------------------------- 360° figures

/// `(month, filed, resolution measured, resolution met)` per month since
/// `since` for one institution.
pub async fn monthly_tickets(
    c: &mut Conn,
    institution: &str,
    since: &str,
    now: &str,
) -> Result<Vec<(String, i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT SUBSTR(created_at, 1, 7) AS m, COUNT(*), \
         COUNT(CASE WHEN resolution_due_at IS NOT NULL AND (resolved_at IS NOT NULL OR resolution_due_at < $3) THEN 1 END), \
         COUNT(CASE WHEN resolution_due_at IS NOT NULL AND resolved_at IS NOT NULL AND resolved_at <= resolution_due_at THEN 1 END) \
         FROM tickets WHERE institution_id = $1 AND created_at >= $2 GROUP BY SUBSTR(created_at, 1, 7) ORDER BY m",
    )
    .bind(institution.to_string())
    .bind(since.to_string())
    .bind(now.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct IncidentLine {
    pub id: String,
    pub title: String,
    pub product_name: String,
    pub status: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
}

/// Incidents on the products an institution has deployed: still open, or
/// opened since `since`.
pub async fn institution_incidents(
    c: &mut Conn,
    institution: &str,
    since: &str,
) -> Result<Vec<IncidentLine>> {
    sqlx::query_as(
        "SELECT x.id, x.title, p.name AS product_name, x.status, x.created_at, x.resolved_at \
         FROM incidents x JOIN products p ON p.id = x.product_id \
         WHERE x.product_id IN (SELECT product_id FROM deployments WHERE institution_id = $1) \
         AND (x.resolved_at IS NULL OR x.created_at >= $2) ORDER BY x.created_at DESC LIMIT 50",
    )
    .bind(institution.to_string())
    .bind(since.to_string())
    .fetch_all(&mut *c)
    .await
    .map_err(e)
}

/// Replaces a contact's domains of interest (JSON array of codes).
pub async fn set_contact_domains(
    c: &mut Conn,
    contact: &str,
    domains: &str,
    now: &str,
) -> Result<()> {
    sqlx::query("UPDATE contacts SET domains = $1, updated_at = $2 WHERE id = $3")
        .bind(domains.to_string())
        .bind(now.to_string())
        .bind(contact.to_string())
        .execute(&mut *c)
        .await
        .map_err(e)?;
    Ok(())
}
