//! The control API under `/_sandbox/`: the [`Account`] methods over HTTP (JSON in and out), for
//! trying the daemon by hand. Exempt from auth, rate limits and faults.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::account::Account;
use super::faults::FaultRule;
use super::invalid::Validation400;

pub const CONTROL_PREFIX: &str = "/_sandbox/";

pub fn routes() -> Router {
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

/// The `{id}` of a path (named, so that the `{account}` of `/accounts/{account}/...` may sit
/// beside it).
#[derive(Deserialize)]
pub struct IdPath {
    pub id: i64,
}

/// `Ok` → 200 with the value, `Err` → `status` with `{"error": message}`.
pub(super) fn reply(result: Result<serde_json::Value, String>, status: StatusCode) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => (status, Json(json!({ "error": error }))).into_response(),
    }
}

pub(super) fn done() -> Response {
    Json(json!({"ok": true})).into_response()
}

async fn list(a: Account) -> Response {
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

async fn add(a: Account, Json(b): Json<NewCatalogBody>) -> Response {
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
    a: Account,
    Path(IdPath { id }): Path<IdPath>,
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

async fn remove(a: Account, Path(IdPath { id }): Path<IdPath>) -> Response {
    reply(
        a.delete_catalog(id).map(|()| json!({ "id": id })),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

async fn seed(a: Account) -> Response {
    a.seed_example_account();
    Json(a.catalogs()).into_response()
}

async fn faults(a: Account) -> Response {
    Json(a.pending_faults()).into_response()
}

async fn push_fault(a: Account, Json(fault): Json<FaultRule>) -> Response {
    a.push_fault(fault);
    done()
}

async fn clear_faults(a: Account) -> Response {
    a.clear_faults();
    done()
}

async fn requests(a: Account) -> Response {
    Json(a.requests()).into_response()
}

async fn clear_requests(a: Account) -> Response {
    a.clear_requests();
    done()
}

async fn counters(a: Account) -> Response {
    Json(a.counters()).into_response()
}

async fn settings(a: Account) -> Response {
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
    validation_400: Option<Validation400>,
    /// `null` switches v2 back on.
    #[serde(default, deserialize_with = "present")]
    v2_gone: Option<Option<u16>>,
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// 422 `{"error"}` (and nothing changed) when `v2_gone` is not 404, 410 or null.
async fn change_settings(a: Account, Json(b): Json<SettingsBody>) -> Response {
    if let Some(code) = b.v2_gone
        && let Err(e) = a.set_v2_gone(code)
    {
        return reply(Err(e), StatusCode::UNPROCESSABLE_ENTITY);
    }
    if let Some(mode) = b.validation_400 {
        a.set_validation_400(mode);
    }
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

async fn code(a: Account) -> Response {
    Json(json!({ "code": a.issue_authorization_code() })).into_response()
}

async fn expire_tokens(a: Account) -> Response {
    a.expire_access_tokens();
    done()
}

async fn expire_sessions(a: Account) -> Response {
    a.expire_sessions();
    done()
}

async fn unblock(a: Account) -> Response {
    a.unblock();
    done()
}

async fn status(a: Account) -> Response {
    Json(json!({
        "blocked": a.is_blocked(),
        "catalogs": a.catalogs().len(),
        "pending_faults": a.pending_faults().len(),
        "counters": a.counters(),
        "settings": a.settings(),
    }))
    .into_response()
}
