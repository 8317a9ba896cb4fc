//! What the merge, the store and the sync layer know about any kind of record: a catalog or an
//! element of a catalog. Both are kept three ways (a desired row, the account's copy, the merge
//! base), and both are merged field by field with one rule; this module holds the shapes they
//! share and the [`Record`] trait each kind implements. Nothing here does I/O.

use std::fmt::{Debug, Display};
use std::hash::Hash;

use serde::{Deserialize, Serialize};

/// An id amoCRM assigns (a catalog's or an element's).
pub type RemoteId = i64;

/// The local primary key of a desired row.
pub type DesiredId = i64;

/// One field of a kind of record: the key of per-field decisions, conflicts and payloads.
pub trait FieldKey: Copy + Ord + Eq + Hash + Debug + Display + Serialize {
    /// The record's name: every kind has one, and it is sent with every update.
    const NAME: Self;

    /// Whether the API can set this field. A field it cannot set mirrors the account.
    fn is_pushable(self) -> bool;

    /// Whether a key the desired row lacks is adopted once the account has a value for it and
    /// the merge base never knew it. True for an element's custom fields: a field added to the
    /// catalog after an element was last synced is managed from then on, so that its values
    /// show up in the desired row. False for catalog flags, where NULL is a person's choice.
    fn adopted_when_new(self) -> bool;
}

/// The managed fields of one kind of record, as one side sees them.
///
/// `get` returning `None` means "unknown" for the account's side and the base (absent from the
/// pull) and "not managed" for the desired side.
pub trait Record: Clone + Debug + PartialEq + Serialize {
    type Key: FieldKey;
    type Value: Clone + Debug + PartialEq + Serialize;

    /// `catalog` or `element`: names the kind in `outbox.entity`, `conflicts.field` for a
    /// deletion against an edit, and messages.
    const ENTITY: &'static str;

    /// A record with only a name; everything else unknown or not managed.
    fn named(name: String) -> Self;

    fn name(&self) -> &str;

    /// Every key with a value, the name included.
    fn keys(&self) -> Vec<Self::Key>;

    fn get(&self, key: Self::Key) -> Option<Self::Value>;

    /// Sets one field; `None` makes it unknown (or not managed).
    fn set(&mut self, key: Self::Key, value: Option<Self::Value>);

    /// What an add sends, and the base once it is confirmed.
    fn for_add(&self) -> Self;

    /// What a new desired row gets from a record found in the account.
    fn adopted(&self) -> Self;
}

/// A desired row: what a person wants the account to have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desired<R> {
    pub id: DesiredId,
    /// `None` until the record exists in the account.
    pub remote_id: Option<RemoteId>,
    pub fields: R,
    /// Bumped by a trigger on every edit; the daemon's writes are conditional on it.
    pub revision: i64,
}

/// A merge base row: the record as both sides last agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synced<R> {
    pub remote_id: RemoteId,
    pub fields: R,
}

/// A record as the account reported it in the last complete pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remote<R> {
    pub id: RemoteId,
    pub fields: R,
    pub created_by: Option<i64>,
    /// Unix seconds (milliseconds are normalised at the wire edge).
    pub created_at: Option<i64>,
    /// Unix seconds; API v2 sends none for catalogs.
    pub updated_at: Option<i64>,
    /// The item exactly as received, kept for the mirror's `raw_json`.
    pub raw_json: String,
}

impl<R> Remote<R> {
    /// A record with its id and fields and nothing else known (tests, benchmarks, examples).
    pub fn new(id: RemoteId, fields: R) -> Remote<R> {
        Remote {
            id,
            fields,
            created_by: None,
            created_at: None,
            updated_at: None,
            raw_json: "{}".into(),
        }
    }
}

/// Which side is the truth (`sync.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Two-way: one-sided changes win, conflicts follow the policy.
    Both,
    /// The desired state is the truth: remote edits are reverted, remote-only records deleted.
    Push,
    /// Read-only mirror: remote changes are adopted, nothing is ever sent.
    Pull,
}

impl Mode {
    /// The spelling of `sync.mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Both => "both",
            Mode::Push => "push",
            Mode::Pull => "pull",
        }
    }
}

/// How a field changed differently on both sides is settled (`sync.conflict_policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    LocalWins,
    RemoteWins,
    /// Hold the record until a person settles it.
    Manual,
}

impl ConflictPolicy {
    /// The spelling of `sync.conflict_policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictPolicy::LocalWins => "local_wins",
            ConflictPolicy::RemoteWins => "remote_wins",
            ConflictPolicy::Manual => "manual",
        }
    }
}
