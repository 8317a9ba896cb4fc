//! One test per field type: the API's spellings, a person's spellings, refusals, writing.

use serde_json::{Value, json};

use super::*;
use crate::record::Record;

fn def(kind: &str, options: &[(i64, &str)]) -> FieldDef {
    FieldDef::new(271207, 4521, "Поле", kind).with_options(options)
}

fn api(kind: &str, values: Value) -> Result<Value, String> {
    from_api(&FieldKind::parse(kind), &values)
}

fn one(value: Value) -> Value {
    json!([{ "value": value }])
}

fn person(kind: &str, value: Value) -> Result<Value, String> {
    from_person(&def(kind, &[]), &value)
}

fn refusal(result: Result<Value, String>) -> String {
    result.expect_err("a refusal")
}

#[test]
fn text_types_are_strings_and_empty_text_is_null() {
    for kind in ["text", "textarea", "url", "streetaddress"] {
        assert_eq!(api(kind, one(json!("dsg"))), Ok(json!("dsg")), "{kind}");
        assert_eq!(api(kind, one(json!(416))), Ok(json!("416")), "{kind}");
        assert_eq!(api(kind, one(json!(""))), Ok(Value::Null), "{kind}");
        assert_eq!(api(kind, json!([])), Ok(Value::Null), "{kind}");
        assert_eq!(api(kind, Value::Null), Ok(Value::Null), "{kind}");
        assert_eq!(person(kind, json!(" a ")), Ok(json!(" a ")), "{kind}");
        assert_eq!(person(kind, json!(12)), Ok(json!("12")), "{kind}");
        assert!(refusal(person(kind, json!(true))).contains("not text"));
        assert_eq!(to_api(&def(kind, &[]), &json!("x")), Ok(one(json!("x"))));
    }
}

#[test]
fn numeric_types_are_numbers_whatever_their_spelling() {
    for kind in ["numeric", "price", "monetary"] {
        assert_eq!(api(kind, one(json!("999.12"))), Ok(json!(999.12)), "{kind}");
        assert_eq!(api(kind, one(json!(" 12 "))), Ok(json!(12)), "{kind}");
        for twelve in [json!("12"), json!(12.0), json!("12.00"), json!(12)] {
            assert_eq!(api(kind, one(twelve.clone())), Ok(json!(12)), "{twelve}");
            assert_eq!(person(kind, twelve), Ok(json!(12)));
        }
        assert_eq!(api(kind, one(json!("1290.50"))), Ok(json!(1290.5)));
        assert_eq!(api(kind, one(json!(""))), Ok(Value::Null));
        assert!(api(kind, one(json!("abc"))).is_err());
        assert!(api(kind, one(json!("inf"))).is_err());
        let comma = refusal(person(kind, json!("12,5")));
        assert!(
            comma.contains("\"12,5\"") && comma.contains("dot"),
            "{comma}"
        );
        let text = refusal(person(kind, json!("дорого")));
        assert!(text.contains("дорого") && text.contains("1290.5"), "{text}");
        assert_eq!(
            to_api(&def(kind, &[]), &json!("12.50")),
            Ok(one(json!(12.5)))
        );
    }
}

#[test]
fn a_checkbox_is_true_or_false_and_absent_means_false() {
    for yes in [
        json!(true),
        json!(1),
        json!("1"),
        json!("TRUE"),
        json!("true"),
    ] {
        assert_eq!(api("checkbox", one(yes.clone())), Ok(json!(true)), "{yes}");
        assert_eq!(person("checkbox", yes), Ok(json!(true)));
    }
    for no in [json!(false), json!(0), json!("0"), json!("False")] {
        assert_eq!(api("checkbox", one(no.clone())), Ok(json!(false)), "{no}");
        assert_eq!(person("checkbox", no), Ok(json!(false)));
    }
    assert_eq!(api("checkbox", Value::Null), Ok(json!(false)));
    assert_eq!(api("checkbox", json!([])), Ok(json!(false)));
    assert_eq!(person("checkbox", Value::Null), Ok(json!(false)));
    assert!(refusal(person("checkbox", json!("yes"))).contains("true or false"));
    let checkbox = def("checkbox", &[]);
    assert_eq!(to_api(&checkbox, &json!(1)), Ok(one(json!(true))));
    assert_eq!(to_api(&checkbox, &json!(false)), Ok(one(json!(false))));
    assert_eq!(empty(&checkbox.kind), json!(false));
}

#[test]
fn dates_are_utc_days_from_seconds_milliseconds_or_text() {
    for kind in ["date", "birthday"] {
        // 2020-05-13T17:18:53Z
        assert_eq!(api(kind, one(json!(1589390333))), Ok(json!("2020-05-13")));
        assert_eq!(api(kind, one(json!("1589390333"))), Ok(json!("2020-05-13")));
        assert_eq!(
            api(kind, one(json!(1589390333000_i64))),
            Ok(json!("2020-05-13"))
        );
        assert_eq!(api(kind, one(json!("2020-05-13"))), Ok(json!("2020-05-13")));
        let late = json!("2020-05-13T23:30:00-02:00");
        assert_eq!(api(kind, one(late.clone())), Ok(json!("2020-05-14")));
        assert_eq!(person(kind, json!("2026-12-02")), Ok(json!("2026-12-02")));
        assert_eq!(person(kind, late), Ok(json!("2020-05-14")));
        let wrong = refusal(person(kind, json!("02.12.2026")));
        assert!(
            wrong.contains("02.12.2026") && wrong.contains("YYYY-MM-DD"),
            "{wrong}"
        );
        assert!(person(kind, json!("2026-02-30")).is_err());
        assert!(person(kind, json!(1589390333)).is_err());
        let midnight = 1_796_169_600; // 2026-12-02T00:00:00Z
        assert_eq!(
            to_api(&def(kind, &[]), &json!("2026-12-02")),
            Ok(one(json!(midnight)))
        );
    }
}

#[test]
fn date_times_are_utc_seconds_without_fractions() {
    let kind = "date_time";
    assert_eq!(
        api(kind, one(json!(1589390333))),
        Ok(json!("2020-05-13T17:18:53Z"))
    );
    assert_eq!(
        api(kind, one(json!(1589390333999_i64))),
        Ok(json!("2020-05-13T17:18:53Z"))
    );
    let offset = json!("2020-05-13T20:18:53.75+03:00");
    assert_eq!(
        api(kind, one(offset.clone())),
        Ok(json!("2020-05-13T17:18:53Z"))
    );
    assert_eq!(person(kind, offset), Ok(json!("2020-05-13T17:18:53Z")));
    assert_eq!(
        person(kind, json!("2026-12-02")),
        Ok(json!("2026-12-02T00:00:00Z"))
    );
    let naive = refusal(person(kind, json!("2026-12-02 10:00:00")));
    assert!(naive.contains("zone"), "{naive}");
    assert_eq!(
        api(kind, one(json!("2026-12-02 10:00:00"))),
        Ok(json!("2026-12-02T10:00:00Z"))
    );
    assert_eq!(
        to_api(&def(kind, &[]), &json!("2020-05-13T17:18:53Z")),
        Ok(one(json!(1589390333)))
    );
}

#[test]
fn a_choice_is_its_option_text_and_is_written_by_enum_id() {
    let options = [(10663, "Телефоны"), (10665, "Планшеты")];
    for kind in ["select", "radiobutton", "category"] {
        let field = def(kind, &options);
        let with_id = json!([{"value": "Телефоны", "enum_id": 10663}]);
        assert_eq!(api(kind, with_id), Ok(json!("Телефоны")), "{kind}");
        assert!(api(kind, json!([{"enum_id": 10663}])).is_err());
        assert_eq!(api(kind, json!([])), Ok(Value::Null));
        assert_eq!(
            from_person(&field, &json!(" Планшеты ")),
            Ok(json!("Планшеты"))
        );
        let wrong = refusal(from_person(&field, &json!("Ноутбуки")));
        assert!(
            wrong.contains("\"Ноутбуки\"") && wrong.contains("\"Телефоны\", \"Планшеты\""),
            "{wrong}"
        );
        assert_eq!(
            to_api(&field, &json!("Планшеты")),
            Ok(json!([{"enum_id": 10665}]))
        );
        assert!(to_api(&field, &json!("Ноутбуки")).is_err());
    }
}

#[test]
fn a_long_option_list_is_cut_in_a_refusal() {
    let many: Vec<(i64, String)> = (0..25).map(|i| (i, format!("o{i}"))).collect();
    let many: Vec<(i64, &str)> = many.iter().map(|(i, t)| (*i, t.as_str())).collect();
    let wrong = refusal(from_person(&def("select", &many), &json!("x")));
    assert!(
        wrong.contains("\"o9\" and 15 more") && !wrong.contains("o10"),
        "{wrong}"
    );
}

#[test]
fn a_multiselect_is_a_sorted_set_of_option_texts() {
    let field = def("multiselect", &[(1, "b"), (2, "a"), (3, "c")]);
    let values = json!([{"value": "b", "enum_id": 1}, {"value": "a"}, {"value": "b"}]);
    assert_eq!(from_api(&field.kind, &values), Ok(json!(["a", "b"])));
    assert_eq!(from_api(&field.kind, &json!([])), Ok(Value::Null));
    assert!(from_api(&field.kind, &json!([{"enum_id": 1}])).is_err());
    assert_eq!(
        from_person(&field, &json!(["c", "a", "c"])),
        Ok(json!(["a", "c"]))
    );
    assert_eq!(from_person(&field, &json!("b")), Ok(json!(["b"])));
    assert_eq!(
        from_person(&field, &json!("[\"c\",\"b\"]")),
        Ok(json!(["b", "c"]))
    );
    assert_eq!(from_person(&field, &json!([])), Ok(Value::Null));
    assert!(refusal(from_person(&field, &json!(["a", "z"]))).contains("\"z\""));
    assert_eq!(
        to_api(&field, &json!(["c", "a"])),
        Ok(json!([{"enum_id": 2}, {"enum_id": 3}]))
    );
}

#[test]
fn other_types_keep_the_values_array_as_received() {
    let items = json!([{"value": {"sku": "A1", "quantity": 2}}, {"value": {"sku": "B"}}]);
    for kind in [
        "items",
        "linked_entity",
        "payer",
        "supplier",
        "file",
        "chained_list",
    ] {
        assert_eq!(FieldKind::parse(kind).shape(), Shape::Raw, "{kind}");
        assert_eq!(api(kind, items.clone()), Ok(items.clone()), "{kind}");
        assert_eq!(api(kind, json!([])), Ok(Value::Null));
        assert_eq!(person(kind, items.clone()), Ok(items.clone()));
        assert_eq!(person(kind, json!(items.to_string())), Ok(items.clone()));
        assert_eq!(to_api(&def(kind, &[]), &items), Ok(items.clone()));
    }
}

#[test]
fn other_types_keep_values_that_are_not_an_array_raw_on_every_way() {
    let object = json!({"0": {"value": {"sku": "A1"}}, "extra": [1, {"b": 2, "a": 1}]});
    for values in [object, json!("A1"), json!(42), json!(true), json!([1, "x"])] {
        assert_eq!(api("payer", values.clone()), Ok(values.clone()), "{values}");
        assert_eq!(
            person("payer", values.clone()),
            Ok(values.clone()),
            "{values}"
        );
        assert_eq!(to_api(&def("payer", &[]), &values), Ok(values.clone()));
    }
    let view_text = json!(r#"{"0": {"value": 1}}"#);
    assert_eq!(person("payer", view_text), Ok(json!({"0": {"value": 1}})));
    assert_eq!(api("payer", json!({})), Ok(Value::Null));
    assert_eq!(person("payer", json!({})), Ok(Value::Null));
}

#[test]
fn null_is_empty_for_every_shape_and_clears_when_written() {
    for kind in [
        "text",
        "numeric",
        "date",
        "date_time",
        "select",
        "multiselect",
        "items",
    ] {
        assert_eq!(person(kind, Value::Null), Ok(Value::Null), "{kind}");
        assert_eq!(
            to_api(&def(kind, &[]), &Value::Null),
            Ok(Value::Null),
            "{kind}"
        );
    }
}

#[test]
fn values_that_are_not_an_array_are_refused_or_read_as_php_objects() {
    assert!(api("text", json!("dsg")).is_err());
    assert_eq!(
        api("text", json!({"0": {"value": "dsg"}})),
        Ok(json!("dsg"))
    );
}

#[test]
fn fill_known_sets_the_empty_value_of_every_absent_field_only() {
    let mut fields = ElementFields::named("a".into());
    fields.values.insert(1, json!("kept"));
    let mut text = def("text", &[]);
    text.id = 1;
    let mut flag = def("checkbox", &[]);
    flag.id = 2;
    let mut number = def("numeric", &[]);
    number.id = 3;
    fill_known(&mut fields, &[text, flag, number]);
    let expected = [(1, json!("kept")), (2, json!(false)), (3, Value::Null)];
    assert_eq!(fields.values, expected.into_iter().collect());
}
