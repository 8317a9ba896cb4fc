//! Domain types for the elements of a catalog (the rows of a list) and their custom fields.
//!
//! An element is a name plus custom field values keyed by field id. Values are kept in the
//! canonical form of SPEC §6 (see [`canon`]): the form in which the same value always compares
//! equal, whatever spelling the API or a person used. Wire types live in `amocrm`, rows in
//! `store`; nothing here does I/O.

pub mod canon;
mod field;

pub use field::{FieldDef, FieldKind, FieldOption, Shape};

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::record::{Desired, FieldKey, Record, Remote, Synced};

/// A custom field id as amoCRM assigns it (unique in the account).
pub type FieldId = i64;

/// One managed value of an element: its name or one custom field. Printed (and stored in
/// `conflicts.field`) as `name` or the field id in decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElementKey {
    Name,
    Field(FieldId),
}

impl fmt::Display for ElementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElementKey::Name => f.write_str("name"),
            ElementKey::Field(id) => write!(f, "{id}"),
        }
    }
}

impl std::str::FromStr for ElementKey {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "name" => Ok(ElementKey::Name),
            id => id
                .parse()
                .map(ElementKey::Field)
                .map_err(|_| format!("{id:?} is neither \"name\" nor a field id")),
        }
    }
}

impl Serialize for ElementKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ElementKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl FieldKey for ElementKey {
    const NAME: ElementKey = ElementKey::Name;

    fn is_pushable(self) -> bool {
        true
    }

    fn adopted_when_new(self) -> bool {
        matches!(self, ElementKey::Field(_))
    }
}

/// An element's name and custom field values, each value canonical ([`canon`]).
///
/// In a desired row a field id absent from `values` is not managed and JSON `null` means "clear
/// it". In the account's copy and the base, `null` means the field is empty: a pull fills every
/// field the catalog has (see [`canon::fill_known`]), so absent means "unknown field".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementFields {
    pub name: String,
    /// By field id (a decimal string in JSON).
    pub values: BTreeMap<FieldId, Value>,
}

impl Record for ElementFields {
    type Key = ElementKey;
    type Value = Value;
    const ENTITY: &'static str = "element";

    fn named(name: String) -> Self {
        ElementFields {
            name,
            values: BTreeMap::new(),
        }
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn keys(&self) -> Vec<ElementKey> {
        std::iter::once(ElementKey::Name)
            .chain(self.values.keys().map(|id| ElementKey::Field(*id)))
            .collect()
    }

    fn get(&self, key: ElementKey) -> Option<Value> {
        match key {
            ElementKey::Name => Some(Value::String(self.name.clone())),
            ElementKey::Field(id) => self.values.get(&id).cloned(),
        }
    }

    fn set(&mut self, key: ElementKey, value: Option<Value>) {
        match (key, value) {
            (ElementKey::Name, Some(Value::String(name))) => self.name = name,
            (ElementKey::Name, _) => {}
            (ElementKey::Field(id), Some(v)) => drop(self.values.insert(id, v)),
            (ElementKey::Field(id), None) => drop(self.values.remove(&id)),
        }
    }

    fn for_add(&self) -> Self {
        self.clone()
    }

    fn adopted(&self) -> Self {
        self.clone()
    }
}

impl ElementFields {
    /// Forgets the values of fields the catalog no longer has (deleted in amoCRM).
    pub fn forget_fields(&mut self, gone: &BTreeSet<FieldId>) {
        self.values.retain(|id, _| !gone.contains(id));
    }
}

/// An element as the account reported it in the last complete pull of its catalog.
pub type RemoteElement = Remote<ElementFields>;

/// A row of `desired_elements` (its catalog is the scope it was loaded for).
pub type DesiredElement = Desired<ElementFields>;

/// A row of `synced_elements`: the element as both sides last agreed.
pub type SyncedElement = Synced<ElementFields>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_print_and_parse_as_name_or_field_id() {
        assert_eq!(ElementKey::Name.to_string(), "name");
        assert_eq!(ElementKey::Field(271207).to_string(), "271207");
        assert_eq!("271207".parse(), Ok(ElementKey::Field(271207)));
        assert_eq!("name".parse(), Ok(ElementKey::Name));
        assert!("price".parse::<ElementKey>().is_err());
    }

    #[test]
    fn fields_serialise_with_field_ids_as_decimal_keys() {
        let mut f = ElementFields::named("Чайник".into());
        f.set(ElementKey::Field(7), Some(Value::from(1290.5)));
        f.set(ElementKey::Field(9), Some(Value::Null));
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "Чайник", "values": {"7": 1290.5, "9": null}})
        );
        assert_eq!(serde_json::from_value::<ElementFields>(json).unwrap(), f);
        assert_eq!(
            f.keys(),
            vec![ElementKey::Name, ElementKey::Field(7), ElementKey::Field(9)]
        );
    }
}
