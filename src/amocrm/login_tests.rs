//! The login client: where its endpoints are, and its errors scrubbed of the secrets sent.

use super::*;

#[test]
fn the_login_endpoints_are_under_the_account_root_and_keep_a_path_prefix() {
    let base = "http://127.0.0.1:9/prefix".parse().unwrap();
    let client = AuthClient::new(&base, Duration::from_secs(1), Pace::new(7, None)).unwrap();
    assert_eq!(
        client.token_url.as_str(),
        "http://127.0.0.1:9/prefix/oauth2/access_token"
    );
    assert_eq!(
        client.legacy_url.as_str(),
        "http://127.0.0.1:9/prefix/private/api/auth.php?type=json"
    );
    let plain = "https://x.amocrm.ru".parse().unwrap();
    let client = AuthClient::new(&plain, Duration::from_secs(1), Pace::new(7, None)).unwrap();
    assert_eq!(
        client.token_url.as_str(),
        "https://x.amocrm.ru/oauth2/access_token"
    );
}

#[test]
fn token_errors_are_scrubbed_of_the_secrets_sent() {
    let secret = Secret::new("s3cr3t");
    let e = TokenError::GrantRefused {
        detail: "token s3cr3t revoked".into(),
    };
    assert_eq!(
        e.scrub(&[&secret]).to_string(),
        "amoCRM refused the grant (token [redacted] revoked)"
    );
}
