//! Which accounts the daemon serves and how many at once: `daemon.max_concurrent_accounts`
//! bounds the runs in flight (and every due account still gets its run), `--account NAME`
//! limits the daemon to that account, across a SIGHUP too.

use std::collections::HashMap;
use std::time::Duration;

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn};
use catalog_sync::store::RunRow;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::fleet::{Fleet, account_of, reload};
use crate::harness::{self, Daemon};

const EVERY_SECOND: &str = "schedule = \"* * * * * *\"\nrun_on_start = true";
const AT_START_ONLY: &str = "schedule = \"0 0 1 1 *\"\nrun_on_start = true";

/// Reads `run finished` events until every one of `names` has had `runs` of them.
async fn runs_of(daemon: &mut Daemon, names: &[&str], runs: usize) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    while names
        .iter()
        .any(|n| counts.get(*n).copied().unwrap_or(0) < runs)
    {
        let event = daemon.event("run finished", |_| true).await;
        *counts
            .entry(account_of(&event).unwrap_or_default())
            .or_default() += 1;
    }
    counts
}

fn at(stamp: &str) -> DateTime<Utc> {
    stamp.parse().unwrap_or_else(|e| panic!("{stamp:?}: {e}"))
}

/// The most runs whose `started_at..finished_at` overlap at one moment. A run's row is written
/// after it took its slot and closed before it gave the slot back, so this never exceeds the
/// slots in use.
fn most_at_once(runs: &[RunRow]) -> usize {
    let mut edges: Vec<(DateTime<Utc>, i32)> = vec![];
    for run in runs {
        let finished = run.finished_at.as_deref().expect("every run finished");
        edges.push((at(&run.started_at), 1));
        edges.push((at(finished), -1));
    }
    // At the same millisecond, an end goes before a start.
    edges.sort();
    let (mut now, mut most) = (0, 0);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    usize::try_from(most).unwrap()
}

#[tokio::test]
async fn with_two_slots_five_due_accounts_never_run_more_than_two_at_once_and_all_run() {
    let names = ["a", "b", "c", "d", "e"];
    let fleet = Fleet::start(&names).await;
    for name in names {
        let delay = FaultAction::Delay { ms: 800 };
        fleet
            .account(name)
            .push_fault(Fault::once(FaultOn::Get, delay));
    }
    fleet.write_all(&format!(
        "{AT_START_ONLY}\n[daemon]\nmax_concurrent_accounts = 2"
    ));
    let mut daemon = fleet.spawn();
    let started = daemon.event("daemon started", |_| true).await;
    assert_eq!(started["max_concurrent_accounts"], 2);

    let counts = runs_of(&mut daemon, &names, 1).await;

    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));
    assert_eq!(counts.len(), 5, "{counts:?}");
    let mut all = vec![];
    for name in names {
        let runs = fleet.runs(name).await;
        assert_eq!(runs.len(), 1, "{name}: {runs:?}");
        assert_eq!(runs[0].outcome.as_deref(), Some("ok"), "{name}: {runs:?}");
        assert_eq!(fleet.account(name).count("GET"), 1, "{name}");
        all.extend(runs);
    }
    assert_eq!(most_at_once(&all), 2, "{all:#?}");
}

#[tokio::test]
async fn the_daemon_started_with_account_a_serves_only_a_even_after_sighup() {
    let fleet = Fleet::start(&["a", "b", "c"]).await;
    fleet.write_all(EVERY_SECOND);
    let mut daemon = harness::spawn_with(&fleet.config_path(), &["--account", "a"], &[]);
    let started = daemon.event("daemon started", |_| true).await;
    assert_eq!(started["accounts"], 1);
    runs_of(&mut daemon, &["a"], 2).await;

    let reloaded = reload(&mut daemon).await;
    assert_eq!(reloaded["accounts"], 1);
    runs_of(&mut daemon, &["a"], 2).await;
    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(10)).await.code(), Some(0));

    assert!(fleet.runs("a").await.len() >= 4);
    for other in ["b", "c"] {
        assert_eq!(
            fleet.account(other).counters().total,
            0,
            "{other} was sent to"
        );
        assert!(!fleet.db(other).exists(), "{other}'s database was created");
    }
    let strays: Vec<&String> = daemon
        .seen
        .iter()
        .filter(|line| {
            let event: Value = harness::parse(line);
            matches!(account_of(&event).as_deref(), Some("b" | "c"))
        })
        .collect();
    assert!(strays.is_empty(), "events of b or c: {strays:?}");
}
