//! Settling operations whose outcome is unknown from a fresh pull, before anything else is
//! decided: an add is linked (never re-sent) when the account has a matching catalog nobody
//! claims, an update is done when the account has the sent values, a delete when the id is gone.

use std::collections::BTreeSet;

use anyhow::Result;
use tracing::{info, warn};

use super::Syncer;
use crate::catalog::{Field, Fields, RemoteCatalog, RemoteId};
use crate::reconcile::BaseAfter;
use crate::store::{OutboxRow, OutboxState};

/// The catalog fields an outbox payload carries (`None` where it did not send one).
fn sent_fields(payload: &serde_json::Value) -> Fields {
    let flag = |key: &str| payload.get(key).and_then(|v| v.as_bool());
    Fields {
        name: payload
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned(),
        kind: payload
            .get("type")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        can_add_elements: flag("can_add_elements"),
        can_show_in_cards: flag("can_show_in_cards"),
        can_link_multiple: flag("can_link_multiple"),
        sort: None,
    }
}

/// Whether the account has every value that was sent.
fn has_sent_values(remote: &Fields, sent: &Fields) -> bool {
    Field::ALL
        .into_iter()
        .all(|f| match (sent.get(f), remote.get(f)) {
            (None, _) | (_, None) => true,
            (Some(s), Some(r)) => s == r,
        })
}

impl Syncer {
    /// At the start of a run: rows a stopped run left behind. Never-sent rows are failed (the
    /// merge plans them again from the current state); rows caught `sending` are in doubt.
    pub(super) async fn settle_unfinished(
        &self,
        run_id: i64,
        remote: &[RemoteCatalog],
    ) -> Result<usize> {
        let rows = self.store.unfinished().await?;
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
                rows = sending.len(),
                "a run stopped while sending; checking the account"
            );
            self.store
                .mark_in_doubt(&sending, "the run stopped while sending")
                .await?;
        }
        self.resolve_in_doubt(remote).await
    }

    /// Settles every `in_doubt` row from a complete pull. Returns how many remain in doubt
    /// (none: a complete pull always tells).
    pub(super) async fn resolve_in_doubt(&self, remote: &[RemoteCatalog]) -> Result<usize> {
        let rows: Vec<OutboxRow> = self
            .store
            .unfinished()
            .await?
            .into_iter()
            .filter(|r| r.state == OutboxState::InDoubt)
            .collect();
        if rows.is_empty() {
            return Ok(0);
        }
        let mut claimed: BTreeSet<RemoteId> = self
            .store
            .base()
            .await?
            .iter()
            .map(|b| b.remote_id)
            .collect();
        claimed.extend(
            self.store
                .desired()
                .await?
                .iter()
                .filter_map(|d| d.remote_id),
        );
        for row in rows {
            self.resolve_one(&row, remote, &mut claimed).await?;
        }
        Ok(0)
    }

    async fn resolve_one(
        &self,
        row: &OutboxRow,
        remote: &[RemoteCatalog],
        claimed: &mut BTreeSet<RemoteId>,
    ) -> Result<()> {
        let sent = sent_fields(&row.payload);
        let found = |id: Option<RemoteId>| remote.iter().find(|r| Some(r.id) == id);
        match row.op.as_str() {
            "add" => {
                let matching = remote
                    .iter()
                    .find(|r| !claimed.contains(&r.id) && has_sent_values(&r.fields, &sent));
                if let Some(r) = matching {
                    info!(
                        outbox_id = row.id,
                        remote_id = r.id,
                        "in-doubt add was created; linked, not re-sent"
                    );
                    claimed.insert(r.id);
                    return self
                        .store
                        .confirm(row, Some(r.id), None, &BaseAfter::Set(r.fields.clone()))
                        .await;
                }
                self.fail_in_doubt(row, "not created: the account has no matching catalog")
                    .await
            }
            "update" => match found(row.remote_id) {
                Some(r) if has_sent_values(&r.fields, &sent) => {
                    self.store
                        .confirm(row, None, None, &BaseAfter::Set(r.fields.clone()))
                        .await
                }
                Some(_) => {
                    self.fail_in_doubt(
                        row,
                        "not applied: the account does not have the sent values",
                    )
                    .await
                }
                None => {
                    self.fail_in_doubt(row, "not applied: the catalog is gone from the account")
                        .await
                }
            },
            _ => match found(row.remote_id) {
                None => {
                    self.store
                        .confirm(row, None, None, &BaseAfter::Remove)
                        .await
                }
                Some(_) => {
                    self.fail_in_doubt(row, "not deleted: the catalog is still in the account")
                        .await
                }
            },
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
    use serde_json::json;

    #[test]
    fn sent_values_are_read_back_from_the_payload() {
        let sent = sent_fields(
            &json!({"name": "Goods", "type": "regular", "can_add_elements": false, "request_id": 3}),
        );
        assert_eq!(sent.name, "Goods");
        assert_eq!(sent.kind.as_deref(), Some("regular"));
        assert_eq!(
            (sent.can_add_elements, sent.can_show_in_cards),
            (Some(false), None)
        );
    }

    #[test]
    fn a_catalog_has_the_sent_values_when_every_sent_field_matches() {
        let sent = sent_fields(&json!({"name": "Goods", "can_add_elements": false}));
        let mut remote = Fields::named("Goods");
        remote.can_add_elements = Some(false);
        remote.can_show_in_cards = Some(true);
        assert!(has_sent_values(&remote, &sent));
        remote.can_add_elements = Some(true);
        assert!(!has_sent_values(&remote, &sent));
    }
}
