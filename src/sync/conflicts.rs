//! Held conflicts across runs: which ones a person has settled, and closing them once what
//! settled them has been applied.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;

use super::{Run, Syncer};
use crate::catalog::{DesiredCatalog, RemoteId};
use crate::reconcile::Side;
use crate::store::OpenConflict;

impl Syncer {
    /// Closes held conflicts that are settled now: by a person, by the policy, or because the
    /// disagreement went away. Conflicts of catalogs whose push did not complete stay open.
    pub(super) async fn close_settled(&self, run: &Run, open: &[OpenConflict]) -> Result<()> {
        let held: BTreeSet<RemoteId> = run.plan.held().map(|c| c.remote_id).collect();
        let sides: BTreeMap<RemoteId, Side> = run
            .plan
            .decisions
            .iter()
            .filter_map(|d| Some((d.remote_id?, d.settled_by?)))
            .collect();
        let ids: BTreeSet<RemoteId> = open.iter().map(|c| c.remote_id).collect();
        for id in ids {
            if held.contains(&id) || run.unsettled.contains(&id) {
                continue;
            }
            let side = sides.get(&id).copied().unwrap_or(Side::Local);
            self.store.close_conflicts(id, side).await?;
        }
        Ok(())
    }
}

/// Held conflicts a person has settled: by setting `conflicts.resolution`, or by editing
/// (or deleting, or re-inserting) the desired row since the conflict was held.
pub(super) fn settled_by_a_person(
    open: &[OpenConflict],
    desired: &[DesiredCatalog],
) -> BTreeMap<RemoteId, Side> {
    let mut settled = BTreeMap::new();
    for c in open {
        let row = desired.iter().find(|d| d.remote_id == Some(c.remote_id));
        let side = match (c.resolution, row, c.desired_revision) {
            (Some(side), _, _) => Some(side),
            (None, Some(row), Some(rev)) if row.revision != rev => Some(Side::Local),
            (None, None, Some(_)) => Some(Side::Local),
            (None, Some(_), None) => Some(Side::Local),
            _ => None,
        };
        if let Some(side) = side {
            settled.insert(c.remote_id, side);
        }
    }
    settled
}
