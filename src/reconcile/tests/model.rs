//! The model the property tests check plans against: the three sides of one kind of record,
//! and a plan executed the way the account and the sync layer would, every operation
//! succeeding. Written once for catalogs and elements alike.

use std::collections::BTreeMap;

use proptest::{prop_assert, prop_assert_eq};

use super::super::*;
use crate::record::{ConflictPolicy, Desired, Mode, Record, Remote, Synced};

#[derive(Debug, Clone)]
pub struct World<R> {
    pub base: Vec<Synced<R>>,
    pub local: Vec<Desired<R>>,
    pub remote: Vec<Remote<R>>,
}

impl<R> Default for World<R> {
    fn default() -> Self {
        World {
            base: vec![],
            local: vec![],
            remote: vec![],
        }
    }
}

/// A record in the account, with nothing but its id and fields.
pub fn in_account<R>(id: i64, fields: R) -> Remote<R> {
    Remote::new(id, fields)
}

/// Executes a plan. `created` is what the account makes of an add's fields (the defaults it
/// fills in); an update sets every field it carries.
pub fn apply<R: Record>(w: &World<R>, plan: &Plan<R>, created: impl Fn(R) -> R) -> World<R> {
    let mut remote: BTreeMap<i64, R> = w.remote.iter().map(|r| (r.id, r.fields.clone())).collect();
    let mut local: BTreeMap<i64, Desired<R>> = w.local.iter().map(|l| (l.id, l.clone())).collect();
    let mut base: BTreeMap<i64, R> = w
        .base
        .iter()
        .map(|b| (b.remote_id, b.fields.clone()))
        .collect();
    let mut next_id = 9000;
    for d in &plan.decisions {
        let mut id = d.remote_id;
        match &d.push {
            Some(Push::Add { fields, replaces }) => {
                next_id += 1;
                remote.insert(next_id, created(fields.clone()));
                if let Some(old) = replaces {
                    base.remove(old);
                }
                local.get_mut(&d.desired_id.unwrap()).unwrap().remote_id = Some(next_id);
                id = Some(next_id);
            }
            Some(Push::Update { id, fields }) => {
                let target = remote.get_mut(id).unwrap();
                for k in fields.keys() {
                    if let Some(v) = fields.get(k) {
                        target.set(k, Some(v));
                    }
                }
            }
            Some(Push::Delete { id }) => drop(remote.remove(id)),
            None => {}
        }
        match &d.adopt {
            Some(Adopt::Insert { remote_id, fields }) => {
                let row = Desired {
                    id: 20000 + remote_id,
                    remote_id: Some(*remote_id),
                    fields: fields.clone(),
                    revision: 0,
                };
                local.insert(row.id, row);
            }
            Some(Adopt::Update {
                desired_id,
                changes,
                ..
            }) => {
                let row = local.get_mut(desired_id).unwrap();
                for (k, v) in changes {
                    row.fields.set(*k, v.clone());
                }
            }
            Some(Adopt::Delete { desired_id, .. }) => drop(local.remove(desired_id)),
            Some(Adopt::Unlink { desired_id, .. }) => {
                local.get_mut(desired_id).unwrap().remote_id = None
            }
            None => {}
        }
        match (&d.base_after, id) {
            (BaseAfter::Set(f), Some(id)) => drop(base.insert(id, f.clone())),
            (BaseAfter::Remove, Some(id)) => drop(base.remove(&id)),
            _ => {}
        }
    }
    World {
        base: base
            .into_iter()
            .map(|(remote_id, fields)| Synced { remote_id, fields })
            .collect(),
        local: local.into_values().collect(),
        remote: remote
            .into_iter()
            .map(|(id, f)| in_account(id, f))
            .collect(),
    }
}

/// One side of a record in a generated world: absent, as the base has it, or edited.
#[derive(Debug, Clone)]
pub enum Variant<R> {
    Absent,
    AsBase,
    Edited(R),
}

impl<R: Clone> Variant<R> {
    fn pick(&self, base: &Option<R>) -> Option<R> {
        match (self, base) {
            (Variant::Edited(f), _) => Some(f.clone()),
            (Variant::AsBase, Some(b)) => Some(b.clone()),
            _ => None,
        }
    }
}

/// Absent, as the base (twice as likely), or edited to a value of `f`.
pub fn variant<R: Clone + std::fmt::Debug>(
    f: impl proptest::strategy::Strategy<Value = R> + 'static,
) -> impl proptest::strategy::Strategy<Value = Variant<R>> {
    use proptest::prelude::*;
    prop_oneof![
        Just(Variant::Absent),
        Just(Variant::AsBase),
        Just(Variant::AsBase),
        f.prop_map(Variant::Edited),
    ]
}

/// A world from generated records (remote ids from `first_id`): each with a base or none and
/// its desired and account sides, plus desired rows not created yet. A linked row needs its
/// record known on some side, or it would be invalid.
pub fn world<R: Clone>(
    records: Vec<(Option<R>, Variant<R>, Variant<R>)>,
    new_rows: Vec<R>,
    first_id: i64,
) -> World<R> {
    let mut w = World::default();
    for (i, (base, l, r)) in records.into_iter().enumerate() {
        let id = first_id + i as i64;
        if let Some(f) = r.pick(&base) {
            w.remote.push(in_account(id, f));
        }
        let known = base.is_some() || w.remote.iter().any(|r| r.id == id);
        if let Some(f) = l.pick(&base).filter(|_| known) {
            w.local.push(Desired {
                id: id + 1000,
                remote_id: Some(id),
                fields: f,
                revision: 0,
            });
        }
        if let Some(fields) = base {
            w.base.push(Synced {
                remote_id: id,
                fields,
            });
        }
    }
    for (i, fields) in new_rows.into_iter().enumerate() {
        w.local.push(Desired {
            id: 5000 + i as i64,
            remote_id: None,
            fields,
            revision: 0,
        });
    }
    w
}

/// How a kind of record is merged, executed and checked in sync, for the properties below.
pub struct Kind<R: Record> {
    pub plan: fn(&World<R>, Mode, ConflictPolicy) -> Plan<R>,
    pub apply: fn(&World<R>, &Plan<R>) -> World<R>,
    pub in_sync: fn(&World<R>),
}

impl<R: Record> Kind<R> {
    /// Two-way: applying the plan puts both sides in sync; the next plan sends nothing and
    /// finds no conflict; the one after that changes nothing at all.
    pub fn converges_in_one_run(&self, w: &World<R>, policy: ConflictPolicy) -> PropResult {
        let p = (self.plan)(w, Mode::Both, policy);
        prop_assert!(p.invalid.is_empty(), "{:?}", p.invalid);
        let after = (self.apply)(w, &p);
        (self.in_sync)(&after);
        let again = (self.plan)(&after, Mode::Both, policy);
        prop_assert_eq!(again.pushes().count(), 0, "second plan: {:?}", again);
        prop_assert!(again.conflicts.is_empty(), "second plan: {:?}", again);
        let settled = (self.apply)(&after, &again);
        let third = (self.plan)(&settled, Mode::Both, policy);
        prop_assert!(!third.has_changes(), "third plan: {:?}", third);
        Ok(())
    }

    /// `push`: nothing is adopted, the account ends up as desired, and stays so.
    pub fn push_makes_the_account_match(&self, w: &World<R>) -> PropResult {
        let p = (self.plan)(w, Mode::Push, ConflictPolicy::Manual);
        prop_assert_eq!(p.adopts().count(), 0);
        let after = (self.apply)(w, &p);
        (self.in_sync)(&after);
        let again = (self.plan)(&after, Mode::Push, ConflictPolicy::Manual);
        prop_assert_eq!(again.pushes().count(), 0);
        Ok(())
    }

    /// `manual`: a record with a held conflict gets no decision; the others go on.
    pub fn manual_holds_only_the_conflicting(&self, w: &World<R>) -> PropResult {
        let p = (self.plan)(w, Mode::Both, ConflictPolicy::Manual);
        for c in p.held() {
            prop_assert!(p.decisions.iter().all(|d| d.remote_id != Some(c.remote_id)));
        }
        Ok(())
    }

    /// `pull`: never a push, whatever the policy.
    pub fn pull_never_pushes(&self, w: &World<R>, policy: ConflictPolicy) -> PropResult {
        prop_assert_eq!((self.plan)(w, Mode::Pull, policy).pushes().count(), 0);
        Ok(())
    }
}

pub type PropResult = Result<(), proptest::test_runner::TestCaseError>;

/// The four properties above as proptest cases for one kind: `merge_properties!(KIND, world())`.
macro_rules! merge_properties {
    ($kind:expr, $world:expr) => {
        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

            #[test]
            fn two_way_merge_converges_in_one_run(
                w in $world,
                policy in proptest::sample::select(vec![ConflictPolicy::LocalWins, ConflictPolicy::RemoteWins]),
            ) {
                $kind.converges_in_one_run(&w, policy)?;
            }

            #[test]
            fn push_mode_makes_the_account_match_the_desired_state(w in $world) {
                $kind.push_makes_the_account_match(&w)?;
            }

            #[test]
            fn pull_mode_never_pushes(
                w in $world,
                policy in proptest::sample::select(vec![ConflictPolicy::LocalWins, ConflictPolicy::RemoteWins, ConflictPolicy::Manual]),
            ) {
                $kind.pull_never_pushes(&w, policy)?;
            }

            #[test]
            fn manual_policy_holds_only_the_conflicting_records(w in $world) {
                $kind.manual_holds_only_the_conflicting(&w)?;
            }
        }
    };
}
pub(crate) use merge_properties;
