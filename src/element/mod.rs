//! Domain types for the elements of a catalog (the rows of a list) and their custom fields.
//!
//! An element is a name plus custom field values keyed by field id. Values are kept in the
//! canonical form of SPEC §6 (see [`canon`]): the form in which the same value always compares
//! equal, whatever spelling the API or a person used. Wire types live in `amocrm`, rows in
//! `store`; nothing here does I/O.

pub mod canon;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::record::{Desired, FieldKey, Record, Remote, RemoteId, Synced};

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

/// An element as the account reported it in the last complete pull of its catalog.
pub type RemoteElement = Remote<ElementFields>;

/// A row of `desired_elements` (its catalog is the scope it was loaded for).
pub type DesiredElement = Desired<ElementFields>;

/// A row of `synced_elements`: the element as both sides last agreed.
pub type SyncedElement = Synced<ElementFields>;

/// A custom field's type, as amoCRM names it. Unknown types are kept by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldKind {
    Text,
    Textarea,
    Url,
    StreetAddress,
    Numeric,
    Price,
    Monetary,
    Checkbox,
    Date,
    DateTime,
    Birthday,
    Select,
    Radiobutton,
    Category,
    Multiselect,
    /// items, linked_entity, payer, supplier, file, and types amoCRM adds later.
    Other(String),
}

/// How a type's values look in canonical form (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string.
    Text,
    /// A JSON number (integers as integers).
    Number,
    /// `true` / `false`.
    Flag,
    /// `2026-12-02` (UTC).
    Date,
    /// `2026-12-02T10:00:00Z` (UTC).
    DateTime,
    /// The chosen option's text.
    Choice,
    /// The chosen options' texts, sorted.
    Choices,
    /// The API's `values` array as received.
    Raw,
}

impl FieldKind {
    const NAMED: [(&'static str, FieldKind); 15] = [
        ("text", FieldKind::Text),
        ("textarea", FieldKind::Textarea),
        ("url", FieldKind::Url),
        ("streetaddress", FieldKind::StreetAddress),
        ("numeric", FieldKind::Numeric),
        ("price", FieldKind::Price),
        ("monetary", FieldKind::Monetary),
        ("checkbox", FieldKind::Checkbox),
        ("date", FieldKind::Date),
        ("date_time", FieldKind::DateTime),
        ("birthday", FieldKind::Birthday),
        ("select", FieldKind::Select),
        ("radiobutton", FieldKind::Radiobutton),
        ("category", FieldKind::Category),
        ("multiselect", FieldKind::Multiselect),
    ];

    pub fn parse(name: &str) -> FieldKind {
        let name = name.trim().to_ascii_lowercase();
        Self::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(FieldKind::Other(name), |(_, k)| k.clone())
    }

    pub fn as_str(&self) -> &str {
        match self {
            FieldKind::Other(name) => name,
            known => Self::NAMED
                .iter()
                .find(|(_, k)| k == known)
                .map(|(n, _)| *n)
                .expect("every named kind is listed"),
        }
    }

    pub fn shape(&self) -> Shape {
        use FieldKind::*;
        match self {
            Text | Textarea | Url | StreetAddress => Shape::Text,
            Numeric | Price | Monetary => Shape::Number,
            Checkbox => Shape::Flag,
            Date | Birthday => Shape::Date,
            DateTime => Shape::DateTime,
            Select | Radiobutton | Category => Shape::Choice,
            Multiselect => Shape::Choices,
            Other(_) => Shape::Raw,
        }
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One option of a select, multiselect or radiobutton field (`enums`), or of a category field
/// (`nested`, where options may have a parent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldOption {
    pub id: i64,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<i64>,
}

/// A custom field of a catalog, as `GET /api/v4/catalogs/{id}/custom_fields` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    pub id: FieldId,
    pub catalog_id: RemoteId,
    pub name: String,
    /// `SKU`, `PRICE`, ... for system fields; `None` for fields people made.
    pub code: Option<String>,
    pub kind: FieldKind,
    pub sort: Option<i64>,
    pub is_required: bool,
    pub is_api_only: bool,
    /// The enums, or the category tree; empty for other types.
    pub options: Vec<FieldOption>,
    /// The field exactly as received, for `catalog_fields.raw_json`.
    pub raw_json: String,
}

impl FieldDef {
    /// A field with what tells it apart (id, catalog, name, type) and nothing else: how tests,
    /// benchmarks and examples build one (a pull reads the rest from the account).
    pub fn new(id: FieldId, catalog_id: RemoteId, name: &str, kind: &str) -> FieldDef {
        FieldDef {
            id,
            catalog_id,
            name: name.into(),
            code: None,
            kind: FieldKind::parse(kind),
            sort: None,
            is_required: false,
            is_api_only: false,
            options: Vec::new(),
            raw_json: "{}".into(),
        }
    }

    /// The same field offering these options (`(id, text)`: enums, or a category's entries).
    pub fn with_options<S: AsRef<str>>(mut self, options: &[(i64, S)]) -> FieldDef {
        self.options = options
            .iter()
            .map(|(id, value)| FieldOption {
                id: *id,
                value: value.as_ref().to_owned(),
                code: None,
                parent_id: None,
                sort: None,
            })
            .collect();
        self
    }

    /// The same field at this place in the catalog's order.
    pub fn with_sort(mut self, sort: i64) -> FieldDef {
        self.sort = Some(sort);
        self
    }
}

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

    #[test]
    fn every_named_kind_round_trips_and_unknown_kinds_are_kept() {
        for (name, kind) in FieldKind::NAMED {
            assert_eq!(FieldKind::parse(name), kind);
            assert_eq!(kind.as_str(), name);
        }
        assert_eq!(FieldKind::parse("payer").as_str(), "payer");
        assert_eq!(FieldKind::parse("payer").shape(), Shape::Raw);
        assert_eq!(FieldKind::parse("Price").shape(), Shape::Number);
    }
}
