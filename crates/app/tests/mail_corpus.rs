//! The real-world corpus (`crates/mail/tests/corpus/real`, 156 messages from
//! the test suites of CPython's `email`, mail-parser and lettre; see its
//! SOURCES.md) through the real ingest, on both engines: nothing panics,
//! every message ends as a ticket or a reply carrying the sender, subject
//! and body the parser read, as automatic mail ignored, or in quarantine
//! with a reason.
//!
//! Sender authentication is not what this corpus measures: its messages
//! carry no verdict of our MTA, so `run_corpus` stamps each one with a
//! trusted `Authentication-Results` (`dkim=pass` for the sender's domain,
//! authserv-id `corpus.relais.invalid`) before the ingest. The gate itself
//! is tested in `mail_gate.rs`.

use relais_app::mail_io::MailSettings;
use relais_app::mail_read;
use relais_app::App;
use relais_store::Db;
use relais_testkit::db_test;
use std::sync::Arc;

fn settings() -> MailSettings {
    MailSettings {
        smtp: relais_mail::SmtpConfig {
            host: String::new(),
            port: 25,
            tls: false,
            username: None,
            password: None,
            from: "Relais <support@relais.test>".into(),
        },
        reply: relais_mail::ReplyAddress::new(b"corpus secret", "support@relais.test"),
        base_url: "http://127.0.0.1:8080".into(),
        auth: Default::default(),
    }
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mail/tests/corpus/real");
    mail_read::read_corpus_dir(&dir).expect("corpus folder")
}

db_test!(
    async fn the_real_world_corpus_goes_through_the_ingest(db: Db) {
        let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
        app.settings.attachments_dir = relais_testkit::fresh_attachments_dir();
        relais_app::support::ensure_defaults(&app)
            .await
            .expect("defaults");
        let world = mail_read::corpus_world(&app).await.expect("world");
        let messages = corpus();
        assert!(messages.len() >= 100, "{} messages", messages.len());
        let report = mail_read::run_corpus(&app, &settings(), world, &messages)
            .await
            .expect("no temporary failure on the corpus");
        println!("{}", report.render());
        assert_eq!(report.lines.len(), messages.len());
        assert!(
            report.problems().is_empty(),
            "outcomes that do not match their message:\n{}",
            report.render()
        );
        // Most of the corpus is mail people wrote: it must become tickets.
        assert!(report.tickets() >= 80, "{}", report.render());
    }
);
