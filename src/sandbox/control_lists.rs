//! The control API for fields and elements: the [`Account`] methods of `lists.rs` over HTTP,
//! as a person in the UI would act (no auth, limits or faults). Refusals answer 422 `{"error"}`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::account::Account;
use super::control::{IdPath, reply};
use super::fields::NewField;

pub fn routes() -> Router {
    Router::new()
        .route(
            "/_sandbox/catalogs/{id}/fields",
            get(fields).post(add_field),
        )
        .route(
            "/_sandbox/catalogs/{id}/elements",
            get(elements).post(add_element),
        )
        .route("/_sandbox/catalogs/{id}/elements/bulk", post(bulk))
        .route(
            "/_sandbox/elements/{id}",
            patch(rename).delete(remove).get(element),
        )
        .route(
            "/_sandbox/elements/{id}/values/{field_id}",
            put(set_value).delete(clear_value),
        )
}

const REFUSED: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

#[derive(Deserialize)]
struct ValuePath {
    id: i64,
    field_id: i64,
}

#[derive(Deserialize)]
struct NameBody {
    name: String,
}

#[derive(Deserialize)]
struct BulkBody {
    n: usize,
}

async fn fields(a: Account, Path(IdPath { id }): Path<IdPath>) -> Response {
    Json(a.fields(id)).into_response()
}

async fn add_field(
    a: Account,
    Path(IdPath { id }): Path<IdPath>,
    Json(b): Json<NewField>,
) -> Response {
    reply(a.add_field(id, b).map(|id| json!({ "id": id })), REFUSED)
}

async fn elements(a: Account, Path(IdPath { id }): Path<IdPath>) -> Response {
    Json(a.elements(id)).into_response()
}

async fn add_element(
    a: Account,
    Path(IdPath { id }): Path<IdPath>,
    Json(b): Json<NameBody>,
) -> Response {
    reply(
        a.add_element(id, &b.name).map(|id| json!({ "id": id })),
        REFUSED,
    )
}

/// `{"n"}` elements at once → `{"count", "first_id", "last_id"}`.
async fn bulk(a: Account, Path(IdPath { id }): Path<IdPath>, Json(b): Json<BulkBody>) -> Response {
    let result = a
        .seed_elements(id, b.n)
        .map(|ids| json!({"count": ids.len(), "first_id": ids.first(), "last_id": ids.last()}));
    reply(result, REFUSED)
}

async fn element(a: Account, Path(IdPath { id }): Path<IdPath>) -> Response {
    match a.element(id) {
        Some(e) => Json(e).into_response(),
        None => reply(
            Err(format!("element {id} not found")),
            StatusCode::NOT_FOUND,
        ),
    }
}

async fn rename(
    a: Account,
    Path(IdPath { id }): Path<IdPath>,
    Json(b): Json<NameBody>,
) -> Response {
    reply(
        a.rename_element(id, &b.name).map(|()| json!({ "id": id })),
        REFUSED,
    )
}

async fn remove(a: Account, Path(IdPath { id }): Path<IdPath>) -> Response {
    reply(a.delete_element(id).map(|()| json!({ "id": id })), REFUSED)
}

/// The body is the value as typed (`"1290.50"`, `true`, `["Белый","Чёрный"]`) or the API's
/// write form; `null` clears. Answers the element as it now is.
async fn set_value(a: Account, Path(p): Path<ValuePath>, Json(value): Json<Value>) -> Response {
    let result = a.set_element_value(p.id, p.field_id, value);
    changed(&a, p.id, result)
}

async fn clear_value(a: Account, Path(p): Path<ValuePath>) -> Response {
    let result = a.clear_element_value(p.id, p.field_id);
    changed(&a, p.id, result)
}

/// The element as it now is, or the refusal.
fn changed(a: &Account, id: i64, result: Result<(), String>) -> Response {
    let now = result.and_then(|()| {
        a.element(id)
            .ok_or_else(|| format!("element {id} not found"))
    });
    reply(now, REFUSED)
}
