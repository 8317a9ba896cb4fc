//! Catalogs through API v4 (`amocrm.api = "v4"`) and the switch `auto` makes when the account
//! answers API v2 with 404 or 410: wiremock for the exact requests and bodies, the sandbox for
//! an account whose v2 is switched off.

mod helpers;
mod world;

#[path = "api_v4/in_doubt.rs"]
mod in_doubt;
#[path = "api_v4/status.rs"]
mod status;
#[path = "api_v4/support.rs"]
mod support;
#[path = "api_v4/switch.rs"]
mod switch;
#[path = "api_v4/writes.rs"]
mod writes;

use helpers::{TestApp, item, spawn_app};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use catalog_sync::catalog::ApiVersion;
use catalog_sync::sync::Outcome;
use support::{auto_app, catalogs, echo, outbox};
use world::World;

pub const V4: &str = "/api/v4/catalogs";
pub const V2: &str = "/api/v2/catalogs";
const LIST: &str = include_str!("fixtures/amocrm/v4-catalogs-GET-list-docs-example.json");

/// The documentation's list (3 catalogs: 4589, 4521, 4517) as the only page.
pub fn one_page() -> Value {
    let mut page: Value = serde_json::from_str(LIST).unwrap();
    page["_links"].as_object_mut().unwrap().remove("next");
    page
}

pub async fn v4_app() -> TestApp {
    let mut app = spawn_app().await;
    app.options.api = ApiVersion::V4;
    app.options.max_deletes = 3;
    app
}

#[tokio::test]
async fn v4_adopts_the_catalogs_page_by_page_and_a_run_in_sync_sends_one_get() {
    let app = v4_app().await;
    let mut first: Value = serde_json::from_str(LIST).unwrap();
    let last = first["_embedded"]["catalogs"]
        .as_array_mut()
        .unwrap()
        .pop()
        .unwrap();
    let second =
        json!({"_page": 2, "_links": {"self": {"href": "x"}}, "_embedded": {"catalogs": [last]}});
    for (page, body) in [("1", first), ("2", second)] {
        Mock::given(method("GET"))
            .and(path(V4))
            .and(query_param("page", page))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&app.server)
            .await;
    }
    app.answer("GET", V2, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(
        (report.counts.catalogs.adopted, report.counts.http_requests),
        (3, 2)
    );
    let updated: Vec<(Option<i64>,)> =
        sqlx::query_as("SELECT updated_at FROM remote_catalogs WHERE id = 4521")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        updated,
        vec![(Some(1590742040),)],
        "v4 says when a catalog changed"
    );
    app.next_act().await;

    app.answer("GET", V4, 200, Some(one_page()), 1).await;
    app.answer("POST", V4, 200, None, 0).await;
    app.answer("PATCH", V4, 200, None, 0).await;
    app.answer("POST", V2, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(report.counts.http_requests, 1);
    assert!(!report.plan.has_changes());
}

#[tokio::test]
async fn a_mixed_v4_run_sends_one_post_for_the_adds_one_patch_and_one_v2_delete() {
    let app = v4_app().await;
    app.answer("GET", V4, 200, Some(one_page()), 1).await;
    app.run().await;
    app.next_act().await;
    app.sql(
        "INSERT INTO desired_catalogs (name) VALUES ('Склады');
         UPDATE desired_catalogs SET name = 'Список' WHERE remote_id = 4589;
         DELETE FROM desired_catalogs WHERE remote_id = 4517;",
    )
    .await;
    app.answer("GET", V4, 200, Some(one_page()), 1).await;
    let created = json!({"_embedded": {"catalogs": [{"id": 4600}]}});
    app.answer("POST", V4, 200, Some(created), 1).await;
    let patched = json!({"_embedded": {"catalogs": [{"id": 4589}]}});
    app.answer("PATCH", V4, 200, Some(patched), 1).await;
    app.answer(
        "POST",
        V2,
        200,
        Some(json!({"_embedded": {"items": []}})),
        1,
    )
    .await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    let c = report.counts.catalogs;
    assert_eq!((c.added, c.updated, c.deleted), (1, 1, 1));
    assert_eq!(
        report.counts.http_requests, 4,
        "1 GET + 1 POST + 1 PATCH + 1 v2 delete"
    );
    let post = &app.bodies("POST", V4).await[0];
    let add_id = post[0]["request_id"].clone();
    assert!(add_id.is_string(), "a v4 request_id is a string: {post}");
    assert_eq!(
        post,
        &json!([{"name": "Склады", "type": "regular", "request_id": add_id}])
    );
    let patch = &app.bodies("PATCH", V4).await[0];
    assert_eq!(
        patch,
        &json!([{"id": 4589, "name": "Список", "request_id": patch[0]["request_id"]}])
    );
    assert_eq!(
        app.bodies("POST", V2).await,
        vec![json!({"delete": [4517]})]
    );
    assert_eq!(
        app.desired().await,
        vec![
            (Some(4521), "Товары".into()),
            (Some(4589), "Список".into()),
            (Some(4600), "Склады".into())
        ]
    );
}

#[tokio::test]
async fn auto_switches_within_the_run_that_met_a_404_and_sends_nothing_twice() {
    let mut app = spawn_app().await;
    app.options.api = ApiVersion::Auto;
    app.account_has(&[item(1, "Goods")], 1).await;
    app.run().await;
    app.next_act().await;

    app.sql("UPDATE desired_catalogs SET name = 'Wares' WHERE remote_id = 1")
        .await;
    app.account_has(&[item(1, "Goods")], 1).await;
    app.answer("POST", V2, 404, None, 1).await;
    let patched = json!({"_embedded": {"catalogs": [{"id": 1}]}});
    app.answer("PATCH", V4, 200, Some(patched), 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.catalogs.updated, 1);
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT state, payload FROM outbox")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        1,
        "one operation, sent once through each API: {rows:?}"
    );
    let payload: Value = serde_json::from_str(&rows[0].1).unwrap();
    assert_eq!(rows[0].0, "done");
    assert!(
        payload["request_id"].is_string(),
        "the payload says what v4 got: {payload}"
    );
    let switch = app.store.api_switch().await.unwrap().expect("remembered");
    assert!(switch.reason.contains("404"), "{switch:?}");
    app.next_act().await;

    app.answer("GET", V2, 200, None, 0).await;
    app.answer(
        "GET",
        V4,
        200,
        Some(json!({"_embedded": {"catalogs": [
        {"id": 1, "name": "Wares", "type": "regular", "sort": 10, "can_add_elements": true,
         "can_show_in_cards": false, "can_link_multiple": true}]}})),
        1,
    )
    .await;
    let report = app.run().await;
    assert_eq!(
        (report.outcome, report.counts.http_requests),
        (Outcome::Ok, 1)
    );
}

#[tokio::test]
async fn auto_meets_a_switched_off_v2_at_its_first_get_and_later_runs_start_on_v4() {
    let mut w = World::start().await;
    w.options.api = ApiVersion::Auto;
    w.account.seed_example_account();
    w.account.set_v2_gone(Some(404)).unwrap();
    let report = w.syncer().run_once("test").await.unwrap();
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    assert_eq!(report.counts.catalogs.adopted, 3);
    assert_eq!(w.account.count_at("GET", "/api/v2/"), 1);
    w.account.clear_requests();
    let report = w.syncer().run_once("test").await.unwrap();
    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(
        w.account.count_at("GET", "/api/v2/"),
        0,
        "no v2 request any more"
    );
    assert_eq!(w.account.count_at("GET", "/api/v4/catalogs"), 1);

    let config = w.dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[amocrm]\nbase_url = \"{}\"\napi = \"auto\"\n[auth]\ntoken = \"sandbox-token\"\n\
             [database]\npath = \"{}\"\n",
            w.sandbox.base_url(),
            w.dir.path().join("catalog-sync.db").display()
        ),
    )
    .unwrap();
    let status = helpers::catalog_sync(&config, &["status"]).await;
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("API:            v4 (amocrm.api = auto switched at"),
        "{text}"
    );
    let json = helpers::catalog_sync(&config, &["status", "--json"]).await;
    let parsed: Value = serde_json::from_slice(&json.stdout).unwrap();
    let api = &parsed["accounts"][0]["api"];
    assert_eq!(
        (api["configured"].as_str(), api["catalogs"].as_str()),
        (Some("auto"), Some("v4"))
    );
}

#[tokio::test]
async fn in_v4_a_delete_goes_through_v2_and_when_v2_is_gone_it_says_to_delete_in_amocrm() {
    let mut w = World::start().await;
    w.options.api = ApiVersion::V4;
    w.account.seed_example_account();
    w.syncer().run_once("test").await.unwrap();
    w.sql("DELETE FROM desired_catalogs WHERE name = 'Склады'")
        .await;
    w.account.set_v2_gone(Some(410)).unwrap();
    let report = w.syncer().run_once("test").await.unwrap();
    assert_eq!(report.outcome, Outcome::Partial, "{report:?}");
    let errors: Vec<(String,)> = w.rows("SELECT error FROM outbox WHERE op = 'delete'").await;
    assert!(
        errors[0].0.contains("delete the catalog in amoCRM"),
        "{errors:?}"
    );
    assert!(w.remote_names().contains(&"Склады".to_owned()));
    w.account.set_v2_gone(None).unwrap();
    let report = w.syncer().run_once("test").await.unwrap();
    assert_eq!(
        (report.outcome, report.counts.catalogs.deleted),
        (Outcome::Ok, 1)
    );
    assert!(!w.remote_names().contains(&"Склады".to_owned()));
}

#[tokio::test]
async fn a_v4_validation_error_fails_only_its_item_and_the_other_add_is_created_once() {
    let mut w = World::start().await;
    w.options.api = ApiVersion::V4;
    w.account.seed_example_account();
    w.account.set_max_catalogs(4);
    w.syncer().run_once("test").await.unwrap();
    w.sql("INSERT INTO desired_catalogs (name) VALUES ('Первый'), ('Второй')")
        .await;
    let report = w.syncer().run_once("test").await.unwrap();
    assert_eq!(report.outcome, Outcome::Partial, "{report:?}");
    assert_eq!(report.counts.catalogs.added, 1);
    let failed: Vec<(String,)> = w
        .rows("SELECT error FROM outbox WHERE state = 'failed' AND op = 'add'")
        .await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    let names = w.remote_names();
    assert_eq!(
        names
            .iter()
            .filter(|n| *n == "Первый" || *n == "Второй")
            .count(),
        1,
        "{names:?}"
    );
    w.syncer().run_once("test").await.unwrap();
    assert_eq!(w.remote_names().len(), 4, "never twice");
}
