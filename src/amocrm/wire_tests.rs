//! Tests of tolerant reading, against real bodies where there are some.

use super::*;

const CAPTURED_LIST: &str =
    include_str!("../../tests/fixtures/amocrm/v2-catalogs-GET-list-captured.json");
const DOCS_LIST: &str =
    include_str!("../../tests/fixtures/amocrm/v2-catalogs-GET-list-docs-example.json");
const V4_LIST: &str =
    include_str!("../../tests/fixtures/amocrm/v4-catalogs-GET-list-docs-example.json");
const DOCS_ADD: &str =
    include_str!("../../tests/fixtures/amocrm/v2-catalogs-POST-add-response-docs-example.json");
const ITEM_ERROR: &str = include_str!(
    "../../tests/fixtures/amocrm/v2-POST-per-item-error-contacts-update-captured.json"
);
const V2_401: &str =
    include_str!("../../tests/fixtures/amocrm/v2-error-401-auth-code-110-captured.json");
const PROBLEM_244: &str =
    include_str!("../../tests/fixtures/amocrm/v4-problem-json-400-code-244-captured.json");

fn list(body: &str) -> Result<Vec<RemoteCatalog>, ApiError> {
    parse_catalog_list(StatusCode::OK, body)
}

fn one(item: &str) -> Result<RemoteCatalog, ApiError> {
    let mut all = list(&format!(r#"{{"_embedded":{{"items":[{item}]}}}}"#))?;
    assert_eq!(all.len(), 1);
    Ok(all.remove(0))
}

fn detail(err: ApiError) -> String {
    match err {
        ApiError::BadResponse { detail } => detail,
        other => panic!("expected BadResponse, got {other:?}"),
    }
}

#[test]
fn the_captured_list_is_read_with_every_field() {
    let catalogs = list(CAPTURED_LIST).unwrap();
    assert_eq!(catalogs.len(), 2);
    let products = &catalogs[0];
    assert_eq!(products.id, 11271);
    assert_eq!(
        products.fields,
        Fields {
            name: "Товары".into(),
            kind: Some("products".into()),
            can_add_elements: Some(true),
            can_show_in_cards: Some(true),
            can_link_multiple: Some(true),
            sort: Some(0),
        }
    );
    assert_eq!(products.created_by, Some(9898394));
    assert_eq!(products.created_at, Some(1690790026));
    assert_eq!(catalogs[1].fields.kind.as_deref(), Some("suppliers"));
}

#[test]
fn raw_json_is_the_item_as_received_including_unknown_fields() {
    let catalogs = list(CAPTURED_LIST).unwrap();
    let root: Value = serde_json::from_str(CAPTURED_LIST).unwrap();
    let raw: Value = serde_json::from_str(&catalogs[1].raw_json).unwrap();
    assert_eq!(raw, root["_embedded"]["items"][1]);
    assert!(catalogs[1].raw_json.contains("sdk_widget_code"));
}

#[test]
fn raw_json_keeps_the_keys_in_the_order_received() {
    // Neither sorted nor reverse-sorted, nested objects included.
    let item = r#"{"name":"Goods","id":7,"type":"regular","_links":{"self":{"method":"get","href":"/x"}},"can_add_elements":true,"created_by":1,"sort":10}"#;
    let catalog = one(item).unwrap();
    assert_eq!(catalog.raw_json, item);
}

#[test]
fn objects_compare_equal_whatever_the_order_of_their_keys() {
    // The merge compares values read from the account with values a person wrote: keeping the
    // order received must not make the same object a change.
    let received: Value = serde_json::from_str(r#"{"sku":"A","quantity":2}"#).unwrap();
    let written: Value = serde_json::from_str(r#"{"quantity":2,"sku":"A"}"#).unwrap();
    assert_eq!(received, written);
    assert_ne!(received.to_string(), written.to_string());
}

#[test]
fn the_docs_list_without_type_or_flags_leaves_them_unknown() {
    let catalogs = list(DOCS_LIST).unwrap();
    assert_eq!(
        catalogs.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![4223, 4222]
    );
    let services = &catalogs[1];
    assert_eq!(services.fields.name, "Услуги");
    assert_eq!(services.fields.sort, Some(20));
    assert_eq!(services.fields.kind, None);
    assert_eq!(services.fields.can_add_elements, None);
    assert_eq!(services.fields.can_show_in_cards, None);
    assert_eq!(services.fields.can_link_multiple, None);
}

#[test]
fn numbers_and_flags_sent_as_strings_are_read() {
    let c = one(
        r#"{"id":"2456","name":"a","sort":"10","created_by":" 7 ","can_add_elements":"1",
           "can_show_in_cards":"false","can_link_multiple":0,"created_at":"1508930391"}"#,
    )
    .unwrap();
    assert_eq!(c.id, 2456);
    assert_eq!(c.fields.sort, Some(10));
    assert_eq!(c.created_by, Some(7));
    assert_eq!(c.created_at, Some(1508930391));
    assert_eq!(c.fields.can_add_elements, Some(true));
    assert_eq!(c.fields.can_show_in_cards, Some(false));
    assert_eq!(c.fields.can_link_multiple, Some(false));
}

#[test]
fn a_timestamp_in_milliseconds_becomes_seconds() {
    let c = one(r#"{"id":1,"name":"a","created_at":1619342253000}"#).unwrap();
    assert_eq!(c.created_at, Some(1619342253));
}

#[test]
fn absent_null_and_unreadable_optional_fields_are_unknown() {
    let c =
        one(r#"{"id":1,"name":"a","type":null,"sort":"ten","can_add_elements":"maybe"}"#).unwrap();
    assert_eq!(c.fields, Fields::named("a"));
    assert_eq!((c.created_by, c.created_at), (None, None));
}

#[test]
fn an_unknown_type_is_kept_as_a_string() {
    let c =
        one(r#"{"id":1,"name":"a","type":"warehouses","widgets":[1,2],"extra":{"x":1}}"#).unwrap();
    assert_eq!(c.fields.kind.as_deref(), Some("warehouses"));
}

#[test]
fn an_item_without_a_usable_id_is_an_error_naming_it() {
    for item in [
        r#"{"name":"Склад"}"#,
        r#"{"id":null,"name":"Склад"}"#,
        r#"{"id":"abc","name":"Склад"}"#,
    ] {
        let detail = detail(one(item).unwrap_err());
        assert!(detail.contains("catalog #0 has no usable id"), "{detail}");
        assert!(detail.contains("Склад"), "{detail}");
    }
}

#[test]
fn a_list_naming_one_id_twice_is_an_error() {
    let body = r#"{"_embedded":{"items":[{"id":5,"name":"a"},{"id":"5","name":"b"}]}}"#;
    assert!(detail(list(body).unwrap_err()).contains("catalog id 5 appears twice"));
}

#[test]
fn an_item_without_a_name_is_an_error_naming_it() {
    let detail = detail(one(r#"{"id":77}"#).unwrap_err());
    assert!(
        detail.contains("catalog #0 (id 77) has no name"),
        "{detail}"
    );
}

#[test]
fn an_item_that_is_not_an_object_is_an_error() {
    assert!(detail(one("42").unwrap_err()).contains("catalog #0"));
}

#[test]
fn items_encoded_as_an_object_are_read_as_a_list() {
    let catalogs =
        list(r#"{"_embedded":{"items":{"0":{"id":1,"name":"a"},"1":{"id":2,"name":"b"}}}}"#)
            .unwrap();
    assert_eq!(catalogs.len(), 2);
}

#[test]
fn an_empty_item_list_is_an_empty_account() {
    assert_eq!(list(r#"{"_embedded":{"items":[]}}"#).unwrap(), vec![]);
}

#[test]
fn a_list_without_items_is_not_taken_for_an_empty_account() {
    assert!(detail(list(V4_LIST).unwrap_err()).contains("no _embedded.items"));
    assert!(detail(list(r#"{"_links":{}}"#).unwrap_err()).contains("no _embedded.items"));
}

#[test]
fn empty_truncated_and_malformed_bodies_are_bad_responses() {
    assert!(detail(list("").unwrap_err()).contains("an empty body"));
    let truncated = &CAPTURED_LIST[..CAPTURED_LIST.len() / 2];
    assert!(detail(list(truncated).unwrap_err()).contains("not valid JSON"));
    assert!(detail(list("<html></html>").unwrap_err()).contains("not valid JSON"));
}

#[test]
fn an_error_envelope_with_status_200_is_an_error_not_an_empty_list() {
    assert!(matches!(
        list(PROBLEM_244).unwrap_err(),
        ApiError::ListsUnavailable { status: 200, .. }
    ));
    assert!(detail(list(V2_401).unwrap_err()).contains("Неверный логин или пароль"));
}

#[test]
fn the_docs_add_answer_with_a_singular_link_is_read() {
    let reply = parse_post_reply(StatusCode::OK, DOCS_ADD).unwrap();
    assert_eq!(
        reply.items,
        vec![ReplyItem {
            id: 4223,
            request_id: None
        }]
    );
    assert_eq!(reply.errors, ReplyErrors::default());
}

#[test]
fn per_item_errors_are_read_from_the_captured_envelope() {
    let reply = parse_post_reply(StatusCode::OK, ITEM_ERROR).unwrap();
    assert!(reply.items.is_empty());
    let expected = vec![(
        "59144296".to_string(),
        "Last modified date is older than in database".to_string(),
    )];
    assert_eq!(reply.errors.update, expected);
}

#[test]
fn errors_as_arrays_ids_as_strings_and_echoes_as_strings_are_read() {
    let body = r#"{"_embedded":{"items":[{"id":"5","request_id":"3"},{"request_id":1}],
                  "errors":{"add":["no more than 10 catalogs"],"delete":{"9":{"code":281}}}}}"#;
    let reply = parse_post_reply(StatusCode::OK, body).unwrap();
    assert_eq!(
        reply.items,
        vec![ReplyItem {
            id: 5,
            request_id: Some(3)
        }]
    );
    assert_eq!(
        reply.errors.add,
        vec![("0".into(), "no more than 10 catalogs".into())]
    );
    assert_eq!(
        reply.errors.delete,
        vec![("9".into(), r#"{"code":281}"#.into())]
    );
}

#[test]
fn an_answer_without_embedded_or_with_an_empty_errors_array_has_nothing_in_it() {
    for body in [
        r#"{"_links":{}}"#,
        r#"{"_embedded":{"items":[],"errors":[]}}"#,
        r#"{"_embedded":[]}"#,
    ] {
        assert_eq!(
            parse_post_reply(StatusCode::OK, body).unwrap(),
            PostReply::default(),
            "{body}"
        );
    }
}

#[test]
fn a_malformed_post_answer_is_a_bad_response() {
    assert!(
        detail(parse_post_reply(StatusCode::OK, "{\"_embedded\":").unwrap_err())
            .contains("not valid JSON")
    );
}
