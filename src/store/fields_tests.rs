//! A field deleted in amoCRM, as a fresh field list saves it.

use std::collections::BTreeSet;

use super::*;
use crate::element::FieldDef;

#[tokio::test]
async fn a_field_the_list_no_longer_has_leaves_the_rows_and_its_held_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sync.db")).await.unwrap();
    let (price, colour) = (
        FieldDef::new(1, 7001, "Цена", "price"),
        FieldDef::new(2, 7001, "Цвет", "text"),
    );
    store
        .save_fields(7001, &[price.clone(), colour], &BTreeSet::new())
        .await
        .unwrap();
    sqlx::raw_sql(
        r#"INSERT INTO desired_catalogs (id, name, remote_id) VALUES (1, 'Товары', 7001);
           INSERT INTO desired_elements (id, desired_catalog_id, remote_id, name, fields)
                VALUES (1, 1, 501, 'Чайник', '{"1": 10, "2": "белый"}'),
                       (2, 1, 502, 'Кружка', '{"1": 20}');
           INSERT INTO synced_elements VALUES (501, 7001, 'Чайник', '{"1": 10, "2": "белый"}', 'x');
           INSERT INTO remote_elements (id, catalog_remote_id, name, fields, raw_json, raw_digest, pulled_at)
                VALUES (501, 7001, 'Чайник', '{"1": 10, "2": "белый"}', '{}', 0, 'x');
           INSERT INTO sync_runs (id, started_at, trigger) VALUES (1, 'x', 'test');
           INSERT INTO conflicts (run_id, remote_id, desired_id, field, detected_at, desired_revision, entity, catalog_remote_id)
                VALUES (1, 501, 1, '2', 'x', 0, 'element', 7001),
                       (1, 501, 1, '1', 'x', 0, 'element', 7001);"#,
    )
    .execute(store.pool())
    .await
    .unwrap();
    store
        .save_fields(7001, &[price], &BTreeSet::from([2]))
        .await
        .unwrap();
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT fields, revision FROM desired_elements ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![(r#"{"1":10}"#.into(), 1), (r#"{"1": 20}"#.into(), 0)]
    );
    for table in ["synced_elements", "remote_elements"] {
        let (fields,): (String,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT fields FROM {table}")))
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(fields, r#"{"1":10}"#, "{table}");
    }
    let conflicts: Vec<(String, Option<String>, i64)> =
        sqlx::query_as("SELECT field, resolution, desired_revision FROM conflicts ORDER BY field")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        conflicts,
        vec![
            ("1".into(), None, 1),
            ("2".into(), Some("remote".into()), 0)
        ],
        "the other field's conflict is still held, and the row's new revision is no person's edit"
    );
}
