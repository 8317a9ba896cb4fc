//! Each kind of decision as the change `plan --json` lists.

use serde_json::json;

use super::*;
use crate::catalog::{Field, Fields, Value as Flag};
use crate::element::{ElementFields, ElementKey};
use crate::reconcile::BaseAfter;

const SHOP: Scope = Scope {
    account: "shop",
    catalog_remote_id: None,
};

fn decision<R: Record>(remote_id: Option<i64>, desired_id: Option<i64>, name: &str) -> Decision<R> {
    Decision {
        remote_id,
        desired_id,
        name: name.into(),
        push: None,
        adopt: None,
        base_after: BaseAfter::Keep,
        settled_by: None,
        before: None,
    }
}

fn goods(can_add: Option<bool>) -> Fields {
    Fields {
        kind: Some("regular".into()),
        can_add_elements: can_add,
        ..Fields::named("Goods")
    }
}

fn only_change<R: Record>(d: Decision<R>, scope: Scope) -> Value {
    let plan = Plan {
        decisions: vec![d],
        ..Plan::default()
    };
    let mut all = changes(&plan, scope);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

#[test]
fn an_add_has_no_before_and_every_set_field_after() {
    let mut d = decision::<Fields>(None, Some(4), "Goods");
    d.push = Some(Push::Add {
        fields: goods(Some(true)),
        replaces: None,
    });
    assert_eq!(
        only_change(d, SHOP),
        json!({
            "entity": "catalog", "action": "add", "account": "shop", "catalog_remote_id": null,
            "remote_id": null, "desired_id": 4, "name": "Goods", "before": null,
            "after": {"name": "Goods", "type": "regular", "can_add_elements": true}
        })
    );
}

#[test]
fn an_update_shows_the_changed_fields_only_and_the_name_only_when_it_changes() {
    let mut same_name = decision::<Fields>(Some(7), Some(4), "Goods");
    let mut fields = Fields::named("Goods");
    fields.can_add_elements = Some(false);
    same_name.push = Some(Push::Update { id: 7, fields });
    same_name.before = Some(goods(Some(true)));
    let change = only_change(same_name, SHOP);
    assert_eq!(change["action"], "update");
    assert_eq!(change["before"], json!({"can_add_elements": true}));
    assert_eq!(change["after"], json!({"can_add_elements": false}));

    let mut renamed = decision::<Fields>(Some(7), Some(4), "Wares");
    renamed.push = Some(Push::Update {
        id: 7,
        fields: Fields::named("Wares"),
    });
    renamed.before = Some(Fields::named("Goods"));
    let change = only_change(renamed, SHOP);
    assert_eq!(change["before"], json!({"name": "Goods"}));
    assert_eq!(change["after"], json!({"name": "Wares"}));
}

#[test]
fn deletes_show_the_whole_record_before_and_nothing_after() {
    let mut gone = decision::<Fields>(Some(7), None, "Goods");
    gone.push = Some(Push::Delete { id: 7 });
    gone.before = Some(goods(None));
    let change = only_change(gone, SHOP);
    assert_eq!(
        (&change["action"], &change["remote_id"]),
        (&json!("delete"), &json!(7))
    );
    assert_eq!(
        change["before"],
        json!({"name": "Goods", "type": "regular"})
    );
    assert_eq!(change["after"], Value::Null);

    let mut adopted = decision::<Fields>(Some(7), Some(4), "Goods");
    adopted.adopt = Some(Adopt::Delete {
        desired_id: 4,
        revision: 1,
    });
    adopted.before = Some(goods(None));
    assert_eq!(only_change(adopted, SHOP)["action"], "adopt_delete");
}

#[test]
fn what_comes_into_the_database_is_adopt_add_update_or_delete_and_an_unlink_nulls_remote_id() {
    let mut insert = decision::<Fields>(Some(9), None, "New");
    insert.adopt = Some(Adopt::Insert {
        remote_id: 9,
        fields: Fields::named("New"),
    });
    let change = only_change(insert, SHOP);
    assert_eq!(change["action"], "adopt_add");
    assert_eq!(
        (&change["before"], &change["after"]),
        (&Value::Null, &json!({"name": "New"}))
    );

    let mut update = decision::<Fields>(Some(7), Some(4), "Goods");
    update.adopt = Some(Adopt::Update {
        desired_id: 4,
        revision: 2,
        changes: vec![(Field::Sort, Some(Flag::Int(20)))],
    });
    update.before = Some(Fields {
        sort: Some(10),
        ..Fields::named("Goods")
    });
    let change = only_change(update, SHOP);
    assert_eq!(change["action"], "adopt_update");
    assert_eq!(
        (&change["before"], &change["after"]),
        (&json!({"sort": 10}), &json!({"sort": 20}))
    );

    let mut unlink = decision::<Fields>(Some(7), Some(4), "Goods");
    unlink.adopt = Some(Adopt::Unlink {
        desired_id: 4,
        revision: 2,
    });
    let change = only_change(unlink, SHOP);
    assert_eq!(change["action"], "adopt_update");
    assert_eq!(
        (&change["before"], &change["after"]),
        (&json!({"remote_id": 7}), &json!({"remote_id": null}))
    );
}

#[test]
fn element_fields_are_keyed_by_field_id_and_carry_their_catalog() {
    let mut d = decision::<ElementFields>(Some(55), Some(3), "Kettle");
    let mut after = ElementFields::named("Kettle".into());
    after.set(ElementKey::Field(270002), Some(json!(1290.5)));
    after.set(ElementKey::Field(270006), Some(Value::Null));
    let mut before = ElementFields::named("Kettle".into());
    before.set(ElementKey::Field(270002), Some(json!(990)));
    before.set(ElementKey::Field(270006), Some(json!("шт")));
    d.push = Some(Push::Update {
        id: 55,
        fields: after,
    });
    d.before = Some(before);
    let scope = Scope {
        account: "shop",
        catalog_remote_id: Some(7001),
    };
    let change = only_change(d, scope);
    assert_eq!(
        (&change["entity"], &change["catalog_remote_id"]),
        (&json!("element"), &json!(7001))
    );
    assert_eq!(change["before"], json!({"270002": 990, "270006": "шт"}));
    assert_eq!(change["after"], json!({"270002": 1290.5, "270006": null}));
}
