//! Catalogs over API v4, API v2 switched off, and the gate (auth, faults, counters) on the new
//! endpoints.

use catalog_sync::sandbox::{Fault, FaultAction, FaultOn, SandboxOptions, Validation400};
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
