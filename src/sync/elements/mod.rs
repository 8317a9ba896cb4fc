//! The elements phase of a run, after the catalogs' merge and before any write: for every
//! element-synced catalog a complete pull (and the field list when needed), the shrink guard,
//! the settlement of its in-doubt rows, and the merge; then the element delete guard over all
//! catalogs. Once the catalogs are written, each catalog's pull and adoptions are saved and
//! every element operation goes out through the outbox (adds and updates per catalog, deletes
//! across catalogs). A catalog whose pull failed is left alone; the others go on.

mod pull;
mod report;
mod transport;

use std::collections::{BTreeSet, HashMap};

use anyhow::Result;
use tracing::{info, warn};

use super::LOGGED;
use crate::text::cut;

use super::adopt::settled_by_a_person;
use super::{Run, Stop, Syncer, operations};
use crate::amocrm::ApiError;
use crate::catalog::Mode;
use crate::element::{ElementFields, FieldDef};
use crate::reconcile::{MergeInput, Plan, elements::merge_elements};
use crate::record::{DesiredId, RemoteId};
use crate::store::{ElementScope, OpenConflict, Stored};
use pull::{PullError, Pulled};
pub use report::ElementReport;
use report::reports;
use transport::ElementsV4;

/// One catalog's element work in a run, between its merge and its writes.
struct CatalogWork {
    scope: ElementScope,
    name: String,
    pulled: Pulled,
    plan: Plan<ElementFields>,
    open: Vec<OpenConflict>,
}

/// The element side of a run: the merged catalogs, and reports of the ones left alone.
#[derive(Default)]
pub(super) struct ElementPhase {
    work: Vec<CatalogWork>,
    failed: Vec<ElementReport>,
    /// Enabled desired catalogs not in the account yet: their elements follow once created.
    waiting: Vec<(DesiredId, String)>,
}

impl ElementPhase {
    /// The catalogs this phase covers, merged or left alone.
    fn catalogs(&self) -> impl Iterator<Item = RemoteId> + '_ {
        self.work
            .iter()
            .map(|w| w.scope.catalog)
            .chain(self.failed.iter().filter_map(|f| f.catalog_remote_id))
    }

    /// Element deletions in both directions, over every catalog.
    pub(super) fn deletions(&self) -> usize {
        self.work.iter().map(|w| w.plan.deletions()).sum()
    }
}

impl Syncer {
    /// Pulls and merges the elements of every element-synced catalog in `remote`. Writes
    /// nothing but the settlement of in-doubt rows (when `run_id` is given: a run, not a plan).
    pub(super) async fn plan_elements(
        &self,
        run_id: Option<i64>,
        in_account: &BTreeSet<RemoteId>,
    ) -> Result<ElementPhase, Stop> {
        let mut phase = ElementPhase::default();
        for c in self.store.element_catalogs().await? {
            if !c.sync_elements.unwrap_or(self.options.elements) {
                continue;
            }
            let Some(catalog) = c.remote_id.filter(|id| in_account.contains(id)) else {
                if c.remote_id.is_none() {
                    phase.waiting.push((c.desired_id, c.name));
                }
                continue;
            };
            let scope = ElementScope {
                catalog,
                desired_catalog: c.desired_id,
            };
            match self.pull_elements(catalog, &c.name).await {
                Ok(pulled) => {
                    let work = self.merge_catalog(run_id, scope, c.name, pulled).await?;
                    phase.work.push(work);
                }
                Err(PullError::Store(e)) => return Err(Stop::Failed(e)),
                Err(PullError::Api(e)) if stops_everything(&e) => {
                    return Err(Stop::Failed(e.into()));
                }
                Err(PullError::Api(e)) => {
                    warn!(catalog, name = %cut(&c.name, LOGGED), error = %e, "elements not synced this run");
                    phase.failed.push(ElementReport {
                        catalog_remote_id: Some(catalog),
                        desired_catalog_id: c.desired_id,
                        catalog: c.name,
                        field_names: Default::default(),
                        plan: Plan::default(),
                        pulled: 0,
                        pages: 0,
                        error: Some(e.to_string()),
                    });
                }
            }
        }
        self.guard_element_deletions(&phase)?;
        Ok(phase)
    }

    async fn merge_catalog(
        &self,
        run_id: Option<i64>,
        scope: ElementScope,
        name: String,
        mut pulled: Pulled,
    ) -> Result<CatalogWork, Stop> {
        for e in &mut pulled.elements {
            pull::fill(e, &pulled.fields);
        }
        let mut base = ElementFields::base(&self.store, &scope).await?;
        self.guard_shrink(&scope, &name, base.len(), pulled.elements.len())?;
        if let Some(run_id) = run_id
            && self
                .settle_unfinished(run_id, &scope, &pulled.elements)
                .await?
        {
            base = ElementFields::base(&self.store, &scope).await?;
        }
        let mut desired = ElementFields::desired(&self.store, &scope).await?;
        // Values of fields deleted in amoCRM: saving the field list forgets them in the
        // database too, once this run's adoptions are written.
        let gone = &pulled.gone_fields;
        if !gone.is_empty() {
            desired
                .iter_mut()
                .for_each(|d| d.fields.forget_fields(gone));
            base.iter_mut().for_each(|b| b.fields.forget_fields(gone));
        }
        let open = self
            .store
            .open_conflicts(ElementFields::conflict_scope(&scope))
            .await?;
        let settled = settled_by_a_person(&open, &desired);
        let plan = merge_elements(
            &MergeInput {
                base: &base,
                local: &desired,
                remote: &pulled.elements,
                mode: self.options.mode,
                policy: self.options.policy,
                settled: &settled,
            },
            &pulled.fields,
        );
        Ok(CatalogWork {
            scope,
            name,
            pulled,
            plan,
            open,
        })
    }

    /// Saves each catalog's pull and adoptions, sends every element operation, and closes the
    /// conflicts that are settled. Catalogs created earlier in this run join first.
    pub(super) async fn apply_elements(
        &self,
        run: &mut Run,
        mut phase: ElementPhase,
    ) -> Result<(), Stop> {
        // Catalogs are in the base once both sides agree on them: after this run's writes.
        let present: BTreeSet<RemoteId> = self
            .store
            .base()
            .await?
            .iter()
            .map(|b| b.remote_id)
            .collect();
        // Catalogs linked by this run (created, or adopted from the account) join now.
        let planned: BTreeSet<RemoteId> = phase.catalogs().collect();
        let new: BTreeSet<RemoteId> = present.difference(&planned).copied().collect();
        if !new.is_empty() {
            let late = self.plan_elements(Some(run.id), &new).await?;
            phase.work.extend(late.work);
            phase.failed.extend(late.failed);
        }
        self.forget_gone(&present).await?;
        for w in &phase.work {
            self.save_catalog(run, w).await?;
        }
        let synced: BTreeSet<RemoteId> = phase.catalogs().collect();
        for catalog in self.store.element_views().await? {
            if !synced.contains(&catalog) {
                info!(
                    catalog,
                    "elements no longer synced; dropping the view catalog_{catalog}"
                );
                self.store.drop_view(catalog).await?;
            }
        }
        let result = if self.options.mode == Mode::Pull {
            Ok(())
        } else {
            let ops = phase
                .work
                .iter()
                .flat_map(|w| operations(run, &w.scope, &w.plan))
                .collect();
            let transport = ElementsV4 {
                client: &self.client,
                batch_size: self.options.element_batch_size,
                fields: phase
                    .work
                    .iter()
                    .map(|w| (w.scope.catalog, w.pulled.fields.as_slice()))
                    .collect::<HashMap<RemoteId, &[FieldDef]>>(),
            };
            self.push(run, &transport, ops).await
        };
        for w in &phase.work {
            self.close_settled(run, &w.scope, &w.plan, &w.open).await?;
        }
        run.elements = reports(phase);
        result
    }

    async fn save_catalog(&self, run: &mut Run, w: &CatalogWork) -> Result<()> {
        let catalog = w.scope.catalog;
        // Cheap when the fields did not change: it compares the view's SQL first.
        self.store.ensure_view(catalog, &w.pulled.fields).await?;
        ElementFields::save_pull(&self.store, &w.scope, &w.pulled.elements).await?;
        self.store
            .record_elements_pull(catalog, w.pulled.elements.len(), w.pulled.pages)
            .await?;
        run.counts.elements.pulled += w.pulled.elements.len() as i64;
        self.adopt(run, &w.scope, &w.plan).await?;
        // After the adoptions, whose revision checks it would fail: the values of deleted
        // fields leave the rows with it. Until it is saved, the next run pulls the list again.
        if w.pulled.fresh_fields {
            self.store
                .save_fields(catalog, &w.pulled.fields, &w.pulled.gone_fields)
                .await?;
        }
        Ok(())
    }

    /// Drops the element state of catalogs that are no longer in the account.
    async fn forget_gone(&self, present: &BTreeSet<RemoteId>) -> Result<()> {
        for catalog in self.store.catalogs_with_element_state().await? {
            if !present.contains(&catalog) {
                info!(
                    catalog,
                    "catalog gone from the account; forgetting its elements"
                );
                self.store.forget_elements(catalog).await?;
            }
        }
        Ok(())
    }
}

/// A failure that no other catalog could get past either.
fn stops_everything(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Blocked { .. } | ApiError::Unauthorized { .. } | ApiError::Credentials { .. }
    )
}
