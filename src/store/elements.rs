//! `desired_elements`, `remote_elements` and `synced_elements`: elements as [`Stored`] records,
//! each scope being the elements of one catalog.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::stored::Stored;
use super::{Store, now};
use crate::element::{DesiredElement, ElementFields, FieldId, RemoteElement, SyncedElement};
use crate::reconcile::BaseAfter;
use crate::record::{DesiredId, RemoteId};

/// The elements of one catalog: its id in the account and its desired row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementScope {
    pub catalog: RemoteId,
    pub desired_catalog: DesiredId,
}

/// `name` and the `fields` JSON of a row.
fn element_fields(row: &SqliteRow) -> Result<ElementFields> {
    let fields: String = row.try_get("fields")?;
    let values: BTreeMap<FieldId, Value> = serde_json::from_str(&fields)
        .with_context(|| format!("the fields {fields} are not a JSON object keyed by field id"))?;
    Ok(ElementFields {
        name: row.try_get("name")?,
        values,
    })
}

fn values_json(fields: &ElementFields) -> String {
    serde_json::to_string(&fields.values).expect("JSON values always serialise")
}

fn desired(row: &SqliteRow) -> Result<DesiredElement> {
    let id: i64 = row.try_get("id")?;
    Ok(DesiredElement {
        id,
        remote_id: row.try_get("remote_id")?,
        fields: element_fields(row).with_context(|| format!("desired_elements row id={id}"))?,
        revision: row.try_get("revision")?,
    })
}

impl Stored for ElementFields {
    type Scope = ElementScope;

    fn catalog_of(scope: &ElementScope) -> Option<RemoteId> {
        Some(scope.catalog)
    }

    async fn desired(store: &Store, scope: &ElementScope) -> Result<Vec<DesiredElement>> {
        let rows =
            sqlx::query("SELECT * FROM desired_elements WHERE desired_catalog_id = ? ORDER BY id")
                .bind(scope.desired_catalog)
                .fetch_all(&store.pool)
                .await?;
        rows.iter().map(desired).collect()
    }

    async fn base(store: &Store, scope: &ElementScope) -> Result<Vec<SyncedElement>> {
        let rows = sqlx::query(
            "SELECT * FROM synced_elements WHERE catalog_remote_id = ? ORDER BY remote_id",
        )
        .bind(scope.catalog)
        .fetch_all(&store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SyncedElement {
                    remote_id: r.try_get("remote_id")?,
                    fields: element_fields(r).context("synced_elements")?,
                })
            })
            .collect()
    }

    async fn save_pull(store: &Store, scope: &ElementScope, pull: &[RemoteElement]) -> Result<()> {
        let mut tx = store.begin_write().await?;
        sqlx::query("DELETE FROM remote_elements WHERE catalog_remote_id = ?")
            .bind(scope.catalog)
            .execute(&mut *tx)
            .await?;
        let pulled_at = now();
        for e in pull {
            sqlx::query(
                "INSERT OR REPLACE INTO remote_elements (id, catalog_remote_id, name, fields, \
                 created_by, created_at, updated_at, raw_json, pulled_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(e.id)
            .bind(scope.catalog)
            .bind(&e.fields.name)
            .bind(values_json(&e.fields))
            .bind(e.created_by)
            .bind(e.created_at)
            .bind(e.updated_at)
            .bind(&e.raw_json)
            .bind(&pulled_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit()
            .await
            .with_context(|| format!("cannot save the elements of catalog {}", scope.catalog))
    }

    async fn desired_row(
        conn: &mut SqliteConnection,
        id: DesiredId,
    ) -> Result<Option<DesiredElement>> {
        let row = sqlx::query("SELECT * FROM desired_elements WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(desired).transpose()
    }

    async fn insert_desired(
        conn: &mut SqliteConnection,
        scope: &ElementScope,
        remote_id: RemoteId,
        fields: &ElementFields,
    ) -> Result<Option<DesiredId>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO desired_elements (desired_catalog_id, remote_id, name, fields) \
             VALUES (?, ?, ?, ?) ON CONFLICT (remote_id) DO NOTHING RETURNING id",
        )
        .bind(scope.desired_catalog)
        .bind(remote_id)
        .bind(&fields.name)
        .bind(values_json(fields))
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|r| r.0))
    }

    async fn update_desired(
        conn: &mut SqliteConnection,
        before: &DesiredElement,
        after: &ElementFields,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE desired_elements SET name = ?, fields = ?, revision = revision + 1, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND revision = ?",
        )
        .bind(&after.name)
        .bind(values_json(after))
        .bind(before.id)
        .bind(before.revision)
        .execute(&mut *conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_desired(
        conn: &mut SqliteConnection,
        id: DesiredId,
        revision: i64,
        unlink: bool,
    ) -> Result<bool> {
        let sql = if unlink {
            "UPDATE desired_elements SET remote_id = NULL, revision = revision + 1 \
             WHERE id = ? AND revision = ?"
        } else {
            "DELETE FROM desired_elements WHERE id = ? AND revision = ?"
        };
        let done = sqlx::query(sql)
            .bind(id)
            .bind(revision)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn link_desired(
        conn: &mut SqliteConnection,
        id: DesiredId,
        remote_id: RemoteId,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE desired_elements SET remote_id = ?, revision = revision + 1 WHERE id = ?",
        )
        .bind(remote_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn write_base(
        conn: &mut SqliteConnection,
        scope: &ElementScope,
        remote_id: RemoteId,
        base: &BaseAfter<ElementFields>,
    ) -> Result<()> {
        match base {
            BaseAfter::Keep => {}
            BaseAfter::Remove => {
                sqlx::query("DELETE FROM synced_elements WHERE remote_id = ?")
                    .bind(remote_id)
                    .execute(&mut *conn)
                    .await?;
            }
            BaseAfter::Set(f) => {
                sqlx::query(
                    "INSERT OR REPLACE INTO synced_elements (remote_id, catalog_remote_id, name, \
                     fields, synced_at) VALUES (?, ?, ?, ?, ?)",
                )
                .bind(remote_id)
                .bind(scope.catalog)
                .bind(&f.name)
                .bind(values_json(f))
                .bind(now())
                .execute(&mut *conn)
                .await?;
            }
        }
        Ok(())
    }
}
