//! Catalogs through API v4, and how a switched-off API v2 shows, against a wiremock account.

use std::time::Duration;

use catalog_sync::amocrm::{
    ApiError, Client, ClientOptions, Credentials, ItemResult, catalog_add_item_v4,
    catalog_update_item_v4,
};
use catalog_sync::catalog::Fields;
use catalog_sync::secret::Secret;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ItemResult::{Done, Unknown};

const CATALOGS: &str = "/api/v4/catalogs";
const LIST: &str = include_str!("fixtures/amocrm/v4-catalogs-GET-list-docs-example.json");
const ADDED: &str = include_str!("fixtures/amocrm/v4-catalogs-POST-add-response-docs-example.json");
const NOT_FOUND_HTML: &str =
    "<html><head><title>404 Not Found</title></head><body><h1>404</h1>nginx</body></html>";

fn client(server: &MockServer) -> Client {
    Client::new(ClientOptions {
        base_url: server.uri().parse().unwrap(),
        credentials: Credentials::Token(Secret::new("tok")),
        timeout: Duration::from_secs(5),
        requests_per_second: 7,
        max_retries: 3,
        backoff_base: Duration::from_millis(1),
        shared_pace: None,
        observer: None,
    })
    .unwrap()
}

fn hal(status: u16, body: impl ToString) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(body.to_string().into_bytes(), "application/hal+json")
}

async fn expect(server: &MockServer, verb: &str, at: &str, answer: ResponseTemplate, n: u64) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(answer)
        .expect(n)
        .mount(server)
        .await;
}

async fn sent_bodies(server: &MockServer) -> Vec<Value> {
    let requests = server.received_requests().await.unwrap();
    requests.iter().map(|r| r.body_json().unwrap()).collect()
}

#[tokio::test]
async fn the_v4_catalog_list_is_read_over_two_pages_with_updated_at() {
    let server = MockServer::start().await;
    let second = json!({"_page": 2, "_links": {"self": {"href": "x"}}, "_embedded": {"catalogs": [
        {"id": "4600", "name": "Склады", "type": "warehouses", "sort": "40", "updated_at": 1590742040000_i64}
    ]}});
    for (page, body) in [("1", hal(200, LIST)), ("2", hal(200, second))] {
        Mock::given(method("GET"))
            .and(path(CATALOGS))
            .and(query_param("page", page))
            .and(query_param("limit", "250"))
            .respond_with(body)
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let catalogs = client.list_catalogs_v4().await.unwrap();
    let ids: Vec<_> = catalogs.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![4589, 4521, 4517, 4600]);
    assert_eq!(catalogs[1].fields.kind.as_deref(), Some("products"));
    assert_eq!(catalogs[1].updated_at, Some(1590742040));
    assert_eq!(catalogs[3].fields.kind.as_deref(), Some("warehouses"));
    assert_eq!(
        (catalogs[3].fields.sort, catalogs[3].updated_at),
        (Some(40), Some(1590742040))
    );
    assert!(catalogs[0].raw_json.contains("can_be_deleted"));
    assert_eq!(client.requests_sent(), 2);
}

#[tokio::test]
async fn a_v4_account_without_catalogs_answers_204() {
    let server = MockServer::start().await;
    expect(&server, "GET", CATALOGS, ResponseTemplate::new(204), 1).await;
    assert_eq!(client(&server).list_catalogs_v4().await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_v4_add_is_an_array_and_its_echoed_request_id_gives_the_id() {
    let server = MockServer::start().await;
    expect(&server, "POST", CATALOGS, hal(200, ADDED), 1).await;
    let mut fields = Fields::named("Тестовый список");
    fields.kind = Some("regular".into());
    fields.sort = Some(10);
    let mut other = catalog_add_item_v4(&Fields::named("Другой"));
    other["request_id"] = json!("124");
    let mut item = catalog_add_item_v4(&fields);
    item["request_id"] = json!("123");
    let items = [other, item];
    let written = client(&server).add_catalogs_v4(&items).await.unwrap();
    assert_eq!(written.items, vec![Unknown, Done(5785)]);
    let expected = json!([{"name": "Другой", "request_id": "124"},
        {"name": "Тестовый список", "type": "regular", "request_id": "123"}]);
    assert_eq!(sent_bodies(&server).await, vec![expected]);
}

#[tokio::test]
async fn a_v4_update_is_a_patch_matched_by_id() {
    let server = MockServer::start().await;
    let answer = json!({"_embedded": {"catalogs": [{"id": 4589, "name": "Новое имя"}]}});
    expect(&server, "PATCH", CATALOGS, hal(200, answer), 1).await;
    let items = [catalog_update_item_v4(4589, &Fields::named("Новое имя"))];
    let written = client(&server).update_catalogs_v4(&items).await.unwrap();
    assert_eq!(written.items, vec![Done(4589)]);
    assert_eq!(
        sent_bodies(&server).await,
        vec![json!([{"id": 4589, "name": "Новое имя", "request_id": "0"}])]
    );
}

#[tokio::test]
async fn a_switched_off_v2_is_gone_whether_it_answers_html_json_or_nothing() {
    let problem = json!({"title": "Not Found", "type": "https://httpstatus.es/404",
        "status": 404, "detail": "Not Found"});
    let answers = [
        (
            404,
            ResponseTemplate::new(404).set_body_raw(NOT_FOUND_HTML, "text/html"),
        ),
        (404, hal(404, problem)),
        (404, ResponseTemplate::new(404)),
        (
            410,
            ResponseTemplate::new(410).set_body_raw(NOT_FOUND_HTML, "text/html"),
        ),
        (
            410,
            hal(
                410,
                json!({"response": {"error": "Gone", "error_code": "410"}}),
            ),
        ),
    ];
    for (status, answer) in answers {
        let server = MockServer::start().await;
        expect(&server, "GET", "/api/v2/catalogs", answer, 1).await;
        let err = client(&server).list_catalogs().await.unwrap_err();
        assert!(err.is_gone(), "{status}: {err:?}");
        assert!(
            matches!(err, ApiError::Rejected { status: s, .. } if s == status),
            "{err:?}"
        );
        assert!(err.to_string().contains("amocrm.api"), "{err}");
    }
}

#[tokio::test]
async fn a_v4_catalog_list_naming_one_id_twice_is_a_bad_response() {
    let server = MockServer::start().await;
    let body =
        json!({"_embedded": {"catalogs": [{"id": 1, "name": "a"}, {"id": "1", "name": "b"}]}});
    expect(&server, "GET", CATALOGS, hal(200, body), 1).await;
    let err = client(&server).list_catalogs_v4().await.unwrap_err();
    assert!(matches!(err, ApiError::BadResponse { .. }), "{err:?}");
}
