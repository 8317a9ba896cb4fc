//! Tests of reading elements, against the captured bodies.

use serde_json::json;

use super::*;

const PAGE: &str =
    include_str!("../../tests/fixtures/amocrm/v4-catalog-elements-GET-page-docs-example.json");
const POSTED: &str =
    include_str!("../../tests/fixtures/amocrm/v4-catalog-elements-POST-response-captured.json");

fn first(body: &str) -> Value {
    let root: Value = serde_json::from_str(body).unwrap();
    root["_embedded"]["elements"][0].clone()
}

fn read(item: Value) -> RemoteElement {
    element(0, &item).unwrap().1.expect("a live element")
}

#[test]
fn the_docs_page_element_has_canonical_values_by_field_id() {
    let item = first(PAGE);
    let e = read(item.clone());
    assert_eq!(e.id, 525439);
    assert_eq!(e.fields.name, "Элемент");
    assert_eq!(
        (e.created_by, e.created_at),
        (Some(504141), Some(1589390333))
    );
    assert_eq!(e.updated_at, Some(1590683336));
    let expected = [
        (271207, json!("dsg")),
        (271211, json!(12)),
        (271213, json!("Телефоны")),
    ];
    assert_eq!(e.fields.values, expected.into_iter().collect());
    assert_eq!(serde_json::from_str::<Value>(&e.raw_json).unwrap(), item);
}

#[test]
fn the_captured_post_answer_reads_a_price_sent_as_a_string() {
    let e = read(first(POSTED));
    assert_eq!(e.id, 14229449);
    assert_eq!(e.created_by, Some(0));
    assert_eq!(e.fields.values[&2235147], json!(999.12));
    assert_eq!(e.fields.values[&2235151], json!("333"));
}

#[test]
fn deleted_elements_are_left_out_and_null_or_false_kept() {
    let item = |deleted: Value| json!({"id": 5, "name": "a", "is_deleted": deleted});
    assert_eq!(element(0, &item(json!(true))).unwrap(), (5, None));
    assert_eq!(element(0, &item(json!("1"))).unwrap(), (5, None));
    for kept in [json!(null), json!(false), json!(0), json!("maybe")] {
        assert!(
            element(0, &item(kept.clone())).unwrap().1.is_some(),
            "{kept}"
        );
    }
}

#[test]
fn null_values_strings_for_numbers_and_milliseconds_are_read() {
    let e = read(json!({"id": "7", "name": 416, "custom_fields_values": null,
        "created_at": "1589390333", "updated_at": 1590683336000_i64, "created_by": "0"}));
    assert_eq!((e.id, e.fields.name.as_str()), (7, "416"));
    assert!(e.fields.values.is_empty());
    assert_eq!(
        (e.created_at, e.updated_at, e.created_by),
        (Some(1589390333), Some(1590683336), Some(0))
    );
}

#[test]
fn an_unreadable_value_is_left_out_but_the_element_and_its_raw_json_stay() {
    let item = json!({"id": 9, "name": "a", "extra": {"x": 1}, "custom_fields_values": [
        {"field_id": 1, "field_type": "numeric", "values": [{"value": "много"}]},
        {"field_id": 2, "field_type": "select", "values": [{"enum_id": 4}]},
        {"field_type": "text", "values": [{"value": "no id"}]},
        {"field_id": 3, "values": [{"value": "no type"}]},
        {"field_id": 4, "field_type": "legal_entity", "values": [{"value": {"inn": "1"}}]},
        {"field_id": 5, "field_type": "checkbox", "values": [{"value": "1"}]}
    ]});
    let e = read(item.clone());
    let expected = [(4, json!([{"value": {"inn": "1"}}])), (5, json!(true))];
    assert_eq!(e.fields.values, expected.into_iter().collect());
    assert_eq!(serde_json::from_str::<Value>(&e.raw_json).unwrap(), item);
}

#[test]
fn an_element_without_id_or_name_is_a_bad_response() {
    for item in [
        json!({"name": "a"}),
        json!({"id": 0, "name": "a"}),
        json!({"id": 3}),
        json!(7),
    ] {
        assert!(
            matches!(element(2, &item), Err(ApiError::BadResponse { .. })),
            "{item}"
        );
    }
}

#[test]
fn raw_json_keeps_the_keys_in_the_order_received() {
    let text = r#"{"name":"Чайник","id":9,"custom_fields_values":[{"values":[{"value":"KT-1"}],"field_type":"text","field_id":1}],"catalog_id":7,"account_id":3}"#;
    let item: Value = serde_json::from_str(text).unwrap();
    assert_eq!(read(item).raw_json, text);
}
