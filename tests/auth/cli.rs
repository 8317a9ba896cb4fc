//! `catalog-sync auth login --code` and `auth status` through the binary.

use std::path::PathBuf;

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{TestApp, catalog_sync, spawn_app};

fn oauth_config(app: &TestApp) -> PathBuf {
    let config = app.dir.path().join("oauth.toml");
    let secret = app.dir.path().join("client-secret");
    std::fs::write(&secret, "client-secret-must-not-leak\n").unwrap();
    std::fs::write(
        &config,
        format!(
            "[amocrm]\nbase_url = \"{}\"\n[auth]\nmethod = \"oauth\"\nclient_id = \"client-7\"\n\
             client_secret_file = \"{}\"\nredirect_uri = \"https://example.com/cb\"\n\
             [database]\npath = \"{}\"\n",
            app.server.uri(),
            secret.display(),
            app.dir.path().join("cli.db").display()
        ),
    )
    .unwrap();
    config
}

#[tokio::test]
async fn auth_login_stores_the_tokens_and_auth_status_shows_their_expiry_but_no_secret() {
    let app = spawn_app().await;
    let config = oauth_config(&app);
    let before = catalog_sync(&config, &["auth", "status", "--json"]).await;
    assert_eq!(before.status.code(), Some(0), "{before:?}");
    let before: Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(
        (before["method"].as_str(), before["ready"].as_bool()),
        (Some("oauth"), Some(false))
    );

    Mock::given(method("POST"))
        .and(path("/oauth2/access_token"))
        .and(body_partial_json(
            json!({"grant_type": "authorization_code", "code": "the-code"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "Bearer", "expires_in": 86400,
            "access_token": "access-must-not-leak", "refresh_token": "refresh-must-not-leak"})))
        .expect(1)
        .mount(&app.server)
        .await;
    let login = catalog_sync(&config, &["auth", "login", "--code", "the-code"]).await;
    assert_eq!(login.status.code(), Some(0), "{login:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(app.dir.path().join("cli.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let text = catalog_sync(&config, &["auth", "status"]).await;
    let json = catalog_sync(&config, &["auth", "status", "--json"]).await;
    let status: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(status["method"], "oauth");
    assert_eq!(status["refreshes"], 0);
    let left = status["access_token_expires_in_seconds"].as_i64().unwrap();
    assert!((86_000..=86_400).contains(&left), "{status}");
    let printed = format!("{login:?}{text:?}{json:?}");
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("valid for 23 h"),
        "{text:?}"
    );
    for secret in ["must-not-leak", "the-code"] {
        assert!(!printed.contains(secret), "{printed}");
    }
}
