//! Where the bytes of stored files live (ticket attachments, publication
//! files): every node must read what another wrote. On PostgreSQL they go
//! into the database itself (`file_blobs`, parts of 1 MiB), in the
//! transaction of the row that points at them, so a committed row always
//! has its bytes and a rolled-back one leaves nothing behind; SQLite (one
//! node) keeps them in the attachments folder. The checks (size, empty
//! file, generated keys) stay with the callers, identical for both.

use crate::{App, AppError, Result};
use relais_store::{Conn, Engine};
use std::path::PathBuf;

/// Whether files go into the database rather than the folder.
pub fn in_database(app: &App) -> bool {
    app.db.engine() == Engine::Postgres
}

/// Stores `bytes` under the generated `key` as part of `tx`. Returns the
/// file written in the folder (SQLite), which the caller removes if the
/// transaction fails; `None` when the bytes are in the transaction.
pub(crate) async fn put(
    tx: &mut Conn,
    app: &App,
    key: &str,
    bytes: &[u8],
) -> Result<Option<PathBuf>> {
    let path = crate::attachments::storage_path(&app.settings.attachments_dir, key)?;
    if in_database(app) {
        relais_store::file_blobs::put(tx, key, bytes).await?;
        return Ok(None);
    }
    crate::attachments::write_file(&path, bytes)
        .await
        .map_err(|e| {
            AppError::Internal(format!(
                "writing a file under {}: {e}",
                app.settings.attachments_dir.display()
            ))
        })?;
    Ok(Some(path))
}

/// The bytes stored under `key`. On PostgreSQL, a file written to the
/// folder before files moved into the database is still read from there.
pub(crate) async fn get(app: &App, key: &str) -> Result<Vec<u8>> {
    let path = crate::attachments::storage_path(&app.settings.attachments_dir, key)?;
    if in_database(app) {
        let mut c = app.db.read().await?;
        match relais_store::file_blobs::get(&mut c, key).await {
            Ok(b) => return Ok(b),
            Err(relais_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tokio::fs::read(&path)
        .await
        .map_err(|e| AppError::Internal(format!("reading stored file {key}: {e}")))
}
