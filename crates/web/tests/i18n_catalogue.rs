//! The Fluent catalogues: both languages hold the same keys, every key used
//! in code exists, every key exists for a reason, every message parses, the
//! plural forms follow each language's rules, and the domain labels in
//! `labels.ftl` say what the domain's `code_enum!` literals say.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use fluent_bundle::FluentResource;
use relais_web::i18n::{label_key, message_keys, Lang, Tr, CATALOGUES};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The sources and templates of the web crate, as text.
fn code_texts() -> Vec<(PathBuf, String)> {
    let mut files = vec![];
    files_under(&crate_dir().join("src"), &mut files);
    files_under(&crate_dir().join("templates"), &mut files);
    files
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "rs" || e == "html" || e == "txt")
        })
        .map(|p| {
            let s = std::fs::read_to_string(&p).expect("utf-8 source");
            (p, s)
        })
        .collect()
}

/// Keys passed to `t("…")`, `t_args("…"` and `count("…"`.
fn keys_used_in_calls(text: &str) -> Vec<String> {
    let mut keys = vec![];
    for call in [".t(\"", ".t_args(\"", ".count(\""] {
        let mut rest = text;
        while let Some(i) = rest.find(call) {
            rest = &rest[i + call.len()..];
            if let Some(end) = rest.find('"') {
                keys.push(rest[..end].to_string());
            }
        }
    }
    keys
}

fn keys(lang: &str) -> BTreeSet<String> {
    message_keys(lang).into_iter().collect()
}

fn label_keys() -> BTreeSet<String> {
    CATALOGUES
        .iter()
        .filter(|(l, n, _)| *l == "fr" && *n == "labels.ftl")
        .flat_map(|(_, _, src)| src.lines())
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.to_string()))
        .collect()
}

#[test]
fn every_message_parses_and_no_key_is_defined_twice() {
    for (lang, name, src) in CATALOGUES {
        if let Err((_, errors)) = FluentResource::try_new(src.to_string()) {
            panic!("{lang}/{name} does not parse: {errors:?}");
        }
    }
    for lang in ["fr", "en"] {
        let mut seen = HashMap::new();
        for k in message_keys(lang) {
            *seen.entry(k).or_insert(0) += 1;
        }
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{lang}: keys defined twice: {twice:?}");
    }
}

#[test]
fn every_catalogue_file_is_embedded() {
    for lang in ["fr", "en"] {
        let mut on_disk: Vec<String> = std::fs::read_dir(crate_dir().join("locales").join(lang))
            .expect("locales folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".ftl"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = CATALOGUES
            .iter()
            .filter(|(l, _, _)| *l == lang)
            .map(|(_, n, _)| n.to_string())
            .collect();
        embedded.sort();
        assert_eq!(
            on_disk, embedded,
            "{lang}: a .ftl file is not in i18n::CATALOGUES"
        );
    }
}

#[test]
fn both_languages_hold_the_same_keys() {
    let fr = keys("fr");
    let en = keys("en");
    let only_fr: Vec<_> = fr.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&fr).collect();
    assert!(only_fr.is_empty(), "keys missing in English: {only_fr:?}");
    assert!(only_en.is_empty(), "keys missing in French: {only_en:?}");
}

#[test]
fn every_key_used_in_code_exists() {
    let fr = keys("fr");
    let mut missing = vec![];
    for (path, text) in code_texts() {
        for k in keys_used_in_calls(&text) {
            if !fr.contains(&k) {
                missing.push(format!("{}: {k}", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys used but not in the catalogues: {missing:#?}"
    );
}

#[test]
fn every_catalogue_key_is_used() {
    let texts = code_texts();
    let labels = label_keys();
    let unused: Vec<String> = keys("fr")
        .into_iter()
        .filter(|k| !labels.contains(k))
        .filter(|k| {
            let quoted = format!("\"{k}\"");
            !texts.iter().any(|(_, t)| t.contains(&quoted))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "catalogue keys used nowhere (remove them from both languages): {unused:#?}"
    );
}

#[test]
fn plural_forms_follow_each_language() {
    let fr = Tr(Lang::Fr);
    let en = Tr(Lang::En);
    assert_eq!(fr.count("results-count", 0), "0 résultat");
    assert_eq!(fr.count("results-count", 1), "1 résultat");
    assert_eq!(fr.count("results-count", 2), "2 résultats");
    assert_eq!(en.count("results-count", 0), "0 results");
    assert_eq!(en.count("results-count", 1), "1 result");
    assert_eq!(en.count("results-count", 2), "2 results");
    assert_eq!(en.count("results-count", 1234), "1234 results");
}

#[test]
fn a_missing_key_shows_itself_and_known_keys_translate() {
    let en = Tr(Lang::En);
    assert_eq!(en.t("no-such-key"), "no-such-key");
    assert_eq!(en.t("save"), "Save");
    assert_eq!(Tr(Lang::Fr).t("save"), "Enregistrer");
}

macro_rules! check_labels {
    ($($t:ty),+ $(,)?) => {{
        let mut n = 0;
        $(
            for v in <$t>::ALL {
                assert_eq!(Tr(Lang::Fr).label(*v), v.label_fr(), "{}", label_key(*v));
                assert_eq!(Tr(Lang::En).label(*v), v.label_en(), "{}", label_key(*v));
                n += 1;
            }
        )+
        n
    }};
}

#[test]
fn domain_labels_come_from_the_catalogues_and_match_the_domain() {
    use relais_domain::accounts::*;
    use relais_domain::calendar::*;
    use relais_domain::community::*;
    use relais_domain::crm::*;
    use relais_domain::engagement::*;
    use relais_domain::relation::*;
    use relais_domain::sla::SlaState;
    use relais_domain::support::*;
    use relais_domain::training::*;
    let n = check_labels!(
        Role,
        Territory,
        EventKind,
        EventFormat,
        Attendance,
        PublicationKind,
        InstitutionKind,
        MembershipStatus,
        CalendarKind,
        ComponentKind,
        ContactFunction,
        ProductStage,
        DeploymentStatus,
        HostingMode,
        ConventionKind,
        InteractionKind,
        TaskStatus,
        Touchpoint,
        ComplaintSeverity,
        ComplaintStatus,
        ComplaintChannel,
        ActionStatus,
        TargetStatus,
        ContactOutcome,
        ComiteRole,
        SurveyKind,
        Scale,
        RecallStatus,
        Category,
        Severity,
        TicketStatus,
        TrainingKind,
        Modality,
        SessionStatus,
        RegistrationStatus,
        DayPart,
        ExecFunction,
        relais_domain::steering::DeliverableStatus,
        relais_domain::steering::UnitKind,
        relais_domain::steering::LinkKind,
        relais_domain::steering::Health,
    );
    let states = [
        SlaState::Ok {
            remaining_minutes: 5,
        },
        SlaState::AtRisk {
            remaining_minutes: 5,
        },
        SlaState::Breached { late_minutes: 5 },
        SlaState::Met,
        SlaState::Paused {
            remaining_minutes: 5,
        },
    ];
    for s in states {
        assert_eq!(Tr(Lang::Fr).label(s), s.label_fr(), "{}", label_key(s));
        assert_eq!(Tr(Lang::En).label(s), s.label(true), "{}", label_key(s));
    }
    // Every label in labels.ftl belongs to one of these values.
    assert_eq!(
        n + states.len(),
        label_keys().len(),
        "labels.ftl is out of date: run scripts/i18n_extract.py --labels crates/domain/src"
    );
    assert_eq!(
        Tr(Lang::En).label(TicketStatus::Nouveau),
        TicketStatus::Nouveau.label_en()
    );
}

/// The ways code used to pick between a French and an English literal
/// (`if en { "…" } else { "…" }`, `match (x, tr.en())`, `{% if en %}` in a
/// template, the old `fr(tr, "…", "…")` / `w(tr, …)` helpers). Both
/// languages belong in the catalogues; the language is `Tr`'s business.
const INLINE_PAIR_PATTERNS: &[&str] = &[
    "if en {",
    "if en %}",
    "if tr.en()",
    "if t.en()",
    "base.t.en()",
    "tr.en())",
    "t.en())",
    "let en = tr.en()",
    "en: tr.en()",
];

/// `fr(tr,` and `w(tr,` as whole words (not `ref(tr,` or `new(tr,`).
fn calls_pair_helper(line: &str) -> bool {
    ["fr(tr,", "w(tr,"].iter().any(|h| {
        line.match_indices(h).any(|(i, _)| {
            i == 0
                || !line[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

fn inline_pairs(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .filter(|(_, l)| INLINE_PAIR_PATTERNS.iter().any(|p| l.contains(p)) || calls_pair_helper(l))
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

#[test]
fn no_inline_french_english_pair_in_code_or_templates() {
    let mut found = vec![];
    for (path, text) in code_texts() {
        // `Tr::en` itself is the one place that reads the language flag.
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "i18n.rs" {
            continue;
        }
        for (n, line) in inline_pairs(&text) {
            found.push(format!("{}:{n}: {line}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "French/English pairs written in code: move both texts to the \
         catalogues (locales/fr and locales/en) and use tr.t(..):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_inline_pair_check_sees_what_it_must() {
    let code = "let a = if en { \"Yes\" } else { \"Oui\" };\n\
                match (b, tr.en()) {\n\
                <p>{% if en %}Hi{% else %}Salut{% endif %}</p>\n\
                let x = fr(tr, \"Oui\", \"Yes\");\n\
                let y = w(tr, \"Oui\", \"Yes\");\n\
                // if en { in a comment }\n\
                let z = new(tr, 1);\n\
                let r = tr.t(\"oui\");\n";
    let lines: Vec<usize> = inline_pairs(code).into_iter().map(|(n, _)| n).collect();
    assert_eq!(lines, [1, 2, 3, 4, 5]);
}
