//! Deletions on either side, the push and pull modes, invalid rows.

use super::*;

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
