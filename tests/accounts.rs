//! Many accounts: the list form of the settings, `--once`/`plan`/`status`/`auth` over several
//! accounts, the daemon serving them side by side, and shards. Each account is its own sandbox.

#[path = "accounts/broken.rs"]
mod broken;
#[path = "accounts/commands.rs"]
mod commands;
#[path = "accounts/config.rs"]
mod config;
#[path = "accounts/daemon.rs"]
mod daemon;
#[path = "accounts/daemon_scope.rs"]
mod daemon_scope;
#[path = "accounts/fleet.rs"]
mod fleet;
#[path = "daemon/harness.rs"]
mod harness;
