//! The element and custom field calls of the amoCRM client against a wiremock account.

mod helpers;

use catalog_sync::amocrm::{ApiError, Client, ItemResult, Progress, Written};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ItemResult::{Done, Failed, Unknown};
use helpers::{client_for, expect_at};

const ELEMENTS: &str = "/api/v4/catalogs/4521/elements";
const FIELDS: &str = "/api/v4/catalogs/11271/custom_fields";
const PAGE: &str = include_str!("fixtures/amocrm/v4-catalog-elements-GET-page-docs-example.json");
const POSTED: &str =
    include_str!("fixtures/amocrm/v4-catalog-elements-POST-response-captured.json");
const CUSTOM_FIELDS: &str =
    include_str!("fixtures/amocrm/v4-catalog-custom-fields-GET-captured-excerpt.json");
const INVALID: &str =
    include_str!("fixtures/amocrm/v4-validation-errors-400-custom-field-captured.json");
const PROBLEM_244: &str =
    include_str!("fixtures/amocrm/v4-problem-json-400-code-244-captured.json");
const ITEM_ERROR: &str =
    include_str!("fixtures/amocrm/v2-POST-per-item-error-contacts-update-captured.json");

fn hal(status: u16, body: impl ToString) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(body.to_string().into_bytes(), "application/hal+json")
}

async fn expect_page(server: &MockServer, page: u32, answer: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(ELEMENTS))
        .and(query_param("page", page.to_string()))
        .and(query_param("limit", "250"))
        .respond_with(answer)
        .expect(1)
        .mount(server)
        .await;
}

async fn sent_bodies(server: &MockServer) -> Vec<Value> {
    let requests = server.received_requests().await.unwrap();
    requests.iter().map(|r| r.body_json().unwrap()).collect()
}

fn elements_page(ids: std::ops::Range<i64>, next: bool) -> Value {
    let elements: Vec<Value> = ids
        .map(|id| json!({"id": id, "name": format!("e{id}"), "custom_fields_values": null}))
        .collect();
    let mut links = json!({"self": {"href": "x"}});
    if next {
        links["next"] = json!({"href": "https://elsewhere.example/next"});
    }
    json!({"_links": links, "_embedded": {"elements": elements}})
}

async fn pull(
    client: &Client,
) -> (
    Result<Vec<catalog_sync::element::RemoteElement>, ApiError>,
    Vec<Progress>,
) {
    let mut seen = Vec::new();
    let result = client.list_elements(4521, &mut |p| seen.push(p)).await;
    (result, seen)
}

#[tokio::test]
async fn elements_are_read_page_by_page_until_a_page_has_no_next() {
    let server = MockServer::start().await;
    expect_page(&server, 1, hal(200, elements_page(1..251, true))).await;
    expect_page(&server, 2, hal(200, elements_page(251..254, false))).await;
    let client = client_for(&server, "tok");
    let (elements, progress) = pull(&client).await;
    let elements = elements.unwrap();
    assert_eq!(elements.len(), 253);
    assert_eq!(elements[252].fields.name, "e253");
    assert!(elements.iter().all(|e| e.fields.values.is_empty()));
    let expected = [
        Progress {
            pages: 1,
            elements: 250,
            more: true,
        },
        Progress {
            pages: 2,
            elements: 253,
            more: false,
        },
    ];
    assert_eq!(progress, expected);
    assert_eq!(client.requests_sent(), 2);
}

#[tokio::test]
async fn a_204_is_a_catalog_without_elements() {
    let server = MockServer::start().await;
    expect_page(&server, 1, ResponseTemplate::new(204)).await;
    let (elements, progress) = pull(&client_for(&server, "tok")).await;
    assert_eq!(elements.unwrap(), vec![]);
    assert!(progress.is_empty());
}

#[tokio::test]
async fn the_docs_page_is_read_and_its_next_address_is_never_followed() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let page = PAGE.replace("https://example.amocrm.ru", &elsewhere.uri());
    Mock::given(method("GET"))
        .respond_with(hal(200, "{}"))
        .expect(0)
        .mount(&elsewhere)
        .await;
    expect_page(&server, 1, hal(200, page)).await;
    expect_page(&server, 2, ResponseTemplate::new(204)).await;
    let (elements, progress) = pull(&client_for(&server, "tok")).await;
    let elements = elements.unwrap();
    assert_eq!(elements.len(), 1);
    assert_eq!(elements[0].fields.values[&271211], json!(12));
    assert_eq!(elements[0].fields.values[&271213], json!("Телефоны"));
    assert_eq!(progress.len(), 1);
}

#[tokio::test]
async fn deleted_elements_are_left_out_and_odd_values_kept_in_raw_json() {
    let server = MockServer::start().await;
    let body = json!({"_embedded": {"elements": [
        {"id": "1", "name": "live", "is_deleted": null, "updated_at": "1590683336",
         "custom_fields_values": [
            {"field_id": 7, "field_type": "price", "values": [{"value": "999.12"}]},
            {"field_id": 8, "field_type": "legal_entity", "values": [{"value": {"inn": "7"}}]}],
         "future_field": {"x": 1}},
        {"id": 2, "name": "trash", "is_deleted": true},
        {"id": 3, "name": "kept", "is_deleted": false}
    ]}});
    expect_page(&server, 1, hal(200, &body)).await;
    let (elements, _) = pull(&client_for(&server, "tok")).await;
    let elements = elements.unwrap();
    assert_eq!(
        elements.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![1, 3]
    );
    let live = &elements[0];
    assert_eq!(live.updated_at, Some(1590683336));
    assert_eq!(live.fields.values[&7], json!(999.12));
    assert_eq!(live.fields.values[&8], json!([{"value": {"inn": "7"}}]));
    let raw: Value = serde_json::from_str(&live.raw_json).unwrap();
    assert_eq!(raw, body["_embedded"]["elements"][0]);
}

#[tokio::test]
async fn an_element_seen_twice_across_pages_is_a_bad_response() {
    let server = MockServer::start().await;
    expect_page(&server, 1, hal(200, elements_page(1..3, true))).await;
    expect_page(&server, 2, hal(200, elements_page(2..4, false))).await;
    let (elements, _) = pull(&client_for(&server, "tok")).await;
    let err = elements.unwrap_err();
    assert!(
        matches!(&err, ApiError::BadResponse { detail } if detail.contains("element 2")),
        "{err:?}"
    );
}

#[tokio::test]
async fn custom_fields_are_read_with_category_options_from_nested() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(FIELDS))
        .and(query_param("page", "1"))
        .and(query_param("limit", "250"))
        .respond_with(hal(200, CUSTOM_FIELDS))
        .expect(1)
        .mount(&server)
        .await;
    let defs = client_for(&server, "tok").list_fields(11271).await.unwrap();
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].kind.as_str(), "category");
    assert_eq!(defs[0].options[1].value, "testtest");
}

#[tokio::test]
async fn a_catalog_without_custom_fields_answers_204() {
    let server = MockServer::start().await;
    expect_at(&server, "GET", FIELDS, ResponseTemplate::new(204), 1).await;
    assert_eq!(
        client_for(&server, "tok").list_fields(11271).await.unwrap(),
        vec![]
    );
}

fn add(request_id: &str, name: &str) -> Value {
    json!({"name": name, "request_id": request_id})
}

#[tokio::test]
async fn the_captured_post_answer_gives_the_add_its_id_and_the_items_go_as_an_array() {
    let server = MockServer::start().await;
    expect_at(&server, "POST", ELEMENTS, hal(200, POSTED), 1).await;
    let items = [add("0", "PopugFields")];
    let written = client_for(&server, "tok")
        .add_elements(4521, &items)
        .await
        .unwrap();
    assert_eq!(
        written,
        Written {
            items: vec![Done(14229449)],
            status: 200,
            body: POSTED.into()
        }
    );
    assert_eq!(sent_bodies(&server).await, vec![json!(items)]);
}

#[tokio::test]
async fn adds_are_matched_by_request_id_as_strings_or_else_by_position() {
    let server = MockServer::start().await;
    let echoed = json!({"_embedded": {"elements": [
        {"id": 602, "request_id": 42}, {"id": 601, "request_id": "41 "}]}});
    let silent = json!({"_embedded": {"elements": [{"id": 701}, {"id": 702}]}});
    Mock::given(method("POST"))
        .and(path(ELEMENTS))
        .respond_with(hal(200, echoed))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    expect_at(&server, "POST", ELEMENTS, hal(200, silent), 1).await;
    let client = client_for(&server, "tok");
    let items = [add("41", "a"), add("42", "b")];
    assert_eq!(
        client.add_elements(4521, &items).await.unwrap().items,
        vec![Done(601), Done(602)]
    );
    assert_eq!(
        client.add_elements(4521, &items).await.unwrap().items,
        vec![Done(701), Done(702)]
    );
}

#[tokio::test]
async fn validation_errors_fail_the_items_they_name_and_leave_the_others_unknown() {
    let server = MockServer::start().await;
    expect_at(&server, "POST", ELEMENTS, hal(400, INVALID), 1).await;
    let client = client_for(&server, "tok");
    let written = client
        .add_elements(4521, &[add("0", "bad"), add("1", "fine")])
        .await
        .unwrap();
    let message = "custom_fields_values.6.values.0.value: The value you selected is not a valid \
                   choice. (NotSupportedChoice)";
    assert_eq!(written.items, vec![Failed(message.into()), Unknown]);
    assert_eq!((written.status, written.body.as_str()), (400, INVALID));
    assert_eq!(client.requests_sent(), 1);
}

#[tokio::test]
async fn a_400_that_names_no_item_sent_is_an_error_that_may_have_been_applied() {
    let server = MockServer::start().await;
    let plain =
        json!({"title": "Bad Request", "status": 400, "detail": "Request validation failed"});
    let Value::Object(mut other) = serde_json::from_str::<Value>(INVALID).unwrap() else {
        unreachable!()
    };
    other["validation-errors"][0]["request_id"] = json!("99");
    for body in [plain, Value::Object(other)] {
        Mock::given(method("PATCH"))
            .and(path(ELEMENTS))
            .respond_with(hal(400, body))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client_for(&server, "tok");
    let item = [json!({"id": 5, "name": "a", "request_id": "0"})];
    for _ in 0..2 {
        let err = client.update_elements(4521, &item).await.unwrap_err();
        assert!(
            matches!(err, ApiError::Rejected { status: 400, .. }),
            "{err:?}"
        );
        assert!(
            err.may_have_been_applied(),
            "the items are read back, not failed"
        );
        assert!(!err.to_string().contains("catalog data"), "{err}");
    }
}

#[tokio::test]
async fn no_list_rights_in_a_400_stay_an_error() {
    let server = MockServer::start().await;
    expect_at(&server, "POST", ELEMENTS, hal(400, PROBLEM_244), 1).await;
    let err = client_for(&server, "tok")
        .add_elements(4521, &[add("0", "a")])
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::ListsUnavailable { status: 400, .. }),
        "{err:?}"
    );
    assert!(
        !err.may_have_been_applied(),
        "lists are off: nothing was done"
    );
}

#[tokio::test]
async fn updates_are_matched_by_id_and_embedded_errors_fail_theirs() {
    let server = MockServer::start().await;
    let answer = json!({"_embedded": {"elements": [{"id": 7}],
        "errors": [{"id": 9, "detail": "Element not found"}]}});
    expect_at(&server, "PATCH", ELEMENTS, hal(200, answer), 1).await;
    let items: Vec<Value> = [7, 8, 9]
        .iter()
        .map(|id| json!({"id": id, "name": "x", "request_id": "0"}))
        .collect();
    let written = client_for(&server, "tok")
        .update_elements(4521, &items)
        .await
        .unwrap();
    assert_eq!(
        written.items,
        vec![Done(7), Unknown, Failed("Element not found".into())]
    );
    assert_eq!(sent_bodies(&server).await, vec![json!(items)]);
}

#[tokio::test]
async fn a_5xx_to_a_patch_is_not_retried_and_may_have_been_applied() {
    let server = MockServer::start().await;
    expect_at(&server, "PATCH", ELEMENTS, ResponseTemplate::new(502), 1).await;
    let client = client_for(&server, "tok");
    let err = client
        .update_elements(4521, &[json!({"id": 1, "name": "a"})])
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Server { status: 502, .. }),
        "{err:?}"
    );
    assert!(err.may_have_been_applied());
    assert_eq!(client.requests_sent(), 1);
}

#[tokio::test]
async fn a_429_to_a_patch_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(ELEMENTS))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    expect_at(
        &server,
        "PATCH",
        ELEMENTS,
        hal(200, json!({"_embedded": {"elements": [{"id": 1}]}})),
        1,
    )
    .await;
    let client = client_for(&server, "tok");
    let written = client
        .update_elements(4521, &[json!({"id": 1, "name": "a"})])
        .await
        .unwrap();
    assert_eq!(written.items, vec![Done(1)]);
    assert_eq!(client.requests_sent(), 2);
}

#[tokio::test]
async fn nothing_is_sent_for_no_items() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client_for(&server, "tok");
    assert_eq!(
        client.add_elements(1, &[]).await.unwrap(),
        Written::default()
    );
    assert_eq!(
        client.update_elements(1, &[]).await.unwrap(),
        Written::default()
    );
    assert_eq!(
        client.delete_elements(&[]).await.unwrap(),
        Written::default()
    );
}

#[tokio::test]
async fn the_v2_delete_fails_the_ids_its_errors_name_and_confirms_the_rest() {
    let server = MockServer::start().await;
    let answer = ITEM_ERROR.replace("\"update\"", "\"delete\"");
    expect_at(
        &server,
        "POST",
        "/api/v2/catalog_elements",
        hal(200, &answer),
        1,
    )
    .await;
    let written = client_for(&server, "tok")
        .delete_elements(&[59144296, 5])
        .await
        .unwrap();
    assert_eq!(
        written.items,
        vec![
            Failed("Last modified date is older than in database".into()),
            Done(5)
        ]
    );
    assert_eq!(
        sent_bodies(&server).await,
        vec![json!({"delete": [59144296, 5]})]
    );
}

#[tokio::test]
async fn a_v2_delete_answered_204_confirms_every_id_and_a_404_is_gone() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/catalog_elements"))
        .respond_with(ResponseTemplate::new(204))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    expect_at(
        &server,
        "POST",
        "/api/v2/catalog_elements",
        ResponseTemplate::new(404),
        1,
    )
    .await;
    let client = client_for(&server, "tok");
    assert_eq!(
        client.delete_elements(&[1, 2]).await.unwrap().items,
        vec![Done(1), Done(2)]
    );
    let err = client.delete_elements(&[3]).await.unwrap_err();
    assert!(err.is_gone(), "{err:?}");
}

/// The sync layer runs pulls and writes on a multi-threaded runtime: the futures must be Send.
#[allow(dead_code)]
fn the_calls_can_run_on_any_thread(client: &Client, progress: &mut (dyn FnMut(Progress) + Send)) {
    fn send<T: Send>(_: T) {}
    send(client.list_elements(1, progress));
    send(client.list_fields(1));
    send(client.add_elements(1, &[]));
    send(client.update_elements(1, &[]));
    send(client.delete_elements(&[]));
    send(client.list_catalogs_v4());
    send(client.add_catalogs_v4(&[]));
    send(client.update_catalogs_v4(&[]));
}
