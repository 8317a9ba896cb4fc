//! `amocrm.api = "v4"` writes: the bound per `batch_size`, deletes once v2 is gone, and
//! `validation-errors`.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use catalog_sync::sync::Outcome;

use super::helpers::TestApp;
use super::switch::GONE;
use super::{V2, V4, echo, one_page, outbox, v4_app};

/// A v4 app that adopted the documentation's three catalogs; the next act has no mocks.
async fn adopted() -> TestApp {
    let app = v4_app().await;
    app.answer("GET", V4, 200, Some(one_page()), 1).await;
    app.run().await;
    app.next_act().await;
    app
}

#[tokio::test]
async fn v4_batches_of_two_send_three_adds_and_three_updates_in_two_posts_and_two_patches() {
    let mut app = adopted().await;
    app.options.batch_size = 2;
    app.sql(
        "UPDATE desired_catalogs SET name = name || '!';
         INSERT INTO desired_catalogs (name) VALUES ('N1'), ('N2'), ('N3');",
    )
    .await;
    app.answer("GET", V4, 200, Some(one_page()), 1).await;
    echo(&app, "PATCH", 2).await;
    echo(&app, "POST", 2).await;
    app.answer("POST", V2, 200, None, 0).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Ok, "{report:?}");
    let c = &report.counts.catalogs;
    assert_eq!((c.added, c.updated), (3, 3));
    assert_eq!(report.counts.http_requests, 5, "1 GET + 2 PATCH + 2 POST");
}

#[tokio::test]
async fn in_v4_a_delete_answered_404_fails_every_delete_of_the_run_with_one_request() {
    let mut app = adopted().await;
    app.options.batch_size = 1;
    app.sql("DELETE FROM desired_catalogs WHERE remote_id IN (4589, 4517)")
        .await;
    app.answer("GET", V4, 200, Some(one_page()), 1).await;
    app.answer("POST", V2, 404, None, 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Partial, "{report:?}");
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), 2);
    for (op, state, error) in rows {
        assert_eq!((op.as_str(), state.as_str()), ("delete", "failed"));
        assert!(error.unwrap().contains(GONE));
    }
}

#[tokio::test]
async fn a_v4_validation_error_fails_the_named_add_and_the_other_is_read_back_and_sent_once_more() {
    let app = adopted().await;
    app.sql("INSERT INTO desired_catalogs (name) VALUES ('Первый'), ('Второй')")
        .await;
    // The pull, then the read-back after the 400 that said nothing of the second add.
    app.answer("GET", V4, 200, Some(one_page()), 2).await;
    let refused = json!({
        "title": "Bad Request", "status": 400, "detail": "Request validation failed",
        "validation-errors": [{"request_id": "1", "errors": [
            {"code": "NotUnique", "path": "name", "detail": "The name is taken."}]}]
    });
    Mock::given(method("POST"))
        .and(path(V4))
        .respond_with(ResponseTemplate::new(400).set_body_json(refused))
        .up_to_n_times(1)
        .expect(1)
        .mount(&app.server)
        .await;
    echo(&app, "POST", 1).await;
    let report = app.run().await;
    assert_eq!(report.outcome, Outcome::Partial, "{report:?}");
    assert_eq!(report.counts.catalogs.added, 1);
    assert_eq!(report.counts.http_requests, 4, "GET, POST, GET, POST");
    let posts = app.bodies("POST", V4).await;
    let names: Vec<Vec<&str>> = posts
        .iter()
        .map(|b| {
            let items = b.as_array().unwrap();
            items.iter().map(|i| i["name"].as_str().unwrap()).collect()
        })
        .collect();
    assert_eq!(names, vec![vec!["Первый", "Второй"], vec!["Второй"]]);
    let rows = outbox(&app).await;
    assert_eq!(rows[0].1, "failed");
    assert!(
        rows[0].2.as_deref().unwrap().contains("The name is taken"),
        "{rows:?}"
    );
    assert_eq!(rows[1].1, "done");
    assert_eq!(
        app.desired().await.last().unwrap(),
        &(Some(100), "Второй".to_owned())
    );
}
