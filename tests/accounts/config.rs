//! The list form of the settings: `[[accounts]]`, its defaults and overrides, and every problem
//! named by the account's entry (`accounts[1]`, numbered from 0) and key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use catalog_sync::catalog::{ApiVersion, Mode};
use catalog_sync::config::{AuthSettings, ConfigError, Settings};

pub(crate) const SECRET: &str = "hunter2-account-secret";

pub(crate) struct Dir(tempfile::TempDir);

impl Dir {
    pub(crate) fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    pub(crate) fn path(&self) -> &Path {
        self.0.path()
    }

    fn load_env(&self, toml: &str, env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let file = self.path().join("config.toml");
        std::fs::write(&file, toml).unwrap();
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load_with_env(Some(&file), env)
    }

    pub(crate) fn load(&self, toml: &str) -> Result<Settings, ConfigError> {
        self.load_env(toml, &[])
    }

    pub(crate) fn refused(&self, toml: &str) -> String {
        self.load(toml).expect_err("refused").to_string()
    }

    /// Loads `toml`, whose account `name` is mis-configured while the configuration is good:
    /// that account's problem, as printed.
    pub(crate) fn broken(&self, toml: &str, name: &str) -> String {
        let settings = self
            .load(toml)
            .unwrap_or_else(|e| panic!("refused as a whole: {e}"));
        let account = settings
            .account(name)
            .expect("the broken account is served");
        let problem = account
            .problem
            .as_ref()
            .expect("the account carries its problem");
        assert!(account.ready().is_err(), "a broken account never runs");
        problem.to_string()
    }
}

/// An entry with everything it needs, plus `extra` lines.
pub(crate) fn entry(name: &str, extra: &str) -> String {
    format!(
        "[[accounts]]\nname = \"{name}\"\nbase_url = \"https://{name}.amocrm.ru\"\n\
         auth = {{ token = \"{SECRET}\" }}\n{extra}\n"
    )
}

#[test]
fn three_accounts_load_in_order_with_their_own_databases_and_overrides() {
    let dir = Dir::new();
    let toml = format!(
        "[amocrm]\napi = \"v4\"\n[database]\ndir = \"{}\"\n[sync]\nbatch_size = 20\n\n{}{}{}",
        dir.path().join("dbs").display(),
        entry(
            "shop",
            "sync = { schedule = \"*/10 * * * *\", mode = \"pull\" }"
        ),
        entry(
            "tea",
            "database = \"tea/main.db\"\napi = \"auto\"\nhttp = { requests_per_second = 2 }"
        ),
        entry("cars", "database = \"/srv/cars.db\""),
    );
    let s = dir.load(&toml).unwrap();

    let names: Vec<&str> = s.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["shop", "tea", "cars"]);
    let [shop, tea, cars] = &s.accounts[..] else {
        unreachable!()
    };
    assert_eq!(shop.database.path, dir.path().join("dbs/shop.db"));
    assert_eq!(tea.database.path, dir.path().join("dbs/tea/main.db"));
    assert_eq!(cars.database.path, PathBuf::from("/srv/cars.db"));
    assert_eq!(shop.sync.schedule.as_str(), "*/10 * * * *");
    assert_eq!(shop.sync.mode, Mode::Pull);
    assert_eq!(
        tea.sync.schedule.as_str(),
        "*/5 * * * *",
        "the [sync] default"
    );
    assert_eq!(
        (shop.sync.batch_size, tea.sync.batch_size),
        (20, 20),
        "[sync] is shared"
    );
    assert_eq!(
        (shop.amocrm.api, tea.amocrm.api),
        (ApiVersion::V4, ApiVersion::Auto)
    );
    assert_eq!(
        (shop.http.requests_per_second, tea.http.requests_per_second),
        (5, 2)
    );
    assert_eq!(tea.amocrm.base_url.to_string(), "https://tea.amocrm.ru");
    assert!(matches!(&cars.auth, AuthSettings::Token { token } if token.expose() == SECRET));
}

#[test]
fn the_single_form_is_one_account_named_default() {
    let s = Dir::new()
        .load("[amocrm]\nbase_url = \"https://yourcompany.kommo.com\"\n[auth]\ntoken = \"t\"\n")
        .unwrap();
    assert_eq!(s.accounts.len(), 1);
    assert_eq!(s.accounts[0].name.as_str(), "default");
    assert_eq!(
        s.accounts[0].database.path,
        PathBuf::from("catalog-sync.db")
    );
}

#[test]
fn the_single_forms_keys_beside_the_list_are_refused_naming_each() {
    let dir = Dir::new();
    let toml = format!(
        "[amocrm]\nbase_url = \"https://old.amocrm.ru\"\n[database]\npath = \"old.db\"\n{}",
        entry("shop", "")
    );
    let text = dir.refused(&toml);
    assert!(
        text.contains("amocrm.base_url: is the single-account form"),
        "{text}"
    );
    assert!(
        text.contains("database.path: is the single-account form"),
        "{text}"
    );
    assert!(text.contains("in each [[accounts]] entry"), "{text}");

    let from_env = dir
        .load_env(
            &entry("shop", ""),
            &[("CATALOG_SYNC__AUTH__TOKEN_FILE", "t")],
        )
        .unwrap_err()
        .to_string();
    assert!(
        from_env.contains("auth.token_file: is the single-account form")
            && from_env.contains("CATALOG_SYNC__AUTH__TOKEN_FILE"),
        "{from_env}"
    );
}

#[test]
fn a_duplicate_name_is_refused_naming_both_entries() {
    let text = Dir::new().refused(&(entry("shop", "") + &entry("shop", "database = \"b.db\"")));
    assert!(
        text.contains("accounts[1].name: \"shop\" is already the name of accounts[0]"),
        "{text}"
    );
}

#[test]
fn a_malformed_or_missing_name_is_refused_naming_the_entry() {
    let dir = Dir::new();
    let text = dir.refused(&entry("Shop Online", ""));
    assert!(
        text.contains("accounts[0].name: \"Shop Online\" is not an account name: use 1 to 64"),
        "{text}"
    );
    let text =
        dir.refused("[[accounts]]\nbase_url = \"https://a.amocrm.ru\"\nauth = { token = \"t\" }\n");
    assert!(text.contains("accounts[0].name is not set"), "{text}");
}

#[test]
fn two_accounts_on_one_database_file_are_refused() {
    let toml = entry("shop", "database = \"same.db\"") + &entry("tea", "database = \"same.db\"");
    let text = Dir::new().refused(&toml);
    assert!(
        text.contains("accounts[1].database: ./same.db is already the database of accounts[0]"),
        "{text}"
    );
}

#[test]
fn a_bad_value_in_an_entry_breaks_that_account_naming_it_and_the_key() {
    let dir = Dir::new();
    let cases = [
        (
            "sync = { batch_size = 0 }",
            "account shop: accounts[0].sync.batch_size: must be between 1 and 250",
        ),
        (
            "sync = { schedule = \"* * *\" }",
            "account shop: accounts[0].sync.schedule: cron expression",
        ),
        (
            "http = { requests_per_second = 9 }",
            "account shop: accounts[0].http.requests_per_second",
        ),
        (
            "api = \"v5\"",
            "account shop: accounts[0].api: must be v2, v4 or auto",
        ),
        (
            "database = \"\"",
            "account shop: accounts[0].database is empty",
        ),
        (
            "sync = { batch_size = \"many\" }",
            "account shop: accounts[0].sync.batch_size: expected an integer",
        ),
        (
            "auth = 5",
            "account shop: accounts[0].auth: must be a table",
        ),
        (
            "base_url = { host = \"x\" }",
            "account shop: accounts[0].base_url: must be a single value",
        ),
    ];
    for (extra, wanted) in cases {
        let toml = format!(
            "[[accounts]]\nname = \"shop\"\n{}\n{}\n{extra}\n{}",
            if extra.starts_with("base_url") {
                ""
            } else {
                "base_url = \"https://shop.amocrm.ru\""
            },
            if extra.starts_with("auth") {
                ""
            } else {
                "auth = { token = \"t\" }"
            },
            entry("tea", "")
        );
        let text = dir.broken(&toml, "shop");
        assert!(
            text.contains(wanted),
            "{extra}\n  got: {text}\n want: {wanted}"
        );
        assert_eq!(
            text.matches("accounts[0]").count(),
            1,
            "reported once: {text}"
        );
        let tea = dir.load(&toml).unwrap();
        assert_eq!(tea.account("tea").unwrap().problem, None, "{extra}");
    }
}

#[test]
fn a_bad_shared_value_is_reported_once_under_its_own_key() {
    let toml = format!(
        "[sync]\nbatch_size = 0\n{}{}",
        entry("shop", ""),
        entry("tea", "")
    );
    let err = Dir::new().load(&toml).unwrap_err();
    let keys: Vec<&str> = err.problems().iter().filter_map(|p| p.key()).collect();
    assert_eq!(keys, ["sync.batch_size"], "{err}");
}

#[test]
fn a_relative_token_file_is_read_from_the_credentials_directory() {
    let dir = Dir::new();
    std::fs::write(dir.path().join("shop-token"), format!("{SECRET}\n")).unwrap();
    let toml = "[[accounts]]\nname = \"shop\"\nbase_url = \"https://shop.amocrm.ru\"\n\
                auth = { method = \"token\", token_file = \"shop-token\" }\n";
    let credentials = dir.path().display().to_string();
    let s = dir
        .load_env(toml, &[("CREDENTIALS_DIRECTORY", credentials.as_str())])
        .unwrap();
    assert!(
        matches!(&s.accounts[0].auth, AuthSettings::Token { token } if token.expose() == SECRET)
    );
}

#[test]
fn a_secret_in_an_entry_never_appears_in_a_message() {
    let toml = format!(
        "[[accounts]]\nname = \"shop\"\nbase_url = \"https://shop.amocrm.ru\"\n\
         auth = {{ token = [\"{SECRET}\"] }}\n"
    );
    let text = Dir::new().broken(&toml, "shop");
    assert!(text.contains("accounts[0].auth.token"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}
