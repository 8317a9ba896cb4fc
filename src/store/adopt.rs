//! The writes every kind of record shares: adopting a remote change into the desired rows (each
//! conditional on the row's revision), moving the merge base, and logging what the account
//! changed in `change_log`.

use anyhow::Result;
use serde_json::json;
use sqlx::SqliteConnection;

use super::stored::Stored;
use super::{Store, now};
use crate::plan::{Adopt, BaseAfter};
use crate::record::{DesiredId, Record, RemoteId};

impl Store {
    /// Applies a remote change to the desired rows, logs it, and moves the base, atomically.
    /// Returns `false`, writing nothing, when a person edited or deleted the row after the pull
    /// (or inserted a row for the same record): their edit wins and the next run sees it.
    pub async fn adopt<R: Stored>(
        &self,
        run_id: i64,
        scope: &R::Scope,
        remote_id: Option<RemoteId>,
        adopt: &Adopt<R>,
        base_after: Option<&BaseAfter<R>>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let log = Log {
            run_id,
            remote_id,
            entity: R::ENTITY,
            catalog: R::catalog_of(scope),
        };
        if !apply_adopt(&mut tx, &log, scope, adopt).await? {
            return Ok(false);
        }
        if let (Some(id), Some(base)) = (remote_id, base_after) {
            R::write_base(&mut tx, scope, id, base).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// [`adopt`](Store::adopt) for many records: each keeps its own revision check, but up to
    /// [`ADOPT_CHUNK`] share a transaction (a first sync adopts thousands of elements). Records
    /// with no adoption only move their base. Returns, per item, whether it was applied.
    pub async fn adopt_all<R: Stored>(
        &self,
        run_id: i64,
        scope: &R::Scope,
        items: &[Adoption<'_, R>],
    ) -> Result<Vec<bool>> {
        let mut applied = Vec::with_capacity(items.len());
        for chunk in items.chunks(ADOPT_CHUNK) {
            let mut tx = self.begin_write().await?;
            for item in chunk {
                let mut ok = true;
                if let Some(adopt) = item.adopt {
                    let log = Log {
                        run_id,
                        remote_id: item.remote_id,
                        entity: R::ENTITY,
                        catalog: R::catalog_of(scope),
                    };
                    ok = apply_adopt(&mut tx, &log, scope, adopt).await?;
                }
                if let (true, Some(id), Some(base)) = (ok, item.remote_id, item.base_after) {
                    R::write_base(&mut tx, scope, id, base).await?;
                }
                applied.push(ok);
            }
            tx.commit().await?;
        }
        Ok(applied)
    }

    /// Moves the base of one record with nothing else to do (both sides agreed already).
    pub async fn write_base<R: Stored>(
        &self,
        scope: &R::Scope,
        remote_id: RemoteId,
        base: &BaseAfter<R>,
    ) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        R::write_base(&mut conn, scope, remote_id, base).await
    }
}

/// How many adoptions share a transaction: short enough that a person's `sqlite3` never waits
/// long for the write lock.
pub const ADOPT_CHUNK: usize = 500;

/// One record's local side: its adoption (if any) and the base to write once it applies.
#[derive(Debug, Clone, Copy)]
pub struct Adoption<'a, R: Record> {
    pub remote_id: Option<RemoteId>,
    pub adopt: Option<&'a Adopt<R>>,
    pub base_after: Option<&'a BaseAfter<R>>,
}

/// Who a `change_log` row is about.
#[derive(Debug, Clone, Copy)]
pub(super) struct Log {
    pub run_id: i64,
    pub remote_id: Option<RemoteId>,
    pub entity: &'static str,
    pub catalog: Option<RemoteId>,
}

async fn apply_adopt<R: Stored>(
    conn: &mut SqliteConnection,
    log: &Log,
    scope: &R::Scope,
    adopt: &Adopt<R>,
) -> Result<bool> {
    match adopt {
        Adopt::Insert { remote_id, fields } => {
            let Some(id) = R::insert_desired(conn, scope, *remote_id, fields).await? else {
                return Ok(false);
            };
            let log = Log {
                remote_id: Some(*remote_id),
                ..*log
            };
            log_change(conn, &log, Some(id), "insert", None, Some(json!(fields))).await?;
            Ok(true)
        }
        Adopt::Update {
            desired_id,
            revision,
            changes,
        } => {
            let Some(before) = R::desired_row(conn, *desired_id).await? else {
                return Ok(false);
            };
            if before.revision != *revision {
                return Ok(false);
            }
            let mut after = before.fields.clone();
            for (f, v) in changes {
                after.set(*f, v.clone());
            }
            if !R::update_desired(conn, &before, &after).await? {
                return Ok(false);
            }
            let (b, a) = (Some(json!(before.fields)), Some(json!(after)));
            log_change(conn, log, Some(*desired_id), "update", b, a).await?;
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
            let Some(before) = R::desired_row(conn, *desired_id).await? else {
                return Ok(false);
            };
            let unlink = matches!(adopt, Adopt::Unlink { .. });
            if !R::remove_desired(conn, *desired_id, *revision, unlink).await? {
                return Ok(false);
            }
            let kept = json!(before.fields);
            let (action, after) = if unlink {
                ("update", Some(kept.clone()))
            } else {
                ("delete", None)
            };
            log_change(conn, log, Some(*desired_id), action, Some(kept), after).await?;
            Ok(true)
        }
    }
}

pub(super) async fn log_change(
    conn: &mut SqliteConnection,
    log: &Log,
    desired_id: Option<DesiredId>,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO change_log (run_id, remote_id, desired_id, action, before_json, after_json, \
         changed_at, entity, catalog_remote_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(log.run_id)
    .bind(log.remote_id)
    .bind(desired_id)
    .bind(action)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .bind(now())
    .bind(log.entity)
    .bind(log.catalog)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
