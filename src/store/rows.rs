//! Mapping between SQLite rows and domain types (runtime queries, no macros).

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::catalog::{DesiredCatalog, Fields, RemoteCatalog, SyncedCatalog};

fn flag(row: &SqliteRow, column: &str) -> sqlx::Result<Option<bool>> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(|v| v != 0))
}

fn fields(row: &SqliteRow) -> sqlx::Result<Fields> {
    Ok(Fields {
        name: row.try_get("name")?,
        kind: row.try_get("type")?,
        can_add_elements: flag(row, "can_add_elements")?,
        can_show_in_cards: flag(row, "can_show_in_cards")?,
        can_link_multiple: flag(row, "can_link_multiple")?,
        sort: row.try_get("sort")?,
    })
}

pub(super) fn desired(row: &SqliteRow) -> sqlx::Result<DesiredCatalog> {
    Ok(DesiredCatalog {
        id: row.try_get("id")?,
        remote_id: row.try_get("remote_id")?,
        fields: fields(row)?,
        revision: row.try_get("revision")?,
    })
}

pub(super) fn synced(row: &SqliteRow) -> sqlx::Result<SyncedCatalog> {
    Ok(SyncedCatalog {
        remote_id: row.try_get("remote_id")?,
        fields: fields(row)?,
    })
}

pub(super) fn remote(row: &SqliteRow) -> sqlx::Result<RemoteCatalog> {
    Ok(RemoteCatalog {
        id: row.try_get("id")?,
        fields: fields(row)?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        raw_json: row.try_get("raw_json")?,
    })
}

/// A flag as stored: 0/1, or NULL.
pub(super) fn bit(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}
