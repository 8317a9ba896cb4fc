//! How elements reach the account: adds `POST /api/v4/catalogs/{id}/elements` and updates
//! `PATCH` there (per catalog), deletes `POST /api/v2/catalog_elements` (across catalogs), each
//! request at most `sync.element_batch_size` items; read back by a complete pull.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::super::catalogs::gone_delete;
use super::super::kind::{Op, RequestKey, Sent, Transport, Work};
use crate::amocrm::{self, ApiError, Client, ItemResult, Written};
use crate::element::{ElementFields, FieldDef, RemoteElement};
use crate::reconcile::Push;
use crate::record::RemoteId;
use crate::store::ElementScope;

pub(in crate::sync) struct ElementsV4<'a> {
    pub client: &'a Client,
    pub batch_size: usize,
    /// Each catalog's fields, to write values (options by id).
    pub fields: HashMap<RemoteId, &'a [FieldDef]>,
}

impl ElementsV4<'_> {
    fn defs(&self, scope: &ElementScope) -> &[FieldDef] {
        self.fields.get(&scope.catalog).copied().unwrap_or_default()
    }
}

impl Transport<ElementFields> for ElementsV4<'_> {
    fn batch_size(&self) -> usize {
        self.batch_size
    }

    fn request_key(&self, op: &Op<ElementFields>) -> RequestKey {
        RequestKey::per_op(op.push(), Some(op.scope.catalog))
    }

    fn payload(&self, op: &Op<ElementFields>) -> Result<Value, String> {
        match op.push() {
            Push::Add { fields, .. } => amocrm::element_add_item(fields, self.defs(&op.scope)),
            Push::Update { id, fields } => {
                amocrm::element_update_item(*id, fields, self.defs(&op.scope))
            }
            Push::Delete { id } => Ok(json!(id)),
        }
    }

    async fn send(&self, key: RequestKey, chunk: &[Work<ElementFields>]) -> Result<Sent, ApiError> {
        let items: Vec<Value> = chunk.iter().map(|(row, _)| row.payload.clone()).collect();
        let catalog = chunk.first().map_or(0, |(_, op)| op.scope.catalog);
        let written: Written = match chunk.first().map(|(_, op)| op.push()) {
            Some(Push::Add { .. }) => self.client.add_elements(catalog, &items).await?,
            Some(Push::Update { .. }) => self.client.update_elements(catalog, &items).await?,
            _ => {
                let ids: Vec<RemoteId> = chunk.iter().filter_map(|(r, _)| r.remote_id).collect();
                match self.client.delete_elements(&ids).await {
                    Err(e) if e.is_gone() => Written {
                        items: vec![ItemResult::Failed(gone_delete("element", &e)); ids.len()],
                        status: 0,
                        body: String::new(),
                    },
                    other => other?,
                }
            }
        };
        let adds = key.creates();
        let items = written
            .items
            .into_iter()
            .map(|r| r.map(|id| adds.then_some(id)))
            .collect();
        Ok(Sent {
            items,
            body: written.body,
        })
    }

    /// A complete pull, with empty fields filled like every pull's.
    async fn read_back(&self, scope: &ElementScope) -> Result<Vec<RemoteElement>, ApiError> {
        let mut elements = self
            .client
            .list_elements(scope.catalog, &mut |_| {})
            .await?;
        for e in &mut elements {
            super::pull::fill(e, self.defs(scope));
        }
        Ok(elements)
    }
}
