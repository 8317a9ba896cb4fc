//! The control API under `/_sandbox/`: the [`Account`] methods over HTTP (JSON in and out), for
//! trying the daemon by hand. Exempt from auth, rate limits and faults.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::account::Account;
use super::faults::Fault;

pub const CONTROL_PREFIX: &str = "/_sandbox/";

pub fn routes() -> Router<Account> {
    Router::new()
        .route("/_sandbox/catalogs", get(list).post(add))
        .route("/_sandbox/catalogs/{id}", patch(change).delete(remove))
        .route("/_sandbox/seed", post(seed))
        .route(
            "/_sandbox/faults",
            get(faults).post(push_fault).delete(clear_faults),
        )
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/counters", get(counters))
        .route("/_sandbox/settings", get(settings).post(change_settings))
        .route("/_sandbox/oauth/code", post(code))
        .route("/_sandbox/oauth/expire", post(expire_tokens))
        .route("/_sandbox/sessions/expire", post(expire_sessions))
        .route("/_sandbox/unblock", post(unblock))
        .route("/_sandbox/status", get(status))
}

/// `Ok` → 200 with the value, `Err` → `status` with `{"error": message}`.
fn reply(result: Result<serde_json::Value, String>, status: StatusCode) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => (status, Json(json!({ "error": error }))).into_response(),
    }
}

fn done() -> Response {
    Json(json!({"ok": true})).into_response()
}

async fn list(State(a): State<Account>) -> Response {
    Json(a.catalogs()).into_response()
}

#[derive(Deserialize)]
struct NewCatalogBody {
    name: String,
    #[serde(rename = "type", default = "regular")]
    kind: String,
}

fn regular() -> String {
    "regular".into()
}

async fn add(State(a): State<Account>, Json(b): Json<NewCatalogBody>) -> Response {
    let result = a
        .add_catalog(&b.name, &b.kind)
        .map(|id| json!({ "id": id }));
    reply(result, StatusCode::UNPROCESSABLE_ENTITY)
}

#[derive(Deserialize)]
struct PatchBody {
    name: Option<String>,
    can_add_elements: Option<bool>,
    can_show_in_cards: Option<bool>,
    can_link_multiple: Option<bool>,
}

async fn change(
    State(a): State<Account>,
    Path(id): Path<i64>,
    Json(b): Json<PatchBody>,
) -> Response {
    let result = b
        .name
        .as_deref()
        .map_or(Ok(()), |name| a.rename_catalog(id, name))
        .and_then(|()| {
            a.set_flags(
                id,
                b.can_add_elements,
                b.can_show_in_cards,
                b.can_link_multiple,
            )
        })
        .map(|()| json!({ "id": id }));
    reply(result, StatusCode::UNPROCESSABLE_ENTITY)
}

async fn remove(State(a): State<Account>, Path(id): Path<i64>) -> Response {
    reply(
        a.delete_catalog(id).map(|()| json!({ "id": id })),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

async fn seed(State(a): State<Account>) -> Response {
    a.seed_example_account();
    Json(a.catalogs()).into_response()
}

async fn faults(State(a): State<Account>) -> Response {
    Json(a.pending_faults()).into_response()
}

async fn push_fault(State(a): State<Account>, Json(fault): Json<Fault>) -> Response {
    a.push_fault(fault);
    done()
}

async fn clear_faults(State(a): State<Account>) -> Response {
    a.clear_faults();
    done()
}

async fn requests(State(a): State<Account>) -> Response {
    Json(a.requests()).into_response()
}

async fn clear_requests(State(a): State<Account>) -> Response {
    a.clear_requests();
    done()
}

async fn counters(State(a): State<Account>) -> Response {
    Json(a.counters()).into_response()
}

async fn settings(State(a): State<Account>) -> Response {
    Json(a.settings()).into_response()
}

/// Every field optional; `rate_limit_per_second: null` turns the limit off (an absent field
/// leaves it alone).
#[derive(Deserialize)]
struct SettingsBody {
    echo_request_id: Option<bool>,
    numbers_as_strings: Option<bool>,
    max_catalogs: Option<usize>,
    #[serde(default, deserialize_with = "present")]
    rate_limit_per_second: Option<Option<u32>>,
    block_after_overruns: Option<u32>,
    block_seconds: Option<u64>,
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<u32>>, D::Error> {
    Option::<u32>::deserialize(d).map(Some)
}

async fn change_settings(State(a): State<Account>, Json(b): Json<SettingsBody>) -> Response {
    if let Some(on) = b.echo_request_id {
        a.set_echo_request_id(on);
    }
    if let Some(on) = b.numbers_as_strings {
        a.set_numbers_as_strings(on);
    }
    if let Some(n) = b.max_catalogs {
        a.set_max_catalogs(n);
    }
    if let Some(rate) = b.rate_limit_per_second {
        a.set_rate_limit(rate);
    }
    if b.block_after_overruns.is_some() || b.block_seconds.is_some() {
        let now = a.settings();
        a.set_block_policy(
            b.block_after_overruns.unwrap_or(now.block_after_overruns),
            b.block_seconds.unwrap_or(now.block_seconds),
        );
    }
    Json(a.settings()).into_response()
}

async fn code(State(a): State<Account>) -> Response {
    Json(json!({ "code": a.issue_authorization_code() })).into_response()
}

async fn expire_tokens(State(a): State<Account>) -> Response {
    a.expire_access_tokens();
    done()
}

async fn expire_sessions(State(a): State<Account>) -> Response {
    a.expire_sessions();
    done()
}

async fn unblock(State(a): State<Account>) -> Response {
    a.unblock();
    done()
}

async fn status(State(a): State<Account>) -> Response {
    Json(json!({
        "blocked": a.is_blocked(),
        "catalogs": a.catalogs().len(),
        "pending_faults": a.pending_faults().len(),
        "counters": a.counters(),
        "settings": a.settings(),
    }))
    .into_response()
}
