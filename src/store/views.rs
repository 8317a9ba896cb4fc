//! The views `catalog_<remote id>` (SPEC §6): a catalog's desired elements read like a
//! spreadsheet, one column per custom field, and edited with INSERT, UPDATE and DELETE through
//! INSTEAD OF triggers that write `desired_elements`.
//!
//! The view holds no data, so re-creating it when the fields change loses nothing. What exists is
//! compared with `sqlite_master`, which keeps each `CREATE` statement verbatim: an unchanged view
//! costs one read and no write lock, and a view someone altered by hand is put back.

mod sql;

use anyhow::{Context, Result};
use sqlx::{AssertSqlSafe, Row};

use super::Store;
use crate::element::FieldDef;
use crate::record::RemoteId;
use sql::Statement;

impl Store {
    /// (Re)creates the view `catalog_<catalog>` over the desired elements of the desired catalog
    /// whose remote_id is `catalog`, one column per field of `fields`, and its INSTEAD OF
    /// triggers, in one transaction. Does nothing when the view already matches, so that it can
    /// be called on every run.
    pub async fn ensure_view(&self, catalog: RemoteId, fields: &[FieldDef]) -> Result<()> {
        let wanted = sql::statements(catalog, &sql::columns(fields));
        if self.view_objects(catalog).await? == wanted {
            return Ok(());
        }
        let view = sql::view_name(catalog);
        let mut tx = self.begin_write().await?;
        let drop = format!("DROP VIEW IF EXISTS {}", sql::ident(&view));
        let statements = std::iter::once(drop).chain(wanted.into_iter().map(|s| s.sql));
        for statement in statements {
            sqlx::query(AssertSqlSafe(statement))
                .persistent(false)
                .execute(&mut *tx)
                .await
                .with_context(|| format!("cannot create the view {view}"))?;
        }
        tx.commit()
            .await
            .with_context(|| format!("cannot create the view {view}"))
    }

    /// Drops the view and, with it, its triggers (the catalog is gone or no longer
    /// element-synced). The elements stay in `desired_elements`.
    pub async fn drop_view(&self, catalog: RemoteId) -> Result<()> {
        let view = sql::view_name(catalog);
        sqlx::query(AssertSqlSafe(format!(
            "DROP VIEW IF EXISTS {}",
            sql::ident(&view)
        )))
        .persistent(false)
        .execute(&self.pool)
        .await
        .with_context(|| format!("cannot drop the view {view}"))?;
        Ok(())
    }

    /// The catalogs that have a view, by id: those no longer element-synced are to be dropped.
    /// Only names exactly `catalog_<id>` count, so `catalog_notes` or `catalog_007` are left.
    pub async fn element_views(&self) -> Result<Vec<RemoteId>> {
        let rows = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'view' AND name GLOB 'catalog_*'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut ids = Vec::new();
        for row in rows {
            let name: String = row.try_get("name")?;
            let id = name.strip_prefix("catalog_").and_then(|s| s.parse().ok());
            if let Some(id) = id.filter(|&id| sql::view_name(id) == name) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }

    /// The view and the triggers on it as they exist now, ordered as [`sql::statements`].
    async fn view_objects(&self, catalog: RemoteId) -> Result<Vec<Statement>> {
        let rows = sqlx::query(
            "SELECT name, sql FROM sqlite_master \
             WHERE (type = 'view' AND name = ?1) OR (type = 'trigger' AND tbl_name = ?1)",
        )
        .bind(sql::view_name(catalog))
        .fetch_all(&self.pool)
        .await?;
        let mut objects = rows
            .iter()
            .map(|r| {
                Ok(Statement {
                    name: r.try_get("name")?,
                    sql: r.try_get::<Option<String>, _>("sql")?.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        objects.sort();
        Ok(objects)
    }
}

#[cfg(test)]
mod tests;
