//! Elements against a wiremock account: every request of a run asserted with `.expect(n)`, and
//! the exact bodies sent. The account is the products list of amoCRM's documentation example
//! (catalog 4521: SKU, price and group fields).

mod helpers;

#[path = "elements_wire/fields.rs"]
mod fields;
#[path = "elements_wire/race.rs"]
mod race;

use helpers::{TestApp, item, spawn_app};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use catalog_sync::sync::Outcome;

const ELEMENTS: &str = "/api/v4/catalogs/4521/elements";
const FIELDS: &str = "/api/v4/catalogs/4521/custom_fields";
const PAGE: &str = include_str!("fixtures/amocrm/v4-catalog-elements-GET-page-docs-example.json");

/// The fields of the documentation's example element.
fn field_list() -> Value {
    json!({"_page": 1, "_links": {"self": {"href": "/api/v4/catalogs/4521/custom_fields"}},
    "_embedded": {"custom_fields": [
        {"id": 271207, "name": "Артикул", "type": "text", "code": "SKU", "sort": 1,
         "is_required": false, "is_api_only": false, "enums": null, "catalog_id": 4521},
        {"id": 271211, "name": "Цена", "type": "numeric", "code": "PRICE", "sort": 2,
         "is_required": false, "is_api_only": false, "enums": null, "catalog_id": 4521},
        {"id": 271213, "name": "Группа", "type": "category", "code": "GROUP", "sort": 3,
         "is_required": false, "is_api_only": false, "enums": null, "catalog_id": 4521,
         "nested": [{"id": 10663, "parent_id": null, "value": "Телефоны", "sort": 0},
                    {"id": 10665, "parent_id": null, "value": "Планшеты", "sort": 1}]}
    ]}})
}

/// The documentation's page without its `next` link: the whole list.
fn one_page() -> Value {
    let mut page: Value = serde_json::from_str(PAGE).unwrap();
    page["_links"].as_object_mut().unwrap().remove("next");
    page
}

impl TestApp {
    async fn elements_app() -> TestApp {
        let mut app = spawn_app().await;
        app.options.elements = true;
        app
    }

    async fn account_lists(&self, times: u64) {
        let mut products = item(4521, "Товары");
        products["type"] = json!("products");
        self.account_has(&[products], times).await;
    }

    /// Synced once: the catalog, its one element, its fields.
    async fn synced(&self) {
        self.account_lists(1).await;
        self.answer("GET", ELEMENTS, 200, Some(one_page()), 1).await;
        self.answer("GET", FIELDS, 200, Some(field_list()), 1).await;
        let first = self.run().await;
        assert_eq!(first.outcome, Outcome::Ok, "{first:?}");
        self.next_act().await;
    }
}

#[tokio::test]
async fn the_first_run_adopts_elements_with_canonical_values_and_the_next_sends_only_the_bound() {
    let app = TestApp::elements_app().await;
    app.synced().await;
    let fields: Vec<(String, String)> = sqlx::query_as("SELECT name, fields FROM desired_elements")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    let values: Value = serde_json::from_str(&fields[0].1).unwrap();
    assert_eq!(fields[0].0, "Элемент");
    assert_eq!(
        values,
        json!({"271207": "dsg", "271211": 12, "271213": "Телефоны"}),
        "the price \"12\" is the number 12, the group its option's text"
    );

    app.account_lists(1).await;
    app.answer("GET", ELEMENTS, 200, Some(one_page()), 1).await;
    app.answer("GET", FIELDS, 200, Some(field_list()), 0).await;
    app.answer("POST", ELEMENTS, 200, None, 0).await;
    app.answer("PATCH", ELEMENTS, 200, None, 0).await;
    app.answer("POST", "/api/v2/catalog_elements", 200, None, 0)
        .await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(
        report.counts.http_requests, 2,
        "1 catalog GET + 1 element page"
    );
}

#[tokio::test]
async fn an_insert_an_update_and_a_delete_go_out_as_one_post_one_patch_and_one_v2_delete() {
    let app = TestApp::elements_app().await;
    app.synced().await;
    let mut second: Value = serde_json::from_str(PAGE).unwrap();
    second["_links"].as_object_mut().unwrap().remove("next");
    let mut gone = second["_embedded"]["elements"][0].clone();
    gone["id"] = json!(525440);
    gone["name"] = json!("Старый");
    second["_embedded"]["elements"]
        .as_array_mut()
        .unwrap()
        .push(gone);
    // The account gained an element (adopted), then the person edits one row, inserts one and
    // deletes the adopted one.
    app.account_lists(1).await;
    app.answer("GET", ELEMENTS, 200, Some(second.clone()), 1)
        .await;
    assert_eq!(app.run().await.counts.elements.adopted, 1);
    app.next_act().await;
    app.sql(
        "UPDATE desired_elements SET fields = json_set(fields, '$.\"271211\"', 15) WHERE remote_id = 525439;
         INSERT INTO desired_elements (desired_catalog_id, name, fields)
              SELECT id, 'Планшет', '{\"271213\": \"Планшеты\", \"271211\": \"199.90\"}' FROM desired_catalogs;
         DELETE FROM desired_elements WHERE remote_id = 525440;",
    )
    .await;

    app.account_lists(1).await;
    Mock::given(method("GET"))
        .and(path(ELEMENTS))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(second))
        .expect(1)
        .mount(&app.server)
        .await;
    let created = json!({"_embedded": {"elements": [{"id": 600001, "request_id": "0"}]}});
    app.answer("POST", ELEMENTS, 200, Some(created), 1).await;
    let updated = json!({"_embedded": {"elements": [{"id": 525439}]}});
    app.answer("PATCH", ELEMENTS, 200, Some(updated), 1).await;
    app.answer("POST", "/api/v2/catalog_elements", 204, None, 1)
        .await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    let c = report.counts.elements;
    assert_eq!((c.added, c.updated, c.deleted), (1, 1, 1));
    assert_eq!(report.counts.http_requests, 5);

    let patch = app.bodies("PATCH", ELEMENTS).await;
    let request_id = patch[0][0]["request_id"].clone();
    assert_eq!(
        patch[0],
        json!([{"id": 525439, "name": "Элемент", "request_id": request_id,
                "custom_fields_values": [{"field_id": 271211, "values": [{"value": 15}]}]}]),
        "only the changed field, plus the name"
    );
    let post = app.bodies("POST", ELEMENTS).await;
    assert_eq!(post[0][0]["name"], "Планшет");
    assert_eq!(
        post[0][0]["custom_fields_values"],
        json!([{"field_id": 271211, "values": [{"value": 199.9}]},
               {"field_id": 271213, "values": [{"enum_id": 10665}]}])
    );
    assert_eq!(
        app.bodies("POST", "/api/v2/catalog_elements").await,
        vec![json!({"delete": [525440]})]
    );
    let linked: Vec<(Option<i64>,)> =
        sqlx::query_as("SELECT remote_id FROM desired_elements WHERE name = 'Планшет'")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(linked, vec![(Some(600001),)]);
}

#[tokio::test]
async fn a_list_over_250_elements_is_read_page_by_page() {
    let app = TestApp::elements_app().await;
    let element =
        |id: i64| json!({"id": id, "name": format!("Товар {id}"), "custom_fields_values": null});
    let page = |ids: std::ops::Range<i64>, next: bool| {
        let mut links = json!({"self": {"href": "x"}});
        if next {
            links["next"] = json!({"href": "y"});
        }
        json!({"_page": 1, "_links": links, "_embedded": {"elements": ids.map(element).collect::<Vec<_>>()}})
    };
    app.account_lists(1).await;
    for (n, body) in [("1", page(1..251, true)), ("2", page(251..301, false))] {
        Mock::given(method("GET"))
            .and(path(ELEMENTS))
            .and(query_param("page", n))
            .and(query_param("limit", "250"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&app.server)
            .await;
    }
    app.answer("GET", FIELDS, 204, None, 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(
        (report.elements[0].pulled, report.elements[0].pages),
        (300, 2)
    );
    assert_eq!(report.counts.elements.adopted, 300);
}

#[tokio::test]
async fn a_catalog_without_elements_answers_204_and_nothing_more_is_asked() {
    let app = TestApp::elements_app().await;
    app.account_lists(1).await;
    app.answer("GET", ELEMENTS, 204, None, 1).await;
    app.answer("GET", FIELDS, 204, None, 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.http_requests, 3);
}

#[tokio::test]
async fn a_value_the_account_sends_that_cannot_be_read_is_never_taken_for_a_clear() {
    let app = TestApp::elements_app().await;
    app.synced().await;
    let mut odd = one_page();
    odd["_embedded"]["elements"][0]["custom_fields_values"][1]["values"] =
        json!([{"value": "n/a"}]);
    app.account_lists(1).await;
    app.answer("GET", ELEMENTS, 200, Some(odd), 1).await;
    app.answer("PATCH", ELEMENTS, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.elements.adopted, 0, "{report:?}");
    let price: Vec<(Option<i64>,)> = sqlx::query_as(
        "SELECT json_extract(fields, '$.\"271211\"') FROM desired_elements WHERE remote_id = 525439",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(price, vec![(Some(12),)], "the desired price stays");
}
