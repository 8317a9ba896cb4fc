//! Unit tests of [`super`]: reading written values and rendering stored ones.

use serde_json::{Value, json};

use super::*;
use crate::sandbox::fields::{Fields, NewField};

fn field(new: NewField) -> SandboxField {
    let mut f = Fields::default();
    f.add(1, new).unwrap();
    f.of(1)[0].clone()
}

fn ok(field: &SandboxField, values: Value) -> Vec<Stored> {
    parse(field, &values, "custom_fields_values.0")
        .unwrap()
        .unwrap()
}

fn err_paths(field: &SandboxField, values: Value) -> Vec<String> {
    let errors = parse(field, &values, "custom_fields_values.2").unwrap_err();
    errors.into_iter().map(|e| e.path).collect()
}

#[test]
fn numbers_are_taken_as_numbers_or_numeric_text_and_rendered_as_strings() {
    let price = field(NewField::new("Цена", "price").code("PRICE"));
    let stored = ok(&price, json!([{"value": 1290.5}]));
    assert_eq!(stored, [Stored::Number("1290.5".into())]);
    let stored = ok(&price, json!([{"value": " 999.12 "}]));
    let rendered = render(&price, &stored).unwrap();
    assert_eq!(rendered["values"], json!([{"value": "999.12"}]));
    assert_eq!(rendered["field_code"], "PRICE");
    assert_eq!(rendered["field_type"], "price");
}

#[test]
fn text_in_a_numeric_field_is_refused_at_the_value_path() {
    let n = field(NewField::new("Вес", "numeric"));
    assert_eq!(
        err_paths(&n, json!([{"value": "двенадцать"}])),
        ["custom_fields_values.2.values.0.value"]
    );
    assert!(parse(&n, &json!([{"value": "NaN"}]), "x").is_err());
    assert!(parse(&n, &json!([{"value": true}]), "x").is_err());
}

#[test]
fn options_are_found_by_id_code_or_text_and_rendered_with_enum_id_and_code() {
    let mut unit = NewField::new("Единица", "select").enums(&["шт", "кг"]);
    unit.enums.as_mut().unwrap()[1].code = Some("KG".into());
    let unit = field(unit);
    let kg = unit.enums.as_ref().unwrap()[1].id;
    for write in [
        json!([{"enum_id": kg}]),
        json!([{"enum_id": kg.to_string()}]),
        json!([{"enum_code": "KG"}]),
        json!([{"value": "кг"}]),
    ] {
        assert_eq!(ok(&unit, write), [Stored::Choice(kg)]);
    }
    let rendered = render(&unit, &[Stored::Choice(kg)]).unwrap();
    assert_eq!(
        rendered["values"],
        json!([{"value": "кг", "enum_id": kg, "enum_code": "KG"}])
    );
}

#[test]
fn an_unknown_option_is_not_a_supported_choice() {
    let unit = field(NewField::new("Единица", "select").enums(&["шт"]));
    let errors = parse(&unit, &json!([{"value": "л"}]), "custom_fields_values.6").unwrap_err();
    assert_eq!(errors[0].code, "NotSupportedChoice");
    assert_eq!(errors[0].path, "custom_fields_values.6.values.0.value");
    assert_eq!(
        err_paths(&unit, json!([{"enum_id": 1}])),
        ["custom_fields_values.2.values.0.enum_id"]
    );
    assert_eq!(
        err_paths(&unit, json!([{"enum_code": "X"}])),
        ["custom_fields_values.2.values.0.enum_code"]
    );
}

#[test]
fn a_multiselect_keeps_one_object_per_chosen_option_and_a_select_takes_one() {
    let colour = field(NewField::new("Цвет", "multiselect").enums(&["Белый", "Чёрный"]));
    let stored = ok(
        &colour,
        json!([{"value": "Белый"}, {"value": "Чёрный"}, {"value": "Белый"}]),
    );
    let rendered = render(&colour, &stored).unwrap();
    let texts: Vec<&str> = rendered["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Белый", "Чёрный"]);
    let unit = field(NewField::new("Единица", "select").enums(&["шт", "кг"]));
    let two = json!([{"value": "шт"}, {"value": "кг"}]);
    assert_eq!(err_paths(&unit, two), ["custom_fields_values.2.values"]);
}

#[test]
fn a_category_value_renders_its_text_and_enum_id_without_a_code() {
    let group = field(NewField::new("Группа", "category").nested(&[("Телефоны", None)]));
    let id = group.nested.as_ref().unwrap()[0].id;
    let stored = ok(&group, json!([{"value": "Телефоны"}]));
    let rendered = render(&group, &stored).unwrap();
    assert_eq!(
        rendered["values"],
        json!([{"value": "Телефоны", "enum_id": id}])
    );
}

#[test]
fn dates_take_unix_seconds_or_rfc_3339_and_render_as_a_number() {
    let d = field(NewField::new("Срок", "date_time"));
    assert_eq!(
        ok(&d, json!([{"value": 1_700_000_000}])),
        [Stored::Date(1_700_000_000)]
    );
    assert_eq!(
        ok(&d, json!([{"value": "1700000000"}])),
        [Stored::Date(1_700_000_000)]
    );
    let stored = ok(&d, json!([{"value": "2026-12-02T10:00:00+03:00"}]));
    assert_eq!(stored, [Stored::Date(1_796_194_800)]);
    assert_eq!(
        render(&d, &stored).unwrap()["values"][0]["value"],
        1_796_194_800
    );
    assert_eq!(
        err_paths(&d, json!([{"value": "2 декабря"}])),
        ["custom_fields_values.2.values.0.value"]
    );
}

#[test]
fn a_checkbox_takes_booleans_only() {
    let c = field(NewField::new("В наличии", "checkbox"));
    assert_eq!(ok(&c, json!([{"value": true}])), [Stored::Flag(true)]);
    let rendered = render(&c, &[Stored::Flag(false)]).unwrap();
    assert_eq!(rendered["values"], json!([{"value": false}]));
    assert!(parse(&c, &json!([{"value": "yes"}]), "x").is_err());
}

#[test]
fn object_values_are_kept_verbatim_and_null_or_empty_clears() {
    let items = field(NewField::new("Товары", "items"));
    let entry = json!({"value": {"sku": "A-1", "quantity": 2, "unit_price": 10}});
    let stored = ok(&items, json!([entry.clone()]));
    assert_eq!(render(&items, &stored).unwrap()["values"], json!([entry]));
    assert_eq!(parse(&items, &Value::Null, "x").unwrap(), None);
    assert_eq!(parse(&items, &json!([]), "x").unwrap(), None);
    assert!(parse(&items, &json!({"value": 1}), "x").is_err());
    assert!(parse(&items, &json!([5]), "x").is_err());
}

#[test]
fn text_takes_strings_and_numbers_and_a_missing_value_is_named() {
    let t = field(NewField::new("Артикул", "text").code("SKU"));
    assert_eq!(
        ok(&t, json!([{"value": 416}])),
        [Stored::Text("416".into())]
    );
    assert_eq!(
        err_paths(&t, json!([{"enum_id": 3}])),
        ["custom_fields_values.2.values.0.value"]
    );
}

#[test]
fn a_person_types_bare_values_which_become_the_write_form() {
    assert_eq!(from_ui(json!("шт")), json!([{"value": "шт"}]));
    assert_eq!(
        from_ui(json!(["Белый", {"enum_id": 5}])),
        json!([{"value": "Белый"}, {"enum_id": 5}])
    );
    assert_eq!(from_ui(Value::Null), Value::Null);
}
