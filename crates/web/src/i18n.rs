//! Interface strings, French first and English second. The locale comes from
//! the `relais_lang` cookie (set by the language switch) or the account.
//!
//! Every string lives in the Fluent catalogues under `crates/web/locales/`
//! (`fr/*.ftl`, then `en/*.ftl`), embedded in the binary and parsed once.
//! Pages ask for a message by key: `tr.t("save")`, or with variables
//! `tr.count("results-count", n)` / `tr.t_args(key, &[("n", n.into())])`,
//! where numbers choose the plural form of the language. Domain labels
//! (statuses, categories) come from `labels.ftl` through [`Tr::label`].
//! A key missing in English falls back to French at run time; the test
//! `tests/i18n_catalogue.rs` fails on it, and on a key used nowhere.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
pub use fluent_bundle::FluentValue as Arg;
use fluent_bundle::{FluentArgs, FluentResource};
use relais_domain::CodeEnum;
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn from_code(s: &str) -> Lang {
        if s.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
    pub fn is_en(self) -> bool {
        self == Lang::En
    }
}

/// The catalogue files, per language, as embedded in the binary. A file
/// added under `locales/` must be listed here (the catalogue test checks).
pub const CATALOGUES: &[(&str, &str, &str)] = &[
    ("fr", "ui.ftl", include_str!("../locales/fr/ui.ftl")),
    ("fr", "pages.ftl", include_str!("../locales/fr/pages.ftl")),
    ("fr", "labels.ftl", include_str!("../locales/fr/labels.ftl")),
    (
        "fr",
        "identity.ftl",
        include_str!("../locales/fr/identity.ftl"),
    ),
    (
        "fr",
        "durability.ftl",
        include_str!("../locales/fr/durability.ftl"),
    ),
    ("fr", "search.ftl", include_str!("../locales/fr/search.ftl")),
    (
        "fr",
        "everyday.ftl",
        include_str!("../locales/fr/everyday.ftl"),
    ),
    (
        "fr",
        "steering.ftl",
        include_str!("../locales/fr/steering.ftl"),
    ),
    ("fr", "mail.ftl", include_str!("../locales/fr/mail.ftl")),
    ("en", "ui.ftl", include_str!("../locales/en/ui.ftl")),
    ("en", "pages.ftl", include_str!("../locales/en/pages.ftl")),
    ("en", "labels.ftl", include_str!("../locales/en/labels.ftl")),
    (
        "en",
        "identity.ftl",
        include_str!("../locales/en/identity.ftl"),
    ),
    (
        "en",
        "durability.ftl",
        include_str!("../locales/en/durability.ftl"),
    ),
    ("en", "search.ftl", include_str!("../locales/en/search.ftl")),
    (
        "en",
        "everyday.ftl",
        include_str!("../locales/en/everyday.ftl"),
    ),
    (
        "en",
        "steering.ftl",
        include_str!("../locales/en/steering.ftl"),
    ),
    ("en", "mail.ftl", include_str!("../locales/en/mail.ftl")),
];

/// One language's messages: the Fluent bundle for messages with variables,
/// and every message without variables formatted once, so that `t` hands
/// out `&'static str` like the literals it replaces.
pub struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    plain: HashMap<String, String>,
}

impl Catalogue {
    fn load(lang: &str) -> Catalogue {
        let id: LanguageIdentifier = lang.parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks around variables: the pages are
        // left-to-right and tests compare plain text.
        bundle.set_use_isolating(false);
        for (_, name, src) in CATALOGUES.iter().filter(|(l, _, _)| *l == lang) {
            let res = match FluentResource::try_new((*src).to_string()) {
                Ok(r) => r,
                Err((r, errs)) => {
                    tracing::error!(lang, file = name, ?errs, "Fluent catalogue has errors");
                    r
                }
            };
            if let Err(errs) = bundle.add_resource(res) {
                tracing::error!(lang, file = name, ?errs, "Fluent catalogue clashes");
            }
        }
        let mut plain = HashMap::new();
        for key in message_keys(lang) {
            if let Some(pattern) = bundle.get_message(&key).and_then(|m| m.value()) {
                let mut errors = vec![];
                let s = bundle.format_pattern(pattern, None, &mut errors);
                if errors.is_empty() {
                    plain.insert(key, s.into_owned());
                }
            }
        }
        Catalogue { bundle, plain }
    }

    /// Formats `key` with `args`; `None` when the key is unknown.
    fn format(&self, key: &str, args: Option<&FluentArgs>) -> Option<String> {
        let pattern = self.bundle.get_message(key)?.value()?;
        let mut errors = vec![];
        let s = self.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "Fluent message formatted with errors");
        }
        Some(s.into_owned())
    }
}

/// The identifiers of the messages of `lang`'s catalogues, in file order.
pub fn message_keys(lang: &str) -> Vec<String> {
    let mut keys = vec![];
    for (_, _, src) in CATALOGUES.iter().filter(|(l, _, _)| *l == lang) {
        for line in src.lines() {
            if let Some((id, _)) = line.split_once(" =") {
                if !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    && id.starts_with(|c: char| c.is_ascii_alphabetic())
                {
                    keys.push(id.to_string());
                }
            }
        }
    }
    keys
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static FR: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::Fr => FR.get_or_init(|| Catalogue::load("fr")),
        Lang::En => EN.get_or_init(|| Catalogue::load("en")),
    }
}

/// The Fluent key of a domain label: the type's name in kebab case, then the
/// code (`TicketStatus::EnCours` → `ticket-status-en-cours`).
pub fn label_key<E: CodeEnum>(value: E) -> String {
    let mut key = String::new();
    for (i, c) in E::KIND.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                key.push('-');
            }
            key.push(c.to_ascii_lowercase());
        } else {
            key.push(c);
        }
    }
    key.push('-');
    key.push_str(&value.code().replace('_', "-"));
    key
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    pub fn en(&self) -> bool {
        self.0.is_en()
    }

    /// The message `key` (without variables). A key missing in English
    /// falls back to French; an unknown key shows itself, so a missing
    /// string is visible rather than silent.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        if let Some(s) = catalogue(self.0).plain.get(key) {
            return s.as_str();
        }
        if self.0 != Lang::Fr {
            if let Some(s) = catalogue(Lang::Fr).plain.get(key) {
                return s.as_str();
            }
        }
        key
    }

    /// The old dotted keys (`nav.home`), until every call uses `t`.
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        let dashed = key.replace(['.', '_'], "-");
        catalogue(self.0)
            .plain
            .get(&dashed)
            .or_else(|| catalogue(Lang::Fr).plain.get(&dashed))
            .map(|s| s.as_str())
            .unwrap_or(key)
    }

    /// The message `key` with variables; a number variable selects the
    /// plural form (`{ $n -> [one] … *[other] … }`).
    pub fn t_args(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            fargs.set(*name, value.clone());
        }
        catalogue(self.0)
            .format(key, Some(&fargs))
            .or_else(|| catalogue(Lang::Fr).format(key, Some(&fargs)))
            .unwrap_or_else(|| key.to_string())
    }

    /// The message `key` with one text variable, for templates:
    /// `{{ base.t.t1("key", "name", value) }}`.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.t_args(key, &[(name, value.to_string().into())])
    }

    /// The message `key` with its one number variable `$n`, in the plural
    /// form the language gives to `n` (French: 0 and 1 are singular).
    pub fn count(&self, key: &str, n: impl Into<Arg<'static>>) -> String {
        self.t_args(key, &[("n", n.into())])
    }

    /// The label of a domain value, from `labels.ftl`.
    pub fn label<E: CodeEnum>(&self, value: E) -> &'static str {
        let key = label_key(value);
        if let Some(s) = catalogue(self.0).plain.get(&key) {
            return s.as_str();
        }
        if let Some(s) = catalogue(Lang::Fr).plain.get(&key) {
            return s.as_str();
        }
        value.code()
    }
}

/// `value.label_in(tr)`: the same as `tr.label(value)`, for chains
/// (`.map(|s| s.label_in(tr))`).
pub trait LabelIn: CodeEnum {
    fn label_in(self, tr: Tr) -> &'static str {
        tr.label(self)
    }
}

impl<E: CodeEnum> LabelIn for E {}
