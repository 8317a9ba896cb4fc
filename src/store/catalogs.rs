//! `desired_catalogs`, `remote_catalogs` and `synced_catalogs`: catalogs as [`Stored`] records.

use anyhow::{Context, Result};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, SqliteConnection};

use super::rows::{self, bit};
use super::stored::Stored;
use super::{Store, now};
use crate::catalog::{
    DesiredCatalog, DesiredId, Field, Fields, RemoteCatalog, RemoteId, SyncedCatalog, Value,
};

impl Store {
    pub async fn desired(&self) -> Result<Vec<DesiredCatalog>> {
        Fields::desired(self, &()).await
    }

    pub async fn base(&self) -> Result<Vec<SyncedCatalog>> {
        Fields::base(self, &()).await
    }

    pub async fn remote(&self) -> Result<Vec<RemoteCatalog>> {
        let rows = sqlx::query("SELECT * FROM remote_catalogs ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::remote).collect::<sqlx::Result<_>>()?)
    }

    /// Replaces the catalog mirror with a complete pull.
    pub async fn save_pull(&self, catalogs: &[RemoteCatalog]) -> Result<()> {
        Fields::save_pull(self, &(), catalogs).await
    }
}

impl Stored for Fields {
    type Scope = ();

    fn catalog_of(_: &()) -> Option<RemoteId> {
        None
    }

    async fn desired(store: &Store, _: &()) -> Result<Vec<DesiredCatalog>> {
        let rows = sqlx::query("SELECT * FROM desired_catalogs ORDER BY id")
            .fetch_all(&store.pool)
            .await?;
        rows.iter()
            .map(rows::desired)
            .collect::<sqlx::Result<_>>()
            .context("cannot read desired_catalogs")
    }

    async fn base(store: &Store, _: &()) -> Result<Vec<SyncedCatalog>> {
        let rows = sqlx::query("SELECT * FROM synced_catalogs ORDER BY remote_id")
            .fetch_all(&store.pool)
            .await?;
        Ok(rows.iter().map(rows::synced).collect::<sqlx::Result<_>>()?)
    }

    async fn save_pull(store: &Store, _: &(), catalogs: &[RemoteCatalog]) -> Result<()> {
        let mut tx = store.begin_write().await?;
        sqlx::query("DELETE FROM remote_catalogs")
            .execute(&mut *tx)
            .await?;
        let pulled_at = now();
        for c in catalogs {
            sqlx::query(
                "INSERT INTO remote_catalogs (id, name, type, sort, created_by, created_at, \
                 updated_at, can_add_elements, can_show_in_cards, can_link_multiple, raw_json, \
                 pulled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(c.id)
            .bind(&c.fields.name)
            .bind(&c.fields.kind)
            .bind(c.fields.sort)
            .bind(c.created_by)
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind(bit(c.fields.can_add_elements))
            .bind(bit(c.fields.can_show_in_cards))
            .bind(bit(c.fields.can_link_multiple))
            .bind(&c.raw_json)
            .bind(&pulled_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await.context("cannot save the pull")
    }

    const DESIRED_TABLE: &'static str = "desired_catalogs";
    const SYNCED_TABLE: &'static str = "synced_catalogs";

    fn desired_from_row(row: &SqliteRow) -> Result<DesiredCatalog> {
        Ok(rows::desired(row)?)
    }

    async fn insert_desired(
        conn: &mut SqliteConnection,
        _: &(),
        remote_id: RemoteId,
        f: &Fields,
    ) -> Result<Option<DesiredId>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO desired_catalogs (remote_id, name, type, can_add_elements, \
             can_show_in_cards, can_link_multiple, sort) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (remote_id) DO NOTHING RETURNING id",
        )
        .bind(remote_id)
        .bind(&f.name)
        .bind(f.kind.as_deref().unwrap_or("regular"))
        .bind(bit(f.can_add_elements))
        .bind(bit(f.can_show_in_cards))
        .bind(bit(f.can_link_multiple))
        .bind(f.sort)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|r| r.0))
    }

    async fn update_desired(
        conn: &mut SqliteConnection,
        before: &DesiredCatalog,
        after: &Fields,
    ) -> Result<bool> {
        let changes: Vec<(Field, Option<Value>)> = Field::ALL
            .into_iter()
            .filter(|f| before.fields.get(*f) != after.get(*f))
            .map(|f| (f, after.get(f)))
            .collect();
        if changes.is_empty() {
            return Ok(true);
        }
        // Column names come from the closed `Field` enum, never from input.
        let sets: Vec<String> = changes
            .iter()
            .map(|(f, _)| format!("{} = ?", f.as_str()))
            .collect();
        let sql = format!(
            "UPDATE desired_catalogs SET {}, revision = revision + 1 WHERE id = ? AND revision = ?",
            sets.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (_, v) in changes {
            q = match v {
                Some(Value::Text(s)) => q.bind(s),
                Some(Value::Bool(b)) => q.bind(i64::from(b)),
                Some(Value::Int(i)) => q.bind(i),
                None => q.bind(None::<i64>),
            };
        }
        let done = q
            .bind(before.id)
            .bind(before.revision)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_base(
        conn: &mut SqliteConnection,
        _: &(),
        remote_id: RemoteId,
        f: &Fields,
    ) -> Result<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO synced_catalogs (remote_id, name, type, can_add_elements, \
             can_show_in_cards, can_link_multiple, sort, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(remote_id)
        .bind(&f.name)
        .bind(&f.kind)
        .bind(bit(f.can_add_elements))
        .bind(bit(f.can_show_in_cards))
        .bind(bit(f.can_link_multiple))
        .bind(f.sort)
        .bind(now())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
