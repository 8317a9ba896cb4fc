//! The list form into [`AccountSettings`]: each `[[accounts]]` entry parsed like the single
//! form's sections, its problems named by the entry's key and wrapped with the account's name;
//! duplicate names and shared database files refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::auth;
use super::entries::RawAccount;
use super::error::{ConfigError, Problems};
use super::parse::{api, base_url, http, missing, sync};
use super::raw::RawSettings;
use super::{AccountName, AccountSettings, AmoCrmSettings, DatabaseSettings};

/// Every entry of `raw.accounts`, or `None` after recording why one cannot be used.
pub(crate) fn list(
    raw: &RawSettings,
    credentials_dir: Option<&Path>,
    p: &mut Problems,
) -> Option<Vec<AccountSettings>> {
    let dir = &raw.database.dir;
    if dir.as_os_str().is_empty() {
        let hint = "set the directory of the account databases, e.g. \".\"";
        p.push(missing("database.dir", "empty", hint));
    }
    let mut names: HashMap<AccountName, String> = HashMap::new();
    let mut files: HashMap<PathBuf, String> = HashMap::new();
    let mut accounts = Some(Vec::with_capacity(raw.accounts.len()));
    for entry in &raw.accounts {
        let mut own = Problems::default();
        let account = one(entry, dir, credentials_dir, &mut own);
        let name = entry
            .name
            .as_deref()
            .and_then(|n| AccountName::parse(n).ok());
        for problem in own.into_vec() {
            if reported_elsewhere(entry, &problem) {
                continue;
            }
            p.push(match &name {
                Some(name) => ConfigError::in_account(name, problem),
                None => problem,
            });
        }
        let account = account.filter(|a| {
            let name_taken = taken(&mut names, a.name.clone(), entry, "name", p, |n| {
                format!(
                    "{:?} is already the name of {n}; every account needs its own name",
                    a.name.as_str()
                )
            });
            let file_taken = taken(
                &mut files,
                a.database.path.clone(),
                entry,
                "database",
                p,
                |n| {
                    format!(
                        "{} is already the database of {n}; every account needs its own file",
                        a.database.path.display()
                    )
                },
            );
            !name_taken && !file_taken
        });
        match (account, &mut accounts) {
            (Some(a), Some(all)) => all.push(a),
            _ => accounts = None,
        }
    }
    accounts
}

/// Records `value` as used by `entry`; when an earlier entry has it, records the problem.
fn taken<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, String>,
    value: K,
    entry: &RawAccount,
    key: &str,
    p: &mut Problems,
    problem: impl Fn(&str) -> String,
) -> bool {
    match seen.get(&value) {
        Some(earlier) => {
            p.push(ConfigError::invalid(
                &format!("{}.{key}", entry.key),
                problem(earlier),
            ));
            true
        }
        None => {
            seen.insert(value, entry.key.clone());
            false
        }
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

fn one(
    entry: &RawAccount,
    dir: &Path,
    credentials_dir: Option<&Path>,
    p: &mut Problems,
) -> Option<AccountSettings> {
    let key = |name: &str| format!("{}.{name}", entry.key);
    let name = match &entry.name {
        None => {
            let hint = "give every account a name: 1 to 64 characters a-z, 0-9, _ or -";
            p.push(missing(&key("name"), "not set", hint));
            None
        }
        Some(name) => {
            p.check(AccountName::parse(name).map_err(|e| ConfigError::invalid(&key("name"), e)))
        }
    };
    let url = base_url(&key("base_url"), entry.base_url.as_deref().unwrap_or(""), p);
    let api = api(&key("api"), &entry.api, p);
    let auth = auth::auth(&entry.auth, credentials_dir, &key("auth"), p);
    let database = database(entry, name.as_ref(), dir, p);
    let sync = sync(&entry.sync, &key("sync"), p);
    let http = http(&entry.http, &key("http"), p);
    Some(AccountSettings {
        name: name?,
        amocrm: AmoCrmSettings {
            base_url: url?,
            api: api?,
        },
        auth: auth?,
        database: database?,
        sync: sync?,
        http: http?,
    })
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
