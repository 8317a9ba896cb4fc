//! `metrics.listen`: the daemon against the sandbox serves `/metrics`, `/livez` and `/readyz`;
//! a taken port refuses the start.

#[path = "metrics/exposition.rs"]
mod exposition;
#[path = "daemon/harness.rs"]
mod harness;

use std::net::SocketAddr;

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn};
use catalog_sync::store::Store;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use harness::{Daemon, PATIENCE, Setup, parse};

fn any(_: &Value) -> bool {
    true
}

/// A port that was free a moment ago, on loopback.
async fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// `GET path` on `addr`: the status code and the body.
async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr)
        .await
        .expect("the endpoint listens");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let read = stream.read_to_string(&mut answer);
    tokio::time::timeout(PATIENCE, read).await.unwrap().unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    let code = head.split(' ').nth(1).and_then(|c| c.parse().ok());
    (code.expect("a status line"), body.to_owned())
}

/// The value of the one sample `series` (name and labels exactly as exposed).
fn sample(text: &str, series: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.strip_prefix(series).is_some_and(|v| v.starts_with(' ')))
        .unwrap_or_else(|| panic!("no {series} in:\n{text}"));
    line[series.len()..].trim().parse().unwrap()
}

/// The daemon with an every-second schedule, `extra` TOML after `[sync]`, metrics on `listen`.
fn start(setup: &Setup, listen: SocketAddr, extra: &str) -> Daemon {
    setup.write_config(&format!(
        "schedule = \"* * * * * *\"\nrun_on_start = true\n{extra}\n[metrics]\nlisten = \"{listen}\""
    ));
    setup.spawn(&[])
}

/// Awaits the end of the next run (and its refresh of the board: `next run` follows it).
async fn next_run(daemon: &mut Daemon, outcome: &str) {
    daemon
        .event("run finished", |e| e["outcome"] == outcome)
        .await;
    daemon.event("next run", any).await;
}

#[tokio::test]
async fn a_scrape_after_a_run_shows_every_metric_with_its_account_and_plausible_values() {
    let setup = Setup::start().await;
    let account = setup.sandbox.account();
    account.seed_example_account();
    account.push_fault(Fault::once(FaultOn::Get, FaultAction::ApplyThenDrop));
    let listen = free_port().await;
    let mut daemon = start(&setup, listen, "elements = true");
    next_run(&mut daemon, "ok").await;

    let (code, text) = get(listen, "/metrics").await;

    assert_eq!(code, 200, "{text}");
    exposition::assert_valid(&text);
    let of = |series: &str| sample(&text, series);
    assert!(of(r#"catalog_sync_runs_total{account="default",outcome="ok"}"#) >= 1.0);
    assert_eq!(
        of(r#"catalog_sync_runs_total{account="default",outcome="aborted"}"#),
        0.0
    );
    let runs = of(r#"catalog_sync_run_duration_seconds_count{account="default"}"#);
    let took = of(r#"catalog_sync_run_duration_seconds_sum{account="default"}"#);
    assert!(runs >= 1.0 && took > 0.0 && took / runs < 30.0, "{text}");
    assert!(of(r#"catalog_sync_run_duration_seconds_bucket{account="default",le="+Inf"}"#) >= 1.0);
    let gets = r#"catalog_sync_api_requests_total{account="default",method="GET",status="200"}"#;
    assert!(
        of(gets) >= 3.0,
        "the catalogs, each catalog's elements and fields: {text}"
    );
    let dropped =
        r#"catalog_sync_api_requests_total{account="default",method="GET",status="error"}"#;
    assert_eq!(of(dropped), 1.0, "the dropped connection had no answer");
    assert_eq!(
        of(r#"catalog_sync_outbox_rows{account="default",state="in_doubt"}"#),
        0.0
    );
    assert_eq!(of(r#"catalog_sync_conflicts_open{account="default"}"#), 0.0);
    let success = of(r#"catalog_sync_last_success_timestamp_seconds{account="default"}"#);
    let now = chrono::Utc::now().timestamp() as f64;
    assert!(
        success > now - 60.0 && success <= now + 1.0,
        "{success} vs {now}"
    );
    let catalogs = r#"catalog_sync_remote_items{account="default",entity="catalog"}"#;
    assert_eq!(of(catalogs), account.catalogs().len() as f64);
    let elements = r#"catalog_sync_remote_items{account="default",entity="element"}"#;
    assert!(of(elements) >= 3.0, "the example shop's elements: {text}");
    assert_eq!(of(r#"catalog_sync_blocked{account="default"}"#), 0.0);
    assert_eq!(
        of(r#"catalog_sync_schedule_interval_seconds{account="default"}"#),
        1.0
    );
    assert_eq!(get(listen, "/livez").await.0, 200);
    assert_eq!(get(listen, "/readyz").await, (200, "ready\n".into()));
    assert_eq!(get(listen, "/nothing").await.0, 404);
}

#[tokio::test]
async fn readyz_turns_503_during_a_403_block_and_200_once_it_is_lifted_and_a_run_succeeds() {
    let setup = Setup::start().await;
    let account = setup.sandbox.account();
    let forbidden = FaultAction::Status {
        code: 403,
        body: "<html><h1>403 Forbidden</h1></html>".into(),
        content_type: None,
    };
    account.push_fault(Fault::once(FaultOn::Get, forbidden));
    let listen = free_port().await;
    let mut daemon = start(&setup, listen, "");
    next_run(&mut daemon, "failed").await;

    let (code, reasons) = get(listen, "/readyz").await;
    assert_eq!(code, 503, "{reasons}");
    assert_eq!(
        reasons.lines().count(),
        1,
        "one line per unhealthy account: {reasons}"
    );
    assert!(
        reasons.starts_with("default: ") && reasons.contains("blocked the account or IP (403)"),
        "{reasons}"
    );
    let (_, text) = get(listen, "/metrics").await;
    assert_eq!(
        sample(&text, r#"catalog_sync_blocked{account="default"}"#),
        1.0
    );
    assert_eq!(get(listen, "/livez").await.0, 200, "blocked is not dead");

    // The cool-down (at least a minute) runs out: as a person may, end it in the database.
    let store = Store::open(&setup.db()).await.unwrap();
    sqlx::query("UPDATE account_blocks SET until = '2000-01-01T00:00:00.000Z'")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    next_run(&mut daemon, "ok").await;

    assert_eq!(get(listen, "/readyz").await, (200, "ready\n".into()));
    let (_, text) = get(listen, "/metrics").await;
    assert_eq!(
        sample(&text, r#"catalog_sync_blocked{account="default"}"#),
        0.0
    );
}

#[tokio::test]
async fn a_taken_port_for_metrics_listen_refuses_the_start_naming_the_key() {
    let setup = Setup::start().await;
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut daemon = start(&setup, taken.local_addr().unwrap(), "");

    let status = daemon.exit(PATIENCE).await;

    assert_eq!(status.code(), Some(1), "{}", daemon.seen.join("\n"));
    let events: Vec<Value> = daemon.seen.iter().map(|l| parse(l)).collect();
    let refused = events
        .iter()
        .find(|e| e["level"] == "ERROR")
        .unwrap_or_else(|| panic!("no error line: {:?}", daemon.seen));
    let error = refused["error"].as_str().unwrap();
    assert!(error.contains("metrics.listen = 127.0.0.1:"), "{error}");
    assert!(
        !events.iter().any(|e| e["message"] == "daemon started"),
        "the daemon did not start: {:?}",
        daemon.seen
    );
    assert_eq!(setup.sandbox.account().count("GET"), 0);
}
