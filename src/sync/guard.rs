//! The delete guard: a run that would delete more than `sync.max_deletes` catalogs (both
//! directions together), or that pulled nothing while the base has catalogs, stops before any
//! write unless `--allow-deletes` is given.

use super::{Stop, Syncer};
use crate::catalog::RemoteCatalog;
use crate::reconcile::Plan;

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
}
