//! Correlation of adds, per-item errors, the delete guard and invalid desired rows.

mod helpers;

use helpers::{item, spawn_app};
use serde_json::json;

use catalog_sync::sync::Outcome;

/// Three new local rows (outbox ids 1, 2, 3 become their request ids) against an empty base.
async fn three_adds(app: &helpers::TestApp) {
    app.account_has(&[], 1).await;
    app.sql("INSERT INTO desired_catalogs (name) VALUES ('A'), ('B'), ('C')")
        .await;
}

#[tokio::test]
async fn adds_are_matched_by_an_echoed_request_id_whatever_the_order() {
    let app = spawn_app().await;
    three_adds(&app).await;
    let items = json!([{"id": 503, "request_id": "3"}, {"id": 501, "request_id": 1}, {"id": 502, "request_id": 2}]);
    app.post_answers(json!({"_embedded": {"items": items}}), 1)
        .await;

    assert_eq!(app.run().await.outcome, Outcome::Ok);
    assert_eq!(
        app.desired().await,
        vec![
            (Some(501), "A".into()),
            (Some(502), "B".into()),
            (Some(503), "C".into())
        ]
    );
}

#[tokio::test]
async fn adds_are_matched_by_position_when_the_request_id_is_not_echoed() {
    let app = spawn_app().await;
    three_adds(&app).await;
    let items = json!([{"id": 601}, {"id": 602}, {"id": 603}]);
    app.post_answers(json!({"_link": {}, "_embedded": {"items": items}}), 1)
        .await;

    assert_eq!(app.run().await.outcome, Outcome::Ok);
    assert_eq!(
        app.desired().await,
        vec![
            (Some(601), "A".into()),
            (Some(602), "B".into()),
            (Some(603), "C".into())
        ]
    );
}

#[tokio::test]
async fn a_per_item_error_fails_only_its_row_and_the_rest_complete() {
    let app = spawn_app().await;
    three_adds(&app).await;
    let body = json!({"_embedded": {"items": [{"id": 701}, {"id": 703}], "errors": {"add": {"1": "Catalog limit reached"}}}});
    app.post_answers(body, 1).await;

    let report = app.run().await;

    assert_eq!(
        (
            report.outcome,
            report.counts.catalogs.failed,
            report.counts.catalogs.added
        ),
        (Outcome::Partial, 1, 2)
    );
    assert_eq!(
        app.desired().await,
        vec![
            (Some(701), "A".into()),
            (None, "B".into()),
            (Some(703), "C".into())
        ]
    );
    let failed = app
        .query("SELECT desired_id, error FROM outbox WHERE state = 'failed'")
        .await;
    assert_eq!(failed, vec![(Some(2), "Catalog limit reached".into())]);
}

#[tokio::test]
async fn the_delete_guard_aborts_before_any_write_and_sends_nothing() {
    let app = spawn_app().await;
    let four: Vec<_> = (1..=4).map(|i| item(i, &format!("C{i}"))).collect();
    app.account_has(&four, 1).await;
    app.run().await;
    app.next_act().await;

    app.sql("DELETE FROM desired_catalogs").await;
    app.account_has(&four, 1).await;
    app.post_answers(json!({}), 0).await;
    let report = app.run().await;

    assert_eq!(
        (report.outcome, report.outcome.exit_code()),
        (Outcome::Aborted, 3)
    );
    assert!(report.error.unwrap().contains("would delete 4 catalogs"));
    let outbox = app.query("SELECT id, state FROM outbox").await;
    assert!(
        outbox.is_empty(),
        "nothing recorded for sending: {outbox:?}"
    );
    let base = app
        .query("SELECT remote_id, name FROM synced_catalogs")
        .await;
    assert_eq!(base.len(), 4, "the base is untouched");
}

#[tokio::test]
async fn allow_deletes_lifts_the_guard_for_one_run() {
    let mut app = spawn_app().await;
    let four: Vec<_> = (1..=4).map(|i| item(i, &format!("C{i}"))).collect();
    app.account_has(&four, 1).await;
    app.run().await;
    app.next_act().await;

    app.sql("DELETE FROM desired_catalogs").await;
    app.options.allow_deletes = true;
    app.account_has(&four, 1).await;
    app.post_answers(json!({}), 1).await;
    let report = app.run().await;

    assert_eq!(
        (report.outcome, report.counts.catalogs.deleted),
        (Outcome::Ok, 4)
    );
    assert_eq!(app.posts().await[0], json!({"delete": [1, 2, 3, 4]}));
}

#[tokio::test]
async fn an_empty_pull_against_a_synced_base_aborts_and_keeps_every_row() {
    let app = spawn_app().await;
    app.account_has(&[item(1, "Goods")], 1).await;
    app.run().await;
    app.next_act().await;

    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .respond_with(wiremock::ResponseTemplate::new(204))
        .expect(1)
        .mount(&app.server)
        .await;
    app.post_answers(json!({}), 0).await;
    let report = app.run().await;

    assert_eq!(report.outcome, Outcome::Aborted);
    assert!(report.error.unwrap().contains("returned no catalogs"));
    assert_eq!(app.desired().await, vec![(Some(1), "Goods".into())]);
}

#[tokio::test]
async fn an_invalid_row_is_reported_by_id_and_name_and_the_other_edits_still_go_out() {
    let app = spawn_app().await;
    app.account_has(&[], 1).await;
    app.sql("INSERT INTO desired_catalogs (name, type) VALUES ('  ', 'regular'), ('Gadgets', 'gizmo'), ('Fine', 'regular')").await;
    app.post_answers(
        json!({"_embedded": {"items": [{"id": 900, "request_id": 1}]}}),
        1,
    )
    .await;

    let report = app.run().await;

    assert_eq!(
        (report.outcome, report.counts.catalogs.invalid),
        (Outcome::Partial, 2)
    );
    let problems: Vec<String> = report
        .plan
        .invalid
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems[0],
        "desired_catalogs row id=1 name=\"  \": name is empty; set a name"
    );
    assert!(
        problems[1]
            .starts_with("desired_catalogs row id=2 name=\"Gadgets\": unknown type \"gizmo\""),
        "{problems:?}"
    );
    assert_eq!(
        app.posts().await[0],
        json!({"add": [{"name": "Fine", "type": "regular", "request_id": 1}]})
    );
    assert_eq!(
        app.desired().await.len(),
        3,
        "the invalid rows stay for the person to fix"
    );
}
