//! The vocabulary of the field, kept as data admins edit (one line, one
//! term and its equivalent: an abbreviation and its expansion, a product
//! and its old name), read into the search index at start and after every
//! change; and the queries that found nothing (or only approximate
//! answers), counted without personal data for the knowledge managers.

use crate::{App, Result};
use relais_domain::accounts::{Actor, Role};
use relais_domain::shared::Violations;
use relais_domain::{DomainError, Id};
use relais_store::search_vocab as store;
pub use relais_store::search_vocab::{MissRow, VocabularyRow};

/// Kinds of vocabulary lines.
pub const KINDS: [&str; 3] = ["abreviation", "synonyme", "produit"];
const MAX_CHARS: usize = 120;

fn require(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

/// Reads the lines from the database into the open index (query time at
/// once; documents indexed from now on get the aliases).
pub async fn load_into_index(app: &App) -> Result<usize> {
    let rows = {
        let mut c = app.db.read().await?;
        store::list_vocabulary(&mut c).await?
    };
    let n = rows.len();
    if let Some(ix) = &app.search {
        ix.0.set_vocabulary(relais_search::Vocabulary::new(
            rows.iter()
                .map(|r| (r.term.as_str(), r.equivalent.as_str())),
        ));
    }
    Ok(n)
}

/// Every line (agency staff read it; admins edit it).
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<VocabularyRow>> {
    require(actor.role.is_agency())?;
    let mut c = app.db.read().await?;
    Ok(store::list_vocabulary(&mut c).await?)
}

/// A line as typed, checked: both sides non-empty, not only stop words,
/// not the same once analysed, at most 120 characters; `kind` one of
/// [`KINDS`] (empty: abreviation).
fn check(v: &mut Violations, term: &str, equivalent: &str, kind: &str) -> (String, String, String) {
    let (t, e) = (term.trim(), equivalent.trim());
    for (field, value) in [("term", t), ("equivalent", e)] {
        if value.is_empty() {
            v.push("required", field, "Champ obligatoire.");
        } else if value.chars().count() > MAX_CHARS {
            v.push("too_long", field, "120 caractères au plus.");
        } else if relais_search::analyse(value).is_empty() {
            v.push(
                "invalid",
                field,
                "Que des mots vides : la recherche n'en tiendrait pas compte.",
            );
        }
    }
    if !t.is_empty() && relais_search::analyse(t) == relais_search::analyse(e) {
        v.push(
            "invalid",
            "equivalent",
            "Le terme et son équivalent se lisent de la même façon.",
        );
    }
    let kind = match kind.trim() {
        "" => "abreviation",
        k if KINDS.contains(&k) => k,
        _ => {
            v.push(
                "invalid",
                "kind",
                "Type inconnu (abreviation, synonyme, produit).",
            );
            "abreviation"
        }
    };
    (t.to_string(), e.to_string(), kind.to_string())
}

/// Adds one line (admins). `false` when it was already there.
pub async fn add(
    app: &App,
    actor: &Actor,
    term: &str,
    equivalent: &str,
    kind: &str,
) -> Result<bool> {
    require(actor.role == Role::Admin)?;
    let mut v = Violations::default();
    let (t, e, k) = check(&mut v, term, equivalent, kind);
    v.into_result()?;
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    let added = store::insert_vocabulary(&mut tx, &Id::new().to_string(), &t, &e, &k, &now).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "search_vocabulary",
        Id::new(),
        "ajoute",
        &serde_json::json!({"term": t, "equivalent": e, "kind": k}),
        &now,
    )
    .await?;
    tx.commit().await?;
    load_into_index(app).await?;
    Ok(added)
}

/// Removes one line (admins).
pub async fn remove(app: &App, actor: &Actor, id: &str) -> Result<()> {
    require(actor.role == Role::Admin)?;
    let now = app.now_ts();
    let mut tx = app.db.begin().await?;
    store::delete_vocabulary(&mut tx, id).await?;
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "search_vocabulary",
        Id::new(),
        "supprime",
        &serde_json::json!({"id": id}),
        &now,
    )
    .await?;
    tx.commit().await?;
    load_into_index(app).await?;
    Ok(())
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub already: usize,
}

/// Imports CSV lines `terme;équivalent[;type]` (`,` also separates; a
/// first line `terme;equivalent…` is a header). All or nothing: one bad
/// line refuses the whole file, with the line numbers in French.
pub async fn import_csv(app: &App, actor: &Actor, text: &str) -> Result<ImportReport> {
    require(actor.role == Role::Admin)?;
    let mut lines = vec![];
    let mut errors: Vec<String> = vec![];
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let sep = if line.contains(';') { ';' } else { ',' };
        let cols: Vec<&str> = line
            .split(sep)
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        if i == 0 && relais_domain::fold(cols[0]).starts_with("terme") {
            continue;
        }
        if cols.len() < 2 || cols.len() > 3 {
            errors.push(format!(
                "ligne {} : deux ou trois colonnes attendues (terme;équivalent;type)",
                i + 1
            ));
            continue;
        }
        let mut v = Violations::default();
        let got = check(&mut v, cols[0], cols[1], cols.get(2).copied().unwrap_or(""));
        match v.into_result() {
            Ok(()) => lines.push(got),
            Err(DomainError::Invalid(fe)) => errors.push(format!(
                "ligne {} : {}",
                i + 1,
                fe.iter()
                    .map(|f| f.detail.clone())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        let mut v = Violations::default();
        v.push("invalid", "csv", errors.join(" ; "));
        v.into_result()?;
    }
    if lines.is_empty() {
        let mut v = Violations::default();
        v.push("required", "csv", "Aucune ligne à importer.");
        v.into_result()?;
    }
    let now = app.now_ts();
    let mut report = ImportReport::default();
    let mut tx = app.db.begin().await?;
    for (t, e, k) in &lines {
        if store::insert_vocabulary(&mut tx, &Id::new().to_string(), t, e, k, &now).await? {
            report.added += 1;
        } else {
            report.already += 1;
        }
    }
    relais_store::audit::record(
        &mut tx,
        Some(actor.user_id),
        "search_vocabulary",
        Id::new(),
        "importe",
        &serde_json::json!({"added": report.added, "already": report.already}),
        &now,
    )
    .await?;
    tx.commit().await?;
    load_into_index(app).await?;
    Ok(report)
}

/// A query as it is kept in the log: folded, lower case, digits and
/// anything shaped like an address or a reference masked, 120 characters
/// at most, so that no person can be read back from it.
pub fn anonymise(query: &str) -> String {
    let words: Vec<String> = relais_domain::fold(query)
        .split_whitespace()
        .map(|w| {
            if w.contains('@') || w.starts_with("http") {
                "…".to_string()
            } else {
                w.chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect()
            }
        })
        .collect();
    words.join(" ").chars().take(MAX_CHARS).collect()
}

/// Counts a query that found nothing (`aucun`) or only approximate answers
/// (`approche`). Never fails the search: a log error is only traced.
pub async fn record_miss(app: &App, query: &str, outcome: &'static str) {
    let q = anonymise(query);
    if q.is_empty() {
        return;
    }
    let day = app.clock.now().format("%Y-%m-%d").to_string();
    let res: Result<()> = async {
        let mut tx = app.db.begin().await?;
        store::record_miss(&mut tx, &q, outcome, &day).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = res {
        tracing::warn!("search miss not logged: {e}");
    }
}

/// The most frequent misses of the last `days` days (agency staff).
pub async fn top_misses(app: &App, actor: &Actor, days: i64, limit: i64) -> Result<Vec<MissRow>> {
    require(actor.role.is_agency())?;
    let since = (app.clock.now() - chrono::Duration::days(days.clamp(1, 3650)))
        .format("%Y-%m-%d")
        .to_string();
    let mut c = app.db.read().await?;
    Ok(store::top_misses(&mut c, &since, limit.clamp(1, 500)).await?)
}
