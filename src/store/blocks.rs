//! `account_blocks`: when amoCRM answered 403 (blocked), and until when nothing may be sent.
//! Kept in the database so that a restart (or a `--once` run from cron) also waits.

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::Store;

/// A 403 block and the cool-down it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub blocked_at: String,
    /// Nothing is sent before this time.
    pub until: String,
    pub detail: String,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Store {
    /// Records a block seen at `at`; nothing is sent until `at + cooldown`.
    pub async fn record_block(
        &self,
        run_id: Option<i64>,
        at: DateTime<Utc>,
        cooldown: std::time::Duration,
        detail: &str,
    ) -> Result<Block> {
        let cooldown = chrono::Duration::from_std(cooldown).unwrap_or(chrono::Duration::MAX);
        let until = at
            .checked_add_signed(cooldown)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let block = Block {
            blocked_at: stamp(at),
            until: stamp(until),
            detail: detail.to_owned(),
        };
        sqlx::query(
            "INSERT INTO account_blocks (run_id, blocked_at, until, detail) VALUES (?, ?, ?, ?)",
        )
        .bind(run_id)
        .bind(&block.blocked_at)
        .bind(&block.until)
        .bind(&block.detail)
        .execute(&self.pool)
        .await
        .context("cannot record the 403 block")?;
        Ok(block)
    }

    /// The block still in force at `at`, if any (the one that ends last).
    pub async fn active_block(&self, at: DateTime<Utc>) -> Result<Option<Block>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT blocked_at, until, detail FROM account_blocks WHERE until > ? \
             ORDER BY until DESC LIMIT 1",
        )
        .bind(stamp(at))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(blocked_at, until, detail)| Block {
            blocked_at,
            until,
            detail,
        }))
    }
}
