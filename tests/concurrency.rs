//! A run shares the database with people and the account with its rate limit: edits made while
//! a run is in flight are kept, and the pace keeps a long run under the account's limit.

#[path = "world/mod.rs"]
mod world;

use std::time::{Duration, Instant};

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn};
use catalog_sync::sync::Outcome;
use world::World;

/// Waits (polling the database) until the run has committed `sending`: it has pulled, merged
/// and planned, and its POST is on its way.
async fn until_a_post_is_in_flight(w: &World) {
    let start = Instant::now();
    loop {
        let sending: Vec<(i64,)> = w
            .rows("SELECT id FROM outbox WHERE state = 'sending'")
            .await;
        if !sending.is_empty() {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no POST in flight"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn edits_made_between_the_pull_and_the_post_are_kept_and_sent_by_the_next_run() {
    let w = World::start().await;
    w.account.add_catalog("A", "regular").unwrap();
    w.syncer().run_once("test").await.unwrap();
    w.sql(
        "UPDATE desired_catalogs SET name = 'A2'; INSERT INTO desired_catalogs (name) VALUES ('D')",
    )
    .await;
    w.account
        .push_fault(Fault::once(FaultOn::Post, FaultAction::Delay { ms: 700 }));
    let syncer = w.syncer();
    let run = tokio::spawn(async move { syncer.run_once("test").await.unwrap() });

    until_a_post_is_in_flight(&w).await;
    w.sql(
        "UPDATE desired_catalogs SET name = 'A3' WHERE name = 'A2';
         UPDATE desired_catalogs SET name = 'D2' WHERE name = 'D';
         INSERT INTO desired_catalogs (name) VALUES ('E');",
    )
    .await;
    let first = run.await.unwrap();

    assert_eq!(first.outcome, Outcome::Ok, "{:?}", first.error);
    assert_eq!(w.remote_names(), ["A2", "D"], "what the run had planned");
    let desired = w.desired().await;
    assert_eq!(
        desired.iter().map(|d| d.1.as_str()).collect::<Vec<_>>(),
        ["A3", "D2", "E"],
        "the person's edits are untouched"
    );
    assert!(
        desired[1].0.is_some(),
        "the new catalog is linked to the edited row"
    );

    let second = w.syncer().run_once("test").await.unwrap();

    assert_eq!(
        (second.counts.catalogs.updated, second.counts.catalogs.added),
        (2, 1)
    );
    assert_eq!(w.remote_names(), ["A3", "D2", "E"]);
    assert_eq!(w.desired().await, w.remote());
    let posts = w.account.count("POST");
    w.syncer().run_once("test").await.unwrap();
    assert_eq!(
        w.account.count("POST"),
        posts,
        "in sync after the second run"
    );
}

#[tokio::test]
async fn thirty_single_item_posts_at_the_highest_pace_allowed_get_no_429_from_a_7_per_second_account()
 {
    let mut w = World::start().await;
    w.requests_per_second = 7;
    w.options.batch_size = 1;
    w.account.set_max_catalogs(40);
    w.account.set_rate_limit(Some(7));
    let values: Vec<String> = (1..=30).map(|i| format!("('List {i:02}')")).collect();
    w.sql(&format!(
        "INSERT INTO desired_catalogs (name) VALUES {}",
        values.join(", ")
    ))
    .await;

    let report = w.syncer().run_once("test").await.unwrap();

    assert_eq!(
        (report.outcome, report.counts.catalogs.added),
        (Outcome::Ok, 30)
    );
    assert_eq!(w.account.count("POST"), 30);
    let refused: Vec<u16> = w
        .account
        .requests()
        .iter()
        .map(|r| r.status)
        .filter(|s| *s == 429 || *s == 403)
        .collect();
    assert!(refused.is_empty(), "the account refused {refused:?}");
    assert_eq!(w.account.counters().rate_limited, 0);
}
