//! [`NewField`]: a custom field as a person sets it up in the UI (also the control API's JSON),
//! with its options given as text or `{"value", "code"?, "parent"?}`.

use serde::{Deserialize, Serialize};

/// A field to add, as a person sets it up in the UI (also the control API's JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewField {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub code: Option<String>,
    /// Default: after the catalog's last field.
    #[serde(default)]
    pub sort: Option<i64>,
    #[serde(default)]
    pub is_required: bool,
    #[serde(default)]
    pub is_api_only: bool,
    /// Default: user fields (no code) are deletable, system fields are not.
    #[serde(default)]
    pub is_deletable: Option<bool>,
    /// Options of a select, multiselect or radiobutton field.
    #[serde(default)]
    pub enums: Option<Vec<NewOption>>,
    /// Options of a category field.
    #[serde(default)]
    pub nested: Option<Vec<NewOption>>,
}

impl NewField {
    pub fn new(name: &str, kind: &str) -> Self {
        Self {
            name: name.into(),
            kind: kind.into(),
            ..Self::default()
        }
    }

    /// A system field's code (`SKU`, `PRICE`, ...).
    pub fn code(mut self, code: &str) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn enums(mut self, values: &[&str]) -> Self {
        self.enums = Some(values.iter().map(|v| NewOption::text(v)).collect());
        self
    }

    /// Category options as `(value, parent value)`; a parent must come before its children.
    pub fn nested(mut self, options: &[(&str, Option<&str>)]) -> Self {
        let options = options.iter().map(|(value, parent)| NewOption {
            parent: parent.map(str::to_string),
            ..NewOption::text(value)
        });
        self.nested = Some(options.collect());
        self
    }
}

/// One option of a [`NewField`]: JSON `"шт"` or `{"value": "шт", "code"?, "parent"?}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "OptionForm")]
pub struct NewOption {
    pub value: String,
    /// An enum option's code.
    pub code: Option<String>,
    /// A category option's parent, by its value.
    pub parent: Option<String>,
}

impl NewOption {
    pub fn text(value: &str) -> Self {
        Self {
            value: value.into(),
            ..Self::default()
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OptionForm {
    Text(String),
    Full {
        value: String,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        parent: Option<String>,
    },
}

impl From<OptionForm> for NewOption {
    fn from(form: OptionForm) -> Self {
        match form {
            OptionForm::Text(value) => NewOption::text(&value),
            OptionForm::Full {
                value,
                code,
                parent,
            } => NewOption {
                value,
                code,
                parent,
            },
        }
    }
}
