//! The long-running service: every account of its shard reconciled on its own schedule until
//! SIGTERM or SIGINT.
//!
//! - One sorted schedule drives all accounts ([`roster`]); at most
//!   `daemon.max_concurrent_accounts` runs at once, each in its own task with its own database,
//!   client and pace ([`task`]). Runs of one account never overlap; a run that overruns skips the
//!   ticks it missed. A slow, failing or broken account only occupies its own slot.
//! - SIGTERM/SIGINT while idle exits 0 at once. With runs in progress, each finishes the exchange
//!   in flight and its database write and sends nothing more, and the daemon exits 0; after
//!   [`grace`] it exits 0 anyway (the outbox makes that safe). A second signal exits 1 at once.
//! - SIGHUP re-reads the configuration; a bad one is reported and the old one kept. A good one
//!   adds, removes and re-configures accounts at once; a run in progress ends with the settings
//!   it started with.
//! - systemd hears READY once the settings are good, a STATUS line ([`summary`]) after every run,
//!   WATCHDOG pings from this loop while it turns, and STOPPING (see [`crate::notify`]). A run
//!   past [`STUCK_RUN`] is reported for its account ([`running`]): it never stops the pings, so
//!   systemd never ends the other accounts' runs for one slow account.
//! - With `metrics.listen`, `/metrics`, `/livez` and `/readyz` are served there ([`monitor`]);
//!   an address that cannot be bound stops the start.
//! - One failed run never ends the daemon.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, SecondsFormat, Utc};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{error, info};

use super::accounts::Selection;
use crate::config::{AccountSettings, Settings};
use crate::notify::Notifier;
use crate::sync::RunReport;

mod monitor;
mod reload;
mod roster;
mod running;
mod stop;
mod summary;
mod task;
mod wake;

use monitor::{Monitor, Ping, next_ping};
use reload::log_planned;
use roster::Roster;
use running::Running;
use summary::LastRun;
use wake::{Signal, Signals, Ticker};

/// A run longer than this counts as stuck: a warning, `STATUS=` and `/readyz` name its account
/// (the watchdog and `/livez` go on: they speak for the loop, not for one account's run).
const STUCK_RUN: Duration = Duration::from_secs(15 * 60);

/// What the daemon needs besides the settings: where to re-read them from on SIGHUP, and which
/// accounts the command line chose.
#[derive(Debug, Clone)]
pub struct DaemonOptions {
    pub config: Option<PathBuf>,
    pub allow_deletes: bool,
    pub verbosity: i8,
    pub selection: Selection,
}

/// How long runs in progress may go on after SIGTERM: one HTTP exchange (the longest
/// `http.timeout` of the accounts) plus its database write, with room to spare.
pub fn grace(accounts: &[AccountSettings]) -> Duration {
    let longest = accounts.iter().map(|a| a.http.timeout).max();
    longest.unwrap_or_default() + Duration::from_secs(10)
}

/// Runs the daemon for `accounts` until a signal stops it; returns the exit code.
pub async fn run(
    settings: Settings,
    accounts: Vec<AccountSettings>,
    options: DaemonOptions,
) -> Result<i32> {
    let mut signals = Signals::new()?;
    let (monitor, pings) = match settings.metrics.listen {
        Some(listen) => {
            let (monitor, pings) = Monitor::start(listen).await?;
            (Some(monitor), Some(pings))
        }
        None => (None, None),
    };
    let notifier = Notifier::from_env();
    let mut ticker = Ticker::new(notifier.watchdog_interval());
    info!(
        accounts = accounts.len(),
        shard = %options.selection.shard(&settings),
        max_concurrent_accounts = settings.daemon.max_concurrent_accounts,
        watchdog_seconds = notifier.watchdog_interval().map(|d| d.as_secs_f64()),
        metrics = settings.metrics.listen.map(|a| a.to_string()),
        "daemon started"
    );
    if let Some(monitor) = &monitor {
        monitor.serve_accounts(&accounts);
    }
    let mut daemon = Daemon::new(settings, options, notifier, monitor, pings, STUCK_RUN);
    let planned = daemon.roster.set(accounts, Utc::now());
    log_planned(&planned);
    daemon.notifier.ready(&daemon.status_line());
    let code = daemon.serve(&mut signals, &mut ticker).await;
    info!(code, "stopped");
    Ok(code)
}

struct Daemon {
    settings: Settings,
    roster: Roster,
    runs: JoinSet<Result<RunReport>>,
    /// Each running task's account and start, for the stuck-run check and for a panic.
    running: Running,
    /// Turned true on SIGTERM: every running account stops sending.
    stop: watch::Sender<bool>,
    notifier: Notifier,
    options: DaemonOptions,
    /// `metrics.listen`: the metrics and the health endpoints, and the loop's liveness pings.
    monitor: Option<Arc<Monitor>>,
    pings: Option<mpsc::Receiver<Ping>>,
}

impl Daemon {
    fn new(
        settings: Settings,
        options: DaemonOptions,
        notifier: Notifier,
        monitor: Option<Arc<Monitor>>,
        pings: Option<mpsc::Receiver<Ping>>,
        stuck_after: Duration,
    ) -> Daemon {
        Daemon {
            settings,
            roster: Roster::default(),
            runs: JoinSet::new(),
            running: Running::new(stuck_after),
            stop: watch::channel(false).0,
            notifier,
            options,
            monitor,
            pings,
        }
    }

    async fn serve(&mut self, signals: &mut Signals, ticker: &mut Ticker) -> i32 {
        loop {
            self.start_due();
            let slot_free = self.runs.len() < self.settings.daemon.max_concurrent_accounts;
            let wake_at = self.roster.next_due().filter(|_| slot_free).map(instant);
            tokio::select! {
                _ = sleep_until(wake_at) => {}
                Some(joined) = self.runs.join_next_with_id(), if !self.runs.is_empty() => {
                    self.finished(joined);
                }
                signal = signals.recv() => match signal {
                    Signal::Stop(name) => return self.stop(name, signals, ticker).await,
                    Signal::Reload => self.reload(),
                },
                _ = sleep_until(self.running.next_check()) => self.report_stuck(Instant::now()),
                // The loop turns: it is alive, however long any account's run takes.
                _ = ticker.tick() => self.notifier.watchdog(),
                Some(ping) = next_ping(&mut self.pings) => self.answer(ping),
            }
        }
    }

    /// Starts every run that is due, as long as slots are free.
    fn start_due(&mut self) {
        let mut started = false;
        while self.runs.len() < self.settings.daemon.max_concurrent_accounts {
            let Some((account, trigger)) = self.roster.take_due(Utc::now()) else {
                break;
            };
            let name = account.name.clone();
            let stop = self.stop.subscribe();
            let allow_deletes = self.options.allow_deletes;
            let metrics = self.monitor.as_ref().map(|m| m.metrics().clone());
            let run = task::run(account, trigger, allow_deletes, stop, metrics);
            let handle = self.runs.spawn(run);
            self.running.start(handle.id(), name, Instant::now());
            started = true;
        }
        if started {
            self.notifier.status(&self.status_line());
        }
    }

    /// A run ended: record it, queue the account's next run.
    fn finished(
        &mut self,
        joined: Result<(tokio::task::Id, Result<RunReport>), tokio::task::JoinError>,
    ) {
        let id = match &joined {
            Ok((id, _)) => *id,
            Err(e) => e.id(),
        };
        let Some(run) = self.running.finish(id) else {
            return;
        };
        let (name, began) = (run.name, run.began);
        if run.stuck {
            info!(account = %name, minutes = began.elapsed().as_secs() / 60,
                "the long run has ended");
        }
        if let Some(monitor) = &self.monitor {
            monitor.run_ended(name.as_str());
            let outcome = match &joined {
                Ok((_, Ok(report))) => report.outcome.as_str(),
                _ => "failed",
            };
            let metrics = monitor.metrics();
            metrics.observe_run(name.as_str(), outcome, began.elapsed());
        }
        let last = match joined {
            Ok((_, Ok(report))) => LastRun::report(&report),
            Ok((_, Err(e))) => {
                error!(account = %name, error = format!("{e:#}"), "run failed; the daemon goes on");
                LastRun::error(&e)
            }
            Err(e) => {
                let e = anyhow::anyhow!("the run panicked: {e}");
                error!(account = %name, error = %e, "run failed; the daemon goes on");
                LastRun::error(&e)
            }
        };
        if let Some(planned) = self.roster.finished(&name, last, Utc::now()) {
            log_planned(&[planned]);
        }
        self.notifier.status(&self.status_line());
    }

    /// systemd's STATUS: the sum-up of the last runs, and the runs past the stuck limit.
    fn status_line(&self) -> String {
        let line = summary::status_line(&self.roster, self.runs.len());
        match self.running.note() {
            Some(note) => format!("{line}; {note}"),
            None => line,
        }
    }
}

/// The monotonic instant of a wall-clock time (now, if it has passed).
fn instant(at: DateTime<Utc>) -> Instant {
    Instant::now() + (at - Utc::now()).to_std().unwrap_or_default()
}

/// Sleeps until `at`, or forever.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests;
