//! Mail read as people write it, on both engines: the quoted history and
//! the sanitised HTML of a mail kept beside its text (and shown only to
//! those who may read the thread); out-of-office replies and receipts in
//! five languages and by their headers never appended; bounces recorded on
//! the ticket and the address; a reply to a closed ticket reopening it
//! within the delay, else opening a new ticket linked to it.

use relais_app::mail_io::{self, IngestOutcome, MailSettings};
use relais_app::mail_read;
use relais_app::support as uc;
use relais_app::App;
use relais_domain::accounts::{Actor, Role};
use relais_domain::Id;
use relais_store::Db;
use relais_testkit::{builders, db_test};
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
        reply: relais_mail::ReplyAddress::new(b"mail read test secret", "support@relais.test"),
        base_url: "http://127.0.0.1:8080".into(),
        auth: relais_app::mail_gate::MailAuth {
            trusted_authserv_id: Some("mx.relais.test".into()),
            ..Default::default()
        },
    }
}

struct World {
    app: App,
    a: Actor,
    b: Actor,
    agent: Actor,
}

async fn world(db: &Db) -> World {
    let mut app = App::new(db.clone(), Arc::new(relais_domain::SystemClock));
    app.settings.attachments_dir = relais_testkit::fresh_attachments_dir();
    uc::ensure_defaults(&app).await.expect("defaults");
    let product = builders::product(db, "sifac", "Sifac").await;
    let inst_a = builders::institution(db, "Université A", "UA").await;
    let inst_b = builders::institution(db, "Université B", "UB").await;
    builders::deploy(db, inst_a, product).await;
    builders::deploy(db, inst_b, product).await;
    let (_, a) = builders::user(db, "anne@ua.fr", Role::Member, Some(inst_a)).await;
    let (_, b) = builders::user(db, "bruno@ub.fr", Role::Member, Some(inst_b)).await;
    let (_, agent) = builders::user(db, "agent@amue.test", Role::Support, None).await;
    World { app, a, b, agent }
}

/// A message as our MTA hands it over: its verdict on top
/// (`Authentication-Results` from the trusted `mx.relais.test`) says the
/// sender's domain signed it, so that the gate lets it through to reading.
fn plain(from: &str, to: &str, subject: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "Authentication-Results: mx.relais.test; dkim=pass header.d={}\r\nFrom: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{}@ua.fr>\r\nDate: Mon, 1 Mar 2021 10:00:00 +0100\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        relais_mail::domain_of(from),
        Id::new()
    )
    .into_bytes()
}

async fn new_ticket(w: &World) -> (Id, String) {
    let raw = plain(
        "Anne <anne@ua.fr>",
        "support@relais.test",
        "Export Sifac en échec",
        "",
        "L'export ne part plus.",
    );
    let IngestOutcome::NewTicket(t) = mail_io::ingest(&w.app, &settings(), &raw)
        .await
        .expect("ingest")
    else {
        panic!("a ticket")
    };
    let reference = uc::get_ticket(&w.app, &w.agent, t)
        .await
        .expect("ticket")
        .reference;
    (t, reference)
}

async fn count_messages(w: &World, t: Id) -> usize {
    uc::ticket_view(&w.app, &w.agent, t)
        .await
        .expect("view")
        .messages
        .len()
}

db_test!(
    async fn quoted_history_and_html_are_kept_beside_the_text(db: Db) {
        let w = world(&db).await;
        let raw = "Authentication-Results: mx.relais.test; dkim=pass header.d=ua.fr\r\nFrom: Anne <anne@ua.fr>\r\nTo: support@relais.test\r\nSubject: TR: Erreur de mandat\r\nMessage-ID: <q1@ua.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nRe-bonjour, toujours bloquée.\r\n\r\nLe 1 mars 2021 à 10:00, Paul <paul@ua.fr> a écrit :\r\n> Le mandat 42 est rejeté par Sifac.\r\n> Paul\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Re-bonjour, <b>toujours</b> bloquée. <a href=\"https://ua.fr/doc\">doc</a><script>alert(1)</script></p><blockquote>Le mandat 42 est rejeté par Sifac.</blockquote>\r\n--b--\r\n";
        // Not a forward subject: the quoted history is set apart.
        let raw = raw.replace("TR: Erreur", "Erreur");
        let IngestOutcome::NewTicket(t) = mail_io::ingest(&w.app, &settings(), raw.as_bytes())
            .await
            .expect("ingest")
        else {
            panic!("a ticket")
        };
        let view = uc::ticket_view(&w.app, &w.a, t).await.expect("view");
        assert_eq!(view.messages[0].body, "Re-bonjour, toujours bloquée.");
        let m = mail_read::ticket_mail(&w.app, &w.a, t).await.expect("mail");
        assert_eq!(m.parts.len(), 1);
        let quoted = m.parts[0].quoted.as_deref().expect("quoted kept");
        assert!(quoted.contains("Le mandat 42 est rejeté"), "{quoted}");
        let html = m.parts[0].html.as_deref().expect("html kept");
        assert!(html.contains("<b>toujours</b>") && html.contains("https://ua.fr/doc"));
        assert!(
            !html.contains("script") && !html.contains("alert"),
            "{html}"
        );
        // The agents see it too; another institution never does.
        assert_eq!(
            mail_read::ticket_mail(&w.app, &w.agent, t)
                .await
                .expect("agent")
                .parts
                .len(),
            1
        );
        let other = mail_read::ticket_mail(&w.app, &w.b, t).await;
        assert!(other.map(|m| m.parts.is_empty()).unwrap_or(true));
    }
);

db_test!(
    async fn receipts_and_out_of_office_in_five_languages_are_never_appended(db: Db) {
        let w = world(&db).await;
        let (t, reference) = new_ticket(&w).await;
        let signed = settings().reply.for_ticket(&reference);
        let cases = [
            ("Abwesenheitsnotiz: Export Sifac", "", "auto_reply"),
            ("Accusé de réception : Export Sifac", "", "receipt"),
            ("Lu : Export Sifac", "", "receipt"),
            ("Leído: Export Sifac", "", "receipt"),
            ("Risposta automatica: Export Sifac", "", "auto_reply"),
            ("Fuera de la oficina", "", "auto_reply"),
            ("Gelesen: Export Sifac", "", "receipt"),
            (
                "Re: Export Sifac",
                "Auto-Submitted: auto-replied\r\n",
                "auto_submitted",
            ),
            ("Re: Export Sifac", "X-Autoreply: yes\r\n", "auto_reply"),
            (
                "Re: Export Sifac",
                "Precedence: auto_reply\r\n",
                "auto_reply",
            ),
        ];
        for (subject, extra, kind) in cases {
            let raw = plain("anne@ua.fr", &signed, subject, extra, "Je suis absente.");
            let out = mail_io::ingest(&w.app, &settings(), &raw)
                .await
                .expect("ingest");
            assert_eq!(out, IngestOutcome::Ignored(kind.into()), "{subject}");
        }
        // A read receipt as a disposition notification (RFC 8098).
        let mdn = format!("From: anne@ua.fr\r\nTo: {signed}\r\nSubject: Export\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nVotre message a été lu.\r\n--m\r\nContent-Type: message/disposition-notification\r\n\r\nFinal-Recipient: rfc822; anne@ua.fr\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n--m--\r\n");
        assert_eq!(
            mail_io::ingest(&w.app, &settings(), mdn.as_bytes())
                .await
                .expect("ingest"),
            IngestOutcome::Ignored("receipt".into())
        );
        assert_eq!(count_messages(&w, t).await, 1, "nothing appended");
        // A person's reply still lands.
        let real = plain(
            "anne@ua.fr",
            &signed,
            "Re: Export Sifac",
            "",
            "Voici le journal.",
        );
        assert!(matches!(
            mail_io::ingest(&w.app, &settings(), &real)
                .await
                .expect("ingest"),
            IngestOutcome::Reply { .. }
        ));
        assert_eq!(count_messages(&w, t).await, 2);
    }
);

fn dsn(original_id: Option<&str>, subject: &str) -> Vec<u8> {
    let id_line = original_id
        .map(|i| format!("Message-ID: <{i}>\r\n"))
        .unwrap_or_default();
    format!("From: MAILER-DAEMON@mx.ua.fr\r\nTo: support@relais.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.ua.fr\r\n\r\nFinal-Recipient: rfc822; anne@ua.fr\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Relais <support@relais.test>\r\nTo: anne@ua.fr\r\nSubject: {subject}\r\n{id_line}\r\n--b--\r\n").into_bytes()
}

db_test!(
    async fn bounces_are_recorded_on_the_ticket_and_the_address(db: Db) {
        let w = world(&db).await;
        let (t, reference) = new_ticket(&w).await;
        // The notification as the mail.notify job records it once sent.
        let mut tx = db.begin().await.expect("tx");
        relais_store::mail_read::insert_sent(
            &mut tx,
            "n1.abc@relais.test",
            Some(t),
            "ticket_reply",
            "anne@ua.fr",
            "2021-03-01T09:00:00.000Z",
        )
        .await
        .expect("sent");
        tx.commit().await.expect("commit");
        let out = mail_io::ingest(
            &w.app,
            &settings(),
            &dsn(Some("n1.abc@relais.test"), "Réponse"),
        )
        .await
        .expect("ingest");
        assert_eq!(out, IngestOutcome::Ignored("bounce".into()));
        // Without the Message-ID, the reference in the returned subject.
        let out = mail_io::ingest(
            &w.app,
            &settings(),
            &dsn(None, &format!("[Relais {reference}] Statut")),
        )
        .await
        .expect("ingest");
        assert_eq!(out, IngestOutcome::Ignored("bounce".into()));
        assert_eq!(count_messages(&w, t).await, 1, "a bounce is never appended");
        let m = mail_read::ticket_mail(&w.app, &w.agent, t)
            .await
            .expect("mail");
        assert_eq!(m.bounces.len(), 2);
        assert_eq!(m.bounces[0].address, "anne@ua.fr");
        assert_eq!(m.bounces[0].status.as_deref(), Some("5.2.2"));
        assert_eq!(m.bounces[0].template.as_deref(), Some("ticket_reply"));
        assert!(m.bounces[0]
            .diagnostic
            .as_deref()
            .is_some_and(|d| d.contains("Mailbox full")));
        // Agents only: the requester does not see the bounce lines.
        let mine = mail_read::ticket_mail(&w.app, &w.a, t).await.expect("mine");
        assert!(mine.bounces.is_empty());
        let by_address = mail_read::bounces_of_address(&w.app, &w.agent, "Anne@UA.fr")
            .await
            .expect("address");
        assert_eq!(by_address.len(), 2);
        assert!(mail_read::bounces_of_address(&w.app, &w.a, "anne@ua.fr")
            .await
            .expect("member")
            .is_empty());
    }
);

async fn close(w: &World, t: Id) {
    uc::change_status(&w.app, &w.agent, t, "resolu")
        .await
        .expect("resolved");
    uc::change_status(&w.app, &w.agent, t, "clos")
        .await
        .expect("closed");
}

db_test!(
    async fn a_reply_to_a_closed_ticket_reopens_it_or_opens_a_linked_one(db: Db) {
        let mut w = world(&db).await;
        let (t, reference) = new_ticket(&w).await;
        let signed = settings().reply.for_ticket(&reference);
        close(&w, t).await;
        // Within the delay (30 days by default): reopened, reply appended.
        let again = plain(
            "anne@ua.fr",
            &signed,
            "Re: Export Sifac",
            "",
            "Le problème revient.",
        );
        let out = mail_io::ingest(&w.app, &settings(), &again)
            .await
            .expect("ingest");
        assert!(
            matches!(out, IngestOutcome::Reply { ticket, .. } if ticket == t),
            "{out:?}"
        );
        let tk = uc::get_ticket(&w.app, &w.agent, t).await.expect("ticket");
        assert_eq!(tk.status, "en_cours");
        assert_eq!(tk.closed_at, None);
        // Past the delay (0: never reopen): a new ticket, linked both ways.
        close(&w, t).await;
        w.app.settings.mail_reopen_days = 0;
        let later = plain(
            "anne@ua.fr",
            &signed,
            "Re: Export Sifac",
            "",
            "Encore une fois.",
        );
        let IngestOutcome::NewTicket(n) = mail_io::ingest(&w.app, &settings(), &later)
            .await
            .expect("ingest")
        else {
            panic!("a new ticket")
        };
        assert_ne!(n, t);
        let old = uc::ticket_view(&w.app, &w.agent, t).await.expect("old");
        assert_eq!(old.ticket.status, "clos");
        assert_eq!(
            old.messages.len(),
            2,
            "nothing appended to the closed ticket"
        );
        let new = uc::ticket_view(&w.app, &w.agent, n).await.expect("new");
        assert_eq!(new.messages[0].body, "Encore une fois.");
        assert_eq!(new.ticket.requester_email.as_deref(), Some("anne@ua.fr"));
        assert!(
            new.events
                .iter()
                .any(|e| e.field == "suite_de"
                    && e.after_value.as_deref() == Some(reference.as_str()))
        );
        assert!(old.events.iter().any(|e| e.field == "suivi_par"
            && e.after_value.as_deref() == Some(new.ticket.reference.as_str())));
        // Another institution writing to the closed ticket is still held.
        let forged = plain("bruno@ub.fr", &signed, "Re: Export Sifac", "", "Moi aussi.");
        assert!(matches!(
            mail_io::ingest(&w.app, &settings(), &forged)
                .await
                .expect("ingest"),
            IngestOutcome::Quarantined { .. }
        ));
        let _ = &w.b;
    }
);

db_test!(
    async fn long_bodies_are_kept_whole_up_to_the_limit_and_refused_above(db: Db) {
        let mut w = world(&db).await;
        let line = "Trace de la pile Sifac, ligne répétée pour un long journal.\n";
        let long = line.repeat(2000); // about 120 000 characters
        let raw = plain(
            "anne@ua.fr",
            "support@relais.test",
            "Journal Sifac complet",
            "",
            &long,
        );
        let IngestOutcome::NewTicket(t) = mail_io::ingest(&w.app, &settings(), &raw)
            .await
            .expect("ingest")
        else {
            panic!("a ticket")
        };
        let msgs = uc::ticket_view(&w.app, &w.agent, t)
            .await
            .expect("view")
            .messages;
        assert_eq!(msgs.len(), 3, "continued over three messages");
        let joined: String = msgs
            .iter()
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(
            joined.matches("ligne répétée").count(),
            2000,
            "every line kept"
        );
        assert!(msgs.iter().all(|m| m.body.chars().count() <= 50_000));
        // Above the configured limit: held, and the sender is told why.
        w.app.settings.mail_max_body_chars = 100_000;
        let raw = plain(
            "anne@ua.fr",
            "support@relais.test",
            "Journal Sifac trop long",
            "",
            &long,
        );
        let out = mail_io::ingest(&w.app, &settings(), &raw)
            .await
            .expect("ingest");
        assert!(
            matches!(&out, IngestOutcome::Quarantined { reason, .. } if reason == "message trop long"),
            "{out:?}"
        );
        let mut c = db.read().await.expect("read");
        let payloads: Vec<(String,)> =
            sqlx::query_as("SELECT payload FROM jobs WHERE kind = 'mail.notify'")
                .fetch_all(&mut *c)
                .await
                .expect("jobs");
        let refusal = payloads
            .iter()
            .map(|(p,)| serde_json::from_str::<serde_json::Value>(p).expect("json"))
            .find(|p| p["template"] == "mail_refused")
            .expect("a refusal mail queued");
        assert_eq!(refusal["to"], "anne@ua.fr");
        assert_eq!(refusal["limit"], 100_000);
        let (subject, text) = (
            format!(
                "Message non traité : {}",
                refusal["subject"].as_str().unwrap_or("")
            ),
            refusal["chars"].to_string(),
        );
        assert_eq!(subject, "Message non traité : Journal Sifac trop long");
        assert!(text.parse::<usize>().expect("chars") > 100_000);
    }
);
