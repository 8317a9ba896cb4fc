//! What the element side reports: per catalog, the plan (for `plan` and the run's report), the
//! pull's figures, and why a catalog was left alone.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use super::{ElementPhase, Stop, Syncer};
use crate::element::ElementFields;
use crate::reconcile::{MergeInput, Plan, elements::merge_elements};
use crate::record::{DesiredId, RemoteId};
use crate::store::{ElementScope, Stored};

/// What a run decided for the elements of one catalog.
#[derive(Debug, Clone, Serialize)]
pub struct ElementReport {
    /// `None` while the catalog is still to be created.
    pub catalog_remote_id: Option<RemoteId>,
    pub desired_catalog_id: DesiredId,
    pub catalog: String,
    /// The catalog's field names by id, to show changes by name.
    pub field_names: std::collections::BTreeMap<crate::element::FieldId, String>,
    pub plan: Plan<ElementFields>,
    /// Elements in the account (the pull), and the pages it took.
    pub pulled: usize,
    pub pages: usize,
    /// Why the catalog was left alone this run.
    pub error: Option<String>,
}

impl Syncer {
    /// `plan`: the element side of every element-synced catalog, writing nothing. Catalogs not
    /// created yet show their desired elements as adds.
    pub(in crate::sync) async fn element_plans(
        &self,
        in_account: &BTreeSet<RemoteId>,
    ) -> Result<Vec<ElementReport>> {
        let phase = match self.plan_elements(None, in_account).await {
            Ok(phase) => phase,
            Err(Stop::Failed(e)) => return Err(e),
            Err(Stop::Aborted(why)) => anyhow::bail!(why),
        };
        let mut waiting = Vec::new();
        for (desired_catalog, name) in &phase.waiting {
            // Desired rows are found by their desired catalog; the catalog has no id yet.
            let scope = ElementScope {
                catalog: 0,
                desired_catalog: *desired_catalog,
            };
            let desired = ElementFields::desired(&self.store, &scope).await?;
            let plan = merge_elements(
                &MergeInput {
                    base: &[],
                    local: &desired,
                    remote: &[],
                    mode: self.options.mode,
                    policy: self.options.policy,
                    settled: &Default::default(),
                },
                &[],
            );
            waiting.push(ElementReport {
                catalog_remote_id: None,
                desired_catalog_id: *desired_catalog,
                catalog: name.clone(),
                field_names: Default::default(),
                plan,
                pulled: 0,
                pages: 0,
                error: None,
            });
        }
        let mut reports = reports(phase);
        reports.extend(waiting);
        Ok(reports)
    }
}

/// The reports of a phase: the catalogs merged, then those left alone.
pub(super) fn reports(phase: ElementPhase) -> Vec<ElementReport> {
    let mut out: Vec<ElementReport> = phase
        .work
        .into_iter()
        .map(|w| ElementReport {
            catalog_remote_id: Some(w.scope.catalog),
            desired_catalog_id: w.scope.desired_catalog,
            catalog: w.name,
            field_names: w
                .pulled
                .fields
                .iter()
                .map(|f| (f.id, f.name.clone()))
                .collect(),
            pulled: w.pulled.elements.len(),
            pages: w.pulled.pages,
            plan: w.plan,
            error: None,
        })
        .collect();
    out.extend(phase.failed);
    out
}
