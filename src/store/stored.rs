//! The tables of one kind of record: each kind ([`Fields`](crate::catalog::Fields) for
//! catalogs, [`ElementFields`] for elements) implements [`Stored`] with its own SQL, and the
//! statements every kind shares are provided here. Adoption, its revision rule and the change
//! log are written once over it, in `adopt`.
//!
//! [`ElementFields`]: crate::element::ElementFields

use anyhow::Result;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, SqliteConnection};

use super::{ConflictScope, Store};
use crate::plan::BaseAfter;
use crate::record::{Desired, DesiredId, Record, Remote, RemoteId, Synced};

/// Where a kind of record lives in the database, and how its rows are read and written.
#[allow(async_fn_in_trait)]
pub trait Stored: Record + Serialize + DeserializeOwned + Send + Sync {
    /// Which rows belong together: all catalogs (`()`), or the elements of one catalog.
    type Scope: Copy + PartialEq + std::fmt::Debug + Send + Sync;

    /// The catalog a scope is about (the elements' catalog), for the `catalog_remote_id`
    /// columns of `outbox`, `conflicts` and `change_log`.
    fn catalog_of(scope: &Self::Scope) -> Option<RemoteId>;

    /// The conflicts of a scope.
    fn conflict_scope(scope: &Self::Scope) -> ConflictScope {
        ConflictScope {
            entity: Self::ENTITY,
            catalog_remote_id: Self::catalog_of(scope),
        }
    }

    async fn desired(store: &Store, scope: &Self::Scope) -> Result<Vec<Desired<Self>>>;
    async fn base(store: &Store, scope: &Self::Scope) -> Result<Vec<Synced<Self>>>;
    /// Replaces the mirror of `scope` with a complete pull.
    async fn save_pull(store: &Store, scope: &Self::Scope, pull: &[Remote<Self>]) -> Result<()>;

    /// The desired rows' table, and the base's (keyed by `remote_id`).
    const DESIRED_TABLE: &'static str;
    const SYNCED_TABLE: &'static str;

    /// A row of [`DESIRED_TABLE`](Stored::DESIRED_TABLE).
    fn desired_from_row(row: &SqliteRow) -> Result<Desired<Self>>;

    /// Inserts a desired row for a record found in the account; `None` when a row already
    /// claims that remote id (a person inserted one meanwhile).
    async fn insert_desired(
        conn: &mut SqliteConnection,
        scope: &Self::Scope,
        remote_id: RemoteId,
        fields: &Self,
    ) -> Result<Option<DesiredId>>;

    /// Writes `after` over `before` if the row still has `before.revision`.
    async fn update_desired(
        conn: &mut SqliteConnection,
        before: &Desired<Self>,
        after: &Self,
    ) -> Result<bool>;

    /// Writes the base of one record.
    async fn set_base(
        conn: &mut SqliteConnection,
        scope: &Self::Scope,
        remote_id: RemoteId,
        fields: &Self,
    ) -> Result<()>;

    async fn desired_row(
        conn: &mut SqliteConnection,
        id: DesiredId,
    ) -> Result<Option<Desired<Self>>> {
        let sql = format!("SELECT * FROM {} WHERE id = ?", Self::DESIRED_TABLE);
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(Self::desired_from_row).transpose()
    }

    /// Deletes the row, or forgets its remote id (`unlink`), if it still has `revision`.
    async fn remove_desired(
        conn: &mut SqliteConnection,
        id: DesiredId,
        revision: i64,
        unlink: bool,
    ) -> Result<bool> {
        let table = Self::DESIRED_TABLE;
        let sql = if unlink {
            format!(
                "UPDATE {table} SET remote_id = NULL, revision = revision + 1 \
                 WHERE id = ? AND revision = ?"
            )
        } else {
            format!("DELETE FROM {table} WHERE id = ? AND revision = ?")
        };
        let done = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .bind(revision)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets `remote_id` of a row once its add is confirmed; the person's own values stay.
    async fn link_desired(
        conn: &mut SqliteConnection,
        id: DesiredId,
        remote_id: RemoteId,
    ) -> Result<bool> {
        let sql = format!(
            "UPDATE {} SET remote_id = ?, revision = revision + 1 WHERE id = ?",
            Self::DESIRED_TABLE
        );
        let done = sqlx::query(AssertSqlSafe(sql))
            .bind(remote_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn write_base(
        conn: &mut SqliteConnection,
        scope: &Self::Scope,
        remote_id: RemoteId,
        base: &BaseAfter<Self>,
    ) -> Result<()> {
        match base {
            BaseAfter::Keep => Ok(()),
            BaseAfter::Set(fields) => Self::set_base(conn, scope, remote_id, fields).await,
            BaseAfter::Remove => {
                let sql = format!("DELETE FROM {} WHERE remote_id = ?", Self::SYNCED_TABLE);
                sqlx::query(AssertSqlSafe(sql))
                    .bind(remote_id)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }
        }
    }
}
