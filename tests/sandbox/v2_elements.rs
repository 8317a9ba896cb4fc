//! `POST /api/v2/catalog_elements` (deletes) and what a catalog delete takes with it.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::elements::PRODUCTS;
use crate::helpers::{TestAccount, json_of, quiet};

async fn seeded() -> TestAccount {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    t
}

#[tokio::test]
async fn v2_catalog_elements_deletes_across_catalogs_and_reports_unknown_ids_inside_a_200() {
    let t = seeded().await;
    let other = t.account.add_catalog("Склад", "regular").unwrap();
    let there = t.account.add_element(other, "Стеллаж").unwrap();
    let here = t.account.elements(PRODUCTS)[0]["id"].as_i64().unwrap();
    let body = json!({"delete": [here, there.to_string(), 42, "abc"]});
    let r = t
        .send(Method::POST, "/api/v2/catalog_elements", Some(&body))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = json_of(r).await;
    assert_eq!(
        body["_links"]["self"],
        json!({"href": "/api/v2/catalog_elements", "method": "post"})
    );
    assert_eq!(body["_embedded"]["items"], json!([]));
    let mut failed: Vec<String> = body["_embedded"]["errors"]["delete"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    failed.sort();
    assert_eq!(failed, ["42", "abc"]);
    assert!(t.account.element(here).is_none() && t.account.element(there).is_none());
    assert_eq!(t.account.elements(PRODUCTS).len(), 11);
    let clean = json_of(
        t.send(
            Method::POST,
            "/api/v2/catalog_elements",
            Some(&json!({"delete": []})),
        )
        .await,
    )
    .await;
    assert!(clean["_embedded"].get("errors").is_none(), "{clean}");
    assert_eq!(t.account.counters().v2_element_deletes, 2);
}

#[tokio::test]
async fn v2_element_adds_and_updates_are_refused_with_the_v2_envelope() {
    let t = seeded().await;
    let body = json!({"add": [{"catalog_id": PRODUCTS, "name": "x"}]});
    let r = t
        .send(Method::POST, "/api/v2/catalog_elements", Some(&body))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = json_of(r).await;
    assert_eq!(body["response"]["error_code"], "400");
    assert!(
        body["response"]["error"]
            .as_str()
            .unwrap()
            .contains("not supported")
    );
    assert_eq!(t.account.elements(PRODUCTS).len(), 12);
}

#[tokio::test]
async fn deleting_a_catalog_takes_its_fields_and_elements_with_it() {
    let t = seeded().await;
    let id = t.account.add_catalog("Склад", "regular").unwrap();
    t.account.seed_elements(id, 3).unwrap();
    assert_eq!(t.account.fields(id).len(), 4);
    let r = t.post(&json!({"delete": [id]})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(t.account.fields(id).is_empty() && t.account.elements(id).is_empty());
    assert_eq!(
        t.get(&format!("/api/v4/catalogs/{id}/elements"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let ui = t.account.add_catalog("Склад 2", "regular").unwrap();
    t.account.seed_elements(ui, 2).unwrap();
    t.account.delete_catalog(ui).unwrap();
    assert!(t.account.fields(ui).is_empty() && t.account.elements(ui).is_empty());
}
