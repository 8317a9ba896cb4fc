//! The wire items of API v4 writes, built once and stored by the caller in its outbox before
//! they are sent. Each carries `"request_id": "0"`, a placeholder the caller replaces with its
//! outbox id (as a string) so that the answer can say which add got which id.

use serde_json::{Map, Value, json};

use super::batch::fields_json;
use crate::catalog::Fields;
use crate::element::{ElementFields, FieldDef, canon};
use crate::record::RemoteId;

/// The `request_id` every item is built with, for the caller to replace.
pub const REQUEST_ID_PLACEHOLDER: &str = "0";

/// An element to create: `{"name", "custom_fields_values": [..], "request_id": "0"}`. Empty
/// values are left out (a new element has none); `custom_fields_values` is left out when no
/// value remains. `Err` names the field that cannot take its value.
pub fn element_add_item(fields: &ElementFields, defs: &[FieldDef]) -> Result<Value, String> {
    let mut item = Map::new();
    item.insert("name".into(), json!(fields.name));
    insert_values(&mut item, fields, defs, false)?;
    item.insert("request_id".into(), json!(REQUEST_ID_PLACEHOLDER));
    Ok(Value::Object(item))
}

/// New values for an element: `{"id", "name", "custom_fields_values": [..], "request_id":
/// "0"}` with the values given (the caller passes the changed ones); an empty value becomes
/// `{"field_id": F, "values": null}`, which clears the field.
pub fn element_update_item(
    id: RemoteId,
    fields: &ElementFields,
    defs: &[FieldDef],
) -> Result<Value, String> {
    let mut item = Map::new();
    item.insert("id".into(), json!(id));
    item.insert("name".into(), json!(fields.name));
    insert_values(&mut item, fields, defs, true)?;
    item.insert("request_id".into(), json!(REQUEST_ID_PLACEHOLDER));
    Ok(Value::Object(item))
}

/// A catalog to create through v4: `{"name", "type"?, "can_*"?, "request_id": "0"}`; `sort` is
/// never sent (read-only in every mode, see `catalog.rs`).
pub fn catalog_add_item_v4(fields: &Fields) -> Value {
    let mut item = fields_json(fields);
    item.insert("request_id".into(), json!(REQUEST_ID_PLACEHOLDER));
    Value::Object(item)
}

/// New values for a catalog through v4: `{"id", "name", ..set fields, "request_id": "0"}`.
pub fn catalog_update_item_v4(id: RemoteId, fields: &Fields) -> Value {
    let mut item = Map::new();
    item.insert("id".into(), json!(id));
    item.extend(fields_json(fields));
    item.insert("request_id".into(), json!(REQUEST_ID_PLACEHOLDER));
    Value::Object(item)
}

/// `custom_fields_values`, by field id. `clear_empty`: an update clears an empty value, an add
/// leaves it out.
fn insert_values(
    item: &mut Map<String, Value>,
    fields: &ElementFields,
    defs: &[FieldDef],
    clear_empty: bool,
) -> Result<(), String> {
    let mut entries = Vec::new();
    for (&field_id, value) in &fields.values {
        let def = defs.iter().find(|d| d.id == field_id).ok_or_else(|| {
            format!("field {field_id} is not a field of this catalog (unknown field id)")
        })?;
        let named = |why: String| format!("field {field_id} {:?}: {why}", def.name);
        let canonical = canon::from_person(def, value).map_err(named)?;
        let values = if canonical == canon::empty(&def.kind) {
            if !clear_empty {
                continue;
            }
            Value::Null
        } else {
            canon::to_api(def, &canonical).map_err(named)?
        };
        entries.push(json!({ "field_id": field_id, "values": values }));
    }
    if !entries.is_empty() {
        item.insert("custom_fields_values".into(), Value::Array(entries));
    }
    Ok(())
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
