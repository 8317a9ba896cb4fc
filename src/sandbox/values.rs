//! Custom field values: reading what a client writes (`{field_id, values:[...]}`) into what the
//! account stores, and rendering it back the way amoCRM does (numbers as strings, options as
//! `{value, enum_id, enum_code}`, dates as unix seconds).
//!
//! Pure. Errors carry the dot path of the offending part of the item, as amoCRM's
//! `validation-errors` do.

use chrono::DateTime;
use serde_json::{Map, Value, json};

use super::fields::SandboxField;
use super::invalid::FieldError;

/// One stored value of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    Text(String),
    /// The decimal text of a numeric, price or monetary value.
    Number(String),
    Flag(bool),
    /// An option's id (an enum, or a category's nested option).
    Choice(i64),
    /// Unix seconds.
    Date(i64),
    /// A value of items, linked_entity, payer, supplier or file, kept verbatim.
    Object(Value),
}

/// How a field type takes and gives values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Text,
    Number,
    Flag,
    Single,
    Multi,
    Category,
    Date,
    Object,
}

fn class_of(kind: &str) -> Class {
    match kind {
        "numeric" | "price" | "monetary" => Class::Number,
        "checkbox" => Class::Flag,
        "select" | "radiobutton" => Class::Single,
        "multiselect" => Class::Multi,
        "category" => Class::Category,
        "date" | "date_time" | "birthday" => Class::Date,
        "items" | "linked_entity" | "payer" | "supplier" | "file" => Class::Object,
        _ => Class::Text,
    }
}

/// Reads the `values` of one write for `field`; `Ok(None)` clears the field (`null` or `[]`).
/// `at` is the path of the write, e.g. `custom_fields_values.3`.
pub fn parse(
    field: &SandboxField,
    values: &Value,
    at: &str,
) -> Result<Option<Vec<Stored>>, Vec<FieldError>> {
    let entries = match values {
        Value::Null => return Ok(None),
        Value::Array(entries) if entries.is_empty() => return Ok(None),
        Value::Array(entries) => entries,
        _ => {
            let e = FieldError::new(
                "InvalidType",
                format!("{at}.values"),
                "values must be an array",
            );
            return Err(vec![e]);
        }
    };
    let class = class_of(&field.kind);
    let mut stored = Vec::with_capacity(entries.len());
    let mut errors = Vec::new();
    for (j, entry) in entries.iter().enumerate() {
        match parse_entry(field, class, entry, &format!("{at}.values.{j}")) {
            Ok(v) if !stored.contains(&v) => stored.push(v),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    let single = matches!(class, Class::Single | Class::Category | Class::Flag);
    if errors.is_empty() && single && stored.len() > 1 {
        let detail = format!("a {} field takes one value", field.kind);
        errors.push(FieldError::new(
            "InvalidCount",
            format!("{at}.values"),
            detail,
        ));
    }
    if errors.is_empty() {
        Ok(Some(stored))
    } else {
        Err(errors)
    }
}

fn parse_entry(
    field: &SandboxField,
    class: Class,
    entry: &Value,
    at: &str,
) -> Result<Stored, FieldError> {
    let Value::Object(entry) = entry else {
        return Err(FieldError::new(
            "InvalidType",
            at,
            "a value must be an object",
        ));
    };
    match class {
        Class::Single | Class::Multi | Class::Category => choice(field, entry, at),
        Class::Object => Ok(Stored::Object(Value::Object(entry.clone()))),
        _ => {
            let at = format!("{at}.value");
            let value = entry.get("value").filter(|v| !v.is_null());
            let value =
                value.ok_or_else(|| FieldError::new("NotBlank", &at, "value is required"))?;
            scalar(class, value).ok_or_else(|| {
                let detail = format!("{value} is not a valid {} value", field.kind);
                FieldError::new("InvalidType", at, detail)
            })
        }
    }
}

fn scalar(class: Class, value: &Value) -> Option<Stored> {
    match (class, value) {
        (Class::Text, Value::String(s)) => Some(Stored::Text(s.clone())),
        (Class::Text, Value::Number(n)) => Some(Stored::Text(n.to_string())),
        (Class::Number, Value::Number(n)) => Some(Stored::Number(n.to_string())),
        (Class::Number, Value::String(s)) => {
            let s = s.trim();
            let ok = s.parse::<f64>().is_ok_and(f64::is_finite);
            ok.then(|| Stored::Number(s.to_string()))
        }
        (Class::Flag, Value::Bool(b)) => Some(Stored::Flag(*b)),
        (Class::Date, Value::Number(n)) => n.as_i64().map(Stored::Date),
        (Class::Date, Value::String(s)) => date_text(s.trim()).map(Stored::Date),
        _ => None,
    }
}

/// Unix seconds as digits, or RFC 3339 text.
fn date_text(s: &str) -> Option<i64> {
    s.parse::<i64>()
        .ok()
        .or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp()))
}

/// An option by `enum_id`, `enum_code` or its text (`value`), in that order of preference.
fn choice(
    field: &SandboxField,
    entry: &Map<String, Value>,
    at: &str,
) -> Result<Stored, FieldError> {
    let not_a_choice = |key: &str| {
        let detail = "The value you selected is not a valid choice.";
        FieldError::new("NotSupportedChoice", format!("{at}.{key}"), detail)
    };
    let options = options_of(field);
    let found = if let Some(raw) = entry.get("enum_id").filter(|v| !v.is_null()) {
        let id = id_of(raw);
        options
            .iter()
            .find(|o| Some(o.0) == id)
            .ok_or_else(|| not_a_choice("enum_id"))?
    } else if let Some(raw) = entry.get("enum_code").filter(|v| !v.is_null()) {
        let code = raw.as_str();
        options
            .iter()
            .find(|o| o.2.is_some() && o.2 == code)
            .ok_or_else(|| not_a_choice("enum_code"))?
    } else {
        let text = entry.get("value").and_then(Value::as_str);
        options
            .iter()
            .find(|o| Some(o.1) == text)
            .ok_or_else(|| not_a_choice("value"))?
    };
    Ok(Stored::Choice(found.0))
}

/// A field's options as (id, text, code): its enums, or a category's nested options.
fn options_of(field: &SandboxField) -> Vec<(i64, &str, Option<&str>)> {
    if field.kind == "category" {
        let nested = field.nested.iter().flatten();
        return nested.map(|n| (n.id, n.value.as_str(), None)).collect();
    }
    let enums = field.enums.iter().flatten();
    enums
        .map(|e| (e.id, e.value.as_str(), e.code.as_deref()))
        .collect()
}

fn id_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The `custom_fields_values[]` entry for `field`; `None` when nothing of it can be shown.
pub fn render(field: &SandboxField, stored: &[Stored]) -> Option<Value> {
    let values: Vec<Value> = stored.iter().filter_map(|v| render_one(field, v)).collect();
    if values.is_empty() {
        return None;
    }
    Some(json!({
        "field_id": field.id,
        "field_name": field.name,
        "field_code": field.code,
        "field_type": field.kind,
        "values": values,
    }))
}

fn render_one(field: &SandboxField, value: &Stored) -> Option<Value> {
    Some(match value {
        Stored::Text(s) | Stored::Number(s) => json!({"value": s}),
        Stored::Flag(b) => json!({"value": b}),
        Stored::Date(t) => json!({"value": t}),
        Stored::Object(v) => v.clone(),
        Stored::Choice(id) if field.kind == "category" => {
            let n = field.nested_by_id(*id)?;
            json!({"value": n.value, "enum_id": n.id})
        }
        Stored::Choice(id) => {
            let e = field.enum_by_id(*id)?;
            json!({"value": e.value, "enum_id": e.id, "enum_code": e.code})
        }
    })
}

/// A value as a person types it, in the write form: a bare scalar becomes `[{"value": it}]`, an
/// array of scalars one entry each (a multiselect's texts), objects stay; `null` stays (clears).
pub fn from_ui(value: Value) -> Value {
    let entry = |v: Value| match v {
        Value::Object(_) => v,
        other => json!({ "value": other }),
    };
    match value {
        Value::Null => Value::Null,
        Value::Array(items) => Value::Array(items.into_iter().map(entry).collect()),
        other => Value::Array(vec![entry(other)]),
    }
}

#[cfg(test)]
#[path = "values_tests.rs"]
mod tests;
