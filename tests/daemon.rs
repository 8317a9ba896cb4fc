//! The daemon binary against the sandbox: the schedule, signals, JSON logs. The systemd notify
//! protocol is in `tests/daemon/notify.rs`, the unit file's environment in `tests/daemon/unit.rs`.

#[path = "daemon/harness.rs"]
mod harness;
#[path = "daemon/notify.rs"]
mod notify;
#[path = "daemon/unit.rs"]
mod unit;

use std::time::Duration;

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn};
use catalog_sync::store::Store;
use chrono::DateTime;
use serde_json::Value;

use harness::{Setup, TOKEN, parse};

fn any(_: &Value) -> bool {
    true
}

fn time(stamp: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(stamp).unwrap()
}

#[tokio::test]
async fn an_every_second_schedule_runs_several_times_without_overlap_and_sigterm_exits_0() {
    let setup = Setup::start().await;
    setup.write_config("schedule = \"* * * * * *\"\nrun_on_start = true");
    let mut daemon = setup.spawn(&[]);
    for _ in 0..4 {
        daemon.event("run finished", any).await;
    }

    daemon.signal("TERM");
    let status = daemon.exit(Duration::from_secs(5)).await;

    assert_eq!(status.code(), Some(0), "{}", daemon.seen.join("\n"));
    assert_eq!(
        daemon.stdout().await,
        "",
        "the daemon prints nothing on stdout"
    );
    let runs = setup.runs().await;
    assert!(runs.len() >= 4, "{runs:?}");
    assert_eq!(runs[0].trigger, "start");
    assert!(
        runs[1..].iter().all(|r| r.trigger == "schedule"),
        "{runs:?}"
    );
    for pair in runs.windows(2) {
        let ended = pair[0].finished_at.as_deref().expect("every run finished");
        assert!(
            time(ended) <= time(&pair[1].started_at),
            "runs overlap: {pair:?}"
        );
    }
    for r in &runs {
        assert!(r.finished_at.is_some(), "{r:?}");
        assert_eq!(r.outcome.as_deref(), Some("ok"), "{r:?}");
    }
    let ids: Vec<i64> = daemon
        .seen
        .iter()
        .map(|l| parse(l))
        .filter(|e| e["message"] == "run finished")
        .map(|e| e["span"]["run_id"].as_i64().expect("run_id on the event"))
        .collect();
    assert_eq!(
        ids,
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        "one logged run per row"
    );
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_each_run_event_carries_its_run_id_and_no_secret() {
    let setup = Setup::start().await;
    setup.sandbox.account().seed_example_account();
    setup.write_config("schedule = \"0 0 1 1 *\"\nrun_on_start = true");
    let store = Store::open(&setup.db()).await.unwrap();
    sqlx::query("INSERT INTO desired_catalogs (name) VALUES ('Warehouses')")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let mut daemon = setup.spawn(&[]);
    daemon.event("run finished", any).await;
    daemon.event("next run", any).await;

    daemon.signal("INT");
    assert_eq!(daemon.exit(Duration::from_secs(5)).await.code(), Some(0));

    assert_eq!(daemon.stdout().await, "");
    let events: Vec<Value> = daemon.seen.iter().map(|l| parse(l)).collect();
    assert!(events.len() > 5, "{:?}", daemon.seen);
    let mut in_runs = 0;
    for (line, event) in daemon.seen.iter().zip(&events) {
        assert!(!line.contains(TOKEN), "the token leaked: {line}");
        let target = event["target"].as_str().unwrap_or_default();
        if target.starts_with("catalog_sync::sync") || target.starts_with("catalog_sync::amocrm") {
            in_runs += 1;
            assert_eq!(
                event["span"]["run_id"], 1,
                "an event of the run without its run_id: {line}"
            );
        }
    }
    assert!(in_runs >= 3, "the run logged its steps: {:?}", daemon.seen);
    assert_eq!(
        setup.sandbox.account().count("POST"),
        1,
        "the run pushed the new row"
    );
}

#[tokio::test]
async fn sighup_keeps_the_old_configuration_when_the_new_one_is_bad_and_applies_a_good_one() {
    let setup = Setup::start().await;
    setup.write_config("schedule = \"0 0 1 1 *\"\nrun_on_start = false");
    let mut daemon = setup.spawn(&[]);
    daemon.event("next run", any).await;

    setup.write_config("schedule = \"*/5 * * *\"");
    daemon.signal("HUP");
    let refused = daemon
        .event(
            "the new configuration is not valid; keeping the old one",
            any,
        )
        .await;
    let why = refused["error"].as_str().unwrap();
    assert!(
        why.contains("sync.schedule") && why.contains("*/5 * * *"),
        "{why}"
    );
    daemon
        .event("next run", |e| e["schedule"] == "0 0 1 1 *")
        .await;

    setup.write_config("schedule = \"* * * * * *\"");
    daemon.signal("HUP");
    daemon
        .event("configuration reloaded; it applies from the next run", any)
        .await;
    daemon.event("run finished", |e| e["outcome"] == "ok").await;

    daemon.signal("TERM");
    assert_eq!(daemon.exit(Duration::from_secs(5)).await.code(), Some(0));
    assert_eq!(setup.runs().await[0].trigger, "schedule");
}

#[tokio::test]
async fn sigterm_during_a_run_finishes_the_exchange_in_flight_and_sends_nothing_more() {
    let setup = Setup::start().await;
    let account = setup.sandbox.account();
    account.push_fault(Fault::once(FaultOn::Get, FaultAction::Delay { ms: 1500 }));
    setup.write_config("schedule = \"0 0 1 1 *\"\nrun_on_start = true");
    let store = Store::open(&setup.db()).await.unwrap();
    sqlx::query("INSERT INTO desired_catalogs (name) VALUES ('Warehouses')")
        .execute(store.pool())
        .await
        .unwrap();
    let mut daemon = setup.spawn(&[]);
    daemon.event("daemon started", any).await;

    daemon.signal("TERM");
    daemon
        .event(
            "stopping: finishing the exchange in flight (a second signal exits at once)",
            any,
        )
        .await;
    let status = daemon.exit(Duration::from_secs(10)).await;

    assert_eq!(status.code(), Some(0), "{}", daemon.seen.join("\n"));
    let runs = setup.runs().await;
    assert_eq!(runs.len(), 1);
    assert!(
        runs[0].finished_at.is_some(),
        "the run was recorded: {runs:?}"
    );
    let error = runs[0].error.as_deref().unwrap_or_default();
    assert!(error.contains("stopped by a signal"), "{runs:?}");
    assert_eq!(account.count("GET"), 1);
    assert_eq!(account.count("POST"), 0, "nothing sent after the signal");
    let (outbox,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(outbox, 0, "nothing queued for the account");
}

#[tokio::test]
async fn a_second_signal_exits_at_once() {
    let setup = Setup::start().await;
    let account = setup.sandbox.account();
    account.push_fault(Fault::once(FaultOn::Get, FaultAction::Delay { ms: 20_000 }));
    setup.write_config("schedule = \"0 0 1 1 *\"\nrun_on_start = true");
    let mut daemon = setup.spawn(&[]);
    daemon.event("daemon started", any).await;
    daemon.signal("TERM");
    daemon
        .event(
            "stopping: finishing the exchange in flight (a second signal exits at once)",
            any,
        )
        .await;

    daemon.signal("INT");
    let status = daemon.exit(Duration::from_secs(3)).await;

    assert_eq!(status.code(), Some(1), "{}", daemon.seen.join("\n"));
}
