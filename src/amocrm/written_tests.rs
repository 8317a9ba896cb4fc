//! Tests of matching the answer to a v4 write to the items sent.

use serde_json::json;

use super::*;
use ItemResult::{Done, Failed, Unknown};

fn adds(request_ids: &[Value]) -> Vec<Value> {
    request_ids
        .iter()
        .map(|r| json!({"name": "x", "request_id": r}))
        .collect()
}

fn updates(ids: &[i64]) -> Vec<Value> {
    ids.iter()
        .map(|id| json!({"id": id, "name": "x", "request_id": id.to_string()}))
        .collect()
}

fn record(id: RemoteId, request_id: Option<&str>) -> Answered {
    Answered {
        id,
        request_id: request_id.map(Into::into),
    }
}

fn error(names: Names, message: &str) -> ItemError {
    ItemError {
        names,
        message: message.into(),
    }
}

#[test]
fn request_ids_compare_as_strings() {
    for v in [json!("0"), json!(0), json!("0 "), json!(" 00")] {
        assert_eq!(request_key(&v).as_deref(), Some("0"), "{v}");
    }
    assert_eq!(request_key(&json!("ab ")).as_deref(), Some("ab"));
    assert_eq!(request_key(&json!(" ")), None);
    assert_eq!(request_key(&Value::Null), None);
}

#[test]
fn adds_are_matched_by_echo_in_any_order_whatever_its_spelling() {
    let sent = adds(&[json!("17"), json!("18"), json!("19")]);
    let answer = [
        record(3, Some("19")),
        record(1, Some("17")),
        record(2, Some("18")),
    ];
    assert_eq!(
        settle(Op::Add, &sent, &answer, &[]),
        vec![Done(1), Done(2), Done(3)]
    );
}

#[test]
fn adds_without_a_usable_echo_are_matched_by_position_when_counts_agree() {
    let sent = adds(&[json!("17"), json!("18")]);
    let answer = [record(5, Some("0")), record(6, None)];
    assert_eq!(settle(Op::Add, &sent, &answer, &[]), vec![Done(5), Done(6)]);
    let short = [record(5, None)];
    assert_eq!(settle(Op::Add, &sent, &short, &[]), vec![Unknown, Unknown]);
    let one_echo = [record(6, Some("18"))];
    assert_eq!(
        settle(Op::Add, &sent, &one_echo, &[]),
        vec![Unknown, Done(6)]
    );
}

#[test]
fn adds_sharing_a_request_id_go_by_position_and_their_errors_fail_none() {
    let sent = adds(&[json!("0"), json!("0")]);
    let answer = [record(5, Some("0")), record(6, Some("0"))];
    assert_eq!(settle(Op::Add, &sent, &answer, &[]), vec![Done(5), Done(6)]);
    let refused = [error(Names::RequestId("0".into()), "bad")];
    assert_eq!(
        settle(Op::Add, &sent, &[], &refused),
        vec![Unknown, Unknown]
    );
}

#[test]
fn errors_fail_their_adds_and_the_rest_match_by_position() {
    let sent = adds(&[json!("1"), json!("2"), json!("3")]);
    let errors = [
        error(Names::RequestId("2".into()), "a"),
        error(Names::RequestId("2".into()), "b"),
    ];
    let answer = [record(10, None), record(30, None)];
    assert_eq!(
        settle(Op::Add, &sent, &answer, &errors),
        vec![Done(10), Failed("a; b".into()), Done(30)]
    );
}

#[test]
fn updates_are_matched_by_id_and_an_unlisted_one_is_unknown() {
    let sent = updates(&[7, 8, 9]);
    let answer = [record(9, None), record(7, None), record(100, None)];
    let errors = [error(Names::Id(8), "gone")];
    assert_eq!(
        settle(Op::Update, &sent, &answer, &errors),
        vec![Done(7), Failed("gone".into()), Done(9)]
    );
    assert_eq!(settle(Op::Update, &sent, &[], &[]), vec![Unknown; 3]);
}

#[test]
fn a_keyed_error_names_an_update_by_id_else_an_item_by_index_else_an_add_by_request_id() {
    let sent = updates(&[7, 8]);
    assert_eq!(named(Op::Update, &sent, &Names::Key("8".into())), vec![1]);
    assert_eq!(named(Op::Update, &sent, &Names::Key("0".into())), vec![0]);
    assert!(named(Op::Update, &sent, &Names::Key("99".into())).is_empty());
    let sent = adds(&[json!("40"), json!("41")]);
    assert_eq!(named(Op::Add, &sent, &Names::Key("1".into())), vec![1]);
    assert_eq!(named(Op::Add, &sent, &Names::Key("41".into())), vec![1]);
    assert!(named(Op::Add, &sent, &Names::Id(41)).is_empty());
}
