//! The shapes of the account's answers: HAL JSON, the v2 error envelope, problem JSON and the
//! HTML pages nginx serves for 403 and 429.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::account::now_unix;

/// The account's host name as the v2 envelope reports it.
pub const DOMAIN: &str = "sandbox.amocrm.ru";

/// The nginx block page amoCRM serves to a blocked account or IP.
pub const FORBIDDEN_PAGE: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n\
<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// The short page that comes with a 429.
pub const TOO_MANY_PAGE: &str = "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n\
<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n\
</body>\r\n</html>\r\n";

/// `{"self":{"href":..,"method":..}}`
pub fn links(href: &str, method: &str) -> Value {
    json!({"self": {"href": href, "method": method}})
}

/// 200 with `application/hal+json`; with `numbers_as_strings` every number becomes a string.
pub fn hal(body: Value, numbers_as_strings: bool) -> Response {
    let body = if numbers_as_strings {
        stringify_numbers(body)
    } else {
        body
    };
    with_type(StatusCode::OK, "application/hal+json", body.to_string())
}

/// Replaces every JSON number (at any depth) by its decimal text; booleans and nulls stay.
pub fn stringify_numbers(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(stringify_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, stringify_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The v2 whole-request error: `{"response":{"error","error_code":"<string>",..}}`.
pub fn v2_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"response": {
        "error": message,
        "error_code": code,
        "ip": "127.0.0.1",
        "domain": DOMAIN,
        "server_time": now_unix(),
    }});
    with_type(status, "application/json", body.to_string())
}

/// The 401 every `/api/v2` request without valid credentials gets.
pub fn unauthorized() -> Response {
    v2_error(StatusCode::UNAUTHORIZED, "110", "Неверный логин или пароль")
}

/// Problem JSON as the OAuth endpoint answers it.
pub fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({
        "title": title,
        "type": "https://developers.amocrm.ru/v3/errors/OAuthProblemJson",
        "status": status.as_u16(),
        "detail": detail,
    });
    with_type(status, "application/problem+json", body.to_string())
}

/// Problem JSON as the v4 API answers a whole request it refuses (`type` names the status).
pub fn http_problem(status: StatusCode, detail: &str) -> Response {
    let body = json!({
        "title": status.canonical_reason().unwrap_or("Error"),
        "type": format!("https://httpstatus.es/{}", status.as_u16()),
        "status": status.as_u16(),
        "detail": detail,
    });
    with_type(status, "application/problem+json", body.to_string())
}

/// The v4 400 naming the refused items (see [`super::invalid::validation_body`]).
pub fn validation_failed(rejected: &[super::invalid::Rejected]) -> Response {
    let body = super::invalid::validation_body(rejected);
    with_type(
        StatusCode::BAD_REQUEST,
        "application/problem+json",
        body.to_string(),
    )
}

/// A v4 write body refused as a whole.
pub fn body_refused(refused: super::invalid::BodyRefused) -> Response {
    match refused {
        super::invalid::BodyRefused::Malformed(detail) => {
            http_problem(StatusCode::BAD_REQUEST, &detail)
        }
        super::invalid::BodyRefused::Invalid(r) => validation_failed(&[r]),
    }
}

/// The nginx page for a path the server no longer routes.
pub const NOT_FOUND_PAGE: &str = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n\
<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// What `/api/v2/...` answers once v2 is switched off. A 404 is what retiring the routes behind
/// nginx most plausibly looks like: nginx's HTML page, as for any unknown location. A 410 can
/// only be a deliberate notice from amoCRM's application, which speaks problem JSON in v4.
pub fn v2_gone(code: u16) -> Response {
    if code == 410 {
        return http_problem(
            StatusCode::GONE,
            "API v2 is no longer available; use API v4",
        );
    }
    with_type(
        StatusCode::NOT_FOUND,
        "text/html",
        NOT_FOUND_PAGE.to_string(),
    )
}

/// The 401 of a v4 request without valid credentials (the captured problem JSON).
pub fn unauthorized_v4() -> Response {
    http_problem(StatusCode::UNAUTHORIZED, "Неверный логин или пароль")
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn forbidden_page() -> Response {
    with_type(
        StatusCode::FORBIDDEN,
        "text/html",
        FORBIDDEN_PAGE.to_string(),
    )
}

pub fn too_many_page() -> Response {
    with_type(
        StatusCode::TOO_MANY_REQUESTS,
        "text/html",
        TOO_MANY_PAGE.to_string(),
    )
}

/// An arbitrary answer for a status fault.
pub fn raw(code: u16, body: String, content_type: Option<String>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = content_type.or_else(|| (!body.is_empty()).then(|| "text/html".into()));
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Some(ct) = content_type.and_then(|ct| ct.parse().ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    response
}

fn with_type(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_strings_at_any_depth_while_booleans_and_nulls_stay() {
        let v = json!({"id": 1, "a": [2.5, true, null, {"b": -3}], "s": "x"});
        let want = json!({"id": "1", "a": ["2.5", true, null, {"b": "-3"}], "s": "x"});
        assert_eq!(stringify_numbers(v), want);
    }
}
