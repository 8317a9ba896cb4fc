//! Catalogs through API v4 (SPEC §9): the paged list, adds and updates as JSON arrays, and the
//! one way every v4 write is sent and its answer matched (elements use it too).

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::client::{Call, Client, redact};
use super::error::ApiError;
use super::paging::{PAGE_LIMIT, Pager};
use super::refusal::{embedded_errors, validation_errors};
use super::wire::{self, bad, elements, int, json_root, timestamp};
use super::written::{self, Answered, Op, Written, request_key};
use crate::catalog::RemoteCatalog;

const V4_CATALOGS: &str = "api/v4/catalogs";

impl Client {
    /// `GET /api/v4/catalogs?page=N&limit=250`, every page; 204 = no catalogs.
    pub async fn list_catalogs_v4(&self) -> Result<Vec<RemoteCatalog>, ApiError> {
        let mut pager = Pager::new(self, V4_CATALOGS.into(), "catalogs");
        let mut catalogs: Vec<RemoteCatalog> = Vec::new();
        let mut seen = HashSet::new();
        while let Some(page) = pager.next().await? {
            for item in &page.items {
                let mut catalog = wire::catalog(catalogs.len(), item)?;
                catalog.updated_at = item.get("updated_at").and_then(timestamp);
                if !seen.insert(catalog.id) {
                    return Err(bad(format!(
                        "catalog id {} appears twice in the list",
                        catalog.id
                    )));
                }
                catalogs.push(catalog);
            }
        }
        Ok(catalogs)
    }

    /// `POST /api/v4/catalogs` with a JSON array of [`catalog_add_item_v4`](super::catalog_add_item_v4)
    /// items. Matched by echoed `request_id`, else by position; see [`Written`].
    pub async fn add_catalogs_v4(&self, items: &[Value]) -> Result<Written, ApiError> {
        self.write_v4(Method::POST, V4_CATALOGS.into(), "catalogs", items)
            .await
    }

    /// `PATCH /api/v4/catalogs` with items carrying `id`; matched by `id`.
    pub async fn update_catalogs_v4(&self, items: &[Value]) -> Result<Written, ApiError> {
        self.write_v4(Method::PATCH, V4_CATALOGS.into(), "catalogs", items)
            .await
    }

    /// Sends one v4 write (POST = adds, PATCH = updates) and settles each item. A 400 with
    /// `validation-errors` naming items we sent is an answer, not an error: those items fail,
    /// the others are unknown (the API does not say whether they were applied).
    pub(crate) async fn write_v4(
        &self,
        method: Method,
        path: String,
        key: &'static str,
        items: &[Value],
    ) -> Result<Written, ApiError> {
        if items.is_empty() {
            return Ok(Written::default());
        }
        if items.len() > PAGE_LIMIT {
            return Err(ApiError::config(format!(
                "{} items in one request; amoCRM takes at most {PAGE_LIMIT} \
                 (sync.element_batch_size)",
                items.len()
            )));
        }
        let op = if method == Method::POST {
            Op::Add
        } else {
            Op::Update
        };
        let body = Value::Array(items.to_vec());
        let mut call = Call::write(method, path, &body);
        call.read_400 = true;
        let (reply, used) = self.exchange(&call).await?;
        let status = reply.status;
        let settled = if status == StatusCode::BAD_REQUEST {
            refused(op, items, &reply.body).ok_or_else(|| {
                let error = ApiError::from_status(status, reply.body.as_bytes(), None, None);
                redact(error, &used)
            })?
        } else if reply.body.trim().is_empty() {
            vec![super::ItemResult::Unknown; items.len()]
        } else {
            let root = json_root(status, &reply.body, "the answer to the write")
                .map_err(|e| redact(e, &used))?;
            written::settle(op, items, &answered(&root, key), &embedded_errors(&root))
        };
        Ok(Written {
            items: settled,
            status: status.as_u16(),
            body: reply.body,
        })
    }
}

/// The items of a 400: failed where `validation-errors` names them, unknown otherwise; `None`
/// when it names none of them (the whole request was refused).
fn refused(op: Op, items: &[Value], body: &str) -> Option<Vec<super::ItemResult<i64>>> {
    let errors = validation_errors(body)?;
    if !errors
        .iter()
        .any(|e| !written::named(op, items, &e.names).is_empty())
    {
        return None;
    }
    let mut results = vec![super::ItemResult::Unknown; items.len()];
    written::fail(op, items, &errors, &mut results);
    Some(results)
}

/// The records `_embedded.<key>` lists, with the `request_id` each echoes.
fn answered(root: &Value, key: &str) -> Vec<Answered> {
    root.get("_embedded")
        .and_then(|e| e.get(key))
        .and_then(elements)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|item| {
            let id = item.get("id").and_then(int).filter(|id| *id > 0);
            if id.is_none() {
                tracing::warn!(%item, "record without a usable id in the answer ignored");
            }
            Some(Answered {
                id: id?,
                request_id: item.get("request_id").and_then(request_key),
            })
        })
        .collect()
}
