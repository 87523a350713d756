//! Connecting to SQLite (default, embedded) or PostgreSQL, chosen by the URL
//! scheme, and applying the embedded migrations of that engine.

use crate::{Result, StoreError};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};
use std::time::Duration;

/// Why a write (or the database) cannot be served right now, so that the
/// caller answers 503 with `Retry-After` instead of 500: the disk is full,
/// or the database cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// No space left for the database or the files (`stockage_plein`).
    StorageFull,
    /// The database server is down, restarting or unreachable
    /// (`base_indisponible`).
    DatabaseDown,
}

impl Outage {
    /// The stable code of the API envelope.
    pub fn code(self) -> &'static str {
        match self {
            Outage::StorageFull => "stockage_plein",
            Outage::DatabaseDown => "base_indisponible",
        }
    }

    /// Seconds a client should wait before trying again.
    pub fn retry_after_secs(self) -> u64 {
        match self {
            Outage::StorageFull => 30,
            Outage::DatabaseDown => 5,
        }
    }

    /// An I/O error of the file layer (attachments, generated files).
    pub fn of_io(e: &std::io::Error) -> Option<Outage> {
        match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                Some(Outage::StorageFull)
            }
            _ if e.raw_os_error() == Some(28) => Some(Outage::StorageFull),
            _ => None,
        }
    }

    /// A database error that is an outage rather than a bug: SQLite's
    /// SQLITE_FULL / SQLITE_IOERR, PostgreSQL's disk_full (53100), its
    /// shutdown and connection classes (57P0x, 08xxx), and a connection
    /// that broke or could not be had.
    pub fn of_sqlx(e: &sqlx::Error) -> Option<Outage> {
        match e {
            sqlx::Error::Database(d) => {
                let code = d.code().map(|c| c.to_string()).unwrap_or_default();
                if let Ok(n) = code.parse::<i64>() {
                    // SQLite: the extended result code; the primary is its
                    // low byte (13 SQLITE_FULL, 10 SQLITE_IOERR).
                    match n & 0xff {
                        13 | 10 => Some(Outage::StorageFull),
                        _ => None,
                    }
                } else if code == "53100" {
                    Some(Outage::StorageFull)
                } else if code.starts_with("57P") || code.starts_with("08") || code == "53300" {
                    Some(Outage::DatabaseDown)
                } else {
                    None
                }
            }
            sqlx::Error::Io(io) => Some(Outage::of_io(io).unwrap_or(Outage::DatabaseDown)),
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_) => Some(Outage::DatabaseDown),
            sqlx::Error::Protocol(m) if m.contains("EOF") || m.contains("closed") => {
                Some(Outage::DatabaseDown)
            }
            _ => None,
        }
    }
}

type HookFuture<'c> = std::pin::Pin<
    Box<dyn std::future::Future<Output = std::result::Result<bool, sqlx::Error>> + Send + 'c>,
>;

/// A connection handed back to a pool still inside a transaction (its
/// COMMIT failed and the ROLLBACK that followed failed too, or was never
/// flushed) is closed rather than reused: otherwise the next write would
/// run inside a transaction that can never commit, and be acknowledged
/// without being stored. The queued rollback is flushed first (`ping`).
fn clean_after_release(
    conn: &mut sqlx::AnyConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> HookFuture<'_> {
    Box::pin(async move {
        conn.ping().await?;
        if conn.is_in_transaction() {
            tracing::warn!("a database connection left inside a failed transaction is closed");
            return Ok(false);
        }
        Ok(true)
    })
}

/// The same check without a round trip (before a connection is handed
/// out; PostgreSQL's release).
fn clean_before_acquire(
    conn: &mut sqlx::AnyConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> HookFuture<'_> {
    Box::pin(async move { Ok(!conn.is_in_transaction()) })
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// An unknown scheme is refused rather than guessed.
    pub fn from_url(url: &str) -> std::result::Result<Engine, String> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(format!(
                "schéma d'URL de base de données inconnu : {} (attendu sqlite: ou postgres://)",
                url.split(':').next().unwrap_or("")
            ))
        }
    }
}

/// The database handle. On SQLite, writes go through a pool of one
/// connection so that write transactions queue in the application instead of
/// failing with SQLITE_BUSY; reads use a wider pool (WAL lets them run beside
/// the writer). On PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    engine: Engine,
}

/// One direct connection attempt, closed at once: a refused or unknown
/// server is reported now rather than after the pool's retries.
pub async fn probe(url: &str) -> std::result::Result<(), sqlx::Error> {
    install_default_drivers();
    let c = sqlx::AnyConnection::connect(url).await?;
    c.close().await
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db> {
        install_default_drivers();
        let engine = Engine::from_url(url)
            .map_err(|m| StoreError::Other(sqlx::Error::Configuration(m.into())))?;
        match engine {
            Engine::Sqlite => {
                let url = if url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                let setup = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_release(clean_after_release)
                        .before_acquire(clean_before_acquire)
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute(
                                    "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; \
                                     PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;",
                                )
                                .await?;
                                Ok(())
                            })
                        })
                };
                let write = setup(1).connect(&url).await?;
                let read = setup(8).connect(&url).await?;
                Ok(Db {
                    read,
                    write,
                    engine,
                })
            }
            Engine::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(20)
                    // A dropped server is a 503 after a few seconds, not a
                    // request hanging for half a minute.
                    .acquire_timeout(Duration::from_secs(5))
                    // PostgreSQL ends a transaction whose COMMIT failed, and
                    // sqlx's queued ROLLBACK lowers the depth at once: no
                    // round trip needed to know the connection is clean.
                    .after_release(clean_before_acquire)
                    .before_acquire(clean_before_acquire)
                    .connect(url)
                    .await?;
                Ok(Db {
                    read: pool.clone(),
                    write: pool,
                    engine,
                })
            }
        }
    }

    /// The schema reads (SQLite: a damaged header or schema page is found
    /// here rather than by a later query; a full `quick_check` would scan
    /// the whole file); PostgreSQL: one round trip.
    pub async fn quick_check(&self) -> Result<()> {
        let mut c = self.read.acquire().await?;
        match self.engine {
            Engine::Sqlite => {
                sqlx::query("SELECT count(*) FROM sqlite_master")
                    .execute(&mut *c)
                    .await?;
            }
            Engine::Postgres => {
                sqlx::query("SELECT 1").execute(&mut *c).await?;
            }
        }
        Ok(())
    }

    /// SQLite only: a consistent copy of the whole database into a new
    /// file while others keep reading and writing (`VACUUM INTO` reads one
    /// snapshot).
    pub async fn vacuum_into(&self, dest: &std::path::Path) -> Result<()> {
        let path = dest.to_string_lossy().replace('\'', "''");
        let mut c = self.read.acquire().await?;
        c.execute(format!("VACUUM INTO '{path}'").as_str()).await?;
        Ok(())
    }

    /// SQLite only: `PRAGMA integrity_check` of the database ("ok" when sound).
    pub async fn integrity_check(&self) -> Result<String> {
        let mut c = self.read.acquire().await?;
        Ok(sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut *c)
            .await?)
    }

    /// PostgreSQL: whether the database already holds Relais tables.
    pub async fn has_tables(&self) -> Result<bool> {
        let mut c = self.read.acquire().await?;
        let n: i64 =
            match self.engine {
                Engine::Sqlite => {
                    sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
                        .fetch_one(&mut *c)
                        .await?
                }
                Engine::Postgres => sqlx::query_scalar(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .fetch_one(&mut *c)
                .await?,
            };
        Ok(n > 0)
    }

    pub async fn migrate(&self) -> Result<()> {
        let m = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.run(&self.write)
            .await
            .map_err(|e| StoreError::Other(sqlx::Error::Migrate(Box::new(e))))
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.read.acquire().await?)
    }

    /// Begins a write transaction: the use case owns it and commits.
    ///
    /// On SQLite the write lock is taken at once (`BEGIN IMMEDIATE`): a
    /// deferred transaction that reads first and writes later cannot wait
    /// for another process's writer (SQLite answers "database is locked" at
    /// once instead of calling the busy handler), whereas `BEGIN IMMEDIATE`
    /// waits up to `busy_timeout`. This is what lets many `mail-ingest`
    /// processes deliver at the same moment.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.engine {
            Engine::Sqlite => Ok(self.write.begin_with("BEGIN IMMEDIATE").await?),
            Engine::Postgres => Ok(self.write.begin().await?),
        }
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
