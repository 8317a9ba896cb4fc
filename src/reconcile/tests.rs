//! Every case of the merge, one test each, and the convergence property.

use std::collections::BTreeMap;

use super::*;
use crate::catalog::{
    ConflictPolicy, DesiredCatalog, Field, Fields, Mode, RemoteCatalog, SyncedCatalog, Value,
};

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

#[test]
fn nothing_changed_gives_an_empty_plan() {
    let plan = one(same, same).plan();
    assert_eq!(plan, Plan::default());
}

#[test]
fn a_local_rename_is_pushed_as_an_update_with_only_the_name() {
    let plan = one(rename("Wares"), same).plan();
    let pushes: Vec<_> = plan.pushes().cloned().collect();
    assert_eq!(
        pushes,
        vec![Push::Update {
            id: 100,
            fields: Fields::named("Wares")
        }]
    );
    assert_eq!(plan.adopts().count(), 0);
}

#[test]
fn a_flag_change_is_pushed_with_the_name_and_that_flag_only() {
    let plan = one(|f| f.can_show_in_cards = Some(true), same).plan();
    let mut expected = Fields::named("Goods");
    expected.can_show_in_cards = Some(true);
    assert_eq!(
        plan.pushes().cloned().collect::<Vec<_>>(),
        vec![Push::Update {
            id: 100,
            fields: expected
        }]
    );
}

#[test]
fn a_remote_rename_is_adopted_with_the_revision_seen() {
    let plan = one(same, rename("Wares")).plan();
    assert_eq!(plan.pushes().count(), 0);
    let adopts: Vec<_> = plan.adopts().cloned().collect();
    assert_eq!(
        adopts,
        vec![Adopt::Update {
            desired_id: 1,
            revision: 3,
            changes: vec![(Field::Name, Some(Value::Text("Wares".into())))]
        }]
    );
    assert_eq!(
        plan.decisions[0].base_after,
        BaseAfter::Set(fields("Wares"))
    );
}

#[test]
fn a_remote_rename_and_a_local_flag_change_go_both_ways_without_reverting_the_name() {
    let plan = one(|f| f.can_add_elements = Some(false), rename("Wares")).plan();
    let mut sent = Fields::named("Wares");
    sent.can_add_elements = Some(false);
    assert_eq!(
        plan.decisions[0].push,
        Some(Push::Update {
            id: 100,
            fields: sent
        })
    );
    assert!(matches!(
        plan.decisions[0].adopt,
        Some(Adopt::Update { .. })
    ));
}

#[test]
fn the_same_change_on_both_sides_needs_no_request() {
    let plan = one(rename("Wares"), rename("Wares")).plan();
    assert!(!plan.has_changes());
    assert!(plan.conflicts.is_empty());
    assert_eq!(
        plan.decisions[0].base_after,
        BaseAfter::Set(fields("Wares"))
    );
}

#[test]
fn a_both_sides_rename_under_local_wins_pushes_and_records_the_conflict() {
    let plan = one(rename("Local"), rename("Remote")).plan();
    assert_eq!(plan.conflicts.len(), 1);
    let c = &plan.conflicts[0];
    assert_eq!(
        (c.field, c.resolution),
        (Some(Field::Name), Some(Side::Local))
    );
    assert_eq!(c.base, Some(serde_json::json!("Goods")));
    assert_eq!(c.local, Some(serde_json::json!("Local")));
    assert_eq!(c.remote, Some(serde_json::json!("Remote")));
    assert!(
        matches!(&plan.decisions[0].push, Some(Push::Update { fields, .. }) if fields.name == "Local")
    );
}

#[test]
fn a_both_sides_rename_under_remote_wins_adopts_and_records_the_conflict() {
    let plan = one(rename("Local"), rename("Remote"))
        .with(Mode::Both, ConflictPolicy::RemoteWins)
        .plan();
    assert_eq!(plan.conflicts[0].resolution, Some(Side::Remote));
    assert_eq!(plan.pushes().count(), 0);
    assert_eq!(plan.adopts().count(), 1);
}

#[test]
fn a_both_sides_rename_under_manual_holds_the_whole_catalog() {
    let plan = one(
        |f| {
            f.name = "Local".into();
            f.can_add_elements = Some(false);
        },
        rename("Remote"),
    )
    .with(Mode::Both, ConflictPolicy::Manual)
    .plan();
    assert_eq!(plan.held().count(), 1);
    assert_eq!(plan.conflicts[0].desired_revision, Some(3));
    assert!(
        plan.decisions.is_empty(),
        "the flag change waits too: {plan:?}"
    );
}

#[test]
fn a_settled_manual_conflict_follows_the_side_the_person_chose() {
    let mut case = one(rename("Local"), rename("Remote")).with(Mode::Both, ConflictPolicy::Manual);
    case.settled.insert(100, Side::Remote);
    let plan = case.plan();
    assert_eq!(plan.conflicts[0].resolution, Some(Side::Remote));
    assert_eq!(plan.decisions[0].settled_by, Some(Side::Remote));
    assert_eq!(plan.adopts().count(), 1);
}

#[test]
fn a_new_local_row_is_added_without_sort() {
    let case = Case::new(vec![], vec![local(1, None, fields("New"))], vec![]);
    let plan = case.plan();
    let Some(Push::Add {
        fields: sent,
        replaces,
    }) = &plan.decisions[0].push
    else {
        panic!("{plan:?}")
    };
    assert_eq!((sent.sort, *replaces), (None, None));
    assert_eq!(plan.decisions[0].desired_id, Some(1));
}

#[test]
fn a_deleted_local_row_deletes_the_catalog() {
    let case = Case::new(
        vec![base(100, fields("Goods"))],
        vec![],
        vec![remote(100, fields("Goods"))],
    );
    let plan = case.plan();
    assert_eq!(
        plan.pushes().cloned().collect::<Vec<_>>(),
        vec![Push::Delete { id: 100 }]
    );
    assert_eq!(plan.deletions(), 1);
    assert_eq!(plan.decisions[0].base_after, BaseAfter::Remove);
}

#[test]
fn a_new_remote_catalog_is_adopted_as_a_new_row() {
    let case = Case::new(vec![], vec![], vec![remote(100, fields("Goods"))]);
    let plan = case.plan();
    assert_eq!(
        plan.adopts().cloned().collect::<Vec<_>>(),
        vec![Adopt::Insert {
            remote_id: 100,
            fields: fields("Goods")
        }]
    );
}

#[test]
fn a_remote_catalog_without_type_is_adopted_as_regular() {
    let mut f = fields("Goods");
    f.kind = None;
    let plan = Case::new(vec![], vec![], vec![remote(100, f)]).plan();
    let Some(Adopt::Insert { fields, .. }) = &plan.decisions[0].adopt else {
        panic!()
    };
    assert_eq!(fields.kind.as_deref(), Some("regular"));
}

#[test]
fn a_remote_deletion_removes_the_unchanged_row() {
    let case = Case::new(
        vec![base(100, fields("Goods"))],
        vec![local(1, Some(100), fields("Goods"))],
        vec![],
    );
    let plan = case.plan();
    assert_eq!(
        plan.adopts().cloned().collect::<Vec<_>>(),
        vec![Adopt::Delete {
            desired_id: 1,
            revision: 3
        }]
    );
    assert_eq!(plan.deletions(), 1);
}

#[test]
fn a_remote_deletion_against_a_local_edit_is_a_conflict_settled_by_the_policy() {
    let case = |policy| {
        Case::new(
            vec![base(100, fields("Goods"))],
            vec![local(1, Some(100), fields("Wares"))],
            vec![],
        )
        .with(Mode::Both, policy)
        .plan()
    };
    let local_wins = case(ConflictPolicy::LocalWins);
    assert_eq!(
        local_wins.conflicts[0].remote,
        Some(serde_json::json!("deleted"))
    );
    assert!(matches!(
        local_wins.decisions[0].push,
        Some(Push::Add {
            replaces: Some(100),
            ..
        })
    ));
    let remote_wins = case(ConflictPolicy::RemoteWins);
    assert!(matches!(
        remote_wins.decisions[0].adopt,
        Some(Adopt::Delete { .. })
    ));
    let manual = case(ConflictPolicy::Manual);
    assert_eq!((manual.held().count(), manual.decisions.len()), (1, 0));
}

#[test]
fn a_local_deletion_against_a_remote_edit_is_a_conflict_settled_by_the_policy() {
    let case = |policy| {
        Case::new(
            vec![base(100, fields("Goods"))],
            vec![],
            vec![remote(100, fields("Wares"))],
        )
        .with(Mode::Both, policy)
        .plan()
    };
    let local_wins = case(ConflictPolicy::LocalWins);
    assert_eq!(
        local_wins.conflicts[0].local,
        Some(serde_json::json!("deleted"))
    );
    assert_eq!(local_wins.decisions[0].push, Some(Push::Delete { id: 100 }));
    let remote_wins = case(ConflictPolicy::RemoteWins);
    assert!(matches!(
        remote_wins.decisions[0].adopt,
        Some(Adopt::Insert { remote_id: 100, .. })
    ));
    assert_eq!(case(ConflictPolicy::Manual).decisions.len(), 0);
}

#[test]
fn a_catalog_gone_on_both_sides_only_leaves_the_base() {
    let plan = Case::new(vec![base(100, fields("Goods"))], vec![], vec![]).plan();
    assert!(!plan.has_changes());
    assert_eq!(plan.decisions[0].base_after, BaseAfter::Remove);
    assert_eq!(plan.deletions(), 0);
}

#[test]
fn a_field_missing_from_the_pull_is_compared_with_the_base_only() {
    let plan = one(
        |f| f.can_link_multiple = Some(false),
        |f| f.can_link_multiple = None,
    )
    .plan();
    assert!(
        matches!(&plan.decisions[0].push, Some(Push::Update { fields, .. }) if fields.can_link_multiple == Some(false))
    );
    let quiet = one(same, |f| f.can_link_multiple = None).plan();
    assert!(!quiet.has_changes());
}

#[test]
fn push_mode_reverts_remote_edits_deletes_remote_only_catalogs_and_recreates_deleted_ones() {
    let case = Case::new(
        vec![base(100, fields("A")), base(200, fields("B"))],
        vec![
            local(1, Some(100), fields("A")),
            local(2, Some(200), fields("B")),
        ],
        vec![
            remote(100, fields("A renamed")),
            remote(300, fields("Stray")),
        ],
    )
    .with(Mode::Push, ConflictPolicy::Manual);
    let plan = case.plan();
    let pushes: Vec<_> = plan.pushes().cloned().collect();
    assert!(
        pushes.contains(&Push::Update {
            id: 100,
            fields: Fields::named("A")
        }),
        "{pushes:?}"
    );
    assert!(pushes.contains(&Push::Delete { id: 300 }));
    assert!(pushes.iter().any(|p| matches!(
        p,
        Push::Add {
            replaces: Some(200),
            ..
        }
    )));
    assert_eq!(plan.adopts().count(), 0);
    assert!(plan.conflicts.is_empty());
}

#[test]
fn pull_mode_adopts_everything_and_never_pushes() {
    let case = Case::new(
        vec![base(100, fields("A")), base(200, fields("B"))],
        vec![
            local(1, Some(100), fields("A")),
            local(2, Some(200), fields("B edited")),
            local(3, None, fields("New")),
        ],
        vec![
            remote(100, fields("A renamed")),
            remote(200, fields("B")),
            remote(300, fields("Fresh")),
        ],
    )
    .with(Mode::Pull, ConflictPolicy::LocalWins);
    let plan = case.plan();
    assert_eq!(plan.pushes().count(), 0);
    assert_eq!(
        plan.adopts().count(),
        2,
        "rename of 100 and the new 300: {plan:?}"
    );
    assert_eq!(
        plan.notices.len(),
        2,
        "the local edit of 200 and the new row 3: {plan:?}"
    );
}

#[test]
fn an_invalid_row_is_skipped_while_the_other_edits_go_out() {
    let case = Case::new(
        vec![base(100, fields("Goods"))],
        vec![
            local(1, Some(100), fields("")),
            local(2, None, fields("New")),
        ],
        vec![remote(100, fields("Goods renamed"))],
    );
    let plan = case.plan();
    assert_eq!(plan.invalid.len(), 1);
    assert_eq!(plan.invalid[0].desired_id, 1);
    assert_eq!(
        plan.decisions.len(),
        1,
        "the invalid row's catalog is held, not deleted: {plan:?}"
    );
    assert!(matches!(plan.decisions[0].push, Some(Push::Add { .. })));
}

#[test]
fn a_linked_row_without_a_base_pushes_its_differences() {
    let case = Case::new(
        vec![],
        vec![local(1, Some(100), fields("Mine"))],
        vec![remote(100, fields("Theirs"))],
    );
    let plan = case.plan();
    assert!(
        matches!(&plan.decisions[0].push, Some(Push::Update { fields, .. }) if fields.name == "Mine")
    );
}

#[test]
fn sort_changed_in_the_account_is_adopted_and_never_pushed() {
    let plan = one(same, |f| f.sort = Some(20)).plan();
    assert_eq!(plan.pushes().count(), 0);
    assert!(
        matches!(&plan.decisions[0].adopt, Some(Adopt::Update { changes, .. }) if changes == &vec![(Field::Sort, Some(Value::Int(20)))])
    );
}
