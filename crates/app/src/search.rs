//! Search: what each document says and who may read it, the index job
//! enqueued with every write (the transactional outbox keeps the index in
//! line with the database even after a crash: a pending job is run at the
//! next start), the rebuild from the database, and queries filtered by the
//! reader's grants.
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

/// The job kind that brings one document of the index in line.
pub const JOB: &str = <crate::jobs::IndexDocument as relais_jobs::Job>::KIND;

/// The grant of every ticket (agency readers; triage reads the whole history).
pub const ALL_TICKETS: &str = "tickets:all";
const SHARED_TICKETS: &str = "tickets:shared";

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("search: {e}"))
}

/// Enqueues the re-indexing of a document in the caller's transaction.
pub async fn enqueue(tx: &mut Conn, kind: &str, id: &str, now: &str) -> Result<()> {
    let job = crate::jobs::IndexDocument {
        kind: kind.into(),
        id: id.into(),
    };
    crate::jobs::enqueue(tx, &job, now).await
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

/// The `search.index` job: re-reads the document and replaces it in the
/// index (or removes it). Idempotent, so a crash at any point is repaired
/// by running it again.
pub async fn handle_job(app: &App, job: &crate::jobs::IndexDocument) -> Result<()> {
    let Some(ix) = &app.search else {
        return Err(internal("no index open"));
    };
    let (kind, id) = (job.kind.as_str(), job.id.as_str());
    let doc = {
        let mut c = app.db.read().await?;
        load_doc(&mut c, kind, id).await?
    };
    let ix = ix.0.clone();
    let key = format!("{kind}:{id}");
    tokio_blocking(move || match doc {
        Some(d) => ix.apply(&[d], &[]),
        None => ix.apply(&[], &[key]),
    })
    .await
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
/// index until the final commit.
pub async fn rebuild(app: &App, progress: &(dyn Fn(usize) + Sync)) -> Result<usize> {
    let Some(ix) = &app.search else {
        return Err(internal("no index open"));
    };
    let ix = ix.0.clone();
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
    ix.commit().map_err(internal)?;
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
