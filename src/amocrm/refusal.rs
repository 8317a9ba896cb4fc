//! Item errors in API v4 answers: `validation-errors` of a 400 problem JSON, and
//! `_embedded.errors` that some 2xx answers carry.
//!
//! Accepted shapes (anything else is ignored with a warning, never an error):
//! - `validation-errors: [{"request_id": R, "errors": [{"code", "path", "detail"}]}]` (seen);
//!   an entry naming its item by `"id"` instead of `request_id` is accepted for updates;
//! - `_embedded.errors` as a list of such entries, or as an object keyed by index, id or
//!   `request_id` whose values are messages or such entries (the v2 envelope's shape).
//!
//! A message reads `<path>: <detail> (<code>)`, several of one item joined with `; `.

use serde_json::Value;

use super::wire::{elements, int, keyed_messages, text};
use super::written::{ItemError, Names, request_key};

/// The item errors of a 400 answer; `None` when it has no `validation-errors` list (then the
/// whole request was refused).
pub(crate) fn validation_errors(body: &str) -> Option<Vec<ItemError>> {
    let root: Value = serde_json::from_str(body).ok()?;
    let list = elements(root.get("validation-errors")?)?;
    Some(list.into_iter().filter_map(|e| entry(e, None)).collect())
}

/// The item errors under `_embedded.errors` of a 2xx answer (none when absent).
pub(crate) fn embedded_errors(root: &Value) -> Vec<ItemError> {
    let Some(errors) = root.pointer("/_embedded/errors") else {
        return Vec::new();
    };
    match errors {
        Value::Array(list) => list
            .iter()
            .enumerate()
            .filter_map(|(i, e)| entry(e, Some(i.to_string())))
            .collect(),
        Value::Object(keyed) => keyed
            .iter()
            .filter_map(|(key, e)| entry(e, Some(key.clone())))
            .collect(),
        _ => Vec::new(),
    }
}

/// One entry: an object naming its item, or a bare message under `key`.
fn entry(e: &Value, key: Option<String>) -> Option<ItemError> {
    let names = e
        .get("request_id")
        .and_then(request_key)
        .map(Names::RequestId)
        .or_else(|| e.get("id").and_then(int).map(Names::Id))
        .or_else(|| key.map(Names::Key));
    let Some(names) = names else {
        tracing::warn!(entry = %e, "an item error that names no item ignored");
        return None;
    };
    Some(ItemError {
        names,
        message: message(e),
    })
}

/// The readable text of one entry.
fn message(e: &Value) -> String {
    if let Some(s) = e.as_str() {
        return s.to_string();
    }
    let details: Vec<String> = e
        .get("errors")
        .and_then(elements)
        .unwrap_or_default()
        .into_iter()
        .map(one_error)
        .collect();
    if !details.is_empty() {
        return details.join("; ");
    }
    let fallback = ["detail", "message", "title"]
        .iter()
        .find_map(|k| e.get(*k).and_then(text));
    match fallback {
        Some(m) => m,
        None if e.is_object() => keyed_messages(e)
            .into_iter()
            .filter(|(k, _)| k != "request_id" && k != "id")
            .map(|(k, m)| format!("{k}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        None => e.to_string(),
    }
}

/// `<path>: <detail> (<code>)`, leaving out what is missing.
fn one_error(e: &Value) -> String {
    let get = |k: &str| e.get(k).and_then(text).filter(|s| !s.is_empty());
    let detail = get("detail").or_else(|| get("message")).unwrap_or_else(|| {
        if e.is_object() {
            "refused".into()
        } else {
            e.to_string()
        }
    });
    let mut out = match get("path") {
        Some(path) => format!("{path}: {detail}"),
        None => detail,
    };
    if let Some(code) = get("code") {
        out.push_str(&format!(" ({code})"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOCS_400: &str =
        include_str!("../../tests/fixtures/amocrm/v4-validation-errors-400-docs-example.json");
    const CAPTURED_400: &str = include_str!(
        "../../tests/fixtures/amocrm/v4-validation-errors-400-custom-field-captured.json"
    );

    #[test]
    fn the_captured_validation_errors_name_the_item_path_detail_and_code() {
        let errors = validation_errors(CAPTURED_400).unwrap();
        assert_eq!(
            errors,
            vec![ItemError {
                names: Names::RequestId("0".into()),
                message: "custom_fields_values.6.values.0.value: The value you selected is \
                          not a valid choice. (NotSupportedChoice)"
                    .into(),
            }]
        );
        assert_eq!(validation_errors(DOCS_400).unwrap().len(), 1);
    }

    #[test]
    fn a_400_without_validation_errors_has_none() {
        assert_eq!(
            validation_errors(r#"{"title":"Bad Request","detail":"x"}"#),
            None
        );
        assert_eq!(validation_errors("<html></html>"), None);
    }

    #[test]
    fn entries_by_id_and_several_errors_of_one_item_are_read() {
        let body = json!({"validation-errors": [
            {"id": "5", "errors": [{"path": "name", "detail": "empty", "code": "NotBlank"},
                                   {"detail": "too long"}]},
            {"errors": []}
        ]});
        let errors = validation_errors(&body.to_string()).unwrap();
        assert_eq!(
            errors,
            vec![ItemError {
                names: Names::Id(5),
                message: "name: empty (NotBlank); too long".into()
            }]
        );
    }

    #[test]
    fn embedded_errors_are_read_as_lists_or_keyed_objects() {
        let listed = json!({"_embedded": {"errors": [
            {"request_id": 7, "detail": "no"}, "plain message"]}});
        assert_eq!(
            embedded_errors(&listed),
            vec![
                ItemError {
                    names: Names::RequestId("7".into()),
                    message: "no".into()
                },
                ItemError {
                    names: Names::Key("1".into()),
                    message: "plain message".into()
                },
            ]
        );
        let keyed = json!({"_embedded": {"errors": {"3": "Element not found"}}});
        assert_eq!(
            embedded_errors(&keyed),
            vec![ItemError {
                names: Names::Key("3".into()),
                message: "Element not found".into()
            }]
        );
        assert!(embedded_errors(&json!({"_embedded": {"elements": []}})).is_empty());
    }
}
