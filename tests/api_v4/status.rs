//! The binary: the switch's log line, and `status` for each `amocrm.api`.

use std::path::PathBuf;

use serde_json::Value;

use super::helpers::{TOKEN, TestApp, catalog_sync, spawn_app};
use super::{V2, V4, one_page};

const SWITCHED: &str = "catalogs go through API v4 from now on";

/// A config file for `app` with `amocrm.api = api`.
fn config(app: &TestApp, api: &str) -> PathBuf {
    let path = app.dir.path().join("config.toml");
    let text = format!(
        "[amocrm]\nbase_url = \"{}\"\napi = \"{api}\"\n[auth]\ntoken = \"{TOKEN}\"\n\
         [database]\npath = \"{}\"\n",
        app.server.uri(),
        app.dir.path().join("catalog-sync.db").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn the_switch_is_logged_once_across_the_run_that_made_it_and_the_next() {
    let app = spawn_app().await;
    let config = config(&app, "auto");
    app.answer("GET", V2, 404, None, 1).await;
    app.answer("GET", V4, 200, Some(one_page()), 2).await;
    let mut logged = 0;
    for _ in 0..2 {
        let out = catalog_sync(&config, &["--once"]).await;
        let log = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{log}");
        logged += log.matches(SWITCHED).count();
    }
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn status_shows_v4_when_configured_so_and_v2_under_auto_before_any_switch() {
    let app = spawn_app().await;
    for (api, line, catalogs) in [
        ("v4", "API:            v4 (amocrm.api = v4)", "v4"),
        ("auto", "API:            v2 (amocrm.api = auto)", "v2"),
    ] {
        let config = config(&app, api);
        let text = catalog_sync(&config, &["status"]).await;
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains(line), "{api}: {text}");
        let json = catalog_sync(&config, &["status", "--json"]).await;
        let parsed: Value = serde_json::from_slice(&json.stdout).unwrap();
        let shown = &parsed["accounts"][0]["api"];
        assert_eq!(
            (
                shown["configured"].as_str(),
                shown["catalogs"].as_str(),
                shown["switch"].is_null()
            ),
            (Some(api), Some(catalogs), true),
            "{shown}"
        );
    }
}
