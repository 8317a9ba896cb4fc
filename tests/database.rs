//! The database as a source of failure: a second process, a file that is not a database, rows
//! SQLite itself refuses.

mod helpers;

use helpers::{item, spawn_app};
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

use catalog_sync::store::{LockError, Store};

#[tokio::test]
async fn a_second_run_on_the_same_database_refuses_and_names_the_process_holding_it() {
    let app = spawn_app().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&app.server)
        .await;
    let held = app.store.lock_for_run().unwrap();

    let err = app.syncer().run_once("test").await.unwrap_err();

    let message = format!("{err:#}");
    let pid = format!("pid {}", std::process::id());
    assert!(
        message.contains("another catalog-sync is reconciling the database"),
        "{message}"
    );
    assert!(
        message.contains(&pid) && message.contains("catalog-sync.db"),
        "{message}"
    );
    assert!(matches!(
        err.downcast_ref::<LockError>(),
        Some(LockError::Held { .. })
    ));
    let (runs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sync_runs")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(runs, 0, "the refused run recorded nothing");
    drop(held);
}

#[tokio::test]
async fn the_lock_is_released_when_a_run_ends_so_the_next_one_goes_ahead() {
    let app = spawn_app().await;
    app.account_has(&[item(1, "Goods")], 2).await;
    let syncer = app.syncer();
    syncer.run_once("test").await.unwrap();
    syncer.run_once("test").await.unwrap();
    drop(app.store.lock_for_run().expect("free after the runs"));
}

#[tokio::test]
async fn the_binary_refuses_a_concurrent_reconcile_and_exits_1() {
    let app = spawn_app().await;
    let db = app.dir.path().join("catalog-sync.db");
    let config = app.dir.path().join("config.toml");
    let toml = format!(
        "[amocrm]\nbase_url = \"{}\"\n[auth]\ntoken = \"t\"\n[database]\npath = \"{}\"\n",
        app.server.uri(),
        db.display()
    );
    std::fs::write(&config, toml).unwrap();
    let _held = app.store.lock_for_run().unwrap();

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .args(["--once", "--config"])
        .arg(&config)
        .output()
        .await
        .unwrap();

    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).unwrap();

    let err = Store::open(&path).await.unwrap_err();

    let message = format!("{err:#}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("not a database"), "{message}");
}

#[tokio::test]
async fn two_rows_claiming_the_same_remote_id_are_refused_by_sqlite_at_insert() {
    let app = spawn_app().await;
    app.sql("INSERT INTO desired_catalogs (name, remote_id) VALUES ('A', 7)")
        .await;

    let err = sqlx::query("INSERT INTO desired_catalogs (name, remote_id) VALUES ('B', 7)")
        .execute(app.store.pool())
        .await
        .unwrap_err();

    assert!(
        err.to_string()
            .contains("UNIQUE constraint failed: desired_catalogs.remote_id"),
        "{err}"
    );
}

#[tokio::test]
async fn a_remote_id_the_account_does_not_have_is_reported_and_skipped_and_the_row_kept() {
    let app = spawn_app().await;
    app.account_has(&[item(1, "Goods")], 1).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&app.server)
        .await;
    app.sql("INSERT INTO desired_catalogs (name, remote_id) VALUES ('Ghost', 99)")
        .await;

    let report = app.run().await;

    assert_eq!(report.outcome.exit_code(), 4);
    assert_eq!(report.counts.catalogs.invalid, 1);
    assert!(
        report.plan.invalid[0]
            .to_string()
            .contains("remote_id 99 is not in the account")
    );
    assert_eq!(
        app.desired().await,
        vec![(Some(99), "Ghost".into()), (Some(1), "Goods".into())]
    );
}
