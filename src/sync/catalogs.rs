//! How catalogs reach the account through API v2: add, update and delete together in one
//! `POST /api/v2/catalogs` per `sync.batch_size` items, and the list read back with one GET.

use serde_json::{Value, json};

use super::kind::{Op, RequestKey, Sent, Transport, Work};
use crate::amocrm::{AddItem, ApiError, Batch, Client, ItemResult, UpdateItem};
use crate::catalog::{Fields, RemoteCatalog};
use crate::reconcile::Push;

pub(super) struct CatalogsV2<'a> {
    pub client: &'a Client,
    pub batch_size: usize,
}

impl Transport<Fields> for CatalogsV2<'_> {
    fn batch_size(&self) -> usize {
        self.batch_size
    }

    fn request_key(&self, _: &Op<Fields>) -> RequestKey {
        RequestKey::TOGETHER
    }

    fn payload(&self, op: &Op<Fields>) -> Result<Value, String> {
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
        let outcome = self.client.post_catalogs(&batch).await?;
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

    async fn read_back(&self, _: &()) -> Result<Vec<RemoteCatalog>, ApiError> {
        self.client.list_catalogs().await
    }
}
