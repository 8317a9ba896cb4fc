//! Many accounts on one listener, each under `/accounts/{i}`, and the bulk seed.

use std::time::Instant;

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn, Sandbox, SandboxOptions};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::quiet;

struct Many {
    sandbox: Sandbox,
    client: Client,
}

impl Many {
    async fn start(options: SandboxOptions, n: usize) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start_accounts(options, n)
            .await
            .expect("the sandbox starts");
        Self {
            sandbox,
            client: Client::new(),
        }
    }

    async fn get(&self, i: usize, path: &str) -> reqwest::Response {
        let url = format!("{}{path}", self.sandbox.base_url_of(i));
        self.client
            .get(url)
            .bearer_auth("sandbox-token")
            .send()
            .await
            .unwrap()
    }

    async fn post(&self, i: usize, path: &str, body: &Value) -> reqwest::Response {
        let url = format!("{}{path}", self.sandbox.base_url_of(i));
        let request = self
            .client
            .post(url)
            .bearer_auth("sandbox-token")
            .json(body);
        request.send().await.unwrap()
    }
}

#[tokio::test]
async fn three_accounts_keep_their_own_state_faults_blocks_and_logs() {
    let m = Many::start(quiet(), 3).await;
    let port = m.sandbox.port();
    assert_eq!(
        m.sandbox.base_url_of(2),
        format!("http://127.0.0.1:{port}/accounts/2")
    );
    let r = m
        .post(
            1,
            "/api/v2/catalogs",
            &json!({"add": [{"name": "Только в первом"}]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        m.get(2, "/api/v2/catalogs").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(m.sandbox.account_at(1).catalogs().len(), 1);

    let failing = FaultAction::Status {
        code: 502,
        body: String::new(),
        content_type: None,
    };
    m.sandbox
        .account_at(2)
        .push_fault(Fault::once(FaultOn::Any, failing));
    assert_eq!(m.get(1, "/api/v2/catalogs").await.status(), StatusCode::OK);
    assert_eq!(
        m.get(3, "/api/v2/catalogs").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        m.get(2, "/api/v2/catalogs").await.status(),
        StatusCode::BAD_GATEWAY
    );

    let third = m.sandbox.account_at(3);
    third.set_rate_limit(Some(1));
    third.set_block_policy(1, 300);
    m.get(3, "/api/v2/catalogs").await;
    m.get(3, "/api/v2/catalogs").await;
    assert!(third.is_blocked());
    assert_eq!(
        m.get(3, "/api/v4/catalogs").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(m.get(1, "/api/v4/catalogs").await.status(), StatusCode::OK);
    assert_eq!(
        m.get(2, "/api/v2/catalogs").await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(!m.sandbox.account_at(1).is_blocked());

    let logged = |i: usize| m.sandbox.account_at(i).requests().len();
    assert_eq!((logged(1), logged(2), logged(3)), (3, 3, 4));
    let paths: Vec<String> = m
        .sandbox
        .account_at(1)
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(
        paths[0], "/api/v2/catalogs",
        "the log holds the account's own paths"
    );
}

#[tokio::test]
async fn the_control_api_and_links_stay_inside_their_account_and_unknown_accounts_are_404() {
    let m = Many::start(quiet(), 3).await;
    let control = format!("{}/_sandbox/seed", m.sandbox.base_url_of(2));
    assert_eq!(
        m.client.post(control).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert!(m.sandbox.account_at(1).catalogs().is_empty());
    let body: Value = m
        .get(2, "/api/v4/catalogs/7001/elements?limit=5")
        .await
        .json()
        .await
        .unwrap();
    let next = body["_links"]["next"]["href"].as_str().unwrap();
    assert!(next.starts_with(&m.sandbox.base_url_of(2)), "{next}");
    let page: Value = m
        .client
        .get(next)
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["_page"], 2);
    assert_eq!(
        body["_embedded"]["elements"][0]["account_id"],
        m.sandbox.account_at(2).account_id()
    );
    let root = format!("http://127.0.0.1:{}", m.sandbox.port());
    for path in [
        "/accounts/4/api/v2/catalogs",
        "/accounts/0/api/v2/catalogs",
        "/api/v2/catalogs",
    ] {
        let r = m
            .client
            .get(format!("{root}{path}"))
            .bearer_auth("sandbox-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let unknown = m.get(1, "/api/v2/nothing").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["response"]["error_code"], "404");
}

#[tokio::test]
async fn a_thousand_accounts_start_and_each_answers_under_its_index() {
    let m = Many::start(quiet(), 1000).await;
    assert_eq!(m.sandbox.account_count(), 1000);
    m.sandbox.account_at(1000).seed_example_account();
    let body: Value = m.get(1000, "/api/v2/catalogs").await.json().await.unwrap();
    assert_eq!(body["_embedded"]["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        m.get(999, "/api/v2/catalogs").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(m.sandbox.account_at(999).requests().len(), 1);
    assert_eq!(m.sandbox.account_at(1).requests().len(), 0);
}

#[tokio::test]
async fn the_bulk_seed_makes_ten_thousand_elements_in_well_under_a_second_that_page_out_in_forty_pages()
 {
    let m = Many::start(quiet(), 1).await;
    let account = m.sandbox.account();
    let id = account.add_catalog("Склад", "regular").unwrap();
    let started = Instant::now();
    let ids = account.seed_elements(id, 10_000).unwrap();
    assert!(
        started.elapsed().as_millis() < 1000,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ids.len(), 10_000);
    let path = format!("/api/v4/catalogs/{id}/elements?limit=250&page=40");
    let body: Value = m.get(1, &path).await.json().await.unwrap();
    let page = body["_embedded"]["elements"].as_array().unwrap();
    assert_eq!(page.len(), 250);
    assert_eq!(page[249]["id"], *ids.last().unwrap());
    assert_eq!(page[0]["custom_fields_values"].as_array().unwrap().len(), 4);
    assert!(body["_links"].get("next").is_none());
    let past = format!("/api/v4/catalogs/{id}/elements?limit=250&page=41");
    assert_eq!(m.get(1, &past).await.status(), StatusCode::NO_CONTENT);
    let bulk = format!(
        "{}/_sandbox/catalogs/{id}/elements/bulk",
        m.sandbox.base_url()
    );
    let r: Value = m
        .client
        .post(bulk)
        .json(&json!({"n": 5}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["count"], 5);
    assert_eq!(r["first_id"], ids.last().unwrap() + 1);
}
