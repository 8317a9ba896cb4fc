//! The `conflicts` table.

use anyhow::Result;
use sqlx::Row;

use super::{Store, now};
use crate::plan::{Conflict, Side};
use crate::record::{DesiredId, RemoteId};

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

/// Whose conflicts: catalogs, or the elements of one catalog (catalog and element ids are
/// different id spaces, so every statement filters by both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConflictScope {
    pub entity: &'static str,
    pub catalog_remote_id: Option<RemoteId>,
}

impl Store {
    pub async fn open_conflicts(&self, scope: ConflictScope) -> Result<Vec<OpenConflict>> {
        let rows = sqlx::query(
            "SELECT * FROM conflicts WHERE resolved_at IS NULL AND entity = ? \
             AND catalog_remote_id IS ? ORDER BY id",
        )
        .bind(scope.entity)
        .bind(scope.catalog_remote_id)
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
    pub async fn record_conflicts<K: std::fmt::Display>(
        &self,
        run_id: i64,
        scope: ConflictScope,
        conflicts: &[Conflict<K>],
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let mut written = 0;
        let at = now();
        for c in conflicts {
            let field = c
                .field
                .as_ref()
                .map_or(scope.entity.into(), |f| f.to_string());
            let resolution = c.resolution.map(Side::as_str);
            let (local, remote) = (json(&c.local), json(&c.remote));
            let (seen,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM conflicts WHERE entity = ? AND catalog_remote_id IS ? \
                 AND remote_id = ? AND field = ? AND local_value IS ? AND remote_value IS ? \
                 AND (resolved_at IS NULL OR resolution IS ?)",
            )
            .bind(scope.entity)
            .bind(scope.catalog_remote_id)
            .bind(c.remote_id)
            .bind(&field)
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
                 local_value, remote_value, resolution, resolved_at, detected_at, \
                 desired_revision, entity, catalog_remote_id) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(run_id)
            .bind(c.remote_id)
            .bind(c.desired_id)
            .bind(&field)
            .bind(json(&c.base))
            .bind(&local)
            .bind(&remote)
            .bind(resolution)
            .bind(resolution.map(|_| at.clone()))
            .bind(&at)
            .bind(c.desired_revision)
            .bind(scope.entity)
            .bind(scope.catalog_remote_id)
            .execute(&mut *tx)
            .await?;
            written += 1;
        }
        tx.commit().await?;
        Ok(written)
    }

    /// Closes held conflicts of a record once what settled them has been applied.
    pub async fn close_conflicts(
        &self,
        scope: ConflictScope,
        remote_id: RemoteId,
        side: Side,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE conflicts SET resolution = ?, resolved_at = ? \
             WHERE entity = ? AND catalog_remote_id IS ? AND remote_id = ? \
             AND resolved_at IS NULL",
        )
        .bind(side.as_str())
        .bind(now())
        .bind(scope.entity)
        .bind(scope.catalog_remote_id)
        .bind(remote_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
