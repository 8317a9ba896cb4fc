//! The binary: exit codes and what it prints, against a wiremock account.

mod helpers;

use helpers::{TOKEN, catalog_sync, item, spawn_app};
use serde_json::json;

#[tokio::test]
async fn plan_with_detailed_exitcode_exits_2_with_pending_edits_and_0_in_sync_without_a_post() {
    let app = spawn_app().await;
    let cfg = app.token_config("");
    app.account_has(&[item(1, "Goods")], 2).await;
    app.post_answers(json!({}), 0).await;
    assert_eq!(catalog_sync(&cfg, &["--once"]).await.status.code(), Some(0));

    let in_sync = catalog_sync(&cfg, &["plan", "--detailed-exitcode"]).await;
    assert_eq!(in_sync.status.code(), Some(0), "{in_sync:?}");
    assert!(String::from_utf8_lossy(&in_sync.stdout).contains("In sync"));
    app.next_act().await;

    app.sql("UPDATE desired_catalogs SET name = 'Wares'").await;
    app.account_has(&[item(1, "Goods")], 2).await;
    app.post_answers(json!({}), 0).await;
    let pending = catalog_sync(&cfg, &["plan", "--detailed-exitcode"]).await;
    assert_eq!(pending.status.code(), Some(2), "{pending:?}");
    let text = String::from_utf8_lossy(&pending.stdout);
    assert!(text.contains("update") && text.contains("Wares"), "{text}");

    let as_json = catalog_sync(&cfg, &["plan", "--json"]).await;
    assert_eq!(as_json.status.code(), Some(0));
    let parsed: serde_json::Value = serde_json::from_slice(&as_json.stdout).unwrap();
    assert_eq!(parsed["format_version"], json!(1));
    let plan = &parsed["accounts"][0];
    assert_eq!(plan["account"], json!("default"));
    assert_eq!(plan["has_changes"], json!(true));
    assert_eq!(plan["requests"], json!({"get": 1, "post": 1}));
    assert_eq!(
        app.desired().await,
        vec![(Some(1), "Wares".into())],
        "plan changes no desired row"
    );
}

#[tokio::test]
async fn once_exits_3_when_the_delete_guard_trips() {
    let app = spawn_app().await;
    let cfg = app.token_config("[sync]\nmax_deletes = 0\n");
    app.account_has(&[item(1, "Goods")], 2).await;
    app.post_answers(json!({}), 0).await;
    assert_eq!(catalog_sync(&cfg, &["--once"]).await.status.code(), Some(0));
    app.sql("DELETE FROM desired_catalogs").await;

    let out = catalog_sync(&cfg, &["run", "--once"]).await;

    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("delete guard"));
}

#[tokio::test]
async fn a_bad_setting_stops_the_program_with_a_message_naming_the_key() {
    let app = spawn_app().await;
    let cfg = app.token_config("[sync]\nbatch_size = 0\n");
    let out = catalog_sync(&cfg, &["--once"]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sync.batch_size"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
}

#[tokio::test]
async fn status_shows_the_last_runs_and_the_outbox() {
    let app = spawn_app().await;
    let cfg = app.token_config("");
    app.account_has(&[item(1, "Goods")], 1).await;
    assert_eq!(catalog_sync(&cfg, &["--once"]).await.status.code(), Some(0));

    let out = catalog_sync(&cfg, &["status", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all["format_version"], json!(1));
    let status = &all["accounts"][0];
    assert_eq!(status["account"], json!("default"));
    assert_eq!(status["runs"][0]["outcome"], json!("ok"));
    assert_eq!(status["runs"][0]["pulled"], json!(1));
    assert!(
        status["runs"][0]["duration_seconds"].is_number(),
        "{status}"
    );
    assert!(status["last_success"].is_string());
    assert_eq!(status["auth"]["method"], json!("token"));
    assert_eq!(status["auth"]["ready"], json!(true));
    assert_eq!(status["healthy"], json!(true));
    assert_eq!(status["health"]["schedule_interval_seconds"], json!(300));
    let text = catalog_sync(&cfg, &["status"]).await;
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Health:         ok") && text.contains("duration"),
        "{text}"
    );
}

#[tokio::test]
async fn status_exits_1_as_a_health_check_when_no_run_succeeded_recently() {
    let app = spawn_app().await;
    let cfg = app.token_config("");
    let never = catalog_sync(&cfg, &["status", "--json"]).await;
    assert_eq!(never.status.code(), Some(1), "{never:?}");
    let all: serde_json::Value = serde_json::from_slice(&never.stdout).unwrap();
    let status = &all["accounts"][0];
    assert_eq!(status["healthy"], json!(false));
    assert_eq!(
        status["health"]["problems"][0],
        json!("no run has succeeded yet")
    );

    app.account_has(&[item(1, "Goods")], 1).await;
    assert_eq!(catalog_sync(&cfg, &["--once"]).await.status.code(), Some(0));
    app.sql("UPDATE sync_runs SET finished_at = '2020-01-01T00:00:00.000Z'")
        .await;
    let stale = catalog_sync(&cfg, &["status"]).await;
    assert_eq!(stale.status.code(), Some(1), "{stale:?}");
    let text = String::from_utf8_lossy(&stale.stdout);
    assert!(
        text.contains("UNHEALTHY: the last successful run was"),
        "{text}"
    );
}

#[tokio::test]
async fn a_bad_schedule_stops_the_daemon_at_start_showing_the_expression() {
    let app = spawn_app().await;
    let cfg = app.token_config("[sync]\nschedule = \"*/5 * * *\"\n");
    let out = catalog_sync(&cfg, &["run"]).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sync.schedule") && err.contains("\"*/5 * * *\""),
        "{err}"
    );
    assert!(err.contains("has 4 fields"), "{err}");
}
