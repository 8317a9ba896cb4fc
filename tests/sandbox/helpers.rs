//! A sandbox plus a client that talks to it.

use catalog_sync::sandbox::{Account, Sandbox, SandboxOptions};
use reqwest::{Client, Response};
use serde_json::Value;

/// The sandbox's default options without a rate limit, so that tests which are not about the
/// limit never trip it.
pub fn quiet() -> SandboxOptions {
    SandboxOptions {
        rate_limit_per_second: None,
        ..SandboxOptions::default()
    }
}

pub struct TestAccount {
    pub sandbox: Sandbox,
    pub account: Account,
    pub client: Client,
}

impl TestAccount {
    pub async fn start(options: SandboxOptions) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start(options).await.expect("the sandbox starts");
        let account = sandbox.account();
        let client = Client::builder().build().expect("a client builds");
        Self {
            sandbox,
            account,
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// `GET` with the long-lived token.
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth("sandbox-token")
            .send()
            .await
            .expect("the sandbox answers")
    }

    /// `POST /api/v2/catalogs` with the long-lived token.
    pub async fn post(&self, body: &Value) -> Response {
        self.try_post(body).await.expect("the sandbox answers")
    }

    pub async fn try_post(&self, body: &Value) -> reqwest::Result<Response> {
        self.client
            .post(self.url("/api/v2/catalogs"))
            .bearer_auth("sandbox-token")
            .json(body)
            .send()
            .await
    }
}
