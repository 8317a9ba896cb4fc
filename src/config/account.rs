//! The list form into [`AccountSettings`]: each `[[accounts]]` entry parsed like the single
//! form's sections, its problems named by the entry's key.
//!
//! What makes the list itself unusable refuses the configuration: a missing, malformed or
//! duplicate name, two accounts on one database file, an empty `database.dir` (and, elsewhere,
//! the shared sections and the shard). What is wrong with one entry's own keys (unknown keys, its
//! address, its `auth` and token file, its `sync`, ...) stays with that account as its
//! [`AccountProblem`]: the other accounts load and run (SPEC §7).

use std::collections::HashMap;
use std::path::Path;

use super::auth;
use super::entries::RawAccount;
use super::error::{ConfigError, Problems};
use super::parse::{api, base_url, http, missing, sync};
use super::paths::file_taken;
use super::problem::{AccountProblem, Reread};
use super::raw::RawAuth;
use super::{
    AccountName, AccountSettings, AmoCrmSettings, AuthSettings, BaseUrl, DatabaseSettings,
    HttpSettings, SyncSettings,
};
use crate::catalog::ApiVersion;
use crate::secret::Secret;

/// The shared sections as parsed: what a broken entry falls back on. `None` when the section
/// itself is wrong (a problem of the whole configuration).
pub(crate) struct Shared {
    pub sync: Option<SyncSettings>,
    pub http: Option<HttpSettings>,
    pub api: Option<ApiVersion>,
}

/// Every entry of `entries`, or `None` after recording why the list cannot be used.
pub(crate) fn list(
    entries: Vec<RawAccount>,
    dir: &Path,
    shared: &Shared,
    credentials_dir: Option<&Path>,
    p: &mut Problems,
) -> Option<Vec<AccountSettings>> {
    if dir.as_os_str().is_empty() {
        let hint = "set the directory of the account databases, e.g. \".\"";
        p.push(missing("database.dir", "empty", hint));
    }
    let mut names: HashMap<AccountName, String> = HashMap::new();
    let mut files = HashMap::new();
    let mut accounts = Some(Vec::with_capacity(entries.len()));
    for entry in entries {
        let name = name(&entry, p);
        if let Some(name) = &name {
            name_taken(&mut names, name, &entry.key, p);
        }
        let built = one(entry, name.as_ref(), dir, credentials_dir);
        if let Some(database) = &built.database {
            file_taken(&mut files, &database.path, &built.key, p);
        }
        let account = match name {
            Some(name) => built.finish(name, dir, shared),
            None => {
                built
                    .problems
                    .into_iter()
                    .for_each(|problem| p.push(problem));
                None
            }
        };
        match (account, &mut accounts) {
            (Some(a), Some(all)) => all.push(a),
            _ => accounts = None,
        }
    }
    accounts
}

/// The entry's name; a missing or malformed one is a problem of the whole list.
fn name(entry: &RawAccount, p: &mut Problems) -> Option<AccountName> {
    let key = format!("{}.name", entry.key);
    if entry.unread.contains("name") {
        // Its problem is among the entry's own, reported with them.
        return None;
    }
    match &entry.name {
        None => {
            let hint = "give every account a name: 1 to 64 characters a-z, 0-9, _ or -";
            p.push(missing(&key, "not set", hint));
            None
        }
        Some(name) => p.check(AccountName::parse(name).map_err(|e| ConfigError::invalid(&key, e))),
    }
}

/// Records the name as `key`'s; when an earlier entry has it, records the problem.
fn name_taken(
    seen: &mut HashMap<AccountName, String>,
    name: &AccountName,
    key: &str,
    p: &mut Problems,
) {
    match seen.get(name) {
        Some(earlier) => p.push(ConfigError::invalid(
            &format!("{key}.name"),
            format!(
                "{:?} is already the name of {earlier}; every account needs its own name",
                name.as_str()
            ),
        )),
        None => {
            seen.insert(name.clone(), key.to_owned());
        }
    }
}

/// One entry's settings as far as they parse, and what is wrong with the rest.
struct Built {
    key: String,
    base_url: Option<BaseUrl>,
    api: Option<ApiVersion>,
    auth: Option<AuthSettings>,
    database: Option<DatabaseSettings>,
    sync: Option<SyncSettings>,
    http: Option<HttpSettings>,
    /// Keyed by the entry, without the account's name.
    problems: Vec<ConfigError>,
    reread: Option<Reread>,
    /// The account's `auth` while it does not parse: its method with empty secrets, so that
    /// what is said about the method (`status`, the metrics) stays true.
    stand_in: AuthSettings,
}

fn one(
    entry: RawAccount,
    name: Option<&AccountName>,
    dir: &Path,
    credentials_dir: Option<&Path>,
) -> Built {
    let key = |part: &str| format!("{}.{part}", entry.key);
    let unread = |part: &str| entry.unread.contains(part);
    let mut own = Problems::default();
    let url = (!unread("base_url"))
        .then(|| {
            base_url(
                &key("base_url"),
                entry.base_url.as_deref().unwrap_or(""),
                &mut own,
            )
        })
        .flatten();
    let api = (!unread("api"))
        .then(|| api(&key("api"), &entry.api, &mut own))
        .flatten();
    let database = (!unread("database"))
        .then(|| database(&entry, name, dir, &mut own))
        .flatten();
    let sync = (entry.sync.as_ref()).and_then(|raw| sync(raw, &key("sync"), &mut own));
    let http = (entry.http.as_ref()).and_then(|raw| http(raw, &key("http"), &mut own));
    let mut secrets = Problems::default();
    let auth = (entry.auth.as_ref())
        .and_then(|raw| auth::auth(raw, credentials_dir, &key("auth"), &mut secrets));
    let own: Vec<ConfigError> = own
        .into_vec()
        .into_iter()
        .filter(|problem| !reported_elsewhere(&entry, problem))
        .collect();
    let rest_good = entry.problems.is_empty()
        && own.is_empty()
        && [url.is_some(), api.is_some(), database.is_some()]
            .into_iter()
            .chain([sync.is_some(), http.is_some()])
            .all(|good| good);
    let reread = match (&entry.auth, &auth) {
        (Some(raw), None) if rest_good => Some(Reread {
            raw: raw.clone(),
            credentials_dir: credentials_dir.map(Path::to_owned),
            prefix: key("auth"),
        }),
        _ => None,
    };
    let stand_in = stand_in(entry.auth.as_ref());
    let mut problems = entry.problems;
    problems.extend(own);
    problems.extend(secrets.into_vec());
    Built {
        key: entry.key,
        base_url: url,
        api,
        auth,
        database,
        sync,
        http,
        problems,
        reread,
        stand_in,
    }
}

/// The method written in `raw`, with its secrets empty (a token when unknown).
fn stand_in(raw: Option<&RawAuth>) -> AuthSettings {
    let method = raw.map(|r| r.method.trim().to_ascii_lowercase());
    let raw = raw.cloned().unwrap_or_default();
    match method.as_deref() {
        Some("oauth") => AuthSettings::OAuth {
            client_id: raw.client_id,
            client_secret: Secret::default(),
            redirect_uri: raw.redirect_uri,
        },
        Some("api_key") => AuthSettings::ApiKey {
            login: raw.login,
            api_key: Secret::default(),
        },
        _ => AuthSettings::Token {
            token: Secret::default(),
        },
    }
}

impl Built {
    /// The account: as written when nothing is wrong; otherwise carrying its problem, with
    /// stand-ins for what did not parse. `None` when a shared section it needs is wrong.
    fn finish(self, name: AccountName, dir: &Path, shared: &Shared) -> Option<AccountSettings> {
        if self.problems.is_empty() {
            return Some(AccountSettings {
                name,
                amocrm: AmoCrmSettings {
                    base_url: self.base_url?,
                    api: self.api?,
                },
                auth: self.auth?,
                database: self.database?,
                sync: self.sync?,
                http: self.http?,
                problem: None,
            });
        }
        let mut sync = self.sync.or_else(|| shared.sync.clone())?;
        // Tried at start whatever its own setting says, so that the daemon reports it at once.
        sync.run_on_start = true;
        let database = self.database.unwrap_or_else(|| DatabaseSettings {
            path: dir.join(format!("{name}.db")),
        });
        Some(AccountSettings {
            amocrm: AmoCrmSettings {
                base_url: self.base_url.unwrap_or_else(BaseUrl::placeholder),
                api: self.api.or(shared.api)?,
            },
            auth: self.auth.unwrap_or(self.stand_in),
            database,
            sync,
            http: self.http.or_else(|| shared.http.clone())?,
            problem: Some(AccountProblem::new(
                name.clone(),
                self.problems,
                self.reread,
            )),
            name,
        })
    }
}

/// A problem with a shared key the entry does not set itself (`sync.*`, `http.*`, `api`): it was
/// reported once under the shared section's own key.
fn reported_elsewhere(entry: &RawAccount, problem: &ConfigError) -> bool {
    let Some(relative) = problem
        .key()
        .and_then(|k| k.strip_prefix(entry.key.as_str()))
        .and_then(|k| k.strip_prefix('.'))
    else {
        return false;
    };
    let shared =
        relative == "api" || relative.starts_with("sync.") || relative.starts_with("http.");
    shared && !entry.own.contains(relative)
}

/// The entry's `database`, relative to `database.dir`, or `<database.dir>/<name>.db`.
fn database(
    entry: &RawAccount,
    name: Option<&AccountName>,
    dir: &Path,
    p: &mut Problems,
) -> Option<DatabaseSettings> {
    let path = match entry.database.as_deref().map(str::trim) {
        Some("") => {
            let hint = format!(
                "name the account's SQLite file, or leave the key out for {}",
                dir.join("<name>.db").display()
            );
            p.push(missing(&format!("{}.database", entry.key), "empty", &hint));
            return None;
        }
        Some(file) => dir.join(file),
        None => dir.join(format!("{}.db", name?)),
    };
    Some(DatabaseSettings { path })
}
