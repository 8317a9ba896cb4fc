//! Every method end to end against the sandbox account, whose tokens expire and whose refresh
//! tokens work once, as amoCRM's do.

use std::sync::Arc;

use catalog_sync::amocrm::{Credentials, Grant};
use catalog_sync::auth::{ApiKeySource, OAuthSource, login_with_code};
use catalog_sync::sandbox::{Sandbox, SandboxOptions};
use catalog_sync::secret::Secret;
use catalog_sync::store::Store;

use crate::{client_with, endpoint};

async fn sandbox() -> (Sandbox, Store, tempfile::TempDir) {
    catalog_sync::telemetry::init_for_tests();
    let options = SandboxOptions {
        rate_limit_per_second: None,
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start(options).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).await.unwrap();
    (sandbox, store, dir)
}

fn sandbox_app() -> catalog_sync::amocrm::OAuthApp {
    let o = SandboxOptions::default();
    catalog_sync::amocrm::OAuthApp {
        client_id: o.oauth_client_id,
        client_secret: Secret::new(o.oauth_client_secret),
        redirect_uri: o.oauth_redirect_uri,
    }
}

async fn logged_in(sandbox: &Sandbox, store: &Store) -> catalog_sync::amocrm::Client {
    let code = Secret::new(sandbox.account().issue_authorization_code());
    let endpoint = endpoint(&sandbox.base_url());
    login_with_code(store, &endpoint, &sandbox_app(), &code)
        .await
        .unwrap();
    let source = OAuthSource::new(store.clone(), endpoint, sandbox_app());
    client_with(&sandbox.base_url(), Credentials::Source(Arc::new(source)))
}

#[tokio::test]
async fn oauth_survives_expired_access_tokens_by_refreshing_on_401() {
    let (sandbox, store, _dir) = sandbox().await;
    let client = logged_in(&sandbox, &store).await;
    client.list_catalogs().await.unwrap();
    for round in 1..=2 {
        sandbox.account().expire_access_tokens();
        client.list_catalogs().await.unwrap();
        let stored = store.oauth_tokens().await.unwrap().unwrap();
        assert_eq!(stored.refreshes, round);
    }
    let token_requests = sandbox
        .account()
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth2/access_token" && r.status == 200)
        .count();
    assert_eq!(token_requests, 3, "one code exchange, two refreshes");
}

#[tokio::test]
async fn a_refresh_token_used_elsewhere_stops_with_the_login_instruction() {
    let (sandbox, store, _dir) = sandbox().await;
    let client = logged_in(&sandbox, &store).await;
    // Someone spends the stored refresh token (a restored backup, a copied database).
    let stored = store.oauth_tokens().await.unwrap().unwrap();
    let endpoint = endpoint(&sandbox.base_url());
    let grant = Grant::Refresh(&stored.refresh_token);
    endpoint.oauth_token(&sandbox_app(), grant).await.unwrap();
    sandbox.account().expire_access_tokens();
    let err = client.list_catalogs().await.unwrap_err().to_string();
    assert!(
        err.contains("refresh token expired or already used: run `catalog-sync auth login --code"),
        "{err}"
    );
    assert!(err.contains("revoked"), "{err}");
}

#[tokio::test]
async fn the_api_key_logs_in_again_when_the_session_expires() {
    let (sandbox, store, _dir) = sandbox().await;
    let o = SandboxOptions::default();
    let endpoint = endpoint(&sandbox.base_url());
    let source = ApiKeySource::new(
        store.clone(),
        endpoint,
        &o.api_login,
        Secret::new(o.api_key),
    );
    let client = client_with(&sandbox.base_url(), Credentials::Source(Arc::new(source)));
    client.list_catalogs().await.unwrap();
    client.list_catalogs().await.unwrap();
    sandbox.account().expire_sessions();
    client.list_catalogs().await.unwrap();
    let logins = sandbox
        .account()
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/private/api/auth.php"))
        .count();
    assert_eq!(logins, 2);
    assert_eq!(store.api_session().await.unwrap().unwrap().logins, 2);
}
