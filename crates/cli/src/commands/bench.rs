//! `relais bench`: generates a large support history into the configured
//! database (SQLite by default: 1 000 000 tickets and 5 000 000 messages)
//! and prints the median and 99th-percentile server time of the pages that
//! matter, measured through the real router in-process. A benchmark, not a
//! test: the figures depend on the machine.

use crate::config::Config;
use axum::body::Body;
use axum::http::{header, Request};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::calendar::BusinessCalendar;
use relais_domain::Id;
use relais_jobs::Job as _;
use relais_store::ts;
use std::time::Instant;
use tower::ServiceExt;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Tickets wanted in the database (generated when fewer exist).
    #[arg(long, default_value_t = 1_000_000)]
    pub tickets: i64,
    /// Messages wanted in total.
    #[arg(long, default_value_t = 5_000_000)]
    pub messages: i64,
    /// Requests measured per operation.
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// Skip the search part (index rebuild and queries).
    #[arg(long)]
    pub no_search: bool,
    /// Only the index under a burst: files this many tickets as fast as the
    /// database takes them, with 5 000 mails waiting in their queue, and
    /// prints the index's sustained rate and the time from filing to
    /// searchable (e.g. `--index-burst 10000`).
    #[arg(long)]
    pub index_burst: Option<usize>,
}

async fn count(db: &relais_store::Db, table: &str) -> anyhow::Result<i64> {
    let mut c = db.read().await?;
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *c)
        .await?;
    Ok(n)
}

/// Bulk-inserts tickets and their messages in batches, in transactions of
/// 20 000 tickets so progress survives an interruption.
async fn generate(app: &relais_app::App, tickets: i64, messages: i64) -> anyhow::Result<()> {
    let db = &app.db;
    let have = count(db, "tickets").await?;
    if have >= tickets {
        return Ok(());
    }
    let deployed: Vec<(String, String)> = {
        let mut c = db.read().await?;
        sqlx::query_as("SELECT institution_id, product_id FROM deployments WHERE status NOT IN ('retire', 'candidat')")
            .fetch_all(&mut *c)
            .await?
    };
    let teams: std::collections::HashMap<String, String> = {
        let mut c = db.read().await?;
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT product_id, team_id FROM product_teams")
                .fetch_all(&mut *c)
                .await?;
        rows.into_iter().collect()
    };
    let agents: Vec<(String,)> = {
        let mut c = db.read().await?;
        sqlx::query_as("SELECT id FROM users WHERE role = 'support'")
            .fetch_all(&mut *c)
            .await?
    };
    let per_ticket = (messages as f64 / tickets as f64).max(1.0);
    let cal = BusinessCalendar::default();
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let now = app.clock.now();
    let start = now - chrono::Duration::days(5 * 365);
    let bar = indicatif::ProgressBar::new((tickets - have) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} tickets ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut number = 10_000_000i64 + have;
    let mut remaining = tickets - have;
    while remaining > 0 {
        let chunk = remaining.min(20_000);
        let mut tx = db.begin().await?;
        let mut done = 0;
        while done < chunk {
            let batch = (chunk - done).min(400);
            let mut tq = String::from("INSERT INTO tickets (id, reference, institution_id, requester_name, requester_email, product_id, category, severity, status, subject, team_id, assignee_id, shared, level_code, channel, created_at, updated_at, first_response_at, resolved_at, first_response_due_at, resolution_due_at, last_status_at) VALUES ");
            let mut mq = String::from("INSERT INTO ticket_messages (id, ticket_id, author_name, visibility, body, channel, created_at) VALUES ");
            let mut targs: Vec<String> = Vec::new();
            let mut margs: Vec<String> = Vec::new();
            let mut mcount = 0;
            for b in 0..batch {
                let (inst, product) = &deployed[rng.gen_range(0..deployed.len())];
                let created = start + chrono::Duration::seconds(rng.gen_range(0..5 * 365 * 86400));
                let age_days = (now - created).num_days();
                let status = if age_days < 20 && rng.gen_bool(0.6) {
                    [
                        "nouveau",
                        "en_cours",
                        "attente_etablissement",
                        "attente_editeur",
                    ][rng.gen_range(0..4)]
                } else if rng.gen_bool(0.8) {
                    "clos"
                } else {
                    "resolu"
                };
                let (p, subject, request, answer) = relais_testkit::demo::support::PROBLEMS
                    [rng.gen_range(0..relais_testkit::demo::support::PROBLEMS.len())];
                let _ = p;
                let id = Id::new().to_string();
                number += 1;
                let c_s = ts(created);
                let frd = ts(cal.add_business_minutes(created, 480));
                let rd = ts(cal.add_business_minutes(created, 2250));
                let answered = ts(created + chrono::Duration::hours(rng.gen_range(1..30)));
                let resolved = if status == "clos" || status == "resolu" {
                    Some(ts(created + chrono::Duration::days(rng.gen_range(1..20))))
                } else {
                    None
                };
                if b > 0 {
                    tq.push_str(", ");
                }
                let base = targs.len();
                tq.push('(');
                for k in 1..=22 {
                    if k > 1 {
                        tq.push_str(", ");
                    }
                    tq.push_str(&format!("${}", base + k));
                }
                tq.push(')');
                targs.extend([
                    id.clone(),
                    format!("R{}-{number:08}", created.format("%Y")),
                    inst.clone(),
                    "Correspondant".into(),
                    "correspondant@exemple.fr".into(),
                    product.clone(),
                    "anomalie".into(),
                    ["bloquant", "majeur", "mineur"][rng.gen_range(0..3)].into(),
                    status.into(),
                    subject.to_string(),
                    teams.get(product).cloned().unwrap_or_default(),
                    agents
                        .get(rng.gen_range(0..agents.len().max(1)))
                        .map(|a| a.0.clone())
                        .unwrap_or_default(),
                    if rng.gen_bool(0.2) { "1" } else { "0" }.into(),
                    "socle".into(),
                    "web".into(),
                    c_s.clone(),
                    c_s.clone(),
                    answered.clone(),
                    resolved.clone().unwrap_or_default(),
                    frd,
                    rd,
                    c_s.clone(),
                ]);
                let n_msgs = if rng.gen_bool(per_ticket.fract()) {
                    per_ticket.ceil()
                } else {
                    per_ticket.floor()
                } as i64;
                for m in 0..n_msgs {
                    let (who, vis, body) = match m {
                        0 => ("Correspondant", "public", request),
                        x if x == n_msgs - 1 && resolved.is_some() => ("Agent", "public", answer),
                        x if x % 3 == 2 => {
                            ("Agent", "internal", "Note interne : reproduit en recette.")
                        }
                        x if x % 2 == 1 => (
                            "Agent",
                            "public",
                            "Pouvez-vous nous transmettre le journal d'erreurs ?",
                        ),
                        _ => (
                            "Correspondant",
                            "public",
                            "Voici le journal demandé, merci.",
                        ),
                    };
                    if mcount > 0 {
                        mq.push_str(", ");
                    }
                    let mb = margs.len();
                    mq.push('(');
                    for k in 1..=7 {
                        if k > 1 {
                            mq.push_str(", ");
                        }
                        mq.push_str(&format!("${}", mb + k));
                    }
                    mq.push(')');
                    margs.extend([
                        Id::new().to_string(),
                        id.clone(),
                        who.to_string(),
                        vis.to_string(),
                        body.to_string(),
                        "web".to_string(),
                        ts(created + chrono::Duration::hours(m * 3)),
                    ]);
                    mcount += 1;
                }
            }
            // Empty strings stand for NULL in the optional columns.
            let mut q = sqlx::query(&tq);
            for (i, a) in targs.iter().enumerate() {
                let col = i % 22;
                let nullable = matches!(col, 10 | 11 | 18);
                q = if nullable && a.is_empty() {
                    q.bind(Option::<String>::None)
                } else if col == 12 {
                    q.bind(a.parse::<i64>().unwrap_or(0))
                } else {
                    q.bind(a.clone())
                };
            }
            q.execute(&mut *tx).await?;
            if mcount > 0 {
                let mut q = sqlx::query(&mq);
                for a in &margs {
                    q = q.bind(a.clone());
                }
                q.execute(&mut *tx).await?;
            }
            done += batch;
            bar.inc(batch as u64);
        }
        tx.commit().await?;
        remaining -= chunk;
    }
    bar.finish();
    Ok(())
}

struct Timings(Vec<f64>);

impl Timings {
    fn pct(&self, p: f64) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v.get(i).copied().unwrap_or(0.0)
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<f64>()
                    .unwrap_or(0.0)
                    / 1024.0
            })
        })
        .unwrap_or(0.0)
}

async fn session(app: &relais_app::App, email: &str) -> anyhow::Result<(String, String)> {
    let s = relais_app::accounts::login(app, email, relais_testkit::demo::DEMO_PASSWORD)
        .await
        .map_err(|e| anyhow::anyhow!("login {email}: {e}"))?;
    Ok((format!("relais_session={}", s.token), s.csrf))
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    if let Some(n) = args.index_burst {
        return index_burst(&cfg, n).await;
    }
    let app = super::open(&cfg).await?;
    if count(&app.db, "institutions").await? == 0 {
        println!("Chargement de la démo…");
        relais_testkit::demo::load(&app.db, 2021, app.clock.now()).await?;
    }
    let t0 = Instant::now();
    generate(&app, args.tickets, args.messages).await?;
    let tickets = count(&app.db, "tickets").await?;
    let messages = count(&app.db, "ticket_messages").await?;
    println!(
        "Données : {tickets} tickets, {messages} messages (génération {:.0} s)",
        t0.elapsed().as_secs_f64()
    );
    let router = relais_web::router(relais_web::AppState {
        app: app.clone(),
        web: relais_web::WebConfig {
            secure_cookies: false,
        },
    });
    // The steering aggregates the dashboards read: the daily refresh as
    // `serve` queues it (yesterday and today), then 90 days recomputed.
    let today = relais_app::steering::today(&app);
    let started = Instant::now();
    relais_app::steering::refresh_indicators(&app, today - chrono::Days::new(1), today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let daily = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let rows = relais_app::steering::refresh_indicators(&app, today - chrono::Days::new(89), today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Agrégats de pilotage : rafraîchissement quotidien (2 jours) {:.2} s ; 90 jours ({rows} lignes) {:.2} s",
        daily,
        started.elapsed().as_secs_f64()
    );
    let (admin_cookie, _) = session(&app, "admin@relais.test").await?;
    let (agent_cookie, _) = session(&app, "support@relais.test").await?;
    let (member_cookie, member_csrf) = session(&app, "membre@relais.test").await?;
    let ids: Vec<(String,)> = {
        let mut c = app.db.read().await?;
        sqlx::query_as("SELECT id FROM tickets ORDER BY id LIMIT 5000 OFFSET 1000")
            .fetch_all(&mut *c)
            .await?
    };
    let team: Option<(String,)> = {
        let mut c = app.db.read().await?;
        sqlx::query_as("SELECT id FROM teams ORDER BY code LIMIT 1")
            .fetch_optional(&mut *c)
            .await?
    };
    let product: (String,) = {
        let mut c = app.db.read().await?;
        sqlx::query_as("SELECT d.product_id FROM deployments d JOIN users u ON u.institution_id = d.institution_id WHERE u.email = 'membre@relais.test' AND d.status NOT IN ('retire','candidat') LIMIT 1")
            .fetch_one(&mut *c)
            .await?
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // Use-case level: the same operations without HTTP and HTML.
    let agent = relais_app::accounts::actor_of(&{
        let mut c = app.db.read().await?;
        relais_store::accounts::find_user_by_email(&mut c, "support@relais.test").await?
    })
    .ok_or_else(|| anyhow::anyhow!("agent"))?;
    let member = relais_app::accounts::actor_of(&{
        let mut c = app.db.read().await?;
        relais_store::accounts::find_user_by_email(&mut c, "membre@relais.test").await?
    })
    .ok_or_else(|| anyhow::anyhow!("member"))?;
    println!(
        "{:<22} {:>10} {:>10}",
        "cas d'usage", "médiane ms", "p99 ms"
    );
    for op in ["ticket_view", "agent_queue", "member_list", "file_ticket"] {
        let mut times = Vec::with_capacity(args.samples);
        for _ in 0..args.samples {
            let started = Instant::now();
            match op {
                "ticket_view" => {
                    let id = Id::parse_stored(&ids[rng.gen_range(0..ids.len())].0)?;
                    relais_app::support::ticket_view(&app, &agent, id)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                "agent_queue" => {
                    let f = relais_store::support::TicketFilter {
                        team_id: team.as_ref().map(|t| t.0.clone()),
                        open_only: true,
                        order_by_due: true,
                        limit: 50,
                        ..Default::default()
                    };
                    relais_app::support::list_tickets(&app, &agent, &f)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                "member_list" => {
                    let f = relais_store::support::TicketFilter {
                        institution_id: member.institution_id.map(|i| i.to_string()),
                        limit: 50,
                        ..Default::default()
                    };
                    relais_app::support::list_tickets(&app, &member, &f)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                _ => {
                    let input = relais_domain::support::TicketInput {
                        product_id: product.0.clone(),
                        category: "question".into(),
                        severity: "mineur".into(),
                        subject: "Question de test".into(),
                        body: "Une question.".into(),
                        ..Default::default()
                    };
                    relais_app::support::create_ticket(&app, &member, None, input, "web")
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let t = Timings(times);
        println!("{op:<22} {:>10.2} {:>10.2}", t.pct(0.5), t.pct(0.99));
    }
    // Server time through the real router: session, CSRF, use case,
    // template, body. Every answer must be a success (2xx, or the 303 of a
    // filed ticket); a failing page would otherwise look fast.
    let ops: Vec<&str> = vec![
        "ticket_page",
        "agent_queue",
        "agent_queue_all",
        "member_list",
        "file_ticket",
        "dashboard",
        "indicators",
        "member_indicators",
    ];
    println!(
        "{:<16} {:>10} {:>10} {:>8}",
        "page", "médiane ms", "p99 ms", "échecs"
    );
    for op in ops {
        let mut times = Vec::with_capacity(args.samples);
        let mut failures = 0usize;
        for _ in 0..args.samples {
            let req = match op {
                "ticket_page" => Request::get(format!("/support/{}", ids[rng.gen_range(0..ids.len())].0)).header(header::COOKIE, &agent_cookie).body(Body::empty())?,
                "agent_queue" => Request::get(format!("/support?equipe={}", team.as_ref().map(|t| t.0.as_str()).unwrap_or(""))).header(header::COOKIE, &agent_cookie).body(Body::empty())?,
                "agent_queue_all" => Request::get("/support").header(header::COOKIE, &agent_cookie).body(Body::empty())?,
                "member_list" => Request::get("/support").header(header::COOKIE, &member_cookie).body(Body::empty())?,
                "dashboard" => Request::get("/pilotage").header(header::COOKIE, &admin_cookie).body(Body::empty())?,
                "indicators" => Request::get("/indicateurs").header(header::COOKIE, &admin_cookie).body(Body::empty())?,
                "member_indicators" => Request::get("/indicateurs").header(header::COOKIE, &member_cookie).body(Body::empty())?,
                _ => Request::post("/support")
                    .header(header::COOKIE, &member_cookie)
                    .header(header::HOST, "localhost")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!(
                        "_csrf={}&product_id={}&category=question&severity=mineur&subject=Question+de+test&body=Une+question+sur+le+produit",
                        urlencode(&member_csrf),
                        product.0
                    )))?,
            };
            let started = Instant::now();
            let res = router.clone().oneshot(req).await?;
            let status = res.status();
            let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            if !(status.is_success() || status == axum::http::StatusCode::SEE_OTHER) {
                failures += 1;
            }
        }
        let t = Timings(times);
        println!(
            "{op:<16} {:>10.2} {:>10.2} {failures:>8}",
            t.pct(0.5),
            t.pct(0.99)
        );
        if failures > 0 {
            anyhow::bail!("{op}: {failures} requêtes en échec — les mesures ne valent rien");
        }
    }
    if !args.no_search {
        search_bench(&cfg, &app, &member, &agent, args.samples).await?;
    }
    let size: u64 = std::fs::read_dir(&cfg.data_dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    println!(
        "Taille de la base : {:.0} Mo ; mémoire résidente maximale : {:.0} Mo",
        size as f64 / 1e6,
        peak_rss_mb()
    );
    Ok(())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| {
                    let m = e.metadata().ok();
                    match m {
                        Some(m) if m.is_dir() => dir_size(&e.path()),
                        Some(m) => m.len(),
                        None => 0,
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// The search part: a full rebuild of the index from the database (timed),
/// its size, then member and agent searches and assistant suggestions.
async fn search_bench(
    cfg: &Config,
    app: &relais_app::App,
    member: &relais_domain::accounts::Actor,
    agent: &relais_domain::accounts::Actor,
    samples: usize,
) -> anyhow::Result<()> {
    let dir = cfg.data_dir.join("index");
    let ix = relais_search::SearchIndex::open(&dir)?;
    let mut app = app.clone();
    app.search = Some(relais_app::search::SearchHandle(std::sync::Arc::new(ix)));
    let started = Instant::now();
    let n = relais_app::search::rebuild(&app, &|_| {})
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Index : {n} documents reconstruits en {:.0} s ; {:.0} Mo sur disque",
        started.elapsed().as_secs_f64(),
        dir_size(&dir) as f64 / 1e6
    );
    const QUERIES: &[&str] = &[
        "preliquidation rejetee",
        "mandat rejete comptable",
        "DSN bloquee",
        "inscription administrative bloquee",
        "export document unique vide",
        "erreur 500 synchronisation",
        "bon de commande edition",
        "remontee SISE erreur",
        "cloture immobilisations ecart",
        "convention de stage",
    ];
    const QUESTIONS: &[&str] = &[
        "Bonjour, la preliquidation de paie de ce mois est rejetee avec une erreur sur les contractuels, que faire ?",
        "Notre DSN mensuelle est refusee au depot par net-entreprises, bloc manquant",
        "Le mandat de paie est rejete par l'agent comptable avec une erreur FI402",
        "L'inscription administrative d'un etudiant reste bloquee a la validation",
        "L'export du document unique EvRP sort vide depuis la mise a jour",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    println!("{:<22} {:>10} {:>10}", "recherche", "médiane ms", "p99 ms");
    for op in ["member_search", "agent_search", "assistant_suggestion"] {
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let started = Instant::now();
            match op {
                "member_search" | "agent_search" => {
                    let q = relais_search::SearchQuery {
                        text: QUERIES[rng.gen_range(0..QUERIES.len())].into(),
                        limit: 20,
                        facets: op == "agent_search",
                        ..Default::default()
                    };
                    let who = if op == "member_search" { member } else { agent };
                    relais_app::search::search(&app, who, &q)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                _ => {
                    relais_app::assistant::suggest(
                        &app,
                        member,
                        None,
                        QUESTIONS[rng.gen_range(0..QUESTIONS.len())],
                        5,
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let t = Timings(times);
        println!("{op:<22} {:>10.2} {:>10.2}", t.pct(0.5), t.pct(0.99));
    }
    Ok(())
}

fn median_p99(v: &mut [f64]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99), v[v.len() - 1])
}

/// The index under a burst (`--index-burst N`): N tickets filed through the
/// use case by 8 writers while this node's index loop follows the change
/// log, with 5 000 notification mails waiting (no SMTP relay); then a
/// second node's index catching up on the same N changes from scratch of
/// the log (its sustained rate), and the time to pick the next job of
/// another queue behind the mail backlog.
async fn index_burst(cfg: &Config, n: usize) -> anyhow::Result<()> {
    use relais_domain::accounts::Role;
    let mut app = super::open(cfg).await?;
    let tmp = tempfile::tempdir()?;
    let open_ix = |dir: &std::path::Path| -> anyhow::Result<relais_app::search::SearchHandle> {
        Ok(relais_app::search::SearchHandle(std::sync::Arc::new(
            relais_search::SearchIndex::open(dir)?,
        )))
    };
    app.search = Some(open_ix(&tmp.path().join("a"))?);
    relais_app::support::ensure_defaults(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let tag = &Id::new().to_string()[24..];
    let product = relais_testkit::builders::product(&app.db, &format!("b{tag}"), "Banc").await;
    let inst = relais_testkit::builders::institution(&app.db, &format!("Banc {tag}"), tag).await;
    relais_testkit::builders::deploy(&app.db, inst, product).await;
    let (_, member) = relais_testkit::builders::user(
        &app.db,
        &format!("banc-{tag}@relais.test"),
        Role::Member,
        Some(inst),
    )
    .await;
    // 5 000 mails waiting for a relay.
    {
        let now = app.now_ts();
        let mut tx = app.db.begin().await?;
        for _ in 0..5000 {
            relais_app::jobs::enqueue(
                &mut tx,
                &relais_app::jobs::MailJob::TicketStatus {
                    ticket_id: Id::new(),
                },
                &now,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        tx.commit().await?;
    }
    // This node's index: current before the burst.
    relais_app::search::catch_up(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ix = app.search.clone().expect("index").0;
    let base = ix.len() as usize;
    let follower = tokio::spawn(
        relais_app::search::IndexSync::new().run(app.clone(), std::time::Duration::from_millis(20)),
    );
    // A watcher notes when the index holds k more documents.
    let started = Instant::now();
    let watch = {
        let ix = ix.clone();
        tokio::spawn(async move {
            let mut reached = vec![0f64; n];
            let mut k = 0;
            while k < n {
                let len = (ix.len() as usize).saturating_sub(base).min(n);
                let t = started.elapsed().as_secs_f64();
                while k < len {
                    reached[k] = t;
                    k += 1;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            reached
        })
    };
    let filed = std::sync::Arc::new(std::sync::Mutex::new(Vec::with_capacity(n)));
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut writers = Vec::new();
    for _ in 0..8 {
        let (app, member, filed, next) = (app.clone(), member.clone(), filed.clone(), next.clone());
        writers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= n {
                    return Ok::<(), anyhow::Error>(());
                }
                let input = relais_domain::support::TicketInput {
                    product_id: product.to_string(),
                    category: "anomalie".into(),
                    severity: "mineur".into(),
                    subject: format!("Rafale {i} balisette"),
                    body: "Écart de rapprochement bancaire sur le relevé du jour.".into(),
                    ..Default::default()
                };
                relais_app::support::create_ticket(&app, &member, None, input, "api")
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                if let Ok(mut f) = filed.lock() {
                    f.push(started.elapsed().as_secs_f64());
                }
            }
        }));
    }
    for w in writers {
        w.await??;
    }
    let filing_s = started.elapsed().as_secs_f64();
    let reached = watch.await?;
    let searchable_s = started.elapsed().as_secs_f64();
    follower.abort();
    let mut filed = filed.lock().map(|f| f.clone()).unwrap_or_default();
    filed.sort_by(|a, b| a.total_cmp(b));
    let mut lag: Vec<f64> = filed
        .iter()
        .zip(&reached)
        .map(|(f, r)| ((r - f) * 1000.0).max(0.0))
        .collect();
    let (med, p99, max) = median_p99(&mut lag);
    let hits = relais_app::search::search(
        &app,
        &member,
        &relais_search::SearchQuery {
            text: "balisette".into(),
            limit: 1,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .total;
    println!(
        "Rafale de {n} tickets ({} écrivains, 5 000 courriels en attente) :",
        8
    );
    println!(
        "  dépôt : {filing_s:.1} s ({:.0} tickets/s)",
        n as f64 / filing_s
    );
    println!("  tous cherchables après {searchable_s:.1} s ; trouvés par la recherche : {hits}");
    println!("  dépôt → cherchable : médiane {med:.0} ms, p99 {p99:.0} ms, max {max:.0} ms");
    // A second node catching up on the whole burst (its sustained rate).
    let mut b = app.clone();
    b.search = Some(open_ix(&tmp.path().join("b"))?);
    let mut sync = relais_app::search::IndexSync::new();
    // Start it at the position node A had before the burst.
    let before = {
        let mut c = app.db.read().await?;
        relais_store::search_log::max_seq(&mut c).await? - n as i64
    };
    {
        let bix = b.search.clone().expect("index").0;
        let pos = relais_app::search::Position {
            seq: before.max(0),
            node: Id::new().to_string(),
            rebuilt: before.max(0),
        };
        bix.commit_with(&serde_json::to_string(&pos)?)?;
    }
    let t = Instant::now();
    let step = sync
        .catch_up(&b)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "  rattrapage d'un second nœud : {} documents en {secs:.2} s = {:.0} documents/s (lots de {}, un commit par lot)",
        step.documents,
        step.documents as f64 / secs,
        relais_app::search::BATCH
    );
    // Picking the next job of another queue behind the mail backlog.
    let mut picks = Vec::new();
    for _ in 0..50 {
        let now = app.now_ts();
        let mut tx = app.db.begin().await?;
        let t = Instant::now();
        let _ = relais_store::jobs::claim_in(
            &mut tx,
            relais_app::jobs::STEERING,
            &now,
            &now,
            &[relais_app::jobs::RefreshIndicators::KIND.to_string()],
            &[],
        )
        .await?;
        picks.push(t.elapsed().as_secs_f64() * 1000.0);
        tx.rollback().await?;
    }
    let (pm, pp, _) = median_p99(&mut picks);
    let pending = {
        let mut c = app.db.read().await?;
        relais_store::jobs::backlog(&mut c, &app.now_ts())
            .await?
            .iter()
            .filter(|r| r.queue == relais_app::jobs::MAIL)
            .map(|r| r.pending)
            .sum::<i64>()
    };
    println!(
        "  prise de la tâche suivante (file steering) derrière {pending} courriels en attente : médiane {pm:.2} ms, p99 {pp:.2} ms"
    );
    Ok(())
}
