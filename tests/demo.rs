//! `catalog-sync demo` tells its story offline and never clobbers a real database;
//! `catalog-sync sandbox` serves the example account until it is stopped.

use std::process::Output;

async fn demo(database: &std::path::Path) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .args(["demo", "--database"])
        .arg(database)
        .env_remove("RUST_LOG")
        .env_remove("CATALOG_SYNC_CONFIG")
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_demo_tells_the_whole_story_and_can_run_again_on_its_own_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog-sync.db");
    for _ in 0..2 {
        let out = demo(&db).await;
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for step in [
            "== 1.",
            "== 2.",
            "== 3.",
            "== 4.",
            "== 5.",
            "== 6.",
            "== 7.",
            "the POST body",
            "the PATCH body",
            "catalog_7001",
            "Done: the account, desired_catalogs and desired_elements agree",
        ] {
            assert!(text.contains(step), "missing {step:?} in:\n{text}");
        }
        assert!(
            text.contains(&db.display().to_string()),
            "prints where the database is"
        );
    }
}

#[tokio::test]
async fn the_demo_refuses_a_database_that_is_not_a_previous_demos() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("precious.db");
    std::fs::write(&db, "not a database").unwrap();
    let out = demo(&db).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a previous demo's database"));
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        "not a database",
        "left untouched"
    );
}

#[tokio::test]
async fn the_sandbox_command_serves_the_seeded_account_until_it_is_stopped() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .args(["sandbox", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines
        .next_line()
        .await
        .unwrap()
        .expect("the sandbox prints its address");
    let url = first.rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");

    let _ = rustls::crypto::ring::default_provider().install_default();
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/api/v2/catalogs"))
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = body["_embedded"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Товары", "Услуги", "Склады"]);

    let pid = child.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("the sandbox stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
}
