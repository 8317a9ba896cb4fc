//! Whole-request failures at the level of a run: each fails the run with a message that says
//! what to do, is not retried where retrying cannot help, and loses nothing.

mod helpers;

use helpers::{item, list, spawn_app};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

use catalog_sync::sync::{Outcome, RunReport};

/// A pending local add, an account answering every GET with `answer` exactly `gets` times,
/// and a POST that must never be sent. Runs once and returns the report.
async fn run_against(answer: ResponseTemplate, gets: u64) -> (helpers::TestApp, RunReport) {
    let app = spawn_app().await;
    app.sql("INSERT INTO desired_catalogs (name) VALUES ('Keep me')")
        .await;
    Mock::given(method("GET"))
        .respond_with(answer)
        .expect(gets)
        .mount(&app.server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&app.server)
        .await;
    let report = app.run().await;
    (app, report)
}

/// The run failed with a message containing every one of `words`, recorded in `sync_runs`, and
/// the desired row is untouched.
async fn failed_saying(app: &helpers::TestApp, report: &RunReport, words: &[&str]) {
    assert_eq!(report.outcome, Outcome::Failed);
    let error = report.error.clone().unwrap();
    for word in words {
        assert!(error.contains(word), "{word:?} not in {error}");
    }
    let stored = app.store.run(report.run_id).await.unwrap();
    assert_eq!(stored.error.as_deref(), Some(error.as_str()));
    assert_eq!(app.desired().await, vec![(None, "Keep me".into())]);
    app.server.verify().await;
}

#[tokio::test]
async fn a_401_names_the_auth_method_and_what_to_fix_and_is_not_retried() {
    let body = json!({"response": {"error": "Неверный логин или пароль", "error_code": "110"}});
    let (app, report) = run_against(ResponseTemplate::new(401).set_body_json(body), 1).await;
    failed_saying(
        &app,
        &report,
        &["401", "auth.method = token", "check auth.token"],
    )
    .await;
}

#[tokio::test]
async fn a_402_says_lists_are_not_available_and_is_not_retried() {
    let body = json!({"response": {"error": "Payment required", "error_code": "402"}});
    let (app, report) = run_against(ResponseTemplate::new(402).set_body_json(body), 1).await;
    failed_saying(
        &app,
        &report,
        &[
            "402",
            "lists are not available on this account or to this user",
        ],
    )
    .await;
}

#[tokio::test]
async fn error_code_244_inside_a_200_says_lists_are_not_available_and_is_not_retried() {
    let body = json!({"response": {"error": "Нет прав", "error_code": "244"}});
    let (app, report) = run_against(ResponseTemplate::new(200).set_body_json(body), 1).await;
    failed_saying(
        &app,
        &report,
        &["lists are not available on this account or to this user"],
    )
    .await;
}

#[tokio::test]
async fn a_5xx_on_the_get_is_retried_then_the_run_fails_saying_it_is_temporary() {
    let html = ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>");
    let (app, report) = run_against(html, 3).await;
    failed_saying(
        &app,
        &report,
        &["502 Bad Gateway", "the next run will try again"],
    )
    .await;
}

#[tokio::test]
async fn a_malformed_body_fails_the_run_and_loses_nothing() {
    let cases: [(&str, Vec<u8>); 3] = [
        (
            "malformed",
            b"{\"_embedded\": {\"items\": [{\"id\": 1,, }]}}".to_vec(),
        ),
        (
            "truncated",
            b"{\"_embedded\": {\"items\": [{\"id\": 1, \"name\": \"Goo".to_vec(),
        ),
        (
            "not UTF-8",
            b"{\"_embedded\": {\"items\": [{\"id\": 1, \"name\": \"\xff\xfe\"}]}}".to_vec(),
        ),
    ];
    for (what, body) in cases {
        let answer = ResponseTemplate::new(200).set_body_raw(body, "application/hal+json");
        let (app, report) = run_against(answer, 1).await;
        assert!(report.error.as_deref().is_some(), "{what}");
        failed_saying(
            &app,
            &report,
            &["amoCRM sent a response catalog-sync cannot read"],
        )
        .await;
    }
}

#[tokio::test]
async fn a_body_over_4_mib_is_refused_without_reading_it_all() {
    let padding = " ".repeat(5 * 1024 * 1024);
    let huge = format!("{}{padding}", list(&[item(1, "Goods")]));
    let answer = ResponseTemplate::new(200).set_body_raw(huge, "application/hal+json");
    let (app, report) = run_against(answer, 1).await;
    failed_saying(
        &app,
        &report,
        &["cannot read", "more than the 4194304 accepted"],
    )
    .await;
}

#[tokio::test]
async fn a_malformed_answer_to_a_post_leaves_the_add_in_doubt_and_one_get_settles_it() {
    let app = spawn_app().await;
    app.sql("INSERT INTO desired_catalogs (name) VALUES ('New')")
        .await;
    app.account_has(&[], 2).await; // the pull, and the GET that settles the unknown outcome
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("{\"_embedded\": {\"ite", "application/json"),
        )
        .expect(1)
        .mount(&app.server)
        .await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Failed);
    let settled = app
        .query("SELECT id, error FROM outbox WHERE state = 'failed'")
        .await;
    assert!(
        settled[0].1.contains("checked after an unknown outcome"),
        "{settled:?}"
    );
    app.next_act().await;

    // The settling GET of that run found nothing: the add did not happen, and is sent again.
    app.account_has(&[], 1).await;
    app.post_answers(
        json!({"_embedded": {"items": [{"id": 77, "request_id": 2}]}}),
        1,
    )
    .await;
    assert_eq!(app.run().await.outcome, Outcome::Ok);
    assert_eq!(app.desired().await, vec![(Some(77), "New".into())]);
    let states = app.query("SELECT id, state FROM outbox ORDER BY id").await;
    assert_eq!(
        states,
        vec![(Some(1), "failed".into()), (Some(2), "done".into())]
    );
}

#[tokio::test]
async fn the_binary_logs_a_401_with_what_to_fix_and_exits_1() {
    let app = spawn_app().await;
    let config = app.dir.path().join("config.toml");
    let db = app.dir.path().join("catalog-sync.db");
    let toml = format!(
        "[amocrm]\nbase_url = \"{}\"\n[auth]\ntoken = \"{}\"\n[database]\npath = \"{}\"\n",
        app.server.uri(),
        helpers::TOKEN,
        db.display()
    );
    std::fs::write(&config, toml).unwrap();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&app.server)
        .await;

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .args(["--once", "--config"])
        .arg(&config)
        .env_remove("RUST_LOG")
        .output()
        .await
        .unwrap();

    assert_eq!(out.status.code(), Some(1));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("401 Unauthorized") && log.contains("auth.method = token"),
        "{log}"
    );
    assert!(!log.contains(helpers::TOKEN), "the token never shows");
}
