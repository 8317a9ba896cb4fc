//! What the outbox protocol needs from a kind of record: how an operation becomes a wire item,
//! which operations share a request, how a request is sent and its answer read item by item,
//! and how the account is read back to settle an unknown outcome.
//!
//! Catalogs through API v2 send everything in one POST; catalogs through API v4 and elements
//! send adds, updates and deletes as separate requests. The protocol itself (`outbox.rs`) and
//! the settlement (`in_doubt.rs`) are written once over [`Transport`].
//!
//! The grouping rule ([`RequestKey`], [`chunks`]) is also what `plan` counts with
//! ([`Plans::catalog_requests`], [`Plans::element_requests`]), so that a plan never says a
//! number of requests the run would not send.

use serde_json::Value;

use super::{Plans, Syncer};
use crate::amocrm::{ApiError, ItemResult};
use crate::catalog::ApiVersion;
use crate::reconcile::{Decision, Push};
use crate::record::{Remote, RemoteId};
use crate::store::{OutboxRow, Stored};

/// One decided operation and the scope it belongs to (for elements: their catalog).
#[derive(Debug, Clone)]
pub(super) struct Op<R: Stored> {
    pub scope: R::Scope,
    pub decision: Decision<R>,
}

impl<R: Stored> Op<R> {
    pub fn push(&self) -> &Push<R> {
        self.decision
            .push
            .as_ref()
            .expect("only decisions with a push become operations")
    }
}

/// An operation with its outbox row.
pub(super) type Work<R> = (OutboxRow, Op<R>);

/// Operations with the same key go out in the same requests (split by the batch size). Keys
/// sort in sending order: deletes first (they free room under the account's caps), then
/// updates, then adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct RequestKey {
    pub rank: u8,
    pub catalog: Option<RemoteId>,
}

impl RequestKey {
    /// Every operation in one request (catalogs through API v2).
    pub const TOGETHER: RequestKey = RequestKey {
        rank: 0,
        catalog: None,
    };

    /// One request per kind of operation, and for adds and updates per catalog.
    pub fn per_op<R>(push: &Push<R>, catalog: Option<RemoteId>) -> RequestKey {
        match push {
            Push::Delete { .. } => RequestKey {
                rank: 0,
                catalog: None,
            },
            Push::Update { .. } => RequestKey { rank: 1, catalog },
            Push::Add { .. } => RequestKey { rank: 2, catalog },
        }
    }

    /// A catalog operation's key through `api`: every operation together through v2, one
    /// request per kind of operation through v4 (`auto` counts as v2 until it switched).
    pub fn catalog<R>(api: ApiVersion, push: &Push<R>) -> RequestKey {
        match api {
            ApiVersion::V4 => RequestKey::per_op(push, None),
            ApiVersion::V2 | ApiVersion::Auto => RequestKey::TOGETHER,
        }
    }

    /// An element operation's key: adds and updates per catalog, deletes across catalogs.
    pub fn element<R>(push: &Push<R>, catalog: RemoteId) -> RequestKey {
        RequestKey::per_op(push, Some(catalog))
    }

    /// Whether the request creates records (its answers carry their new ids).
    pub fn creates(self) -> bool {
        self.rank == 2
    }
}

/// `items`, sorted by key, as the requests they go out in: each run of equal keys split into
/// requests of at most `batch_size` items.
pub(super) fn chunks<T>(
    items: &[T],
    key: impl Fn(&T) -> RequestKey,
    batch_size: usize,
) -> Vec<(RequestKey, &[T])> {
    let size = batch_size.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let k = key(&items[start]);
        let end = start + items[start..].iter().take_while(|i| key(i) == k).count();
        out.extend(items[start..end].chunks(size).map(|c| (k, c)));
        start = end;
    }
    out
}

/// How many requests operations with these keys take at `batch_size`: the [`chunks`] the
/// outbox sends them in.
pub(super) fn request_count(
    keys: impl IntoIterator<Item = RequestKey>,
    batch_size: usize,
) -> usize {
    let mut keys: Vec<RequestKey> = keys.into_iter().collect();
    keys.sort();
    chunks(&keys, |k| *k, batch_size).len()
}

impl Plans {
    /// The catalog writes a sync of these plans sends through `api` at `batch_size` (API v4:
    /// adds, updates and deletes are separate requests, each split by the batch size).
    pub fn catalog_requests(&self, api: ApiVersion, batch_size: usize) -> usize {
        let keys = self.catalogs.pushes().map(|p| RequestKey::catalog(api, p));
        request_count(keys, batch_size)
    }

    /// The element writes a sync of these plans sends at `batch_size`. A catalog still to be
    /// created gets requests of its own too: its desired row's id, negated, stands for the id
    /// it will get.
    pub fn element_requests(&self, batch_size: usize) -> usize {
        let keys = self.elements.iter().flat_map(|r| {
            let catalog = r.catalog_remote_id.unwrap_or(-r.desired_catalog_id);
            r.plan
                .pushes()
                .map(move |p| RequestKey::element(p, catalog))
        });
        request_count(keys, batch_size)
    }
}

impl Syncer {
    /// The API catalogs went through in the last run or plan (`auto` resolved), for counting
    /// that plan's requests.
    pub fn catalog_api(&self) -> ApiVersion {
        self.api.get()
    }
}

/// The sending order within a request.
pub(super) fn rank<R>(push: &Push<R>) -> u8 {
    match push {
        Push::Delete { .. } => 0,
        Push::Update { .. } => 1,
        Push::Add { .. } => 2,
    }
}

/// How each item of one request fared, in the order of the chunk, and the answer's body.
#[derive(Debug)]
pub(super) struct Sent {
    /// For an add, the new record's id.
    pub items: Vec<ItemResult<Option<RemoteId>>>,
    pub body: String,
}

/// How one kind of record reaches the account.
#[allow(async_fn_in_trait)]
pub(super) trait Transport<R: Stored> {
    /// Items per request.
    fn batch_size(&self) -> usize;

    fn request_key(&self, op: &Op<R>) -> RequestKey;

    /// The item exactly as it will be sent, stored as the outbox payload. An item that carries
    /// a `request_id` placeholder gets the outbox row's id there. `Err` says why the item
    /// cannot be written (it is then failed without being sent).
    fn payload(&self, op: &Op<R>) -> Result<Value, String>;

    /// Sends one request made of `chunk` (all with the same key).
    async fn send(&self, key: RequestKey, chunk: &[Work<R>]) -> Result<Sent, ApiError>;

    /// The account's records of `scope`, from a complete pull.
    async fn read_back(&self, scope: &R::Scope) -> Result<Vec<Remote<R>>, ApiError>;
}

#[cfg(test)]
#[path = "kind_tests.rs"]
mod tests;
