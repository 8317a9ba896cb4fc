//! The board: what each account's database said at its last read (at the end of each run),
//! kept in memory so that a scrape or a `/readyz` reads no database. The gauges of
//! SPEC §8 are written from it at each scrape, so that time-bound figures (a 403 block that has
//! run out) are true when read rather than when the run ended.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::time::Instant;

use anyhow::Result;
use chrono::{DateTime, Utc};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, MetricEncoder};
use prometheus_client::metrics::MetricType;

use crate::config::AccountSettings;
use crate::schedule::Schedule;
use crate::store::{Block, Status, Store};

/// Outbox states always shown, at 0 when empty (an alert on `in_doubt` needs the series).
const OUTBOX_STATES: [&str; 5] = ["pending", "sending", "in_doubt", "done", "failed"];

/// What one read of an account's database found.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Outbox rows per state (states with rows only).
    pub outbox: Vec<(String, i64)>,
    pub open_conflicts: i64,
    /// When the last successful run finished (RFC 3339).
    pub last_success: Option<String>,
    /// The latest 403 block recorded, if it was in force when read.
    pub blocked: Option<Block>,
    /// Catalogs in the last complete pull, and elements in the last pulls of their catalogs.
    pub remote_catalogs: i64,
    pub remote_elements: i64,
    /// The credential state, as `status` judges it.
    pub auth_ready: bool,
    pub auth_summary: String,
}

impl Snapshot {
    /// Reads the figures from the account's open database (a few short queries).
    pub async fn read(account: &AccountSettings, store: &Store) -> Result<Snapshot> {
        let status = store.status(1).await?;
        let auth = crate::auth::status(account, store).await?;
        let remote_catalogs = store.remote().await?.len() as i64;
        Ok(Snapshot {
            remote_elements: status.elements.iter().map(|e| e.in_account).sum(),
            outbox: status.outbox,
            open_conflicts: status.open_conflicts,
            last_success: status.last_success,
            blocked: status.blocked,
            remote_catalogs,
            auth_ready: auth.ready,
            auth_summary: auth.summary,
        })
    }

    /// The figures `status`'s health verdict looks at, as a [`Status`].
    pub fn status(&self) -> Status {
        Status {
            runs: vec![],
            outbox: self.outbox.clone(),
            open_conflicts: self.open_conflicts,
            last_success: self.last_success.clone(),
            blocked: self.blocked.clone(),
            elements: vec![],
            api_switch: None,
        }
    }

    /// Whether the block seen at the read still holds at `now`.
    pub fn blocked_at(&self, now: DateTime<Utc>) -> bool {
        self.blocked
            .as_ref()
            .and_then(|b| DateTime::parse_from_rfc3339(&b.until).ok())
            .is_some_and(|until| until > now)
    }

    fn last_success_seconds(&self) -> f64 {
        let at = self.last_success.as_deref();
        let at = at.and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        at.map_or(0.0, |t| t.timestamp_millis() as f64 / 1000.0)
    }
}

/// One account on the board.
#[derive(Debug, Clone)]
pub struct Entry {
    pub schedule: Schedule,
    /// The last good read; `None` until one succeeded.
    pub snapshot: Option<Snapshot>,
    /// Why the latest read failed (the database could not be opened, say); `None` when it worked.
    pub error: Option<String>,
    /// When the latest read kept began: an older read finishing late never overwrites it.
    read_at: Option<Instant>,
}

/// Every account served, by name.
#[derive(Debug, Default)]
pub struct Board {
    accounts: RwLock<BTreeMap<String, Entry>>,
}

impl Board {
    /// Adds the account (not read yet) or updates its schedule.
    pub fn set_schedule(&self, account: &str, schedule: &Schedule) {
        let mut all = self.accounts.write().expect("board lock");
        match all.get_mut(account) {
            Some(entry) => entry.schedule = schedule.clone(),
            None => {
                let entry = Entry {
                    schedule: schedule.clone(),
                    snapshot: None,
                    error: None,
                    read_at: None,
                };
                all.insert(account.to_owned(), entry);
            }
        }
    }

    pub fn remove(&self, account: &str) {
        self.accounts.write().expect("board lock").remove(account);
    }

    /// Records a read of the account that began at `read_at`, unless a read that began later
    /// is already recorded. A failed read keeps the last good figures and notes the error.
    pub fn put(&self, account: &str, read: Result<Snapshot, String>, read_at: Instant) {
        let mut all = self.accounts.write().expect("board lock");
        let Some(entry) = all.get_mut(account) else {
            return;
        };
        if entry.read_at.is_some_and(|kept| kept > read_at) {
            return;
        }
        entry.read_at = Some(read_at);
        match read {
            Ok(snapshot) => (entry.snapshot, entry.error) = (Some(snapshot), None),
            Err(why) => entry.error = Some(why),
        }
    }

    /// Every account, by name.
    pub fn entries(&self) -> Vec<(String, Entry)> {
        let all = self.accounts.read().expect("board lock");
        all.iter().map(|(n, e)| (n.clone(), e.clone())).collect()
    }

    /// One gauge family over every account read so far.
    fn gauge<F>(&self, encoder: &mut DescriptorEncoder, name: &str, help: &str, f: F) -> Fmt
    where
        F: Fn(&mut MetricEncoder, &str, &Entry, &Snapshot) -> Fmt,
    {
        let all = self.accounts.read().expect("board lock");
        let mut family = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
        for (account, entry) in all.iter() {
            if let Some(snapshot) = &entry.snapshot {
                f(&mut family, account, entry, snapshot)?;
            }
        }
        Ok(())
    }
}

type Fmt = Result<(), std::fmt::Error>;

/// One figure of an account, at the time of the scrape.
type Figure = fn(&Entry, &Snapshot, DateTime<Utc>) -> f64;

/// One sample: `value` under `labels`; whole numbers are written without a fraction.
fn sample(family: &mut MetricEncoder, labels: &[(&str, &str)], value: f64) -> Fmt {
    let mut at = family.encode_family(&labels)?;
    if value.fract() == 0.0 && value.abs() < 9e15 {
        at.encode_gauge(&(value as i64))
    } else {
        at.encode_gauge(&value)
    }
}

/// The gauges with `account` as their only label, and how each is read from an account.
const ACCOUNT_GAUGES: [(&str, &str, Figure); 4] = [
    (
        "catalog_sync_conflicts_open",
        "Conflicts held or not yet closed.",
        |_, s, _| s.open_conflicts as f64,
    ),
    (
        "catalog_sync_last_success_timestamp_seconds",
        "When the last successful run finished, as Unix seconds (0: never).",
        |_, s, _| s.last_success_seconds(),
    ),
    (
        "catalog_sync_blocked",
        "1 while a 403 block holds (nothing is sent), else 0.",
        |_, s, now| f64::from(u8::from(s.blocked_at(now))),
    ),
    (
        "catalog_sync_schedule_interval_seconds",
        "Seconds between two firings of sync.schedule (+Inf: it fires at most once more).",
        |e, _, _| match e.schedule.typical_interval() {
            std::time::Duration::MAX => f64::INFINITY,
            every => every.as_secs_f64(),
        },
    ),
];

/// Every outbox state of one account: the usual five, then any other the database holds.
fn outbox_rows(family: &mut MetricEncoder, account: &str, s: &Snapshot) -> Fmt {
    let others = s.outbox.iter().map(|(state, _)| state.as_str());
    let others = others.filter(|state| !OUTBOX_STATES.contains(state));
    for state in OUTBOX_STATES.into_iter().chain(others) {
        let rows = s.outbox.iter().find(|(k, _)| k == state).map_or(0, |r| r.1);
        let labels = [("account", account), ("state", state)];
        sample(family, &labels, rows as f64)?;
    }
    Ok(())
}

impl Collector for Board {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Fmt {
        let now = Utc::now();
        self.gauge(
            &mut encoder,
            "catalog_sync_outbox_rows",
            "Outbox rows by state, at the account's last read.",
            |family, account, _, s| outbox_rows(family, account, s),
        )?;
        for (name, help, value) in ACCOUNT_GAUGES {
            self.gauge(&mut encoder, name, help, |family, account, e, s| {
                sample(family, &[("account", account)], value(e, s, now))
            })?;
        }
        self.gauge(
            &mut encoder,
            "catalog_sync_remote_items",
            "Catalogs and elements in the account at the last complete pulls.",
            |family, account, _, s| {
                let catalogs = [("account", account), ("entity", "catalog")];
                sample(family, &catalogs, s.remote_catalogs as f64)?;
                let elements = [("account", account), ("entity", "element")];
                sample(family, &elements, s.remote_elements as f64)
            },
        )
    }
}
