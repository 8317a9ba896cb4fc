//! What one `POST /api/v2/catalogs` sends, and its exact JSON.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{Fields, RemoteId};

/// One POST: adds, updates and deletes together. Empty parts are left out of the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub add: Vec<AddItem>,
    pub update: Vec<UpdateItem>,
    pub delete: Vec<RemoteId>,
}

/// A catalog to create. `request_id` is what the answer may echo to say which add got which id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddItem {
    pub request_id: i64,
    pub fields: Fields,
}

/// New values for an existing catalog. `name` is always sent, changed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateItem {
    pub id: RemoteId,
    pub fields: Fields,
}

impl Batch {
    /// The number of items, all three parts together (what `sync.batch_size` counts).
    pub fn len(&self) -> usize {
        self.add.len() + self.update.len() + self.delete.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The exact body sent: `{"add":[..],"update":[..],"delete":[..]}` without empty keys.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        if !self.add.is_empty() {
            body.insert(
                "add".into(),
                self.add.iter().map(AddItem::to_json).collect(),
            );
        }
        if !self.update.is_empty() {
            body.insert(
                "update".into(),
                self.update.iter().map(UpdateItem::to_json).collect(),
            );
        }
        if !self.delete.is_empty() {
            body.insert("delete".into(), json!(self.delete));
        }
        Value::Object(body)
    }
}

impl AddItem {
    /// This item as it appears in `add[]` (the outbox stores it as the payload).
    pub fn to_json(&self) -> Value {
        let mut item = fields_json(&self.fields);
        item.insert("request_id".into(), json!(self.request_id));
        Value::Object(item)
    }
}

impl UpdateItem {
    /// This item as it appears in `update[]` (the outbox stores it as the payload).
    pub fn to_json(&self) -> Value {
        let mut item = fields_json(&self.fields);
        item.insert("id".into(), json!(self.id));
        Value::Object(item)
    }
}

/// The pushable fields: `name` always, the others only when set, `sort` never (read-only in v2).
pub(crate) fn fields_json(fields: &Fields) -> Map<String, Value> {
    let mut item = Map::new();
    item.insert("name".into(), json!(fields.name));
    if let Some(kind) = &fields.kind {
        item.insert("type".into(), json!(kind));
    }
    let flags = [
        ("can_add_elements", fields.can_add_elements),
        ("can_show_in_cards", fields.can_show_in_cards),
        ("can_link_multiple", fields.can_link_multiple),
    ];
    for (key, value) in flags {
        if let Some(value) = value {
            item.insert(key.into(), json!(value));
        }
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(name: &str) -> Fields {
        Fields {
            name: name.into(),
            kind: Some("regular".into()),
            can_add_elements: Some(true),
            can_show_in_cards: Some(false),
            can_link_multiple: Some(true),
            sort: Some(10),
        }
    }

    #[test]
    fn an_add_carries_its_request_id_and_every_set_field_but_never_sort() {
        let item = AddItem {
            request_id: 7,
            fields: full("Склады"),
        };
        assert_eq!(
            item.to_json(),
            json!({"name": "Склады", "type": "regular", "can_add_elements": true,
                   "can_show_in_cards": false, "can_link_multiple": true, "request_id": 7})
        );
    }

    #[test]
    fn an_update_carries_its_id_and_only_the_name_when_nothing_else_is_set() {
        let mut fields = Fields::named("Услуги");
        fields.sort = Some(20);
        let item = UpdateItem { id: 4222, fields };
        assert_eq!(item.to_json(), json!({"id": 4222, "name": "Услуги"}));
    }

    #[test]
    fn a_batch_leaves_out_its_empty_parts() {
        let deletes = Batch {
            delete: vec![2561, 2562],
            ..Batch::default()
        };
        assert_eq!(deletes.to_json(), json!({"delete": [2561, 2562]}));
        assert_eq!(Batch::default().to_json(), json!({}));
        assert!(Batch::default().is_empty());
    }

    #[test]
    fn a_mixed_batch_has_all_three_parts_in_order() {
        let batch = Batch {
            add: vec![AddItem {
                request_id: 0,
                fields: Fields::named("a"),
            }],
            update: vec![UpdateItem {
                id: 5,
                fields: full("b"),
            }],
            delete: vec![6],
        };
        assert_eq!(batch.len(), 3);
        let body = batch.to_json();
        assert_eq!(body["add"], json!([{"name": "a", "request_id": 0}]));
        assert_eq!(body["update"][0]["id"], json!(5));
        assert_eq!(body["update"][0].get("sort"), None);
        assert_eq!(body["delete"], json!([6]));
    }
}
