//! Canonical values (SPEC §6): the one form each custom field value is compared and stored in.
//!
//! Values come in three ways: from the API (`custom_fields_values[].values`, numbers as strings,
//! dates as unix seconds in seconds or milliseconds, options with or without `enum_id`), from a
//! person (`desired_elements.fields` or a view: numbers as text, checkboxes as 0/1, options by
//! their text) and go out to the API again. Whatever the spelling, one value has one canonical
//! form, so that equal values compare equal and a run after a push finds nothing to send.
//!
//! By [`Shape`]: text → a string, number → a JSON number (integral values as integers), flag →
//! `true`/`false`, date → `YYYY-MM-DD` (UTC), date-time → `YYYY-MM-DDTHH:MM:SSZ` (UTC), choice
//! → the option's text, choices → the sorted, de-duplicated option texts, raw → the API's
//! `values` as received (an array as a rule, but an object or a bare value is kept just the
//! same). An empty value is JSON null (`false` for a checkbox).
//! Pure functions, no I/O.

mod choice;
mod scalar;

pub(crate) use scalar::flag;
mod time;

use serde_json::{Value, json};

use super::{ElementFields, FieldDef, FieldKind, Shape};

/// The API's `values` array of one `custom_fields_values[]` entry, in canonical form.
///
/// The `Err` says why the entry cannot be read; the caller leaves that one value out.
pub fn from_api(kind: &FieldKind, values: &Value) -> Result<Value, String> {
    if kind.shape() == Shape::Raw {
        // Whatever it is (an array, an object, a bare value), it is passed back as received.
        return Ok(choice::raw_from_api(values));
    }
    let entries: Vec<&Value> = match values {
        Value::Null => return Ok(empty(kind)),
        Value::Array(a) => a.iter().collect(),
        // PHP may encode a list as an object with keys.
        Value::Object(o) => o.values().collect(),
        other => return Err(format!("values is {other}, not an array")),
    };
    let first = entries.first().and_then(|e| value_of(e));
    match kind.shape() {
        Shape::Text => scalar::text_from_api(first),
        Shape::Number => first.map_or(Ok(Value::Null), scalar::number_from_api),
        Shape::Flag => first.map_or(Ok(Value::Bool(false)), scalar::flag_from_api),
        Shape::Date => first.map_or(Ok(Value::Null), time::date_from_api),
        Shape::DateTime => first.map_or(Ok(Value::Null), time::date_time_from_api),
        Shape::Choice => choice::one_from_api(entries.first().copied()),
        Shape::Choices => choice::many_from_api(&entries),
        Shape::Raw => Ok(choice::raw_from_api(values)),
    }
}

/// A canonical value as the API takes it for writing: the `values` array, or JSON null to clear.
///
/// The value goes through [`from_person`] first, so a value in another spelling is written as
/// its canonical form, and one the field cannot hold is refused with the same message.
pub fn to_api(def: &FieldDef, value: &Value) -> Result<Value, String> {
    let canonical = from_person(def, value)?;
    if canonical.is_null() {
        return Ok(Value::Null);
    }
    Ok(match def.kind.shape() {
        Shape::Text | Shape::Number | Shape::Flag => json!([{ "value": canonical }]),
        Shape::Date => json!([{ "value": time::date_seconds(&canonical)? }]),
        Shape::DateTime => json!([{ "value": time::date_time_seconds(&canonical)? }]),
        Shape::Choice | Shape::Choices => choice::to_api(def, &canonical)?,
        Shape::Raw => canonical,
    })
}

/// A value a person wrote (desired_elements.fields, or through a view) in canonical form, or why
/// the field cannot hold it: the message names the value and what would be accepted.
///
/// JSON null ("clear it") is the canonical empty value of every field. Idempotent: a canonical
/// value comes back unchanged.
pub fn from_person(def: &FieldDef, value: &Value) -> Result<Value, String> {
    if value.is_null() {
        return Ok(empty(&def.kind));
    }
    match def.kind.shape() {
        Shape::Text => scalar::text_from_person(value),
        Shape::Number => scalar::number_from_person(value),
        Shape::Flag => scalar::flag_from_person(value),
        Shape::Date => time::date_from_person(value),
        Shape::DateTime => time::date_time_from_person(value),
        Shape::Choice => choice::one_from_person(def, value),
        Shape::Choices => choice::many_from_person(def, value),
        Shape::Raw => choice::raw_from_person(value),
    }
}

/// Sets the canonical empty value for every field in `defs` that `fields` has no value for (the
/// account omits empty fields from an element, so absent means empty once the fields are known).
pub fn fill_known(fields: &mut ElementFields, defs: &[FieldDef]) {
    for def in defs {
        fields
            .values
            .entry(def.id)
            .or_insert_with(|| empty(&def.kind));
    }
}

/// The canonical empty value of a field: `false` for a checkbox, null for every other shape.
pub fn empty(kind: &FieldKind) -> Value {
    match kind.shape() {
        Shape::Flag => Value::Bool(false),
        _ => Value::Null,
    }
}

/// The `value` of one entry of `values` (`{"value": ..}`), or the entry itself when the API sent
/// a bare scalar; `None` when there is none.
fn value_of(entry: &Value) -> Option<&Value> {
    match entry {
        Value::Object(o) => o.get("value").filter(|v| !v.is_null()),
        Value::Null => None,
        scalar => Some(scalar),
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
