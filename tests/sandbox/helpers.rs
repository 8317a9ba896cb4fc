//! A sandbox plus a client that talks to it.

use catalog_sync::sandbox::{Account, Sandbox, SandboxField, SandboxOptions};
use reqwest::{Client, Method, Response};
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

    /// Any request with the long-lived token and an optional JSON body.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth("sandbox-token");
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("the sandbox answers")
    }

    /// A control API request (no token).
    pub async fn control(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("the sandbox answers")
    }
}

/// The body of an answer as JSON.
pub async fn json_of(r: Response) -> Value {
    r.json().await.expect("a JSON body")
}

/// A field of the catalog by name.
pub fn field(account: &Account, catalog_id: i64, name: &str) -> SandboxField {
    let fields = account.fields(catalog_id);
    let found = fields.into_iter().find(|f| f.name == name);
    found.unwrap_or_else(|| panic!("catalog {catalog_id} has no field {name}"))
}

/// The id of the option with this text of a select-like field.
pub fn option(field: &SandboxField, text: &str) -> i64 {
    let enums = field.enums.iter().flatten().map(|e| (e.id, &e.value));
    let nested = field.nested.iter().flatten().map(|n| (n.id, &n.value));
    let found = enums.chain(nested).find(|(_, v)| v.as_str() == text);
    found
        .unwrap_or_else(|| panic!("{} has no option {text}", field.name))
        .0
}
