//! `plan --json` when an account's run fails: still the versioned document, the account an
//! object whose `error` is an object (`message`, `kind`, `status`), never a bare string or a
//! trace; its keys pinned like the others.

use std::process::Output;

use catalog_sync::amocrm::ApiError;
use catalog_sync::cli::json;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{TestApp, catalog_sync, spawn_app};
use crate::keys::{account, account_keys, expected};

#[test]
fn the_keys_of_a_failed_account_are_exactly_the_documented_ones() {
    let e = anyhow::Error::new(ApiError::Unauthorized {
        detail: "no".into(),
    })
    .context("plan");
    let document = json::accounts(vec![json::account_error(&account(), &e)]);

    let keys = account_keys(&document, &[]);

    let error = ["message", "kind", "status"];
    assert_eq!(
        keys,
        expected(&[("", &["account", "error"]), ("error", &error)])
    );
    let object = &document["accounts"][0]["error"];
    assert_eq!(
        (&object["kind"], &object["status"]),
        (&json!("unauthorized"), &json!(401))
    );
}

/// Every line of stdout, each a JSON object.
fn stdout_objects(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

/// A configuration for the one account at `base_url`, no retries, plus `extra` TOML.
fn config_at(app: &TestApp, base_url: &str, extra: &str) -> std::path::PathBuf {
    let path = app.dir.path().join("failing.toml");
    let text = format!(
        "[amocrm]\nbase_url = \"{base_url}\"\n[auth]\ntoken = \"any\"\n[database]\npath = \"{}\"\n\
         [http]\nmax_retries = 0\n{extra}",
        app.dir.path().join("catalog-sync.db").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// `plan --json` on one account: exit 1 and one document on stdout; its one account's error.
async fn failed_plan(config: &std::path::Path) -> (Value, Output) {
    let out = catalog_sync(config, &["plan", "--json"]).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let objects = stdout_objects(&out);
    assert_eq!(objects.len(), 1, "one document: {objects:?}");
    let document = &objects[0];
    assert_eq!(document["format_version"], 1, "{document}");
    let accounts = document["accounts"].as_array().expect("an accounts list");
    assert_eq!(accounts.len(), 1, "{document}");
    assert_eq!(accounts[0]["account"], "default", "{document}");
    assert!(accounts[0]["error"].is_object(), "{document}");
    (accounts[0]["error"].clone(), out)
}

#[tokio::test]
async fn a_401_to_the_plan_is_an_error_object_in_the_document() {
    let app = spawn_app().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/catalogs"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&app.server)
        .await;
    let config = config_at(&app, &app.server.uri(), "");

    let (error, out) = failed_plan(&config).await;

    assert_eq!(
        (&error["kind"], &error["status"]),
        (&json!("unauthorized"), &json!(401))
    );
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("401 Unauthorized"), "{message}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("catalog-sync: ") && stderr.contains("401"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_unreachable_account_is_an_error_object_and_every_line_is_json() {
    let app = spawn_app().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = config_at(&app, &base_url, "[log]\nformat = \"json\"\n");

    let (error, out) = failed_plan(&config).await;

    assert_eq!(
        (&error["kind"], &error["status"]),
        (&json!("unreachable"), &Value::Null)
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("could not reach amoCRM"),
        "{error}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines() {
        let event: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(event.is_object(), "{line}");
    }
    assert!(stderr.contains("\"level\":\"ERROR\""), "{stderr}");
}

#[tokio::test]
async fn status_json_on_one_unreadable_database_is_the_document_with_an_error_object() {
    let app = spawn_app().await;
    std::fs::write(app.dir.path().join("a-file"), "").unwrap();
    let path = app.dir.path().join("status.toml");
    let text = format!(
        "[amocrm]\nbase_url = \"{}\"\n[auth]\ntoken = \"any\"\n[database]\npath = \"{}\"\n",
        app.server.uri(),
        app.dir.path().join("a-file/x.db").display()
    );
    std::fs::write(&path, text).unwrap();

    let out = catalog_sync(&path, &["status", "--json"]).await;

    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let objects = stdout_objects(&out);
    assert_eq!(objects.len(), 1, "{objects:?}");
    let account = &objects[0]["accounts"][0];
    assert_eq!(objects[0]["format_version"], 1);
    assert_eq!(
        (&account["account"], &account["healthy"]),
        (&json!("default"), &json!(false))
    );
    let message = account["error"]["message"]
        .as_str()
        .expect("an error object");
    assert!(message.contains("database.path"), "{message}");
    assert!(account["error"]["kind"].is_string(), "{account}");
}
