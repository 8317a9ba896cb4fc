//! A 403 block stops all traffic, survives a restart, and shows in `status` and the CLI.

mod helpers;

use std::time::Duration;

use helpers::{catalog_sync, item, spawn_app};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

use catalog_sync::sync::Outcome;

/// The account answers every GET with amoCRM's HTML block page, exactly `times` times.
async fn account_blocks_us(app: &helpers::TestApp, times: u64) {
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(403).set_body_string("<html><h1>403 Forbidden</h1></html>"),
        )
        .expect(times)
        .mount(&app.server)
        .await;
}

async fn no_post(app: &helpers::TestApp) {
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&app.server)
        .await;
}

#[tokio::test]
async fn a_403_stops_the_run_at_once_and_a_restart_still_waits_out_the_cool_down() {
    let app = spawn_app().await;
    app.sql("INSERT INTO desired_catalogs (name) VALUES ('New')")
        .await;
    account_blocks_us(&app, 1).await;
    no_post(&app).await;

    let first = app.run().await;

    assert_eq!(first.outcome, Outcome::Failed);
    let error = first.error.unwrap();
    assert!(
        error.contains("403 Forbidden") && error.contains("nothing is sent until"),
        "{error}"
    );
    let blocked = app
        .store
        .status(1)
        .await
        .unwrap()
        .blocked
        .expect("the block is recorded");
    assert!(error.contains(&blocked.until), "{error} / {blocked:?}");
    app.next_act().await;

    account_blocks_us(&app, 0).await;
    no_post(&app).await;
    let restarted = app.syncer().with_blocked_cooldown(Duration::from_secs(900));
    let second = restarted.run_once("test").await.unwrap();

    assert_eq!(
        (second.outcome, second.counts.http_requests),
        (Outcome::Failed, 0)
    );
    let error = second.error.unwrap();
    assert!(
        error.contains(&format!("sending nothing until {}", blocked.until)),
        "{error}"
    );
    assert_eq!(
        app.desired().await,
        vec![(None, "New".into())],
        "the edit is kept"
    );
    let plan = restarted.plan().await.unwrap_err().to_string();
    assert!(
        plan.contains("sending nothing until"),
        "plan sends no GET either: {plan}"
    );
}

#[tokio::test]
async fn after_the_cool_down_the_next_run_goes_ahead() {
    let app = spawn_app().await;
    account_blocks_us(&app, 1).await;
    let syncer = app.syncer().with_blocked_cooldown(Duration::ZERO);
    assert_eq!(
        syncer.run_once("test").await.unwrap().outcome,
        Outcome::Failed
    );
    app.next_act().await;

    app.account_has(&[item(1, "Goods")], 1).await;
    let report = syncer.run_once("test").await.unwrap();

    assert_eq!(report.outcome, Outcome::Ok, "{:?}", report.error);
    assert!(app.store.status(1).await.unwrap().blocked.is_none());
}

#[tokio::test]
async fn a_403_on_the_post_stops_the_other_batches_and_records_the_block() {
    let mut app = spawn_app().await;
    app.options.batch_size = 1;
    app.account_has(&[], 1).await;
    app.sql("INSERT INTO desired_catalogs (name) VALUES ('A'), ('B')")
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403))
        .expect(1)
        .mount(&app.server)
        .await;

    let report = app.run().await;

    assert_eq!(report.outcome, Outcome::Failed);
    assert!(app.store.status(1).await.unwrap().blocked.is_some());
    let states = app
        .query("SELECT desired_id, state FROM outbox ORDER BY id")
        .await;
    assert_eq!(
        states,
        vec![(Some(1), "failed".into()), (Some(2), "failed".into())]
    );
}

#[tokio::test]
async fn the_binary_exits_1_logs_the_block_and_status_shows_until_when() {
    let app = spawn_app().await;
    let cfg = app.token_config("");
    account_blocks_us(&app, 1).await;

    let once = catalog_sync(&cfg, &["--once"]).await;
    let again = catalog_sync(&cfg, &["--once"]).await;
    let text = catalog_sync(&cfg, &["status"]).await;
    let json = catalog_sync(&cfg, &["status", "--json"]).await;

    assert_eq!(
        (once.status.code(), again.status.code()),
        (Some(1), Some(1))
    );
    let log = String::from_utf8_lossy(&once.stderr);
    assert!(log.contains("403") && log.contains("until"), "{log}");
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(log.contains("sending nothing"), "{log}");
    let all: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let status = &all["accounts"][0];
    let until = status["blocked"]["until"]
        .as_str()
        .expect("blocked.until")
        .to_owned();
    assert_eq!(status["runs"][0]["http_requests"], json!(0));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("sending nothing until {until}")),
        "{text}"
    );
}
