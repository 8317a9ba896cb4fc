//! What the outbox protocol needs from a kind of record: how an operation becomes a wire item,
//! which operations share a request, how a request is sent and its answer read item by item,
//! and how the account is read back to settle an unknown outcome.
//!
//! Catalogs through API v2 send everything in one POST; catalogs through API v4 and elements
//! send adds, updates and deletes as separate requests. The protocol itself (`outbox.rs`) and
//! the settlement (`in_doubt.rs`) are written once over [`Transport`].

use serde_json::Value;

use crate::amocrm::{ApiError, ItemResult};
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

    /// Whether the request creates records (its answers carry their new ids).
    pub fn creates(self) -> bool {
        self.rank == 2
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
