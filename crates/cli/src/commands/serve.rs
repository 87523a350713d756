//! `relais serve`: bind, then serve pages and API until SIGTERM or SIGINT;
//! then stop accepting, let the requests in flight and the running job
//! finish (within `shutdown_grace_seconds`) and exit 0.

use crate::config::Config;
use relais_app::App;
use std::future::IntoFuture;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
    #[arg(long)]
    pub bind: Option<String>,
}

pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let mut app = super::open(&cfg).await?;
    super::open_index(&cfg, &mut app)?;
    serve(cfg, app, args.bind).await
}

/// Binds first (so the printed URL is live), prints it, then serves.
pub async fn serve(cfg: Config, app: App, bind: Option<String>) -> anyhow::Result<()> {
    // The vocabulary of the field, as admins keep it, for the index.
    if let Some(ix) = &app.search {
        relais_app::vocabulary::load_into_index(&app)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if ix.0.needs_rebuild() {
            // An index of an older shape was emptied at opening: the
            // runner rebuilds it from the database while serving.
            let now = app.now_ts();
            let mut tx = app.db.begin().await?;
            relais_app::jobs::enqueue(&mut tx, &relais_app::jobs::RebuildIndex::default(), &now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            tx.commit().await?;
        }
    }
    let addr = bind.unwrap_or_else(|| cfg.bind.clone());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| super::bind_error(&addr, &e))?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}");
    let app_for_jobs = app.clone();
    let state = relais_web::AppState {
        app,
        web: relais_web::WebConfig {
            secure_cookies: cfg.secure_cookies,
        },
    };
    let router = relais_web::router(state);
    // The job runner, one task per queue: rebuild requests and index jobs
    // of older versions always; notifications when an SMTP relay is set
    // (otherwise they wait in the jobs table, nothing is lost).
    let app = app_for_jobs;
    // Jobs of a kind this version does not know fail at once with their
    // reason (shown by `relais jobs` and /admin/taches).
    let mut runner = relais_app::jobs::runner(&app);
    if app.search.is_some() {
        relais_app::jobs::handle_index(&mut runner, &app);
        relais_app::jobs::handle_rebuild(&mut runner, &app);
    }
    relais_app::jobs::handle_indicators(&mut runner, &app);
    if !cfg.smtp_host.is_empty() {
        let mail = match app.settings.mail.clone() {
            Some(m) => m,
            None => cfg.mail()?,
        };
        relais_app::jobs::handle_mail(&mut runner, &app, &mail);
    }
    // This node's index follows the search change log: it catches up from
    // the last sequence it applied (a new, lost or damaged index is rebuilt
    // first), then applies new changes in batches as they come.
    if app.search.is_some() {
        let app = app.clone();
        tokio::spawn(relais_app::search::IndexSync::new().run(
            app,
            std::time::Duration::from_millis(cfg.index_poll_ms.max(20)),
        ));
    }
    // Mailboxes polled over IMAP, beside (or instead of) the MTA pipe.
    let mailboxes = cfg.imap()?;
    if !mailboxes.is_empty() {
        relais_app::mail_poll::spawn_all(&app, &cfg.mail()?, &mailboxes);
    }
    // SIGTERM (systemd, containers) and SIGINT (Ctrl-C) both stop.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        stop_signal().await;
        tracing::info!("stop requested: finishing the requests and the job in flight");
        let _ = stop_tx.send(true);
    });
    // The job runner, one task per queue, stops between two jobs: a
    // running job finishes, no new one is claimed.
    let jobs = tokio::spawn(runner.run_until(std::time::Duration::from_secs(1), stop.clone()));
    // Files no row points at (a crash between a file and its row) and
    // idempotency keys past their day, swept at start and every hour.
    {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(10)).await;
                if let Err(e) = relais_app::durability::sweep_orphan_files(
                    &app,
                    std::time::Duration::from_secs(3600),
                )
                .await
                {
                    tracing::warn!(error = %e, "orphan file sweep failed");
                }
                if let Err(e) = relais_app::durability::purge_idempotency_keys(&app).await {
                    tracing::warn!(error = %e, "idempotency keys not purged");
                }
                tokio::time::sleep(std::time::Duration::from_secs(3590)).await;
            }
        });
    }
    // The SLA watchdog and the training reminders sweep every minute;
    // their mails are outbox jobs.
    {
        let app = app.clone();
        tokio::spawn(async move {
            // The steering indicators: yesterday and today, once a day.
            let mut refreshed_on = None;
            loop {
                let today = relais_app::steering::today(&app);
                if refreshed_on != Some(today) {
                    match relais_app::jobs::queue_indicator_refresh(&app).await {
                        Ok(()) => refreshed_on = Some(today),
                        Err(e) => tracing::error!(error = %e, "indicator refresh not queued"),
                    }
                    // The monthly steering report of the month just ended,
                    // once (the month sent is remembered in the database).
                    match relais_app::steering::queue_monthly_report(&app).await {
                        Ok(true) => tracing::info!("monthly steering report queued"),
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = %e, "monthly report not queued"),
                    }
                }
                match relais_app::watchdog::sweep(&app).await {
                    Ok(r) if r.warnings + r.breaches > 0 => {
                        tracing::info!(warnings = r.warnings, breaches = r.breaches, "SLA watchdog")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "SLA watchdog sweep failed"),
                }
                // Training reminders, three days ahead, once per registrant.
                match relais_app::training::send_reminders(&app).await {
                    Ok(n) if n > 0 => tracing::info!(reminders = n, "training reminders"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "training reminders failed"),
                }
                // The relation agent: surveys after closed tickets and
                // attended trainings, reminders, daily health, digests.
                match relais_app::relation::sweep(&app).await {
                    Ok(r) if r != relais_app::relation::SweepReport::default() => {
                        tracing::info!(?r, "relation agent")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "relation agent sweep failed"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            }
        });
    }
    println!("Relais est prêt : {url}");
    tracing::info!(%url, "serving");
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let mut server = tokio::spawn(
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(wait(stop.clone()))
        .into_future(),
    );
    tokio::select! {
        r = &mut server => {
            r??;
            return Ok(());
        }
        _ = wait(stop.clone()) => {}
    }
    let grace = std::time::Duration::from_secs(cfg.shutdown_grace_seconds);
    let deadline = tokio::time::Instant::now() + grace;
    match tokio::time::timeout_at(deadline, &mut server).await {
        Ok(r) => r??,
        Err(_) => tracing::warn!(
            ?grace,
            "requests still running at the end of the grace delay"
        ),
    }
    match tokio::time::timeout_at(deadline, jobs).await {
        Ok(_) => {}
        Err(_) => tracing::warn!(
            ?grace,
            "a job still running at the end of the grace delay: it will be retried"
        ),
    }
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM or SIGINT, whichever comes first.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
