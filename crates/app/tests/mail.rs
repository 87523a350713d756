//! Mail in and out of the support desk, on both engines: new tickets and
//! replies by mail, forged references, quarantine and replay, automatic
//! mail ignored, and notifications sent through a real SMTP server
//! (aiosmtpd on loopback).

use relais_app::mail_io::{self, IngestOutcome, MailSettings};
use relais_app::support as uc;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::smtp::SmtpSink as Sink;
use relais_testkit::{builders, db_test};
use std::sync::Arc;

/// What the test server received, read the way this test needs it.
trait Received {
    fn received(&self) -> Vec<String>;
}

impl Received for Sink {
    fn received(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| std::fs::read_to_string(p).expect("eml"))
            .collect()
    }
}

fn settings(port: u16) -> MailSettings {
    MailSettings {
        smtp: relais_mail::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: false,
            username: None,
            password: None,
            from: "Relais <support@relais.test>".into(),
        },
        reply: relais_mail::ReplyAddress::new(
            b"test secret of the reply addresses",
            "support@relais.test",
        ),
        base_url: "http://127.0.0.1:8080".into(),
        auth: relais_app::mail_gate::MailAuth {
            trusted_authserv_id: Some("mx.relais.test".into()),
            ..Default::default()
        },
    }
}

struct World {
    app: App,
    product: Id,
    a: Actor,
    agent: Actor,
    inst_a: Id,
}

async fn world(db: &Db) -> World {
    let app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    uc::ensure_defaults(&app).await.expect("defaults");
    let product = builders::product(db, "sifac", "Sifac").await;
    let geslab = builders::product(db, "geslab", "Geslab").await;
    let inst_a = builders::institution(db, "Université A", "UA").await;
    let inst_b = builders::institution(db, "Université B", "UB").await;
    let mut tx = db.begin().await.expect("tx");
    for (i, p) in [(inst_a, product), (inst_a, geslab), (inst_b, product)] {
        relais_store::crm::insert_deployment(
            &mut tx,
            Id::new(),
            &relais_store::crm::DeploymentValues {
                institution_id: i,
                product_id: p,
                status: "production".into(),
                wave: None,
                hosting: "sur_site".into(),
                version: None,
                starts_on: None,
                ends_on: None,
                notes: None,
            },
            "2020-01-01T00:00:00.000Z",
        )
        .await
        .expect("deployment");
    }
    let team = Id::new();
    relais_store::support::insert_team(
        &mut tx,
        team,
        "fin",
        "Finances",
        None,
        Some("finances@amue.test"),
        "2021-01-01T00:00:00.000Z",
    )
    .await
    .expect("team");
    relais_store::support::set_product_team(&mut tx, product, team)
        .await
        .expect("route");
    tx.commit().await.expect("commit");
    let (_, a) = builders::user(db, "anne@ua.fr", Role::Member, Some(inst_a)).await;
    builders::user(db, "bruno@ub.fr", Role::Member, Some(inst_b)).await;
    let (_, agent) = builders::user(db, "agent@amue.test", Role::Support, None).await;
    World {
        app,
        product,
        a,
        agent,
        inst_a,
    }
}

/// A message as our MTA hands it over: its verdict on top
/// (`Authentication-Results` from the trusted `mx.relais.test`) says the
/// sender's domain signed it.
fn mail(from: &str, to: &str, subject: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "Authentication-Results: mx.relais.test; dkim=pass header.d={}\r\nFrom: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@ua.fr>\r\nDate: Mon, 1 Mar 2021 10:00:00 +0100\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        relais_mail::domain_of(from),
        Id::new()
    )
    .into_bytes()
}

async fn messages(app: &App, actor: &Actor, ticket: Id) -> Vec<String> {
    uc::ticket_view(app, actor, ticket)
        .await
        .expect("view")
        .messages
        .into_iter()
        .map(|m| m.body)
        .collect()
}

db_test!(
    async fn mail_opens_tickets_and_threads_replies_but_never_crosses_institutions(db: Db) {
        let w = world(&db).await;
        let s = settings(2525);
        // A new request naming the product opens a ticket for the sender's institution.
        let first = mail(
            "Anne <anne@ua.fr>",
            "support@relais.test",
            "Erreur FI-402 dans Sifac",
            "",
            "Le mandat de paie est rejeté.\r\n\r\nAnne",
        );
        let IngestOutcome::NewTicket(t) =
            mail_io::ingest(&w.app, &s, &first).await.expect("ingest")
        else {
            panic!("expected a ticket")
        };
        let ticket = uc::get_ticket(&w.app, &w.a, t).await.expect("ticket");
        assert_eq!(
            (ticket.channel.as_str(), ticket.product_id.clone()),
            ("mail", w.product.to_string())
        );
        assert_eq!(ticket.institution_id, w.inst_a.to_string());
        // A reply quoting the first message's id lands in the thread; the quote is trimmed.
        let first_id = String::from_utf8_lossy(&first)
            .lines()
            .find(|l| l.starts_with("Message-ID:"))
            .expect("id")
            .trim_start_matches("Message-ID: ")
            .to_string();
        let reply = mail("anne@ua.fr", "support@relais.test", "Re: Erreur FI-402 dans Sifac", &format!("In-Reply-To: {first_id}\r\n"), "Voici le journal.\r\n\r\nLe 1 mars 2021 à 10:00, Anne a écrit :\r\n> Le mandat de paie est rejeté.");
        assert!(
            matches!(mail_io::ingest(&w.app, &s, &reply).await.expect("ingest"), IngestOutcome::Reply { ticket: x, .. } if x == t)
        );
        // A reply to the signed address works too.
        let signed = s.reply.for_ticket(&ticket.reference);
        let reply2 = mail(
            "anne@ua.fr",
            &signed,
            "Re: votre ticket",
            "",
            "Merci, c'est résolu de notre côté.",
        );
        assert!(matches!(
            mail_io::ingest(&w.app, &s, &reply2).await.expect("ingest"),
            IngestOutcome::Reply { .. }
        ));
        let msgs = messages(&w.app, &w.a, t).await;
        assert_eq!(msgs.len(), 3);
        assert!(msgs[1].contains("Voici le journal") && !msgs[1].contains("a écrit"));
        // Another institution quoting the reference (subject, or even the signed address) never appends.
        for (to, subject) in [
            (
                "support@relais.test",
                format!("Re: [Relais {}] question", ticket.reference),
            ),
            (signed.as_str(), "Re: votre ticket".to_string()),
        ] {
            let forged = mail("bruno@ub.fr", to, &subject, "", "Je m'invite dans ce fil.");
            let out = mail_io::ingest(&w.app, &s, &forged).await.expect("ingest");
            assert!(
                matches!(&out, IngestOutcome::Quarantined { reason, .. } if reason.contains("autre établissement")),
                "{out:?}"
            );
        }
        assert_eq!(
            messages(&w.app, &w.agent, t).await.len(),
            3,
            "nothing appended"
        );
        // Automatic mail is ignored, not turned into tickets.
        let auto = mail(
            "anne@ua.fr",
            "support@relais.test",
            "Réponse automatique : absente",
            "Auto-Submitted: auto-replied\r\n",
            "Je suis absente.",
        );
        assert!(matches!(
            mail_io::ingest(&w.app, &s, &auto).await.expect("ingest"),
            IngestOutcome::Ignored(_)
        ));
        let (_, n) = uc::list_tickets(
            &w.app,
            &w.agent,
            &relais_store::support::TicketFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("list");
        assert_eq!(n, 1);
    }
);

db_test!(
    async fn unknown_senders_and_garbage_wait_in_quarantine_for_replay(db: Db) {
        let w = world(&db).await;
        let s = settings(2525);
        let unknown = mail(
            "carla@ua.fr",
            "support@relais.test",
            "Problème Sifac",
            "",
            "Bonjour, Sifac plante.",
        );
        let IngestOutcome::Quarantined { id, reason } =
            mail_io::ingest(&w.app, &s, &unknown).await.expect("ingest")
        else {
            panic!("quarantine")
        };
        assert_eq!(reason, "expéditeur inconnu");
        let garbage = b"\x00\x01\x02 not a mail at all".to_vec();
        assert!(matches!(
            mail_io::ingest(&w.app, &s, &garbage).await.expect("ingest"),
            IngestOutcome::Quarantined { .. }
        ));
        // No product named and two products at the institution: kept too.
        let vague = mail(
            "anne@ua.fr",
            "support@relais.test",
            "Une question",
            "",
            "Bonjour, j'ai une question.",
        );
        assert!(
            matches!(mail_io::ingest(&w.app, &s, &vague).await.expect("ingest"), IngestOutcome::Quarantined { reason, .. } if reason == "produit non identifié")
        );
        let list = mail_io::list_quarantine(&w.app, &w.agent)
            .await
            .expect("list");
        assert_eq!(list.len(), 3);
        assert!(
            mail_io::list_quarantine(&w.app, &w.a).await.is_err(),
            "agents only"
        );
        // Replay after the agent created the sender's account.
        builders::user(&db, "carla@ua.fr", Role::Member, Some(w.inst_a)).await;
        assert!(
            mail_io::replay(&w.app, &s, &w.a, id).await.is_err(),
            "members cannot replay"
        );
        let out = mail_io::replay(&w.app, &s, &w.agent, id)
            .await
            .expect("replay");
        assert!(matches!(out, IngestOutcome::NewTicket(_)), "{out:?}");
        let list = mail_io::list_quarantine(&w.app, &w.agent)
            .await
            .expect("list");
        assert_eq!(list.len(), 3, "replay keeps one entry per message");
        assert_eq!(list.iter().filter(|q| q.status == "rejoue").count(), 1);
        assert!(
            mail_io::replay(&w.app, &s, &w.agent, id).await.is_err(),
            "a handled entry is not replayed twice"
        );
    }
);

db_test!(
    async fn notifications_go_out_through_smtp_without_internal_notes(db: Db) {
        let w = world(&db).await;
        let sink = Sink::start();
        let s = settings(sink.port);
        let t = uc::create_ticket(
            &w.app,
            &w.a,
            None,
            relais_domain::support::TicketInput {
                product_id: w.product.to_string(),
                category: "anomalie".into(),
                severity: "majeur".into(),
                subject: "Rejet du mandat".into(),
                body: "Le mandat est rejeté.".into(),
                ..Default::default()
            },
            "web",
        )
        .await
        .expect("ticket");
        uc::reply(
            &w.app,
            &w.agent,
            t,
            "Note interne : secret de l'éditeur.",
            true,
            "web",
            None,
        )
        .await
        .expect("note");
        uc::reply(
            &w.app,
            &w.agent,
            t,
            "Merci de purger le cache puis de relancer.",
            false,
            "web",
            None,
        )
        .await
        .expect("reply");
        // Run the outbox like the server's job runner does.
        let mut runner = relais_app::jobs::runner(&w.app);
        relais_app::jobs::handle_mail(&mut runner, &w.app, &s);
        assert_eq!(runner.tick().await.expect("tick"), 2);
        let got = sink.received();
        assert_eq!(
            got.len(),
            2,
            "the team's new-ticket mail and the requester's reply mail"
        );
        let parsed_all: Vec<_> = got
            .iter()
            .map(|m| relais_mail::parse(m.as_bytes(), "other@x.test").expect("parse"))
            .collect();
        let to_team = parsed_all
            .iter()
            .find(|m| m.to.contains(&"finances@amue.test".to_string()))
            .expect("team mail");
        assert!(to_team.subject.contains("Nouveau ticket"));
        let (i, to_member_parsed) = parsed_all
            .iter()
            .enumerate()
            .find(|(_, m)| m.to.contains(&"anne@ua.fr".to_string()))
            .expect("member mail");
        assert!(
            to_member_parsed.text.contains("purger le cache"),
            "{}",
            to_member_parsed.text
        );
        assert!(
            parsed_all.iter().all(|m| !m.text.contains("secret de l")),
            "internal notes never leave by mail"
        );
        let to_member = &got[i];
        // The member's reply to that mail comes back into the thread.
        let parsed =
            relais_mail::parse(to_member.as_bytes(), "support@relais.test").expect("parse");
        assert_eq!(
            parsed.auto,
            Some(relais_mail::AutoKind::OwnNotification),
            "our own mail looping back is ignored"
        );
        let reply_to = to_member
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("reply-to:"))
            .expect("reply-to")
            .split_once(':')
            .expect(":")
            .1
            .trim()
            .trim_matches(|c| c == '<' || c == '>')
            .to_string();
        let answer = mail(
            "anne@ua.fr",
            &reply_to,
            "Re: votre ticket",
            "",
            "C'est réglé, merci.",
        );
        assert!(
            matches!(mail_io::ingest(&w.app, &s, &answer).await.expect("ingest"), IngestOutcome::Reply { ticket, .. } if ticket == t)
        );
    }
);
