//! The core reconcile against a wiremock account: every request asserted.

mod helpers;

use helpers::{item, spawn_app};
use serde_json::json;

use catalog_sync::catalog::ConflictPolicy;
use catalog_sync::sync::Outcome;

#[tokio::test]
async fn the_first_run_adopts_the_accounts_catalogs_with_one_get_and_no_post() {
    let app = spawn_app().await;
    app.account_has(&[item(11271, "Товары"), item(11273, "Услуги")], 1)
        .await;
    app.post_answers(json!({}), 0).await;

    let report = app.run().await;

    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(
        (
            report.counts.catalogs.pulled,
            report.counts.catalogs.adopted,
            report.counts.http_requests
        ),
        (2, 2, 1)
    );
    assert_eq!(
        app.desired().await,
        vec![
            (Some(11271), "Товары".into()),
            (Some(11273), "Услуги".into())
        ]
    );
    let log = app
        .query("SELECT remote_id, action FROM change_log ORDER BY id")
        .await;
    assert_eq!(
        log,
        vec![
            (Some(11271), "insert".into()),
            (Some(11273), "insert".into())
        ]
    );
}

#[tokio::test]
async fn a_local_insert_update_and_delete_go_out_as_one_post_and_the_new_id_comes_back() {
    let app = spawn_app().await;
    app.account_has(&[item(1, "Goods"), item(2, "Services")], 1)
        .await;
    app.run().await;
    app.next_act().await;

    app.sql(
        "INSERT INTO desired_catalogs (name, type) VALUES ('Warehouses', 'regular');
         UPDATE desired_catalogs SET name = 'Wares' WHERE remote_id = 1;
         DELETE FROM desired_catalogs WHERE remote_id = 2;",
    )
    .await;
    app.account_has(&[item(1, "Goods"), item(2, "Services")], 1)
        .await;
    app.post_answers(
        json!({"_embedded": {"items": [{"id": 7001, "request_id": 3}, {"id": 1}]}}),
        1,
    )
    .await;

    let report = app.run().await;

    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    let posts = app.posts().await;
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0],
        json!({
            "add": [{"name": "Warehouses", "type": "regular", "request_id": 3}],
            "update": [{"id": 1, "name": "Wares"}],
            "delete": [2],
        })
    );
    assert_eq!(
        app.desired().await,
        vec![(Some(1), "Wares".into()), (Some(7001), "Warehouses".into())]
    );
    let states = app
        .query("SELECT request_id, op || ':' || state FROM outbox ORDER BY id")
        .await;
    assert_eq!(
        states,
        vec![
            (None, "delete:done".into()),
            (None, "update:done".into()),
            (Some(3), "add:done".into())
        ]
    );
    assert_eq!(
        (
            report.counts.catalogs.added,
            report.counts.catalogs.updated,
            report.counts.catalogs.deleted
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn the_run_after_a_successful_push_sends_one_get_and_nothing_else() {
    let app = spawn_app().await;
    app.account_has(&[item(1, "Goods")], 1).await;
    app.run().await;
    app.next_act().await;
    app.sql(
        "UPDATE desired_catalogs SET name = 'Wares', can_show_in_cards = 1 WHERE remote_id = 1",
    )
    .await;
    app.account_has(&[item(1, "Goods")], 1).await;
    app.post_answers(json!({"_embedded": {"items": [{"id": 1}]}}), 1)
        .await;
    app.run().await;
    assert_eq!(
        app.posts().await[0],
        json!({"update": [{"id": 1, "name": "Wares", "can_show_in_cards": true}]})
    );
    app.next_act().await;

    let mut renamed = item(1, "Wares");
    renamed["can_show_in_cards"] = json!(true);
    app.account_has(&[renamed], 1).await;
    app.post_answers(json!({}), 0).await;
    let report = app.run().await;

    assert_eq!(report.outcome, Outcome::Ok);
    assert!(!report.plan.has_changes(), "{:?}", report.plan);
    assert_eq!(report.counts.http_requests, 1);
}

#[tokio::test]
async fn remote_renames_adds_and_deletes_are_adopted_without_a_post() {
    let app = spawn_app().await;
    app.account_has(&[item(1, "Goods"), item(2, "Services")], 1)
        .await;
    app.run().await;
    app.next_act().await;

    app.account_has(&[item(1, "Wares"), item(3, "Suppliers")], 1)
        .await;
    app.post_answers(json!({}), 0).await;
    let report = app.run().await;

    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(report.counts.catalogs.adopted, 3);
    assert_eq!(
        app.desired().await,
        vec![(Some(1), "Wares".into()), (Some(3), "Suppliers".into())]
    );
    let log = app
        .query("SELECT remote_id, action FROM change_log WHERE run_id = 2 ORDER BY id")
        .await;
    assert_eq!(
        log,
        vec![
            (Some(1), "update".into()),
            (Some(2), "delete".into()),
            (Some(3), "insert".into())
        ]
    );
    let (before,): (String,) =
        sqlx::query_as("SELECT before_json FROM change_log WHERE action = 'delete'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert!(
        before.contains("Services"),
        "the deleted row's values are kept: {before}"
    );
}

/// Both sides rename catalog 1 after the first sync; returns the report of the second run.
async fn both_sides_rename(
    policy: ConflictPolicy,
    posts: u64,
) -> (helpers::TestApp, catalog_sync::sync::RunReport) {
    let mut app = spawn_app().await;
    app.options.policy = policy;
    app.account_has(&[item(1, "Goods")], 1).await;
    app.run().await;
    app.next_act().await;
    app.sql("UPDATE desired_catalogs SET name = 'Local name' WHERE remote_id = 1")
        .await;
    app.account_has(&[item(1, "Remote name")], 1).await;
    app.post_answers(json!({"_embedded": {"items": [{"id": 1}]}}), posts)
        .await;
    let report = app.run().await;
    (app, report)
}

async fn conflict_rows(app: &helpers::TestApp) -> Vec<(Option<i64>, String)> {
    app.query(
        "SELECT remote_id, field || ' ' || base_value || ' ' || local_value || ' ' || remote_value || ' ' \
         || COALESCE(resolution, 'held') FROM conflicts",
    )
    .await
}

#[tokio::test]
async fn a_both_sides_rename_under_local_wins_is_pushed_and_recorded() {
    let (app, report) = both_sides_rename(ConflictPolicy::LocalWins, 1).await;
    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(
        app.posts().await[0],
        json!({"update": [{"id": 1, "name": "Local name"}]})
    );
    assert_eq!(
        conflict_rows(&app).await,
        vec![(
            Some(1),
            "name \"Goods\" \"Local name\" \"Remote name\" local".into()
        )]
    );
}

#[tokio::test]
async fn a_both_sides_rename_under_remote_wins_is_adopted_and_recorded() {
    let (app, report) = both_sides_rename(ConflictPolicy::RemoteWins, 0).await;
    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(app.desired().await, vec![(Some(1), "Remote name".into())]);
    assert_eq!(
        conflict_rows(&app).await,
        vec![(
            Some(1),
            "name \"Goods\" \"Local name\" \"Remote name\" remote".into()
        )]
    );
}

#[tokio::test]
async fn a_both_sides_rename_under_manual_is_held_until_a_person_settles_it() {
    let (app, report) = both_sides_rename(ConflictPolicy::Manual, 0).await;
    assert_eq!(
        (report.outcome, report.outcome.exit_code()),
        (Outcome::Partial, 4)
    );
    assert_eq!(app.desired().await, vec![(Some(1), "Local name".into())]);
    assert_eq!(
        conflict_rows(&app).await,
        vec![(
            Some(1),
            "name \"Goods\" \"Local name\" \"Remote name\" held".into()
        )]
    );
    app.next_act().await;

    // Still held on the next run, and not recorded twice.
    app.account_has(&[item(1, "Remote name")], 1).await;
    app.post_answers(json!({}), 0).await;
    assert_eq!(app.run().await.outcome, Outcome::Partial);
    assert_eq!(conflict_rows(&app).await.len(), 1);
    app.next_act().await;

    // The person settles it for the remote side.
    app.sql("UPDATE conflicts SET resolution = 'remote'").await;
    app.account_has(&[item(1, "Remote name")], 1).await;
    app.post_answers(json!({}), 0).await;
    assert_eq!(app.run().await.outcome, Outcome::Ok);
    assert_eq!(app.desired().await, vec![(Some(1), "Remote name".into())]);
    let open = app
        .query("SELECT remote_id, resolution FROM conflicts WHERE resolved_at IS NULL")
        .await;
    assert!(open.is_empty(), "{open:?}");
}

#[tokio::test]
async fn a_manual_conflict_is_settled_for_the_local_side_by_editing_the_row() {
    let (app, _) = both_sides_rename(ConflictPolicy::Manual, 0).await;
    app.next_act().await;
    app.sql("UPDATE desired_catalogs SET name = 'Chosen name' WHERE remote_id = 1")
        .await;
    app.account_has(&[item(1, "Remote name")], 1).await;
    app.post_answers(json!({"_embedded": {"items": [{"id": 1}]}}), 1)
        .await;
    assert_eq!(app.run().await.outcome, Outcome::Ok);
    assert_eq!(
        app.posts().await[0],
        json!({"update": [{"id": 1, "name": "Chosen name"}]})
    );
}
