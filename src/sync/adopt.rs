//! The local side of a plan, for every kind of record: record its conflicts, adopt remote
//! changes into the desired rows (each write conditional on the row's revision), move the base
//! of records with nothing to send, and close held conflicts once what settled them is applied.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use tracing::{info, warn};

use super::LOGGED;
use crate::text::cut;

use super::{Run, Syncer};
use crate::reconcile::{Plan, Side};
use crate::record::{Desired, RemoteId};
use crate::store::{Adoption, OpenConflict, Stored};

impl Syncer {
    /// Reports the plan's invalid rows, records its conflicts, and applies its local side.
    pub(super) async fn adopt<R: Stored>(
        &self,
        run: &mut Run,
        scope: &R::Scope,
        plan: &Plan<R>,
    ) -> Result<()> {
        for invalid in &plan.invalid {
            warn!(entity = R::ENTITY, desired_id = invalid.desired_id, name = %cut(&invalid.name, LOGGED), field = ?invalid.field, problem = %cut(&invalid.problem, LOGGED), "invalid desired row skipped");
        }
        let conflicts = self
            .store
            .record_conflicts(run.id, R::conflict_scope(scope), &plan.conflicts)
            .await?;
        let counts = run.counts.of(R::ENTITY);
        counts.invalid += plan.invalid.len() as i64;
        counts.conflicts += conflicts as i64;
        let items: Vec<Adoption<'_, R>> = plan
            .decisions
            .iter()
            .filter(|d| d.adopt.is_some() || d.push.is_none())
            .map(|d| Adoption {
                remote_id: d.remote_id,
                adopt: d.adopt.as_ref(),
                base_after: d.push.is_none().then_some(&d.base_after),
            })
            .collect();
        let applied = self.store.adopt_all(run.id, scope, &items).await?;
        for (item, applied) in items.iter().zip(applied) {
            if item.adopt.is_none() {
                continue;
            }
            if applied {
                run.counts.of(R::ENTITY).adopted += 1;
            } else {
                info!(entity = R::ENTITY, remote_id = ?item.remote_id, "row edited during the run; its edit wins next run");
                if let Some(id) = item.remote_id {
                    run.unsettle::<R>(scope, id);
                }
            }
        }
        Ok(())
    }

    /// Closes held conflicts that are settled now: by a person, by the policy, or because the
    /// disagreement went away. Conflicts of records whose push did not complete stay open.
    pub(super) async fn close_settled<R: Stored>(
        &self,
        run: &Run,
        scope: &R::Scope,
        plan: &Plan<R>,
        open: &[OpenConflict],
    ) -> Result<()> {
        let held: BTreeSet<RemoteId> = plan.held().map(|c| c.remote_id).collect();
        let sides: BTreeMap<RemoteId, Side> = plan
            .decisions
            .iter()
            .filter_map(|d| Some((d.remote_id?, d.settled_by?)))
            .collect();
        let ids: BTreeSet<RemoteId> = open.iter().map(|c| c.remote_id).collect();
        for id in ids {
            if held.contains(&id) || run.is_unsettled::<R>(scope, id) {
                continue;
            }
            let side = sides.get(&id).copied().unwrap_or(Side::Local);
            self.store
                .close_conflicts(R::conflict_scope(scope), id, side)
                .await?;
        }
        Ok(())
    }
}

/// Held conflicts a person has settled: by setting `conflicts.resolution`, or by editing
/// (or deleting, or re-inserting) the desired row since the conflict was held.
pub(super) fn settled_by_a_person<R>(
    open: &[OpenConflict],
    desired: &[Desired<R>],
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
