//! What wakes the daemon's loop besides the schedule: signals and the watchdog's beat.

use std::time::Duration;

use anyhow::Result;
use tokio::signal::unix::{Signal as UnixSignal, SignalKind, signal};
use tokio::time::{Interval, MissedTickBehavior};

/// What a signal asks for.
pub(super) enum Signal {
    Stop(&'static str),
    Reload,
}

/// SIGTERM, SIGINT and SIGHUP, caught from the start (before the database is opened).
pub(super) struct Signals {
    term: UnixSignal,
    int: UnixSignal,
    hup: UnixSignal,
}

impl Signals {
    pub(super) fn new() -> Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    pub(super) async fn recv(&mut self) -> Signal {
        tokio::select! {
            _ = self.term.recv() => Signal::Stop("SIGTERM"),
            _ = self.int.recv() => Signal::Stop("SIGINT"),
            _ = self.hup.recv() => Signal::Reload,
        }
    }
}

/// The watchdog's beat: every half `WATCHDOG_USEC`, or never.
pub(super) struct Ticker(Option<Interval>);

impl Ticker {
    pub(super) fn new(every: Option<Duration>) -> Ticker {
        Ticker(every.map(|every| {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        }))
    }

    pub(super) async fn tick(&mut self) {
        match &mut self.0 {
            Some(interval) => {
                interval.tick().await;
            }
            None => std::future::pending().await,
        }
    }
}
