//! Requests to the login endpoints are requests to the account like any other: a token refresh
//! in a run goes by the account's pace (the shared pace file) and is counted in
//! `catalog_sync_api_requests_total`, as the daemon wires a run (`startup::observed_syncer`);
//! `auth login` takes its turn in the pace file like any other process.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use catalog_sync::config::{AccountSettings, Settings};
use catalog_sync::metrics::Metrics;
use catalog_sync::startup;
use chrono::TimeDelta;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::helpers::{TestApp, catalog_sync, spawn_app};
use crate::{catalogs_for, ok, pair, refresh_trades, stored_pair};

/// `http.requests_per_second = 2`: 500 ms plus the 20 ms jitter margin.
const INTERVAL: Duration = Duration::from_millis(520);

/// `answer`, noting the path and the moment of each request in `log`.
struct Noted {
    answer: ResponseTemplate,
    log: Arc<Mutex<Vec<(String, Instant)>>>,
}

impl Respond for Noted {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let seen = (request.url.path().to_owned(), Instant::now());
        self.log.lock().unwrap().push(seen);
        self.answer.clone()
    }
}

/// A configuration file for an OAuth account on `app`'s server and database.
fn oauth_config(app: &TestApp) -> PathBuf {
    let config = app.dir.path().join("metered.toml");
    let secret = app.dir.path().join("client-secret");
    std::fs::write(&secret, "client-secret-must-not-leak\n").unwrap();
    let text = format!(
        "[amocrm]\nbase_url = \"{}\"\n[auth]\nmethod = \"oauth\"\nclient_id = \"client-7\"\n\
         client_secret_file = \"{}\"\nredirect_uri = \"https://example.com/cb\"\n\
         [database]\npath = \"{}\"\n[http]\nrequests_per_second = 2\nmax_retries = 0\n",
        app.server.uri(),
        secret.display(),
        app.dir.path().join("catalog-sync.db").display()
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// The account of [`oauth_config`], as the daemon reads it.
fn oauth_account(app: &TestApp) -> AccountSettings {
    let config = oauth_config(app);
    let settings = Settings::load_with_env(Some(&config), HashMap::new()).unwrap();
    settings.accounts[0].clone()
}

/// The time between the first two requests of `log`, which must be to `paths`.
fn gap(log: &Mutex<Vec<(String, Instant)>>, paths: [&str; 2]) -> Duration {
    let log = log.lock().unwrap().clone();
    let seen: Vec<&str> = log.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(seen, paths);
    log[1].1 - log[0].1
}

#[tokio::test]
async fn a_token_refresh_in_a_run_is_paced_with_the_account_and_counted_in_the_metrics() {
    let app = spawn_app().await;
    let log = Arc::new(Mutex::new(vec![]));
    let noted = |answer| Noted {
        answer,
        log: log.clone(),
    };
    stored_pair(
        &app.store,
        "old-access",
        "old-refresh",
        TimeDelta::minutes(1),
    )
    .await;
    refresh_trades(
        &app,
        "old-refresh",
        noted(pair("new-access", "new-refresh", 86400)),
        1,
    )
    .await;
    catalogs_for(&app, "new-access", noted(ok()), 1).await;
    let metrics = Metrics::new();
    let observer = Some(metrics.request_observer("default"));
    let account = oauth_account(&app);

    let syncer = startup::observed_syncer(&account, false, observer)
        .await
        .unwrap();
    let report = syncer.run_once("once").await.unwrap();
    syncer.store().close().await;

    assert_eq!(report.outcome.as_str(), "ok", "{:?}", report.error);
    let text = metrics.encode();
    for series in [
        r#"catalog_sync_api_requests_total{account="default",method="POST",status="200"} 1"#,
        r#"catalog_sync_api_requests_total{account="default",method="GET",status="200"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == series), "no {series} in:\n{text}");
    }
    let gap = gap(&log, ["/oauth2/access_token", "/api/v2/catalogs"]);
    assert!(
        gap + Duration::from_millis(5) >= INTERVAL,
        "the GET went {gap:?} after the refresh: the refresh bypassed the account's pace"
    );
}

#[tokio::test]
async fn auth_login_takes_its_turn_in_the_pace_shared_with_the_next_process() {
    let app = spawn_app().await;
    let log = Arc::new(Mutex::new(vec![]));
    let noted = |answer| Noted {
        answer,
        log: log.clone(),
    };
    Mock::given(method("POST"))
        .and(path("/oauth2/access_token"))
        .and(body_partial_json(
            json!({"grant_type": "authorization_code"}),
        ))
        .respond_with(noted(pair("new-access", "new-refresh", 86400)))
        .expect(1)
        .mount(&app.server)
        .await;
    catalogs_for(&app, "new-access", noted(ok()), 1).await;
    let config = oauth_config(&app);

    let login = catalog_sync(&config, &["auth", "login", "--code", "the-code"]).await;
    assert_eq!(login.status.code(), Some(0), "{login:?}");
    let once = catalog_sync(&config, &["--once"]).await;
    assert_eq!(once.status.code(), Some(0), "{once:?}");

    let gap = gap(&log, ["/oauth2/access_token", "/api/v2/catalogs"]);
    assert!(
        gap + Duration::from_millis(5) >= INTERVAL,
        "--once sent {gap:?} after auth login: the login bypassed the account's pace"
    );
}
