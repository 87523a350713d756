//! Ticket attachments: adding a file to a ticket (pages, API, inbound mail),
//! listing what a reader may see, and opening one file.
//!
//! Files live under `Settings::attachments_dir`, outside the web root, at
//! a generated `<2 hex>/<32 hex>` key: the name a person gave is only a
//! display name (made safe by `relais_mail::sanitize_filename`) and never
//! takes part in a path. A file is written to a temporary name, renamed in
//! place, and only then is its row committed; when the transaction fails
//! the file is removed, so a row never points at nothing and a failed
//! upload leaves no orphan behind.
//!
//! Who sees what: agency staff see every attachment; the ticket's own
//! institution sees the public ones; another institution sees the public
//! ones of a ticket shared with `share_attachments`, and nothing otherwise.
//! Internal attachments (beside internal notes) are for agents only. A
//! reader who may not see an attachment gets NotFound, exactly as if it did
//! not exist.

use crate::support::{is_agent, ticket_scope};
use crate::{App, AppError, Result};
use rand::RngCore;
use relais_domain::accounts::Actor;
use relais_domain::{DomainError, Id};
use relais_mail::MailAttachment;
pub use relais_store::attachments::AttachmentRow;
use relais_store::attachments::{self as store, NewAttachment};
use relais_store::support::{self as sstore, TicketRow};
use relais_store::Conn;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Shown instead of the uploader to another institution when the ticket's
/// owner did not choose to share the requester's identity.
pub const MASKED_UPLOADER: &str = "Auteur non communiqué";

/// A size in French units, for messages ("10 Mo", "512 Ko").
pub fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        let whole = bytes / MIB;
        if whole * MIB == bytes {
            format!("{whole} Mo")
        } else {
            format!("{:.1} Mo", bytes as f64 / MIB as f64).replace('.', ",")
        }
    } else {
        format!("{} Ko", bytes.div_ceil(1024))
    }
}

/// The refusal of a file over the limit (also used by the web layer when
/// the upload is cut short while it is read).
pub fn too_large(max: u64) -> AppError {
    DomainError::invalid(
        "attachment_too_large",
        "fichier",
        format!(
            "Le fichier dépasse la taille maximale autorisée ({}).",
            human_size(max)
        ),
    )
    .into()
}

pub(crate) fn empty_file() -> AppError {
    DomainError::invalid(
        "attachment_empty",
        "fichier",
        "Le fichier est vide : choisissez un fichier qui a un contenu.",
    )
    .into()
}

/// The declared type, kept for information only (files are always served
/// as `application/octet-stream`): lower-case `type/subtype` of token
/// characters, or `application/octet-stream`.
pub(crate) fn clean_content_type(raw: &str) -> String {
    let t = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 60
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    match t.split_once('/') {
        Some((a, b)) if token(a) && token(b) => t,
        _ => "application/octet-stream".into(),
    }
}

/// A fresh random key `<2 hex>/<32 hex>`: 122 random bits, so the first two
/// characters spread files over 256 folders evenly.
pub(crate) fn new_storage_key() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    let u = uuid::Builder::from_random_bytes(b)
        .into_uuid()
        .simple()
        .to_string();
    format!("{}/{u}", &u[..2])
}

/// The path of a stored key. Keys are generated here, but a row could have
/// been edited by hand: anything but `<2 hex>/<32 hex>` is refused rather
/// than joined to the folder.
pub(crate) fn storage_path(dir: &Path, key: &str) -> Result<PathBuf> {
    let ok = key.len() == 35
        && key.as_bytes()[2] == b'/'
        && key
            .char_indices()
            .all(|(i, c)| i == 2 || c.is_ascii_hexdigit())
        && key[3..].starts_with(&key[..2]);
    if !ok {
        return Err(AppError::Internal(format!("bad storage key {key:?}")));
    }
    Ok(dir.join(key))
}

/// Writes the bytes to a temporary file beside their final place, then
/// renames it there, so that a crash never leaves a half-written file under
/// a stored key.
pub(crate) async fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let parent = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent folder"))?;
    tokio::fs::create_dir_all(parent).await?;
    let mut r = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut r);
    let tmp = parent.join(format!(".tmp-{}", hex::encode(r)));
    let written = async {
        let mut opts = tokio::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        opts.mode(0o640);
        let mut f = opts.open(&tmp).await?;
        f.write_all(bytes).await?;
        f.sync_all().await?;
        drop(f);
        tokio::fs::rename(&tmp, path).await?;
        // The rename itself is made durable before the row that points at
        // the file can commit.
        #[cfg(unix)]
        tokio::fs::File::open(parent).await?.sync_all().await?;
        Ok(())
    }
    .await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    written
}

pub(crate) async fn remove_files(paths: &[PathBuf]) {
    for p in paths {
        if let Err(e) = tokio::fs::remove_file(p).await {
            tracing::warn!(error = %e, "could not remove an attachment file after a failed write");
        }
    }
}

/// One file to keep.
struct Upload<'a> {
    file_name: &'a str,
    content_type: &'a str,
    bytes: &'a [u8],
    internal: bool,
    message_id: Option<Id>,
    uploader_name: &'a str,
}

/// Who adds a file: an account, or a sender without one (a CRM contact
/// or a stranger writing by mail, named by their mail's From:).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Uploader<'a> {
    pub user_id: Option<Id>,
    pub name: &'a str,
}

impl<'a> Uploader<'a> {
    pub(crate) fn of(actor: &'a Actor) -> Self {
        Uploader {
            user_id: Some(actor.user_id),
            name: &actor.display_name,
        }
    }
}

/// Writes the file and its row (with the history event) inside `tx`.
/// Returns the path written (SQLite: a file in the folder; PostgreSQL: none,
/// the bytes are in the transaction), which the caller removes if the
/// commit fails; on an error here the file is already removed.
async fn store_in_tx(
    tx: &mut Conn,
    app: &App,
    by: Uploader<'_>,
    ticket: Id,
    up: Upload<'_>,
    index: usize,
) -> Result<(Id, Option<PathBuf>)> {
    let max = app.settings.max_attachment_bytes;
    if up.bytes.is_empty() {
        return Err(empty_file());
    }
    if up.bytes.len() as u64 > max {
        return Err(too_large(max));
    }
    let file_name = relais_mail::sanitize_filename(up.file_name, index);
    let key = new_storage_key();
    let path = crate::files::put(tx, app, &key, up.bytes).await?;
    let id = Id::new();
    let now = app.now_ts();
    let row = NewAttachment {
        id,
        ticket_id: ticket,
        message_id: up.message_id,
        internal: up.internal,
        file_name: file_name.clone(),
        content_type: clean_content_type(up.content_type),
        size_bytes: up.bytes.len() as i64,
        sha256: hex::encode(Sha256::digest(up.bytes)),
        storage_key: key,
        uploaded_by: by.user_id,
        uploaded_by_name: up.uploader_name.chars().take(200).collect(),
    };
    let saved = async {
        store::insert_attachment(tx, &row, &now).await?;
        // Members read their ticket's history: the name of an internal
        // file goes under a field that their view leaves out.
        let field = if up.internal {
            "attachment_internal"
        } else {
            "attachment"
        };
        sstore::insert_event(
            tx,
            ticket,
            by.user_id,
            by.name,
            field,
            None,
            Some(&file_name),
            &now,
        )
        .await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(e) = saved {
        remove_files(path.as_slice()).await;
        return Err(e);
    }
    Ok((id, path))
}

fn own_ticket(actor: &Actor, t: &TicketRow) -> bool {
    actor.institution_id.map(|i| i.to_string()) == Some(t.institution_id.clone())
}

/// Adds a file to a ticket. The actor must be allowed to reply on it (an
/// agent, or a member of the ticket's own institution); internal files are
/// for agents only. Refuses empty files (`attachment_empty`), files over
/// `max_attachment_bytes` (`attachment_too_large`) and closed tickets.
pub async fn add_attachment(
    app: &App,
    actor: &Actor,
    ticket_id: Id,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
    internal: bool,
) -> Result<Id> {
    // Cheap refusals first, before any lock is taken.
    if bytes.is_empty() {
        return Err(empty_file());
    }
    if bytes.len() as u64 > app.settings.max_attachment_bytes {
        return Err(too_large(app.settings.max_attachment_bytes));
    }
    let mut tx = app.db.begin().await?;
    let t = sstore::get_ticket(&mut tx, ticket_scope(actor), ticket_id).await?;
    let allowed = is_agent(actor) || (own_ticket(actor, &t) && !internal);
    if !allowed {
        return Err(DomainError::Forbidden.into());
    }
    if t.status == "clos" {
        return Err(DomainError::invalid(
            "ticket_closed",
            "fichier",
            "Ce ticket est clos : ouvrez-en un nouveau.",
        )
        .into());
    }
    let (id, path) = store_in_tx(
        &mut tx,
        app,
        Uploader::of(actor),
        ticket_id,
        Upload {
            file_name,
            content_type,
            bytes,
            internal,
            message_id: None,
            uploader_name: &actor.display_name,
        },
        1,
    )
    .await?;
    if let Err(e) = tx.commit().await {
        remove_files(path.as_slice()).await;
        return Err(e.into());
    }
    Ok(id)
}

/// What a reader may see of a ticket's attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Agency staff: everything, internal files included.
    All,
    /// The ticket's own institution: public files.
    Public,
    /// Another institution, on a ticket shared with its attachments:
    /// public files, the uploader masked unless the requester is shared.
    Shared {
        show_uploader: bool,
    },
    None,
}

fn access(actor: &Actor, t: &TicketRow) -> Access {
    if actor.role.is_agency() {
        Access::All
    } else if own_ticket(actor, t) {
        Access::Public
    } else if t.shared == 1 && t.share_attachments == 1 {
        Access::Shared {
            show_uploader: t.share_requester == 1,
        }
    } else {
        Access::None
    }
}

fn visible(access: Access, a: &AttachmentRow) -> bool {
    match access {
        Access::All => true,
        Access::Public | Access::Shared { .. } => a.visibility == "public",
        Access::None => false,
    }
}

fn present(access: Access, mut a: AttachmentRow) -> AttachmentRow {
    if let Access::Shared {
        show_uploader: false,
    } = access
    {
        a.uploaded_by = None;
        a.uploaded_by_name = MASKED_UPLOADER.into();
    }
    a
}

/// The attachments of a ticket the actor may see (NotFound when the ticket
/// itself is out of reach).
pub async fn list_attachments(
    app: &App,
    actor: &Actor,
    ticket_id: Id,
) -> Result<Vec<AttachmentRow>> {
    let mut c = app.db.read().await?;
    let t = sstore::get_ticket(&mut c, ticket_scope(actor), ticket_id).await?;
    let access = access(actor, &t);
    if access == Access::None {
        return Ok(vec![]);
    }
    let rows = store::list_attachments(&mut c, ticket_id, access != Access::All).await?;
    Ok(rows
        .into_iter()
        .filter(|a| visible(access, a))
        .map(|a| present(access, a))
        .collect())
}

/// One attachment and its bytes; NotFound whenever the reader may not see
/// it, exactly as when it does not exist.
pub async fn open_attachment(
    app: &App,
    actor: &Actor,
    ticket_id: Id,
    attachment_id: Id,
) -> Result<(AttachmentRow, Vec<u8>)> {
    let row = {
        let mut c = app.db.read().await?;
        let t = sstore::get_ticket(&mut c, ticket_scope(actor), ticket_id).await?;
        let access = access(actor, &t);
        let row = store::get_attachment(&mut c, ticket_id, attachment_id).await?;
        if !visible(access, &row) {
            return Err(DomainError::NotFound.into());
        }
        present(access, row)
    };
    let bytes = crate::files::get(app, &row.storage_key).await?;
    Ok((row, bytes))
}

/// Keeps the attachments of an inbound mail on the ticket it opened or
/// answered (public, uploaded by the sender's account — none for a contact
/// without one —, named after the sender). Files over the limit are skipped
/// and noted in the ticket's history; empty parts are dropped. All in one
/// transaction: either every kept file has its row, or none is left on disk.
pub(crate) async fn keep_mail_attachments(
    app: &App,
    by: Uploader<'_>,
    ticket: Id,
    message: Option<Id>,
    sender: &str,
    parts: &[MailAttachment],
) -> Result<usize> {
    if parts.is_empty() {
        return Ok(0);
    }
    let max = app.settings.max_attachment_bytes;
    let mut tx = app.db.begin().await?;
    let message = match message {
        Some(m) => Some(m),
        // A new ticket: its first message is the mail's body.
        None => sstore::list_messages(&mut tx, ticket, false)
            .await?
            .first()
            .and_then(|m| Id::parse(&m.id)),
    };
    let mut written: Vec<PathBuf> = Vec::new();
    let mut kept = 0;
    let now = app.now_ts();
    for (i, part) in parts.iter().enumerate() {
        if part.data.is_empty() {
            continue;
        }
        if part.data.len() as u64 > max {
            let name = relais_mail::sanitize_filename(&part.filename, i + 1);
            let note = format!(
                "{name} ({}, au-delà de la limite de {}) : pièce non conservée",
                human_size(part.data.len() as u64),
                human_size(max)
            );
            if let Err(e) = sstore::insert_event(
                &mut tx,
                ticket,
                by.user_id,
                by.name,
                "attachment_skipped",
                None,
                Some(&note),
                &now,
            )
            .await
            {
                remove_files(&written).await;
                return Err(e.into());
            }
            continue;
        }
        let up = Upload {
            file_name: &part.filename,
            content_type: &part.content_type,
            bytes: &part.data,
            internal: false,
            message_id: message,
            uploader_name: sender,
        };
        match store_in_tx(&mut tx, app, by, ticket, up, i + 1).await {
            Ok((_, path)) => {
                written.extend(path);
                kept += 1;
            }
            Err(e) => {
                remove_files(&written).await;
                return Err(e);
            }
        }
    }
    if let Err(e) = tx.commit().await {
        remove_files(&written).await;
        return Err(e.into());
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_keys_are_generated_and_checked() {
        let k = new_storage_key();
        assert_eq!(k.len(), 35);
        let p = storage_path(Path::new("/srv/pj"), &k).expect("valid");
        assert!(p.starts_with("/srv/pj"));
        assert_ne!(new_storage_key(), k);
        for bad in [
            "../../etc/passwd",
            "ab/../../../../../../etc/passwd0000",
            "/etc/passwd",
            "zz/zz00000000000000000000000000000",
            "ab/cd000000000000000000000000000000",
        ] {
            assert!(storage_path(Path::new("/srv/pj"), bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn content_types_are_tidied() {
        assert_eq!(clean_content_type("Text/HTML; charset=utf-8"), "text/html");
        assert_eq!(
            clean_content_type("image/png\r\nX-Evil: 1"),
            "application/octet-stream"
        );
        assert_eq!(clean_content_type(""), "application/octet-stream");
    }

    #[test]
    fn sizes_in_french() {
        assert_eq!(human_size(10 * 1024 * 1024), "10 Mo");
        assert_eq!(human_size(1536 * 1024), "1,5 Mo");
        assert_eq!(human_size(1000), "1 Ko");
    }
}
