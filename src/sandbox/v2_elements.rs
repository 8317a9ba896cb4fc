//! `POST /api/v2/catalog_elements`: the only documented way to delete elements (v4 has none).
//!
//! `{"delete":[ids]}` (numbers or numeric strings, any catalog); unknown ids come back inside the
//! 200 under `_embedded.errors.delete`, as the v2 catalog endpoint does. catalog-sync never adds
//! or updates elements through v2, so `add`/`update` are refused with a v2 400.

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::account::Account;
use super::batch::{self, id_of, key_of};
use super::log::V2_ELEMENTS_PATH;
use super::respond::{hal, links, v2_error};

pub fn routes() -> Router {
    Router::new().route(V2_ELEMENTS_PATH, post(change))
}

async fn change(account: Account, body: Bytes) -> Response {
    let batch = match batch::parse(&body) {
        Ok(batch) => batch,
        Err(message) => return v2_error(StatusCode::BAD_REQUEST, "400", &message),
    };
    if !batch.add.is_empty() || !batch.update.is_empty() {
        let message = "add and update of elements through API v2 are not supported by the sandbox; use API v4";
        return v2_error(StatusCode::BAD_REQUEST, "400", message);
    }
    let mut s = account.lock();
    let mut errors = Map::new();
    for raw in &batch.delete {
        let deleted = id_of(raw).is_some_and(|id| s.elements.delete(id));
        if !deleted {
            errors.insert(key_of(raw), json!("Element not found"));
        }
    }
    let mut embedded = Map::new();
    embedded.insert("items".into(), json!([]));
    if !errors.is_empty() {
        embedded.insert("errors".into(), json!({ "delete": errors }));
    }
    let body =
        json!({"_links": links(V2_ELEMENTS_PATH, "post"), "_embedded": Value::Object(embedded)});
    hal(body, s.numbers_as_strings)
}
