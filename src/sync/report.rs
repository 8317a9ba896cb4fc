//! What a run did and what a plan would do, and the state a run builds up as it goes.

use std::collections::BTreeSet;

use serde::Serialize;

use super::ElementReport;
use super::kind::Op;
use crate::reconcile::Plan;
use crate::record::RemoteId;
use crate::store::{RunCounts, Stored};

/// How a run ended, as stored in `sync_runs.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    /// Finished, but some items failed or are in doubt, conflicts are held, or rows are invalid.
    Partial,
    Failed,
    /// The delete guard tripped: nothing was written or sent.
    Aborted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
            Outcome::Aborted => "aborted",
        }
    }

    /// The process exit code of SPEC section 1.
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Ok => 0,
            Outcome::Failed => 1,
            Outcome::Aborted => 3,
            Outcome::Partial => 4,
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub outcome: Outcome,
    pub counts: RunCounts,
    pub error: Option<String>,
    pub plan: Plan,
    /// The element side, per element-synced catalog.
    pub elements: Vec<ElementReport>,
}

/// What a sync would do: the catalogs, and the elements of each element-synced catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Plans {
    pub catalogs: Plan,
    pub elements: Vec<ElementReport>,
}

impl Plans {
    /// Whether a sync would change anything on either side.
    pub fn has_changes(&self) -> bool {
        self.catalogs.has_changes() || self.elements.iter().any(|e| e.plan.has_changes())
    }
}

/// The state a run works on, built up as it goes.
pub(super) struct Run {
    pub id: i64,
    pub counts: RunCounts,
    pub plan: Plan,
    /// Records whose push failed or whose adoption lost to a person's edit, by entity and
    /// catalog: their conflicts stay open.
    pub unsettled: BTreeSet<(&'static str, Option<RemoteId>, RemoteId)>,
    /// Rows left in doubt for the next run.
    pub in_doubt: usize,
    pub elements: Vec<ElementReport>,
}

impl Run {
    /// An operation that failed (refused, or not sent).
    pub fn fail<R: Stored>(&mut self, op: &Op<R>) {
        self.counts.of(R::ENTITY).failed += 1;
        if let Some(id) = op.decision.remote_id {
            self.unsettle::<R>(&op.scope, id);
        }
    }

    pub fn unsettle<R: Stored>(&mut self, scope: &R::Scope, id: RemoteId) {
        self.unsettled.insert((R::ENTITY, R::catalog_of(scope), id));
    }

    pub fn is_unsettled<R: Stored>(&self, scope: &R::Scope, id: RemoteId) -> bool {
        self.unsettled
            .contains(&(R::ENTITY, R::catalog_of(scope), id))
    }
}
