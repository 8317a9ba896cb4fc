//! The elements (rows) of each catalog and their stored custom field values.
//!
//! Pure: callers pass who acts and when ([`Actor`]). Element ids are unique across the account
//! and only grow. `updated_at` moves on every change, at least one second past the previous
//! value, so a change is always visible to a client comparing timestamps.

use std::collections::BTreeMap;

use super::values::Stored;

const FIRST_ELEMENT_ID: i64 = 500_001;

/// `created_by`/`updated_by` of changes made through the API.
pub const API_USER: i64 = 0;

/// Who makes a change and when (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user: i64,
    pub now: i64,
}

/// One element as the account stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub id: i64,
    pub catalog_id: i64,
    pub name: String,
    pub created_by: i64,
    pub updated_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Values by field id; a field without a value has no entry.
    pub values: BTreeMap<i64, Vec<Stored>>,
}

/// One field of a change: its id and its new values, `None` to clear it.
pub type FieldWrite = (i64, Option<Vec<Stored>>);

/// A change to one element: `None` leaves the name; a field set to `None` is cleared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ElementChange {
    pub name: Option<String>,
    pub set: Vec<FieldWrite>,
}

/// The elements of every catalog.
#[derive(Debug, Clone)]
pub struct Elements {
    by_catalog: BTreeMap<i64, BTreeMap<i64, Element>>,
    next_id: i64,
}

impl Default for Elements {
    fn default() -> Self {
        Self {
            by_catalog: BTreeMap::new(),
            next_id: FIRST_ELEMENT_ID,
        }
    }
}

impl Elements {
    /// Creates an element (the caller checked the catalog, the name and the values).
    pub fn add(
        &mut self,
        catalog_id: i64,
        name: String,
        values: BTreeMap<i64, Vec<Stored>>,
        by: Actor,
    ) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let element = Element {
            id,
            catalog_id,
            name,
            created_by: by.user,
            updated_by: by.user,
            created_at: by.now,
            updated_at: by.now,
            values,
        };
        self.by_catalog
            .entry(catalog_id)
            .or_default()
            .insert(id, element);
        id
    }

    /// An element of this catalog.
    pub fn get(&self, catalog_id: i64, id: i64) -> Option<&Element> {
        self.by_catalog.get(&catalog_id)?.get(&id)
    }

    /// An element of any catalog.
    pub fn find(&self, id: i64) -> Option<&Element> {
        self.by_catalog.values().find_map(|c| c.get(&id))
    }

    /// Applies a change; `false` when there is no such element.
    pub fn change(&mut self, id: i64, change: ElementChange, by: Actor) -> bool {
        let Some(element) = self.by_catalog.values_mut().find_map(|c| c.get_mut(&id)) else {
            return false;
        };
        if let Some(name) = change.name {
            element.name = name;
        }
        for (field_id, values) in change.set {
            match values {
                Some(values) => element.values.insert(field_id, values),
                None => element.values.remove(&field_id),
            };
        }
        element.updated_by = by.user;
        element.updated_at = by.now.max(element.updated_at + 1);
        true
    }

    /// Deletes an element of any catalog; `false` when there is none.
    pub fn delete(&mut self, id: i64) -> bool {
        self.by_catalog
            .values_mut()
            .any(|c| c.remove(&id).is_some())
    }

    /// The catalog's elements in id order.
    pub fn of(&self, catalog_id: i64) -> impl Iterator<Item = &Element> {
        self.by_catalog
            .get(&catalog_id)
            .into_iter()
            .flat_map(|c| c.values())
    }

    pub fn count(&self, catalog_id: i64) -> usize {
        self.by_catalog.get(&catalog_id).map_or(0, BTreeMap::len)
    }

    /// Forgets every element of a deleted catalog.
    pub fn forget(&mut self, catalog_id: i64) {
        self.by_catalog.remove(&catalog_id);
    }

    /// Drops the values of a deleted field from every element of its catalog.
    pub fn drop_field(&mut self, catalog_id: i64, field_id: i64) {
        let elements = self.by_catalog.get_mut(&catalog_id).into_iter();
        for element in elements.flat_map(|c| c.values_mut()) {
            element.values.remove(&field_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UI: Actor = Actor {
        user: 504_141,
        now: 100,
    };

    #[test]
    fn ids_are_unique_across_catalogs_and_never_reused() {
        let mut e = Elements::default();
        let a = e.add(1, "A".into(), BTreeMap::new(), UI);
        let b = e.add(2, "B".into(), BTreeMap::new(), UI);
        assert!(e.delete(a));
        let c = e.add(1, "C".into(), BTreeMap::new(), UI);
        assert_eq!((b - a, c - b), (1, 1));
        assert!(e.get(1, b).is_none());
        assert_eq!(e.find(b).unwrap().catalog_id, 2);
    }

    #[test]
    fn a_change_sets_and_clears_fields_and_moves_updated_at_even_within_one_second() {
        let mut e = Elements::default();
        let values = BTreeMap::from([(7, vec![Stored::Flag(true)])]);
        let id = e.add(1, "A".into(), values, UI);
        let api = Actor {
            user: API_USER,
            now: 100,
        };
        let change = ElementChange {
            name: None,
            set: vec![(7, None), (8, Some(vec![Stored::Text("x".into())]))],
        };
        assert!(e.change(id, change, api));
        let got = e.get(1, id).unwrap();
        assert_eq!(got.name, "A");
        assert_eq!(got.values.keys().copied().collect::<Vec<_>>(), [8]);
        assert_eq!(
            (got.updated_by, got.updated_at, got.created_by),
            (0, 101, 504_141)
        );
        assert!(!e.change(999, ElementChange::default(), api));
    }

    #[test]
    fn forgetting_a_catalog_drops_its_elements_only() {
        let mut e = Elements::default();
        e.add(1, "A".into(), BTreeMap::new(), UI);
        e.add(2, "B".into(), BTreeMap::new(), UI);
        e.forget(1);
        assert_eq!((e.count(1), e.count(2)), (0, 1));
    }
}
