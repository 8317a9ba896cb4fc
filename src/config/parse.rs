//! Raw settings into domain types, once, collecting every problem with its key.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use serde::de::{DeserializeOwned, IntoDeserializer, value::StrDeserializer};

use super::account;
use super::auth;
use super::base_url::{BaseUrl, PLACEHOLDER_HOST};
use super::error::{ConfigError, Problems};
use super::raw::{RawDaemon, RawHttp, RawLog, RawMetrics, RawSettings, RawSync};
use super::{
    AccountName, AccountSettings, AmoCrmSettings, DaemonSettings, DatabaseSettings, HttpSettings,
    LogSettings, MetricsSettings, Settings, Shard, SyncSettings,
};
use crate::catalog::ApiVersion;
use crate::schedule::Schedule;
use crate::telemetry;

/// The account allows this many requests per second.
const ACCOUNT_RATE_LIMIT: i64 = 7;

pub(crate) fn settings(
    mut raw: RawSettings,
    credentials_dir: Option<&Path>,
) -> Result<Settings, ConfigError> {
    let mut p = Problems::default();
    let accounts = if raw.accounts.is_empty() {
        single(&raw, credentials_dir, &mut p).map(|one| vec![one])
    } else {
        // The shared sections are checked once, under their own keys; entries add their own.
        let shared = account::Shared {
            sync: sync(&raw.sync, "sync", &mut p),
            http: http(&raw.http, "http", &mut p),
            api: api("amocrm.api", &raw.amocrm.api, &mut p),
        };
        let entries = std::mem::take(&mut raw.accounts);
        account::list(entries, &raw.database.dir, &shared, credentials_dir, &mut p)
    };
    let daemon = daemon(&raw.daemon, &mut p);
    let metrics = metrics(&raw.metrics, &mut p);
    let log = log(&raw.log, &mut p);
    let all = (|| {
        Some(Settings {
            accounts: accounts?,
            daemon: daemon?,
            metrics: metrics?,
            log: log?,
        })
    })();
    p.finish(all)
}

/// The single form: `[amocrm]`, `[auth]`, `[database] path` make the account `default`.
fn single(raw: &RawSettings, dir: Option<&Path>, p: &mut Problems) -> Option<AccountSettings> {
    let base_url = base_url("amocrm.base_url", &raw.amocrm.base_url, p);
    let api = api("amocrm.api", &raw.amocrm.api, p);
    let auth = auth::auth(&raw.auth, dir, "auth", p);
    let database = if raw.database.path.as_os_str().is_empty() {
        let hint = "set the SQLite file to use, e.g. catalog-sync.db";
        p.push(missing("database.path", "empty", hint));
        None
    } else {
        Some(DatabaseSettings {
            path: raw.database.path.clone(),
        })
    };
    let sync = sync(&raw.sync, "sync", p);
    let http = http(&raw.http, "http", p);
    Some(AccountSettings {
        name: AccountName::default_account(),
        amocrm: AmoCrmSettings {
            base_url: base_url?,
            api: api?,
        },
        auth: auth?,
        database: database?,
        sync: sync?,
        http: http?,
        problem: None,
    })
}

/// An account's address under `key` (`amocrm.base_url`, `accounts[1].base_url`).
pub(crate) fn base_url(key: &str, value: &str, p: &mut Problems) -> Option<BaseUrl> {
    let hint = "put your account's address, e.g. https://yourcompany.amocrm.ru or \
                https://yourcompany.kommo.com";
    if value.trim().is_empty() {
        p.push(missing(key, "not set", hint));
        return None;
    }
    let base_url = p.check(BaseUrl::parse(value).map_err(|e| ConfigError::invalid(key, e)))?;
    if base_url.is_placeholder() {
        let hint = format!("https://{PLACEHOLDER_HOST} is the shipped placeholder; {hint}");
        p.push(missing(key, "not set", &hint));
        return None;
    }
    Some(base_url)
}

pub(crate) fn api(key: &str, value: &str, p: &mut Problems) -> Option<ApiVersion> {
    p.check(choice::<ApiVersion>(key, value, "v2, v4 or auto"))
}

/// `[sync]` under `prefix` (`sync`, `accounts[1].sync`).
pub(crate) fn sync(raw: &RawSync, prefix: &str, p: &mut Problems) -> Option<SyncSettings> {
    let key = |name: &str| format!("{prefix}.{name}");
    let schedule = p.check(
        Schedule::parse(&raw.schedule).map_err(|e| ConfigError::invalid(&key("schedule"), e)),
    );
    let mode = p.check(choice(&key("mode"), &raw.mode, "both, push or pull"));
    let conflict_policy = p.check(choice(
        &key("conflict_policy"),
        &raw.conflict_policy,
        "local_wins, remote_wins or manual",
    ));
    let count = |p: &mut Problems, name: &str, value: i64, (low, high): (i64, i64)| {
        p.check(between(&key(name), value, low, high))
            .and_then(|v| usize::try_from(v).ok())
    };
    let (batch, at_least_0) = ((1, 250), (0, i64::MAX));
    let batch_size = count(p, "batch_size", raw.batch_size, batch);
    let max_deletes = count(p, "max_deletes", raw.max_deletes, at_least_0);
    let element_batch_size = count(p, "element_batch_size", raw.element_batch_size, batch);
    let max_element_deletes = count(
        p,
        "max_element_deletes",
        raw.max_element_deletes,
        at_least_0,
    );
    Some(SyncSettings {
        schedule: schedule?,
        run_on_start: raw.run_on_start,
        mode: mode?,
        conflict_policy: conflict_policy?,
        batch_size: batch_size?,
        max_deletes: max_deletes?,
        elements: raw.elements,
        element_batch_size: element_batch_size?,
        max_element_deletes: max_element_deletes?,
    })
}

/// `[http]` under `prefix` (`http`, `accounts[1].http`).
pub(crate) fn http(raw: &RawHttp, prefix: &str, p: &mut Problems) -> Option<HttpSettings> {
    let key = |name: &str| format!("{prefix}.{name}");
    let timeout = p.check(between(
        &key("timeout_seconds"),
        raw.timeout_seconds,
        1,
        600,
    ));
    let rate_key = key("requests_per_second");
    let rate = if raw.requests_per_second > ACCOUNT_RATE_LIMIT {
        let problem = format!(
            "the account allows at most {ACCOUNT_RATE_LIMIT} requests per second; got {}",
            raw.requests_per_second
        );
        p.push(ConfigError::invalid(&rate_key, problem));
        None
    } else {
        p.check(between(
            &rate_key,
            raw.requests_per_second,
            1,
            ACCOUNT_RATE_LIMIT,
        ))
    };
    let retries = p.check(between(&key("max_retries"), raw.max_retries, 0, 10));
    let cooldown = p.check(between(
        &key("blocked_cooldown_seconds"),
        raw.blocked_cooldown_seconds,
        60,
        86_400,
    ));
    Some(HttpSettings {
        timeout: Duration::from_secs(timeout?.unsigned_abs()),
        requests_per_second: u32::try_from(rate?).ok()?,
        max_retries: u32::try_from(retries?).ok()?,
        blocked_cooldown: Duration::from_secs(cooldown?.unsigned_abs()),
    })
}

fn daemon(raw: &RawDaemon, p: &mut Problems) -> Option<DaemonSettings> {
    let max = p.check(between(
        "daemon.max_concurrent_accounts",
        raw.max_concurrent_accounts,
        1,
        1000,
    ));
    let shard =
        p.check(Shard::parse(&raw.shard).map_err(|e| ConfigError::invalid("daemon.shard", e)));
    Some(DaemonSettings {
        max_concurrent_accounts: usize::try_from(max?).ok()?,
        shard: shard?,
    })
}

/// `host:port` with an IP address (or `localhost`); empty is off.
fn metrics(raw: &RawMetrics, p: &mut Problems) -> Option<MetricsSettings> {
    let value = raw.listen.trim();
    if value.is_empty() {
        return Some(MetricsSettings { listen: None });
    }
    let localhost = value
        .strip_prefix("localhost:")
        .and_then(|port| port.parse::<u16>().ok())
        .map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    match localhost.or_else(|| value.parse().ok()) {
        Some(addr) => Some(MetricsSettings { listen: Some(addr) }),
        None => {
            let problem = format!(
                "must be host:port with an IP address, such as 127.0.0.1:9464 or [::]:9464 \
                 (empty turns metrics off); got {value:?}"
            );
            p.push(ConfigError::invalid("metrics.listen", problem));
            None
        }
    }
}

fn log(raw: &RawLog, p: &mut Problems) -> Option<LogSettings> {
    let format = p.check(choice("log.format", &raw.format, "text or json"));
    let level = p.check(
        telemetry::check_level(&raw.level).map_err(|e| ConfigError::invalid("log.level", e)),
    );
    Some(LogSettings {
        format: format?,
        level: level.map(|()| raw.level.trim().to_owned())?,
    })
}

/// An enum value by its serde name, case-insensitively.
fn choice<T: DeserializeOwned>(key: &str, value: &str, allowed: &str) -> Result<T, ConfigError> {
    let normalized = value.trim().to_ascii_lowercase();
    let de: StrDeserializer<'_, serde::de::value::Error> = normalized.as_str().into_deserializer();
    T::deserialize(de)
        .map_err(|_| ConfigError::invalid(key, format!("must be {allowed}; got {value:?}")))
}

fn between(key: &str, value: i64, low: i64, high: i64) -> Result<i64, ConfigError> {
    if (low..=high).contains(&value) {
        return Ok(value);
    }
    let problem = if high == i64::MAX {
        format!("must be {low} or more, got {value}")
    } else {
        format!("must be between {low} and {high}, got {value}")
    };
    Err(ConfigError::invalid(key, problem))
}

pub(crate) fn missing(key: &str, state: &'static str, hint: &str) -> ConfigError {
    ConfigError::Missing {
        key: key.to_owned(),
        state,
        hint: hint.to_owned(),
    }
}
