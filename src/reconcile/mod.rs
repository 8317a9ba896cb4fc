//! The three-way merge and the plan it produces: pure functions, no I/O.
//!
//! Inputs are the merge base (`synced_catalogs`), the desired state (`desired_catalogs`) and a
//! fresh pull; the output is a [`Plan`]: what to send to the account, what to adopt locally, what
//! the base becomes once both are done, and the conflicts and invalid rows a person should see.
//! The sync layer executes a plan; nothing here touches the database or the network.

mod field;
mod merge;
mod validate;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{
    ConflictPolicy, DesiredCatalog, DesiredId, Field, Fields, Mode, RemoteCatalog, RemoteId,
    SyncedCatalog, Value,
};

pub use merge::merge;
pub use validate::{InvalidRow, validate};

/// Which side a person (or the policy) chose for a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Local,
    Remote,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Local => "local",
            Side::Remote => "remote",
        }
    }
}

/// Everything the merge looks at.
#[derive(Debug, Clone)]
pub struct MergeInput<'a> {
    pub base: &'a [SyncedCatalog],
    pub local: &'a [DesiredCatalog],
    pub remote: &'a [RemoteCatalog],
    pub mode: Mode,
    pub policy: ConflictPolicy,
    /// Conflicts a person has settled since they were held (policy `manual`): the chosen side
    /// wins every conflict of that catalog in this run.
    pub settled: &'a BTreeMap<RemoteId, Side>,
}

/// What to send to the account for one catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Push {
    /// Create the catalog. `replaces` is a remote id that disappeared and is being re-created.
    Add {
        fields: Fields,
        replaces: Option<RemoteId>,
    },
    /// Change the catalog: `fields` holds `name` plus only the fields that changed.
    Update {
        id: RemoteId,
        fields: Fields,
    },
    Delete {
        id: RemoteId,
    },
}

/// What to change in `desired_catalogs` for one catalog. Updates and deletes carry the row
/// revision seen by the merge: they are applied only if no person edited the row since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Adopt {
    Insert {
        remote_id: RemoteId,
        fields: Fields,
    },
    Update {
        desired_id: DesiredId,
        revision: i64,
        changes: Vec<(Field, Option<Value>)>,
    },
    Delete {
        desired_id: DesiredId,
        revision: i64,
    },
    /// The catalog is gone remotely but the row is kept (local wins in `pull` mode): forget the
    /// link so that a later two-way run creates it again.
    Unlink {
        desired_id: DesiredId,
        revision: i64,
    },
}

/// The merge base for a catalog once its push (if any) is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "fields", rename_all = "snake_case")]
pub enum BaseAfter {
    Keep,
    Set(Fields),
    Remove,
}

/// Everything decided for one catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub remote_id: Option<RemoteId>,
    pub desired_id: Option<DesiredId>,
    /// The catalog's name, for people reading the plan.
    pub name: String,
    pub push: Option<Push>,
    pub adopt: Option<Adopt>,
    pub base_after: BaseAfter,
    /// Set when a conflict was settled by the policy or a person.
    pub settled_by: Option<Side>,
}

/// A field (or a whole catalog: `field = None`) changed differently on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub remote_id: RemoteId,
    pub desired_id: Option<DesiredId>,
    pub name: String,
    /// `None` for a deletion on one side against an edit on the other.
    pub field: Option<Field>,
    /// The values as JSON: a field's value, or the whole catalog (`"deleted"` when gone) for a
    /// deletion against an edit. `None` when unknown.
    pub base: Option<serde_json::Value>,
    pub local: Option<serde_json::Value>,
    pub remote: Option<serde_json::Value>,
    /// `None` while held for a person.
    pub resolution: Option<Side>,
    /// The row's revision, so that a later edit by a person can be recognised.
    pub desired_revision: Option<i64>,
}

/// Something the plan will deliberately not do, for the person to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub remote_id: Option<RemoteId>,
    pub desired_id: Option<DesiredId>,
    pub message: String,
}

/// The result of a merge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub decisions: Vec<Decision>,
    pub conflicts: Vec<Conflict>,
    pub invalid: Vec<InvalidRow>,
    pub notices: Vec<Notice>,
}

impl Plan {
    pub fn pushes(&self) -> impl Iterator<Item = &Push> {
        self.decisions.iter().filter_map(|d| d.push.as_ref())
    }

    pub fn adopts(&self) -> impl Iterator<Item = &Adopt> {
        self.decisions.iter().filter_map(|d| d.adopt.as_ref())
    }

    /// Deletions in both directions: catalogs deleted from the account and rows deleted locally.
    pub fn deletions(&self) -> usize {
        let remote = self
            .pushes()
            .filter(|p| matches!(p, Push::Delete { .. }))
            .count();
        let local = self
            .adopts()
            .filter(|a| matches!(a, Adopt::Delete { .. }))
            .count();
        remote + local
    }

    /// Conflicts held for a person.
    pub fn held(&self) -> impl Iterator<Item = &Conflict> {
        self.conflicts.iter().filter(|c| c.resolution.is_none())
    }

    /// Whether a sync would change anything on either side (base-only bookkeeping excluded).
    pub fn has_changes(&self) -> bool {
        self.decisions
            .iter()
            .any(|d| d.push.is_some() || d.adopt.is_some())
    }
}

#[cfg(test)]
mod tests;
