//! The record-level merge: pairs base, desired and remote by remote id and decides each record,
//! for every kind of record alike; `fields` settles a record both sides have, field by field.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

mod fields;

use super::{
    Adopt, BaseAfter, Conflict, Decision, InvalidRow, MergeInput, Notice, Plan, Push, Side,
};
use crate::record::{ConflictPolicy, Desired, FieldKey, Mode, Record, Remote, RemoteId, Synced};

/// Merges the three sides into a plan, skipping the desired rows `invalid` names (their
/// records are left alone until a person fixes them). Pure: the same input always gives the
/// same plan.
pub fn merge_records<R: Record>(input: &MergeInput<'_, R>, invalid: Vec<InvalidRow>) -> Plan<R> {
    let mut m = Merger {
        input,
        plan: Plan {
            invalid,
            ..Plan::default()
        },
    };
    let invalid: BTreeSet<_> = m.plan.invalid.iter().map(|i| i.desired_id).collect();
    let base: BTreeMap<RemoteId, &Synced<R>> =
        input.base.iter().map(|b| (b.remote_id, b)).collect();
    let remote: BTreeMap<RemoteId, &Remote<R>> = input.remote.iter().map(|r| (r.id, r)).collect();
    let mut linked = BTreeMap::new();
    let mut held = BTreeSet::new();
    for row in input.local {
        match (row.remote_id, invalid.contains(&row.id)) {
            // An invalid row still owns its record: nothing happens to it until it is fixed.
            (Some(id), true) => drop(held.insert(id)),
            (Some(id), false) => drop(linked.insert(id, row)),
            (None, true) => {}
            (None, false) => m.new_local(row),
        }
    }
    let ids: BTreeSet<RemoteId> = base
        .keys()
        .chain(remote.keys())
        .chain(linked.keys())
        .copied()
        .filter(|id| !held.contains(id))
        .collect();
    for id in ids {
        let (b, l, r) = (base.get(&id), linked.get(&id), remote.get(&id));
        match (b.copied(), l.copied(), r.copied()) {
            (b, Some(l), Some(r)) => m.both_present(b, l, r),
            (Some(b), Some(l), None) => m.remote_gone(b, l),
            (Some(b), None, Some(r)) => m.local_gone(b, r),
            (None, None, Some(r)) => m.new_remote(r),
            (Some(b), None, None) => m.decide(decision(Some(b.remote_id), None, b.fields.name())),
            // A linked row with neither base nor remote was reported invalid above.
            (None, Some(_), None) | (None, None, None) => {}
        }
    }
    m.plan
}

struct Merger<'a, R: Record> {
    input: &'a MergeInput<'a, R>,
    plan: Plan<R>,
}

fn decision<R: Record>(
    remote_id: Option<RemoteId>,
    desired_id: Option<i64>,
    name: &str,
) -> Decision<R> {
    Decision {
        remote_id,
        desired_id,
        name: name.to_owned(),
        push: None,
        adopt: None,
        base_after: BaseAfter::Remove,
        settled_by: None,
        before: None,
    }
}

/// Every key any of the records has a value for, in order.
/// The account's record taken in as a new desired row, and as the base from now on.
fn adopt_new<R: Record>(d: &mut Decision<R>, r: &Remote<R>) {
    let fields = r.fields.adopted();
    d.adopt = Some(Adopt::Insert {
        remote_id: r.id,
        fields: fields.clone(),
    });
    d.base_after = BaseAfter::Set(fields);
}

fn all_keys<R: Record>(records: &[Option<&R>]) -> BTreeSet<R::Key> {
    records.iter().flatten().flat_map(|r| r.keys()).collect()
}

/// Pushable fields that both sides know and that differ.
fn edited<R: Record>(before: &R, after: &R) -> bool {
    all_keys(&[Some(before), Some(after)])
        .into_iter()
        .filter(|f| f.is_pushable())
        .any(|f| matches!((before.get(f), after.get(f)), (Some(a), Some(b)) if a != b))
}

impl<R: Record> Merger<'_, R> {
    fn mode(&self) -> Mode {
        self.input.mode
    }

    /// The side that wins a conflict on this catalog, or `None` to hold it for a person.
    fn resolve(&self, id: RemoteId) -> Option<Side> {
        if let Some(side) = self.input.settled.get(&id) {
            return Some(*side);
        }
        match self.input.policy {
            ConflictPolicy::LocalWins => Some(Side::Local),
            ConflictPolicy::RemoteWins => Some(Side::Remote),
            ConflictPolicy::Manual => None,
        }
    }

    fn decide(&mut self, d: Decision<R>) {
        self.plan.decisions.push(d);
    }

    fn notice(&mut self, remote_id: Option<RemoteId>, desired_id: Option<i64>, message: String) {
        self.plan.notices.push(Notice {
            remote_id,
            desired_id,
            message,
        });
    }

    fn new_local(&mut self, row: &Desired<R>) {
        if self.mode() == Mode::Pull {
            let msg = "new row not created in the account (sync.mode = pull)".into();
            return self.notice(None, Some(row.id), msg);
        }
        let fields = row.fields.for_add();
        self.decide(Decision {
            push: Some(Push::Add {
                fields: fields.clone(),
                replaces: None,
            }),
            base_after: BaseAfter::Set(fields),
            ..decision(None, Some(row.id), row.fields.name())
        });
    }

    fn new_remote(&mut self, r: &Remote<R>) {
        let mut d = decision(Some(r.id), None, r.fields.name());
        if self.mode() == Mode::Push {
            d.push = Some(Push::Delete { id: r.id });
            d.before = Some(r.fields.clone());
        } else {
            adopt_new(&mut d, r);
        }
        self.decide(d);
    }

    /// Records a deletion-against-edit conflict and returns the side that wins, if any.
    fn record_conflict(
        &mut self,
        b: &Synced<R>,
        local: Option<&Desired<R>>,
        remote: Option<&Remote<R>>,
    ) -> Option<Side> {
        let side = self.resolve(b.remote_id);
        let name = local
            .map_or(b.fields.name(), |l| l.fields.name())
            .to_owned();
        self.plan.conflicts.push(Conflict {
            remote_id: b.remote_id,
            desired_id: local.map(|l| l.id),
            name,
            field: None,
            base: Some(json!(b.fields)),
            local: Some(local.map_or(json!("deleted"), |l| json!(l.fields))),
            remote: Some(remote.map_or(json!("deleted"), |r| json!(r.fields))),
            resolution: side,
            desired_revision: local.map(|l| l.revision),
        });
        side
    }

    /// The record is gone from the account; the desired row still exists.
    fn remote_gone(&mut self, b: &Synced<R>, l: &Desired<R>) {
        let mut d = decision(Some(b.remote_id), Some(l.id), l.fields.name());
        let side = match self.mode() {
            Mode::Push => Some(Side::Local),
            _ if !edited(&b.fields, &l.fields) => Some(Side::Remote),
            _ => match self.record_conflict(b, Some(l), None) {
                Some(side) => {
                    d.settled_by = Some(side);
                    Some(side)
                }
                None => return,
            },
        };
        let (id, revision) = (l.id, l.revision);
        match (side, self.mode()) {
            (Some(Side::Local), Mode::Pull) => {
                d.adopt = Some(Adopt::Unlink {
                    desired_id: id,
                    revision,
                })
            }
            (Some(Side::Local), _) => {
                let fields = l.fields.for_add();
                d.push = Some(Push::Add {
                    fields: fields.clone(),
                    replaces: Some(b.remote_id),
                });
                d.base_after = BaseAfter::Set(fields);
            }
            _ => {
                d.adopt = Some(Adopt::Delete {
                    desired_id: id,
                    revision,
                });
                d.before = Some(l.fields.clone());
            }
        }
        self.decide(d);
    }

    /// The desired row was deleted; the record is still in the account.
    fn local_gone(&mut self, b: &Synced<R>, r: &Remote<R>) {
        let mut d = decision(Some(r.id), None, r.fields.name());
        let side = match self.mode() {
            Mode::Push => Side::Local,
            _ if !edited(&b.fields, &r.fields) => Side::Local,
            _ => match self.record_conflict(b, None, Some(r)) {
                Some(side) => {
                    d.settled_by = Some(side);
                    side
                }
                None => return,
            },
        };
        match (side, self.mode()) {
            (Side::Local, Mode::Pull) => {
                let msg = "deleted row not deleted in the account (sync.mode = pull)".into();
                return self.notice(Some(r.id), None, msg);
            }
            (Side::Local, _) => {
                d.push = Some(Push::Delete { id: r.id });
                d.before = Some(r.fields.clone());
            }
            (Side::Remote, _) => {
                adopt_new(&mut d, r);
            }
        }
        self.decide(d);
    }
}
