//! `relais serve`: bind, then serve pages and API until Ctrl-C.

use crate::config::Config;
use relais_app::App;

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
    let addr = bind.unwrap_or_else(|| cfg.bind.clone());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
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
    tokio::spawn(runner.run_forever(std::time::Duration::from_secs(1)));
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
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
