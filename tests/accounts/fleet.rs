//! Several accounts, each its own sandbox (its own port and token), in one list-form
//! configuration; the binary run against them.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use catalog_sync::sandbox::{Account, Sandbox, SandboxOptions};
use catalog_sync::store::{RunRow, Store};
use serde_json::Value;

use crate::harness::{self, Daemon};

pub struct Fleet {
    pub names: Vec<String>,
    pub sandboxes: Vec<Sandbox>,
    pub dir: tempfile::TempDir,
}

/// The token each account's sandbox accepts.
pub fn token(name: &str) -> String {
    format!("tok-{name}-3f9")
}

impl Fleet {
    /// One sandbox per name (rate limits off), seeded with one catalog named after it.
    pub async fn start(names: &[&str]) -> Fleet {
        let mut sandboxes = vec![];
        for name in names {
            let sandbox = Sandbox::start(SandboxOptions {
                token: token(name),
                rate_limit_per_second: None,
                ..SandboxOptions::default()
            })
            .await
            .unwrap();
            sandbox
                .account()
                .add_catalog(&format!("{name} goods"), "regular")
                .unwrap();
            sandboxes.push(sandbox);
        }
        let fleet = Fleet {
            names: names.iter().map(|n| n.to_string()).collect(),
            sandboxes,
            dir: tempfile::tempdir().unwrap(),
        };
        for name in names {
            fleet.set_token(name, &token(name));
        }
        fleet
    }

    pub fn account(&self, name: &str) -> Account {
        self.sandbox(name).account()
    }

    fn sandbox(&self, name: &str) -> &Sandbox {
        let i = self
            .names
            .iter()
            .position(|n| n == name)
            .expect("a fleet account");
        &self.sandboxes[i]
    }

    /// Writes the token file the account's entry names.
    pub fn set_token(&self, name: &str, token: &str) {
        std::fs::write(
            self.dir.path().join(format!("{name}.token")),
            format!("{token}\n"),
        )
        .unwrap();
    }

    pub fn db(&self, name: &str) -> PathBuf {
        self.dir.path().join("dbs").join(format!("{name}.db"))
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    /// The entry of `name`, pointing at its sandbox, plus `extra` lines.
    pub fn entry(&self, name: &str, extra: &str) -> String {
        self.entry_at(name, &self.sandbox(name).base_url(), extra)
    }

    /// An entry at any address.
    pub fn entry_at(&self, name: &str, base_url: &str, extra: &str) -> String {
        let token = self.dir.path().join(format!("{name}.token"));
        format!(
            "[[accounts]]\nname = \"{name}\"\nbase_url = \"{base_url}\"\n\
             auth = {{ token_file = \"{}\" }}\n{extra}\n",
            token.display()
        )
    }

    /// Writes the configuration: the shared sections (`[sync]` lines in `sync`), then `entries`.
    pub fn write(&self, sync: &str, entries: &[String]) -> PathBuf {
        let text = format!(
            "[database]\ndir = \"{}\"\n[log]\nformat = \"json\"\nlevel = \"debug\"\n\
             [sync]\n{sync}\n\n{}",
            self.dir.path().join("dbs").display(),
            entries.concat()
        );
        std::fs::write(self.config_path(), text).unwrap();
        self.config_path()
    }

    /// Every account of the fleet, with its own sandbox.
    pub fn write_all(&self, sync: &str) -> PathBuf {
        let entries: Vec<String> = self.names.iter().map(|n| self.entry(n, "")).collect();
        self.write(sync, &entries)
    }

    /// Runs the binary with this configuration, logging text (the daemon logs JSON).
    pub async fn cli(&self, args: &[&str]) -> Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
            .arg("--config")
            .arg(self.config_path())
            .args(args)
            .env("CATALOG_SYNC__LOG__FORMAT", "text")
            .env("CATALOG_SYNC__LOG__LEVEL", "warn")
            .env_remove("RUST_LOG")
            .env_remove("CATALOG_SYNC_CONFIG")
            .output()
            .await
            .unwrap()
    }

    pub fn spawn(&self) -> harness::Daemon {
        harness::spawn(&self.config_path(), &[])
    }

    /// The account's runs, oldest first; none when its database was never created.
    pub async fn runs(&self, name: &str) -> Vec<RunRow> {
        if !self.db(name).exists() {
            return vec![];
        }
        harness::runs(&self.db(name)).await
    }

    /// The names in the account's `desired_catalogs`.
    pub async fn desired(&self, name: &str) -> Vec<String> {
        let store = Store::open(&self.db(name)).await.unwrap();
        let rows: Vec<(String,)> = sqlx::query_as("SELECT name FROM desired_catalogs ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
        store.close().await;
        rows.into_iter().map(|(n,)| n).collect()
    }

    /// SQL on the account's database, as a person would type it.
    pub async fn sql(&self, name: &str, sql: &str) {
        let store = Store::open(&self.db(name)).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

/// The names of the accounts in a `--json` list, in order.
pub fn listed(v: &Value) -> Vec<String> {
    v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap().to_owned())
        .collect()
}

/// The account a log event belongs to: the `account` field of its spans, or its own field.
pub fn account_of(event: &Value) -> Option<String> {
    let from_spans = event["spans"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|s| s["account"].as_str());
    from_spans
        .or_else(|| event["account"].as_str())
        .map(str::to_owned)
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// Reads events until `wanted` holds for the counts of `message` per account.
pub async fn count_until(
    daemon: &mut Daemon,
    message: &str,
    wanted: impl Fn(&HashMap<String, usize>) -> bool,
) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    while !wanted(&counts) {
        let event = daemon.event(message, |_| true).await;
        *counts
            .entry(account_of(&event).unwrap_or_default())
            .or_default() += 1;
    }
    counts
}

pub fn is(account: &'static str) -> impl Fn(&Value) -> bool {
    move |e| account_of(e).as_deref() == Some(account)
}

/// SIGHUP, and the daemon's event saying the configuration was reloaded.
pub async fn reload(daemon: &mut Daemon) -> Value {
    daemon.signal("HUP");
    daemon
        .event(
            "configuration reloaded; it applies from the next run",
            |_| true,
        )
        .await
}
