//! The account side of a run, for every kind of record: record the operations in the outbox,
//! send them in the requests their [`Transport`] groups them into, and record what came back.
//!
//! The protocol: rows are committed `pending`, each request's rows `sending` before it leaves,
//! then `done`, `failed` (the API refused the item) or `in_doubt` (the outcome is unknown:
//! settled at once from a fresh read of the account, or by the next run). Requests are cut
//! one at a time from the operations not yet sent (`queue.rs`), so that a transport that moves
//! to another API in the middle of a run (catalogs with `amocrm.api = "auto"`) has the rest
//! grouped its new way.

mod queue;

use anyhow::{Context, Result};
use tracing::{info, warn};

use super::LOGGED;
use crate::text::cut;

use super::kind::{Op, RequestKey, Sent, Transport, Work, rank};
use super::{CrashPoint, Run, Stop, Syncer};
use crate::amocrm::{ApiError, ItemResult};
use crate::reconcile::Push;
use crate::record::RemoteId;
use crate::store::{NewOp, OutboxRow, Stored};

/// The longest response body kept in `outbox.response`.
const RESPONSE_KEPT: usize = 4000;

/// The outbox row of an operation. Its intent (the fields sent) is what an unknown outcome is
/// settled against, so an add or update without one is never recorded.
fn new_op<R: Stored>(op: &Op<R>, payload: serde_json::Value) -> Result<NewOp> {
    let d = &op.decision;
    let intent = |fields: &R| {
        serde_json::to_value(fields).with_context(|| {
            format!(
                "cannot record the fields of {:?} in outbox.intent",
                cut(&d.name, LOGGED)
            )
        })
    };
    let (remote_id, intent) = match op.push() {
        Push::Add { fields, .. } => (None, Some(intent(fields)?)),
        Push::Update { id, fields } => (Some(*id), Some(intent(fields)?)),
        Push::Delete { id } => (Some(*id), None),
    };
    Ok(NewOp {
        entity: R::ENTITY,
        catalog_remote_id: R::catalog_of(&op.scope),
        op: op.push().op(),
        desired_id: d.desired_id,
        remote_id,
        payload,
        intent,
    })
}

/// The run ends early because the daemon is stopping.
fn stopped(unsent: usize) -> Stop {
    Stop::Failed(anyhow::anyhow!(
        "stopped by a signal before sending {unsent} operations; they are planned again next run"
    ))
}

impl Syncer {
    /// Records `ops` in the outbox and sends them. A failed request stops the run: the
    /// requests after it are not sent (their rows are failed, planned again next run).
    pub(super) async fn push<R: Stored>(
        &self,
        run: &mut Run,
        transport: &impl Transport<R>,
        mut ops: Vec<Op<R>>,
    ) -> Result<(), Stop> {
        if ops.is_empty() {
            return Ok(());
        }
        if self.is_stopping() {
            return Err(stopped(ops.len()));
        }
        ops.sort_by_key(|op| (transport.request_key(op), rank(op.push())));
        let mut writable = Vec::with_capacity(ops.len());
        let mut new_ops = Vec::with_capacity(ops.len());
        for op in ops {
            match transport.payload(&op) {
                Ok(payload) => {
                    new_ops.push(new_op(&op, payload)?);
                    writable.push(op);
                }
                // The merge skips invalid rows, so this is a value it could not foresee.
                Err(why) => {
                    warn!(entity = R::ENTITY, name = %cut(&op.decision.name, LOGGED), %why, "cannot be written; not sent");
                    run.fail(&op);
                }
            }
        }
        let rows = self.store.enqueue(run.id, &new_ops).await?;
        self.crash_if(CrashPoint::AfterPlan);
        let work: Vec<Work<R>> = rows.into_iter().zip(writable).collect();
        self.send_all(run, transport, work).await
    }

    /// Sends one request and records its answer. When the account refused some items and the
    /// fate of the others was unknown (a 400 that may have applied nothing), the read-back
    /// tells which of them did not happen: those are sent once more, without the refused ones,
    /// so that one bad item does not hold back the rest of its batch run after run.
    ///
    /// A request refused in a way that applied nothing, after which the transport keys its
    /// operations differently, was refused by a way of sending the transport has just left
    /// (catalogs: API v2 answered 404/410 and `auto` moved to v4): [`Request::Moved`], its
    /// operations are sent again the new way.
    async fn send_request<R: Stored>(
        &self,
        run: &mut Run,
        transport: &impl Transport<R>,
        key: RequestKey,
        mut chunk: Vec<Work<R>>,
    ) -> Result<Request, Stop> {
        for attempt in 0..2 {
            let ids: Vec<i64> = chunk.iter().map(|(r, _)| r.id).collect();
            self.store.mark_sending(&ids).await?;
            self.crash_if(CrashPoint::AfterSending);
            let count = |op: &str| chunk.iter().filter(|(r, _)| r.op == op).count();
            info!(
                entity = R::ENTITY,
                catalog = ?key.catalog,
                add = count("add"),
                update = count("update"),
                delete = count("delete"),
                "sending"
            );
            match transport.send(key, &chunk).await {
                Ok(sent) => {
                    self.crash_if(CrashPoint::AfterPost);
                    let again = self.record_outcome(run, transport, &chunk, &sent).await?;
                    if again.is_empty() || attempt > 0 {
                        return Ok(Request::Answered);
                    }
                    info!(
                        rows = again.len(),
                        "sending again what the account did not apply beside a refused item"
                    );
                    chunk = again;
                }
                Err(e) if attempt == 0 && moved(transport, key, &chunk, &e) => {
                    info!(entity = R::ENTITY, error = %e, rows = ids.len(), "refused by the way of sending just left; sending them the new way");
                    return Ok(Request::Moved);
                }
                Err(e) if e.may_have_been_applied() => {
                    warn!(error = %e, rows = ids.len(), "outcome unknown; checking the account");
                    self.store.mark_in_doubt(&ids, &e.to_string()).await?;
                    self.settle_now(run, transport, &chunk).await?;
                    return Err(Stop::Failed(e.into()));
                }
                Err(e) => {
                    self.store.fail(&ids, &e.to_string()).await?;
                    for (_, op) in &chunk {
                        run.fail(op);
                    }
                    return Err(Stop::Failed(e.into()));
                }
            }
        }
        Ok(Request::Answered)
    }

    /// Records an answer item by item. Returns the items to send once more (see
    /// [`send_request`](Syncer::send_request)).
    async fn record_outcome<R: Stored>(
        &self,
        run: &mut Run,
        transport: &impl Transport<R>,
        chunk: &[Work<R>],
        sent: &Sent,
    ) -> Result<Vec<Work<R>>, Stop> {
        let body: String = sent.body.chars().take(RESPONSE_KEPT).collect();
        let ids: Vec<i64> = chunk.iter().map(|(r, _)| r.id).collect();
        self.store.record_response(&ids, &body).await?;
        let mut unknown = Vec::new();
        let mut refused = false;
        for (i, (row, op)) in chunk.iter().enumerate() {
            match sent.items.get(i).cloned().unwrap_or(ItemResult::Unknown) {
                ItemResult::Done(created) => {
                    self.confirmed(run, row, op, created).await?;
                    self.crash_if(CrashPoint::MidRecording);
                }
                ItemResult::Failed(message) => {
                    warn!(outbox_id = row.id, entity = R::ENTITY, op = %row.op, name = %cut(&op.decision.name, LOGGED), %message, "the account refused the item");
                    self.store.fail(&[row.id], &message).await?;
                    run.fail(op);
                    refused = true;
                }
                ItemResult::Unknown => unknown.push(i),
            }
        }
        if unknown.is_empty() {
            return Ok(Vec::new());
        }
        let unknown: Vec<Work<R>> = unknown.into_iter().map(|i| chunk[i].clone()).collect();
        let rows: Vec<i64> = unknown.iter().map(|(r, _)| r.id).collect();
        self.store
            .mark_in_doubt(&rows, "the response did not say what became of it")
            .await?;
        let not_done = self.settle_now(run, transport, &unknown).await?;
        if !refused {
            return Ok(Vec::new());
        }
        Ok(unknown
            .into_iter()
            .filter(|(row, _)| not_done.contains(&row.id))
            .collect())
    }

    async fn confirmed<R: Stored>(
        &self,
        run: &mut Run,
        row: &OutboxRow,
        op: &Op<R>,
        created: Option<RemoteId>,
    ) -> Result<()> {
        let d = &op.decision;
        let replaces = match &d.push {
            Some(Push::Add { replaces, .. }) => *replaces,
            _ => None,
        };
        self.store
            .confirm(&op.scope, row, created, replaces, &d.base_after)
            .await?;
        run.counts.count_done(R::ENTITY, &row.op);
        Ok(())
    }

    /// Fresh reads of the account to settle rows whose outcome is unknown; left in doubt (for
    /// the next run) when a read fails too. Returns the rows whose operation did not happen.
    async fn settle_now<R: Stored>(
        &self,
        run: &mut Run,
        transport: &impl Transport<R>,
        chunk: &[Work<R>],
    ) -> Result<Vec<i64>> {
        let mut not_done = Vec::new();
        let mut scopes: Vec<R::Scope> = Vec::new();
        for (_, op) in chunk {
            if !scopes.contains(&op.scope) {
                scopes.push(op.scope);
            }
        }
        for scope in scopes {
            match transport.read_back(&scope).await {
                Ok(remote) => {
                    not_done.extend(self.resolve_in_doubt(&scope, &remote).await?);
                    R::save_pull(&self.store, &scope, &remote).await?;
                }
                Err(e) => {
                    if matches!(e, ApiError::Blocked { .. }) {
                        let blocked = self.remember_block(run.id, e.clone().into()).await;
                        warn!(error = %format!("{blocked:#}"), "blocked while checking the account");
                    }
                    warn!(error = %e, "cannot check the account now; the next run settles them");
                    run.in_doubt += chunk.iter().filter(|(_, op)| op.scope == scope).count();
                }
            }
        }
        Ok(not_done)
    }
}

/// What became of one request.
enum Request {
    /// Its answer was recorded, item by item or as the error that stops the run.
    Answered,
    /// Refused by a way of sending its transport has left since; nothing was recorded.
    Moved,
}

/// Whether `e` refused a request that applied nothing while its transport moved to another
/// way of sending (it keys the request's operations differently than when it was cut).
fn moved<R: Stored>(
    transport: &impl Transport<R>,
    key: RequestKey,
    chunk: &[Work<R>],
    e: &ApiError,
) -> bool {
    !e.may_have_been_applied() && chunk.iter().any(|(_, op)| transport.request_key(op) != key)
}
