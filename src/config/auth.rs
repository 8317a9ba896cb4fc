//! `[auth]`: the chosen method and its secrets, from the key itself or from a `*_file`.

use std::path::{Path, PathBuf};

use super::AuthSettings;
use super::error::{ConfigError, Problems};
use super::keys::env_name;
use super::parse::missing;
use super::raw::RawAuth;
use crate::secret::Secret;

/// A secret's key, its `*_file` key, for messages.
struct SecretKeys {
    key: &'static str,
    file_key: &'static str,
}

const TOKEN: SecretKeys = SecretKeys {
    key: "auth.token",
    file_key: "auth.token_file",
};
const CLIENT_SECRET: SecretKeys = SecretKeys {
    key: "auth.client_secret",
    file_key: "auth.client_secret_file",
};
const API_KEY: SecretKeys = SecretKeys {
    key: "auth.api_key",
    file_key: "auth.api_key_file",
};

/// Whether `key` holds a secret, whose value must never be printed.
pub(crate) fn is_secret(key: &str) -> bool {
    [TOKEN, CLIENT_SECRET, API_KEY].iter().any(|s| s.key == key)
}

/// Only the keys of the chosen method are read and checked.
pub(crate) fn auth(raw: &RawAuth, dir: Option<&Path>, p: &mut Problems) -> Option<AuthSettings> {
    match raw.method.trim().to_ascii_lowercase().as_str() {
        "token" => {
            let token = p.check(secret(&TOKEN, &raw.token, &raw.token_file, dir));
            Some(AuthSettings::Token { token: token? })
        }
        "oauth" => {
            let id_hint = "set the integration's ID from its settings in amoCRM";
            let client_id = p.check(required("auth.client_id", &raw.client_id, id_hint));
            let client_secret = p.check(secret(
                &CLIENT_SECRET,
                &raw.client_secret,
                &raw.client_secret_file,
                dir,
            ));
            let redirect_uri = p.check(redirect_uri(&raw.redirect_uri));
            Some(AuthSettings::OAuth {
                client_id: client_id?,
                client_secret: client_secret?,
                redirect_uri: redirect_uri?,
            })
        }
        "api_key" => {
            let login_hint = "set the e-mail of the amoCRM user whose API key is used";
            let login = p.check(required("auth.login", &raw.login, login_hint));
            let api_key = p.check(secret(&API_KEY, &raw.api_key, &raw.api_key_file, dir));
            Some(AuthSettings::ApiKey {
                login: login?,
                api_key: api_key?,
            })
        }
        other => {
            let problem = format!("must be token, oauth or api_key; got {other:?}");
            p.push(ConfigError::invalid("auth.method", problem));
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
            return Err(ConfigError::invalid(keys.file_key, problem));
        }
        (false, true) => (inline.to_owned(), keys.key),
        (true, false) => (read_secret_file(keys, file, dir)?, keys.file_key),
        (true, true) => {
            let hint = format!(
                "set {}, {} or {}",
                keys.key,
                env_name(keys.key),
                keys.file_key
            );
            return Err(missing(keys.key, "empty", &hint));
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
        key: keys.file_key.to_owned(),
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.trim().is_empty() {
        let problem = format!("{} is empty", path.display());
        return Err(ConfigError::invalid(keys.file_key, problem));
    }
    Ok(value.to_owned())
}

fn redirect_uri(value: &str) -> Result<String, ConfigError> {
    const KEY: &str = "auth.redirect_uri";
    let value = required(
        KEY,
        value,
        "set the redirect URI registered for the integration",
    )?;
    match reqwest::Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "https" | "http") => Ok(value),
        _ => Err(ConfigError::invalid(
            KEY,
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
