//! The catalogs of the fake account and the rules amoCRM enforces on them.
//!
//! Pure: no I/O, no clock (callers pass `now`). Both the API (`POST /api/v2/catalogs`) and a
//! "person in the UI" (tests, the demo, the control API) change catalogs through these methods,
//! so the caps hold whichever side acts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The user every catalog is "created by" in the sandbox.
pub const SANDBOX_USER_ID: i64 = 504141;

/// The first id the sandbox hands out; ids only grow.
pub const FIRST_CATALOG_ID: i64 = 7001;

/// Types `add[]` accepts through the API.
pub const API_CREATABLE_TYPES: [&str; 2] = ["regular", "invoices"];

/// Types of which an account holds at most one.
const SINGLE_INSTANCE_TYPES: [&str; 3] = ["invoices", "products", "suppliers"];

/// One catalog as the account stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxCatalog {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub sort: i64,
    pub can_add_elements: bool,
    pub can_show_in_cards: bool,
    pub can_link_multiple: bool,
    pub created_by: i64,
    pub created_at: i64,
}

/// What a new catalog starts with; flags left `None` take the type's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCatalog {
    pub name: String,
    pub kind: String,
    pub can_add_elements: Option<bool>,
    pub can_show_in_cards: Option<bool>,
    pub can_link_multiple: Option<bool>,
}

/// A change to an existing catalog; `None` leaves the field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogPatch {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub can_add_elements: Option<bool>,
    pub can_show_in_cards: Option<bool>,
    pub can_link_multiple: Option<bool>,
}

/// Who asks for an add: the API only creates `regular` and `invoices`, a person in the UI (or a
/// test standing in for one) may create any type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Api,
    Ui,
}

/// All catalogs of the account.
#[derive(Debug, Clone)]
pub struct Catalogs {
    items: BTreeMap<i64, SandboxCatalog>,
    next_id: i64,
    /// The cap on the number of catalogs (10 on real accounts).
    pub max_catalogs: usize,
}

impl Catalogs {
    pub fn new(max_catalogs: usize) -> Self {
        Self {
            items: BTreeMap::new(),
            next_id: FIRST_CATALOG_ID,
            max_catalogs,
        }
    }

    /// Every catalog, sorted by id.
    pub fn list(&self) -> Vec<SandboxCatalog> {
        self.items.values().cloned().collect()
    }

    /// Every catalog by reference, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &SandboxCatalog> {
        self.items.values()
    }

    pub fn get(&self, id: i64) -> Option<&SandboxCatalog> {
        self.items.get(&id)
    }

    /// Creates a catalog if every rule allows it and returns its new id.
    pub fn add(&mut self, new: NewCatalog, origin: Origin, now: i64) -> Result<i64, String> {
        let name = check_name(&new.name)?;
        let kind = new.kind.trim().to_string();
        if kind.is_empty() {
            return Err("type must not be empty".into());
        }
        if origin == Origin::Api && !API_CREATABLE_TYPES.contains(&kind.as_str()) {
            return Err(format!(
                "type \"{kind}\" cannot be created; use \"regular\" or \"invoices\""
            ));
        }
        if self.items.len() >= self.max_catalogs {
            return Err(format!(
                "the account already has the maximum of {} catalogs",
                self.max_catalogs
            ));
        }
        self.check_single_instance(&kind, None)?;
        let (add, show, link) = default_flags(&kind);
        let id = self.next_id;
        self.next_id += 1;
        let sort = self.items.values().map(|c| c.sort).max().unwrap_or(0) + 10;
        let catalog = SandboxCatalog {
            id,
            name,
            kind,
            sort,
            can_add_elements: new.can_add_elements.unwrap_or(add),
            can_show_in_cards: new.can_show_in_cards.unwrap_or(show),
            can_link_multiple: new.can_link_multiple.unwrap_or(link),
            created_by: SANDBOX_USER_ID,
            created_at: now,
        };
        self.items.insert(id, catalog);
        Ok(id)
    }

    /// Changes an existing catalog; nothing changes when any part of the patch is refused.
    pub fn update(&mut self, id: i64, patch: CatalogPatch) -> Result<(), String> {
        let current = self.items.get(&id).ok_or_else(|| not_found(id))?;
        let name = patch.name.as_deref().map(check_name).transpose()?;
        let kind = patch.kind.as_deref().map(str::trim);
        if let Some(kind) = kind.filter(|k| *k != current.kind) {
            if current.kind == "products" {
                return Err("the type of the products catalog cannot be changed".into());
            }
            if !API_CREATABLE_TYPES.contains(&kind) {
                return Err(format!(
                    "type \"{kind}\" cannot be set; use \"regular\" or \"invoices\""
                ));
            }
            self.check_single_instance(kind, Some(id))?;
        }
        let kind = kind.map(str::to_string);
        let catalog = self.items.get_mut(&id).expect("checked above");
        if let Some(name) = name {
            catalog.name = name;
        }
        if let Some(kind) = kind {
            catalog.kind = kind;
        }
        if let Some(v) = patch.can_add_elements {
            catalog.can_add_elements = v;
        }
        if let Some(v) = patch.can_show_in_cards {
            catalog.can_show_in_cards = v;
        }
        if let Some(v) = patch.can_link_multiple {
            catalog.can_link_multiple = v;
        }
        Ok(())
    }

    /// Deletes a catalog; the products catalog is protected.
    pub fn delete(&mut self, id: i64) -> Result<(), String> {
        let current = self.items.get(&id).ok_or_else(|| not_found(id))?;
        if current.kind == "products" {
            return Err(format!(
                "catalog {id} is the products catalog and cannot be deleted"
            ));
        }
        self.items.remove(&id);
        Ok(())
    }

    fn check_single_instance(&self, kind: &str, except: Option<i64>) -> Result<(), String> {
        let taken = SINGLE_INSTANCE_TYPES.contains(&kind)
            && self
                .items
                .values()
                .any(|c| c.kind == kind && Some(c.id) != except);
        if taken {
            return Err(format!(
                "the account already has a catalog of type \"{kind}\""
            ));
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<String, String> {
    if name.trim().is_empty() {
        return Err("name must not be empty".into());
    }
    Ok(name.to_string())
}

fn not_found(id: i64) -> String {
    format!("catalog {id} not found")
}

/// Flags a new catalog of this type starts with (as seen on real accounts).
fn default_flags(kind: &str) -> (bool, bool, bool) {
    match kind {
        "invoices" => (false, false, true),
        "products" | "suppliers" => (true, true, true),
        _ => (true, false, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(name: &str, kind: &str) -> NewCatalog {
        NewCatalog {
            name: name.into(),
            kind: kind.into(),
            ..NewCatalog::default()
        }
    }

    #[test]
    fn ids_start_at_the_first_id_and_only_grow() {
        let mut c = Catalogs::new(10);
        let a = c.add(new("A", "regular"), Origin::Api, 1).unwrap();
        c.delete(a).unwrap();
        let b = c.add(new("B", "regular"), Origin::Api, 1).unwrap();
        assert_eq!((a, b), (FIRST_CATALOG_ID, FIRST_CATALOG_ID + 1));
    }

    #[test]
    fn a_blank_name_is_refused_on_add_and_update() {
        let mut c = Catalogs::new(10);
        assert!(c.add(new("  ", "regular"), Origin::Api, 1).is_err());
        let id = c.add(new("A", "regular"), Origin::Api, 1).unwrap();
        let patch = CatalogPatch {
            name: Some("\t".into()),
            ..CatalogPatch::default()
        };
        assert!(c.update(id, patch).is_err());
        assert_eq!(c.get(id).unwrap().name, "A");
    }

    #[test]
    fn the_api_creates_only_regular_and_invoices_but_the_ui_creates_any_type() {
        let mut c = Catalogs::new(10);
        assert!(c.add(new("P", "products"), Origin::Api, 1).is_err());
        assert!(c.add(new("P", "products"), Origin::Ui, 1).is_ok());
        assert!(c.add(new("I", "invoices"), Origin::Api, 1).is_ok());
    }

    #[test]
    fn the_catalog_cap_refuses_the_eleventh_catalog() {
        let mut c = Catalogs::new(10);
        for i in 0..10 {
            c.add(new(&format!("C{i}"), "regular"), Origin::Api, 1)
                .unwrap();
        }
        let err = c.add(new("C10", "regular"), Origin::Api, 1).unwrap_err();
        assert!(err.contains("maximum of 10"), "{err}");
    }

    #[test]
    fn a_second_invoices_or_products_catalog_is_refused() {
        let mut c = Catalogs::new(10);
        c.add(new("I", "invoices"), Origin::Api, 1).unwrap();
        c.add(new("P", "products"), Origin::Ui, 1).unwrap();
        assert!(c.add(new("I2", "invoices"), Origin::Api, 1).is_err());
        assert!(c.add(new("P2", "products"), Origin::Ui, 1).is_err());
        let r = c.add(new("R", "regular"), Origin::Api, 1).unwrap();
        let to_invoices = CatalogPatch {
            kind: Some("invoices".into()),
            ..CatalogPatch::default()
        };
        assert!(c.update(r, to_invoices).is_err());
        assert_eq!(c.get(r).unwrap().kind, "regular");
    }

    #[test]
    fn the_products_catalog_can_be_neither_deleted_nor_retyped() {
        let mut c = Catalogs::new(10);
        let p = c.add(new("Товары", "products"), Origin::Ui, 1).unwrap();
        assert!(c.delete(p).is_err());
        let retype = CatalogPatch {
            kind: Some("regular".into()),
            ..CatalogPatch::default()
        };
        assert!(c.update(p, retype).is_err());
        let same = CatalogPatch {
            kind: Some("products".into()),
            ..CatalogPatch::default()
        };
        assert!(c.update(p, same).is_ok());
    }

    #[test]
    fn update_and_delete_of_an_unknown_id_fail() {
        let mut c = Catalogs::new(10);
        assert!(c.update(1, CatalogPatch::default()).is_err());
        assert!(c.delete(1).is_err());
    }

    #[test]
    fn an_update_changes_name_type_and_flags_and_keeps_the_rest() {
        let mut c = Catalogs::new(10);
        let id = c.add(new("A", "regular"), Origin::Api, 5).unwrap();
        let patch = CatalogPatch {
            name: Some("B".into()),
            kind: Some("invoices".into()),
            can_show_in_cards: Some(true),
            ..CatalogPatch::default()
        };
        c.update(id, patch).unwrap();
        let got = c.get(id).unwrap();
        assert_eq!((got.name.as_str(), got.kind.as_str()), ("B", "invoices"));
        assert!(got.can_show_in_cards && got.can_add_elements);
        assert_eq!(got.created_at, 5);
    }
}
