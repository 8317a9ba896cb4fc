//! Stopping and staying alive: SIGTERM lets the runs in flight finish within the grace (a
//! second signal exits at once), runs past the stuck limit reported for their accounts, and the
//! answer to `/livez`.

use chrono::{TimeDelta, Utc};
use tokio::time::Instant;
use tracing::{error, info, warn};

use super::monitor::Ping;
use super::wake::{Signal, Signals, Ticker};
use super::{Daemon, grace};

impl Daemon {
    /// SIGTERM/SIGINT: let the runs in progress finish within the grace; a second signal exits
    /// at once.
    pub(super) async fn stop(
        &mut self,
        name: &'static str,
        signals: &mut Signals,
        ticker: &mut Ticker,
    ) -> i32 {
        if self.runs.is_empty() {
            info!(signal = name, "stopping");
            self.notifier.stopping("stopping");
            return 0;
        }
        let grace = grace(&self.current_accounts());
        info!(
            signal = name,
            grace_seconds = grace.as_secs(),
            runs = self.runs.len(),
            "stopping: finishing the exchange in flight (a second signal exits at once)"
        );
        self.notifier
            .stopping("stopping: finishing the exchange in flight");
        self.stop.send_replace(true);
        let deadline = Instant::now() + grace;
        loop {
            tokio::select! {
                joined = self.runs.join_next_with_id() => match joined {
                    None => return 0,
                    Some(Ok((id, Err(e)))) => {
                        let name = self.running.name(id).map(|n| n.to_string());
                        error!(account = name, error = format!("{e:#}"), "run failed");
                    }
                    Some(_) => {}
                },
                _ = tokio::time::sleep_until(deadline) => {
                    warn!(grace_seconds = grace.as_secs(),
                        "the run did not finish in time; exiting, the next start settles it");
                    return 0;
                }
                signal = signals.recv() => if let Signal::Stop(name) = signal {
                    warn!(signal = name, "second signal: exiting at once; the next start settles the run");
                    return 1;
                },
                _ = ticker.tick() => self.notifier.watchdog(),
            }
        }
    }

    /// Reports, once each, the runs that have passed the stuck limit by `now`: a warning naming
    /// the account, `STATUS=` and `/readyz`. Nothing else changes: the watchdog pings go on
    /// and every other account keeps running.
    pub(super) fn report_stuck(&mut self, now: Instant) {
        let stuck = self.running.newly_stuck(now);
        if stuck.is_empty() {
            return;
        }
        let limit = self.running.limit();
        for run in &stuck {
            let age = now.saturating_duration_since(run.began);
            let minutes = age.as_secs() / 60;
            warn!(
                account = %run.name,
                minutes,
                limit_minutes = limit.as_secs() / 60,
                "the account's run has gone on past the stuck limit; it may be stuck; the other \
                 accounts go on"
            );
            if let Some(monitor) = &self.monitor {
                let began = Utc::now() - TimeDelta::from_std(age).unwrap_or_default();
                monitor.run_stuck(run.name.as_str(), began, limit);
            }
        }
        self.notifier.status(&self.status_line());
    }

    /// The loop's answer to `/livez`: it answers, so it is alive (however long a run takes).
    pub(super) fn answer(&self, ping: Ping) {
        // The asker may have given up waiting: nothing to do then.
        let _ = ping.send(());
    }
}
