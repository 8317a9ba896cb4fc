//! Tests of matching an answer to the batch it answers.

use reqwest::StatusCode;

use super::*;
use crate::amocrm::batch::UpdateItem;
use crate::amocrm::wire::parse_post_reply;
use crate::catalog::Fields;
use ItemResult::{Done, Failed, Unknown};

const DOCS_ADD: &str =
    include_str!("../../tests/fixtures/amocrm/v2-catalogs-POST-add-response-docs-example.json");
const ITEM_ERROR: &str = include_str!(
    "../../tests/fixtures/amocrm/v2-POST-per-item-error-contacts-update-captured.json"
);
const UPDATE_OK: &str =
    include_str!("../../tests/fixtures/amocrm/v2-POST-update-success-contacts-captured.json");

fn batch(request_ids: &[i64], updates: &[RemoteId], deletes: &[RemoteId]) -> Batch {
    Batch {
        add: request_ids
            .iter()
            .map(|&request_id| AddItem {
                request_id,
                fields: Fields::named(format!("new {request_id}")),
            })
            .collect(),
        update: updates
            .iter()
            .map(|&id| UpdateItem {
                id,
                fields: Fields::named("x"),
            })
            .collect(),
        delete: deletes.to_vec(),
    }
}

fn settle(batch: &Batch, body: &str) -> BatchOutcome {
    let reply = parse_post_reply(StatusCode::OK, body).unwrap();
    let outcome = BatchOutcome::from_reply(batch, &reply, body.to_string());
    assert_eq!(outcome.add.len(), batch.add.len());
    assert_eq!(outcome.update.len(), batch.update.len());
    assert_eq!(outcome.delete.len(), batch.delete.len());
    assert_eq!(outcome.body, body);
    outcome
}

#[test]
fn the_docs_add_answer_gives_the_one_add_its_id_by_position() {
    assert_eq!(
        settle(&batch(&[0], &[], &[]), DOCS_ADD).add,
        vec![Done(4223)]
    );
}

#[test]
fn adds_are_matched_by_echoed_request_id_in_any_order() {
    let body = r#"{"_embedded":{"items":[{"id":3,"request_id":12},{"id":1,"request_id":"10"},
                  {"id":2,"request_id":11}]}}"#;
    assert_eq!(
        settle(&batch(&[10, 11, 12], &[], &[]), body).add,
        vec![Done(1), Done(2), Done(3)]
    );
}

#[test]
fn adds_are_matched_by_position_skipping_the_failed_index() {
    let body = r#"{"_embedded":{"items":[{"id":100},{"id":102}],"errors":{"add":{"1":"too many catalogs"}}}}"#;
    let add = settle(&batch(&[7, 8, 9], &[], &[]), body).add;
    assert_eq!(
        add,
        vec![Done(100), Failed("too many catalogs".into()), Done(102)]
    );
}

#[test]
fn an_error_keyed_by_request_id_fails_that_add() {
    let body = r#"{"_embedded":{"items":[{"id":9}],"errors":{"add":{"51":"duplicate"}}}}"#;
    assert_eq!(
        settle(&batch(&[50, 51], &[], &[]), body).add,
        vec![Done(9), Failed("duplicate".into())]
    );
}

#[test]
fn an_echo_that_matches_no_sent_request_id_falls_back_to_position() {
    let body = r#"{"_embedded":{"items":[{"id":20,"request_id":0},{"id":21,"request_id":0}]}}"#;
    assert_eq!(
        settle(&batch(&[5, 6], &[], &[]), body).add,
        vec![Done(20), Done(21)]
    );
}

#[test]
fn an_echo_naming_a_failed_add_is_not_given_to_another_add() {
    let body = r#"{"_embedded":{"items":[{"id":20,"request_id":5}],"errors":{"add":{"0":"no"}}}}"#;
    let add = settle(&batch(&[5, 6], &[], &[]), body).add;
    assert_eq!(add, vec![Failed("no".into()), Unknown]);
}

#[test]
fn adds_stay_unknown_when_the_counts_do_not_allow_matching_by_position() {
    let body = r#"{"_embedded":{"items":[{"id":20}]}}"#;
    assert_eq!(
        settle(&batch(&[5, 6], &[], &[]), body).add,
        vec![Unknown, Unknown]
    );
}

#[test]
fn an_add_neither_confirmed_nor_failed_is_unknown_while_echoed_ones_are_done() {
    let body = r#"{"_embedded":{"items":[{"id":30,"request_id":6}]}}"#;
    assert_eq!(
        settle(&batch(&[5, 6], &[], &[]), body).add,
        vec![Unknown, Done(30)]
    );
}

#[test]
fn a_per_item_error_fails_only_its_update() {
    let outcome = settle(&batch(&[], &[59144296, 111], &[]), ITEM_ERROR);
    assert_eq!(
        outcome.update,
        vec![
            Failed("Last modified date is older than in database".into()),
            Done(())
        ]
    );
}

#[test]
fn items_confirming_updates_and_deletes_are_not_taken_for_adds() {
    let body = r#"{"_embedded":{"items":[{"id":59144296},{"id":"8"},{"id":500}]}}"#;
    let outcome = settle(&batch(&[1], &[59144296], &[8]), body);
    assert_eq!(outcome.add, vec![Done(500)]);
    assert_eq!(outcome.update, vec![Done(())]);
    assert_eq!(outcome.delete, vec![Done(())]);
    let only_update = settle(&batch(&[1], &[59144296], &[]), UPDATE_OK);
    assert_eq!(only_update.add, vec![Unknown]);
}

#[test]
fn delete_errors_are_matched_by_id_or_by_index() {
    let body = r#"{"_embedded":{"items":[],"errors":{"delete":{"2562":"the products catalog cannot be deleted","0":"not found"}}}}"#;
    let outcome = settle(&batch(&[], &[], &[2561, 2562, 2563]), body);
    assert_eq!(
        outcome.delete,
        vec![
            Failed("not found".into()),
            Failed("the products catalog cannot be deleted".into()),
            Done(())
        ]
    );
}

#[test]
fn an_error_for_an_item_that_was_not_sent_changes_nothing() {
    let body = r#"{"_embedded":{"errors":{"update":{"999":"?"},"add":{"42":"?"}}}}"#;
    let outcome = settle(&batch(&[0], &[5], &[]), body);
    assert_eq!(outcome.update, vec![Done(())]);
    assert_eq!(outcome.add, vec![Unknown]);
}

#[test]
fn an_answer_without_a_body_confirms_updates_and_deletes_but_not_adds() {
    let outcome = BatchOutcome::without_body(&batch(&[1, 2], &[3], &[4]), String::new());
    assert_eq!(outcome.add, vec![Unknown, Unknown]);
    assert_eq!(outcome.update, vec![Done(())]);
    assert_eq!(outcome.delete, vec![Done(())]);
    assert_eq!(outcome.body, "");
}
