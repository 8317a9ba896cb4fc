//! The `outbox` table: every operation decided for the account, committed before it is sent.
//!
//! States: `pending` → `sending` (committed before the POST leaves) → `done` | `failed` |
//! `in_doubt` (sent, outcome unknown) → `done` or `failed` once a fresh pull tells.

use anyhow::{Context, Result};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::adopt::{Log, log_change};
use super::stored::Stored;
use super::{Store, now};
use crate::plan::BaseAfter;
use crate::record::{DesiredId, RemoteId};

/// The state of an outbox row, as stored in `outbox.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Pending,
    Sending,
    Done,
    Failed,
    InDoubt,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
            OutboxState::InDoubt => "in_doubt",
        }
    }

    fn parse(s: &str) -> OutboxState {
        match s {
            "pending" => OutboxState::Pending,
            "sending" => OutboxState::Sending,
            "done" => OutboxState::Done,
            "failed" => OutboxState::Failed,
            _ => OutboxState::InDoubt,
        }
    }
}

/// An operation about to be recorded. A payload that carries a `request_id` (every add; v4
/// updates too) gets the row's id there, in the same JSON type (`0` or `"0"`), and in the
/// `request_id` column, so that a response (or a person) can correlate them.
#[derive(Debug, Clone)]
pub struct NewOp {
    pub entity: &'static str,
    /// The element's catalog; `None` for a catalog.
    pub catalog_remote_id: Option<RemoteId>,
    pub op: &'static str,
    pub desired_id: Option<DesiredId>,
    pub remote_id: Option<RemoteId>,
    /// Exactly what is sent for this item.
    pub payload: serde_json::Value,
    /// The record's fields as decided (add, update): what an unknown outcome is checked against.
    pub intent: Option<serde_json::Value>,
}

/// A row of `outbox`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub run_id: i64,
    pub entity: String,
    pub catalog_remote_id: Option<RemoteId>,
    pub op: String,
    pub desired_id: Option<DesiredId>,
    pub remote_id: Option<RemoteId>,
    pub request_id: Option<i64>,
    pub payload: serde_json::Value,
    pub intent: Option<serde_json::Value>,
    pub state: OutboxState,
    pub attempts: i64,
    pub error: Option<String>,
}

fn outbox_row(row: &SqliteRow) -> Result<OutboxRow> {
    let payload: String = row.try_get("payload")?;
    let intent: Option<String> = row.try_get("intent")?;
    Ok(OutboxRow {
        id: row.try_get("id")?,
        run_id: row.try_get("run_id")?,
        entity: row.try_get("entity")?,
        catalog_remote_id: row.try_get("catalog_remote_id")?,
        op: row.try_get("op")?,
        desired_id: row.try_get("desired_id")?,
        remote_id: row.try_get("remote_id")?,
        request_id: row.try_get("request_id")?,
        payload: serde_json::from_str(&payload).context("outbox.payload is not JSON")?,
        intent: intent
            .map(|i| serde_json::from_str(&i))
            .transpose()
            .context("outbox.intent is not JSON")?,
        state: OutboxState::parse(row.try_get("state")?),
        attempts: row.try_get("attempts")?,
        error: row.try_get("error")?,
    })
}

/// `payload` with its `request_id` placeholder (if it has one) set to the row's `id`, keeping
/// its JSON type: the form in which the row is sent and recorded.
pub(super) fn stamp(mut payload: serde_json::Value, id: i64) -> serde_json::Value {
    if let Some(placeholder) = payload.get("request_id") {
        payload["request_id"] = if placeholder.is_string() {
            id.to_string().into()
        } else {
            id.into()
        };
    }
    payload
}

impl Store {
    /// Records operations as `pending`, in one transaction, and returns the rows.
    pub async fn enqueue(&self, run_id: i64, ops: &[NewOp]) -> Result<Vec<OutboxRow>> {
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(ops.len());
        let created_at = now();
        for op in ops {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO outbox (run_id, entity, catalog_remote_id, op, desired_id, \
                 remote_id, payload, intent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 RETURNING id",
            )
            .bind(run_id)
            .bind(op.entity)
            .bind(op.catalog_remote_id)
            .bind(op.op)
            .bind(op.desired_id)
            .bind(op.remote_id)
            .bind(op.payload.to_string())
            .bind(op.intent.as_ref().map(|i| i.to_string()))
            .bind(&created_at)
            .fetch_one(&mut *tx)
            .await?;
            if op.payload.get("request_id").is_some() {
                sqlx::query("UPDATE outbox SET request_id = ?, payload = ? WHERE id = ?")
                    .bind(id)
                    .bind(stamp(op.payload.clone(), id).to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            ids.push(id);
        }
        tx.commit().await.context("cannot record the outbox")?;
        self.outbox_rows(&ids).await
    }

    async fn outbox_rows(&self, ids: &[i64]) -> Result<Vec<OutboxRow>> {
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query("SELECT * FROM outbox WHERE id = ?")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
            rows.push(outbox_row(&row)?);
        }
        Ok(rows)
    }

    /// Rows of `entity` (and, for elements, of one catalog) not yet settled: `pending`,
    /// `sending` and `in_doubt`, oldest first.
    pub async fn unfinished(
        &self,
        entity: &str,
        catalog_remote_id: Option<RemoteId>,
    ) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(
            "SELECT * FROM outbox WHERE state IN ('pending', 'sending', 'in_doubt') \
             AND entity = ? AND catalog_remote_id IS ? ORDER BY id",
        )
        .bind(entity)
        .bind(catalog_remote_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_row).collect()
    }

    /// Commits `sending` before the request leaves.
    pub async fn mark_sending(&self, ids: &[i64]) -> Result<()> {
        self.set_state(ids, OutboxState::Sending, None).await
    }

    pub async fn mark_in_doubt(&self, ids: &[i64], why: &str) -> Result<()> {
        self.set_state(ids, OutboxState::InDoubt, Some(why)).await
    }

    /// Marks rows `failed` with the reason (the API's message, or why they were never sent).
    pub async fn fail(&self, ids: &[i64], why: &str) -> Result<()> {
        self.set_state(ids, OutboxState::Failed, Some(why)).await
    }

    async fn set_state(&self, ids: &[i64], state: OutboxState, error: Option<&str>) -> Result<()> {
        let sql = match state {
            OutboxState::Sending => {
                "UPDATE outbox SET state = ?1, error = ?2, sent_at = ?3, attempts = attempts + 1 \
                 WHERE id = ?4"
            }
            OutboxState::Pending | OutboxState::InDoubt => {
                "UPDATE outbox SET state = ?1, error = ?2 WHERE id = ?4"
            }
            OutboxState::Done | OutboxState::Failed => {
                "UPDATE outbox SET state = ?1, error = ?2, finished_at = ?3 WHERE id = ?4"
            }
        };
        let mut tx = self.begin_write().await?;
        let at = now();
        for id in ids {
            sqlx::query(sql)
                .bind(state.as_str())
                .bind(error)
                .bind(&at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records what came back for the rows of one batch: one transaction, not one per row.
    pub async fn record_response(&self, ids: &[i64], response: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for id in ids {
            sqlx::query("UPDATE outbox SET response = ? WHERE id = ?")
                .bind(response)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Settles a row as `done` and moves the base, atomically. For an add, `created` is the new
    /// record's id: it is linked to the desired row and replaces the id being re-created.
    pub async fn confirm<R: Stored>(
        &self,
        scope: &R::Scope,
        row: &OutboxRow,
        created: Option<RemoteId>,
        replaces: Option<RemoteId>,
        base: &BaseAfter<R>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET state = 'done', error = NULL, finished_at = ?, \
             remote_id = COALESCE(?, remote_id) WHERE id = ?",
        )
        .bind(now())
        .bind(created)
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
        if let Some(old) = replaces {
            R::write_base(&mut tx, scope, old, &BaseAfter::Remove).await?;
        }
        if let (Some(new_id), Some(desired_id)) = (created, row.desired_id)
            && R::link_desired(&mut tx, desired_id, new_id).await?
        {
            let after = serde_json::json!({ "remote_id": new_id });
            let log = Log {
                run_id: row.run_id,
                remote_id: Some(new_id),
                entity: R::ENTITY,
                catalog: R::catalog_of(scope),
            };
            log_change(&mut tx, &log, Some(desired_id), "link", None, Some(after)).await?;
        }
        if let Some(id) = created.or(row.remote_id) {
            R::write_base(&mut tx, scope, id, base).await?;
        }
        tx.commit()
            .await
            .context("cannot record a confirmed operation")
    }
}
