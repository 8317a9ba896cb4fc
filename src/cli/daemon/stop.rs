//! Stopping and staying alive: SIGTERM lets the runs in flight finish within the grace (a
//! second signal exits at once), the watchdog's beat, and the answer to `/livez`.

use std::time::Duration;

use tokio::time::Instant;
use tracing::{error, info, warn};

use super::wake::{Signal, Signals, Ticker};
use super::{Daemon, STUCK_RUN, grace};

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
                        let name = self.started.get(&id).map(|(n, _)| n.to_string());
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

    /// The watchdog's beat: a ping, unless a run has gone on for [`STUCK_RUN`].
    pub(super) fn watchdog(&self) {
        match self.stuck() {
            Some(age) => {
                warn!(
                    minutes = age.as_secs() / 60,
                    "a run seems stuck; watchdog pings stopped"
                );
            }
            None => self.notifier.watchdog(),
        }
    }

    /// How long the longest run has gone on, once that is [`STUCK_RUN`] or more.
    fn stuck(&self) -> Option<Duration> {
        let longest = self.started.values().map(|(_, at)| at.elapsed()).max();
        longest.filter(|age| *age >= STUCK_RUN)
    }

    /// The loop's answer to `/livez`: alive, unless a run seems stuck (as for the watchdog).
    pub(super) fn liveness(&self) -> Result<(), String> {
        match self.stuck() {
            Some(age) => Err(format!(
                "a run has gone on for {} minutes; it seems stuck",
                age.as_secs() / 60
            )),
            None => Ok(()),
        }
    }
}
