//! Test and demo support: per-test databases on both engines (`db_test!`
//! expands one test body into a SQLite run and a PostgreSQL run), data
//! builders, and the deterministic demo data set used by `relais demo`.

pub mod builders;
pub mod demo;
pub mod smtp;

use relais_store::Db;
use std::path::PathBuf;

pub use tokio;

/// Where the PostgreSQL test databases are created. The test command
/// (`scripts/test.sh`) sets it; the default matches a local server with
/// trust authentication.
pub fn postgres_admin_url() -> String {
    std::env::var("RELAIS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A fresh, migrated database for one test, removed when dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pg_name: Option<String>,
    sqlite_dir: Option<PathBuf>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir =
            std::env::temp_dir().join(format!("relais-test-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("relais.db").display());
        let db = Db::connect(&url).await.expect("sqlite connect");
        db.migrate().await.expect("sqlite migrate");
        TestDb {
            db,
            url,
            pg_name: None,
            sqlite_dir: Some(dir),
        }
    }

    /// A new database on the PostgreSQL server. Fails loudly when no server
    /// answers: a store test that silently ran on SQLite only would be half
    /// a test.
    pub async fn postgres() -> TestDb {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let admin = postgres_admin_url();
        let name = format!("relais_t_{}", uuid::Uuid::now_v7().simple());
        let mut conn = sqlx::AnyConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is needed by the store tests ({admin}): {e}. \
                 Run scripts/test.sh, which starts one, or set RELAIS_TEST_DATABASE_URL."
                )
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let mut u = url::Url::parse(&admin).expect("admin url");
        u.set_path(&format!("/{name}"));
        let url = u.to_string();
        let db = Db::connect(&url).await.expect("postgres connect");
        db.migrate().await.expect("postgres migrate");
        TestDb {
            db,
            url,
            pg_name: Some(name),
            sqlite_dir: None,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.sqlite_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.take() {
            let admin = postgres_admin_url();
            let db = self.db.clone();
            // Drop runs outside async code: a short-lived thread with its own
            // runtime removes the database even when the test panicked.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        use sqlx::Connection;
                        db.close().await;
                        if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut c)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Expands one async test body taking a [`Db`] into two tests, `sqlite` and
/// `postgres`, inside a module named after the test.
#[macro_export]
macro_rules! db_test {
    ($(#[$m:meta])* async fn $name:ident($db:ident : $ty:ty) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($db: $ty) $body

            $(#[$m])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::TestDb::sqlite().await;
                body(t.db.clone()).await;
            }

            $(#[$m])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = $crate::TestDb::postgres().await;
                body(t.db.clone()).await;
            }
        }
    };
}

/// A fresh, empty folder for attachments under the system temp folder
/// (tests never write into `./data`).
pub fn fresh_attachments_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "relais-test-attachments-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).expect("attachments temp dir");
    dir
}

/// One attachments folder for the whole test process, for apps built in
/// several places over the same database (a test's router and its setup
/// code must find the same files). Storage keys are random, so tests
/// sharing it never collide.
pub fn process_attachments_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(fresh_attachments_dir).clone()
}

/// An [`relais_app::App`] over `db` whose attachments go to the process's
/// temporary folder.
pub fn app(db: Db, clock: std::sync::Arc<dyn relais_domain::Clock>) -> relais_app::App {
    let mut app = relais_app::App::new(db, clock);
    app.settings.attachments_dir = process_attachments_dir();
    app
}

/// A clock that tests move by hand.
#[derive(Debug)]
pub struct FakeClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl FakeClock {
    pub fn at(t: chrono::DateTime<chrono::Utc>) -> std::sync::Arc<FakeClock> {
        std::sync::Arc::new(FakeClock(std::sync::Mutex::new(t)))
    }
    pub fn advance(&self, d: chrono::Duration) {
        if let Ok(mut g) = self.0.lock() {
            *g += d;
        }
    }
    pub fn set(&self, t: chrono::DateTime<chrono::Utc>) {
        if let Ok(mut g) = self.0.lock() {
            *g = t;
        }
    }
}

impl relais_domain::Clock for FakeClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0
            .lock()
            .map(|g| *g)
            .unwrap_or_else(|p| *p.into_inner())
    }
}

/// The actor of a demo (or test) account, by e-mail.
pub async fn demo_actor(db: &Db, email: &str) -> relais_domain::accounts::Actor {
    let mut c = db.read().await.expect("conn");
    let u = relais_store::accounts::find_user_by_email(&mut c, email)
        .await
        .expect("user");
    relais_app::accounts::actor_of(&u).expect("actor")
}
