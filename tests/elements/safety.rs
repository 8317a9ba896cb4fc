//! What keeps elements safe: never created twice (a 400 in both of its behaviours, a dropped
//! answer), the two delete guards, invalid values, and a catalog whose pull fails.

use serde_json::json;

use super::{PRODUCTS, UNIT, shop, synced_shop};
use catalog_sync::sandbox::{Fault, FaultAction, FaultOn, Validation400};
use catalog_sync::sync::Outcome;

/// Three new products, the second with a unit the account no longer offers but the mirror of
/// its fields still lists (an option removed in amoCRM since the field list was pulled).
async fn three_adds_one_refused(w: &super::World) {
    w.sql(&format!(
        "UPDATE catalog_fields SET options = json_insert(options, '$[#]', json('{{\"id\": 999, \"value\": \"ящик\"}}'))
          WHERE field_id = {UNIT};
         INSERT INTO catalog_{PRODUCTS} (name, \"Единица\") VALUES ('Гвозди', 'кг'), ('Шурупы', 'ящик'), ('Дюбели', 'шт');"
    ))
    .await;
}

fn names_in_account(w: &super::World) -> Vec<String> {
    let mut names: Vec<String> = w
        .account
        .elements(PRODUCTS)
        .into_iter()
        .filter_map(|e| e["name"].as_str().map(str::to_owned))
        .filter(|n| ["Гвозди", "Шурупы", "Дюбели"].contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_400_that_applies_nothing_fails_its_item_and_the_others_are_sent_again_once() {
    let w = synced_shop().await;
    w.account.set_validation_400(Validation400::RejectsAll);
    three_adds_one_refused(&w).await;
    let first = w.run().await;
    assert_eq!(first.outcome, Outcome::Partial, "{first:?}");
    let failed: Vec<(String,)> = w
        .rows("SELECT error FROM outbox WHERE entity = 'element' AND state = 'failed' AND payload LIKE '%Шурупы%'")
        .await;
    assert!(failed[0].0.contains("NotSupportedChoice"), "{failed:?}");
    assert_eq!(
        names_in_account(&w),
        ["Гвозди", "Дюбели"],
        "re-sent in the same run"
    );
    assert_eq!(first.counts.elements.added, 2, "{first:?}");
    let posts: Vec<String> = w
        .account
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.contains("/elements"))
        .map(|r| r.body)
        .collect();
    assert_eq!(
        posts.len(),
        2,
        "the batch, then the two it did not apply: {posts:?}"
    );
    assert!(!posts[1].contains("Шурупы"), "{}", posts[1]);
    let attempts: Vec<(i64,)> = w
        .rows("SELECT attempts FROM outbox WHERE entity = 'element' AND payload LIKE '%Гвозди%'")
        .await;
    assert_eq!(attempts, vec![(2,)]);
    w.run().await;
    w.run().await;
    assert_eq!(names_in_account(&w), ["Гвозди", "Дюбели"], "never twice");
}

#[tokio::test]
async fn a_400_that_applies_the_valid_items_links_them_instead_of_creating_them_again() {
    let w = synced_shop().await;
    w.account.set_validation_400(Validation400::AppliesValid);
    three_adds_one_refused(&w).await;
    let first = w.run().await;
    assert_eq!(first.outcome, Outcome::Partial, "{first:?}");
    assert_eq!(names_in_account(&w), ["Гвозди", "Дюбели"]);
    let linked: Vec<(i64,)> = w
        .rows("SELECT COUNT(*) FROM desired_elements WHERE name IN ('Гвозди', 'Дюбели') AND remote_id IS NOT NULL")
        .await;
    assert_eq!(linked[0].0, 2, "settled from a fresh read, in the same run");
    w.run().await;
    w.run().await;
    assert_eq!(names_in_account(&w), ["Гвозди", "Дюбели"], "never twice");
}

#[tokio::test]
async fn an_add_whose_answer_is_lost_is_linked_not_sent_again() {
    let w = synced_shop().await;
    w.account.push_fault(
        Fault::once(FaultOn::Post, FaultAction::ApplyThenDrop)
            .at(&format!("/api/v4/catalogs/{PRODUCTS}/elements")),
    );
    w.sql(&format!(
        "INSERT INTO catalog_{PRODUCTS} (name, \"Цена\") VALUES ('Гвозди', 350)"
    ))
    .await;
    let first = w.run().await;
    assert_eq!(first.outcome, Outcome::Failed, "{first:?}");
    let second = w.run().await;
    assert_eq!(second.outcome, Outcome::Ok, "{second:?}");
    assert_eq!(names_in_account(&w), ["Гвозди"]);
    assert_eq!(w.account.counters().elements_post, 1, "sent once");
    let states: Vec<(String,)> = w
        .rows("SELECT state FROM outbox WHERE entity = 'element'")
        .await;
    assert_eq!(states, vec![("done".to_owned(),)]);
}

#[tokio::test]
async fn more_element_deletions_than_allowed_abort_the_run_before_any_write() {
    let mut w = shop().await;
    w.account.seed_elements(7002, 30).unwrap();
    w.run().await;
    w.account.clear_requests();
    w.sql("DELETE FROM desired_elements WHERE id IN (SELECT id FROM desired_elements WHERE desired_catalog_id = (SELECT id FROM desired_catalogs WHERE remote_id = 7002) LIMIT 21)").await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Aborted);
    assert!(
        report
            .error
            .as_deref()
            .unwrap()
            .contains("sync.max_element_deletes"),
        "{report:?}"
    );
    assert_eq!(w.element_writes(), 0);
    w.options.allow_deletes = true;
    let report = w.run().await;
    assert_eq!(report.counts.elements.deleted, 21, "{report:?}");
}

#[tokio::test]
async fn a_catalog_that_lost_more_than_half_its_elements_aborts_the_run() {
    let w = shop().await;
    let ids = w.account.seed_elements(7002, 10).unwrap();
    w.run().await;
    for id in &ids[..6] {
        w.account.delete_element(*id).unwrap();
    }
    w.sql("UPDATE desired_elements SET name = name || '!' WHERE id = (SELECT MIN(id) FROM desired_elements)").await;
    w.account.clear_requests();
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Aborted, "{report:?}");
    assert!(
        report
            .error
            .as_deref()
            .unwrap()
            .contains("4 elements for catalog 7002"),
        "{report:?}"
    );
    assert_eq!(
        w.element_writes(),
        0,
        "nothing sent, not even the unrelated rename"
    );
    let rows: Vec<(i64,)> = w.rows("SELECT COUNT(*) FROM desired_elements WHERE desired_catalog_id = (SELECT id FROM desired_catalogs WHERE remote_id = 7002)").await;
    assert_eq!(rows[0].0, 10, "nothing deleted locally");
}

#[tokio::test]
async fn an_invalid_value_is_reported_by_id_name_and_field_and_the_rest_is_sent() {
    let w = synced_shop().await;
    w.sql(&format!(
        "UPDATE catalog_{PRODUCTS} SET \"Цена\" = 'дорого' WHERE name LIKE 'Кабель%';
         UPDATE catalog_{PRODUCTS} SET \"Единица\" = 'тонна' WHERE name LIKE 'Чайник%';
         UPDATE catalog_{PRODUCTS} SET \"Цена\" = 5 WHERE name LIKE 'Смартфон%';"
    ))
    .await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Partial);
    assert_eq!(report.counts.elements.invalid, 2);
    let invalid = &report.elements[0].plan.invalid;
    let text: Vec<String> = invalid.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("Кабель") && t.contains("270002") && t.contains("\"Цена\"")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("тонна") && t.contains("Единица")),
        "{text:?}"
    );
    assert!(text[0].starts_with("desired_elements row id="), "{text:?}");
    assert_eq!(report.counts.elements.updated, 1, "the valid edit went out");
}

#[tokio::test]
async fn a_catalog_whose_pull_fails_is_left_alone_and_the_others_go_on() {
    let w = synced_shop().await;
    w.account.push_fault(
        Fault {
            times: 0,
            ..Fault::once(
                FaultOn::Get,
                FaultAction::Status {
                    code: 502,
                    body: "<html>bad gateway</html>".into(),
                    content_type: None,
                },
            )
        }
        .at("/api/v4/catalogs/7002/elements"),
    );
    w.sql(&format!(
        "UPDATE catalog_{PRODUCTS} SET \"Цена\" = 5 WHERE name LIKE 'Смартфон%'"
    ))
    .await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Partial, "{report:?}");
    assert!(
        report.error.as_deref().unwrap().contains("Услуги"),
        "{report:?}"
    );
    assert_eq!(
        report.counts.elements.updated, 1,
        "the products catalog went on"
    );
    let smartphone = w
        .account
        .elements(PRODUCTS)
        .into_iter()
        .find(|e| e["name"].as_str().unwrap().starts_with("Смартфон"))
        .unwrap();
    assert_eq!(
        w.values_of(&smartphone, super::PRICE),
        json!([{"value": "5"}])
    );
}
