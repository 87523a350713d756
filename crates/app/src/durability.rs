//! Never acknowledge what is not stored: the answers kept for idempotent
//! API writes, and the sweep of attachment files that no row points at
//! (left by a crash between a file's write and its row's commit, or by a
//! removal that failed).

use crate::{App, Result};
use relais_store::idempotency::{self as store, IdempotentAnswer};
use std::path::Path;

/// How long an idempotency key is remembered.
pub const IDEMPOTENCY_HOURS: i64 = 24;

/// The answer kept for this caller's key, if any.
pub async fn idempotent_answer(
    app: &App,
    principal: &str,
    key: &str,
) -> Result<Option<IdempotentAnswer>> {
    let mut c = app.db.read().await?;
    Ok(store::find(&mut c, principal, key).await?)
}

/// Keeps the first answer to a key.
pub async fn keep_idempotent_answer(app: &App, answer: &IdempotentAnswer) -> Result<()> {
    let mut tx = app.db.begin().await?;
    store::insert(&mut tx, answer).await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets keys older than [`IDEMPOTENCY_HOURS`].
pub async fn purge_idempotency_keys(app: &App) -> Result<u64> {
    let before = relais_store::ts(app.clock.now() - chrono::Duration::hours(IDEMPOTENCY_HOURS));
    let mut tx = app.db.begin().await?;
    let n = store::purge_before(&mut tx, &before).await?;
    tx.commit().await?;
    Ok(n)
}

/// Removes files of the attachments folder that no row references and
/// that are older than `min_age` (so an upload whose row is about to
/// commit is left alone), and temporary files of interrupted writes.
/// Returns how many files were removed.
pub async fn sweep_orphan_files(app: &App, min_age: std::time::Duration) -> Result<usize> {
    let dir = app.settings.attachments_dir.clone();
    let mut removed = 0;
    let Ok(mut top) = tokio::fs::read_dir(&dir).await else {
        return Ok(0);
    };
    while let Some(sub) = top.next_entry().await.ok().flatten() {
        let prefix = sub.file_name().to_string_lossy().to_string();
        if prefix.len() != 2 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(mut files) = tokio::fs::read_dir(sub.path()).await else {
            continue;
        };
        while let Some(f) = files.next_entry().await.ok().flatten() {
            let name = f.file_name().to_string_lossy().to_string();
            if !old_enough(&f.path(), min_age).await {
                continue;
            }
            let orphan = if name.starts_with(".tmp-") {
                true
            } else {
                let key = format!("{prefix}/{name}");
                let mut c = app.db.read().await?;
                !store::storage_key_used(&mut c, &key).await?
            };
            if orphan {
                match tokio::fs::remove_file(f.path()).await {
                    Ok(()) => removed += 1,
                    Err(e) => tracing::warn!(error = %e, "orphan file not removed"),
                }
            }
        }
    }
    if removed > 0 {
        tracing::info!(removed, "orphan attachment files swept");
    }
    Ok(removed)
}

async fn old_enough(path: &Path, min_age: std::time::Duration) -> bool {
    match tokio::fs::metadata(path).await.and_then(|m| m.modified()) {
        Ok(t) => t.elapsed().map(|e| e >= min_age).unwrap_or(false),
        Err(_) => false,
    }
}
