//! OAuth 2.0: the token pair in `oauth_tokens`, refreshed shortly before the access token
//! expires and once after a 401.
//!
//! A refresh token works once, so the order is fixed: the new pair is committed to the
//! database before the old refresh token is forgotten and before the new access token is sent.
//! One mutex serialises refreshes (re-checking after acquiring it), and the database is re-read
//! before and after each refresh, so that a second process that rotated the pair meanwhile is
//! followed instead of fought.

use chrono::{TimeDelta, Utc};
use tokio::sync::Mutex;

use crate::amocrm::{
    ApiError, AuthClient, BoxFuture, Credential, CredentialSource, Grant, OAuthApp, TokenError,
};
use crate::secret::Secret;
use crate::store::{OAuthTokens, Store};

/// The access token is refreshed when it has less than this left.
const REFRESH_MARGIN: TimeDelta = TimeDelta::minutes(5);

const LOGIN_HINT: &str = "run `catalog-sync auth login --code CODE` with a new authorization \
                          code from the integration's redirect (see the README, \"Recovering \
                          from a revoked token\")";

/// Hands out the stored access token, refreshing it when needed.
#[derive(Debug)]
pub struct OAuthSource {
    store: Store,
    endpoint: AuthClient,
    app: OAuthApp,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    tokens: Option<OAuthTokens>,
    /// amoCRM issued `tokens` but saving them failed: they are saved before any use.
    unsaved: bool,
}

/// `catalog-sync auth login --code CODE`: trades the code for a pair and stores it.
pub async fn login_with_code(
    store: &Store,
    endpoint: &AuthClient,
    app: &OAuthApp,
    code: &Secret,
) -> anyhow::Result<OAuthTokens> {
    let now = Utc::now();
    let grant = endpoint
        .oauth_token(app, Grant::Code(code))
        .await
        .map_err(|e| match e {
            TokenError::GrantRefused { detail } => anyhow::anyhow!(
                "amoCRM refused the authorization code ({detail}): a code lives 20 minutes and \
                 works once, and auth.redirect_uri must be the integration's redirect URI; get \
                 a new code and run `catalog-sync auth login --code CODE` again"
            ),
            other => anyhow::anyhow!("{other}"),
        })?;
    let tokens = OAuthTokens {
        access_token: grant.access_token,
        refresh_token: grant.refresh_token,
        expires_at: now + lifetime(grant.expires_in),
        obtained_at: now,
        last_refresh_at: None,
        refreshes: 0,
    };
    store.save_oauth_tokens(&tokens).await?;
    tracing::info!(expires_at = %tokens.expires_at, "oauth tokens obtained and saved");
    Ok(tokens)
}

impl OAuthSource {
    pub fn new(store: Store, endpoint: AuthClient, app: OAuthApp) -> OAuthSource {
        OAuthSource {
            store,
            endpoint,
            app,
            state: Mutex::new(State::default()),
        }
    }

    /// The access token to send now, refreshed first if it expires within the margin.
    async fn bearer(&self) -> Result<Credential, ApiError> {
        let mut state = self.state.lock().await;
        let mut tokens = self.settled(&mut state).await?;
        if expires_soon(&tokens) {
            tokens = self.refresh(&mut state, tokens).await?;
        }
        Ok(Credential::Bearer(tokens.access_token))
    }

    /// After a 401 to `rejected`: a newer token if someone refreshed meanwhile, else a refresh.
    async fn after_401(&self, rejected: &Credential) -> Result<Credential, ApiError> {
        let mut state = self.state.lock().await;
        let tokens = self.settled(&mut state).await?;
        if Credential::Bearer(tokens.access_token.clone()) != *rejected {
            return Ok(Credential::Bearer(tokens.access_token));
        }
        let tokens = self.refresh(&mut state, tokens).await?;
        Ok(Credential::Bearer(tokens.access_token))
    }

    /// The pair in use: an unsaved one saved first, else the one in memory or in the database.
    async fn settled(&self, state: &mut State) -> Result<OAuthTokens, ApiError> {
        if let (true, Some(tokens)) = (state.unsaved, &state.tokens) {
            self.store
                .save_oauth_tokens(tokens)
                .await
                .map_err(|e| unsaved(&e))?;
            state.unsaved = false;
            tracing::info!("oauth tokens saved after an earlier failure");
        }
        if let Some(tokens) = &state.tokens {
            return Ok(tokens.clone());
        }
        let tokens = self.stored().await?.ok_or_else(|| ApiError::Credentials {
            detail: format!(
                "auth.method = \"oauth\" but the database holds no OAuth tokens yet: {LOGIN_HINT}"
            ),
        })?;
        state.tokens = Some(tokens.clone());
        Ok(tokens)
    }

    /// Trades `old`'s refresh token for a new pair and commits it before returning it.
    async fn refresh(&self, state: &mut State, old: OAuthTokens) -> Result<OAuthTokens, ApiError> {
        let old = match self.rotated_elsewhere(&old).await? {
            Some(newer) if !expires_soon(&newer) => {
                state.tokens = Some(newer.clone());
                return Ok(newer);
            }
            Some(newer) => newer,
            None => old,
        };
        let now = Utc::now();
        let grant = match self
            .endpoint
            .oauth_token(&self.app, Grant::Refresh(&old.refresh_token))
            .await
        {
            Ok(grant) => grant,
            Err(e) => return self.refresh_failed(state, &old, e).await,
        };
        let new = OAuthTokens {
            access_token: grant.access_token,
            refresh_token: grant.refresh_token,
            expires_at: now + lifetime(grant.expires_in),
            obtained_at: old.obtained_at,
            last_refresh_at: Some(now),
            refreshes: old.refreshes + 1,
        };
        let saved = self.store.save_oauth_tokens(&new).await;
        state.tokens = Some(new.clone());
        state.unsaved = saved.is_err();
        if let Err(e) = saved {
            tracing::error!(error = %format!("{e:#}"), "new oauth tokens not saved yet");
            return Err(unsaved(&e));
        }
        tracing::info!(expires_at = %new.expires_at, refreshes = new.refreshes, "oauth tokens refreshed and saved");
        Ok(new)
    }

    /// The stored pair when another process replaced `old` with it.
    async fn rotated_elsewhere(&self, old: &OAuthTokens) -> Result<Option<OAuthTokens>, ApiError> {
        let stored = self.stored().await?;
        Ok(stored.filter(|s| s.refresh_token != old.refresh_token))
    }

    async fn refresh_failed(
        &self,
        state: &mut State,
        old: &OAuthTokens,
        error: TokenError,
    ) -> Result<OAuthTokens, ApiError> {
        let detail = match error {
            TokenError::GrantRefused { detail } => detail,
            TokenError::ClientRefused { detail } => {
                return Err(ApiError::Credentials {
                    detail: format!(
                        "amoCRM refused the integration while refreshing the OAuth token \
                         ({detail}): check auth.client_id and auth.client_secret; if the \
                         integration was deleted or re-created, {LOGIN_HINT}"
                    ),
                });
            }
            TokenError::Api(e) => return Err(e),
        };
        // A refresh that raced ours in another process wins; follow it.
        if let Some(newer) = self.rotated_elsewhere(old).await? {
            state.tokens = Some(newer.clone());
            return Ok(newer);
        }
        Err(ApiError::Credentials {
            detail: format!(
                "amoCRM refused the OAuth refresh token ({detail}): refresh token expired or \
                 already used: {LOGIN_HINT}"
            ),
        })
    }

    async fn stored(&self) -> Result<Option<OAuthTokens>, ApiError> {
        self.store
            .oauth_tokens()
            .await
            .map_err(|e| ApiError::Credentials {
                detail: format!("cannot read the OAuth tokens from the database: {e:#}"),
            })
    }
}

impl CredentialSource for OAuthSource {
    fn current(&self) -> BoxFuture<'_, Result<Credential, ApiError>> {
        Box::pin(self.bearer())
    }

    fn renew<'a>(
        &'a self,
        rejected: &'a Credential,
    ) -> BoxFuture<'a, Result<Credential, ApiError>> {
        Box::pin(self.after_401(rejected))
    }

    fn rejected_hint(&self) -> String {
        format!("the integration may have been revoked, disabled or lost its access: {LOGIN_HINT}")
    }
}

/// `expires_in` as a time span (absurd values are capped at a year).
fn lifetime(expires_in: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(expires_in)
        .unwrap_or(TimeDelta::days(365))
        .min(TimeDelta::days(365))
}

fn expires_soon(tokens: &OAuthTokens) -> bool {
    tokens.expires_at - Utc::now() < REFRESH_MARGIN
}

fn unsaved(error: &anyhow::Error) -> ApiError {
    ApiError::Credentials {
        detail: format!(
            "amoCRM issued new OAuth tokens but they could not be saved ({error:#}); catalog-sync \
             keeps them in memory and saves them before the next request: make the database \
             writable and do not stop catalog-sync before that, or the refresh token is lost"
        ),
    }
}
