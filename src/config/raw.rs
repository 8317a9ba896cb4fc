//! The settings as written: the layers, merged, checked for unknown keys and deserialised into
//! plain serde structs. Nothing here knows what a value means; `parse` does.
//!
//! The list of known keys is `config/default.toml` itself, so the reference file and the
//! accepted keys cannot drift apart (a test deserialises the defaults with `deny_unknown_fields`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ::config::{Config, Environment, FileFormat, Format, Map, Source, Value};
use serde::Deserialize;

use super::auth::is_secret;
use super::entries::{self, RawAccount};
use super::error::{ConfigError, Problems};
use super::keys::{ENV_PREFIX, check_keys, from_where};

/// The commented defaults, compiled in.
pub(crate) const DEFAULTS: &str = include_str!("../../config/default.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSettings {
    pub amocrm: RawAmoCrm,
    pub auth: RawAuth,
    pub database: RawDatabase,
    pub sync: RawSync,
    pub http: RawHttp,
    pub daemon: RawDaemon,
    pub metrics: RawMetrics,
    pub log: RawLog,
    /// The `[[accounts]]` entries (empty in the single form), assembled by `entries`.
    #[serde(skip)]
    pub accounts: Vec<RawAccount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAmoCrm {
    pub base_url: String,
    pub api: String,
}

/// Holds secrets as plain strings: deliberately not `Debug`.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAuth {
    pub method: String,
    pub token: String,
    pub token_file: String,
    pub client_id: String,
    pub client_secret: String,
    pub client_secret_file: String,
    pub redirect_uri: String,
    pub login: String,
    pub api_key: String,
    pub api_key_file: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDatabase {
    pub path: PathBuf,
    pub dir: PathBuf,
}

/// Numbers are `i64` so that a negative value gets a range message, not a type error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSync {
    pub schedule: String,
    pub run_on_start: bool,
    pub mode: String,
    pub conflict_policy: String,
    pub batch_size: i64,
    pub max_deletes: i64,
    pub elements: bool,
    pub element_batch_size: i64,
    pub max_element_deletes: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHttp {
    pub timeout_seconds: i64,
    pub requests_per_second: i64,
    pub max_retries: i64,
    pub blocked_cooldown_seconds: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDaemon {
    pub max_concurrent_accounts: i64,
    pub shard: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMetrics {
    pub listen: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLog {
    pub format: String,
    pub level: String,
}

/// One parsed TOML layer, with its origin recorded on every value.
#[derive(Debug, Clone)]
struct Layer(Map<String, Value>);

impl Layer {
    fn defaults() -> Layer {
        let origin = "the built-in defaults".to_owned();
        let map = FileFormat::Toml
            .parse(Some(&origin), DEFAULTS)
            .expect("config/default.toml is valid TOML (checked by tests)");
        Layer(map)
    }

    fn read(path: &Path) -> Result<Layer, ConfigError> {
        let file_error = |reason: String| ConfigError::File {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
        let origin = path.display().to_string();
        FileFormat::Toml
            .parse(Some(&origin), &text)
            .map(Layer)
            .map_err(|e| file_error(toml_problem(&e.to_string())))
    }
}

impl Source for Layer {
    fn clone_into_box(&self) -> Box<dyn Source + Send + Sync> {
        Box::new(self.clone())
    }

    fn collect(&self) -> Result<Map<String, Value>, ::config::ConfigError> {
        Ok(self.0.clone())
    }
}

/// The TOML error without its source excerpt: the excerpt could show a secret on that line.
/// Keeps "TOML parse error at line 3, column 9" and the final explanation.
fn toml_problem(message: &str) -> String {
    let lines: Vec<&str> = message.lines().filter(|l| !l.trim().is_empty()).collect();
    match lines.as_slice() {
        [] => "not valid TOML".to_owned(),
        [only] => format!("not valid TOML: {only}"),
        [first, .., last] => format!("{first}: {last}"),
    }
}

/// Merges defaults, the file and the environment, rejects unknown keys, and deserialises.
pub(crate) fn load(
    file: Option<&Path>,
    env: HashMap<String, String>,
) -> Result<RawSettings, ConfigError> {
    let defaults = Layer::defaults();
    let mut builder = Config::builder().add_source(defaults.clone());
    if let Some(path) = file {
        builder = builder.add_source(Layer::read(path)?);
    }
    let environment = Environment::with_prefix(ENV_PREFIX)
        .separator("__")
        .ignore_empty(true)
        .source(Some(env));
    let mut merged = builder
        .add_source(environment)
        .build()
        .map_err(|e| from_library(e, ""))?;
    let entries = entries::take(&mut merged.cache);
    let mut problems = Problems::default();
    check_keys(&defaults.0, &merged.cache, &mut problems);
    entries::check(entries.as_ref(), &merged.cache, &mut problems);
    problems.finish(Some(()))?;
    let shared = merged.cache.clone();
    let mut raw: RawSettings = merged.try_deserialize().map_err(|e| from_library(e, ""))?;
    raw.accounts = entries::assemble(entries, &defaults.0, &shared);
    Ok(raw)
}

/// The defaults alone, deserialised.
pub(crate) fn defaults() -> Result<RawSettings, ConfigError> {
    Config::builder()
        .add_source(Layer::defaults())
        .build()
        .and_then(Config::try_deserialize)
        .map_err(|e| from_library(e, ""))
}

/// Translates the `config` crate's errors into ours, never quoting a secret's value. `prefix`
/// (`accounts[1].sync.`) goes before the key, for values deserialised out of an entry.
pub(crate) fn from_library(error: ::config::ConfigError, prefix: &str) -> ConfigError {
    match error {
        ::config::ConfigError::Type {
            origin,
            unexpected,
            expected,
            key,
        } => {
            let key = key.map_or_else(|| "settings".to_owned(), |k| format!("{prefix}{k}"));
            let got = if is_secret(&key) {
                String::new()
            } else {
                format!(", got {unexpected}")
            };
            let from = from_where(&key, origin.as_deref());
            ConfigError::invalid(&key, format!("expected {expected}{got}{from}"))
        }
        ::config::ConfigError::At {
            error,
            key: Some(key),
            ..
        } => ConfigError::invalid(&format!("{prefix}{key}"), error.to_string()),
        ::config::ConfigError::NotFound(key) => {
            ConfigError::invalid(&format!("{prefix}{key}"), "is missing")
        }
        other => ConfigError::invalid("settings", other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_defaults_have_exactly_the_keys_the_settings_know() {
        // deny_unknown_fields on every raw struct: an extra key in default.toml fails here,
        // a missing one fails as "missing field".
        if let Err(e) = defaults() {
            panic!("config/default.toml does not match the settings: {e}");
        }
    }

    #[test]
    fn toml_errors_keep_the_position_but_not_the_line() {
        let err = Layer::read_str("[auth]\ntoken = \"hunter2\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    impl Layer {
        fn read_str(text: &str) -> Result<Layer, ConfigError> {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.toml");
            std::fs::write(&path, text).unwrap();
            Layer::read(&path)
        }
    }
}
