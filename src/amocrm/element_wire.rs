//! Elements as `GET /api/v4/catalogs/{id}/elements` (and the answers to element writes) send
//! them, read tolerantly into [`RemoteElement`].
//!
//! An element needs a usable id and a name (without them it cannot be matched, and leaving it
//! out would look like a deletion). Everything else is optional. `is_deleted: true` elements are
//! left out; each custom field value goes through [`canon::from_api`] with the entry's own
//! `field_type`, and an entry that cannot be read is left out of `fields` with one warning (the
//! element stays, and its `raw_json` keeps everything, keys in the order received): one odd
//! value never fails a pull.

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::ApiError;
use super::wire::{bad, elements, flag, int, text, timestamp};
use crate::element::{ElementFields, FieldId, FieldKind, RemoteElement, canon};
use crate::record::RemoteId;

/// One element of a page; `Ok((id, None))` for an element in the trash (`is_deleted: true`).
pub(crate) fn element(
    index: usize,
    item: &Value,
) -> Result<(RemoteId, Option<RemoteElement>), ApiError> {
    let raw_json = item.to_string();
    if !item.is_object() {
        return Err(bad(format!(
            "element #{index} is not an object: {raw_json}"
        )));
    }
    let id = item
        .get("id")
        .and_then(int)
        .filter(|id| *id > 0)
        .ok_or_else(|| bad(format!("element #{index} has no usable id: {raw_json}")))?;
    let name = item.get("name").and_then(text).ok_or_else(|| {
        bad(format!(
            "element #{index} (id {id}) has no name: {raw_json}"
        ))
    })?;
    let deleted = item.get("is_deleted").filter(|v| !v.is_null());
    match deleted.map(|v| (v, flag(v))) {
        Some((_, Some(true))) => return Ok((id, None)),
        Some((v, None)) => {
            tracing::warn!(element = id, value = %v, "unreadable is_deleted; element kept")
        }
        _ => {}
    }
    let read = |key: &str, how: fn(&Value) -> Option<i64>| {
        let v = item.get(key).filter(|v| !v.is_null())?;
        let read = how(v);
        if read.is_none() {
            tracing::warn!(element = id, field = key, value = %v, "unreadable field treated as unknown");
        }
        read
    };
    let element = RemoteElement {
        id,
        fields: ElementFields {
            name,
            values: values(id, item.get("custom_fields_values")),
        },
        created_by: read("created_by", int),
        created_at: read("created_at", timestamp),
        updated_at: read("updated_at", timestamp),
        raw_json,
    };
    Ok((id, Some(element)))
}

/// The canonical values of `custom_fields_values` (null or absent: none).
fn values(element: RemoteId, entries: Option<&Value>) -> BTreeMap<FieldId, Value> {
    let mut values = BTreeMap::new();
    let Some(entries) = entries.filter(|v| !v.is_null()) else {
        return values;
    };
    let Some(entries) = elements(entries) else {
        tracing::warn!(element, value = %entries, "custom_fields_values is not a list; ignored");
        return values;
    };
    for entry in entries {
        match value(entry) {
            Ok((field, value)) => {
                if values.insert(field, value).is_some() {
                    tracing::warn!(element, field, "a field listed twice; the last value kept");
                }
            }
            Err(why) => {
                tracing::warn!(element, entry = %entry, %why, "custom field value left out")
            }
        }
    }
    values
}

fn value(entry: &Value) -> Result<(FieldId, Value), String> {
    let field = entry
        .get("field_id")
        .and_then(int)
        .ok_or("the entry has no field_id")?;
    let kind = entry
        .get("field_type")
        .and_then(text)
        .ok_or("the entry has no field_type")?;
    let values = entry.get("values").unwrap_or(&Value::Null);
    let value = canon::from_api(&FieldKind::parse(&kind), values)?;
    Ok((field, value))
}

#[cfg(test)]
#[path = "element_wire_tests.rs"]
mod tests;
