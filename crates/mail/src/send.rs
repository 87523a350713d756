//! Sending notifications through SMTP, marked so that they are never taken
//! for a person's mail: not by auto-responders (RFC 3834), and not by our own
//! inbound path when a copy comes back.

use std::time::Duration;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::MailError;

/// One notification to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Recipient addresses, bare or `"Name <addr>"`.
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    /// When present, the mail is multipart/alternative with `text`.
    pub html: Option<String>,
    /// Usually the ticket's signed reply address.
    pub reply_to: Option<String>,
    /// Bare id (see [`make_message_id`]); brackets are added on the wire.
    pub message_id: String,
    /// Bare id.
    pub in_reply_to: Option<String>,
    /// Bare ids, oldest first.
    pub references: Vec<String>,
}

/// How to reach the SMTP server.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// With `true`, port 465 speaks TLS from the start (SMTPS) and any other
    /// port must offer STARTTLS; with `false` the exchange is in clear (for a
    /// relay on the same machine or network, and the tests).
    pub tls: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `"Relais <support@relais.test>"`: the From header and envelope sender.
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .finish()
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): responders must not answer.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// `X-Relais-Notification: 1`: how [`crate::parse`] knows its own mail.
#[derive(Clone)]
struct RelaisNotification;

impl Header for RelaisNotification {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Relais-Notification")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(RelaisNotification)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "1".into())
    }
}

/// `X-Auto-Response-Suppress: All`: Exchange and Outlook honour this one
/// rather than Auto-Submitted, and then send no out-of-office reply.
#[derive(Clone)]
struct AutoResponseSuppress;

impl Header for AutoResponseSuppress {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoResponseSuppress)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".into())
    }
}

/// Builds the message as it goes on the wire (also what [`send`] sends).
pub(crate) fn build(cfg: &SmtpConfig, msg: &Outgoing) -> Result<Message, MailError> {
    let from = mailbox(&cfg.from, "from")?;
    if msg.to.is_empty() {
        return Err(MailError::InvalidAddress("no recipient".into()));
    }
    let mut builder = Message::builder()
        .from(from)
        .subject(one_line(&msg.subject))
        .message_id(Some(bracketed(&msg.message_id)))
        .header(AutoSubmitted)
        .header(RelaisNotification)
        .header(AutoResponseSuppress);
    for to in &msg.to {
        builder = builder.to(mailbox(to, "to")?);
    }
    if let Some(reply_to) = &msg.reply_to {
        builder = builder.reply_to(mailbox(reply_to, "reply-to")?);
    }
    if let Some(id) = &msg.in_reply_to {
        builder = builder.in_reply_to(bracketed(id));
    }
    if !msg.references.is_empty() {
        let refs: Vec<String> = msg.references.iter().map(|r| bracketed(r)).collect();
        builder = builder.references(refs.join(" "));
    }
    let built = match &msg.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            msg.text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(msg.text.clone())),
    };
    built.map_err(|e| MailError::InvalidAddress(e.to_string()))
}

/// Sends one notification. It carries `Auto-Submitted: auto-generated`,
/// `X-Auto-Response-Suppress: All` and `X-Relais-Notification: 1`.
///
/// [`MailError::InvalidAddress`] means the message can never be sent as is;
/// [`MailError::Smtp`] covers the exchange (connection, TLS, refusal).
pub async fn send(cfg: &SmtpConfig, msg: &Outgoing) -> Result<(), MailError> {
    send_signed(cfg, msg, None).await
}

/// [`send`], with a `DKIM-Signature` on top when `dkim` is given.
pub async fn send_signed(
    cfg: &SmtpConfig,
    msg: &Outgoing,
    dkim: Option<&crate::DkimSigning>,
) -> Result<(), MailError> {
    let message = build(cfg, msg)?;
    let envelope = message.envelope().clone();
    let bytes = match dkim {
        Some(signer) => signer.sign(&message.formatted())?,
        None => message.formatted(),
    };
    let mut transport = if cfg.tls {
        if cfg.port == 465 {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host)
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
        }
        .map_err(|e| MailError::Smtp(e.to_string()))?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host)
    }
    .port(cfg.port)
    .timeout(Some(Duration::from_secs(30)));
    if let Some(user) = &cfg.username {
        transport = transport.credentials(Credentials::new(
            user.clone(),
            cfg.password.clone().unwrap_or_default(),
        ));
    }
    let transport = transport.build();
    match transport.send_raw(&envelope, &bytes).await {
        Ok(_) => {
            tracing::debug!(host = %cfg.host, port = cfg.port, recipients = msg.to.len(), "notification sent");
            Ok(())
        }
        Err(e) => {
            tracing::warn!(host = %cfg.host, port = cfg.port, permanent = e.is_permanent(), error = %e, "SMTP send failed");
            Err(MailError::Smtp(e.to_string()))
        }
    }
}

/// A new bare message id, `relais.<time>.<random>@domain`.
pub fn make_message_id(domain: &str) -> String {
    let domain: String = domain
        .trim()
        .trim_start_matches('@')
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    let domain = if domain.is_empty() {
        "localhost".to_string()
    } else {
        domain.to_ascii_lowercase()
    };
    let millis = chrono::Utc::now().timestamp_millis().max(0) as u64;
    format!(
        "relais.{}.{:016x}@{domain}",
        base36(millis),
        rand::random::<u64>()
    )
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

fn mailbox(s: &str, what: &str) -> Result<Mailbox, MailError> {
    s.trim()
        .parse::<Mailbox>()
        .map_err(|e| MailError::InvalidAddress(format!("{what} {s:?}: {e}")))
}

fn bracketed(id: &str) -> String {
    let bare = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let bare: String = bare
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    format!("<{bare}>")
}

/// A header value on one line: no line break can smuggle another header in.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 25,
            tls: false,
            username: Some("u".into()),
            password: Some("hunter2".into()),
            from: "Relais <support@relais.test>".into(),
        }
    }

    fn outgoing() -> Outgoing {
        Outgoing {
            to: vec!["Jeanne Dupont <jeanne@univ.test>".into()],
            subject: "Réponse\r\nBcc: evil@x.test".into(),
            text: "Bonjour".into(),
            html: None,
            reply_to: None,
            message_id: "relais.1.2@relais.test".into(),
            in_reply_to: Some("<a@b>".into()),
            references: vec!["x@y".into(), "<a@b>".into()],
        }
    }

    #[test]
    fn message_ids_are_bare_and_unique() {
        let a = make_message_id("relais.test");
        let b = make_message_id("relais.test");
        assert_ne!(a, b);
        assert!(
            a.starts_with("relais.") && a.ends_with("@relais.test"),
            "{a}"
        );
        assert!(!a.contains('<'));
        assert!(make_message_id("").ends_with("@localhost"));
    }

    #[test]
    fn built_message_headers() {
        let raw = String::from_utf8(build(&cfg(), &outgoing()).expect("built").formatted())
            .expect("ascii");
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(raw.contains("X-Relais-Notification: 1\r\n"));
        assert!(raw.contains("Message-ID: <relais.1.2@relais.test>\r\n"));
        assert!(raw.contains("In-Reply-To: <a@b>\r\n"));
        assert!(raw.contains("References: <x@y> <a@b>\r\n"));
        // The line break in the subject did not become a header.
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
    }

    #[test]
    fn invalid_addresses() {
        let mut m = outgoing();
        m.to = vec!["pas une adresse".into()];
        assert!(matches!(
            build(&cfg(), &m),
            Err(MailError::InvalidAddress(_))
        ));
        m.to.clear();
        assert!(matches!(
            build(&cfg(), &m),
            Err(MailError::InvalidAddress(_))
        ));
    }

    #[test]
    fn password_not_in_debug() {
        assert!(!format!("{:?}", cfg()).contains("hunter2"));
    }
}
