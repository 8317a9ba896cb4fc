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

use crate::amocrm::{AuthClient, Credentials, OAuthApp, Pace, pace_path};
use crate::config::{AuthSettings, Settings};
use crate::store::Store;

/// The client's credentials for these settings; OAuth tokens and sessions live in `store`.
pub fn credentials(settings: &Settings, store: &Store) -> Result<Credentials> {
    Ok(match &settings.auth {
        AuthSettings::Token { token } => Credentials::Token(token.clone()),
        AuthSettings::OAuth { .. } => {
            let source = OAuthSource::new(store.clone(), endpoint(settings)?, oauth_app(settings)?);
            Credentials::Source(Arc::new(source))
        }
        AuthSettings::ApiKey { login, api_key } => {
            let source =
                ApiKeySource::new(store.clone(), endpoint(settings)?, login, api_key.clone());
            Credentials::Source(Arc::new(source))
        }
    })
}

/// The login endpoints of the configured account.
pub fn endpoint(settings: &Settings) -> Result<AuthClient> {
    let pace = Pace::new(
        settings.http.requests_per_second,
        Some(&pace_path(&settings.database.path)),
    );
    Ok(AuthClient::new(
        settings.amocrm.base_url.as_url(),
        settings.http.timeout,
        pace,
    )?)
}

/// The integration's identity, when `auth.method = "oauth"`.
pub fn oauth_app(settings: &Settings) -> Result<OAuthApp> {
    match &settings.auth {
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
