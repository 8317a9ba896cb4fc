//! Raw settings into domain types, once, collecting every problem with its key.

use std::path::Path;
use std::time::Duration;

use serde::de::{DeserializeOwned, IntoDeserializer, value::StrDeserializer};

use super::auth;
use super::base_url::{BaseUrl, PLACEHOLDER_HOST};
use super::error::{ConfigError, Problems};
use super::raw::{RawAmoCrm, RawHttp, RawLog, RawSettings, RawSync};
use super::{AmoCrmSettings, DatabaseSettings, HttpSettings, LogSettings, Settings, SyncSettings};
use crate::schedule::Schedule;
use crate::telemetry;

/// The account allows this many requests per second.
const ACCOUNT_RATE_LIMIT: i64 = 7;

pub(crate) fn settings(
    raw: RawSettings,
    credentials_dir: Option<&Path>,
) -> Result<Settings, ConfigError> {
    let mut p = Problems::default();
    let amocrm = amocrm(&raw.amocrm, &mut p);
    let auth = auth::auth(&raw.auth, credentials_dir, &mut p);
    let database = if raw.database.path.as_os_str().is_empty() {
        let hint = "set the SQLite file to use, e.g. catalog-sync.db";
        p.push(missing("database.path", "empty", hint));
        None
    } else {
        Some(DatabaseSettings {
            path: raw.database.path,
        })
    };
    let sync = sync(&raw.sync, &mut p);
    let http = http(&raw.http, &mut p);
    let log = log(&raw.log, &mut p);
    let all = (|| {
        Some(Settings {
            amocrm: amocrm?,
            auth: auth?,
            database: database?,
            sync: sync?,
            http: http?,
            log: log?,
        })
    })();
    p.finish(all)
}

fn amocrm(raw: &RawAmoCrm, p: &mut Problems) -> Option<AmoCrmSettings> {
    const KEY: &str = "amocrm.base_url";
    let hint = "put your account's address, e.g. https://yourcompany.amocrm.ru";
    if raw.base_url.trim().is_empty() {
        p.push(missing(KEY, "not set", hint));
        return None;
    }
    let base_url =
        p.check(BaseUrl::parse(&raw.base_url).map_err(|e| ConfigError::invalid(KEY, e)))?;
    if base_url.is_placeholder() {
        let hint = format!("https://{PLACEHOLDER_HOST} is the shipped placeholder; {hint}");
        p.push(missing(KEY, "not set", &hint));
        return None;
    }
    Some(AmoCrmSettings { base_url })
}

fn sync(raw: &RawSync, p: &mut Problems) -> Option<SyncSettings> {
    let schedule = p.check(
        Schedule::parse(&raw.schedule).map_err(|e| ConfigError::invalid("sync.schedule", e)),
    );
    let mode = p.check(choice("sync.mode", &raw.mode, "both, push or pull"));
    let conflict_policy = p.check(choice(
        "sync.conflict_policy",
        &raw.conflict_policy,
        "local_wins, remote_wins or manual",
    ));
    let batch_size = p.check(between("sync.batch_size", raw.batch_size, 1, 250));
    let max_deletes = p.check(between("sync.max_deletes", raw.max_deletes, 0, i64::MAX));
    Some(SyncSettings {
        schedule: schedule?,
        run_on_start: raw.run_on_start,
        mode: mode?,
        conflict_policy: conflict_policy?,
        batch_size: usize::try_from(batch_size?).ok()?,
        max_deletes: usize::try_from(max_deletes?).ok()?,
    })
}

fn http(raw: &RawHttp, p: &mut Problems) -> Option<HttpSettings> {
    let timeout = p.check(between("http.timeout_seconds", raw.timeout_seconds, 1, 600));
    let rate = if raw.requests_per_second > ACCOUNT_RATE_LIMIT {
        let problem = format!(
            "the account allows at most {ACCOUNT_RATE_LIMIT} requests per second; got {}",
            raw.requests_per_second
        );
        p.push(ConfigError::invalid("http.requests_per_second", problem));
        None
    } else {
        p.check(between(
            "http.requests_per_second",
            raw.requests_per_second,
            1,
            ACCOUNT_RATE_LIMIT,
        ))
    };
    let retries = p.check(between("http.max_retries", raw.max_retries, 0, 10));
    let cooldown = p.check(between(
        "http.blocked_cooldown_seconds",
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
