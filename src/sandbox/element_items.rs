//! The items of `POST`/`PATCH /api/v4/catalogs/{id}/elements`: checked against the catalog's
//! fields (and, for a patch, its elements) into changes ready to apply, or into the errors a
//! 400 reports.
//!
//! Pure.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::elements::{ElementChange, FieldWrite};
use super::fields::SandboxField;
use super::invalid::{Checked, FieldError, request_id};
use super::values::{self, Stored};

/// A new element, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewElement {
    pub name: String,
    pub values: BTreeMap<i64, Vec<Stored>>,
}

/// A patch of an existing element, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    pub id: i64,
    pub change: ElementChange,
}

/// One item of a `POST`.
pub fn check_add(index: usize, raw: &Value, fields: &[SandboxField]) -> Checked<NewElement> {
    let result = object(raw).and_then(|item| {
        let name = name(item, true);
        let set = writes(item, fields);
        match (name, set) {
            (Ok(name), Ok(set)) => {
                let mut values = BTreeMap::new();
                for (field_id, v) in set {
                    match v {
                        Some(v) => values.insert(field_id, v),
                        None => values.remove(&field_id),
                    };
                }
                let name = name.unwrap_or_default();
                Ok(NewElement { name, values })
            }
            (name, set) => Err(errors([name.err(), set.err()])),
        }
    });
    Checked {
        request_id: request_id(raw, index),
        result,
    }
}

/// One item of a `PATCH`; `exists` tells whether the catalog has an element with that id.
pub fn check_patch(
    index: usize,
    raw: &Value,
    fields: &[SandboxField],
    exists: impl Fn(i64) -> bool,
) -> Checked<Patch> {
    let result = object(raw).and_then(|item| {
        let id = element_id(item, exists);
        let name = name(item, false);
        let set = writes(item, fields);
        match (id, name, set) {
            (Ok(id), Ok(name), Ok(set)) => Ok(Patch {
                id,
                change: ElementChange { name, set },
            }),
            (id, name, set) => Err(errors([id.err(), name.err(), set.err()])),
        }
    });
    Checked {
        request_id: request_id(raw, index),
        result,
    }
}

fn errors<const N: usize>(parts: [Option<Vec<FieldError>>; N]) -> Vec<FieldError> {
    parts.into_iter().flatten().flatten().collect()
}

fn object(raw: &Value) -> Result<&Map<String, Value>, Vec<FieldError>> {
    raw.as_object().ok_or_else(|| {
        vec![FieldError::new(
            "InvalidType",
            "",
            "an item must be an object",
        )]
    })
}

/// The name: required (and not blank) on add, optional on a patch.
fn name(item: &Map<String, Value>, required: bool) -> Result<Option<String>, Vec<FieldError>> {
    let blank = || {
        vec![FieldError::new(
            "NotBlank",
            "name",
            "This value should not be blank.",
        )]
    };
    match item.get("name") {
        None | Some(Value::Null) if required => Err(blank()),
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(blank()),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(vec![FieldError::new(
            "InvalidType",
            "name",
            "name must be a string",
        )]),
    }
}

fn element_id(
    item: &Map<String, Value>,
    exists: impl Fn(i64) -> bool,
) -> Result<i64, Vec<FieldError>> {
    let id = match item.get("id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match id {
        Some(id) if exists(id) => Ok(id),
        Some(id) => Err(vec![FieldError::new(
            "NotFound",
            "id",
            format!("element {id} not found in this catalog"),
        )]),
        None => Err(vec![FieldError::new(
            "NotBlank",
            "id",
            "id must be an integer",
        )]),
    }
}

/// The item's `custom_fields_values`, each write resolved to a field; absent or null: none.
fn writes(
    item: &Map<String, Value>,
    fields: &[SandboxField],
) -> Result<Vec<FieldWrite>, Vec<FieldError>> {
    let list = match item.get("custom_fields_values") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => {
            let e = FieldError::new("InvalidType", "custom_fields_values", "must be an array");
            return Err(vec![e]);
        }
    };
    let mut set = Vec::with_capacity(list.len());
    let mut errors = Vec::new();
    for (i, write) in list.iter().enumerate() {
        let at = format!("custom_fields_values.{i}");
        match one_write(write, fields, &at) {
            Ok(w) => set.push(w),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}

fn one_write(
    write: &Value,
    fields: &[SandboxField],
    at: &str,
) -> Result<FieldWrite, Vec<FieldError>> {
    let unknown = |key: &str| {
        let detail = "The value you selected is not a valid choice.";
        vec![FieldError::new(
            "NotSupportedChoice",
            format!("{at}.{key}"),
            detail,
        )]
    };
    let Value::Object(write) = write else {
        return Err(vec![FieldError::new(
            "InvalidType",
            at,
            "must be an object",
        )]);
    };
    let field = match (write.get("field_id"), write.get("field_code")) {
        (Some(id), _) if !id.is_null() => {
            let id = id
                .as_i64()
                .or_else(|| id.as_str().and_then(|s| s.trim().parse().ok()));
            fields
                .iter()
                .find(|f| Some(f.id) == id)
                .ok_or_else(|| unknown("field_id"))?
        }
        (_, Some(Value::String(code))) => fields
            .iter()
            .find(|f| f.code.as_deref() == Some(code.as_str()))
            .ok_or_else(|| unknown("field_code"))?,
        _ => return Err(unknown("field_id")),
    };
    let Some(raw) = write.get("values") else {
        let e = FieldError::new("NotBlank", format!("{at}.values"), "values is required");
        return Err(vec![e]);
    };
    Ok((field.id, values::parse(field, raw, at)?))
}

#[cfg(test)]
#[path = "element_items_tests.rs"]
mod tests;
