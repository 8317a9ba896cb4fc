//! How catalogs reach the account, by `amocrm.api`:
//!
//! - `v2`: add, update and delete together in one `POST /api/v2/catalogs` per
//!   `sync.batch_size` items; the list read with one GET.
//! - `v4`: adds `POST /api/v4/catalogs`, updates `PATCH /api/v4/catalogs`, deletes still
//!   `POST /api/v2/catalogs` (v4 documents none; when v2 is gone the delete fails with what to
//!   do, and no later delete of the run is sent); the list read page by page.
//! - `auto`: v2 until the account answers a v2 request with 404 or 410, then v4 from that
//!   request on (the same run goes on through v4). The switch is remembered in `api_version`
//!   once v4 has answered: a 404 that v4 gives too (a wrong address) is not a switched-off v2.

mod run_api;

use anyhow::Result;
use serde_json::{Value, json};
use tracing::warn;

use super::Syncer;
use super::kind::{Op, RequestKey, Sent, Transport, Work};
use crate::amocrm::{self, AddItem, ApiError, Batch, ItemResult, UpdateItem};
use crate::catalog::{ApiVersion, Fields, RemoteCatalog};
use crate::reconcile::Push;
use crate::record::RemoteId;
pub(super) use run_api::CatalogApi;

/// What a delete gets when API v2 is gone: v4 has no delete for catalogs or elements.
pub(super) fn gone_delete(what: &str, e: &ApiError) -> String {
    format!(
        "not deleted: the account answered API v2 with {e}; API v4 has no delete for {what}s, \
         so delete the {what} in amoCRM (or put its desired row back)"
    )
}

impl Syncer {
    /// Resolves `amocrm.api` for a run or a plan: `auto` starts on v4 if a switch is remembered.
    pub(super) async fn start_api(&self) -> Result<()> {
        let api = match self.options.api {
            ApiVersion::Auto if self.store.api_switch().await?.is_some() => ApiVersion::V4,
            ApiVersion::Auto | ApiVersion::V2 => ApiVersion::V2,
            ApiVersion::V4 => ApiVersion::V4,
        };
        self.api.start(api);
        Ok(())
    }

    /// With `auto`, a v2 request answered 404 or 410 moves catalogs to v4 for the rest of the
    /// run (see [`remember_switch`](Syncer::remember_switch) for later runs). Returns whether
    /// it did.
    fn switch_to_v4(&self, e: &ApiError) -> bool {
        self.options.api == ApiVersion::Auto && e.is_gone() && self.api.switch(e)
    }

    /// Remembers the run's switch to v4 (the `api_version` row, and the log line) once v4 has
    /// answered a request of the run; until then it holds for this run only.
    pub(super) async fn remember_switch(&self, run_id: i64) -> Result<()> {
        let Some(reason) = self.api.to_remember() else {
            return Ok(());
        };
        self.store.record_api_switch(Some(run_id), &reason).await?;
        self.api.remembered();
        warn!(error = %reason, "amoCRM answered API v2 with 404/410: catalogs go through API v4 from now on (remembered in api_version; DELETE FROM api_version goes back)");
        Ok(())
    }

    /// The account's catalogs, complete, through the API in use (switching if `auto` says so).
    /// A plan (`run_id` = `None`) remembers nothing.
    pub(super) async fn pull_catalogs(&self, run_id: Option<i64>) -> Result<Vec<RemoteCatalog>> {
        if self.api.get() == ApiVersion::V2 {
            match self.client.list_catalogs().await {
                Err(e) if self.switch_to_v4(&e) => {}
                other => return Ok(other?),
            }
        }
        let catalogs = self.client.list_catalogs_v4().await?;
        self.api.v4_answered();
        if let Some(run_id) = run_id {
            self.remember_switch(run_id).await?;
        }
        Ok(catalogs)
    }

    /// The catalogs' transport (the run's API state lives on the syncer).
    pub(super) fn catalogs(&self) -> Catalogs<'_> {
        Catalogs { syncer: self }
    }
}

/// The catalogs' transport for one run.
pub(super) struct Catalogs<'a> {
    syncer: &'a Syncer,
}

fn is_delete(work: &Work<Fields>) -> bool {
    matches!(work.1.push(), Push::Delete { .. })
}

impl Catalogs<'_> {
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

    /// One v4 request of one kind (the outbox groups v4 operations by kind), each item as its
    /// outbox row recorded it; deletes through v2.
    async fn send_v4(&self, chunk: &[Work<Fields>]) -> Result<Sent, ApiError> {
        debug_assert!(chunk.iter().all(|(row, _)| row.op == chunk[0].0.op));
        let client = &self.syncer.client;
        let items: Vec<Value> = chunk.iter().map(|(row, _)| row.payload.clone()).collect();
        let (written, adds) = match chunk.first().map(|(_, op)| op.push()) {
            Some(Push::Add { .. }) => (client.add_catalogs_v4(&items).await?, true),
            Some(Push::Update { .. }) => (client.update_catalogs_v4(&items).await?, false),
            _ => return self.delete_v2(chunk).await,
        };
        self.syncer.api.v4_answered();
        Ok(Sent {
            items: written
                .items
                .into_iter()
                .map(|r| r.map(|id| adds.then_some(id)))
                .collect(),
            body: written.body,
        })
    }

    /// Deletes in v4 mode: through v2, the only documented delete. Once v2 has answered
    /// 404/410 in this run, they fail at once with what to do, and nothing is sent.
    async fn delete_v2(&self, chunk: &[Work<Fields>]) -> Result<Sent, ApiError> {
        let gone = |e: &ApiError| Sent {
            items: vec![ItemResult::Failed(gone_delete("catalog", e)); chunk.len()],
            body: String::new(),
        };
        if let Some(e) = self.syncer.api.v2_gone() {
            return Ok(gone(&e));
        }
        let ids: Vec<RemoteId> = chunk.iter().filter_map(|(r, _)| r.remote_id).collect();
        let batch = Batch {
            delete: ids,
            ..Batch::default()
        };
        match self.syncer.client.post_catalogs(&batch).await {
            Ok(outcome) => Ok(Sent {
                items: outcome
                    .delete
                    .into_iter()
                    .map(|r| r.map(|()| None))
                    .collect(),
                body: outcome.body,
            }),
            Err(e) if e.is_gone() => {
                self.syncer.api.v2_answered_gone(&e);
                Ok(gone(&e))
            }
            Err(e) => Err(e),
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
        let v4 = self.syncer.api.get() == ApiVersion::V4;
        Ok(match op.push() {
            Push::Add { fields, .. } if v4 => amocrm::catalog_add_item_v4(fields),
            Push::Update { id, fields } if v4 => amocrm::catalog_update_item_v4(*id, fields),
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

    /// With `auto`, a v2 POST answered 404/410 applied nothing and moves the run to v4. Its
    /// deletes have no v4 form: a chunk of deletes only fails here, saying what to do. Any
    /// other chunk is handed back with the error: its operations are now keyed the v4 way,
    /// so the outbox regroups them and sends them again through v4.
    async fn send(&self, _: RequestKey, chunk: &[Work<Fields>]) -> Result<Sent, ApiError> {
        if self.syncer.api.get() == ApiVersion::V4 {
            return self.send_v4(chunk).await;
        }
        match self.send_v2(chunk).await {
            Err(e) if self.syncer.switch_to_v4(&e) => {
                if chunk.iter().all(is_delete) {
                    self.delete_v2(chunk).await
                } else {
                    Err(e)
                }
            }
            sent => sent,
        }
    }

    async fn read_back(&self, _: &()) -> Result<Vec<RemoteCatalog>, ApiError> {
        if self.syncer.api.get() == ApiVersion::V2 {
            return self.syncer.client.list_catalogs().await;
        }
        let catalogs = self.syncer.client.list_catalogs_v4().await?;
        self.syncer.api.v4_answered();
        Ok(catalogs)
    }
}
