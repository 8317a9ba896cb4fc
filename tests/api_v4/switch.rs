//! `amocrm.api = "auto"` across the switch: what is sent, how often, and when it is remembered.

use serde_json::Value;

use catalog_sync::catalog::ApiVersion;
use catalog_sync::sync::Outcome;

use super::helpers::{TestApp, item, list, spawn_app};
use super::{V2, V4, auto_app, catalogs, echo, one_page, outbox};

pub const GONE: &str = "delete the catalog in amoCRM";

#[tokio::test]
async fn a_v2_post_answered_404_mid_write_sends_each_operation_once_and_fails_the_delete_unsent() {
    let app = auto_app(3).await;
    mixed_edits(&app).await;
    app.account_has(&catalogs(3), 1).await;
    app.answer("POST", V2, 404, None, 1).await;
    echo(&app, "PATCH", 1).await;
    echo(&app, "POST", 1).await;
    app.answer("GET", V4, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Partial, "{report:?}");
    assert_eq!(
        report.counts.http_requests, 4,
        "1 GET + the v2 POST + 1 PATCH + 1 POST"
    );
    let c = &report.counts.catalogs;
    assert_eq!((c.added, c.updated, c.deleted, c.failed), (1, 1, 0, 1));
    let rows = outbox(&app).await;
    let delete = rows.iter().find(|r| r.0 == "delete").unwrap();
    assert_eq!(delete.1, "failed");
    assert!(delete.2.as_deref().unwrap().contains(GONE), "{delete:?}");
    assert!(app.store.api_switch().await.unwrap().is_some());

    let payloads: Vec<(String, String)> =
        sqlx::query_as("SELECT op, payload FROM outbox WHERE op != 'delete' ORDER BY id")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    let sent = [
        app.bodies("PATCH", V4).await[0][0].clone(),
        app.bodies("POST", V4).await[0][0].clone(),
    ];
    for (op, payload) in &payloads {
        let payload: Value = serde_json::from_str(payload).unwrap();
        assert!(
            payload["request_id"].is_string(),
            "{op}: the outbox says what v4 got: {payload}"
        );
        assert!(sent.contains(&payload), "{payload} in {sent:?}");
    }
}

#[tokio::test]
async fn after_a_switch_on_the_first_request_the_rest_of_the_run_is_cut_the_v4_way() {
    let mut app = auto_app(7).await;
    app.options.batch_size = 3;
    app.sql(
        "UPDATE desired_catalogs SET name = name || '!' WHERE remote_id <= 4;
         DELETE FROM desired_catalogs WHERE remote_id >= 5;
         INSERT INTO desired_catalogs (name) VALUES ('N1'), ('N2'), ('N3');",
    )
    .await;
    app.account_has(&catalogs(7), 1).await;
    app.answer("POST", V2, 404, None, 1).await;
    echo(&app, "PATCH", 2).await;
    echo(&app, "POST", 1).await;
    let report = app.run().await;
    let c = &report.counts.catalogs;
    assert_eq!((c.added, c.updated, c.failed), (3, 4, 3), "{report:?}");
    assert_eq!(
        report.counts.http_requests, 5,
        "1 GET + the v2 POST (3 deletes) + PATCH 3 + PATCH 1 + POST 3"
    );
    let sizes = |bodies: Vec<Value>| -> Vec<usize> {
        bodies.iter().map(|b| b.as_array().unwrap().len()).collect()
    };
    assert_eq!(sizes(app.bodies("PATCH", V4).await), vec![3, 1]);
    assert_eq!(sizes(app.bodies("POST", V4).await), vec![3]);
}

#[tokio::test]
async fn a_404_that_v4_answers_too_is_not_remembered_and_the_next_run_starts_on_v2() {
    let app = auto_app(1).await;
    app.sql("UPDATE desired_catalogs SET name = 'Renamed' WHERE remote_id = 1")
        .await;
    app.account_has(&catalogs(1), 1).await;
    app.answer("POST", V2, 404, None, 1).await;
    app.answer("PATCH", V4, 404, None, 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    assert_eq!(app.store.api_switch().await.unwrap(), None);
    app.next_act().await;

    app.account_has(&[item(1, "Renamed")], 1).await;
    app.answer("GET", V4, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(
        (report.outcome, report.counts.http_requests),
        (Outcome::Ok, 1),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_stopping_error_after_the_switch_sends_nothing_more_and_a_403_is_remembered() {
    let app = auto_app(3).await;
    mixed_edits(&app).await;
    app.account_has(&catalogs(3), 1).await;
    app.answer("POST", V2, 404, None, 1).await;
    app.answer("PATCH", V4, 403, None, 1).await;
    app.answer("POST", V4, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    assert!(
        report.error.as_deref().unwrap().contains("403"),
        "{report:?}"
    );
    let rows = outbox(&app).await;
    let row = |op: &str| rows.iter().find(|r| r.0 == op).unwrap().clone();
    assert!(row("delete").2.unwrap().contains(GONE));
    assert!(row("update").2.unwrap().contains("403"));
    let add = row("add");
    assert_eq!(add.1, "failed");
    assert!(add.2.as_deref().unwrap().starts_with("not sent"), "{add:?}");
    let blocks: Vec<(String,)> = sqlx::query_as("SELECT until FROM account_blocks")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(blocks.len(), 1, "the block is remembered");
    assert_eq!(
        app.store.api_switch().await.unwrap(),
        None,
        "v4 never answered"
    );
}

#[tokio::test]
async fn a_switch_that_cannot_be_recorded_fails_the_run_after_recording_what_v4_did() {
    let app = auto_app(1).await;
    app.sql(
        "UPDATE desired_catalogs SET name = 'Renamed' WHERE remote_id = 1;
         CREATE TRIGGER no_switch BEFORE INSERT ON api_version
         BEGIN SELECT RAISE(ABORT, 'api_version is read-only here'); END;",
    )
    .await;
    app.account_has(&catalogs(1), 1).await;
    app.answer("POST", V2, 404, None, 1).await;
    echo(&app, "PATCH", 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    let error = report.error.unwrap();
    assert!(
        error.contains("cannot record the switch to API v4")
            && error.contains("api_version is read-only here"),
        "{error}"
    );
    assert_eq!(outbox(&app).await[0].1, "done", "v4 applied it");
}

#[tokio::test]
async fn a_payload_that_cannot_be_recorded_stops_the_run_before_v4_is_sent() {
    let app = auto_app(1).await;
    app.sql(
        "UPDATE desired_catalogs SET name = 'Renamed' WHERE remote_id = 1;
         CREATE TRIGGER frozen BEFORE UPDATE OF payload ON outbox WHEN OLD.state = 'sending'
         BEGIN SELECT RAISE(ABORT, 'payloads are frozen here'); END;",
    )
    .await;
    app.account_has(&catalogs(1), 1).await;
    app.answer("POST", V2, 404, None, 1).await;
    app.answer("PATCH", V4, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    let error = report.error.unwrap();
    assert!(error.contains("payloads are frozen here"), "{error}");
}

/// `auto` meets `status` at its first v2 GET: it adopts through v4 and remembers why.
async fn auto_switches_when_v2_answers(status: u16) {
    let mut app = spawn_app().await;
    app.options.api = ApiVersion::Auto;
    app.answer("GET", V2, status, None, 1).await;
    app.answer("GET", V4, 200, Some(one_page()), 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{status}: {report:?}");
    assert_eq!(report.counts.catalogs.adopted, 3);
    let switch = app.store.api_switch().await.unwrap().expect("remembered");
    assert!(switch.reason.contains(&status.to_string()), "{switch:?}");
}

#[tokio::test]
async fn auto_switches_when_v2_answers_404() {
    auto_switches_when_v2_answers(404).await;
}

#[tokio::test]
async fn auto_switches_when_v2_answers_410() {
    auto_switches_when_v2_answers(410).await;
}

#[tokio::test]
async fn deleting_the_api_version_row_sends_the_next_auto_run_to_v2() {
    let mut app = spawn_app().await;
    app.options.api = ApiVersion::Auto;
    app.answer("GET", V2, 404, None, 1).await;
    app.answer("GET", V4, 200, Some(one_page()), 1).await;
    app.run().await;
    assert!(app.store.api_switch().await.unwrap().is_some());
    app.next_act().await;

    app.sql("DELETE FROM api_version").await;
    let v2 = [
        item(4589, "Просто список"),
        item(4521, "Товары"),
        item(4517, "Счета"),
    ];
    app.answer("GET", V2, 200, Some(list(&v2)), 1).await;
    app.answer("GET", V4, 200, None, 0).await;
    let report = app.run().await;
    assert_ne!(report.outcome, Outcome::Failed, "{report:?}");
    assert_eq!(report.counts.http_requests, 1);
    assert_eq!(app.store.api_switch().await.unwrap(), None);
}

/// One of each kind of write: catalog 1 renamed, 3 deleted, one added.
async fn mixed_edits(app: &TestApp) {
    app.sql(
        "UPDATE desired_catalogs SET name = 'Renamed' WHERE remote_id = 1;
         DELETE FROM desired_catalogs WHERE remote_id = 3;
         INSERT INTO desired_catalogs (name) VALUES ('New');",
    )
    .await;
}
