//! Settling operations whose outcome is unknown from a complete pull, before anything else is
//! decided, for every kind of record alike: an add is linked (never re-sent) when the account
//! has a matching record nobody claims, an update is done when the account has the sent values,
//! a delete when the id is gone. What did not happen is failed and planned again.

use std::collections::BTreeSet;

use anyhow::{Result, anyhow};
use tracing::{info, warn};

use super::Syncer;
use crate::reconcile::BaseAfter;
use crate::record::{Record, Remote, RemoteId};
use crate::store::{OutboxRow, OutboxState, Stored};

/// Whether the account has every value that was sent (a field either side does not know is
/// not evidence either way).
fn has_sent_values<R: Record>(remote: &R, sent: &R) -> bool {
    sent.keys()
        .into_iter()
        .all(|k| match (sent.get(k), remote.get(k)) {
            (None, _) | (_, None) => true,
            (Some(s), Some(r)) => s == r,
        })
}

/// The fields an outbox row was sent with. An add or update whose intent cannot be read
/// cannot be settled: it stays in doubt and the run stops (guessing "not created" could create
/// the record twice).
fn sent_fields<R: Stored>(row: &OutboxRow) -> Result<R> {
    let what = R::ENTITY;
    let read = match &row.intent {
        None => Err("it is empty".to_owned()),
        Some(intent) => serde_json::from_value(intent.clone()).map_err(|e| e.to_string()),
    };
    read.map_err(|why| {
        anyhow!(
            "outbox row {id} ({op} of a {what}) is in doubt and outbox.intent, what it sent, \
             cannot be read ({why}), so whether it happened cannot be told: it stays in doubt \
             and nothing is sent. Check the account (if the {what} is there, put its id in the \
             desired row's remote_id), then `UPDATE outbox SET state = 'failed' WHERE id = \
             {id}`",
            id = row.id,
            op = row.op,
        )
    })
}

impl Syncer {
    /// At the start of a kind's work: rows a stopped run left behind. Never-sent rows are failed
    /// (the merge plans them again from the current state); rows caught `sending` are in doubt.
    /// Then every in-doubt row of `scope` is settled from `remote`, a complete pull. Returns
    /// whether there was anything to settle (then the base or desired rows may have moved).
    pub(super) async fn settle_unfinished<R: Stored>(
        &self,
        run_id: i64,
        scope: &R::Scope,
        remote: &[Remote<R>],
    ) -> Result<bool> {
        let rows = self
            .store
            .unfinished(R::ENTITY, R::catalog_of(scope))
            .await?;
        if rows.is_empty() {
            return Ok(false);
        }
        let ids = |state| {
            rows.iter()
                .filter(|r| r.state == state)
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        let (pending, sending) = (ids(OutboxState::Pending), ids(OutboxState::Sending));
        if !pending.is_empty() {
            let why = format!(
                "not sent: the run that planned it stopped first; run {run_id} planned again"
            );
            self.store.fail(&pending, &why).await?;
        }
        if !sending.is_empty() {
            warn!(
                entity = R::ENTITY,
                rows = sending.len(),
                "a run stopped while sending; checking the account"
            );
            self.store
                .mark_in_doubt(&sending, "the run stopped while sending")
                .await?;
        }
        self.resolve_in_doubt(scope, remote).await?;
        Ok(true)
    }

    /// Settles every `in_doubt` row of `scope` from a complete pull (which always tells).
    /// Returns the rows whose operation did not happen (they are failed, planned again).
    pub(super) async fn resolve_in_doubt<R: Stored>(
        &self,
        scope: &R::Scope,
        remote: &[Remote<R>],
    ) -> Result<Vec<i64>> {
        let rows: Vec<OutboxRow> = self
            .store
            .unfinished(R::ENTITY, R::catalog_of(scope))
            .await?
            .into_iter()
            .filter(|r| r.state == OutboxState::InDoubt)
            .collect();
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut claimed: BTreeSet<RemoteId> = R::base(&self.store, scope)
            .await?
            .iter()
            .map(|b| b.remote_id)
            .collect();
        claimed.extend(
            R::desired(&self.store, scope)
                .await?
                .iter()
                .filter_map(|d| d.remote_id),
        );
        let mut not_done = Vec::new();
        for row in rows {
            if !self.resolve_one(scope, &row, remote, &mut claimed).await? {
                not_done.push(row.id);
            }
        }
        Ok(not_done)
    }

    /// Settles one row; `false` when its operation did not happen.
    async fn resolve_one<R: Stored>(
        &self,
        scope: &R::Scope,
        row: &OutboxRow,
        remote: &[Remote<R>],
        claimed: &mut BTreeSet<RemoteId>,
    ) -> Result<bool> {
        let found = remote.iter().find(|r| Some(r.id) == row.remote_id);
        let what = R::ENTITY;
        match (row.op.as_str(), found) {
            ("add", _) => {
                let sent = sent_fields::<R>(row)?;
                let matching = remote
                    .iter()
                    .find(|r| !claimed.contains(&r.id) && has_sent_values(&r.fields, &sent));
                let Some(r) = matching else {
                    let why = format!("not created: the account has no matching {what}");
                    return self.fail_in_doubt(row, &why).await.map(|()| false);
                };
                info!(
                    outbox_id = row.id,
                    remote_id = r.id,
                    "in-doubt add was created; linked, not re-sent"
                );
                claimed.insert(r.id);
                let base = BaseAfter::Set(r.fields.clone());
                self.store
                    .confirm(scope, row, Some(r.id), None, &base)
                    .await?;
                Ok(true)
            }
            ("update", Some(r)) => {
                if !has_sent_values(&r.fields, &sent_fields::<R>(row)?) {
                    let why = "not applied: the account does not have the sent values";
                    return self.fail_in_doubt(row, why).await.map(|()| false);
                }
                let base = BaseAfter::Set(r.fields.clone());
                self.store.confirm(scope, row, None, None, &base).await?;
                Ok(true)
            }
            ("update", None) => {
                // Gone: nothing left to update, so nothing to send again either.
                let why = format!("not applied: the {what} is gone from the account");
                self.fail_in_doubt(row, &why).await.map(|()| true)
            }
            (_, None) => {
                self.store
                    .confirm(scope, row, None, None, &BaseAfter::<R>::Remove)
                    .await?;
                Ok(true)
            }
            (_, Some(_)) => {
                let why = format!("not deleted: the {what} is still in the account");
                self.fail_in_doubt(row, &why).await.map(|()| false)
            }
        }
    }

    async fn fail_in_doubt(&self, row: &OutboxRow, why: &str) -> Result<()> {
        info!(outbox_id = row.id, op = %row.op, why, "in-doubt operation did not happen; planned again");
        self.store
            .fail(
                &[row.id],
                &format!("{why} (checked after an unknown outcome); planned again"),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Fields;
    use serde_json::json;

    #[test]
    fn a_catalog_payload_reads_back_as_the_fields_sent() {
        let payload =
            json!({"name": "Goods", "type": "regular", "can_add_elements": false, "request_id": 3});
        let sent: Fields = serde_json::from_value(payload).unwrap();
        assert_eq!(sent.name, "Goods");
        assert_eq!(sent.kind.as_deref(), Some("regular"));
        assert_eq!(
            (sent.can_add_elements, sent.can_show_in_cards),
            (Some(false), None)
        );
    }

    fn row(intent: Option<serde_json::Value>) -> OutboxRow {
        OutboxRow {
            id: 7,
            run_id: 1,
            entity: "catalog".into(),
            catalog_remote_id: None,
            op: "add".into(),
            desired_id: None,
            remote_id: None,
            request_id: Some(7),
            payload: json!({"name": "Goods", "request_id": 7}),
            intent,
            state: OutboxState::InDoubt,
            attempts: 1,
            error: None,
        }
    }

    #[test]
    fn an_intent_that_cannot_be_read_is_an_error_saying_what_to_do_never_a_guess() {
        for intent in [None, Some(json!({"name": 5})), Some(json!("Goods"))] {
            let e = sent_fields::<Fields>(&row(intent.clone())).unwrap_err();
            let text = e.to_string();
            assert!(
                text.contains("outbox row 7 (add of a catalog) is in doubt")
                    && text.contains("nothing is sent")
                    && text.contains("UPDATE outbox SET state = 'failed' WHERE id = 7"),
                "{intent:?}: {text}"
            );
        }
        let sent = sent_fields::<Fields>(&row(Some(json!({"name": "Goods"})))).unwrap();
        assert_eq!(sent.name, "Goods");
    }

    #[test]
    fn a_record_has_the_sent_values_when_every_sent_field_matches() {
        let sent: Fields =
            serde_json::from_value(json!({"name": "Goods", "can_add_elements": false})).unwrap();
        let mut remote = Fields::named("Goods");
        remote.can_add_elements = Some(false);
        remote.can_show_in_cards = Some(true);
        assert!(has_sent_values(&remote, &sent));
        remote.can_add_elements = Some(true);
        assert!(!has_sent_values(&remote, &sent));
    }
}
