//! The sandbox over real HTTP: what a client of the amoCRM API would see. v2 catalog requests
//! are here; auth, limits, faults, the control API, elements, v4 and many accounts have their
//! own files under `tests/sandbox/`.

#[path = "sandbox/accounts.rs"]
mod accounts;
#[path = "sandbox/auth.rs"]
mod auth;
#[path = "sandbox/control.rs"]
mod control;
#[path = "sandbox/elements.rs"]
mod elements;
#[path = "sandbox/faults.rs"]
mod faults;
#[path = "sandbox/gate.rs"]
mod gate;
#[path = "sandbox/helpers.rs"]
mod helpers;
#[path = "sandbox/limits.rs"]
mod limits;
#[path = "sandbox/lists.rs"]
mod lists;
#[path = "sandbox/v2_elements.rs"]
mod v2_elements;
#[path = "sandbox/v4.rs"]
mod v4;
#[path = "sandbox/writes.rs"]
mod writes;

use catalog_sync::sandbox::SandboxOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};

use helpers::{TestAccount, quiet};

#[tokio::test]
async fn a_get_lists_every_catalog_in_the_shape_of_the_captured_sample() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let r = t
        .get("/api/v2/catalogs?limit_rows=500&limit_offset=0")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/hal+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["_links"]["self"]["method"], "get");
    let items = body["_embedded"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let products = &items[0];
    assert_eq!(products["name"], "Товары");
    assert_eq!(products["type"], "products");
    for key in ["id", "created_by", "created_at", "sort"] {
        assert!(
            products[key].is_i64(),
            "{key} should be a number: {products}"
        );
    }
    for key in ["can_add_elements", "can_show_in_cards", "can_link_multiple"] {
        assert!(products[key].is_boolean(), "{key}: {products}");
    }
    assert!(products["sdk_widget_code"].is_null());
    assert_eq!(products["widgets"], json!([]));
    let id = products["id"].as_i64().unwrap();
    let href = format!("/api/v2/catalogs?id={id}");
    assert_eq!(products["_links"]["self"]["href"], href.as_str());
}

#[tokio::test]
async fn an_empty_account_answers_204_with_an_empty_body() {
    let t = TestAccount::start(quiet()).await;
    let r = t.get("/api/v2/catalogs").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.text().await.unwrap(), "");
}

#[tokio::test]
async fn a_get_with_an_id_returns_that_catalog_alone_or_204_when_unknown() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let id = t.account.catalogs()[1].id;
    let body: Value = t
        .get(&format!("/api/v2/catalogs?id={id}"))
        .await
        .json()
        .await
        .unwrap();
    let items = body["_embedded"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], "Услуги");
    let r = t.get("/api/v2/catalogs?id=999999").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_mixed_post_applies_the_valid_items_and_reports_every_broken_rule_inside_a_200() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    t.account.add_catalog("Счета", "invoices").unwrap();
    t.account.set_max_catalogs(5);
    let ids: Vec<i64> = t.account.catalogs().iter().map(|c| c.id).collect();
    let (products, services, stores) = (ids[0], ids[1], ids[2]);
    let body = json!({
        "delete": [products, 999_999],
        "update": [{"id": services, "name": "Услуги и работы"}, {"id": 888_888, "name": "x"},
                   {"id": stores, "name": "   "}],
        "add": [{"name": "Новый", "request_id": 10}, {"name": ""},
                {"name": "Счета 2", "type": "invoices"}, {"name": "Сверх лимита"}],
    });
    let r = t.post(&body).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let errors = &body["_embedded"]["errors"];
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let sorted = |mut k: Vec<String>| {
        k.sort();
        k
    };
    assert_eq!(
        keys(&errors["delete"]),
        sorted(vec![products.to_string(), "999999".into()])
    );
    assert_eq!(
        keys(&errors["update"]),
        sorted(vec!["888888".into(), stores.to_string()])
    );
    assert_eq!(keys(&errors["add"]), ["1", "2", "3"]);
    assert!(errors["add"]["3"].as_str().unwrap().contains("maximum"));
    let items = body["_embedded"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{body}");
    assert_eq!(items[0]["id"], services);
    assert!(items[0]["updated_at"].is_i64());
    assert_eq!(items[1]["request_id"], 10);
    let names: Vec<String> = t.account.catalogs().into_iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        ["Товары", "Услуги и работы", "Склады", "Счета", "Новый"]
    );
}

#[tokio::test]
async fn a_post_that_only_succeeds_carries_no_errors_key() {
    let t = TestAccount::start(quiet()).await;
    let body: Value = t
        .post(&json!({"add":[{"name":"A"}]}))
        .await
        .json()
        .await
        .unwrap();
    assert!(body["_embedded"].get("errors").is_none(), "{body}");
    assert_eq!(body["_embedded"]["items"][0]["id"], 7001);
    assert_eq!(body["_links"]["self"]["method"], "post");
}

#[tokio::test]
async fn a_malformed_body_gets_400_with_the_v2_envelope() {
    let t = TestAccount::start(quiet()).await;
    let r = t
        .client
        .post(t.url("/api/v2/catalogs"))
        .bearer_auth("sandbox-token")
        .header("content-type", "application/json")
        .body("{\"add\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response"]["error_code"], "400");
    assert!(body["response"]["error"].is_string());
    assert!(body["response"]["server_time"].is_i64());
    assert!(t.account.catalogs().is_empty());
}

#[tokio::test]
async fn request_id_is_echoed_only_while_the_switch_is_on() {
    let t = TestAccount::start(quiet()).await;
    let add = json!({"add":[{"name":"A","request_id":1},{"name":"B","request_id":2}]});
    let body: Value = t.post(&add).await.json().await.unwrap();
    let items = &body["_embedded"]["items"];
    assert_eq!(
        (
            items[0]["request_id"].clone(),
            items[1]["request_id"].clone()
        ),
        (json!(1), json!(2))
    );
    t.account.set_echo_request_id(false);
    let body: Value = t.post(&add).await.json().await.unwrap();
    let items = body["_embedded"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().all(|i| i.get("request_id").is_none()),
        "{body}"
    );
}

#[tokio::test]
async fn numbers_as_strings_turns_every_number_into_a_string_but_keeps_booleans() {
    let t = TestAccount::start(SandboxOptions {
        numbers_as_strings: true,
        ..quiet()
    })
    .await;
    let body: Value = t
        .post(&json!({"add":[{"name":"A","request_id":4}]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["_embedded"]["items"][0]["id"], "7001");
    assert_eq!(body["_embedded"]["items"][0]["request_id"], "4");
    let body: Value = t.get("/api/v2/catalogs").await.json().await.unwrap();
    let item = &body["_embedded"]["items"][0];
    for key in ["id", "created_by", "created_at", "sort"] {
        assert!(item[key].is_string(), "{key}: {item}");
    }
    assert_eq!(item["can_add_elements"], true);
}

#[tokio::test]
async fn a_request_without_or_with_a_wrong_token_gets_the_401_envelope() {
    let t = TestAccount::start(quiet()).await;
    let bare = t
        .client
        .get(t.url("/api/v2/catalogs"))
        .send()
        .await
        .unwrap();
    let wrong = t
        .client
        .get(t.url("/api/v2/catalogs"))
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    for r in [bare, wrong] {
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["response"]["error_code"], "110");
        assert!(body["response"]["error"].is_string());
        assert!(body["response"]["domain"].is_string());
    }
}

#[tokio::test]
async fn starting_on_a_port_in_use_fails_with_a_message_naming_the_port() {
    let t = TestAccount::start(quiet()).await;
    let port = t.sandbox.port();
    let second = catalog_sync::sandbox::Sandbox::start(SandboxOptions { port, ..quiet() }).await;
    let message = format!("{:#}", second.expect_err("the port is taken"));
    assert!(message.contains(&port.to_string()), "{message}");
}
