//! Fields a desired element does not manage, and fields that come and go in the account: the run
//! after an add, and a custom field deleted in amoCRM.

use serde_json::json;

use super::{PRICE, PRODUCTS, synced_shop};
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
