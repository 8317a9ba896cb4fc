//! `[auth]`: the chosen method and its secrets, from the key itself or from a `*_file`.

use std::path::{Path, PathBuf};

use super::AuthSettings;
use super::error::{ConfigError, Problems};
use super::keys::env_name;
use super::parse::missing;
use super::raw::RawAuth;
use crate::secret::Secret;

/// A secret's key, its `*_file` key, for messages (`auth.token`, `accounts[1].auth.token`).
struct SecretKeys {
    key: String,
    file_key: String,
}

impl SecretKeys {
    fn new(prefix: &str, name: &str) -> SecretKeys {
        SecretKeys {
            key: format!("{prefix}.{name}"),
            file_key: format!("{prefix}.{name}_file"),
        }
    }
}

/// The keys whose values are secrets.
const SECRETS: [&str; 3] = ["token", "client_secret", "api_key"];

/// Whether `key` holds a secret, whose value must never be printed: `auth.token`,
/// `accounts[1].auth.token`, or a bare `token` (the last part of the key decides).
pub(crate) fn is_secret(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    SECRETS.contains(&last)
}

/// Only the keys of the chosen method are read and checked; `prefix` names the table in
/// messages (`auth`, `accounts[1].auth`).
pub(crate) fn auth(
    raw: &RawAuth,
    dir: Option<&Path>,
    prefix: &str,
    p: &mut Problems,
) -> Option<AuthSettings> {
    let key = |name: &str| format!("{prefix}.{name}");
    match raw.method.trim().to_ascii_lowercase().as_str() {
        "token" => {
            let keys = SecretKeys::new(prefix, "token");
            let token = p.check(secret(&keys, &raw.token, &raw.token_file, dir));
            Some(AuthSettings::Token { token: token? })
        }
        "oauth" => {
            let id_hint = "set the integration's ID from its settings in amoCRM";
            let client_id = p.check(required(&key("client_id"), &raw.client_id, id_hint));
            let client_secret = p.check(secret(
                &SecretKeys::new(prefix, "client_secret"),
                &raw.client_secret,
                &raw.client_secret_file,
                dir,
            ));
            let redirect_uri = p.check(redirect_uri(&key("redirect_uri"), &raw.redirect_uri));
            Some(AuthSettings::OAuth {
                client_id: client_id?,
                client_secret: client_secret?,
                redirect_uri: redirect_uri?,
            })
        }
        "api_key" => {
            let login_hint = "set the e-mail of the amoCRM user whose API key is used";
            let login = p.check(required(&key("login"), &raw.login, login_hint));
            let keys = SecretKeys::new(prefix, "api_key");
            let api_key = p.check(secret(&keys, &raw.api_key, &raw.api_key_file, dir));
            Some(AuthSettings::ApiKey {
                login: login?,
                api_key: api_key?,
            })
        }
        other => {
            let problem = format!("must be token, oauth or api_key; got {other:?}");
            p.push(ConfigError::invalid(&key("method"), problem));
            None
        }
    }
}

/// The secret from its key (any layer) or from its file; exactly one of them.
fn secret(
    keys: &SecretKeys,
    inline: &str,
    file: &str,
    dir: Option<&Path>,
) -> Result<Secret, ConfigError> {
    let (inline, file) = (inline.trim(), file.trim());
    let (value, source) = match (inline.is_empty(), file.is_empty()) {
        (false, false) => {
            let problem = format!("{} is set too; set one of them", keys.key);
            return Err(ConfigError::invalid(&keys.file_key, problem));
        }
        (false, true) => (inline.to_owned(), &keys.key),
        (true, false) => (read_secret_file(keys, file, dir)?, &keys.file_key),
        (true, true) => {
            // The environment holds the single form's keys only.
            let hint = if keys.key.starts_with("auth.") {
                let env = env_name(&keys.key);
                format!("set {}, {env} or {}", keys.key, keys.file_key)
            } else {
                format!("set {} or {}", keys.key, keys.file_key)
            };
            return Err(missing(&keys.key, "empty", &hint));
        }
    };
    if value.chars().any(char::is_control) {
        let problem = "must be a single line without control characters";
        return Err(ConfigError::invalid(source, problem));
    }
    Ok(Secret::new(value))
}

/// Reads a secret file; a relative path is looked up in `dir` ($CREDENTIALS_DIRECTORY).
fn read_secret_file(
    keys: &SecretKeys,
    file: &str,
    dir: Option<&Path>,
) -> Result<String, ConfigError> {
    let path = match dir {
        Some(dir) if Path::new(file).is_relative() => dir.join(file),
        _ => PathBuf::from(file),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::SecretFile {
        key: keys.file_key.clone(),
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.trim().is_empty() {
        let problem = format!("{} is empty", path.display());
        return Err(ConfigError::invalid(&keys.file_key, problem));
    }
    Ok(value.to_owned())
}

fn redirect_uri(key: &str, value: &str) -> Result<String, ConfigError> {
    let value = required(
        key,
        value,
        "set the redirect URI registered for the integration",
    )?;
    match reqwest::Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => Ok(value),
        _ => Err(ConfigError::invalid(
            key,
            format!("must be an http(s) URL as registered for the integration; got {value:?}"),
        )),
    }
}

fn required(key: &str, value: &str, hint: &str) -> Result<String, ConfigError> {
    match value.trim() {
        "" => Err(missing(key, "empty", hint)),
        value => Ok(value.to_owned()),
    }
}
