//! Catalogs over API v4, API v2 switched off, and the gate (auth, faults, counters) on the new
//! endpoints.

use catalog_sync::sandbox::{SandboxOptions, Validation400};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::elements::PRODUCTS;
use crate::helpers::{TestAccount, json_of, quiet};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn v4_catalogs_come_paged_in_the_shape_of_the_docs_sample() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let r = t.send(Method::GET, "/api/v4/catalogs?limit=2", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = json_of(r).await;
    let sample: Value = serde_json::from_str(include_str!(
        "../fixtures/amocrm/v4-catalogs-GET-list-docs-example.json"
    ))
    .unwrap();
    assert_eq!(keys(&body), keys(&sample));
    let catalogs = body["_embedded"]["catalogs"].as_array().unwrap();
    assert_eq!(catalogs.len(), 2);
    assert_eq!(
        keys(&catalogs[0]),
        keys(&sample["_embedded"]["catalogs"][0])
    );
    assert_eq!(
        (
            catalogs[0]["type"].clone(),
            catalogs[0]["can_be_deleted"].clone()
        ),
        (json!("products"), json!(false))
    );
    assert_eq!(catalogs[1]["can_be_deleted"], true);
    let next = body["_links"]["next"]["href"].as_str().unwrap();
    assert_eq!(
        next,
        format!("{}/api/v4/catalogs?page=2&limit=2", t.sandbox.base_url())
    );
    let last = json_of(
        t.client
            .get(next)
            .bearer_auth("sandbox-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(last["_embedded"]["catalogs"].as_array().unwrap().len(), 1);
    assert!(last["_links"].get("next").is_none());
    let one = json_of(
        t.send(Method::GET, &format!("/api/v4/catalogs/{PRODUCTS}"), None)
            .await,
    )
    .await;
    assert_eq!(&one, &catalogs[0]);
    assert_eq!(
        t.send(Method::GET, "/api/v4/catalogs/1", None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_account_without_catalogs_lists_none_over_v4_with_204() {
    let t = TestAccount::start(quiet()).await;
    let r = t.send(Method::GET, "/api/v4/catalogs", None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.text().await.unwrap(), "");
}

#[tokio::test]
async fn a_v4_post_adds_catalogs_with_their_sort_and_echoes_request_ids_as_text() {
    let t = TestAccount::start(quiet()).await;
    let body = json!([{"name": "Услуги", "sort": 30, "request_id": 11}, {"name": "Счета", "type": "invoices", "request_id": "inv"}]);
    let r = t.send(Method::POST, "/api/v4/catalogs", Some(&body)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = json_of(r).await;
    let added = body["_embedded"]["catalogs"].as_array().unwrap();
    assert_eq!(
        (
            added[0]["request_id"].clone(),
            added[1]["request_id"].clone()
        ),
        (json!("11"), json!("inv"))
    );
    assert_eq!(
        (added[0]["sort"].clone(), added[1]["type"].clone()),
        (json!(30), json!("invoices"))
    );
    assert_eq!(added[1]["can_add_elements"], false);
    let sample: Value = serde_json::from_str(include_str!(
        "../fixtures/amocrm/v4-catalogs-POST-add-response-docs-example.json"
    ))
    .unwrap();
    let mut want = keys(&sample["_embedded"]["catalogs"][0]);
    want.push("sdk_widget_code".into());
    want.sort();
    assert_eq!(keys(&added[0]), want);
    assert_eq!(t.account.catalogs().len(), 2);
}

#[tokio::test]
async fn a_v4_patch_changes_sort_and_name_and_moves_updated_at() {
    let t = TestAccount::start(quiet()).await;
    let id = t.account.add_catalog("Услуги", "regular").unwrap();
    let before = t.account.catalogs()[0].clone();
    let body = json!([{"id": id, "sort": 5, "request_id": "x"}]);
    let r = t.send(Method::PATCH, "/api/v4/catalogs", Some(&body)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let item = json_of(r).await["_embedded"]["catalogs"][0].clone();
    assert_eq!(
        (
            item["sort"].clone(),
            item["name"].clone(),
            item["request_id"].clone()
        ),
        (json!(5), json!("Услуги"), json!("x"))
    );
    let after = t.account.catalogs()[0].clone();
    assert!(after.updated_at > before.updated_at);
    assert_eq!(after.created_at, before.created_at);
    let rename = json!([{"id": id, "name": "Работы"}]);
    let item = json_of(
        t.send(Method::PATCH, "/api/v4/catalogs", Some(&rename))
            .await,
    )
    .await;
    assert!(item["_embedded"]["catalogs"][0].get("request_id").is_none());
    assert_eq!(t.account.catalogs()[0].name, "Работы");
}

#[tokio::test]
async fn a_refused_v4_catalog_item_gives_a_400_by_request_id_in_both_modes() {
    for (mode, kept) in [
        (Validation400::RejectsAll, 0),
        (Validation400::AppliesValid, 1),
    ] {
        let t = TestAccount::start(quiet()).await;
        t.account.set_validation_400(mode);
        let body = json!([{"name": "Ок", "request_id": "ok"}, {"name": "Товары", "type": "products", "request_id": "p"}, {"request_id": 7}]);
        let r = t.send(Method::POST, "/api/v4/catalogs", Some(&body)).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let errors = json_of(r).await["validation-errors"].clone();
        let got: Vec<(Value, Value)> = errors
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["request_id"].clone(), e["errors"][0]["path"].clone()))
            .collect();
        assert_eq!(
            got,
            [(json!("p"), json!("type")), (json!("7"), json!("name"))]
        );
        assert_eq!(t.account.catalogs().len(), kept, "{mode:?}");
    }
    let t = TestAccount::start(SandboxOptions {
        max_catalogs: 1,
        ..quiet()
    })
    .await;
    t.account.add_catalog("A", "regular").unwrap();
    let r = t
        .send(
            Method::POST,
            "/api/v4/catalogs",
            Some(&json!([{"name": "B"}])),
        )
        .await;
    let body = json_of(r).await;
    assert_eq!(
        body["validation-errors"][0]["errors"][0]["code"],
        "LimitReached"
    );
    let patch = json!([{"id": 1, "name": "x"}]);
    let body = json_of(
        t.send(Method::PATCH, "/api/v4/catalogs", Some(&patch))
            .await,
    )
    .await;
    assert_eq!(body["validation-errors"][0]["errors"][0]["path"], "id");
}

#[tokio::test]
async fn v4_catalogs_have_no_delete() {
    let t = TestAccount::start(quiet()).await;
    let id = t.account.add_catalog("A", "regular").unwrap();
    for path in [
        "/api/v4/catalogs".to_string(),
        format!("/api/v4/catalogs/{id}"),
    ] {
        let r = t.send(Method::DELETE, &path, None).await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
    assert_eq!(t.account.catalogs().len(), 1);
}
