//! The SQLite database: the pool, its pragmas, the embedded migrations, and every SQL statement.
//!
//! Transactions are short (a pull, one adoption, one batch's results) so that a person editing
//! `desired_catalogs` with `sqlite3` never waits long for the write lock.

mod auth;
mod catalogs;
mod conflicts;
mod outbox;
mod rows;
mod runs;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use auth::{ApiSession, OAuthTokens};
pub use conflicts::OpenConflict;
pub use outbox::{NewOp, OutboxRow, OutboxState};
pub use runs::{RunCounts, RunRow, Status};

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
        20261126000003,
        "auth",
        include_str!("../../migrations/20261126000003_auth.sql"),
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
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
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
        Migrator::with_migrations(migrations)
            .run(&self.pool)
            .await
            .with_context(|| {
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
