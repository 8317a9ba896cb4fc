//! The views themselves: column names, re-creation when the fields change, idempotence,
//! dropping and listing.

use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

use catalog_sync::element::FieldDef;

use crate::{columns_of, element, exec, field, goods, goods_fields, select, stored};

#[tokio::test]
async fn a_shared_field_name_and_a_field_named_name_get_their_field_id_appended() {
    let (_dir, store) = goods().await;
    let fields = [
        field(1, "Цена", "price", 1),
        field(2, "Цена", "numeric", 2),
        field(3, "Name", "text", 3),
    ];
    store.ensure_view(7001, &fields).await.unwrap();
    let id = element(
        &store,
        "Чайник",
        json!({"1": 10, "2": 20, "3": "другое имя"}),
    )
    .await;

    exec(
        &store,
        "UPDATE catalog_7001 SET \"Цена #2\" = 25, \"Name #3\" = 'третье'",
    )
    .await;

    let columns = columns_of(&store, "catalog_7001").await;
    assert_eq!(
        columns,
        ["id", "remote_id", "name", "Цена #1", "Цена #2", "Name #3"]
    );
    let fields = json!({"1": 10, "2": 25, "3": "третье"});
    assert_eq!(stored(&store, id).await, ("Чайник".into(), fields, 1));
}

#[tokio::test]
async fn a_field_name_with_quotes_brackets_and_spaces_is_a_usable_column() {
    let (_dir, store) = goods().await;
    let nasty = [
        r#"Say "hi""#,
        "it's ]here[",
        "\"); DROP TABLE desired_elements; --",
        "`тик` $1 ?2 :x @y",
        "  ",
    ];
    let fields: Vec<FieldDef> = nasty
        .iter()
        .zip(1..)
        .map(|(name, id)| field(id, name, "text", id))
        .collect();
    store.ensure_view(7001, &fields).await.unwrap();

    exec(
        &store,
        "INSERT INTO catalog_7001 (name, \"Say \"\"hi\"\"\", \"it's ]here[\", \
         \"\"\"); DROP TABLE desired_elements; --\", \"`тик` $1 ?2 :x @y\", \"  \") \
         VALUES ('x', 'a', 'b', 'c', 'd', 'e')",
    )
    .await;

    let mut expected = vec!["id", "remote_id", "name"];
    expected.extend(nasty);
    assert_eq!(columns_of(&store, "catalog_7001").await, expected);
    let rows = select(&store, "SELECT * FROM catalog_7001").await;
    assert_eq!(
        rows[0][3..],
        [json!("a"), json!("b"), json!("c"), json!("d"), json!("e")]
    );
}

#[tokio::test]
async fn the_view_follows_added_renamed_removed_and_retyped_fields_and_keeps_the_rows() {
    let (_dir, store) = goods().await;
    let id = element(&store, "Чайник", json!({"1": 990, "2": "KT-1", "3": "1"})).await;
    let before = [
        field(1, "Цена", "price", 1),
        field(2, "Артикул", "text", 2),
        field(3, "Флаг", "text", 3),
    ];
    store.ensure_view(7001, &before).await.unwrap();

    let after = [
        field(1, "Цена, ₽", "price", 1),
        field(3, "Флаг", "checkbox", 3),
        field(4, "Вес", "numeric", 4),
    ];
    store.ensure_view(7001, &after).await.unwrap();
    exec(
        &store,
        "UPDATE catalog_7001 SET \"Флаг\" = 0, \"Вес\" = 1.5",
    )
    .await;

    let columns = columns_of(&store, "catalog_7001").await;
    assert_eq!(
        columns,
        ["id", "remote_id", "name", "Цена, ₽", "Флаг", "Вес"]
    );
    let rows = select(&store, "SELECT * FROM catalog_7001").await;
    assert_eq!(
        rows,
        [vec![
            json!(id),
            Value::Null,
            json!("Чайник"),
            json!(990),
            json!(0),
            json!(1.5)
        ]]
    );
    let fields = json!({"1": 990, "2": "KT-1", "3": false, "4": 1.5});
    assert_eq!(stored(&store, id).await.1, fields);
}

#[tokio::test]
async fn ensuring_an_unchanged_view_again_changes_nothing_in_the_schema() {
    let (_dir, store) = goods().await;
    let schema =
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'catalog_7001' ORDER BY name";
    let (version_before,): (i64,) = sqlx::query_as("PRAGMA schema_version")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let before = select(&store, schema).await;

    store
        .ensure_view(7001, &store.fields(7001).await.unwrap())
        .await
        .unwrap();

    let (version_after,): (i64,) = sqlx::query_as("PRAGMA schema_version")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(version_after, version_before);
    assert_eq!(select(&store, schema).await, before);
    assert_eq!(
        before.len(),
        4,
        "the view and its three triggers: {before:?}"
    );
}

#[tokio::test]
async fn a_view_altered_by_hand_is_put_back() {
    let (_dir, store) = goods().await;
    exec(&store, "DROP TRIGGER catalog_7001_delete").await;
    let id = element(&store, "Чайник", json!({})).await;

    store.ensure_view(7001, &goods_fields()).await.unwrap();

    // A new connection, as a person's next `sqlite3`: the one that dropped the trigger keeps its
    // own copy of the schema until it next reads the database.
    let url = format!("sqlite://{}", store.path().display());
    let mut person = SqliteConnection::connect(&url).await.unwrap();
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM catalog_7001 WHERE id = {id}"
    )))
    .execute(&mut person)
    .await
    .unwrap();
    assert_eq!(
        select(&store, "SELECT COUNT(*) FROM desired_elements").await,
        [vec![json!(0)]]
    );
}

#[tokio::test]
async fn dropping_a_view_removes_it_and_its_triggers_and_keeps_the_elements() {
    let (_dir, store) = goods().await;
    element(&store, "Чайник", json!({})).await;

    store.drop_view(7001).await.unwrap();
    store.drop_view(7001).await.unwrap();

    let left = select(
        &store,
        "SELECT name FROM sqlite_master WHERE tbl_name = 'catalog_7001'",
    )
    .await;
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        select(&store, "SELECT COUNT(*) FROM desired_elements").await,
        [vec![json!(1)]]
    );
}

#[tokio::test]
async fn element_views_lists_the_catalogs_that_have_a_view_and_nothing_else() {
    let (_dir, store) = goods().await;
    store.ensure_view(42, &[]).await.unwrap();
    exec(&store, "CREATE VIEW catalog_notes AS SELECT 1").await;
    exec(&store, "CREATE VIEW catalog_007 AS SELECT 1").await;
    exec(&store, "CREATE TABLE catalog_9 (x)").await;

    assert_eq!(store.element_views().await.unwrap(), [42, 7001]);

    store.drop_view(42).await.unwrap();
    assert_eq!(store.element_views().await.unwrap(), [7001]);
}
