//! What `catalog-sync auth status` shows: the method and how long its credential lasts. Never a
//! secret.

use anyhow::Result;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::session::SESSION_REUSE;
use crate::config::{AccountSettings, AuthSettings};
use crate::store::Store;

/// The state of the configured credential. Every field is safe to print.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuthStatus {
    /// `token`, `oauth` or `api_key`.
    pub method: &'static str,
    /// Whether the next run can authenticate without a person (as far as is known locally).
    pub ready: bool,
    /// One sentence for people.
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_expires_in_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obtained_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_refresh_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refreshes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_age_seconds: Option<i64>,
}

fn text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The status of the account's credential, from what its database holds.
pub async fn status(account: &AccountSettings, store: &Store) -> Result<AuthStatus> {
    let now = Utc::now();
    Ok(match &account.auth {
        AuthSettings::Token { .. } => AuthStatus {
            method: "token",
            ready: true,
            summary: "long-lived token from auth.token; its expiry is shown in the \
                      integration's settings in amoCRM"
                .into(),
            ..AuthStatus::default()
        },
        AuthSettings::OAuth { .. } => match store.oauth_tokens().await? {
            None => AuthStatus {
                method: "oauth",
                summary: "no tokens yet: run `catalog-sync auth login --code CODE`".into(),
                ..AuthStatus::default()
            },
            Some(t) => {
                let left = (t.expires_at - now).num_seconds();
                let summary = if left > 0 {
                    format!(
                        "access token valid for {}; refreshed automatically",
                        span(left)
                    )
                } else {
                    "access token expired; the next run refreshes it".into()
                };
                AuthStatus {
                    method: "oauth",
                    ready: true,
                    summary,
                    access_token_expires_at: Some(text(t.expires_at)),
                    access_token_expires_in_seconds: Some(left),
                    obtained_at: Some(text(t.obtained_at)),
                    last_refresh_at: t.last_refresh_at.map(text),
                    refreshes: Some(t.refreshes),
                    ..AuthStatus::default()
                }
            }
        },
        AuthSettings::ApiKey { login, .. } => {
            let session = store.api_session().await?.filter(|s| &s.login == login);
            let age = session
                .as_ref()
                .map(|s| (now - s.logged_in_at).num_seconds());
            let summary = match age {
                Some(age) if age < SESSION_REUSE.num_seconds() => {
                    format!("session {} old; renewed at 14 minutes", span(age))
                }
                Some(_) => "session expired; the next run logs in again".into(),
                None => "no session yet; the next run logs in".into(),
            };
            AuthStatus {
                method: "api_key",
                ready: true,
                summary,
                login: Some(login.clone()),
                session_started_at: session.map(|s| text(s.logged_in_at)),
                session_age_seconds: age,
                ..AuthStatus::default()
            }
        }
    })
}

/// `2 h 5 min`, `14 min`, `40 s`.
fn span(seconds: i64) -> String {
    let (h, m) = (seconds / 3600, seconds % 3600 / 60);
    match (h, m) {
        (0, 0) => format!("{seconds} s"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_hours_and_minutes() {
        assert_eq!(span(40), "40 s");
        assert_eq!(span(14 * 60 + 5), "14 min");
        assert_eq!(span(86_399), "23 h 59 min");
    }
}
