//! Who may call the account: the long-lived token, OAuth tokens and legacy sessions.
//!
//! Pure: the caller passes `now`. Authorization codes live 20 minutes and work once; access
//! tokens live a day; refresh tokens live three months and work **once** (a reused one is
//! revoked, exactly the trap a client must not fall into); legacy sessions live 15 minutes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

const CODE_LIFE: Duration = Duration::from_secs(20 * 60);
/// Access token life in seconds, as `expires_in` reports it.
pub const ACCESS_LIFE_SECS: u64 = 86_400;
const REFRESH_LIFE: Duration = Duration::from_secs(90 * 86_400);
const SESSION_LIFE: Duration = Duration::from_secs(15 * 60);

/// The fixed credentials of the account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub token: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub api_login: String,
    pub api_key: String,
}

/// A body of `POST /oauth2/access_token`; every field optional so that a missing one gets a
/// precise answer instead of a generic parse error.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenRequest {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub refresh_token: Option<String>,
    pub redirect_uri: Option<String>,
}

/// A successful token answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenPair {
    pub token_type: &'static str,
    pub expires_in: u64,
    pub access_token: String,
    pub refresh_token: String,
}

/// Why a token request failed; becomes problem JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthError {
    InvalidClient,
    BadRequest(String),
}

impl OAuthError {
    pub fn status(&self) -> u16 {
        match self {
            OAuthError::InvalidClient => 401,
            OAuthError::BadRequest(_) => 400,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    Valid { expires: Instant },
    Used,
}

/// Every credential the account currently knows about.
#[derive(Debug, Clone)]
pub struct AuthState {
    pub credentials: Credentials,
    codes: HashMap<String, Grant>,
    access: HashMap<String, Instant>,
    refresh: HashMap<String, Grant>,
    sessions: HashMap<String, Instant>,
}

impl AuthState {
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            sessions: HashMap::new(),
        }
    }

    /// A fresh authorization code, as if a person had just approved the integration.
    pub fn issue_code(&mut self, now: Instant) -> String {
        let code = random_token("def50200");
        self.codes.insert(
            code.clone(),
            Grant::Valid {
                expires: now + CODE_LIFE,
            },
        );
        code
    }

    /// Answers `POST /oauth2/access_token`.
    pub fn token(&mut self, req: &TokenRequest, now: Instant) -> Result<TokenPair, OAuthError> {
        let c = &self.credentials;
        if req.client_id.as_deref() != Some(&c.client_id)
            || req.client_secret.as_deref() != Some(&c.client_secret)
        {
            return Err(OAuthError::InvalidClient);
        }
        match req.redirect_uri.as_deref() {
            None => return Err(bad("redirect_uri is required")),
            Some(uri) if uri != c.redirect_uri => {
                return Err(bad(
                    "redirect_uri does not match the integration's redirect URI",
                ));
            }
            Some(_) => {}
        }
        match req.grant_type.as_deref() {
            Some("authorization_code") => {
                let code = req.code.as_deref().ok_or_else(|| bad("code is required"))?;
                spend(&mut self.codes, code, now, "authorization code")?;
            }
            Some("refresh_token") => {
                let token = req.refresh_token.as_deref();
                let token = token.ok_or_else(|| bad("refresh_token is required"))?;
                spend(&mut self.refresh, token, now, "refresh token")?;
            }
            Some(other) => return Err(bad(&format!("unsupported grant_type \"{other}\""))),
            None => return Err(bad("grant_type is required")),
        }
        Ok(self.issue_pair(now))
    }

    fn issue_pair(&mut self, now: Instant) -> TokenPair {
        let access_token = random_token("at_");
        let refresh_token = random_token("rt_");
        let access_expires = now + Duration::from_secs(ACCESS_LIFE_SECS);
        self.access.insert(access_token.clone(), access_expires);
        let refresh_expires = now + REFRESH_LIFE;
        self.refresh.insert(
            refresh_token.clone(),
            Grant::Valid {
                expires: refresh_expires,
            },
        );
        TokenPair {
            token_type: "Bearer",
            expires_in: ACCESS_LIFE_SECS,
            access_token,
            refresh_token,
        }
    }

    /// Whether `Authorization: Bearer <token>` lets a request in.
    pub fn bearer_ok(&self, token: &str, now: Instant) -> bool {
        token == self.credentials.token || self.access.get(token).is_some_and(|exp| now < *exp)
    }

    /// Checks legacy API key credentials and opens a session.
    pub fn login(&mut self, login: &str, key: &str, now: Instant) -> Option<String> {
        let c = &self.credentials;
        if c.api_key.is_empty() || login != c.api_login || key != c.api_key {
            return None;
        }
        let session = random_token("");
        self.sessions.insert(session.clone(), now + SESSION_LIFE);
        Some(session)
    }

    pub fn session_ok(&self, session: &str, now: Instant) -> bool {
        self.sessions.get(session).is_some_and(|exp| now < *exp)
    }

    /// Makes every OAuth access token invalid from now on (refresh tokens stay usable).
    pub fn expire_access_tokens(&mut self) {
        self.access.clear();
    }

    pub fn expire_sessions(&mut self) {
        self.sessions.clear();
    }
}

fn bad(detail: &str) -> OAuthError {
    OAuthError::BadRequest(detail.to_string())
}

/// Uses a single-use grant: it must exist, be unused and unexpired.
fn spend(
    grants: &mut HashMap<String, Grant>,
    key: &str,
    now: Instant,
    what: &str,
) -> Result<(), OAuthError> {
    match grants.get(key).copied() {
        None => Err(bad(&format!("{what} is unknown"))),
        Some(Grant::Used) => Err(bad(&format!(
            "{what} has been revoked: it was already used once"
        ))),
        Some(Grant::Valid { expires }) if now >= expires => {
            Err(bad(&format!("{what} has expired")))
        }
        Some(Grant::Valid { .. }) => {
            grants.insert(key.to_string(), Grant::Used);
            Ok(())
        }
    }
}

fn random_token(prefix: &str) -> String {
    let tail: String = std::iter::repeat_with(fastrand::alphanumeric)
        .take(40)
        .collect();
    format!("{prefix}{tail}")
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
