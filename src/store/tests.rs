//! Every statement of the store, exercised on a freshly migrated database.

use serde_json::json;

use super::*;
use crate::catalog::{Field, Fields, RemoteCatalog, Value};
use crate::plan::{Adopt, BaseAfter};

async fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sync.db")).await.unwrap();
    (dir, store)
}

async fn insert(store: &Store, name: &str, remote_id: Option<i64>) -> i64 {
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO desired_catalogs (name, remote_id) VALUES (?, ?) RETURNING id")
            .bind(name)
            .bind(remote_id)
            .fetch_one(store.pool())
            .await
            .unwrap();
    id
}

#[tokio::test]
async fn a_new_database_is_private_and_in_wal_mode() {
    let (dir, store) = fresh().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("sync.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (journal,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(journal, "wal");
}

#[tokio::test]
async fn opening_twice_applies_the_migrations_once() {
    let (dir, store) = fresh().await;
    store.close().await;
    let again = Store::open(&dir.path().join("sync.db")).await.unwrap();
    assert!(again.desired().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "these are my notes, not a database ".repeat(200)).unwrap();
    let err = format!("{:#}", Store::open(&path).await.unwrap_err());
    assert!(err.contains("notes.db"), "{err}");
    assert!(err.contains("not a database"), "{err}");
}

#[tokio::test]
async fn a_persons_edit_bumps_the_revision_through_the_trigger() {
    let (_dir, store) = fresh().await;
    let id = insert(&store, "Goods", None).await;
    sqlx::query("UPDATE desired_catalogs SET name = 'Wares' WHERE id = ?")
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
    let row = &store.desired().await.unwrap()[0];
    assert_eq!((row.fields.name.as_str(), row.revision), ("Wares", 1));
    assert_eq!(
        row.fields.kind.as_deref(),
        Some("regular"),
        "type defaults to regular"
    );
}

/// A run, a desired row "Goods" linked to catalog 100 at revision 0, and the adoption of a
/// remote rename of that catalog to "Remote".
async fn a_remote_rename_to_adopt() -> (tempfile::TempDir, Store, i64, i64, Adopt) {
    let (dir, store) = fresh().await;
    let run = store.start_run("test").await.unwrap();
    let id = insert(&store, "Goods", Some(100)).await;
    let adopt = Adopt::Update {
        desired_id: id,
        revision: 0,
        changes: vec![(Field::Name, Some(Value::Text("Remote".into())))],
    };
    (dir, store, run, id, adopt)
}

#[tokio::test]
async fn an_adoption_never_overwrites_an_edit_made_after_the_merge_read_the_row() {
    let (_dir, store, run, id, adopt) = a_remote_rename_to_adopt().await;
    sqlx::query("UPDATE desired_catalogs SET name = 'Mine' WHERE id = ?")
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
    let base = BaseAfter::Set(Fields::named("Remote"));
    assert!(
        !store
            .adopt(run, &(), Some(100), &adopt, Some(&base))
            .await
            .unwrap()
    );
    assert_eq!(store.desired().await.unwrap()[0].fields.name, "Mine");
    assert!(
        store.base().await.unwrap().is_empty(),
        "the base does not move either"
    );
}

#[tokio::test]
async fn an_adoption_writes_the_row_the_change_log_and_the_base_together() {
    let (_dir, store, run, _id, adopt) = a_remote_rename_to_adopt().await;
    let base = BaseAfter::Set(Fields::named("Remote"));
    assert!(
        store
            .adopt(run, &(), Some(100), &adopt, Some(&base))
            .await
            .unwrap()
    );
    assert_eq!(store.desired().await.unwrap()[0].fields.name, "Remote");
    assert_eq!(store.base().await.unwrap()[0].fields.name, "Remote");
    let (before, after): (String, String) =
        sqlx::query_as("SELECT before_json, after_json FROM change_log")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert!(
        before.contains("Goods") && after.contains("Remote"),
        "{before} {after}"
    );
}

#[tokio::test]
async fn an_adopted_insert_yields_to_a_row_a_person_inserted_for_the_same_catalog() {
    let (_dir, store) = fresh().await;
    let run = store.start_run("test").await.unwrap();
    insert(&store, "Mine", Some(100)).await;
    let adopt = Adopt::Insert {
        remote_id: 100,
        fields: Fields::named("Theirs"),
    };
    assert!(
        !store
            .adopt(run, &(), Some(100), &adopt, None)
            .await
            .unwrap()
    );
    assert_eq!(store.desired().await.unwrap()[0].fields.name, "Mine");
}

#[tokio::test]
async fn an_add_gets_its_outbox_id_as_request_id_and_its_confirmation_links_the_row() {
    let (_dir, store) = fresh().await;
    let run = store.start_run("test").await.unwrap();
    let id = insert(&store, "New", None).await;
    let op = NewOp {
        entity: "catalog",
        catalog_remote_id: None,
        op: "add",
        desired_id: Some(id),
        remote_id: None,
        payload: json!({"name": "New", "request_id": 0}),
        intent: Some(json!({"name": "New"})),
    };
    let v4 = NewOp {
        entity: "element",
        catalog_remote_id: Some(7001),
        payload: json!({"name": "New", "request_id": "0"}),
        ..op.clone()
    };
    let rows = store.enqueue(run, &[op, v4]).await.unwrap();
    assert_eq!(rows[0].request_id, Some(rows[0].id));
    assert_eq!(rows[0].payload["request_id"], json!(rows[0].id));
    assert_eq!(
        rows[1].payload["request_id"],
        json!(rows[1].id.to_string()),
        "a string placeholder gets the id as a string"
    );
    assert_eq!(rows[1].entity, "element");
    assert_eq!(rows[1].catalog_remote_id, Some(7001));
    assert_eq!(rows[0].intent, Some(json!({"name": "New"})));
    assert_eq!(rows[0].state, OutboxState::Pending);
    store.mark_sending(&[rows[0].id]).await.unwrap();
    assert_eq!(
        store.unfinished("catalog", None).await.unwrap()[0].state,
        OutboxState::Sending
    );
    store
        .confirm(
            &(),
            &rows[0],
            Some(4242),
            None,
            &BaseAfter::Set(Fields::named("New")),
        )
        .await
        .unwrap();
    assert!(store.unfinished("catalog", None).await.unwrap().is_empty());
    assert_eq!(
        store.unfinished("element", Some(7001)).await.unwrap().len(),
        1
    );
    assert_eq!(store.desired().await.unwrap()[0].remote_id, Some(4242));
    assert_eq!(store.base().await.unwrap()[0].remote_id, 4242);
}

#[tokio::test]
async fn a_pull_replaces_the_mirror() {
    let (_dir, store) = fresh().await;
    let catalog = |id: i64| RemoteCatalog {
        id,
        fields: Fields::named("x"),
        created_by: Some(1),
        created_at: Some(1_700_000_000),
        updated_at: None,
        raw_json: "{\"id\":1}".into(),
    };
    store.save_pull(&[catalog(1), catalog(2)]).await.unwrap();
    store.save_pull(&[catalog(3)]).await.unwrap();
    let ids: Vec<_> = store
        .remote()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, vec![3]);
}

#[tokio::test]
async fn runs_are_recorded_and_summarised_for_status() {
    let (_dir, store) = fresh().await;
    let run = store.start_run("once").await.unwrap();
    let counts = RunCounts {
        catalogs: Counts {
            pulled: 2,
            ..Counts::default()
        },
        elements: Counts {
            pulled: 10_000,
            added: 3,
            invalid: 1,
            ..Counts::default()
        },
        http_requests: 1,
    };
    store.finish_run(run, "ok", &counts, None).await.unwrap();
    let status = store.status(5).await.unwrap();
    assert_eq!(status.runs[0].counts, counts);
    assert_eq!(status.runs[0].outcome.as_deref(), Some("ok"));
    assert!(status.last_success.is_some());
}

#[tokio::test]
async fn two_processes_opening_a_new_database_at_once_both_succeed() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let (a, b) = tokio::join!(Store::open(&path), Store::open(&path));
        a.unwrap();
        b.unwrap();
    }
}
