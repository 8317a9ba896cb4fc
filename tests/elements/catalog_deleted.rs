//! A desired catalog deleted with its elements: whether or not the catalog delete goes out in
//! that run, its elements are never deleted one by one, and nothing it leaves behind turns into
//! changes later.

use super::{World, shop};
use catalog_sync::catalog::{ConflictPolicy, Mode};
use catalog_sync::sync::Outcome;

/// The shop with 5 elements in catalog 7002, synced once.
async fn with_suppliers() -> World {
    let w = shop().await;
    w.account.seed_elements(7002, 5).unwrap();
    assert_eq!(w.run().await.outcome, Outcome::Ok);
    w
}

async fn elements_of_7002(w: &World) -> i64 {
    let rows: Vec<(i64,)> = w
        .rows(
            "SELECT COUNT(*) FROM desired_elements WHERE desired_catalog_id = \
             (SELECT id FROM desired_catalogs WHERE remote_id = 7002)",
        )
        .await;
    rows[0].0
}

#[tokio::test]
async fn a_deleted_catalog_kept_because_the_account_edited_it_gets_its_elements_back() {
    let mut w = with_suppliers().await;
    w.options.policy = ConflictPolicy::RemoteWins;
    w.account.rename_catalog(7002, "Склады (новые)").unwrap();
    w.sql("DELETE FROM desired_catalogs WHERE remote_id = 7002")
        .await;
    w.account.clear_requests();
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.catalogs.deleted, 0, "the account's edit wins");
    assert_eq!(w.account.counters().v2_element_deletes, 0, "{report:?}");
    assert_eq!(w.account.elements(7002).len(), 5, "no element deleted");
    assert_eq!(elements_of_7002(&w).await, 5, "adopted back with it");
    w.account.clear_requests();
    let next = w.run().await;
    assert_eq!(next.outcome, Outcome::Ok, "{next:?}");
    assert_eq!(w.element_writes(), 0, "nothing left to send");
}

#[tokio::test]
async fn a_deleted_catalog_held_in_a_conflict_leaves_nothing_that_deletes_its_elements_later() {
    let mut w = with_suppliers().await;
    w.options.policy = ConflictPolicy::Manual;
    w.account.rename_catalog(7002, "Склады (новые)").unwrap();
    w.sql("DELETE FROM desired_catalogs WHERE remote_id = 7002")
        .await;
    let held = w.run().await;
    assert_eq!(held.counts.catalogs.deleted, 0, "{held:?}");
    // The person gives up the delete: the account's catalog is wanted again, elements too.
    w.sql("INSERT INTO desired_catalogs (name, remote_id, sync_elements) VALUES ('Склады (новые)', 7002, 1)")
        .await;
    w.account.clear_requests();
    let report = w.run().await;
    assert_ne!(report.outcome, Outcome::Aborted, "{report:?}");
    assert_eq!(w.account.counters().v2_element_deletes, 0, "{report:?}");
    assert_eq!(w.account.elements(7002).len(), 5, "no element deleted");
    assert_eq!(elements_of_7002(&w).await, 5, "adopted back");
}

#[tokio::test]
async fn a_catalog_deleted_in_pull_mode_keeps_no_base_for_its_elements() {
    let mut w = with_suppliers().await;
    w.options.mode = Mode::Pull;
    w.sql("DELETE FROM desired_catalogs WHERE remote_id = 7002")
        .await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    let base: Vec<(i64,)> = w
        .rows("SELECT COUNT(*) FROM synced_elements WHERE catalog_remote_id = 7002")
        .await;
    assert_eq!(base[0].0, 0, "no base is left for elements no one wants");
    let views: Vec<(String,)> = w
        .rows("SELECT name FROM sqlite_master WHERE name = 'catalog_7002'")
        .await;
    assert!(views.is_empty(), "{views:?}");
}
