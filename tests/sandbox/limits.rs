//! The rate limit and the block, over HTTP.

use catalog_sync::sandbox::SandboxOptions;
use reqwest::StatusCode;

use crate::helpers::TestAccount;

#[tokio::test]
async fn a_burst_of_eight_requests_gets_at_least_one_429_that_is_not_json() {
    let t = TestAccount::start(SandboxOptions::default()).await;
    let mut limited = Vec::new();
    for _ in 0..8 {
        let r = t.get("/api/v2/catalogs").await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            limited.push(r);
        }
    }
    assert!(!limited.is_empty(), "no 429 in a burst of 8");
    let r = limited.remove(0);
    assert!(r.headers().get("retry-after").is_none());
    let body = r.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&body).is_err(),
        "{body}"
    );
    assert!(t.account.counters().rate_limited >= 1);
}

#[tokio::test]
async fn repeated_overruns_block_with_a_403_html_page_until_unblocked() {
    let t = TestAccount::start(SandboxOptions {
        rate_limit_per_second: Some(1),
        block_after_overruns: 2,
        ..SandboxOptions::default()
    })
    .await;
    let statuses = [
        t.get("/api/v2/catalogs").await.status(),
        t.get("/api/v2/catalogs").await.status(),
        t.get("/api/v2/catalogs").await.status(),
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::NO_CONTENT,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert!(t.account.is_blocked());
    let r = t.get("/api/v2/catalogs").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<title>403 Forbidden</title>") && page.contains("nginx"),
        "{page}"
    );
    let oauth = t
        .client
        .post(t.url("/oauth2/access_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        oauth.status(),
        StatusCode::FORBIDDEN,
        "the block covers every account endpoint"
    );

    let control = t
        .client
        .get(t.url("/_sandbox/catalogs"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        control.status(),
        StatusCode::OK,
        "control endpoints are exempt"
    );
    t.client
        .post(t.url("/_sandbox/unblock"))
        .send()
        .await
        .unwrap();
    assert!(!t.account.is_blocked());
    assert_eq!(
        t.get("/api/v2/catalogs").await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn turning_the_rate_limit_off_at_run_time_lets_a_burst_through() {
    let t = TestAccount::start(SandboxOptions {
        rate_limit_per_second: Some(1),
        ..SandboxOptions::default()
    })
    .await;
    t.account.set_rate_limit(None);
    for _ in 0..10 {
        assert_eq!(
            t.get("/api/v2/catalogs").await.status(),
            StatusCode::NO_CONTENT
        );
    }
}
