//! One `POST /api/v2/catalogs` body: parsing it and applying it item by item.
//!
//! Pure. A body that is not a JSON object with array-valued `add`/`update`/`delete` fails as a
//! whole (HTTP 400); everything else is judged per item, like amoCRM does: failed items are
//! reported and the rest apply. Deletes run first, then updates, then adds.

use serde_json::{Map, Value};

use super::state::{CatalogPatch, Catalogs, NewCatalog, Origin};

/// The three lists of a request, items still raw JSON.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    pub add: Vec<Value>,
    pub update: Vec<Value>,
    pub delete: Vec<Value>,
}

/// A created catalog and the `request_id` it was sent with (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    pub id: i64,
    pub request_id: Option<Value>,
}

/// Per-item failures, keyed by the index in `add` or by the id in `update`/`delete`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ItemErrors {
    pub add: Vec<(String, String)>,
    pub update: Vec<(String, String)>,
    pub delete: Vec<(String, String)>,
}

impl ItemErrors {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.update.is_empty() && self.delete.is_empty()
    }
}

/// What one request did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    pub added: Vec<Added>,
    pub updated: Vec<i64>,
    pub deleted: Vec<i64>,
    pub errors: ItemErrors,
}

/// Reads a request body; `Err` is a message for a 400 answer.
pub fn parse(body: &[u8]) -> Result<Batch, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("malformed JSON body: {e}"))?;
    let Value::Object(map) = value else {
        return Err("the body must be a JSON object with add, update and/or delete".into());
    };
    Ok(Batch {
        add: list(&map, "add")?,
        update: list(&map, "update")?,
        delete: list(&map, "delete")?,
    })
}

fn list(map: &Map<String, Value>, key: &str) -> Result<Vec<Value>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(_) => Err(format!("\"{key}\" must be an array")),
    }
}

/// Applies a batch: deletes, then updates, then adds.
pub fn apply(catalogs: &mut Catalogs, batch: Batch, now: i64) -> Outcome {
    let mut out = Outcome::default();
    for raw in &batch.delete {
        let key = key_of(raw);
        match id_of(raw).ok_or_else(|| "id must be an integer".to_string()) {
            Ok(id) => match catalogs.delete(id) {
                Ok(()) => out.deleted.push(id),
                Err(e) => out.errors.delete.push((key, e.message)),
            },
            Err(e) => out.errors.delete.push((key, e)),
        }
    }
    for (index, raw) in batch.update.iter().enumerate() {
        let key = raw
            .get("id")
            .filter(|v| id_of(v).is_some())
            .map_or_else(|| index.to_string(), key_of);
        let updated = parse_update(raw).and_then(|(id, patch)| {
            catalogs
                .update(id, patch, now)
                .map(|()| id)
                .map_err(|e| e.message)
        });
        match updated {
            Ok(id) => out.updated.push(id),
            Err(e) => out.errors.update.push((key, e)),
        }
    }
    for (index, raw) in batch.add.iter().enumerate() {
        let result = parse_add(raw)
            .and_then(|new| catalogs.add(new, Origin::Api, now).map_err(|e| e.message));
        match result {
            Ok(id) => out.added.push(Added {
                id,
                request_id: raw.get("request_id").filter(|v| !v.is_null()).cloned(),
            }),
            Err(e) => out.errors.add.push((index.to_string(), e)),
        }
    }
    out
}

fn parse_add(raw: &Value) -> Result<NewCatalog, String> {
    let Value::Object(item) = raw else {
        return Err("an add item must be a JSON object".into());
    };
    let name = string_field(item, "name")?.ok_or("name is required")?;
    Ok(NewCatalog {
        name,
        kind: string_field(item, "type")?.unwrap_or_else(|| "regular".into()),
        sort: None,
        can_add_elements: bool_field(item, "can_add_elements")?,
        can_show_in_cards: bool_field(item, "can_show_in_cards")?,
        can_link_multiple: bool_field(item, "can_link_multiple")?,
    })
}

fn parse_update(raw: &Value) -> Result<(i64, CatalogPatch), String> {
    let Value::Object(item) = raw else {
        return Err("an update item must be a JSON object".into());
    };
    let id = id_of(item.get("id").ok_or("id is required")?).ok_or("id must be an integer")?;
    let name = string_field(item, "name")?.ok_or("name is required")?;
    let patch = CatalogPatch {
        name: Some(name),
        kind: string_field(item, "type")?,
        sort: None,
        can_add_elements: bool_field(item, "can_add_elements")?,
        can_show_in_cards: bool_field(item, "can_show_in_cards")?,
        can_link_multiple: bool_field(item, "can_link_multiple")?,
    };
    Ok((id, patch))
}

fn string_field(item: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match item.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

fn bool_field(item: &Map<String, Value>, key: &str) -> Result<Option<bool>, String> {
    match item.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(format!("{key} must be a boolean")),
    }
}

/// An id sent as a number or as a numeric string.
pub(super) fn id_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn key_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(catalogs: &mut Catalogs, body: Value) -> Outcome {
        let batch = parse(body.to_string().as_bytes()).unwrap();
        apply(catalogs, batch, 100)
    }

    #[test]
    fn a_body_that_is_not_an_object_of_arrays_fails_as_a_whole() {
        assert!(parse(b"{not json").is_err());
        assert!(parse(b"[1]").is_err());
        assert!(parse(br#"{"add":{"name":"x"}}"#).is_err());
        assert_eq!(parse(b"{}").unwrap(), Batch::default());
    }

    #[test]
    fn valid_items_apply_while_invalid_ones_are_reported_by_index_or_id() {
        let mut c = Catalogs::new(10);
        let out = run(
            &mut c,
            json!({"add":[{"name":"A","request_id":5},{"name":" "},{"name":"B","type":"products"}],
                   "update":[{"id":999,"name":"X"},{"name":"no id"}],
                   "delete":[12345]}),
        );
        assert_eq!(
            out.added,
            vec![Added {
                id: 7001,
                request_id: Some(json!(5))
            }]
        );
        let keys = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&out.errors.add), ["1", "2"]);
        assert_eq!(keys(&out.errors.update), ["999", "1"]);
        assert_eq!(keys(&out.errors.delete), ["12345"]);
        assert_eq!(c.list().len(), 1);
    }

    #[test]
    fn deletes_run_before_adds_so_a_full_account_can_swap_a_catalog() {
        let mut c = Catalogs::new(1);
        let first = run(&mut c, json!({"add":[{"name":"A"}]})).added[0].id;
        let out = run(
            &mut c,
            json!({"delete":[first.to_string()],"add":[{"name":"B"}]}),
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(c.list()[0].name, "B");
    }

    #[test]
    fn an_update_needs_a_name_and_a_well_typed_flag() {
        let mut c = Catalogs::new(10);
        let id = run(&mut c, json!({"add":[{"name":"A"}]})).added[0].id;
        let out = run(
            &mut c,
            json!({"update":[{"id":id},{"id":id,"name":"B","can_add_elements":"yes"},
                             {"id":id.to_string(),"name":"C","can_link_multiple":false}]}),
        );
        assert_eq!(out.errors.update.len(), 2);
        assert_eq!(out.updated, vec![id]);
        assert_eq!(c.get(id).unwrap().name, "C");
        assert!(!c.get(id).unwrap().can_link_multiple);
    }
}
