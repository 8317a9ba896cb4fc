//! `api_version`: the switch from API v2 to v4 that `amocrm.api = "auto"` made, remembered so
//! that later runs start on v4.

use anyhow::{Context, Result};
use serde::Serialize;

use super::{Store, now};

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
