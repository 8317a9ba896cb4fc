//! The account side of a run: record the operations in the outbox, send them in batches of
//! `sync.batch_size` (add, update and delete together), and record what came back.

use anyhow::Result;
use tracing::{info, warn};

use super::{CrashPoint, Run, Stop, Syncer};
use crate::amocrm::{AddItem, Batch, BatchOutcome, ItemResult, UpdateItem};
use crate::reconcile::{Decision, Push};
use crate::store::{NewOp, OutboxRow};

/// The longest response body kept in `outbox.response`.
const RESPONSE_KEPT: usize = 4000;

/// Deletes first (they free room under the account's catalog cap), then updates, then adds.
fn order(push: &Push) -> u8 {
    match push {
        Push::Delete { .. } => 0,
        Push::Update { .. } => 1,
        Push::Add { .. } => 2,
    }
}

fn new_op(d: &Decision) -> NewOp {
    let (op, remote_id, payload) = match d.push.as_ref().expect("only decisions with a push") {
        Push::Add { fields, .. } => (
            "add",
            None,
            AddItem {
                request_id: 0,
                fields: fields.clone(),
            }
            .to_json(),
        ),
        Push::Update { id, fields } => (
            "update",
            Some(*id),
            UpdateItem {
                id: *id,
                fields: fields.clone(),
            }
            .to_json(),
        ),
        Push::Delete { id } => ("delete", Some(*id), serde_json::json!(id)),
    };
    NewOp {
        op,
        desired_id: d.desired_id,
        remote_id,
        payload,
    }
}

fn batch(chunk: &[(OutboxRow, Decision)]) -> Batch {
    let mut batch = Batch {
        add: vec![],
        update: vec![],
        delete: vec![],
    };
    for (row, d) in chunk {
        match d.push.as_ref().expect("only decisions with a push") {
            Push::Add { fields, .. } => batch.add.push(AddItem {
                request_id: row.id,
                fields: fields.clone(),
            }),
            Push::Update { id, fields } => batch.update.push(UpdateItem {
                id: *id,
                fields: fields.clone(),
            }),
            Push::Delete { id } => batch.delete.push(*id),
        }
    }
    batch
}

/// The run ends early because the daemon is stopping.
fn stopped(unsent: usize) -> Stop {
    Stop::Failed(anyhow::anyhow!(
        "stopped by a signal before sending {unsent} operations; they are planned again next run"
    ))
}

impl Syncer {
    pub(super) async fn push(&self, run: &mut Run) -> Result<(), Stop> {
        let mut pushes: Vec<Decision> = run
            .plan
            .decisions
            .iter()
            .filter(|d| d.push.is_some())
            .cloned()
            .collect();
        if pushes.is_empty() {
            return Ok(());
        }
        if self.is_stopping() {
            return Err(stopped(pushes.len()));
        }
        pushes.sort_by_key(|d| d.push.as_ref().map(order));
        let ops: Vec<NewOp> = pushes.iter().map(new_op).collect();
        let rows = self.store.enqueue(run.id, &ops).await?;
        self.crash_if(CrashPoint::AfterPlan);
        let work: Vec<(OutboxRow, Decision)> = rows.into_iter().zip(pushes).collect();
        let chunks: Vec<_> = work.chunks(self.options.batch_size.max(1)).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            if self.is_stopping() {
                let why = "not sent: the daemon was stopping; planned again next run";
                let unsent = self.fail_unsent(&chunks[i..], why).await?;
                return Err(stopped(unsent));
            }
            if let Err(stop) = self.send_batch(run, chunk).await {
                let why = "not sent: an earlier batch of this run failed; planned again next run";
                self.fail_unsent(&chunks[i + 1..], why).await?;
                return Err(stop);
            }
        }
        Ok(())
    }

    /// Marks the rows of batches that will not be sent `failed`, saying why. Returns how many.
    async fn fail_unsent(&self, chunks: &[&[(OutboxRow, Decision)]], why: &str) -> Result<usize> {
        let unsent: Vec<i64> = chunks
            .iter()
            .flat_map(|c| c.iter().map(|(r, _)| r.id))
            .collect();
        if !unsent.is_empty() {
            self.store.fail(&unsent, why).await?;
        }
        Ok(unsent.len())
    }

    async fn send_batch(&self, run: &mut Run, chunk: &[(OutboxRow, Decision)]) -> Result<(), Stop> {
        let ids: Vec<i64> = chunk.iter().map(|(r, _)| r.id).collect();
        self.store.mark_sending(&ids).await?;
        self.crash_if(CrashPoint::AfterSending);
        let batch = batch(chunk);
        info!(
            add = batch.add.len(),
            update = batch.update.len(),
            delete = batch.delete.len(),
            "sending"
        );
        match self.client.post_catalogs(&batch).await {
            Ok(outcome) => {
                self.crash_if(CrashPoint::AfterPost);
                self.record_outcome(run, chunk, &outcome).await
            }
            Err(e) if e.may_have_been_applied() => {
                warn!(error = %e, rows = ids.len(), "outcome unknown; checking the account");
                self.store.mark_in_doubt(&ids, &e.to_string()).await?;
                self.settle_now(run, &ids).await?;
                Err(Stop::Failed(e.into()))
            }
            Err(e) => {
                self.store.fail(&ids, &e.to_string()).await?;
                run.counts.failed += ids.len() as i64;
                run.unsettled
                    .extend(chunk.iter().filter_map(|(_, d)| d.remote_id));
                Err(Stop::Failed(e.into()))
            }
        }
    }

    /// One fresh GET to settle rows whose outcome is unknown; left in doubt if that fails too.
    async fn settle_now(&self, run: &mut Run, ids: &[i64]) -> Result<()> {
        match self.client.list_catalogs().await {
            Ok(remote) => {
                self.resolve_in_doubt(&remote).await?;
                self.store.save_pull(&remote).await?;
            }
            Err(e) => {
                if matches!(e, crate::amocrm::ApiError::Blocked { .. }) {
                    let blocked = self.remember_block(run.id, e.clone().into()).await;
                    warn!(error = %format!("{blocked:#}"), "blocked while checking the account");
                }
                warn!(error = %e, "cannot check the account now; the next run settles them");
                run.in_doubt += ids.len();
            }
        }
        Ok(())
    }

    async fn record_outcome(
        &self,
        run: &mut Run,
        chunk: &[(OutboxRow, Decision)],
        outcome: &BatchOutcome,
    ) -> Result<(), Stop> {
        let (mut adds, mut updates, mut deletes) = (
            outcome.add.iter(),
            outcome.update.iter(),
            outcome.delete.iter(),
        );
        let body: String = outcome.body.chars().take(RESPONSE_KEPT).collect();
        let ids: Vec<i64> = chunk.iter().map(|(r, _)| r.id).collect();
        self.store.record_response(&ids, &body).await?;
        let mut unknown = Vec::new();
        for (row, d) in chunk {
            let result = match d.push.as_ref().expect("only decisions with a push") {
                Push::Add { .. } => adds.next().map(created),
                Push::Update { .. } => updates.next().map(done),
                Push::Delete { .. } => deletes.next().map(done),
            };
            match result.unwrap_or(ItemResult::Unknown) {
                ItemResult::Done(created) => {
                    self.confirmed(run, row, d, created).await?;
                    self.crash_if(CrashPoint::MidRecording);
                }
                ItemResult::Failed(message) => {
                    warn!(outbox_id = row.id, op = %row.op, name = %d.name, %message, "the account refused the item");
                    self.store.fail(&[row.id], &message).await?;
                    run.counts.failed += 1;
                    run.unsettled.extend(d.remote_id);
                }
                ItemResult::Unknown => unknown.push(row.id),
            }
        }
        if !unknown.is_empty() {
            self.store
                .mark_in_doubt(&unknown, "the response did not say what became of it")
                .await?;
            self.settle_now(run, &unknown).await?;
        }
        Ok(())
    }

    async fn confirmed(
        &self,
        run: &mut Run,
        row: &OutboxRow,
        d: &Decision,
        created: Option<i64>,
    ) -> Result<()> {
        let replaces = match &d.push {
            Some(Push::Add { replaces, .. }) => *replaces,
            _ => None,
        };
        self.store
            .confirm(row, created, replaces, &d.base_after)
            .await?;
        match row.op.as_str() {
            "add" => run.counts.added += 1,
            "update" => run.counts.updated += 1,
            _ => run.counts.deleted += 1,
        }
        Ok(())
    }
}

/// An add's result, with the new catalog id.
fn created(r: &ItemResult<i64>) -> ItemResult<Option<i64>> {
    match r {
        ItemResult::Done(id) => ItemResult::Done(Some(*id)),
        ItemResult::Failed(m) => ItemResult::Failed(m.clone()),
        ItemResult::Unknown => ItemResult::Unknown,
    }
}

/// An update's or delete's result.
fn done(r: &ItemResult<()>) -> ItemResult<Option<i64>> {
    match r {
        ItemResult::Done(()) => ItemResult::Done(None),
        ItemResult::Failed(m) => ItemResult::Failed(m.clone()),
        ItemResult::Unknown => ItemResult::Unknown,
    }
}
