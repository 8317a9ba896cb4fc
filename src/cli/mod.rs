//! The command line: arguments, which accounts a command covers, and what each command prints.
//! The wiring of an account to a [`Syncer`](crate::sync::Syncer) is [`crate::startup`]'s.
//!
//! With `log.format = json` every line the program writes is one JSON object: logs and errors
//! on stderr, and on stdout the `--json` objects of `plan` and `status` (with or without
//! `--json`), the run summary of `--once` ([`json::run`]) and `auth`'s answers.

pub mod accounts;
mod args;
mod auth;
pub mod changes;
mod daemon;
mod elements;
pub mod health;
pub mod json;
pub mod render;
pub mod status;

use anyhow::Result;

use crate::config::{AccountSettings, LogFormat, Settings};
use crate::startup;
use crate::telemetry;
use accounts::{each, header, worst};
pub use args::{Cli, Command, Global};

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

/// What every account command needs besides its own arguments.
struct Context {
    settings: Settings,
    accounts: Vec<AccountSettings>,
    allow_deletes: bool,
    /// With JSON logs, errors are log lines too.
    json_logs: bool,
}

impl Context {
    fn limit(&self) -> usize {
        self.settings.daemon.max_concurrent_accounts
    }

    /// A progress line for long element pulls: text logs and one account only (lines of
    /// accounts running side by side would mix).
    fn progress(&self) -> bool {
        !self.json_logs && self.accounts.len() == 1
    }

    /// Reports an account's failure; with one account it is the command's error.
    fn failed(&self, account: &AccountSettings, e: anyhow::Error) -> Result<i32> {
        if self.accounts.len() == 1 {
            return Err(e);
        }
        self.report(account, &e);
        Ok(1)
    }

    /// Tells stderr of an account's failure, as the command's error would be told.
    fn report(&self, account: &AccountSettings, e: &anyhow::Error) {
        if self.json_logs {
            tracing::error!(account = %account.name, error = format!("{e:#}"), "failed");
        } else if self.accounts.len() == 1 {
            eprintln!("catalog-sync: {e:#}");
        } else {
            eprintln!("catalog-sync: account {}: {e:#}", account.name);
        }
    }

    /// The header line before an account's text output, when there is more than one account.
    fn header(&self, account: &AccountSettings) {
        if self.accounts.len() > 1 {
            println!("{}", header(account));
        }
    }
}

/// Runs the command and returns the process exit code.
pub async fn run(cli: Cli, settings: Settings) -> Result<i32> {
    if cli.once && !matches!(cli.command, None | Some(Command::Run { .. })) {
        anyhow::bail!("--once goes with `run` (or no command at all)");
    }
    let selection = cli.global.selection();
    let accounts = selection.apply(&settings)?;
    let ctx = Context {
        json_logs: settings.log.format == LogFormat::Json,
        settings,
        accounts,
        allow_deletes: cli.global.allow_deletes,
    };
    let once = cli.once || matches!(cli.command, Some(Command::Run { once: true }));
    let daemon = !once && matches!(cli.command, None | Some(Command::Run { .. }));
    // A replica whose shard holds no account yet still runs its daemon, for SIGHUP to fill it.
    if ctx.accounts.is_empty() && !daemon {
        let shard = selection.shard(&ctx.settings);
        tracing::warn!(%shard, "no account in this shard: nothing to do");
        return Ok(0);
    }
    match cli.command {
        None | Some(Command::Run { .. }) if once => run_once(&ctx, "once").await,
        None | Some(Command::Run { .. }) => {
            let options = daemon::DaemonOptions {
                config: cli.global.config.clone(),
                allow_deletes: ctx.allow_deletes,
                verbosity: cli.global.verbosity(),
                selection,
            };
            daemon::run(ctx.settings, ctx.accounts, options).await
        }
        Some(Command::Plan {
            json,
            detailed_exitcode,
        }) => plan(&ctx, json || ctx.json_logs, detailed_exitcode).await,
        Some(Command::Status { json }) => status::run(&ctx, json || ctx.json_logs).await,
        Some(Command::Auth { command }) => match ctx.accounts.as_slice() {
            [one] => auth::run(command, one, ctx.json_logs).await,
            all => anyhow::bail!(
                "auth commands work on one account: pass --account NAME (this configuration \
                 has {})",
                accounts::names(all)
            ),
        },
        Some(Command::Demo { .. } | Command::Sandbox { .. }) => {
            unreachable!("handled by cli::main without settings")
        }
    }
}

/// `--once`: one run of every account; the worst exit code.
async fn run_once(ctx: &Context, trigger: &'static str) -> Result<i32> {
    let allow_deletes = ctx.allow_deletes;
    let progress = ctx.progress();
    let mut codes = Vec::with_capacity(ctx.accounts.len());
    let mut first_error = None;
    let work = |account: AccountSettings| async move {
        let syncer = startup::syncer(&account, allow_deletes)
            .await?
            .with_progress(progress);
        let report = syncer.run_once(trigger).await;
        syncer.store().close().await;
        report
    };
    each(&ctx.accounts, ctx.limit(), work, |account, result| {
        let code = match result {
            Ok(report) if ctx.json_logs => {
                json::print(&json::run(&report, account)).map(|()| report.outcome.exit_code())
            }
            Ok(report) => {
                ctx.header(account);
                print!("{}", render::report(&report));
                Ok(report.outcome.exit_code())
            }
            Err(e) => {
                if !ctx.json_logs {
                    ctx.header(account);
                }
                ctx.failed(account, e)
            }
        };
        codes.push(code.unwrap_or_else(|e| {
            first_error = Some(e);
            1
        }));
    })
    .await;
    match first_error {
        Some(e) => Err(e),
        None => Ok(worst(codes)),
    }
}

/// `plan`: what a run of every account would do; the worst exit code.
async fn plan(ctx: &Context, json: bool, detailed_exitcode: bool) -> Result<i32> {
    let mut codes = Vec::with_capacity(ctx.accounts.len());
    let mut objects = Vec::new();
    let mut first_error = None;
    let progress = ctx.progress();
    let work = |account: AccountSettings| async move {
        let syncer = startup::syncer(&account, false)
            .await?
            .with_progress(progress);
        let plan = syncer.plan().await;
        let api = syncer.catalog_api();
        syncer.store().close().await;
        plan.map(|plan| (plan, api))
    };
    each(&ctx.accounts, ctx.limit(), work, |account, result| {
        let code = match result {
            Ok((plan, api)) => {
                if json {
                    objects.push(json::plan(&plan, account, api));
                } else {
                    ctx.header(account);
                    print!("{}", render::plan_text(&plan, account, api));
                }
                Ok(if detailed_exitcode && plan.has_changes() {
                    2
                } else {
                    0
                })
            }
            // Even alone, a failed account is an object of the document, and exits 1.
            Err(e) if json => {
                objects.push(json::account_error(account, &e));
                ctx.report(account, &e);
                Ok(1)
            }
            Err(e) => ctx.failed(account, e),
        };
        codes.push(code.unwrap_or_else(|e| {
            first_error = Some(e);
            1
        }));
    })
    .await;
    if let Some(e) = first_error {
        return Err(e);
    }
    if json {
        json::print_accounts(objects)?;
    }
    Ok(worst(codes))
}
