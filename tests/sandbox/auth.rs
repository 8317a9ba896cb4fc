//! OAuth and the legacy auth.php login, over HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestAccount, quiet};

fn token_request(grant: &str, key: &str, value: &str) -> Value {
    json!({
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "grant_type": grant,
        key: value,
        "redirect_uri": "https://example.com/oauth/callback",
    })
}

async fn exchange(t: &TestAccount, body: &Value) -> (StatusCode, Value) {
    let r = t
        .client
        .post(t.url("/oauth2/access_token"))
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn catalogs_with(t: &TestAccount, token: &str) -> StatusCode {
    let r = t.client.get(t.url("/api/v2/catalogs")).bearer_auth(token);
    r.send().await.unwrap().status()
}

#[tokio::test]
async fn an_oauth_code_gives_tokens_that_authorise_and_a_refresh_token_works_only_once() {
    let t = TestAccount::start(quiet()).await;
    let code = t.account.issue_authorization_code();
    let (status, first) = exchange(&t, &token_request("authorization_code", "code", &code)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 86400);
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(catalogs_with(&t, access).await, StatusCode::NO_CONTENT);

    let refresh = first["refresh_token"].as_str().unwrap();
    let (status, second) = exchange(
        &t,
        &token_request("refresh_token", "refresh_token", refresh),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let new_access = second["access_token"].as_str().unwrap();
    assert_eq!(catalogs_with(&t, new_access).await, StatusCode::NO_CONTENT);

    let (status, reuse) = exchange(
        &t,
        &token_request("refresh_token", "refresh_token", refresh),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reuse["status"], 400);
    assert!(
        reuse["detail"].as_str().unwrap().contains("revoked"),
        "{reuse}"
    );
    assert!(reuse["title"].is_string() && reuse["type"].is_string());
}

#[tokio::test]
async fn an_authorization_code_works_once_and_a_wrong_client_is_refused() {
    let t = TestAccount::start(quiet()).await;
    let code = t.account.issue_authorization_code();
    let mut wrong = token_request("authorization_code", "code", &code);
    wrong["client_secret"] = json!("guess");
    let (status, body) = exchange(&t, &wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["status"], 401);
    let request = token_request("authorization_code", "code", &code);
    assert_eq!(exchange(&t, &request).await.0, StatusCode::OK);
    assert_eq!(exchange(&t, &request).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn expired_access_tokens_get_401_while_the_long_lived_token_still_works() {
    let t = TestAccount::start(quiet()).await;
    let code = t.account.issue_authorization_code();
    let (_, pair) = exchange(&t, &token_request("authorization_code", "code", &code)).await;
    t.account.expire_access_tokens();
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(catalogs_with(&t, access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        catalogs_with(&t, "sandbox-token").await,
        StatusCode::NO_CONTENT
    );
}

async fn legacy_login(t: &TestAccount, content_type: &str, body: String) -> reqwest::Response {
    t.client
        .post(t.url("/private/api/auth.php?type=json"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn session_cookie(r: &reqwest::Response) -> String {
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(set_cookie.contains("path=/"), "{set_cookie}");
    set_cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn an_auth_php_login_sets_a_cookie_that_authorises_until_the_session_expires() {
    let t = TestAccount::start(quiet()).await;
    let form = "USER_LOGIN=admin%40example.com&USER_HASH=sandbox-api-key".to_string();
    let r = legacy_login(&t, "application/x-www-form-urlencoded", form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = session_cookie(&r);
    assert!(cookie.starts_with("session_id="));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response"]["auth"], true);

    let with_cookie = |t: &TestAccount| {
        let request = t.client.get(t.url("/api/v2/catalogs"));
        request.header("cookie", cookie.clone()).send()
    };
    assert_eq!(
        with_cookie(&t).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    t.account.expire_sessions();
    assert_eq!(
        with_cookie(&t).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_auth_php_login_accepts_json_and_refuses_a_wrong_key_with_code_110() {
    let t = TestAccount::start(quiet()).await;
    let good = json!({"USER_LOGIN": "admin@example.com", "USER_HASH": "sandbox-api-key"});
    let r = legacy_login(&t, "application/json", good.to_string()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bad = json!({"USER_LOGIN": "admin@example.com", "USER_HASH": "nope"});
    let r = legacy_login(&t, "application/json", bad.to_string()).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("set-cookie").is_none());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response"]["error_code"], "110");
}
