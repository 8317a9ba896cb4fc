//! The custom fields of each catalog, with their options (`enums` for select-like fields, the
//! `nested` category tree for `category`).
//!
//! Pure. Field ids and option ids are unique across the account and only grow, as amoCRM's do;
//! fields are added "in the UI" (amoCRM's API for catalog fields is not something catalog-sync
//! uses) and go away with their catalog.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::new_field::{NewField, NewOption};

/// Every field type a catalog may hold.
pub const FIELD_TYPES: [&str; 20] = [
    "text",
    "numeric",
    "checkbox",
    "select",
    "multiselect",
    "date",
    "date_time",
    "birthday",
    "url",
    "textarea",
    "radiobutton",
    "streetaddress",
    "price",
    "monetary",
    "category",
    "items",
    "linked_entity",
    "payer",
    "supplier",
    "file",
];

/// Types whose values are options from `enums`.
pub const ENUM_TYPES: [&str; 3] = ["select", "multiselect", "radiobutton"];

const FIRST_FIELD_ID: i64 = 270_001;
const FIRST_OPTION_ID: i64 = 10_001;
const FIRST_SORT: i64 = 500;

/// One custom field of a catalog, as the account stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxField {
    pub id: i64,
    pub catalog_id: i64,
    pub name: String,
    /// `None` for fields a user made; system fields carry one (`SKU`, `PRICE`, ...).
    pub code: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub sort: i64,
    pub is_required: bool,
    pub is_api_only: bool,
    pub is_deletable: bool,
    pub enums: Option<Vec<FieldEnum>>,
    pub nested: Option<Vec<FieldNested>>,
}

impl SandboxField {
    pub fn enum_by_id(&self, id: i64) -> Option<&FieldEnum> {
        self.enums.iter().flatten().find(|e| e.id == id)
    }

    pub fn nested_by_id(&self, id: i64) -> Option<&FieldNested> {
        self.nested.iter().flatten().find(|n| n.id == id)
    }
}

/// An option of a select, multiselect or radiobutton field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldEnum {
    pub id: i64,
    pub value: String,
    pub sort: i64,
    /// Most options have none; `enum_code` in a write matches this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// An option of a category field; `parent_id` builds the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldNested {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub value: String,
    pub sort: i64,
}

/// The fields of every catalog.
#[derive(Debug, Clone)]
pub struct Fields {
    by_catalog: BTreeMap<i64, Vec<SandboxField>>,
    next_field_id: i64,
    next_option_id: i64,
}

impl Default for Fields {
    fn default() -> Self {
        Self {
            by_catalog: BTreeMap::new(),
            next_field_id: FIRST_FIELD_ID,
            next_option_id: FIRST_OPTION_ID,
        }
    }
}

impl Fields {
    /// The catalog's fields in the order they were added.
    pub fn of(&self, catalog_id: i64) -> &[SandboxField] {
        self.by_catalog.get(&catalog_id).map_or(&[], Vec::as_slice)
    }

    /// Adds a field to a catalog (the caller checks that the catalog exists).
    pub fn add(&mut self, catalog_id: i64, new: NewField) -> Result<i64, String> {
        check(self.of(catalog_id), &new)?;
        let sort = new.sort.unwrap_or_else(|| {
            let last = self.of(catalog_id).iter().map(|f| f.sort).max();
            last.map_or(FIRST_SORT, |s| s + 1)
        });
        let enums = new.enums.map(|options| self.enum_options(options));
        let nested = new.nested.map(|options| self.nested_options(options));
        let id = self.next_field_id;
        self.next_field_id += 1;
        let field = SandboxField {
            id,
            catalog_id,
            name: new.name.trim().to_string(),
            is_deletable: new.is_deletable.unwrap_or(new.code.is_none()),
            code: new.code,
            kind: new.kind,
            sort,
            is_required: new.is_required,
            is_api_only: new.is_api_only,
            enums,
            nested,
        };
        self.by_catalog.entry(catalog_id).or_default().push(field);
        Ok(id)
    }

    /// Forgets every field of a deleted catalog.
    pub fn forget(&mut self, catalog_id: i64) {
        self.by_catalog.remove(&catalog_id);
    }

    /// Removes one field of a catalog; `false` when the catalog has no such field.
    pub fn remove(&mut self, catalog_id: i64, field_id: i64) -> bool {
        let Some(fields) = self.by_catalog.get_mut(&catalog_id) else {
            return false;
        };
        let before = fields.len();
        fields.retain(|f| f.id != field_id);
        fields.len() != before
    }

    fn option_id(&mut self) -> i64 {
        let id = self.next_option_id;
        self.next_option_id += 1;
        id
    }

    fn enum_options(&mut self, options: Vec<NewOption>) -> Vec<FieldEnum> {
        let mut out = Vec::with_capacity(options.len());
        for (sort, o) in options.into_iter().enumerate() {
            out.push(FieldEnum {
                id: self.option_id(),
                value: o.value,
                sort: sort as i64 * 10,
                code: o.code,
            });
        }
        out
    }

    fn nested_options(&mut self, options: Vec<NewOption>) -> Vec<FieldNested> {
        let mut out: Vec<FieldNested> = Vec::with_capacity(options.len());
        for (sort, o) in options.into_iter().enumerate() {
            let parent = o.parent.as_deref();
            let parent_id = parent.and_then(|p| out.iter().find(|n| n.value == p).map(|n| n.id));
            out.push(FieldNested {
                id: self.option_id(),
                parent_id,
                value: o.value,
                sort: sort as i64,
            });
        }
        out
    }
}

/// The rules a new field must follow; nothing is added when one is broken.
fn check(existing: &[SandboxField], new: &NewField) -> Result<(), String> {
    if new.name.trim().is_empty() {
        return Err("a field needs a name".into());
    }
    if !FIELD_TYPES.contains(&new.kind.as_str()) {
        return Err(format!(
            "unknown field type \"{}\"; use one of {}",
            new.kind,
            FIELD_TYPES.join(", ")
        ));
    }
    if let Some(code) = &new.code
        && existing.iter().any(|f| f.code.as_ref() == Some(code))
    {
        return Err(format!("the catalog already has a field with code {code}"));
    }
    let is_enum = ENUM_TYPES.contains(&new.kind.as_str());
    if new.enums.is_some() != is_enum {
        return Err(format!(
            "enums belong to select, multiselect and radiobutton fields (and they need them), not to {}",
            new.kind
        ));
    }
    if new.nested.is_some() != (new.kind == "category") {
        return Err("nested options belong to category fields, which need them".into());
    }
    check_options(new.enums.iter().chain(new.nested.iter()).flatten())
}

fn check_options<'a>(options: impl Iterator<Item = &'a NewOption>) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    for o in options {
        if o.value.trim().is_empty() {
            return Err("an option needs a value".into());
        }
        if seen.contains(&o.value.as_str()) {
            return Err(format!("the option \"{}\" is listed twice", o.value));
        }
        if let Some(parent) = &o.parent
            && !seen.contains(&parent.as_str())
        {
            return Err(format!(
                "the parent \"{parent}\" of \"{}\" must be listed before it",
                o.value
            ));
        }
        seen.push(&o.value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_and_option_ids_are_unique_across_catalogs_and_only_grow() {
        let mut f = Fields::default();
        let a = f
            .add(1, NewField::new("Ед.", "select").enums(&["шт", "кг"]))
            .unwrap();
        let b = f
            .add(2, NewField::new("Ед.", "select").enums(&["шт"]))
            .unwrap();
        f.forget(1);
        let c = f.add(1, NewField::new("Имя", "text")).unwrap();
        assert!(a < b && b < c);
        let options: Vec<i64> = f.of(2)[0].enums.iter().flatten().map(|e| e.id).collect();
        assert_eq!(options, [FIRST_OPTION_ID + 2]);
    }

    #[test]
    fn a_category_tree_links_children_to_earlier_parents() {
        let mut f = Fields::default();
        let tree = [("Электроника", None), ("Смартфоны", Some("Электроника"))];
        f.add(1, NewField::new("Группа", "category").nested(&tree))
            .unwrap();
        let nested = f.of(1)[0].nested.clone().unwrap();
        assert_eq!(nested[1].parent_id, Some(nested[0].id));
        let orphan = [("Смартфоны", Some("Электроника"))];
        assert!(
            f.add(1, NewField::new("Г2", "category").nested(&orphan))
                .is_err()
        );
    }

    #[test]
    fn unknown_types_duplicate_codes_and_misplaced_options_are_refused() {
        let mut f = Fields::default();
        assert!(f.add(1, NewField::new("X", "colour")).is_err());
        assert!(f.add(1, NewField::new(" ", "text")).is_err());
        assert!(f.add(1, NewField::new("X", "select")).is_err());
        assert!(f.add(1, NewField::new("X", "text").enums(&["a"])).is_err());
        f.add(1, NewField::new("SKU", "text").code("SKU")).unwrap();
        assert!(
            f.add(1, NewField::new("SKU 2", "text").code("SKU"))
                .is_err()
        );
        assert_eq!(f.of(1).len(), 1);
        assert!(!f.of(1)[0].is_deletable);
    }

    #[test]
    fn options_read_from_text_or_objects() {
        let new: NewField = serde_json::from_str(
            r#"{"name":"Цвет","type":"multiselect","enums":["Белый",{"value":"Чёрный","code":"BLACK"}]}"#,
        )
        .unwrap();
        let enums = new.enums.unwrap();
        assert_eq!(enums[0], NewOption::text("Белый"));
        assert_eq!(enums[1].code.as_deref(), Some("BLACK"));
    }
}
