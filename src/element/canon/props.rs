//! Properties: a canonical value written to the API and read back as amoCRM renders it is the
//! same value, and a canonical value is its own canonical form.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const KINDS: [&str; 17] = [
    "text",
    "textarea",
    "url",
    "streetaddress",
    "numeric",
    "price",
    "monetary",
    "checkbox",
    "date",
    "date_time",
    "birthday",
    "select",
    "radiobutton",
    "category",
    "multiselect",
    "items",
    "some_future_type",
];

fn field(kind: &str, texts: Vec<String>) -> FieldDef {
    let options: Vec<(i64, String)> = (100..).zip(texts).collect();
    FieldDef::new(1, 2, "f", kind).with_options(&options)
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1_000_000_000_000_000_i64..1_000_000_000_000_000).prop_map(Value::from),
        (-1e12..1e12_f64).prop_map(scalar_number),
        proptest::num::f64::NORMAL.prop_map(scalar_number),
    ]
}

/// The canonical form of a float, as `from_person` makes it.
fn scalar_number(f: f64) -> Value {
    let def = field("numeric", vec![]);
    from_person(&def, &json!(f)).unwrap()
}

/// A field and a canonical value for it (sometimes the empty one).
fn field_and_value() -> impl Strategy<Value = (FieldDef, Value)> {
    let texts = proptest::collection::btree_set("[a-zA-Zа-я0-9][a-zA-Zа-я0-9 ]{0,8}", 1..8);
    (proptest::sample::select(KINDS.to_vec()), texts).prop_flat_map(|(kind, texts)| {
        let texts: Vec<String> = texts.into_iter().collect();
        let def = field(kind, texts.clone());
        let value: BoxedStrategy<Value> = match def.kind.shape() {
            Shape::Text => ".{1,12}".prop_map(Value::String).boxed(),
            Shape::Number => number().boxed(),
            Shape::Flag => any::<bool>().prop_map(Value::Bool).boxed(),
            Shape::Date => (-2_208_988_800_i64..7_258_118_400)
                .prop_map(|s| {
                    json!(
                        chrono::DateTime::from_timestamp(s, 0)
                            .unwrap()
                            .format("%Y-%m-%d")
                            .to_string()
                    )
                })
                .boxed(),
            Shape::DateTime => (-2_208_988_800_i64..7_258_118_400)
                .prop_map(|s| {
                    json!(
                        chrono::DateTime::from_timestamp(s, 0)
                            .unwrap()
                            .format("%Y-%m-%dT%H:%M:%SZ")
                            .to_string()
                    )
                })
                .boxed(),
            Shape::Choice => proptest::sample::select(texts)
                .prop_map(Value::String)
                .boxed(),
            Shape::Choices => proptest::sample::subsequence(texts.clone(), 1..=texts.len())
                .prop_map(|mut chosen| {
                    chosen.sort();
                    json!(chosen)
                })
                .boxed(),
            Shape::Raw => prop_oneof![
                4 => proptest::collection::vec(
                    prop_oneof![
                        ".{0,6}".prop_map(|s| json!({ "value": s })),
                        any::<i32>().prop_map(|n| json!({ "value": n, "enum": "7" })),
                    ],
                    1..4,
                )
                .prop_map(Value::Array),
                // What a type this program does not know may send instead of an array.
                1 => ".{0,6}".prop_map(|s| json!({ "0": { "value": s } })),
                1 => "[a-z]{1,6}".prop_map(Value::String),
                1 => any::<i32>().prop_map(Value::from),
            ]
            .boxed(),
        };
        let empty = empty(&def.kind);
        let value = prop_oneof![1 => Just(empty), 6 => value];
        (Just(def), value)
    })
}

/// How amoCRM renders a stored value back: numbers as strings, options as their text and id,
/// dates as unix seconds; a cleared field is absent.
fn rendered(def: &FieldDef, written: &Value) -> Value {
    let Value::Array(entries) = written else {
        return match def.kind.shape() {
            Shape::Raw => written.clone(),
            _ => Value::Null,
        };
    };
    let entry = |e: &Value| match (def.kind.shape(), e.get("value"), e.get("enum_id")) {
        (Shape::Number, Some(n), _) => json!({ "value": n.to_string() }),
        (_, _, Some(id)) => {
            let option = def.options.iter().find(|o| json!(o.id) == *id).unwrap();
            json!({ "value": option.value, "enum_id": option.id })
        }
        _ => e.clone(),
    };
    Value::Array(entries.iter().map(entry).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_written_value_reads_back_as_itself((def, value) in field_and_value()) {
        let written = to_api(&def, &value).unwrap();
        let read = from_api(&def.kind, &rendered(&def, &written)).unwrap();
        prop_assert_eq!(read, value);
    }

    #[test]
    fn a_canonical_value_is_its_own_canonical_form((def, value) in field_and_value()) {
        prop_assert_eq!(from_person(&def, &value).unwrap(), value);
    }
}
