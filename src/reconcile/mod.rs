//! The three-way merge and the plan it produces: pure functions, no I/O.
//!
//! Inputs are the merge base, the desired state and a fresh pull; the output is a [`Plan`]: what
//! to send to the account, what to adopt locally, what the base becomes once both are done, and
//! the conflicts and invalid rows a person should see. The sync layer executes a plan; nothing
//! here touches the database or the network.
//!
//! One merge core serves every kind of record ([`Record`]): `merge` pairs records by remote id
//! and decides each one, `field` is the per-field rule. `validate` checks desired catalogs;
//! the elements' checks need their catalog's fields and live with them ([`elements`]).

pub mod elements;
mod field;
mod merge;
mod validate;

use std::collections::BTreeMap;

use crate::catalog::Fields;
use crate::record::{ConflictPolicy, Desired, Mode, Remote, RemoteId, Synced};

pub use crate::plan::{
    Adopt, BaseAfter, Change, Conflict, Decision, InvalidRow, Notice, Plan, Push, Side,
};
pub use merge::merge_records;
pub use validate::validate;

/// Merges the desired catalogs with the account's: the catalogs' checks, then the merge core.
pub fn merge(input: &MergeInput<'_>) -> Plan {
    let invalid = validate(input.local, input.base, input.remote);
    merge_records(input, invalid)
}

/// Everything the merge looks at: the three sides of one kind of record (for elements: of one
/// catalog).
#[derive(Debug, Clone)]
pub struct MergeInput<'a, R = Fields> {
    pub base: &'a [Synced<R>],
    pub local: &'a [Desired<R>],
    pub remote: &'a [Remote<R>],
    pub mode: Mode,
    pub policy: ConflictPolicy,
    /// Conflicts a person has settled since they were held (policy `manual`): the chosen side
    /// wins every conflict of that record in this run.
    pub settled: &'a BTreeMap<RemoteId, Side>,
}

#[cfg(test)]
mod tests;
