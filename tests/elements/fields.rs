//! Fields a desired element does not manage, and fields that come and go in the account: the run
//! after an add, and a custom field deleted in amoCRM.

use serde_json::json;

use super::{COLOURS, KETTLE, PRICE, PRODUCTS, synced_shop};
use catalog_sync::sync::Outcome;

async fn fields_of(w: &super::World, name: &str) -> (serde_json::Value, i64) {
    let rows: Vec<(String, i64)> = w
        .rows(&format!(
            "SELECT fields, revision FROM desired_elements WHERE name = '{name}'"
        ))
        .await;
    let (fields, revision) = rows.into_iter().next().expect("the desired row");
    (serde_json::from_str(&fields).unwrap(), revision)
}

#[tokio::test]
async fn the_run_after_an_add_adopts_none_of_the_fields_the_person_left_out_and_sends_nothing() {
    let w = synced_shop().await;
    w.sql(&format!(
        "INSERT INTO catalog_{PRODUCTS} (name, \"Цена\") VALUES ('Лампа', 1490)"
    ))
    .await;
    let added = w.run().await;
    assert_eq!(added.counts.elements.added, 1, "{added:?}");
    let before = fields_of(&w, "Лампа").await;
    assert_eq!(before.0, json!({ PRICE.to_string(): 1490 }));
    w.account.clear_requests();
    let next = w.run().await;
    assert_eq!(next.outcome, Outcome::Ok, "{next:?}");
    assert!(
        next.elements.iter().all(|e| !e.plan.has_changes()),
        "{:?}",
        next.elements
    );
    assert_eq!(next.counts.elements.adopted, 0);
    assert_eq!(w.element_writes(), 0, "nothing to send");
    assert_eq!(fields_of(&w, "Лампа").await, before, "the row is untouched");
    let logged: Vec<(i64,)> = w
        .rows("SELECT COUNT(*) FROM change_log WHERE entity = 'element' AND action = 'update'")
        .await;
    assert_eq!(logged[0].0, 0);
}

#[tokio::test]
async fn a_field_deleted_in_amocrm_leaves_every_row_and_the_view_and_is_never_sent() {
    let w = synced_shop().await;
    w.sql(&format!(
        "UPDATE catalog_{PRODUCTS} SET \"Цена\" = 2590.5, \"Цвет\" = '[\"Чёрный\"]' \
         WHERE name = '{KETTLE}'"
    ))
    .await;
    w.account.delete_field(PRODUCTS, COLOURS).unwrap();
    // The hourly pull of the field list is due.
    w.sql("UPDATE element_pulls SET fields_pulled_at = '2000-01-01T00:00:00.000Z'")
        .await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.elements.invalid, 0, "{report:?}");
    assert_eq!(report.counts.elements.updated, 1, "{report:?}");
    let patch = w
        .account
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH");
    let body: serde_json::Value = serde_json::from_str(&patch.expect("one PATCH").body).unwrap();
    assert_eq!(
        body[0]["custom_fields_values"],
        json!([{"field_id": PRICE, "values": [{"value": 2590.5}]}]),
        "the deleted field is not sent: {body}"
    );
    let key = format!("$.\"{COLOURS}\"");
    for table in ["desired_elements", "synced_elements", "remote_elements"] {
        let left: Vec<(i64,)> = w
            .rows(&format!(
                "SELECT COUNT(*) FROM {table} WHERE json_type(fields, '{key}') IS NOT NULL"
            ))
            .await;
        assert_eq!(left[0].0, 0, "{table} still holds the deleted field");
    }
    let columns: Vec<(String,)> = w
        .rows(&format!(
            "SELECT name FROM pragma_table_info('catalog_{PRODUCTS}')"
        ))
        .await;
    assert!(!columns.iter().any(|c| c.0 == "Цвет"), "{columns:?}");
    w.account.clear_requests();
    let next = w.run().await;
    assert!(
        next.elements
            .iter()
            .all(|e| !e.plan.has_changes() && e.plan.invalid.is_empty()),
        "{next:?}"
    );
    assert_eq!(w.element_writes(), 0);
}
