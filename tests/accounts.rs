//! Many accounts: the list form of the settings, `--once`/`plan`/`status`/`auth` over several
//! accounts, the daemon serving them side by side, and shards.

#[path = "accounts/config.rs"]
mod config;
