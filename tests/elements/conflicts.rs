//! Both sides editing the same element: different fields merge, the same field is a conflict.

use serde_json::json;

use super::{KETTLE, PRICE, PRODUCTS, UNIT, synced_shop};
use catalog_sync::catalog::ConflictPolicy;
use catalog_sync::sync::Outcome;

#[tokio::test]
async fn different_fields_edited_on_both_sides_are_merged_without_a_conflict() {
    let w = synced_shop().await;
    let id = w.element_named(PRODUCTS, KETTLE)["id"].as_i64().unwrap();
    w.account
        .set_element_value(id, PRICE, json!("1999"))
        .unwrap();
    w.sql(&format!(
        "UPDATE catalog_{PRODUCTS} SET \"Единица\" = 'кг' WHERE remote_id = {id}"
    ))
    .await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.elements.conflicts, 0);
    let kettle = w.element_named(PRODUCTS, KETTLE);
    assert_eq!(w.values_of(&kettle, UNIT)[0]["value"], "кг");
    assert_eq!(w.values_of(&kettle, PRICE), json!([{"value": "1999"}]));
    let patch = w
        .account
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert!(
        !patch.body.contains(&PRICE.to_string()),
        "the price is not sent back: {}",
        patch.body
    );
    let price = w
        .value(&format!("SELECT json_quote(json_extract(fields, '$.\"{PRICE}\"')) FROM desired_elements WHERE remote_id = {id}"))
        .await;
    assert_eq!(price, Some(json!(1999)));
}

#[tokio::test]
async fn the_same_field_edited_on_both_sides_is_a_conflict_settled_by_each_policy() {
    for policy in [
        ConflictPolicy::LocalWins,
        ConflictPolicy::RemoteWins,
        ConflictPolicy::Manual,
    ] {
        let mut w = synced_shop().await;
        w.options.policy = policy;
        let id = w.element_named(PRODUCTS, KETTLE)["id"].as_i64().unwrap();
        w.sql(&format!(
            "UPDATE catalog_{PRODUCTS} SET \"Цена\" = 100 WHERE remote_id = {id}"
        ))
        .await;
        w.account
            .set_element_value(id, PRICE, json!("200"))
            .unwrap();
        // An edit of another element goes on whatever happens to the conflict.
        w.sql(&format!(
            "UPDATE catalog_{PRODUCTS} SET \"Цена\" = 7 WHERE name LIKE 'Кабель%'"
        ))
        .await;
        let report = w.run().await;
        let rows: Vec<(String, String, String, Option<String>)> = w
            .rows(&format!("SELECT entity, field, local_value, resolution FROM conflicts WHERE remote_id = {id}"))
            .await;
        assert_eq!(rows.len(), 1, "{policy:?}: {rows:?}");
        assert_eq!(
            (rows[0].0.as_str(), rows[0].1.as_str(), rows[0].2.as_str()),
            ("element", "270002", "100")
        );
        let price = w.values_of(&w.element_named(PRODUCTS, KETTLE), PRICE);
        let cable = w
            .account
            .elements(PRODUCTS)
            .into_iter()
            .find(|e| e["name"].as_str().unwrap().starts_with("Кабель"))
            .unwrap();
        assert_eq!(
            w.values_of(&cable, PRICE),
            json!([{"value": "7"}]),
            "{policy:?}"
        );
        match policy {
            ConflictPolicy::LocalWins => {
                assert_eq!(rows[0].3.as_deref(), Some("local"));
                assert_eq!(price, json!([{"value": "100"}]));
                assert_eq!(report.outcome, Outcome::Ok);
            }
            ConflictPolicy::RemoteWins => {
                assert_eq!(rows[0].3.as_deref(), Some("remote"));
                assert_eq!(price, json!([{"value": "200"}]));
                assert_eq!(report.outcome, Outcome::Ok);
            }
            ConflictPolicy::Manual => {
                assert_eq!(rows[0].3, None, "held for a person");
                assert_eq!(
                    price,
                    json!([{"value": "200"}]),
                    "nothing sent for the held element"
                );
                assert_eq!(report.outcome, Outcome::Partial);
                assert_eq!(report.outcome.exit_code(), 4);
            }
        }
    }
}
