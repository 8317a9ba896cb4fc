//! Which custom fields a pull's elements carry, under which name and type: read from each
//! element's `raw_json` (only `custom_fields_values[].field_id/field_name/field_type`), so that
//! a run can tell when the catalog's field list must be pulled again.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::wire::{int, text};
use crate::element::{FieldId, RemoteElement};

/// A field as an element's values name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenField {
    pub name: String,
    pub kind: String,
}

#[derive(Deserialize)]
struct Element {
    #[serde(default)]
    custom_fields_values: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    field_id: Option<Value>,
    field_name: Option<Value>,
    field_type: Option<Value>,
}

/// Every field the elements' values name; an element whose `raw_json` cannot be read adds
/// nothing (its values were read when it was pulled).
pub fn seen_fields(elements: &[RemoteElement]) -> BTreeMap<FieldId, SeenField> {
    let mut seen = BTreeMap::new();
    for e in elements {
        let Ok(element) = serde_json::from_str::<Element>(&e.raw_json) else {
            continue;
        };
        for entry in element.custom_fields_values.into_iter().flatten() {
            let Some(id) = entry.field_id.as_ref().and_then(int) else {
                continue;
            };
            seen.entry(id).or_insert_with(|| SeenField {
                name: entry.field_name.as_ref().and_then(text).unwrap_or_default(),
                kind: entry.field_type.as_ref().and_then(text).unwrap_or_default(),
            });
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::ElementFields;
    use crate::record::Record;

    fn element(raw: &str) -> RemoteElement {
        RemoteElement {
            raw_json: raw.into(),
            ..RemoteElement::new(1, ElementFields::named("x".into()))
        }
    }

    #[test]
    fn fields_are_read_with_their_name_and_type_from_any_element() {
        let seen = seen_fields(&[
            element(r#"{"custom_fields_values": null}"#),
            element(
                r#"{"custom_fields_values":[{"field_id":"271211","field_name":"Цена","field_type":"price","values":[{"value":"12"}]}]}"#,
            ),
            element("not json"),
        ]);
        assert_eq!(
            seen.get(&271211),
            Some(&SeenField {
                name: "Цена".into(),
                kind: "price".into()
            })
        );
        assert_eq!(seen.len(), 1);
    }
}
