//! Delivery status notifications (RFC 3464): which recipients a message could
//! not reach, why, and which message it was, so that the desk records the
//! bounce on the address and on the notification that bounced.

use mail_parser::{Message, MimeHeaders, PartType};

/// What a bounce says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BounceReport {
    /// The recipients that failed (Action: failed, or a 5.x.x status), or,
    /// for a bounce without a machine-readable part, none.
    pub recipients: Vec<BouncedRecipient>,
    /// The bare Message-ID of the message that bounced, from the returned
    /// message or its headers.
    pub original_message_id: Option<String>,
    /// The subject of the message that bounced, when returned.
    pub original_subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BouncedRecipient {
    /// Lower-case bare address.
    pub address: String,
    /// `failed`, `delayed`, `delivered`, `relayed`, `expanded`.
    pub action: String,
    /// The enhanced status code (`5.1.1`), if given.
    pub status: Option<String>,
    /// The remote server's words (`smtp; 550 5.1.1 User unknown`), cut to
    /// 500 characters.
    pub diagnostic: Option<String>,
}

impl BouncedRecipient {
    /// A permanent failure (the address will not work on retry).
    pub fn is_permanent(&self) -> bool {
        self.action.eq_ignore_ascii_case("failed")
            || self.status.as_deref().is_some_and(|s| s.starts_with('5'))
    }
}

/// Reads the delivery-status part and the returned message or headers.
pub(crate) fn read(msg: &Message<'_>) -> BounceReport {
    let mut report = BounceReport::default();
    for part in &msg.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let kind = format!(
            "{}/{}",
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or("").to_ascii_lowercase()
        );
        match kind.as_str() {
            "message/delivery-status" | "message/global-delivery-status" => {
                report
                    .recipients
                    .extend(delivery_status(&String::from_utf8_lossy(part.contents())));
            }
            "message/rfc822" | "message/global" => {
                if let PartType::Message(inner) = &part.body {
                    if report.original_message_id.is_none() {
                        report.original_message_id = inner.message_id().map(bare);
                    }
                    if report.original_subject.is_none() {
                        report.original_subject = inner.subject().map(str::to_string);
                    }
                } else {
                    headers_text(&String::from_utf8_lossy(part.contents()), &mut report);
                }
            }
            "text/rfc822-headers" | "message/global-headers" => {
                headers_text(&String::from_utf8_lossy(part.contents()), &mut report);
            }
            _ => {}
        }
    }
    report
}

fn bare(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// Unfolded `Name: value` fields of one block.
fn fields(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

fn headers_text(text: &str, report: &mut BounceReport) {
    let header_block = text.split("\n\n").next().unwrap_or("");
    let header_block = header_block.replace("\r\n", "\n");
    for (name, value) in fields(&header_block) {
        if name == "message-id" && report.original_message_id.is_none() {
            report.original_message_id = Some(bare(&value)).filter(|v| !v.is_empty());
        }
        if name == "subject" && report.original_subject.is_none() {
            report.original_subject = Some(value);
        }
    }
}

/// The per-recipient blocks of a `message/delivery-status` body (the first
/// block is about the reporting server).
fn delivery_status(text: &str) -> Vec<BouncedRecipient> {
    let text = text.replace("\r\n", "\n");
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let f = fields(block);
        let get = |n: &str| f.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let Some(recipient) = get("final-recipient").or_else(|| get("original-recipient")) else {
            continue;
        };
        // "rfc822; user@example.org"
        let address = recipient
            .split_once(';')
            .map(|(_, a)| a)
            .unwrap_or(&recipient);
        let address = crate::bare_address(address);
        if !address.contains('@') {
            continue;
        }
        out.push(BouncedRecipient {
            address,
            action: get("action").unwrap_or_default().to_ascii_lowercase(),
            status: get("status")
                .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
                .filter(|s| !s.is_empty()),
            diagnostic: get("diagnostic-code").map(|d| d.chars().take(500).collect()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use mail_parser::MessageParser;

    const DSN: &[u8] = b"From: MAILER-DAEMON@mx.ua.fr\r\nTo: support@relais.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.ua.fr\r\nArrival-Date: Mon, 1 Mar 2021 10:00:00 +0100\r\n\r\nFinal-Recipient: rfc822; Anne.Martin@ua.fr\r\nOriginal-Recipient: rfc822;anne.martin@ua.fr\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <anne.martin@ua.fr>:\r\n Recipient address rejected: User unknown\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Relais <support@relais.test>\r\nTo: anne.martin@ua.fr\r\nSubject: [Relais R2021-000001] Reponse\r\nMessage-ID: <n1.abc@relais.test>\r\n\r\n--b--\r\n";

    #[test]
    fn reads_a_postfix_dsn() {
        let msg = MessageParser::default().parse(DSN).expect("parsed");
        let r = super::read(&msg);
        assert_eq!(r.original_message_id.as_deref(), Some("n1.abc@relais.test"));
        assert_eq!(
            r.original_subject.as_deref(),
            Some("[Relais R2021-000001] Reponse")
        );
        assert_eq!(r.recipients.len(), 1);
        let b = &r.recipients[0];
        assert_eq!(b.address, "anne.martin@ua.fr");
        assert_eq!(b.action, "failed");
        assert_eq!(b.status.as_deref(), Some("5.1.1"));
        assert!(b.is_permanent());
        assert!(b
            .diagnostic
            .as_deref()
            .is_some_and(|d| d.contains("User unknown")));
    }
}
