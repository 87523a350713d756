//! The application's background jobs as typed payloads: what each kind
//! carries, the list of kinds the application knows, and the runner wiring
//! (the server, the CLI and the tests build their runner here).
//!
//! A job of a kind not in [`KNOWN_KINDS`], a mail of an unknown template or
//! a payload that does not read (a bad id) fails at once with its reason:
//! it shows in `relais jobs` and on `/admin/taches`, and the other jobs go on.

use crate::mail_io::MailSettings;
use crate::App;
use relais_domain::Id;
use relais_jobs::{Job, Runner};
/// The read models of this module's use cases, named by the pages and the API.
pub use relais_store::jobs::JobListRow;
use relais_store::jobs::JobState;
use serde::{Deserialize, Serialize};

/// A document changed, as older versions queued it: the job now only
/// appends the change to the search log, which every node applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDocument {
    /// `ticket`, `article`, `incident`, `training`.
    pub kind: String,
    pub id: String,
}

impl Job for IndexDocument {
    const KIND: &'static str = "search.index";
    // One pending job per document is enough (the key is released when the
    // job completes).
    fn dedup_key(&self) -> Option<String> {
        Some(format!("search:{}:{}", self.kind, self.id))
    }
    fn queue(&self) -> &'static str {
        SEARCH
    }
}

/// Rebuilds the whole search index (asked by `relais reindex` while a
/// server holds the index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebuildIndex {
    /// Always true; kept for the payloads written before jobs were typed.
    #[serde(default = "yes")]
    pub rebuild: bool,
}

fn yes() -> bool {
    true
}

impl Default for RebuildIndex {
    fn default() -> Self {
        RebuildIndex { rebuild: true }
    }
}

impl Job for RebuildIndex {
    const KIND: &'static str = "search.rebuild";
    fn dedup_key(&self) -> Option<String> {
        Some(Self::KIND.into())
    }
    fn queue(&self) -> &'static str {
        SEARCH
    }
}

/// A notification mail, one variant per template. Recipients are resolved
/// when the job runs, from the data as it is then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum MailJob {
    /// A new ticket, to its team's address.
    TicketNewTeam {
        ticket_id: Id,
        #[serde(default)]
        to: Option<String>,
    },
    /// An agent's public reply, to the requester.
    TicketReply {
        ticket_id: Id,
        #[serde(default)]
        message_id: Option<Id>,
    },
    /// A status change, to the requester.
    TicketStatus { ticket_id: Id },
    /// A member's reply, to the ticket's team.
    TicketMemberReply { ticket_id: Id },
    /// An SLA warning or breach.
    SlaAlert {
        ticket_id: Id,
        to: Vec<String>,
        /// `warning` or `breach`.
        kind: String,
        #[serde(default)]
        reason: String,
    },
    /// A resolved incident, to one institution's users of the product.
    IncidentResolved {
        incident_id: Id,
        institution_id: String,
    },
    /// A training registration event (confirmed, refused, promoted,
    /// reminder, session cancelled).
    Registration { registration_id: Id, event: String },
    /// A satisfaction survey invitation or its reminder.
    Survey {
        invitation_id: Id,
        #[serde(default = "invitation")]
        event: String,
    },
    /// A recall assigned to a relationship manager.
    Recall { recall_id: Id },
    /// A relationship manager's daily digest.
    RelationDigest { manager_id: Id },
    /// A complaint received, to the member relations team.
    ComplaintNew { complaint_id: Id },
    /// A complaint closed, to its author.
    ComplaintClosed { complaint_id: Id },
    /// A mail over the length limit, refused to its sender (the message
    /// itself is held in quarantine).
    MailRefused {
        to: String,
        subject: String,
        chars: usize,
        limit: usize,
    },
    /// The monthly steering report (`YYYY-MM`), to the agency's management.
    SteeringReport { month: String },
    /// A one-use link (password reset or invitation). The payload holds
    /// only the link's public id: the secret is drawn when the mail is sent
    /// and only its hash is stored.
    AccountLink { link_id: String },
}

fn invitation() -> String {
    "invitation".into()
}

impl MailJob {
    /// The template name, as stored in the payload.
    pub fn template(&self) -> &'static str {
        match self {
            MailJob::TicketNewTeam { .. } => "ticket_new_team",
            MailJob::TicketReply { .. } => "ticket_reply",
            MailJob::TicketStatus { .. } => "ticket_status",
            MailJob::TicketMemberReply { .. } => "ticket_member_reply",
            MailJob::SlaAlert { .. } => "sla_alert",
            MailJob::IncidentResolved { .. } => "incident_resolved",
            MailJob::Registration { .. } => "registration",
            MailJob::Survey { .. } => "survey",
            MailJob::Recall { .. } => "recall",
            MailJob::RelationDigest { .. } => "relation_digest",
            MailJob::ComplaintNew { .. } => "complaint_new",
            MailJob::ComplaintClosed { .. } => "complaint_closed",
            MailJob::MailRefused { .. } => "mail_refused",
            MailJob::SteeringReport { .. } => "steering_report",
            MailJob::AccountLink { .. } => "account_link",
        }
    }
}

impl Job for MailJob {
    const KIND: &'static str = "mail.notify";
    fn dedup_key(&self) -> Option<String> {
        match self {
            // One mail per institution and incident, however often the
            // incident is resolved again.
            MailJob::IncidentResolved {
                incident_id,
                institution_id,
            } => Some(format!("incident_resolved:{incident_id}:{institution_id}")),
            MailJob::SteeringReport { month } => Some(format!("steering_report:{month}")),
            _ => None,
        }
    }
    /// Surveys wait in their own queue: a campaign of thousands never
    /// delays a ticket's notification.
    fn queue(&self) -> &'static str {
        match self {
            MailJob::Survey { .. } => SURVEY,
            _ => MAIL,
        }
    }
}

/// Recomputes the steering indicators' daily aggregates of `[from, to]`
/// (days as `YYYY-MM-DD`); `relais serve` queues yesterday and today once a
/// day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshIndicators {
    pub from: String,
    pub to: String,
}

impl Job for RefreshIndicators {
    const KIND: &'static str = "steering.indicators";
    fn dedup_key(&self) -> Option<String> {
        Some(format!("steering.indicators:{}:{}", self.from, self.to))
    }
    fn queue(&self) -> &'static str {
        STEERING
    }
}

/// Every job kind the application defines. A runner built by [`runner`]
/// fails a job of any other kind at once.
pub const KNOWN_KINDS: &[&str] = &[
    IndexDocument::KIND,
    RebuildIndex::KIND,
    MailJob::KIND,
    RefreshIndicators::KIND,
];

/// The queues (see `relais_jobs::Runner::with_queues`): each is picked in
/// turn and run on its own task by the server, so a backlog in one (5 000
/// mails waiting for the relay) never delays another.
pub const SEARCH: &str = "search";
pub const MAIL: &str = "mail";
pub const SURVEY: &str = "survey";
pub const STEERING: &str = "steering";
pub const QUEUES: &[(&str, &[&str])] = &[
    (SEARCH, &[IndexDocument::KIND, RebuildIndex::KIND]),
    (MAIL, &[MailJob::KIND]),
    (SURVEY, &[MailJob::KIND]),
    (STEERING, &[RefreshIndicators::KIND]),
];

/// Queues a job due now in the caller's transaction.
pub async fn enqueue<J: Job>(tx: &mut relais_store::Conn, job: &J, now: &str) -> crate::Result<()> {
    relais_jobs::enqueue(tx, job, now, now).await?;
    Ok(())
}

/// An empty runner that knows the application's kinds.
pub fn runner(app: &App) -> Runner {
    Runner::new(app.db.clone(), app.clock.clone())
        .knowing(KNOWN_KINDS)
        .with_queues(QUEUES)
}

/// The application error of a job handler, as the runner wants it: data
/// that cannot be used (a record gone, a bad stored id) fails for good,
/// anything else is retried.
fn job_error(e: crate::AppError) -> anyhow::Error {
    use relais_domain::DomainError;
    match e {
        crate::AppError::Domain(d @ (DomainError::NotFound | DomainError::BadId(_))) => {
            anyhow::Error::new(relais_jobs::Permanent(d.to_string()))
        }
        e => anyhow::anyhow!("{e}"),
    }
}

/// Handles the index jobs older versions queued (their changes go to the
/// search log); the rebuild is registered by [`handle_rebuild`].
pub fn handle_index(runner: &mut Runner, app: &App) {
    let app = app.clone();
    runner.handle(move |job: IndexDocument| {
        let app = app.clone();
        async move {
            crate::search::handle_job(&app, &job)
                .await
                .map_err(job_error)
        }
    });
}

/// Handles rebuild jobs in `runner`: the request goes to the change log,
/// so that every node rebuilds its own index.
pub fn handle_rebuild(runner: &mut Runner, app: &App) {
    let app = app.clone();
    runner.handle(move |_: RebuildIndex| {
        let app = app.clone();
        async move {
            crate::search::request_rebuild(&app)
                .await
                .map_err(job_error)?;
            Ok(())
        }
    });
}

/// Handles notification mails in `runner`.
pub fn handle_mail(runner: &mut Runner, app: &App, settings: &MailSettings) {
    let (app, settings) = (app.clone(), settings.clone());
    runner.handle(move |job: MailJob| {
        let (app, settings) = (app.clone(), settings.clone());
        async move {
            crate::mail_io::send_notification(&app, &settings, &job)
                .await
                .map_err(job_error)
        }
    });
}

/// Handles indicator refreshes in `runner`; a bad day in the payload fails
/// for good.
pub fn handle_indicators(runner: &mut Runner, app: &App) {
    let app = app.clone();
    runner.handle(move |job: RefreshIndicators| {
        let app = app.clone();
        async move {
            let day = |s: &str| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    anyhow::Error::new(relais_jobs::Permanent(format!("jour illisible : {s}")))
                })
            };
            let n = crate::steering::refresh_indicators(&app, day(&job.from)?, day(&job.to)?)
                .await
                .map_err(job_error)?;
            tracing::info!(rows = n, from = %job.from, to = %job.to, "indicators refreshed");
            Ok(())
        }
    });
}

/// Queues the refresh of yesterday and today (called once a day by the
/// server; the dedup key keeps one pending job per range).
pub async fn queue_indicator_refresh(app: &App) -> crate::Result<()> {
    let today = crate::steering::today(app);
    let job = RefreshIndicators {
        from: (today - chrono::Days::new(1))
            .format("%Y-%m-%d")
            .to_string(),
        to: today.format("%Y-%m-%d").to_string(),
    };
    let mut tx = app.db.begin().await?;
    enqueue(&mut tx, &job, &app.now_ts()).await?;
    tx.commit().await?;
    Ok(())
}

/// The backlog per queue and kind (pending, due, failed, oldest), and
/// each node's position in the search change log with the changes it
/// still has to apply. Administrators only.
pub async fn backlog(app: &App, actor: &relais_domain::accounts::Actor) -> crate::Result<Backlog> {
    require_admin(actor)?;
    let mut c = app.db.read().await?;
    let queues = relais_store::jobs::backlog(&mut c, &app.now_ts()).await?;
    let mut nodes = Vec::new();
    for n in relais_store::search_log::nodes(&mut c).await? {
        let waiting = relais_store::search_log::waiting(&mut c, n.applied_seq).await?;
        nodes.push((n, waiting));
    }
    Ok(Backlog { queues, nodes })
}

/// See [`backlog`].
#[derive(Debug, Clone)]
pub struct Backlog {
    pub queues: Vec<relais_store::jobs::BacklogRow>,
    /// Each node's index: its progress and the changes it has not applied.
    pub nodes: Vec<(relais_store::search_log::NodeRow, i64)>,
}

/// The age of the oldest job of a backlog row, in seconds.
pub fn oldest_age_seconds(app: &App, row: &relais_store::jobs::BacklogRow) -> Option<i64> {
    let t = relais_store::parse_ts(row.oldest.as_deref()?)?;
    Some((app.clock.now() - t).num_seconds().max(0))
}

/// The jobs that wait for a person: failed ones (with their reasons) and
/// pending ones, oldest first. Administrators only.
pub async fn waiting(
    app: &App,
    actor: &relais_domain::accounts::Actor,
    limit: i64,
) -> crate::Result<(Vec<JobListRow>, Vec<JobListRow>)> {
    require_admin(actor)?;
    let mut c = app.db.read().await?;
    let failed = relais_store::jobs::list(&mut c, JobState::Failed, limit).await?;
    let pending = relais_store::jobs::list(&mut c, JobState::Pending, limit).await?;
    Ok((failed, pending))
}

/// Puts a job that is not done back in the queue. Administrators only.
pub async fn retry(app: &App, actor: &relais_domain::accounts::Actor, id: Id) -> crate::Result<()> {
    require_admin(actor)?;
    let mut tx = app.db.begin().await?;
    if !relais_store::jobs::retry(&mut tx, &id.to_string(), &app.now_ts()).await? {
        return Err(relais_domain::DomainError::NotFound.into());
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "job",
        id,
        "retry",
        &serde_json::json!({}),
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn require_admin(actor: &relais_domain::accounts::Actor) -> crate::Result<()> {
    if actor.role == relais_domain::accounts::Role::Admin {
        Ok(())
    } else {
        Err(relais_domain::DomainError::Forbidden.into())
    }
}
