//! With `log.format = json` every line the program writes, on stdout and stderr, is one JSON
//! object: the run summary of `--once`, `plan`, `status`, `auth`, and errors.

use std::process::Output;

use serde_json::{Value, json};

use crate::helpers::{catalog_sync, item, spawn_app};

/// Every line of both streams parsed; panics naming the first that is not a JSON object.
fn objects(out: &Output) -> (Vec<Value>, Vec<Value>) {
    let parse = |bytes: &[u8], stream: &str| -> Vec<Value> {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("{stream}: not JSON ({e}): {line}"));
                assert!(v.is_object(), "{stream}: not an object: {line}");
                v
            })
            .collect()
    };
    (parse(&out.stdout, "stdout"), parse(&out.stderr, "stderr"))
}

#[tokio::test]
async fn every_line_of_once_plan_status_auth_and_errors_is_one_json_object() {
    let app = spawn_app().await;
    let cfg = app.token_config("[log]\nformat = \"json\"\nlevel = \"debug\"\n");
    app.account_has(&[item(1, "Goods")], 3).await;

    let once = catalog_sync(&cfg, &["--once"]).await;
    let (stdout, stderr) = objects(&once);
    assert_eq!(once.status.code(), Some(0), "{stderr:?}");
    assert_eq!(stdout.len(), 1, "one summary: {stdout:?}");
    let summary = &stdout[0];
    assert_eq!(
        (
            &summary["format_version"],
            &summary["account"],
            &summary["outcome"]
        ),
        (&json!(1), &json!("default"), &json!("ok"))
    );
    assert_eq!(summary["counts"]["pulled"], 1);
    assert_eq!(summary["exit_code"], 0);
    assert!(
        stderr.iter().any(|e| e["message"] == "run finished"),
        "{stderr:?}"
    );

    for args in [
        &["plan"][..],
        &["plan", "--json"],
        &["status"],
        &["status", "--json"],
    ] {
        let out = catalog_sync(&cfg, args).await;
        let (stdout, _) = objects(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_eq!(stdout.len(), 1, "{args:?}: {stdout:?}");
        assert_eq!(stdout[0]["format_version"], 1, "{args:?}");
        assert_eq!(stdout[0]["accounts"][0]["account"], "default", "{args:?}");
    }
    let auth = catalog_sync(&cfg, &["auth", "status"]).await;
    let (stdout, _) = objects(&auth);
    assert_eq!(
        stdout,
        [json!({"method": "token", "ready": true,
        "summary": stdout[0]["summary"]})]
    );

    let unknown = catalog_sync(&cfg, &["--once", "--account", "nope"]).await;
    let (stdout, stderr) = objects(&unknown);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stdout.is_empty(), "{stdout:?}");
    let error = stderr
        .iter()
        .find(|e| e["level"] == "ERROR")
        .expect("an error line");
    assert!(
        error["error"].as_str().unwrap().contains("\"nope\""),
        "{error}"
    );
}
