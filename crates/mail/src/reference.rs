//! Finding which ticket a message answers: the signed reply address, the
//! subject tag, the message-id headers.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ParsedMail;

/// Where a ticket reference was found, and so how far it can be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RefSource {
    /// A reply address whose HMAC tag checks: we wrote this address for this
    /// ticket. It proves the sender got it from one of our mails to the
    /// ticket, not who the sender is.
    SignedAddress(String),
    /// `[Relais R2021-000123]` in the subject: anyone can type it.
    Subject(String),
    /// A message id from In-Reply-To or References, for the caller to look
    /// up among the ids of the mails it sent or received for tickets. Anyone
    /// who saw such a mail can copy the id.
    Header(String),
}

impl RefSource {
    /// The ticket reference (for `SignedAddress`, `Subject`) or the message
    /// id (for `Header`).
    pub fn value(&self) -> &str {
        match self {
            RefSource::SignedAddress(s) | RefSource::Subject(s) | RefSource::Header(s) => s,
        }
    }
}

/// Number of base-32 characters of the HMAC kept in a reply address: 50 bits,
/// far beyond guessing through a mail server, short enough to read.
const TAG_LEN: usize = 10;
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// Keeps these tags apart from anything else the same secret may sign.
const DOMAIN_SEPARATOR: &[u8] = b"relais-reply-address-v1\0";

/// Per-ticket reply addresses, `support+R2021-000123.<tag>@domain`, where the
/// tag is an HMAC-SHA256 of the ticket reference under a server secret.
///
/// Mail servers may change the case of an address, so the tag is lower-case
/// base 32 and the reference is compared without case: references are
/// returned upper-case by [`ReplyAddress::verify`].
#[derive(Clone)]
pub struct ReplyAddress {
    secret: Vec<u8>,
    local: String,
    domain: String,
}

impl std::fmt::Debug for ReplyAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplyAddress")
            .field("local", &self.local)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl ReplyAddress {
    /// `base_address` is the desk's address, bare or with a display name
    /// (`"Relais <support@relais.test>"`).
    pub fn new(secret: &[u8], base_address: &str) -> Self {
        let bare = crate::bare_address(base_address);
        let (local, domain) = match bare.rsplit_once('@') {
            Some((l, d)) => (l.to_string(), d.to_string()),
            None => (bare, String::new()),
        };
        ReplyAddress {
            secret: secret.to_vec(),
            local,
            domain,
        }
    }

    /// The desk's own address, `local@domain`.
    pub fn base(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// The domain of the desk's address (also the right one for message ids).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The reply address for one ticket. References are expected to be made of
    /// letters, digits and `-` (as `R2021-000123`).
    pub fn for_ticket(&self, ticket_ref: &str) -> String {
        let canonical = ticket_ref.trim().to_ascii_uppercase();
        format!(
            "{}+{}.{}@{}",
            self.local,
            ticket_ref.trim(),
            self.tag(&canonical),
            self.domain
        )
    }

    /// The ticket reference in `address` (bare or `"Name <addr>"`) when it is
    /// one of our reply addresses and its tag is authentic; `None` otherwise.
    pub fn verify(&self, address: &str) -> Option<String> {
        let bare = crate::bare_address(address);
        let (local, domain) = bare.rsplit_once('@')?;
        if self.domain.is_empty() || !domain.eq_ignore_ascii_case(&self.domain) {
            return None;
        }
        let (base, detail) = local.split_once('+')?;
        if !base.eq_ignore_ascii_case(&self.local) {
            return None;
        }
        let (reference, tag) = detail.rsplit_once('.')?;
        if reference.is_empty() || !is_ref_like(reference) || tag.len() != TAG_LEN {
            return None;
        }
        let canonical = reference.to_ascii_uppercase();
        let expected = self.tag(&canonical);
        constant_time_eq(expected.as_bytes(), tag.to_ascii_lowercase().as_bytes())
            .then_some(canonical)
    }

    fn tag(&self, canonical_ref: &str) -> String {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any size"));
        mac.update(DOMAIN_SEPARATOR);
        mac.update(canonical_ref.as_bytes());
        let digest = mac.finalize().into_bytes();
        base32_prefix(&digest, TAG_LEN)
    }
}

fn base32_prefix(bytes: &[u8], chars: usize) -> String {
    let mut out = String::with_capacity(chars);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 && out.len() < chars {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
        buffer &= (1 << bits) - 1;
        if out.len() == chars {
            break;
        }
    }
    out
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_ref_like(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The ticket reference of a `[Relais R2021-000123]` tag anywhere in the
/// subject (so also after Re:/TR:/Fwd: prefixes), upper-cased.
pub fn ticket_ref_in_subject(subject: &str) -> Option<String> {
    // Only ASCII is folded, so that offsets in `folded` are the subject's.
    let folded = subject.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = folded[from..].find("[relais") {
        let start = from + pos + "[relais".len();
        from = start;
        let rest = &subject[start..];
        let Some(close) = rest.find(']') else {
            break;
        };
        let inner = &rest[..close];
        // At least one space between the word and the reference.
        if !inner.starts_with([' ', '\u{a0}', '\t']) {
            continue;
        }
        let candidate = inner.trim_matches([' ', '\u{a0}', '\t']);
        if is_ref_like(candidate) && candidate.chars().any(|c| c.is_ascii_digit()) {
            return Some(candidate.to_ascii_uppercase());
        }
    }
    None
}

/// Message ids of In-Reply-To and References, the likeliest first: the ones
/// from our own domain (our notifications), In-Reply-To before References and
/// the latest reference before older ones, then the others in the same order.
pub fn candidate_message_ids(mail: &ParsedMail, reply: &ReplyAddress) -> Vec<String> {
    let ordered: Vec<&String> = mail
        .in_reply_to
        .iter()
        .chain(mail.references.iter().rev())
        .collect();
    let ours = |id: &str| {
        !reply.domain.is_empty()
            && id
                .rsplit_once('@')
                .is_some_and(|(_, d)| d.eq_ignore_ascii_case(&reply.domain))
    };
    let mut out: Vec<String> = Vec::new();
    for id in ordered
        .iter()
        .filter(|id| ours(id))
        .chain(ordered.iter().filter(|id| !ours(id)))
    {
        if !out.contains(id) {
            out.push((*id).clone());
        }
    }
    out
}

/// Which ticket `mail` refers to: a signed reply address among its recipients
/// first, then a subject tag, then the likeliest message id of its
/// In-Reply-To/References (see [`candidate_message_ids`]; the caller looks it
/// up, and may try the other candidates too).
///
/// Only the signed address is authenticated, and only as an address of that
/// ticket: before appending, the caller must still check that the sender
/// belongs to the ticket's institution (a member may forward our mail, a
/// subject tag or message id can be copied), so that a forged reference never
/// reaches another institution's ticket.
pub fn find_ticket_ref(mail: &ParsedMail, reply: &ReplyAddress) -> Option<RefSource> {
    if let Some(r) = mail.to.iter().find_map(|a| reply.verify(a)) {
        return Some(RefSource::SignedAddress(r));
    }
    if let Some(r) = ticket_ref_in_subject(&mail.subject) {
        return Some(RefSource::Subject(r));
    }
    candidate_message_ids(mail, reply)
        .into_iter()
        .next()
        .map(RefSource::Header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> ReplyAddress {
        ReplyAddress::new(b"secret-de-test", "Relais <support@relais.test>")
    }

    #[test]
    fn round_trip() {
        let r = reply();
        let a = r.for_ticket("R2021-000123");
        assert!(a.starts_with("support+R2021-000123."), "{a}");
        assert!(a.ends_with("@relais.test"));
        assert_eq!(r.verify(&a).as_deref(), Some("R2021-000123"));
        assert_eq!(
            r.verify(&format!("Relais <{}>", a.to_uppercase()))
                .as_deref(),
            Some("R2021-000123")
        );
        assert_eq!(r.verify(&a.to_lowercase()).as_deref(), Some("R2021-000123"));
    }

    #[test]
    fn tampering_is_refused() {
        let r = reply();
        let a = r.for_ticket("R2021-000123");
        let other_ref = a.replace("000123", "000124");
        assert_eq!(r.verify(&other_ref), None);
        let (head, tail) = a.split_once('@').unwrap_or_default();
        let mut chars: Vec<char> = head.chars().collect();
        let last = chars.len() - 1;
        chars[last] = if chars[last] == 'a' { 'b' } else { 'a' };
        let bad_tag = format!("{}@{tail}", chars.iter().collect::<String>());
        assert_eq!(r.verify(&bad_tag), None);
        assert_eq!(r.verify(&a.replace("relais.test", "evil.test")), None);
        assert_eq!(r.verify(&a.replace("support+", "autre+")), None);
        assert_eq!(r.verify("support@relais.test"), None);
        assert_eq!(r.verify("support+R2021-000123@relais.test"), None);
        assert_eq!(r.verify("support+.aaaaaaaaaa@relais.test"), None);
        let other = ReplyAddress::new(b"autre-secret", "support@relais.test");
        assert_eq!(other.verify(&a), None);
    }

    #[test]
    fn subject_refs() {
        for (s, want) in [
            ("[Relais R2021-000123] Export", Some("R2021-000123")),
            (
                "Re: TR: Fwd: [Relais R2021-000123] Export",
                Some("R2021-000123"),
            ),
            ("RE : x [relais r2021-000123]", Some("R2021-000123")),
            ("[Relais] pas de ref", None),
            ("[RelaisR2021-000123]", None),
            ("[Relais <script>]", None),
            ("[Relais abc] [Relais R2021-000007]", Some("R2021-000007")),
            ("Problème d'accès [Relais R2021-000123", None),
            ("Écran [Relais R2022-000001]", Some("R2022-000001")),
        ] {
            assert_eq!(ticket_ref_in_subject(s).as_deref(), want, "{s}");
        }
    }
}
