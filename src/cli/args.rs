//! The command line's arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::accounts::Selection;
use crate::config::Shard;

/// Keeps the catalogs (lists) of an amoCRM account in two-way sync with a SQLite database.
#[derive(Debug, Parser)]
#[command(name = "catalog-sync", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// One full reconcile, then exit (same as `run --once`).
    #[arg(long)]
    pub once: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Configuration file (TOML); see config/default.toml for every key.
    #[arg(
        short,
        long,
        global = true,
        env = "CATALOG_SYNC_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// Lift the delete guards (sync.max_deletes, sync.max_element_deletes, an empty or shrunk
    /// pull) for this run.
    #[arg(long, global = true)]
    pub allow_deletes: bool,
    /// Only this account (`[[accounts]] name`; `default` in the single form). Repeatable.
    #[arg(long = "account", global = true, value_name = "NAME")]
    pub accounts: Vec<String>,
    /// This replica's share of the accounts, I/N (overrides daemon.shard).
    #[arg(long, global = true, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// More log output (-v debug, -vv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Less log output (-q warnings only, -qq errors only).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "verbose")]
    pub quiet: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reconcile on the cron schedule until SIGTERM/SIGINT (the default); SIGHUP re-reads the
    /// configuration.
    Run {
        /// One full reconcile, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Pull and merge, then print what a sync would do in both directions. Sends no POST and
    /// changes nothing.
    Plan {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Exit 2 when there are changes, 0 when in sync.
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Last runs, outbox backlog, open conflicts, time since the last success. Exits 1 when
    /// no run succeeded within three schedule intervals (a health check).
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// OAuth login (`auth login --code CODE`) and the state of the credentials (`auth status`).
    Auth {
        #[command(subcommand)]
        command: super::auth::AuthCommand,
    },
    /// Start the built-in sandbox account on loopback, run reconciles with example edits on both
    /// sides, and print what happened and where the database is. Needs no configuration.
    Demo {
        /// The database to use (a previous demo's database there is replaced; any other file
        /// is refused).
        #[arg(long, default_value = "catalog-sync.db")]
        database: PathBuf,
    },
    /// Run the sandbox account alone on 127.0.0.1, for trying the daemon by hand with
    /// `--config config/sandbox.toml` in another terminal.
    Sandbox {
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// Serve this many independent accounts, account i under /accounts/{i} (1: at the root).
        #[arg(
            long = "accounts",
            id = "account_count",
            value_name = "N",
            default_value_t = 1,
            value_parser = clap::value_parser!(u16).range(1..)
        )]
        accounts: u16,
    },
}

impl Cli {
    /// Whether the command does one thing and exits (`--once`, `plan`, `status`, `auth`),
    /// rather than serving (the daemon, the sandbox, the demo).
    pub fn is_one_shot(&self) -> bool {
        match &self.command {
            None => self.once,
            Some(Command::Run { once }) => *once || self.once,
            Some(Command::Plan { .. } | Command::Status { .. } | Command::Auth { .. }) => true,
            Some(Command::Demo { .. } | Command::Sandbox { .. }) => false,
        }
    }
}

impl Global {
    pub fn verbosity(&self) -> i8 {
        self.verbose as i8 - self.quiet as i8
    }

    /// `--account` and `--shard`.
    pub fn selection(&self) -> Selection {
        Selection {
            names: self.accounts.clone(),
            shard: self.shard,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn one_shot_commands_are_told_from_the_ones_that_serve() {
        let one_shot = |args: &[&str]| {
            let mut all = vec!["catalog-sync"];
            all.extend(args);
            Cli::parse_from(all).is_one_shot()
        };
        for args in [
            &["--once"][..],
            &["run", "--once"],
            &["--once", "run"],
            &["plan", "--json"],
            &["status"],
            &["auth", "status"],
        ] {
            assert!(one_shot(args), "{args:?}");
        }
        for args in [
            &[][..],
            &["run"],
            &["demo"],
            &["sandbox", "--accounts", "3"],
        ] {
            assert!(!one_shot(args), "{args:?}");
        }
    }
}
