//! The element side's bookkeeping: which catalogs sync their elements, the `catalog_fields`
//! mirror, `element_pulls` (when fields and elements were last pulled), and forgetting the
//! element state of a catalog that is gone.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use sqlx::{Row, SqliteConnection};

use super::{Store, now};
use crate::element::{FieldDef, FieldId, FieldKind, FieldOption};
use crate::record::{DesiredId, RemoteId};

/// A desired catalog as the element side sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementCatalog {
    pub desired_id: DesiredId,
    pub remote_id: Option<RemoteId>,
    pub name: String,
    /// `desired_catalogs.sync_elements`: `None` follows `sync.elements`.
    pub sync_elements: Option<bool>,
}

/// A row of `element_pulls`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElementPull {
    pub fields_pulled_at: Option<String>,
    pub elements_pulled_at: Option<String>,
    pub elements: i64,
    pub pages: i64,
}

const STATE_TABLES: [&str; 4] = [
    "remote_elements",
    "synced_elements",
    "catalog_fields",
    "element_pulls",
];

impl Store {
    pub async fn element_catalogs(&self) -> Result<Vec<ElementCatalog>> {
        let rows = sqlx::query(
            "SELECT id, remote_id, name, sync_elements FROM desired_catalogs ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ElementCatalog {
                    desired_id: r.try_get("id")?,
                    remote_id: r.try_get("remote_id")?,
                    name: r.try_get("name")?,
                    sync_elements: r
                        .try_get::<Option<i64>, _>("sync_elements")?
                        .map(|v| v != 0),
                })
            })
            .collect()
    }

    /// The mirrored custom fields of a catalog, by sort then id.
    pub async fn fields(&self, catalog: RemoteId) -> Result<Vec<FieldDef>> {
        let rows = sqlx::query(
            "SELECT * FROM catalog_fields WHERE catalog_remote_id = ? ORDER BY sort, field_id",
        )
        .bind(catalog)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let options: String = r.try_get("options")?;
                Ok(FieldDef {
                    id: r.try_get("field_id")?,
                    catalog_id: catalog,
                    name: r.try_get("name")?,
                    code: r.try_get("code")?,
                    kind: FieldKind::parse(r.try_get("type")?),
                    sort: r.try_get("sort")?,
                    is_required: r.try_get("is_required")?,
                    is_api_only: r.try_get("is_api_only")?,
                    options: serde_json::from_str::<Vec<FieldOption>>(&options)
                        .context("catalog_fields.options")?,
                    raw_json: r.try_get("raw_json")?,
                })
            })
            .collect()
    }

    /// Replaces the mirrored fields of a catalog with a complete field list. `gone` are the
    /// fields the pull found deleted in amoCRM: their values leave the desired rows, the base
    /// and the mirror of the elements in the same transaction (see [`forget_field`]).
    pub async fn save_fields(
        &self,
        catalog: RemoteId,
        fields: &[FieldDef],
        gone: &BTreeSet<FieldId>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for field in gone {
            forget_field(&mut tx, catalog, *field).await?;
        }
        sqlx::query("DELETE FROM catalog_fields WHERE catalog_remote_id = ?")
            .bind(catalog)
            .execute(&mut *tx)
            .await?;
        let at = now();
        for f in fields {
            sqlx::query(
                "INSERT OR REPLACE INTO catalog_fields (catalog_remote_id, field_id, name, code, \
                 type, sort, is_required, is_api_only, options, raw_json, pulled_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(catalog)
            .bind(f.id)
            .bind(&f.name)
            .bind(&f.code)
            .bind(f.kind.as_str())
            .bind(f.sort)
            .bind(f.is_required)
            .bind(f.is_api_only)
            .bind(serde_json::to_string(&f.options)?)
            .bind(&f.raw_json)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO element_pulls (catalog_remote_id, fields_pulled_at) VALUES (?, ?) \
             ON CONFLICT (catalog_remote_id) DO UPDATE SET fields_pulled_at = excluded.fields_pulled_at",
        )
        .bind(catalog)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await.context("cannot save the field list")
    }

    pub async fn element_pull(&self, catalog: RemoteId) -> Result<ElementPull> {
        let row = sqlx::query("SELECT * FROM element_pulls WHERE catalog_remote_id = ?")
            .bind(catalog)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else {
            return Ok(ElementPull::default());
        };
        Ok(ElementPull {
            fields_pulled_at: r.try_get("fields_pulled_at")?,
            elements_pulled_at: r.try_get("elements_pulled_at")?,
            elements: r.try_get("elements")?,
            pages: r.try_get("pages")?,
        })
    }

    /// Records a complete pull of a catalog's elements.
    pub async fn record_elements_pull(
        &self,
        catalog: RemoteId,
        elements: usize,
        pages: usize,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO element_pulls (catalog_remote_id, elements_pulled_at, elements, pages) \
             VALUES (?, ?, ?, ?) ON CONFLICT (catalog_remote_id) DO UPDATE SET \
             elements_pulled_at = excluded.elements_pulled_at, elements = excluded.elements, \
             pages = excluded.pages",
        )
        .bind(catalog)
        .bind(now())
        .bind(elements as i64)
        .bind(pages as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Catalogs that have element state (a mirror, a base, fields, a pull record).
    pub async fn catalogs_with_element_state(&self) -> Result<Vec<RemoteId>> {
        let union = STATE_TABLES
            .iter()
            .map(|t| format!("SELECT catalog_remote_id FROM {t}"))
            .collect::<Vec<_>>()
            .join(" UNION ");
        let rows: Vec<(RemoteId,)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{union} ORDER BY 1")))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Forgets the element state of a catalog gone from the account (with its elements).
    pub async fn forget_elements(&self, catalog: RemoteId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for table in STATE_TABLES {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE catalog_remote_id = ?"
            )))
            .bind(catalog)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Takes the values of a field deleted in amoCRM out of the catalog's desired rows, base and
/// mirror, so that no run sends it again or reports the rows for naming an unknown field. Its
/// held conflicts are settled for the account (which deleted it); a held conflict of a row this
/// changes keeps counting only a person's edits as settling it.
async fn forget_field(
    conn: &mut SqliteConnection,
    catalog: RemoteId,
    field: FieldId,
) -> Result<()> {
    let context = || format!("cannot forget field {field} of catalog {catalog}");
    sqlx::query(
        "UPDATE conflicts SET resolution = 'remote', resolved_at = ? WHERE entity = 'element' \
         AND catalog_remote_id = ? AND field = ? AND resolved_at IS NULL",
    )
    .bind(now())
    .bind(catalog)
    .bind(field.to_string())
    .execute(&mut *conn)
    .await
    .with_context(context)?;
    let rows = "SELECT id FROM desired_elements WHERE json_type(fields, ?2) IS NOT NULL \
                AND desired_catalog_id IN (SELECT id FROM desired_catalogs WHERE remote_id = ?1)";
    let statements = [
        format!(
            "UPDATE conflicts SET desired_revision = desired_revision + 1 \
             WHERE entity = 'element' AND catalog_remote_id = ?1 AND resolved_at IS NULL \
             AND desired_id IN ({rows}) AND desired_revision = \
             (SELECT revision FROM desired_elements d WHERE d.id = conflicts.desired_id)"
        ),
        format!(
            "UPDATE desired_elements SET fields = json_remove(fields, ?2) WHERE id IN ({rows})"
        ),
        "UPDATE synced_elements SET fields = json_remove(fields, ?2) \
         WHERE catalog_remote_id = ?1 AND json_type(fields, ?2) IS NOT NULL"
            .to_owned(),
        "UPDATE remote_elements SET fields = json_remove(fields, ?2) \
         WHERE catalog_remote_id = ?1 AND json_type(fields, ?2) IS NOT NULL"
            .to_owned(),
    ];
    let path = format!("$.\"{field}\"");
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(catalog)
            .bind(&path)
            .execute(&mut *conn)
            .await
            .with_context(context)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
