//! One pace per account across processes: the real binary, many processes at once, against the
//! sandbox with its limit on (7 per sliding second; 5 overruns within a minute block it), and a
//! 429 met by one process slowing the next (`pace/penalty.rs`, against wiremock).

#[path = "daemon/harness.rs"]
mod harness;
#[path = "helpers/mod.rs"]
mod helpers;
#[path = "pace/penalty.rs"]
mod penalty;

use std::process::Output;
use std::time::{Duration, Instant};

use catalog_sync::amocrm::pace_path;
use catalog_sync::sandbox::Account;
use serde_json::Value;

use harness::Setup;
use helpers::catalog_sync;

/// `http.requests_per_second` is left at its default, 5: 200 ms plus the 20 ms jitter margin.
const INTERVAL: Duration = Duration::from_millis(220);

/// The seeded account with the sandbox's limit on, and a configuration for it.
async fn limited(sync: &str) -> (Setup, Account) {
    let setup = Setup::start().await;
    let account = setup.sandbox.account();
    account.seed_example_account();
    account.set_rate_limit(Some(7));
    setup.write_config(sync);
    (setup, account)
}

/// The status of every request the account received, in order.
fn statuses(account: &Account) -> Vec<u16> {
    account.requests().iter().map(|r| r.status).collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `--once` `n` times, each started as soon as the previous one exits.
async fn back_to_back_once(setup: &Setup, n: usize) -> Vec<Output> {
    let mut outputs = Vec::new();
    for _ in 0..n {
        outputs.push(catalog_sync(&setup.config_path(), &["--once"]).await);
    }
    outputs
}

#[tokio::test]
async fn thirty_back_to_back_once_runs_get_no_429() {
    let (setup, account) = limited("").await;
    let start = Instant::now();

    let outputs = back_to_back_once(&setup, 30).await;

    let elapsed = start.elapsed();
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr(out));
    }
    let statuses = statuses(&account);
    assert!(statuses.len() >= 30, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let counters = account.counters();
    assert_eq!((counters.rate_limited, counters.blocked), (0, 0));
    assert!(
        elapsed >= INTERVAL * (statuses.len() as u32 - 1),
        "{} requests in {elapsed:?}: the runs were not paced together",
        statuses.len()
    );
    assert!(pace_path(&setup.db()).exists());
}

#[tokio::test]
async fn without_the_shared_pace_file_the_same_runs_overrun_the_account() {
    let (setup, account) = limited("").await;
    let config = std::fs::read_to_string(setup.config_path()).unwrap();
    std::fs::write(
        setup.config_path(),
        format!("{config}[http]\nmax_retries = 0\n"),
    )
    .unwrap();
    // A directory where the pace file should be: it cannot be opened, so each process paces
    // only itself.
    std::fs::create_dir(pace_path(&setup.db())).unwrap();

    let outputs = back_to_back_once(&setup, 30).await;

    let first = &outputs[0];
    assert!(
        first.status.success(),
        "never fails the run: {}",
        stderr(first)
    );
    let warning = stderr(first)
        .lines()
        .map(harness::parse)
        .find(|e| e["level"] == "WARN" && message(e).contains("shared pace file"));
    assert!(warning.is_some(), "one warning: {}", stderr(first));
    let refused = account.counters();
    assert!(
        refused.rate_limited > 0,
        "no 429 without the shared pace: {:?}",
        statuses(&account)
    );
}

fn message(event: &Value) -> String {
    event["message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_daemon_beside_ten_plan_runs_gets_no_429() {
    let (setup, account) = limited("schedule = \"* * * * * *\"\nrun_on_start = true").await;
    let mut daemon = setup.spawn(&[]);
    daemon.event("run finished", |_| true).await;

    let plans: Vec<_> = (0..10)
        .map(|_| {
            let config = setup.config_path();
            tokio::spawn(async move { catalog_sync(&config, &["plan"]).await })
        })
        .collect();
    for plan in plans {
        let out = plan.await.unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    daemon.event("run finished", |_| true).await;
    daemon.signal("TERM");
    let status = daemon.exit(Duration::from_secs(10)).await;

    assert_eq!(status.code(), Some(0), "{}", daemon.seen.join("\n"));
    let statuses = statuses(&account);
    assert!(statuses.len() >= 12, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let counters = account.counters();
    assert_eq!((counters.rate_limited, counters.blocked), (0, 0));
}
