//! The merge core with elements: random base/local/remote sets of elements with random field
//! edits (custom fields managed or not, values cleared, elements added and deleted on either
//! side). Applying the plan makes both sides equal, and merging again gives an empty plan.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::*;
use super::model::{self, in_account, variant};
use crate::element::{DesiredElement, ElementFields, ElementKey, FieldDef, SyncedElement};
use crate::record::{ConflictPolicy, Mode, Record};

/// The catalog's fields: 1 and 2 hold text, 3 a number.
const FIELDS: [i64; 3] = [1, 2, 3];

type World = model::World<ElementFields>;

/// A complete record as the account (after a pull) or the base holds it: every field present,
/// `null` when empty.
fn full() -> impl Strategy<Value = ElementFields> {
    (
        prop::sample::select(vec!["Чайник", "Кружка", "Ложка"]),
        prop::option::of(prop::sample::select(vec!["a", "b"])),
        prop::option::of(prop::sample::select(vec!["x", "y"])),
        prop::option::of(0..3i64),
    )
        .prop_map(|(name, one, two, three)| {
            let mut f = ElementFields::named(name.into());
            f.values.insert(1, one.map_or(Value::Null, |v| json!(v)));
            f.values.insert(2, two.map_or(Value::Null, |v| json!(v)));
            f.values.insert(3, three.map_or(Value::Null, |v| json!(v)));
            f
        })
}

/// A desired record: some fields not managed (absent keys).
fn partial() -> impl Strategy<Value = ElementFields> {
    (full(), prop::collection::vec(any::<bool>(), 3)).prop_map(|(mut f, managed)| {
        for (id, keep) in FIELDS.iter().zip(managed) {
            if !keep {
                f.values.remove(id);
            }
        }
        f
    })
}

fn world() -> impl Strategy<Value = World> {
    let element = (
        prop::option::of(full()),
        variant(partial()),
        variant(full()),
    );
    (
        prop::collection::vec(element, 0..8),
        prop::collection::vec(partial(), 0..3),
    )
        .prop_map(|(elements, new_rows)| model::world(elements, new_rows, 500))
}

fn plan(w: &World, mode: Mode, policy: ConflictPolicy) -> Plan<ElementFields> {
    merge_records(
        &MergeInput {
            base: &w.base,
            local: &w.local,
            remote: &w.remote,
            mode,
            policy,
            settled: &BTreeMap::new(),
        },
        vec![],
    )
}

/// The account after a write: what an add leaves out is empty, an update sets what it sends.
fn stored(mut f: ElementFields) -> ElementFields {
    for id in FIELDS {
        f.values.entry(id).or_insert(Value::Null);
    }
    f
}

fn apply(w: &World, plan: &Plan<ElementFields>) -> World {
    model::apply(w, plan, stored)
}

/// Every desired row is linked to an element with the same value in every field it manages.
fn assert_in_sync(w: &World) {
    assert_eq!(w.local.len(), w.remote.len(), "one row per element: {w:?}");
    for row in &w.local {
        let id = row.remote_id.expect("every row is linked");
        let r = w.remote.iter().find(|r| r.id == id).expect("linked");
        for k in row.fields.keys() {
            assert_eq!(row.fields.get(k), r.fields.get(k), "{k} of {id}: {w:?}");
        }
    }
}

const KIND: model::Kind<ElementFields> = model::Kind {
    plan,
    apply,
    in_sync: assert_in_sync,
};

model::merge_properties!(KIND, world());

proptest! {
    #[test]
    fn a_field_added_to_the_catalog_later_is_adopted_into_synced_rows(
        value in prop::sample::select(vec!["p", "q"]),
    ) {
        let mut base = ElementFields::named("Чайник".into());
        base.values.insert(1, json!("a"));
        let mut now = base.clone();
        now.values.insert(4, json!(value));
        let w = World {
            base: vec![SyncedElement { remote_id: 7, fields: base.clone() }],
            local: vec![DesiredElement { id: 1, remote_id: Some(7), fields: base, revision: 0 }],
            remote: vec![in_account(7, now)],
        };
        let p = plan(&w, Mode::Both, ConflictPolicy::LocalWins);
        prop_assert_eq!(p.pushes().count(), 0);
        let adopted = p.adopts().any(|a| matches!(a, Adopt::Update { changes, .. }
            if changes == &vec![(ElementKey::Field(4), Some(json!(value)))]));
        prop_assert!(adopted, "{:?}", p);
    }
}

/// `plan` through the elements' entry point, which knows the catalog's fields.
fn plan_with_fields(w: &World, policy: ConflictPolicy) -> Plan<ElementFields> {
    let fields = [(1, "text"), (2, "text"), (3, "numeric")]
        .map(|(id, kind)| FieldDef::new(id, 500, &format!("f{id}"), kind));
    elements::merge_elements(
        &MergeInput {
            base: &w.base,
            local: &w.local,
            remote: &w.remote,
            mode: Mode::Both,
            policy,
            settled: &BTreeMap::new(),
        },
        &fields,
    )
}

proptest! {
    /// SPEC §6: "The run after a successful push has nothing to send", and nothing to adopt
    /// either: a field an added row leaves out stays unmanaged.
    #[test]
    fn the_run_after_a_run_has_nothing_to_do(
        w in world(),
        policy in prop::sample::select(vec![
            ConflictPolicy::LocalWins, ConflictPolicy::RemoteWins, ConflictPolicy::Manual,
        ]),
    ) {
        let p = plan_with_fields(&w, policy);
        let after = apply(&w, &p);
        let again = plan_with_fields(&after, policy);
        prop_assert!(!again.has_changes(), "second plan: {:?}", again);
    }
}
