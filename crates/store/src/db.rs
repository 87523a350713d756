//! Connecting to SQLite (default, embedded) or PostgreSQL, chosen by the URL
//! scheme, and applying the embedded migrations of that engine.

use crate::{Result, StoreError};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

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
                    .acquire_timeout(Duration::from_secs(30))
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
