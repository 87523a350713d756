//! Properties: signed reply addresses hold for any reference and refuse any
//! tampering; parsing never panics, whatever the bytes.

use proptest::prelude::*;
use relais_mail::{parse, ticket_ref_in_subject, ReplyAddress};

const BASE: &str = "Relais <support@relais.test>";

fn ticket_ref() -> impl Strategy<Value = String> {
    prop_oneof!["R20[0-9]{2}-[0-9]{6}", "[A-Za-z0-9][A-Za-z0-9_-]{0,39}",]
}

/// Another character of the same class, different even ignoring case.
fn other_char(c: char, pick: u8) -> char {
    const POOL: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut i = pick as usize % POOL.len();
    loop {
        let candidate = POOL[i] as char;
        if !candidate.eq_ignore_ascii_case(&c) {
            return candidate;
        }
        i = (i + 1) % POOL.len();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip(secret in proptest::collection::vec(any::<u8>(), 1..64), r in ticket_ref()) {
        let reply = ReplyAddress::new(&secret, BASE);
        let address = reply.for_ticket(&r);
        prop_assert_eq!(reply.verify(&address), Some(r.to_ascii_uppercase()));
        // Mail servers may change case; the address still checks.
        prop_assert_eq!(reply.verify(&address.to_lowercase()), Some(r.to_ascii_uppercase()));
        prop_assert_eq!(reply.verify(&format!("\"Support\" <{address}>")), Some(r.to_ascii_uppercase()));
    }

    #[test]
    fn tampered_reference_is_refused(r in ticket_ref(), pos in any::<prop::sample::Index>(), pick in any::<u8>()) {
        let reply = ReplyAddress::new(b"secret", BASE);
        let address = reply.for_ticket(&r);
        let (local, domain) = address.split_once('@').expect("an address");
        let (_, tagged) = local.split_once('+').expect("a detail part");
        let (reference, tag) = tagged.rsplit_once('.').expect("a tag");
        let mut chars: Vec<char> = reference.chars().collect();
        let i = pos.index(chars.len());
        chars[i] = other_char(chars[i], pick);
        let forged: String = chars.into_iter().collect();
        prop_assert_eq!(reply.verify(&format!("support+{forged}.{tag}@{domain}")), None);
    }

    #[test]
    fn tampered_tag_is_refused(r in ticket_ref(), pos in 0usize..10, pick in any::<u8>()) {
        let reply = ReplyAddress::new(b"secret", BASE);
        let address = reply.for_ticket(&r);
        let (local, domain) = address.split_once('@').expect("an address");
        let (head, tag) = local.rsplit_once('.').expect("a tag");
        let mut chars: Vec<char> = tag.chars().collect();
        chars[pos] = other_char(chars[pos], pick);
        let forged: String = chars.into_iter().collect();
        prop_assert_eq!(reply.verify(&format!("{head}.{forged}@{domain}")), None);
    }

    #[test]
    fn another_secret_is_refused(
        a in proptest::collection::vec(any::<u8>(), 1..32),
        b in proptest::collection::vec(any::<u8>(), 1..32),
        r in ticket_ref(),
    ) {
        prop_assume!(a != b);
        let ours = ReplyAddress::new(&a, BASE);
        let theirs = ReplyAddress::new(&b, BASE);
        prop_assert_eq!(ours.verify(&theirs.for_ticket(&r)), None);
    }

    #[test]
    fn subject_tag_round_trip(prefix in "(Re: |RE : |TR: |Fwd: ){0,3}", r in "R20[0-9]{2}-[0-9]{6}", rest in "[a-zA-Zéèàç ]{0,30}") {
        let subject = format!("{prefix}[Relais {r}] {rest}");
        prop_assert_eq!(ticket_ref_in_subject(&subject), Some(r));
    }

    #[test]
    fn parse_never_panics_on_bytes(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse(&raw, BASE);
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("file"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Real messages cut short or with bytes flipped (broken MIME, bad
    /// encodings, truncated base64) still give a result, never a panic.
    #[test]
    fn parse_never_panics_on_damaged_mail(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
    ) {
        let all = corpus();
        let mut raw = all[which.index(all.len())].clone();
        let len = cut.index(raw.len() + 1);
        raw.truncate(len.max(1));
        for (at, byte) in flips {
            let i = at.index(raw.len());
            raw[i] = byte;
        }
        let _ = parse(&raw, BASE);
    }
}
