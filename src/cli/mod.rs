//! The command line: arguments, wiring settings to a [`Syncer`], and what each command prints.

mod auth;
mod daemon;
mod elements;
pub mod health;
pub mod render;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::amocrm::{Client, ClientOptions};
use crate::config::{LogFormat, Settings};
use crate::store::Store;
use crate::sync::{SyncOptions, Syncer};
use crate::telemetry;

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
    /// Lift the delete guard (sync.max_deletes, empty pull) for this run.
    #[arg(long, global = true)]
    pub allow_deletes: bool,
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
        command: auth::AuthCommand,
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
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        accounts: u16,
    },
}

impl Global {
    pub fn verbosity(&self) -> i8 {
        self.verbose as i8 - self.quiet as i8
    }
}

/// Settings for this invocation.
pub fn load_settings(global: &Global) -> Result<Settings> {
    load_settings_from(global.config.as_deref())
}

/// Runs the binary: commands that need no settings first, then the rest. Returns the exit code.
pub async fn main(cli: Cli) -> Result<i32> {
    let verbosity = cli.global.verbosity();
    match &cli.command {
        Some(Command::Sandbox { port, accounts }) => {
            telemetry::init(LogFormat::Text, "info", verbosity);
            crate::sandbox::run_standalone(*port, usize::from(*accounts)).await?;
            Ok(0)
        }
        Some(Command::Demo { database }) => {
            telemetry::init(LogFormat::Text, "warn", verbosity);
            crate::demo::run(database).await
        }
        _ => {
            let settings = load_settings(&cli.global)?;
            telemetry::init(settings.log.format, &settings.log.level, verbosity);
            let json = settings.log.format == LogFormat::Json;
            match run(cli, settings).await {
                // With JSON logs, stderr carries nothing but JSON objects.
                Err(e) if json => {
                    tracing::error!(error = format!("{e:#}"), "failed");
                    Ok(1)
                }
                other => other,
            }
        }
    }
}

/// Settings from the defaults, `file` and the environment (at start, and again on SIGHUP).
pub fn load_settings_from(file: Option<&std::path::Path>) -> Result<Settings> {
    Settings::load(file).map_err(|e| anyhow::anyhow!("{e}"))
}

/// `status` exit code when the service looks unhealthy (see [`health`]): the general error code,
/// so that `catalog-sync status` works as a health check.
pub const UNHEALTHY: i32 = 1;

/// Runs the command and returns the process exit code.
pub async fn run(cli: Cli, settings: Settings) -> Result<i32> {
    let allow_deletes = cli.global.allow_deletes;
    if cli.once && !matches!(cli.command, None | Some(Command::Run { .. })) {
        anyhow::bail!("--once goes with `run` (or no command at all)");
    }
    match cli.command {
        None | Some(Command::Run { .. }) if cli.once => {
            once(&settings, allow_deletes, "once").await
        }
        Some(Command::Run { once: true }) => once(&settings, allow_deletes, "once").await,
        None | Some(Command::Run { once: false }) => {
            let options = daemon::DaemonOptions {
                config: cli.global.config.clone(),
                allow_deletes,
                verbosity: cli.global.verbosity(),
            };
            daemon::run(settings, options).await
        }
        Some(Command::Plan {
            json,
            detailed_exitcode,
        }) => {
            let syncer = syncer(&settings, allow_deletes).await?;
            let plan = syncer.plan().await?;
            render::plan(&plan, &settings, json)?;
            Ok(if detailed_exitcode && plan.has_changes() {
                2
            } else {
                0
            })
        }
        Some(Command::Status { json }) => {
            let store = Store::open(&settings.database.path).await?;
            let status = store.status(10).await?;
            let auth = crate::auth::status(&settings, &store).await?;
            let mut health = health::check(&status, &settings.sync.schedule, chrono::Utc::now());
            if !auth.ready {
                health.healthy = false;
                health
                    .problems
                    .push(format!("authentication: {}", auth.summary));
            }
            render::status(&status, &health, &auth, &settings, json)?;
            Ok(if health.healthy { 0 } else { UNHEALTHY })
        }
        Some(Command::Auth { command }) => auth::run(command, &settings).await,
        Some(Command::Demo { .. } | Command::Sandbox { .. }) => {
            unreachable!("handled by cli::main without settings")
        }
    }
}

async fn once(settings: &Settings, allow_deletes: bool, trigger: &str) -> Result<i32> {
    let syncer = syncer(settings, allow_deletes).await?;
    let report = syncer.run_once(trigger).await?;
    render::report(&report);
    Ok(report.outcome.exit_code())
}

/// The amoCRM client for these settings; OAuth tokens and sessions are kept in `store`.
pub fn client(settings: &Settings, store: &Store) -> Result<Client> {
    let credentials = crate::auth::credentials(settings, store)?;
    Ok(Client::new(ClientOptions {
        base_url: settings.amocrm.base_url.as_url().clone(),
        credentials,
        timeout: settings.http.timeout,
        requests_per_second: settings.http.requests_per_second,
        max_retries: settings.http.max_retries,
        backoff_base: std::time::Duration::from_secs(1),
        shared_pace: Some(crate::amocrm::pace_path(&settings.database.path)),
    })?)
}

/// A syncer for these settings: the database opened and migrated, the client built.
pub async fn syncer(settings: &Settings, allow_deletes: bool) -> Result<Syncer> {
    let store = Store::open(&settings.database.path)
        .await
        .with_context(|| format!("database.path = {}", settings.database.path.display()))?;
    let options = SyncOptions {
        mode: settings.sync.mode,
        policy: settings.sync.conflict_policy,
        batch_size: settings.sync.batch_size,
        max_deletes: settings.sync.max_deletes,
        allow_deletes,
        ..SyncOptions::default()
    };
    let client = client(settings, &store)?;
    Ok(Syncer::new(store, client, options).with_blocked_cooldown(settings.http.blocked_cooldown))
}
