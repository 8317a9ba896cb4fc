//! A person's edit during a run beats the run's adoption, and then the run sends nothing for
//! that record: a push merged from the row as it was would move the base past the account's
//! value, and the next run would send the stale local value back over it.

use std::path::PathBuf;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use catalog_sync::store::Store;
use catalog_sync::sync::Outcome;

use super::{ELEMENTS, one_page};
use crate::helpers::{TestApp, item};

/// Answers the element page, after renaming the desired catalog through another connection,
/// as a person would in `sqlite3` while the run is between its merge and its adoption.
struct RenamesWhileAnswering {
    database: PathBuf,
}

impl Respond for RenamesWhileAnswering {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let database = self.database.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let store = Store::open(&database).await.unwrap();
                sqlx::query("UPDATE desired_catalogs SET name = 'Товары Б' WHERE remote_id = 4521")
                    .execute(store.pool())
                    .await
                    .unwrap();
                store.close().await;
            });
        })
        .join()
        .unwrap();
        ResponseTemplate::new(200).set_body_json(one_page())
    }
}

/// The catalog as the account shows it after someone ticked "show in cards" in amoCRM.
fn shown_in_cards() -> Value {
    let mut products = item(4521, "Товары");
    products["type"] = json!("products");
    products["can_show_in_cards"] = json!(true);
    products
}

#[tokio::test]
async fn an_adoption_lost_to_a_persons_edit_sends_nothing_and_the_next_run_keeps_both_edits() {
    let app = TestApp::elements_app().await;
    app.synced().await;
    app.sql("UPDATE desired_catalogs SET name = 'Товары А' WHERE remote_id = 4521")
        .await;

    // The run merges "rename locally, show in cards remotely"; the person renames again
    // before the run adopts the flag.
    app.account_has(&[shown_in_cards()], 1).await;
    Mock::given(method("GET"))
        .and(path(ELEMENTS))
        .respond_with(RenamesWhileAnswering {
            database: app.dir.path().join("catalog-sync.db"),
        })
        .expect(1)
        .mount(&app.server)
        .await;
    app.post_answers(json!({}), 0).await;
    let raced = app.run().await;
    assert_eq!(raced.counts.catalogs.adopted, 0, "{raced:?}");
    assert_eq!(raced.counts.catalogs.updated, 0, "{raced:?}");
    app.next_act().await;

    app.account_has(&[shown_in_cards()], 1).await;
    app.answer("GET", ELEMENTS, 200, Some(one_page()), 1).await;
    let updated = json!({"_embedded": {"items": [{"id": 4521}]}});
    app.post_answers(updated, 1).await;
    let next = app.run().await;
    assert_eq!(next.outcome, Outcome::Ok, "{next:?}");

    let posts = app.posts().await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    let update = &posts[0]["update"][0];
    assert_eq!(
        update["name"], "Товары Б",
        "the person's last name: {update}"
    );
    assert_ne!(
        update.get("can_show_in_cards"),
        Some(&json!(false)),
        "the account's flag is never sent back as it was: {update}"
    );
    let flag: Vec<(Option<i64>, String)> = app
        .query("SELECT can_show_in_cards, name FROM desired_catalogs WHERE remote_id = 4521")
        .await;
    assert_eq!(flag, vec![(Some(1), "Товары Б".to_owned())]);
}
