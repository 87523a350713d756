//! A real SMTP exchange: `send()` talks to an aiosmtpd server process on
//! loopback (tests/smtp_sink.py), and what that server received is checked
//! byte for byte and parsed back with `parse()`.
//!
//! The server needs Python's aiosmtpd (`python3 -m pip install aiosmtpd`);
//! without it these tests fail, saying so. `RELAIS_TEST_PYTHON` names another
//! interpreter than `python3`.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use relais_mail::{
    make_message_id, parse, send, AutoKind, MailError, Outgoing, ReplyAddress, SmtpConfig,
};

const FROM: &str = "Relais <support@relais.test>";

/// The SMTP server process, stopped (by its own pid) and its folder removed
/// when dropped.
struct Sink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Sink {
    fn start() -> Sink {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("relais-smtp-sink-{}-{}", std::process::id(), port));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("sink folder");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let python = std::env::var("RELAIS_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(&script)
            .arg(port.to_string())
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python} for the SMTP test server: {e}"));

        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let ready = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        if ready.trim() != "READY" {
            let _ = child.kill();
            let _ = child.wait();
            let mut err = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = stderr.read_to_string(&mut err);
            }
            panic!(
                "the SMTP test server (aiosmtpd) did not start.\n\
                 It needs Python's aiosmtpd: `python3 -m pip install aiosmtpd` \
                 (scripts/test.sh installs it).\n{python} said: {err}"
            );
        }
        Sink { child, port, dir }
    }

    fn config(&self) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: false,
            username: None,
            password: None,
            from: FROM.into(),
        }
    }

    /// The n-th message received (from 1): its raw bytes and its envelope.
    fn received(&self, n: usize) -> (Vec<u8>, Envelope) {
        let eml = self.dir.join(format!("{n:03}.eml"));
        let json = self.dir.join(format!("{n:03}.json"));
        let raw = std::fs::read(&eml).unwrap_or_else(|e| panic!("{}: {e}", eml.display()));
        let meta = std::fs::read_to_string(&json).expect("envelope");
        (raw, Envelope::from_json(&meta))
    }

    fn count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .expect("sink folder")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))
            })
            .count()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("address").port()
}

#[derive(Debug)]
struct Envelope {
    mail_from: String,
    rcpt_tos: Vec<String>,
}

impl Envelope {
    /// The sink writes `{"mail_from": "...", "rcpt_tos": ["..."], "helo": "..."}`
    /// with addresses that need no JSON escapes.
    fn from_json(s: &str) -> Envelope {
        let field = |name: &str| -> &str {
            let start = s
                .find(&format!("\"{name}\": "))
                .unwrap_or_else(|| panic!("{name} in {s}"))
                + name.len()
                + 4;
            &s[start..]
        };
        let mail_from = field("mail_from")
            .trim_start_matches('"')
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string();
        let list = field("rcpt_tos");
        let list = &list[1..list.find(']').expect("list end")];
        let rcpt_tos = list
            .split(',')
            .map(|x| x.trim().trim_matches('"').to_string())
            .filter(|x| !x.is_empty())
            .collect();
        Envelope {
            mail_from,
            rcpt_tos,
        }
    }
}

/// Header fields of a raw message, unfolded: (name, value) in order.
fn header_fields(raw: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8(raw.to_vec()).expect("headers on the wire are ASCII");
    let head = text
        .split("\r\n\r\n")
        .next()
        .expect("a header block ending in an empty line");
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            let last = fields.last_mut().expect("continuation after a field");
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.to_string(), value.trim().to_string()));
        } else {
            panic!("not a header line: {line:?}");
        }
    }
    fields
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn notifications_go_through_a_real_smtp_server() {
    let sink = Sink::start();
    let cfg = sink.config();
    let reply = ReplyAddress::new(b"secret-smtp-test", FROM);

    let first = Outgoing {
        to: vec!["Paul Girard <paul.girard@univ-exemple.test>".into()],
        subject: "[Relais R2021-000123] Réponse à votre demande « Export des maquettes »".into(),
        text: "Bonjour,\n\nUne réponse a été ajoutée à votre demande : vérifiez l'export.\n\nL'équipe support Relais\n".into(),
        html: Some(
            "<p>Bonjour,</p><p>Une réponse a été ajoutée à votre demande&nbsp;: <b>vérifiez l'export</b>.</p>"
                .into(),
        ),
        reply_to: Some(reply.for_ticket("R2021-000123")),
        message_id: make_message_id("relais.test"),
        in_reply_to: Some("5d2e8f1a@univ-exemple.test".into()),
        references: vec![
            "relais.root.1@relais.test".into(),
            "5d2e8f1a@univ-exemple.test".into(),
        ],
    };
    let second = Outgoing {
        to: vec![
            "equipe-finances@relais.test".into(),
            "Chef d'équipe <chef@relais.test>".into(),
        ],
        subject: "Nouvelle demande R2021-000124".into(),
        text: "Une nouvelle demande a été ouverte par l'Université Exemple.".into(),
        html: None,
        reply_to: None,
        message_id: make_message_id("relais.test"),
        in_reply_to: None,
        references: Vec::new(),
    };
    send(&cfg, &first).await.expect("first message sent");
    send(&cfg, &second).await.expect("second message sent");
    assert_eq!(sink.count(), 2);

    // First message: envelope, headers on the wire, and parsed back.
    let (raw, envelope) = sink.received(1);
    assert_eq!(envelope.mail_from, "support@relais.test");
    assert_eq!(envelope.rcpt_tos, vec!["paul.girard@univ-exemple.test"]);
    let fields = header_fields(&raw);
    assert_eq!(field(&fields, "Auto-Submitted"), Some("auto-generated"));
    assert_eq!(field(&fields, "X-Relais-Notification"), Some("1"));
    assert_eq!(field(&fields, "X-Auto-Response-Suppress"), Some("All"));
    let reply_to = field(&fields, "Reply-To").expect("Reply-To");
    assert_eq!(reply_to, reply.for_ticket("R2021-000123"));
    assert_eq!(reply.verify(reply_to).as_deref(), Some("R2021-000123"));
    assert_eq!(
        field(&fields, "Message-ID"),
        Some(format!("<{}>", first.message_id).as_str())
    );
    assert_eq!(
        field(&fields, "In-Reply-To"),
        Some("<5d2e8f1a@univ-exemple.test>")
    );
    assert_eq!(
        field(&fields, "References"),
        Some("<relais.root.1@relais.test> <5d2e8f1a@univ-exemple.test>")
    );
    assert_eq!(field(&fields, "From"), Some("Relais <support@relais.test>"));
    // The accented subject travels encoded (RFC 2047), never as raw bytes.
    let subject = field(&fields, "Subject").expect("Subject");
    assert!(
        subject.is_ascii() && subject.contains("=?utf-8?"),
        "{subject}"
    );
    assert!(field(&fields, "Date").is_some());

    let parsed = parse(&raw, FROM).expect("our own message parses");
    assert_eq!(parsed.auto, Some(AutoKind::OwnNotification));
    assert_eq!(parsed.subject, first.subject);
    assert_eq!(
        parsed.message_id.as_deref(),
        Some(first.message_id.as_str())
    );
    assert_eq!(parsed.in_reply_to, vec!["5d2e8f1a@univ-exemple.test"]);
    assert_eq!(parsed.references, first.references);
    assert_eq!(parsed.from_address.as_deref(), Some("support@relais.test"));
    assert_eq!(parsed.from_name.as_deref(), Some("Relais"));
    assert_eq!(parsed.to, vec!["paul.girard@univ-exemple.test"]);
    assert_eq!(parsed.text, first.text.trim_end());
    let html = parsed.html_sanitized.as_deref().expect("html part");
    assert!(html.contains("<b>vérifiez l'export</b>"), "{html}");
    assert!(parsed.attachments.is_empty());

    // Second message: plain text, two recipients, no threading headers.
    let (raw, envelope) = sink.received(2);
    assert_eq!(envelope.mail_from, "support@relais.test");
    assert_eq!(
        envelope.rcpt_tos,
        vec!["equipe-finances@relais.test", "chef@relais.test"]
    );
    let fields = header_fields(&raw);
    assert_eq!(field(&fields, "Auto-Submitted"), Some("auto-generated"));
    assert_eq!(field(&fields, "X-Relais-Notification"), Some("1"));
    assert_eq!(field(&fields, "Reply-To"), None);
    assert_eq!(field(&fields, "In-Reply-To"), None);
    assert_eq!(
        field(&fields, "Message-ID"),
        Some(format!("<{}>", second.message_id).as_str())
    );
    let parsed = parse(&raw, FROM).expect("parses");
    assert_eq!(parsed.auto, Some(AutoKind::OwnNotification));
    assert_eq!(parsed.text, second.text);
    assert_eq!(parsed.html_sanitized, None);
    assert_eq!(
        parsed.to,
        vec!["equipe-finances@relais.test", "chef@relais.test"]
    );

    // Without the marker header, the From address alone still gives it away.
    let text = String::from_utf8(raw).expect("ascii");
    let stripped = text.replace("X-Relais-Notification: 1\r\n", "");
    assert_eq!(
        parse(stripped.as_bytes(), FROM).expect("parses").auto,
        Some(AutoKind::OwnNotification)
    );
}

#[tokio::test]
async fn a_closed_port_is_an_smtp_error() {
    let cfg = SmtpConfig {
        host: "127.0.0.1".into(),
        port: free_port(),
        tls: false,
        username: None,
        password: None,
        from: FROM.into(),
    };
    let msg = Outgoing {
        to: vec!["a@univ-exemple.test".into()],
        subject: "x".into(),
        text: "x".into(),
        html: None,
        reply_to: None,
        message_id: make_message_id("relais.test"),
        in_reply_to: None,
        references: Vec::new(),
    };
    assert!(matches!(send(&cfg, &msg).await, Err(MailError::Smtp(_))));
    let bad = Outgoing {
        to: vec!["pas-une-adresse".into()],
        ..msg
    };
    assert!(matches!(
        send(&cfg, &bad).await,
        Err(MailError::InvalidAddress(_))
    ));
}
