//! The accounts the daemon serves and when each runs next: one sorted schedule for all of them
//! (no task, timer or file per waiting account; an idle account is its settings and a few
//! timestamps). Pure: times come in as arguments, so the rules are unit-tested.
//!
//! - An account runs at start when `sync.run_on_start`, else at its first tick.
//! - Runs of one account never overlap: it is queued again only when its run ends, for the first
//!   tick after both its last tick and the end (an overrun skips the ticks it missed).
//! - [`Roster::set`] (SIGHUP) adds, re-configures and removes accounts; a running account keeps
//!   its old settings until its run ends, and a removed one is forgotten then.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::summary::LastRun;
use crate::config::{AccountName, AccountSettings};
use crate::schedule::Schedule;

/// Why a run starts, as recorded in `sync_runs.trigger`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trigger {
    Start,
    Schedule,
}

impl Trigger {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Schedule => "schedule",
        }
    }
}

struct Slot {
    settings: Arc<AccountSettings>,
    /// The last tick handled: the next one is the first after it (and after now).
    after: DateTime<Utc>,
    /// When it is queued, and why.
    due: Option<(DateTime<Utc>, Trigger)>,
    running: bool,
    /// Gone from the configuration while it ran: forgotten when the run ends.
    removed: bool,
    last: LastRun,
}

/// An account's next tick, for the `next run` log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Planned {
    pub name: AccountName,
    /// `None`: the schedule never fires again.
    pub next: Option<DateTime<Utc>>,
    pub schedule: String,
}

/// Every account served, and the queue of their next runs.
#[derive(Default)]
pub(super) struct Roster {
    slots: BTreeMap<AccountName, Slot>,
    queue: BTreeSet<(DateTime<Utc>, AccountName)>,
}

impl Roster {
    /// Serves exactly `accounts` from now on. Returns the next tick of every idle account
    /// queued by its schedule (accounts due at start are not listed).
    pub(super) fn set(
        &mut self,
        accounts: Vec<AccountSettings>,
        now: DateTime<Utc>,
    ) -> Vec<Planned> {
        let wanted: BTreeSet<AccountName> = accounts.iter().map(|a| a.name.clone()).collect();
        let gone: Vec<AccountName> = self
            .slots
            .keys()
            .filter(|n| !wanted.contains(*n))
            .cloned()
            .collect();
        for name in gone {
            self.unqueue(&name);
            let slot = self.slots.get_mut(&name).expect("listed above");
            if slot.running {
                slot.removed = true;
            } else {
                self.slots.remove(&name);
            }
        }
        let mut planned = vec![];
        for account in accounts {
            let name = account.name.clone();
            let start = account.sync.run_on_start;
            let slot = self.slots.entry(name.clone()).or_insert_with(|| Slot {
                settings: Arc::new(account.clone()),
                after: now,
                due: start.then_some((now, Trigger::Start)),
                running: false,
                removed: false,
                last: LastRun::NotYet,
            });
            slot.settings = Arc::new(account);
            slot.removed = false;
            if slot.running || matches!(slot.due, Some((_, Trigger::Start))) {
                self.queue_due(&name);
                continue;
            }
            planned.push(self.plan(&name, now));
        }
        planned
    }

    /// Queues the account at the first tick after its last one and `now`.
    fn plan(&mut self, name: &AccountName, now: DateTime<Utc>) -> Planned {
        self.unqueue(name);
        let slot = self.slots.get_mut(name).expect("a served account");
        let schedule = &slot.settings.sync.schedule;
        let next = next_tick(schedule, slot.after, now);
        slot.due = next.map(|t| (t, Trigger::Schedule));
        let planned = Planned {
            name: name.clone(),
            next,
            schedule: schedule.to_string(),
        };
        self.queue_due(name);
        planned
    }

    fn queue_due(&mut self, name: &AccountName) {
        if let Some(slot) = self.slots.get(name)
            && let (Some((at, _)), false) = (slot.due, slot.running)
        {
            self.queue.insert((at, name.clone()));
        }
    }

    fn unqueue(&mut self, name: &AccountName) {
        if let Some((at, _)) = self.slots.get(name).and_then(|s| s.due) {
            self.queue.remove(&(at, name.clone()));
        }
    }

    /// When the earliest queued run is due.
    pub(super) fn next_due(&self) -> Option<DateTime<Utc>> {
        self.queue.first().map(|(at, _)| *at)
    }

    /// The earliest run due by `now`, marked running, with the settings it runs with.
    pub(super) fn take_due(
        &mut self,
        now: DateTime<Utc>,
    ) -> Option<(Arc<AccountSettings>, Trigger)> {
        let (at, name) = self.queue.first().filter(|(at, _)| *at <= now)?.clone();
        self.queue.remove(&(at, name.clone()));
        let slot = self.slots.get_mut(&name)?;
        let (tick, trigger) = slot.due.take()?;
        slot.running = true;
        slot.after = slot.after.max(tick);
        Some((slot.settings.clone(), trigger))
    }

    /// The account's run ended at `now`: records how, and queues its next tick (or forgets a
    /// removed account).
    pub(super) fn finished(
        &mut self,
        name: &AccountName,
        last: LastRun,
        now: DateTime<Utc>,
    ) -> Option<Planned> {
        let slot = self.slots.get_mut(name)?;
        slot.running = false;
        slot.last = last;
        if slot.removed {
            self.slots.remove(name);
            return None;
        }
        Some(self.plan(name, now))
    }

    /// The accounts served (not those removed while running), with their last runs.
    pub(super) fn last_runs(&self) -> impl Iterator<Item = (&AccountName, &LastRun)> {
        self.slots
            .iter()
            .filter(|(_, s)| !s.removed)
            .map(|(n, s)| (n, &s.last))
    }

    /// How many accounts are served.
    pub(super) fn len(&self) -> usize {
        self.last_runs().count()
    }
}

/// The first tick after both the last tick handled (`after`) and `now`: a run that overran skips
/// the ticks it missed, and waking a hair early never repeats a tick.
pub(super) fn next_tick(
    schedule: &Schedule,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    schedule.next_after(after.max(now))
}
