//! Getting credentials from the account: `POST /oauth2/access_token` (an authorization code or
//! a refresh token for a new token pair) and the legacy `POST /private/api/auth.php?type=json`
//! (login and API key for a session cookie).
//!
//! Only the HTTP exchanges live here; when to renew and where the results are kept is
//! `crate::auth`'s business. Every error is scrubbed of the secrets that were sent.

use std::time::{Duration, SystemTime};

use reqwest::header::{RETRY_AFTER, SET_COOKIE};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use serde_json::{Value, json};

use super::answer::{read_failure, read_success};
use super::client::RequestObserver;
use super::endpoint::{account_root, http_client};
use super::error::ApiError;
use super::pace::Pace;
use super::retry::parse_retry_after;
use super::wire::{flag, int, text};
use crate::secret::Secret;

/// The integration's OAuth identity, from `[auth]`.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
}

/// What is traded for a token pair.
#[derive(Debug, Clone, Copy)]
pub enum Grant<'a> {
    /// An authorization code from the integration's redirect (lives 20 minutes, works once).
    Code(&'a Secret),
    /// The refresh token of the current pair (works once).
    Refresh(&'a Secret),
}

/// A token pair from `POST /oauth2/access_token`.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access_token: Secret,
    pub refresh_token: Secret,
    /// How long the access token lives from now (a day on amoCRM).
    pub expires_in: Duration,
}

/// Why the token endpoint gave no pair.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// 400: the code or refresh token is unknown, expired or already used. Needs a person.
    #[error("amoCRM refused the grant ({detail})")]
    GrantRefused { detail: String },
    /// 401: the client id or secret is wrong, or the integration is gone. Needs a person.
    #[error(
        "amoCRM refused the integration ({detail}): check auth.client_id and auth.client_secret"
    )]
    ClientRefused { detail: String },
    /// Anything else (network, timeout, 429, 5xx, an unreadable answer): may pass by itself.
    #[error(transparent)]
    Api(ApiError),
}

/// Talks to the account's login endpoints. Few requests (one a day for OAuth, one every quarter
/// of an hour for legacy sessions), but they count against the account's limit like the
/// catalog requests, so they go by the account's [`Pace`] too, and the daemon's metrics count
/// them (see [`AuthClient::observed`]).
#[derive(Debug, Clone)]
pub struct AuthClient {
    http: reqwest::Client,
    token_url: Url,
    legacy_url: Url,
    pace: Pace,
    observer: Option<RequestObserver>,
}

/// The wait after a 429 from a login endpoint that sent no `Retry-After`.
const LOGIN_BACKOFF: Duration = Duration::from_secs(1);

impl AuthClient {
    /// Checks the base URL as the catalog client does and builds the HTTP client.
    pub fn new(base_url: &Url, timeout: Duration, pace: Pace) -> Result<AuthClient, ApiError> {
        let root = account_root(base_url)?;
        let under_root = |path: &str| {
            root.join(path)
                .map_err(|e| ApiError::config(format!("amocrm.base_url cannot be extended ({e})")))
        };
        let token_url = under_root("oauth2/access_token")?;
        let legacy_url = under_root("private/api/auth.php?type=json")?;
        let http = http_client(&root, timeout)?;
        Ok(AuthClient {
            http,
            token_url,
            legacy_url,
            pace,
            observer: None,
        })
    }

    /// The same client, telling `observer` of every request it sends, as the catalog client
    /// does (the daemon's `catalog_sync_api_requests_total`).
    pub fn observed(mut self, observer: Option<RequestObserver>) -> AuthClient {
        self.observer = observer;
        self
    }

    /// Sends `request` in its turn; a 429 slows every process on the account.
    async fn send(&self, request: RequestBuilder) -> reqwest::Result<Response> {
        let (http, request) = request.build_split();
        let request = request?;
        let method = request.method().clone();
        self.pace.wait().await;
        let sent = http.execute(request).await;
        if let Some(RequestObserver(observe)) = &self.observer {
            observe(&method, sent.as_ref().ok().map(Response::status));
        }
        let response = sent?;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let header = response.headers().get(RETRY_AFTER);
            let wait = header
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            self.pace.penalize(wait.unwrap_or(LOGIN_BACKOFF)).await;
        }
        Ok(response)
    }

    /// `POST /oauth2/access_token`: trades a code or a refresh token for a new pair.
    pub async fn oauth_token(
        &self,
        app: &OAuthApp,
        grant: Grant<'_>,
    ) -> Result<TokenGrant, TokenError> {
        let (grant_type, key, value) = match grant {
            Grant::Code(code) => ("authorization_code", "code", code),
            Grant::Refresh(token) => ("refresh_token", "refresh_token", token),
        };
        let body = json!({
            "client_id": app.client_id,
            "client_secret": app.client_secret.expose(),
            "grant_type": grant_type,
            key: value.expose(),
            "redirect_uri": app.redirect_uri,
        });
        let secrets = [&app.client_secret, value];
        let sent = self.send(self.http.post(self.token_url.clone()).json(&body));
        let response = sent
            .await
            .map_err(|e| TokenError::Api(scrub(ApiError::from_transport(&e), &secrets)))?;
        read_token_answer(response)
            .await
            .map_err(|e| e.scrub(&secrets))
    }

    /// `POST /private/api/auth.php?type=json` with `USER_LOGIN` and `USER_HASH`: the cookies to
    /// send from now on (`session_id=...`), as one `Cookie` header value.
    pub async fn legacy_login(&self, login: &str, api_key: &Secret) -> Result<Secret, ApiError> {
        let form = [("USER_LOGIN", login), ("USER_HASH", api_key.expose())];
        let sent = self.send(self.http.post(self.legacy_url.clone()).form(&form));
        let response = sent.await.map_err(|e| ApiError::from_transport(&e));
        let answer = match response {
            Ok(response) => read_login_answer(response).await,
            Err(e) => Err(e),
        };
        answer.map_err(|e| scrub(e, &[api_key]))
    }
}

async fn read_token_answer(response: Response) -> Result<TokenGrant, TokenError> {
    if !response.status().is_success() {
        let failure = read_failure(response).await;
        return Err(match failure.error {
            ApiError::Rejected {
                status: 400,
                detail,
            } => TokenError::GrantRefused { detail },
            ApiError::Unauthorized { detail } => TokenError::ClientRefused { detail },
            other => TokenError::Api(other),
        });
    }
    let reply = read_success(response)
        .await
        .map_err(|f| TokenError::Api(f.error))?;
    let bad = |what: &str| {
        TokenError::Api(ApiError::BadResponse {
            detail: format!("the token answer has no {what}"),
        })
    };
    let json: Value = serde_json::from_str(&reply.body).map_err(|_| bad("JSON body"))?;
    let field = |k: &str| json.get(k).and_then(text).filter(|s| !s.trim().is_empty());
    let access_token = field("access_token").ok_or_else(|| bad("access_token"))?;
    let refresh_token = field("refresh_token").ok_or_else(|| bad("refresh_token"))?;
    let expires_in = json.get("expires_in").and_then(int);
    let expires_in = expires_in
        .filter(|&s| s > 0)
        .ok_or_else(|| bad("expires_in"))?;
    Ok(TokenGrant {
        access_token: Secret::new(access_token),
        refresh_token: Secret::new(refresh_token),
        expires_in: Duration::from_secs(expires_in as u64),
    })
}

async fn read_login_answer(response: Response) -> Result<Secret, ApiError> {
    if !response.status().is_success() {
        return Err(match read_failure(response).await.error {
            ApiError::Unauthorized { detail } => refused_login(&detail),
            other => other,
        });
    }
    let cookies: Vec<String> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(|pair| pair.trim().to_owned())
        .filter(|pair| {
            pair.split_once('=')
                .is_some_and(|(name, _)| !name.is_empty())
        })
        .collect();
    let reply = read_success(response).await.map_err(|f| f.error)?;
    let json: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    if json.pointer("/response/auth").and_then(flag) != Some(true) {
        return Err(refused_login("the answer does not say auth: true"));
    }
    if !cookies.iter().any(|c| c.starts_with("session_id=")) {
        return Err(ApiError::BadResponse {
            detail: "the login answer set no session_id cookie".into(),
        });
    }
    Ok(Secret::new(cookies.join("; ")))
}

fn refused_login(detail: &str) -> ApiError {
    ApiError::Credentials {
        detail: format!(
            "amoCRM refused the login with auth.login and auth.api_key ({detail}): check both \
             (the API key is in the user's profile settings; accounts created since 2020 have \
             none, use auth.method = \"token\" there)"
        ),
    }
}

fn scrub(error: ApiError, secrets: &[&Secret]) -> ApiError {
    secrets
        .iter()
        .fold(error, |e, secret| e.redact(secret.expose()))
}

impl TokenError {
    fn scrub(self, secrets: &[&Secret]) -> TokenError {
        let clean = |detail: String| {
            secrets.iter().fold(detail, |d, s| {
                if s.is_empty() {
                    d
                } else {
                    d.replace(s.expose(), "[redacted]")
                }
            })
        };
        match self {
            TokenError::GrantRefused { detail } => TokenError::GrantRefused {
                detail: clean(detail),
            },
            TokenError::ClientRefused { detail } => TokenError::ClientRefused {
                detail: clean(detail),
            },
            TokenError::Api(e) => TokenError::Api(scrub(e, secrets)),
        }
    }
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
