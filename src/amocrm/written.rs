//! How each item of one API v4 write (or the v2 element delete) fared.
//!
//! Adds are matched by the `request_id` they echo, compared as strings (`"0"`, `0` and `"0 "`
//! are one id), else by position among the adds still open when the counts agree, else left
//! [`ItemResult::Unknown`]. Updates are matched by `id`; one the answer does not list is
//! unknown. Item errors ([`ItemError`], from `validation-errors` or `_embedded.errors`) fail
//! the items they name; an error that names several items sent with the same `request_id` is
//! not pinned on any of them (they stay unknown, for the caller to read back).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::outcome::ItemResult;
use super::wire::{int, text};
use crate::record::RemoteId;

/// How each item of one write fared, in the order sent, and the answer as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// One per item sent; `Done` carries the record's id.
    pub items: Vec<ItemResult<RemoteId>>,
    /// The HTTP status of the answer; 0 when nothing was sent (no items).
    pub status: u16,
    /// The answer's body as received (for the outbox); empty for a 204.
    pub body: String,
}

/// Whether a write created records or changed existing ones: it decides how answers match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Add,
    Update,
}

/// One record listed in the answer to a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answered {
    pub id: RemoteId,
    pub request_id: Option<String>,
}

/// An error the answer gives for one item, and how it names the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemError {
    pub names: Names,
    pub message: String,
}

/// How an error names its item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Names {
    /// By the `request_id` the item was sent with.
    RequestId(String),
    /// By the record's id (an update).
    Id(RemoteId),
    /// By a key of an object, as the v2 envelope does: an id, an index into the sent array, or
    /// (adds) a `request_id`.
    Key(String),
}

/// A `request_id` as compared: trimmed, and an integer in its plain decimal form.
pub(crate) fn request_key(v: &Value) -> Option<String> {
    let raw = text(v)?;
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(match trimmed.parse::<i64>() {
        Ok(n) => n.to_string(),
        Err(_) => trimmed.to_string(),
    })
}

/// The indices of the sent items an error names (none when it names nothing we sent, or
/// several items sent under one `request_id`).
pub(crate) fn named(op: Op, sent: &[Value], names: &Names) -> Vec<usize> {
    let by = |wanted: &dyn Fn(&Value) -> bool| -> Vec<usize> {
        (0..sent.len()).filter(|&i| wanted(&sent[i])).collect()
    };
    let by_request_id = |r: &str| by(&|item| sent_request_id(item).as_deref() == Some(r));
    let by_id = |id: RemoteId| by(&|item| sent_id(item) == Some(id));
    let hits = match names {
        Names::RequestId(r) => by_request_id(r),
        Names::Id(id) => by_id(*id),
        Names::Key(key) => {
            let number = key.trim().parse::<i64>().ok();
            let index = number
                .and_then(|n| usize::try_from(n).ok())
                .filter(|&n| n < sent.len());
            let by_key = match (op, number) {
                (Op::Update, Some(n)) => by_id(n),
                _ => Vec::new(),
            };
            match (by_key.is_empty(), index) {
                (false, _) => by_key,
                (true, Some(i)) => vec![i],
                (true, None) => request_key(&Value::String(key.clone()))
                    .map(|r| by_request_id(&r))
                    .unwrap_or_default(),
            }
        }
    };
    if hits.len() > 1 {
        tracing::warn!(
            ?names,
            items = hits.len(),
            "an error names several items; none failed"
        );
        return Vec::new();
    }
    hits
}

/// Settles every item of one write from the records the answer lists and its item errors.
pub(crate) fn settle(
    op: Op,
    sent: &[Value],
    answered: &[Answered],
    errors: &[ItemError],
) -> Vec<ItemResult<RemoteId>> {
    let mut results = vec![ItemResult::Unknown; sent.len()];
    fail(op, sent, errors, &mut results);
    match op {
        Op::Add => settle_adds(sent, answered, &mut results),
        Op::Update => {
            for (i, item) in sent.iter().enumerate() {
                let id = sent_id(item);
                if results[i] == ItemResult::Unknown
                    && let Some(id) = id.filter(|id| answered.iter().any(|a| a.id == *id))
                {
                    results[i] = ItemResult::Done(id);
                }
            }
        }
    }
    results
}

/// Fails the items the errors name, several messages for one item joined.
pub(crate) fn fail(
    op: Op,
    sent: &[Value],
    errors: &[ItemError],
    results: &mut [ItemResult<RemoteId>],
) {
    for error in errors {
        let hits = named(op, sent, &error.names);
        if hits.is_empty() {
            tracing::warn!(names = ?error.names, message = %error.message, "error for no item sent");
        }
        for i in hits {
            results[i] = match &results[i] {
                ItemResult::Failed(before) => {
                    ItemResult::Failed(format!("{before}; {}", error.message))
                }
                _ => ItemResult::Failed(error.message.clone()),
            };
        }
    }
}

/// Adds: by echoed `request_id` (sent once, still open), then by position when counts agree.
fn settle_adds(sent: &[Value], answered: &[Answered], results: &mut [ItemResult<RemoteId>]) {
    let mut by_position = Vec::new();
    for record in answered {
        let echo = record.request_id.as_deref();
        let claims: Vec<usize> = (0..sent.len())
            .filter(|&i| echo.is_some() && sent_request_id(&sent[i]).as_deref() == echo)
            .collect();
        match claims.as_slice() {
            [i] if results[*i] == ItemResult::Unknown => results[*i] = ItemResult::Done(record.id),
            [_] => tracing::warn!(id = record.id, ?echo, "answer echoes a settled add"),
            // No echo, an echo of nothing sent, or one shared by several adds.
            _ => by_position.push(record.id),
        }
    }
    let open: Vec<usize> = (0..sent.len())
        .filter(|&i| results[i] == ItemResult::Unknown)
        .collect();
    if open.len() == by_position.len() {
        for (i, id) in open.into_iter().zip(by_position) {
            results[i] = ItemResult::Done(id);
        }
    } else if !by_position.is_empty() {
        tracing::warn!(
            open_adds = open.len(),
            unmatched = by_position.len(),
            "cannot match adds to the answer by position; left unknown"
        );
    }
}

fn sent_request_id(item: &Value) -> Option<String> {
    item.get("request_id").and_then(request_key)
}

fn sent_id(item: &Value) -> Option<RemoteId> {
    item.get("id").and_then(int)
}

#[cfg(test)]
#[path = "written_tests.rs"]
mod tests;
