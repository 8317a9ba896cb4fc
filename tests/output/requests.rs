//! The requests `plan` says a sync would send are the ones the outbox groups: through API v2
//! every catalog write shares the POSTs, through v4 adds, updates and deletes are separate
//! requests, each split by `sync.batch_size`.

use std::path::PathBuf;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{TOKEN, TestApp, catalog_sync, item, spawn_app};

/// A configuration for this app's account through `api`, two items a request.
fn config(app: &TestApp, api: &str) -> PathBuf {
    let path = app.dir.path().join(format!("{api}.toml"));
    let text = format!(
        "[amocrm]\nbase_url = \"{}\"\napi = \"{api}\"\n[auth]\ntoken = \"{TOKEN}\"\n\
         [database]\npath = \"{}\"\n[sync]\nbatch_size = 2\n",
        app.server.uri(),
        app.dir.path().join("catalog-sync.db").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The account's three catalogs, listed `v2` times through API v2 and `v4` times through v4.
async fn account_lists(app: &TestApp, v2: u64, v4: u64) {
    let items = [item(1, "Goods"), item(2, "Old"), item(3, "Stays")];
    app.account_has(&items, v2).await;
    let page = json!({"_page": 1, "_links": {"self": {"href": "/api/v4/catalogs"}},
        "_embedded": {"catalogs": items}});
    Mock::given(method("GET"))
        .and(path("/api/v4/catalogs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(v4)
        .mount(&app.server)
        .await;
}

#[tokio::test]
async fn plan_counts_a_mixed_change_as_the_run_would_send_it_through_v2_and_v4() {
    let app = spawn_app().await;
    account_lists(&app, 1, 0).await;
    app.run().await;
    app.next_act().await;
    // Three adds, one update, one delete.
    app.sql("UPDATE desired_catalogs SET name = 'Wares' WHERE remote_id = 1")
        .await;
    app.sql("DELETE FROM desired_catalogs WHERE remote_id = 2")
        .await;
    app.sql("INSERT INTO desired_catalogs (name) VALUES ('A'), ('B'), ('C')")
        .await;
    account_lists(&app, 2, 2).await;
    app.post_answers(json!({}), 0).await;

    let mut seen = Vec::new();
    for api in ["v2", "v4"] {
        let cfg = config(&app, api);
        let text = catalog_sync(&cfg, &["plan"]).await;
        let as_json = catalog_sync(&cfg, &["plan", "--json"]).await;
        assert_eq!(as_json.status.code(), Some(0), "{as_json:?}");
        let document: Value = serde_json::from_slice(&as_json.stdout).unwrap();
        seen.push((String::from_utf8_lossy(&text.stdout).into_owned(), document));
    }

    let (v2_text, v2) = &seen[0];
    assert!(
        v2_text.contains("To send to the account (1 GET + 3 POST)"),
        "ceil(5 / 2) POSTs: {v2_text}"
    );
    let v2 = &v2["accounts"][0];
    assert_eq!(v2["api"], "v2");
    assert_eq!(v2["requests"], json!({"get": 1, "post": 3}));
    let (v4_text, v4) = &seen[1];
    assert!(
        v4_text.contains(
            "To send to the account (1+ GET (one per 250 catalogs) + 4 writes (POST adds, \
             PATCH updates, v2 POST deletes) through API v4)"
        ),
        "2 POSTs for 3 adds, 1 PATCH, 1 delete: {v4_text}"
    );
    let v4 = &v4["accounts"][0];
    assert_eq!(v4["api"], "v4");
    assert_eq!(v4["requests"], json!({"get": 1, "post": 4}));
    let actions = |plan: &Value| -> Vec<String> {
        let mut all: Vec<String> = plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["action"].as_str().unwrap().to_owned())
            .collect();
        all.sort();
        all
    };
    assert_eq!(actions(v2), ["add", "add", "add", "delete", "update"]);
    assert_eq!(actions(v2), actions(v4));
}
