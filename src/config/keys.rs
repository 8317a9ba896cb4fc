//! Unknown keys and sections, found by comparing the merged settings with the defaults, with a
//! suggestion and the place the key came from.

use ::config::{Map, Value, ValueKind};

use super::error::{ConfigError, Problems, closest};

/// Environment variables for keys start with this, then `__`.
pub(crate) const ENV_PREFIX: &str = "CATALOG_SYNC";

/// What config 0.15 records as the origin of an environment value.
const ENV_ORIGIN: &str = "the environment";

/// Records every key or section in `merged` that the defaults do not have, with a suggestion.
/// `accounts` is not looked at here (see `entries`).
pub(crate) fn check_keys(known: &Map<String, Value>, merged: &Value, problems: &mut Problems) {
    let ValueKind::Table(sections) = &merged.kind else {
        return;
    };
    for (section, value) in sorted(sections) {
        let Some(known_keys) = known.get(section).and_then(table) else {
            let hint = closest(section, known.keys().map(String::as_str))
                .map(|s| format!(" (did you mean [{s}]?)"))
                .unwrap_or_default();
            problems.push(unknown("section", section, hint + &origin(section, value)));
            continue;
        };
        let Some(keys) = table(value) else {
            problems.push(ConfigError::invalid(
                section,
                format!(
                    "is a section; set its keys, e.g. {section}.<key>{}",
                    origin(section, value)
                ),
            ));
            continue;
        };
        let elsewhere = |key: &str| suggestion(known, section, key);
        check_section(section, known_keys, keys, &elsewhere, problems);
    }
}

/// The keys of one table against the known ones; `path` names the table in messages
/// (`sync`, `accounts[1].sync`), `hint` suggests a replacement for an unknown key.
pub(crate) fn check_section(
    path: &str,
    known_keys: &Map<String, Value>,
    keys: &Map<String, Value>,
    hint: &dyn Fn(&str) -> String,
    problems: &mut Problems,
) {
    for (key, value) in sorted(keys) {
        let full = format!("{path}.{key}");
        match known_keys.get(key) {
            None => problems.push(unknown("key", &full, hint(key) + &origin(&full, value))),
            // config would round 1.5 to 2 without a word.
            Some(default) if is_integer(default) && matches!(value.kind, ValueKind::Float(_)) => {
                let problem = format!(
                    "must be a whole number, got {value}{}",
                    origin(&full, value)
                );
                problems.push(ConfigError::invalid(&full, problem));
            }
            Some(_) => {}
        }
    }
}

pub(crate) fn unknown(what: &'static str, key: &str, hint: String) -> ConfigError {
    ConfigError::UnknownKey {
        what,
        key: key.to_owned(),
        hint,
    }
}

/// " (did you mean max_deletes?)", or the same key in another section.
fn suggestion(known: &Map<String, Value>, section: &str, key: &str) -> String {
    let same_section = known.get(section).and_then(table);
    if let Some(close) = same_section.and_then(|keys| closest(key, keys.keys().map(String::as_str)))
    {
        return format!(" (did you mean {close}?)");
    }
    let mut elsewhere: Vec<&String> = known
        .iter()
        .filter(|(_, keys)| table(keys).is_some_and(|keys| keys.contains_key(key)))
        .map(|(name, _)| name)
        .collect();
    elsewhere.sort();
    match elsewhere.first() {
        Some(other) => format!(" (did you mean {other}.{key}?)"),
        None => String::new(),
    }
}

/// Where a value came from, for messages: the variable name or the file.
pub(crate) fn origin(key: &str, value: &Value) -> String {
    from_where(key, value.origin())
}

/// " (from CATALOG_SYNC__SYNC__BATCH_SIZE)", " (in /etc/catalog-sync.toml)" or nothing.
pub(crate) fn from_where(key: &str, origin: Option<&str>) -> String {
    match origin {
        Some(ENV_ORIGIN) => format!(" (from {})", env_name(key)),
        Some(file) => format!(" (in {file})"),
        None => String::new(),
    }
}

/// `sync.batch_size` -> `CATALOG_SYNC__SYNC__BATCH_SIZE`.
pub(crate) fn env_name(key: &str) -> String {
    format!(
        "{ENV_PREFIX}__{}",
        key.replace('.', "__").to_ascii_uppercase()
    )
}

fn is_integer(value: &Value) -> bool {
    matches!(value.kind, ValueKind::I64(_) | ValueKind::U64(_))
}

pub(crate) fn table(value: &Value) -> Option<&Map<String, Value>> {
    match &value.kind {
        ValueKind::Table(map) => Some(map),
        _ => None,
    }
}

pub(crate) fn sorted(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(k, _)| *k);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_derived_from_keys() {
        assert_eq!(
            env_name("sync.batch_size"),
            "CATALOG_SYNC__SYNC__BATCH_SIZE"
        );
    }
}
