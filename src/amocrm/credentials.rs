//! How requests prove who sends them: a fixed long-lived token, or a [`CredentialSource`] that
//! hands out credentials which change over time (OAuth access tokens, legacy session cookies).
//!
//! The source is implemented outside this module (see `crate::auth`), so the client never knows
//! where credentials are kept: `amocrm` does not import `store`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, HeaderValue};

use super::error::ApiError;
use crate::secret::Secret;

/// A boxed future, so that [`CredentialSource`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How requests prove who sends them.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A long-lived token, sent as `Authorization: Bearer <token>`.
    Token(Secret),
    /// Credentials that expire and are renewed: OAuth tokens, legacy sessions.
    Source(Arc<dyn CredentialSource>),
}

/// One credential as it travels with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <token>` (a long-lived token or an OAuth access token).
    Bearer(Secret),
    /// `Cookie: <name=value; ...>`, the cookies of a legacy `auth.php` login (`session_id`).
    Cookie(Secret),
}

/// Hands out credentials that change over time.
///
/// The client calls [`current`](Self::current) before each attempt and, after a 401,
/// [`renew`](Self::renew) at most once per request, then sends the request once more.
pub trait CredentialSource: Send + Sync + fmt::Debug {
    /// The credential to send now, renewed first if it expires soon.
    fn current(&self) -> BoxFuture<'_, Result<Credential, ApiError>>;

    /// amoCRM answered 401 to `rejected`: a new credential. When someone else already renewed
    /// it meanwhile, the newer one is returned without renewing again.
    fn renew<'a>(&'a self, rejected: &'a Credential)
    -> BoxFuture<'a, Result<Credential, ApiError>>;

    /// What a person should do when even a renewed credential gets 401.
    fn rejected_hint(&self) -> String;
}

impl Credential {
    /// The secret that travels with the request, to scrub it from anything printed.
    pub(crate) fn secret(&self) -> &Secret {
        match self {
            Credential::Bearer(s) | Credential::Cookie(s) => s,
        }
    }

    /// The header that carries it, marked sensitive so that nothing prints it.
    pub(crate) fn header(&self) -> Result<(HeaderName, HeaderValue), ApiError> {
        let (name, value, what, key) = match self {
            Credential::Bearer(token) => (
                AUTHORIZATION,
                format!("Bearer {}", token.expose()),
                "the token",
                "auth.token",
            ),
            Credential::Cookie(cookie) => (
                COOKIE,
                cookie.expose().to_owned(),
                "the session cookie",
                "auth.login and auth.api_key",
            ),
        };
        if self.secret().is_empty() {
            return Err(ApiError::config(format!("{what} is empty; set {key}")));
        }
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            ApiError::config(format!(
                "{what} has characters not allowed in an HTTP header; check {key}"
            ))
        })?;
        value.set_sensitive(true);
        Ok((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_sensitive_and_never_printed() {
        let (name, value) = Credential::Cookie(Secret::new("session_id=abc"))
            .header()
            .unwrap();
        assert_eq!(name, COOKIE);
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("abc"));
        let bearer = Credential::Bearer(Secret::new("t0k"));
        assert_eq!(bearer.header().unwrap().1, "Bearer t0k");
        assert!(!format!("{bearer:?}").contains("t0k"));
    }
}
