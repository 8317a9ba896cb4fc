//! How catalogs reach the account, by `amocrm.api`:
//!
//! - `v2`: add, update and delete together in one `POST /api/v2/catalogs` per
//!   `sync.batch_size` items; the list read with one GET.
//! - `v4`: adds `POST /api/v4/catalogs`, updates `PATCH /api/v4/catalogs`, deletes still
//!   `POST /api/v2/catalogs` (v4 documents none; when v2 is gone the delete fails with what to
//!   do); the list read page by page.
//! - `auto`: v2 until the account answers a v2 request with 404 or 410, then v4 from that
//!   request on (the same run goes on through v4), remembered in `api_version`.

use std::sync::{Mutex, PoisonError};

use anyhow::Result;
use serde_json::{Value, json};
use tracing::warn;

use super::Syncer;
use super::kind::{Op, RequestKey, Sent, Transport, Work};
use crate::amocrm::{self, AddItem, ApiError, Batch, ItemResult, UpdateItem, Written};
use crate::catalog::{ApiVersion, Fields, RemoteCatalog};
use crate::reconcile::Push;
use crate::record::RemoteId;

/// What a delete gets when API v2 is gone: v4 has no delete for catalogs or elements.
pub(super) fn gone_delete(what: &str, e: &ApiError) -> String {
    format!(
        "not deleted: the account answered API v2 with {e}; API v4 has no delete for {what}s, \
         so delete the {what} in amoCRM (or put its desired row back)"
    )
}

/// The API version catalogs use in this run (`v2` or `v4`; `auto` resolved at run start).
#[derive(Debug)]
pub(super) struct CatalogApi(Mutex<ApiVersion>);

impl CatalogApi {
    pub fn new() -> CatalogApi {
        CatalogApi(Mutex::new(ApiVersion::V2))
    }

    pub fn get(&self) -> ApiVersion {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, api: ApiVersion) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = api;
    }
}

impl Syncer {
    /// Resolves `amocrm.api` for a run or a plan: `auto` starts on v4 if a switch is remembered.
    pub(super) async fn start_api(&self) -> Result<()> {
        let api = match self.options.api {
            ApiVersion::Auto if self.store.api_switch().await?.is_some() => ApiVersion::V4,
            ApiVersion::Auto | ApiVersion::V2 => ApiVersion::V2,
            ApiVersion::V4 => ApiVersion::V4,
        };
        self.api.set(api);
        Ok(())
    }

    /// With `auto`, a v2 request answered 404 or 410 moves catalogs to v4 for the rest of the
    /// run and, in a run (`run_id`), for good. Returns whether it did.
    async fn switch_to_v4(&self, run_id: Option<i64>, e: &ApiError) -> Result<bool> {
        if self.options.api != ApiVersion::Auto || !e.is_gone() || self.api.get() != ApiVersion::V2
        {
            return Ok(false);
        }
        self.api.set(ApiVersion::V4);
        if let Some(run_id) = run_id {
            self.store
                .record_api_switch(Some(run_id), &e.to_string())
                .await?;
            warn!(error = %e, "amoCRM answered API v2 with 404/410: catalogs go through API v4 from now on (remembered in api_version; DELETE FROM api_version goes back)");
        }
        Ok(true)
    }

    /// The account's catalogs, complete, through the API in use (switching if `auto` says so).
    pub(super) async fn pull_catalogs(&self, run_id: Option<i64>) -> Result<Vec<RemoteCatalog>> {
        if self.api.get() == ApiVersion::V4 {
            return Ok(self.client.list_catalogs_v4().await?);
        }
        match self.client.list_catalogs().await {
            Err(e) if self.switch_to_v4(run_id, &e).await? => {
                Ok(self.client.list_catalogs_v4().await?)
            }
            other => Ok(other?),
        }
    }

    pub(super) fn catalogs(&self, run_id: i64) -> Catalogs<'_> {
        Catalogs {
            syncer: self,
            run_id,
        }
    }
}

/// The catalogs' transport for one run.
pub(super) struct Catalogs<'a> {
    syncer: &'a Syncer,
    run_id: i64,
}

impl Catalogs<'_> {
    fn v4_item(&self, row_id: i64, push: &Push<Fields>) -> Value {
        let mut item = match push {
            Push::Add { fields, .. } => amocrm::catalog_add_item_v4(fields),
            Push::Update { id, fields } => amocrm::catalog_update_item_v4(*id, fields),
            Push::Delete { id } => return json!(id),
        };
        item["request_id"] = row_id.to_string().into();
        item
    }

    async fn send_v2(&self, chunk: &[Work<Fields>]) -> Result<Sent, ApiError> {
        let mut batch = Batch::default();
        for (row, op) in chunk {
            match op.push() {
                Push::Add { fields, .. } => batch.add.push(AddItem {
                    request_id: row.id,
                    fields: fields.clone(),
                }),
                Push::Update { id, fields } => batch.update.push(UpdateItem {
                    id: *id,
                    fields: fields.clone(),
                }),
                Push::Delete { id } => batch.delete.push(*id),
            }
        }
        let outcome = self.syncer.client.post_catalogs(&batch).await?;
        let (mut adds, mut updates, mut deletes) = (
            outcome.add.iter(),
            outcome.update.iter(),
            outcome.delete.iter(),
        );
        let items = chunk
            .iter()
            .map(|(_, op)| {
                let result = match op.push() {
                    Push::Add { .. } => adds.next().map(|r| r.clone().map(Some)),
                    Push::Update { .. } => updates.next().map(|r| r.clone().map(|()| None)),
                    Push::Delete { .. } => deletes.next().map(|r| r.clone().map(|()| None)),
                };
                result.unwrap_or(ItemResult::Unknown)
            })
            .collect();
        Ok(Sent {
            items,
            body: outcome.body,
        })
    }

    /// One v4 request per kind of operation in `chunk` (one kind, unless the run switched in
    /// the middle of a v2 chunk); deletes through v2.
    async fn send_v4(&self, chunk: &[Work<Fields>]) -> Result<Sent, ApiError> {
        let mut items = vec![ItemResult::Unknown; chunk.len()];
        let mut bodies = Vec::new();
        for op in ["delete", "update", "add"] {
            let part: Vec<usize> = (0..chunk.len()).filter(|&i| chunk[i].0.op == op).collect();
            if part.is_empty() {
                continue;
            }
            let written = self.send_v4_part(op, chunk, &part).await;
            let written = match written {
                Ok(w) => w,
                Err(e) if bodies.is_empty() => return Err(e),
                Err(e) => {
                    // An earlier part went through: this one's fate is all that is unknown.
                    let fate = if e.may_have_been_applied() {
                        ItemResult::Unknown
                    } else {
                        ItemResult::Failed(e.to_string())
                    };
                    for &i in &part {
                        items[i] = fate.clone();
                    }
                    continue;
                }
            };
            for (&i, r) in part.iter().zip(written.items) {
                items[i] = r.map(|id| (op == "add").then_some(id));
            }
            bodies.push(written.body);
        }
        Ok(Sent {
            items,
            body: bodies.join("\n"),
        })
    }

    async fn send_v4_part(
        &self,
        op: &str,
        chunk: &[Work<Fields>],
        part: &[usize],
    ) -> Result<Written, ApiError> {
        let client = &self.syncer.client;
        if op == "delete" {
            let ids: Vec<RemoteId> = part.iter().filter_map(|&i| chunk[i].0.remote_id).collect();
            let batch = Batch {
                delete: ids,
                ..Batch::default()
            };
            return match client.post_catalogs(&batch).await {
                Ok(outcome) => Ok(Written {
                    items: outcome.delete.into_iter().map(|r| r.map(|()| 0)).collect(),
                    status: 200,
                    body: outcome.body,
                }),
                Err(e) if e.is_gone() => Ok(Written {
                    items: vec![ItemResult::Failed(gone_delete("catalog", &e)); part.len()],
                    status: 0,
                    body: String::new(),
                }),
                Err(e) => Err(e),
            };
        }
        let mut items = Vec::with_capacity(part.len());
        for &i in part {
            let (row, work) = &chunk[i];
            let item = self.v4_item(row.id, work.push());
            if item != row.payload {
                // The run moved to v4 after this row was recorded for v2: record what is sent.
                let _ = self.syncer.store.set_payload(row.id, &item).await;
            }
            items.push(item);
        }
        match op {
            "add" => client.add_catalogs_v4(&items).await,
            _ => client.update_catalogs_v4(&items).await,
        }
    }
}

impl Transport<Fields> for Catalogs<'_> {
    fn batch_size(&self) -> usize {
        self.syncer.options.batch_size
    }

    fn request_key(&self, op: &Op<Fields>) -> RequestKey {
        match self.syncer.api.get() {
            ApiVersion::V4 => RequestKey::per_op(op.push(), None),
            _ => RequestKey::TOGETHER,
        }
    }

    fn payload(&self, op: &Op<Fields>) -> Result<Value, String> {
        if self.syncer.api.get() == ApiVersion::V4 {
            let mut item = self.v4_item(0, op.push());
            if item.get("request_id").is_some() {
                item["request_id"] = amocrm::REQUEST_ID_PLACEHOLDER.into();
            }
            return Ok(item);
        }
        Ok(match op.push() {
            Push::Add { fields, .. } => AddItem {
                request_id: 0,
                fields: fields.clone(),
            }
            .to_json(),
            Push::Update { id, fields } => UpdateItem {
                id: *id,
                fields: fields.clone(),
            }
            .to_json(),
            Push::Delete { id } => json!(id),
        })
    }

    async fn send(&self, _: RequestKey, chunk: &[Work<Fields>]) -> Result<Sent, ApiError> {
        if self.syncer.api.get() == ApiVersion::V4 {
            return self.send_v4(chunk).await;
        }
        match self.send_v2(chunk).await {
            Err(e) => {
                let switched = self.syncer.switch_to_v4(Some(self.run_id), &e).await;
                if switched.unwrap_or(false) {
                    // 404/410: v2 applied nothing, so this chunk goes out through v4 instead.
                    self.send_v4(chunk).await
                } else {
                    Err(e)
                }
            }
            sent => sent,
        }
    }

    async fn read_back(&self, _: &()) -> Result<Vec<RemoteCatalog>, ApiError> {
        if self.syncer.api.get() == ApiVersion::V4 {
            return self.syncer.client.list_catalogs_v4().await;
        }
        self.syncer.client.list_catalogs().await
    }
}
