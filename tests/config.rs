//! Settings: layering, unknown keys, bad values, secrets. Hermetic: the environment is always
//! passed in, files live in a fresh temporary directory per test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use catalog_sync::catalog::{ApiVersion, ConflictPolicy, Mode};
use catalog_sync::config::{AuthSettings, ConfigError, LogFormat, Settings, Shard};

const SECRET: &str = "hunter2-very-secret";

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The two values without a usable default, as environment variables.
fn account() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "CATALOG_SYNC__AMOCRM__BASE_URL",
            "https://yourcompany.amocrm.ru",
        ),
        ("CATALOG_SYNC__AUTH__TOKEN", SECRET),
    ]
}

fn with_account(extra: &[(&'static str, &'static str)]) -> HashMap<String, String> {
    let mut pairs = account();
    pairs.extend_from_slice(extra);
    env(&pairs)
}

/// A temporary directory holding `config.toml` with `text`.
struct ConfigFile {
    dir: tempfile::TempDir,
}

impl ConfigFile {
    fn new(text: &str) -> ConfigFile {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), text).unwrap();
        ConfigFile { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    fn load(&self, env: HashMap<String, String>) -> Result<Settings, ConfigError> {
        Settings::load_with_env(Some(&self.path()), env)
    }
}

fn error_of(result: Result<Settings, ConfigError>) -> String {
    result.expect_err("settings should be refused").to_string()
}

#[test]
fn the_defaults_load_once_the_account_and_token_are_given() {
    let s = Settings::load_with_env(None, env(&account())).unwrap();
    assert_eq!(
        s.accounts[0].amocrm.base_url.to_string(),
        "https://yourcompany.amocrm.ru"
    );
    assert_eq!(s.accounts[0].auth.method(), "token");
    assert_eq!(
        s.accounts[0].database.path,
        PathBuf::from("catalog-sync.db")
    );
    assert_eq!(s.accounts[0].sync.schedule.as_str(), "*/5 * * * *");
    assert!(s.accounts[0].sync.run_on_start);
    assert_eq!(s.accounts[0].sync.mode, Mode::Both);
    assert_eq!(
        s.accounts[0].sync.conflict_policy,
        ConflictPolicy::LocalWins
    );
    assert_eq!(
        (
            s.accounts[0].sync.batch_size,
            s.accounts[0].sync.max_deletes
        ),
        (50, 3)
    );
    assert_eq!(s.accounts[0].http.timeout, Duration::from_secs(30));
    assert_eq!(
        (
            s.accounts[0].http.requests_per_second,
            s.accounts[0].http.max_retries
        ),
        (5, 5)
    );
    assert_eq!(
        s.accounts[0].http.blocked_cooldown,
        Duration::from_secs(900)
    );
    let one = &s.accounts[0];
    assert_eq!((s.accounts.len(), one.name.as_str()), (1, "default"));
    assert_eq!(one.amocrm.api, ApiVersion::V2);
    assert!(!one.sync.elements);
    assert_eq!(
        (one.sync.element_batch_size, one.sync.max_element_deletes),
        (50, 20)
    );
    assert_eq!(s.daemon.max_concurrent_accounts, 8);
    assert_eq!(s.daemon.shard, Shard::ALL);
    assert_eq!(s.metrics.listen, None);
    assert_eq!(
        (s.log.format, s.log.level.as_str()),
        (LogFormat::Text, "info")
    );
}

#[test]
fn the_bare_defaults_ask_for_the_account_address_and_the_token() {
    let err = Settings::load_with_env(None, HashMap::new()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "amocrm.base_url is not set: https://example.amocrm.ru is the shipped placeholder; \
             put your account's address, e.g. https://yourcompany.amocrm.ru"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "auth.token is empty: set auth.token, CATALOG_SYNC__AUTH__TOKEN or auth.token_file"
        ),
        "{text}"
    );
    let keys: Vec<_> = err.problems().iter().filter_map(|p| p.key()).collect();
    assert_eq!(keys, ["amocrm.base_url", "auth.token"]);
}

#[test]
fn a_file_overrides_the_defaults() {
    let file = ConfigFile::new("[sync]\nbatch_size = 20\nmode = \"push\"\n");
    let s = file.load(env(&account())).unwrap();
    assert_eq!(s.accounts[0].sync.batch_size, 20);
    assert_eq!(s.accounts[0].sync.mode, Mode::Push);
    assert_eq!(
        s.accounts[0].sync.max_deletes, 3,
        "keys the file leaves out keep their defaults"
    );
}

#[test]
fn the_environment_overrides_the_file() {
    let file = ConfigFile::new("[sync]\nbatch_size = 20\n");
    let s = file
        .load(with_account(&[("CATALOG_SYNC__SYNC__BATCH_SIZE", "7")]))
        .unwrap();
    assert_eq!(s.accounts[0].sync.batch_size, 7);
}

#[test]
fn environment_values_are_parsed_like_file_values() {
    let s = Settings::load_with_env(
        None,
        with_account(&[
            ("CATALOG_SYNC__SYNC__MODE", "PULL"),
            ("CATALOG_SYNC__SYNC__RUN_ON_START", "false"),
            ("CATALOG_SYNC__LOG__FORMAT", "json"),
            ("CATALOG_SYNC__HTTP__TIMEOUT_SECONDS", "5"),
        ]),
    )
    .unwrap();
    assert_eq!(s.accounts[0].sync.mode, Mode::Pull);
    assert!(!s.accounts[0].sync.run_on_start);
    assert_eq!(s.log.format, LogFormat::Json);
    assert_eq!(s.accounts[0].http.timeout, Duration::from_secs(5));
}

#[test]
fn an_empty_environment_variable_is_ignored() {
    let s = Settings::load_with_env(
        None,
        with_account(&[("CATALOG_SYNC__SYNC__BATCH_SIZE", "")]),
    )
    .unwrap();
    assert_eq!(s.accounts[0].sync.batch_size, 50);
}

#[test]
fn catalog_sync_config_in_the_environment_is_not_taken_as_a_key() {
    let s = Settings::load_with_env(
        None,
        with_account(&[
            ("CATALOG_SYNC_CONFIG", "/etc/catalog-sync/config.toml"),
            ("CATALOG_SYNC_LOG", "debug"),
            ("PATH", "/usr/bin"),
        ]),
    );
    assert!(s.is_ok(), "{:?}", s.err());
}

#[test]
fn a_missing_config_file_is_an_error_naming_it() {
    let text = error_of(Settings::load_with_env(
        Some(Path::new("/nonexistent/catalog-sync.toml")),
        env(&account()),
    ));
    assert!(
        text.starts_with("config file /nonexistent/catalog-sync.toml: "),
        "{text}"
    );
}

#[test]
fn an_unknown_key_in_the_file_is_rejected_with_a_suggestion() {
    let file = ConfigFile::new("[sync]\nmax_delete = 5\n");
    let text = error_of(file.load(env(&account())));
    let expected = format!(
        "unknown key sync.max_delete (did you mean max_deletes?) (in {})",
        file.path().display()
    );
    assert_eq!(text, expected);
}

#[test]
fn an_unknown_key_in_the_environment_is_rejected_naming_the_variable() {
    let text = error_of(Settings::load_with_env(
        None,
        with_account(&[("CATALOG_SYNC__SYNC__MAX_DELETE", "5")]),
    ));
    assert_eq!(
        text,
        "unknown key sync.max_delete (did you mean max_deletes?) (from CATALOG_SYNC__SYNC__MAX_DELETE)"
    );
}

#[test]
fn unknown_sections_and_keys_in_the_wrong_section_are_rejected() {
    let file = ConfigFile::new("[syncc]\nmode = \"push\"\n[sync]\ntimeout_seconds = 3\n");
    let text = error_of(file.load(env(&account())));
    assert!(
        text.contains("unknown section syncc (did you mean [sync]?)"),
        "{text}"
    );
    assert!(
        text.contains("unknown key sync.timeout_seconds (did you mean http.timeout_seconds?)"),
        "{text}"
    );
    let text = error_of(Settings::load_with_env(
        None,
        with_account(&[("CATALOG_SYNC__SYNC", "1")]),
    ));
    assert!(text.starts_with("sync: is a section"), "{text}");
}

/// Each case: a file, the key that must be named, and the message.
#[test]
fn each_bad_value_is_rejected_with_its_key() {
    let cases = [
        (
            "[sync]\nbatch_size = 0",
            "sync.batch_size: must be between 1 and 250, got 0",
        ),
        (
            "[sync]\nbatch_size = 251",
            "sync.batch_size: must be between 1 and 250, got 251",
        ),
        (
            "[sync]\nbatch_size = \"many\"",
            "sync.batch_size: expected an integer, got string \"many\"",
        ),
        (
            "[sync]\nmax_deletes = -1",
            "sync.max_deletes: must be 0 or more, got -1",
        ),
        (
            "[sync]\nmode = \"sideways\"",
            "sync.mode: must be both, push or pull; got \"sideways\"",
        ),
        (
            "[sync]\nconflict_policy = \"mine\"",
            "sync.conflict_policy: must be local_wins, remote_wins or manual; got \"mine\"",
        ),
        (
            "[sync]\nschedule = \"61 * * * *\"",
            "sync.schedule: cron expression \"61 * * * *\": minute field \"61\" is not valid",
        ),
        (
            "[sync]\nschedule = \"* * * *\"",
            "sync.schedule: cron expression \"* * * *\": has 4 fields",
        ),
        (
            "[sync]\nrun_on_start = \"maybe\"",
            "sync.run_on_start: expected a boolean, got string \"maybe\"",
        ),
        (
            "[http]\nrequests_per_second = 8",
            "http.requests_per_second: the account allows at most 7 requests per second; got 8",
        ),
        (
            "[http]\nrequests_per_second = 0",
            "http.requests_per_second: must be between 1 and 7, got 0",
        ),
        (
            "[http]\ntimeout_seconds = 0",
            "http.timeout_seconds: must be between 1 and 600, got 0",
        ),
        (
            "[http]\nmax_retries = 11",
            "http.max_retries: must be between 0 and 10, got 11",
        ),
        (
            "[http]\nblocked_cooldown_seconds = 5",
            "http.blocked_cooldown_seconds: must be between 60 and 86400, got 5",
        ),
        (
            "[log]\nformat = \"xml\"",
            "log.format: must be text or json; got \"xml\"",
        ),
        (
            "[log]\nlevel = \"loud\"",
            "log.level: \"loud\" is not a level",
        ),
        (
            "[auth]\nmethod = \"password\"",
            "auth.method: must be token, oauth or api_key; got \"password\"",
        ),
        ("[database]\npath = \"\"", "database.path is empty"),
        (
            "[sync]\nelement_batch_size = 251",
            "sync.element_batch_size: must be between 1 and 250, got 251",
        ),
        (
            "[sync]\nmax_element_deletes = -1",
            "sync.max_element_deletes: must be 0 or more, got -1",
        ),
        (
            "[sync]\nelements = \"maybe\"",
            "sync.elements: expected a boolean, got string \"maybe\"",
        ),
        (
            "[amocrm]\nbase_url = \"https://yourcompany.amocrm.ru\"\napi = \"v3\"",
            "amocrm.api: must be v2, v4 or auto; got \"v3\"",
        ),
        (
            "[daemon]\nmax_concurrent_accounts = 0",
            "daemon.max_concurrent_accounts: must be between 1 and 1000, got 0",
        ),
        (
            "[daemon]\nshard = \"3/2\"",
            "daemon.shard: \"3/2\" is not a shard: write I/N with 1 <= I <= N",
        ),
        (
            "[metrics]\nlisten = \"9464\"",
            "metrics.listen: must be host:port with an IP address, such as 127.0.0.1:9464",
        ),
        (
            "[metrics]\nlisten = \"example.com:9464\"",
            "metrics.listen: must be host:port",
        ),
        (
            "[amocrm]\nbase_url = \"http://yourcompany.amocrm.ru\"",
            "amocrm.base_url: plain http is allowed only for loopback hosts",
        ),
        (
            "[amocrm]\nbase_url = \"https://example.amocrm.ru/\"",
            "amocrm.base_url is not set: https://example.amocrm.ru is the shipped placeholder",
        ),
        (
            "[amocrm]\nbase_url = \"\"",
            "amocrm.base_url is not set: put your account's address",
        ),
    ];
    for (toml, message) in cases {
        let file = ConfigFile::new(toml);
        // The environment would win over the file's address, so give it only where untested.
        let text = match toml.starts_with("[amocrm]") {
            true => error_of(file.load(env(&[("CATALOG_SYNC__AUTH__TOKEN", SECRET)]))),
            false => error_of(file.load(env(&account()))),
        };
        assert!(
            text.starts_with(message),
            "for {toml:?}\n  got: {text}\n want: {message}"
        );
    }
}

/// The message for `base_url` in the single form, from the file.
fn refused_address(url: &str) -> String {
    let file = ConfigFile::new(&format!("[amocrm]\nbase_url = \"{url}\""));
    let text = error_of(file.load(env(&[("CATALOG_SYNC__AUTH__TOKEN", SECRET)])));
    assert!(text.starts_with("amocrm.base_url: "), "{url}: {text}");
    text
}

/// Every refusal says what an account address looks like.
fn shows_an_account_address(text: &str) {
    assert!(
        text.contains("https://yourcompany.amocrm.ru")
            && text.contains("https://yourcompany.kommo.com")
            || text.contains("use https://yourcompany."),
        "{text}"
    );
}

#[test]
fn a_www_host_is_refused_as_the_products_site_naming_the_key() {
    for url in [
        "https://www.amocrm.ru",
        "https://www.kommo.com",
        "https://www.amocrm.com",
    ] {
        let text = refused_address(url);
        assert!(text.contains("the product's own site"), "{text}");
        shows_an_account_address(&text);
    }
}

#[test]
fn a_host_that_is_not_an_account_host_is_refused_naming_the_key() {
    let text = refused_address("https://crm.example.com");
    assert!(
        text.contains("not an amoCRM or Kommo account host"),
        "{text}"
    );
    shows_an_account_address(&text);
}

#[test]
fn a_domain_without_an_account_label_is_refused_naming_the_key() {
    let text = refused_address("https://kommo.com");
    assert!(text.contains("the product's own site"), "{text}");
    shows_an_account_address(&text);
}

#[test]
fn a_path_is_refused_naming_the_key() {
    let text = refused_address("https://yourcompany.amocrm.ru/api/v2");
    assert!(
        text.contains("without a path: use https://yourcompany.amocrm.ru"),
        "{text}"
    );
    shows_an_account_address(&text);
}

#[test]
fn a_query_is_refused_naming_the_key() {
    let text = refused_address("https://yourcompany.kommo.com/?lang=en");
    assert!(text.contains("without a query or fragment"), "{text}");
    shows_an_account_address(&text);
}

#[test]
fn a_fragment_is_refused_naming_the_key() {
    let text = refused_address("https://yourcompany.amocrm.com/#leads");
    assert!(text.contains("without a query or fragment"), "{text}");
    shows_an_account_address(&text);
}

#[test]
fn plain_http_to_a_public_host_is_refused_naming_the_key() {
    let text = refused_address("http://yourcompany.amocrm.ru");
    assert!(
        text.contains("plain http is allowed only for loopback"),
        "{text}"
    );
    shows_an_account_address(&text);
}

#[test]
fn another_scheme_is_refused_naming_the_key() {
    let text = refused_address("ftp://yourcompany.amocrm.ru");
    assert!(text.contains("is not supported; use https"), "{text}");
    shows_an_account_address(&text);
}

#[test]
fn every_account_host_and_a_loopback_path_are_accepted() {
    for url in [
        "https://yourcompany.amocrm.ru",
        "https://yourcompany.amocrm.com",
        "https://yourcompany.kommo.com",
        "http://127.0.0.1:8787/accounts/2",
    ] {
        let file = ConfigFile::new(&format!("[amocrm]\nbase_url = \"{url}\""));
        let s = file.load(env(&[("CATALOG_SYNC__AUTH__TOKEN", SECRET)]));
        let s = s.unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(s.accounts[0].amocrm.base_url.to_string(), url);
    }
}

#[test]
fn a_bad_value_from_the_environment_names_the_variable() {
    let text = error_of(Settings::load_with_env(
        None,
        with_account(&[("CATALOG_SYNC__HTTP__MAX_RETRIES", "lots")]),
    ));
    assert_eq!(
        text,
        "http.max_retries: expected an integer, got string \"lots\" (from CATALOG_SYNC__HTTP__MAX_RETRIES)"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let file = ConfigFile::new("[sync]\nbatch_size = 0\n[http]\nrequests_per_second = 10\n");
    let err = file.load(env(&account())).unwrap_err();
    let keys: Vec<_> = err.problems().iter().filter_map(|p| p.key()).collect();
    assert_eq!(keys, ["sync.batch_size", "http.requests_per_second"]);
    assert!(
        err.to_string()
            .starts_with("2 problems in the settings:\n  - sync.batch_size")
    );
}

#[test]
fn a_token_file_is_read_and_its_trailing_newline_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let token_path = dir.path().join("token");
    std::fs::write(&token_path, format!("{SECRET}\n")).unwrap();
    let file = ConfigFile::new(&format!(
        "[auth]\ntoken_file = {:?}\n",
        token_path.display().to_string()
    ));
    let s = file
        .load(env(&[(
            "CATALOG_SYNC__AMOCRM__BASE_URL",
            "https://yourcompany.amocrm.ru",
        )]))
        .unwrap();
    let AuthSettings::Token { token } = &s.accounts[0].auth else {
        panic!("token method expected")
    };
    assert_eq!(token.expose(), SECRET);
}

#[test]
fn a_relative_token_file_is_resolved_against_the_credentials_directory() {
    let credentials = tempfile::tempdir().unwrap();
    std::fs::write(
        credentials.path().join("amocrm-token"),
        format!("{SECRET}\r\n"),
    )
    .unwrap();
    let s = Settings::load_with_env(
        None,
        env(&[
            (
                "CATALOG_SYNC__AMOCRM__BASE_URL",
                "https://yourcompany.amocrm.ru",
            ),
            ("CATALOG_SYNC__AUTH__TOKEN_FILE", "amocrm-token"),
            (
                "CREDENTIALS_DIRECTORY",
                credentials.path().to_str().unwrap(),
            ),
        ]),
    )
    .unwrap();
    let AuthSettings::Token { token } = &s.accounts[0].auth else {
        panic!("token method expected")
    };
    assert_eq!(token.expose(), SECRET);
}

#[test]
fn an_unreadable_token_file_is_an_error_naming_the_key_and_the_path() {
    let credentials = tempfile::tempdir().unwrap();
    let err = Settings::load_with_env(
        None,
        env(&[
            (
                "CATALOG_SYNC__AMOCRM__BASE_URL",
                "https://yourcompany.amocrm.ru",
            ),
            ("CATALOG_SYNC__AUTH__TOKEN_FILE", "missing"),
            (
                "CREDENTIALS_DIRECTORY",
                credentials.path().to_str().unwrap(),
            ),
        ]),
    )
    .unwrap_err();
    let expected = format!(
        "auth.token_file: cannot read {}: ",
        credentials.path().join("missing").display()
    );
    assert!(err.to_string().starts_with(&expected), "{err}");
    assert_eq!(err.key(), Some("auth.token_file"));
}

#[test]
fn a_token_and_a_token_file_together_are_refused() {
    let text = error_of(Settings::load_with_env(
        None,
        with_account(&[("CATALOG_SYNC__AUTH__TOKEN_FILE", "/run/token")]),
    ));
    assert_eq!(
        text,
        "auth.token_file: auth.token is set too; set one of them"
    );
}

#[test]
fn oauth_takes_its_id_secret_and_redirect_uri() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client-secret"), SECRET).unwrap();
    let file = ConfigFile::new(
        "[amocrm]\nbase_url = \"https://yourcompany.amocrm.ru\"\n\
         [auth]\nmethod = \"oauth\"\nclient_id = \"abc-123\"\nclient_secret_file = \"client-secret\"\n\
         redirect_uri = \"https://example.org/amocrm\"\n",
    );
    let s = file
        .load(env(&[(
            "CREDENTIALS_DIRECTORY",
            dir.path().to_str().unwrap(),
        )]))
        .unwrap();
    assert_eq!(
        s.accounts[0].auth,
        AuthSettings::OAuth {
            client_id: "abc-123".into(),
            client_secret: catalog_sync::secret::Secret::new(SECRET),
            redirect_uri: "https://example.org/amocrm".into(),
        }
    );
    let text = error_of(Settings::load_with_env(
        None,
        env(&[
            (
                "CATALOG_SYNC__AMOCRM__BASE_URL",
                "https://yourcompany.amocrm.ru",
            ),
            ("CATALOG_SYNC__AUTH__METHOD", "oauth"),
        ]),
    ));
    for key in [
        "auth.client_id is empty",
        "auth.client_secret is empty",
        "auth.redirect_uri is empty",
    ] {
        assert!(text.contains(key), "{text}");
    }
}

#[test]
fn api_key_takes_a_login_and_a_key() {
    let s = Settings::load_with_env(
        None,
        env(&[
            (
                "CATALOG_SYNC__AMOCRM__BASE_URL",
                "https://yourcompany.amocrm.ru",
            ),
            ("CATALOG_SYNC__AUTH__METHOD", "api_key"),
            ("CATALOG_SYNC__AUTH__LOGIN", "me@example.org"),
            ("CATALOG_SYNC__AUTH__API_KEY", SECRET),
        ]),
    )
    .unwrap();
    let AuthSettings::ApiKey { login, api_key } = &s.accounts[0].auth else {
        panic!("api_key method expected")
    };
    assert_eq!(
        (login.as_str(), api_key.expose()),
        ("me@example.org", SECRET)
    );
}

#[test]
fn a_secret_never_appears_in_debug_output() {
    let s = Settings::load_with_env(None, env(&account())).unwrap();
    let debug = format!("{s:?} {s:#?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("[redacted]"));
}

#[test]
fn a_secret_never_appears_in_any_error_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("two-lines"),
        format!("{SECRET}\n{SECRET}\n"),
    )
    .unwrap();
    let credentials = ("CREDENTIALS_DIRECTORY", dir.path().to_str().unwrap());
    let url = (
        "CATALOG_SYNC__AMOCRM__BASE_URL",
        "https://yourcompany.amocrm.ru",
    );
    let attempts: Vec<(Option<String>, HashMap<String, String>)> = vec![
        // another key is wrong while the secret is set
        (Some("[sync]\nbatch_size = 0".into()), env(&account())),
        // the secret under a misspelt key, in the file and in the environment
        (Some(format!("[auth]\ntokn = {SECRET:?}")), env(&account())),
        (None, with_account(&[("CATALOG_SYNC__AUTH__TOKN", SECRET)])),
        // a TOML syntax error on the secret's line
        (Some(format!("[auth]\ntoken = \"{SECRET}\n")), env(&[url])),
        // a secret file that is not one line
        (
            None,
            env(&[
                url,
                credentials,
                ("CATALOG_SYNC__AUTH__TOKEN_FILE", "two-lines"),
            ]),
        ),
        // the secret pasted into the address
        (
            None,
            env(&[
                ("CATALOG_SYNC__AMOCRM__BASE_URL", SECRET),
                ("CATALOG_SYNC__AUTH__TOKEN", "t"),
            ]),
        ),
        (
            None,
            env(&[
                (
                    "CATALOG_SYNC__AMOCRM__BASE_URL",
                    "https://me:hunter2-very-secret@x.amocrm.ru",
                ),
                ("CATALOG_SYNC__AUTH__TOKEN", "t"),
            ]),
        ),
    ];
    for (toml, env) in attempts {
        let result = match &toml {
            Some(toml) => ConfigFile::new(toml).load(env),
            None => Settings::load_with_env(None, env),
        };
        let err = result.expect_err("should be refused");
        let text = format!("{err} {err:?}");
        assert!(!text.contains(SECRET), "{toml:?}: {text}");
    }
}

#[test]
fn for_account_gives_the_defaults_with_a_token() {
    let s = Settings::for_account("http://127.0.0.1:9999", SECRET, "/tmp/x.db".into()).unwrap();
    assert_eq!(
        s.accounts[0].amocrm.base_url.as_url().as_str(),
        "http://127.0.0.1:9999/"
    );
    assert_eq!(s.accounts[0].database.path, PathBuf::from("/tmp/x.db"));
    assert_eq!(s.accounts[0].sync.batch_size, 50);
    let AuthSettings::Token { token } = &s.accounts[0].auth else {
        panic!("token method expected")
    };
    assert_eq!(token.expose(), SECRET);
    assert!(Settings::for_account("http://10.1.1.1", SECRET, "x.db".into()).is_err());
}

#[test]
fn the_shipped_sandbox_file_points_at_the_sandbox() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/sandbox.toml");
    let s = Settings::load_with_env(Some(&path), HashMap::new()).unwrap();
    assert_eq!(
        s.accounts[0].amocrm.base_url.to_string(),
        "http://127.0.0.1:8787"
    );
    assert_eq!(s.accounts[0].database.path, PathBuf::from("sandbox.db"));
    assert_eq!(s.accounts[0].sync.schedule.as_str(), "*/10 * * * * *");
    let AuthSettings::Token { token } = &s.accounts[0].auth else {
        panic!("token method expected")
    };
    assert_eq!(token.expose(), "sandbox-token");
}
