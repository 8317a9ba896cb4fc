//! The list form as written: each `[[accounts]]` entry checked for unknown keys and assembled
//! into the raw settings of one account over the defaults (`[auth]`) and the shared sections
//! (`[sync]`, `[http]`, `amocrm.api`), whose keys an entry's own keys override. What is wrong
//! with an entry's own keys stays with the entry (see `account`); only a list that is not a list
//! of tables, or the single form's keys beside it, is a problem of the whole configuration.
//!
//! Entries are numbered from 0, in the order written: `accounts[0]` is the first `[[accounts]]`.

use std::collections::BTreeSet;

use ::config::{Map, Value, ValueKind};
use serde::de::DeserializeOwned;

use super::error::{ConfigError, Problems, closest};
use super::keys::{check_section, origin, sorted, table, unknown};
use super::raw::{RawAuth, RawHttp, RawSync, from_library};

/// The top-level key of the list form.
pub(crate) const ACCOUNTS: &str = "accounts";

/// The keys of an entry that hold a value.
const SCALARS: [&str; 4] = ["name", "base_url", "api", "database"];

/// The tables of an entry, each taking the keys of the section of the same name.
const TABLES: [&str; 3] = ["auth", "sync", "http"];

/// What config 0.15 records as the origin of a value from `config/default.toml`.
const DEFAULTS_ORIGIN: &str = "the built-in defaults";

/// One `[[accounts]]` entry, as written, over the defaults and the shared sections.
pub(crate) struct RawAccount {
    /// `accounts[2]`, for messages.
    pub key: String,
    pub name: Option<String>,
    pub base_url: Option<String>,
    /// The entry's `api`, else `amocrm.api`.
    pub api: String,
    pub database: Option<String>,
    /// `None` when the entry's table could not be read; the reason is in `problems`.
    pub auth: Option<RawAuth>,
    pub sync: Option<RawSync>,
    pub http: Option<RawHttp>,
    /// The keys the entry sets itself (`api`, `sync.schedule`, ...). A problem with any other
    /// key comes from a shared section and is reported once, under that section's key.
    pub own: BTreeSet<String>,
    /// What is wrong with the entry as written (unknown keys, a table where a value belongs, a
    /// value of the wrong type), keyed by the entry (`accounts[2].sync.shedule`).
    pub problems: Vec<ConfigError>,
    /// The entry's keys those problems are about (`base_url`, `sync`): not read any further, so
    /// that each problem is reported once.
    pub unread: BTreeSet<String>,
}

/// Takes `accounts` out of the merged settings, so that the sections deserialise alone.
pub(crate) fn take(cache: &mut Value) -> Option<Value> {
    match &mut cache.kind {
        ValueKind::Table(root) => root.remove(ACCOUNTS),
        _ => None,
    }
}

/// The entries, when `accounts` is a list of tables; a problem otherwise.
fn list(entries: Option<&Value>, p: &mut Problems) -> Vec<Value> {
    match entries.map(|v| &v.kind) {
        None => vec![],
        Some(ValueKind::Array(items)) => items.clone(),
        Some(_) => {
            let value = entries.expect("matched Some");
            p.push(ConfigError::invalid(
                ACCOUNTS,
                format!(
                    "must be a list of [[accounts]] tables in the configuration file{}",
                    origin(ACCOUNTS, value)
                ),
            ));
            vec![]
        }
    }
}

/// Records what makes the list itself unusable: `accounts` that is not a list of tables, and
/// single-form keys set beside the list. Each entry's own keys are checked by [`assemble`].
pub(crate) fn check(entries: Option<&Value>, merged: &Value, p: &mut Problems) {
    let entries = list(entries, p);
    if entries.is_empty() {
        return;
    }
    check_not_mixed(merged, p);
    for (index, entry) in entries.iter().enumerate() {
        if table(entry).is_none() {
            let problem = "must be a table: write each account as an [[accounts]] section";
            p.push(ConfigError::invalid(
                &format!("{ACCOUNTS}[{index}]"),
                problem,
            ));
        }
    }
}

/// `[amocrm] base_url`, `[auth]` and `[database] path` are the one account of the single form.
fn check_not_mixed(merged: &Value, p: &mut Problems) {
    let section = |name: &str| {
        table(merged)
            .and_then(|root| root.get(name))
            .and_then(table)
    };
    let mut set: Vec<(String, &Value)> = vec![];
    for (section_name, key) in [("amocrm", "base_url"), ("database", "path")] {
        if let Some(v) = section(section_name).and_then(|s| s.get(key)) {
            set.push((format!("{section_name}.{key}"), v));
        }
    }
    if let Some(auth) = section("auth") {
        for (key, v) in sorted(auth) {
            set.push((format!("auth.{key}"), v));
        }
    }
    for (key, value) in set {
        if value.origin() == Some(DEFAULTS_ORIGIN) {
            continue;
        }
        let problem = format!(
            "is the single-account form, which [[accounts]] replaces: set base_url, \
             auth = {{ ... }} and database in each [[accounts]] entry instead{}",
            origin(&key, value)
        );
        p.push(ConfigError::invalid(&key, problem));
    }
}

/// Records unknown keys and misplaced values of one entry; returns the entry's keys they are
/// about.
fn check_entry(
    key: &str,
    keys: &Map<String, Value>,
    known: &Map<String, Value>,
    p: &mut Problems,
) -> BTreeSet<String> {
    let mut unread = BTreeSet::new();
    for (name, value) in sorted(keys) {
        let full = format!("{key}.{name}");
        if SCALARS.contains(&name.as_str()) {
            if matches!(value.kind, ValueKind::Table(_) | ValueKind::Array(_)) {
                let problem = format!("must be a single value{}", origin(&full, value));
                p.push(ConfigError::invalid(&full, problem));
                unread.insert(name.clone());
            }
        } else if let Some(section) = TABLES.iter().find(|t| **t == name.as_str()) {
            let (Some(sub), Some(known_keys)) = (table(value), known.get(*section).and_then(table))
            else {
                let problem = format!(
                    "must be a table, e.g. {section} = {{ ... }} with the keys of [{section}]{}",
                    origin(&full, value)
                );
                p.push(ConfigError::invalid(&full, problem));
                unread.insert(name.clone());
                continue;
            };
            let hint = |k: &str| {
                closest(k, known_keys.keys().map(String::as_str))
                    .map(|c| format!(" (did you mean {c}?)"))
                    .unwrap_or_default()
            };
            let mut found = Problems::default();
            check_section(&full, known_keys, sub, &hint, &mut found);
            let found = found.into_vec();
            if !found.is_empty() {
                unread.insert(name.clone());
            }
            found.into_iter().for_each(|problem| p.push(problem));
        } else {
            let hint = entry_hint(name, known) + &origin(&full, value);
            p.push(unknown("key", &full, hint));
        }
    }
    unread
}

/// " (did you mean base_url?)", or " (did you mean sync = { schedule = ... }?)" for a section's
/// key written at the entry's top level.
fn entry_hint(name: &str, known: &Map<String, Value>) -> String {
    let own = SCALARS.iter().chain(TABLES.iter()).copied();
    if let Some(close) = closest(name, own) {
        return format!(" (did you mean {close}?)");
    }
    TABLES
        .iter()
        .find(|t| {
            known
                .get(**t)
                .and_then(table)
                .is_some_and(|k| k.contains_key(name))
        })
        .map(|t| format!(" (did you mean {t} = {{ {name} = ... }}?)"))
        .unwrap_or_default()
}

/// Every entry over the defaults and `shared` (the merged sections), each with its own
/// problems. Call after [`check`]; entries that are not tables are left out.
pub(crate) fn assemble(
    entries: Option<Value>,
    known: &Map<String, Value>,
    shared: &Value,
) -> Vec<RawAccount> {
    let entries = list(entries.as_ref(), &mut Problems::default());
    let base = |section: &str, from: &Value| {
        table(from)
            .and_then(|root| root.get(section))
            .and_then(table)
            .cloned()
            .unwrap_or_default()
    };
    let defaults = Value::new(None, ValueKind::Table(known.clone()));
    let bases = Bases {
        known,
        auth: base("auth", &defaults),
        sync: base("sync", shared),
        http: base("http", shared),
        api: base("amocrm", shared)
            .get("api")
            .and_then(|v| v.clone().into_string().ok())
            .unwrap_or_default(),
    };
    entries
        .into_iter()
        .enumerate()
        .filter_map(|(index, entry)| assemble_one(index, entry, &bases))
        .collect()
}

/// The tables an entry is laid over, and the known keys.
struct Bases<'a> {
    known: &'a Map<String, Value>,
    auth: Map<String, Value>,
    sync: Map<String, Value>,
    http: Map<String, Value>,
    api: String,
}

fn assemble_one(index: usize, entry: Value, bases: &Bases<'_>) -> Option<RawAccount> {
    let key = format!("{ACCOUNTS}[{index}]");
    let ValueKind::Table(mut keys) = entry.kind else {
        return None;
    };
    let mut p = Problems::default();
    let unread = check_entry(&key, &keys, bases.known, &mut p);
    let mut own = BTreeSet::new();
    let mut scalar = |name: &str| {
        let value = keys.remove(name)?;
        own.insert(name.to_owned());
        value.into_string().ok().filter(|_| !unread.contains(name))
    };
    let (name, base_url, api, database) = (
        scalar("name"),
        scalar("base_url"),
        scalar("api"),
        scalar("database"),
    );
    let mut layer = |section: &str, base: &Map<String, Value>| {
        let mut merged = base.clone();
        if let Some(ValueKind::Table(sub)) = keys.remove(section).map(|v| v.kind) {
            for (k, v) in sub {
                own.insert(format!("{section}.{k}"));
                merged.insert(k, v);
            }
        }
        Value::new(None, ValueKind::Table(merged))
    };
    let (auth, sync, http) = (
        layer("auth", &bases.auth),
        layer("sync", &bases.sync),
        layer("http", &bases.http),
    );
    Some(RawAccount {
        name,
        base_url,
        api: api.unwrap_or_else(|| bases.api.clone()),
        database,
        auth: read(auth, &key, "auth", &unread, &mut p),
        sync: read(sync, &key, "sync", &unread, &mut p),
        http: read(http, &key, "http", &unread, &mut p),
        own,
        problems: p.into_vec(),
        unread,
        key,
    })
}

/// The entry's `section` over its base, unless a problem with it is already recorded.
fn read<T: DeserializeOwned>(
    merged: Value,
    key: &str,
    section: &str,
    unread: &BTreeSet<String>,
    p: &mut Problems,
) -> Option<T> {
    if unread.contains(section) {
        return None;
    }
    let prefix = format!("{key}.{section}.");
    p.check(
        merged
            .try_deserialize()
            .map_err(|e| from_library(e, &prefix)),
    )
}
