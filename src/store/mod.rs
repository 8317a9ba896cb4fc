//! The SQLite database: the pool, its pragmas, the embedded migrations, and every SQL statement.
//!
//! Transactions are short (a pull, one adoption, one batch's results) so that a person editing
//! `desired_catalogs` with `sqlite3` never waits long for the write lock.

mod adopt;
mod api;
mod auth;
mod blocks;
mod catalogs;
mod conflicts;
mod elements;
mod explain;
mod fields;
mod lock;
mod outbox;
mod rows;
mod runs;
mod stored;
mod views;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use adopt::Adoption;
pub use api::ApiSwitch;
pub use auth::{ApiSession, OAuthTokens};
pub use blocks::Block;
pub use conflicts::{ConflictScope, OpenConflict};
pub use elements::ElementScope;
pub use explain::explain;
pub use fields::{ElementCatalog, ElementPull};
pub use lock::{LockError, RunLock};
pub use outbox::{NewOp, OutboxRow, OutboxState};
pub use runs::{Counts, ElementStatus, RunCounts, RunRow, Status};
pub use stored::Stored;

/// How long a statement waits for another writer (a person's `sqlite3`, say) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The migrations, embedded at build time (`build.rs` reruns when the folder changes).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        20261126000001,
        "initial",
        include_str!("../../migrations/20261126000001_initial.sql"),
    ),
    (
        20261126000002,
        "resilience",
        include_str!("../../migrations/20261126000002_resilience.sql"),
    ),
    (
        20261126000003,
        "auth",
        include_str!("../../migrations/20261126000003_auth.sql"),
    ),
    (
        20261202000001,
        "elements",
        include_str!("../../migrations/20261202000001_elements.sql"),
    ),
    (
        20261202000002,
        "api_version",
        include_str!("../../migrations/20261202000002_api_version.sql"),
    ),
    (
        20261203000001,
        "catalog_deleted",
        include_str!("../../migrations/20261203000001_catalog_deleted.sql"),
    ),
];

/// The database of one catalog-sync installation.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

/// The current time as stored in text columns.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// Opens (creating with mode 0600 if needed) and migrates the database at `path`.
    pub async fn open(path: &Path) -> Result<Store> {
        create_private(path)?;
        let url = format!("sqlite://{}", path.display());
        let options = SqliteConnectOptions::from_str(&url)
            .with_context(|| format!("database.path {}: not a usable path", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = connect(options)
            .await
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        let store = Store {
            pool,
            path: path.to_owned(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let migrations = MIGRATIONS
            .iter()
            .map(|(version, name, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*name),
                    MigrationType::Simple,
                    sqlx::SqlStr::from_static(sql),
                    false,
                )
            })
            .collect();
        let migrator = Migrator::with_migrations(migrations);
        // Two processes opening a new database at once (the daemon and a `status`, say) both see
        // a migration as missing; the loser's transaction fails because the winner's committed.
        // Running again finds it applied, so each retry makes progress; a real problem fails
        // every time.
        let mut result = migrator.run(&self.pool).await;
        for _ in 0..MIGRATIONS.len() {
            if result.is_ok() {
                break;
            }
            result = migrator.run(&self.pool).await;
        }
        result.with_context(|| {
            format!(
                "cannot prepare the database {}: is it a catalog-sync database, and writable?",
                self.path.display()
            )
        })
    }

    /// A write transaction that takes the write lock at once (`BEGIN IMMEDIATE`): a read
    /// followed by a write inside it can never fail half-way because someone wrote in between.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("cannot start a write transaction")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Connects, retrying briefly while another process turns a brand-new file to WAL mode: that
/// switch needs an exclusive lock and SQLite answers "locked" at once instead of waiting.
async fn connect(options: SqliteConnectOptions) -> sqlx::Result<SqlitePool> {
    let mut attempt = 0;
    loop {
        let result = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("5") && attempt < 20 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(10 * attempt)).await;
            }
            other => return other,
        }
    }
}

/// Creates the database file readable by its owner only, before SQLite creates it with the
/// process umask. SQLite gives the `-wal` and `-shm` files the same permissions.
fn create_private(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create the database {}", path.display())),
    }
}

#[cfg(test)]
mod tests;
