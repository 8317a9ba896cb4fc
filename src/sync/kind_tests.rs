//! The request counts `plan` shows follow the outbox's grouping rule.

use super::*;
use crate::catalog::Fields;
use crate::element::ElementFields;
use crate::reconcile::{BaseAfter, Plan};
use crate::record::Record;
use crate::sync::ElementReport;

fn decision<R: Record>(push: Push<R>) -> Decision<R> {
    Decision {
        remote_id: Some(1),
        desired_id: Some(1),
        name: "x".into(),
        push: Some(push),
        adopt: None,
        base_after: BaseAfter::Keep,
        settled_by: None,
        before: None,
    }
}

/// `adds` adds, `updates` updates and `deletes` deletes.
fn mixed<R: Record>(adds: usize, updates: usize, deletes: usize, fields: R) -> Plan<R> {
    let mut decisions = Vec::new();
    for _ in 0..adds {
        decisions.push(decision(Push::Add {
            fields: fields.clone(),
            replaces: None,
        }));
    }
    for id in 0..updates {
        decisions.push(decision(Push::Update {
            id: id as i64,
            fields: fields.clone(),
        }));
    }
    for id in 0..deletes {
        decisions.push(decision(Push::Delete { id: id as i64 }));
    }
    Plan {
        decisions,
        ..Plan::default()
    }
}

fn report(catalog: Option<i64>, desired: i64, plan: Plan<ElementFields>) -> ElementReport {
    ElementReport {
        catalog_remote_id: catalog,
        desired_catalog_id: desired,
        catalog: "c".into(),
        field_names: Default::default(),
        plan,
        pulled: 0,
        pages: 1,
        error: None,
    }
}

fn catalogs(adds: usize, updates: usize, deletes: usize) -> Plans {
    Plans {
        catalogs: mixed(adds, updates, deletes, Fields::named("x")),
        elements: Vec::new(),
    }
}

#[test]
fn through_v2_every_catalog_write_shares_the_posts_and_through_v4_each_kind_has_its_own() {
    let plans = catalogs(3, 2, 2);
    assert_eq!(plans.catalog_requests(ApiVersion::V2, 10), 1);
    assert_eq!(plans.catalog_requests(ApiVersion::V2, 3), 3, "ceil(7 / 3)");
    assert_eq!(plans.catalog_requests(ApiVersion::Auto, 10), 1);
    assert_eq!(
        plans.catalog_requests(ApiVersion::V4, 10),
        3,
        "one POST, one PATCH, one v2 POST for the deletes"
    );
    assert_eq!(
        plans.catalog_requests(ApiVersion::V4, 2),
        2 + 1 + 1,
        "each kind split by the batch size"
    );
    assert_eq!(catalogs(0, 0, 0).catalog_requests(ApiVersion::V4, 2), 0);
}

#[test]
fn element_adds_and_updates_go_per_catalog_and_deletes_across_catalogs() {
    let named = || ElementFields::named("e".into());
    let plans = Plans {
        catalogs: Plan::default(),
        elements: vec![
            report(Some(1), 1, mixed(3, 1, 1, named())),
            report(Some(2), 2, mixed(1, 0, 1, named())),
            // Two catalogs still to be created: their adds go to two catalogs.
            report(None, 3, mixed(1, 0, 0, named())),
            report(None, 4, mixed(1, 0, 0, named())),
        ],
    };
    assert_eq!(
        plans.element_requests(2),
        (2 + 1) + 1 + 1 + 1 + 1,
        "catalog 1: 2 add requests and 1 update; catalog 2: 1 add; 1 delete request for both; \
         one add for each catalog to be created"
    );
    assert_eq!(plans.element_requests(50), 2 + 1 + 1 + 2);
}

#[test]
fn the_count_is_the_number_of_chunks_the_outbox_sends() {
    let keys = [
        RequestKey::TOGETHER,
        RequestKey::catalog::<Fields>(ApiVersion::V4, &Push::Delete { id: 1 }),
        RequestKey {
            rank: 2,
            catalog: Some(5),
        },
        RequestKey {
            rank: 2,
            catalog: Some(5),
        },
        RequestKey {
            rank: 2,
            catalog: Some(4),
        },
        RequestKey {
            rank: 1,
            catalog: Some(5),
        },
    ];
    let mut sorted = keys.to_vec();
    sorted.sort();
    let sent = chunks(&sorted, |k| *k, 1);
    assert_eq!(request_count(keys, 1), sent.len());
    assert_eq!(
        sent.iter()
            .map(|(k, c)| (k.rank, c.len()))
            .collect::<Vec<_>>(),
        [(0, 1), (0, 1), (1, 1), (2, 1), (2, 1), (2, 1)]
    );
    assert_eq!(
        request_count(keys, 2),
        4,
        "deletes together, adds of catalog 5 together"
    );
}
