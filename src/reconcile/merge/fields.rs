//! A record both sides have: each field through the per-field rule, conflicts recorded and
//! settled, and the outcome turned into one decision.

use serde_json::json;

use super::super::field::{FieldMerge, Triple, merge_field};
use super::super::{Adopt, BaseAfter, Conflict, Push, Side};
use super::{Merger, all_keys, decision};
use crate::record::{Desired, Mode, Record, Remote, Synced};

impl<R: Record> Merger<'_, R> {
    /// Both the desired row and the remote record exist: merge field by field.
    pub(super) fn both_present(&mut self, b: Option<&Synced<R>>, l: &Desired<R>, r: &Remote<R>) {
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
