//! The account's address (`amocrm.base_url`, or `base_url` of an `[[accounts]]` entry).

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

/// The host in the shipped default, which must be replaced.
pub(crate) const PLACEHOLDER_HOST: &str = "example.amocrm.ru";

/// The domains whose subdomains are amoCRM or Kommo accounts.
const ACCOUNT_DOMAINS: [&str; 3] = ["amocrm.ru", "amocrm.com", "kommo.com"];

/// What every refusal ends with: what an account address looks like.
const LOOKS_LIKE: &str = "an account address looks like https://yourcompany.amocrm.ru or \
                          https://yourcompany.kommo.com";

/// The root of an amoCRM or Kommo account, e.g. `https://yourcompany.amocrm.ru`.
///
/// Public hosts: https only, exactly one subdomain label on `amocrm.ru`, `amocrm.com` or
/// `kommo.com` (`www.` is the product's site, not an account), no path, query or fragment.
/// Loopback hosts (the sandbox, test servers): http or https, and a path is allowed, so that one
/// sandbox can serve several accounts under `/accounts/{i}`. Never a user name. The client joins
/// API paths onto [`BaseUrl::as_url`], whose path always ends with `/`.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Parses and checks an account address. The error is a plain sentence without the key; it
    /// never repeats the input (a token pasted into the wrong variable must not be printed).
    pub fn parse(input: &str) -> Result<BaseUrl, String> {
        let mut url =
            Url::parse(input.trim()).map_err(|e| format!("is not a URL ({e}); {LOOKS_LIKE}"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "must not contain a user name or password (credentials belong in auth); \
                 {LOOKS_LIKE}"
            ));
        }
        let host = match url.host_str() {
            Some(host) if !host.is_empty() => host.to_owned(),
            _ => return Err(format!("has no host; {LOOKS_LIKE}")),
        };
        if !matches!(url.scheme(), "https" | "http") {
            return Err(format!(
                "scheme {:?} is not supported; use https: {LOOKS_LIKE}",
                url.scheme()
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "must be the account's address alone, without a query or fragment: use {}; \
                 {LOOKS_LIKE}",
                root(&url)
            ));
        }
        if is_loopback(&host) {
            if !url.path().ends_with('/') {
                let path = format!("{}/", url.path());
                url.set_path(&path);
            }
            return Ok(BaseUrl(url));
        }
        check_public(&url, &host)?;
        Ok(BaseUrl(url))
    }

    /// The address as a URL whose path ends with `/`, ready for `join("api/v2/catalogs")`.
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The placeholder shipped in `config/default.toml`: the stand-in address of an account
    /// whose own does not parse (see [`super::AccountSettings::problem`]); never sent to.
    pub(crate) fn placeholder() -> BaseUrl {
        let url = format!("https://{PLACEHOLDER_HOST}/");
        BaseUrl(Url::parse(&url).expect("the placeholder is a URL"))
    }

    /// Whether this is the placeholder shipped in `config/default.toml`.
    pub(crate) fn is_placeholder(&self) -> bool {
        self.0.host_str() == Some(PLACEHOLDER_HOST)
    }
}

/// The rules for a host that is not this machine: an account host over https, nothing after it.
fn check_public(url: &Url, host: &str) -> Result<(), String> {
    let account = ACCOUNT_DOMAINS.iter().find_map(|domain| {
        let label = host.strip_suffix(domain)?.strip_suffix('.')?;
        Some((label, *domain))
    });
    match account {
        None if ACCOUNT_DOMAINS.contains(&host) => {
            return Err(format!(
                "{host} is the product's own site, not an account; {LOOKS_LIKE}"
            ));
        }
        None => {
            return Err(format!(
                "{host} is not an amoCRM or Kommo account host (*.amocrm.ru, *.amocrm.com, \
                 *.kommo.com); {LOOKS_LIKE}"
            ));
        }
        Some(("www", domain)) => {
            return Err(format!(
                "www.{domain} is the product's own site, not an account: use the address in \
                 your browser's address bar once logged in; {LOOKS_LIKE}"
            ));
        }
        Some((label, domain)) if !is_label(label) => {
            return Err(format!(
                "an account host is one name before .{domain}; {LOOKS_LIKE}"
            ));
        }
        Some(_) => {}
    }
    if url.scheme() != "https" {
        return Err(format!(
            "plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use \
             https://{host}"
        ));
    }
    if url.path() != "/" {
        return Err(format!(
            "must be the account's address alone, without a path: use {}; {LOOKS_LIKE}",
            root(url)
        ));
    }
    Ok(())
}

/// One DNS label: letters, digits and inner hyphens.
fn is_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// `scheme://host[:port]`, as written in a URL.
fn root(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
        (Some(host), None) => format!("{}://{host}", url.scheme()),
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
    fn account_hosts_and_loopback_are_accepted() {
        for (ok, path) in [
            ("https://yourcompany.amocrm.ru", "/"),
            ("https://yourcompany.amocrm.ru/", "/"),
            ("https://yourcompany.amocrm.com", "/"),
            ("https://your-company2.kommo.com", "/"),
            ("http://127.0.0.1:8787", "/"),
            ("https://127.0.0.1:8787", "/"),
            ("http://127.10.0.1", "/"),
            ("http://[::1]:9000", "/"),
            ("http://localhost:8080/", "/"),
            ("http://127.0.0.1:8787/accounts/3", "/accounts/3/"),
        ] {
            let url = BaseUrl::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(url.as_url().path(), path, "{ok}");
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
            ("http://10.0.0.1", "not an amoCRM or Kommo account host"),
            ("ftp://yourcompany.amocrm.ru", "not supported"),
            ("https://yourcompany.amocrm.ru/api/v2", "without a path"),
            ("https://yourcompany.amocrm.ru/?x=1", "without a query"),
            ("https://yourcompany.amocrm.ru/#top", "without a query"),
            ("http://127.0.0.1:8787/?x=1", "without a query"),
            ("yourcompany.amocrm.ru", "not a URL"),
            ("https://www.amocrm.ru", "own site"),
            ("https://www.kommo.com", "own site"),
            ("https://kommo.com", "own site"),
            ("https://a.b.amocrm.ru", "one name before .amocrm.ru"),
            ("https://yourcompany.example.com", "not an amoCRM or Kommo"),
            ("https://evilamocrm.ru", "not an amoCRM or Kommo"),
            ("", "not a URL"),
        ];
        for (input, reason) in cases {
            let err = BaseUrl::parse(input).expect_err(input);
            assert!(err.contains(reason), "{input}: {err}");
            assert!(
                err.contains("https://yourcompany.") || err.contains("use https://"),
                "{input}: says what an address looks like: {err}"
            );
        }
    }

    #[test]
    fn a_refused_address_is_never_repeated_in_the_message() {
        for input in [
            "https://me:hunter2@yourcompany.amocrm.ru",
            "https://hunter2@yourcompany.amocrm.ru",
            "https://me:hunter2@bad host",
            "https://yourcompany.amocrm.ru/?token=hunter2",
            "https://yourcompany.amocrm.ru/hunter2",
            "hunter2",
        ] {
            let err = BaseUrl::parse(input).expect_err(input);
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
