//! The sandbox as the account and a fresh database: for tests of whole runs against an account
//! with state (crash points, concurrent edits, pacing).
#![allow(dead_code)]

use std::time::Duration;

use catalog_sync::amocrm::{Client, ClientOptions, Credentials};
use catalog_sync::catalog::{ConflictPolicy, Mode};
use catalog_sync::sandbox::{Account, Sandbox, SandboxOptions};
use catalog_sync::secret::Secret;
use catalog_sync::store::Store;
use catalog_sync::sync::{SyncOptions, Syncer};

pub struct World {
    pub sandbox: Sandbox,
    pub account: Account,
    pub store: Store,
    pub options: SyncOptions,
    pub requests_per_second: u32,
    pub dir: tempfile::TempDir,
}

impl World {
    /// The sandbox with its 7-per-second limit switched off (tests of pacing switch it on).
    pub async fn start() -> World {
        catalog_sync::telemetry::init_for_tests();
        let sandbox = Sandbox::start(SandboxOptions {
            port: 0,
            rate_limit_per_second: None,
            ..Default::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("catalog-sync.db"))
            .await
            .unwrap();
        World {
            account: sandbox.account(),
            sandbox,
            store,
            options: SyncOptions {
                mode: Mode::Both,
                policy: ConflictPolicy::LocalWins,
                batch_size: 50,
                max_deletes: 3,
                allow_deletes: false,
                ..SyncOptions::default()
            },
            requests_per_second: 7,
            dir,
        }
    }

    pub fn syncer(&self) -> Syncer {
        let client = Client::new(ClientOptions {
            base_url: self.sandbox.base_url().parse().unwrap(),
            credentials: Credentials::Token(Secret::new("sandbox-token")),
            timeout: Duration::from_secs(5),
            requests_per_second: self.requests_per_second,
            max_retries: 2,
            backoff_base: Duration::from_millis(1),
            shared_pace: None,
            observer: None,
        })
        .unwrap();
        Syncer::new(self.store.clone(), client, self.options.clone())
    }

    pub async fn sql(&self, sql: &str) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(self.store.pool())
            .await
            .unwrap();
    }

    pub async fn rows<T>(&self, sql: &str) -> Vec<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.store.pool())
            .await
            .unwrap()
    }

    /// The account's catalog names, sorted.
    pub fn remote_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .account
            .catalogs()
            .into_iter()
            .map(|c| c.name)
            .collect();
        names.sort();
        names
    }

    /// `(remote_id, name)` of every desired row, sorted by name.
    pub async fn desired(&self) -> Vec<(Option<i64>, String)> {
        self.rows("SELECT remote_id, name FROM desired_catalogs ORDER BY name")
            .await
    }

    /// `(id, name)` of every catalog in the account, sorted by name.
    pub fn remote(&self) -> Vec<(Option<i64>, String)> {
        let mut all: Vec<_> = self
            .account
            .catalogs()
            .into_iter()
            .map(|c| (Some(c.id), c.name))
            .collect();
        all.sort_by(|a, b| a.1.cmp(&b.1));
        all
    }
}
