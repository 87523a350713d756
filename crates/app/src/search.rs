//! Search: what each document says and who may read it, the change log
//! written with every write (in its transaction, so the index can never
//! miss a committed change), the loop every node runs to apply the log to
//! its own index in batches ([`IndexSync`]), the rebuild from the
//! database, and queries filtered by the reader's grants.
//!
//! Every node keeps its own index: the last sequence it applied is the
//! payload of the index's last commit, so the index and its position in
//! the log are saved together. At start a node catches up from there; an
//! index without a position (new, or from before the log) or behind the
//! log's truncation point is rebuilt, and so is one that cannot be read.
//!
//! Grants on documents:
//! - ticket: `tickets:all` (admins, key-account and domain leads),
//!   `team:<team>` (support agents of its team; `team:none` when unrouted),
//!   `inst:<institution>` (its institution), and when shared
//!   `uses:<product>` (institutions using the product) and `tickets:shared`
//!   (every agent);
//! - published article: `everyone`; other articles: `agency`;
//! - incident: `agency` and `uses:<product>`.

use crate::{App, AppError, Result};
use relais_domain::accounts::{Actor, Role};
use relais_domain::Id;
use relais_search::{Grant, IndexDoc, SearchIndex, SearchQuery, SearchResults};
use relais_store::search_feed as feed;
use relais_store::Conn;
use std::sync::Arc;

/// The open index shared by the process.
#[derive(Clone)]
pub struct SearchHandle(pub Arc<SearchIndex>);

impl std::fmt::Debug for SearchHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchHandle({} documents)", self.0.len())
    }
}

/// The job kind that older versions queued for one document (now a change
/// appended to the log when such a job is run).
pub const JOB: &str = <crate::jobs::IndexDocument as relais_jobs::Job>::KIND;

/// The grant of every ticket (agency readers; triage reads the whole history).
pub const ALL_TICKETS: &str = "tickets:all";
const SHARED_TICKETS: &str = "tickets:shared";

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("search: {e}"))
}

/// Records in the caller's transaction that a document changed: every
/// node's index applies it from the change log.
pub async fn enqueue(tx: &mut Conn, kind: &str, id: &str, now: &str) -> Result<()> {
    relais_store::search_log::append(tx, kind, id, now).await?;
    Ok(())
}

/// Asks every node to rebuild its index from the database.
pub async fn request_rebuild(app: &App) -> Result<()> {
    let mut tx = app.db.begin().await?;
    relais_store::search_log::append(
        &mut tx,
        relais_store::search_log::REBUILD,
        "",
        &app.now_ts(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn epoch(ts: &str) -> i64 {
    relais_store::parse_ts(ts)
        .map(|t| t.timestamp())
        .unwrap_or_default()
}

fn ticket_doc(t: &feed::TicketFeedRow, texts: &[&str]) -> IndexDoc {
    let mut grants = vec![
        ALL_TICKETS.to_string(),
        Grant::team(t.team_id.as_deref().unwrap_or("none")),
        Grant::institution(&t.institution_id),
    ];
    if t.shared == 1 {
        grants.push(Grant::product_users(&t.product_id));
        grants.push(SHARED_TICKETS.to_string());
    }
    IndexDoc {
        kind: "ticket".into(),
        id: t.id.clone(),
        title: format!("{} {}", t.reference, t.subject),
        body: texts.join("\n\n"),
        reference: Some(t.reference.clone()),
        product_id: Some(t.product_id.clone()),
        institution_id: Some(t.institution_id.clone()),
        status: Some(t.status.clone()),
        grants,
        created: epoch(&t.created_at),
    }
}

fn article_doc(a: &feed::ArticleFeedRow) -> IndexDoc {
    let grants = if a.status == "publie" {
        vec![Grant::EVERYONE.to_string(), Grant::AGENCY.to_string()]
    } else {
        vec![Grant::AGENCY.to_string()]
    };
    IndexDoc {
        kind: "article".into(),
        id: a.id.clone(),
        title: match &a.version {
            Some(v) => format!("{} ({v})", a.title),
            None => a.title.clone(),
        },
        body: a.body.clone(),
        reference: None,
        product_id: Some(a.product_id.clone()),
        institution_id: None,
        status: Some(a.status.clone()),
        grants,
        created: epoch(&a.created_at),
    }
}

fn incident_doc(i: &feed::IncidentFeedRow) -> IndexDoc {
    let body = [i.description.as_deref(), i.resolution.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    IndexDoc {
        kind: "incident".into(),
        id: i.id.clone(),
        title: i.title.clone(),
        body,
        reference: None,
        product_id: Some(i.product_id.clone()),
        institution_id: None,
        status: Some(i.status.clone()),
        grants: vec![
            Grant::AGENCY.to_string(),
            Grant::product_users(&i.product_id),
        ],
        created: epoch(&i.created_at),
    }
}

/// A catalogue entry: public, like the catalogue.
fn training_doc(t: &relais_store::training::TrainingRow) -> IndexDoc {
    let body = [
        t.objectives.as_deref(),
        t.audience.as_deref(),
        t.prerequisites.as_deref(),
        t.domain_label.as_deref(),
        t.product_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n\n");
    IndexDoc {
        kind: "training".into(),
        id: t.id.clone(),
        title: t.title.clone(),
        body,
        reference: Some(t.code.clone()),
        product_id: t.product_id.clone(),
        institution_id: None,
        status: Some(t.kind.clone()),
        grants: vec![Grant::EVERYONE.to_string(), Grant::AGENCY.to_string()],
        created: 0,
    }
}

/// The current document for `(kind, id)`, or `None` when it no longer exists.
async fn load_doc(c: &mut Conn, kind: &str, id: &str) -> Result<Option<IndexDoc>> {
    Ok(match kind {
        "ticket" => match feed::ticket(c, id).await? {
            Some(t) => {
                let texts = feed::public_text_between(c, id, id).await?;
                let mut body: Vec<&str> = vec![t.subject.as_str()];
                body.extend(texts.iter().map(|(_, s)| s.as_str()));
                Some(ticket_doc(&t, &body))
            }
            None => None,
        },
        "article" => feed::article(c, id).await?.map(|a| article_doc(&a)),
        "incident" => feed::incident(c, id).await?.map(|i| incident_doc(&i)),
        "training" => match Id::parse(id) {
            Some(tid) => match relais_store::training::get_training(c, tid).await {
                Ok(t) => Some(training_doc(&t)),
                Err(relais_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        },
        _ => None,
    })
}

/// A `search.index` job left by an older version: its change goes to the
/// log, which every node applies.
pub async fn handle_job(app: &App, job: &crate::jobs::IndexDocument) -> Result<()> {
    let mut tx = app.db.begin().await?;
    enqueue(&mut tx, &job.kind, &job.id, &app.now_ts()).await?;
    tx.commit().await?;
    Ok(())
}

/// The current documents for a batch of changes: `(upserts, removed keys)`.
/// Tickets are read in two queries for the whole batch.
async fn load_docs(
    c: &mut Conn,
    changes: &[(String, String)],
) -> Result<(Vec<IndexDoc>, Vec<String>)> {
    let mut upserts = Vec::new();
    let mut removed = Vec::new();
    let tickets: Vec<String> = changes
        .iter()
        .filter(|(k, _)| k == "ticket")
        .map(|(_, id)| id.clone())
        .collect();
    for chunk in tickets.chunks(500) {
        let rows = feed::tickets_in(c, chunk).await?;
        let texts = feed::public_text_in(c, chunk).await?;
        let mut by_ticket: std::collections::HashMap<&str, Vec<&str>> =
            std::collections::HashMap::new();
        for (t, s) in &texts {
            by_ticket.entry(t.as_str()).or_default().push(s.as_str());
        }
        let found: std::collections::HashSet<&str> = rows.iter().map(|t| t.id.as_str()).collect();
        for id in chunk {
            if !found.contains(id.as_str()) {
                removed.push(format!("ticket:{id}"));
            }
        }
        for t in &rows {
            let mut body = vec![t.subject.as_str()];
            body.extend(by_ticket.get(t.id.as_str()).into_iter().flatten());
            upserts.push(ticket_doc(t, &body));
        }
    }
    for (kind, id) in changes.iter().filter(|(k, _)| k != "ticket") {
        match load_doc(c, kind, id).await? {
            Some(d) => upserts.push(d),
            None => removed.push(format!("{kind}:{id}")),
        }
    }
    Ok((upserts, removed))
}

/// Where an index stands in the change log: the payload of its commits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    /// Every change up to this sequence is applied.
    pub seq: i64,
    /// This index's name in `search_nodes` (generated once per index).
    pub node: String,
    /// The log's highest sequence when the index was last rebuilt: rebuild
    /// requests up to it are done.
    #[serde(default)]
    pub rebuilt: i64,
}

impl Position {
    /// The position saved with the index's last commit, if any.
    pub fn of(ix: &SearchIndex) -> Option<Position> {
        ix.payload()
            .ok()
            .flatten()
            .and_then(|p| serde_json::from_str(&p).ok())
    }
}

/// How long a hole in the sequence is waited for: on PostgreSQL a
/// sequence number is taken when a row is written, so a transaction still
/// running leaves a hole that fills when it commits (or stays when it rolls
/// back).
const GAP_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// Changes read per batch (one index commit each).
pub const BATCH: i64 = 5000;
/// How much of the log is re-read after a rebuild, for transactions that
/// were still running when the rebuild read the database.
const REBUILD_OVERLAP: i64 = 1000;

/// What one step of [`IndexSync`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// Changes read from the log.
    pub changes: usize,
    /// Documents written or removed in the index.
    pub documents: usize,
    /// The index was rebuilt from the database.
    pub rebuilt: bool,
}

/// A node's follower of the change log: it keeps the applied position and
/// the holes it is waiting for, and applies the log to the node's index in
/// batches (one commit per batch). Run [`IndexSync::run`] in the server;
/// tests call [`catch_up`].
#[derive(Debug, Default)]
pub struct IndexSync {
    /// Changes above the saved position already applied (beyond a hole).
    applied_above: std::collections::BTreeSet<i64>,
    /// Holes seen, with when they were first seen.
    holes: std::collections::BTreeMap<i64, std::time::Instant>,
    reported: Option<std::time::Instant>,
}

impl IndexSync {
    pub fn new() -> IndexSync {
        IndexSync::default()
    }

    /// Applies the next batch of the log (or rebuilds when the index has no
    /// position, is behind the log's truncation point, or a rebuild was
    /// asked). Returns what it did; nothing when the index is current.
    pub async fn step(&mut self, app: &App) -> Result<Step> {
        let ix = index(app)?;
        let pos = Position::of(&ix);
        let truncated = {
            let mut c = app.db.read().await?;
            relais_store::search_log::truncated_through(&mut c).await?
        };
        let Some(pos) = pos.filter(|p| p.seq >= truncated) else {
            let node = Position::of(&ix)
                .map(|p| p.node)
                .unwrap_or_else(|| Id::new().to_string());
            let documents = self.rebuild(app, &node).await?;
            return Ok(Step {
                changes: 0,
                documents,
                rebuilt: true,
            });
        };
        let changes = {
            let mut c = app.db.read().await?;
            relais_store::search_log::after(&mut c, pos.seq, BATCH).await?
        };
        if changes.is_empty() {
            self.report(app, &pos, false).await;
            return Ok(Step::default());
        }
        if changes
            .iter()
            .any(|c| c.kind == relais_store::search_log::REBUILD && c.seq > pos.rebuilt)
        {
            let documents = self.rebuild(app, &pos.node).await?;
            return Ok(Step {
                changes: changes.len(),
                documents,
                rebuilt: true,
            });
        }
        // The new safe position: up to the first hole still awaited.
        let now = std::time::Instant::now();
        let mut safe = pos.seq;
        let mut blocked = false;
        let mut todo: Vec<(String, String)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for ch in &changes {
            if !blocked && ch.seq > safe + 1 {
                // A hole (safe+1 .. ch.seq-1): wait for it a while.
                let first = *self.holes.entry(safe + 1).or_insert(now);
                if now.duration_since(first) < GAP_WAIT {
                    blocked = true;
                } else {
                    self.holes.remove(&(safe + 1));
                }
            }
            if !blocked {
                safe = ch.seq;
            }
            if self.applied_above.contains(&ch.seq) {
                continue;
            }
            if ch.kind != relais_store::search_log::REBUILD
                && seen.insert((ch.kind.clone(), ch.doc_id.clone()))
            {
                todo.push((ch.kind.clone(), ch.doc_id.clone()));
            }
        }
        let fresh = changes
            .iter()
            .filter(|c| !self.applied_above.contains(&c.seq))
            .count();
        if fresh == 0 && safe == pos.seq {
            // Waiting for a hole; everything after it is applied.
            self.report(app, &pos, false).await;
            return Ok(Step::default());
        }
        let (upserts, removed) = {
            let mut c = app.db.read().await?;
            load_docs(&mut c, &todo).await?
        };
        let new_pos = Position {
            seq: safe,
            node: pos.node.clone(),
            rebuilt: pos.rebuilt,
        };
        let payload = serde_json::to_string(&new_pos).map_err(internal)?;
        let n = upserts.len() + removed.len();
        let ix2 = ix.clone();
        tokio_blocking(move || ix2.apply_with(&upserts, &removed, &payload)).await?;
        for ch in &changes {
            if ch.seq > safe {
                self.applied_above.insert(ch.seq);
            }
        }
        self.applied_above = self.applied_above.split_off(&(safe + 1));
        self.holes = self.holes.split_off(&(safe + 1));
        self.report(app, &new_pos, true).await;
        Ok(Step {
            changes: fresh.max(1),
            documents: n,
            rebuilt: false,
        })
    }

    async fn rebuild(&mut self, app: &App, node: &str) -> Result<usize> {
        let (max, truncated) = {
            let mut c = app.db.read().await?;
            (
                relais_store::search_log::max_seq(&mut c).await?,
                relais_store::search_log::truncated_through(&mut c).await?,
            )
        };
        let started = std::time::Instant::now();
        let pos = Position {
            seq: (max - REBUILD_OVERLAP).max(truncated).max(0),
            node: node.to_string(),
            rebuilt: max,
        };
        let n = rebuild_at(app, &pos, &|_| {}).await?;
        tracing::info!(
            documents = n,
            seconds = started.elapsed().as_secs_f64(),
            "search index rebuilt from the database"
        );
        self.applied_above.clear();
        self.holes.clear();
        self.report(app, &pos, true).await;
        Ok(n)
    }

    /// Tells the other nodes how far this one is (at most every 5 s unless
    /// `now`), so the log is truncated only below it.
    async fn report(&mut self, app: &App, pos: &Position, now: bool) {
        if !now
            && self
                .reported
                .is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(5))
        {
            return;
        }
        let documents = app.search.as_ref().map(|s| s.0.len()).unwrap_or(0) as i64;
        let r = async {
            let mut tx = app.db.begin().await?;
            relais_store::search_log::report(&mut tx, &pos.node, pos.seq, documents, &app.now_ts())
                .await?;
            tx.commit().await?;
            Ok::<(), AppError>(())
        }
        .await;
        match r {
            Ok(()) => self.reported = Some(std::time::Instant::now()),
            Err(e) => tracing::warn!(error = %e, "search progress not reported"),
        }
    }

    /// Applies the log until the index is current.
    pub async fn catch_up(&mut self, app: &App) -> Result<Step> {
        let mut total = Step::default();
        loop {
            let s = self.step(app).await?;
            total.changes += s.changes;
            total.documents += s.documents;
            total.rebuilt |= s.rebuilt;
            if s.changes == 0 && !s.rebuilt {
                return Ok(total);
            }
        }
    }

    /// The node's loop: applies the log as it grows (checking every
    /// `every` when there is nothing new), and truncates it hourly.
    pub async fn run(mut self, app: App, every: std::time::Duration) {
        let mut truncated_at: Option<std::time::Instant> = None;
        loop {
            match self.step(&app).await {
                Ok(s) if s.changes > 0 || s.rebuilt => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "search index update failed"),
            }
            if truncated_at.is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(3600)) {
                truncated_at = Some(std::time::Instant::now());
                if let Err(e) = truncate_log(&app).await {
                    tracing::warn!(error = %e, "search change log not truncated");
                }
            }
            tokio::time::sleep(every).await;
        }
    }
}

/// Applies the change log to the app's index until it is current (tests,
/// `relais reindex`, the start of a server).
pub async fn catch_up(app: &App) -> Result<Step> {
    IndexSync::new().catch_up(app).await
}

/// How long nodes that stopped reporting are waited for, and how long the
/// log keeps changes whatever the nodes.
const NODE_FORGOTTEN_AFTER_HOURS: i64 = 24;
const LOG_RETENTION_DAYS: i64 = 7;

/// Removes from the log what every live node applied, and anything past
/// the retention window (a node that far behind rebuilds).
pub async fn truncate_log(app: &App) -> Result<i64> {
    let now = app.clock.now();
    let alive = relais_store::ts(now - chrono::Duration::hours(NODE_FORGOTTEN_AFTER_HOURS));
    let keep = relais_store::ts(now - chrono::Duration::days(LOG_RETENTION_DAYS));
    let mut tx = app.db.begin().await?;
    let t = relais_store::search_log::truncate(&mut tx, &alive, &keep).await?;
    tx.commit().await?;
    Ok(t)
}

async fn tokio_blocking<F>(f: F) -> Result<()>
where
    F: FnOnce() -> relais_search::Result<()> + Send + 'static,
{
    // Index commits touch the disk; they are short and rare enough to run
    // inline, which also keeps this crate free of a runtime dependency.
    f().map_err(internal)
}

/// Rebuilds the index from the database: every ticket (public text only),
/// article and incident, streamed in batches. Readers keep the previous
/// index until the final commit, which also saves the index's position in
/// the change log (so the node then catches up from there).
pub async fn rebuild(app: &App, progress: &(dyn Fn(usize) + Sync)) -> Result<usize> {
    let ix = index(app)?;
    let (max, truncated) = {
        let mut c = app.db.read().await?;
        (
            relais_store::search_log::max_seq(&mut c).await?,
            relais_store::search_log::truncated_through(&mut c).await?,
        )
    };
    let pos = Position {
        seq: (max - REBUILD_OVERLAP).max(truncated).max(0),
        node: Position::of(&ix)
            .map(|p| p.node)
            .unwrap_or_else(|| Id::new().to_string()),
        rebuilt: max,
    };
    rebuild_at(app, &pos, progress).await
}

async fn rebuild_at(app: &App, pos: &Position, progress: &(dyn Fn(usize) + Sync)) -> Result<usize> {
    let ix = index(app)?;
    // Documents get the aliases of the vocabulary as it is now.
    crate::vocabulary::load_into_index(app).await?;
    ix.clear_uncommitted().map_err(internal)?;
    let mut n = 0usize;
    let mut after: Option<String> = None;
    loop {
        let mut c = app.db.read().await?;
        let batch = feed::tickets_after(&mut c, after.as_deref(), 5000).await?;
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            break;
        };
        let texts = feed::public_text_between(&mut c, &first.id, &last.id).await?;
        drop(c);
        let mut by_ticket: std::collections::HashMap<&str, Vec<&str>> =
            std::collections::HashMap::new();
        for (t, s) in &texts {
            by_ticket.entry(t.as_str()).or_default().push(s.as_str());
        }
        let docs: Vec<IndexDoc> = batch
            .iter()
            .map(|t| {
                let mut body = vec![t.subject.as_str()];
                body.extend(by_ticket.get(t.id.as_str()).into_iter().flatten());
                ticket_doc(t, &body)
            })
            .collect();
        ix.add_uncommitted(&docs).map_err(internal)?;
        n += docs.len();
        progress(n);
        after = Some(last.id.clone());
    }
    let mut c = app.db.read().await?;
    let articles: Vec<IndexDoc> = feed::articles(&mut c)
        .await?
        .iter()
        .map(article_doc)
        .collect();
    let incidents: Vec<IndexDoc> = feed::incidents(&mut c)
        .await?
        .iter()
        .map(incident_doc)
        .collect();
    let trainings: Vec<IndexDoc> = relais_store::training::list_trainings(
        &mut c,
        &relais_store::training::TrainingFilter {
            agency: true,
            ..Default::default()
        },
    )
    .await?
    .iter()
    .map(training_doc)
    .collect();
    drop(c);
    ix.add_uncommitted(&trainings).map_err(internal)?;
    n += trainings.len();
    ix.add_uncommitted(&articles).map_err(internal)?;
    ix.add_uncommitted(&incidents).map_err(internal)?;
    n += articles.len() + incidents.len();
    let payload = serde_json::to_string(pos).map_err(internal)?;
    ix.commit_with(&payload).map_err(internal)?;
    progress(n);
    Ok(n)
}

/// What a person may read in the index.
pub async fn grants(app: &App, actor: &Actor) -> Result<Vec<String>> {
    let mut g = vec![Grant::EVERYONE.to_string()];
    match actor.role {
        Role::Admin | Role::Relation | Role::Domain => {
            g.push(Grant::AGENCY.into());
            g.push(ALL_TICKETS.into());
        }
        Role::Support => {
            g.push(Grant::AGENCY.into());
            let mut c = app.db.read().await?;
            let teams = relais_store::support::teams_of_user(&mut c, actor.user_id).await?;
            if teams.is_empty() {
                // A generalist agent, in no team, takes every ticket.
                g.push(ALL_TICKETS.into());
            } else {
                g.extend(teams.iter().map(|t| Grant::team(t)));
                g.push(Grant::team("none"));
                g.push(SHARED_TICKETS.into());
            }
        }
        Role::Trainer | Role::Member | Role::MemberAdmin => {
            if let Some(inst) = actor.institution_id {
                let inst = inst.to_string();
                let mut c = app.db.read().await?;
                let products = feed::products_in_use(&mut c, &inst).await?;
                g.push(Grant::institution(&inst));
                g.extend(products.iter().map(|p| Grant::product_users(p)));
            }
        }
    }
    Ok(g)
}

fn index(app: &App) -> Result<Arc<SearchIndex>> {
    app.search
        .as_ref()
        .map(|h| h.0.clone())
        .ok_or_else(|| internal("no index open"))
}

/// A search within what the actor may read: hits and counts never include
/// anything else.
///
/// A question that found nothing, or only approximate answers, is counted
/// (anonymised, see [`crate::vocabulary::record_miss`]) for the knowledge
/// managers' page.
pub async fn search(app: &App, actor: &Actor, q: &SearchQuery) -> Result<SearchResults> {
    let g = grants(app, actor).await?;
    let r = index(app)?.search(q, &g).map_err(internal)?;
    if q.offset == 0 && !q.text.trim().is_empty() {
        if r.total == 0 {
            crate::vocabulary::record_miss(app, &q.text, "aucun").await;
        } else if r.relaxed {
            crate::vocabulary::record_miss(app, &q.text, "approche").await;
        }
    }
    Ok(r)
}

/// Suggestions from a free description (any word counts).
pub async fn suggest(app: &App, actor: &Actor, q: &SearchQuery) -> Result<SearchResults> {
    let g = grants(app, actor).await?;
    index(app)?.suggest(q, &g).map_err(internal)
}

/// Whether a document is indexed (consistency checks).
pub fn is_indexed(app: &App, kind: &str, id: Id) -> Result<bool> {
    index(app)?
        .contains(&format!("{kind}:{id}"))
        .map_err(internal)
}
