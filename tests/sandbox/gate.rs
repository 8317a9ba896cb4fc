//! The gate on every `/api/` endpoint: API v2 switched off, v4 auth, faults by path, counters.

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn, SandboxOptions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::elements::PRODUCTS;
use crate::helpers::{TestAccount, json_of, quiet};

#[tokio::test]
async fn with_v2_gone_every_v2_request_answers_404_or_410_and_applies_nothing_while_v4_works() {
    let t = TestAccount::start(SandboxOptions {
        v2_gone: Some(404),
        ..quiet()
    })
    .await;
    t.account.seed_example_account();
    let r = t.post(&json!({"add": [{"name": "Новый"}]})).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text().await.unwrap().contains("404 Not Found"));
    let id = t.account.elements(PRODUCTS)[0]["id"].as_i64().unwrap();
    let delete = json!({"delete": [id]});
    assert_eq!(
        t.send(Method::POST, "/api/v2/catalog_elements", Some(&delete))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(t.account.element(id).is_some());
    assert_eq!(t.account.catalogs().len(), 3);
    assert_eq!(
        t.send(Method::GET, "/api/v4/catalogs", None).await.status(),
        StatusCode::OK
    );
    t.account.set_v2_gone(Some(410)).unwrap();
    let r = t.get("/api/v2/catalogs").await;
    assert_eq!(r.status(), StatusCode::GONE);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(json_of(r).await["status"], 410);
    assert!(t.account.set_v2_gone(Some(500)).is_err());
    t.account.set_v2_gone(None).unwrap();
    assert_eq!(t.get("/api/v2/catalogs").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_v4_request_without_a_valid_token_gets_the_captured_problem_json_401() {
    let t = TestAccount::start(quiet()).await;
    let r = t
        .client
        .get(t.url("/api/v4/catalogs"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let sample: Value = serde_json::from_str(include_str!(
        "../fixtures/amocrm/v4-problem-json-401-captured.json"
    ))
    .unwrap();
    assert_eq!(json_of(r).await, sample);
    let r = t
        .client
        .post(t.url("/api/v2/catalog_elements"))
        .json(&json!({"delete": [1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(t.account.counters().unauthorized, 2);
}

#[tokio::test]
async fn faults_fire_on_every_api_endpoint_and_a_path_narrows_them_to_one() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let other = t.account.add_catalog("Склад", "regular").unwrap();
    let unavailable = FaultAction::Status {
        code: 503,
        body: String::new(),
        content_type: None,
    };
    t.account.push_fault(
        Fault::once(FaultOn::Patch, unavailable.clone())
            .at(&format!("/api/v4/catalogs/{PRODUCTS}/elements")),
    );
    let id = t.account.elements(PRODUCTS)[0]["id"].as_i64().unwrap();
    let other_path = format!("/api/v4/catalogs/{other}/elements");
    assert_eq!(
        t.send(Method::PATCH, &other_path, Some(&json!([])))
            .await
            .status(),
        StatusCode::OK
    );
    let get = format!("/api/v4/catalogs/{PRODUCTS}/elements");
    assert_eq!(
        t.send(Method::GET, &get, None).await.status(),
        StatusCode::OK
    );
    let rename = json!([{"id": id, "name": "Сбой"}]);
    assert_eq!(
        t.send(Method::PATCH, &get, Some(&rename)).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_ne!(
        t.account.element(id).unwrap()["name"],
        "Сбой",
        "a status fault applies nothing"
    );
    assert!(t.account.pending_faults().is_empty());
    t.account.push_fault(Fault::once(FaultOn::Any, unavailable));
    assert_eq!(
        t.send(Method::GET, "/api/v4/catalogs", None).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    t.account
        .push_fault(Fault::once(FaultOn::Post, FaultAction::NoContent));
    let r = t
        .send(Method::POST, &get, Some(&json!([{"name": "Тихий"}])))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        t.account.elements(PRODUCTS).len(),
        13,
        "no_content applies the request"
    );
}

#[tokio::test]
async fn counters_count_each_endpoint_and_count_at_counts_by_method_and_prefix() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let elements = format!("/api/v4/catalogs/{PRODUCTS}/elements");
    t.send(Method::GET, "/api/v4/catalogs", None).await;
    t.send(
        Method::POST,
        "/api/v4/catalogs",
        Some(&json!([{"name": "A"}])),
    )
    .await;
    t.send(Method::PATCH, "/api/v4/catalogs", Some(&json!([])))
        .await;
    t.send(Method::GET, &format!("{elements}?page=1"), None)
        .await;
    t.send(Method::GET, &format!("{elements}?page=2"), None)
        .await;
    t.send(Method::POST, &elements, Some(&json!([{"name": "B"}])))
        .await;
    t.send(Method::PATCH, &elements, Some(&json!([]))).await;
    t.send(
        Method::GET,
        &format!("/api/v4/catalogs/{PRODUCTS}/custom_fields"),
        None,
    )
    .await;
    t.send(
        Method::POST,
        "/api/v2/catalog_elements",
        Some(&json!({"delete": [1]})),
    )
    .await;
    t.get("/api/v2/catalogs").await;
    let c = t.account.counters();
    assert_eq!(
        (c.v4_catalogs_get, c.v4_catalogs_post, c.v4_catalogs_patch),
        (1, 1, 1)
    );
    assert_eq!(
        (c.elements_get, c.elements_post, c.elements_patch),
        (2, 1, 1)
    );
    assert_eq!(
        (c.custom_fields_get, c.v2_element_deletes, c.total),
        (1, 1, 10)
    );
    assert_eq!((t.account.count("GET"), t.account.count("POST")), (1, 0));
    assert_eq!(t.account.count_at("GET", &elements), 2);
    assert_eq!(t.account.count_at("patch", "/api/v4/"), 2);
    let paths: Vec<String> = t
        .account
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(paths[3], format!("{elements}?page=1"));
}
