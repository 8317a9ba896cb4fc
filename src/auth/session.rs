//! The legacy API key: `auth.php` logins and the session cookie they give, kept in
//! `api_sessions` so that the next `--once` run reuses it.
//!
//! amoCRM sessions live 15 minutes: a session 14 minutes old is replaced before use, and a 401
//! replaces it at once (at most one login per 401, since the client renews once per request).

use chrono::{TimeDelta, Utc};
use tokio::sync::Mutex;

use crate::amocrm::{ApiError, AuthClient, BoxFuture, Credential, CredentialSource};
use crate::secret::Secret;
use crate::store::{ApiSession, Store};

/// A session older than this is not used again (amoCRM ends it at 15 minutes).
pub(crate) const SESSION_REUSE: TimeDelta = TimeDelta::minutes(14);

/// Hands out the session cookie, logging in when there is none or it is old.
#[derive(Debug)]
pub struct ApiKeySource {
    store: Store,
    endpoint: AuthClient,
    login: String,
    api_key: Secret,
    session: Mutex<Option<ApiSession>>,
}

impl ApiKeySource {
    pub fn new(store: Store, endpoint: AuthClient, login: &str, api_key: Secret) -> ApiKeySource {
        ApiKeySource {
            store,
            endpoint,
            login: login.to_owned(),
            api_key,
            session: Mutex::new(None),
        }
    }

    async fn cookie(&self) -> Result<Credential, ApiError> {
        let mut session = self.session.lock().await;
        if session.is_none() {
            // An unreadable row only costs a login.
            let stored = self.store.api_session().await.ok().flatten();
            *session = stored.filter(|s| s.login == self.login);
        }
        match session.as_ref() {
            Some(s) if Utc::now() - s.logged_in_at < SESSION_REUSE => {
                Ok(Credential::Cookie(s.cookie.clone()))
            }
            _ => self.log_in(&mut session).await,
        }
    }

    async fn after_401(&self, rejected: &Credential) -> Result<Credential, ApiError> {
        let mut session = self.session.lock().await;
        if let Some(s) = session.as_ref() {
            let current = Credential::Cookie(s.cookie.clone());
            if current != *rejected {
                return Ok(current);
            }
        }
        self.log_in(&mut session).await
    }

    async fn log_in(&self, session: &mut Option<ApiSession>) -> Result<Credential, ApiError> {
        let cookie = self
            .endpoint
            .legacy_login(&self.login, &self.api_key)
            .await?;
        let fresh = ApiSession {
            login: self.login.clone(),
            cookie: cookie.clone(),
            logged_in_at: Utc::now(),
            logins: session.as_ref().map_or(0, |s| s.logins) + 1,
        };
        // A session is cheap to replace, so a failed save is only worth a warning.
        if let Err(e) = self.store.save_api_session(&fresh).await {
            tracing::warn!(error = %format!("{e:#}"), "session not saved");
        }
        tracing::info!(logins = fresh.logins, "logged in with the api key");
        *session = Some(fresh);
        Ok(Credential::Cookie(cookie))
    }
}

impl CredentialSource for ApiKeySource {
    fn current(&self) -> BoxFuture<'_, Result<Credential, ApiError>> {
        Box::pin(self.cookie())
    }

    fn renew<'a>(
        &'a self,
        rejected: &'a Credential,
    ) -> BoxFuture<'a, Result<Credential, ApiError>> {
        Box::pin(self.after_401(rejected))
    }

    fn rejected_hint(&self) -> String {
        "the login succeeded but its session was refused: check that the user of auth.login \
         still has access to lists, or switch to auth.method = \"token\""
            .into()
    }
}
