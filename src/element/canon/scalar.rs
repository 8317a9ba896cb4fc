//! Text, number and checkbox values.

use serde_json::{Number, Value};

/// Above this magnitude an integral f64 is kept as a float (it would not fit an i64).
const I64_LIMIT: f64 = 9.2e18;

/// A text field's first value: strings as they are, bare numbers as their decimal text.
pub(super) fn text_from_api(value: Option<&Value>) -> Result<Value, String> {
    match value {
        None => Ok(Value::Null),
        Some(Value::String(s)) if s.is_empty() => Ok(Value::Null),
        Some(Value::String(s)) => Ok(Value::String(s.clone())),
        Some(Value::Number(n)) => Ok(Value::String(n.to_string())),
        Some(other) => Err(format!("{other} is not text")),
    }
}

/// A person's text: a string, or a number (a view may hand digits over as a number).
pub(super) fn text_from_person(value: &Value) -> Result<Value, String> {
    text_from_api(Some(value))
        .map_err(|_| format!("{value} is not text: write the value as a string"))
}

/// A number from the API: a JSON number or a numeric string (`"999.12"`); `""` is empty.
pub(super) fn number_from_api(value: &Value) -> Result<Value, String> {
    match value {
        Value::Number(n) => from_number(n).ok_or_else(|| format!("{n} is not a usable number")),
        Value::String(s) if s.trim().is_empty() => Ok(Value::Null),
        Value::String(s) => parse(s).ok_or_else(|| format!("{s:?} is not a number")),
        other => Err(format!("{other} is not a number")),
    }
}

/// A person's number: a JSON number or numeric text with a dot for decimals.
pub(super) fn number_from_person(value: &Value) -> Result<Value, String> {
    if let Value::String(s) = value
        && s.contains(',')
    {
        return Err(format!(
            "{s:?} is not a number: write decimals with a dot, not a comma (e.g. 12.5)"
        ));
    }
    number_from_api(value)
        .map_err(|_| format!("{value} is not a number: write a number such as 1290 or 1290.5"))
}

/// A checkbox from the API: `true`/`false`, `1`/`0` or their text; `""` is unchecked.
pub(super) fn flag_from_api(value: &Value) -> Result<Value, String> {
    match value {
        Value::String(s) if s.trim().is_empty() => Ok(Value::Bool(false)),
        other => flag(other)
            .map(Value::Bool)
            .ok_or_else(|| format!("{other} is not a checkbox value")),
    }
}

/// A person's checkbox: `true`/`false`, `1`/`0`, or their text in any case.
pub(super) fn flag_from_person(value: &Value) -> Result<Value, String> {
    flag(value)
        .map(Value::Bool)
        .ok_or_else(|| format!("{value} is not a checkbox value: write true or false (or 1 or 0)"))
}

/// A flag from `true`/`false`, `0`/`1` (also `1.0`), or their text in any case: how amoCRM
/// and people spell a yes or no (the client's tolerant reading uses it too).
pub(crate) fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(0.0) => Some(false),
            Some(1.0) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The canonical form of a JSON number: an integer when integral, else a float.
fn from_number(n: &Number) -> Option<Value> {
    match n.as_i64() {
        Some(i) => Some(Value::from(i)),
        None => from_f64(n.as_f64()?),
    }
}

/// Numeric text, with surrounding blanks; `inf`, `NaN` and the like are not numbers here.
fn parse(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    let numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !numeric || !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    from_f64(text.parse().ok()?)
}

fn from_f64(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < I64_LIMIT {
        return Some(Value::from(f as i64));
    }
    Number::from_f64(f).map(Value::Number)
}
