//! An in-doubt add whose recorded intent cannot be read is never guessed "not created".

use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use catalog_sync::sync::Outcome;

use super::V2;
use super::helpers::{item, list, spawn_app};

#[tokio::test]
async fn an_in_doubt_add_whose_intent_cannot_be_read_stops_the_run_and_is_not_sent_again() {
    let app = spawn_app().await;
    app.account_has(&[item(1, "Goods")], 1).await;
    app.run().await;
    app.next_act().await;

    app.sql("INSERT INTO desired_catalogs (name) VALUES ('New')")
        .await;
    Mock::given(method("GET"))
        .and(path(V2))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(&[item(1, "Goods")])))
        .up_to_n_times(1)
        .expect(1)
        .mount(&app.server)
        .await;
    app.answer("GET", V2, 401, None, 1).await;
    app.answer("POST", V2, 500, None, 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    let state = app.query("SELECT id, state FROM outbox").await;
    assert_eq!(state, vec![(Some(1), "in_doubt".to_owned())]);
    app.next_act().await;

    app.sql("UPDATE outbox SET intent = '\"unreadable\"'").await;
    app.account_has(&[item(1, "Goods")], 1).await;
    app.answer("POST", V2, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    let error = report.error.unwrap();
    assert!(
        error.contains("outbox row 1 (add of a catalog) is in doubt")
            && error.contains("nothing is sent"),
        "{error}"
    );
    let state = app.query("SELECT id, state FROM outbox").await;
    assert_eq!(state, vec![(Some(1), "in_doubt".to_owned())]);
}
