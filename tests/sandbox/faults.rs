//! Each fault action, over HTTP.

use std::time::{Duration, Instant};

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestAccount, quiet};

fn add(name: &str) -> serde_json::Value {
    json!({"add": [{"name": name, "request_id": 1}]})
}

#[tokio::test]
async fn a_status_fault_answers_instead_of_processing_and_fires_only_once() {
    let t = TestAccount::start(quiet()).await;
    t.account.push_fault(Fault::once(
        FaultOn::Post,
        FaultAction::Status {
            code: 502,
            body: "<html>502 Bad Gateway</html>".into(),
            content_type: None,
        },
    ));
    let r = t.post(&add("A")).await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(r.text().await.unwrap(), "<html>502 Bad Gateway</html>");
    assert!(
        t.account.catalogs().is_empty(),
        "a status fault must not apply the request"
    );
    assert_eq!(t.post(&add("A")).await.status(), StatusCode::OK);
    assert_eq!(t.account.catalogs().len(), 1);
}

#[tokio::test]
async fn a_fault_for_gets_leaves_posts_alone_and_fires_as_many_times_as_asked() {
    let t = TestAccount::start(quiet()).await;
    t.account.push_fault(Fault {
        on: FaultOn::Get,
        action: FaultAction::Status {
            code: 503,
            body: String::new(),
            content_type: None,
        },
        times: 2,
    });
    assert_eq!(t.post(&add("A")).await.status(), StatusCode::OK);
    let statuses = [
        t.get("/api/v2/catalogs").await.status(),
        t.get("/api/v2/catalogs").await.status(),
        t.get("/api/v2/catalogs").await.status(),
    ];
    let unavailable = StatusCode::SERVICE_UNAVAILABLE;
    assert_eq!(statuses, [unavailable, unavailable, StatusCode::OK]);
}

#[tokio::test]
async fn a_delay_fault_holds_the_answer_then_processes_normally() {
    let t = TestAccount::start(quiet()).await;
    t.account
        .push_fault(Fault::once(FaultOn::Any, FaultAction::Delay { ms: 300 }));
    let started = Instant::now();
    let r = t.post(&add("A")).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(t.account.catalogs().len(), 1);
}

#[tokio::test]
async fn apply_then_drop_gives_the_client_a_connection_error_but_the_catalog_exists() {
    let t = TestAccount::start(quiet()).await;
    t.account
        .push_fault(Fault::once(FaultOn::Post, FaultAction::ApplyThenDrop));
    let err = t
        .try_post(&add("Applied"))
        .await
        .expect_err("no answer expected");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    let names: Vec<String> = t.account.catalogs().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Applied"]);
    let logged = t.account.requests();
    assert_eq!(
        logged.last().unwrap().status,
        0,
        "a dropped request logs status 0"
    );
    assert_eq!(t.get("/api/v2/catalogs").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_no_content_fault_applies_the_post_but_answers_204_with_an_empty_body() {
    let t = TestAccount::start(quiet()).await;
    t.account
        .push_fault(Fault::once(FaultOn::Post, FaultAction::NoContent));
    let r = t.post(&add("A")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.text().await.unwrap(), "");
    assert_eq!(t.account.catalogs().len(), 1);
}

#[tokio::test]
async fn cleared_faults_never_fire() {
    let t = TestAccount::start(quiet()).await;
    t.account
        .push_fault(Fault::once(FaultOn::Any, FaultAction::NoContent));
    t.account.clear_faults();
    assert_eq!(t.post(&add("A")).await.status(), StatusCode::OK);
}
