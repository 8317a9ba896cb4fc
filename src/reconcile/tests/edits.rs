//! A catalog changed on one side or both: what is pushed, adopted or held.

use super::*;

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
