//! `desired_elements`, `remote_elements` and `synced_elements`: elements as [`Stored`] records,
//! each scope being the elements of one catalog.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::stored::Stored;
use super::{Store, now};
use crate::element::{DesiredElement, ElementFields, FieldId, RemoteElement, SyncedElement};
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

/// A catalog's rows of one table, read as one JSON array built by SQLite: a catalog may hold
/// 100,000 elements, and every row fetched on its own costs a round trip to sqlx's SQLite
/// thread (measured: most of a no-op run's CPU went there).
async fn rows_as_json<T: for<'de> Deserialize<'de>>(
    store: &Store,
    sql: &'static str,
    key: i64,
) -> Result<Vec<T>> {
    let (array,): (Option<String>,) = sqlx::query_as(sql).bind(key).fetch_one(&store.pool).await?;
    match array {
        Some(array) => Ok(serde_json::from_str(&array)?),
        None => Ok(Vec::new()),
    }
}

/// Rows per statement when the mirror is written.
const WRITE_CHUNK: usize = 500;

#[derive(Deserialize)]
struct DesiredRow {
    id: i64,
    remote_id: Option<i64>,
    name: String,
    fields: BTreeMap<FieldId, Value>,
    revision: i64,
}

#[derive(Deserialize)]
struct BaseRow {
    remote_id: i64,
    name: String,
    fields: BTreeMap<FieldId, Value>,
}

impl Stored for ElementFields {
    type Scope = ElementScope;

    fn catalog_of(scope: &ElementScope) -> Option<RemoteId> {
        Some(scope.catalog)
    }

    async fn desired(store: &Store, scope: &ElementScope) -> Result<Vec<DesiredElement>> {
        let rows: Vec<DesiredRow> = rows_as_json(
            store,
            "SELECT json_group_array(json_object('id', id, 'remote_id', remote_id, \
             'name', name, 'fields', json(fields), 'revision', revision)) \
             FROM (SELECT * FROM desired_elements WHERE desired_catalog_id = ? ORDER BY id)",
            scope.desired_catalog,
        )
        .await
        .context("cannot read desired_elements")?;
        Ok(rows
            .into_iter()
            .map(|r| DesiredElement {
                id: r.id,
                remote_id: r.remote_id,
                fields: ElementFields {
                    name: r.name,
                    values: r.fields,
                },
                revision: r.revision,
            })
            .collect())
    }

    async fn base(store: &Store, scope: &ElementScope) -> Result<Vec<SyncedElement>> {
        let rows: Vec<BaseRow> = rows_as_json(
            store,
            "SELECT json_group_array(json_object('remote_id', remote_id, 'name', name, \
             'fields', json(fields))) FROM (SELECT * FROM synced_elements \
             WHERE catalog_remote_id = ? ORDER BY remote_id)",
            scope.catalog,
        )
        .await
        .context("cannot read synced_elements")?;
        Ok(rows
            .into_iter()
            .map(|r| SyncedElement {
                remote_id: r.remote_id,
                fields: ElementFields {
                    name: r.name,
                    values: r.fields,
                },
            })
            .collect())
    }

    /// Replaces the mirror of a catalog, writing only the rows that are new or changed (by the
    /// digest of their `raw_json`), a few hundred per statement: a run with nothing new writes
    /// nothing, and a first pull of 100,000 elements needs neither 100,000 statements nor one
    /// huge one. `pulled_at` is the pull that last changed a row.
    async fn save_pull(store: &Store, scope: &ElementScope, pull: &[RemoteElement]) -> Result<()> {
        let stored: BTreeMap<i64, i64> = rows_as_json::<(i64, i64)>(
            store,
            "SELECT json_group_array(json_array(id, raw_digest)) FROM remote_elements \
             WHERE catalog_remote_id = ?",
            scope.catalog,
        )
        .await?
        .into_iter()
        .collect();
        let digest = |e: &RemoteElement| crate::hash::fnv1a64(e.raw_json.as_bytes()) as i64;
        let changed: Vec<&RemoteElement> = pull
            .iter()
            .filter(|e| stored.get(&e.id) != Some(&digest(e)))
            .collect();
        let pulled: std::collections::HashSet<i64> = pull.iter().map(|e| e.id).collect();
        let gone: Vec<i64> = stored
            .keys()
            .filter(|id| !pulled.contains(id))
            .copied()
            .collect();
        if changed.is_empty() && gone.is_empty() {
            return Ok(());
        }
        let mut tx = store.begin_write().await?;
        sqlx::query("DELETE FROM remote_elements WHERE id IN (SELECT value FROM json_each(?))")
            .bind(json!(gone).to_string())
            .execute(&mut *tx)
            .await?;
        let at = now();
        for chunk in changed.chunks(WRITE_CHUNK) {
            let rows: Vec<Value> = chunk
                .iter()
                .map(|e| {
                    json!({"id": e.id, "name": e.fields.name, "fields": values_json(&e.fields),
                           "created_by": e.created_by, "created_at": e.created_at,
                           "updated_at": e.updated_at, "raw_json": e.raw_json,
                           "raw_digest": digest(e)})
                })
                .collect();
            sqlx::query(
                "INSERT OR REPLACE INTO remote_elements (id, catalog_remote_id, name, fields, \
                 created_by, created_at, updated_at, raw_json, raw_digest, pulled_at) \
                 SELECT json_extract(value, '$.id'), ?1, json_extract(value, '$.name'), \
                        json_extract(value, '$.fields'), json_extract(value, '$.created_by'), \
                        json_extract(value, '$.created_at'), json_extract(value, '$.updated_at'), \
                        json_extract(value, '$.raw_json'), json_extract(value, '$.raw_digest'), ?3 \
                   FROM json_each(?2)",
            )
            .bind(scope.catalog)
            .bind(Value::Array(rows).to_string())
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit()
            .await
            .with_context(|| format!("cannot save the elements of catalog {}", scope.catalog))
    }

    const DESIRED_TABLE: &'static str = "desired_elements";
    const SYNCED_TABLE: &'static str = "synced_elements";

    fn desired_from_row(row: &SqliteRow) -> Result<DesiredElement> {
        desired(row)
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

    async fn set_base(
        conn: &mut SqliteConnection,
        scope: &ElementScope,
        remote_id: RemoteId,
        f: &ElementFields,
    ) -> Result<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO synced_elements (remote_id, catalog_remote_id, name, fields, \
             synced_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(remote_id)
        .bind(scope.catalog)
        .bind(&f.name)
        .bind(values_json(f))
        .bind(now())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
