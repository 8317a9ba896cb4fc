//! Reading elements and custom fields over API v4: paging, filters, and values rendered the way
//! amoCRM renders them.

use catalog_sync::sandbox::SandboxOptions;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestAccount, field, json_of, option, quiet};

/// The products catalog of the seeded example account.
pub const PRODUCTS: i64 = 7001;

#[tokio::test]
async fn six_hundred_elements_come_in_pages_of_250_linked_by_next_and_a_page_past_the_end_is_204() {
    let t = TestAccount::start(quiet()).await;
    let id = t.account.add_catalog("Склад", "regular").unwrap();
    t.account.seed_elements(id, 600).unwrap();
    let mut url = t.url(&format!("/api/v4/catalogs/{id}/elements?limit=250"));
    let mut sizes = Vec::new();
    loop {
        let r = t
            .client
            .get(&url)
            .bearer_auth("sandbox-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/hal+json");
        let body = json_of(r).await;
        sizes.push(body["_embedded"]["elements"].as_array().unwrap().len());
        assert_eq!(body["_page"], sizes.len());
        match body["_links"]["next"]["href"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(sizes, [250, 250, 100]);
    let r = t
        .get(&format!("/api/v4/catalogs/{id}/elements?limit=250&page=4"))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.text().await.unwrap(), "");
}

#[tokio::test]
async fn a_limit_over_250_is_refused_with_problem_json() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    for path in [
        format!("/api/v4/catalogs/{PRODUCTS}/elements?limit=251"),
        format!("/api/v4/catalogs/{PRODUCTS}/custom_fields?limit=500"),
        "/api/v4/catalogs?limit=1000".to_string(),
    ] {
        let r = t.get(&path).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body = json_of(r).await;
        assert_eq!(body["status"], 400);
        assert_eq!(body["type"], "https://httpstatus.es/400");
        assert!(body["detail"].as_str().unwrap().contains("250"), "{body}");
    }
}

#[tokio::test]
async fn an_unknown_catalog_is_a_404_and_a_catalog_without_elements_or_fields_is_204() {
    let t = TestAccount::start(quiet()).await;
    for path in [
        "/api/v4/catalogs/999/elements",
        "/api/v4/catalogs/999/custom_fields",
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(json_of(r).await["status"], 404);
    }
    let id = t.account.add_catalog("Пустой", "regular").unwrap();
    for what in ["elements", "custom_fields"] {
        let r = t.get(&format!("/api/v4/catalogs/{id}/{what}")).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{what}");
        assert_eq!(r.text().await.unwrap(), "");
    }
}

#[tokio::test]
async fn a_filter_by_id_takes_one_id_or_an_array_and_finds_nothing_with_204() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let ids: Vec<i64> = t
        .account
        .elements(PRODUCTS)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let base = format!("/api/v4/catalogs/{PRODUCTS}/elements");
    let got = |body: Value| -> Vec<i64> {
        let elements = body["_embedded"]["elements"].as_array().unwrap().clone();
        elements.iter().map(|e| e["id"].as_i64().unwrap()).collect()
    };
    let one = json_of(t.get(&format!("{base}?filter[id]={}", ids[3])).await).await;
    assert_eq!(got(one), [ids[3]]);
    let path = format!(
        "{base}?filter%5Bid%5D%5B%5D={}&filter[id][]={}",
        ids[5], ids[1]
    );
    assert_eq!(got(json_of(t.get(&path).await).await), [ids[1], ids[5]]);
    let path = format!("{base}?filter[id][]={}&limit=1", ids[2]);
    let body = json_of(t.get(&format!("{path}&filter[id][]={}", ids[4])).await).await;
    let next = body["_links"]["next"]["href"].as_str().unwrap();
    assert!(
        next.ends_with(&format!(
            "page=2&limit=1&filter[id][]={}&filter[id][]={}",
            ids[2], ids[4]
        )),
        "{next}"
    );
    assert_eq!(
        t.get(&format!("{base}?filter[id]=1")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.get(&format!("{base}?filter[id]=abc")).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn seeded_products_render_numbers_as_strings_and_options_with_their_ids() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let body = json_of(
        t.get(&format!("/api/v4/catalogs/{PRODUCTS}/elements"))
            .await,
    )
    .await;
    let elements = body["_embedded"]["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 12);
    let nails = elements
        .iter()
        .find(|e| e["name"] == "Гвозди строительные 4x100")
        .unwrap();
    let by_code = |code: &str| -> Value {
        let values = nails["custom_fields_values"].as_array().unwrap();
        let v = values
            .iter()
            .find(|v| v["field_code"] == code || v["field_name"] == code);
        v.unwrap_or_else(|| panic!("no {code} in {nails}"))["values"].clone()
    };
    assert_eq!(by_code("PRICE"), json!([{"value": "1290.50"}]));
    assert_eq!(by_code("SKU"), json!([{"value": "NAIL-4100"}]));
    let unit = field(&t.account, PRODUCTS, "Единица");
    let kg = option(&unit, "кг");
    assert_eq!(
        by_code("Единица"),
        json!([{"value": "кг", "enum_id": kg, "enum_code": null}])
    );
    let group = field(&t.account, PRODUCTS, "Группа");
    let tools = option(&group, "Инструменты");
    assert_eq!(
        by_code("GROUP"),
        json!([{"value": "Инструменты", "enum_id": tools}])
    );
    assert_eq!(by_code("В наличии"), json!([{"value": true}]));
    let phone = elements
        .iter()
        .find(|e| e["name"].as_str().unwrap().starts_with("Смартфон"))
        .unwrap();
    let colours = phone["custom_fields_values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["field_name"] == "Цвет")
        .unwrap();
    assert_eq!(colours["field_type"], "multiselect");
    assert_eq!(colours["values"].as_array().unwrap().len(), 2);
    assert!(colours["field_code"].is_null());
    for key in [
        "id",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "catalog_id",
        "account_id",
    ] {
        assert!(nails[key].is_i64(), "{key}: {nails}");
    }
    assert!(nails["is_deleted"].is_null());
    assert_eq!(nails["created_by"], 504_141);
    let href = format!(
        "{}/api/v4/catalogs/{PRODUCTS}/elements/{}",
        t.sandbox.base_url(),
        nails["id"]
    );
    assert_eq!(nails["_links"]["self"]["href"], href.as_str());
    let one = json_of(t.get(&href.replace(&t.sandbox.base_url(), "")).await).await;
    assert_eq!(&one, nails);
}

#[tokio::test]
async fn custom_fields_come_in_the_shape_of_the_captured_sample() {
    let t = TestAccount::start(quiet()).await;
    t.account.seed_example_account();
    let body = json_of(
        t.get(&format!(
            "/api/v4/catalogs/{PRODUCTS}/custom_fields?limit=250"
        ))
        .await,
    )
    .await;
    let sample: Value = serde_json::from_str(include_str!(
        "../fixtures/amocrm/v4-catalog-custom-fields-GET-captured-excerpt.json"
    ))
    .unwrap();
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let fields = body["_embedded"]["custom_fields"].as_array().unwrap();
    assert_eq!(fields.len(), 8);
    assert_eq!(body["_total_items"], 8);
    assert_eq!(
        (body["_page"].clone(), body["_page_count"].clone()),
        (json!(1), json!(1))
    );
    let group = fields.iter().find(|f| f["code"] == "GROUP").unwrap();
    let sample_field = &sample["_embedded"]["custom_fields"][0];
    let mut want = keys(sample_field);
    want.retain(|k| k != "triggers" && k != "search_in");
    want.push("_links".into());
    want.sort();
    assert_eq!(keys(group), want);
    assert!(group["enums"].is_null());
    let nested = group["nested"].as_array().unwrap();
    let phones = nested.iter().find(|n| n["value"] == "Смартфоны").unwrap();
    let electronics = nested.iter().find(|n| n["value"] == "Электроника").unwrap();
    assert_eq!(phones["parent_id"], electronics["id"]);
    assert!(electronics["parent_id"].is_null());
    let unit = fields.iter().find(|f| f["name"] == "Единица").unwrap();
    let texts: Vec<&str> = unit["enums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["шт", "кг", "м"]);
    assert!(unit["code"].is_null() && unit["nested"].is_null());
    assert_eq!(
        (unit["is_deletable"].clone(), group["is_deletable"].clone()),
        (json!(true), json!(false))
    );
    let page2 = t
        .get(&format!(
            "/api/v4/catalogs/{PRODUCTS}/custom_fields?limit=5&page=2"
        ))
        .await;
    let page2 = json_of(page2).await;
    assert_eq!(
        page2["_embedded"]["custom_fields"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(page2["_links"].get("next").is_none());
}

#[tokio::test]
async fn numbers_as_strings_stringifies_the_ids_and_timestamps_of_elements_and_fields() {
    let t = TestAccount::start(SandboxOptions {
        numbers_as_strings: true,
        ..quiet()
    })
    .await;
    t.account.seed_example_account();
    let body = json_of(
        t.get(&format!("/api/v4/catalogs/{PRODUCTS}/elements"))
            .await,
    )
    .await;
    let first = &body["_embedded"]["elements"][0];
    for key in ["id", "created_at", "updated_at", "catalog_id", "account_id"] {
        assert!(first[key].is_string(), "{key}: {first}");
    }
    assert_eq!(body["_page"], "1");
    let values = first["custom_fields_values"].as_array().unwrap();
    assert!(values.iter().all(|v| v["field_id"].is_string()));
    let fields = json_of(
        t.get(&format!("/api/v4/catalogs/{PRODUCTS}/custom_fields"))
            .await,
    )
    .await;
    assert!(fields["_embedded"]["custom_fields"][0]["id"].is_string());
    let catalogs = json_of(t.send(Method::GET, "/api/v4/catalogs", None).await).await;
    assert!(catalogs["_embedded"]["catalogs"][0]["updated_at"].is_string());
}
