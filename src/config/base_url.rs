//! The account's address (`amocrm.base_url`).

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

/// The host in the shipped default, which must be replaced.
pub(crate) const PLACEHOLDER_HOST: &str = "example.amocrm.ru";

/// amoCRM's own sites: a common mistake for an account address.
const PRODUCT_SITES: [&str; 6] = [
    "amocrm.ru",
    "www.amocrm.ru",
    "amocrm.com",
    "www.amocrm.com",
    "kommo.com",
    "www.kommo.com",
];

/// The root of an amoCRM account, e.g. `https://yourcompany.amocrm.ru`.
///
/// Always https, except plain http to a loopback host (the sandbox, test servers); never a path,
/// query, fragment or user name. The client joins API paths onto [`BaseUrl::as_url`].
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Parses and checks an account address. The error is a plain sentence without the key; it
    /// never repeats the input (a token pasted into the wrong variable must not be printed).
    pub fn parse(input: &str) -> Result<BaseUrl, String> {
        let input = input.trim();
        let url = Url::parse(input).map_err(|e| {
            format!("is not a URL ({e}); expected an address like https://yourcompany.amocrm.ru")
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "must not contain a user name or password: credentials belong in [auth]".into(),
            );
        }
        let host = match url.host_str() {
            Some(host) if !host.is_empty() => host.to_owned(),
            _ => {
                return Err(
                    "has no host; expected an address like https://yourcompany.amocrm.ru".into(),
                );
            }
        };
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(format!(
                    "plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost); \
                     use https://{host}"
                ));
            }
            other => return Err(format!("scheme {other:?} is not supported; use https")),
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "must be the account's address alone, without a path, query or fragment: \
                 use {}://{}",
                url.scheme(),
                authority(&url)
            ));
        }
        if PRODUCT_SITES.contains(&host.as_str()) {
            return Err(format!(
                "{host} is amoCRM's own site, not an account: use your account's address, \
                 e.g. https://yourcompany.amocrm.ru"
            ));
        }
        Ok(BaseUrl(url))
    }

    /// The address as a URL with path `/`, ready for `join("api/v2/catalogs")`.
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// Whether this is the placeholder shipped in `config/default.toml`.
    pub(crate) fn is_placeholder(&self) -> bool {
        self.0.host_str() == Some(PLACEHOLDER_HOST)
    }
}

/// Host and port, as written in a URL.
fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => String::new(),
    }
}

/// `localhost`, 127.0.0.0/8 or ::1 (`host_str` writes IPv6 in brackets).
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BaseUrl").field(&self.0.as_str()).finish()
    }
}

/// Shown without the trailing slash: `https://yourcompany.amocrm.ru`.
impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_addresses_and_loopback_http_are_accepted() {
        for ok in [
            "https://yourcompany.amocrm.ru",
            "https://yourcompany.amocrm.ru/",
            "https://yourcompany.kommo.com",
            "http://127.0.0.1:8787",
            "http://127.10.0.1",
            "http://[::1]:9000",
            "http://localhost:8080/",
        ] {
            let url = BaseUrl::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(url.as_url().path(), "/");
        }
    }

    #[test]
    fn display_drops_the_trailing_slash() {
        let url = BaseUrl::parse("https://YourCompany.amocrm.ru/").unwrap();
        assert_eq!(url.to_string(), "https://yourcompany.amocrm.ru");
        assert_eq!(url.as_url().as_str(), "https://yourcompany.amocrm.ru/");
    }

    #[test]
    fn unsafe_or_wrong_addresses_are_refused_with_a_reason() {
        let cases = [
            ("http://yourcompany.amocrm.ru", "loopback"),
            ("http://10.0.0.1", "loopback"),
            ("ftp://yourcompany.amocrm.ru", "not supported"),
            ("https://yourcompany.amocrm.ru/api/v2", "without a path"),
            ("https://yourcompany.amocrm.ru/?x=1", "without a path"),
            ("https://yourcompany.amocrm.ru/#top", "without a path"),
            ("yourcompany.amocrm.ru", "not a URL"),
            ("https://www.amocrm.ru", "own site"),
            ("", "not a URL"),
        ];
        for (input, reason) in cases {
            let err = BaseUrl::parse(input).expect_err(input);
            assert!(err.contains(reason), "{input}: {err}");
        }
    }

    #[test]
    fn a_refused_address_is_never_repeated_in_the_message() {
        for input in [
            "https://me:hunter2@yourcompany.amocrm.ru",
            "https://hunter2@yourcompany.amocrm.ru",
            "https://me:hunter2@bad host",
            "https://yourcompany.amocrm.ru/?token=hunter2",
            "hunter2",
        ] {
            let err = BaseUrl::parse(input).expect_err(input);
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
