//! The amoCRM client against a wiremock account on loopback.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use catalog_sync::amocrm::{
    AddItem, ApiError, Batch, BatchOutcome, Client, ClientOptions, Credentials, ItemResult,
    UpdateItem,
};
use catalog_sync::catalog::Fields;
use catalog_sync::secret::Secret;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ItemResult::{Done, Failed, Unknown};

const TOKEN: &str = "tok-3f9a-must-never-be-printed";
const CATALOGS: &str = "/api/v2/catalogs";
const CAPTURED_LIST: &str = include_str!("fixtures/amocrm/v2-catalogs-GET-list-captured.json");
const DOCS_ADD: &str =
    include_str!("fixtures/amocrm/v2-catalogs-POST-add-response-docs-example.json");
const V2_401: &str = include_str!("fixtures/amocrm/v2-error-401-auth-code-110-captured.json");
const PROBLEM_244: &str =
    include_str!("fixtures/amocrm/v4-problem-json-400-code-244-captured.json");
const NGINX_403: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n\
    <center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

fn options(base_url: &str) -> ClientOptions {
    ClientOptions {
        base_url: base_url.parse().unwrap(),
        credentials: Credentials::Token(Secret::new(TOKEN)),
        timeout: Duration::from_secs(5),
        requests_per_second: 7,
        max_retries: 3,
        backoff_base: Duration::from_millis(1),
        shared_pace: None,
        observer: None,
    }
}

fn client(server: &MockServer) -> Client {
    Client::new(options(&server.uri())).unwrap()
}

/// A mock of `<verb> /api/v2/catalogs` answering `response`, expected exactly `times` times.
async fn expect(server: &MockServer, verb: &str, response: ResponseTemplate, times: u64) {
    Mock::given(method(verb))
        .and(path(CATALOGS))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

/// Like [`expect`], but the mock answers only once, so that a mock mounted after it takes over.
async fn expect_once_first(server: &MockServer, verb: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(CATALOGS))
        .respond_with(response)
        .up_to_n_times(1)
        .expect(1)
        .mount(server)
        .await;
}

fn json_body(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/hal+json")
}

fn add(request_id: i64, name: &str) -> AddItem {
    AddItem {
        request_id,
        fields: Fields::named(name),
    }
}

fn adds(request_ids: &[i64]) -> Batch {
    Batch {
        add: request_ids
            .iter()
            .map(|&r| add(r, &format!("new {r}")))
            .collect(),
        ..Batch::default()
    }
}

fn update(id: i64) -> UpdateItem {
    UpdateItem {
        id,
        fields: Fields::named(format!("renamed {id}")),
    }
}

async fn sent_bodies(server: &MockServer) -> Vec<Value> {
    let requests = server.received_requests().await.unwrap();
    requests.iter().map(|r| r.body_json().unwrap()).collect()
}

#[tokio::test]
async fn the_catalog_list_is_read_and_the_request_carries_token_accept_and_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CATALOGS))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .and(header(
            "user-agent",
            concat!("catalog-sync/", env!("CARGO_PKG_VERSION")),
        ))
        .respond_with(json_body(200, CAPTURED_LIST))
        .expect(1)
        .mount(&server)
        .await;
    let catalogs = client(&server).list_catalogs().await.unwrap();
    let names: Vec<_> = catalogs
        .iter()
        .map(|c| (c.id, c.fields.name.as_str()))
        .collect();
    assert_eq!(names, vec![(11271, "Товары"), (11273, "Мои юр. лица")]);
    assert_eq!(catalogs[1].fields.kind.as_deref(), Some("suppliers"));
}

#[tokio::test]
async fn a_204_means_the_account_has_no_catalogs() {
    let server = MockServer::start().await;
    expect(&server, "GET", ResponseTemplate::new(204), 1).await;
    assert_eq!(client(&server).list_catalogs().await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_mixed_batch_is_posted_as_one_exact_json_body() {
    let server = MockServer::start().await;
    expect(
        &server,
        "POST",
        json_body(
            200,
            r#"{"_embedded":{"items":[{"id":901,"request_id":3}]}}"#,
        ),
        1,
    )
    .await;
    let mut fields = Fields::named("Склады");
    fields.kind = Some("regular".into());
    fields.can_link_multiple = Some(false);
    fields.sort = Some(30);
    let batch = Batch {
        add: vec![AddItem {
            request_id: 3,
            fields,
        }],
        update: vec![update(4222)],
        delete: vec![2561, 2562],
    };
    let outcome = client(&server).post_catalogs(&batch).await.unwrap();
    assert_eq!(outcome.add, vec![Done(901)]);
    assert_eq!(outcome.update, vec![Done(())]);
    assert_eq!(outcome.delete, vec![Done(()), Done(())]);
    let expected = json!({
        "add": [{"name": "Склады", "type": "regular", "can_link_multiple": false, "request_id": 3}],
        "update": [{"id": 4222, "name": "renamed 4222"}],
        "delete": [2561, 2562]
    });
    assert_eq!(sent_bodies(&server).await, vec![expected.clone()]);
    assert_eq!(batch.to_json(), expected);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers["content-type"], "application/json");
}

#[tokio::test]
async fn adds_are_matched_by_echoed_request_id_in_shuffled_order() {
    let server = MockServer::start().await;
    let body = r#"{"_links":{},"_embedded":{"items":[{"id":503,"request_id":"12"},
                  {"id":501,"request_id":10},{"id":502,"request_id":11}]}}"#;
    expect(&server, "POST", json_body(200, body), 1).await;
    let outcome = client(&server)
        .post_catalogs(&adds(&[10, 11, 12]))
        .await
        .unwrap();
    assert_eq!(outcome.add, vec![Done(501), Done(502), Done(503)]);
    assert_eq!(outcome.body, body);
}

#[tokio::test]
async fn adds_are_matched_by_position_without_echo_skipping_a_failed_index() {
    let server = MockServer::start().await;
    let body = r#"{"_link":{},"_embedded":{"items":[{"id":700},{"id":702}],
                  "errors":{"add":{"1":"Превышено количество списков"}}}}"#;
    expect(&server, "POST", json_body(200, body), 1).await;
    let outcome = client(&server)
        .post_catalogs(&adds(&[40, 41, 42]))
        .await
        .unwrap();
    assert_eq!(
        outcome.add,
        vec![
            Done(700),
            Failed("Превышено количество списков".into()),
            Done(702)
        ]
    );
}

#[tokio::test]
async fn the_docs_add_answer_gives_the_single_add_its_id() {
    let server = MockServer::start().await;
    expect(&server, "POST", json_body(200, DOCS_ADD), 1).await;
    let outcome = client(&server).post_catalogs(&adds(&[0])).await.unwrap();
    assert_eq!(outcome.add, vec![Done(4223)]);
}

#[tokio::test]
async fn per_item_errors_fail_only_their_items() {
    let server = MockServer::start().await;
    let body = r#"{"_embedded":{"items":[{"id":800,"request_id":1}],"errors":{
                  "update":{"59144296":"Last modified date is older than in database"},
                  "delete":{"11271":"Каталог товаров нельзя удалить"}}}}"#;
    expect(&server, "POST", json_body(200, body), 1).await;
    let batch = Batch {
        add: vec![add(1, "a")],
        update: vec![update(59144296), update(4222)],
        delete: vec![11271, 5],
    };
    let outcome = client(&server).post_catalogs(&batch).await.unwrap();
    assert_eq!(outcome.add, vec![Done(800)]);
    assert_eq!(
        outcome.update,
        vec![
            Failed("Last modified date is older than in database".into()),
            Done(())
        ]
    );
    assert_eq!(
        outcome.delete,
        vec![Failed("Каталог товаров нельзя удалить".into()), Done(())]
    );
}

#[tokio::test]
async fn a_204_to_a_post_confirms_updates_and_deletes_but_leaves_adds_unknown() {
    let server = MockServer::start().await;
    expect(&server, "POST", ResponseTemplate::new(204), 1).await;
    let batch = Batch {
        add: vec![add(1, "a")],
        update: vec![update(9)],
        delete: vec![10],
    };
    let outcome = client(&server).post_catalogs(&batch).await.unwrap();
    let expected = BatchOutcome {
        add: vec![Unknown],
        update: vec![Done(())],
        delete: vec![Done(())],
        body: String::new(),
    };
    assert_eq!(outcome, expected);
}

#[tokio::test]
async fn an_empty_batch_sends_nothing() {
    let server = MockServer::start().await;
    expect(&server, "POST", ResponseTemplate::new(200), 0).await;
    let client = client(&server);
    assert_eq!(
        client.post_catalogs(&Batch::default()).await.unwrap(),
        BatchOutcome::default()
    );
    assert_eq!(client.requests_sent(), 0);
}

#[tokio::test]
async fn a_429_to_a_get_is_retried_and_the_list_then_read() {
    let server = MockServer::start().await;
    expect_once_first(&server, "GET", ResponseTemplate::new(429)).await;
    expect(&server, "GET", json_body(200, CAPTURED_LIST), 1).await;
    let client = client(&server);
    assert_eq!(client.list_catalogs().await.unwrap().len(), 2);
    assert_eq!(client.requests_sent(), 2);
}

#[tokio::test]
async fn a_429_to_a_post_is_retried_because_nothing_was_processed() {
    let server = MockServer::start().await;
    expect_once_first(&server, "POST", ResponseTemplate::new(429)).await;
    expect(&server, "POST", json_body(200, DOCS_ADD), 1).await;
    let outcome = client(&server).post_catalogs(&adds(&[0])).await.unwrap();
    assert_eq!(outcome.add, vec![Done(4223)]);
    let bodies = sent_bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1]);
}

#[tokio::test]
async fn a_500_to_a_get_is_retried() {
    let server = MockServer::start().await;
    expect_once_first(
        &server,
        "GET",
        ResponseTemplate::new(500).set_body_string("Internal Server Error"),
    )
    .await;
    expect(&server, "GET", json_body(200, CAPTURED_LIST), 1).await;
    assert_eq!(client(&server).list_catalogs().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_500_to_a_post_is_not_retried_and_may_have_been_applied() {
    let server = MockServer::start().await;
    expect(&server, "POST", ResponseTemplate::new(500), 1).await;
    let client = client(&server);
    let err = client.post_catalogs(&adds(&[0])).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.may_have_been_applied());
    assert_eq!(client.requests_sent(), 1);
}

#[tokio::test]
async fn a_timeout_on_a_post_is_not_retried_and_may_have_been_applied() {
    let server = MockServer::start().await;
    expect(
        &server,
        "POST",
        json_body(200, DOCS_ADD).set_delay(Duration::from_secs(2)),
        1,
    )
    .await;
    let mut options = options(&server.uri());
    options.timeout = Duration::from_millis(200);
    let err = Client::new(options)
        .unwrap()
        .post_catalogs(&adds(&[0]))
        .await
        .unwrap_err();
    assert_eq!(err, ApiError::Timeout);
    assert!(err.may_have_been_applied());
}

#[tokio::test]
async fn a_timeout_on_a_get_is_retried_until_the_retries_run_out() {
    let server = MockServer::start().await;
    expect(
        &server,
        "GET",
        json_body(200, CAPTURED_LIST).set_delay(Duration::from_secs(2)),
        2,
    )
    .await;
    let mut options = options(&server.uri());
    options.timeout = Duration::from_millis(200);
    options.max_retries = 1;
    let client = Client::new(options).unwrap();
    assert_eq!(client.list_catalogs().await.unwrap_err(), ApiError::Timeout);
    assert_eq!(client.requests_sent(), 2);
}

#[tokio::test]
async fn a_401_is_not_retried_and_says_to_check_the_token() {
    let server = MockServer::start().await;
    expect(&server, "GET", json_body(401, V2_401), 1).await;
    let err = client(&server).list_catalogs().await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("401") && text.contains("auth.token") && text.contains("error code 110"),
        "{text}"
    );
}

#[tokio::test]
async fn a_403_block_page_is_not_retried() {
    let server = MockServer::start().await;
    expect(
        &server,
        "GET",
        ResponseTemplate::new(403).set_body_raw(NGINX_403, "text/html"),
        1,
    )
    .await;
    let err = client(&server).list_catalogs().await.unwrap_err();
    assert_eq!(
        err,
        ApiError::Blocked {
            detail: "an HTML page titled \"403 Forbidden\"".into()
        }
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn missing_list_rights_are_reported_and_not_retried() {
    let server = MockServer::start().await;
    expect(&server, "GET", json_body(400, PROBLEM_244), 1).await;
    let err = client(&server).list_catalogs().await.unwrap_err();
    assert!(
        matches!(err, ApiError::ListsUnavailable { status: 400, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let server = MockServer::start().await;
    let elsewhere = format!("{}/elsewhere", server.uri());
    expect(
        &server,
        "GET",
        ResponseTemplate::new(301).insert_header("location", elsewhere.as_str()),
        1,
    )
    .await;
    Mock::given(path("/elsewhere"))
        .respond_with(json_body(200, CAPTURED_LIST))
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server).list_catalogs().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Rejected { status: 301, detail } if detail.contains("/elsewhere")),
        "{err:?}"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_before_the_next_attempt() {
    let server = MockServer::start().await;
    expect_once_first(
        &server,
        "GET",
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
    )
    .await;
    expect(&server, "GET", json_body(200, CAPTURED_LIST), 1).await;
    let start = Instant::now();
    client(&server).list_catalogs().await.unwrap();
    // The backoff alone would be about 1 ms (and the pace 143 ms).
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_too_long_to_wait_goes_back_to_the_caller_at_once() {
    let server = MockServer::start().await;
    expect(
        &server,
        "POST",
        ResponseTemplate::new(429).insert_header("retry-after", "3600"),
        1,
    )
    .await;
    let err = client(&server)
        .post_catalogs(&adds(&[0]))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(3600))
        }
    );
    assert!(!err.may_have_been_applied());
}

#[tokio::test]
async fn rate_limits_that_outlast_the_retries_end_as_rate_limited() {
    let server = MockServer::start().await;
    expect(&server, "GET", ResponseTemplate::new(429), 3).await;
    let mut options = options(&server.uri());
    options.max_retries = 2;
    let client = Client::new(options).unwrap();
    assert_eq!(
        client.list_catalogs().await.unwrap_err(),
        ApiError::RateLimited { retry_after: None }
    );
    assert_eq!(client.requests_sent(), 3);
}

#[tokio::test]
async fn requests_sent_counts_every_attempt_of_every_call() {
    let server = MockServer::start().await;
    expect_once_first(&server, "GET", ResponseTemplate::new(502)).await;
    expect_once_first(&server, "GET", ResponseTemplate::new(503)).await;
    expect(&server, "GET", ResponseTemplate::new(204), 1).await;
    expect_once_first(&server, "POST", ResponseTemplate::new(429)).await;
    expect(&server, "POST", ResponseTemplate::new(204), 1).await;
    let client = client(&server);
    client.list_catalogs().await.unwrap();
    assert_eq!(client.requests_sent(), 3);
    client
        .post_catalogs(&Batch {
            delete: vec![1],
            ..Batch::default()
        })
        .await
        .unwrap();
    assert_eq!(client.requests_sent(), 5);
}

#[tokio::test]
async fn a_body_over_4_mib_is_refused() {
    let server = MockServer::start().await;
    let huge = format!(
        r#"{{"_embedded":{{"items":[]}},"pad":"{}"}}"#,
        " ".repeat(4 * 1024 * 1024)
    );
    expect(&server, "GET", json_body(200, &huge), 1).await;
    let err = client(&server).list_catalogs().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::BadResponse { detail } if detail.contains("announces")),
        "{err:?}"
    );
}

/// Serves one response with a chunked body of `total` bytes, without a Content-Length, from a
/// plain thread: the limit must then be enforced while reading.
fn serve_chunked_once(total: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut head = [0u8; 4096];
        let _ = socket.read(&mut head);
        let chunk = vec![b' '; 64 * 1024];
        let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
            transfer-encoding: chunked\r\n\r\n"
            .to_vec();
        for _ in 0..total / chunk.len() {
            out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            out.extend_from_slice(&chunk);
            out.extend_from_slice(b"\r\n");
            if socket.write_all(&out).is_err() {
                return; // the client stopped reading, as it should
            }
            out.clear();
        }
        let _ = socket.write_all(b"0\r\n\r\n");
    });
    base
}

#[tokio::test]
async fn a_chunked_body_over_4_mib_is_refused_while_reading() {
    let base = serve_chunked_once(5 * 1024 * 1024);
    let err = Client::new(options(&base))
        .unwrap()
        .list_catalogs()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::BadResponse { detail } if detail.contains("longer than")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_a_bad_response() {
    let server = MockServer::start().await;
    expect(
        &server,
        "GET",
        ResponseTemplate::new(200).set_body_bytes(vec![b'{', 0xff, b'}']),
        1,
    )
    .await;
    let err = client(&server).list_catalogs().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::BadResponse { detail } if detail.contains("UTF-8")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_malformed_answer_to_a_post_is_in_doubt() {
    let server = MockServer::start().await;
    expect(
        &server,
        "POST",
        json_body(200, r#"{"_embedded":{"items":[{"id":1"#),
        1,
    )
    .await;
    let err = client(&server)
        .post_catalogs(&adds(&[0]))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::BadResponse { .. }), "{err:?}");
    assert!(err.may_have_been_applied());
}

#[tokio::test]
async fn an_unreachable_account_is_a_network_error_retried_for_a_get() {
    let base = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    }; // the listener is closed here: connections are refused
    let mut options = options(&base);
    options.max_retries = 1;
    let client = Client::new(options).unwrap();
    let err = client.list_catalogs().await.unwrap_err();
    assert!(matches!(err, ApiError::Network { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(client.requests_sent(), 2);
}

#[tokio::test]
async fn the_token_never_appears_in_any_error() {
    let server = MockServer::start().await;
    let echo = format!("Authorization: Bearer {TOKEN}");
    expect_once_first(
        &server,
        "GET",
        ResponseTemplate::new(401).set_body_string(echo.clone()),
    )
    .await;
    expect_once_first(
        &server,
        "GET",
        ResponseTemplate::new(400).set_body_string(echo.clone()),
    )
    .await;
    expect_once_first(
        &server,
        "GET",
        json_body(
            200,
            &format!(r#"{{"_embedded":{{"items":[{{"name":"{TOKEN}"}}]}}}}"#),
        ),
    )
    .await;
    expect(
        &server,
        "POST",
        ResponseTemplate::new(500).set_body_string(echo),
        1,
    )
    .await;
    let mut no_retries = options(&server.uri());
    no_retries.max_retries = 0;
    let client = Client::new(no_retries).unwrap();
    let mut errors = Vec::new();
    for _ in 0..3 {
        errors.push(client.list_catalogs().await.unwrap_err());
    }
    errors.push(client.post_catalogs(&adds(&[0])).await.unwrap_err());
    let unreachable = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    errors.push(
        Client::new(options(&unreachable))
            .unwrap()
            .list_catalogs()
            .await
            .unwrap_err(),
    );
    let mut bad_token = options(&server.uri());
    bad_token.credentials = Credentials::Token(Secret::new(format!("{TOKEN}\n")));
    errors.push(Client::new(bad_token).unwrap_err());
    assert_eq!(errors.len(), 6);
    for err in &errors {
        let printed = format!("{err} {err:?}");
        assert!(!printed.contains(TOKEN), "{printed}");
    }
    assert!(
        errors[0].to_string().contains("[redacted]"),
        "{}",
        errors[0]
    );
}
