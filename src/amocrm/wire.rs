//! Wire types: the bodies amoCRM sends, read tolerantly, and their conversion into domain types.
//!
//! Every field may be absent, numbers may come as numeric strings, flags as `0`/`1`, timestamps
//! in milliseconds, lists as JSON objects (PHP arrays with keys). Unknown fields are ignored.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use super::detail::{error_json, truncate};
use super::error::ApiError;
use crate::catalog::{Fields, RemoteCatalog, RemoteId};

/// Above this a timestamp is in milliseconds: 10^11 seconds is the year 5138.
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// Unix seconds, from seconds or milliseconds, as a number or numeric string.
pub(crate) fn timestamp(v: &Value) -> Option<i64> {
    int(v).map(|t| if t > MILLIS_THRESHOLD { t / 1000 } else { t })
}

/// An integer, from a JSON number or a numeric string.
pub(crate) fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A flag, from `true`/`false`, `0`/`1`, or a string of any of them.
pub(crate) use crate::element::canon::flag;

/// A text, from a JSON string or a number (a name made only of digits may lose its quotes).
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The elements of a list that PHP may have encoded as an array or as an object with keys.
pub(crate) fn elements(v: &Value) -> Option<Vec<&Value>> {
    match v {
        Value::Array(a) => Some(a.iter().collect()),
        Value::Object(o) => Some(o.values().collect()),
        _ => None,
    }
}

/// One catalog of `GET /api/v2/catalogs`, every field as it came.
#[derive(Debug, Default, Deserialize)]
struct WireCatalog {
    id: Option<Value>,
    name: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<Value>,
    can_add_elements: Option<Value>,
    can_show_in_cards: Option<Value>,
    can_link_multiple: Option<Value>,
    sort: Option<Value>,
    created_by: Option<Value>,
    created_at: Option<Value>,
}

/// Reads the body of a `GET /api/v2/catalogs` answered with 200.
pub(crate) fn parse_catalog_list(
    status: StatusCode,
    body: &str,
) -> Result<Vec<RemoteCatalog>, ApiError> {
    if body.trim().is_empty() {
        return Err(bad(format!(
            "an empty body with status {status} where the list of catalogs was expected"
        )));
    }
    let root = json_root(status, body, "the list of catalogs")?;
    let items = root
        .pointer("/_embedded/items")
        .and_then(elements)
        .ok_or_else(|| {
            bad(format!(
                "no _embedded.items in the list of catalogs: {body}"
            ))
        })?;
    let catalogs: Vec<RemoteCatalog> = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| catalog(index, item))
        .collect::<Result<_, _>>()?;
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = catalogs.iter().find(|c| !seen.insert(c.id)) {
        return Err(bad(format!(
            "catalog id {} appears twice in the list",
            twice.id
        )));
    }
    Ok(catalogs)
}

/// One catalog item (of either API version) as a domain catalog; `updated_at` is left unknown.
/// `raw_json` keeps the keys in the order received (serde_json's `preserve_order`).
pub(crate) fn catalog(index: usize, item: &Value) -> Result<RemoteCatalog, ApiError> {
    let raw_json = item.to_string();
    let wire: WireCatalog = serde_json::from_value(item.clone()).map_err(|e| {
        bad(format!(
            "catalog #{index} is not an object ({e}): {raw_json}"
        ))
    })?;
    let id = wire
        .id
        .as_ref()
        .and_then(int)
        .filter(|id| *id > 0)
        .ok_or_else(|| bad(format!("catalog #{index} has no usable id: {raw_json}")))?;
    let name = wire.name.as_ref().and_then(text).ok_or_else(|| {
        bad(format!(
            "catalog #{index} (id {id}) has no name: {raw_json}"
        ))
    })?;
    let created_at = optional(id, "created_at", &wire.created_at, timestamp);
    Ok(RemoteCatalog {
        id,
        fields: Fields {
            name,
            kind: optional(id, "type", &wire.kind, text),
            can_add_elements: optional(id, "can_add_elements", &wire.can_add_elements, flag),
            can_show_in_cards: optional(id, "can_show_in_cards", &wire.can_show_in_cards, flag),
            can_link_multiple: optional(id, "can_link_multiple", &wire.can_link_multiple, flag),
            sort: optional(id, "sort", &wire.sort, int),
        },
        created_by: optional(id, "created_by", &wire.created_by, int),
        created_at,
        updated_at: None,
        raw_json,
    })
}

/// An optional field: absent or null is `None`; a value of an unreadable shape is `None` too
/// (the merge treats `None` as unknown), with a warning so that the shape gets noticed.
pub(crate) fn optional<T>(
    id: RemoteId,
    field: &str,
    v: &Option<Value>,
    read: fn(&Value) -> Option<T>,
) -> Option<T> {
    let v = v.as_ref()?;
    let read = read(v);
    if read.is_none() {
        tracing::warn!(catalog = id, field, value = %v, "unreadable field treated as unknown");
    }
    read
}

/// The parts of a `POST /api/v2/catalogs` answer that say how each item fared.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PostReply {
    /// `_embedded.items[]`, in the order received.
    pub items: Vec<ReplyItem>,
    pub errors: ReplyErrors,
}

/// One entry of `_embedded.items[]`.
#[derive(Debug, PartialEq)]
pub(crate) struct ReplyItem {
    pub id: RemoteId,
    pub request_id: Option<i64>,
}

/// `_embedded.errors.{add|update|delete}`: (key as sent, message) pairs. A key is an index into
/// the sent array or an id; an error list sent as a JSON array is keyed by position.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ReplyErrors {
    pub add: Vec<(String, String)>,
    pub update: Vec<(String, String)>,
    pub delete: Vec<(String, String)>,
}

/// Reads the body of a `POST /api/v2/catalogs` answered with 2xx and a non-empty body.
pub(crate) fn parse_post_reply(status: StatusCode, body: &str) -> Result<PostReply, ApiError> {
    let root = json_root(status, body, "the answer to the POST")?;
    let embedded = root.get("_embedded");
    let items = embedded
        .and_then(|e| e.get("items"))
        .and_then(elements)
        .unwrap_or_default()
        .into_iter()
        .filter_map(reply_item)
        .collect();
    let errors = embedded.and_then(|e| e.get("errors"));
    let keyed = |op: &str| {
        errors
            .and_then(|e| e.get(op))
            .map(keyed_messages)
            .unwrap_or_default()
    };
    Ok(PostReply {
        items,
        errors: ReplyErrors {
            add: keyed("add"),
            update: keyed("update"),
            delete: keyed("delete"),
        },
    })
}

fn reply_item(item: &Value) -> Option<ReplyItem> {
    let Some(id) = item.get("id").and_then(int).filter(|id| *id > 0) else {
        tracing::warn!(item = %item, "item without a usable id in the answer to a POST ignored");
        return None;
    };
    let request_id = item.get("request_id").and_then(int);
    Some(ReplyItem { id, request_id })
}

/// `{"<key>": message}` (or a list, keyed by position) as (key, message text) pairs.
pub(crate) fn keyed_messages(v: &Value) -> Vec<(String, String)> {
    let message = |m: &Value| match m {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match v {
        Value::Object(o) => o.iter().map(|(k, m)| (k.clone(), message(m))).collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, m)| (i.to_string(), message(m)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Parses a 2xx body, turning an error envelope sent with 2xx into the error it announces.
pub(crate) fn json_root(status: StatusCode, body: &str, what: &str) -> Result<Value, ApiError> {
    let root: Value =
        serde_json::from_str(body).map_err(|e| bad(format!("{what} is not valid JSON ({e})")))?;
    if root.get("_embedded").is_none()
        && let Some(envelope) = error_json(&root)
    {
        return Err(ApiError::from_envelope(status, envelope));
    }
    Ok(root)
}

/// A body we cannot read; the detail is cut to a readable length (it may quote the body).
pub(crate) fn bad(detail: impl AsRef<str>) -> ApiError {
    ApiError::BadResponse {
        detail: truncate(detail.as_ref()),
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
