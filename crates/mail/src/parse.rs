//! Reading one raw RFC 5322 message into what the desk needs of it.

use chrono::{DateTime, Utc};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use crate::auto::{self, AutoKind};
use crate::headers::RawHeaders;
use crate::text::{
    html_to_text, sanitize_filename, sanitize_html, split_quoted, tidy_text, unflow,
};
use crate::MailError;

/// Messages above this size are refused with [`MailError::TooLarge`] before
/// any parsing (the MTA should refuse them first; this is the last guard).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// One inbound message, reduced to what the desk uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// Bare (no angle brackets).
    pub message_id: Option<String>,
    /// Bare ids, in header order.
    pub in_reply_to: Vec<String>,
    /// Bare ids, in header order (oldest first, as mail clients write them).
    pub references: Vec<String>,
    /// Lower-case. `None` only for automatic messages (`auto` is `Some`)
    /// without a usable From, such as a bounce with `From: <>`.
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// Lower-case recipient addresses: To, then Cc, then the envelope
    /// recipients an MTA records (Delivered-To, X-Original-To, Envelope-To),
    /// without duplicates. The envelope ones matter: a signed reply address in
    /// Bcc appears nowhere else.
    pub to: Vec<String>,
    /// Decoded; empty when missing.
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    /// The best plain text: the text/plain body, else the HTML body as text;
    /// for a reply, without the quoted history (see `quoted`). A forward
    /// (subject `TR:`/`Fwd:`) keeps the forwarded message in the text: it is
    /// the substance of the request.
    pub text: String,
    /// The quoted reply history set apart from `text`, if any.
    pub quoted: Option<String>,
    /// The HTML body, sanitised (safe to show as is); `None` for plain text
    /// mail.
    pub html_sanitized: Option<String>,
    pub attachments: Vec<MailAttachment>,
    /// Set when a machine wrote this message: it must not open or answer a
    /// ticket.
    pub auto: Option<AutoKind>,
    /// For a bounce: the recipients that failed and the message that
    /// bounced (RFC 3464), as far as the report says.
    pub bounce: Option<crate::bounce::BounceReport>,
}

/// A file attached to, or embedded in, a message.
#[derive(Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// Sanitised: no path separators, no control characters, at most 200
    /// characters; `piece-jointe-N` (N from 1) when the message gives none.
    pub filename: String,
    /// Lower-case `type/subtype`, without parameters.
    pub content_type: String,
    /// Bare (no angle brackets): what `cid:` URLs in the HTML refer to.
    pub content_id: Option<String>,
    /// Shown inside the message (an image of the HTML body) rather than
    /// offered as a download.
    pub inline: bool,
    /// Decoded content. Text parts are given in UTF-8 whatever their declared
    /// charset; a forwarded or bounced message (message/rfc822) as its raw
    /// bytes.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for MailAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailAttachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("content_id", &self.content_id)
            .field("inline", &self.inline)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .finish()
    }
}

/// Parses one raw message. `own_sender` is our notification sender (`"Relais
/// <support@relais.test>"` or the bare address), to recognise our own mail
/// looping back.
///
/// Errors: [`MailError::TooLarge`] above [`MAX_MESSAGE_BYTES`];
/// [`MailError::Unparseable`] when the bytes have no header block of an
/// e-mail; [`MailError::NoSender`] when a message written by a person has no
/// usable From address.
pub fn parse(raw: &[u8], own_sender: &str) -> Result<ParsedMail, MailError> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(MailError::TooLarge);
    }
    let raw = crate::decode::eight_bit_headers(raw);
    let msg = MessageParser::default()
        .parse(raw.as_ref())
        .ok_or_else(|| MailError::Unparseable("no header block".into()))?;
    let headers = RawHeaders::from_message(&msg);
    if !looks_like_mail(&headers) {
        return Err(MailError::Unparseable(
            "none of the fields of an e-mail header (From, To, Subject, Date, Message-ID…)".into(),
        ));
    }

    let (from_address, from_name) = sender(&msg);
    let subject = msg.subject().map(clean_header_text).unwrap_or_default();
    let root_type = msg
        .root_part()
        .content_type()
        .map(|ct| (ct.ctype(), ct.subtype().unwrap_or("")));
    let report_type = msg
        .root_part()
        .content_type()
        .and_then(|ct| ct.attribute("report-type"));
    let auto = auto::detect(
        &headers,
        from_address.as_deref(),
        &subject,
        root_type,
        report_type,
        own_sender,
    );
    let bounce = (auto == Some(AutoKind::Bounce)).then(|| crate::bounce::read(&msg));
    if from_address.is_none() && auto.is_none() {
        return Err(MailError::NoSender);
    }

    let full_text = body_text(&msg);
    let (text, quoted) = if is_forward_subject(&subject) {
        (full_text, None)
    } else {
        split_quoted(&full_text)
    };
    let html_sanitized = body_html(&msg).and_then(|h| sanitize_html(&h));

    Ok(ParsedMail {
        message_id: msg.message_id().map(bare_id).filter(|s| !s.is_empty()),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        from_address,
        from_name,
        to: recipients(&msg, &headers),
        subject,
        date: msg
            .date()
            .filter(|d| d.is_valid())
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        text,
        quoted,
        html_sanitized,
        attachments: attachments(&msg),
        auto,
        bounce,
    })
}

/// mail-parser accepts nearly anything as a header block; a message must at
/// least carry one field that only e-mail has.
fn looks_like_mail(headers: &RawHeaders<'_>) -> bool {
    [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Received",
        "Return-Path",
    ]
    .iter()
    .any(|name| headers.has(name))
}

fn sender(msg: &Message<'_>) -> (Option<String>, Option<String>) {
    let Some(addr) = msg
        .from()
        .into_iter()
        .chain(msg.sender())
        .flat_map(|a| a.iter())
        .find(|a| a.address().is_some_and(is_plausible_address))
    else {
        return (None, None);
    };
    let address = addr.address().map(|a| a.trim().to_lowercase());
    let name = addr
        .name()
        .map(clean_header_text)
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(address.as_deref().unwrap_or("")));
    (address, name)
}

fn is_plausible_address(a: &str) -> bool {
    let a = a.trim();
    match a.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !a.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

fn recipients(msg: &Message<'_>, headers: &RawHeaders<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |a: &str| {
        let a = crate::bare_address(a);
        if is_plausible_address(&a) && !out.contains(&a) {
            out.push(a);
        }
    };
    for list in [msg.to(), msg.cc()].into_iter().flatten() {
        for a in list.iter() {
            if let Some(addr) = a.address() {
                push(addr);
            }
        }
    }
    for name in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        for value in headers.get_all(name) {
            for part in value.split(',') {
                push(part);
            }
        }
    }
    out
}

/// Header text without folding or control characters, trimmed.
fn clean_header_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn bare_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let raw: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(list) => list.iter().map(|s| s.as_ref()).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for id in raw.iter().flat_map(|s| s.split_whitespace()).map(bare_id) {
        if !id.is_empty() && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

pub(crate) fn is_forward_subject(subject: &str) -> bool {
    let lower = subject.trim_start().to_lowercase();
    ["tr", "fw", "fwd", "wg"].iter().any(|p| {
        lower
            .strip_prefix(p)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// The text bodies, joined: real text/plain parts as they are, HTML-only
/// bodies converted.
fn body_text(msg: &Message<'_>) -> String {
    let mut parts = Vec::new();
    for id in &msg.text_body {
        let Some(part) = msg.parts.get(*id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(t) if param_is(part, "format", "flowed") => {
                parts.push(tidy_text(&unflow(t, param_is(part, "delsp", "yes"))));
            }
            PartType::Text(t) => parts.push(tidy_text(t)),
            PartType::Html(h) => parts.push(html_to_text(h)),
            _ => {}
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join("\n\n")
}

fn param_is(part: &mail_parser::MessagePart<'_>, name: &str, value: &str) -> bool {
    part.content_type()
        .and_then(|ct| ct.attribute(name))
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(value))
}

/// The HTML bodies, joined; `None` when the message has no real HTML (mail-
/// parser would otherwise offer its text converted to HTML).
fn body_html(msg: &Message<'_>) -> Option<String> {
    let html: Vec<&str> = msg
        .html_body
        .iter()
        .filter_map(|id| match &msg.parts.get(*id as usize)?.body {
            PartType::Html(h) => Some(h.as_ref()),
            _ => None,
        })
        .collect();
    (!html.is_empty()).then(|| html.join("\n"))
}

fn attachments(msg: &Message<'_>) -> Vec<MailAttachment> {
    // mail-parser also lists inline images among the body parts (for
    // clients that show them in place); an attachment is every leaf part
    // that is not a text or HTML body.
    let body_ids: Vec<u32> = msg
        .text_body
        .iter()
        .chain(&msg.html_body)
        .copied()
        .filter(|id| {
            msg.parts
                .get(*id as usize)
                .is_some_and(|p| matches!(p.body, PartType::Text(_) | PartType::Html(_)))
        })
        .collect();
    let mut ids: Vec<u32> = msg.attachments.clone();
    for id in msg.text_body.iter().chain(&msg.html_body) {
        if !body_ids.contains(id) && !ids.contains(id) {
            ids.push(*id);
        }
    }
    ids.sort_unstable();

    let mut out = Vec::new();
    for id in ids {
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        if matches!(part.body, PartType::Multipart(_)) || body_ids.contains(&id) {
            continue;
        }
        let index = out.len() + 1;
        let content_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_string(),
            })
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_else(|| match part.body {
                PartType::Text(_) => "text/plain".into(),
                PartType::Html(_) => "text/html".into(),
                PartType::Message(_) => "message/rfc822".into(),
                _ => "application/octet-stream".into(),
            });
        let content_id = part.content_id().map(bare_id).filter(|c| !c.is_empty());
        let disposition = part.content_disposition();
        let inline = match disposition {
            Some(d) => d.is_inline(),
            None => content_id.is_some(),
        };
        let filename = sanitize_filename(part.attachment_name().unwrap_or(""), index);
        let given = filename != format!("piece-jointe-{index}");
        out.push(MailAttachment {
            filename: crate::decode::name_with_extension(filename, given, &content_type),
            content_type,
            content_id,
            inline,
            data: part.contents().to_vec(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "Relais <support@relais.test>";

    #[test]
    fn too_large() {
        let raw = vec![b'a'; MAX_MESSAGE_BYTES + 1];
        assert_eq!(parse(&raw, OWN), Err(MailError::TooLarge));
    }

    #[test]
    fn no_sender() {
        let raw = b"To: support@relais.test\r\nSubject: Bonjour\r\n\r\nTexte\r\n";
        assert_eq!(parse(raw, OWN), Err(MailError::NoSender));
    }

    #[test]
    fn bounce_without_sender_is_kept_as_auto() {
        let raw = b"From: <>\r\nTo: support@relais.test\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--x--\r\n";
        let m = parse(raw, OWN).expect("parsed");
        assert_eq!(m.from_address, None);
        assert_eq!(m.auto, Some(AutoKind::Bounce));
    }

    #[test]
    fn own_sender_by_address() {
        let raw = b"From: Relais <SUPPORT@relais.test>\r\nTo: a@b.fr\r\nSubject: x\r\n\r\nx\r\n";
        let m = parse(raw, OWN).expect("parsed");
        assert_eq!(m.auto, Some(AutoKind::OwnNotification));
        assert_eq!(m.from_address.as_deref(), Some("support@relais.test"));
    }

    #[test]
    fn ids_and_recipients() {
        let raw = b"From: A <a@b.fr>\r\nTo: \"Support\" <support@relais.test>, x@y.fr\r\nCc: X@Y.fr, z@y.fr\r\nDelivered-To: support+R2021-000001.abc@relais.test\r\nMessage-ID: <m1@b.fr>\r\nIn-Reply-To: <n1@relais.test>\r\nReferences: <n0@relais.test>\r\n <n1@relais.test>\r\nSubject: Re: x\r\nDate: Fri, 12 Mar 2021 10:02:00 +0100\r\n\r\nok\r\n";
        let m = parse(raw, OWN).expect("parsed");
        assert_eq!(m.message_id.as_deref(), Some("m1@b.fr"));
        assert_eq!(m.in_reply_to, vec!["n1@relais.test"]);
        assert_eq!(m.references, vec!["n0@relais.test", "n1@relais.test"]);
        assert_eq!(
            m.to,
            vec![
                "support@relais.test",
                "x@y.fr",
                "z@y.fr",
                "support+r2021-000001.abc@relais.test"
            ]
        );
        assert_eq!(
            m.date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2021-03-12T09:02:00+00:00")
        );
        assert_eq!(m.auto, None);
    }

    #[test]
    fn forward_subjects() {
        assert!(is_forward_subject("TR: Problème"));
        assert!(is_forward_subject("Fwd : x"));
        assert!(!is_forward_subject("Re: TR: x"));
        assert!(!is_forward_subject("Tracé des courbes"));
    }
}
