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
    pub updated_by: i64,
    /// Moves on every change, at least a second past the previous value.
    pub updated_at: i64,
}

impl SandboxCatalog {
    /// The UI's flag: every catalog but the products catalog can be deleted.
    pub fn can_be_deleted(&self) -> bool {
        self.kind != "products"
    }
}

/// A refused catalog change: the message, and the code and item path a v4 answer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub code: &'static str,
    pub path: &'static str,
    pub message: String,
}

impl CatalogError {
    fn new(code: &'static str, path: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            path,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a new catalog starts with; flags left `None` take the type's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCatalog {
    pub name: String,
    pub kind: String,
    /// Default: after the last catalog.
    pub sort: Option<i64>,
    pub can_add_elements: Option<bool>,
    pub can_show_in_cards: Option<bool>,
    pub can_link_multiple: Option<bool>,
}

/// A change to an existing catalog; `None` leaves the field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogPatch {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub sort: Option<i64>,
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
    pub fn add(&mut self, new: NewCatalog, origin: Origin, now: i64) -> Result<i64, CatalogError> {
        let name = check_name(&new.name)?;
        let kind = new.kind.trim().to_string();
        self.check_room_for(&kind, origin)?;
        self.check_single_instance(&kind, None)?;
        let (add, show, link) = default_flags(&kind);
        let id = self.next_id;
        self.next_id += 1;
        let last = self.items.values().map(|c| c.sort).max();
        let sort = new.sort.unwrap_or(last.unwrap_or(0) + 10);
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
            updated_by: SANDBOX_USER_ID,
            updated_at: now,
        };
        self.items.insert(id, catalog);
        Ok(id)
    }

    /// Changes an existing catalog at `now`; nothing changes when any part of the patch is
    /// refused.
    pub fn update(&mut self, id: i64, patch: CatalogPatch, now: i64) -> Result<(), CatalogError> {
        let current = self.items.get(&id).ok_or_else(|| not_found(id))?;
        let name = patch.name.as_deref().map(check_name).transpose()?;
        let kind = patch.kind.as_deref().map(str::trim);
        if let Some(kind) = kind.filter(|k| *k != current.kind) {
            let refuse = |message: String| CatalogError::new("NotSupportedChoice", "type", message);
            if current.kind == "products" {
                return Err(refuse(
                    "the type of the products catalog cannot be changed".into(),
                ));
            }
            if !API_CREATABLE_TYPES.contains(&kind) {
                return Err(refuse(format!(
                    "type \"{kind}\" cannot be set; use \"regular\" or \"invoices\""
                )));
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
        if let Some(v) = patch.sort {
            catalog.sort = v;
        }
        catalog.updated_by = SANDBOX_USER_ID;
        catalog.updated_at = now.max(catalog.updated_at + 1);
        Ok(())
    }

    /// Deletes a catalog; the products catalog is protected.
    pub fn delete(&mut self, id: i64) -> Result<(), CatalogError> {
        let current = self.items.get(&id).ok_or_else(|| not_found(id))?;
        if !current.can_be_deleted() {
            return Err(CatalogError::new(
                "NotDeletable",
                "id",
                format!("catalog {id} is the products catalog and cannot be deleted"),
            ));
        }
        self.items.remove(&id);
        Ok(())
    }

    /// The rules on a new catalog's type and the catalog cap.
    fn check_room_for(&self, kind: &str, origin: Origin) -> Result<(), CatalogError> {
        if kind.is_empty() {
            return Err(CatalogError::new(
                "NotBlank",
                "type",
                "type must not be empty",
            ));
        }
        if origin == Origin::Api && !API_CREATABLE_TYPES.contains(&kind) {
            return Err(CatalogError::new(
                "NotSupportedChoice",
                "type",
                format!("type \"{kind}\" cannot be created; use \"regular\" or \"invoices\""),
            ));
        }
        if self.items.len() >= self.max_catalogs {
            return Err(CatalogError::new(
                "LimitReached",
                "",
                format!(
                    "the account already has the maximum of {} catalogs",
                    self.max_catalogs
                ),
            ));
        }
        Ok(())
    }

    fn check_single_instance(&self, kind: &str, except: Option<i64>) -> Result<(), CatalogError> {
        let taken = SINGLE_INSTANCE_TYPES.contains(&kind)
            && self
                .items
                .values()
                .any(|c| c.kind == kind && Some(c.id) != except);
        if taken {
            return Err(CatalogError::new(
                "NotSupportedChoice",
                "type",
                format!("the account already has a catalog of type \"{kind}\""),
            ));
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<String, CatalogError> {
    if name.trim().is_empty() {
        return Err(CatalogError::new(
            "NotBlank",
            "name",
            "name must not be empty",
        ));
    }
    Ok(name.to_string())
}

fn not_found(id: i64) -> CatalogError {
    CatalogError::new("NotFound", "id", format!("catalog {id} not found"))
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
#[path = "state_tests.rs"]
mod tests;
