//! Fields and elements changed "in the UI": the `Account` methods and the control API.

use catalog_sync::sandbox::{NewField, SandboxField, Validation400};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::elements::PRODUCTS;
use crate::helpers::{TestAccount, field, json_of, quiet};

#[tokio::test]
async fn ui_edits_are_made_by_the_sandbox_user_and_each_one_moves_updated_at() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let price = field(&t.account, PRODUCTS, "Цена");
    let id = t.account.add_element(PRODUCTS, "Рулетка 5 м").unwrap();
    let stamp = |t: &TestAccount| {
        t.account.element(id).unwrap()["updated_at"]
            .as_i64()
            .unwrap()
    };
    let mut last = stamp(&t);
    let edits: [&dyn Fn() -> Result<(), String>; 4] = [
        &|| t.account.set_element_value(id, price.id, json!("349.90")),
        &|| t.account.rename_element(id, "Рулетка 5 м Stayer"),
        &|| t.account.set_element_value(id, price.id, json!(399)),
        &|| t.account.clear_element_value(id, price.id),
    ];
    for edit in edits {
        edit().unwrap();
        let now = stamp(&t);
        assert!(now > last, "updated_at must move on every edit");
        last = now;
    }
    let e = t.account.element(id).unwrap();
    assert_eq!(
        (e["created_by"].clone(), e["updated_by"].clone()),
        (json!(504_141), json!(504_141))
    );
    assert_eq!(e["name"], "Рулетка 5 м Stayer");
    assert!(e["custom_fields_values"].is_null());
    let api = json_of(
        t.get(&format!(
            "/api/v4/catalogs/{PRODUCTS}/elements?filter[id]={id}"
        ))
        .await,
    )
    .await;
    assert_eq!(api["_embedded"]["elements"][0], e);
    assert!(
        t.account
            .set_element_value(id, price.id, json!("бесплатно"))
            .is_err()
    );
    assert!(t.account.set_element_value(id, 1, json!("x")).is_err());
    t.account.delete_element(id).unwrap();
    assert!(t.account.element(id).is_none());
    assert!(t.account.delete_element(id).is_err());
    assert!(t.account.add_element(999, "x").is_err());
}

#[tokio::test]
async fn the_control_api_adds_fields_with_enums_or_nested_options_and_lists_them() {
    let t = TestAccount::start(quiet()).await;
    let id = t.account.add_catalog("Услуги", "regular").unwrap();
    let fields = format!("/_sandbox/catalogs/{id}/fields");
    let size = json!({"name": "Размер", "type": "radiobutton", "enums": ["S", {"value": "M", "code": "MEDIUM"}]});
    let r = t.control(Method::POST, &fields, Some(&size)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let size_id = json_of(r).await["id"].as_i64().unwrap();
    let tree = json!({"name": "Раздел", "type": "category", "code": "GROUP",
                      "nested": ["Ремонт", {"value": "Сантехника", "parent": "Ремонт"}]});
    assert_eq!(
        t.control(Method::POST, &fields, Some(&tree)).await.status(),
        StatusCode::OK
    );
    let listed: Vec<SandboxField> = t
        .control(Method::GET, &fields, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, t.account.fields(id));
    assert_eq!(listed[0].id, size_id);
    assert_eq!(
        listed[0].enums.as_ref().unwrap()[1].code.as_deref(),
        Some("MEDIUM")
    );
    let nested = listed[1].nested.clone().unwrap();
    assert_eq!(nested[1].parent_id, Some(nested[0].id));
    let bad = json!({"name": "X", "type": "colour"});
    let r = t.control(Method::POST, &fields, Some(&bad)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(r).await["error"]
            .as_str()
            .unwrap()
            .contains("colour")
    );
    let api = json_of(t.get(&format!("/api/v4/catalogs/{id}/custom_fields")).await).await;
    assert_eq!(
        api["_embedded"]["custom_fields"][0]["enums"][1]["code"],
        "MEDIUM"
    );
    let write = json!([{"name": "Стрижка", "custom_fields_values": [{"field_id": size_id, "values": [{"enum_code": "MEDIUM"}]}]}]);
    let added = json_of(
        t.send(
            Method::POST,
            &format!("/api/v4/catalogs/{id}/elements"),
            Some(&write),
        )
        .await,
    )
    .await;
    let value = &added["_embedded"]["elements"][0]["custom_fields_values"][0]["values"][0];
    assert_eq!(
        (value["value"].clone(), value["enum_code"].clone()),
        (json!("M"), json!("MEDIUM"))
    );
    assert!(
        t.account
            .add_field(999, NewField::new("X", "text"))
            .is_err()
    );
}

#[tokio::test]
async fn the_control_api_adds_renames_sets_values_of_and_deletes_elements() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let colour = field(&t.account, PRODUCTS, "Цвет");
    let base = format!("/_sandbox/catalogs/{PRODUCTS}/elements");
    let added = t
        .control(Method::POST, &base, Some(&json!({"name": "Фонарик"})))
        .await;
    let id = json_of(added).await["id"].as_i64().unwrap();
    let value = format!("/_sandbox/elements/{id}/values/{}", colour.id);
    let r = t
        .control(Method::PUT, &value, Some(&json!(["Чёрный", "Красный"])))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let element = json_of(r).await;
    let texts: Vec<Value> = element["custom_fields_values"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].clone())
        .collect();
    assert_eq!(texts, [json!("Чёрный"), json!("Красный")]);
    let r = t
        .control(Method::PUT, &value, Some(&json!("Фиолетовый")))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = t
        .control(
            Method::PATCH,
            &format!("/_sandbox/elements/{id}"),
            Some(&json!({"name": "Фонарь"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let listed: Vec<Value> = t
        .control(Method::GET, &base, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.last().unwrap()["name"], "Фонарь");
    assert_eq!(listed, t.account.elements(PRODUCTS));
    let cleared = json_of(t.control(Method::DELETE, &value, None).await).await;
    assert!(cleared["custom_fields_values"].is_null());
    assert_eq!(
        t.control(Method::DELETE, &format!("/_sandbox/elements/{id}"), None)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        t.control(Method::GET, &format!("/_sandbox/elements/{id}"), None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        t.account.requests().is_empty(),
        "control calls are not logged"
    );
}

#[tokio::test]
async fn the_control_api_switches_validation_400_and_v2_gone_and_refuses_other_codes() {
    let t = TestAccount::start(quiet()).await;
    let settings = json!({"validation_400": "applies_valid", "v2_gone": 410});
    let body = json_of(
        t.control(Method::POST, "/_sandbox/settings", Some(&settings))
            .await,
    )
    .await;
    assert_eq!(
        (body["validation_400"].clone(), body["v2_gone"].clone()),
        (json!("applies_valid"), json!(410))
    );
    assert_eq!(
        t.account.settings().validation_400,
        Validation400::AppliesValid
    );
    assert_eq!(t.get("/api/v2/catalogs").await.status(), StatusCode::GONE);
    let r = t
        .control(
            Method::POST,
            "/_sandbox/settings",
            Some(&json!({"v2_gone": 500})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(t.account.settings().v2_gone, Some(410));
    let body = json_of(
        t.control(
            Method::POST,
            "/_sandbox/settings",
            Some(&json!({"v2_gone": null})),
        )
        .await,
    )
    .await;
    assert!(body["v2_gone"].is_null());
    assert_eq!(
        body["validation_400"], "applies_valid",
        "an absent field is left alone"
    );
}

#[tokio::test]
async fn a_fault_with_a_path_and_patch_can_be_queued_over_the_control_api() {
    let t = TestAccount::start(quiet()).await;
    let id = t.account.add_catalog("Услуги", "regular").unwrap();
    let path = format!("/api/v4/catalogs/{id}/elements");
    let fault =
        json!({"on": "patch", "path": path, "action": {"kind": "status", "code": 504}, "times": 2});
    assert_eq!(
        t.control(Method::POST, "/_sandbox/faults", Some(&fault))
            .await
            .status(),
        StatusCode::OK
    );
    let pending: Value = t
        .control(Method::GET, "/_sandbox/faults", None)
        .await
        .json()
        .await
        .unwrap();
    let first = &pending[0];
    assert_eq!(
        (
            first["on"].clone(),
            first["path"].clone(),
            first["times"].clone()
        ),
        (json!("patch"), json!(path), json!(2))
    );
    assert_eq!(first["action"]["code"], 504);
    assert_eq!(
        t.send(Method::POST, &path, Some(&json!([]))).await.status(),
        StatusCode::OK
    );
    let statuses = [
        t.send(Method::PATCH, &path, Some(&json!([])))
            .await
            .status(),
        t.send(Method::PATCH, &path, Some(&json!([])))
            .await
            .status(),
        t.send(Method::PATCH, &path, Some(&json!([])))
            .await
            .status(),
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::GATEWAY_TIMEOUT,
            StatusCode::GATEWAY_TIMEOUT,
            StatusCode::OK
        ]
    );
}
