//! The views `catalog_<remote id>` as a person uses them: plain SQL, as typed into `sqlite3`.
//! Reading here; editing and the views' life (names, re-creation, dropping) in `tests/views/`.

#[path = "views/editing.rs"]
mod editing;
#[path = "views/schema.rs"]
mod schema;

use serde_json::{Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Column, Row, TypeInfo, ValueRef};

use catalog_sync::element::FieldDef;
use catalog_sync::store::Store;

/// A fresh database with the desired catalog 7001 (`Товары`), its fields and view.
async fn goods() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sync.db")).await.unwrap();
    exec(
        &store,
        "INSERT INTO desired_catalogs (name, remote_id, sync_elements) VALUES ('Товары', 7001, 1)",
    )
    .await;
    store
        .save_fields(7001, &goods_fields(), &Default::default())
        .await
        .unwrap();
    let fields = store.fields(7001).await.unwrap();
    store.ensure_view(7001, &fields).await.unwrap();
    (dir, store)
}

fn field(id: i64, name: &str, kind: &str, sort: i64) -> FieldDef {
    FieldDef::new(id, 7001, name, kind).with_sort(sort)
}

fn goods_fields() -> Vec<FieldDef> {
    vec![
        field(271201, "Артикул", "text", 10),
        field(271211, "Цена", "price", 20),
        field(271213, "В наличии", "checkbox", 30),
        field(271215, "Поставка", "date", 40),
        field(271216, "Проверено", "date_time", 50),
        field(271217, "Цвет", "select", 60),
        field(271219, "Размеры", "multiselect", 70),
        field(271221, "Состав", "items", 80),
    ]
}

async fn exec(store: &Store, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn refused(store: &Store, sql: &str) -> String {
    let err = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(store.pool())
        .await
        .expect_err(sql);
    err.to_string()
}

/// Adds a desired element of catalog 7001 directly, as the daemon would; returns its id.
async fn element(store: &Store, name: &str, fields: Value) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO desired_elements (desired_catalog_id, name, fields) \
         SELECT id, ?, ? FROM desired_catalogs WHERE remote_id = 7001 RETURNING id",
    )
    .bind(name)
    .bind(fields.to_string())
    .fetch_one(store.pool())
    .await
    .unwrap();
    id
}

/// `(name, fields, revision)` of a desired element.
async fn stored(store: &Store, id: i64) -> (String, Value, i64) {
    let (name, fields, revision): (String, String, i64) =
        sqlx::query_as("SELECT name, fields, revision FROM desired_elements WHERE id = ?")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap();
    (name, serde_json::from_str(&fields).unwrap(), revision)
}

/// A row with each value as SQLite typed it: INTEGER and REAL as JSON numbers, TEXT as a JSON
/// string (so that `1` and `"1"` differ), NULL as null.
fn typed(row: &SqliteRow) -> Vec<Value> {
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i).unwrap();
            match raw.type_info().name() {
                _ if raw.is_null() => Value::Null,
                "INTEGER" => json!(row.get::<i64, _>(i)),
                "REAL" => json!(row.get::<f64, _>(i)),
                "TEXT" => json!(row.get::<String, _>(i)),
                other => panic!("column {i} is {other}"),
            }
        })
        .collect()
}

async fn select(store: &Store, sql: &str) -> Vec<Vec<Value>> {
    let mut conn = store.pool().acquire().await.unwrap();
    // A pooled connection may still hold the schema from before a view was re-created: sqlx
    // would take `SELECT *`'s columns from it while SQLite steps the new view (a panic in sqlx,
    // now and then). Stepping any statement first makes the connection read the new schema.
    sqlx::query("SELECT count(*) FROM sqlite_schema")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let rows = sqlx::query(AssertSqlSafe(sql.to_owned()))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter().map(typed).collect()
}

async fn columns_of(store: &Store, view: &str) -> Vec<String> {
    let rows = sqlx::query("SELECT name FROM pragma_table_info(?) ORDER BY cid")
        .bind(view)
        .fetch_all(store.pool())
        .await
        .unwrap();
    rows.iter().map(|r| r.get("name")).collect()
}

#[tokio::test]
async fn reading_a_list_shows_one_column_per_field_with_each_value_as_a_person_expects() {
    let (_dir, store) = goods().await;
    let full = json!({
        "271201": "KT-1", "271211": 1290.5, "271213": true, "271215": "2026-12-02",
        "271216": "2026-12-02T10:00:00Z", "271217": "Красный", "271219": ["M", "S"],
        "271221": [{"value": {"sku": "A", "quantity": 2}}]
    });
    let kettle = element(&store, "Чайник", full).await;
    let cup = element(
        &store,
        "Кружка",
        json!({"271211": 99, "271213": false, "271201": null}),
    )
    .await;

    let rows = sqlx::query("SELECT * FROM catalog_7001")
        .fetch_all(store.pool())
        .await
        .unwrap();

    let names: Vec<&str> = rows[0].columns().iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "id",
            "remote_id",
            "name",
            "Артикул",
            "Цена",
            "В наличии",
            "Поставка",
            "Проверено",
            "Цвет",
            "Размеры",
            "Состав"
        ]
    );
    let values: Vec<Vec<Value>> = rows.iter().map(typed).collect();
    assert_eq!(
        values,
        [
            vec![
                json!(kettle),
                Value::Null,
                json!("Чайник"),
                json!("KT-1"),
                json!(1290.5),
                json!(1),
                json!("2026-12-02"),
                json!("2026-12-02T10:00:00Z"),
                json!("Красный"),
                json!(r#"["M","S"]"#),
                // A complex value keeps its keys in the order written (SPEC §6: passed back
                // as received).
                json!(r#"[{"value":{"sku":"A","quantity":2}}]"#)
            ],
            vec![
                json!(cup),
                Value::Null,
                json!("Кружка"),
                Value::Null,
                json!(99),
                json!(0),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null
            ],
        ]
    );
}

#[tokio::test]
async fn a_view_shows_only_the_elements_of_its_own_catalog() {
    let (_dir, store) = goods().await;
    exec(
        &store,
        "INSERT INTO desired_catalogs (name, remote_id) VALUES ('Услуги', 7002)",
    )
    .await;
    element(&store, "Чайник", json!({})).await;
    exec(
        &store,
        "INSERT INTO desired_elements (desired_catalog_id, name) \
         SELECT id, 'Доставка' FROM desired_catalogs WHERE remote_id = 7002",
    )
    .await;

    let names = select(&store, "SELECT name FROM catalog_7001").await;

    assert_eq!(names, [vec![json!("Чайник")]]);
}
