//! INSERT, UPDATE and DELETE through a view, and the edits it refuses.

use serde_json::{Value, json};

use crate::{element, exec, field, goods, refused, select, stored};

#[tokio::test]
async fn changing_a_price_through_the_view_changes_only_that_key_and_bumps_the_revision() {
    let (_dir, store) = goods().await;
    let before = json!({"271201": "KT-1", "271211": 990, "271213": true, "271219": ["S"]});
    let id = element(&store, "Чайник", before).await;

    exec(
        &store,
        &format!("UPDATE catalog_7001 SET \"Цена\" = 1290.5 WHERE id = {id}"),
    )
    .await;

    let after = json!({"271201": "KT-1", "271211": 1290.5, "271213": true, "271219": ["S"]});
    assert_eq!(stored(&store, id).await, ("Чайник".into(), after, 1));
}

#[tokio::test]
async fn renaming_through_the_view_changes_the_name_and_leaves_the_fields_alone() {
    let (_dir, store) = goods().await;
    let id = element(&store, "Чайник", json!({"271211": 990})).await;

    exec(
        &store,
        &format!("UPDATE catalog_7001 SET name = 'Чайник 2 л' WHERE id = {id}"),
    )
    .await;

    assert_eq!(
        stored(&store, id).await,
        ("Чайник 2 л".into(), json!({"271211": 990}), 1)
    );
}

#[tokio::test]
async fn an_update_through_the_view_that_changes_nothing_leaves_the_revision_alone() {
    let (_dir, store) = goods().await;
    let id = element(&store, "Чайник", json!({"271211": 990, "271213": true})).await;

    exec(
        &store,
        "UPDATE catalog_7001 SET \"Цена\" = 990, \"В наличии\" = 1, name = name",
    )
    .await;

    assert_eq!(stored(&store, id).await.2, 0);
}

#[tokio::test]
async fn adding_an_element_through_the_view_stores_only_the_values_given() {
    let (_dir, store) = goods().await;

    exec(
        &store,
        "INSERT INTO catalog_7001 (name, \"Цена\", \"Цвет\", \"Размеры\", \"В наличии\", \"Артикул\") \
         VALUES ('Чайник', 1290, 'Красный', '[\"S\", \"M\"]', 1, NULL)",
    )
    .await;

    let rows = select(&store, "SELECT id, remote_id FROM catalog_7001").await;
    let id = rows[0][0].as_i64().unwrap();
    assert_eq!(rows[0][1], Value::Null);
    let fields = json!({"271211": 1290, "271217": "Красный", "271219": ["S", "M"], "271213": true});
    assert_eq!(stored(&store, id).await, ("Чайник".into(), fields, 0));
}

#[tokio::test]
async fn values_are_written_as_given_for_the_daemon_to_judge() {
    let (_dir, store) = goods().await;

    exec(
        &store,
        "INSERT INTO catalog_7001 (name, \"Цена\", \"В наличии\", \"Размеры\", \"Состав\") \
         VALUES ('Чайник', 'дорого', 'да', 'S, M', '[{\"value\": 1}]')",
    )
    .await;

    let (id,): (i64,) = sqlx::query_as("SELECT id FROM desired_elements")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let fields =
        json!({"271211": "дорого", "271213": "да", "271219": "S, M", "271221": [{"value": 1}]});
    assert_eq!(stored(&store, id).await.1, fields);
}

#[tokio::test]
async fn setting_a_value_to_null_through_the_view_clears_it_with_json_null() {
    let (_dir, store) = goods().await;
    let id = element(
        &store,
        "Чайник",
        json!({"271211": 990, "271217": "Красный"}),
    )
    .await;

    exec(
        &store,
        &format!("UPDATE catalog_7001 SET \"Цвет\" = NULL WHERE id = {id}"),
    )
    .await;

    assert_eq!(
        stored(&store, id).await,
        ("Чайник".into(), json!({"271211": 990, "271217": null}), 1)
    );
}

#[tokio::test]
async fn deleting_through_the_view_deletes_the_desired_row_and_no_other() {
    let (_dir, store) = goods().await;
    let kettle = element(&store, "Чайник", json!({})).await;
    let cup = element(&store, "Кружка", json!({})).await;

    exec(
        &store,
        &format!("DELETE FROM catalog_7001 WHERE id = {kettle}"),
    )
    .await;

    let left = select(&store, "SELECT id FROM desired_elements").await;
    assert_eq!(left, [vec![json!(cup)]]);
}

#[tokio::test]
async fn id_and_remote_id_are_read_only_through_the_view() {
    let (_dir, store) = goods().await;
    let id = element(&store, "Чайник", json!({})).await;

    let on_remote_id = refused(&store, "UPDATE catalog_7001 SET remote_id = 5").await;
    let on_id = refused(&store, "UPDATE catalog_7001 SET id = 99").await;
    let on_insert = refused(
        &store,
        "INSERT INTO catalog_7001 (id, name) VALUES (99, 'x')",
    )
    .await;

    assert!(
        on_remote_id.contains("catalog_7001: id and remote_id are read-only"),
        "{on_remote_id}"
    );
    assert!(on_id.contains("read-only"), "{on_id}");
    assert!(
        on_insert.contains("leave them out of an INSERT"),
        "{on_insert}"
    );
    assert_eq!(stored(&store, id).await.2, 0);
}

#[tokio::test]
async fn an_element_without_a_name_is_refused_with_the_reason() {
    let (_dir, store) = goods().await;

    let err = refused(&store, "INSERT INTO catalog_7001 (\"Цена\") VALUES (5)").await;

    assert!(err.contains("every element needs a name"), "{err}");
}

#[tokio::test]
async fn adding_to_the_view_of_a_catalog_with_no_desired_row_fails_with_the_reason() {
    let (_dir, store) = goods().await;
    store
        .ensure_view(7009, &[field(1, "Цена", "price", 1)])
        .await
        .unwrap();

    let err = refused(
        &store,
        "INSERT INTO catalog_7009 (name, \"Цена\") VALUES ('x', 1)",
    )
    .await;

    assert!(
        err.contains("catalog_7009: desired_catalogs has no row with remote_id 7009"),
        "{err}"
    );
    let count = select(&store, "SELECT COUNT(*) FROM desired_elements").await;
    assert_eq!(count, [vec![json!(0)]]);
}
