//! `desired_catalogs`, `remote_catalogs`, `synced_catalogs` and `change_log`.

use anyhow::{Context, Result};
use serde_json::json;
use sqlx::{AssertSqlSafe, SqliteConnection};

use super::rows::{self, bit};
use super::{Store, now};
use crate::catalog::{
    DesiredCatalog, DesiredId, Fields, RemoteCatalog, RemoteId, SyncedCatalog, Value,
};
use crate::reconcile::{Adopt, BaseAfter};

impl Store {
    pub async fn desired(&self) -> Result<Vec<DesiredCatalog>> {
        let rows = sqlx::query("SELECT * FROM desired_catalogs ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(rows::desired)
            .collect::<sqlx::Result<_>>()
            .context("cannot read desired_catalogs")
    }

    pub async fn base(&self) -> Result<Vec<SyncedCatalog>> {
        let rows = sqlx::query("SELECT * FROM synced_catalogs ORDER BY remote_id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::synced).collect::<sqlx::Result<_>>()?)
    }

    pub async fn remote(&self) -> Result<Vec<RemoteCatalog>> {
        let rows = sqlx::query("SELECT * FROM remote_catalogs ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::remote).collect::<sqlx::Result<_>>()?)
    }

    /// Replaces the mirror with a complete pull.
    pub async fn save_pull(&self, catalogs: &[RemoteCatalog]) -> Result<()> {
        let mut tx = self.begin_write().await?;
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

    /// Applies a remote change to `desired_catalogs`, logs it, and moves the base, atomically.
    /// Returns `false`, writing nothing, when a person edited or deleted the row after the pull
    /// (or inserted a row for the same catalog): their edit wins and the next run sees it.
    pub async fn adopt(
        &self,
        run_id: i64,
        remote_id: Option<RemoteId>,
        adopt: &Adopt,
        base_after: Option<&BaseAfter>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !apply_adopt(&mut tx, run_id, remote_id, adopt).await? {
            return Ok(false);
        }
        if let (Some(id), Some(base)) = (remote_id, base_after) {
            write_base(&mut tx, id, base).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Moves the base of one catalog with nothing else to do (both sides agreed already).
    pub async fn write_base(&self, remote_id: RemoteId, base: &BaseAfter) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        write_base(&mut conn, remote_id, base).await
    }
}

async fn desired_row(conn: &mut SqliteConnection, id: DesiredId) -> Result<Option<DesiredCatalog>> {
    let row = sqlx::query("SELECT * FROM desired_catalogs WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.as_ref().map(rows::desired).transpose()?)
}

async fn apply_adopt(
    conn: &mut SqliteConnection,
    run_id: i64,
    remote_id: Option<RemoteId>,
    adopt: &Adopt,
) -> Result<bool> {
    match adopt {
        Adopt::Insert { remote_id, fields } => {
            let id = insert_desired(conn, *remote_id, fields).await?;
            if let Some(id) = id {
                log_change(
                    conn,
                    run_id,
                    Some(*remote_id),
                    Some(id),
                    "insert",
                    None,
                    Some(json!(fields)),
                )
                .await?;
            }
            Ok(id.is_some())
        }
        Adopt::Update {
            desired_id,
            revision,
            changes,
        } => {
            let Some(before) = desired_row(conn, *desired_id).await? else {
                return Ok(false);
            };
            if before.revision != *revision {
                return Ok(false);
            }
            let mut after = before.fields.clone();
            for (f, v) in changes {
                after.set(*f, v.clone());
            }
            update_desired(conn, *desired_id, *revision, changes).await?;
            log_change(
                conn,
                run_id,
                remote_id,
                Some(*desired_id),
                "update",
                Some(json!(before.fields)),
                Some(json!(after)),
            )
            .await?;
            Ok(true)
        }
        Adopt::Delete {
            desired_id,
            revision,
        }
        | Adopt::Unlink {
            desired_id,
            revision,
        } => {
            let Some(before) = desired_row(conn, *desired_id).await? else {
                return Ok(false);
            };
            let delete = matches!(adopt, Adopt::Delete { .. });
            let sql = if delete {
                "DELETE FROM desired_catalogs WHERE id = ? AND revision = ?"
            } else {
                "UPDATE desired_catalogs SET remote_id = NULL, revision = revision + 1 \
                 WHERE id = ? AND revision = ?"
            };
            let done = sqlx::query(sql)
                .bind(desired_id)
                .bind(revision)
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            let (action, after) = if delete {
                ("delete", None)
            } else {
                ("update", Some(json!(before.fields)))
            };
            log_change(
                conn,
                run_id,
                remote_id,
                Some(*desired_id),
                action,
                Some(json!(before.fields)),
                after,
            )
            .await?;
            Ok(true)
        }
    }
}

async fn insert_desired(
    conn: &mut SqliteConnection,
    remote_id: RemoteId,
    f: &Fields,
) -> Result<Option<DesiredId>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO desired_catalogs (remote_id, name, type, can_add_elements, can_show_in_cards, \
         can_link_multiple, sort) VALUES (?, ?, ?, ?, ?, ?, ?) \
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
    id: DesiredId,
    revision: i64,
    changes: &[(crate::catalog::Field, Option<Value>)],
) -> Result<()> {
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
            Some(Value::Text(s)) => q.bind(s.clone()),
            Some(Value::Bool(b)) => q.bind(i64::from(*b)),
            Some(Value::Int(i)) => q.bind(*i),
            None => q.bind(None::<i64>),
        };
    }
    q.bind(id).bind(revision).execute(&mut *conn).await?;
    Ok(())
}

/// Sets `remote_id` of a row once its add is confirmed. The person's own columns are untouched.
pub(super) async fn link_desired(
    conn: &mut SqliteConnection,
    desired_id: DesiredId,
    remote_id: RemoteId,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE desired_catalogs SET remote_id = ?, revision = revision + 1 WHERE id = ?",
    )
    .bind(remote_id)
    .bind(desired_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn write_base(
    conn: &mut SqliteConnection,
    remote_id: RemoteId,
    base: &BaseAfter,
) -> Result<()> {
    match base {
        BaseAfter::Keep => {}
        BaseAfter::Remove => {
            sqlx::query("DELETE FROM synced_catalogs WHERE remote_id = ?")
                .bind(remote_id)
                .execute(&mut *conn)
                .await?;
        }
        BaseAfter::Set(f) => {
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
        }
    }
    Ok(())
}

pub(super) async fn log_change(
    conn: &mut SqliteConnection,
    run_id: i64,
    remote_id: Option<RemoteId>,
    desired_id: Option<DesiredId>,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO change_log (run_id, remote_id, desired_id, action, before_json, after_json, changed_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(run_id)
    .bind(remote_id)
    .bind(desired_id)
    .bind(action)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
