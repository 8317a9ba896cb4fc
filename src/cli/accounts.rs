//! Which accounts a command covers (`--account`, `--shard` / `daemon.shard`), and running a
//! command for each of them: at most `daemon.max_concurrent_accounts` at once, results handed
//! back in the configuration's order, one broken account never stopping the others (a
//! mis-configured one included: it is covered like the others, and its run or read fails with its
//! problem, see [`crate::startup::ready`]).

use std::future::Future;
use std::sync::Arc;

use anyhow::{Result, bail};
use tokio::sync::Semaphore;
use tracing::{Instrument, info_span};

use crate::config::{AccountSettings, Settings, Shard};

/// How many names a message lists before "and N more".
const NAMES_SHOWN: usize = 10;

/// The accounts chosen on the command line.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--account NAME`, repeatable; empty means every account of the shard.
    pub names: Vec<String>,
    /// `--shard I/N`; `None` means `daemon.shard`.
    pub shard: Option<Shard>,
}

impl Selection {
    /// The shard in force: `--shard`, else `daemon.shard`.
    pub fn shard(&self, settings: &Settings) -> Shard {
        self.shard.unwrap_or(settings.daemon.shard)
    }

    /// The accounts a command covers, in the configuration's order: the named ones, else every
    /// account of the shard. A name that is not configured, or that belongs to another shard
    /// (whose replica owns its database), is an error naming it.
    pub fn apply(&self, settings: &Settings) -> Result<Vec<AccountSettings>> {
        let shard = self.shard(settings);
        if self.names.is_empty() {
            return Ok(settings
                .accounts
                .iter()
                .filter(|a| shard.contains(&a.name))
                .cloned()
                .collect());
        }
        for name in &self.names {
            let Some(account) = settings.account(name) else {
                bail!(
                    "unknown account {name:?} (--account): the configuration has {}",
                    names(&settings.accounts)
                );
            };
            if !shard.contains(&account.name) {
                bail!(
                    "account {name} belongs to shard {}, not to this replica's shard {shard} \
                     (--shard or daemon.shard): run the command where its database is, or pass \
                     --shard {}",
                    Shard::of(&account.name, shard.count()),
                    Shard::of(&account.name, shard.count()),
                );
            }
        }
        Ok(settings
            .accounts
            .iter()
            .filter(|a| self.names.iter().any(|n| n == a.name.as_str()))
            .cloned()
            .collect())
    }
}

/// `shop, tea and 3 more`.
pub fn names(accounts: &[AccountSettings]) -> String {
    let shown: Vec<&str> = accounts
        .iter()
        .take(NAMES_SHOWN)
        .map(|a| a.name.as_str())
        .collect();
    match accounts.len().saturating_sub(NAMES_SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Runs `work` for every account, at most `limit` at once, each in a log span carrying the
/// account's name, and calls `done` with each result in the accounts' order (so that the output
/// of one account never mixes with another's).
pub async fn each<T, W, Fut>(
    accounts: &[AccountSettings],
    limit: usize,
    work: W,
    mut done: impl FnMut(&AccountSettings, Result<T>),
) where
    T: Send + 'static,
    W: Fn(AccountSettings) -> Fut,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limit.max(1)));
    let tasks: Vec<_> = accounts
        .iter()
        .map(|account| {
            let slots = slots.clone();
            let span = info_span!("account", account = %account.name);
            let job = work(account.clone());
            tokio::spawn(
                async move {
                    let _slot = slots.acquire_owned().await?;
                    job.await
                }
                .instrument(span),
            )
        })
        .collect();
    for (account, task) in accounts.iter().zip(tasks) {
        let result = task.await.unwrap_or_else(|e| {
            Err(anyhow::anyhow!(
                "the run of account {} panicked: {e}",
                account.name
            ))
        });
        done(account, result);
    }
}

/// How bad an exit code is, for "the worst code wins": 1, 3, 4, 2, 0 (worst first).
pub fn severity(code: i32) -> u8 {
    match code {
        0 => 0,
        2 => 1,
        4 => 2,
        3 => 3,
        1 => 4,
        _ => 5,
    }
}

/// The worst of the codes; 0 when there are none.
pub fn worst(codes: impl IntoIterator<Item = i32>) -> i32 {
    codes.into_iter().max_by_key(|c| severity(*c)).unwrap_or(0)
}

/// The line before each account's output when a command covers more than one. A mis-configured
/// account's address may be a stand-in: it is not shown.
pub fn header(account: &AccountSettings) -> String {
    match &account.problem {
        None => format!("== account {} ({})", account.name, account.amocrm.base_url),
        Some(_) => format!("== account {} (mis-configured)", account.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_exit_code_wins_in_the_order_1_3_4_2_0() {
        assert_eq!(worst([0, 2, 0]), 2);
        assert_eq!(worst([2, 4, 0]), 4);
        assert_eq!(worst([4, 3, 2]), 3);
        assert_eq!(worst([3, 1, 4]), 1);
        assert_eq!(worst([]), 0);
    }
}
