//! The `conflicts` table.

use anyhow::Result;
use sqlx::Row;

use super::{Store, now};
use crate::catalog::{DesiredId, RemoteId};
use crate::reconcile::{Conflict, Side};

/// A conflict held for a person (`resolved_at IS NULL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenConflict {
    pub id: i64,
    pub remote_id: RemoteId,
    pub desired_id: Option<DesiredId>,
    pub field: String,
    /// Set by a person (`local` or `remote`) to settle it.
    pub resolution: Option<Side>,
    pub desired_revision: Option<i64>,
}

fn json(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

impl Store {
    pub async fn open_conflicts(&self) -> Result<Vec<OpenConflict>> {
        let rows = sqlx::query("SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let resolution: Option<String> = r.try_get("resolution")?;
                Ok(OpenConflict {
                    id: r.try_get("id")?,
                    remote_id: r.try_get("remote_id")?,
                    desired_id: r.try_get("desired_id")?,
                    field: r.try_get("field")?,
                    resolution: match resolution.as_deref() {
                        Some("local") => Some(Side::Local),
                        Some("remote") => Some(Side::Remote),
                        _ => None,
                    },
                    desired_revision: r.try_get("desired_revision")?,
                })
            })
            .collect()
    }

    /// Records the conflicts of a run. One that is already recorded with the same values (held
    /// and still open, or settled the same way before) is not recorded again. Returns how many
    /// rows were written.
    pub async fn record_conflicts(&self, run_id: i64, conflicts: &[Conflict]) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let mut written = 0;
        let at = now();
        for c in conflicts {
            let field = c.field.map_or("catalog", |f| f.as_str());
            let resolution = c.resolution.map(Side::as_str);
            let (local, remote) = (json(&c.local), json(&c.remote));
            let (seen,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM conflicts WHERE remote_id = ? AND field = ? \
                 AND local_value IS ? AND remote_value IS ? \
                 AND (resolved_at IS NULL OR resolution IS ?)",
            )
            .bind(c.remote_id)
            .bind(field)
            .bind(&local)
            .bind(&remote)
            .bind(resolution)
            .fetch_one(&mut *tx)
            .await?;
            if seen > 0 {
                continue;
            }
            sqlx::query(
                "INSERT INTO conflicts (run_id, remote_id, desired_id, field, base_value, \
                 local_value, remote_value, resolution, resolved_at, detected_at, desired_revision) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(run_id)
            .bind(c.remote_id)
            .bind(c.desired_id)
            .bind(field)
            .bind(json(&c.base))
            .bind(&local)
            .bind(&remote)
            .bind(resolution)
            .bind(resolution.map(|_| at.clone()))
            .bind(&at)
            .bind(c.desired_revision)
            .execute(&mut *tx)
            .await?;
            written += 1;
        }
        tx.commit().await?;
        Ok(written)
    }

    /// Closes held conflicts of a catalog once what settled them has been applied.
    pub async fn close_conflicts(&self, remote_id: RemoteId, side: Side) -> Result<()> {
        sqlx::query(
            "UPDATE conflicts SET resolution = ?, resolved_at = ? \
             WHERE remote_id = ? AND resolved_at IS NULL",
        )
        .bind(side.as_str())
        .bind(now())
        .bind(remote_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
