//! The request log and the control API, over HTTP.

use catalog_sync::sandbox::{LoggedRequest, SandboxCatalog, SandboxOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestAccount, quiet};

#[tokio::test]
async fn the_request_log_records_method_path_body_and_status_but_not_control_calls() {
    let t = TestAccount::start(quiet()).await;
    t.get("/api/v2/catalogs?id=5").await;
    t.post(&json!({"add": [{"name": "A"}]})).await;
    t.client
        .get(t.url("/api/v2/catalogs"))
        .send()
        .await
        .unwrap();
    t.client
        .get(t.url("/_sandbox/requests"))
        .send()
        .await
        .unwrap();
    let logged = t.account.requests();
    let summary: Vec<(&str, &str, u16)> = logged
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
        .collect();
    assert_eq!(
        summary,
        [
            ("GET", "/api/v2/catalogs?id=5", 204),
            ("POST", "/api/v2/catalogs", 200),
            ("GET", "/api/v2/catalogs", 401),
        ]
    );
    assert_eq!(logged[1].body, r#"{"add":[{"name":"A"}]}"#);
    assert_eq!((t.account.count("GET"), t.account.count("post")), (2, 1));
    assert_eq!(t.account.counters().unauthorized, 1);

    let over_http: Vec<LoggedRequest> = t
        .client
        .get(t.url("/_sandbox/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http, logged);
    t.account.clear_requests();
    assert!(t.account.requests().is_empty());
    assert_eq!(t.account.count("GET"), 0);
}

#[tokio::test]
async fn the_control_api_changes_catalogs_as_a_person_in_the_ui_would() {
    let t = TestAccount::start(quiet()).await;
    let r = t.client.post(t.url("/_sandbox/seed")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let added: Value = t
        .client
        .post(t.url("/_sandbox/catalogs"))
        .json(&json!({"name": "Мои юр. лица", "type": "suppliers"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = added["id"].as_i64().unwrap();
    let r = t
        .client
        .patch(t.url(&format!("/_sandbox/catalogs/{id}")))
        .json(&json!({"name": "Юрлица", "can_show_in_cards": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let catalogs: Vec<SandboxCatalog> = t
        .client
        .get(t.url("/_sandbox/catalogs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let changed = catalogs.iter().find(|c| c.id == id).unwrap();
    assert_eq!(
        (changed.name.as_str(), changed.kind.as_str()),
        ("Юрлица", "suppliers")
    );
    assert!(!changed.can_show_in_cards);

    let products = catalogs.iter().find(|c| c.kind == "products").unwrap().id;
    let refused = t
        .client
        .delete(t.url(&format!("/_sandbox/catalogs/{products}")));
    let refused = refused.send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].is_string());
    let deleted = t.client.delete(t.url(&format!("/_sandbox/catalogs/{id}")));
    assert_eq!(deleted.send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(t.account.catalogs().len(), 3);
}

#[tokio::test]
async fn settings_and_faults_sent_to_the_control_api_change_what_the_account_answers() {
    let t = TestAccount::start(SandboxOptions::default()).await;
    let settings: Value = t
        .client
        .post(t.url("/_sandbox/settings"))
        .json(
            &json!({"echo_request_id": false, "numbers_as_strings": true,
                      "rate_limit_per_second": null}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["rate_limit_per_second"], Value::Null);
    assert_eq!(settings["max_catalogs"], 10);
    let body: Value = t
        .post(&json!({"add": [{"name": "A", "request_id": 1}]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["_embedded"]["items"][0],
        json!({"id": "7001",
        "_links": {"self": {"href": "/api/v2/catalogs?id=7001", "method": "get"}}})
    );

    let fault = json!({"on": "get", "action": {"kind": "status", "code": 500}, "times": 1});
    let r = t
        .client
        .post(t.url("/_sandbox/faults"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        t.get("/api/v2/catalogs").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(t.get("/api/v2/catalogs").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_authorization_code_from_the_control_api_can_be_exchanged() {
    let t = TestAccount::start(quiet()).await;
    let code: Value = t
        .client
        .post(t.url("/_sandbox/oauth/code"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = t
        .client
        .post(t.url("/oauth2/access_token"))
        .json(&json!({
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
            "grant_type": "authorization_code",
            "code": code["code"],
            "redirect_uri": "https://example.com/oauth/callback",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn after_shutdown_the_port_no_longer_answers() {
    let t = TestAccount::start(quiet()).await;
    let url = t.url("/api/v2/catalogs");
    t.sandbox.shutdown().await;
    let fresh = reqwest::Client::new();
    assert!(fresh.get(url).send().await.is_err());
}
