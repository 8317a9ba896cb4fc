//! Elements end to end against the sandbox (a stateful fake account): each rule of SPEC §6,
//! with the requests counted by the account itself.

mod world;

#[path = "elements/catalog_deleted.rs"]
mod catalog_deleted;
#[path = "elements/conflicts.rs"]
mod conflicts;
#[path = "elements/fields.rs"]
mod fields;
#[path = "elements/safety.rs"]
mod safety;

use serde_json::{Value, json};

use catalog_sync::sync::{Outcome, RunReport};
use world::World;

/// The example shop's products catalog and some of its fields (see the sandbox's seed).
pub const PRODUCTS: i64 = 7001;
pub const PRICE: i64 = 270002;
pub const UNIT: i64 = 270006;
pub const COLOURS: i64 = 270007;
pub const IN_STOCK: i64 = 270008;
pub const KETTLE: &str = "Чайник электрический Bosch TWK 3A011";

/// The example shop, with the elements of every catalog synced.
pub async fn shop() -> World {
    let mut w = World::start().await;
    w.options.elements = true;
    w.account.seed_example_account();
    w
}

/// The shop after its first sync.
pub async fn synced_shop() -> World {
    let w = shop().await;
    let first = w.run().await;
    assert_eq!(first.outcome, Outcome::Ok, "{first:?}");
    w.account.clear_requests();
    w
}

impl World {
    pub async fn run(&self) -> RunReport {
        self.syncer().run_once("test").await.unwrap()
    }

    /// The account's element with this name.
    pub fn element_named(&self, catalog: i64, name: &str) -> Value {
        self.account
            .elements(catalog)
            .into_iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no element {name:?} in {catalog}"))
    }

    /// The values of one field of an element as the account renders them.
    pub fn values_of(&self, element: &Value, field: i64) -> Value {
        element["custom_fields_values"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["field_id"] == field)
            .map_or(Value::Null, |v| v["values"].clone())
    }

    /// Requests with this method whose path starts with `prefix`.
    pub fn sent(&self, method: &str, prefix: &str) -> usize {
        self.account.count_at(method, prefix)
    }

    /// Element writes of any kind.
    pub fn element_writes(&self) -> usize {
        let c = self.account.counters();
        c.elements_post + c.elements_patch + c.v2_element_deletes
    }

    pub async fn value(&self, sql: &str) -> Option<Value> {
        let rows: Vec<(Option<String>,)> = self.rows(sql).await;
        rows.into_iter()
            .next()
            .and_then(|r| r.0)
            .map(|s| serde_json::from_str(&s).unwrap_or(Value::String(s)))
    }
}

#[tokio::test]
async fn the_first_sync_adopts_every_element_with_canonical_values_and_a_view() {
    let w = shop().await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.elements.adopted, 12);
    assert_eq!(report.counts.elements.pulled, 12);
    // 1 catalog GET, one element page per catalog, each catalog's field list (first sync).
    assert_eq!(report.counts.http_requests, 7);
    let fields = format!("SELECT fields FROM desired_elements WHERE name = '{KETTLE}'");
    let kettle = w.value(&fields).await.unwrap();
    assert_eq!(
        kettle[PRICE.to_string()],
        json!(2490),
        "\"2490.00\" is the number 2490"
    );
    assert_eq!(kettle[UNIT.to_string()], json!("шт"));
    assert_eq!(kettle[COLOURS.to_string()], json!(["Белый"]));
    assert_eq!(kettle[IN_STOCK.to_string()], json!(true));
    let view: Vec<(String, i64, i64)> = w
        .rows(&format!(
            "SELECT name, \"Цена\", \"В наличии\" FROM catalog_{PRODUCTS} WHERE name = '{KETTLE}'"
        ))
        .await;
    assert_eq!(view, vec![(KETTLE.to_owned(), 2490, 1)]);
}

#[tokio::test]
async fn a_run_with_nothing_to_do_sends_the_catalog_get_and_the_element_pages_only() {
    let w = synced_shop().await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok);
    assert!(
        report.elements.iter().all(|e| !e.plan.has_changes()),
        "{report:?}"
    );
    assert_eq!(
        report.counts.http_requests, 4,
        "1 catalog GET + 3 element pages"
    );
    let c = w.account.counters();
    assert_eq!((c.custom_fields_get, w.element_writes()), (0, 0));
    assert_eq!(c.elements_get, 3);
}

#[tokio::test]
async fn a_price_changed_through_the_view_goes_out_as_one_patch_with_that_field_and_the_name() {
    let w = synced_shop().await;
    w.sql(&format!(
        "UPDATE catalog_{PRODUCTS} SET \"Цена\" = 2590.5 WHERE name = '{KETTLE}'"
    ))
    .await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.elements.updated, 1);
    assert_eq!(w.sent("PATCH", "/api/v4/catalogs/"), 1);
    let patch = w
        .account
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    let body: Value = serde_json::from_str(&patch.body).unwrap();
    let item = &body[0];
    assert_eq!(item["name"], KETTLE);
    assert_eq!(
        item["custom_fields_values"],
        json!([{"field_id": PRICE, "values": [{"value": 2590.5}]}]),
        "only the changed field: {body}"
    );
    let kettle = w.element_named(PRODUCTS, KETTLE);
    assert_eq!(w.values_of(&kettle, PRICE), json!([{"value": "2590.5"}]));
    w.account.clear_requests();
    let again = w.run().await;
    assert_eq!((again.counts.http_requests, w.element_writes()), (4, 0));
}

#[tokio::test]
async fn an_element_inserted_with_a_select_value_and_one_deleted_go_out_as_one_post_and_one_delete()
{
    let w = synced_shop().await;
    w.sql(&format!(
        "INSERT INTO catalog_{PRODUCTS} (name, \"Цена\", \"Единица\", \"Цвет\") \
         VALUES ('Лампа настольная', 1490, 'шт', '[\"Белый\",\"Чёрный\"]');
         DELETE FROM desired_elements WHERE name LIKE 'Кабель%';"
    ))
    .await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(
        (report.counts.elements.added, report.counts.elements.deleted),
        (1, 1)
    );
    let c = w.account.counters();
    assert_eq!(
        (c.elements_post, c.v2_element_deletes, c.elements_patch),
        (1, 1, 0)
    );
    let lamp = w.element_named(PRODUCTS, "Лампа настольная");
    let colours = w.values_of(&lamp, COLOURS);
    let colours: Vec<&str> = colours
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(colours, ["Белый", "Чёрный"]);
    assert!(
        w.account
            .elements(PRODUCTS)
            .iter()
            .all(|e| !e["name"].as_str().unwrap().starts_with("Кабель"))
    );
    let linked: Vec<(Option<i64>,)> = w
        .rows("SELECT remote_id FROM desired_elements WHERE name = 'Лампа настольная'")
        .await;
    assert_eq!(linked, vec![(lamp["id"].as_i64(),)]);
    w.account.clear_requests();
    assert_eq!(
        (w.run().await.counts.http_requests, w.element_writes()),
        (4, 0)
    );
}

#[tokio::test]
async fn an_edit_made_in_the_ui_is_adopted_into_the_desired_row_and_logged() {
    let w = synced_shop().await;
    let kettle = w.element_named(PRODUCTS, KETTLE);
    let id = kettle["id"].as_i64().unwrap();
    w.account
        .set_element_value(id, PRICE, json!("2399.99"))
        .unwrap();
    w.account.rename_element(id, "Чайник Bosch").unwrap();
    let report = w.run().await;
    assert_eq!(report.counts.elements.adopted, 1);
    assert_eq!(w.element_writes(), 0, "nothing goes back to the account");
    let row: Vec<(String, Option<f64>)> = w
        .rows(&format!(
            "SELECT name, json_extract(fields, '$.\"{PRICE}\"') FROM desired_elements WHERE remote_id = {id}"
        ))
        .await;
    assert_eq!(row, vec![("Чайник Bosch".to_owned(), Some(2399.99))]);
    let log: Vec<(String, String, i64)> = w
        .rows("SELECT entity, action, catalog_remote_id FROM change_log WHERE entity = 'element' AND action = 'update'")
        .await;
    assert_eq!(log, vec![("element".into(), "update".into(), PRODUCTS)]);
}

#[tokio::test]
async fn a_catalog_of_600_elements_is_pulled_in_three_pages_and_an_empty_one_answers_204() {
    let w = synced_shop().await;
    let services = 7002;
    w.account.seed_elements(services, 600).unwrap();
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    let services_report = report
        .elements
        .iter()
        .find(|e| e.catalog_remote_id == Some(services))
        .unwrap();
    assert_eq!((services_report.pulled, services_report.pages), (600, 3));
    let rows: Vec<(i64,)> = w
        .rows("SELECT COUNT(*) FROM desired_elements WHERE remote_id IS NOT NULL")
        .await;
    assert_eq!(rows[0].0, 612);
    let empty = report
        .elements
        .iter()
        .find(|e| e.catalog_remote_id == Some(7003))
        .unwrap();
    assert_eq!((empty.pulled, empty.error.as_deref()), (0, None));
    let pages = w
        .account
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v4/catalogs/7003/elements"))
        .map(|r| r.status)
        .collect::<Vec<_>>();
    assert_eq!(pages, vec![204]);
}

#[tokio::test]
async fn with_no_catalog_enabled_a_run_sends_no_element_request() {
    let mut w = World::start().await;
    w.account.seed_example_account();
    w.options.elements = false;
    let report = w.run().await;
    assert_eq!(report.counts.http_requests, 1);
    let c = w.account.counters();
    assert_eq!(
        (c.elements_get, c.custom_fields_get, w.element_writes()),
        (0, 0, 0)
    );
    w.sql(&format!(
        "UPDATE desired_catalogs SET sync_elements = 1 WHERE remote_id = {PRODUCTS}"
    ))
    .await;
    w.account.clear_requests();
    let report = w.run().await;
    assert_eq!(
        report.counts.elements.adopted, 12,
        "sync_elements = 1 enables one catalog"
    );
    assert_eq!(w.account.counters().elements_get, 1);
}

#[tokio::test]
async fn a_catalog_added_in_this_run_gets_its_elements_in_the_same_run() {
    let w = synced_shop().await;
    w.sql(
        "INSERT INTO desired_catalogs (name, sync_elements) VALUES ('Поставщики', 1);
         INSERT INTO desired_elements (desired_catalog_id, name)
              SELECT id, 'ООО Ромашка' FROM desired_catalogs WHERE name = 'Поставщики';",
    )
    .await;
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(
        (report.counts.catalogs.added, report.counts.elements.added),
        (1, 1)
    );
    let id = w
        .account
        .catalogs()
        .into_iter()
        .find(|c| c.name == "Поставщики")
        .unwrap()
        .id;
    let names: Vec<Value> = w
        .account
        .elements(id)
        .into_iter()
        .map(|e| e["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("ООО Ромашка")]);
    w.account.clear_requests();
    assert_eq!(w.element_writes(), 0);
    assert_eq!(w.run().await.outcome, Outcome::Ok);
    assert_eq!(w.element_writes(), 0, "the next run has nothing to send");
}

#[tokio::test]
async fn deleting_a_desired_catalog_deletes_its_elements_with_it() {
    let w = shop().await;
    w.account.seed_elements(7002, 5).unwrap();
    w.run().await;
    w.sql("DELETE FROM desired_catalogs WHERE remote_id = 7002")
        .await;
    let rows: Vec<(i64,)> = w.rows("SELECT COUNT(*) FROM desired_elements WHERE desired_catalog_id NOT IN (SELECT id FROM desired_catalogs)").await;
    assert_eq!(rows[0].0, 0, "the desired elements went with their catalog");
    w.account.clear_requests();
    let report = w.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(
        (
            report.counts.catalogs.deleted,
            report.counts.elements.deleted
        ),
        (1, 0)
    );
    assert_eq!(w.account.counters().v2_element_deletes, 0);
    let views: Vec<(String,)> = w
        .rows("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")
        .await;
    assert_eq!(
        views,
        vec![("catalog_7001".into(),), ("catalog_7003".into(),)]
    );
    let state: Vec<(i64,)> = w
        .rows("SELECT COUNT(*) FROM element_pulls WHERE catalog_remote_id = 7002")
        .await;
    assert_eq!(state[0].0, 0);
}

#[tokio::test]
async fn status_shows_each_catalogs_elements_and_backlog() {
    let w = synced_shop().await;
    w.sql(&format!(
        "INSERT INTO catalog_{PRODUCTS} (name) VALUES ('Новинка')"
    ))
    .await;
    let status = w.store.status(5).await.unwrap();
    let products = status
        .elements
        .iter()
        .find(|e| e.catalog_remote_id == PRODUCTS)
        .unwrap();
    assert_eq!(products.catalog.as_deref(), Some("Товары"));
    assert_eq!(
        (products.in_account, products.desired, products.to_create),
        (12, 13, 1)
    );
    assert_eq!((products.backlog, products.open_conflicts), (0, 0));
    assert_eq!(status.elements.len(), 3);
}

#[tokio::test]
async fn a_pull_rewrites_only_the_mirror_rows_that_changed_and_drops_the_gone_ones() {
    let w = synced_shop().await;
    let mirror = || async {
        w.rows::<(i64, String, String)>(&format!(
            "SELECT id, name, pulled_at FROM remote_elements WHERE catalog_remote_id = {PRODUCTS} ORDER BY id"
        ))
        .await
    };
    let before = mirror().await;
    let kettle = w.element_named(PRODUCTS, KETTLE)["id"].as_i64().unwrap();
    let gone = before.last().unwrap().0;
    w.account.rename_element(kettle, "Чайник Bosch").unwrap();
    w.account.delete_element(gone).unwrap();
    w.run().await;
    let after = mirror().await;
    assert_eq!(
        after.len(),
        before.len() - 1,
        "the deleted element left the mirror"
    );
    for (id, name, pulled_at) in &after {
        let old = before.iter().find(|b| b.0 == *id).unwrap();
        if *id == kettle {
            assert_eq!(name, "Чайник Bosch");
            assert_ne!(pulled_at, &old.2, "a changed row is rewritten");
        } else {
            assert_eq!(pulled_at, &old.2, "row {id} was not rewritten");
        }
    }
}

#[tokio::test]
async fn plan_shows_element_changes_with_values_before_and_after_and_writes_nothing() {
    let w = synced_shop().await;
    w.sql(&format!(
        "UPDATE catalog_{PRODUCTS} SET \"Цена\" = 2590.5 WHERE name = '{KETTLE}';
         INSERT INTO catalog_{PRODUCTS} (name, \"Единица\") VALUES ('Лампа', 'шт');"
    ))
    .await;
    let plans = w.syncer().plan().await.unwrap();
    assert!(plans.has_changes());
    let products = plans
        .elements
        .iter()
        .find(|e| e.catalog_remote_id == Some(PRODUCTS))
        .unwrap();
    let update = products
        .plan
        .decisions
        .iter()
        .find(|d| d.name == KETTLE)
        .unwrap();
    let before = update.before.as_ref().unwrap();
    assert_eq!(before.values.get(&PRICE), Some(&json!(2490)), "{update:?}");
    assert_eq!(products.plan.pushes().count(), 2);
    assert_eq!(
        products.field_names.get(&PRICE).map(String::as_str),
        Some("Цена")
    );
    assert_eq!(w.element_writes(), 0);
    let rows: Vec<(i64,)> = w.rows("SELECT COUNT(*) FROM outbox").await;
    assert_eq!(rows[0].0, 0, "plan records nothing");
}
