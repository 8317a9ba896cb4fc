//! Where requests go: paths under the account root, and the checks that make the base URL safe
//! to send a token to.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};

use super::error::ApiError;

/// The account root (`<base_url>/`, query and fragment dropped), after checking that the base
/// URL is safe to send a token to. Paths are joined to it relative, so that a base URL with a
/// path prefix keeps it.
pub(crate) fn account_root(base: &Url) -> Result<Url, ApiError> {
    match base.scheme() {
        "https" => {}
        "http" if is_loopback(base) => {}
        "http" => {
            return Err(ApiError::config(
                "amocrm.base_url uses http:// for a host that is not loopback; use https:// so \
                 that the token does not travel in clear",
            ));
        }
        other => {
            return Err(ApiError::config(format!(
                "amocrm.base_url must be an http(s) address, not {other}:"
            )));
        }
    }
    if base.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::config("amocrm.base_url has no host"));
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(ApiError::config(
            "amocrm.base_url must not carry a user name or password",
        ));
    }
    let mut root = base.clone();
    root.set_query(None);
    root.set_fragment(None);
    if !root.path().ends_with('/') {
        let path = format!("{}/", root.path());
        root.set_path(&path);
    }
    if root.cannot_be_a_base() {
        return Err(ApiError::config(
            "amocrm.base_url cannot have paths under it",
        ));
    }
    Ok(root)
}

/// `path` (relative, e.g. `api/v4/catalogs/7/elements`) under the account root, with `query`.
/// The path is built by the client from constants and ids, never taken from an answer.
pub(crate) fn endpoint(root: &Url, path: &str, query: &[(&str, String)]) -> Url {
    let mut url = root.clone();
    let joined = format!("{}{}", root.path(), path.trim_start_matches('/'));
    url.set_path(&joined);
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
    }
    url
}

/// Whether the URL's host is this machine (`localhost`, 127.0.0.0/8, `::1`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `User-Agent` of every request.
pub(crate) const USER_AGENT: &str = concat!("catalog-sync/", env!("CARGO_PKG_VERSION"));

/// The HTTP client for an account at `url`: a time limit per request, no redirects (a token must
/// never follow one to another host), JSON accepted, and no proxy for loopback (tests and the
/// sandbox must never leave the machine).
pub(crate) fn http_client(url: &Url, timeout: Duration) -> Result<reqwest::Client, ApiError> {
    // Err only means a provider is already installed, which is all we need.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut http = reqwest::Client::builder();
    if is_loopback(url) {
        http = http.no_proxy();
    }
    http.timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .default_headers(HeaderMap::from_iter([(
            ACCEPT,
            HeaderValue::from_static("application/json"),
        )]))
        .build()
        .map_err(|e| ApiError::config(format!("cannot build the HTTP client ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(base: &str) -> Result<String, ApiError> {
        let root = account_root(&base.parse().unwrap())?;
        Ok(endpoint(&root, "api/v2/catalogs", &[]).into())
    }

    #[test]
    fn a_path_with_a_query_is_under_the_account_root() {
        let root = account_root(&"http://127.0.0.1:1/sandbox?x=1".parse().unwrap()).unwrap();
        let query = [("page", "2".to_string()), ("limit", "250".to_string())];
        assert_eq!(
            endpoint(&root, "api/v4/catalogs/7001/elements", &query).as_str(),
            "http://127.0.0.1:1/sandbox/api/v4/catalogs/7001/elements?page=2&limit=250"
        );
    }

    #[test]
    fn the_catalogs_url_is_under_the_account_root_and_keeps_a_path_prefix() {
        assert_eq!(
            url("https://x.amocrm.ru").unwrap(),
            "https://x.amocrm.ru/api/v2/catalogs"
        );
        assert_eq!(
            url("https://x.kommo.com/?a=1#f").unwrap(),
            "https://x.kommo.com/api/v2/catalogs"
        );
        assert_eq!(
            url("http://127.0.0.1:8080/sandbox").unwrap(),
            "http://127.0.0.1:8080/sandbox/api/v2/catalogs"
        );
        assert_eq!(
            url("http://[::1]:1/").unwrap(),
            "http://[::1]:1/api/v2/catalogs"
        );
        assert_eq!(
            url("http://localhost:1").unwrap(),
            "http://localhost:1/api/v2/catalogs"
        );
    }

    #[test]
    fn unsafe_base_urls_are_refused_without_echoing_them() {
        for base in [
            "ftp://x.amocrm.ru",
            "http://x.amocrm.ru",
            "https://user:hunter2@x.amocrm.ru",
            "file:///tmp",
        ] {
            let err = url(base).unwrap_err();
            assert!(matches!(err, ApiError::Config { .. }), "{base}: {err:?}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }
}
