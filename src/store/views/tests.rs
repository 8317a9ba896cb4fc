//! Quoting and column naming, and the generated SQL run on a freshly migrated database.

use super::sql::{Column, columns, ident, literal, statements};
use crate::element::{FieldDef, Shape};
use crate::store::Store;

fn field(id: i64, name: &str, kind: &str, sort: Option<i64>) -> FieldDef {
    FieldDef {
        sort,
        ..FieldDef::new(id, 7001, name, kind)
    }
}

fn names(fields: &[FieldDef]) -> Vec<String> {
    columns(fields).into_iter().map(|c| c.name).collect()
}

#[test]
fn identifiers_are_double_quoted_with_inner_quotes_doubled() {
    assert_eq!(ident("Цена"), "\"Цена\"");
    assert_eq!(ident(r#"say "hi""#), r#""say ""hi""""#);
    assert_eq!(ident("a]b [c] `d` 'e'"), "\"a]b [c] `d` 'e'\"");
    assert_eq!(
        ident("\"); DROP TABLE x; --"),
        "\"\"\"); DROP TABLE x; --\""
    );
    assert_eq!(ident("nul\0here"), "\"nul\u{FFFD}here\"");
}

#[test]
fn literals_are_single_quoted_with_inner_quotes_doubled() {
    assert_eq!(literal("it's"), "'it''s'");
    assert_eq!(literal("'; DROP VIEW v; --"), "'''; DROP VIEW v; --'");
}

#[test]
fn columns_follow_sort_then_field_id_with_unsorted_fields_first() {
    let fields = [
        field(3, "c", "text", Some(10)),
        field(2, "b", "text", Some(10)),
        field(1, "a", "text", Some(20)),
        field(9, "z", "text", None),
    ];
    assert_eq!(names(&fields), ["z", "b", "c", "a"]);
}

#[test]
fn a_shared_name_gets_the_field_id_on_every_field_that_has_it() {
    let fields = [
        field(271211, "Цена", "price", Some(1)),
        field(271212, "Цена", "numeric", Some(2)),
        field(5, "Вес", "numeric", Some(3)),
    ];
    assert_eq!(names(&fields), ["Цена #271211", "Цена #271212", "Вес"]);
}

#[test]
fn names_clash_as_sqlite_compares_them_ascii_without_case_and_the_rest_exactly() {
    let fields = [
        field(1, "Name", "text", Some(1)),
        field(2, "ID", "text", Some(2)),
        field(3, "remote_id", "text", Some(3)),
        field(4, "Цена", "text", Some(4)),
        field(5, "цена", "text", Some(5)),
        field(6, "Size", "text", Some(6)),
        field(7, "SIZE", "text", Some(7)),
    ];
    assert_eq!(
        names(&fields),
        [
            "Name #1",
            "ID #2",
            "remote_id #3",
            "Цена",
            "цена",
            "Size #6",
            "SIZE #7"
        ]
    );
}

#[test]
fn a_plain_name_equal_to_another_fields_suffixed_name_is_suffixed_too() {
    let fields = [
        field(1, "A", "text", Some(1)),
        field(3, "a", "text", Some(2)),
        field(2, "A #1", "text", Some(3)),
    ];
    assert_eq!(names(&fields), ["A #1", "a #3", "A #1 #2"]);
}

#[test]
fn a_field_listed_twice_is_one_column() {
    let fields = [
        field(4, "Вес", "numeric", Some(2)),
        field(4, "Вес", "numeric", Some(1)),
    ];
    assert_eq!(names(&fields), ["Вес"]);
}

#[test]
fn an_empty_name_becomes_the_field_id() {
    assert_eq!(names(&[field(8, "", "text", None)]), ["#8"]);
}

#[test]
fn a_column_keeps_its_fields_id_and_shape() {
    assert_eq!(
        columns(&[field(4, "Цвета", "multiselect", None)]),
        [Column {
            field: 4,
            name: "Цвета".into(),
            shape: Shape::Choices,
        }]
    );
}

#[test]
fn the_view_reads_each_field_by_its_quoted_key_of_its_own_catalog() {
    let all = statements(7001, &columns(&[field(271211, "Цена", "price", None)]));
    let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "catalog_7001",
            "catalog_7001_delete",
            "catalog_7001_insert",
            "catalog_7001_update"
        ]
    );
    assert!(
        all[0]
            .sql
            .contains("json_extract(e.fields, '$.\"271211\"') AS \"Цена\""),
        "{}",
        all[0].sql
    );
    assert!(all[0].sql.contains("WHERE c.remote_id = 7001"));
}

/// The most arguments any function call in `sql` has (quotes and identifiers skipped).
fn widest_call(sql: &str) -> usize {
    let (mut open, mut widest, mut quote) = (Vec::new(), 0, None);
    for c in sql.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => open.push(1),
            (None, ',') => open.last_mut().into_iter().for_each(|n| *n += 1),
            (None, ')') => widest = widest.max(open.pop().unwrap()),
            _ => {}
        }
    }
    widest
}

#[test]
fn no_call_takes_more_arguments_than_an_older_sqlite3_accepts() {
    // SQLite before 3.48 refuses more than 127 arguments, and a trigger it cannot parse makes
    // it refuse the whole database ("malformed database schema").
    let fields: Vec<FieldDef> = (1..=500)
        .map(|i| field(i, &format!("f({i}), x"), "checkbox", None))
        .collect();
    for s in statements(7001, &columns(&fields)) {
        assert!(
            widest_call(&s.sql) <= 127,
            "{}: {}",
            s.name,
            widest_call(&s.sql)
        );
    }
    assert_eq!(widest_call("json_set(a, 'b,c', \"d(,\", f(g, h))"), 4);
}

#[tokio::test]
async fn a_catalog_with_150_fields_is_editable_through_its_view() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sync.db")).await.unwrap();
    sqlx::query("INSERT INTO desired_catalogs (name, remote_id) VALUES ('Wide', 7001)")
        .execute(store.pool())
        .await
        .unwrap();
    let fields: Vec<FieldDef> = (1..=150)
        .map(|i| field(i, &format!("f{i}"), "numeric", Some(i)))
        .collect();
    store.ensure_view(7001, &fields).await.unwrap();
    let list: Vec<String> = (1..=150).map(|i| format!("f{i}")).collect();
    let values: Vec<String> = (1..=150).map(|i| i.to_string()).collect();
    let insert = format!(
        "INSERT INTO catalog_7001 (name, {}) VALUES ('x', {})",
        list.join(", "),
        values.join(", ")
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(insert))
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE catalog_7001 SET f1 = 0, f150 = 0")
        .execute(store.pool())
        .await
        .unwrap();
    let (count, first, last): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM json_each(fields)), fields ->> '$.\"1\"', \
         fields ->> '$.\"150\"' FROM desired_elements",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!((count, first, last), (150, 0, 0));
}
