//! The mirror's `raw_json` is the item as amoCRM sent it, keys in the order received.

use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::spawn_app;

#[tokio::test]
async fn remote_catalogs_raw_json_keeps_the_keys_in_the_order_received() {
    let app = spawn_app().await;
    // Keys in no sorted order, nested ones too, as an account may send them.
    let item = r#"{"name":"Goods","id":7,"type":"regular","sort":10,"_links":{"self":{"method":"get","href":"/api/v2/catalogs?id=7"}},"can_link_multiple":true,"can_add_elements":true,"created_by":1,"can_show_in_cards":false}"#;
    let body = format!(r#"{{"_embedded":{{"items":[{item}]}},"_links":{{}}}}"#);
    Mock::given(method("GET"))
        .and(path("/api/v2/catalogs"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .expect(1)
        .mount(&app.server)
        .await;

    let report = app.run().await;

    assert_eq!(report.counts.catalogs.pulled, 1, "{report:?}");
    let stored: (String,) = sqlx::query_as("SELECT raw_json FROM remote_catalogs")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(stored.0, item);
}
