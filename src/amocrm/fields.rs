//! Custom fields of a catalog as `GET /api/v4/catalogs/{id}/custom_fields` describes them,
//! read tolerantly into [`FieldDef`]: options from `enums`, or from `nested` for a category.

use serde_json::Value;

use super::error::ApiError;
use super::wire::{bad, elements, flag, int, text};
use crate::element::{FieldDef, FieldKind, FieldOption};
use crate::record::RemoteId;

/// One custom field of catalog `catalog_id` (the `index`th of the list, for messages). Only an
/// id is required: a field without one cannot be told apart from the others.
pub(crate) fn field_def(
    catalog_id: RemoteId,
    index: usize,
    item: &Value,
) -> Result<FieldDef, ApiError> {
    let raw_json = item.to_string();
    let id = item
        .get("id")
        .and_then(int)
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            bad(format!(
                "custom field #{index} has no usable id: {raw_json}"
            ))
        })?;
    let name = item.get("name").and_then(text).unwrap_or_else(|| {
        tracing::warn!(field = id, "custom field without a name");
        String::new()
    });
    let kind = item.get("type").and_then(text).unwrap_or_default();
    let number = |key: &str| item.get(key).and_then(int);
    let yes = |key: &str| item.get(key).and_then(flag).unwrap_or(false);
    Ok(FieldDef {
        id,
        catalog_id: number("catalog_id").unwrap_or(catalog_id),
        name,
        code: item.get("code").and_then(text).filter(|c| !c.is_empty()),
        kind: FieldKind::parse(&kind),
        sort: number("sort"),
        is_required: yes("is_required"),
        is_api_only: yes("is_api_only"),
        options: options(id, item),
        raw_json,
    })
}

/// The field's `enums`, or, when it has none, its `nested` category options.
fn options(field: i64, item: &Value) -> Vec<FieldOption> {
    let list = |key: &str| {
        item.get(key)
            .and_then(elements)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|o| option(field, o))
            .collect::<Vec<_>>()
    };
    let enums = list("enums");
    if enums.is_empty() {
        list("nested")
    } else {
        enums
    }
}

fn option(field: i64, o: &Value) -> Option<FieldOption> {
    let id = o.get("id").and_then(int);
    let value = o.get("value").and_then(text);
    let (Some(id), Some(value)) = (id, value) else {
        tracing::warn!(field, option = %o, "option without id or text ignored");
        return None;
    };
    Some(FieldOption {
        id,
        value,
        code: o
            .get("code")
            .or_else(|| o.get("enum_code"))
            .and_then(text)
            .filter(|c| !c.is_empty()),
        parent_id: o.get("parent_id").and_then(int),
        sort: o.get("sort").and_then(int),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CAPTURED: &str = include_str!(
        "../../tests/fixtures/amocrm/v4-catalog-custom-fields-GET-captured-excerpt.json"
    );

    #[test]
    fn the_captured_category_field_takes_its_options_from_nested() {
        let root: Value = serde_json::from_str(CAPTURED).unwrap();
        let item = &root["_embedded"]["custom_fields"][0];
        let def = field_def(1, 0, item).unwrap();
        assert_eq!((def.id, def.catalog_id), (2235149, 11271));
        assert_eq!(
            (def.name.as_str(), def.code.as_deref()),
            ("Группа", Some("GROUP"))
        );
        assert_eq!(def.kind, FieldKind::Category);
        assert_eq!(def.sort, Some(511));
        assert!(!def.is_required && !def.is_api_only);
        let options: Vec<_> = def
            .options
            .iter()
            .map(|o| (o.id, o.value.as_str()))
            .collect();
        assert_eq!(options, vec![(6319, "popug"), (6321, "testtest")]);
        assert_eq!(def.options[0].sort, Some(0));
        let raw: Value = serde_json::from_str(&def.raw_json).unwrap();
        assert_eq!(&raw, item);
    }

    #[test]
    fn enums_numbers_as_strings_and_unknown_types_are_read() {
        let item = json!({"id": "77", "name": "Цвет", "type": "multiselect", "sort": "5",
            "is_required": 1, "enums": [{"id": "1", "value": "red", "sort": 1},
            {"value": "no id"}], "nested": [{"id": 9, "value": "ignored"}]});
        let def = field_def(3, 0, &item).unwrap();
        assert_eq!((def.id, def.catalog_id, def.sort), (77, 3, Some(5)));
        assert!(def.is_required);
        assert_eq!(def.options.len(), 1);
        assert_eq!(def.options[0].value, "red");
        let odd = field_def(3, 1, &json!({"id": 8, "type": "chained_list"})).unwrap();
        assert_eq!(odd.kind, FieldKind::Other("chained_list".into()));
        assert!(odd.options.is_empty());
    }

    #[test]
    fn a_field_without_an_id_is_a_bad_response() {
        let err = field_def(3, 4, &json!({"name": "x"})).unwrap_err();
        assert!(matches!(&err, ApiError::BadResponse { detail } if detail.contains("#4")));
    }
}
