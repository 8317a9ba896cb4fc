//! `catalog-sync demo` tells its story offline and exits 0, and never clobbers a real database.

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
            "the POST body",
            "Done: the account and desired_catalogs agree",
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
