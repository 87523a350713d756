//! Mailbox polling (issue 20, item 4): the alternative to the MTA pipe.
//! Relais reads one or more IMAP mailboxes (`[[imap]]` in the
//! configuration), hands each message to the same gate as `mail-ingest`
//! (`mail_io::ingest_delivered`) and only then moves, flags or deletes it
//! on the server.
//!
//! Nothing is lost, nothing is handled twice:
//! - a message is fetched with `BODY.PEEK[]` (the server marks nothing) and
//!   is moved, flagged or deleted only once its ticket, reply, ignored mark
//!   or quarantine entry is committed; a crash or a cut connection between
//!   the two leaves it in the folder, the next pass fetches it again and the
//!   Message-ID ledger answers « duplicate » (a message without a
//!   Message-ID is keyed by a digest of its bytes), so it is only moved;
//! - UIDs are never kept from one session to the next: each pass searches
//!   the folder again, so a change of UIDVALIDITY (a restored or rebuilt
//!   folder) only means every message left there is read again, which the
//!   ledger de-duplicates; the change is logged;
//! - a message Relais cannot store now (the database is unreachable) is
//!   left where it is and retried with a growing delay, never in a loop.
//!
//! Transport: TLS on connect (993), STARTTLS, or plain TCP (a local server
//! only); a password (or a password file) or an OAuth2 access token
//! (`XOAUTH2`, Microsoft 365 and Google; the token file is refreshed by
//! another tool). IDLE is used where the server offers it, else the folder
//! is polled every `poll_secs`.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::{Client, Session};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::mail_io::{Delivery, IngestOutcome, MailSettings};
use crate::{App, AppError, Result};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ImapTls {
    /// TLS from the first byte (port 993).
    #[default]
    Tls,
    /// Plain connection upgraded by `STARTTLS` (port 143).
    Starttls,
    /// No encryption: only for a server on the same machine.
    None,
}

/// What happens on the server to a message once Relais has committed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnDone {
    /// Moved to `done_folder` (created when missing).
    #[default]
    Move,
    /// Left in place, flagged `\Seen` and `$RelaisTraite`.
    Flag,
    /// Deleted (and expunged).
    Delete,
}

/// One polled mailbox (`[[imap]]` in `relais.toml`).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ImapMailbox {
    /// A name for the logs; empty: `user@host/folder`.
    pub name: String,
    pub host: String,
    pub port: u16,
    pub tls: ImapTls,
    pub user: String,
    pub password: String,
    /// Read at each connection (first line), instead of `password`.
    pub password_file: String,
    /// An OAuth2 access token file (XOAUTH2), read at each connection.
    pub oauth2_token_file: String,
    /// An extra trusted certificate authority (PEM), for a server with its
    /// own certificate; the usual roots are always trusted.
    pub ca_file: String,
    /// The folder read.
    pub folder: String,
    /// The address of this mailbox: its rule for unknown senders
    /// (`/admin/courriel`) applies to the messages read here.
    pub route: String,
    pub on_done: OnDone,
    pub done_folder: String,
    /// Where quarantined messages go on the server (kept, out of the
    /// folder read); empty: treated as the others.
    pub held_folder: String,
    /// Seconds between two passes without IDLE, and the longest IDLE wait.
    pub poll_secs: u64,
    /// Use IDLE when the server offers it.
    pub idle: bool,
}

impl Default for ImapMailbox {
    fn default() -> Self {
        ImapMailbox {
            name: String::new(),
            host: String::new(),
            port: 993,
            tls: ImapTls::Tls,
            user: String::new(),
            password: String::new(),
            password_file: String::new(),
            oauth2_token_file: String::new(),
            ca_file: String::new(),
            folder: "INBOX".into(),
            route: String::new(),
            on_done: OnDone::Move,
            done_folder: "Relais-traites".into(),
            held_folder: "Relais-quarantaine".into(),
            poll_secs: 60,
            idle: true,
        }
    }
}

impl fmt::Debug for ImapMailbox {
    // Secrets are never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapMailbox")
            .field("name", &self.label())
            .field("tls", &self.tls)
            .field("route", &self.route)
            .field("on_done", &self.on_done)
            .finish_non_exhaustive()
    }
}

impl ImapMailbox {
    /// The name used in logs.
    pub fn label(&self) -> String {
        if self.name.trim().is_empty() {
            format!("{}@{}/{}", self.user, self.host, self.folder)
        } else {
            self.name.clone()
        }
    }

    /// Refuses a configuration that cannot work, in French.
    pub fn check(&self) -> std::result::Result<(), String> {
        let l = self.label();
        if self.host.trim().is_empty() || self.user.trim().is_empty() {
            return Err(format!("boîte IMAP {l} : host et user sont requis"));
        }
        let secrets = [
            !self.password.is_empty(),
            !self.password_file.trim().is_empty(),
            !self.oauth2_token_file.trim().is_empty(),
        ];
        if secrets.iter().filter(|s| **s).count() != 1 {
            return Err(format!(
                "boîte IMAP {l} : indiquez un seul de password, password_file ou oauth2_token_file"
            ));
        }
        if self.folder.trim().is_empty() {
            return Err(format!("boîte IMAP {l} : folder est vide"));
        }
        if self.on_done == OnDone::Move && self.done_folder.trim().is_empty() {
            return Err(format!(
                "boîte IMAP {l} : on_done = \"move\" demande done_folder"
            ));
        }
        if [&self.done_folder, &self.held_folder]
            .iter()
            .any(|f| f.trim() == self.folder.trim())
        {
            return Err(format!(
                "boîte IMAP {l} : done_folder et held_folder doivent différer de folder"
            ));
        }
        if self.poll_secs == 0 {
            return Err(format!("boîte IMAP {l} : poll_secs doit être positif"));
        }
        Ok(())
    }
}

/// What one pass over a folder did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    pub fetched: usize,
    pub tickets: usize,
    pub replies: usize,
    pub ignored: usize,
    /// Already handled (a re-fetch after a crash or a cut connection).
    pub duplicates: usize,
    pub quarantined: usize,
    /// Left on the server for a later pass (Relais could not store them now).
    pub failed: usize,
    pub uid_validity: Option<u32>,
}

/// Anything async-imap can talk over: plain TCP or TLS, boxed.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}

/// The connection to the server.
#[derive(Debug)]
pub struct ImapStream(Box<dyn Io>);

impl AsyncRead for ImapStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImapStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

type Imap = Session<ImapStream>;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// No single pass (or IDLE exchange) may hang longer than this.
const PASS_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// IDLE is renewed before the 30 minutes after which servers may drop it.
const IDLE_MAX: Duration = Duration::from_secs(25 * 60);
/// The keyword of handled messages in `flag` mode.
const DONE_KEYWORD: &str = "$RelaisTraite";

fn imap_err(mb: &ImapMailbox, what: &str, e: impl fmt::Display) -> AppError {
    AppError::Internal(format!("IMAP {} : {what} : {e}", mb.label()))
}

fn read_secret(mb: &ImapMailbox, path: &str) -> Result<String> {
    let s = std::fs::read_to_string(path.trim())
        .map_err(|e| imap_err(mb, &format!("lecture de {path}"), e))?;
    Ok(s.lines().next().unwrap_or("").trim().to_string())
}

fn tls_connector(mb: &ImapMailbox) -> Result<tokio_rustls::TlsConnector> {
    use tokio_rustls::rustls;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if !mb.ca_file.trim().is_empty() {
        use rustls::pki_types::pem::PemObject as _;
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(mb.ca_file.trim())
            .map_err(|e| imap_err(mb, "ca_file", e))?;
        for c in certs {
            let c = c.map_err(|e| imap_err(mb, "ca_file", e))?;
            roots.add(c).map_err(|e| imap_err(mb, "ca_file", e))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| imap_err(mb, "tls", e))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

async fn tls_wrap(mb: &ImapMailbox, tcp: TcpStream) -> Result<ImapStream> {
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(mb.host.trim().to_string())
        .map_err(|e| imap_err(mb, "nom du serveur", e))?;
    let tls = tls_connector(mb)?
        .connect(name, tcp)
        .await
        .map_err(|e| imap_err(mb, "négociation TLS", e))?;
    Ok(ImapStream(Box::new(tls)))
}

/// The XOAUTH2 SASL exchange (RFC 7628 shape used by Google and Microsoft).
struct XOAuth2 {
    user: String,
    token: String,
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = String;
    fn process(&mut self, _challenge: &[u8]) -> String {
        format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token)
    }
}

/// Opens an authenticated session.
pub async fn connect(mb: &ImapMailbox) -> Result<Imap> {
    let tcp = tokio::time::timeout(
        CONNECT_TIMEOUT,
        TcpStream::connect((mb.host.trim(), mb.port)),
    )
    .await
    .map_err(|e| imap_err(mb, "connexion", e))?
    .map_err(|e| imap_err(mb, "connexion", e))?;
    let stream = match mb.tls {
        ImapTls::Tls => tls_wrap(mb, tcp).await?,
        ImapTls::None => ImapStream(Box::new(tcp)),
        ImapTls::Starttls => {
            let mut client = Client::new(tcp);
            client
                .read_response()
                .await
                .map_err(|e| imap_err(mb, "accueil", e))?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| imap_err(mb, "STARTTLS", e))?;
            tls_wrap(mb, client.into_inner()).await?
        }
    };
    let mut client = Client::new(stream);
    if mb.tls != ImapTls::Starttls {
        client
            .read_response()
            .await
            .map_err(|e| imap_err(mb, "accueil", e))?;
    }
    let session = if !mb.oauth2_token_file.trim().is_empty() {
        let auth = XOAuth2 {
            user: mb.user.clone(),
            token: read_secret(mb, &mb.oauth2_token_file)?,
        };
        client.authenticate("XOAUTH2", auth).await
    } else {
        let password = if mb.password_file.trim().is_empty() {
            mb.password.clone()
        } else {
            read_secret(mb, &mb.password_file)?
        };
        client.login(mb.user.trim(), password).await
    };
    session.map_err(|(e, _)| imap_err(mb, "authentification", e))
}

/// Consumes a response stream of async-imap, failing on its first error.
async fn drain<T, S>(mb: &ImapMailbox, what: &str, s: S) -> Result<Vec<T>>
where
    S: futures_util::Stream<Item = async_imap::error::Result<T>>,
{
    let items: Vec<_> = s.collect().await;
    items
        .into_iter()
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| imap_err(mb, what, e))
}

/// A poller of one mailbox; it remembers the folder's UIDVALIDITY only to
/// report a change.
pub struct Poller {
    pub mailbox: ImapMailbox,
    last_validity: Option<u32>,
}

impl Poller {
    pub fn new(mailbox: ImapMailbox) -> Self {
        Poller {
            mailbox,
            last_validity: None,
        }
    }

    /// Connects, reads every message waiting in the folder, logs out.
    pub async fn poll_once(&mut self, app: &App, settings: &MailSettings) -> Result<PassReport> {
        let mut s = connect(&self.mailbox).await?;
        let caps = s
            .capabilities()
            .await
            .map_err(|e| imap_err(&self.mailbox, "CAPABILITY", e))?;
        let report = self
            .pass(
                &mut s,
                caps.has_str("MOVE"),
                caps.has_str("UIDPLUS"),
                app,
                settings,
            )
            .await;
        let _ = s.logout().await;
        report
    }

    /// Polls for ever: a pass, then IDLE (or a pause), again; on any
    /// connection error a new connection after a growing delay (5 s
    /// doubling up to 15 min), logged each time.
    pub async fn run(mut self, app: App, settings: MailSettings) {
        let mut failures: u32 = 0;
        loop {
            match self.session(&app, &settings, &mut failures).await {
                Ok(()) => {}
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let wait = retry_delay(failures);
                    tracing::error!(mailbox = %self.mailbox.label(), error = %e, attempt = failures,
                        retry_in_secs = wait.as_secs(), "IMAP polling failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One connection: passes separated by IDLE or a pause, until an error.
    async fn session(
        &mut self,
        app: &App,
        settings: &MailSettings,
        failures: &mut u32,
    ) -> Result<()> {
        let mb = self.mailbox.clone();
        let mut s = connect(&mb).await?;
        let caps = s
            .capabilities()
            .await
            .map_err(|e| imap_err(&mb, "CAPABILITY", e))?;
        let (has_move, has_uidplus) = (caps.has_str("MOVE"), caps.has_str("UIDPLUS"));
        let idle = mb.idle && caps.has_str("IDLE");
        drop(caps);
        let pause = Duration::from_secs(mb.poll_secs.max(1));
        loop {
            let report = tokio::time::timeout(
                PASS_TIMEOUT,
                self.pass(&mut s, has_move, has_uidplus, app, settings),
            )
            .await
            .map_err(|e| imap_err(&mb, "passe trop longue", e))??;
            if report.fetched > 0 {
                tracing::info!(mailbox = %mb.label(), ?report, "IMAP pass");
            }
            if report.failed > 0 {
                // Relais could not store some messages: they stay on the
                // server; wait longer each time before trying again.
                *failures = failures.saturating_add(1);
                tokio::time::sleep(retry_delay(*failures)).await;
                continue;
            }
            *failures = 0;
            if idle {
                let mut handle = s.idle();
                handle.init().await.map_err(|e| imap_err(&mb, "IDLE", e))?;
                let (wait, stop) = handle.wait_with_timeout(pause.min(IDLE_MAX));
                let waited = wait.await;
                drop(stop);
                waited.map_err(|e| imap_err(&mb, "IDLE", e))?;
                s = tokio::time::timeout(CONNECT_TIMEOUT, handle.done())
                    .await
                    .map_err(|e| imap_err(&mb, "fin d'IDLE", e))?
                    .map_err(|e| imap_err(&mb, "fin d'IDLE", e))?;
            } else {
                tokio::time::sleep(pause).await;
                // Keeps the connection alive and lets the server report news.
                s.noop().await.map_err(|e| imap_err(&mb, "NOOP", e))?;
            }
        }
    }

    /// Creates a folder unless it exists.
    async fn ensure_folder(&self, s: &mut Imap, folder: &str) -> Result<()> {
        let mb = &self.mailbox;
        let found = {
            let list = s
                .list(None, Some(folder))
                .await
                .map_err(|e| imap_err(mb, "LIST", e))?;
            drain(mb, "LIST", list).await?
        };
        if found.iter().any(|n| n.name() == folder) {
            return Ok(());
        }
        s.create(folder)
            .await
            .map_err(|e| imap_err(mb, &format!("création du dossier {folder}"), e))
    }

    async fn pass(
        &mut self,
        s: &mut Imap,
        has_move: bool,
        has_uidplus: bool,
        app: &App,
        settings: &MailSettings,
    ) -> Result<PassReport> {
        let mb = self.mailbox.clone();
        let mut report = PassReport::default();
        for f in [
            (mb.on_done == OnDone::Move).then_some(mb.done_folder.trim()),
            Some(mb.held_folder.trim()).filter(|f| !f.is_empty()),
        ]
        .into_iter()
        .flatten()
        {
            self.ensure_folder(s, f).await?;
        }
        let selected = s
            .select(mb.folder.trim())
            .await
            .map_err(|e| imap_err(&mb, "SELECT", e))?;
        report.uid_validity = selected.uid_validity;
        if let (Some(old), Some(new)) = (self.last_validity, selected.uid_validity) {
            if old != new {
                tracing::warn!(mailbox = %mb.label(), old, new,
                    "UIDVALIDITY changed: every message left in the folder is read again; the Message-ID ledger keeps them from being handled twice");
            }
        }
        self.last_validity = selected.uid_validity;
        let query = match mb.on_done {
            OnDone::Flag => format!("UNDELETED UNKEYWORD {DONE_KEYWORD}"),
            _ => "UNDELETED".to_string(),
        };
        let mut uids: Vec<u32> = s
            .uid_search(&query)
            .await
            .map_err(|e| imap_err(&mb, "SEARCH", e))?
            .into_iter()
            .collect();
        uids.sort_unstable();
        let route = Some(mb.route.trim().to_lowercase()).filter(|r| !r.is_empty());
        let mut expunge: Vec<u32> = Vec::new();
        for uid in uids {
            let Some(raw) = self.fetch(s, uid).await? else {
                continue; // gone meanwhile (another client)
            };
            report.fetched += 1;
            let outcome = match raw {
                Fetched::Whole(raw) => {
                    let delivery = Delivery {
                        mailbox: route.clone(),
                        fallback_id: Some(fallback_id(&raw)),
                    };
                    crate::mail_io::ingest_delivered(app, settings, &raw, &delivery).await
                }
                Fetched::TooLarge(size, header) => {
                    crate::mail_gate::hold(
                        app,
                        &header,
                        &format!(
                            "message trop volumineux ({size} octets, limite {}) : seul l'en-tête est gardé, le message reste sur le serveur",
                            relais_mail::MAX_MESSAGE_BYTES
                        ),
                        None,
                        None,
                    )
                    .await
                }
            };
            let held = match &outcome {
                Ok(IngestOutcome::NewTicket(_)) => {
                    report.tickets += 1;
                    false
                }
                Ok(IngestOutcome::Reply { .. }) => {
                    report.replies += 1;
                    false
                }
                Ok(IngestOutcome::Ignored(k)) if k == "duplicate" => {
                    report.duplicates += 1;
                    false
                }
                Ok(IngestOutcome::Ignored(_)) => {
                    report.ignored += 1;
                    false
                }
                Ok(IngestOutcome::Quarantined { .. }) => {
                    report.quarantined += 1;
                    true
                }
                Err(e) => {
                    // Not stored: left untouched for a later pass.
                    tracing::warn!(mailbox = %mb.label(), uid, error = %e,
                        "message not stored; left on the server for the next pass");
                    report.failed += 1;
                    continue;
                }
            };
            if let Some(u) = self.finish(s, uid, held, has_move).await? {
                expunge.push(u);
            }
        }
        if !expunge.is_empty() {
            if has_uidplus {
                let set = expunge
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                let st = s
                    .uid_expunge(&set)
                    .await
                    .map_err(|e| imap_err(&mb, "EXPUNGE", e))?;
                drain(&mb, "EXPUNGE", st).await?;
            } else {
                let st = s.expunge().await.map_err(|e| imap_err(&mb, "EXPUNGE", e))?;
                drain(&mb, "EXPUNGE", st).await?;
            }
        }
        Ok(report)
    }

    /// The message's bytes, read without marking it (`BODY.PEEK`).
    async fn fetch(&self, s: &mut Imap, uid: u32) -> Result<Option<Fetched>> {
        let mb = &self.mailbox;
        let size = {
            let st = s
                .uid_fetch(uid.to_string(), "(UID RFC822.SIZE)")
                .await
                .map_err(|e| imap_err(mb, "FETCH", e))?;
            let items = drain(mb, "FETCH", st).await?;
            match items.iter().find(|f| f.uid == Some(uid)) {
                Some(f) => f.size.unwrap_or(0) as usize,
                None => return Ok(None),
            }
        };
        let too_large = size > relais_mail::MAX_MESSAGE_BYTES;
        let query = if too_large {
            "(UID BODY.PEEK[HEADER])"
        } else {
            "(UID BODY.PEEK[])"
        };
        let st = s
            .uid_fetch(uid.to_string(), query)
            .await
            .map_err(|e| imap_err(mb, "FETCH", e))?;
        let items = drain(mb, "FETCH", st).await?;
        let Some(f) = items.iter().find(|f| f.uid == Some(uid)) else {
            return Ok(None);
        };
        Ok(Some(if too_large {
            Fetched::TooLarge(size, f.header().unwrap_or_default().to_vec())
        } else {
            Fetched::Whole(f.body().unwrap_or_default().to_vec())
        }))
    }

    /// Moves, flags or deletes a committed message. Returns the UID to
    /// expunge, if any.
    async fn finish(
        &self,
        s: &mut Imap,
        uid: u32,
        held: bool,
        has_move: bool,
    ) -> Result<Option<u32>> {
        let mb = &self.mailbox;
        let target = if held && !mb.held_folder.trim().is_empty() {
            Some(mb.held_folder.trim())
        } else if mb.on_done == OnDone::Move {
            Some(mb.done_folder.trim())
        } else {
            None
        };
        let set = uid.to_string();
        let flags = match (target, mb.on_done) {
            (Some(folder), _) => {
                if has_move {
                    s.uid_mv(&set, folder)
                        .await
                        .map_err(|e| imap_err(mb, "MOVE", e))?;
                    return Ok(None);
                }
                s.uid_copy(&set, folder)
                    .await
                    .map_err(|e| imap_err(mb, "COPY", e))?;
                "+FLAGS.SILENT (\\Deleted)"
            }
            (None, OnDone::Delete) => "+FLAGS.SILENT (\\Deleted)",
            (None, _) => "+FLAGS.SILENT (\\Seen $RelaisTraite)",
        };
        let st = s
            .uid_store(&set, flags)
            .await
            .map_err(|e| imap_err(mb, "STORE", e))?;
        drain(mb, "STORE", st).await?;
        Ok(flags.contains("Deleted").then_some(uid))
    }
}

enum Fetched {
    Whole(Vec<u8>),
    /// Over the size Relais reads: its size and header only.
    TooLarge(usize, Vec<u8>),
}

/// The ledger key of a message without a Message-ID: its bytes' digest.
fn fallback_id(raw: &[u8]) -> String {
    use sha2::Digest as _;
    format!(
        "<sans-message-id.{}@relais.imap>",
        hex::encode(&sha2::Sha256::digest(raw)[..16])
    )
}

/// 5 s doubling up to 15 minutes.
fn retry_delay(failures: u32) -> Duration {
    let secs = 5u64.saturating_mul(1u64 << failures.saturating_sub(1).min(20));
    Duration::from_secs(secs.min(15 * 60))
}

/// Starts one polling task per mailbox (the `serve` command).
pub fn spawn_all(app: &App, settings: &MailSettings, mailboxes: &[ImapMailbox]) {
    for mb in mailboxes {
        tracing::info!(mailbox = %mb.label(), "IMAP polling started");
        tokio::spawn(Poller::new(mb.clone()).run(app.clone(), settings.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop_growing() {
        assert_eq!(retry_delay(1), Duration::from_secs(5));
        assert_eq!(retry_delay(2), Duration::from_secs(10));
        assert_eq!(retry_delay(5), Duration::from_secs(80));
        assert_eq!(retry_delay(40), Duration::from_secs(900));
    }

    #[test]
    fn configurations_are_checked() {
        let ok = ImapMailbox {
            host: "imap.example.org".into(),
            user: "support".into(),
            password: "x".into(),
            ..Default::default()
        };
        assert!(ok.check().is_ok());
        let both = ImapMailbox {
            password_file: "/run/secret".into(),
            ..ok.clone()
        };
        assert!(both.check().unwrap_err().contains("un seul"));
        let same = ImapMailbox {
            done_folder: "INBOX".into(),
            ..ok.clone()
        };
        assert!(same.check().is_err());
        assert!(!format!("{ok:?}").contains("\"x\""));
    }
}
