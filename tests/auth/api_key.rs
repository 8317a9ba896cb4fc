//! The legacy API key against wiremock: one login, then the cookie; a new login when the
//! session is old or refused.

use std::sync::Arc;

use catalog_sync::amocrm::{Client, Credentials};
use catalog_sync::auth::ApiKeySource;
use catalog_sync::secret::Secret;
use catalog_sync::store::Store;
use chrono::{TimeDelta, Utc};
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::spawn_app;
use crate::{client_with, endpoint};

fn api_key_client(server: &MockServer, store: &Store) -> Client {
    let uri = server.uri();
    let key = Secret::new("api-key-must-not-leak");
    let source = ApiKeySource::new(store.clone(), endpoint(&uri), "admin@example.com", key);
    client_with(&uri, Credentials::Source(Arc::new(source)))
}

/// `auth.php` accepts the login and sets `session_id=<session>`, once, exactly `times` times.
async fn login_gives(server: &MockServer, session: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/private/api/auth.php"))
        .and(query_param("type", "json"))
        .and(body_string_contains("USER_LOGIN=admin%40example.com"))
        .and(body_string_contains("USER_HASH=api-key-must-not-leak"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "set-cookie",
                    format!("session_id={session}; path=/").as_str(),
                )
                .set_body_json(json!({"response": {"auth": true, "server_time": 1}})),
        )
        .up_to_n_times(1)
        .expect(times)
        .mount(server)
        .await;
}

async fn catalogs_with_cookie(server: &MockServer, session: &str, status: u16, times: u64) {
    Mock::given(method("GET"))
        .and(path("/api/v2/catalogs"))
        .and(header("cookie", format!("session_id={session}").as_str()))
        .respond_with(ResponseTemplate::new(status))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_api_key_logs_in_once_then_sends_the_cookie_and_logs_in_again_after_expiry() {
    let app = spawn_app().await;
    login_gives(&app.server, "s1", 1).await;
    catalogs_with_cookie(&app.server, "s1", 204, 2).await;
    let client = api_key_client(&app.server, &app.store);
    client.list_catalogs().await.unwrap();
    client.list_catalogs().await.unwrap();
    app.next_act().await;

    // A new process reuses the stored session while it is young...
    catalogs_with_cookie(&app.server, "s1", 204, 1).await;
    login_gives(&app.server, "unused", 0).await;
    api_key_client(&app.server, &app.store)
        .list_catalogs()
        .await
        .unwrap();
    app.next_act().await;

    // ...and logs in again once it is 14 minutes old (amoCRM ends sessions at 15).
    let mut session = app.store.api_session().await.unwrap().unwrap();
    session.logged_in_at = Utc::now() - TimeDelta::minutes(14);
    app.store.save_api_session(&session).await.unwrap();
    login_gives(&app.server, "s2", 1).await;
    catalogs_with_cookie(&app.server, "s1", 204, 0).await;
    catalogs_with_cookie(&app.server, "s2", 204, 1).await;
    api_key_client(&app.server, &app.store)
        .list_catalogs()
        .await
        .unwrap();
    let stored = app.store.api_session().await.unwrap().unwrap();
    assert_eq!(
        (stored.cookie.expose(), stored.logins),
        ("session_id=s2", 2)
    );
}

#[tokio::test]
async fn a_401_logs_in_again_exactly_once() {
    let app = spawn_app().await;
    login_gives(&app.server, "s1", 1).await;
    login_gives(&app.server, "s2", 1).await;
    login_gives(&app.server, "s3", 0).await;
    catalogs_with_cookie(&app.server, "s1", 401, 1).await;
    catalogs_with_cookie(&app.server, "s2", 204, 1).await;
    let client = api_key_client(&app.server, &app.store);
    client.list_catalogs().await.unwrap();
    app.next_act().await;

    login_gives(&app.server, "s3", 1).await;
    login_gives(&app.server, "s4", 0).await;
    catalogs_with_cookie(&app.server, "s2", 401, 1).await;
    catalogs_with_cookie(&app.server, "s3", 401, 1).await;
    let err = client.list_catalogs().await.unwrap_err().to_string();
    assert!(err.contains("401") && err.contains("auth.login"), "{err}");
}

#[tokio::test]
async fn a_wrong_api_key_says_which_settings_to_check_without_printing_the_key() {
    let app = spawn_app().await;
    Mock::given(method("POST"))
        .and(path("/private/api/auth.php"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"response": {
            "error": "Неверный логин или пароль api-key-must-not-leak", "error_code": "110"}})),
        )
        .expect(1)
        .mount(&app.server)
        .await;
    catalogs_with_cookie(&app.server, "any", 204, 0).await;
    let err = api_key_client(&app.server, &app.store)
        .list_catalogs()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("auth.api_key") && err.contains("110"), "{err}");
    assert!(!err.contains("api-key-must-not-leak"), "{err}");
}
