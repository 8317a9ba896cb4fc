//! Domain types for catalogs, shared by the store, the amoCRM client and the merge.
//!
//! These are what catalog-sync reasons about. Wire types (what amoCRM sends) live in
//! `amocrm::wire` and are converted into these at the edge; rows of the database are converted in
//! `store`. Nothing here does I/O. The shapes every kind of record shares (desired, remote, base)
//! are in [`crate::record`]; [`Fields`] is what a catalog puts in them.

use serde::{Deserialize, Serialize};

pub use crate::record::{ConflictPolicy, DesiredId, Mode, RemoteId};
use crate::record::{Desired, FieldKey, Record, Remote, Synced};

/// Catalog types amoCRM is known to use. Others are kept as plain strings when they come from
/// the account, but a person may not invent one.
pub const KNOWN_TYPES: [&str; 4] = ["regular", "invoices", "products", "suppliers"];

/// Types that `POST /api/v2/catalogs` accepts in `add[]`.
pub const CREATABLE_TYPES: [&str; 2] = ["regular", "invoices"];

/// The managed fields of a catalog, as one side sees them.
///
/// `None` in a flag means "unknown" for a remote or base value (absent from the pull) and
/// "not managed" for a desired value (the person left the column NULL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    pub name: String,
    /// `None` only when the pull did not carry `type`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub can_add_elements: Option<bool>,
    pub can_show_in_cards: Option<bool>,
    pub can_link_multiple: Option<bool>,
    /// Display order. Read-only through API v2: adopted from the account, never pushed.
    pub sort: Option<i64>,
}

/// One field of [`Fields`], for per-field decisions, conflicts and payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    #[serde(rename = "type")]
    Kind,
    CanAddElements,
    CanShowInCards,
    CanLinkMultiple,
    Sort,
}

impl Field {
    /// Every field, in the order they are shown and sent.
    pub const ALL: [Field; 6] = [
        Field::Name,
        Field::Kind,
        Field::CanAddElements,
        Field::CanShowInCards,
        Field::CanLinkMultiple,
        Field::Sort,
    ];

    /// The column name in the database and the key in the API body.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Kind => "type",
            Field::CanAddElements => "can_add_elements",
            Field::CanShowInCards => "can_show_in_cards",
            Field::CanLinkMultiple => "can_link_multiple",
            Field::Sort => "sort",
        }
    }

    /// Whether `POST /api/v2/catalogs` can set this field.
    pub fn is_pushable(self) -> bool {
        self != Field::Sort
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of one field, for comparisons and for the `conflicts` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Bool(bool),
    Int(i64),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
        }
    }
}

impl Fields {
    /// A catalog with only a name; everything else unknown or unmanaged.
    pub fn named(name: impl Into<String>) -> Self {
        Fields {
            name: name.into(),
            kind: None,
            can_add_elements: None,
            can_show_in_cards: None,
            can_link_multiple: None,
            sort: None,
        }
    }

    /// The value of one field; `None` when unknown or unmanaged.
    pub fn get(&self, field: Field) -> Option<Value> {
        match field {
            Field::Name => Some(Value::Text(self.name.clone())),
            Field::Kind => self.kind.clone().map(Value::Text),
            Field::CanAddElements => self.can_add_elements.map(Value::Bool),
            Field::CanShowInCards => self.can_show_in_cards.map(Value::Bool),
            Field::CanLinkMultiple => self.can_link_multiple.map(Value::Bool),
            Field::Sort => self.sort.map(Value::Int),
        }
    }

    /// Sets one field. A value of the wrong shape for the field is ignored: callers only copy
    /// values between `Fields`, so shapes always match.
    pub fn set(&mut self, field: Field, value: Option<Value>) {
        match (field, value) {
            (Field::Name, Some(Value::Text(s))) => self.name = s,
            (Field::Name, _) => {}
            (Field::Kind, Some(Value::Text(s))) => self.kind = Some(s),
            (Field::Kind, None) => self.kind = None,
            (Field::CanAddElements, v) => self.can_add_elements = as_bool(v),
            (Field::CanShowInCards, v) => self.can_show_in_cards = as_bool(v),
            (Field::CanLinkMultiple, v) => self.can_link_multiple = as_bool(v),
            (Field::Sort, Some(Value::Int(i))) => self.sort = Some(i),
            (Field::Sort, None) => self.sort = None,
            _ => {}
        }
    }
}

fn as_bool(v: Option<Value>) -> Option<bool> {
    match v {
        Some(Value::Bool(b)) => Some(b),
        _ => None,
    }
}

/// A catalog as the account reported it in the last pull.
pub type RemoteCatalog = Remote<Fields>;

/// A row of `desired_catalogs`: what a person wants the account to have. `fields.kind` is always
/// `Some` here: the column is NOT NULL with default `regular`.
pub type DesiredCatalog = Desired<Fields>;

/// A row of `synced_catalogs`: the catalog as both sides last agreed (the merge base).
pub type SyncedCatalog = Synced<Fields>;

/// How catalogs are read and written (`amocrm.api`). Elements always use API v4 (and the v2
/// delete, the only documented one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiVersion {
    /// `GET`/`POST /api/v2/catalogs`: add, update and delete in one POST.
    V2,
    /// `GET`/`POST`/`PATCH /api/v4/catalogs`; deletes still through `POST /api/v2/catalogs`.
    V4,
    /// v2 until the account answers v2 with 404 or 410, then v4, remembered in the database.
    Auto,
}

impl ApiVersion {
    /// The spelling of `amocrm.api`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2 => "v2",
            ApiVersion::V4 => "v4",
            ApiVersion::Auto => "auto",
        }
    }
}

impl FieldKey for Field {
    const NAME: Field = Field::Name;

    fn is_pushable(self) -> bool {
        Field::is_pushable(self)
    }

    fn adopted_when_new(self) -> bool {
        false
    }
}

impl Record for Fields {
    type Key = Field;
    type Value = Value;
    const ENTITY: &'static str = "catalog";

    fn named(name: String) -> Self {
        Fields::named(name)
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn keys(&self) -> Vec<Field> {
        Field::ALL.to_vec()
    }

    fn get(&self, key: Field) -> Option<Value> {
        Fields::get(self, key)
    }

    fn set(&mut self, key: Field, value: Option<Value>) {
        Fields::set(self, key, value)
    }

    /// `type` defaults to `regular`; `sort` cannot be sent.
    fn for_add(&self) -> Self {
        Fields {
            kind: Some(self.kind.clone().unwrap_or_else(|| "regular".into())),
            sort: None,
            ..self.clone()
        }
    }

    fn adopted(&self) -> Self {
        let mut f = self.clone();
        f.kind.get_or_insert_with(|| "regular".into());
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_and_set_round_trip_every_field() {
        let mut a = Fields::named("a");
        let b = Fields {
            name: "b".into(),
            kind: Some("invoices".into()),
            can_add_elements: Some(true),
            can_show_in_cards: Some(false),
            can_link_multiple: Some(true),
            sort: Some(20),
        };
        for f in Field::ALL {
            a.set(f, b.get(f));
        }
        assert_eq!(a, b);
    }

    #[test]
    fn only_sort_is_read_only() {
        let read_only: Vec<_> = Field::ALL
            .into_iter()
            .filter(|f| !f.is_pushable())
            .collect();
        assert_eq!(read_only, vec![Field::Sort]);
    }
}
