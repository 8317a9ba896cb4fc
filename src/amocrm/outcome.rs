//! How each item of a POST fared, matched from the answer's `_embedded.items` and
//! `_embedded.errors`.
//!
//! amoCRM lists failures under `errors` (keyed by index or id) and may or may not echo an add's
//! `request_id`; successful updates and deletes may be missing from `items`. So: errors decide
//! failures, updates and deletes not listed there are done, adds are matched by echoed
//! `request_id`, else by position, and anything that cannot be matched with certainty is
//! [`ItemResult::Unknown`] for the caller to verify from the next pull.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::batch::{AddItem, Batch};
use super::wire::PostReply;
use crate::catalog::RemoteId;

/// The fate of one item of a POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemResult<T> {
    Done(T),
    /// The API refused the item; its message.
    Failed(String),
    /// Neither confirmed nor refused: verify from the next pull before sending it again.
    Unknown,
}

impl<T> ItemResult<T> {
    /// The same fate with the done value turned into another.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ItemResult<U> {
        match self {
            ItemResult::Done(v) => ItemResult::Done(f(v)),
            ItemResult::Failed(m) => ItemResult::Failed(m),
            ItemResult::Unknown => ItemResult::Unknown,
        }
    }
}

/// The per-item results of one POST, each list in the order of the batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    pub add: Vec<ItemResult<RemoteId>>,
    pub update: Vec<ItemResult<()>>,
    pub delete: Vec<ItemResult<()>>,
    /// The response body as received (for the outbox); empty for a 204.
    pub body: String,
}

impl BatchOutcome {
    /// An answer without a body (204): updates and deletes are done, adds unknown (no ids).
    pub(crate) fn without_body(batch: &Batch, body: String) -> BatchOutcome {
        BatchOutcome {
            add: vec![ItemResult::Unknown; batch.add.len()],
            update: vec![ItemResult::Done(()); batch.update.len()],
            delete: vec![ItemResult::Done(()); batch.delete.len()],
            body,
        }
    }

    /// Matches a parsed answer to the batch it answers.
    pub(crate) fn from_reply(batch: &Batch, reply: &PostReply, body: String) -> BatchOutcome {
        let ids: Vec<RemoteId> = batch.update.iter().map(|u| u.id).collect();
        let confirmed: HashSet<RemoteId> = ids.iter().chain(&batch.delete).copied().collect();
        BatchOutcome {
            add: settle_adds(&batch.add, reply, &confirmed),
            update: settle_keyed("update", &ids, &reply.errors.update),
            delete: settle_keyed("delete", &batch.delete, &reply.errors.delete),
            body,
        }
    }
}

/// Updates or deletes: failed when listed in the errors (by id, else by index), done otherwise.
pub(crate) fn settle_keyed(
    op: &str,
    ids: &[RemoteId],
    errors: &[(String, String)],
) -> Vec<ItemResult<()>> {
    let mut results = vec![ItemResult::Done(()); ids.len()];
    for (key, message) in errors {
        let key_number = key.trim().parse::<i64>().ok();
        let mut hits: Vec<usize> = (0..ids.len())
            .filter(|&i| Some(ids[i]) == key_number)
            .collect();
        if hits.is_empty()
            && let Some(index) = key_number
                .and_then(|n| usize::try_from(n).ok())
                .filter(|&n| n < ids.len())
        {
            hits.push(index);
        }
        if hits.is_empty() {
            tracing::warn!(op, %key, %message, "error for an item that was not sent");
        }
        for i in hits {
            results[i] = ItemResult::Failed(message.clone());
        }
    }
    results
}

/// Adds: failures from the errors (keyed by index, else by request_id), then ids from the items
/// that confirm no update or delete: by echoed request_id, else by position among the adds still
/// open. Positions are trusted only when the counts agree; otherwise the open adds stay unknown:
/// an add given the wrong id is worse than one verified from the next pull.
fn settle_adds(
    adds: &[AddItem],
    reply: &PostReply,
    confirmed: &HashSet<RemoteId>,
) -> Vec<ItemResult<RemoteId>> {
    let mut results = vec![ItemResult::Unknown; adds.len()];
    for (key, message) in &reply.errors.add {
        match add_index(adds, key) {
            Some(i) => results[i] = ItemResult::Failed(message.clone()),
            None => {
                tracing::warn!(%key, %message, "error for an add that was not sent")
            }
        }
    }
    let mut by_position = Vec::new();
    for item in reply
        .items
        .iter()
        .filter(|item| !confirmed.contains(&item.id))
    {
        let sent = |request_id: &i64| adds.iter().any(|a| a.request_id == *request_id);
        let Some(request_id) = item.request_id.filter(sent) else {
            // No echo, or an echo of nothing we sent (a server that always says 0).
            by_position.push(item.id);
            continue;
        };
        let open = (0..adds.len())
            .find(|&i| adds[i].request_id == request_id && results[i] == ItemResult::Unknown);
        match open {
            Some(i) => results[i] = ItemResult::Done(item.id),
            // Claims an add that failed or is matched already: giving it to another is a guess.
            None => tracing::warn!(id = item.id, request_id, "answer item echoes a settled add"),
        }
    }
    let open: Vec<usize> = (0..adds.len())
        .filter(|&i| results[i] == ItemResult::Unknown)
        .collect();
    if open.len() == by_position.len() {
        for (i, id) in open.into_iter().zip(by_position) {
            results[i] = ItemResult::Done(id);
        }
    } else {
        tracing::warn!(
            open_adds = open.len(),
            unmatched_items = by_position.len(),
            "cannot match adds to the answer by position; left unknown"
        );
    }
    results
}

/// The add an error key names: its index in the sent array, or else its request_id.
fn add_index(adds: &[AddItem], key: &str) -> Option<usize> {
    let n = key.trim().parse::<i64>().ok()?;
    usize::try_from(n)
        .ok()
        .filter(|&i| i < adds.len())
        .or_else(|| adds.iter().position(|a| a.request_id == n))
}

#[cfg(test)]
#[path = "outcome_tests.rs"]
mod tests;
