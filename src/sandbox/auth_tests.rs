//! The sandbox's OAuth: codes, refresh tokens, sessions, and what it refuses.

use super::*;

fn state() -> AuthState {
    AuthState::new(Credentials {
        token: "long".into(),
        client_id: "id".into(),
        client_secret: "secret".into(),
        redirect_uri: "https://example.com/cb".into(),
        api_login: "me@example.com".into(),
        api_key: "key".into(),
    })
}

fn request(grant: &str, value: &str) -> TokenRequest {
    let mut req = TokenRequest {
        client_id: Some("id".into()),
        client_secret: Some("secret".into()),
        grant_type: Some(grant.into()),
        redirect_uri: Some("https://example.com/cb".into()),
        ..TokenRequest::default()
    };
    if grant == "authorization_code" {
        req.code = Some(value.into());
    } else {
        req.refresh_token = Some(value.into());
    }
    req
}

#[test]
fn a_code_works_once_and_its_tokens_authorise() {
    let mut s = state();
    let now = Instant::now();
    let code = s.issue_code(now);
    let pair = s.token(&request("authorization_code", &code), now).unwrap();
    assert!(s.bearer_ok(&pair.access_token, now));
    assert!(s.bearer_ok("long", now));
    assert!(!s.bearer_ok(&pair.refresh_token, now));
    let again = s.token(&request("authorization_code", &code), now);
    assert!(matches!(again, Err(OAuthError::BadRequest(d)) if d.contains("revoked")));
}

#[test]
fn a_code_older_than_twenty_minutes_is_refused() {
    let mut s = state();
    let now = Instant::now();
    let code = s.issue_code(now);
    let later = now + Duration::from_secs(20 * 60 + 1);
    assert!(
        s.token(&request("authorization_code", &code), later)
            .is_err()
    );
}

#[test]
fn a_refresh_token_works_once_and_a_reuse_is_revoked() {
    let mut s = state();
    let now = Instant::now();
    let code = s.issue_code(now);
    let first = s.token(&request("authorization_code", &code), now).unwrap();
    let second = s
        .token(&request("refresh_token", &first.refresh_token), now)
        .unwrap();
    assert_ne!(first.refresh_token, second.refresh_token);
    let reuse = s.token(&request("refresh_token", &first.refresh_token), now);
    assert!(matches!(reuse, Err(OAuthError::BadRequest(d)) if d.contains("revoked")));
    assert!(
        s.token(&request("refresh_token", &second.refresh_token), now)
            .is_ok()
    );
}

#[test]
fn a_wrong_client_or_redirect_uri_is_refused() {
    let mut s = state();
    let now = Instant::now();
    let code = s.issue_code(now);
    let mut req = request("authorization_code", &code);
    req.client_secret = Some("nope".into());
    assert_eq!(s.token(&req, now), Err(OAuthError::InvalidClient));
    req = request("authorization_code", &code);
    req.redirect_uri = Some("https://evil.example/cb".into());
    assert_eq!(s.token(&req, now).unwrap_err().status(), 400);
}

#[test]
fn expired_access_tokens_no_longer_authorise_but_refresh_still_works() {
    let mut s = state();
    let now = Instant::now();
    let code = s.issue_code(now);
    let pair = s.token(&request("authorization_code", &code), now).unwrap();
    s.expire_access_tokens();
    assert!(!s.bearer_ok(&pair.access_token, now));
    assert!(
        s.token(&request("refresh_token", &pair.refresh_token), now)
            .is_ok()
    );
}

#[test]
fn a_session_needs_the_right_key_and_lasts_fifteen_minutes() {
    let mut s = state();
    let now = Instant::now();
    assert!(s.login("me@example.com", "wrong", now).is_none());
    let session = s.login("me@example.com", "key", now).unwrap();
    assert!(s.session_ok(&session, now + Duration::from_secs(14 * 60)));
    assert!(!s.session_ok(&session, now + Duration::from_secs(15 * 60)));
    s.expire_sessions();
    assert!(!s.session_ok(&session, now));
}
