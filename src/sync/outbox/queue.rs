//! The operations not yet sent, in sending order, and the requests cut from them one at a time:
//! each request is the operations at the head that share its key, at most the batch size.
//!
//! Every operation keeps the key it was sorted by. When the transport keys the next request's
//! operations differently (it moved to another API in the middle of the run), the rest is
//! regrouped before anything more is sent: payloads made again in the new form, sorted by the
//! new keys. Checking costs one key per operation sent; regrouping happens only on a change.

use anyhow::Result;
use tracing::{info, warn};

use super::super::kind::{RequestKey, Transport, Work, rank};
use super::super::{LOGGED, Run, Stop, Syncer};
use super::{Request, stopped};
use crate::store::Stored;
use crate::text::cut;

/// An operation waiting to be sent, with the key it was grouped by.
type Queued<R> = (RequestKey, Work<R>);

impl Syncer {
    /// Sends `work` (sorted by key) request by request; a failed request stops the run.
    pub(super) async fn send_all<R: Stored>(
        &self,
        run: &mut Run,
        transport: &impl Transport<R>,
        work: Vec<Work<R>>,
    ) -> Result<(), Stop> {
        let size = transport.batch_size().max(1);
        let mut queue: Vec<Queued<R>> = work
            .into_iter()
            .map(|w| (transport.request_key(&w.1), w))
            .collect();
        let mut start = 0;
        while start < queue.len() {
            if self.is_stopping() {
                let why = "not sent: the daemon was stopping; planned again next run";
                let unsent = self.fail_unsent(&queue[start..], why).await?;
                return Err(stopped(unsent));
            }
            let key = queue[start].0;
            let end = start
                + queue[start..]
                    .iter()
                    .take(size)
                    .take_while(|(k, _)| *k == key)
                    .count();
            let head = &queue[start..end];
            if head
                .iter()
                .any(|(k, (_, op))| transport.request_key(op) != *k)
            {
                self.regroup(run, transport, &mut queue, start).await?;
                continue;
            }
            let chunk: Vec<Work<R>> = head.iter().map(|(_, w)| w.clone()).collect();
            let answer = self.send_request(run, transport, key, chunk).await;
            self.remember_switch(run.id).await?;
            match answer {
                Ok(Request::Answered) => start = end,
                Ok(Request::Moved) => self.regroup(run, transport, &mut queue, start).await?,
                Err(stop) => {
                    let why =
                        "not sent: an earlier request of this run failed; planned again next run";
                    self.fail_unsent(&queue[end..], why).await?;
                    return Err(stop);
                }
            }
        }
        Ok(())
    }

    /// Keys the operations from `start` on again and sorts them by their new keys; their
    /// payloads are made again in the transport's new form and recorded where they changed.
    async fn regroup<R: Stored>(
        &self,
        run: &mut Run,
        transport: &impl Transport<R>,
        queue: &mut Vec<Queued<R>>,
        start: usize,
    ) -> Result<()> {
        let rest = queue.split_off(start);
        let mut changed = Vec::new();
        for (_, (mut row, op)) in rest {
            let payload = match transport.payload(&op) {
                Ok(payload) => row.stamped(payload),
                Err(why) => {
                    warn!(entity = R::ENTITY, name = %cut(&op.decision.name, LOGGED), %why, "cannot be written; not sent");
                    self.store
                        .fail(&[row.id], &format!("not sent: {why}"))
                        .await?;
                    run.fail(&op);
                    continue;
                }
            };
            if payload != row.payload {
                row.payload = payload;
                changed.push(row.clone());
            }
            queue.push((transport.request_key(&op), (row, op)));
        }
        self.store.replace_payloads(&changed).await?;
        queue[start..].sort_by_key(|(key, (_, op))| (*key, rank(op.push())));
        info!(
            entity = R::ENTITY,
            rows = queue.len() - start,
            payloads = changed.len(),
            "operations not yet sent regrouped for the new way of sending"
        );
        Ok(())
    }

    /// Marks queued rows that will not be sent `failed`, saying why. Returns how many.
    async fn fail_unsent<R: Stored>(&self, unsent: &[Queued<R>], why: &str) -> Result<usize> {
        let ids: Vec<i64> = unsent.iter().map(|(_, (r, _))| r.id).collect();
        if !ids.is_empty() {
            self.store.fail(&ids, why).await?;
        }
        Ok(ids.len())
    }
}
