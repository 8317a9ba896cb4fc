//! `api_version`: the switch from API v2 to v4 that `amocrm.api = "auto"` made, remembered so
//! that later runs start on v4; and the outbox payloads made again when a run switches.

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;

use super::{OutboxRow, Store, now};

/// When and why catalogs moved to API v4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiSwitch {
    pub api: String,
    pub switched_at: String,
    pub run_id: Option<i64>,
    pub reason: String,
}

impl Store {
    pub async fn api_switch(&self) -> Result<Option<ApiSwitch>> {
        let row: Option<(String, String, Option<i64>, String)> =
            sqlx::query_as("SELECT api, switched_at, run_id, reason FROM api_version")
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(api, switched_at, run_id, reason)| ApiSwitch {
            api,
            switched_at,
            run_id,
            reason,
        }))
    }

    /// Records the switch to v4 (once: a second switch keeps the first row).
    pub async fn record_api_switch(&self, run_id: Option<i64>, reason: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO api_version (id, api, switched_at, run_id, reason) \
             VALUES (1, 'v4', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(now())
        .bind(run_id)
        .bind(reason)
        .execute(&self.pool)
        .await
        .context("cannot record the switch to API v4")?;
        Ok(())
    }
}

impl OutboxRow {
    /// `payload`, made with a `request_id` placeholder, as this row sends it: the row's id in
    /// its place, in the same JSON type, as [`Store::enqueue`] does.
    pub fn stamped(&self, payload: Value) -> Value {
        super::outbox::stamp(payload, self.id)
    }
}

impl Store {
    /// Replaces the payloads of rows not yet sent, in one transaction: the run moved to
    /// another API after recording them, and the outbox always says what was sent. A payload
    /// that carries a `request_id` sets the `request_id` column too.
    pub async fn replace_payloads(&self, rows: &[OutboxRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for row in rows {
            let request_id = row.payload.get("request_id").map(|_| row.id);
            sqlx::query(
                "UPDATE outbox SET payload = ?, request_id = COALESCE(?, request_id) WHERE id = ?",
            )
            .bind(row.payload.to_string())
            .bind(request_id)
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit()
            .await
            .context("cannot record the payloads of the operations not yet sent")
    }
}
