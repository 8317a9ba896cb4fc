//! Shared by the `api_v4` tests: an `auto` account adopted through v2, and v4 writes answered
//! the way amoCRM answers them.

use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use catalog_sync::catalog::ApiVersion;
use catalog_sync::sync::Outcome;

use super::V4;
use super::helpers::{TestApp, item, spawn_app};

/// An `auto` app whose account has catalogs 1..=`n` ("C1", ...) through v2, adopted by a first
/// run (one v2 GET); the next act starts with no mocks.
pub async fn auto_app(n: i64) -> TestApp {
    let mut app = spawn_app().await;
    app.options.api = ApiVersion::Auto;
    app.account_has(&catalogs(n), 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    app.next_act().await;
    app
}

/// Catalogs 1..=`n` as `GET /api/v2/catalogs` lists them.
pub fn catalogs(n: i64) -> Vec<Value> {
    (1..=n).map(|id| item(id, &format!("C{id}"))).collect()
}

/// Answers a v4 write as amoCRM does: each item sent, with its id (a new one from 100 on for
/// an add) and its `request_id` echoed.
pub struct Echo(AtomicI64);

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sent: Vec<Value> = serde_json::from_slice(&request.body).unwrap();
        let catalogs: Vec<Value> = sent
            .iter()
            .map(|item| {
                let id = item
                    .get("id")
                    .cloned()
                    .unwrap_or_else(|| json!(self.0.fetch_add(1, Ordering::SeqCst)));
                json!({"id": id, "request_id": item["request_id"]})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"_embedded": {"catalogs": catalogs}}))
    }
}

/// `<verb> /api/v4/catalogs` answered by [`Echo`], exactly `times` times.
pub async fn echo(app: &TestApp, verb: &str, times: u64) {
    Mock::given(method(verb))
        .and(path(V4))
        .respond_with(Echo(AtomicI64::new(100)))
        .expect(times)
        .mount(&app.server)
        .await;
}

/// `(op, state, error)` of every outbox row, by id.
pub async fn outbox(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT op, state, error FROM outbox ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}
