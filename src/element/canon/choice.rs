//! Values chosen from a field's options (select, radiobutton, category, multiselect), and the
//! raw values of every other type.

use serde_json::{Value, json};

use super::super::{FieldDef, FieldOption};
use super::value_of;

/// A refusal lists at most this many options.
const OPTIONS_SHOWN: usize = 10;

/// A choice from the API: the first entry's text. An entry with only an `enum_id` cannot be
/// read without the field's options.
pub(super) fn one_from_api(entry: Option<&Value>) -> Result<Value, String> {
    let Some(entry) = entry else {
        return Ok(Value::Null);
    };
    match value_of(entry).map(text) {
        Some(Some(t)) if t.is_empty() => Ok(Value::Null),
        Some(Some(t)) => Ok(Value::String(t)),
        Some(None) => Err(format!("{entry} has an option text that is not text")),
        None => match entry.get("enum_id").filter(|id| !id.is_null()) {
            Some(id) => Err(format!("option {id} came without its text")),
            None => Ok(Value::Null),
        },
    }
}

/// Choices from the API: every entry's text, sorted and de-duplicated; none is empty.
pub(super) fn many_from_api(entries: &[&Value]) -> Result<Value, String> {
    let mut texts = Vec::new();
    for entry in entries {
        match one_from_api(Some(entry))? {
            Value::String(t) => texts.push(t),
            _ => return Err(format!("{entry} names no option")),
        }
    }
    Ok(sorted(texts))
}

/// A person's choice: the text of one of the field's options (blanks around it ignored).
pub(super) fn one_from_person(def: &FieldDef, value: &Value) -> Result<Value, String> {
    let Some(written) = text(value) else {
        return Err(format!(
            "{value} is not an option: write the text of one option ({})",
            options_list(def)
        ));
    };
    if written.trim().is_empty() {
        return Ok(Value::Null);
    }
    option_by_text(def, &written)
        .map(|o| Value::String(o.value.clone()))
        .ok_or_else(|| {
            format!(
                "{written:?} is not an option of this field: write one of {}",
                options_list(def)
            )
        })
}

/// A person's choices: an array of option texts, or one text (a view may also hand over the
/// array as JSON text). Sorted and de-duplicated; none is empty.
pub(super) fn many_from_person(def: &FieldDef, value: &Value) -> Result<Value, String> {
    match value {
        Value::Array(items) => {
            let mut texts = Vec::new();
            for item in items.iter().filter(|i| !i.is_null()) {
                if let Value::String(t) = one_from_person(def, item)? {
                    texts.push(t);
                }
            }
            Ok(sorted(texts))
        }
        Value::String(s) => match one_from_person(def, value) {
            Ok(Value::Null) => Ok(Value::Null),
            Ok(one) => Ok(Value::Array(vec![one])),
            Err(refused) => match serde_json::from_str::<Value>(s) {
                Ok(array @ Value::Array(_)) => many_from_person(def, &array),
                _ => Err(refused),
            },
        },
        other => one_from_person(def, other).map(|one| Value::Array(vec![one])),
    }
}

/// A raw value from the API, as received: `values` is an array as a rule, but an object or a
/// bare value of a type this program does not know is kept just the same (never refused, so it
/// is never taken for a value cleared in amoCRM). Null, `[]` and `{}` are empty.
pub(super) fn raw_from_api(values: &Value) -> Value {
    if is_empty_raw(values) {
        return Value::Null;
    }
    values.clone()
}

/// A person's raw value: any JSON value, kept as written, so that whatever the API sent is its
/// own canonical form. Text holding a JSON array or object (as a view shows one) is that array
/// or object; null, `[]` and `{}` are empty.
pub(super) fn raw_from_person(value: &Value) -> Result<Value, String> {
    if let Value::String(s) = value
        && let Ok(parsed @ (Value::Array(_) | Value::Object(_))) = serde_json::from_str(s)
    {
        return Ok(raw_from_api(&parsed));
    }
    Ok(raw_from_api(value))
}

fn is_empty_raw(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(entries) => entries.is_empty(),
        _ => false,
    }
}

/// `[{"enum_id": id}, ..]` for a canonical choice or choices.
pub(super) fn to_api(def: &FieldDef, canonical: &Value) -> Result<Value, String> {
    let texts: Vec<&Value> = match canonical {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    texts
        .into_iter()
        .map(|t| {
            let wanted = t.as_str().unwrap_or_default();
            let option = option_by_text(def, wanted)
                .ok_or_else(|| format!("{t} is not an option of this field"))?;
            Ok(json!({ "enum_id": option.id }))
        })
        .collect()
}

/// The option whose text is `wanted`: an exact match first, then one that differs only in
/// blanks around either text.
fn option_by_text<'a>(def: &'a FieldDef, wanted: &str) -> Option<&'a FieldOption> {
    let options = &def.options;
    let trimmed = wanted.trim();
    options
        .iter()
        .find(|o| o.value == wanted)
        .or_else(|| options.iter().find(|o| o.value == trimmed))
        .or_else(|| options.iter().find(|o| o.value.trim() == trimmed))
}

/// The options as a refusal shows them: the first few quoted, then how many more.
fn options_list(def: &FieldDef) -> String {
    if def.options.is_empty() {
        return "the field has no options".into();
    }
    let shown: Vec<String> = def
        .options
        .iter()
        .take(OPTIONS_SHOWN)
        .map(|o| format!("{:?}", o.value))
        .collect();
    let more = def.options.len().saturating_sub(OPTIONS_SHOWN);
    match more {
        0 => shown.join(", "),
        n => format!("{} and {n} more", shown.join(", ")),
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn sorted(mut texts: Vec<String>) -> Value {
    texts.sort();
    texts.dedup();
    if texts.is_empty() {
        return Value::Null;
    }
    Value::Array(texts.into_iter().map(Value::String).collect())
}
