//! Settings: the layers of SPEC §2 (compiled-in `config/default.toml` -> `--config` file ->
//! `CATALOG_SYNC__SECTION__KEY` variables), checked and parsed into domain types once at start.
//!
//! `raw` merges the layers (with `keys` rejecting unknown keys and `entries` assembling the
//! `[[accounts]]` list), `parse` turns values into types and collects every problem with its key
//! (`auth` for the secrets, `account` for the list form, `paths` for telling database files
//! apart), `error` says what is wrong. A problem of one `[[accounts]]` entry's own keys does not
//! refuse the settings: it stays with that account (`problem`), so that the others run.

mod account;
mod auth;
mod base_url;
mod entries;
mod error;
mod keys;
mod name;
mod parse;
mod paths;
mod problem;
mod raw;
mod shard;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use self::base_url::BaseUrl;
pub use self::error::ConfigError;
pub use self::name::{AccountName, DEFAULT_ACCOUNT};
pub use self::problem::AccountProblem;
pub use self::shard::{Shard, stable_hash};
use crate::catalog::{ApiVersion, ConflictPolicy, Mode};
use crate::schedule::Schedule;
use crate::secret::Secret;
pub use crate::telemetry::LogFormat;

/// The environment variable that points systemd's `LoadCredential=` files.
pub const CREDENTIALS_DIRECTORY: &str = "CREDENTIALS_DIRECTORY";

/// Everything the process is configured with. `Debug` is safe to log: secrets print as
/// `[redacted]`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Every configured account, in the order written; the single form gives one, `default`.
    /// Never empty, names unique.
    pub accounts: Vec<AccountSettings>,
    pub daemon: DaemonSettings,
    pub metrics: MetricsSettings,
    pub log: LogSettings,
}

/// One account: where it is, how to log in, its database, how and how often to sync it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSettings {
    pub name: AccountName,
    pub amocrm: AmoCrmSettings,
    pub auth: AuthSettings,
    pub database: DatabaseSettings,
    pub sync: SyncSettings,
    pub http: HttpSettings,
    /// Why the account's `[[accounts]]` entry cannot run as written; `None` when it can. A
    /// broken entry still has a name and a place in the schedule, so that it is reported and
    /// tried again without stopping the others; the settings that did not parse hold stand-ins
    /// (the shared `[sync]` and `[http]`, the placeholder address), and nothing uses them:
    /// [`AccountSettings::ready`], which every run and command goes through, refuses the account.
    pub problem: Option<AccountProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmoCrmSettings {
    pub base_url: BaseUrl,
    /// `amocrm.api`: how catalogs are read and written.
    pub api: ApiVersion,
}

/// How to log in (`auth.method`), with exactly what that method needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthSettings {
    /// A long-lived token, sent as `Authorization: Bearer`.
    Token { token: Secret },
    /// OAuth 2.0: access and refresh tokens live in the database.
    OAuth {
        client_id: String,
        client_secret: Secret,
        redirect_uri: String,
    },
    /// Legacy login with e-mail and API key, kept as a session cookie.
    ApiKey { login: String, api_key: Secret },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    /// The account's SQLite file. Single form: `database.path` as written (relative to the
    /// working directory). List form: the entry's `database`, relative to `database.dir`, or
    /// `<database.dir>/<name>.db`.
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    pub schedule: Schedule,
    /// Reconcile once at start instead of waiting for the first firing.
    pub run_on_start: bool,
    pub mode: Mode,
    pub conflict_policy: ConflictPolicy,
    /// Items per POST, all of add + update + delete together: 1..=250.
    pub batch_size: usize,
    /// More deletions than this in one run (either direction) abort the run.
    pub max_deletes: usize,
    /// `sync.elements`: sync the elements of catalogs whose `sync_elements` is NULL.
    pub elements: bool,
    /// Elements per element request: 1..=250.
    pub element_batch_size: usize,
    /// More element deletions than this in one run abort it.
    pub max_element_deletes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Per request, from `timeout_seconds` (1..=600).
    pub timeout: Duration,
    /// Client-side pace: 1..=7 (the account's limit is 7).
    pub requests_per_second: u32,
    /// Retries of one request after a transient failure: 0..=10.
    pub max_retries: u32,
    /// After a 403 block, nothing is sent for this long (`blocked_cooldown_seconds`, 60..=86400).
    pub blocked_cooldown: Duration,
}

/// `[daemon]`: how one process shares its time, and which accounts it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaemonSettings {
    /// Runs of different accounts at once: 1..=1000.
    pub max_concurrent_accounts: usize,
    /// This replica's share of the accounts.
    pub shard: Shard,
}

/// `[metrics]`: where to serve `/metrics`, `/livez` and `/readyz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsSettings {
    /// `None` when `metrics.listen` is empty (off).
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A checked `EnvFilter` directive such as `info` or `info,sqlx=warn`.
    pub level: String,
}

impl Settings {
    /// Loads defaults -> `file` -> the process environment. `CATALOG_SYNC_CONFIG` (the file
    /// variable, one underscore) is the caller's business and is not a key. Variables whose
    /// name or value is not UTF-8 are skipped.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Settings::load_with_env(file, env)
    }

    /// Same, with the environment given explicitly (tests). `env` stands for the whole
    /// environment: `CATALOG_SYNC__SECTION__KEY` entries are keys, and `CREDENTIALS_DIRECTORY`
    /// is where relative `*_file` paths are looked up. Other entries are ignored.
    pub fn load_with_env(
        file: Option<&Path>,
        env: HashMap<String, String>,
    ) -> Result<Settings, ConfigError> {
        let credentials_dir = env
            .get(CREDENTIALS_DIRECTORY)
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from);
        let raw = raw::load(file, env)?;
        parse::settings(raw, credentials_dir.as_deref())
    }

    /// Settings for one account, `default`, at `base_url` with a token, everything else
    /// default: used by tests, the demo and the benchmark. Reads neither a file nor the
    /// environment.
    pub fn for_account(
        base_url: &str,
        token: &str,
        database: PathBuf,
    ) -> Result<Settings, ConfigError> {
        let mut raw = raw::defaults()?;
        raw.amocrm.base_url = base_url.to_owned();
        raw.auth.method = "token".to_owned();
        raw.auth.token = token.to_owned();
        raw.auth.token_file = String::new();
        raw.database.path = database;
        parse::settings(raw, None)
    }

    /// The account called `name`, if there is one.
    pub fn account(&self, name: &str) -> Option<&AccountSettings> {
        self.accounts.iter().find(|a| a.name.as_str() == name)
    }
}

impl AuthSettings {
    /// The method's name as written in `auth.method`.
    pub fn method(&self) -> &'static str {
        match self {
            AuthSettings::Token { .. } => "token",
            AuthSettings::OAuth { .. } => "oauth",
            AuthSettings::ApiKey { .. } => "api_key",
        }
    }
}
