//! The delete guards: a run that would delete more than `sync.max_deletes` catalogs or
//! `sync.max_element_deletes` elements (both directions together), that pulled no catalog while
//! the base has some, or that pulled a catalog with no element (or fewer than half of the ones
//! in its base) while its base had some, stops before any write unless `--allow-deletes`.

use super::elements::ElementPhase;
use super::{Stop, Syncer};
use crate::catalog::RemoteCatalog;
use crate::reconcile::Plan;
use crate::store::ElementScope;

impl Syncer {
    /// An empty pull while the base has catalogs looks like a wiped account or a broken API:
    /// stop before anything (even in-doubt bookkeeping) is decided from it.
    pub(super) async fn guard_empty_pull(&self, remote: &[RemoteCatalog]) -> Result<(), Stop> {
        if !remote.is_empty() || self.options.allow_deletes {
            return Ok(());
        }
        let base = self.store.base().await?;
        if base.is_empty() {
            return Ok(());
        }
        Err(Stop::Aborted(format!(
            "delete guard: the account returned no catalogs while {} were synced before; \
             nothing was changed. If the account really is empty now, run again with --allow-deletes",
            base.len()
        )))
    }

    pub(super) fn guard_deletions(&self, plan: &Plan) -> Result<(), Stop> {
        let deletions = plan.deletions();
        if deletions <= self.options.max_deletes || self.options.allow_deletes {
            return Ok(());
        }
        Err(Stop::Aborted(format!(
            "delete guard: this run would delete {deletions} catalogs (sync.max_deletes = {}); \
             nothing was changed. Check `catalog-sync plan`, then run with --allow-deletes \
             if that is intended",
            self.options.max_deletes
        )))
    }

    /// A catalog that lost all, or more than half, of its elements since the last sync looks
    /// like a wiped list or a broken API.
    pub(super) fn guard_shrink(
        &self,
        scope: &ElementScope,
        name: &str,
        base: usize,
        pulled: usize,
    ) -> Result<(), Stop> {
        if self.options.allow_deletes || base == 0 || pulled * 2 >= base && pulled > 0 {
            return Ok(());
        }
        Err(Stop::Aborted(format!(
            "delete guard: the account returned {pulled} elements for catalog {} {name:?} while \
             {base} were synced before; nothing was changed. If the list really shrank, run \
             again with --allow-deletes",
            scope.catalog
        )))
    }

    pub(super) fn guard_element_deletions(&self, phase: &ElementPhase) -> Result<(), Stop> {
        let deletions = phase.deletions();
        if deletions <= self.options.max_element_deletes || self.options.allow_deletes {
            return Ok(());
        }
        Err(Stop::Aborted(format!(
            "delete guard: this run would delete {deletions} elements \
             (sync.max_element_deletes = {}); nothing was changed. Check `catalog-sync plan`, \
             then run with --allow-deletes if that is intended",
            self.options.max_element_deletes
        )))
    }
}
