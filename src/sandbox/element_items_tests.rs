//! Unit tests of [`super`]: checking element items.

use serde_json::{Value, json};

use super::*;
use crate::sandbox::fields::{Fields, NewField};

fn fields() -> Vec<SandboxField> {
    let mut f = Fields::default();
    f.add(1, NewField::new("Артикул", "text").code("SKU"))
        .unwrap();
    f.add(1, NewField::new("Цена", "price").code("PRICE"))
        .unwrap();
    f.of(1).to_vec()
}

fn paths(checked: &Checked<impl std::fmt::Debug>) -> Vec<String> {
    let errors = checked.result.as_ref().expect_err("refused");
    errors.iter().map(|e| e.path.clone()).collect()
}

#[test]
fn an_add_needs_a_name_and_takes_values_by_field_id_or_code() {
    let f = fields();
    let raw = json!({"name": "Чайник", "request_id": 7, "custom_fields_values": [
        {"field_id": f[0].id, "values": [{"value": "BSH-1"}]},
        {"field_code": "PRICE", "values": [{"value": "2490.00"}]},
        {"field_id": f[0].id, "values": null}]});
    let checked = check_add(0, &raw, &f);
    assert_eq!(checked.request_id, "7");
    let new = checked.result.unwrap();
    assert_eq!(new.name, "Чайник");
    assert_eq!(new.values.len(), 1, "the later null clears the SKU again");
    assert_eq!(new.values[&f[1].id], [Stored::Number("2490.00".into())]);
    assert_eq!(paths(&check_add(3, &json!({"name": " "}), &f)), ["name"]);
    assert_eq!(check_add(3, &json!({}), &f).request_id, "3");
}

#[test]
fn every_problem_of_an_item_is_reported_with_its_path() {
    let f = fields();
    let raw = json!({"custom_fields_values": [
        {"field_id": f[0].id, "values": [{"value": "ok"}]},
        {"field_id": 1, "values": [{"value": "x"}]},
        {"field_id": f[1].id, "values": [{"value": "дорого"}]}]});
    assert_eq!(
        paths(&check_add(0, &raw, &f)),
        [
            "name",
            "custom_fields_values.1.field_id",
            "custom_fields_values.2.values.0.value"
        ]
    );
}

#[test]
fn a_patch_needs_a_known_id_and_keeps_clears_as_none() {
    let f = fields();
    let exists = |id: i64| id == 500_001;
    let raw =
        json!({"id": "500001", "custom_fields_values": [{"field_id": f[1].id, "values": null}]});
    let patch = check_patch(0, &raw, &f, exists).result.unwrap();
    assert_eq!(patch.id, 500_001);
    assert_eq!(patch.change.name, None);
    assert_eq!(patch.change.set, [(f[1].id, None)]);
    assert_eq!(
        paths(&check_patch(0, &json!({"id": 9}), &f, exists)),
        ["id"]
    );
    assert_eq!(
        paths(&check_patch(0, &json!({"name": "x"}), &f, exists)),
        ["id"]
    );
    let blank = json!({"id": 500_001, "name": ""});
    assert_eq!(paths(&check_patch(0, &blank, &f, exists)), ["name"]);
}

#[test]
fn an_item_that_is_not_an_object_or_has_a_bad_values_list_is_refused() {
    let f = fields();
    assert_eq!(paths(&check_add(0, &json!(5), &f)), [""]);
    let raw = json!({"name": "a", "custom_fields_values": {"field_id": 1}});
    assert_eq!(paths(&check_add(0, &raw, &f)), ["custom_fields_values"]);
    let raw = json!({"name": "a", "custom_fields_values": [{"field_id": f[0].id}]});
    assert_eq!(
        paths(&check_add(0, &raw, &f)),
        ["custom_fields_values.0.values"]
    );
    let raw: Value = json!({"name": "a", "custom_fields_values": [{"values": []}]});
    assert_eq!(
        paths(&check_add(0, &raw, &f)),
        ["custom_fields_values.0.field_id"]
    );
}
