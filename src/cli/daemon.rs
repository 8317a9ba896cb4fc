//! The long-running service: reconcile on the cron schedule until SIGTERM or SIGINT.
//!
//! - Runs never overlap (one loop), and a run that overruns skips the ticks it missed: the next
//!   tick is the first one after the run ends.
//! - SIGTERM/SIGINT while idle exits 0 at once. During a run, the run finishes the exchange in
//!   flight and its database write, sends nothing more, and the daemon exits 0; after
//!   [`grace`] it exits 0 anyway (the outbox makes that safe). A second signal exits 1 at once.
//! - SIGHUP re-reads the configuration; a bad one is reported and the old one kept. The new one
//!   applies from the next run (a SIGHUP during a run is applied when it ends).
//! - systemd hears READY once the database is migrated, a STATUS line after every run, WATCHDOG
//!   pings from this loop, and STOPPING (see [`crate::notify`]).
//! - One failed run never ends the daemon.

use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use tokio::time::Instant;
use tracing::{error, info, warn};

use crate::config::Settings;
use crate::notify::Notifier;
use crate::schedule::Schedule;
use crate::sync::{RunReport, Syncer};
use crate::telemetry;

mod wake;

use wake::{Signal, Signals, Ticker};

/// A run longer than this counts as stuck: the watchdog pings stop, so that systemd (with
/// `WatchdogSec=`) restarts the service.
const STUCK_RUN: Duration = Duration::from_secs(15 * 60);

/// What the daemon needs besides the settings: where to re-read them from on SIGHUP.
#[derive(Debug, Clone)]
pub struct DaemonOptions {
    pub config: Option<PathBuf>,
    pub allow_deletes: bool,
    pub verbosity: i8,
}

/// How long a run in progress may go on after SIGTERM: one HTTP exchange (`http.timeout`)
/// plus its database write, with room to spare.
pub fn grace(settings: &Settings) -> Duration {
    settings.http.timeout + Duration::from_secs(10)
}

/// Runs the daemon until a signal stops it; returns the exit code.
pub async fn run(settings: Settings, options: DaemonOptions) -> Result<i32> {
    let mut signals = Signals::new()?;
    let syncer = super::syncer(&settings, options.allow_deletes).await?;
    let notifier = Notifier::from_env();
    let mut ticker = Ticker::new(notifier.watchdog_interval());
    info!(
        schedule = %settings.sync.schedule,
        database = %syncer.store().path().display(),
        watchdog = ?notifier.watchdog_interval(),
        "daemon started"
    );
    let mut daemon = Daemon {
        settings,
        syncer,
        notifier,
        options,
        last_run: "no run yet".into(),
    };
    daemon.notifier.ready(&daemon.last_run);
    let code = daemon.serve(&mut signals, &mut ticker).await?;
    if code == 0 {
        daemon.syncer.store().close().await;
    }
    info!(code, "stopped");
    Ok(code)
}

struct Daemon {
    settings: Settings,
    syncer: Syncer,
    notifier: Notifier,
    options: DaemonOptions,
    /// One line about the last run, for systemd's STATUS.
    last_run: String,
}

/// Why the daemon stopped waiting.
enum Wake {
    Tick,
    Stop(&'static str),
}

impl Daemon {
    async fn serve(&mut self, signals: &mut Signals, ticker: &mut Ticker) -> Result<i32> {
        let mut run_now = self.settings.sync.run_on_start;
        let mut after = Utc::now();
        loop {
            if !run_now {
                match self.wait(&mut after, signals, ticker).await? {
                    Wake::Tick => {}
                    Wake::Stop(name) => {
                        info!(signal = name, "stopping");
                        self.notifier.stopping("stopping");
                        return Ok(0);
                    }
                }
            }
            let trigger = if run_now { "start" } else { "schedule" };
            run_now = false;
            match self.run(trigger, signals, ticker).await {
                RunEnd::Done { reload } => {
                    if reload {
                        self.reload().await;
                    }
                }
                RunEnd::Exit(code) => return Ok(code),
            }
            after = after.max(Utc::now());
        }
    }

    /// Sleeps until the next tick after `after` (moved to that tick), answering signals and
    /// pinging the watchdog meanwhile.
    async fn wait(
        &mut self,
        after: &mut DateTime<Utc>,
        signals: &mut Signals,
        ticker: &mut Ticker,
    ) -> Result<Wake> {
        loop {
            let schedule = &self.settings.sync.schedule;
            let next = next_tick(schedule, *after, Utc::now())
                .with_context(|| format!("sync.schedule \"{schedule}\" never fires again"))?;
            let wait = (next - Utc::now()).to_std().unwrap_or_default();
            info!(next = %stamp(next), schedule = %schedule, "next run");
            self.notifier
                .status(&format!("{}; next run {}", self.last_run, stamp(next)));
            let deadline = Instant::now() + wait;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => {
                        *after = next;
                        return Ok(Wake::Tick);
                    }
                    signal = signals.recv() => match signal {
                        Signal::Stop(name) => return Ok(Wake::Stop(name)),
                        Signal::Reload => {
                            self.reload().await;
                            break;
                        }
                    },
                    _ = ticker.tick() => self.notifier.watchdog(),
                }
            }
        }
    }

    /// One run, answering signals meanwhile.
    async fn run(&mut self, trigger: &str, signals: &mut Signals, ticker: &mut Ticker) -> RunEnd {
        let started = Instant::now();
        let mut reload = false;
        self.notifier.status(&format!("running; {}", self.last_run));
        let run = self.syncer.run_once(trigger);
        tokio::pin!(run);
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                signal = signals.recv() => match signal {
                    Signal::Reload => {
                        info!("SIGHUP: the configuration is re-read when this run ends");
                        reload = true;
                    }
                    Signal::Stop(name) => {
                        let grace = grace(&self.settings);
                        info!(signal = name, grace_seconds = grace.as_secs(),
                            "stopping: finishing the exchange in flight (a second signal exits at once)");
                        self.notifier.stopping("stopping: finishing the exchange in flight");
                        self.syncer.request_stop();
                        return RunEnd::Exit(finish(run, grace, signals, ticker, &self.notifier).await);
                    }
                },
                _ = ticker.tick() => {
                    if started.elapsed() < STUCK_RUN {
                        self.notifier.watchdog();
                    } else {
                        warn!(minutes = started.elapsed().as_secs() / 60, "the run seems stuck; watchdog pings stopped");
                    }
                }
            }
        };
        self.last_run = match result {
            Ok(report) => summary(&report),
            Err(e) => {
                error!(error = format!("{e:#}"), "run failed; the daemon goes on");
                format!("last run failed at {}: {e:#}", stamp(Utc::now()))
            }
        };
        self.notifier.status(&self.last_run);
        RunEnd::Done { reload }
    }

    /// SIGHUP: re-read the configuration; keep the old one when the new one is bad.
    async fn reload(&mut self) {
        self.notifier.reloading();
        match self.load().await {
            Ok(()) => info!(
                schedule = %self.settings.sync.schedule,
                database = %self.settings.database.path.display(),
                "configuration reloaded; it applies from the next run"
            ),
            Err(e) => error!(
                error = format!("{e:#}"),
                "the new configuration is not valid; keeping the old one"
            ),
        }
        self.notifier.ready(&self.last_run);
    }

    async fn load(&mut self) -> Result<()> {
        let settings = super::load_settings_from(self.options.config.as_deref())?;
        let syncer = super::syncer(&settings, self.options.allow_deletes).await?;
        let log = &settings.log;
        for kept in telemetry::reload(log.format, &log.level, self.options.verbosity) {
            warn!(setting = %kept, "not applied");
        }
        let old = std::mem::replace(&mut self.syncer, syncer);
        old.store().close().await;
        self.settings = settings;
        Ok(())
    }
}

/// How a run ended for the loop.
enum RunEnd {
    Done { reload: bool },
    Exit(i32),
}

/// After the first stop signal: let the run finish within `grace`; a second signal exits at once.
async fn finish<F: Future<Output = Result<RunReport>>>(
    mut run: Pin<&mut F>,
    grace: Duration,
    signals: &mut Signals,
    ticker: &mut Ticker,
    notifier: &Notifier,
) -> i32 {
    let deadline = Instant::now() + grace;
    loop {
        tokio::select! {
            result = &mut run => {
                if let Err(e) = result {
                    error!(error = format!("{e:#}"), "run failed");
                }
                return 0;
            }
            _ = tokio::time::sleep_until(deadline) => {
                warn!(grace_seconds = grace.as_secs(),
                    "the run did not finish in time; exiting, the next start settles it");
                return 0;
            }
            signal = signals.recv() => if let Signal::Stop(name) = signal {
                warn!(signal = name, "second signal: exiting at once; the next start settles the run");
                return 1;
            },
            _ = ticker.tick() => notifier.watchdog(),
        }
    }
}

/// The first tick after both the last tick handled (`after`) and `now`: a run that overran skips
/// the ticks it missed, and waking a hair early never repeats a tick.
fn next_tick(
    schedule: &Schedule,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    schedule.next_after(after.max(now))
}

/// `last run 12 ok at 2025-01-01T10:00:00Z (pulled 3, added 1, ...)`.
fn summary(r: &RunReport) -> String {
    format!(
        "last run {} {} at {} ({})",
        r.run_id,
        r.outcome.as_str(),
        stamp(Utc::now()),
        super::render::counts(&r.counts)
    )
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests;
