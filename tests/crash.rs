//! Crash safety of the outbox (SPEC §4): a run killed at any step of the protocol, then run
//! again, creates no catalog twice, loses no edit, and leaves an outbox that tells the truth.

#[path = "world/mod.rs"]
mod world;

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn};
use catalog_sync::sync::{CrashPoint, Outcome};
use world::World;

/// The account has A, B, C, all synced; then a person adds D, renames A and deletes C.
async fn synced_then_edited() -> World {
    let w = World::start().await;
    for name in ["A", "B", "C"] {
        w.account.add_catalog(name, "regular").unwrap();
    }
    assert_eq!(
        w.syncer().run_once("test").await.unwrap().outcome,
        Outcome::Ok
    );
    w.sql(
        "INSERT INTO desired_catalogs (name) VALUES ('D');
         UPDATE desired_catalogs SET name = 'A2' WHERE name = 'A';
         DELETE FROM desired_catalogs WHERE name = 'C';",
    )
    .await;
    w.account.clear_requests();
    w
}

/// What must hold once a run after the crash has finished.
async fn everything_is_applied_once_and_the_outbox_tells_the_truth(w: &World) {
    assert_eq!(
        w.remote_names(),
        ["A2", "B", "D"],
        "no duplicate, nothing lost"
    );
    assert_eq!(
        w.desired().await,
        w.remote(),
        "every row is linked to its catalog"
    );
    assert_eq!(w.account.count("POST"), 1, "the POST was never sent twice");
    let open: Vec<(i64,)> = w
        .rows("SELECT id FROM outbox WHERE state NOT IN ('done', 'failed')")
        .await;
    assert!(open.is_empty(), "unsettled rows: {open:?}");
    let done: Vec<(String,)> = w
        .rows("SELECT op FROM outbox WHERE state = 'done' ORDER BY op")
        .await;
    assert_eq!(
        done,
        [("add".into(),), ("delete".into(),), ("update".into(),)]
    );
    let unexplained: Vec<(i64,)> = w
        .rows("SELECT id FROM outbox WHERE state = 'failed' AND COALESCE(error, '') = ''")
        .await;
    assert!(unexplained.is_empty(), "failed rows say why");
    let dead: Vec<(i64,)> = w
        .rows("SELECT id FROM sync_runs WHERE finished_at IS NULL OR outcome IS NULL")
        .await;
    assert!(dead.is_empty(), "the killed run is closed: {dead:?}");
    let next = w.syncer().run_once("test").await.unwrap();
    assert_eq!(
        (next.outcome, w.account.count("POST")),
        (Outcome::Ok, 1),
        "in sync"
    );
}

async fn crash_then_run_again(point: CrashPoint) {
    let w = synced_then_edited().await;
    let crashing = w.syncer().crash_at(point);

    let died = tokio::spawn(async move { crashing.run_once("test").await }).await;

    assert!(died.unwrap_err().is_panic(), "the run died at {point:?}");
    let again = w.syncer().run_once("test").await.unwrap();
    assert_eq!(again.outcome, Outcome::Ok, "{:?}", again.error);
    everything_is_applied_once_and_the_outbox_tells_the_truth(&w).await;
}

#[tokio::test]
async fn a_run_killed_after_planning_sends_it_all_next_run() {
    crash_then_run_again(CrashPoint::AfterPlan).await;
}

#[tokio::test]
async fn a_run_killed_after_sending_is_committed_sends_it_all_next_run() {
    crash_then_run_again(CrashPoint::AfterSending).await;
}

#[tokio::test]
async fn a_run_killed_after_the_post_was_applied_links_and_confirms_without_resending() {
    crash_then_run_again(CrashPoint::AfterPost).await;
}

#[tokio::test]
async fn a_run_killed_while_recording_a_batch_settles_the_rest_without_resending() {
    crash_then_run_again(CrashPoint::MidRecording).await;
}

#[tokio::test]
async fn a_post_applied_but_never_answered_is_settled_in_the_same_run_without_resending() {
    let w = synced_then_edited().await;
    w.account
        .push_fault(Fault::once(FaultOn::Post, FaultAction::ApplyThenDrop));

    let report = w.syncer().run_once("test").await.unwrap();

    assert_eq!(
        report.outcome,
        Outcome::Failed,
        "the lost answer is reported"
    );
    assert!(report.error.unwrap().contains("could not reach amoCRM"));
    everything_is_applied_once_and_the_outbox_tells_the_truth(&w).await;
}
