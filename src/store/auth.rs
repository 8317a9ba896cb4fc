//! `oauth_tokens` and `api_sessions`: credentials that change over time, one row each.

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::Store;
use crate::secret::Secret;

/// The OAuth token pair in use (`oauth_tokens`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthTokens {
    pub access_token: Secret,
    /// Works once: the row holding it is replaced only by a row holding its successor.
    pub refresh_token: Secret,
    pub expires_at: DateTime<Utc>,
    /// When the authorization code was exchanged.
    pub obtained_at: DateTime<Utc>,
    pub last_refresh_at: Option<DateTime<Utc>>,
    pub refreshes: i64,
}

/// The legacy session (`api_sessions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSession {
    /// The `auth.login` it belongs to: a session of another user is not reused.
    pub login: String,
    /// The `Cookie` header value (`session_id=...`).
    pub cookie: Secret,
    pub logged_in_at: DateTime<Utc>,
    pub logins: i64,
}

fn text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn time(row: &SqliteRow, column: &str) -> Result<DateTime<Utc>> {
    let value: String = row.try_get(column)?;
    let parsed = DateTime::parse_from_rfc3339(&value)
        .with_context(|| format!("{column} holds {value:?}, not an RFC 3339 time"))?;
    Ok(parsed.with_timezone(&Utc))
}

impl Store {
    /// The stored pair; `None` before `auth login`.
    pub async fn oauth_tokens(&self) -> Result<Option<OAuthTokens>> {
        let row = sqlx::query("SELECT * FROM oauth_tokens WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .context("cannot read oauth_tokens")?;
        let Some(row) = row else { return Ok(None) };
        let last: Option<String> = row.try_get("last_refresh_at")?;
        Ok(Some(OAuthTokens {
            access_token: Secret::new(row.try_get::<String, _>("access_token")?),
            refresh_token: Secret::new(row.try_get::<String, _>("refresh_token")?),
            expires_at: time(&row, "expires_at")?,
            obtained_at: time(&row, "obtained_at")?,
            last_refresh_at: match last {
                Some(_) => Some(time(&row, "last_refresh_at")?),
                None => None,
            },
            refreshes: row.try_get("refreshes")?,
        }))
    }

    /// Replaces the pair. Returns once the new pair is committed (durably: SQLite's WAL with
    /// `synchronous = NORMAL` survives a crash of the process).
    pub async fn save_oauth_tokens(&self, t: &OAuthTokens) -> Result<()> {
        sqlx::query(
            "INSERT INTO oauth_tokens (id, access_token, refresh_token, expires_at, obtained_at, \
             last_refresh_at, refreshes) VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE \
             SET access_token = excluded.access_token, refresh_token = excluded.refresh_token, \
             expires_at = excluded.expires_at, obtained_at = excluded.obtained_at, \
             last_refresh_at = excluded.last_refresh_at, refreshes = excluded.refreshes",
        )
        .bind(t.access_token.expose())
        .bind(t.refresh_token.expose())
        .bind(text(t.expires_at))
        .bind(text(t.obtained_at))
        .bind(t.last_refresh_at.map(text))
        .bind(t.refreshes)
        .execute(&self.pool)
        .await
        .context("cannot save the OAuth tokens in oauth_tokens")?;
        Ok(())
    }

    /// The stored legacy session, if any.
    pub async fn api_session(&self) -> Result<Option<ApiSession>> {
        let row = sqlx::query("SELECT * FROM api_sessions WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .context("cannot read api_sessions")?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ApiSession {
            login: row.try_get("login")?,
            cookie: Secret::new(row.try_get::<String, _>("cookie")?),
            logged_in_at: time(&row, "logged_in_at")?,
            logins: row.try_get("logins")?,
        }))
    }

    pub async fn save_api_session(&self, s: &ApiSession) -> Result<()> {
        sqlx::query(
            "INSERT INTO api_sessions (id, login, cookie, logged_in_at, logins) \
             VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET login = excluded.login, \
             cookie = excluded.cookie, logged_in_at = excluded.logged_in_at, \
             logins = excluded.logins",
        )
        .bind(&s.login)
        .bind(s.cookie.expose())
        .bind(text(s.logged_in_at))
        .bind(s.logins)
        .execute(&self.pool)
        .await
        .context("cannot save the session in api_sessions")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).unwrap()
    }

    #[tokio::test]
    async fn tokens_and_sessions_round_trip_and_replace_their_single_row() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).await.unwrap();
        assert_eq!(store.oauth_tokens().await.unwrap(), None);
        let mut tokens = OAuthTokens {
            access_token: Secret::new("a1"),
            refresh_token: Secret::new("r1"),
            expires_at: at(1_800_000_000),
            obtained_at: at(1_700_000_000),
            last_refresh_at: None,
            refreshes: 0,
        };
        store.save_oauth_tokens(&tokens).await.unwrap();
        assert_eq!(store.oauth_tokens().await.unwrap().as_ref(), Some(&tokens));
        tokens.refresh_token = Secret::new("r2");
        tokens.last_refresh_at = Some(at(1_750_000_000));
        tokens.refreshes = 1;
        store.save_oauth_tokens(&tokens).await.unwrap();
        assert_eq!(store.oauth_tokens().await.unwrap(), Some(tokens));

        assert_eq!(store.api_session().await.unwrap(), None);
        let session = ApiSession {
            login: "me@example.com".into(),
            cookie: Secret::new("session_id=x"),
            logged_in_at: at(1_700_000_000),
            logins: 2,
        };
        store.save_api_session(&session).await.unwrap();
        assert_eq!(store.api_session().await.unwrap(), Some(session));
    }
}
