//! v4 validation: the 400 `validation-errors` answer, the `request_id` every item is known by,
//! and the switch that decides what a 400 does to the valid items of the same batch.
//!
//! Pure. amoCRM does not document whether the other items of a batch that earned a 400 were
//! applied, so the sandbox can play it both ways ([`Validation400`]); a client must cope with
//! either.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Items one v4 write request may carry.
pub const MAX_ITEMS: usize = 250;

/// What a 400 does to the rest of its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validation400 {
    /// Nothing of the batch is applied (the default).
    #[default]
    RejectsAll,
    /// The valid items are applied; the answer is still only the 400.
    AppliesValid,
}

impl Validation400 {
    /// Whether the valid items are applied when `rejected` items failed.
    pub fn applies_valid_items(self, rejected: usize) -> bool {
        rejected == 0 || self == Validation400::AppliesValid
    }

    /// Splits checked items into what to apply (with its request_id) and who was rejected.
    pub fn settle<T>(self, items: Vec<Checked<T>>) -> Settled<T> {
        let mut settled = Settled {
            apply: Vec::new(),
            rejected: Vec::new(),
        };
        for item in items {
            match item.result {
                Ok(change) => settled.apply.push((item.request_id, change)),
                Err(errors) => settled.rejected.push(Rejected {
                    request_id: item.request_id,
                    errors,
                }),
            }
        }
        if !self.applies_valid_items(settled.rejected.len()) {
            settled.apply.clear();
        }
        settled
    }
}

/// One problem with one item: `path` is a dot path into the item (`custom_fields_values.0.values.0.value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub code: &'static str,
    pub path: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(code: &'static str, path: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            code,
            path: path.into(),
            detail: detail.into(),
        }
    }
}

/// An item of a batch after checking.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked<T> {
    pub request_id: String,
    pub result: Result<T, Vec<FieldError>>,
}

/// A refused item and everything wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub request_id: String,
    pub errors: Vec<FieldError>,
}

/// A batch split by [`Validation400::settle`].
#[derive(Debug)]
pub struct Settled<T> {
    pub apply: Vec<(String, T)>,
    pub rejected: Vec<Rejected>,
}

/// Why a whole v4 write body was refused before any item was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyRefused {
    /// Not JSON at all: plain problem JSON.
    Malformed(String),
    /// JSON, but not an array of at most [`MAX_ITEMS`]: a `validation-errors` answer.
    Invalid(Rejected),
}

/// Reads a v4 write body: a JSON array of at most [`MAX_ITEMS`] items.
pub fn array_body(body: &[u8]) -> Result<Vec<Value>, BodyRefused> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| BodyRefused::Malformed(format!("malformed JSON body: {e}")))?;
    let whole = |code, detail: &str| {
        BodyRefused::Invalid(Rejected {
            request_id: "0".into(),
            errors: vec![FieldError::new(code, "", detail)],
        })
    };
    match value {
        Value::Array(items) if items.len() > MAX_ITEMS => {
            Err(whole("TooManyItems", "a request takes at most 250 items"))
        }
        Value::Array(items) => Ok(items),
        _ => Err(whole("InvalidType", "the body must be a JSON array")),
    }
}

/// The item's `request_id` as text (a number is sent back as its digits); its index when absent.
pub fn request_id(item: &Value, index: usize) -> String {
    match item.get("request_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => index.to_string(),
    }
}

/// Whether the item carried a `request_id` of its own.
pub fn sent_request_id(item: &Value) -> bool {
    matches!(
        item.get("request_id"),
        Some(Value::String(_) | Value::Number(_))
    )
}

/// The body of the 400, in the shape of the captured sample.
pub fn validation_body(rejected: &[Rejected]) -> Value {
    let items: Vec<Value> = rejected
        .iter()
        .map(|r| {
            let errors: Vec<Value> = r
                .errors
                .iter()
                .map(|e| json!({"code": e.code, "path": e.path, "detail": e.detail}))
                .collect();
            json!({"request_id": r.request_id, "errors": errors})
        })
        .collect();
    json!({
        "validation-errors": items,
        "title": "Bad Request",
        "type": "https://httpstatus.es/400",
        "status": 400,
        "detail": "Request validation failed",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(request_id: &str, ok: bool) -> Checked<u8> {
        Checked {
            request_id: request_id.into(),
            result: if ok {
                Ok(1)
            } else {
                Err(vec![FieldError::new("NotBlank", "name", "empty")])
            },
        }
    }

    #[test]
    fn rejects_all_applies_nothing_once_one_item_fails() {
        let s = Validation400::RejectsAll.settle(vec![checked("a", true), checked("b", false)]);
        assert!(s.apply.is_empty());
        assert_eq!(s.rejected.len(), 1);
        assert_eq!(s.rejected[0].request_id, "b");
    }

    #[test]
    fn applies_valid_keeps_the_valid_items_and_still_reports_the_rejected() {
        let s = Validation400::AppliesValid.settle(vec![checked("a", true), checked("b", false)]);
        assert_eq!(s.apply, vec![("a".to_string(), 1)]);
        assert_eq!(s.rejected.len(), 1);
    }

    #[test]
    fn a_clean_batch_applies_whole_in_both_modes() {
        for mode in [Validation400::RejectsAll, Validation400::AppliesValid] {
            let s = mode.settle(vec![checked("a", true), checked("b", true)]);
            assert_eq!(s.apply.len(), 2);
            assert!(s.rejected.is_empty());
        }
    }

    #[test]
    fn request_ids_come_back_as_text_and_default_to_the_index() {
        assert_eq!(request_id(&json!({"request_id": "x-1"}), 4), "x-1");
        assert_eq!(request_id(&json!({"request_id": 17}), 4), "17");
        assert_eq!(request_id(&json!({"name": "a"}), 4), "4");
        assert!(!sent_request_id(&json!({"request_id": null})));
    }

    #[test]
    fn a_body_must_be_an_array_of_at_most_250_items() {
        assert!(matches!(array_body(b"{"), Err(BodyRefused::Malformed(_))));
        let Err(BodyRefused::Invalid(r)) = array_body(br#"{"name":"a"}"#) else {
            panic!("an object is not an array");
        };
        assert_eq!(r.errors[0].code, "InvalidType");
        let many = Value::Array(vec![json!({}); 251]).to_string();
        assert!(matches!(
            array_body(many.as_bytes()),
            Err(BodyRefused::Invalid(_))
        ));
        let ok = Value::Array(vec![json!({}); 250]).to_string();
        assert_eq!(array_body(ok.as_bytes()).unwrap().len(), 250);
    }

    #[test]
    fn the_400_body_has_the_shape_of_the_captured_sample() {
        let body = validation_body(&[Rejected {
            request_id: "0".into(),
            errors: vec![FieldError::new(
                "NotSupportedChoice",
                "custom_fields_values.6.values.0.value",
                "The value you selected is not a valid choice.",
            )],
        }]);
        let sample: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/amocrm/v4-validation-errors-400-custom-field-captured.json"
        ))
        .unwrap();
        assert_eq!(body, sample);
    }
}
