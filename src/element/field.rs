//! A catalog's custom fields: their types, how each type's values look, their options.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldId;
use crate::record::RemoteId;

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
