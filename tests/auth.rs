//! Authentication: OAuth with refresh-token rotation against wiremock here; the legacy API key
//! and end-to-end runs against the sandbox in `tests/auth/`.

#[path = "auth/api_key.rs"]
mod api_key;
#[path = "auth/cli.rs"]
mod cli;
mod helpers;
#[path = "auth/metered.rs"]
mod metered;
#[path = "auth/sandbox.rs"]
mod sandbox;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use catalog_sync::amocrm::{
    ApiError, AuthClient, Client, ClientOptions, Credentials, OAuthApp, Pace,
};
use catalog_sync::auth::{OAuthSource, login_with_code};
use catalog_sync::secret::Secret;
use catalog_sync::store::{OAuthTokens, Store};
use catalog_sync::sync::Syncer;
use chrono::{TimeDelta, Utc};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use helpers::{TestApp, item, list, spawn_app};

const TOKEN_PATH: &str = "/oauth2/access_token";

pub fn oauth_app() -> OAuthApp {
    OAuthApp {
        client_id: "client-7".into(),
        client_secret: Secret::new("client-secret-must-not-leak"),
        redirect_uri: "https://example.com/cb".into(),
    }
}

pub fn endpoint(base_url: &str) -> AuthClient {
    AuthClient::new(
        &base_url.parse().unwrap(),
        Duration::from_secs(5),
        Pace::new(7, None),
    )
    .unwrap()
}

/// A client whose credentials come from `credentials`, without retries.
pub fn client_with(base_url: &str, credentials: Credentials) -> Client {
    Client::new(ClientOptions {
        base_url: base_url.parse().unwrap(),
        credentials,
        timeout: Duration::from_secs(5),
        requests_per_second: 7,
        max_retries: 0,
        backoff_base: Duration::from_millis(1),
        shared_pace: None,
        observer: None,
    })
    .unwrap()
}

/// A client as a fresh process would build it: OAuth tokens read from `store`.
fn oauth_client(app: &TestApp, store: &Store) -> Client {
    let uri = app.server.uri();
    let source = OAuthSource::new(store.clone(), endpoint(&uri), oauth_app());
    client_with(&uri, Credentials::Source(Arc::new(source)))
}

/// `auth login` happened: `access`/`refresh` stored, the access token expiring in `left`.
async fn stored_pair(store: &Store, access: &str, refresh: &str, left: TimeDelta) {
    let now = Utc::now();
    let tokens = OAuthTokens {
        access_token: Secret::new(access),
        refresh_token: Secret::new(refresh),
        expires_at: now + left,
        obtained_at: now,
        last_refresh_at: None,
        refreshes: 0,
    };
    store.save_oauth_tokens(&tokens).await.unwrap();
}

fn pair(access: &str, refresh: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "token_type": "Bearer", "expires_in": expires_in,
        "access_token": access, "refresh_token": refresh,
    }))
}

/// The token endpoint trades `refresh` (and nothing else) for `answer`, exactly `times` times.
async fn refresh_trades(app: &TestApp, refresh: &str, answer: impl Respond + 'static, times: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_partial_json(json!({
            "client_id": "client-7", "client_secret": "client-secret-must-not-leak",
            "grant_type": "refresh_token", "refresh_token": refresh,
            "redirect_uri": "https://example.com/cb",
        })))
        .respond_with(answer)
        .expect(times)
        .mount(&app.server)
        .await;
}

/// `GET /api/v2/catalogs` with `Bearer <access>` answers `answer`, exactly `times` times.
async fn catalogs_for(app: &TestApp, access: &str, answer: impl Respond + 'static, times: u64) {
    Mock::given(method("GET"))
        .and(path("/api/v2/catalogs"))
        .and(header("authorization", format!("Bearer {access}").as_str()))
        .respond_with(answer)
        .expect(times)
        .mount(&app.server)
        .await;
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(list(&[item(1, "Goods")]))
}

fn unauthorized() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(
        json!({"response": {"error": "Неверный логин или пароль", "error_code": "110"}}),
    )
}

#[tokio::test]
async fn a_code_exchange_stores_the_pair_in_a_database_only_its_owner_can_read() {
    let app = spawn_app().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_partial_json(json!({
            "client_id": "client-7", "client_secret": "client-secret-must-not-leak",
            "grant_type": "authorization_code", "code": "def502-code",
            "redirect_uri": "https://example.com/cb",
        })))
        .respond_with(pair("access-1", "refresh-1", 86400))
        .expect(1)
        .mount(&app.server)
        .await;
    let code = Secret::new("def502-code");
    let before = Utc::now();
    let endpoint = endpoint(&app.server.uri());
    login_with_code(&app.store, &endpoint, &oauth_app(), &code)
        .await
        .unwrap();

    let stored = app.store.oauth_tokens().await.unwrap().unwrap();
    assert_eq!(stored.access_token.expose(), "access-1");
    assert_eq!(stored.refresh_token.expose(), "refresh-1");
    let life = stored.expires_at - before;
    assert!(life >= TimeDelta::days(1) && life < TimeDelta::days(1) + TimeDelta::minutes(1));
    assert_eq!((stored.last_refresh_at, stored.refreshes), (None, 0));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let db = app.store.path();
        let mode = std::fs::metadata(db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", db.display());
    }
}

#[tokio::test]
async fn a_refused_code_says_how_to_get_a_new_one_without_printing_secrets() {
    let app = spawn_app().await;
    let refused = json!({"title": "Некорректный запрос", "type": "https://httpstatus.es/400",
        "status": 400, "detail": "Authorization code has expired", "hint": "def502-code"});
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(refused))
        .expect(1)
        .mount(&app.server)
        .await;
    let code = Secret::new("def502-code");
    let endpoint = endpoint(&app.server.uri());
    let err = login_with_code(&app.store, &endpoint, &oauth_app(), &code)
        .await
        .unwrap_err();
    let text = format!("{err:#} {err:?}");
    assert!(text.contains("Authorization code has expired"), "{text}");
    assert!(text.contains("auth login --code"), "{text}");
    assert!(
        !text.contains("def502-code") && !text.contains("client-secret"),
        "{text}"
    );
    assert_eq!(app.store.oauth_tokens().await.unwrap(), None);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_before_the_request_and_the_pair_replaced() {
    let app = spawn_app().await;
    stored_pair(&app.store, "access-1", "refresh-1", TimeDelta::minutes(-1)).await;
    refresh_trades(&app, "refresh-1", pair("access-2", "refresh-2", 86400), 1).await;
    catalogs_for(&app, "access-1", ok(), 0).await;
    catalogs_for(&app, "access-2", ok(), 1).await;

    let client = oauth_client(&app, &app.store);
    assert_eq!(client.list_catalogs().await.unwrap().len(), 1);

    let stored = app.store.oauth_tokens().await.unwrap().unwrap();
    assert_eq!(stored.access_token.expose(), "access-2");
    assert_eq!(stored.refresh_token.expose(), "refresh-2");
    assert_eq!(stored.refreshes, 1);
    assert!(stored.last_refresh_at.is_some());
    assert!(stored.expires_at > Utc::now() + TimeDelta::hours(23));
}

#[tokio::test]
async fn a_second_refresh_uses_the_rotated_refresh_token() {
    let app = spawn_app().await;
    stored_pair(&app.store, "access-1", "refresh-1", TimeDelta::zero()).await;
    // A 60-second token is inside the refresh margin, so the next request refreshes again.
    refresh_trades(&app, "refresh-1", pair("access-2", "refresh-2", 60), 1).await;
    refresh_trades(&app, "refresh-2", pair("access-3", "refresh-3", 86400), 1).await;
    catalogs_for(&app, "access-2", ok(), 1).await;
    catalogs_for(&app, "access-3", ok(), 2).await;

    let client = oauth_client(&app, &app.store);
    for _ in 0..3 {
        client.list_catalogs().await.unwrap();
    }
    let stored = app.store.oauth_tokens().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token.expose(), "refresh-3");
    assert_eq!(stored.refreshes, 2);
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once_and_a_second_401_says_what_to_do() {
    let app = spawn_app().await;
    stored_pair(&app.store, "access-1", "refresh-1", TimeDelta::days(1)).await;
    catalogs_for(&app, "access-1", unauthorized(), 1).await;
    refresh_trades(&app, "refresh-1", pair("access-2", "refresh-2", 86400), 1).await;
    catalogs_for(&app, "access-2", ok(), 1).await;
    let client = oauth_client(&app, &app.store);
    assert_eq!(client.list_catalogs().await.unwrap().len(), 1);
    app.next_act().await;

    // The integration was revoked: the refreshed token is refused too. One refresh, no loop.
    catalogs_for(&app, "access-2", unauthorized(), 1).await;
    refresh_trades(&app, "refresh-2", pair("access-3", "refresh-3", 86400), 1).await;
    catalogs_for(&app, "access-3", unauthorized(), 1).await;
    let err = client.list_catalogs().await.unwrap_err();
    assert!(matches!(err, ApiError::Credentials { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("401") && text.contains("auth login --code"),
        "{text}"
    );
    assert!(!text.contains("access-3"), "{text}");
}

#[tokio::test]
async fn concurrent_requests_with_an_expired_token_refresh_only_once() {
    let app = spawn_app().await;
    stored_pair(&app.store, "access-1", "refresh-1", TimeDelta::minutes(-5)).await;
    let slow = pair("access-2", "refresh-2", 86400).set_delay(Duration::from_millis(50));
    refresh_trades(&app, "refresh-1", slow, 1).await;
    catalogs_for(&app, "access-2", ok(), 3).await;
    let client = oauth_client(&app, &app.store);
    let (a, b, c) = tokio::join!(
        client.list_catalogs(),
        client.list_catalogs(),
        client.list_catalogs()
    );
    assert!(a.is_ok() && b.is_ok() && c.is_ok());
}

#[tokio::test]
async fn a_reused_refresh_token_fails_with_a_message_that_says_to_log_in_again() {
    let app = spawn_app().await;
    stored_pair(&app.store, "access-1", "refresh-1", TimeDelta::minutes(-1)).await;
    let revoked = json!({"title": "Некорректный запрос", "type": "https://httpstatus.es/400",
        "status": 400, "detail": "Token has been revoked", "hint": "refresh-1"});
    refresh_trades(
        &app,
        "refresh-1",
        ResponseTemplate::new(400).set_body_json(revoked),
        1,
    )
    .await;
    catalogs_for(&app, "access-1", ok(), 0).await;

    let err = oauth_client(&app, &app.store)
        .list_catalogs()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("refresh token expired or already used: run `catalog-sync auth login --code"),
        "{text}"
    );
    assert!(text.contains("Token has been revoked"), "{text}");
    assert!(
        !text.contains("refresh-1") && !text.contains("client-secret"),
        "{text}"
    );
}

/// Answers 500, after recording the OAuth pair the database holds at that moment.
struct SnapshotDb {
    db: std::path::PathBuf,
    seen: Arc<Mutex<Vec<Option<OAuthTokens>>>>,
}

impl Respond for SnapshotDb {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let db = self.db.clone();
        let stored = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async { Store::open(&db).await.unwrap().oauth_tokens().await })
        });
        self.seen
            .lock()
            .unwrap()
            .push(stored.join().unwrap().unwrap());
        // The process dies before this answer arrives: the run sees a dropped connection.
        ResponseTemplate::new(500)
    }
}

#[tokio::test]
async fn a_crash_right_after_the_token_endpoint_answers_loses_nothing() {
    let app = spawn_app().await;
    stored_pair(&app.store, "access-1", "refresh-1", TimeDelta::minutes(-1)).await;
    refresh_trades(&app, "refresh-1", pair("access-2", "refresh-2", 86400), 1).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let snapshot = SnapshotDb {
        db: app.store.path().to_owned(),
        seen: seen.clone(),
    };
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer access-2"))
        .respond_with(snapshot)
        .up_to_n_times(1)
        .expect(1)
        .mount(&app.server)
        .await;
    let first = Syncer::new(
        app.store.clone(),
        oauth_client(&app, &app.store),
        app.options.clone(),
    );
    let report = first.run_once("test").await.unwrap();
    assert!(report.error.is_some(), "the first run must not succeed");
    drop(first);

    // When the new access token first left the process, the new pair was already committed.
    let seen = seen.lock().unwrap().clone();
    let at_first_use = seen[0].as_ref().expect("tokens stored before first use");
    assert_eq!(at_first_use.access_token.expose(), "access-2");
    assert_eq!(at_first_use.refresh_token.expose(), "refresh-2");
    app.next_act().await;

    // The next run (a new process: a fresh store handle and client) works without a refresh.
    catalogs_for(&app, "access-2", ok(), 1).await;
    refresh_trades(&app, "refresh-1", pair("x", "y", 86400), 0).await;
    let store = Store::open(app.store.path()).await.unwrap();
    let next = Syncer::new(
        store.clone(),
        oauth_client(&app, &store),
        app.options.clone(),
    );
    let report = next.run_once("test").await.unwrap();
    assert_eq!(report.error, None);
    assert_eq!(report.counts.catalogs.pulled, 1);
}
