//! The plan's vocabulary: what the merge decides for each record (what to send, what to adopt,
//! what the base becomes), its conflicts, notices and invalid rows. Plain data, below both the
//! merge that makes a plan ([`crate::reconcile`]) and the store that applies one.

use serde::Serialize;

use crate::catalog::Fields;
use crate::record::{DesiredId, Record, RemoteId};

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

/// What to send to the account for one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Push<R = Fields> {
    /// Create the record. `replaces` is a remote id that disappeared and is being re-created.
    Add {
        fields: R,
        replaces: Option<RemoteId>,
    },
    /// Change the record: `fields` holds the name plus only the fields that changed.
    Update {
        id: RemoteId,
        fields: R,
    },
    Delete {
        id: RemoteId,
    },
}

impl<R> Push<R> {
    /// `add`, `update` or `delete`, as in `outbox.op`.
    pub fn op(&self) -> &'static str {
        match self {
            Push::Add { .. } => "add",
            Push::Update { .. } => "update",
            Push::Delete { .. } => "delete",
        }
    }
}

/// One field's new value in a desired row.
pub type Change<R> = (<R as Record>::Key, Option<<R as Record>::Value>);

/// What to change in the desired rows for one record. Updates and deletes carry the row
/// revision seen by the merge: they are applied only if no person edited the row since.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[serde(bound(serialize = "R: Record"))]
pub enum Adopt<R: Record = Fields> {
    Insert {
        remote_id: RemoteId,
        fields: R,
    },
    Update {
        desired_id: DesiredId,
        revision: i64,
        changes: Vec<Change<R>>,
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

/// The merge base for a record once its push (if any) is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "fields", rename_all = "snake_case")]
pub enum BaseAfter<R = Fields> {
    Keep,
    Set(R),
    Remove,
}

/// Everything decided for one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(bound(serialize = "R: Record"))]
pub struct Decision<R: Record = Fields> {
    pub remote_id: Option<RemoteId>,
    pub desired_id: Option<DesiredId>,
    /// The record's name, for people reading the plan.
    pub name: String,
    pub push: Option<Push<R>>,
    pub adopt: Option<Adopt<R>>,
    pub base_after: BaseAfter<R>,
    /// Set when a conflict was settled by the policy or a person.
    pub settled_by: Option<Side>,
    /// What changes, as it is before the change, for people reading the plan: for an update
    /// the name and the changed fields (the account's values of the fields pushed, the desired
    /// row's values of the fields adopted); for a delete the whole record; `None` for an add.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<R>,
}

/// A field (or a whole record: `field = None`) changed differently on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict<K = crate::catalog::Field> {
    pub remote_id: RemoteId,
    pub desired_id: Option<DesiredId>,
    pub name: String,
    /// `None` for a deletion on one side against an edit on the other.
    pub field: Option<K>,
    /// The values as JSON: a field's value, or the whole record (`"deleted"` when gone) for a
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(bound(serialize = "R: Record"))]
pub struct Plan<R: Record = Fields> {
    pub decisions: Vec<Decision<R>>,
    pub conflicts: Vec<Conflict<R::Key>>,
    pub invalid: Vec<InvalidRow>,
    pub notices: Vec<Notice>,
}

impl<R: Record> Default for Plan<R> {
    fn default() -> Self {
        Plan {
            decisions: Vec::new(),
            conflicts: Vec::new(),
            invalid: Vec::new(),
            notices: Vec::new(),
        }
    }
}

impl<R: Record> Plan<R> {
    pub fn pushes(&self) -> impl Iterator<Item = &Push<R>> {
        self.decisions.iter().filter_map(|d| d.push.as_ref())
    }

    pub fn adopts(&self) -> impl Iterator<Item = &Adopt<R>> {
        self.decisions.iter().filter_map(|d| d.adopt.as_ref())
    }

    /// Deletions in both directions: records deleted from the account and rows deleted locally.
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
    pub fn held(&self) -> impl Iterator<Item = &Conflict<R::Key>> {
        self.conflicts.iter().filter(|c| c.resolution.is_none())
    }

    /// Whether a sync would change anything on either side (base-only bookkeeping excluded).
    pub fn has_changes(&self) -> bool {
        self.decisions
            .iter()
            .any(|d| d.push.is_some() || d.adopt.is_some())
    }
}

/// A desired row the merge skips until a person fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidRow {
    /// `catalog` or `element`.
    pub entity: &'static str,
    pub desired_id: DesiredId,
    pub remote_id: Option<RemoteId>,
    pub name: String,
    /// The field that holds the bad value (an element's field id and name), if one does.
    pub field: Option<String>,
    pub problem: String,
}

impl std::fmt::Display for InvalidRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "desired_{}s row id={} name={:?}: ",
            self.entity, self.desired_id, self.name
        )?;
        if let Some(field) = &self.field {
            write!(f, "field {field}: ")?;
        }
        f.write_str(&self.problem)
    }
}
