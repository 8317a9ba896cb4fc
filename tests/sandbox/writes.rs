//! Writing elements: v4 `POST`/`PATCH` with their validation 400s in both modes, and deletes
//! through `POST /api/v2/catalog_elements`.

use catalog_sync::sandbox::Validation400;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::elements::PRODUCTS;
use crate::helpers::{TestAccount, field, json_of, option, quiet};

fn elements_path() -> String {
    format!("/api/v4/catalogs/{PRODUCTS}/elements")
}

async fn seeded() -> TestAccount {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    t
}

fn value_of(element: &Value, field_id: i64) -> Value {
    let values = element["custom_fields_values"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let found = values.into_iter().find(|v| v["field_id"] == field_id);
    found.map_or(Value::Null, |v| v["values"].clone())
}

#[tokio::test]
async fn a_post_creates_elements_as_the_api_user_and_echoes_request_ids_as_strings() {
    let t = seeded().await;
    let (price, unit) = (
        field(&t.account, PRODUCTS, "Цена"),
        field(&t.account, PRODUCTS, "Единица"),
    );
    let body = json!([
        {"name": "Молоток", "request_id": 5, "custom_fields_values": [
            {"field_id": price.id, "values": [{"value": 799.9}]},
            {"field_id": unit.id, "values": [{"enum_id": option(&unit, "шт")}]}]},
        {"name": "Отвёртка", "request_id": "abc", "custom_fields_values": [
            {"field_code": "PRICE", "values": [{"value": "150"}]}]},
        {"name": "Уровень"},
    ]);
    let r = t.send(Method::POST, &elements_path(), Some(&body)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = json_of(r).await;
    let items = body["_embedded"]["elements"].as_array().unwrap();
    let rids: Vec<&Value> = items.iter().map(|e| &e["request_id"]).collect();
    assert_eq!(rids, [&json!("5"), &json!("abc"), &json!("2")]);
    assert_eq!(value_of(&items[0], price.id), json!([{"value": "799.9"}]));
    assert_eq!(value_of(&items[0], unit.id)[0]["value"], "шт");
    assert!(items[2]["custom_fields_values"].is_null());
    assert!(
        items
            .iter()
            .all(|e| e["created_by"] == 0 && e["updated_by"] == 0)
    );
    assert!(
        items
            .iter()
            .all(|e| e["catalog_id"] == PRODUCTS && e["is_deleted"].is_null())
    );
    let href = format!("{}{}", t.sandbox.base_url(), elements_path());
    assert_eq!(body["_links"]["self"]["href"], href.as_str());
    assert_eq!(t.account.elements(PRODUCTS).len(), 15);
}

#[tokio::test]
async fn a_patch_changes_only_what_it_names_and_values_null_clears_a_field() {
    let t = seeded().await;
    let kettle = t.account.elements(PRODUCTS)[0].clone();
    let id = kettle["id"].as_i64().unwrap();
    let (price, sku) = (
        field(&t.account, PRODUCTS, "Цена"),
        field(&t.account, PRODUCTS, "Артикул"),
    );
    let stock = field(&t.account, PRODUCTS, "В наличии");
    let body = json!([{"id": id, "custom_fields_values": [
        {"field_id": price.id, "values": [{"value": "2590.00"}]},
        {"field_id": stock.id, "values": null}]}]);
    let r = t.send(Method::PATCH, &elements_path(), Some(&body)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let answer = json_of(r).await;
    let item = &answer["_embedded"]["elements"][0];
    assert!(
        item.get("request_id").is_none(),
        "no request_id was sent: {item}"
    );
    let now = t.account.element(id).unwrap();
    assert_eq!(&now, &{
        let mut i = item.clone();
        i.as_object_mut().unwrap().remove("request_id");
        i
    });
    assert_eq!(now["name"], kettle["name"]);
    assert_eq!(value_of(&now, sku.id), value_of(&kettle, sku.id));
    assert_eq!(value_of(&now, price.id), json!([{"value": "2590.00"}]));
    assert_eq!(value_of(&now, stock.id), Value::Null);
    assert!(now["updated_at"].as_i64() > kettle["updated_at"].as_i64());
    assert_eq!(
        (now["updated_by"].clone(), now["created_by"].clone()),
        (json!(0), json!(504_141))
    );
    let rename = json!([{"id": id, "name": "Чайник", "request_id": 9}]);
    let answer = json_of(t.send(Method::PATCH, &elements_path(), Some(&rename)).await).await;
    assert_eq!(answer["_embedded"]["elements"][0]["request_id"], "9");
    assert_eq!(t.account.element(id).unwrap()["name"], "Чайник");
}

/// Three items: one valid, one with an unknown option, one with text in the price.
fn mixed_batch(t: &TestAccount) -> Value {
    let (price, unit) = (
        field(&t.account, PRODUCTS, "Цена"),
        field(&t.account, PRODUCTS, "Единица"),
    );
    json!([
        {"name": "Годный", "request_id": "r1"},
        {"name": "Без единицы", "request_id": "r2", "custom_fields_values": [
            {"field_id": price.id, "values": [{"value": "10"}]},
            {"field_id": unit.id, "values": [{"value": "литр"}]}]},
        {"name": "Дорогой", "request_id": 3, "custom_fields_values": [
            {"field_id": price.id, "values": [{"value": "дорого"}]}]},
    ])
}

async fn assert_mixed_batch_refused(r: reqwest::Response) {
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body = json_of(r).await;
    assert_eq!(body["title"], "Bad Request");
    assert_eq!(body["detail"], "Request validation failed");
    let got: Vec<(Value, Value, Value)> = body["validation-errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["request_id"].clone(),
                v["errors"][0]["path"].clone(),
                v["errors"][0]["code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                json!("r2"),
                json!("custom_fields_values.1.values.0.value"),
                json!("NotSupportedChoice")
            ),
            (
                json!("3"),
                json!("custom_fields_values.0.values.0.value"),
                json!("InvalidType")
            ),
        ]
    );
}

#[tokio::test]
async fn by_default_a_400_applies_nothing_of_its_batch() {
    let t = seeded().await;
    let r = t
        .send(Method::POST, &elements_path(), Some(&mixed_batch(&t)))
        .await;
    assert_mixed_batch_refused(r).await;
    assert_eq!(t.account.elements(PRODUCTS).len(), 12);
}

#[tokio::test]
async fn with_applies_valid_the_valid_items_are_applied_and_still_only_the_400_comes_back() {
    let t = seeded().await;
    t.account.set_validation_400(Validation400::AppliesValid);
    let r = t
        .send(Method::POST, &elements_path(), Some(&mixed_batch(&t)))
        .await;
    assert_mixed_batch_refused(r).await;
    let names: Vec<Value> = t
        .account
        .elements(PRODUCTS)
        .iter()
        .map(|e| e["name"].clone())
        .collect();
    assert_eq!(names.len(), 13);
    assert_eq!(names[12], "Годный");
}

#[tokio::test]
async fn both_modes_hold_for_patches_and_an_unknown_element_is_named_by_path_id() {
    for (mode, renamed) in [
        (Validation400::RejectsAll, false),
        (Validation400::AppliesValid, true),
    ] {
        let t = seeded().await;
        t.account.set_validation_400(mode);
        let id = t.account.elements(PRODUCTS)[0]["id"].as_i64().unwrap();
        let body = json!([{"id": id, "name": "Новое имя"}, {"id": 1, "name": "x", "request_id": "ghost"}, {"id": id, "name": ""}]);
        let r = t.send(Method::PATCH, &elements_path(), Some(&body)).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let errors = json_of(r).await["validation-errors"].clone();
        assert_eq!(
            errors[0],
            json!({"request_id": "ghost", "errors": [{"code": "NotFound", "path": "id", "detail": "element 1 not found in this catalog"}]})
        );
        assert_eq!(
            (
                errors[1]["request_id"].clone(),
                errors[1]["errors"][0]["path"].clone()
            ),
            (json!("2"), json!("name"))
        );
        let name = t.account.element(id).unwrap()["name"].clone();
        assert_eq!(name == "Новое имя", renamed, "{mode:?}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_an_array_or_holds_more_than_250_items_is_refused_whole() {
    let t = seeded().await;
    let too_many = Value::Array((0..251).map(|i| json!({"name": format!("E{i}")})).collect());
    for (body, code) in [
        (json!({"name": "x"}), "InvalidType"),
        (too_many, "TooManyItems"),
    ] {
        for method in [Method::POST, Method::PATCH] {
            let r = t.send(method.clone(), &elements_path(), Some(&body)).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{method}");
            let body = json_of(r).await;
            assert_eq!(body["validation-errors"][0]["errors"][0]["code"], code);
        }
    }
    let unknown_field = json!([{"name": "x", "custom_fields_values": [{"field_id": 1, "values": [{"value": "a"}]}]}]);
    let body = json_of(
        t.send(Method::POST, &elements_path(), Some(&unknown_field))
            .await,
    )
    .await;
    assert_eq!(
        body["validation-errors"][0]["errors"][0]["path"],
        "custom_fields_values.0.field_id"
    );
    let blank = json_of(
        t.send(
            Method::POST,
            &elements_path(),
            Some(&json!([{"name": "  "}])),
        )
        .await,
    )
    .await;
    assert_eq!(blank["validation-errors"][0]["errors"][0]["path"], "name");
    assert_eq!(t.account.elements(PRODUCTS).len(), 12);
}
