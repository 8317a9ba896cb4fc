//! The two ways to get credentials: `POST /oauth2/access_token` and the legacy
//! `POST /private/api/auth.php?type=json`.

use std::collections::HashMap;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::account::{Account, now_unix};
use super::auth::{OAuthError, TokenRequest};
use super::respond::{problem, v2_error};

pub const OAUTH_PATH: &str = "/oauth2/access_token";
pub const LEGACY_PATH: &str = "/private/api/auth.php";

pub fn routes() -> Router {
    Router::new()
        .route(OAUTH_PATH, post(access_token))
        .route(LEGACY_PATH, post(legacy_login).get(legacy_login))
}

async fn access_token(account: Account, headers: HeaderMap, body: Bytes) -> Response {
    let Some(fields) = body_fields(&headers, &body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Некорректный запрос",
            "the body must be a JSON object",
        );
    };
    let field = |k: &str| fields.get(k).cloned();
    let req = TokenRequest {
        client_id: field("client_id"),
        client_secret: field("client_secret"),
        grant_type: field("grant_type"),
        code: field("code"),
        refresh_token: field("refresh_token"),
        redirect_uri: field("redirect_uri"),
    };
    let result = account.lock().auth.token(&req, Instant::now());
    match result {
        Ok(pair) => {
            let mut body = serde_json::to_value(pair).expect("a token pair serialises");
            body["server_time"] = json!(now_unix());
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            match e {
                OAuthError::InvalidClient => problem(
                    status,
                    "Некорректный клиент",
                    "Авторизация клиента не прошла",
                ),
                OAuthError::BadRequest(detail) => problem(status, "Некорректный запрос", &detail),
            }
        }
    }
}

/// Checks `USER_LOGIN` and `USER_HASH` (form, JSON or query) and opens a 15-minute session.
async fn legacy_login(
    account: Account,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut fields = query;
    fields.extend(body_fields(&headers, &body).unwrap_or_default());
    let login = fields.get("USER_LOGIN").map_or("", String::as_str);
    let key = fields.get("USER_HASH").map_or("", String::as_str);
    let session = account.lock().auth.login(login, key, Instant::now());
    let Some(session) = session else {
        return v2_error(StatusCode::UNAUTHORIZED, "110", "Неверный логин или пароль");
    };
    let body = json!({"response": {"auth": true, "server_time": now_unix()}});
    let cookie = format!("session_id={session}; path=/");
    (
        StatusCode::OK,
        [(header::SET_COOKIE, cookie)],
        axum::Json(body),
    )
        .into_response()
}

/// The fields of a form-encoded or JSON body; `None` when it is neither. JSON numbers and
/// booleans are read as their text.
fn body_fields(headers: &HeaderMap, body: &[u8]) -> Option<HashMap<String, String>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Some(form_fields(&String::from_utf8_lossy(body)));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some(HashMap::new());
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    let text = |v: Value| match v {
        Value::String(s) => Some(s),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    Some(
        map.into_iter()
            .filter_map(|(k, v)| Some((k, text(v)?)))
            .collect(),
    )
}

/// Decodes `application/x-www-form-urlencoded` text.
fn form_fields(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_decode_plus_and_percent_escapes() {
        let f = form_fields("USER_LOGIN=me%40example.com&USER_HASH=a+b%2Fc&flag&bad=%zz");
        assert_eq!(f["USER_LOGIN"], "me@example.com");
        assert_eq!(f["USER_HASH"], "a b/c");
        assert_eq!(f["flag"], "");
        assert_eq!(f["bad"], "%zz");
    }

    #[test]
    fn json_bodies_give_their_scalar_fields_as_text() {
        let headers = HeaderMap::new();
        let f = body_fields(&headers, br#"{"a":"x","n":5,"o":{}}"#).unwrap();
        assert_eq!((f["a"].as_str(), f["n"].as_str()), ("x", "5"));
        assert!(!f.contains_key("o"));
        assert!(body_fields(&headers, b"{oops").is_none());
    }
}
