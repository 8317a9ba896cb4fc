//! Convergence: for random base/local/remote triples, applying the plan to both sides makes them
//! equal, and merging again gives a plan with nothing to do.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::super::*;
use super::model::{self, variant};
use crate::catalog::{ConflictPolicy, Field, Fields, Mode, Value};

type World = model::World<Fields>;

fn remote_fields() -> impl Strategy<Value = Fields> {
    (
        prop::sample::select(vec!["a", "b", "c"]),
        prop::sample::select(vec!["regular", "invoices"]),
        prop::option::of(any::<bool>()),
        any::<bool>(),
        any::<bool>(),
        0..3i64,
    )
        .prop_map(|(name, kind, add, show, link, sort)| Fields {
            name: name.into(),
            kind: Some(kind.into()),
            can_add_elements: add,
            can_show_in_cards: Some(show),
            can_link_multiple: Some(link),
            sort: Some(sort),
        })
}

/// Local rows may leave flags unmanaged (NULL).
fn local_fields() -> impl Strategy<Value = Fields> {
    (remote_fields(), prop::option::of(any::<bool>())).prop_map(|(mut f, show)| {
        f.can_show_in_cards = show;
        f
    })
}

fn world() -> impl Strategy<Value = World> {
    let catalog = (
        prop::option::of(remote_fields()),
        variant(local_fields()),
        variant(remote_fields()),
    );
    (
        prop::collection::vec(catalog, 0..6),
        prop::collection::vec(local_fields(), 0..3),
    )
        .prop_map(|(catalogs, new_rows)| {
            // API v2 cannot set sort: a new row's sort is filled from the account later.
            let new_rows = new_rows
                .into_iter()
                .map(|f| Fields { sort: None, ..f })
                .collect();
            model::world(catalogs, new_rows, 100)
        })
}

fn plan(w: &World, mode: Mode, policy: ConflictPolicy) -> Plan {
    merge(&MergeInput {
        base: &w.base,
        local: &w.local,
        remote: &w.remote,
        mode,
        policy,
        settled: &BTreeMap::new(),
    })
}

/// Executes a plan; the account gives a new catalog its flags (false unless sent) and a sort.
fn apply(w: &World, plan: &Plan) -> World {
    model::apply(w, plan, |mut created: Fields| {
        for f in [
            Field::CanAddElements,
            Field::CanShowInCards,
            Field::CanLinkMultiple,
        ] {
            if created.get(f).is_none() {
                created.set(f, Some(Value::Bool(false)));
            }
        }
        created.sort = Some(0);
        created
    })
}

/// Every desired row is linked to a catalog with the same values in every field it manages.
/// `sort` is left out: API v2 cannot set it, so the account's value is adopted by the next run.
fn assert_in_sync(w: &World) {
    assert_eq!(w.local.len(), w.remote.len(), "one row per catalog: {w:?}");
    for row in &w.local {
        let id = row.remote_id.expect("every row is linked");
        let r = w
            .remote
            .iter()
            .find(|r| r.id == id)
            .expect("linked to an existing catalog");
        for f in Field::ALL.into_iter().filter(|f| f.is_pushable()) {
            if let Some(v) = row.fields.get(f) {
                // A field the account does not report is agreed when it equals the base.
                let b = w
                    .base
                    .iter()
                    .find(|b| b.remote_id == id)
                    .and_then(|b| b.fields.get(f));
                let known = r.fields.get(f).or(b);
                assert_eq!(Some(v), known, "field {f} of catalog {id}: {w:?}");
            }
        }
    }
}

const KIND: model::Kind<Fields> = model::Kind {
    plan,
    apply,
    in_sync: assert_in_sync,
};

model::merge_properties!(KIND, world());
