//! Every case of the merge, one test each (`edits`, `deletes_and_modes`), the properties
//! (`property`, `elements`) and the model they check plans against.

use std::collections::BTreeMap;

use super::*;
use crate::catalog::{
    ConflictPolicy, DesiredCatalog, Field, Fields, Mode, RemoteCatalog, SyncedCatalog, Value,
};

mod deletes_and_modes;
mod edits;
mod elements;
mod model;
mod property;

pub(super) fn fields(name: &str) -> Fields {
    Fields {
        name: name.into(),
        kind: Some("regular".into()),
        can_add_elements: Some(true),
        can_show_in_cards: Some(false),
        can_link_multiple: Some(true),
        sort: Some(10),
    }
}

fn base(id: i64, f: Fields) -> SyncedCatalog {
    SyncedCatalog {
        remote_id: id,
        fields: f,
    }
}

fn local(id: i64, remote_id: Option<i64>, f: Fields) -> DesiredCatalog {
    DesiredCatalog {
        id,
        remote_id,
        fields: f,
        revision: 3,
    }
}

fn remote(id: i64, f: Fields) -> RemoteCatalog {
    RemoteCatalog::new(id, f)
}

struct Case {
    base: Vec<SyncedCatalog>,
    local: Vec<DesiredCatalog>,
    remote: Vec<RemoteCatalog>,
    mode: Mode,
    policy: ConflictPolicy,
    settled: BTreeMap<i64, Side>,
}

impl Case {
    fn new(
        base: Vec<SyncedCatalog>,
        local: Vec<DesiredCatalog>,
        remote: Vec<RemoteCatalog>,
    ) -> Case {
        Case {
            base,
            local,
            remote,
            mode: Mode::Both,
            policy: ConflictPolicy::LocalWins,
            settled: BTreeMap::new(),
        }
    }

    fn with(mut self, mode: Mode, policy: ConflictPolicy) -> Case {
        self.mode = mode;
        self.policy = policy;
        self
    }

    fn plan(&self) -> Plan {
        merge(&MergeInput {
            base: &self.base,
            local: &self.local,
            remote: &self.remote,
            mode: self.mode,
            policy: self.policy,
            settled: &self.settled,
        })
    }
}

/// One catalog, agreed everywhere, then changed by the closures.
fn one(l: impl FnOnce(&mut Fields), r: impl FnOnce(&mut Fields)) -> Case {
    let (mut lf, mut rf) = (fields("Goods"), fields("Goods"));
    l(&mut lf);
    r(&mut rf);
    Case::new(
        vec![base(100, fields("Goods"))],
        vec![local(1, Some(100), lf)],
        vec![remote(100, rf)],
    )
}

fn rename(to: &str) -> impl FnOnce(&mut Fields) + '_ {
    move |f| f.name = to.into()
}

fn same(_: &mut Fields) {}
