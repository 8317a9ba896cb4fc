//! Shared by the integration tests: a fresh database and a wiremock account per test.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use catalog_sync::amocrm::{Client, ClientOptions, Credentials};
use catalog_sync::catalog::{ConflictPolicy, Mode};
use catalog_sync::secret::Secret;
use catalog_sync::store::Store;
use catalog_sync::sync::{RunReport, SyncOptions, Syncer};

pub const TOKEN: &str = "test-token-5f2a";

pub struct TestApp {
    pub server: MockServer,
    pub store: Store,
    pub options: SyncOptions,
    pub dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    catalog_sync::telemetry::init_for_tests();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("catalog-sync.db"))
        .await
        .unwrap();
    TestApp {
        server: MockServer::start().await,
        store,
        options: SyncOptions {
            mode: Mode::Both,
            policy: ConflictPolicy::LocalWins,
            batch_size: 50,
            max_deletes: 3,
            allow_deletes: false,
            ..SyncOptions::default()
        },
        dir,
    }
}

/// One item of a `GET /api/v2/catalogs` body, shaped like the captured live response.
pub fn item(id: i64, name: &str) -> Value {
    json!({
        "id": id, "name": name, "created_by": 9898394, "created_at": 1690790026, "sort": 10,
        "type": "regular", "can_add_elements": true, "can_show_in_cards": false,
        "can_link_multiple": true, "sdk_widget_code": null, "widgets": [],
        "_links": {"self": {"href": format!("/api/v2/catalogs?id={id}"), "method": "get"}}
    })
}

pub fn list(items: &[Value]) -> Value {
    json!({"_links": {"self": {"href": "/api/v2/catalogs", "method": "get"}}, "_embedded": {"items": items}})
}

impl TestApp {
    pub fn syncer(&self) -> Syncer {
        let client = Client::new(ClientOptions {
            base_url: self.server.uri().parse().unwrap(),
            credentials: Credentials::Token(Secret::new(TOKEN)),
            timeout: Duration::from_secs(5),
            requests_per_second: 7,
            max_retries: 2,
            backoff_base: Duration::from_millis(1),
            shared_pace: None,
            observer: None,
        })
        .unwrap();
        Syncer::new(self.store.clone(), client, self.options.clone())
    }

    pub async fn run(&self) -> RunReport {
        self.syncer().run_once("test").await.unwrap()
    }

    /// The account answers the GET with these catalogs, exactly `times` times.
    pub async fn account_has(&self, items: &[Value], times: u64) {
        Mock::given(method("GET"))
            .and(path("/api/v2/catalogs"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(list(items)))
            .expect(times)
            .mount(&self.server)
            .await;
    }

    /// The POST answers with `body`, exactly `times` times.
    pub async fn post_answers(&self, body: Value, times: u64) {
        Mock::given(method("POST"))
            .and(path("/api/v2/catalogs"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(times)
            .mount(&self.server)
            .await;
    }

    /// Checks the expectations so far and starts the next act with no mocks.
    pub async fn next_act(&self) {
        self.server.verify().await;
        self.server.reset().await;
    }

    /// The bodies of every POST received.
    pub async fn posts(&self) -> Vec<Value> {
        self.server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.method.as_str() == "POST")
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }

    /// SQL as a person would type it into `sqlite3`.
    pub async fn sql(&self, sql: &str) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(self.store.pool())
            .await
            .unwrap();
    }

    pub async fn query(&self, sql: &str) -> Vec<(Option<i64>, String)> {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.store.pool())
            .await
            .unwrap()
    }

    /// `(remote_id, name)` of every desired row, by id.
    pub async fn desired(&self) -> Vec<(Option<i64>, String)> {
        self.query("SELECT remote_id, name FROM desired_catalogs ORDER BY id")
            .await
    }
}

/// Runs the `catalog-sync` binary with `--config config` and `args`, and waits for it.
pub async fn catalog_sync(config: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_catalog-sync"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("CATALOG_SYNC_CONFIG")
        .output()
        .await
        .unwrap()
}

impl TestApp {
    /// A config file for this app's account (token auth) and database, plus `extra` TOML.
    pub fn token_config(&self, extra: &str) -> PathBuf {
        let path = self.dir.path().join("config.toml");
        let db = self.dir.path().join("catalog-sync.db");
        let text = format!(
            "[amocrm]\nbase_url = \"{}\"\n[auth]\ntoken = \"{TOKEN}\"\n[database]\npath = \"{}\"\n{extra}",
            self.server.uri(),
            db.display()
        );
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// A client for a wiremock account with the token `token`: 7 requests a second, 3 retries 1 ms
/// apart, no shared pace file.
pub fn client_for(server: &MockServer, token: &str) -> Client {
    Client::new(ClientOptions {
        base_url: server.uri().parse().unwrap(),
        credentials: Credentials::Token(Secret::new(token)),
        timeout: Duration::from_secs(5),
        requests_per_second: 7,
        max_retries: 3,
        backoff_base: Duration::from_millis(1),
        shared_pace: None,
        observer: None,
    })
    .unwrap()
}

/// A mock of `<verb> <at>` answering `answer`, expected exactly `times` times.
pub async fn expect_at(
    server: &MockServer,
    verb: &str,
    at: &str,
    answer: ResponseTemplate,
    times: u64,
) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(answer)
        .expect(times)
        .mount(server)
        .await;
}

/// The JSON bodies received for `<verb> <at>`, in order.
pub async fn bodies_at(server: &MockServer, verb: &str, at: &str) -> Vec<Value> {
    let requests = server.received_requests().await.unwrap();
    requests
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == at)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

impl TestApp {
    /// `<verb> <at>` answers `status` (with `body` as JSON, if any), exactly `times` times.
    pub async fn answer(&self, verb: &str, at: &str, status: u16, body: Option<Value>, times: u64) {
        let mut answer = ResponseTemplate::new(status);
        if let Some(body) = body {
            answer = answer.set_body_json(body);
        }
        expect_at(&self.server, verb, at, answer, times).await;
    }

    pub async fn bodies(&self, verb: &str, at: &str) -> Vec<Value> {
        bodies_at(&self.server, verb, at).await
    }
}
