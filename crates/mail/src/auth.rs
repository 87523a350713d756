//! Who really sent a message: the verdicts of our receiving MTA
//! (`Authentication-Results`, RFC 8601) when they come from an `authserv-id`
//! we trust, else DKIM checked here with the `mail-auth` crate; and DKIM
//! signing of our own notifications.
//!
//! Only the topmost `Authentication-Results` fields are read, and only while
//! they carry the trusted `authserv-id`: our MTA adds its fields on top of the
//! message (and, as RFC 8601 §5 asks, removes any incoming field that claims
//! its id), so a field written by the sender sits below them and is ignored.
//!
//! A message is authenticated when the domain of its From address is
//! vouched for (aligned, in DMARC's relaxed sense: the same domain or a
//! parent/child of it) by one of: a DMARC pass, a DKIM pass, an SPF pass of
//! the envelope sender.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::{DkimSigner, Done};
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, Txt};

use crate::MailError;

/// The outcome of sender authentication for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthVerdict {
    /// The From domain is vouched for.
    pub authenticated: bool,
    /// Where the verdict comes from: `"mta"` (trusted Authentication-Results),
    /// `"dkim"` (checked here) or `"aucune"` (nothing to go by).
    pub source: &'static str,
    /// Readable French summary, kept with a quarantined message.
    pub detail: String,
}

impl AuthVerdict {
    fn new(authenticated: bool, source: &'static str, detail: impl Into<String>) -> Self {
        AuthVerdict {
            authenticated,
            source,
            detail: detail.into(),
        }
    }
}

/// The domain of an address (`anne@ua.fr` → `ua.fr`), lower-case.
pub fn domain_of(address: &str) -> String {
    crate::bare_address(address)
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('.').to_string())
        .unwrap_or_default()
}

/// Relaxed alignment: the same domain, or one a subdomain of the other.
fn aligned(from_domain: &str, other: &str) -> bool {
    let a = from_domain.trim_end_matches('.').to_ascii_lowercase();
    let b = other.trim_end_matches('.').to_ascii_lowercase();
    !a.is_empty()
        && !b.is_empty()
        && (a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}")))
}

/// The unfolded values of a header field, top of the message first.
pub fn header_values(raw: &[u8], name: &str) -> Vec<String> {
    let end = find_header_end(raw);
    let text = String::from_utf8_lossy(&raw[..end]);
    let mut fields: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some(last) = fields.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            }
        } else if !line.is_empty() {
            fields.push(line.to_string());
        }
    }
    fields
        .into_iter()
        .filter_map(|f| {
            let (n, v) = f.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
        .collect()
}

fn find_header_end(raw: &[u8]) -> usize {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = raw.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => raw.len(),
    }
}

/// Removes RFC 5322 comments `( … )`, nested ones included.
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for ch in s.chars() {
        match ch {
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(ch);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// One `method=result` with its properties (`header.d`, `smtp.mailfrom`…).
#[derive(Debug, Clone, PartialEq, Eq)]
struct MethodResult {
    method: String,
    result: String,
    props: Vec<(String, String)>,
}

impl MethodResult {
    fn prop(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The authserv-id and results of one Authentication-Results value.
fn parse_results(value: &str) -> (String, Vec<MethodResult>) {
    let clean = strip_comments(value);
    let mut parts = clean.split(';');
    let id = parts
        .next()
        .unwrap_or("")
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut results = Vec::new();
    for part in parts {
        let mut words = part.split_whitespace();
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let method = method.split('/').next().unwrap_or(method);
        results.push(MethodResult {
            method: method.to_ascii_lowercase(),
            result: result.trim_matches('"').to_ascii_lowercase(),
            props: words
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
                .collect(),
        });
    }
    (id, results)
}

/// The verdict of our MTA, when the topmost Authentication-Results fields
/// carry `authserv_id`; `None` when there is no such field (the caller then
/// checks DKIM itself).
pub fn trusted_results(raw: &[u8], authserv_id: &str, from: &str) -> Option<AuthVerdict> {
    let want = authserv_id.trim().to_ascii_lowercase();
    if want.is_empty() {
        return None;
    }
    let mut results = Vec::new();
    let mut any = false;
    for value in header_values(raw, "Authentication-Results") {
        let (id, r) = parse_results(&value);
        if id != want {
            break;
        }
        any = true;
        results.extend(r);
    }
    if !any {
        return None;
    }
    let from_domain = domain_of(from);
    let summary = results
        .iter()
        .map(|r| format!("{}={}", r.method, r.result))
        .collect::<Vec<_>>()
        .join(", ");
    let pass = |r: &MethodResult| -> bool {
        if r.result != "pass" {
            return false;
        }
        match r.method.as_str() {
            "dmarc" => r
                .prop("header.from")
                .map(|d| aligned(&from_domain, d))
                .unwrap_or(true),
            "dkim" => r
                .prop("header.d")
                .map(str::to_string)
                .or_else(|| r.prop("header.i").map(domain_of))
                .is_some_and(|d| aligned(&from_domain, &d)),
            "spf" => r
                .prop("smtp.mailfrom")
                .map(|m| {
                    if m.contains('@') {
                        domain_of(m)
                    } else {
                        m.to_string()
                    }
                })
                .or_else(|| r.prop("smtp.helo").map(str::to_string))
                .is_some_and(|d| aligned(&from_domain, &d)),
            _ => false,
        }
    };
    let dmarc_fail = results
        .iter()
        .any(|r| r.method == "dmarc" && r.result == "fail");
    if !dmarc_fail {
        if let Some(ok) = results.iter().find(|r| pass(r)) {
            return Some(AuthVerdict::new(
                true,
                "mta",
                format!(
                    "authentifié par {} ({} pour {from_domain})",
                    authserv_id.trim(),
                    ok.method
                ),
            ));
        }
    }
    Some(AuthVerdict::new(
        false,
        "mta",
        if summary.is_empty() {
            format!(
                "aucun résultat d'authentification de {}",
                authserv_id.trim()
            )
        } else {
            format!(
                "authentification échouée pour {from_domain} selon {} : {summary}",
                authserv_id.trim()
            )
        },
    ))
}

/// DNS answers for DKIM keys, kept in memory. Production fills it from DNS
/// as lookups happen; tests give it the records beforehand, so that no
/// lookup leaves the machine.
#[derive(Default)]
pub struct DnsCache {
    txt: Mutex<HashMap<String, Txt>>,
}

impl DnsCache {
    /// Adds the TXT record of a DKIM key (`v=DKIM1; k=…; p=…`) for
    /// `selector._domainkey.domain`.
    pub fn add_dkim_key(
        &self,
        selector: &str,
        domain: &str,
        record: &str,
    ) -> Result<(), MailError> {
        let key = DomainKey::parse(record.as_bytes())
            .map_err(|e| MailError::Unparseable(format!("DKIM key record: {e}")))?;
        let name = format!(
            "{selector}._domainkey.{}.",
            domain.trim_end_matches('.').to_ascii_lowercase()
        );
        self.txt
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name, Txt::DomainKey(Arc::new(key)));
        Ok(())
    }
}

impl mail_auth::ResolverCache<String, Txt> for DnsCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        String: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.txt
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }
    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        String: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.txt
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name)
    }
    fn insert(&self, key: String, value: Txt, _valid_until: std::time::Instant) {
        let mut m = self.txt.lock().unwrap_or_else(|p| p.into_inner());
        // A small cache: a full one starts again rather than grow.
        if m.len() > 10_000 {
            m.clear();
        }
        m.insert(key, value);
    }
}

/// Checks DKIM signatures of messages that carry no trusted verdict.
pub struct DkimVerifier {
    authenticator: Option<MessageAuthenticator>,
    cache: DnsCache,
}

impl std::fmt::Debug for DkimVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimVerifier").finish_non_exhaustive()
    }
}

impl Default for DkimVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl DkimVerifier {
    /// Uses the system's resolver configuration (`/etc/resolv.conf`); when
    /// there is none, only the cache answers.
    pub fn new() -> Self {
        DkimVerifier {
            authenticator: MessageAuthenticator::new_system_conf().ok(),
            cache: DnsCache::default(),
        }
    }

    /// The in-memory DNS answers (for tests and warm starts).
    pub fn cache(&self) -> &DnsCache {
        &self.cache
    }

    /// The DKIM verdict for `raw` whose From address is `from`.
    pub async fn verify(&self, raw: &[u8], from: &str) -> AuthVerdict {
        let from_domain = domain_of(from);
        let Some(msg) = AuthenticatedMessage::parse(raw) else {
            return AuthVerdict::new(false, "aucune", "message illisible pour DKIM");
        };
        if msg.dkim_headers.is_empty() {
            return AuthVerdict::new(
                false,
                "aucune",
                "ni résultat d'authentification du serveur de réception, ni signature DKIM",
            );
        }
        let authenticator = match &self.authenticator {
            Some(a) => a.clone(),
            None => match MessageAuthenticator::new_cloudflare() {
                Ok(a) => a,
                Err(e) => {
                    return AuthVerdict::new(false, "dkim", format!("résolveur DNS : {e}"));
                }
            },
        };
        let outputs = authenticator
            .verify_dkim(Parameters::new(&msg).with_txt_cache(&self.cache))
            .await;
        let mut failures = Vec::new();
        for o in &outputs {
            let d = o.signature().map(|s| s.d.clone()).unwrap_or_default();
            match o.result() {
                DkimResult::Pass if aligned(&from_domain, &d) => {
                    return AuthVerdict::new(
                        true,
                        "dkim",
                        format!("signature DKIM valide de {d}"),
                    );
                }
                DkimResult::Pass => failures.push(format!(
                    "signature DKIM valide de {d}, mais pas du domaine de l'expéditeur ({from_domain})"
                )),
                DkimResult::Fail(e) | DkimResult::PermError(e) | DkimResult::Neutral(e) => {
                    failures.push(format!("signature DKIM de {d} invalide : {e}"))
                }
                DkimResult::TempError(e) => {
                    failures.push(format!("signature DKIM de {d} non vérifiable : {e}"))
                }
                DkimResult::None => {}
            }
        }
        AuthVerdict::new(
            false,
            "dkim",
            if failures.is_empty() {
                "aucune signature DKIM vérifiable".to_string()
            } else {
                failures.join(" ; ")
            },
        )
    }
}

enum SigningKey {
    Rsa(Box<DkimSigner<RsaKey<Sha256>, Done>>),
    Ed25519(Box<DkimSigner<Ed25519Key, Done>>),
}

fn rsa_signer(k: RsaKey<Sha256>, domain: &str, selector: &str) -> SigningKey {
    SigningKey::Rsa(Box::new(
        DkimSigner::from_key(k)
            .domain(domain.trim().to_ascii_lowercase())
            .selector(selector.trim())
            .headers(SIGNED_HEADERS),
    ))
}

fn ed_signer(k: Ed25519Key, domain: &str, selector: &str) -> SigningKey {
    SigningKey::Ed25519(Box::new(
        DkimSigner::from_key(k)
            .domain(domain.trim().to_ascii_lowercase())
            .selector(selector.trim())
            .headers(SIGNED_HEADERS),
    ))
}

/// DKIM signing of outgoing mail with a configured key.
pub struct DkimSigning {
    key: SigningKey,
    domain: String,
    selector: String,
}

impl std::fmt::Debug for DkimSigning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimSigning")
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .finish_non_exhaustive()
    }
}

/// Header fields covered by our signatures.
const SIGNED_HEADERS: [&str; 8] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
];

impl DkimSigning {
    /// From a PEM key: RSA (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8
    /// `BEGIN PRIVATE KEY`), else an Ed25519 PKCS#8 key.
    #[allow(deprecated)] // the PEM readers are the simplest entry points here
    pub fn from_pem(pem: &str, domain: &str, selector: &str) -> Result<Self, MailError> {
        let bad = |e: mail_auth::Error| MailError::Unparseable(format!("clé DKIM : {e}"));
        let key = if pem.contains("BEGIN RSA PRIVATE KEY") {
            rsa_signer(
                RsaKey::<Sha256>::from_rsa_pem(pem).map_err(bad)?,
                domain,
                selector,
            )
        } else {
            match RsaKey::<Sha256>::from_pkcs8_pem(pem) {
                Ok(k) => rsa_signer(k, domain, selector),
                Err(_) => {
                    let der = pem_body(pem)
                        .ok_or_else(|| MailError::Unparseable("clé DKIM : PEM illisible".into()))?;
                    ed_signer(
                        Ed25519Key::from_pkcs8_maybe_unchecked_der(&der).map_err(bad)?,
                        domain,
                        selector,
                    )
                }
            }
        };
        Ok(DkimSigning {
            key,
            domain: domain.trim().to_ascii_lowercase(),
            selector: selector.trim().to_string(),
        })
    }

    /// An Ed25519 key from its PKCS#8 DER bytes.
    pub fn ed25519_pkcs8(der: &[u8], domain: &str, selector: &str) -> Result<Self, MailError> {
        let key = Ed25519Key::from_pkcs8_maybe_unchecked_der(der)
            .map_err(|e| MailError::Unparseable(format!("clé DKIM : {e}")))?;
        Ok(DkimSigning {
            key: ed_signer(key, domain, selector),
            domain: domain.trim().to_ascii_lowercase(),
            selector: selector.trim().to_string(),
        })
    }

    /// The `DKIM-Signature` field (with its trailing CRLF) for `message`.
    pub fn signature_header(&self, message: &[u8]) -> Result<String, MailError> {
        let sig = match &self.key {
            SigningKey::Rsa(s) => s.sign(message),
            SigningKey::Ed25519(s) => s.sign(message),
        }
        .map_err(|e| MailError::Smtp(format!("signature DKIM : {e}")))?;
        Ok(sig.to_header())
    }

    /// `message` with its `DKIM-Signature` field on top.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, MailError> {
        let mut out = self.signature_header(message)?.into_bytes();
        out.extend_from_slice(message);
        Ok(out)
    }
}

fn pem_body(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUSTED: &str = "mx.relais.test";

    fn msg(headers: &str) -> Vec<u8> {
        format!("{headers}From: Anne <anne@ua.fr>\r\nTo: support@relais.test\r\nSubject: x\r\n\r\nbody\r\n")
            .into_bytes()
    }

    #[test]
    fn trusted_pass_on_top_authenticates() {
        let raw = msg("Authentication-Results: mx.relais.test; dkim=pass (good) header.d=ua.fr; spf=fail smtp.mailfrom=x@evil.test\r\n");
        let v = trusted_results(&raw, TRUSTED, "anne@ua.fr").expect("verdict");
        assert!(v.authenticated, "{v:?}");
        assert_eq!(v.source, "mta");
    }

    #[test]
    fn a_forged_field_below_a_foreign_one_is_not_read() {
        let raw = msg("Authentication-Results: mx.other.test; dkim=none\r\nAuthentication-Results: mx.relais.test; dmarc=pass header.from=ua.fr\r\n");
        assert_eq!(trusted_results(&raw, TRUSTED, "anne@ua.fr"), None);
    }

    #[test]
    fn unaligned_pass_and_dmarc_fail_do_not_authenticate() {
        let raw = msg(
            "Authentication-Results: mx.relais.test; dkim=pass header.d=evil.test; spf=pass smtp.mailfrom=bounce@evil.test\r\n",
        );
        let v = trusted_results(&raw, TRUSTED, "anne@ua.fr").expect("verdict");
        assert!(!v.authenticated);
        assert!(v.detail.contains("dkim=pass"), "{}", v.detail);
        let raw = msg("Authentication-Results: mx.relais.test;\r\n dkim=pass header.d=ua.fr;\r\n dmarc=fail header.from=ua.fr\r\n");
        assert!(
            !trusted_results(&raw, TRUSTED, "anne@ua.fr")
                .expect("v")
                .authenticated
        );
    }

    #[test]
    fn subdomains_align() {
        assert!(aligned("mail.ua.fr", "ua.fr"));
        assert!(aligned("ua.fr", "UA.FR."));
        assert!(!aligned("ua.fr", "xua.fr"));
        assert!(!aligned("", "ua.fr"));
    }

    #[tokio::test]
    async fn dkim_signed_by_us_verifies_offline_and_a_changed_body_fails() {
        use base64::Engine as _;
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("key");
        let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("pair");
        use ring::signature::KeyPair as _;
        let public = base64::engine::general_purpose::STANDARD.encode(pair.public_key().as_ref());
        let signer = DkimSigning::ed25519_pkcs8(pkcs8.as_ref(), "ua.fr", "s1").expect("signer");
        let raw = msg("");
        let signed = signer.sign(&raw).expect("sign");
        let verifier = DkimVerifier {
            authenticator: None,
            cache: DnsCache::default(),
        };
        verifier
            .cache()
            .add_dkim_key("s1", "ua.fr", &format!("v=DKIM1; k=ed25519; p={public}"))
            .expect("record");
        let v = verifier.verify(&signed, "anne@ua.fr").await;
        assert!(v.authenticated, "{v:?}");
        // Same signature, another sender's domain: not aligned.
        let v = verifier.verify(&signed, "x@ub.fr").await;
        assert!(!v.authenticated);
        let tampered = String::from_utf8(signed)
            .expect("utf8")
            .replace("body", "b0dy");
        let v = verifier.verify(tampered.as_bytes(), "anne@ua.fr").await;
        assert!(!v.authenticated, "{v:?}");
        assert!(v.detail.contains("invalide"), "{}", v.detail);
        let v = verifier.verify(&raw, "anne@ua.fr").await;
        assert!(!v.authenticated);
        assert_eq!(v.source, "aucune");
    }
}
