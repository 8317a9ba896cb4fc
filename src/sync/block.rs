//! The 403 block: amoCRM blocks an account (or IP) that sent too many requests. After a 403 the
//! run stops at once, the block is recorded in `account_blocks`, and every run (in this process
//! or after a restart) sends nothing until `http.blocked_cooldown_seconds` have passed.

use chrono::Utc;
use tracing::{error, warn};

use super::{Stop, Syncer};
use crate::amocrm::ApiError;

impl Syncer {
    /// Before any request: a block still in force stops the run with a clear error.
    pub(super) async fn check_block(&self) -> Result<(), Stop> {
        let Some(block) = self.store.active_block(Utc::now()).await? else {
            return Ok(());
        };
        warn!(blocked_at = %block.blocked_at, until = %block.until, "account blocked; sending nothing");
        Err(Stop::Failed(anyhow::anyhow!(
            "amoCRM blocked the account or IP (403) at {}; sending nothing until {} \
             (http.blocked_cooldown_seconds). If amoCRM support has lifted the block, \
             `DELETE FROM account_blocks` lets the next run go ahead",
            block.blocked_at,
            block.until
        )))
    }

    /// After a failure: if it was a 403 block, records it so that nothing is sent during the
    /// cool-down, and says until when. Returns the error to report.
    pub(super) async fn remember_block(&self, run_id: i64, e: anyhow::Error) -> anyhow::Error {
        let Some(blocked @ ApiError::Blocked { .. }) = e.downcast_ref::<ApiError>() else {
            return e;
        };
        let detail = blocked.to_string();
        match self
            .store
            .record_block(Some(run_id), Utc::now(), self.blocked_cooldown, &detail)
            .await
        {
            Ok(block) => {
                error!(until = %block.until, "amocrm answered 403: blocked; sending nothing until then");
                e.context(format!(
                    "blocked: nothing is sent until {} (http.blocked_cooldown_seconds)",
                    block.until
                ))
            }
            Err(db) => e.context(format!("and the block could not be recorded: {db:#}")),
        }
    }
}
