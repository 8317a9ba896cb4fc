//! The record-level merge: pairs base, desired and remote by remote id and decides each record,
//! for every kind of record alike.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::field::{FieldMerge, Triple, merge_field};
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
            let fields = r.fields.adopted();
            d.adopt = Some(Adopt::Insert {
                remote_id: r.id,
                fields: fields.clone(),
            });
            d.base_after = BaseAfter::Set(fields);
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
                let fields = r.fields.adopted();
                d.adopt = Some(Adopt::Insert {
                    remote_id: r.id,
                    fields: fields.clone(),
                });
                d.base_after = BaseAfter::Set(fields);
            }
        }
        self.decide(d);
    }

    /// Both the desired row and the remote record exist: merge field by field.
    fn both_present(&mut self, b: Option<&Synced<R>>, l: &Desired<R>, r: &Remote<R>) {
        let mode = self.mode();
        let keys = all_keys(&[b.map(|b| &b.fields), Some(&l.fields), Some(&r.fields)]);
        let merged: Vec<(R::Key, FieldMerge)> = keys
            .into_iter()
            .map(|f| {
                let (bv, lv, rv) = (
                    b.and_then(|b| b.fields.get(f)),
                    l.fields.get(f),
                    r.fields.get(f),
                );
                let t = Triple {
                    base: bv.as_ref(),
                    local: lv.as_ref(),
                    remote: rv.as_ref(),
                    new_key: b.is_some() && bv.is_none(),
                };
                (f, merge_field(f, t, mode))
            })
            .collect();
        let conflicted: Vec<R::Key> = merged
            .iter()
            .filter(|(_, m)| *m == FieldMerge::Conflict)
            .map(|(f, _)| *f)
            .collect();
        let mut side = None;
        if !conflicted.is_empty() {
            side = self.resolve(r.id);
            for f in &conflicted {
                self.field_conflict(*f, b, l, r, side);
            }
            if side.is_none() {
                return;
            }
        }
        self.settle_fields(b, l, r, &merged, side);
    }

    fn field_conflict(
        &mut self,
        f: R::Key,
        b: Option<&Synced<R>>,
        l: &Desired<R>,
        r: &Remote<R>,
        side: Option<Side>,
    ) {
        let as_json = |fields: &R| fields.get(f).map(|v| json!(v));
        self.plan.conflicts.push(Conflict {
            remote_id: r.id,
            desired_id: Some(l.id),
            name: l.fields.name().to_owned(),
            field: Some(f),
            base: b.and_then(|b| as_json(&b.fields)),
            local: as_json(&l.fields),
            remote: as_json(&r.fields),
            resolution: side,
            desired_revision: Some(l.revision),
        });
    }

    /// Turns per-field outcomes (conflicts already settled by `side`) into one decision.
    fn settle_fields(
        &mut self,
        b: Option<&Synced<R>>,
        l: &Desired<R>,
        r: &Remote<R>,
        merged: &[(R::Key, FieldMerge)],
        side: Option<Side>,
    ) {
        let mode = self.mode();
        let mut after = r.fields.clone();
        let mut pushed = Vec::new();
        let mut changes = Vec::new();
        for &(f, m) in merged {
            let m = match (m, side) {
                (FieldMerge::Conflict, Some(Side::Remote)) => FieldMerge::Adopt,
                (FieldMerge::Conflict, _) if mode == Mode::Pull => FieldMerge::LocalPending,
                (FieldMerge::Conflict, _) => FieldMerge::Push,
                (m, _) => m,
            };
            if r.fields.get(f).is_none() {
                after.set(f, b.and_then(|b| b.fields.get(f)));
            }
            match m {
                FieldMerge::Push => {
                    after.set(f, l.fields.get(f));
                    pushed.push(f);
                }
                FieldMerge::Adopt => changes.push((f, r.fields.get(f))),
                FieldMerge::LocalPending => self.notice(
                    Some(r.id),
                    Some(l.id),
                    format!("local change of {f} not sent (sync.mode = pull)"),
                ),
                FieldMerge::Keep | FieldMerge::Conflict => {}
            }
        }
        let mut d = decision(Some(r.id), Some(l.id), after.name());
        d.settled_by = side;
        let mut before = R::named(r.fields.name().to_owned());
        for f in &pushed {
            before.set(*f, r.fields.get(*f));
        }
        for (f, _) in &changes {
            before.set(*f, l.fields.get(*f));
        }
        if !pushed.is_empty() || !changes.is_empty() {
            d.before = Some(before);
        }
        if !pushed.is_empty() {
            // Always send the name the record is to have, even when only another field changed.
            let mut fields = R::named(after.name().to_owned());
            for f in pushed {
                fields.set(f, l.fields.get(f));
            }
            d.push = Some(Push::Update { id: r.id, fields });
        }
        if !changes.is_empty() {
            d.adopt = Some(Adopt::Update {
                desired_id: l.id,
                revision: l.revision,
                changes,
            });
        }
        if b.map(|b| &b.fields) != Some(&after) {
            d.base_after = BaseAfter::Set(after);
        } else {
            d.base_after = BaseAfter::Keep;
        }
        if d.push.is_some() || d.adopt.is_some() || d.base_after != BaseAfter::Keep {
            self.decide(d);
        }
    }
}
