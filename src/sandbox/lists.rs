//! What a person in the UI does to a catalog's fields and elements, as [`Account`] methods: no
//! auth, limits or faults; `created_by`/`updated_by` are the sandbox user and `updated_at` moves.

use std::collections::BTreeMap;

use serde_json::Value;

use super::account::{Account, Shared, now_unix};
use super::elements::{Actor, ElementChange};
use super::fields::{NewField, SandboxField};
use super::state::SANDBOX_USER_ID;
use super::values;

/// The sandbox user, acting now.
fn person() -> Actor {
    Actor {
        user: SANDBOX_USER_ID,
        now: now_unix(),
    }
}

fn no_catalog(id: i64) -> String {
    format!("catalog {id} not found")
}

fn no_element(id: i64) -> String {
    format!("element {id} not found")
}

impl Account {
    /// Adds a custom field (with its options) to a catalog and returns its id.
    pub fn add_field(&self, catalog_id: i64, field: NewField) -> Result<i64, String> {
        let mut s = self.lock();
        s.catalogs
            .get(catalog_id)
            .ok_or_else(|| no_catalog(catalog_id))?;
        s.fields.add(catalog_id, field)
    }

    /// Deletes a custom field of a catalog, and its values from every element, as the UI does.
    pub fn delete_field(&self, catalog_id: i64, field_id: i64) -> Result<(), String> {
        let mut guard = self.lock();
        let s: &mut Shared = &mut guard;
        if !s.fields.remove(catalog_id, field_id) {
            return Err(format!(
                "field {field_id} is not a field of catalog {catalog_id}"
            ));
        }
        s.elements.drop_field(catalog_id, field_id);
        Ok(())
    }

    /// The catalog's custom fields in their order (empty for an unknown catalog).
    pub fn fields(&self, catalog_id: i64) -> Vec<SandboxField> {
        self.lock().fields.of(catalog_id).to_vec()
    }

    /// Adds an element without values and returns its id.
    pub fn add_element(&self, catalog_id: i64, name: &str) -> Result<i64, String> {
        if name.trim().is_empty() {
            return Err("an element needs a name".into());
        }
        let mut s = self.lock();
        s.catalogs
            .get(catalog_id)
            .ok_or_else(|| no_catalog(catalog_id))?;
        Ok(s.elements
            .add(catalog_id, name.into(), BTreeMap::new(), person()))
    }

    pub fn rename_element(&self, id: i64, name: &str) -> Result<(), String> {
        if name.trim().is_empty() {
            return Err("an element needs a name".into());
        }
        let change = ElementChange {
            name: Some(name.into()),
            set: Vec::new(),
        };
        let changed = self.lock().elements.change(id, change, person());
        changed.then_some(()).ok_or_else(|| no_element(id))
    }

    pub fn delete_element(&self, id: i64) -> Result<(), String> {
        let deleted = self.lock().elements.delete(id);
        deleted.then_some(()).ok_or_else(|| no_element(id))
    }

    /// Sets one field of an element as typed in the UI: a bare value (`"1290.50"`, `true`, an
    /// option's text), an array of them (a multiselect) or the API's write form
    /// (`[{"enum_id": 10001}]`); `null` clears. Refused like the API refuses it.
    pub fn set_element_value(&self, id: i64, field_id: i64, value: Value) -> Result<(), String> {
        let mut guard = self.lock();
        let s: &mut Shared = &mut guard;
        let element = s.elements.find(id).ok_or_else(|| no_element(id))?;
        let field = s
            .fields
            .of(element.catalog_id)
            .iter()
            .find(|f| f.id == field_id)
            .ok_or_else(|| {
                format!(
                    "field {field_id} is not a field of catalog {}",
                    element.catalog_id
                )
            })?;
        let stored = values::parse(field, &values::from_ui(value), "value").map_err(|errors| {
            let details: Vec<String> = errors
                .into_iter()
                .map(|e| format!("{}: {}", e.path, e.detail))
                .collect();
            details.join("; ")
        })?;
        let change = ElementChange {
            name: None,
            set: vec![(field_id, stored)],
        };
        s.elements.change(id, change, person());
        Ok(())
    }

    pub fn clear_element_value(&self, id: i64, field_id: i64) -> Result<(), String> {
        self.set_element_value(id, field_id, Value::Null)
    }

    /// The catalog's elements in id order, each as the API renders it.
    pub fn elements(&self, catalog_id: i64) -> Vec<Value> {
        let s = self.lock();
        let (view, fields) = (s.view(), s.fields.of(catalog_id));
        s.elements
            .of(catalog_id)
            .map(|e| view.element(e, fields))
            .collect()
    }

    /// One element of any catalog, as the API renders it.
    pub fn element(&self, id: i64) -> Option<Value> {
        let s = self.lock();
        let e = s.elements.find(id)?;
        Some(s.view().element(e, s.fields.of(e.catalog_id)))
    }

    /// Creates `n` elements quickly (for benchmarks), each with a text, a price, a select and a
    /// checkbox value: the catalog's first fields of those types, added when missing. Returns
    /// the new ids, in order.
    pub fn seed_elements(&self, catalog_id: i64, n: usize) -> Result<Vec<i64>, String> {
        let mut guard = self.lock();
        let s: &mut Shared = &mut guard;
        s.catalogs
            .get(catalog_id)
            .ok_or_else(|| no_catalog(catalog_id))?;
        super::bulk::bulk(&mut s.fields, &mut s.elements, catalog_id, n, now_unix())
    }
}
