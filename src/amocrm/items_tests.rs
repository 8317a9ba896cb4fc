//! Tests of the exact items sent.

use serde_json::json;

use super::*;

fn def(id: i64, name: &str, kind: &str, options: &[(i64, &str)]) -> FieldDef {
    FieldDef::new(id, 4521, name, kind).with_options(options)
}

fn defs() -> Vec<FieldDef> {
    vec![
        def(1, "Артикул", "text", &[]),
        def(2, "Цена", "price", &[]),
        def(3, "Есть", "checkbox", &[]),
        def(4, "Группа", "category", &[(10663, "Телефоны")]),
        def(5, "Срок", "date", &[]),
    ]
}

fn fields(values: &[(i64, Value)]) -> ElementFields {
    ElementFields {
        name: "Чайник".into(),
        values: values.iter().cloned().collect(),
    }
}

#[test]
fn an_add_sends_set_values_and_leaves_empty_ones_out() {
    let f = fields(&[
        (1, json!("A-1")),
        (2, json!("1290.50")),
        (3, json!(false)),
        (4, json!("Телефоны")),
        (5, json!(null)),
    ]);
    assert_eq!(
        element_add_item(&f, &defs()).unwrap(),
        json!({"name": "Чайник", "request_id": "0", "custom_fields_values": [
            {"field_id": 1, "values": [{"value": "A-1"}]},
            {"field_id": 2, "values": [{"value": 1290.5}]},
            {"field_id": 4, "values": [{"enum_id": 10663}]}
        ]})
    );
    let bare = element_add_item(&fields(&[(5, Value::Null)]), &defs()).unwrap();
    assert_eq!(bare, json!({"name": "Чайник", "request_id": "0"}));
}

#[test]
fn an_update_clears_empty_values_with_null() {
    let f = fields(&[
        (3, json!(false)),
        (5, json!("2026-12-02")),
        (1, Value::Null),
    ]);
    assert_eq!(
        element_update_item(525439, &f, &defs()).unwrap(),
        json!({"id": 525439, "name": "Чайник", "request_id": "0", "custom_fields_values": [
            {"field_id": 1, "values": null},
            {"field_id": 3, "values": null},
            {"field_id": 5, "values": [{"value": 1796169600}]}
        ]})
    );
}

#[test]
fn a_value_that_cannot_be_written_names_the_field() {
    let unknown = element_add_item(&fields(&[(9, json!("x"))]), &defs()).unwrap_err();
    assert!(unknown.contains("field 9"), "{unknown}");
    let option = element_update_item(1, &fields(&[(4, json!("Ноутбуки"))]), &defs()).unwrap_err();
    assert!(
        option.contains("field 4 \"Группа\"") && option.contains("\"Телефоны\""),
        "{option}"
    );
    let number = element_add_item(&fields(&[(2, json!("12,5"))]), &defs()).unwrap_err();
    assert!(
        number.contains("field 2 \"Цена\"") && number.contains("dot"),
        "{number}"
    );
}

#[test]
fn catalog_items_carry_a_string_request_id_and_never_sort() {
    let mut f = Fields::named("Склады");
    f.kind = Some("regular".into());
    f.can_add_elements = Some(true);
    f.sort = Some(30);
    assert_eq!(
        catalog_add_item_v4(&f),
        json!({"name": "Склады", "type": "regular", "can_add_elements": true, "request_id": "0"})
    );
    assert_eq!(
        catalog_update_item_v4(4589, &Fields::named("Услуги")),
        json!({"id": 4589, "name": "Услуги", "request_id": "0"})
    );
}
