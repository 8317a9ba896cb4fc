//! The runs in progress: which account each task runs, since when, and which runs have gone on
//! past the stuck-run limit. A run past the limit is its own account's trouble: it is reported
//! once (a warning, `STATUS=`, `/readyz`) and never stops the watchdog pings or fails `/livez`,
//! which speak for the daemon's loop alone (a big pull or a slow account may legitimately take
//! that long, and a restart would end every other account's run). Pure: times come in as
//! arguments, so the rules are unit-tested.

use std::collections::HashMap;
use std::time::Duration;

use tokio::task::Id;
use tokio::time::Instant;

use crate::config::AccountName;

/// How many stuck accounts the `STATUS=` note names before "...".
const NAMED: usize = 5;

/// One run in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Run {
    pub name: AccountName,
    pub began: Instant,
    /// Reported as past the limit (once per run).
    pub stuck: bool,
}

/// Every run in progress, by the task that runs it.
#[derive(Debug)]
pub(super) struct Running {
    runs: HashMap<Id, Run>,
    limit: Duration,
}

impl Running {
    /// No run yet; a run that goes on for `limit` counts as stuck.
    pub(super) fn new(limit: Duration) -> Running {
        Running {
            runs: HashMap::new(),
            limit,
        }
    }

    pub(super) fn limit(&self) -> Duration {
        self.limit
    }

    pub(super) fn start(&mut self, id: Id, name: AccountName, now: Instant) {
        let run = Run {
            name,
            began: now,
            stuck: false,
        };
        self.runs.insert(id, run);
    }

    /// The task's run ended: what it was.
    pub(super) fn finish(&mut self, id: Id) -> Option<Run> {
        self.runs.remove(&id)
    }

    /// The account the task runs.
    pub(super) fn name(&self, id: Id) -> Option<&AccountName> {
        self.runs.get(&id).map(|r| &r.name)
    }

    /// When the next run not yet reported would pass the limit.
    pub(super) fn next_check(&self) -> Option<Instant> {
        let unreported = self.runs.values().filter(|r| !r.stuck);
        unreported.map(|r| r.began + self.limit).min()
    }

    /// The runs that have passed the limit by `now` and were not reported yet, marked reported,
    /// by account name.
    pub(super) fn newly_stuck(&mut self, now: Instant) -> Vec<Run> {
        let limit = self.limit;
        let mut stuck: Vec<Run> = self
            .runs
            .values_mut()
            .filter(|r| !r.stuck && now.saturating_duration_since(r.began) >= limit)
            .map(|r| {
                r.stuck = true;
                r.clone()
            })
            .collect();
        stuck.sort_by(|a, b| a.name.cmp(&b.name));
        stuck
    }

    /// `1 run over 15 min: shop` for `STATUS=`, when any run is past the limit.
    pub(super) fn note(&self) -> Option<String> {
        let mut names: Vec<&str> = self
            .runs
            .values()
            .filter(|r| r.stuck)
            .map(|r| r.name.as_str())
            .collect();
        if names.is_empty() {
            return None;
        }
        names.sort_unstable();
        let count = names.len();
        let mut named = names[..count.min(NAMED)].join(", ");
        if count > NAMED {
            named += ", ...";
        }
        let noun = if count == 1 { "run" } else { "runs" };
        Some(format!(
            "{count} {noun} over {}: {named}",
            minutes(self.limit)
        ))
    }
}

/// `15 min`.
pub(super) fn minutes(d: Duration) -> String {
    match d.as_secs() {
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}
