//! The pure mail layer of Relais: what a message says and where it goes.
//!
//! This crate owns the e-mail format and the SMTP exchange, and nothing of the
//! desk's rules: it turns raw RFC 5322 bytes into a [`ParsedMail`] (plain text
//! with the quoted history set apart, sanitised HTML, attachments with safe
//! names, the kind of automatic message it is), signs and checks the
//! per-ticket reply addresses, finds a ticket reference in a message, and
//! sends notifications through SMTP with the headers that let us recognise our
//! own mail when it comes back. Deciding which ticket a message belongs to
//! (and whether its sender may write there) is the caller's business: see
//! [`find_ticket_ref`] for what each source of a reference does and does not
//! prove.
//!
//! Message ids are handled bare everywhere in this crate (`abc@relais.test`,
//! no angle brackets): [`parse`] strips them, [`make_message_id`] makes bare
//! ones and [`send`] adds the brackets on the wire.

mod auth;
mod auto;
mod autoreply;
mod bounce;
mod decode;
mod headers;
mod parse;
mod reference;
mod send;
mod text;

pub use auth::{
    domain_of, header_values, trusted_results, AuthVerdict, DkimSigning, DkimVerifier, DnsCache,
};
pub use auto::AutoKind;
pub use bounce::{BounceReport, BouncedRecipient};
pub use parse::{parse, MailAttachment, ParsedMail, MAX_MESSAGE_BYTES};
pub use reference::{
    candidate_message_ids, find_ticket_ref, ticket_ref_in_subject, RefSource, ReplyAddress,
};
pub use send::{make_message_id, send, send_signed, Outgoing, SmtpConfig};
pub use text::{html_to_text, sanitize_filename, sanitize_html, split_quoted};

/// Why a message could not be read or sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The bytes are not an e-mail message (no header block, no known field).
    #[error("message could not be parsed: {0}")]
    Unparseable(String),
    /// The message has no usable From address and is not an automatic message.
    #[error("message has no sender address")]
    NoSender,
    /// The message is over [`MAX_MESSAGE_BYTES`].
    #[error("message is too large")]
    TooLarge,
    /// An address given to [`send`] (recipient, sender or reply-to) is not a
    /// valid mailbox: retrying will not help.
    #[error("invalid address: {0}")]
    InvalidAddress(String),
    /// The SMTP exchange failed (connection, TLS, authentication, refusal).
    #[error("SMTP error: {0}")]
    Smtp(String),
}

/// The bare address in `"Name <addr>"`, `"<addr>"` or `"addr"`, lower-cased.
pub(crate) fn bare_address(s: &str) -> String {
    let s = s.trim();
    let inner = match (s.rfind('<'), s.rfind('>')) {
        (Some(start), Some(end)) if start < end => &s[start + 1..end],
        _ => s,
    };
    inner.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::bare_address;

    #[test]
    fn bare_address_forms() {
        assert_eq!(
            bare_address("Relais <Support@Relais.test>"),
            "support@relais.test"
        );
        assert_eq!(bare_address("<a@b.fr>"), "a@b.fr");
        assert_eq!(bare_address("  a@b.fr "), "a@b.fr");
    }
}
