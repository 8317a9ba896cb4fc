//! Credentials for the configured `auth.method`: wires the store (where OAuth tokens and legacy
//! sessions are kept) to amoCRM's login endpoints, and hands the client a
//! [`CredentialSource`](crate::amocrm::CredentialSource) that renews them.
//!
//! `oauth` owns the token pair and its once-only refresh token, `session` the legacy session
//! cookie, `status` what `catalog-sync auth status` shows.

mod oauth;
mod session;
mod status;

use std::sync::Arc;

use anyhow::Result;

pub use oauth::{OAuthSource, login_with_code};
pub use session::ApiKeySource;
pub use status::{AuthStatus, status};

use crate::amocrm::{AuthClient, Credentials, OAuthApp, Pace, RequestObserver, pace_path};
use crate::config::{AccountSettings, AuthSettings};
use crate::store::Store;

/// The client's credentials for this account; OAuth tokens and sessions live in its `store`.
/// `observer` hears of every request to the login endpoints, as of the client's own.
pub fn credentials(
    account: &AccountSettings,
    store: &Store,
    observer: Option<RequestObserver>,
) -> Result<Credentials> {
    let endpoint = || Ok::<_, anyhow::Error>(endpoint(account)?.observed(observer.clone()));
    Ok(match &account.auth {
        AuthSettings::Token { token } => Credentials::Token(token.clone()),
        AuthSettings::OAuth { .. } => {
            let source = OAuthSource::new(store.clone(), endpoint()?, oauth_app(account)?);
            Credentials::Source(Arc::new(source))
        }
        AuthSettings::ApiKey { login, api_key } => {
            let source = ApiKeySource::new(store.clone(), endpoint()?, login, api_key.clone());
            Credentials::Source(Arc::new(source))
        }
    })
}

/// The login endpoints of the account, paced with every other process on its database.
pub fn endpoint(account: &AccountSettings) -> Result<AuthClient> {
    let pace = Pace::new(
        account.http.requests_per_second,
        Some(&pace_path(&account.database.path)),
    );
    Ok(AuthClient::new(
        account.amocrm.base_url.as_url(),
        account.http.timeout,
        pace,
    )?)
}

/// The integration's identity, when the account's `auth.method = "oauth"`.
pub fn oauth_app(account: &AccountSettings) -> Result<OAuthApp> {
    match &account.auth {
        AuthSettings::OAuth {
            client_id,
            client_secret,
            redirect_uri,
        } => Ok(OAuthApp {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            redirect_uri: redirect_uri.clone(),
        }),
        _ => anyhow::bail!(
            "this needs auth.method = \"oauth\" with auth.client_id, auth.client_secret and \
             auth.redirect_uri"
        ),
    }
}
