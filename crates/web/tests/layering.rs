//! The web crate's inner layering, checked on the source text:
//!
//! - a page module never imports another page module. Pages live in one
//!   folder per context (`pages/crm/`, `pages/support/`, …); a file may use
//!   the kit (`crate::kit`), `crate::view`, `crate::auth`… and the helpers
//!   its own folder's `mod.rs` defines, never a sibling file of its folder
//!   nor anything of another context (`crate::pages::x`, `super::super::x`,
//!   `super::x` from a top-level page file);
//! - the same for `api/`: an API module never imports another API module
//!   (shared API code belongs in the API's own kit: `api::common`,
//!   `api::dto`, `api::extract`), nor a page module.
//!
//! Paths are read wherever they appear (`use` lines and inline paths such
//! as `super::support::fr_datetime(..)`), comments excepted.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// API imports that break the rule, each as (file under `src/api`, module
/// it reaches). Empty: a new violation fails, and so does an entry that no
/// longer happens (keep it exact).
/// The API's own kit: modules every API module may import (shared
/// envelopes and id parsing, extractors, the data transfer objects).
const API_KIT: &[&str] = &["api::common", "api::dto", "api::extract"];

const KNOWN_API_VIOLATIONS: &[(&str, &str)] = &[];

/// Page imports that break the rule. Empty: the institution page (the 360°
/// view) draws the training, relation and complaints sections from
/// `crate::kit::institution_360`.
const KNOWN_PAGE_VIOLATIONS: &[(&str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file relative to `src`, e.g. `pages/crm/contacts.rs`
/// → `["pages", "crm", "contacts"]`, `pages/crm/mod.rs` → `["pages", "crm"]`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().to_string())
        .collect();
    let last = parts.pop().expect("file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// Every `crate::…` / `super::…` path in the code (comments removed), as
/// segment lists; a group `a::{b, c::d}` gives `a::b` and `a::c`.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let mut out = vec![];
    for line in code.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < line.len() {
            if !line.is_char_boundary(i) {
                i += 1;
                continue;
            }
            let rest = &line[i..];
            let starts = (rest.starts_with("crate::") || rest.starts_with("super::"))
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
            if !starts {
                i += 1;
                continue;
            }
            let mut segs = vec![];
            let mut j = i;
            loop {
                let r = &line[j..];
                let n = r
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(r.len());
                if n == 0 {
                    break;
                }
                segs.push(r[..n].to_string());
                j += n;
                if line[j..].starts_with("::") {
                    j += 2;
                } else {
                    break;
                }
            }
            if line[j..].starts_with('{') {
                let end = line[j..].find('}').map(|e| j + e).unwrap_or(line.len());
                for item in line[j + 1..end].split(',') {
                    let first = item.trim().split("::").next().unwrap_or("").trim();
                    let first = first.split_whitespace().next().unwrap_or("");
                    if !first.is_empty() && first != "self" && first != "*" {
                        let mut s = segs.clone();
                        s.push(first.to_string());
                        out.push(s);
                    }
                }
                j = end;
            } else {
                out.push(segs);
            }
            i = j.max(i + 1);
        }
    }
    out
}

/// A path made absolute from the module it is written in.
fn resolve(from: &[String], path: &[String]) -> Vec<String> {
    let mut base: Vec<String> = from.to_vec();
    let mut rest = path;
    if rest.first().map(String::as_str) == Some("crate") {
        base.clear();
        rest = &rest[1..];
    } else {
        while rest.first().map(String::as_str) == Some("super") {
            base.pop();
            rest = &rest[1..];
        }
    }
    base.extend(rest.iter().cloned());
    base
}

/// Every module under `root` (e.g. `pages`), as paths.
fn modules(root: &str) -> BTreeSet<Vec<String>> {
    let mut files = vec![];
    rust_files(&src().join(root), &mut files);
    files
        .iter()
        .map(|f| module_of(f.strip_prefix(src()).expect("under src")))
        .collect()
}

/// The other modules of `root` a file reaches: (file, reached module).
fn violations(root: &str) -> Vec<(String, String)> {
    let mods = modules(root);
    let mut files = vec![];
    rust_files(&src().join(root), &mut files);
    let mut out = BTreeSet::new();
    for f in files {
        let rel = f.strip_prefix(src()).expect("under src").to_path_buf();
        let me = module_of(&rel);
        // The root `mod.rs` builds the router from every module.
        if me.len() == 1 {
            continue;
        }
        let code = std::fs::read_to_string(&f).expect("read");
        for p in paths_in(&code) {
            let abs = resolve(&me, &p);
            if abs.first().map(String::as_str) != Some(root) {
                continue;
            }
            // The longest module of the tree the path goes through.
            let Some(target) = (2..=abs.len())
                .rev()
                .map(|n| abs[..n].to_vec())
                .find(|m| mods.contains(m))
            else {
                continue;
            };
            // Allowed: the file itself (and its inline test module), and
            // an ancestor folder's `mod.rs` (its own context's helpers) —
            // but never the root, which would hand out other contexts.
            let own = me.starts_with(&target) || target.starts_with(&me);
            let helper_of_mine = me.starts_with(&target) && target.len() >= 2;
            if own || helper_of_mine {
                continue;
            }
            let shown = rel
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .to_string();
            out.insert((shown, target.join("::")));
        }
    }
    out.into_iter().collect()
}

#[test]
fn no_page_module_imports_another_page_module() {
    let known: Vec<(String, String)> = KNOWN_PAGE_VIOLATIONS
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let found = violations("pages");
    let gone: Vec<_> = known.iter().filter(|k| !found.contains(k)).collect();
    assert!(
        gone.is_empty(),
        "fixed, remove from KNOWN_PAGE_VIOLATIONS: {gone:?}"
    );
    let v: Vec<_> = found.into_iter().filter(|f| !known.contains(f)).collect();
    assert!(
        v.is_empty(),
        "page modules importing other page modules (move the shared code to \
         crate::kit or to the folder's mod.rs):\n{}",
        v.iter()
            .map(|(f, t)| format!("  pages/{f} -> {t}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_api_module_imports_another_api_module_or_a_page() {
    let mut files = vec![];
    rust_files(&src().join("api"), &mut files);
    let mut found: BTreeSet<(String, String)> = violations("api").into_iter().collect();
    // An API module reaching into the pages.
    for f in files {
        let rel = f.strip_prefix(src()).expect("under src").to_path_buf();
        let me = module_of(&rel);
        let code = std::fs::read_to_string(&f).expect("read");
        for p in paths_in(&code) {
            let abs = resolve(&me, &p);
            if abs.first().map(String::as_str) == Some("pages") {
                let shown = rel.strip_prefix("api").expect("api").to_string_lossy();
                found.insert((shown.to_string(), abs[..2.min(abs.len())].join("::")));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_API_VIOLATIONS
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    found.retain(|(_, target)| !API_KIT.contains(&target.as_str()));
    let new: Vec<_> = found.difference(&known).collect();
    let gone: Vec<_> = known.difference(&found).collect();
    assert!(
        new.is_empty(),
        "API modules importing other API or page modules: {new:?}"
    );
    assert!(
        gone.is_empty(),
        "fixed, remove from KNOWN_API_VIOLATIONS: {gone:?}"
    );
}

#[test]
fn the_checker_sees_what_it_must() {
    let code = "use super::{render, FormData};\nuse super::super::crm::options;\n\
                // use crate::pages::support::x;\nlet x = crate::pages::training::f(1);\n";
    let ps: Vec<String> = paths_in(code).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        ps,
        [
            "super::render",
            "super::FormData",
            "super::super::crm::options",
            "crate::pages::training::f",
        ]
    );
    let me: Vec<String> = ["pages", "support", "tickets"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        resolve(&me, &["super".into(), "super".into(), "crm".into()]).join("::"),
        "pages::crm"
    );
}

/// The lines of `code` (comments removed) that name the crate `name` as a
/// path (`name::…`), e.g. `use relais_store::crm::X;` or
/// `relais_store::parse_ts(s)`.
fn names_crate(code: &str, name: &str) -> Vec<usize> {
    let needle = format!("{name}::");
    code.lines()
        .enumerate()
        .filter(|(_, line)| {
            let line = match line.find("//") {
                Some(i) => &line[..i],
                None => line,
            };
            line.match_indices(&needle).any(|(i, _)| {
                !line[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Pages depend on the use cases (`relais_app`, whose modules re-export the
/// read models they return) and on the kit, never on the store: no page
/// names a `relais_store` type or function.
#[test]
fn no_page_module_names_the_store() {
    let mut files = vec![];
    rust_files(&src().join("pages"), &mut files);
    // The API's handlers too; its DTOs (api/dto) are the boundary where
    // store rows become the API's own types, so they may name them.
    let mut api = vec![];
    rust_files(&src().join("api"), &mut api);
    files.extend(
        api.into_iter()
            .filter(|f| !f.starts_with(src().join("api").join("dto"))),
    );
    let mut found = vec![];
    for f in files {
        let code = std::fs::read_to_string(&f).expect("read");
        for n in names_crate(&code, "relais_store") {
            let rel = f
                .strip_prefix(src())
                .expect("under src")
                .display()
                .to_string();
            found.push(format!("{rel}:{n}"));
        }
    }
    assert!(
        found.is_empty(),
        "page or API handler modules naming relais_store (use the relais_app \
         re-export or relais_app::stamps):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_store_check_sees_what_it_must() {
    let code = "use relais_store::crm::InstitutionRow;\n\
                // relais_store::x in a comment\n\
                let t = relais_store::parse_ts(s);\n\
                use my_relais_store::x;\n\
                use relais_app::crm::InstitutionRow;\n";
    assert_eq!(names_crate(code, "relais_store"), [1, 3]);
}
