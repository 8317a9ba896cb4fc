//! A field list that lacks a field the elements still carry is not the field's deletion: no
//! value is dropped on the word of a short or empty answer.

use serde_json::{Value, json};

use super::{ELEMENTS, FIELDS, field_list, one_page};
use crate::helpers::TestApp;

async fn price(app: &TestApp) -> Vec<(Option<i64>, String)> {
    app.query(
        "SELECT json_extract(fields, '$.\"271211\"'), name FROM desired_elements \
         WHERE remote_id = 525439",
    )
    .await
}

#[tokio::test]
async fn a_field_list_without_a_field_the_elements_carry_drops_no_value() {
    let app = TestApp::elements_app().await;
    app.synced().await;
    app.sql("UPDATE element_pulls SET fields_pulled_at = '2000-01-01T00:00:00.000Z'")
        .await;
    let mut short: Value = field_list();
    short["_embedded"]["custom_fields"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["id"] != json!(271211));

    for list in [Some(short), None] {
        app.account_lists(1).await;
        app.answer("GET", ELEMENTS, 200, Some(one_page()), 1).await;
        let status = if list.is_some() { 200 } else { 204 };
        app.answer("GET", FIELDS, status, list, 1).await;
        app.run().await;
        app.next_act().await;
        assert_eq!(
            price(&app).await,
            vec![(Some(12), "Элемент".to_owned())],
            "the price stays while the account's element carries it"
        );
        let base: Vec<(Option<i64>, String)> = app
            .query(
                "SELECT json_extract(fields, '$.\"271211\"'), 'base' FROM synced_elements \
                 WHERE remote_id = 525439",
            )
            .await;
        assert_eq!(base, vec![(Some(12), "base".to_owned())]);
    }
}
