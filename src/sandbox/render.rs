//! The v4 shapes of catalogs, custom fields and elements, as amoCRM sends them (see the samples
//! in `tests/fixtures/amocrm/v4-*`). Links are absolute, under the account's base URL.
//!
//! Pure.

use serde_json::{Map, Value, json};

use super::elements::Element;
use super::fields::SandboxField;
use super::state::SandboxCatalog;
use super::values;

/// Path of the v4 catalog list.
pub const V4_CATALOGS: &str = "/api/v4/catalogs";

/// What every rendering needs to know about the account.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// `http://127.0.0.1:PORT` or `http://127.0.0.1:PORT/accounts/N`.
    pub base: &'a str,
    pub account_id: i64,
}

impl View<'_> {
    /// An absolute link to `path` on this account.
    pub fn href(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn self_link(&self, path: &str) -> Value {
        json!({"self": {"href": self.href(path)}})
    }

    /// `{"self": {"href": ...}}` of a list or write answer.
    pub fn links(&self, path: &str) -> Value {
        self.self_link(path)
    }

    pub fn catalog(&self, c: &SandboxCatalog) -> Value {
        json!({
            "id": c.id,
            "name": c.name,
            "created_by": c.created_by,
            "updated_by": c.updated_by,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "sort": c.sort,
            "type": c.kind,
            "can_add_elements": c.can_add_elements,
            "can_show_in_cards": c.can_show_in_cards,
            "can_link_multiple": c.can_link_multiple,
            "can_be_deleted": c.can_be_deleted(),
            "sdk_widget_code": null,
            "account_id": self.account_id,
            "_links": self.self_link(&format!("{V4_CATALOGS}/{}", c.id)),
        })
    }

    pub fn field(&self, f: &SandboxField) -> Value {
        let enums = f.enums.as_ref().map(|list| {
            let list = list.iter().map(|e| {
                let mut v = json!({"id": e.id, "value": e.value, "sort": e.sort});
                if let Some(code) = &e.code {
                    v["code"] = json!(code);
                }
                v
            });
            list.collect::<Vec<_>>()
        });
        json!({
            "id": f.id,
            "name": f.name,
            "type": f.kind,
            "account_id": self.account_id,
            "code": f.code,
            "sort": f.sort,
            "is_api_only": f.is_api_only,
            "enums": enums,
            "catalog_id": f.catalog_id,
            "is_visible": true,
            "is_deletable": f.is_deletable,
            "is_required": f.is_required,
            "nested": f.nested,
            "entity_type": "catalogs",
            "_links": self.self_link(&format!("{V4_CATALOGS}/{}/custom_fields/{}", f.catalog_id, f.id)),
        })
    }

    /// An element; `fields` are its catalog's, in their order (values of unknown fields are not
    /// shown). `custom_fields_values` is null when nothing is set.
    pub fn element(&self, e: &Element, fields: &[SandboxField]) -> Value {
        let shown: Vec<Value> = fields
            .iter()
            .filter_map(|f| values::render(f, e.values.get(&f.id)?))
            .collect();
        let shown = if shown.is_empty() {
            Value::Null
        } else {
            Value::Array(shown)
        };
        json!({
            "id": e.id,
            "name": e.name,
            "created_by": e.created_by,
            "updated_by": e.updated_by,
            "created_at": e.created_at,
            "updated_at": e.updated_at,
            "is_deleted": null,
            "custom_fields_values": shown,
            "catalog_id": e.catalog_id,
            "account_id": self.account_id,
            "_links": self.self_link(&format!("{V4_CATALOGS}/{}/elements/{}", e.catalog_id, e.id)),
        })
    }
}

/// Adds `request_id` to a rendered item (a write answer's).
pub fn with_request_id(mut item: Value, request_id: Option<String>) -> Value {
    if let (Some(rid), Value::Object(map)) = (request_id, &mut item) {
        map.insert("request_id".into(), Value::String(rid));
    }
    item
}

/// `{"_links": {"self": ..}, "_embedded": {key: items}}`, the answer of a v4 write.
pub fn written(view: &View<'_>, path: &str, key: &str, items: Vec<Value>) -> Value {
    let mut embedded = Map::new();
    embedded.insert(key.into(), Value::Array(items));
    json!({"_links": view.links(path), "_embedded": embedded})
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::sandbox::fields::{Fields, NewField};
    use crate::sandbox::values::Stored;

    const VIEW: View<'static> = View {
        base: "http://127.0.0.1:1",
        account_id: 31_000_001,
    };

    #[test]
    fn an_element_without_values_renders_null_and_values_follow_field_order() {
        let mut f = Fields::default();
        let sku = f
            .add(1, NewField::new("Артикул", "text").code("SKU"))
            .unwrap();
        let price = f
            .add(1, NewField::new("Цена", "price").code("PRICE"))
            .unwrap();
        let mut e = Element {
            id: 5,
            catalog_id: 1,
            name: "A".into(),
            created_by: 0,
            updated_by: 0,
            created_at: 10,
            updated_at: 11,
            values: BTreeMap::new(),
        };
        let v = VIEW.element(&e, f.of(1));
        assert!(v["custom_fields_values"].is_null());
        assert!(v["is_deleted"].is_null());
        assert_eq!(
            v["_links"]["self"]["href"],
            "http://127.0.0.1:1/api/v4/catalogs/1/elements/5"
        );
        e.values.insert(price, vec![Stored::Number("12".into())]);
        e.values.insert(sku, vec![Stored::Text("dsg".into())]);
        e.values.insert(999, vec![Stored::Text("gone".into())]);
        let v = VIEW.element(&e, f.of(1));
        let codes: Vec<&str> = v["custom_fields_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field_code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["SKU", "PRICE"]);
    }

    #[test]
    fn a_request_id_is_added_as_text() {
        let v = with_request_id(json!({"id": 1}), Some("7".into()));
        assert_eq!(v["request_id"], "7");
        assert!(
            with_request_id(json!({"id": 1}), None)
                .get("request_id")
                .is_none()
        );
    }
}
