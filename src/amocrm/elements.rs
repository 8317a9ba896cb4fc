//! The elements of a catalog and its custom fields (SPEC §6): the paged reads, adds (`POST`)
//! and updates (`PATCH`) through API v4, and deletes through `POST /api/v2/catalog_elements`,
//! the only documented element delete.

use std::collections::HashSet;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::{Call, Client, redact};
use super::element_wire::element;
use super::error::ApiError;
use super::fields::field_def;
use super::outcome::{ItemResult, settle_keyed};
use super::paging::Pager;
use super::wire::{bad, parse_post_reply};
use super::written::Written;
use crate::element::{FieldDef, RemoteElement};
use crate::record::RemoteId;

const V2_ELEMENTS: &str = "api/v2/catalog_elements";

/// Pages read so far, elements so far, whether another page follows: for a progress bar or a
/// log line while a large catalog is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub pages: usize,
    /// Elements kept so far (those in the trash are not counted).
    pub elements: usize,
    pub more: bool,
}

fn elements_path(catalog_id: RemoteId) -> String {
    format!("api/v4/catalogs/{catalog_id}/elements")
}

impl Client {
    /// `GET /api/v4/catalogs/{id}/custom_fields`, every page (250 a page); 204 = none.
    pub async fn list_fields(&self, catalog_id: RemoteId) -> Result<Vec<FieldDef>, ApiError> {
        let path = format!("api/v4/catalogs/{catalog_id}/custom_fields");
        let mut pager = Pager::new(self, path, "custom_fields");
        let mut defs: Vec<FieldDef> = Vec::new();
        let mut seen = HashSet::new();
        while let Some(page) = pager.next().await? {
            for item in &page.items {
                let def = field_def(catalog_id, defs.len(), item)?;
                if !seen.insert(def.id) {
                    return Err(bad(format!(
                        "custom field {} appears twice in catalog {catalog_id}",
                        def.id
                    )));
                }
                defs.push(def);
            }
        }
        Ok(defs)
    }

    /// `GET /api/v4/catalogs/{id}/elements?page=N&limit=250` until a page has no
    /// `_links.next`; 204 = none. Elements in the trash are left out. `progress` is called
    /// after every page. An element id seen twice is a [`ApiError::BadResponse`]: the pages
    /// shifted under the scan, and a pull with holes must not be merged.
    pub async fn list_elements(
        &self,
        catalog_id: RemoteId,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<Vec<RemoteElement>, ApiError> {
        let mut pager = Pager::new(self, elements_path(catalog_id), "elements");
        let mut kept = Vec::new();
        let mut seen = HashSet::new();
        let mut index = 0;
        while let Some(page) = pager.next().await? {
            for item in &page.items {
                let (id, live) = element(index, item)?;
                index += 1;
                if !seen.insert(id) {
                    return Err(bad(format!(
                        "element {id} appears twice in the pages of catalog {catalog_id}"
                    )));
                }
                kept.extend(live);
            }
            progress(Progress {
                pages: page.number,
                elements: kept.len(),
                more: page.more,
            });
        }
        Ok(kept)
    }

    /// `POST /api/v4/catalogs/{id}/elements` with [`element_add_item`](super::element_add_item)
    /// items; see [`Written`] for how results are matched.
    pub async fn add_elements(
        &self,
        catalog_id: RemoteId,
        items: &[Value],
    ) -> Result<Written, ApiError> {
        self.write_v4(Method::POST, elements_path(catalog_id), "elements", items)
            .await
    }

    /// `PATCH /api/v4/catalogs/{id}/elements` with
    /// [`element_update_item`](super::element_update_item) items; matched by `id`.
    pub async fn update_elements(
        &self,
        catalog_id: RemoteId,
        items: &[Value],
    ) -> Result<Written, ApiError> {
        self.write_v4(Method::PATCH, elements_path(catalog_id), "elements", items)
            .await
    }

    /// `POST /api/v2/catalog_elements {"delete": [ids]}` (elements of any catalogs). 200 or 204,
    /// with or without items; failures under `_embedded.errors.delete` (keyed by id or index)
    /// fail their ids, every other id is done. A 404 or 410 is [`ApiError::is_gone`].
    pub async fn delete_elements(&self, ids: &[RemoteId]) -> Result<Written, ApiError> {
        if ids.is_empty() {
            return Ok(Written::default());
        }
        let body = json!({ "delete": ids });
        let (reply, used) = self
            .exchange(&Call::write(Method::POST, V2_ELEMENTS, &body))
            .await?;
        let results = if reply.body.trim().is_empty() {
            vec![ItemResult::Done(()); ids.len()]
        } else {
            let parsed =
                parse_post_reply(reply.status, &reply.body).map_err(|e| redact(e, &used))?;
            settle_keyed("delete", ids, &parsed.errors.delete)
        };
        let items = results
            .into_iter()
            .zip(ids)
            .map(|(result, &id)| match result {
                ItemResult::Done(()) => ItemResult::Done(id),
                ItemResult::Failed(message) => ItemResult::Failed(message),
                ItemResult::Unknown => ItemResult::Unknown,
            })
            .collect();
        Ok(Written {
            items,
            status: reply.status.as_u16(),
            body: reply.body,
        })
    }
}
